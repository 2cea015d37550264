package e2e

import (
	"context"
	"iter"
	"strconv"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// interceptor holds the browser's requests that match a URL pattern until the test lets each
// one go, fails it, or answers it (Chromium's Fetch domain): a slow or broken network on demand.
type interceptor struct {
	t    *testing.T
	ctx  context.Context
	next func() (*fetch.EventRequestPaused, error, bool)
	stop func()
}

// intercept starts holding the requests whose URL matches pattern (Fetch's wildcards).
func intercept(t *testing.T, ctx context.Context, pattern string) *interceptor {
	t.Helper()
	next, stop := iter.Pull2(chromedp.Events(ctx, fetch.RequestPaused))
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: pattern, RequestStage: fetch.RequestStageRequest}}}); err != nil {
		stop()
		t.Fatalf("intercept %s: %v", pattern, err)
	}
	it := &interceptor{t: t, ctx: ctx, stop: stop}
	it.next = func() (*fetch.EventRequestPaused, error, bool) {
		ev, err, ok := next()
		return &ev, err, ok
	}
	t.Cleanup(it.close)
	return it
}

// held waits for the next request to be held and returns it.
func (it *interceptor) held(what string) *fetch.EventRequestPaused {
	it.t.Helper()
	type res struct {
		ev  *fetch.EventRequestPaused
		err error
		ok  bool
	}
	ch := make(chan res, 1)
	go func() { ev, err, ok := it.next(); ch <- res{ev, err, ok} }()
	select {
	case r := <-ch:
		if r.err != nil || !r.ok {
			it.t.Fatalf("wait for %s: %v", what, r.err)
		}
		return r.ev
	case <-time.After(stepTimeout):
		screenshot(it.t, it.ctx, failName(it.t))
		it.t.Fatalf("wait for %s: no request after %s", what, stepTimeout)
	}
	return nil
}

func (it *interceptor) proceed(ev *fetch.EventRequestPaused) {
	it.t.Helper()
	if _, err := chromedp.Call(it.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID}); err != nil {
		it.t.Fatalf("let %s go: %v", ev.Request.URL, err)
	}
}

func (it *interceptor) fail(ev *fetch.EventRequestPaused) {
	it.t.Helper()
	if _, err := chromedp.Call(it.ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonConnectionRefused}); err != nil {
		it.t.Fatalf("fail %s: %v", ev.Request.URL, err)
	}
}

// answer replies in the server's place, as a proxy or gateway in front of it would.
func (it *interceptor) answer(ev *fetch.EventRequestPaused, status int64, body string) {
	it.t.Helper()
	if _, err := chromedp.Call(it.ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: status,
		ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html"}}, Body: []byte(body)}); err != nil {
		it.t.Fatalf("answer %s: %v", ev.Request.URL, err)
	}
}

// close stops holding requests.
func (it *interceptor) close() {
	if it.stop == nil {
		return
	}
	it.stop()
	it.stop = nil
	if it.ctx.Err() == nil {
		chromedp.Call(it.ctx, fetch.Disable, cdp.Empty{})
	}
}

// busyState reads what the page shows while a request runs: the pressed control's spinner,
// disabled and aria-busy; aria-busy and the progress bar on the region being replaced.
func busyState(t *testing.T, ctx context.Context, control, region string) map[string]bool {
	t.Helper()
	return get(t, ctx, "read the busy state", chromedp.Evaluate[map[string]bool](`(() => {
		const c = `+jsOrNull(control)+`, r = document.querySelector(`+strconv.Quote(region)+`);
		const bar = r ? getComputedStyle(r, '::before') : null;
		return {
			spinner: !!c && !!c.querySelector('.spinner'),
			disabled: !!c && (c.disabled || c.getAttribute('aria-disabled') === 'true'),
			controlBusy: !!c && c.getAttribute('aria-busy') === 'true',
			regionBusy: !!r && r.getAttribute('aria-busy') === 'true',
			progressBar: !!bar && bar.content !== 'none' && parseFloat(bar.height) === 2,
		};
	})()`))
}

func jsOrNull(sel string) string {
	if sel == "" {
		return "null"
	}
	return "document.querySelector(" + strconv.Quote(sel) + ")"
}

// netError reads the failure message bar: its text, role and whether it offers Retry.
func netError(t *testing.T, ctx context.Context) (string, string, bool) {
	t.Helper()
	get(t, ctx, "wait for the message bar", chromedp.Poll[bool](`!!document.querySelector('[data-testid="net-error"]')`, chromedp.WithPollingInterval(pollInterval)))
	r := get(t, ctx, "read the message bar", chromedp.Evaluate[[]string](`(() => {
		const b = document.querySelector('[data-testid="net-error"]');
		const retry = b.querySelector('[data-testid="net-retry"]');
		return [b.textContent.replace(/\s+/g, ' ').trim(), b.getAttribute('role'), retry && !retry.hidden ? 'retry' : ''];
	})()`))
	return r[0], r[1], r[2] == "retry"
}

// A slowed request shows it is working (UI.md §8): the search's results region is aria-busy
// with a 2px progress bar; Get key gets a spinner, is disabled and marks its region busy; all of
// it ends with the answer, and the focus is back where it was.
func TestBusyState(t *testing.T) {
	env := apptest.Start(t)
	ws, _ := swPurchase(t, env, "Windows Server 2022 Standard - 2 Core")
	ctx := newBrowser(t)
	signInDemo(t, ctx, env, tourAgent)

	run(t, ctx, "open the customer list", chromedp.Navigate(env.URL+"/customers"), chromedp.WaitVisible(testID("customer-table")))
	it := intercept(t, ctx, "*/customers?q=*")
	run(t, ctx, "type a search", chromedp.SendKeys(testID("customer-search"), "fabrikam"))
	ev := it.held("the search request")
	st := busyState(t, ctx, "", "#customer-results")
	if !st["regionBusy"] || !st["progressBar"] {
		t.Errorf("while the search runs: %v, want the results aria-busy with a 2px progress bar", st)
	}
	it.proceed(ev)
	get(t, ctx, "wait for the results", chromedp.Poll[bool](`document.querySelectorAll('[data-testid="customer-row"]').length === 1 && !document.querySelector('#customer-results[aria-busy]')`, chromedp.WithPollingInterval(pollInterval)))
	it.close()

	run(t, ctx, "open Contoso's Software tab", chromedp.Navigate(env.URL+"/customers/"+apptest.ContosoID+"/software"), chromedp.WaitVisible(swIn(ws, "kd-toggle")))
	run(t, ctx, "open Keys and downloads", chromedp.Click(swIn(ws, "kd-toggle")), chromedp.WaitVisible(swIn(ws, "get-key")))
	it = intercept(t, ctx, "*/software/*/key")
	getKey := swRowCSS(ws) + ` [data-testid="get-key"]`
	run(t, ctx, "click Get key", chromedp.Click(chromedp.CSS(getKey)))
	ev = it.held("the key request")
	screenshot(t, ctx, "busy-get-key")
	kd := swRowCSS(ws) + ` [data-testid="kd-form"]`
	st = busyState(t, ctx, getKey, kd)
	for _, k := range []string{"spinner", "disabled", "controlBusy", "regionBusy"} {
		if !st[k] {
			t.Errorf("while Get key runs: %s is false (%v)", k, st)
		}
	}
	it.proceed(ev)
	run(t, ctx, "wait for the key", chromedp.WaitVisible(chromedp.CSS(`dialog[open][data-testid="key-dialog"]`)))
	st = busyState(t, ctx, getKey, kd)
	for k, v := range st {
		if v && k != "progressBar" {
			t.Errorf("after the answer: %s is still true", k)
		}
	}
	it.close()

	// The edition picker: choosing a version keeps the focus on the select it replaced.
	// The dialog's close event (which gives the focus back to Get key) comes after its open
	// attribute goes: wait for the dialog itself to go.
	run(t, ctx, "close the dialog", chromedp.Click(chromedp.CSS(`dialog[open] [data-testid="close-dialog"]`)), chromedp.WaitNotPresent(testID("key-dialog")))
	sel := swRowCSS(ws) + ` [data-testid="pick-version"]`
	run(t, ctx, "focus the version", chromedp.Focus(chromedp.CSS(sel)))
	swChoose(t, ctx, ws, "pick-version", "2019")
	if !get(t, ctx, "check the focus", chromedp.Evaluate[bool](`document.activeElement === document.querySelector(`+strconv.Quote(sel)+`)`)) {
		t.Errorf("after the picker reloaded the focus is on %q, want the version", get(t, ctx, "read the focus", chromedp.Evaluate[string](`document.activeElement.outerHTML.slice(0, 120)`)))
	}
}

// A failed request shows a message bar — "Couldn't reach PartnerDesk. Try again.", role=alert,
// with Retry — and never puts a page that did not come from PartnerDesk (a proxy's 502) into
// this one; Retry sends the request again.
func TestFailedRequestShowsMessageBar(t *testing.T) {
	env := apptest.Start(t)
	ws, _ := swPurchase(t, env, "Windows Server 2022 Standard - 2 Core")
	ctx := newBrowser(t)
	signInDemo(t, ctx, env, tourAgent)
	const want = "Couldn't reach PartnerDesk. Try again."

	// The network fails: Get key.
	run(t, ctx, "open Contoso's Software tab", chromedp.Navigate(env.URL+"/customers/"+apptest.ContosoID+"/software"), chromedp.WaitVisible(swIn(ws, "kd-toggle")))
	run(t, ctx, "open Keys and downloads", chromedp.Click(swIn(ws, "kd-toggle")), chromedp.WaitVisible(swIn(ws, "get-key")))
	it := intercept(t, ctx, "*/software/*/key")
	getKey := swRowCSS(ws) + ` [data-testid="get-key"]`
	run(t, ctx, "click Get key", chromedp.Click(chromedp.CSS(getKey)))
	it.fail(it.held("the key request"))
	msg, role, retry := netError(t, ctx)
	screenshot(t, ctx, "failed-get-key")
	if !strings.Contains(msg, want) || role != "alert" || !retry {
		t.Errorf("after a network failure the message bar reads %q (role %q, retry %v)", msg, role, retry)
	}
	if st := busyState(t, ctx, getKey, swRowCSS(ws)+` [data-testid="kd-form"]`); st["spinner"] || st["disabled"] || st["regionBusy"] {
		t.Errorf("the busy state stays after the failure: %v", st)
	}
	// Retry sends it again; this time it goes through.
	it.close()
	run(t, ctx, "click Retry",
		chromedp.Click(testID("net-retry")),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open][data-testid="key-dialog"]`)),
		chromedp.WaitNotPresent(testID("net-error")),
	)
	run(t, ctx, "close the dialog", chromedp.Click(chromedp.CSS(`dialog[open] [data-testid="close-dialog"]`)), chromedp.WaitNotPresent(chromedp.CSS(`dialog`)))

	// A gateway answers with its own error page: the search.
	run(t, ctx, "open the customer list", chromedp.Navigate(env.URL+"/customers"), chromedp.WaitVisible(testID("customer-table")))
	rows := get(t, ctx, "count the rows", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="customer-row"]').length`))
	it = intercept(t, ctx, "*/customers?q=*")
	run(t, ctx, "type a search", chromedp.SendKeys(testID("customer-search"), "contoso"))
	it.answer(it.held("the search request"), 502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>")
	msg, role, retry = netError(t, ctx)
	screenshot(t, ctx, "failed-search-502")
	if !strings.Contains(msg, want) || role != "alert" || !retry {
		t.Errorf("after a gateway's 502 the message bar reads %q (role %q, retry %v)", msg, role, retry)
	}
	body := get(t, ctx, "read the page", chromedp.Evaluate[string](`document.body.innerHTML`))
	for _, foreign := range []string{"Bad Gateway", "nginx"} {
		if strings.Contains(body, foreign) {
			t.Errorf("the gateway's page is in PartnerDesk's: %q", foreign)
		}
	}
	if n := get(t, ctx, "count the rows", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="customer-row"]').length`)); n != rows {
		t.Errorf("the results changed to %d rows (were %d) after the failure", n, rows)
	}
	it.close()
	run(t, ctx, "click Retry", chromedp.Click(testID("net-retry")))
	get(t, ctx, "wait for the search's results", chromedp.Poll[bool](`document.querySelectorAll('[data-testid="customer-row"]').length === 1 && !document.querySelector('[data-testid="net-error"]')`, chromedp.WithPollingInterval(pollInterval)))
}
