package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/service"
	"partnerdesk/web"

	"github.com/labstack/echo/v4"
)

// supportService is what the support handlers need of the service.
type supportService interface {
	Attachment(ctx context.Context, a desk.Actor, requestID, attachmentID string) (desk.Attachment, []byte, error)
	FileSupportRequest(ctx context.Context, a desk.Actor, q desk.SupportRequest, files []service.Upload) (desk.SupportRequest, error)
	SetSupportStatus(ctx context.Context, a desk.Actor, id, status string) error
	SupportRequest(ctx context.Context, a desk.Actor, id string) (desk.SupportRequest, error)
	SupportRequests(ctx context.Context, a desk.Actor) ([]desk.SupportRequest, error)
}

func (s *supportHandlers) supportCrumb(c echo.Context) web.Crumb {
	return web.Crumb{Label: tr(c, "support.title"), Href: "/support"}
}

func (s *supportHandlers) handleSupportList(c echo.Context) error {
	reqs, err := s.svc.SupportRequests(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	p := page(c, "support", tr(c, "support.title"), tr(c, "support.title"), web.Crumb{Label: tr(c, "support.title")})
	return render(c, http.StatusOK, web.SupportListPage(p, reqs))
}

func (s *supportHandlers) supportNewPage(c echo.Context, f web.SupportForm, status int) error {
	p := page(c, "support", tr(c, "support.new"), tr(c, "support.title"), s.supportCrumb(c), web.Crumb{Label: tr(c, "support.new")})
	return render(c, status, web.SupportNewPage(p, f))
}

// handleSupportForm shows Report a problem, pre-filled from the query (the cancel dialog's link).
func (s *supportHandlers) handleSupportForm(c echo.Context) error {
	u := currentUser(c)
	q := desk.SupportRequest{
		ProblemType: c.QueryParam("problem_type"), Impact: "medium", Title: c.QueryParam("title"), CustomerRef: c.QueryParam("customer_ref"),
		OrderRef: c.QueryParam("order_ref"), RefundReason: c.QueryParam("refund_reason"), RequestedAmount: c.QueryParam("requested_amount"),
		Description: c.QueryParam("description"), ContactName: u.DisplayName, ContactEmail: u.Email,
	}
	if q.ProblemType == "" {
		q.ProblemType = desk.ProblemRefund
	}
	return s.supportNewPage(c, web.SupportForm{Request: q}, http.StatusOK)
}

// maxSupportBody bounds a support request upload: the attachments plus the form.
const maxSupportBody = service.MaxAttachments*service.MaxAttachmentSize + 1<<20

func (s *supportHandlers) handleFileSupport(c echo.Context) error {
	req := c.Request()
	req.Body = http.MaxBytesReader(c.Response(), req.Body, maxSupportBody)
	q := desk.SupportRequest{
		ProblemType: c.FormValue("problem_type"), Impact: c.FormValue("impact"), Title: c.FormValue("title"), CustomerRef: c.FormValue("customer_ref"),
		OrderRef: c.FormValue("order_ref"), RefundReason: c.FormValue("refund_reason"), RequestedAmount: c.FormValue("requested_amount"),
		Description: c.FormValue("description"), ContactName: c.FormValue("contact_name"), ContactEmail: c.FormValue("contact_email"),
		ContactPhone: c.FormValue("contact_phone"),
	}
	var uploads []service.Upload
	if form, err := c.MultipartForm(); err == nil {
		for _, fh := range form.File["files"] {
			if fh.Size == 0 && fh.Filename == "" {
				continue
			}
			// Oversized files are refused before they are read; the service checks the rest
			// (count, type, and every other field) and reports all problems at once.
			if fh.Size > service.MaxAttachmentSize {
				return s.supportNewPage(c, web.SupportForm{Request: q, Errors: desk.FieldErrors{"files": "err.attachment_size"}}, http.StatusUnprocessableEntity)
			}
			f, err := fh.Open()
			if err != nil {
				return err
			}
			data, err := io.ReadAll(io.LimitReader(f, service.MaxAttachmentSize+1))
			f.Close()
			if err != nil {
				return err
			}
			uploads = append(uploads, service.Upload{Name: fh.Filename, Data: data})
		}
	} else {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return s.supportNewPage(c, web.SupportForm{Request: q, Errors: desk.FieldErrors{"files": "err.attachment_size"}}, http.StatusRequestEntityTooLarge)
		}
	}
	created, err := s.svc.FileSupportRequest(req.Context(), actor(c), q, uploads)
	var ve *desk.ValidationError
	if errors.As(err, &ve) {
		return s.supportNewPage(c, web.SupportForm{Request: q, Errors: ve.Fields}, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/support/"+created.ID+"?done=support_filed")
}

func (s *supportHandlers) handleSupportDetail(c echo.Context) error {
	q, err := s.svc.SupportRequest(c.Request().Context(), actor(c), c.Param("req"))
	if err != nil {
		return err
	}
	p := page(c, "support", q.Ref(), tr(c, "support.title"), s.supportCrumb(c), web.Crumb{Label: q.Ref()})
	return render(c, http.StatusOK, web.SupportDetailPage(p, q, currentUser(c).Can(desk.PermManageSupport)))
}

func (s *supportHandlers) handleSupportStatus(c echo.Context) error {
	if err := s.svc.SetSupportStatus(c.Request().Context(), actor(c), c.Param("req"), c.FormValue("status")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/support/"+c.Param("req")+"?done=support_updated")
}

// handleAttachment serves an attachment as a download with its sniffed type and a name whose
// extension is that type's, never inline.
func (s *supportHandlers) handleAttachment(c echo.Context) error {
	att, data, err := s.svc.Attachment(c.Request().Context(), actor(c), c.Param("req"), c.Param("att"))
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Type", att.ContentType)
	// The name again through the rule, for attachments stored before it.
	h.Set("Content-Disposition", attachment(desk.AttachmentFileName(att.FileName, att.ContentType)))
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Content-Security-Policy", "sandbox")
	c.Response().WriteHeader(http.StatusOK)
	_, err = c.Response().Write(data)
	return err
}
