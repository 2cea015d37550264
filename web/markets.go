package web

import (
	"context"
	"sort"
	"strings"

	"partnerdesk/internal/desk"
)

// MarketRow is one market without Azure Reservations: its code, its name in the request's
// language, and every name of the seed's table that means it (several garbled names share a
// code, so a market is listed once).
type MarketRow struct {
	Code, Name string
	SeedNames  []string
}

// MarketsView is the markets reference page: the rows matching the search, and how many
// markets there are in all.
type MarketsView struct {
	Rows  []MarketRow
	Total int
	Query string
}

// Markets groups the seed's R7 table by code, sorts it by name in the request's language and
// keeps the rows whose name, code or seed name holds the query (accents and case folded).
func Markets(ctx context.Context, query string) MarketsView {
	index := map[string]int{}
	var rows []MarketRow
	for _, m := range desk.ReservationUnavailableMarkets {
		i, ok := index[m.Code]
		if !ok {
			i = len(rows)
			index[m.Code] = i
			rows = append(rows, MarketRow{Code: m.Code, Name: CountryName(ctx, m.Code)})
		}
		rows[i].SeedNames = append(rows[i].SeedNames, m.SeedName)
	}
	keys := make(map[string]string, len(rows))
	for _, r := range rows {
		keys[r.Code] = collate(r.Name)
	}
	sort.SliceStable(rows, func(i, j int) bool { return keys[rows[i].Code] < keys[rows[j].Code] })
	v := MarketsView{Total: len(rows), Query: strings.TrimSpace(query)}
	q := collate(v.Query)
	for _, r := range rows {
		if q == "" || strings.Contains(keys[r.Code], q) || strings.Contains(strings.ToLower(r.Code), q) ||
			strings.Contains(collate(strings.Join(r.SeedNames, " ")), q) {
			v.Rows = append(v.Rows, r)
		}
	}
	return v
}
