package service_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/demo"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/service"
)

// fzPoolTotal counts every key in every pool, free or assigned.
func fzPoolTotal(t *testing.T, svc *service.Service, a desk.Actor) int {
	t.Helper()
	list, err := svc.PoolCounts(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range list {
		n += c.Free + c.Assigned
	}
	return n
}

// fzImportRows counts the rows an import would add if every row were valid: the CSV records
// that are neither blank nor the header, read as ImportKeys reads them. ok is false when the
// CSV does not parse.
func fzImportRows(data []byte) (n int, ok bool) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return n, true
		}
		if err != nil {
			return n, false
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if line == 1 && len(rec) == 3 && strings.EqualFold(strings.TrimSpace(rec[0]), "product") {
			continue
		}
		n++
	}
}

// A key import never panics or fails internally, whatever the file: either it reports problems
// and adds nothing, or it adds exactly the file's rows, all of them.
func FuzzImportKeys(f *testing.F) {
	env := apptest.Start(f)
	svc := env.App.Service
	ga := env.Actor(f, apptest.GlobalAdmin)
	var sw desk.Product
	for _, p := range demo.Catalog() {
		if p.Kind.IsSoftware() && len(p.Versions()) > 1 {
			sw = p
			break
		}
	}
	if sw.ID == "" {
		f.Fatal("no software product with two versions in the demo catalog")
	}
	v0, v1 := sw.Versions()[0], sw.Versions()[1]
	row := func(version, key string) string { return sw.ID + "," + version + "," + key + "\n" }
	for _, s := range []string{
		row(v0, "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZ1"),
		"product,version,key\n" + row(v0, "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZ2") + row(v1, "zzzzz-zzzzz-zzzzz-zzzzz-zzzz3"),
		"Product , Version , Key\r\n" + sw.ID + " , " + v1 + " ,  ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZ4  \r\n\r\n",
		row(v0, "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZ5") + row(v1, "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZ5"), // duplicate in the file
		row(v0, "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZ1"),                                            // already stored (after the first)
		row(v0, demo.NewKeyGenerator().Next()),                                              // a demo pool key
		row("1999", "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZ6"),
		"NOPE00000000," + v0 + ",ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZ7\n",
		row(v0, "ABCDE-12345-FGHIJ"),
		sw.ID + "," + v0 + "\n",
		row(v0, "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZ8") + sw.ID + "," + v0 + ",ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZ9,extra\n",
		"", "\n\n", "   \n", "product,version,key\n", `"unterminated`, "a,\"b\"c,d\n", "\"\"\n", "\xff\xfe,\x00,\n",
		"product,version,key\nproduct,version,key\n", `"` + sw.ID + `","` + v0 + `","ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZY1"` + "\n",
		row(v0, "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZY2\nZZZZZ"),
	} {
		f.Add([]byte(s))
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		before := fzPoolTotal(t, svc, ga)
		res, err := svc.ImportKeys(ctx, ga, bytes.NewReader(data))
		if code := desk.ErrorCode(err); code == desk.EINTERNAL {
			t.Fatalf("import of %q: internal error %v", data, err)
		}
		after := fzPoolTotal(t, svc, ga)
		if err != nil || len(res.Errors) > 0 {
			if res.Added != 0 || res.Assigned != 0 || after != before {
				t.Fatalf("import of %q refused (%v, %+v) yet added %d keys (pools %d → %d)", data, err, res.Errors, res.Added, before, after)
			}
			for _, e := range res.Errors {
				if !strings.HasPrefix(e.Message, "err.import_") || e.Line < 0 {
					t.Fatalf("import of %q: row error %+v", data, e)
				}
			}
			return
		}
		rows, ok := fzImportRows(data)
		if !ok {
			t.Fatalf("import of unparsable CSV %q succeeded: %+v", data, res)
		}
		if res.Added != rows || rows == 0 || after-before != rows {
			t.Fatalf("import of %q: added %d (pools %d → %d), want every one of its %d rows", data, res.Added, before, after, rows)
		}
	})
}

// The activity log's query validation never panics: it gives either field errors or a filter
// whose range runs forwards, starts at midnight UTC and is at most the maximum long; and the
// activity page of a valid query never fails internally (its customer search included).
func FuzzActivityFilter(f *testing.F) {
	env := apptest.Start(f)
	svc := env.App.Service
	ga := env.Actor(f, apptest.GlobalAdmin)
	for _, s := range [][5]string{
		{"2026-11-01", "2026-11-25", "", "", ""},
		{"2026-11-25", "2026-11-25", "contoso", apptest.AdminAgent, desk.OpGetSoftwareKey},
		{" 2026-11-01 ", "2026-11-30 ", "co", "  AdminAgent@Partner.Example ", desk.OpCreateOrder},
		{"2026-11-25", "2026-11-01", "", "", ""},
		{"2025-11-25", "2026-11-25", "", "", ""},
		{"2025-11-26", "2026-11-25", "", "", ""},
		{"0000-01-01", "9999-12-31", "", "", ""},
		{"2026-02-29", "2026-03-01", "", "", ""},
		{"2026-1-1", "2026-01-02", "", "", ""},
		{"", "", "", "", ""},
		{"2026-11-01T00:00:00Z", "tomorrow", "", "", ""},
		{"2026-11-01", "2026-11-02", "fabrikam.onmicrosoft.com", "", "no_such_operation"},
		{"2026-11-01", "2026-11-02", strings.Repeat("x", 201), strings.Repeat("y", 255), ""},
		{"2026-11-01", "2026-11-02", `"x" OR 1`, "", ""},
		{"2026-11-01", "2026-11-02", "%_\\", "", ""},
		{"2026-11-01", "2026-11-02", "\x00abc", "", ""}, // a NUL once ended the FTS query string: an internal error
		{"2026-11-01", "2026-11-02", "\xff\xfe\xfd", "\xff", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, from, to, customer, actor, operation string) {
		q := service.ActivityQuery{From: from, To: to, Customer: customer, Actor: actor, Operation: operation}
		fl, err := svc.ActivityFilter(ctx, q)
		if err != nil {
			var ve *desk.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) == 0 {
				t.Fatalf("ActivityFilter(%+v): %T %v, want a *desk.ValidationError", q, err, err)
			}
			return
		}
		if fl.From.After(fl.To) {
			t.Fatalf("ActivityFilter(%+v): from %s after to %s", q, fl.From, fl.To)
		}
		if h, m, sec := fl.From.Clock(); fl.From.Location() != time.UTC || h != 0 || m != 0 || sec != 0 || fl.From.Nanosecond() != 0 {
			t.Fatalf("ActivityFilter(%+v): from %s is not a UTC midnight", q, fl.From)
		}
		if fl.To.Sub(fl.From) >= desk.DefaultMaxActivityRange+24*time.Hour {
			t.Fatalf("ActivityFilter(%+v): range %s to %s longer than the maximum", q, fl.From, fl.To)
		}
		if fl.Operation != "" && !contains(desk.Operations, fl.Operation) {
			t.Fatalf("ActivityFilter(%+v): operation %q accepted", q, fl.Operation)
		}
		if fl.Actor != strings.ToLower(strings.TrimSpace(actor)) {
			t.Fatalf("ActivityFilter(%+v): actor %q", q, fl.Actor)
		}
		// A valid query also runs: the customer search behind it must not fail either.
		if _, _, _, err := svc.Activity(ctx, ga, q); desk.ErrorCode(err) == desk.EINTERNAL {
			t.Fatalf("Activity(%+v): internal error %v", q, err)
		}
	})
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
