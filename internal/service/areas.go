package service

// The use cases are grouped by area: each area is a type of its own, in its file(s), holding the
// Service it works with (store, clock, configuration and the helpers every area shares).
// Service embeds every area, so a caller calls svc.PlaceOrder and a handler declares, where it
// is used, the small interface of the few methods it needs.
type (
	// activityArea: the activity log, its keyed chain, checkpoints and denials (activity.go,
	// audit.go, sealer.go).
	activityArea struct{ *Service }
	// identityArea: sign-in, sessions, two-step verification and single sign-on (auth.go,
	// mfa.go, sso.go, signinlimit.go).
	identityArea struct{ *Service }
	// billingArea: the billing run and invoices (billing.go).
	billingArea struct{ *Service }
	// ordersArea: carts, orders and cancellations (orders.go, cancel.go).
	ordersArea struct{ *Service }
	// catalogArea: products, offers and prices (catalog.go).
	catalogArea struct{ *Service }
	// customersArea: customers (customers.go).
	customersArea struct{ *Service }
	// peopleArea: a customer's people and the import (people.go).
	peopleArea struct{ *Service }
	// softwareArea: entitlements, keys and downloads (software.go).
	softwareArea struct{ *Service }
	// supportArea: support requests (support.go).
	supportArea struct{ *Service }
	// tokensArea: API tokens (tokens.go).
	tokensArea struct{ *Service }
	// usersArea: partner and customer users (users.go).
	usersArea struct{ *Service }
	// webhooksArea: webhook registration and delivery (webhooks.go).
	webhooksArea struct{ *Service }
)

// areas are the use case areas Service embeds.
type areas struct {
	activityArea
	identityArea
	billingArea
	ordersArea
	catalogArea
	customersArea
	peopleArea
	softwareArea
	supportArea
	tokensArea
	usersArea
	webhooksArea
}

// bind points every area at s.
func (a *areas) bind(s *Service) {
	*a = areas{activityArea{s}, identityArea{s}, billingArea{s}, ordersArea{s}, catalogArea{s}, customersArea{s},
		peopleArea{s}, softwareArea{s}, supportArea{s}, tokensArea{s}, usersArea{s}, webhooksArea{s}}
}
