package desk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
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
	// The activity log's hash chain (see EventHash). Seq is the event's position in the chain
	// (0 until the sealer links it; events linked before the chain was keyed have their ID as
	// position); MAC authenticates the fields from the moment the event is written; PrevHash and
	// Hash are empty until the event is linked.
	Seq      int64
	MAC      []byte
	PrevHash []byte
	Hash     []byte
}

// Denial is the refused requests of one user on one route in one minute (403s): the activity
// log records the first at once and the rest as one event with their count.
type Denial struct {
	UserID, Route string
	// Minute is the unix minute (UTC).
	Minute     int64
	Permission Permission
	// Path and IP are the minute's first refused request's.
	Path, IP string
	N        int64
}

// Sealed reports whether the event is linked into the chain.
func (e Event) Sealed() bool { return len(e.Hash) > 0 }

// DeriveAuditKey derives the activity log's HMAC key from the key-encryption key, with a label
// of its own (the key never leaves the process and is not stored in the database, so whoever can
// write the database cannot recompute the chain).
func DeriveAuditKey(kek []byte) []byte {
	m := hmac.New(sha256.New, kek)
	m.Write([]byte("partnerdesk audit chain v1"))
	return m.Sum(nil)
}

// writeFields writes an event's stored fields, each string length-prefixed (so that moving a
// character from one field to the next changes the result).
func writeFields(h hash.Hash, e Event) {
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
}

// EventMAC authenticates an event's fields (its ID included) under the audit key when it is
// written, before the sealer links it: an event put into the table by anyone without the key —
// to be linked by the next seal — shows as forged.
func EventMAC(key []byte, e Event) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("event\x00"))
	writeFields(h, e)
	return h.Sum(nil)
}

// EventHash links an event into the activity log's chain: HMAC-SHA256 under the audit key of
// the previous event's hash, the event's position and its fields (through EventMAC). Changing
// any stored field, removing an event or moving one breaks a link, and no one without the key
// can compute a new chain over a changed history (see `partnerdesk audit verify`). This, with
// EventMAC and LegacyEventHash, is the one place the chain's hashes are computed.
func EventHash(key, prev []byte, e Event) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("link\x00"))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(len(prev)))
	h.Write(b[:])
	h.Write(prev)
	binary.BigEndian.PutUint64(b[:], uint64(e.Seq))
	h.Write(b[:])
	h.Write(EventMAC(key, e))
	return h.Sum(nil)
}

// LegacyEventHash is the chain's unkeyed link, sha256(prev ‖ fields), of the events written
// before the chain was keyed: they keep verifying as they were written.
func LegacyEventHash(prev []byte, e Event) []byte {
	h := sha256.New()
	h.Write(prev)
	writeFields(h, e)
	return h.Sum(nil)
}
