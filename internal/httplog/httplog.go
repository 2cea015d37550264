// Package httplog is the one way PartnerDesk's HTTP layers (the portal and the REST API) write
// requests, errors and panics to the log. A request is named by its route pattern
// (`/dl/:token`) and a short hash of its path, never by the path itself: a path can hold a
// signed download link, and whoever reads the logs must not be able to download with it.
package httplog

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"time"

	"partnerdesk/internal/desk"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// UserKey is the echo context key under which both HTTP layers keep the signed-in desk.User.
const UserKey = "user"

// NoRoute stands for the route of a request that matched none.
const NoRoute = "(none)"

// Route returns the request's route pattern, e.g. /dl/:token, or NoRoute.
func Route(c echo.Context) string {
	if p := c.Path(); p != "" {
		return p
	}
	return NoRoute
}

// PathHash is a short hash of a path: it tells two log lines about the same URL apart from
// others without showing the URL (48 bits of SHA-256, far too few to recover a link from).
func PathHash(path string) string {
	h := sha256.Sum256([]byte(path))
	return hex.EncodeToString(h[:6])
}

// Attrs are the attributes that name a request in every log line about it: its id, method,
// route pattern and path hash. Never its path, query, cookies or headers.
func Attrs(c echo.Context) []any {
	req := c.Request()
	return []any{"id", c.Response().Header().Get(echo.HeaderXRequestID), "method", req.Method, "route", Route(c),
		"path_hash", PathHash(req.URL.EscapedPath())}
}

// Requests returns the middleware that writes one line per request: Attrs, status, duration,
// the user's id, and extra attributes (the API marks its lines).
func Requests(log *slog.Logger, extra ...any) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			if err := next(c); err != nil {
				c.Error(err)
			}
			attrs := append(Attrs(c), "status", c.Response().Status, "ms", float64(time.Since(start).Microseconds())/1000)
			if u, ok := c.Get(UserKey).(desk.User); ok {
				attrs = append(attrs, "user", u.ID)
			}
			log.Info("request", append(attrs, extra...)...)
			return nil
		}
	}
}

// Recover returns the middleware that turns a panic into a 500 and logs it with Attrs and the
// stack of the panicking goroutine.
func Recover(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		log.Error("panic", append(Attrs(c), "err", err, "stack", string(stack))...)
		return err
	}})
}

// Error logs an error of a request with Attrs.
func Error(log *slog.Logger, c echo.Context, msg string, err error) {
	log.Error(msg, append(Attrs(c), "err", err)...)
}
