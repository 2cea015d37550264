package server

// The handlers are grouped by area: each area is a type of its own, in its file(s), holding the
// Server (its configuration, log and helpers) and, as svc, the small interface of the service
// methods its handlers call (declared in its file). Server embeds every area, so the routes
// (server.go) name s.handleX as before.
type (
	// accountHandlers: My account: security (two-step verification, password) and API tokens (account.go, tokens.go).
	accountHandlers struct {
		*Server
		svc accountService
	}
	// signinHandlers: sign-in, single sign-on and sign-out (identity.go).
	signinHandlers struct {
		*Server
		svc signinService
	}
	// activityHandlers: the activity log (activity.go).
	activityHandlers struct {
		*Server
		svc activityService
	}
	// billingHandlers: invoices (billing.go).
	billingHandlers struct {
		*Server
		svc billingService
	}
	// ordersHandlers: carts, orders and cancellations (orders.go, cancel.go).
	ordersHandlers struct {
		*Server
		svc ordersService
	}
	// customersHandlers: customers (customers.go).
	customersHandlers struct {
		*Server
		svc customersService
	}
	// peopleHandlers: a customer's people (people.go).
	peopleHandlers struct {
		*Server
		svc peopleService
	}
	// portalHandlers: the customer portal (portal.go).
	portalHandlers struct {
		*Server
		svc portalService
	}
	// softwareHandlers: software, keys and downloads (software.go).
	softwareHandlers struct {
		*Server
		svc softwareService
	}
	// supportHandlers: support requests (support.go).
	supportHandlers struct {
		*Server
		svc supportService
	}
	// usersHandlers: partner and customer users (users.go).
	usersHandlers struct {
		*Server
		svc usersService
	}
	// webhooksHandlers: webhooks (webhooks.go).
	webhooksHandlers struct {
		*Server
		svc webhooksService
	}
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
	*a = areas{accountHandlers{s, s.svc}, signinHandlers{s, s.svc}, activityHandlers{s, s.svc}, billingHandlers{s, s.svc}, ordersHandlers{s, s.svc}, customersHandlers{s, s.svc}, peopleHandlers{s, s.svc}, portalHandlers{s, s.svc}, softwareHandlers{s, s.svc}, supportHandlers{s, s.svc}, usersHandlers{s, s.svc}, webhooksHandlers{s, s.svc}}
}
