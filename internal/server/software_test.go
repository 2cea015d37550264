package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/demo"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"

	"github.com/PuerkitoBio/goquery"
)

var swKeyFormat = regexp.MustCompile(`^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$`)

// swPurchase finds a customer's active software purchase whose offer title contains match (as
// the admin agent sees it) and returns its entitlement ID and product.
func swPurchase(t *testing.T, env *apptest.Env, customerID, match string) (string, desk.Product) {
	t.Helper()
	it := env.Purchase(t, customerID, match)
	return it.ID, it.Product
}

// swRow selects a purchase's tbody on the Software tab.
func swRow(d *goquery.Document, entID string) *goquery.Selection {
	return d.Find(`[data-testid="software-row"][data-entitlement-id="` + entID + `"]`)
}

func swIn(s *goquery.Selection, id string) *goquery.Selection {
	return s.Find(`[data-testid="` + id + `"]`)
}

// swOptions returns the option values of a picker select and the selected one.
func swOptions(s *goquery.Selection) (opts []string, selected string) {
	s.Find("option").Each(func(_ int, o *goquery.Selection) {
		v := o.AttrOr("value", "")
		opts = append(opts, v)
		if _, ok := o.Attr("selected"); ok {
			selected = v
		}
	})
	if selected == "" && len(opts) > 0 {
		selected = opts[0]
	}
	return opts, selected
}

// swForm is the edition chosen in a picker.
func swForm(t *testing.T, s *goquery.Selection) url.Values {
	t.Helper()
	v := url.Values{}
	for _, f := range []string{"version", "language", "bitness"} {
		_, sel := swOptions(swIn(s, "pick-"+f))
		if sel == "" {
			t.Fatalf("picker has no %s", f)
		}
		v.Set(f, sel)
	}
	return v
}

// The Software tab lists the purchases for every role that may see it; only Admin agents and
// Global admins get Get key, Download and Copy link (R1).
func TestSoftwareTabPerRole(t *testing.T) {
	env := apptest.Start(t)
	path := "/customers/" + apptest.ContosoID + "/software"
	rows := -1
	for _, who := range []string{"admin", "global", "sales", "helpdesk", "billing", "referrals", "customer"} {
		t.Run(who, func(t *testing.T) {
			c := env.SignIn(t, apptest.Users[who])
			res := env.Get(t, c, path)
			d := doc(t, res.Body)
			switch who {
			case "billing", "referrals", "customer":
				if res.StatusCode != http.StatusForbidden || testid(d, "error-403").Length() != 1 {
					t.Fatalf("GET software: %d, want the 403 page", res.StatusCode)
				}
				if strings.Contains(res.Body, "Windows Server 2022 Standard") {
					t.Error("the 403 page shows the purchases")
				}
				return
			}
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET software: %d", res.StatusCode)
			}
			n := testid(d, "software-row").Length()
			if n == 0 || testid(d, "software-table").Length() != 1 {
				t.Fatal("no software rows")
			}
			if rows >= 0 && n != rows {
				t.Errorf("%d rows, the admin agent sees %d", n, rows)
			}
			if rows < 0 {
				rows = n
			}
			active := d.Find(`[data-testid="software-row"][data-status="active"]`).Length()
			keys := who == "admin" || who == "global"
			for _, id := range []string{"kd-form", "get-key", "download", "copy-link", "pick-version"} {
				got := testid(d, id).Length()
				if keys && got != active {
					t.Errorf("%s: %d of %d active purchases", id, got, active)
				}
				if !keys && got != 0 {
					t.Errorf("%s shown %d times to %s", id, got, who)
				}
			}
			if keys && testid(d, "msg-warning").Length() != 1 {
				t.Error("no warning about copying links and downloading software")
			}
		})
	}
}

// Get key: the htmx request gets the key dialog, a plain request a page with the key; the key is
// the purchase's (R11 records it); a Sales agent gets 403 and nothing is recorded.
func TestRevealKeyHTTP(t *testing.T) {
	env := apptest.Start(t)
	ent, _ := swPurchase(t, env, apptest.ContosoID, "Windows Server 2022 Standard - 2 Core")
	path := "/customers/" + apptest.ContosoID + "/software/" + ent + "/key"
	form := url.Values{"version": {"2022"}, "language": {"en-us"}, "bitness": {"64-bit"}}
	admin := env.SignIn(t, apptest.AdminAgent)

	res := env.PostForm(t, admin, path, form, htmx()...)
	d := doc(t, res.Body)
	if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "<html") {
		t.Fatalf("htmx key: %d, full page: %v", res.StatusCode, strings.Contains(res.Body, "<html"))
	}
	dlg := testid(d, "key-dialog")
	if dlg.Length() != 1 || !dlg.Is("dialog") {
		t.Fatal("no key dialog")
	}
	key := swIn(dlg, "key-value").AttrOr("value", "")
	if !swKeyFormat.MatchString(key) {
		t.Fatalf("dialog key %q", key)
	}
	if swIn(dlg, "copy-key").Length() != 1 || swIn(dlg, "copied").Length() != 1 {
		t.Error("the dialog has no Copy button or live region")
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("key answer Cache-Control %q, want no-store", cc)
	}

	res = env.PostForm(t, admin, path, form)
	d = doc(t, res.Body)
	if res.StatusCode != http.StatusOK || d.Find("html").Length() != 1 {
		t.Fatalf("plain key: %d", res.StatusCode)
	}
	if got := strings.TrimSpace(testid(d, "key-value").Text() + testid(d, "key-value").AttrOr("value", "")); got != key {
		t.Fatalf("plain page key %q, dialog said %q", got, key)
	}
	evs := env.EventsSinceEpoch(t, desk.OpGetSoftwareKey, 500)
	if len(evs) != 2 || evs[0].ActorEmail != apptest.AdminAgent || evs[0].CustomerID != apptest.ContosoID || evs[0].OrderID == "" {
		t.Fatalf("get_software_key events: %+v", evs)
	}

	for _, who := range []string{"sales", "helpdesk", "customer"} {
		c := env.SignIn(t, apptest.Users[who])
		for _, hx := range [][]string{nil, htmx()} {
			res := env.PostForm(t, c, path, form, hx...)
			if res.StatusCode != http.StatusForbidden || strings.Contains(res.Body, key) {
				t.Errorf("%s POST key (htmx %v): %d", who, hx != nil, res.StatusCode)
			}
			if hx != nil && testid(doc(t, res.Body), "error-dialog").Length() != 1 {
				t.Errorf("%s htmx POST key: no error dialog", who)
			}
		}
	}
	if n := len(env.EventsSinceEpoch(t, desk.OpGetSoftwareKey, 500)); n != 2 {
		t.Fatalf("refused reveals recorded: %d events", n)
	}
}

// swFirstLanguage is the first language the product offers for a version (the picker's default).
func swFirstLanguage(p desk.Product, version string) string {
	for _, e := range p.Editions {
		if e.Version == version {
			return e.Language
		}
	}
	return ""
}

// The edition picker narrows its choices: Office has 32-bit builds, Windows Server only 64-bit;
// choices that exist are kept, others fall back to the first option.
func TestEditionsEndpoint(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, apptest.AdminAgent)
	office, officeP := swPurchase(t, env, apptest.ContosoID, "Office LTSC Professional Plus 2024")
	ws, wsP := swPurchase(t, env, apptest.ContosoID, "Windows Server 2022 Standard - 2 Core")
	base := "/customers/" + apptest.ContosoID + "/software/"

	for _, tt := range []struct {
		name      string
		ent       string
		product   desk.Product
		query     string
		want      desk.EditionRef
		bitnesses []string
	}{
		{"office hu 32-bit", office, officeP, "version=2021&language=hu-hu&bitness=32-bit", desk.EditionRef{Version: "2021", Language: "hu-hu", Bitness: "32-bit"}, []string{"64-bit", "32-bit"}},
		// Contoso is in Hungary: its edition language defaults to Hungarian.
		{"office version only", office, officeP, "version=2019", desk.EditionRef{Version: "2019", Language: "hu-hu", Bitness: "64-bit"}, []string{"64-bit", "32-bit"}},
		{"windows server", ws, wsP, "version=2019&language=de-de", desk.EditionRef{Version: "2019", Language: "de-de", Bitness: "64-bit"}, []string{"64-bit"}},
		{"windows server asked for 32-bit", ws, wsP, "version=2016&language=hu-hu&bitness=32-bit", desk.EditionRef{Version: "2016", Language: "hu-hu", Bitness: "64-bit"}, []string{"64-bit"}},
		{"unknown version falls back", ws, wsP, "version=1999&language=xx", desk.EditionRef{Version: "2022", Language: swFirstLanguage(wsP, "2022"), Bitness: "64-bit"}, []string{"64-bit"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := env.Get(t, c, base+tt.ent+"/editions?"+tt.query, htmx()...)
			if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "<html") {
				t.Fatalf("editions: %d", res.StatusCode)
			}
			d := doc(t, res.Body)
			form := testid(d, "kd-form")
			if form.Length() != 1 {
				t.Fatal("no picker in the fragment")
			}
			versions, v := swOptions(swIn(form.First(), "pick-version"))
			langs, l := swOptions(swIn(form.First(), "pick-language"))
			bits, b := swOptions(swIn(form.First(), "pick-bitness"))
			if (desk.EditionRef{Version: v, Language: l, Bitness: b}) != tt.want {
				t.Errorf("picked %s/%s/%s, want %+v", v, l, b, tt.want)
			}
			if !slices.Equal(versions, tt.product.Versions()) {
				t.Errorf("versions %v, want %v", versions, tt.product.Versions())
			}
			if len(langs) < 2 || !slices.Contains(langs, "en-us") || !slices.Contains(langs, "hu-hu") {
				t.Errorf("languages %v: at least English and Hungarian", langs)
			}
			if !slices.Equal(bits, tt.bitnesses) {
				t.Errorf("bitness options %v, want %v", bits, tt.bitnesses)
			}
			ed, _ := tt.product.Edition(tt.want)
			if got := strings.TrimSpace(testid(d, "edition-sha256").Text()); got != ed.SHA256 || got == "" {
				t.Errorf("edition SHA-256 %q, want %q", got, ed.SHA256)
			}
			if !strings.Contains(res.Body, ed.FileName) {
				t.Errorf("the fragment does not name the file %s", ed.FileName)
			}
			if testid(d, "get-key").AttrOr("hx-post", "") != base+tt.ent+"/key" {
				t.Errorf("Get key posts to %q", testid(d, "get-key").AttrOr("hx-post", ""))
			}
		})
	}
	// Without htmx (the noscript Apply button), the whole tab comes back with the choice applied.
	res := env.Get(t, c, base+office+"/editions?version=2021&language=hu-hu&bitness=32-bit")
	d := doc(t, res.Body)
	if res.StatusCode != http.StatusOK || d.Find("html").Length() != 1 || testid(d, "software-row").Length() < 2 {
		t.Fatalf("plain editions: %d", res.StatusCode)
	}
	if got := swForm(t, swRow(d, office)); got.Get("version") != "2021" || got.Get("language") != "hu-hu" || got.Get("bitness") != "32-bit" {
		t.Errorf("plain page picker: %v", got)
	}
}

// Download: the signed-in user's POST redirects to a signed link that serves the file with its
// name, size, checksum and ranges.
func TestDownloadHTTP(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, apptest.AdminAgent)
	ent, p := swPurchase(t, env, apptest.ContosoID, "Windows Server 2022 Standard - 2 Core")
	d := doc(t, env.Get(t, c, "/customers/"+apptest.ContosoID+"/software").Body)
	row := swRow(d, ent)
	form := swForm(t, row)
	pageSHA := strings.TrimSpace(swIn(row, "edition-sha256").Text())
	ed, ok := p.Edition(desk.EditionRef{Version: form.Get("version"), Language: form.Get("language"), Bitness: form.Get("bitness")})
	if !ok || pageSHA != ed.SHA256 {
		t.Fatalf("page SHA-256 %q for %v, catalog %q", pageSHA, form, ed.SHA256)
	}

	res := env.PostForm(t, c, "/customers/"+apptest.ContosoID+"/software/"+ent+"/download", form)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/dl/") {
		t.Fatalf("download: %d %q", res.StatusCode, loc)
	}
	evs := env.EventsSinceEpoch(t, desk.OpDownload, 500)
	if len(evs) != 1 || evs[0].ActorEmail != apptest.AdminAgent || evs[0].CustomerID != apptest.ContosoID {
		t.Fatalf("download_software events: %+v", evs)
	}

	anon := env.Client()
	res = env.Get(t, anon, loc)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s signed out: %d", loc, res.StatusCode)
	}
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="`+ed.FileName+`"; filename*=UTF-8''`+ed.FileName {
		t.Errorf("Content-Disposition %q", cd)
	}
	if cl := res.Header.Get("Content-Length"); cl != fmt.Sprint(ed.Size) {
		t.Errorf("Content-Length %q, want %d", cl, ed.Size)
	}
	if et := res.Header.Get("ETag"); et != `"`+ed.SHA256+`"` {
		t.Errorf("ETag %q", et)
	}
	body := []byte(res.Body)
	if int64(len(body)) != ed.Size || apptest.SHA256(body) != pageSHA {
		t.Fatalf("body: %d bytes, SHA-256 %s; page says %s", len(body), apptest.SHA256(body), pageSHA)
	}

	res = env.Get(t, anon, loc, "Range", "bytes=10-19")
	if res.StatusCode != http.StatusPartialContent || res.Body != string(body[10:20]) {
		t.Fatalf("range: %d %q, want 206 %q", res.StatusCode, res.Body, body[10:20])
	}
	if cr := res.Header.Get("Content-Range"); cr != fmt.Sprintf("bytes 10-19/%d", ed.Size) {
		t.Errorf("Content-Range %q", cr)
	}
	// The own download is no shared-link download.
	if n := len(env.EventsSinceEpoch(t, desk.OpSharedDownload, 500)); n != 0 {
		t.Errorf("%d shared-link download events for an own download", n)
	}
	// An edition that does not exist is a 400, not a link.
	bad := url.Values{"version": {"2022"}, "language": {"en-us"}, "bitness": {"32-bit"}}
	if res := env.PostForm(t, c, "/customers/"+apptest.ContosoID+"/software/"+ent+"/download", bad); res.StatusCode != http.StatusBadRequest {
		t.Errorf("32-bit Windows Server: %d, want 400", res.StatusCode)
	}
}

// Copy link: the link and its expiry are shown; anyone can use it for 5 days (recorded, naming the
// issuer); a tampered link is 403 and an expired one 410.
func TestCopyLinkHTTP(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, apptest.AdminAgent)
	ent, p := swPurchase(t, env, apptest.ContosoID, "Windows Server 2022 Standard - 2 Core")
	ref := desk.EditionRef{Version: "2022", Language: "hu-hu", Bitness: "64-bit"}
	ed, _ := p.Edition(ref)
	form := url.Values{"version": {ref.Version}, "language": {ref.Language}, "bitness": {ref.Bitness}}
	path := "/customers/" + apptest.ContosoID + "/software/" + ent + "/link"

	res := env.PostForm(t, c, path, form, htmx()...)
	d := doc(t, res.Body)
	if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "<html") || testid(d, "link-result").Length() != 1 {
		t.Fatalf("copy link: %d", res.StatusCode)
	}
	link := testid(d, "link-value").AttrOr("value", "")
	if !strings.HasPrefix(link, "http://127.0.0.1") || !strings.HasPrefix(link, env.URL+"/dl/") {
		t.Fatalf("link %q is not an absolute URL of %s", link, env.URL)
	}
	expiry := i18n.Get("en").DateTime(apptest.Epoch.Add(5 * 24 * time.Hour))
	if got := testid(d, "link-expiry").Text(); !strings.Contains(got, expiry) {
		t.Errorf("link expiry %q, want it to name %s", got, expiry)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("link answer Cache-Control %q", cc)
	}
	issued := env.EventsSinceEpoch(t, desk.OpGetDownloadLink, 500)
	if len(issued) != 1 || issued[0].ActorEmail != apptest.AdminAgent || strings.Contains(issued[0].Detail, strings.TrimPrefix(link, env.URL+"/dl/")) {
		t.Fatalf("get_software_download_link events: %+v", issued)
	}
	// Without JavaScript the link comes on a page.
	res = env.PostForm(t, c, path, form)
	if d := doc(t, res.Body); res.StatusCode != http.StatusOK || d.Find("html").Length() != 1 || testid(d, "link-value").Length() != 1 {
		t.Fatalf("plain copy link: %d", res.StatusCode)
	}

	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	anon := env.Client()
	res = env.Get(t, anon, u.Path)
	if res.StatusCode != http.StatusOK || apptest.SHA256([]byte(res.Body)) != ed.SHA256 {
		t.Fatalf("shared link: %d, SHA-256 %s, want %s", res.StatusCode, apptest.SHA256([]byte(res.Body)), ed.SHA256)
	}
	shared := env.EventsSinceEpoch(t, desk.OpSharedDownload, 500)
	if len(shared) != 1 || shared[0].ActorEmail != apptest.AdminAgent || !strings.Contains(shared[0].Detail, apptest.AdminAgent) ||
		shared[0].CustomerID != apptest.ContosoID || shared[0].IP == "" {
		t.Fatalf("download_software_shared_link events: %+v", shared)
	}
	// Resuming with a range is the same download.
	if res := env.Get(t, anon, u.Path, "Range", "bytes=100-"); res.StatusCode != http.StatusPartialContent {
		t.Fatalf("resume: %d", res.StatusCode)
	}
	if n := len(env.EventsSinceEpoch(t, desk.OpSharedDownload, 500)); n != 1 {
		t.Errorf("%d shared-link download events after a download and its resumption", n)
	}

	token := strings.TrimPrefix(u.Path, "/dl/")
	p64, sig64, _ := strings.Cut(token, ".")
	for name, bad := range map[string]string{"signature": p64 + "." + apptest.Flip(sig64), "payload": apptest.Flip(p64) + "." + sig64} {
		res := env.Get(t, anon, "/dl/"+bad)
		if res.StatusCode != http.StatusForbidden || testid(doc(t, res.Body), "download-error-403").Length() != 1 {
			t.Errorf("tampered %s: %d", name, res.StatusCode)
		}
	}

	env.Clock.Advance(5*24*time.Hour + time.Second)
	res = env.Get(t, anon, u.Path)
	if res.StatusCode != http.StatusGone || testid(doc(t, res.Body), "download-error-410").Length() != 1 {
		t.Fatalf("expired link: %d", res.StatusCode)
	}
	if n := len(env.EventsSinceEpoch(t, desk.OpSharedDownload, 500)); n != 1 {
		t.Errorf("an expired link was recorded as a download")
	}
}

// swUpload posts a CSV file to Settings → Key pools as a browser's multipart form.
func swUpload(t *testing.T, env *apptest.Env, c *http.Client, name, content string) *apptest.Response {
	t.Helper()
	var fs []apptest.File
	if name != "" {
		fs = append(fs, apptest.File{Field: "csv", Name: name, Data: []byte(content)})
	}
	return env.PostMultipart(t, c, "/settings/keys", nil, fs...)
}

func swPoolFree(t *testing.T, env *apptest.Env) map[string]int {
	t.Helper()
	u, _, err := env.App.Store.FindUserByEmail(context.Background(), apptest.GlobalAdmin)
	if err != nil {
		t.Fatal(err)
	}
	list, err := env.App.Service.PoolCounts(context.Background(), desk.Actor{User: u})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, c := range list {
		out[c.ProductID+"/"+c.Version] = c.Free
	}
	return out
}

// Settings → Key pools is for Global admins; an upload imports a valid file or rejects the whole
// file listing the bad rows.
func TestKeyPoolsPage(t *testing.T) {
	env := apptest.Start(t)
	for who, email := range apptest.Users {
		c := env.SignIn(t, email)
		res := env.Get(t, c, "/settings/keys")
		want := http.StatusForbidden
		if who == "global" {
			want = http.StatusOK
		}
		if res.StatusCode != want {
			t.Errorf("%s GET /settings/keys: %d, want %d", who, res.StatusCode, want)
		}
		if who == "admin" {
			if res := swUpload(t, env, c, "keys.csv", "DG7GMGF0D5RK,2022,BCDFG-HJKMP-QRTVW-XY234-6789B\n"); res.StatusCode != http.StatusForbidden {
				t.Errorf("admin agent import: %d, want 403", res.StatusCode)
			}
		}
	}
	ga := env.SignIn(t, apptest.GlobalAdmin)
	d := doc(t, env.Get(t, ga, "/settings/keys").Body)
	if n := testid(d, "pool-row").Length(); n == 0 || testid(d, "import-form").Length() != 1 {
		t.Fatalf("key pools page: %d pool rows", n)
	}
	before := swPoolFree(t, env)

	gen := demo.NewKeyGenerator()
	for i := 0; i < 5000; i++ { // keys past the demo pools' share of the sequence
		gen.Next()
	}
	k1, k2, k3 := gen.Next(), gen.Next(), gen.Next()
	res := swUpload(t, env, ga, "keys.csv", "product,version,key\nDG7GMGF0D5RK,2022,"+k1+"\nDG7GMGF0D5RK,2022,nope\nNOPE,2022,"+k2+"\n")
	d = doc(t, res.Body)
	errs := testid(d, "import-errors")
	if res.StatusCode != http.StatusUnprocessableEntity || errs.Length() != 1 {
		t.Fatalf("bad file: %d", res.StatusCode)
	}
	if items := errs.Find("li"); items.Length() != 2 || !strings.Contains(items.Eq(0).Text(), "Row 3") || !strings.Contains(items.Eq(1).Text(), "Row 4") {
		t.Errorf("import errors: %q", errs.Text())
	}
	if testid(d, "msg-success").Length() != 0 {
		t.Error("a rejected file shows success")
	}
	if after := swPoolFree(t, env); after["DG7GMGF0D5RK/2022"] != before["DG7GMGF0D5RK/2022"] {
		t.Fatal("a rejected file added keys")
	}
	if res := swUpload(t, env, ga, "", ""); res.StatusCode != http.StatusUnprocessableEntity || testid(doc(t, res.Body), "import-errors").Length() != 1 {
		t.Errorf("no file: %d", res.StatusCode)
	}

	res = swUpload(t, env, ga, "keys.csv", "product,version,key\r\nDG7GMGF0D5RK,2022,"+k1+"\r\nDG7GMGF0D5RK,2019,"+k3+"\r\n")
	d = doc(t, res.Body)
	if res.StatusCode != http.StatusOK || testid(d, "import-errors").Length() != 0 || !strings.Contains(testid(d, "msg-success").Text(), "2 keys imported") {
		t.Fatalf("valid file: %d %q %q", res.StatusCode, testid(d, "msg-success").Text(), testid(d, "import-errors").Text())
	}
	after := swPoolFree(t, env)
	if after["DG7GMGF0D5RK/2022"] != before["DG7GMGF0D5RK/2022"]+1 || after["DG7GMGF0D5RK/2019"] != before["DG7GMGF0D5RK/2019"]+1 {
		t.Errorf("pools after import: %v → %v", before, after)
	}
	// The same file again: every key is already stored.
	res = swUpload(t, env, ga, "keys.csv", "DG7GMGF0D5RK,2022,"+k1+"\n")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(testid(doc(t, res.Body), "import-errors").Text(), "Row 1") {
		t.Errorf("re-import: %d", res.StatusCode)
	}
}

// R1 for the keys-and-downloads routes: Admin agents and Global admins only; everyone else gets
// the 403 page naming the roles, and nothing is issued or recorded. R5: another tenant's purchase
// is a 404.
func TestSoftwareRoutesPerRole(t *testing.T) {
	env := apptest.Start(t)
	ent, _ := swPurchase(t, env, apptest.ContosoID, "Windows Server 2022 Standard - 2 Core")
	fab, _ := swPurchase(t, env, apptest.FabrikamID, "SQL Server 2022 Enterprise - 2 Core")
	form := url.Values{"version": {"2022"}, "language": {"en-us"}, "bitness": {"64-bit"}}
	type route struct {
		method, suffix string
		ok             int
	}
	routes := []route{
		{http.MethodGet, "/editions?version=2022", http.StatusOK},
		{http.MethodPost, "/key", http.StatusOK},
		{http.MethodPost, "/download", http.StatusSeeOther},
		{http.MethodPost, "/link", http.StatusOK},
	}
	do := func(c *http.Client, customer, e string, r route) *apptest.Response {
		p := "/customers/" + customer + "/software/" + e + r.suffix
		if r.method == http.MethodGet {
			return env.Get(t, c, p)
		}
		return env.PostForm(t, c, p, form)
	}
	ops := []string{desk.OpGetSoftwareKey, desk.OpGetDownloadLink, desk.OpDownload}
	count := func() int {
		n := 0
		for _, op := range ops {
			n += len(env.EventsSinceEpoch(t, op, 500))
		}
		return n
	}
	for _, who := range []string{"global", "admin", "sales", "helpdesk", "billing", "referrals", "customer"} {
		c := env.SignIn(t, apptest.Users[who])
		allowed := who == "global" || who == "admin"
		for _, r := range routes {
			before := count()
			res := do(c, apptest.ContosoID, ent, r)
			if allowed {
				if res.StatusCode != r.ok {
					t.Errorf("%s %s %s: %d, want %d", who, r.method, r.suffix, res.StatusCode, r.ok)
				}
				continue
			}
			d := doc(t, res.Body)
			if res.StatusCode != http.StatusForbidden || testid(d, "error-403").Length() != 1 {
				t.Errorf("%s %s %s: %d, want the 403 page", who, r.method, r.suffix, res.StatusCode)
				continue
			}
			if roles := testid(d, "roles-needed").Text(); !strings.Contains(roles, "Admin agent") || !strings.Contains(roles, "Global admin") {
				t.Errorf("%s %s %s: the 403 page names %q", who, r.method, r.suffix, roles)
			}
			if res.Header.Get("Location") != "" || strings.Contains(res.Body, "/dl/") {
				t.Errorf("%s %s %s: a refusal carries a link", who, r.method, r.suffix)
			}
			if n := count(); n != before {
				t.Errorf("%s %s %s: a refusal was recorded as a key or download", who, r.method, r.suffix)
			}
		}
		if allowed {
			// Fabrikam's purchase under Contoso's ID, and Contoso's under Fabrikam's, are not found.
			for _, r := range routes {
				for _, pair := range [][2]string{{apptest.ContosoID, fab}, {apptest.FabrikamID, ent}} {
					if res := do(c, pair[0], pair[1], r); res.StatusCode != http.StatusNotFound {
						t.Errorf("%s %s %s of another tenant: %d, want 404", who, r.method, r.suffix, res.StatusCode)
					}
				}
			}
		}
	}
	// Signed out: sign-in first.
	anon := env.Client()
	for _, r := range routes {
		res := do(anon, apptest.ContosoID, ent, r)
		if r.method == http.MethodGet && (res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin")) {
			t.Errorf("signed out %s %s: %d %s", r.method, r.suffix, res.StatusCode, res.Header.Get("Location"))
		}
		if r.method == http.MethodPost && res.StatusCode != http.StatusUnauthorized {
			t.Errorf("signed out %s %s: %d, want 401", r.method, r.suffix, res.StatusCode)
		}
	}
}

// R18 over HTTP: after a cancellation the copied link answers 410, Get key answers 410, and the
// Software tab shows the purchase cancelled without keys or downloads (R19).
func TestCancelRevokesHTTP(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, apptest.AdminAgent)
	ent, _ := swPurchase(t, env, apptest.ContosoID, "Windows Server 2022 Standard - 2 Core")
	base := "/customers/" + apptest.ContosoID + "/software/" + ent
	form := url.Values{"version": {"2022"}, "language": {"en-us"}, "bitness": {"64-bit"}}
	link := testid(doc(t, env.PostForm(t, c, base+"/link", form, htmx()...).Body), "link-value").AttrOr("value", "")
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/dl/") {
		t.Fatalf("link %q", link)
	}

	ctx := context.Background()
	admin, _, err := env.App.Store.FindUserByEmail(ctx, apptest.AdminAgent)
	if err != nil {
		t.Fatal(err)
	}
	var orderID string
	var line int
	_, items, _ := env.App.Service.Software(ctx, desk.Actor{User: admin}, apptest.ContosoID)
	for _, it := range items {
		if it.ID == ent {
			orderID, line = it.OrderID, it.LineNumber
		}
	}
	if _, _, err := env.App.Service.Cancel(ctx, desk.Actor{User: admin, IP: "127.0.0.1"},
		desk.CancelRequest{CustomerID: apptest.ContosoID, OrderID: orderID, Lines: []int{line}, Acknowledged: true, FromDialog: true}); err != nil {
		t.Fatalf("cancel: %v", err)
	}

	res := env.Get(t, env.Client(), u.Path)
	if res.StatusCode != http.StatusGone || testid(doc(t, res.Body), "download-error-410").Length() != 1 {
		t.Errorf("copied link after cancellation: %d, want 410", res.StatusCode)
	}
	if res := env.PostForm(t, c, base+"/key", form, htmx()...); res.StatusCode != http.StatusGone || swKeyFormat.MatchString(testid(doc(t, res.Body), "key-value").AttrOr("value", "")) {
		t.Errorf("Get key after cancellation: %d, want 410", res.StatusCode)
	}
	for _, p := range []string{"/download", "/link"} {
		if res := env.PostForm(t, c, base+p, form); res.StatusCode != http.StatusGone {
			t.Errorf("POST %s after cancellation: %d, want 410", p, res.StatusCode)
		}
	}
	d := doc(t, env.Get(t, c, "/customers/"+apptest.ContosoID+"/software").Body)
	row := swRow(d, ent)
	if row.Length() != 1 || row.AttrOr("data-status", "") != desk.StatusCancelled {
		t.Fatalf("cancelled purchase on the Software tab: %d rows, status %q", row.Length(), row.AttrOr("data-status", ""))
	}
	for _, id := range []string{"get-key", "download", "copy-link", "kd-form"} {
		if swIn(row, id).Length() != 0 {
			t.Errorf("the cancelled purchase still offers %s", id)
		}
	}
	if swIn(row, "revoked-note").Length() != 1 {
		t.Error("the cancelled purchase does not say its keys and links are revoked")
	}
}
