package web

import (
	"context"
	"slices"
	"strings"
	"sync"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"
)

// MarketRow is one market without Azure Reservations: its code and its name in the request's
// language. The seed's table lists some markets by their parts (Bonaire, Sint Eustatius, Saba;
// Svalbard, Jan Mayen): a market is listed once, and found by the name of any part, in English
// or Hungarian (search holds them folded).
type MarketRow struct {
	Code, Name string
	search     string
}

// MarketsView is the markets reference page: the rows matching the search, and how many
// markets there are in all.
type MarketsView struct {
	Rows  []MarketRow
	Total int
	Query string
}

// marketRows keeps the sorted rows per language: the R7 table never changes at run time.
var marketRows sync.Map

// sortedMarketRows groups the seed's R7 table by code (R7: the seed's 109 names are 106 markets)
// and sorts it by name with the language's collation (Hungarian: cs after c, ö after o).
func sortedMarketRows(ctx context.Context) []MarketRow {
	loc := L(ctx)
	if v, ok := marketRows.Load(loc.Tag); ok {
		return v.([]MarketRow)
	}
	index := map[string]int{}
	var rows []MarketRow
	for _, m := range desk.ReservationUnavailableMarkets {
		i, ok := index[m.Code]
		if !ok {
			i = len(rows)
			index[m.Code] = i
			rows = append(rows, MarketRow{Code: m.Code, Name: loc.CountryName(m.Code)})
		}
		for _, l := range []*i18n.Locale{i18n.Get("en"), i18n.Get("hu")} {
			rows[i].search += " " + collate(l.CountryName(m.Code)) + " " + collate(l.MarketName(m))
		}
	}
	c := loc.Collator()
	slices.SortStableFunc(rows, func(a, b MarketRow) int {
		if r := c.CompareString(a.Name, b.Name); r != 0 {
			return r
		}
		return strings.Compare(a.Code, b.Code)
	})
	marketRows.Store(loc.Tag, rows)
	return rows
}

// Markets lists the R7 markets in the request's language and keeps the rows whose name, part
// names or code hold the query (case and accents folded).
func Markets(ctx context.Context, query string) MarketsView {
	rows := sortedMarketRows(ctx)
	v := MarketsView{Total: len(rows), Query: strings.TrimSpace(query)}
	q := collate(v.Query)
	for _, r := range rows {
		if q == "" || strings.Contains(r.search, q) || strings.Contains(strings.ToLower(r.Code), q) {
			v.Rows = append(v.Rows, r)
		}
	}
	return v
}
