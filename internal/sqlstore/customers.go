package sqlstore

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"partnerdesk/internal/desk"
)

const customerCols = `id, company_name, domain, country, currency, address_line1, city, postal_code, region,
	contact_first_name, contact_last_name, contact_email, contact_phone, relationship, created_at`

type scanner interface{ Scan(dest ...any) error }

// listCols are the columns of the customer list: all in its covering indexes.
const listCols = `id, company_name, domain, country, currency, created_at`

func scanListCustomer(r scanner) (desk.Customer, error) {
	var c desk.Customer
	var created int64
	err := r.Scan(&c.ID, &c.CompanyName, &c.Domain, &c.Country, &c.Currency, &created)
	c.CreatedAt = fromMS(created)
	c.Relationship = "Cloud Reseller"
	return c, err
}

func scanCustomer(r scanner) (desk.Customer, error) {
	var c desk.Customer
	var created int64
	err := r.Scan(&c.ID, &c.CompanyName, &c.Domain, &c.Country, &c.Currency, &c.Address.Line1, &c.Address.City,
		&c.Address.PostalCode, &c.Address.Region, &c.Contact.FirstName, &c.Contact.LastName, &c.Contact.Email,
		&c.Contact.Phone, &c.Relationship, &created)
	c.CreatedAt = fromMS(created)
	return c, err
}

// CreateCustomer inserts a customer; a taken domain or ID is ECONFLICT.
func (s *Store) CreateCustomer(ctx context.Context, c desk.Customer) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `INSERT INTO customers (`+customerCols+`, name_fold)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.CompanyName, c.Domain, c.Country, c.Currency, c.Address.Line1, c.Address.City, c.Address.PostalCode,
			c.Address.Region, c.Contact.FirstName, c.Contact.LastName, c.Contact.Email, c.Contact.Phone, c.Relationship,
			ms(c.CreatedAt), Fold(c.CompanyName))
		return s.wrap(err, "insert customer")
	})
}

// FindCustomerByID returns one customer, or ENOTFOUND.
func (s *Store) FindCustomerByID(ctx context.Context, id string) (desk.Customer, error) {
	c, err := scanCustomer(s.queryRow(ctx, `SELECT `+customerCols+` FROM customers WHERE id = ?`, id))
	if err != nil {
		return desk.Customer{}, notFound(err, "err.customer_not_found")
	}
	return c, nil
}

// CountCustomers counts all customers (kept by triggers in customer_count).
func (s *Store) CountCustomers(ctx context.Context) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT n FROM customer_count WHERE id = 1`).Scan(&n)
	return n, s.wrap(err, "count customers")
}

// Fold is the case folding of the customer list's sort key and search (name_fold).
func Fold(s string) string { return strings.ToLower(s) }

// CleanQuery drops control characters from a search (a NUL ends a string inside SQLite's FTS
// parser) and trims it.
func CleanQuery(q string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, q))
}

// PrefixMatch is the SQL condition "the name, domain or tenant ID of the customer row alias starts
// with q" (q folded as name_fold is) as ranges of the list's sort indexes and the ID's, which both
// engines answer from those indexes (a LIKE 'q%' would read every customer).
func PrefixMatch(alias, q string) (string, []any) {
	lo := Fold(q)
	r := []rune(lo)
	last := r[len(r)-1]
	switch last {
	case utf8.MaxRune:
		like := EscapeLike(lo) + "%"
		return `(` + alias + `.name_fold LIKE ? ESCAPE '\' OR ` + alias + `.domain LIKE ? ESCAPE '\' OR ` + alias + `.id LIKE ? ESCAPE '\')`, []any{like, like, like}
	case 0xD7FF:
		last = 0xE000 // past the surrogates, which no string holds
	default:
		last++
	}
	r[len(r)-1] = last
	hi := string(r)
	return `((` + alias + `.name_fold >= ? AND ` + alias + `.name_fold < ?) OR (` + alias + `.domain >= ? AND ` + alias + `.domain < ?) OR (` +
		alias + `.id >= ? AND ` + alias + `.id < ?))`, []any{lo, hi, lo, hi, lo, hi}
}

// EscapeLike escapes LIKE's wildcards for a LIKE … ESCAPE '\' pattern.
func EscapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// FindCustomers returns one page of customers (the list's fields: ID, name, domain, market,
// currency, creation time) in the filter's order, by keyset pagination: the
// page starts after (or ends before) the cursor's row, so any page costs what the first does.
func (s *Store) FindCustomers(ctx context.Context, f desk.CustomerFilter) (desk.CustomerPage, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	keyCol := "c.name_fold"
	if f.Sort == desk.SortDomain {
		keyCol = "c.domain"
	}
	var where []string
	var args []any
	if q := strings.TrimSpace(f.Query); q != "" {
		w, a := s.eng.CustomerMatch("c", q)
		where, args = append(where, w), append(args, a...)
	}
	filterSQL := ""
	if len(where) > 0 {
		filterSQL = " WHERE " + strings.Join(where, " AND ")
	}
	var page desk.CustomerPage
	switch {
	case f.SkipCount:
	case len(where) == 0:
		n, err := s.CountCustomers(ctx)
		if err != nil {
			return page, err
		}
		page.Total = n
	case f.CountCap > 0:
		// Counts no further than one past the cap: the index stops after CountCap+1 matches.
		q, qargs := `SELECT 1 FROM customers c`+filterSQL, args
		if m, ok := s.eng.(denseMatcher); ok {
			if mq, ma, ok := m.CustomerMatchRows(f.Query); ok {
				q, qargs = mq, ma
			}
		}
		q = `SELECT count(*) FROM (` + q + ` LIMIT ?) m`
		if err := s.queryRow(ctx, q, append(append([]any{}, qargs...), f.CountCap+1)...).Scan(&page.Total); err != nil {
			return page, fmt.Errorf("count customers: %w", err)
		}
		if page.Total > f.CountCap {
			page.Total, page.TotalCapped = f.CountCap, true
		}
	default:
		if err := s.queryRow(ctx, `SELECT count(*) FROM customers c`+filterSQL, args...).Scan(&page.Total); err != nil {
			return page, fmt.Errorf("count customers: %w", err)
		}
	}

	backward := f.Before != "" && f.After == ""
	cursor := f.After
	if backward {
		cursor = f.Before
	}
	key, id, valid := DecodeCursor(cursor)
	if !valid {
		backward, cursor = false, "" // an unusable cursor starts at the beginning
	}
	// asc forward: key > cursor ORDER BY key ASC; backward flips both.
	asc := !f.Desc
	if backward {
		asc = !asc
	}
	op, dir := ">", "ASC"
	if !asc {
		op, dir = "<", "DESC"
	}
	pageWhere, pageArgs := append([]string{}, where...), append([]any{}, args...)
	if m, ok := s.eng.(denseMatcher); ok && page.TotalCapped {
		// Many matches: walk the list's covering sort index, testing each entry against the
		// matches, and stop at the page's end (not fetch every match's row and sort them all).
		if w, a, ok := m.CustomerMatchDense("c", f.Query); ok {
			pageWhere, pageArgs = []string{w}, a
		}
	}

	if valid {
		pageWhere = append(pageWhere, fmt.Sprintf("(%s, c.id) %s (?, ?)", keyCol, op))
		pageArgs = append(pageArgs, key, id)
	}
	q := `SELECT ` + prefixCols("c.", listCols) + ` FROM customers c`
	if len(pageWhere) > 0 {
		q += " WHERE " + strings.Join(pageWhere, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY %s %s, c.id %s LIMIT ?", keyCol, dir, dir)
	pageArgs = append(pageArgs, f.Limit+1)
	rows, err := s.query(ctx, q, pageArgs...)
	if err != nil {
		return page, fmt.Errorf("find customers: %w", err)
	}
	if page.Items, err = scanRows(rows, scanListCustomer); err != nil {
		return page, fmt.Errorf("find customers: %w", err)
	}
	more := len(page.Items) > f.Limit
	if more {
		page.Items = page.Items[:f.Limit]
	}
	if backward {
		for i, j := 0, len(page.Items)-1; i < j; i, j = i+1, j-1 {
			page.Items[i], page.Items[j] = page.Items[j], page.Items[i]
		}
	}
	if len(page.Items) == 0 {
		return page, nil
	}
	keyOf := func(c desk.Customer) string {
		if f.Sort == desk.SortDomain {
			return c.Domain
		}
		return Fold(c.CompanyName)
	}
	first, last := page.Items[0], page.Items[len(page.Items)-1]
	if backward {
		page.Next = EncodeCursor(keyOf(last), last.ID)
		if more {
			page.Prev = EncodeCursor(keyOf(first), first.ID)
		}
	} else {
		if more {
			page.Next = EncodeCursor(keyOf(last), last.ID)
		}
		if cursor != "" {
			page.Prev = EncodeCursor(keyOf(first), first.ID)
		}
	}
	return page, nil
}

// denseMatcher is an engine whose search has other forms for a query with many matches: the
// search index's rows alone (to count them up to a cap, without materialising every match as
// the customers' condition does) and a condition that keeps the planner on the list's sort
// index; ok is false where the usual condition serves.
type denseMatcher interface {
	CustomerMatchRows(q string) (query string, args []any, ok bool)
	CustomerMatchDense(alias, q string) (cond string, args []any, ok bool)
}

func prefixCols(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// EncodeCursor encodes a keyset cursor (sort key and ID).
func EncodeCursor(key, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key + "\x00" + id))
}

// DecodeCursor decodes a keyset cursor.
func DecodeCursor(c string) (key, id string, ok bool) {
	if c == "" {
		return "", "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", "", false
	}
	key, id, ok = strings.Cut(string(b), "\x00")
	return key, id, ok && id != ""
}
