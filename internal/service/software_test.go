package service_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/demo"
	"partnerdesk/internal/desk"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

const fabrikamGA = "admin@fabrikam.onmicrosoft.com"

// keyFormat is the MAK format of SPEC §4: XXXXX-XXXXX-XXXXX-XXXXX-XXXXX.
var keyFormat = regexp.MustCompile(`^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$`)

// errMessage returns the message (catalog key) of a domain error, "" for anything else.
func errMessage(err error) string {
	var de *desk.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return ""
}

// eventText joins every text field of an event, to look for what must never be logged.
func eventText(e desk.Event) string {
	return strings.Join([]string{e.ActorID, e.ActorEmail, e.ActorTenantID, e.CustomerID, e.CustomerName,
		e.Operation, e.ResourceType, e.Status, e.Product, e.OrderID, e.Detail, e.IP}, "\x00")
}

// pools returns the pool counts keyed by "product/version".
func pools(t *testing.T, env *apptest.Env) map[string]desk.PoolCount {
	t.Helper()
	list, err := env.App.Service.PoolCounts(context.Background(), env.Actor(t, apptest.GlobalAdmin))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]desk.PoolCount{}
	for _, c := range list {
		out[c.ProductID+"/"+c.Version] = c
	}
	return out
}

func catalogProduct(t *testing.T, id string) desk.Product {
	t.Helper()
	for _, p := range demo.Catalog() {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no demo product %s", id)
	return desk.Product{}
}

func productOfKind(t *testing.T, k desk.ProductKind) desk.Product {
	t.Helper()
	for _, p := range demo.Catalog() {
		if p.Kind == k {
			return p
		}
	}
	t.Fatalf("no demo product of kind %s", k)
	return desk.Product{}
}

// A key reveal returns the purchase's key in the MAK format, the same key every time, recorded once
// per reveal (R11) without the key; the key is encrypted at rest.
func TestRevealKey(t *testing.T) {
	env, ctx, svc := apptest.StartService(t)
	admin := env.Actor(t, apptest.AdminAgent)
	ws := env.Purchase(t, apptest.ContosoID, "Windows Server 2022 Standard - 2 Core")
	if !ws.HasKey("2022") {
		t.Fatalf("the demo purchase has no 2022 key: %v", ws.KeyVersions)
	}
	before := len(env.EventsSinceEpoch(t, desk.OpGetSoftwareKey, 500))

	key, err := svc.RevealKey(ctx, admin, apptest.ContosoID, ws.ID, "2022")
	if err != nil {
		t.Fatal(err)
	}
	if !keyFormat.MatchString(key) {
		t.Fatalf("key %q is not XXXXX-XXXXX-XXXXX-XXXXX-XXXXX", key)
	}
	again, err := svc.RevealKey(ctx, admin, apptest.ContosoID, ws.ID, "2022")
	if err != nil || again != key {
		t.Fatalf("second reveal: %q %v, first was %q", again, err, key)
	}
	// Each version has its own key.
	k2019, err := svc.RevealKey(ctx, admin, apptest.ContosoID, ws.ID, "2019")
	if err != nil || !keyFormat.MatchString(k2019) || k2019 == key {
		t.Fatalf("2019 key %q (%v); 2022 key %q", k2019, err, key)
	}
	// A version the product does not have has no key.
	if _, err := svc.RevealKey(ctx, admin, apptest.ContosoID, ws.ID, "1999"); desk.ErrorCode(err) != desk.ENOTFOUND {
		t.Fatalf("version 1999: %v, want ENOTFOUND", err)
	}

	// Exactly one event per successful reveal, naming customer, order and product, never the key.
	evs := env.EventsSinceEpoch(t, desk.OpGetSoftwareKey, 500)
	if got := len(evs) - before; got != 3 {
		t.Fatalf("%d get_software_key events for 3 reveals", got)
	}
	for _, e := range evs[:3] {
		if e.CustomerID != apptest.ContosoID || e.CustomerName != "Contoso Ltd." || e.OrderID != ws.OrderID || e.OrderID == "" ||
			e.Product != ws.OfferTitle || e.Product == "" ||
			e.ActorEmail != apptest.AdminAgent || e.IP != "127.0.0.1" || e.Status != "succeeded" {
			t.Errorf("event does not name who, customer, order, product: %+v", e)
		}
		text := eventText(e)
		for _, k := range []string{key, k2019} {
			if strings.Contains(text, k) || strings.Contains(text, strings.ReplaceAll(k, "-", "")) {
				t.Errorf("event %d holds the key: %+v", e.ID, e)
			}
		}
	}

	// At rest: no row of product_keys holds the key in plain text, nor does the database file.
	env.App.Store.Close() // flush the WAL into the database file, so the file scan sees everything
	driver, dsn := "sqlite", "file:"+filepath.Join(env.Dir, "partnerdesk.db")+"?mode=ro"
	if env.DatabaseURL != "" {
		driver, dsn = "pgx", env.DatabaseURL
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id, ciphertext, fingerprint, entitlement_id FROM product_keys`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, mine := 0, 0
	for rows.Next() {
		var id int64
		var ct, fp []byte
		var ent sql.NullString
		if err := rows.Scan(&id, &ct, &fp, &ent); err != nil {
			t.Fatal(err)
		}
		n++
		if ent.String == ws.ID {
			mine++
		}
		for _, k := range []string{key, k2019} {
			for _, plain := range [][]byte{[]byte(k), []byte(strings.ReplaceAll(k, "-", ""))} {
				if bytes.Contains(ct, plain) || bytes.Contains(fp, plain) {
					t.Fatalf("product_keys row %d holds the key %s in plain text", id, k)
				}
			}
		}
		if len(ct) <= 25 {
			t.Errorf("product_keys row %d: ciphertext of %d bytes cannot be a sealed key", id, len(ct))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 || mine != len(ws.Product.Versions()) {
		t.Fatalf("%d product_keys rows, %d of the purchase (want one per version, %d)", n, mine, len(ws.Product.Versions()))
	}
	for _, f := range []string{"partnerdesk.db", "partnerdesk.db-wal"} {
		b, err := os.ReadFile(filepath.Join(env.Dir, f))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(key)) || bytes.Contains(b, []byte(k2019)) {
			t.Errorf("%s holds a product key in plain text", f)
		}
	}
}

// Reveals are rate-limited per user: a burst, then one per RevealEvery.
func TestRevealKeyRateLimit(t *testing.T) {
	env := apptest.StartWith(t, func(c *apptest.Config) { c.RevealBurst = 3; c.RevealEvery = time.Minute })
	ctx := context.Background()
	svc := env.App.Service
	admin := env.Actor(t, apptest.AdminAgent)
	ws := env.Purchase(t, apptest.ContosoID, "Windows Server 2022 Standard - 2 Core")
	for i := 0; i < 3; i++ {
		if _, err := svc.RevealKey(ctx, admin, apptest.ContosoID, ws.ID, "2022"); err != nil {
			t.Fatalf("reveal %d: %v", i+1, err)
		}
	}
	_, err := svc.RevealKey(ctx, admin, apptest.ContosoID, ws.ID, "2022")
	if desk.ErrorCode(err) != desk.ERATELIMIT || errMessage(err) != "err.reveal_rate" {
		t.Fatalf("4th reveal: %v, want ERATELIMIT err.reveal_rate", err)
	}
	if n := len(env.EventsSinceEpoch(t, desk.OpGetSoftwareKey, 500)); n != 3 {
		t.Fatalf("%d get_software_key events after 3 reveals and a refusal", n)
	}
	// The limit is per user: the Global admin is not held back by the agent's reveals.
	if _, err := svc.RevealKey(ctx, env.Actor(t, apptest.GlobalAdmin), apptest.ContosoID, ws.ID, "2022"); err != nil {
		t.Fatalf("another user limited too: %v", err)
	}
	// A minute later one more reveal works, and only one.
	env.Clock.Advance(time.Minute)
	if _, err := svc.RevealKey(ctx, admin, apptest.ContosoID, ws.ID, "2022"); err != nil {
		t.Fatalf("reveal after a minute: %v", err)
	}
	if _, err := svc.RevealKey(ctx, admin, apptest.ContosoID, ws.ID, "2022"); desk.ErrorCode(err) != desk.ERATELIMIT {
		t.Fatalf("second reveal after a minute: %v, want ERATELIMIT", err)
	}
}

// R1, R4, R5: who may reveal which keys.
func TestRevealKeyAccess(t *testing.T) {
	env, ctx, svc := apptest.StartService(t)
	ws := env.Purchase(t, apptest.ContosoID, "Windows Server 2022 Standard - 2 Core")
	fab := env.Purchase(t, apptest.FabrikamID, "SQL Server 2022 Enterprise - 2 Core")
	adminKey, err := svc.RevealKey(ctx, env.Actor(t, apptest.AdminAgent), apptest.ContosoID, ws.ID, "2022")
	if err != nil {
		t.Fatal(err)
	}
	fabKey, err := svc.RevealKey(ctx, env.Actor(t, apptest.GlobalAdmin), apptest.FabrikamID, fab.ID, "2022")
	if err != nil {
		t.Fatalf("Global admin: %v", err)
	}
	before := len(env.EventsSinceEpoch(t, desk.OpGetSoftwareKey, 500))

	for _, tt := range []struct {
		name, who, customer, ent string
		want                     []string
	}{
		{"another customer's purchase under Contoso's ID", apptest.AdminAgent, apptest.ContosoID, fab.ID, []string{desk.ENOTFOUND}},
		{"Contoso's purchase under Fabrikam's ID", apptest.AdminAgent, apptest.FabrikamID, ws.ID, []string{desk.ENOTFOUND}},
		{"no such purchase", apptest.AdminAgent, apptest.ContosoID, "00000000-0000-4000-8000-000000000000", []string{desk.ENOTFOUND}},
		{"no such customer", apptest.AdminAgent, "00000000-0000-4000-8000-000000000000", ws.ID, []string{desk.ENOTFOUND}},
		{"sales agent", apptest.SalesAgent, apptest.ContosoID, ws.ID, []string{desk.EFORBIDDEN}},
		{"helpdesk agent", "helpdesk@partner.example", apptest.ContosoID, ws.ID, []string{desk.EFORBIDDEN}},
		{"billing admin", "billing@partner.example", apptest.ContosoID, ws.ID, []string{desk.EFORBIDDEN}},
		{"referrals admin", "referrals@partner.example", apptest.ContosoID, ws.ID, []string{desk.EFORBIDDEN}},
		{"Contoso's admin, Fabrikam's purchase", apptest.ContosoAdmin, apptest.FabrikamID, fab.ID, []string{desk.ENOTFOUND, desk.EFORBIDDEN}},
		{"Contoso's admin, Fabrikam's purchase under Contoso's ID", apptest.ContosoAdmin, apptest.ContosoID, fab.ID, []string{desk.ENOTFOUND, desk.EFORBIDDEN}},
		{"Fabrikam's admin, Contoso's purchase", fabrikamGA, apptest.ContosoID, ws.ID, []string{desk.ENOTFOUND, desk.EFORBIDDEN}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			key, err := svc.RevealKey(ctx, env.Actor(t, tt.who), tt.customer, tt.ent, "2022")
			if !slices.Contains(tt.want, desk.ErrorCode(err)) {
				t.Fatalf("got %q, %v; want one of %v", key, err, tt.want)
			}
			if key != "" {
				t.Fatalf("a refusal returned a key")
			}
			if strings.Contains(fmt.Sprint(err), adminKey) || strings.Contains(fmt.Sprint(err), fabKey) {
				t.Fatal("the error holds a key")
			}
			// Nor may they issue download links.
			_, err = svc.IssueLink(ctx, env.Actor(t, tt.who), tt.customer, tt.ent, desk.EditionRef{Version: "2022", Language: "en-us", Bitness: "64-bit"}, true)
			if !slices.Contains(tt.want, desk.ErrorCode(err)) {
				t.Fatalf("IssueLink: %v; want one of %v", err, tt.want)
			}
		})
	}
	if n := len(env.EventsSinceEpoch(t, desk.OpGetSoftwareKey, 500)); n != before {
		t.Fatalf("refused reveals were recorded as reveals: %d → %d", before, n)
	}

	// R4: Contoso's customer Global admin sees Contoso's key, the same the partner sees.
	key, err := svc.RevealKey(ctx, env.Actor(t, apptest.ContosoAdmin), apptest.ContosoID, ws.ID, "2022")
	if err != nil || key != adminKey {
		t.Fatalf("customer Global admin: %q %v, want %q", key, err, adminKey)
	}
	evs := env.EventsSinceEpoch(t, desk.OpGetSoftwareKey, 500)
	if len(evs) != before+1 || evs[0].ActorEmail != apptest.ContosoAdmin || evs[0].ActorTenantID != apptest.ContosoID || evs[0].CustomerID != apptest.ContosoID {
		t.Fatalf("the customer's reveal is not recorded with their tenant: %+v", evs[0])
	}
}

// When a pool runs dry, a new purchase waits without a key; importing keys for its product and
// version gives it one.
func TestKeyPoolExhaustionAndImport(t *testing.T) {
	env, ctx, svc := apptest.StartService(t)
	sales := env.Actor(t, apptest.SalesAgent)
	admin := env.Actor(t, apptest.AdminAgent)
	ga := env.Actor(t, apptest.GlobalAdmin)
	p := catalogProduct(t, "DG7GMGF0F4M9") // Exchange Server 2019 Standard
	var offer desk.Offer
	for _, o := range p.Offers {
		if o.Term == desk.TermNone {
			offer = o
		}
	}
	if offer.ID == "" {
		t.Fatalf("%s has no perpetual offer", p.Title)
	}
	versions := p.Versions()
	pc := pools(t, env)
	free := pc[p.ID+"/"+versions[0]].Free
	if free <= 0 || free > demo.KeysPerPool {
		t.Fatalf("pool %s/%s has %d free keys", p.ID, versions[0], free)
	}
	for i := 0; i < free; i++ {
		if _, _, err := svc.PlaceOrder(ctx, sales, apptest.ContosoID, fmt.Sprintf("drain-%d", i), []desk.CartLine{{OfferID: offer.ID, Quantity: 1}}); err != nil {
			t.Fatalf("order %d: %v", i, err)
		}
	}
	pc = pools(t, env)
	for _, v := range versions {
		if c := pc[p.ID+"/"+v]; c.Free != 0 || c.Assigned != demo.KeysPerPool {
			t.Fatalf("pool %s after draining: %+v", v, c)
		}
	}
	// The next purchase has no key yet.
	o, _, err := svc.PlaceOrder(ctx, sales, apptest.ContosoID, "one-too-many", []desk.CartLine{{OfferID: offer.ID, Quantity: 1}})
	if err != nil {
		t.Fatalf("an order with an empty pool is refused: %v", err)
	}
	var waiting desk.SoftwareItem
	_, items, _ := svc.Software(ctx, admin, apptest.ContosoID)
	for _, it := range items {
		if it.OrderID == o.ID {
			waiting = it
		}
	}
	if waiting.ID == "" || len(waiting.KeyVersions) != 0 {
		t.Fatalf("waiting purchase: %+v", waiting)
	}
	_, err = svc.RevealKey(ctx, admin, apptest.ContosoID, waiting.ID, versions[0])
	if desk.ErrorCode(err) != desk.ENOTFOUND || errMessage(err) != "err.no_key_yet" {
		t.Fatalf("reveal without a key: %v, want ENOTFOUND err.no_key_yet", err)
	}

	// Import one key for the current version: it goes to the waiting purchase.
	imported := apptest.NewProductKey(t)
	res, err := svc.ImportKeys(ctx, ga, strings.NewReader(p.ID+","+versions[0]+","+strings.ToLower(imported)+"\n"))
	if err != nil || len(res.Errors) != 0 {
		t.Fatalf("import: %+v %v", res, err)
	}
	if res.Added != 1 || res.Assigned < 1 {
		t.Fatalf("import result %+v, want 1 added and assigned", res)
	}
	key, err := svc.RevealKey(ctx, admin, apptest.ContosoID, waiting.ID, versions[0])
	if err != nil || key != imported {
		t.Fatalf("the waiting purchase's key: %q %v, want the imported %q", key, err, imported)
	}
	// The other versions still wait.
	if _, err := svc.RevealKey(ctx, admin, apptest.ContosoID, waiting.ID, versions[1]); errMessage(err) != "err.no_key_yet" {
		t.Fatalf("version %s: %v, want err.no_key_yet", versions[1], err)
	}
	if c := pools(t, env)[p.ID+"/"+versions[0]]; c.Free != 0 || c.Assigned != demo.KeysPerPool+1 {
		t.Fatalf("pool after the import: %+v", c)
	}
	evs := env.EventsSinceEpoch(t, desk.OpImportKeys, 500)
	if len(evs) != 1 || evs[0].ActorEmail != apptest.GlobalAdmin || strings.Contains(eventText(evs[0]), imported) {
		t.Fatalf("import event: %+v", evs)
	}
}

// Every bad row rejects the whole file, naming its line; nothing is added.
func TestImportKeysValidation(t *testing.T) {
	env, ctx, svc := apptest.StartService(t)
	ga := env.Actor(t, apptest.GlobalAdmin)
	ws := catalogProduct(t, "DG7GMGF0D5RK") // Windows Server 2022 Standard - 2 Core License Pack
	res0 := productOfKind(t, desk.KindAzureReservation)
	plan := productOfKind(t, desk.KindAzureSoftwarePlan)

	// A key stored by an earlier import, and the first demo pool key.
	stored := apptest.NewProductKey(t)
	if r, err := svc.ImportKeys(ctx, ga, strings.NewReader(ws.ID+",2022,"+stored+"\n")); err != nil || r.Added != 1 {
		t.Fatalf("setup import: %+v %v", r, err)
	}
	demoKey := demo.NewKeyGenerator().Next()

	good := func() string { return ws.ID + ",2022," + apptest.NewProductKey(t) }
	dup := apptest.NewProductKey(t)
	for _, tt := range []struct {
		name    string
		csv     string
		line    int
		message string
	}{
		{"bad format", good() + "\n" + ws.ID + ",2022,ABCDE-12345-FGHIJ\n", 2, "err.import_format"},
		{"32 digits", good() + "\n" + ws.ID + ",2022,1234-5678-1234-5678-1234-5678-1234-5678\n", 2, "err.import_format"},
		{"unknown product", good() + "\nNOPE00000000,2022," + apptest.NewProductKey(t) + "\n", 2, "err.import_product"},
		{"unknown version", good() + "\n" + good() + "\n" + ws.ID + ",1999," + apptest.NewProductKey(t) + "\n", 3, "err.import_version"},
		{"Azure Reservation product", res0.ID + ",2022," + apptest.NewProductKey(t) + "\n" + good() + "\n", 1, "err.import_product"},
		{"Azure software plan", good() + "\n" + plan.ID + ",2022," + apptest.NewProductKey(t) + "\n", 2, "err.import_product"},
		{"duplicate within the file", ws.ID + ",2022," + dup + "\n" + good() + "\n" + ws.ID + ",2019," + strings.ToLower(dup) + "\n", 3, "err.import_duplicate_file"},
		{"key already imported", good() + "\n" + ws.ID + ",2019," + stored + "\n", 2, "err.import_duplicate_stored"},
		{"demo pool key", good() + "\n" + good() + "\n" + ws.ID + ",2022," + demoKey + "\n", 3, "err.import_duplicate_stored"},
		{"two columns", good() + "\n" + ws.ID + ",2022\n", 2, "err.import_columns"},
		{"four columns", good() + "\n" + good() + ",extra\n", 2, "err.import_columns"},
		{"empty file", "", 0, "err.import_empty"},
		{"header only", "product,version,key\n", 0, "err.import_empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := pools(t, env)
			res, err := svc.ImportKeys(ctx, ga, strings.NewReader(tt.csv))
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if res.Added != 0 || res.Assigned != 0 {
				t.Errorf("a rejected file added %d keys (assigned %d)", res.Added, res.Assigned)
			}
			found := false
			for _, e := range res.Errors {
				if e.Line == tt.line && e.Message == tt.message {
					found = true
				}
			}
			if !found {
				t.Errorf("errors %+v, want line %d %s", res.Errors, tt.line, tt.message)
			}
			if tt.message == "err.import_duplicate_file" {
				for _, e := range res.Errors {
					if e.Message == tt.message && (len(e.Args) != 1 || fmt.Sprint(e.Args[0]) != "1") {
						t.Errorf("duplicate does not name the first line: %+v", e)
					}
				}
			}
			if after := pools(t, env); !maps.Equal(before, after) {
				t.Errorf("pools changed by a rejected file")
			}
		})
	}
	// Every bad row of one file is reported, not only the first.
	res, _ := svc.ImportKeys(ctx, ga, strings.NewReader(good()+"\nNOPE,2022,"+apptest.NewProductKey(t)+"\n"+ws.ID+",2022,bad\n"))
	if len(res.Errors) != 2 || res.Errors[0].Line != 2 || res.Errors[1].Line != 3 {
		t.Errorf("two bad rows: %+v", res.Errors)
	}
	// Only a Global admin imports.
	if _, err := svc.ImportKeys(ctx, env.Actor(t, apptest.AdminAgent), strings.NewReader(good()+"\n")); desk.ErrorCode(err) != desk.EFORBIDDEN {
		t.Errorf("admin agent import: %v, want EFORBIDDEN", err)
	}
	if _, err := svc.PoolCounts(ctx, env.Actor(t, apptest.AdminAgent)); desk.ErrorCode(err) != desk.EFORBIDDEN {
		t.Errorf("admin agent pool counts: %v, want EFORBIDDEN", err)
	}

	// A valid file with a header row imports every row (keys normalized, blank lines skipped).
	before := pools(t, env)
	keys := []string{apptest.NewProductKey(t), apptest.NewProductKey(t), apptest.NewProductKey(t)}
	csv := "product,version,key\n" +
		ws.ID + ",2022," + keys[0] + "\n" +
		ws.ID + ", 2019 , " + strings.ToLower(keys[1]) + "\n" +
		"\n" +
		ws.ID + ",2016," + keys[2] + "\n"
	r, err := svc.ImportKeys(ctx, ga, strings.NewReader(csv))
	if err != nil || len(r.Errors) != 0 || r.Added != 3 {
		t.Fatalf("valid file: %+v %v", r, err)
	}
	after := pools(t, env)
	for _, v := range []string{"2022", "2019", "2016"} {
		k := ws.ID + "/" + v
		if after[k].Free != before[k].Free+1 {
			t.Errorf("pool %s: %d → %d free keys", k, before[k].Free, after[k].Free)
		}
	}
}

// Copied links: signed, valid LinkTTL (5 days), recorded when issued and when used (R11).
func TestDownloadLinks(t *testing.T) {
	env, ctx, svc := apptest.StartService(t)
	admin := env.Actor(t, apptest.AdminAgent)
	ws := env.Purchase(t, apptest.ContosoID, "Windows Server 2022 Standard - 2 Core")
	ref := desk.EditionRef{Version: "2019", Language: "hu-hu", Bitness: "64-bit"}
	ed, ok := ws.Product.Edition(ref)
	if !ok {
		t.Fatalf("no edition %+v", ref)
	}

	link, err := svc.IssueLink(ctx, admin, apptest.ContosoID, ws.ID, ref, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link.URL, "/dl/") || len(link.URL) < 20 {
		t.Fatalf("link URL %q", link.URL)
	}
	if want := apptest.Epoch.Add(120 * time.Hour).Truncate(time.Second); !link.ExpiresAt.Equal(want) {
		t.Fatalf("link expires %v, want %v (5 days)", link.ExpiresAt, want)
	}
	if link.FileName != ed.FileName || link.SHA256 != ed.SHA256 || link.Size != ed.Size {
		t.Fatalf("link names %s %s %d, want the edition's %+v", link.FileName, link.SHA256, link.Size, ed)
	}
	token := strings.TrimPrefix(link.URL, "/dl/")
	issued := env.EventsSinceEpoch(t, desk.OpGetDownloadLink, 500)
	if len(issued) != 1 || issued[0].ActorEmail != apptest.AdminAgent || issued[0].CustomerID != apptest.ContosoID || issued[0].OrderID != ws.OrderID ||
		!strings.Contains(issued[0].Detail, ed.FileName) || strings.Contains(eventText(issued[0]), token) {
		t.Fatalf("get_software_download_link event: %+v", issued)
	}

	// Anyone holding the link downloads the edition's file; the download names the issuer.
	dl, err := svc.OpenDownload(ctx, token, "203.0.113.7", true)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(dl.Path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != ed.SHA256 || int64(len(b)) != ed.Size || dl.Edition.FileName != ed.FileName {
		t.Fatalf("the link serves %s (%d bytes), want %s (%s)", dl.Path, len(b), ed.FileName, ed.SHA256)
	}
	shared := env.EventsSinceEpoch(t, desk.OpSharedDownload, 500)
	if len(shared) != 1 || shared[0].ActorEmail != apptest.AdminAgent || !strings.Contains(shared[0].Detail, apptest.AdminAgent) ||
		shared[0].IP != "203.0.113.7" || shared[0].CustomerID != apptest.ContosoID || shared[0].OrderID != ws.OrderID ||
		strings.Contains(eventText(shared[0]), token) {
		t.Fatalf("download_software_shared_link event: %+v", shared)
	}
	// A resumed range (record=false) is not another download.
	if _, err := svc.OpenDownload(ctx, token, "203.0.113.7", false); err != nil {
		t.Fatal(err)
	}
	if n := len(env.EventsSinceEpoch(t, desk.OpSharedDownload, 500)); n != 1 {
		t.Fatalf("%d shared-link download events after one download and one resumed range", n)
	}

	// Tampered links are refused.
	p64, sig64, _ := strings.Cut(token, ".")
	for name, bad := range map[string]string{
		"payload":   apptest.Flip(p64) + "." + sig64,
		"signature": p64 + "." + apptest.Flip(sig64),
		"no dot":    p64 + sig64,
		"empty":     "",
		"garbage":   "not-a-link",
		"truncated": token[:len(token)-4],
	} {
		if _, err := svc.OpenDownload(ctx, bad, "203.0.113.7", true); desk.ErrorCode(err) != desk.EFORBIDDEN {
			t.Errorf("%s tampered: %v, want EFORBIDDEN", name, err)
		}
	}

	// It works until it expires: 5 days. The link's download is recorded once, however often
	// it is fetched (R11: once per link).
	env.Clock.Advance(5*24*time.Hour - time.Second)
	if _, err := svc.OpenDownload(ctx, token, "203.0.113.7", true); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	env.Clock.Advance(2 * time.Second)
	if _, err := svc.OpenDownload(ctx, token, "203.0.113.7", true); desk.ErrorCode(err) != desk.EGONE || errMessage(err) != "err.link_expired" {
		t.Fatalf("after expiry: %v, want EGONE err.link_expired", err)
	}
	if n := len(env.EventsSinceEpoch(t, desk.OpSharedDownload, 500)); n != 1 {
		t.Fatalf("%d shared-link download events, want 1 (one link, and the expired attempt is no download)", n)
	}
}

// The user's own Download: a short-lived link, recorded as download_software when issued, and not
// as a shared-link download when used.
func TestDirectDownloadLink(t *testing.T) {
	env, ctx, svc := apptest.StartService(t)
	admin := env.Actor(t, apptest.AdminAgent)
	office := env.Purchase(t, apptest.ContosoID, "Office LTSC Professional Plus 2024")
	ref := desk.EditionRef{Version: "2021", Language: "en-us", Bitness: "32-bit"}
	link, err := svc.IssueLink(ctx, admin, apptest.ContosoID, office.ID, ref, false)
	if err != nil {
		t.Fatal(err)
	}
	if !link.ExpiresAt.After(apptest.Epoch) || !link.ExpiresAt.Before(apptest.Epoch.Add(120*time.Hour)) {
		t.Errorf("own download link expires %v: it should be short-lived", link.ExpiresAt)
	}
	evs := env.EventsSinceEpoch(t, desk.OpDownload, 500)
	if len(evs) != 1 || evs[0].ActorEmail != apptest.AdminAgent || evs[0].OrderID != office.OrderID {
		t.Fatalf("download_software event: %+v", evs)
	}
	if len(env.EventsSinceEpoch(t, desk.OpGetDownloadLink, 500)) != 0 {
		t.Error("an own download was recorded as a copied link")
	}
	dl, err := svc.OpenDownload(ctx, strings.TrimPrefix(link.URL, "/dl/"), "127.0.0.1", true)
	if err != nil || dl.Edition.Bitness != "32-bit" || dl.Edition.Version != "2021" {
		t.Fatalf("open: %+v %v", dl.Edition, err)
	}
	if n := len(env.EventsSinceEpoch(t, desk.OpSharedDownload, 500)); n != 0 {
		t.Errorf("an own download recorded %d shared-link downloads", n)
	}
}

// A link for an edition the product does not have is refused, and nothing is recorded.
func TestIssueLinkUnknownEdition(t *testing.T) {
	env, ctx, svc := apptest.StartService(t)
	admin := env.Actor(t, apptest.AdminAgent)
	ws := env.Purchase(t, apptest.ContosoID, "Windows Server 2022 Standard - 2 Core")
	for _, ref := range []desk.EditionRef{
		{Version: "2022", Language: "en-us", Bitness: "32-bit"}, // Windows Server has no 32-bit build
		{Version: "1999", Language: "en-us", Bitness: "64-bit"},
		{Version: "2022", Language: "xx-xx", Bitness: "64-bit"},
		{},
	} {
		for _, shared := range []bool{true, false} {
			link, err := svc.IssueLink(ctx, admin, apptest.ContosoID, ws.ID, ref, shared)
			if desk.ErrorCode(err) != desk.EINVALID || link.URL != "" {
				t.Errorf("%+v shared=%v: %q %v, want EINVALID", ref, shared, link.URL, err)
			}
		}
	}
	if n := len(env.EventsSinceEpoch(t, desk.OpGetDownloadLink, 500)) + len(env.EventsSinceEpoch(t, desk.OpDownload, 500)); n != 0 {
		t.Errorf("%d events for refused links", n)
	}
}

// R18: cancelling a purchase revokes its keys and every link at once, shared or not; R19: the
// purchase stays on the list, cancelled, without keys.
func TestCancelRevokesKeysAndLinks(t *testing.T) {
	env, ctx, svc := apptest.StartService(t)
	admin := env.Actor(t, apptest.AdminAgent)
	ws := env.Purchase(t, apptest.ContosoID, "Windows Server 2022 Standard - 2 Core")
	ref := desk.EditionRef{Version: "2022", Language: "en-us", Bitness: "64-bit"}
	if _, err := svc.RevealKey(ctx, admin, apptest.ContosoID, ws.ID, "2022"); err != nil {
		t.Fatal(err)
	}
	shared, err := svc.IssueLink(ctx, admin, apptest.ContosoID, ws.ID, ref, true)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := svc.IssueLink(ctx, admin, apptest.ContosoID, ws.ID, ref, false)
	if err != nil {
		t.Fatal(err)
	}
	// The user's own Download marks the purchase downloaded, which needs a support request: the
	// Global admin cancels it with the override once support approved.
	if _, _, err := svc.Cancel(ctx, env.Actor(t, apptest.GlobalAdmin), desk.CancelRequest{CustomerID: apptest.ContosoID, OrderID: ws.OrderID,
		Lines: []int{ws.LineNumber}, Acknowledged: true, OverrideReason: "support approved"}); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	for _, who := range []string{apptest.AdminAgent, apptest.GlobalAdmin, apptest.ContosoAdmin} {
		a := env.Actor(t, who)
		if key, err := svc.RevealKey(ctx, a, apptest.ContosoID, ws.ID, "2022"); desk.ErrorCode(err) != desk.EGONE || key != "" {
			t.Errorf("%s: key after cancellation: %q %v, want EGONE", who, key, err)
		}
		if l, err := svc.IssueLink(ctx, a, apptest.ContosoID, ws.ID, ref, true); desk.ErrorCode(err) != desk.EGONE || l.URL != "" {
			t.Errorf("%s: new link after cancellation: %q %v, want EGONE", who, l.URL, err)
		}
	}
	for name, l := range map[string]desk.DownloadLink{"shared": shared, "direct": direct} {
		_, err := svc.OpenDownload(ctx, strings.TrimPrefix(l.URL, "/dl/"), "203.0.113.7", true)
		if desk.ErrorCode(err) != desk.EGONE || errMessage(err) != "err.link_revoked" {
			t.Errorf("%s link after cancellation: %v, want EGONE err.link_revoked", name, err)
		}
	}
	if n := len(env.EventsSinceEpoch(t, desk.OpSharedDownload, 500)); n != 0 {
		t.Errorf("%d downloads recorded through revoked links", n)
	}
	_, items, err := svc.Software(ctx, admin, apptest.ContosoID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range items {
		if it.ID == ws.ID {
			found = true
			if it.Status != desk.StatusCancelled || len(it.KeyVersions) != 0 {
				t.Errorf("cancelled purchase on the list: status %s, key versions %v", it.Status, it.KeyVersions)
			}
		}
	}
	if !found {
		t.Error("the cancelled purchase left the Software list")
	}
}
