package sqlite

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/sqlstore"
	"partnerdesk/internal/storetest"
)

// fzCustomers are the search fuzzer's store: ASCII companies with duplicate names (seedCustomers)
// plus names that exercise case folding beyond ASCII and the LIKE and FTS special characters.
var fzCustomers = []struct{ name, domain string }{
	{"Contoso Ltd.", "contoso.onmicrosoft.com"},
	{"Árvíztűrő Tükörfúrógép Kft.", "arviz.onmicrosoft.com"},
	{"ÁRVÍZTŰRŐ TÜKÖRFÚRÓGÉP ZRT.", "arviz2.onmicrosoft.com"},
	{"İstanbul Yazılım A.Ş.", "istanbul.onmicrosoft.com"},
	{"Straße & Söhne GmbH", "strasse.onmicrosoft.com"},
	{"ΣΊΣΥΦΟΣ Α.Ε.", "sisyfos.onmicrosoft.com"},
	{"Москва Софт ООО", "moskva.onmicrosoft.com"},
	{"100% Pure_Data", "puredata.onmicrosoft.com"},
	{`Quote "Q" Inc`, "quote.onmicrosoft.com"},
	{"Kelvin \u212a Labs", "kelvin.onmicrosoft.com"},
	{"ǅemal d.o.o.", "dzemal.onmicrosoft.com"},
	{"Crème Brûlée SA", "creme.onmicrosoft.com"},
	{"日本ソフト株式会社", "nihon.onmicrosoft.com"},
	{"Emoji 🚀 Rockets", "rockets.onmicrosoft.com"},
}

// fzCanon maps a rune to the smallest rune of its simple case-folding orbit ('K', 'k' and the
// Kelvin sign all become 'K').
func fzCanon(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < m {
			m = f
		}
	}
	return m
}

func fzFold(s string) string { return strings.Map(fzCanon, s) }

// fzMatches reports whether field contains (prefix: starts with) q ignoring case, by simple
// Unicode case folding or by Go's lower-casing.
func fzMatches(field, q string, prefix bool) bool {
	has := strings.Contains
	if prefix {
		has = strings.HasPrefix
	}
	return has(fzFold(field), fzFold(q)) || has(strings.ToLower(field), strings.ToLower(q))
}

// fzKey is a customer's sort key in the filter's order, with the ID that breaks ties.
func fzKey(f desk.CustomerFilter, c desk.Customer) [2]string {
	if f.Sort == desk.SortDomain {
		return [2]string{c.Domain, c.ID}
	}
	return [2]string{sqlstore.Fold(c.CompanyName), c.ID}
}

func fzLess(a, b [2]string) bool { return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]) }

// The customer search never fails, whatever the query and cursors: pages stay within the limit
// and in order, respect the cursor, and every hit contains the query (three characters or more:
// the trigram index) or starts with it (one or two characters).
func FuzzFindCustomersQuery(f *testing.F) {
	st := openTest(f)
	storetest.SeedCustomers(f, st.Store, 40)
	ctx := context.Background()
	for i, c := range fzCustomers {
		err := st.CreateCustomer(ctx, desk.Customer{ID: "f0000000-0000-4000-8000-" + strings.Repeat("0", 10) + string(rune('a'+i/26)) + string(rune('a'+i%26)),
			CompanyName: c.name, Domain: c.domain, Country: "HU", Currency: "HUF", CreatedAt: time.Unix(0, 0)})
		if err != nil {
			f.Fatal(err)
		}
	}
	cursor := sqlstore.EncodeCursor
	for _, s := range []struct {
		q, after, before, key, id string
		mode                      uint8
		domain, desc              bool
		limit                     int
	}{
		{q: "contoso"}, {q: "CONTOSO"}, {q: "toso"}, {q: "co"}, {q: "c"}, {q: "Company 01", limit: 3},
		{q: "árvíz"}, {q: "ÁRVÍZ"}, {q: "tűrő"}, {q: "TŰRŐ"}, {q: "istanbul"}, {q: "İstanbul"}, {q: "istanbul yaz"}, {q: "i̇stanbul yaz"}, {q: "yazılım"}, {q: "YAZILIM"},
		{q: "straße"}, {q: "STRASSE"}, {q: "STRASSE &"}, {q: "STRAẞE &"}, {q: "σίσυφος"}, {q: "ΣΊΣΥΦΟΣ"}, {q: "москва"}, {q: "kelvin k"}, {q: "vin k lab"}, {q: "ǆemal"}, {q: "Ǆemal"},
		{q: "crème"}, {q: "日本ソ"}, {q: "🚀 R"}, {q: "🚀"}, {q: "%"}, {q: "_"}, {q: `\`}, {q: "0% p"}, {q: `"q"`}, {q: `" OR "`},
		{q: `"x" OR 1`}, {q: "NEAR(a b)"}, {q: "a*"}, {q: "^abc"}, {q: "\x00abc"}, {q: "ab\x00"}, {q: "\xff\xfe\xfd"}, {q: "\xc3"},
		{q: "   "}, {q: " contoso "}, {q: "onmicrosoft", limit: 5}, {q: "-4000-8000-"},
		{q: "company", mode: 1, key: "company 005", id: "zz", limit: 7},
		{q: "company", mode: 2, key: "company 010", id: "", limit: 7, desc: true},
		{mode: 1, key: "co0010.onmicrosoft.com", id: "00000000", domain: true},
		{mode: 3, key: "m", id: "m", desc: true},
		{after: "!!!not-base64", before: "Y29tcGFueQ"},
		{after: cursor("company 003", "x"), before: cursor("company 009", "y")},
		{before: cursor("\xff", "\xff"), limit: 201},
		{limit: -1}, {limit: 1, desc: true, domain: true},
	} {
		f.Add(s.q, s.after, s.before, s.key, s.id, s.mode, s.domain, s.desc, s.limit)
	}
	f.Fuzz(func(t *testing.T, q, after, before, key, id string, mode uint8, byDomain, desc bool, limit int) {
		switch mode % 4 {
		case 1:
			after = sqlstore.EncodeCursor(key, id)
		case 2:
			before = sqlstore.EncodeCursor(key, id)
		case 3:
			after, before = sqlstore.EncodeCursor(key, id), sqlstore.EncodeCursor(id, key)
		}
		filter := desk.CustomerFilter{Query: q, After: after, Before: before, Desc: desc, Limit: limit, Sort: desk.SortName}
		if byDomain {
			filter.Sort = desk.SortDomain
		}
		page, err := st.FindCustomers(ctx, filter)
		if err != nil {
			t.Fatalf("FindCustomers(%+v): %v", filter, err)
		}
		max := limit
		if max <= 0 || max > 200 {
			max = 50
		}
		if len(page.Items) > max {
			t.Fatalf("FindCustomers(%+v): %d items, limit %d", filter, len(page.Items), max)
		}
		if len(page.Items) > page.Total {
			t.Fatalf("FindCustomers(%+v): %d items but a total of %d", filter, len(page.Items), page.Total)
		}
		for i := 1; i < len(page.Items); i++ {
			a, b := fzKey(filter, page.Items[i-1]), fzKey(filter, page.Items[i])
			if desc {
				a, b = b, a
			}
			if !fzLess(a, b) {
				t.Fatalf("FindCustomers(%+v): items %d and %d out of order: %q, %q", filter, i-1, i, a, b)
			}
		}
		// The page lies beyond its cursor: after it for After, before it for Before alone.
		cur, forward := after, true
		if after == "" {
			cur, forward = before, false
		}
		if k, cid, ok := sqlstore.DecodeCursor(cur); ok {
			c := [2]string{k, cid}
			for _, it := range page.Items {
				ik := fzKey(filter, it)
				beyond := fzLess(c, ik)
				if forward == desc {
					beyond = fzLess(ik, c)
				}
				if !beyond {
					t.Fatalf("FindCustomers(%+v): item %q is not beyond the cursor %q", filter, ik, c)
				}
			}
		}
		// The search ignores control characters (a NUL would end the FTS query string).
		tq := strings.TrimSpace(strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return -1
			}
			return r
		}, q))
		if tq == "" || !utf8.ValidString(tq) {
			// Invalid UTF-8: SQLite and Go decode it differently, so only "no error" holds.
			return
		}
		short := utf8.RuneCountInString(tq) < 3
		for _, it := range page.Items {
			if !fzMatches(it.CompanyName, tq, short) && !fzMatches(it.Domain, tq, short) && !fzMatches(it.ID, tq, short) {
				t.Fatalf("search %q found %q (%s, %s), which does not contain it", tq, it.CompanyName, it.Domain, it.ID)
			}
		}
	})
}
