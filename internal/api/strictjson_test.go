package api

import (
	"strings"
	"testing"
)

// Low finding of the security review: encoding/json matches names case-insensitively and lets
// the last duplicate win, so `"quantity":1,"Quantity":9999` ordered 9,999. Every API body is
// checked first: each name exactly as documented, once.
func TestStrictJSONNames(t *testing.T) {
	for _, tt := range []struct {
		body string
		bad  string // a part of the message; "" when the body is fine
	}{
		{`{"lineItems":[{"lineItemNumber":0,"offerId":"x","quantity":1}]}`, ""},
		{`{"lineItems":[{"lineItemNumber":0,"offerId":"x","quantity":1,"Quantity":9999}]}`, `"quantity" and "Quantity" differ only in case`},
		{`{"lineItems":[{"lineItemNumber":0,"offerId":"x","Quantity":9999,"quantity":1}]}`, `names are case-sensitive`},
		{`{"lineItems":[{"lineItemNumber":0,"offerId":"x","quantity":1,"quantity":9999}]}`, `"lineItems[0].quantity" is given more than once`},
		{`{"lineItems":[{"lineItemNumber":0,"offerId":"x","QUANTITY":9999}]}`, `names are case-sensitive, this one is "quantity"`},
		{`{"LineItems":[]}`, `names are case-sensitive, this one is "lineItems"`},
		{`{"lineItems":[],"lineItems":[{"lineItemNumber":0,"offerId":"x","quantity":9}]}`, `"lineItems" is given more than once`},
		{`{"billingCycle":"monthly","billingcycle":"annual"}`, `differ only in case`},
		{"{\"lineItems\":[{\"lineItemNumber\":0,\"offerId\":\"x\",\"quantity\":1,\"quantity\u200b\":9}]}", `Unknown field`},
		// encoding/json folds the Kelvin sign to k and the long s to s.
		{"{\"lineItem\u017f\":[]}", `this one is "lineItems"`},
		{"{\"lineItems\":[],\"lineItem\u017f\":[]}", `differ only in case`},
		{`{"lineItems":[{"lineItemNumber":0,"offerId":"x","quantity":1}],"extra":{"a":1,"A":2}}`, `Unknown field "extra"`},
		{`{"id":"x","id":"y"}`, `"id" is given more than once`},
		{`{"lineItems":[{"bogus":1}]}`, `Unknown field "lineItems[0].bogus"`},
		{`{"lineItems":[` + strings.Repeat(`[`, 100) + strings.Repeat(`]`, 100) + `]}`, `nested too deeply`},
	} {
		var o OrderRequest
		err := fzDecode([]byte(tt.body), &o)
		switch {
		case tt.bad == "" && err != nil:
			t.Errorf("%s: %v", tt.body, err)
		case tt.bad != "" && (err == nil || !strings.Contains(err.Error(), tt.bad)):
			t.Errorf("%s: %v, want an error saying %s", tt.body, err, tt.bad)
		}
		if _, ok := err.(*requestError); err != nil && !ok {
			t.Errorf("%s: %T %v, want a 400 naming the field", tt.body, err, err)
		}
	}
	// The other bodies too: a cancellation and a download link.
	var c CancelRequest
	if err := fzDecode([]byte(`{"status":"cancelled","Status":"completed"}`), &c); err == nil {
		t.Error("CancelRequest with Status and status accepted")
	}
	if err := fzDecode([]byte(`{"status":"cancelled","overrideReason":"a","overridereason":"b"}`), &c); err == nil {
		t.Error("CancelRequest with overrideReason twice accepted")
	}
	var l LinkRequest
	if err := fzDecode([]byte(`{"version":"2022","language":"en-us","bitness":"64-bit","Version":"2019"}`), &l); err == nil {
		t.Error("LinkRequest with Version and version accepted")
	}
	var f auditFilter
	for _, raw := range []string{`{"Field":"CompanyName","Value":"a","Operator":"equals","field":"CustomerId"}`, `{"field":"CompanyName","Value":"a","Operator":"equals"}`} {
		if err := decodeStrict([]byte(raw), &f); err == nil {
			t.Errorf("filter %s accepted", raw)
		}
	}
}
