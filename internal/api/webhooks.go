package api

import (
	"net/http"
	"strconv"
	"time"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/service"

	"github.com/labstack/echo/v4"
)

// Webhooks in the style of Partner Center's webhook registration (R21), for a Global admin's
// token: one registration per PartnerDesk, its events, and test events to validate a receiver.

// WebhookRegistration is the webhook registration.
type WebhookRegistration struct {
	SubscriberID  string   `json:"subscriberId" format:"uuid" doc:"The partner's tenant ID."`
	WebhookURL    string   `json:"webhookUrl" doc:"Where the events are POSTed: https://, and a public address."`
	WebhookEvents []string `json:"webhookEvents" enum:"test-created|customer-created|order-created|order-updated|invoice-ready|software-key-retrieved|software-download-link-created"`
	// SigningSecret is in the answers that make one (registration and rotation) and only there.
	SigningSecret            string     `json:"signingSecret,omitempty" doc:"The signing secret: shown once, in the answer that made it (registration, or an update with rotateSigningSecret). X-PartnerDesk-Signature is t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\" keyed with this text>."`
	PreviousSecretValidUntil *time.Time `json:"previousSecretValidUntil,omitempty" doc:"After a rotation: until when the previous secret still signs (a second v1 value)."`
	CreatedDate              time.Time  `json:"createdDate"`
	LastModifiedDate         time.Time  `json:"lastModifiedDate"`
}

// WebhookRegistrationRequest is the body of POST /v1/webhooks/registration.
type WebhookRegistrationRequest struct {
	WebhookURL    string   `json:"webhookUrl" doc:"https:// with a host that resolves to public addresses only (http:// and private addresses with PARTNERDESK_WEBHOOK_ALLOW_PRIVATE=1)."`
	WebhookEvents []string `json:"webhookEvents" minItems:"1" doc:"The events to receive, as GET /v1/webhooks/registration/events lists them."`
}

// WebhookUpdateRequest is the body of PUT /v1/webhooks/registration.
type WebhookUpdateRequest struct {
	WebhookURL          string   `json:"webhookUrl"`
	WebhookEvents       []string `json:"webhookEvents" minItems:"1"`
	RotateSigningSecret bool     `json:"rotateSigningSecret,omitempty" doc:"Make a new signing secret (in the answer, once); the previous one keeps signing beside it for 24 h."`
}

// ValidationEvent is the answer of POST /v1/webhooks/registration/validationEvents.
type ValidationEvent struct {
	CorrelationID string `json:"correlationId" format:"uuid" doc:"The test event's ID: X-PartnerDesk-Event-Id of its delivery."`
}

// ValidationEventStatus is a test event's delivery.
type ValidationEventStatus struct {
	CorrelationID string `json:"correlationId" format:"uuid"`
	Status        string `json:"status" enum:"pending|delivered|failed" doc:"pending until a 2xx answer (delivered), or until retries end after 24 h (failed)."`
	Attempts      int    `json:"attempts" min:"0"`
	LastError     string `json:"lastError" doc:"Why the last attempt failed; empty when there was none or it succeeded."`
}

func (a *API) toRegistration(r desk.WebhookRegistration, secret string) WebhookRegistration {
	out := WebhookRegistration{SubscriberID: a.svc.Config().PartnerTenantID, WebhookURL: r.URL, WebhookEvents: r.Events, SigningSecret: secret,
		CreatedDate: r.CreatedAt, LastModifiedDate: r.UpdatedAt}
	if out.WebhookEvents == nil {
		out.WebhookEvents = []string{}
	}
	if a.svc.Now().Before(r.PreviousUntil) {
		until := r.PreviousUntil
		out.PreviousSecretValidUntil = &until
	}
	return out
}

func (a *API) handleGetWebhook(c echo.Context) error {
	r, err := a.svc.Webhook(ctx(c), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.toRegistration(r, ""))
}

func (a *API) handleCreateWebhook(c echo.Context) error {
	var req WebhookRegistrationRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	r, secret, err := a.svc.RegisterWebhook(ctx(c), actor(c), service.WebhookInput{URL: req.WebhookURL, Events: req.WebhookEvents})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set("Location", "/v1/webhooks/registration")
	return c.JSON(http.StatusCreated, a.toRegistration(r, secret))
}

func (a *API) handleUpdateWebhook(c echo.Context) error {
	var req WebhookUpdateRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	r, secret, err := a.svc.UpdateWebhook(ctx(c), actor(c), service.WebhookInput{URL: req.WebhookURL, Events: req.WebhookEvents}, req.RotateSigningSecret)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, a.toRegistration(r, secret))
}

func (a *API) handleDeleteWebhook(c echo.Context) error {
	if err := a.svc.DeleteWebhook(ctx(c), actor(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (a *API) handleWebhookEvents(c echo.Context) error {
	return c.JSON(http.StatusOK, desk.WebhookEvents)
}

func (a *API) handleCreateValidationEvent(c echo.Context) error {
	id, err := a.svc.SendTestWebhook(ctx(c), actor(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/v1/webhooks/registration/validationEvents/"+id)
	return c.JSON(http.StatusCreated, ValidationEvent{CorrelationID: id})
}

func (a *API) handleGetValidationEvent(c echo.Context) error {
	e, err := a.svc.ValidationEvent(ctx(c), actor(c), c.Param("correlationId"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ValidationEventStatus{CorrelationID: e.ID, Status: e.Status, Attempts: e.Attempts,
		LastError: service.WebhookDeliveryError(e.LastError, e.LastDetail, e.LastStatus)})
}

func (a *API) handleInvoice(c echo.Context) error {
	inv, _, err := a.svc.Invoice(ctx(c), actor(c), c.Param("invoiceId"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toInvoice(inv))
}

func (a *API) handleAuditRecord(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("auditRecordId"), 10, 64)
	if err != nil || id < 1 {
		return desk.Errorf(desk.ENOTFOUND, "err.audit_record_not_found")
	}
	e, err := a.svc.AuditRecord(ctx(c), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAuditRecord(e))
}
