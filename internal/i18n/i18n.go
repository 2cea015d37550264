// Package i18n holds PartnerDesk's message catalogs (English and Hungarian) and formats dates,
// numbers and money for a locale. Every user-visible string comes from here.
package i18n

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"partnerdesk/internal/desk"
)

// Locale is a language with its messages and number and date conventions.
type Locale struct {
	// Tag is "en" or "hu".
	Tag      string
	msgs     map[string]string
	group    string // thousands separator
	decimal  string
	months   [12]string
	dateFmt  func(l *Locale, t time.Time) string
	symFirst bool // currency symbol before the number
}

// Supported lists the locales in the language switch's order.
var Supported = []string{"en", "hu"}

var locales = map[string]*Locale{
	"en": {Tag: "en", msgs: en, group: ",", decimal: ".", symFirst: true,
		months: [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		dateFmt: func(l *Locale, t time.Time) string {
			return fmt.Sprintf("%s %d, %d", l.months[t.Month()-1], t.Day(), t.Year())
		}},
	"hu": {Tag: "hu", msgs: hu, group: "\u00a0", decimal: ",", symFirst: false,
		months: [12]string{"jan.", "febr.", "márc.", "ápr.", "máj.", "jún.", "júl.", "aug.", "szept.", "okt.", "nov.", "dec."},
		dateFmt: func(l *Locale, t time.Time) string {
			return fmt.Sprintf("%d. %s %d.", t.Year(), l.months[t.Month()-1], t.Day())
		}},
}

// Get returns the locale for tag, English when unknown.
func Get(tag string) *Locale {
	if l, ok := locales[tag]; ok {
		return l
	}
	return locales["en"]
}

// Negotiate picks the saved choice if any, else the first supported language of Accept-Language.
func Negotiate(saved, acceptLanguage string) *Locale {
	if l, ok := locales[saved]; ok {
		return l
	}
	best, bestQ := "en", -1.0
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(tag)
		base, _, _ := strings.Cut(tag, "-")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if _, ok := locales[base]; ok && q > bestQ {
			best, bestQ = base, q
		}
	}
	return locales[best]
}

// T returns the message for key, formatted with args; a missing key shows itself, so a gap is
// visible (and the catalog test fails).
func (l *Locale) T(key string, args ...any) string {
	m, ok := l.msgs[key]
	if !ok {
		m, ok = en[key]
		if !ok {
			return key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(m, args...)
	}
	return m
}

// N returns the plural form of key for n: key+".one" when n is 1, else key+".other"; the
// formatted number is the first argument.
func (l *Locale) N(key string, n int64, args ...any) string {
	form := ".other"
	if n == 1 {
		form = ".one"
	}
	return l.T(key+form, append([]any{l.Number(n)}, args...)...)
}

// Has reports whether key is a message key (so that domain messages can be either keys or text).
func (l *Locale) Has(key string) bool { _, ok := en[key]; return ok }

// Msg translates a domain message: a catalog key is translated, other text is shown as is.
func (l *Locale) Msg(s string) string {
	if l.Has(s) {
		return l.T(s)
	}
	return s
}

// Err translates a domain error's message with its arguments; a CountryCode argument becomes
// the market's name in this language.
func (l *Locale) Err(err error) string {
	var e *desk.Error
	if !errors.As(err, &e) {
		var ve *desk.ValidationError
		if errors.As(err, &ve) {
			return l.T("form.has_errors")
		}
		return l.T("error.internal")
	}
	if len(e.Args) == 0 {
		return l.Msg(e.Message)
	}
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		if cc, ok := a.(desk.CountryCode); ok {
			a = l.CountryName(string(cc))
		}
		args[i] = a
	}
	return l.T(e.Message, args...)
}

// CountryName returns a market's name in this language (the code when unknown).
func (l *Locale) CountryName(code string) string {
	c, ok := desk.CountryByCode(code)
	if !ok {
		return code
	}
	if l.Tag == "hu" {
		return c.NameHU
	}
	return c.NameEN
}

// Number formats an integer with the locale's thousands separator.
func (l *Locale) Number(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(l.group)
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

var symbols = map[string]string{"USD": "$", "EUR": "€", "GBP": "£", "AUD": "A$", "BRL": "R$", "HUF": "Ft", "JPY": "¥", "CAD": "CA$", "CHF": "CHF", "INR": "₹", "NZD": "NZ$"}

// suffixSymbol lists currencies whose symbol follows the number in every locale (1 234 Ft).
var suffixSymbol = map[string]bool{"HUF": true}

// Money formats an amount for the locale: "€1,234.50" in English, "1 234,50 €" in Hungarian,
// "123 456 Ft" for a zero-decimal currency.
func (l *Locale) Money(m desk.Money) string {
	d := desk.CurrencyDecimals(m.Currency)
	v := m.Minor
	neg := v < 0
	if neg {
		v = -v
	}
	var num string
	if d == 0 {
		num = l.Number(v)
	} else {
		num = l.Number(v/100) + l.decimal + fmt.Sprintf("%02d", v%100)
	}
	sym, ok := symbols[m.Currency]
	if !ok {
		sym = m.Currency
	}
	sign := ""
	if neg {
		sign = "-"
	}
	if l.symFirst && sym != m.Currency && !suffixSymbol[m.Currency] {
		return sign + sym + num
	}
	return sign + num + "\u00a0" + sym
}

// Date formats a date ("Nov 25, 2026", "2026. nov. 25.").
func (l *Locale) Date(t time.Time) string { return l.dateFmt(l, t) }

// DateTime formats a date and 24-hour time in UTC, as Partner Center's logs do.
func (l *Locale) DateTime(t time.Time) string {
	t = t.UTC()
	return l.Date(t) + " " + t.Format("15:04") + " UTC"
}

type ctxKey struct{}

// WithLocale returns a context carrying l.
func WithLocale(ctx context.Context, l *Locale) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From returns the context's locale, English when none.
func From(ctx context.Context) *Locale {
	if l, ok := ctx.Value(ctxKey{}).(*Locale); ok {
		return l
	}
	return locales["en"]
}

// Keys returns every message key of a locale (for the completeness test).
func Keys(tag string) []string {
	var out []string
	for k := range Get(tag).msgs {
		out = append(out, k)
	}
	return out
}
