package demo

import (
	"strings"

	"partnerdesk/internal/desk"
)

// OrderSpec is a demo order: a customer (domain prefix), an age in days, and lines naming
// offers by a part of their title and their term.
type OrderSpec struct {
	Customer string
	AgeDays  int
	// AgeHours shifts the order within its day (so orders of one day have distinct times).
	AgeHours int
	Lines    []LineSpec
	// Cancel marks a purchase the customer already cancelled (section 6), days after purchase.
	CancelAfterDays int
	// OverrideReason: the cancellation needed a support request (above the amount limit), so
	// the Global admin cancelled it with this reason once support approved the refund.
	OverrideReason string
}

// LineSpec names an offer of the demo catalog.
type LineSpec struct {
	Match string // a part of the offer title, case-insensitive
	Term  string
	Qty   int
}

// Orders are the demo orders: every kind, at ages that exercise the 30-day cancellation window
// (today, 5, 29, 31 and 90 days ago), a SUSE plan, and purchases already cancelled.
var Orders = []OrderSpec{
	{Customer: "contoso", AgeDays: 0, AgeHours: 1, Lines: []LineSpec{{"Windows Server 2022 Standard - 2 Core", desk.TermNone, 8}}},
	{Customer: "contoso", AgeDays: 5, Lines: []LineSpec{{"SQL Server Standard - 2 Core License Pack - 1 year", desk.TermP1Y, 2}}},
	{Customer: "contoso", AgeDays: 29, Lines: []LineSpec{{"Windows Server 2022 Datacenter - 2 Core", desk.TermNone, 4}, {"Windows Server 2022 - User CAL", desk.TermNone, 50}}},
	{Customer: "contoso", AgeDays: 31, Lines: []LineSpec{{"SQL Server Enterprise - 2 Core License Pack - 3 year", desk.TermP3Y, 2}}},
	{Customer: "contoso", AgeDays: 90, Lines: []LineSpec{{"Remote Desktop Services - User CAL", desk.TermNone, 25}, {"Office LTSC Professional Plus 2024", desk.TermNone, 20}}},
	{Customer: "contoso", AgeDays: 12, Lines: []LineSpec{{"Visio Professional 2024", desk.TermNone, 3}}, CancelAfterDays: 2},
	{Customer: "fabrikam", AgeDays: 0, AgeHours: 2, Lines: []LineSpec{{"SQL Server 2022 Enterprise - 2 Core", desk.TermNone, 4}}},
	{Customer: "fabrikam", AgeDays: 5, Lines: []LineSpec{{"Standard_D2s_v5", desk.TermP1Y, 2}}},
	{Customer: "fabrikam", AgeDays: 29, Lines: []LineSpec{{"SUSE Linux Enterprise Server", desk.TermP1Y, 10}}},
	{Customer: "fabrikam", AgeDays: 31, Lines: []LineSpec{{"Windows Server Standard Subscription", desk.TermP1Y, 16}}},
	{Customer: "fabrikam", AgeDays: 90, Lines: []LineSpec{{"Exchange Server 2019 Standard", desk.TermNone, 2}, {"Red Hat Enterprise Linux", desk.TermP3Y, 4}}},
	{Customer: "fabrikam", AgeDays: 20, Lines: []LineSpec{{"Project Professional 2024", desk.TermNone, 5}}, CancelAfterDays: 1},
	{Customer: "wingtiptoys", AgeDays: 3, Lines: []LineSpec{{"Windows Server 2022 Standard - 2 Core", desk.TermNone, 16}, {"SQL Server Standard Subscription", desk.TermP1Y, 4}}},
	{Customer: "tailspintoys", AgeDays: 10, Lines: []LineSpec{{"Windows Server Datacenter - 2 Core License Pack - 3 year", desk.TermP3Y, 8}}},
	{Customer: "northwindtraders", AgeDays: 31, Lines: []LineSpec{{"SQL Server 2022 Standard - 2 Core", desk.TermNone, 6}}},
	{Customer: "adventureworks", AgeDays: 2, Lines: []LineSpec{{"Windows Server 2022 Standard - 2 Core", desk.TermNone, 12}, {"Standard_E4s_v5", desk.TermP3Y, 1}}},
	{Customer: "prosewarekosovo", AgeDays: 7, Lines: []LineSpec{{"Windows Server 2022 Standard - 2 Core", desk.TermNone, 4}}},
	{Customer: "litware", AgeDays: 45, Lines: []LineSpec{{"Office LTSC Professional Plus 2024", desk.TermNone, 30}}},
	{Customer: "treyresearch", AgeDays: 15, Lines: []LineSpec{{"SQL Server Standard - 2 Core License Pack - 3 year", desk.TermP3Y, 2}}, CancelAfterDays: 3,
		OverrideReason: "SR-000001"},
}

// ResolveOffer finds the offer of the catalog whose title contains match and whose term is term.
func ResolveOffer(products []desk.Product, match, term string) (desk.Offer, bool) {
	m := strings.ToLower(match)
	for _, p := range products {
		for _, o := range p.Offers {
			if o.Term == term && strings.Contains(strings.ToLower(o.Title), m) {
				return o, true
			}
		}
	}
	return desk.Offer{}, false
}
