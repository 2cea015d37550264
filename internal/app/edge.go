package app

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// ParseBaseURL checks a public base URL (PARTNERDESK_BASE_URL) and returns its origin: an
// absolute http or https URL with a host and nothing after it, e.g. https://desk.example.com.
func ParseBaseURL(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", errors.New("must be the public origin, e.g. https://desk.example.com (http or https, a host and an optional port, no path)")
	}
	if _, err := hostPort(u.Host, u.Scheme); err != nil {
		return "", errors.New("has a bad port")
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

// hostPort is a Host header's host and port, with the scheme's default port when none is given.
func hostPort(host, scheme string) (string, error) {
	h, p, err := net.SplitHostPort(host)
	if err != nil {
		h, p = strings.Trim(host, "[]"), map[string]string{"https": "443", "http": "80"}[scheme]
	}
	if p == "" {
		return "", errors.New("empty port")
	}
	return strings.ToLower(h) + ":" + p, nil
}

// edge is what every request meets first, portal and API alike. With a public base URL, a
// request for any other Host gets 421 Misdirected Request: links and redirects are built on the
// configured origin, and a request that reached this server under another name (a forged Host,
// a stray DNS record) is refused rather than answered. /healthz answers whatever the Host, for
// load balancers that probe by address. With secure cookies the site is HTTPS-only: HSTS tells
// browsers never to use plain HTTP for it again.
func edge(next http.Handler, baseURL string, secure bool) http.Handler {
	var want, scheme string
	if baseURL != "" {
		u, _ := url.Parse(baseURL)
		scheme = u.Scheme
		want, _ = hostPort(u.Host, scheme)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if secure {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		if want != "" && r.URL.Path != "/healthz" {
			if got, err := hostPort(r.Host, scheme); err != nil || got != want {
				misdirected(w, r, baseURL)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// misdirected answers 421: JSON in the API's error shape under /v1/, plain text elsewhere.
func misdirected(w http.ResponseWriter, r *http.Request, baseURL string) {
	w.Header().Set("Cache-Control", "no-store")
	msg := "This server answers at " + baseURL + " only."
	if strings.HasPrefix(r.URL.Path, "/v1/") {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusMisdirectedRequest)
		fmt.Fprintf(w, `{"code":421,"description":%q,"data":[]}`, msg)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusMisdirectedRequest)
	fmt.Fprintln(w, "421 Misdirected Request: "+msg)
}
