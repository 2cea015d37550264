package server

// The handlers are grouped by area: each area is a type of its own, in its file(s), holding the
// Server (its service, configuration, log and helpers). Server embeds every area, so the routes
// (server.go) name s.handleX as before.
type (
	// accountHandlers: My account: security (two-step verification, password) and API tokens (account.go, tokens.go).
	accountHandlers struct{ *Server }
	// signinHandlers: sign-in, single sign-on and sign-out (identity.go).
	signinHandlers struct{ *Server }
	// activityHandlers: the activity log (activity.go).
	activityHandlers struct{ *Server }
	// billingHandlers: invoices (billing.go).
	billingHandlers struct{ *Server }
	// ordersHandlers: carts, orders and cancellations (orders.go, cancel.go).
	ordersHandlers struct{ *Server }
	// customersHandlers: customers (customers.go).
	customersHandlers struct{ *Server }
	// peopleHandlers: a customer's people (people.go).
	peopleHandlers struct{ *Server }
	// portalHandlers: the customer portal (portal.go).
	portalHandlers struct{ *Server }
	// softwareHandlers: software, keys and downloads (software.go).
	softwareHandlers struct{ *Server }
	// supportHandlers: support requests (support.go).
	supportHandlers struct{ *Server }
	// usersHandlers: partner and customer users (users.go).
	usersHandlers struct{ *Server }
	// webhooksHandlers: webhooks (webhooks.go).
	webhooksHandlers struct{ *Server }
)

// areas are the handler areas Server embeds.
type areas struct {
	accountHandlers
	signinHandlers
	activityHandlers
	billingHandlers
	ordersHandlers
	customersHandlers
	peopleHandlers
	portalHandlers
	softwareHandlers
	supportHandlers
	usersHandlers
	webhooksHandlers
}

// bind points every area at s.
func (a *areas) bind(s *Server) {
	*a = areas{accountHandlers{s}, signinHandlers{s}, activityHandlers{s}, billingHandlers{s}, ordersHandlers{s}, customersHandlers{s}, peopleHandlers{s}, portalHandlers{s}, softwareHandlers{s}, supportHandlers{s}, usersHandlers{s}, webhooksHandlers{s}}
}
