package desk

import (
	"crypto/sha256"
	"encoding/binary"
	"time"
)

// Operation types of the activity log. Partner Center's audit names are used where they exist (R11).
const (
	OpSignIn           = "sign_in"
	OpSignInFailed     = "sign_in_failed"
	OpSignOut          = "sign_out"
	OpPermissionDenied = "permission_denied"
	OpCreateCustomer   = "create_customer"
	OpCreateUser       = "create_user"
	OpUpdateUser       = "update_user"
	OpCreateOrder      = "create_order"
	OpUpdateOrder      = "update_order" // a cancellation
	OpGetSoftwareKey   = "get_software_key"
	OpGetDownloadLink  = "get_software_download_link"
	OpDownload         = "download_software"
	OpSharedDownload   = "download_software_shared_link"
	OpImportKeys       = "import_software_keys"
	OpFileSupport      = "create_support_request"
	OpUpdateSupport    = "update_support_request"
	OpCreateAPIToken   = "create_api_token"
	OpRevokeAPIToken   = "revoke_api_token"
	OpDeleteUser       = "delete_user"
	OpChangePassword   = "change_password"             // a user changed their own password (R24)
	OpMFAEnrol         = "mfa_enrol"                   // two-step verification set up (R22)
	OpMFAFailed        = "mfa_failed"                  // a wrong, replayed or rate-limited code at sign-in (R22)
	OpMFARecoveryCodes = "mfa_recovery_codes"          // new recovery codes made (the old ones stop working)
	OpMFADisable       = "mfa_disable"                 // a user turned their own two-step verification off
	OpChangeWebhook    = "change_webhook_registration" // registered, updated, secret rotated, deleted (R21)
)

// Event is one append-only row of the activity log (SPEC §5, R11).
type Event struct {
	ID int64
	At time.Time
	// Actor: who did it (a user of the partner or of a customer tenant).
	ActorID       string
	ActorEmail    string
	ActorTenantID string
	ActorRoles    Roles
	// The affected customer, when there is one.
	CustomerID   string
	CustomerName string
	Operation    string
	ResourceType string
	// Status is "succeeded" or "failed".
	Status  string
	Product string
	OrderID string
	// Detail is a short free text (never a key, password or token).
	Detail string
	IP     string
	// APITokenID and APITokenName name the API token the change was made with (empty in the portal).
	APITokenID, APITokenName string
	PrevHash                 []byte
	Hash                     []byte
}

// EventHash chains an event to its predecessor: sha256(prev ‖ fields). Changing any stored
// field of any event breaks every later link (see `partnerdesk audit verify`).
func EventHash(prev []byte, e Event) []byte {
	h := sha256.New()
	h.Write(prev)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(e.ID))
	h.Write(b[:])
	binary.BigEndian.PutUint64(b[:], uint64(e.At.UnixMilli()))
	h.Write(b[:])
	binary.BigEndian.PutUint64(b[:], uint64(e.ActorRoles))
	h.Write(b[:])
	for _, s := range []string{e.ActorID, e.ActorEmail, e.ActorTenantID, e.CustomerID, e.CustomerName,
		e.Operation, e.ResourceType, e.Status, e.Product, e.OrderID, e.Detail, e.IP} {
		binary.BigEndian.PutUint64(b[:], uint64(len(s)))
		h.Write(b[:])
		h.Write([]byte(s))
	}
	// The API token fields were added later: hashed only when set, so that the events written
	// before them keep their hashes.
	if e.APITokenID != "" || e.APITokenName != "" {
		for _, s := range []string{"api-token", e.APITokenID, e.APITokenName} {
			binary.BigEndian.PutUint64(b[:], uint64(len(s)))
			h.Write(b[:])
			h.Write([]byte(s))
		}
	}
	return h.Sum(nil)
}
