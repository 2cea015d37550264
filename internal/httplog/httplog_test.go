package httplog_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"partnerdesk/internal/httplog"

	"github.com/labstack/echo/v4"
)

// A signed download link is a path: no log line about a request may hold it, whatever happens to
// the request (served, refused, failed, panicked, or matched no route), in text or JSON logs.
func TestLogLinesNameTheRouteNotThePath(t *testing.T) {
	const secret = "eyJrIjoic2hhcmVkIn0.c2lnbmF0dXJlLW9mLXRoZS1saW5r"
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewTextHandler(&buf, nil))
			if format == "json" {
				log = slog.New(slog.NewJSONHandler(&buf, nil))
			}
			e := echo.New()
			e.HTTPErrorHandler = func(err error, c echo.Context) {
				httplog.Error(log, c, "internal error", err)
				c.NoContent(http.StatusInternalServerError)
			}
			e.Use(httplog.Requests(log))
			e.Use(httplog.Recover(log))
			e.GET("/dl/:token", func(c echo.Context) error { return c.String(http.StatusOK, "file") })
			e.GET("/dl/:token/fail", func(c echo.Context) error { return errors.New("database is locked") })
			e.GET("/dl/:token/panic", func(c echo.Context) error { panic("nil map") })
			for _, path := range []string{"/dl/" + secret, "/dl/" + secret + "/fail", "/dl/" + secret + "/panic",
				"/dl/" + secret + "/no/such/route", "/nowhere/" + secret + "?next=" + secret} {
				buf.Reset()
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				out := buf.String()
				if out == "" {
					t.Fatalf("GET %s: nothing logged", path)
				}
				for _, part := range append([]string{secret}, strings.Split(secret, ".")...) {
					if strings.Contains(out, part) {
						t.Errorf("GET %s: the log holds the link (%q):\n%s", path, part, out)
					}
				}
				if !strings.Contains(out, httplog.PathHash(strings.Split(path, "?")[0])) {
					t.Errorf("GET %s: the log lacks the path's hash:\n%s", path, out)
				}
			}
			buf.Reset()
			e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/dl/"+secret+"/panic", nil))
			for _, want := range []string{"panic", "nil map", "/dl/:token/panic", "stack"} {
				if !strings.Contains(buf.String(), want) {
					t.Errorf("panic log lacks %q:\n%s", want, buf.String())
				}
			}
			buf.Reset()
			e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/dl/"+secret+"/fail", nil))
			for _, want := range []string{"internal error", "database is locked", "/dl/:token/fail"} {
				if !strings.Contains(buf.String(), want) {
					t.Errorf("error log lacks %q:\n%s", want, buf.String())
				}
			}
		})
	}
}

func TestPathHashIsShortAndStable(t *testing.T) {
	a, b := httplog.PathHash("/dl/abc"), httplog.PathHash("/dl/abd")
	if len(a) != 12 || a == b || a != httplog.PathHash("/dl/abc") {
		t.Fatalf("PathHash: %q %q", a, b)
	}
}
