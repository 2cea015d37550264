package server_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"
)

// The customer's Download button marks the purchase downloaded only once a file is actually
// served through its link: not when the link is made, not when the file is missing. A downloaded
// purchase is cancelled through a support request, not the dialog (SPEC §6).
func TestPortalDownloadMarksOnlyWhenServed(t *testing.T) {
	files := t.TempDir()
	env := apptest.StartWith(t, func(c *apptest.Config) { c.FilesDir = files })
	ctx := context.Background()
	admin := env.Actor(t, apptest.AdminAgent)
	cust := env.SignIn(t, apptest.ContosoAdmin)

	o := env.PlaceOrder(t, apptest.ContosoID, apptest.Line(t, "Visio Professional 2024", desk.TermNone, 1))
	ent := o.Lines[0].EntitlementID
	_, item, err := env.App.Service.SoftwareItem(ctx, admin, apptest.ContosoID, ent)
	if err != nil {
		t.Fatal(err)
	}
	ed := item.Product.Editions[0]
	pick := url.Values{"version": {ed.Version}, "language": {ed.Language}, "bitness": {ed.Bitness}}
	state := func() string {
		t.Helper()
		d, err := env.App.Service.CancelDialog(ctx, admin, apptest.ContosoID, ent, "")
		if err != nil {
			t.Fatal(err)
		}
		return d.Selected.State
	}
	press := func() string {
		t.Helper()
		res := env.PostForm(t, cust, "/portal/products/"+ent+"/download", pick)
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/dl/") {
			t.Fatalf("Download: %d %q", res.StatusCode, loc)
		}
		return loc
	}

	// The button answers with the link; nothing is served yet.
	link := press()
	if s := state(); s != desk.CancelOK {
		t.Fatalf("after pressing Download, before the file: %s, want cancellable", s)
	}
	// The file is missing from the files directory: 404, and still not downloaded.
	path := filepath.Join(files, ed.FileName)
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if res := env.Get(t, cust, link); res.StatusCode != http.StatusNotFound {
		t.Fatalf("a missing file: %d, want 404", res.StatusCode)
	}
	if s := state(); s != desk.CancelOK {
		t.Fatalf("after a download of a missing file: %s, want cancellable", s)
	}
	// A HEAD request serves no file either.
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodHead, env.URL+link, nil)
	if res := env.Do(t, cust, req); res.StatusCode != http.StatusOK {
		t.Fatalf("HEAD: %d", res.StatusCode)
	}
	if s := state(); s != desk.CancelOK {
		t.Fatalf("after a HEAD request: %s, want cancellable", s)
	}
	// The file served: now it is downloaded.
	res := env.Get(t, cust, press())
	if res.StatusCode != http.StatusOK || apptest.SHA256([]byte(res.Body)) != ed.SHA256 {
		t.Fatalf("download: %d, %d bytes", res.StatusCode, len(res.Body))
	}
	if s := state(); s != desk.CancelNeedsSupport {
		t.Fatalf("after the file was served: %s, want needs_support", s)
	}
}
