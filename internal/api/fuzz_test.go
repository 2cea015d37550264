package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// fzDecode runs decode on body as the request body of a JSON POST.
func fzDecode(body []byte, v any) error {
	req := httptest.NewRequest(http.MethodPost, "/v1/customers/x/orders", bytes.NewReader(body))
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	c := echo.New().NewContext(req, httptest.NewRecorder())
	return decode(c, v)
}

// fzCheckDecodeError fails unless err is nil, a *requestError with a message (400) or the 413
// of an oversized body: anything else would reach the client as a 500.
func fzCheckDecodeError(t *testing.T, what string, body []byte, err error) {
	t.Helper()
	if err == nil {
		// Strict decoding accepts exactly one well-formed JSON value.
		if !json.Valid(body) {
			t.Fatalf("%s: decode accepted invalid JSON %q", what, body)
		}
		return
	}
	switch e := err.(type) {
	case *requestError:
		if e.msg == "" || e.data == nil {
			t.Fatalf("%s: request error without message or data: %#v for %q", what, e, body)
		}
	case *echo.HTTPError:
		if e.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("%s: HTTP error %d for %q", what, e.Code, body)
		}
	default:
		t.Fatalf("%s: decode returned %T %v for %q, want nil or a *requestError", what, err, err, body)
	}
}

// The API's strict JSON decoding never panics and answers every body with either a decoded value
// or a 400 (413 when too large) naming the problem — never an error that would become a 500.
func FuzzDecodeOrderRequest(f *testing.F) {
	for _, s := range []string{
		`{"lineItems":[{"lineItemNumber":0,"offerId":"DG7GMGF0FKZV:0001:DG7GMGF0DWMS","quantity":2}]}`,
		`{"id":"o1","referenceCustomerId":"c1","billingCycle":"monthly","lineItems":[{"lineItemNumber":0,"offerId":"x","quantity":1,"termDuration":"P1Y","billingCycle":"annual","friendlyName":"n"}]}`,
		`{"id":"o1","status":"cancelled","lineItems":[{"lineItemNumber":0,"quantity":0}]}`,
		`{"status":"cancelled"}`,
		``, ` `, `null`, `{}`, `[]`, `"x"`, `1`, `{}{}`, `{} {}`, `{}]`, `{}}`, `{} x`, `{`, `{"lineItems":`,
		`{"lineItems":[{"quantity":1e400}]}`, `{"lineItems":[{"quantity":"2"}]}`, `{"lineItems":{}}`,
		`{"lineItems":[{"lineItemNumber":-9223372036854775809}]}`, `{"unknown":1}`, `{"lineItems":[{"bogus":true}]}`,
		`{"ID":"case-insensitive match"}`, `{"id":"\ud800"}`, "{\"id\":\"\xff\"}", `{"lineItems":[{"quantity":null}]}`,
		`{"status":"cancelled","lineItems":[{"quantity":-1}]}`, "\ufeff{}", `{"id":1}`, `{"lineItems":[[]]}`,
		`{"lineItems":[{"quantity":1,"Quantity":9999}]}`, `{"id":"a","id":"b"}`, "{\"lineItem\u017f\":[]}", `{"lineItems":[{"a":{"b":[{"c":1,"C":2}]}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var o OrderRequest
		fzCheckDecodeError(t, "OrderRequest", body, fzDecode(body, &o))
		var c CancelRequest
		fzCheckDecodeError(t, "CancelRequest", body, fzDecode(body, &c))
	})
}

// A body over the 1 MiB limit is a 413, not a 400 or a 500.
func TestDecodeTooLarge(t *testing.T) {
	body := []byte(`{"id":"` + strings.Repeat("x", maxBody) + `"}`)
	var o OrderRequest
	err := fzDecode(body, &o)
	var he *echo.HTTPError
	if !errors.As(err, &he) || he.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("decode of %d bytes: %v, want 413", len(body), err)
	}
	// Exactly at the limit it still decodes.
	body = []byte(`{"id":"` + strings.Repeat("x", maxBody-len(`{"id":""}`)) + `"}`)
	if err := fzDecode(body, &o); err != nil || len(o.ID) != maxBody-len(`{"id":""}`) {
		t.Fatalf("decode of exactly %d bytes: %v", len(body), err)
	}
}
