// Package service holds PartnerDesk's use cases. Each enforces the rules of the SPEC, checks the
// caller's role (again: the HTTP layer checks first), and writes its activity event in the same
// transaction as the change.
package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"partnerdesk/internal/desk"
)

// The store interfaces the use cases need, one per area; internal/sqlstore implements them all on
// either engine (through the small adapter in internal/app, which gives InTx its Store-typed
// callback).

// CustomerStore holds the customer tenants.
type CustomerStore interface {
	CreateCustomer(ctx context.Context, c desk.Customer) error
	FindCustomerByID(ctx context.Context, id string) (desk.Customer, error)
	FindCustomers(ctx context.Context, f desk.CustomerFilter) (desk.CustomerPage, error)
	CountCustomers(ctx context.Context) (int, error)
}

// CatalogStore holds products, offers, editions and prices.
type CatalogStore interface {
	SaveProduct(ctx context.Context, p desk.Product, sort int) error
	SavePrice(ctx context.Context, offerID, currency string, unit int64) error
	Catalog(ctx context.Context) ([]desk.Product, map[string]map[string]int64, error)
}

// OrderStore holds orders, their lines, entitlements and carts.
type OrderStore interface {
	// CreateOrder writes nothing and returns false when the customer already has an order with
	// the key (R9).
	CreateOrder(ctx context.Context, o desk.Order, key string) (bool, error)
	FindOrderIDByKey(ctx context.Context, customerID, key string) (string, error)
	FindOrder(ctx context.Context, customerID, id string) (desk.Order, error)
	FindOrders(ctx context.Context, f desk.OrderFilter) (desk.OrderPage, error)
	// LockOrder locks the order's row until the transaction ends.
	LockOrder(ctx context.Context, customerID, id string) error
	CreateEntitlement(ctx context.Context, e desk.Entitlement) error
	FindEntitlements(ctx context.Context, customerID string) ([]desk.Entitlement, error)
	FindAzurePurchases(ctx context.Context, customerID string) ([]desk.AzurePurchase, error)
	FindEntitlement(ctx context.Context, customerID, id string) (desk.Entitlement, error)
	FindEntitlementByID(ctx context.Context, id string) (desk.Entitlement, error)
	// MarkDownloaded marks an active entitlement downloaded under its row lock; false when it is
	// no longer active.
	MarkDownloaded(ctx context.Context, entitlementID string, now time.Time) (bool, error)
	// LockEntitlement holds an entitlement's row lock until the transaction ends.
	LockEntitlement(ctx context.Context, entitlementID string) error
	// ClaimLinkDownload records a shared link's first download once per link (true for the claim
	// that inserted it).
	ClaimLinkDownload(ctx context.Context, linkHash []byte, entitlementID string, now, expires time.Time) (bool, error)
	DeleteLinkClaims(ctx context.Context, before time.Time) (int64, error)

	CartLines(ctx context.Context, userID, customerID string) ([]desk.CartLine, error)
	SetCartLine(ctx context.Context, userID, customerID string, l desk.CartLine, now time.Time) error
	DeleteCartLine(ctx context.Context, userID, customerID, offerID string) error
	ClearCart(ctx context.Context, userID, customerID string) error
}

// KeyStore holds the product key pools and the keys given to purchases.
type KeyStore interface {
	InsertPoolKey(ctx context.Context, productID, version string, ciphertext, fingerprint []byte, now time.Time) error
	FingerprintsExist(ctx context.Context, fps [][]byte) (map[string]bool, error)
	AssignPoolKey(ctx context.Context, productID, version, entitlementID string, now time.Time) (bool, error)
	EntitlementKey(ctx context.Context, entitlementID, version string) ([]byte, error)
	AnyKey(ctx context.Context) (productID, version string, ciphertext []byte, found bool, err error)
	EntitlementKeyVersions(ctx context.Context, customerID string) (map[string][]string, error)
	EntitlementsWaitingForKeys(ctx context.Context, productID, version string) ([]string, error)
	PoolCounts(ctx context.Context) ([]desk.PoolCount, error)
}

// BillingStore holds cancellations, invoice lines and the invoices issued.
type BillingStore interface {
	CancelLine(ctx context.Context, c desk.Cancellation) error
	AddInvoiceLine(ctx context.Context, l desk.InvoiceLine) error
	Invoices(ctx context.Context) ([]desk.Invoice, error)
	InvoiceLines(ctx context.Context, period, currency string) ([]desk.InvoiceLine, error)
	// OrderCharges returns the charges of the orders' lines, keyed by desk.ChargeKey.
	OrderCharges(ctx context.Context, orderIDs []string) (map[string][]desk.Charge, error)
	DueCharges(ctx context.Context, now time.Time, limit int) ([]desk.DueCharge, error)
	// ChargeInstallment writes the next installment unless a cancellation or another instance
	// came first (false).
	ChargeInstallment(ctx context.Context, l desk.InvoiceLine, charged int, next time.Time) (bool, error)
	UnissuedInvoices(ctx context.Context, period string) ([]desk.Invoice, error)
	IssueInvoice(ctx context.Context, period, currency string, now time.Time) (bool, error)
}

// SupportStore holds support requests and their attachments.
type SupportStore interface {
	CreateSupportRequest(ctx context.Context, q desk.SupportRequest) (int, error)
	AddAttachment(ctx context.Context, a desk.Attachment, data []byte) error
	AttachmentData(ctx context.Context, requestID, id string) ([]byte, error)
	FindSupportRequests(ctx context.Context, limit int) ([]desk.SupportRequest, error)
	FindSupportRequest(ctx context.Context, id string) (desk.SupportRequest, error)
	// SetSupportStatus changes the status only if it is still from (ECONFLICT otherwise).
	SetSupportStatus(ctx context.Context, id, from, to string, now int64) error
}

// EventStore holds the activity log (R11).
type EventStore interface {
	AppendEvent(ctx context.Context, e *desk.Event) error
	RecentEvents(ctx context.Context, operation string, limit int) ([]desk.Event, error)
	FindEvents(ctx context.Context, f desk.ActivityFilter) (desk.ActivityPage, error)
	StreamEvents(ctx context.Context, f desk.ActivityFilter, fn func(desk.Event) error) error
	EventDayCounts(ctx context.Context, f desk.ActivityFilter) ([]desk.DayCount, error)
	EventByID(ctx context.Context, id int64) (desk.Event, error)
	// SealEvents links the events written since the last seal into the chain (see audit.go).
	SealEvents(ctx context.Context, limit int, wait bool) (desk.SealResult, error)
	ChainHead(ctx context.Context) (int64, []byte, error)
	KeyedEventsExist(ctx context.Context) (bool, error)
	WalkChain(ctx context.Context, fn func(desk.Event) error) error
	UnlinkedEvents(ctx context.Context, staleBefore time.Time) (int64, int64, error)
	// CountDenial and TakeDenials aggregate refused requests per user, route and minute.
	CountDenial(ctx context.Context, d desk.Denial) (int64, error)
	TakeDenials(ctx context.Context, before int64, limit int) ([]desk.Denial, error)
}

// UserStore holds users, their sessions and API tokens.
type UserStore interface {
	CreateUser(ctx context.Context, u desk.User, passwordHash string) error
	FindUserByEmail(ctx context.Context, email string) (desk.User, string, error)
	FindUserByID(ctx context.Context, id string) (desk.User, error)
	FindUsers(ctx context.Context, f desk.UserFilter) ([]desk.User, error)
	CountActiveUsersWithRole(ctx context.Context, r desk.Role) (int, error)
	UpdateUser(ctx context.Context, u desk.User) error
	SetUserPassword(ctx context.Context, id, hash string, mustChange bool) error
	UserPasswordHash(ctx context.Context, id string) (string, error)
	DeleteUser(ctx context.Context, id string) error
	SetUserTheme(ctx context.Context, id, theme string) error

	CreateSession(ctx context.Context, tokenHash []byte, userID string, stage desk.SessionStage, method string, now time.Time) error
	SessionUser(ctx context.Context, tokenHash []byte) (desk.Session, error)
	TouchSession(ctx context.Context, tokenHash []byte, now time.Time) error
	DeleteSession(ctx context.Context, tokenHash []byte) error
	DeleteUserSessions(ctx context.Context, userID string) error
	DeleteOtherSessions(ctx context.Context, userID string, keepHash []byte) error
	DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error)

	CreateToken(ctx context.Context, t desk.APIToken, hash []byte) error
	TokenUser(ctx context.Context, hash []byte) (desk.APIToken, desk.User, error)
	TouchToken(ctx context.Context, id string, now time.Time) error
	FindTokens(ctx context.Context, userID string) ([]desk.APIToken, error)
	RevokeToken(ctx context.Context, id, userID string, now time.Time) error
	RevokeUserTokens(ctx context.Context, userID string, now time.Time) (int, error)
}

// IdentityStore holds two-step verification and single sign-on attempts (R22, R23).
type IdentityStore interface {
	EnrolTOTP(ctx context.Context, userID string, sealed []byte, step int64, now time.Time) error
	TOTPSecret(ctx context.Context, userID string) ([]byte, error)
	ClaimTOTPStep(ctx context.Context, userID string, step int64) (bool, error)
	ClearMFA(ctx context.Context, userID string) error
	ReplaceRecoveryCodes(ctx context.Context, userID string, hashes [][]byte, now time.Time) error
	UseRecoveryCode(ctx context.Context, userID string, hash []byte, now time.Time) (bool, error)
	UnusedRecoveryCodes(ctx context.Context, userID string) (int, error)
	CreateSSOLogin(ctx context.Context, l desk.SSOLogin) error
	TakeSSOLogin(ctx context.Context, stateHash []byte) (desk.SSOLogin, error)
	DeleteSSOLoginsBefore(ctx context.Context, t time.Time) error
}

// MetaStore holds settings and the shared rate-limit buckets.
type MetaStore interface {
	Ping(ctx context.Context) error
	GetMeta(ctx context.Context, key string) (string, bool, error)
	SetMeta(ctx context.Context, key, value string) error
	ClaimMeta(ctx context.Context, key, value string) (string, bool, error)
	// TakeToken takes a token of a rate-limit bucket shared by every instance.
	TakeToken(ctx context.Context, key string, perSecond float64, burst int, now time.Time) (bool, time.Duration, error)
	// PeekToken returns how long until a bucket has a token, taking nothing.
	PeekToken(ctx context.Context, key string, perSecond float64, burst int, now time.Time) (time.Duration, error)
}

// Store is every area's store, with transactions: InTx runs fn in one transaction, whose Store
// fn uses; the engine may run fn again after a serialization failure, so fn keeps no state
// outside itself.
type Store interface {
	CustomerStore
	CatalogStore
	OrderStore
	KeyStore
	BillingStore
	SupportStore
	EventStore
	UserStore
	IdentityStore
	MetaStore
	WebhookStore
	InTx(ctx context.Context, fn func(tx Store) error) error
}

// Config holds the tunables of the use cases.
type Config struct {
	// PartnerTenantID is the partner's own tenant ID (recorded as the actor tenant of partner users).
	PartnerTenantID string
	// SessionIdle and SessionMax are the idle and absolute session timeouts.
	SessionIdle, SessionMax time.Duration
	// BcryptCost is the password hashing cost (tests lower it).
	BcryptCost int
	// KeyEncryptionKey (32 bytes) encrypts product keys at rest; LinkKey signs download links.
	KeyEncryptionKey, LinkKey []byte
	// AuditKey keys the activity log's chain and checkpoints (default: derived from the
	// key-encryption key, desk.DeriveAuditKey); the store must be given the same key.
	AuditKey []byte
	// LinkTTL is how long a copied download link works (SPEC §4: 5 days).
	LinkTTL time.Duration
	// ArtifactsDir holds the downloadable files (PARTNERDESK_FILES_DIR: with several instances, a
	// volume they share).
	ArtifactsDir string
	// RevealBurst and RevealEvery rate-limit key reveals per user: a burst, then one per RevealEvery.
	RevealBurst int
	RevealEvery time.Duration
	// Cancel holds the cancellation window per product kind (R12).
	Cancel desk.CancelPolicy
	// SupportThresholdUSD: cancellations above this amount (in USD at the reference rates) go
	// through a support request (default 10,000); it fills Cancel.SupportThresholdUSD.
	SupportThresholdUSD int64
	// MaxActivityRange caps an activity log query's date range (default 366 days).
	MaxActivityRange time.Duration
	// Unlimited skips the rate limits (the demo loader replays history, not a user's requests).
	Unlimited bool
	// RequireMFA: Global admins, Admin agents and customer Global admins must set up two-step
	// verification before their session gets their rights (R22, PARTNERDESK_REQUIRE_MFA).
	RequireMFA bool
	// SSO configures single sign-on with an OpenID Connect provider (R23); off when its Issuer
	// is empty.
	SSO SSOConfig
	// PublicURL is the address PartnerDesk is reached at: webhook bodies name API URLs under it.
	PublicURL string
	// WebhookAllowPrivate lets webhooks reach loopback and private addresses, over plain http
	// too (tests and local tools; R21).
	WebhookAllowPrivate bool
	// WebhookLookup resolves webhook hosts (nil: the system resolver; tests answer for it).
	WebhookLookup func(ctx context.Context, host string) ([]netip.Addr, error)
	// Logger reports the failures of background work (webhook deliveries); nil stays silent.
	Logger *slog.Logger
	// Sleep waits d or until ctx ends (a slowed sign-in); nil is a real wait (tests record it).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Service runs the use cases.
type Service struct {
	areas // the use cases, by area (areas.go)

	store Store
	now   func() time.Time
	cfg   Config

	catalogMu sync.Mutex
	catalog   *catalog

	sealer *sealer
	mfa    *mfaKeys
	sso    *ssoClient

	// hookClient delivers webhooks; hookWake nudges this instance's delivery worker.
	hookClient *http.Client
	hookWake   chan struct{}
}

// Rate limits, shared by every instance through the store (README: "Rate limits").
const (
	// A burst of 5 failed sign-ins per account from one client address, then one per 30 s:
	// refused beyond (429). Keyed on the address too, so that failures from elsewhere do not
	// lock the account's real user out.
	signinAccountBurst = 5
	signinAccountRate  = 1.0 / 30
	// A burst of 20 failed sign-ins per IP address, then one per 3 s: refused beyond.
	signinIPBurst = 20
	signinIPRate  = 1.0 / 3
	// A burst of 5 wrong codes at /signin/mfa per account, then one per 2 minutes: with three
	// steps' codes accepted at a time, guessing one takes well over a year on average (R22).
	mfaBurst = 5
	mfaRate  = 1.0 / 120
	// A burst of 5 failed sign-ins per account from any address, then one per 30 s: beyond,
	// every attempt on the account waits signinSlowdown before its password is checked —
	// slowed, never refused.
	signinSlowBurst = 5
	signinSlowRate  = 1.0 / 30
	signinSlowdown  = 2 * time.Second
)

// limit takes a token of a rate-limit bucket shared by every instance, on the service clock.
func (s *Service) limit(ctx context.Context, key string, perSecond float64, burst int) (bool, time.Duration, error) {
	if s.cfg.Unlimited {
		return true, 0, nil
	}
	return s.store.TakeToken(ctx, key, perSecond, burst, s.now())
}

// TakeAPIToken takes a token of an API token's request budget (perSecond, burst) on the wall
// clock: false with the wait when it is spent. Every instance shares the budget.
func (s *Service) TakeAPIToken(ctx context.Context, tokenID string, perSecond float64, burst int) (bool, time.Duration, error) {
	return s.store.TakeToken(ctx, "api:"+tokenID, perSecond, burst, time.Now())
}

// New returns a Service; now is the clock (tests move it). It fails on unusable keys.
func New(store Store, now func() time.Time, cfg Config) (*Service, error) {
	if now == nil {
		now = time.Now
	}
	if cfg.SessionIdle == 0 {
		cfg.SessionIdle = 30 * time.Minute
	}
	if cfg.SessionMax == 0 {
		cfg.SessionMax = 12 * time.Hour
	}
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = 11
	}
	if cfg.LinkTTL == 0 {
		cfg.LinkTTL = 5 * 24 * time.Hour
	}
	if cfg.RevealBurst == 0 {
		cfg.RevealBurst = 30
	}
	if cfg.RevealEvery == 0 {
		cfg.RevealEvery = 2 * time.Second
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	sl, err := newSealer(cfg.KeyEncryptionKey, cfg.LinkKey)
	if err != nil {
		return nil, err
	}
	if len(cfg.AuditKey) == 0 {
		cfg.AuditKey = desk.DeriveAuditKey(cfg.KeyEncryptionKey)
	}
	if cfg.Cancel.SupportThresholdUSD == 0 {
		cfg.Cancel.SupportThresholdUSD = cfg.SupportThresholdUSD
	}
	if cfg.Cancel.SupportThresholdUSD == 0 {
		cfg.Cancel.SupportThresholdUSD = desk.DefaultSupportThresholdUSD
	}
	go dummyHash(cfg.BcryptCost) // ready before the first unknown email, so that it is not slower
	mk, err := newMFAKeys(cfg.KeyEncryptionKey)
	if err != nil {
		return nil, err
	}
	sc, err := newSSOClient(cfg.SSO)
	if err != nil {
		return nil, err
	}
	svc := &Service{store: store, now: func() time.Time { return now().UTC() }, cfg: cfg, sealer: sl, mfa: mk, sso: sc, hookWake: make(chan struct{}, 1)}
	svc.bind(svc)
	svc.hookClient = svc.newWebhookClient()
	return svc, nil
}

// Config returns the service's configuration (to build another service over the same store).
func (s *Service) Config() Config { return s.cfg }

// Now returns the service clock's time (UTC).
func (s *Service) Now() time.Time { return s.now() }

// Ping checks the store (for /healthz).
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }

// newID returns a random GUID-shaped identifier (version 4 layout).
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[c>>4], hex[c&0xf])
	}
	return string(out)
}

// NewID returns a random GUID, as tenant IDs and user IDs are.
func NewID() string { return newID() }

func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// require returns EFORBIDDEN naming the allowed roles unless the actor holds p (R1–R5).
func require(a desk.Actor, p desk.Permission) error {
	if !a.User.Can(p) {
		return desk.Forbidden(p)
	}
	return nil
}

// audit appends an activity event for the actor (R11) through st, the caller's transaction.
func (s *Service) audit(ctx context.Context, st Store, a desk.Actor, e desk.Event) error {
	_, err := s.auditID(ctx, st, a, e)
	return err
}

// auditID is audit that returns the event's ID.
func (s *Service) auditID(ctx context.Context, st Store, a desk.Actor, e desk.Event) (int64, error) {
	e.At = s.now()
	e.ActorID = a.User.ID
	e.ActorEmail = a.User.Email
	e.ActorRoles = a.User.Roles
	e.ActorTenantID = a.User.CustomerID
	if e.ActorTenantID == "" {
		e.ActorTenantID = s.cfg.PartnerTenantID
	}
	e.IP = a.IP
	e.APITokenID, e.APITokenName = a.TokenID, a.TokenName
	if e.Status == "" {
		e.Status = "succeeded"
	}
	err := st.AppendEvent(ctx, &e)
	return e.ID, err
}

// RecordDenied logs a refused request (R2: a denial is itself an event): the first of a user on
// a route (its pattern) in a minute at once; the rest of that minute are counted in the
// database and FlushDenials records them as one event with their count, so that a user refused
// in a loop cannot flood the activity log, however many instances serve them.
func (s *Service) RecordDenied(ctx context.Context, a desk.Actor, p desk.Permission, route, path string) error {
	now := s.now()
	return s.store.InTx(ctx, func(tx Store) error {
		n, err := tx.CountDenial(ctx, desk.Denial{UserID: a.User.ID, Route: route, Minute: now.Unix() / 60, Permission: p, Path: path, IP: a.IP})
		if err != nil || n > 1 {
			return err
		}
		return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpPermissionDenied, ResourceType: "route", Status: "failed", Detail: desk.DetailDeniedText(p, path)})
	})
}

// FlushDenials records, for each user, route and minute that ended over a minute ago, the
// refusals after the first as one permission_denied event with their count, and forgets the
// minute. Instances flushing at once take disjoint rows.
func (s *Service) FlushDenials(ctx context.Context) (int, error) {
	before := s.now().Unix()/60 - 1
	recorded := 0
	for {
		var taken int
		err := s.store.InTx(ctx, func(tx Store) error {
			ds, err := tx.TakeDenials(ctx, before, 200)
			taken = len(ds)
			for _, d := range ds {
				if d.N < 2 {
					continue
				}
				u, err := tx.FindUserByID(ctx, d.UserID)
				if desk.ErrorCode(err) == desk.ENOTFOUND {
					u, err = desk.User{ID: d.UserID}, nil
				}
				if err != nil {
					return err
				}
				if err := s.audit(ctx, tx, desk.Actor{User: u, IP: d.IP}, desk.Event{Operation: desk.OpPermissionDenied, ResourceType: "route", Status: "failed",
					Detail: desk.DetailDeniedMoreText(d.Permission, d.Path, d.N-1)}); err != nil {
					return err
				}
				recorded++
			}
			return err
		})
		if err != nil || taken < 200 {
			return recorded, err
		}
	}
}

// SweepSessions deletes the sessions that expired (idle longer than the idle timeout, or older
// than the absolute one); a conditional delete, safe on every instance at once.
func (s *Service) SweepSessions(ctx context.Context) (int64, error) {
	now := s.now()
	return s.store.DeleteExpiredSessions(ctx, now.Add(-s.cfg.SessionIdle), now.Add(-s.cfg.SessionMax))
}

// RecentEvents returns the newest events of an operation (for tests and the dashboard).
func (s *Service) RecentEvents(ctx context.Context, operation string, limit int) ([]desk.Event, error) {
	return s.store.RecentEvents(ctx, operation, limit)
}
