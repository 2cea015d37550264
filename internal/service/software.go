package service

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"partnerdesk/internal/desk"
)

// directLinkTTL is how long the link behind a signed-in user's own Download click works (long
// enough to resume a multi-GB download, short enough to be useless if it leaks).
const directLinkTTL = 6 * time.Hour

// canSee returns the customer if the actor may see its software list: partner users with
// PermViewSoftware, or the customer's own users (R4).
func (s *softwareArea) canSee(ctx context.Context, a desk.Actor, customerID string) (desk.Customer, error) {
	if a.User.IsPartner() {
		if err := require(a, desk.PermViewSoftware); err != nil {
			return desk.Customer{}, err
		}
	} else if err := require(a, desk.PermCustomerArea); err != nil {
		return desk.Customer{}, err
	}
	return s.CustomerByID(ctx, a, customerID)
}

// KeysAllowed reports whether the actor may get keys and downloads of a customer: partner Admin
// agents and Global admins (R1), or that customer's own Global admin (R4).
func KeysAllowed(a desk.Actor, customerID string) bool {
	if a.User.IsPartner() {
		return a.User.Can(desk.PermKeysDownloads)
	}
	return a.User.CustomerID == customerID && a.User.Can(desk.PermCustomerKeys)
}

func keysRequired(a desk.Actor, customerID string) error {
	if KeysAllowed(a, customerID) {
		return nil
	}
	if a.User.IsPartner() {
		return desk.Forbidden(desk.PermKeysDownloads)
	}
	return desk.Forbidden(desk.PermCustomerKeys)
}

// Software lists a customer's software purchases with their editions, key state and
// cancellation window (the Software tab, and the customer's own Your products > Software).
func (s *softwareArea) Software(ctx context.Context, a desk.Actor, customerID string) (desk.Customer, []desk.SoftwareItem, error) {
	cust, err := s.canSee(ctx, a, customerID)
	if err != nil {
		return cust, nil, err
	}
	ents, err := s.store.FindEntitlements(ctx, cust.ID)
	if err != nil {
		return cust, nil, err
	}
	keys, err := s.store.EntitlementKeyVersions(ctx, cust.ID)
	if err != nil {
		return cust, nil, err
	}
	c, err := s.loadCatalog(ctx)
	if err != nil {
		return cust, nil, err
	}
	now := s.now()
	items := make([]desk.SoftwareItem, 0, len(ents))
	for _, e := range ents {
		items = append(items, s.softwareItem(e, keys[e.ID], c, now))
	}
	return cust, items, nil
}

// softwareItem is a purchase as the Software tab shows it: its product, the versions with a
// key, and its cancellation window (R12).
func (s *softwareArea) softwareItem(e desk.Entitlement, keyVersions []string, c *catalog, now time.Time) desk.SoftwareItem {
	it := desk.SoftwareItem{Entitlement: e, KeyVersions: keyVersions}
	it.Product, _ = c.product(e.ProductID)
	it.Deadline = s.cfg.Cancel.Deadline(e.CreatedAt, e.Kind)
	if e.Status == desk.StatusActive {
		it.DaysLeft = s.cfg.Cancel.DaysLeft(e.CreatedAt, now, e.Kind)
	}
	return it
}

// AzurePurchases lists a customer's Azure Reservations and Azure software plans with their
// cancellation window (R12; SUSE Linux and Red Hat plans never cancellable, R13), for the
// Software tab. Same visibility as the software list.
func (s *softwareArea) AzurePurchases(ctx context.Context, a desk.Actor, customerID string) ([]desk.AzurePurchase, error) {
	cust, err := s.canSee(ctx, a, customerID)
	if err != nil {
		return nil, err
	}
	return s.azurePurchases(ctx, cust)
}

// SoftwareTab is what the Software tab shows: the customer (looked up once), its software
// purchases and its Azure purchases, with the visibility of Software.
func (s *softwareArea) SoftwareTab(ctx context.Context, a desk.Actor, customerID string) (desk.Customer, []desk.SoftwareItem, []desk.AzurePurchase, error) {
	cust, items, err := s.Software(ctx, a, customerID)
	if err != nil {
		return cust, nil, nil, err
	}
	azure, err := s.azurePurchases(ctx, cust)
	return cust, items, azure, err
}

func (s *softwareArea) azurePurchases(ctx context.Context, cust desk.Customer) ([]desk.AzurePurchase, error) {
	out, err := s.store.FindAzurePurchases(ctx, cust.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i := range out {
		p := &out[i]
		p.Deadline = s.cfg.Cancel.Deadline(p.CreatedAt, p.Kind)
		if p.Status == desk.StatusActive && !p.NeverCancellable {
			p.DaysLeft = s.cfg.Cancel.DaysLeft(p.CreatedAt, now, p.Kind)
		}
	}
	return out, nil
}

// SoftwareItem returns one software purchase of a customer (ENOTFOUND for another tenant's).
func (s *softwareArea) SoftwareItem(ctx context.Context, a desk.Actor, customerID, entitlementID string) (desk.Customer, desk.SoftwareItem, error) {
	cust, err := s.canSee(ctx, a, customerID)
	if err != nil {
		return cust, desk.SoftwareItem{}, err
	}
	e, err := s.store.FindEntitlement(ctx, cust.ID, entitlementID)
	if err != nil {
		return cust, desk.SoftwareItem{}, err
	}
	keys, err := s.store.EntitlementKeyVersions(ctx, cust.ID)
	if err != nil {
		return cust, desk.SoftwareItem{}, err
	}
	c, err := s.loadCatalog(ctx)
	if err != nil {
		return cust, desk.SoftwareItem{}, err
	}
	return cust, s.softwareItem(e, keys[e.ID], c, s.now()), nil
}

// activeEntitlement loads an entitlement the actor may use keys and downloads of: ENOTFOUND for
// another tenant's (R5), EGONE once cancelled (R18).
func (s *softwareArea) activeEntitlement(ctx context.Context, a desk.Actor, customerID, entitlementID string) (desk.Customer, desk.Entitlement, desk.Product, error) {
	if err := keysRequired(a, customerID); err != nil {
		return desk.Customer{}, desk.Entitlement{}, desk.Product{}, err
	}
	cust, err := s.CustomerByID(ctx, a, customerID)
	if err != nil {
		return cust, desk.Entitlement{}, desk.Product{}, err
	}
	e, err := s.store.FindEntitlement(ctx, cust.ID, entitlementID)
	if err != nil {
		return cust, e, desk.Product{}, err
	}
	if e.Status != desk.StatusActive {
		return cust, e, desk.Product{}, desk.Errorf(desk.EGONE, "err.revoked")
	}
	p, err := s.Product(ctx, e.ProductID)
	return cust, e, p, err
}

// RevealKey returns the product key of a purchase's version and records the reveal
// (get_software_key, R11) in the same transaction. Reveals are rate-limited per user.
func (s *softwareArea) RevealKey(ctx context.Context, a desk.Actor, customerID, entitlementID, version string) (string, error) {
	key, _, err := s.RevealKeyOf(ctx, a, customerID, entitlementID, version)
	return key, err
}

// RevealKeyOf is RevealKey that also returns the purchase (for the pop-up's title).
func (s *softwareArea) RevealKeyOf(ctx context.Context, a desk.Actor, customerID, entitlementID, version string) (string, desk.Entitlement, error) {
	cust, e, p, err := s.activeEntitlement(ctx, a, customerID, entitlementID)
	if err != nil {
		return "", e, err
	}
	ok, wait, err := s.limit(ctx, "reveal:"+a.User.ID, 1/s.cfg.RevealEvery.Seconds(), s.cfg.RevealBurst)
	if err != nil {
		return "", e, err
	}
	if !ok {
		return "", e, desk.RateLimited(wait, "err.reveal_rate", int(wait.Seconds())+1)
	}
	var key string
	err = s.store.InTx(ctx, func(tx Store) error {
		ct, err := tx.EntitlementKey(ctx, e.ID, version)
		if err != nil {
			return err
		}
		if key, err = s.sealer.open(p.ID, version, ct); err != nil {
			return err
		}
		return s.auditNotify(ctx, tx, a, desk.Event{Operation: desk.OpGetSoftwareKey, ResourceType: "software", CustomerID: cust.ID, CustomerName: cust.CompanyName,
			Product: e.OfferTitle, OrderID: e.OrderID, Detail: desk.DetailVersionText(version)},
			desk.WebhookKeyRetrieved, entitlementPath(cust.ID, e.ID), "Entitlement")
	})
	return key, e, err
}

// IssueLink returns a signed download link for an edition of a purchase. shared is Copy link
// (get_software_download_link, valid LinkTTL); otherwise it is the user's own Download
// (download_software, valid a few hours). Either is recorded (R11).
func (s *softwareArea) IssueLink(ctx context.Context, a desk.Actor, customerID, entitlementID string, ref desk.EditionRef, shared bool) (desk.DownloadLink, error) {
	cust, e, p, err := s.activeEntitlement(ctx, a, customerID, entitlementID)
	if err != nil {
		return desk.DownloadLink{}, err
	}
	ed, ok := p.Edition(ref)
	if !ok {
		return desk.DownloadLink{}, desk.Errorf(desk.EINVALID, "err.edition")
	}
	now := s.now()
	kind, ttl, op := linkDirect, directLinkTTL, desk.OpDownload
	if shared {
		kind, ttl, op = linkShared, s.cfg.LinkTTL, desk.OpGetDownloadLink
	}
	expires := now.Add(ttl).Truncate(time.Second)
	token := s.sealer.signLink(linkClaims{Kind: kind, EntitlementID: e.ID, Edition: ref, Expires: expires, IssuerID: a.User.ID})
	// The purchase counts as downloaded once a file is served through the link (OpenDownload),
	// not when the link is made: a link that is never followed, or a file that is missing, does
	// not send a later cancellation to a support request.
	err = s.store.InTx(ctx, func(tx Store) error {
		return s.auditNotify(ctx, tx, a, desk.Event{Operation: op, ResourceType: "software", CustomerID: cust.ID, CustomerName: cust.CompanyName,
			Product: e.OfferTitle, OrderID: e.OrderID, Detail: desk.DetailEditionText(ref, ed.FileName)},
			desk.WebhookLinkCreated, entitlementPath(cust.ID, e.ID), "Entitlement")
	})
	if err != nil {
		return desk.DownloadLink{}, err
	}
	return desk.DownloadLink{URL: "/dl/" + token, ExpiresAt: expires, FileName: ed.FileName, SHA256: ed.SHA256, Size: ed.Size}, nil
}

// Download is a verified download: the file to serve and its edition.
type Download struct {
	Path    string
	Edition desk.Edition
	// Shared is a copied link (anyone who holds it downloads), not the user's own Download.
	Shared bool

	entitlementID, issuerID string
	ref                     desk.EditionRef
	// linkHash names the link (SHA-256 of its token) for its one-time download claim; expires is
	// when the link stops working.
	linkHash []byte
	expires  time.Time
}

// CheckDownload checks a download link at request time, writing nothing: the signature
// (EFORBIDDEN when tampered), the expiry (EGONE) and the purchase's current state (EGONE once
// cancelled, R18). Deliver records the download when content is about to be sent.
func (s *softwareArea) CheckDownload(ctx context.Context, token string) (Download, error) {
	c, err := s.sealer.verifyLink(token)
	if err != nil {
		return Download{}, err
	}
	if s.now().After(c.Expires) {
		return Download{}, desk.Errorf(desk.EGONE, "err.link_expired")
	}
	e, err := s.store.FindEntitlementByID(ctx, c.EntitlementID)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return Download{}, desk.Errorf(desk.EFORBIDDEN, "err.link_invalid")
	}
	if err != nil {
		return Download{}, err
	}
	if e.Status != desk.StatusActive {
		return Download{}, desk.Errorf(desk.EGONE, "err.link_revoked")
	}
	p, err := s.Product(ctx, e.ProductID)
	if err != nil {
		return Download{}, err
	}
	ed, ok := p.Edition(c.Edition)
	if !ok {
		return Download{}, desk.Errorf(desk.EGONE, "err.link_revoked")
	}
	h := sha256.Sum256([]byte(token))
	return Download{Path: filepath.Join(s.cfg.ArtifactsDir, filepath.Base(ed.FileName)), Edition: ed, Shared: c.Kind == linkShared,
		entitlementID: e.ID, issuerID: c.IssuerID, ref: c.Edition, linkHash: h[:], expires: c.Expires}, nil
}

// Deliver records a download whose content is about to be sent, whatever part of the file (a
// Range) it is, in one transaction: the purchase is marked downloaded under its row lock, so
// that cancelling it needs a support request (a cancellation deciding at the same moment waits
// for this and sees it; one that committed first makes this answer EGONE, and nothing is sent),
// and a shared link's first download is recorded (download_software_shared_link, R11) — once per
// link, claimed in the database by the link's hash, so that resumed pieces, ranges that skip the
// first byte and several instances serving pieces of one download record it exactly once.
func (s *softwareArea) Deliver(ctx context.Context, dl Download, ip string) error {
	now := s.now()
	return s.store.InTx(ctx, func(tx Store) error {
		active, err := tx.MarkDownloaded(ctx, dl.entitlementID, now)
		if err != nil {
			return err
		}
		if !active {
			return desk.Errorf(desk.EGONE, "err.link_revoked")
		}
		if !dl.Shared {
			return nil // the user's own Download was recorded when its link was issued
		}
		first, err := tx.ClaimLinkDownload(ctx, dl.linkHash, dl.entitlementID, now, dl.expires)
		if err != nil || !first {
			return err
		}
		e, err := tx.FindEntitlementByID(ctx, dl.entitlementID)
		if err != nil {
			return err
		}
		issuer, err := tx.FindUserByID(ctx, dl.issuerID)
		if err != nil {
			return err
		}
		cust, err := tx.FindCustomerByID(ctx, e.CustomerID)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, desk.Actor{User: issuer, IP: ip}, desk.Event{Operation: desk.OpSharedDownload, ResourceType: "software",
			CustomerID: cust.ID, CustomerName: cust.CompanyName, Product: e.OfferTitle, OrderID: e.OrderID,
			Detail: desk.DetailSharedText(issuer.Email, dl.ref, dl.Edition.FileName)})
	})
}

// SweepLinkClaims forgets the download claims of links that expired more than a day ago (the
// day covers instances whose clocks differ); it returns how many it removed.
func (s *softwareArea) SweepLinkClaims(ctx context.Context) (int64, error) {
	return s.store.DeleteLinkClaims(ctx, s.now().Add(-24*time.Hour))
}

// OpenDownload is CheckDownload followed, when record is set, by Deliver of the whole file.
func (s *softwareArea) OpenDownload(ctx context.Context, token, ip string, record bool) (Download, error) {
	dl, err := s.CheckDownload(ctx, token)
	if err != nil || !record {
		return dl, err
	}
	return dl, s.Deliver(ctx, dl, ip)
}

// allocateKeys gives a new entitlement one key per product version from the pools; a version
// whose pool is empty waits for the next import ("no key available yet").
func (s *softwareArea) allocateKeys(ctx context.Context, tx Store, e desk.Entitlement, p desk.Product) error {
	for _, v := range p.Versions() {
		if _, err := tx.AssignPoolKey(ctx, p.ID, v, e.ID, s.now()); err != nil {
			return err
		}
	}
	return nil
}

// ImportRowError is a refused row of a key import.
type ImportRowError struct {
	Line    int
	Message string // a catalog key
	Args    []any
}

// ImportResult reports a key import.
type ImportResult struct {
	Added, Assigned int
	Errors          []ImportRowError
}

// SealKey encrypts a key for a pool (for demo data and tests, which write pools directly).
func (s *softwareArea) SealKey(productID, version, key string) ([]byte, []byte) {
	key = desk.NormalizeKey(key)
	return s.sealer.seal(productID, version, key), s.sealer.fingerprint(key)
}

// maxImportRows bounds one CSV import.
const maxImportRows = 100000

// ImportKeys adds keys to the pools from CSV rows "product,version,key" (a header row is
// allowed). Every row is checked — format, unknown product or version, duplicates in the file
// or already stored — and if any row is bad nothing is imported and every bad row is reported.
// Imported keys go first to purchases that were waiting for a key.
func (s *softwareArea) ImportKeys(ctx context.Context, a desk.Actor, r io.Reader) (ImportResult, error) {
	var res ImportResult
	if err := require(a, desk.PermImportKeys); err != nil {
		return res, err
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	type row struct {
		line                  int
		product, version, key string
		fp                    []byte
	}
	var rows []row
	seen := map[string]int{}
	c, err := s.loadCatalog(ctx)
	if err != nil {
		return res, err
	}
	bad := func(line int, msg string, args ...any) {
		res.Errors = append(res.Errors, ImportRowError{Line: line, Message: msg, Args: args})
	}
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			bad(line, "err.import_csv")
			break
		}
		if line > maxImportRows {
			bad(line, "err.import_too_many", maxImportRows)
			break
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if line == 1 && len(rec) == 3 && strings.EqualFold(strings.TrimSpace(rec[0]), "product") {
			continue
		}
		if len(rec) != 3 {
			bad(line, "err.import_columns")
			continue
		}
		pr := row{line: line, product: strings.TrimSpace(rec[0]), version: strings.TrimSpace(rec[1]), key: desk.NormalizeKey(rec[2])}
		p, ok := c.product(pr.product)
		switch {
		case !ok || !p.Kind.IsSoftware():
			bad(line, "err.import_product", pr.product)
			continue
		case !slices.Contains(p.Versions(), pr.version):
			bad(line, "err.import_version", pr.version, pr.product)
			continue
		case !desk.ValidKey(pr.key):
			bad(line, "err.import_format")
			continue
		}
		pr.fp = s.sealer.fingerprint(pr.key)
		if first, dup := seen[string(pr.fp)]; dup {
			bad(line, "err.import_duplicate_file", first)
			continue
		}
		seen[string(pr.fp)] = line
		rows = append(rows, pr)
	}
	if len(rows) == 0 && len(res.Errors) == 0 {
		bad(0, "err.import_empty")
	}
	fps := make([][]byte, len(rows))
	for i, r := range rows {
		fps[i] = r.fp
	}
	exist, err := s.store.FingerprintsExist(ctx, fps)
	if err != nil {
		return res, err
	}
	for _, r := range rows {
		if exist[string(r.fp)] {
			bad(r.line, "err.import_duplicate_stored")
		}
	}
	if len(res.Errors) > 0 {
		return res, nil
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		now := s.now()
		res.Added, res.Assigned = 0, 0
		pools := map[[2]string]bool{}
		for _, r := range rows {
			if err := tx.InsertPoolKey(ctx, r.product, r.version, s.sealer.seal(r.product, r.version, r.key), r.fp, now); err != nil {
				if desk.ErrorCode(err) == desk.ECONFLICT {
					return desk.KeyError(desk.ECONFLICT, "err.import_duplicate_stored")
				}
				return err
			}
			pools[[2]string{r.product, r.version}] = true
		}
		res.Added = len(rows)
		for pool := range pools {
			waiting, err := tx.EntitlementsWaitingForKeys(ctx, pool[0], pool[1])
			if err != nil {
				return err
			}
			for _, id := range waiting {
				ok, err := tx.AssignPoolKey(ctx, pool[0], pool[1], id, now)
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				res.Assigned++
			}
		}
		return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpImportKeys, ResourceType: "key_pool",
			Detail: desk.DetailKeysImportedText(res.Added, res.Assigned)})
	})
	return res, err
}

// PoolCounts lists how many keys each pool has left (Global admin).
func (s *softwareArea) PoolCounts(ctx context.Context, a desk.Actor) ([]desk.PoolCount, error) {
	if err := require(a, desk.PermImportKeys); err != nil {
		return nil, err
	}
	return s.store.PoolCounts(ctx)
}
