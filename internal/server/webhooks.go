package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/service"
	"partnerdesk/web"

	"github.com/labstack/echo/v4"
)

// webhooksService is what the webhooks handlers need of the service.
type webhooksService interface {
	DeleteWebhook(ctx context.Context, a desk.Actor) error
	Now() time.Time
	RedeliverWebhook(ctx context.Context, a desk.Actor, id string) error
	RegisterWebhook(ctx context.Context, a desk.Actor, in service.WebhookInput) (desk.WebhookRegistration, string, error)
	RotateWebhookSecret(ctx context.Context, a desk.Actor) (desk.WebhookRegistration, string, error)
	SendTestWebhook(ctx context.Context, a desk.Actor) (string, error)
	UpdateWebhook(ctx context.Context, a desk.Actor, in service.WebhookInput, rotate bool) (desk.WebhookRegistration, string, error)
	Webhook(ctx context.Context, a desk.Actor) (desk.WebhookRegistration, error)
	WebhookLog(ctx context.Context, a desk.Actor, after string, limit int) (desk.WebhookPage, error)
}

// webhooksPage renders Settings → Webhooks (R21): the registration, the form (v's, or the
// registration's), and a page of the delivery log.
func (s *webhooksHandlers) webhooksPage(c echo.Context, v web.WebhooksView, status int) error {
	ctx := c.Request().Context()
	a := actor(c)
	r, err := s.svc.Webhook(ctx, a)
	switch desk.ErrorCode(err) {
	case "":
		v.Registered, v.Registration = true, r
		if v.Form.URL == "" && v.Errors == nil {
			v.Form.URL, v.Form.Events = r.URL, r.Events
		}
	case desk.ENOTFOUND:
		if v.Form.URL == "" && v.Errors == nil {
			v.Form.Events = []string{desk.WebhookTestCreated, desk.WebhookOrderCreated, desk.WebhookOrderUpdated}
		}
	default:
		return err
	}
	if v.Log, err = s.svc.WebhookLog(ctx, a, c.QueryParam("after"), 50); err != nil {
		return err
	}
	v.Now = s.svc.Now()
	p := page(c, "settings", tr(c, "webhooks.title"), tr(c, "settings.title"), web.Crumb{Label: tr(c, "settings.title")}, web.Crumb{Label: tr(c, "webhooks.title")})
	c.Response().Header().Set("Cache-Control", "no-store")
	return render(c, status, web.WebhooksPage(p, v))
}

func (s *webhooksHandlers) handleWebhooks(c echo.Context) error {
	return s.webhooksPage(c, web.WebhooksView{}, http.StatusOK)
}

// handleSaveWebhook registers the webhook (its signing secret shown once) or saves its URL and
// events.
func (s *webhooksHandlers) handleSaveWebhook(c echo.Context) error {
	ctx := c.Request().Context()
	var v web.WebhooksView
	v.Form.URL = strings.TrimSpace(c.FormValue("url"))
	if form, err := c.FormParams(); err == nil {
		v.Form.Events = form["events"]
	}
	in := service.WebhookInput{URL: v.Form.URL, Events: v.Form.Events}
	_, err := s.svc.Webhook(ctx, actor(c))
	registered := err == nil
	if err != nil && desk.ErrorCode(err) != desk.ENOTFOUND {
		return err
	}
	var secret string
	if registered {
		_, _, err = s.svc.UpdateWebhook(ctx, actor(c), in, false)
	} else {
		_, secret, err = s.svc.RegisterWebhook(ctx, actor(c), in)
	}
	var ve *desk.ValidationError
	if errors.As(err, &ve) {
		v.Errors = ve.Fields
		return s.webhooksPage(c, v, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	if secret != "" {
		return s.webhooksPage(c, web.WebhooksView{Secret: secret}, http.StatusOK)
	}
	return c.Redirect(http.StatusSeeOther, "/settings/webhooks?done=webhook_saved")
}

// handleRotateWebhook makes a new signing secret, shown once; the previous one signs for 24 h more.
func (s *webhooksHandlers) handleRotateWebhook(c echo.Context) error {
	_, secret, err := s.svc.RotateWebhookSecret(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return s.webhooksPage(c, web.WebhooksView{Secret: secret}, http.StatusOK)
}

func (s *webhooksHandlers) handleDeleteWebhook(c echo.Context) error {
	if err := s.svc.DeleteWebhook(c.Request().Context(), actor(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings/webhooks?done=webhook_deleted")
}

func (s *webhooksHandlers) handleTestWebhook(c echo.Context) error {
	if _, err := s.svc.SendTestWebhook(c.Request().Context(), actor(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings/webhooks?done=webhook_test_sent")
}

func (s *webhooksHandlers) handleRedeliverWebhook(c echo.Context) error {
	if err := s.svc.RedeliverWebhook(c.Request().Context(), actor(c), c.FormValue("event")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings/webhooks?done=webhook_redelivered")
}
