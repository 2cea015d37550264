package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"partnerdesk/internal/httperr"
	"strconv"
	"strings"
	"time"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/httplog"
	"partnerdesk/internal/i18n"
	"partnerdesk/internal/service"
	"partnerdesk/web"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// softwareService is what the software handlers need of the service.
type softwareService interface {
	CheckDownload(ctx context.Context, token string) (service.Download, error)
	Deliver(ctx context.Context, dl service.Download, ip string) error
	ImportKeys(ctx context.Context, a desk.Actor, r io.Reader) (service.ImportResult, error)
	IssueLink(ctx context.Context, a desk.Actor, customerID, entitlementID string, ref desk.EditionRef, shared bool) (desk.DownloadLink, error)
	PoolCounts(ctx context.Context, a desk.Actor) ([]desk.PoolCount, error)
	RevealKeyOf(ctx context.Context, a desk.Actor, customerID, entitlementID, version string) (string, desk.Entitlement, error)
	SoftwareTab(ctx context.Context, a desk.Actor, customerID string) (desk.Customer, []desk.SoftwareItem, []desk.AzurePurchase, error)
	SoftwareItem(ctx context.Context, a desk.Actor, customerID, entitlementID string) (desk.Customer, desk.SoftwareItem, error)
}

// resultPage is the page around a key or a link shown without JavaScript: the Software tab's
// frame for the purchase's customer (one purchase read, not the whole list).
func (s *softwareHandlers) resultPage(c echo.Context) (desk.Customer, web.Page, error) {
	cust, _, err := s.svc.SoftwareItem(c.Request().Context(), actor(c), c.Param("id"), c.Param("ent"))
	if err != nil {
		return cust, web.Page{}, err
	}
	return cust, page(c, "customers", cust.CompanyName, tr(c, "customer.tab.software"), s.customerCrumbs(c, cust, tr(c, "customer.tab.software"))...), nil
}

// handleCustomerSoftware renders the Software tab.
func (s *softwareHandlers) handleCustomerSoftware(c echo.Context) error {
	return s.renderSoftwareTab(c, nil)
}

// renderSoftwareTab renders the Software tab; picked holds edition choices made without JavaScript.
func (s *softwareHandlers) renderSoftwareTab(c echo.Context, picked map[string]desk.EditionRef) error {
	a := actor(c)
	cust, items, azure, err := s.svc.SoftwareTab(c.Request().Context(), a, c.Param("id"))
	if err != nil {
		return err
	}
	p := page(c, "customers", cust.CompanyName, tr(c, "customer.tab.software"), s.customerCrumbs(c, cust, tr(c, "customer.tab.software"))...)
	v := web.SoftwareView{Customer: cust, Items: items, Azure: azure, Picked: picked, CanKeys: service.KeysAllowed(a, cust.ID),
		CanCancel: a.User.Can(desk.PermCancelPurchase), CanSupport: a.User.Can(desk.PermSupportRequests)}
	return render(c, http.StatusOK, web.SoftwareTab(p, v, web.SoftwareBody(v)))
}

// withChildren renders parent with child as its { children... }.
func withChildren(parent, child templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		return parent.Render(templ.WithChildren(ctx, child), w)
	})
}

func editionRef(c echo.Context) desk.EditionRef {
	return desk.EditionRef{Version: c.FormValue("version"), Language: c.FormValue("language"), Bitness: c.FormValue("bitness")}
}

// handleEditions re-renders the edition picker with the choices narrowed (cascading selects).
func (s *softwareHandlers) handleEditions(c echo.Context) error {
	cust, item, err := s.svc.SoftwareItem(c.Request().Context(), actor(c), c.Param("id"), c.Param("ent"))
	if err != nil {
		return err
	}
	pk := web.NewPicker(cust, item, editionRef(c), "/customers/"+cust.ID+"/software/"+item.ID)
	if isPartial(c) {
		return render(c, http.StatusOK, web.KeysAndDownloads(pk))
	}
	return s.renderSoftwareTab(c, map[string]desk.EditionRef{item.ID: pk.Ref})
}

func (s *softwareHandlers) handleRevealKey(c echo.Context) error {
	ctx := c.Request().Context()
	ref := editionRef(c)
	key, ent, err := s.svc.RevealKeyOf(ctx, actor(c), c.Param("id"), c.Param("ent"), ref.Version)
	if err != nil {
		return err
	}
	item := desk.SoftwareItem{Entitlement: ent}
	c.Response().Header().Set("Cache-Control", "no-store")
	if isPartial(c) {
		return render(c, http.StatusOK, web.KeyDialog(item, ref.Version, key))
	}
	cust, p, err := s.resultPage(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, withChildren(web.SoftwareResultPage(p, cust), web.KeyPanel(item, ref.Version, key)))
}

func (s *softwareHandlers) handleDownload(c echo.Context) error {
	link, err := s.svc.IssueLink(c.Request().Context(), actor(c), c.Param("id"), c.Param("ent"), editionRef(c), false)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, link.URL)
}

func (s *softwareHandlers) handleCopyLink(c echo.Context) error {
	ctx := c.Request().Context()
	link, err := s.svc.IssueLink(ctx, actor(c), c.Param("id"), c.Param("ent"), editionRef(c), true)
	if err != nil {
		return err
	}
	abs := s.origin(c) + link.URL
	c.Response().Header().Set("Cache-Control", "no-store")
	if isPartial(c) {
		return render(c, http.StatusOK, web.LinkResult(link, abs, c.Param("ent")))
	}
	cust, p, err := s.resultPage(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, withChildren(web.SoftwareResultPage(p, cust), web.LinkResult(link, abs, c.Param("ent"))))
}

// handleFile serves a download link: signature, expiry and the purchase's state are checked on
// every request (R18). A Range resumes a large file, one range per request: several ranges
// (which a client can shape into the whole file in pieces) get the whole file. Whatever the
// Range, a GET that sends content marks the purchase downloaded and a shared link's download is
// recorded (R11) before the first byte goes out; HEAD, 304 and 416 answers send none.
func (s *softwareHandlers) handleFile(c echo.Context) error {
	req := c.Request()
	dl, err := s.svc.CheckDownload(req.Context(), c.Param("token"))
	if err != nil {
		loc := i18n.From(req.Context())
		code := desk.ErrorCode(err)
		if code == desk.ENOTFOUND {
			s.log.Error("a download's file is missing from the files directory", "err", err)
		}
		if code != desk.EFORBIDDEN && code != desk.EGONE {
			return err
		}
		status := httperr.Status(code)
		return render(c, status, web.DownloadErrorPage(loc.T("error.title."+statusKey(status)), loc.Err(err), status))
	}
	f, err := os.Open(dl.Path)
	if errors.Is(err, os.ErrNotExist) {
		httplog.Error(s.log, c, "artifact missing", err)
		return desk.Errorf(desk.ENOTFOUND, "err.file_missing")
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if rangeCount(req.Header.Get("Range")) > 1 {
		req.Header.Del("Range")
	}
	h := c.Response().Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", attachment(dl.Edition.FileName))
	h.Set("ETag", strconv.Quote(dl.Edition.SHA256))
	h.Set("X-Checksum-SHA256", dl.Edition.SHA256)
	h.Set("Cache-Control", "private, no-transform")
	w := &deliveryWriter{ResponseWriter: c.Response(), before: func(status int) error {
		if req.Method != http.MethodGet {
			return nil
		}
		return s.svc.Deliver(req.Context(), dl, c.RealIP())
	}}
	http.ServeContent(w, req, dl.Edition.FileName, st.ModTime().Truncate(time.Second), f)
	if w.err != nil {
		for _, k := range []string{"Content-Type", "Content-Disposition", "Content-Length", "Content-Range", "Content-Encoding", "ETag",
			"Last-Modified", "Accept-Ranges", "X-Checksum-SHA256", "Cache-Control"} {
			h.Del(k)
		}
		if code := desk.ErrorCode(w.err); code == desk.EGONE {
			loc := i18n.From(req.Context())
			return render(c, http.StatusGone, web.DownloadErrorPage(loc.T("error.title.410"), loc.Err(w.err), http.StatusGone))
		}
		return w.err
	}
	return nil
}

// rangeCount is how many ranges a Range header asks for ("bytes=0-9, 20-" asks for two).
func rangeCount(header string) int {
	spec, ok := strings.CutPrefix(strings.TrimSpace(header), "bytes=")
	if !ok {
		return 0
	}
	n := 0
	for _, r := range strings.Split(spec, ",") {
		if strings.TrimSpace(r) != "" {
			n++
		}
	}
	return n
}

// deliveryWriter runs before just ahead of a status that sends content (200 or 206): when it
// fails, nothing is written and the handler answers with its error instead.
type deliveryWriter struct {
	http.ResponseWriter
	before func(status int) error
	err    error
}

func (w *deliveryWriter) WriteHeader(status int) {
	if status == http.StatusOK || status == http.StatusPartialContent {
		if w.err = w.before(status); w.err != nil {
			return
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *deliveryWriter) Write(b []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	return w.ResponseWriter.Write(b)
}

func (s *softwareHandlers) handleKeyPools(c echo.Context) error {
	return s.keyPoolsPage(c, web.KeyPoolsView{}, http.StatusOK)
}

func (s *softwareHandlers) keyPoolsPage(c echo.Context, v web.KeyPoolsView, status int) error {
	pools, err := s.svc.PoolCounts(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	v.Pools = pools
	p := page(c, "settings", tr(c, "keys.title"), tr(c, "settings.title"), web.Crumb{Label: tr(c, "settings.title")}, web.Crumb{Label: tr(c, "keys.title")})
	return render(c, status, web.KeyPoolsPage(p, v))
}

// maxImportBytes bounds a key import upload.
const maxImportBytes = 4 << 20

func (s *softwareHandlers) handleImportKeys(c echo.Context) error {
	loc := i18n.From(c.Request().Context())
	fh, err := c.FormFile("csv")
	if err != nil {
		return s.keyPoolsPage(c, web.KeyPoolsView{Errors: []string{loc.T("err.import_nofile")}}, http.StatusUnprocessableEntity)
	}
	if fh.Size > maxImportBytes {
		return s.keyPoolsPage(c, web.KeyPoolsView{Errors: []string{loc.T("err.import_size")}}, http.StatusUnprocessableEntity)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := s.svc.ImportKeys(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	if len(res.Errors) > 0 {
		var msgs []string
		for _, e := range res.Errors {
			msg := loc.T(e.Message, e.Args...)
			if e.Line > 0 {
				msg = loc.T("keys.row", e.Line) + " " + msg
			}
			msgs = append(msgs, msg)
		}
		return s.keyPoolsPage(c, web.KeyPoolsView{Errors: msgs}, http.StatusUnprocessableEntity)
	}
	return s.keyPoolsPage(c, web.KeyPoolsView{Imported: true, Added: res.Added, Assigned: res.Assigned}, http.StatusOK)
}
