// Package i18n holds PartnerDesk's message catalogs (English and Hungarian) and formats dates,
// numbers and money for a locale. Every user-visible string comes from here.
package i18n

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"partnerdesk/internal/desk"

	"golang.org/x/text/collate"
	"golang.org/x/text/currency"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Locale is a language with its messages and number and date conventions. Plural forms follow
// the CLDR rules (golang.org/x/text/feature/plural); the number symbols, the collation and the
// currency symbols come from CLDR through golang.org/x/text.
type Locale struct {
	// Tag is "en" or "hu".
	Tag     string
	lang    language.Tag
	msgs    map[string]string
	group   string // thousands separator
	decimal string
	// minus is the sign of a negative number: Hungarian typography uses U+2212.
	minus   string
	months  [12]string
	dateFmt func(l *Locale, t time.Time) string
	// symFirst: the currency symbol goes before the number.
	symFirst bool
	// symbols maps currency codes to the symbols this language writes.
	symbols map[string]string
	// familyFirst: people's names are written family name first (Hungarian).
	familyFirst bool
}

// Supported lists the locales in the language switch's order.
var Supported = []string{"en", "hu"}

// enSymbols are the symbols the English UI writes; a currency without one shows its code.
var enSymbols = map[string]string{"USD": "$", "EUR": "€", "GBP": "£", "AUD": "A$", "BRL": "R$", "HUF": "Ft", "JPY": "¥", "CAD": "CA$", "CHF": "CHF", "INR": "₹", "NZD": "NZ$"}

var locales = map[string]*Locale{
	"en": newLocale("en", language.English, en, enSymbols, "-", false,
		[12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		func(l *Locale, t time.Time) string {
			return fmt.Sprintf("%s %d, %d", l.months[t.Month()-1], t.Day(), t.Year())
		}),
	// Hungarian: CLDR's symbols, so foreign currencies show their ISO code ("642,00 AUD") and the
	// forint shows "Ft"; names family name first; the minus sign U+2212.
	"hu": newLocale("hu", language.Hungarian, hu, cldrSymbols(language.Hungarian), "\u2212", true,
		[12]string{"jan.", "febr.", "márc.", "ápr.", "máj.", "jún.", "júl.", "aug.", "szept.", "okt.", "nov.", "dec."},
		func(l *Locale, t time.Time) string {
			return fmt.Sprintf("%d. %s %d.", t.Year(), l.months[t.Month()-1], t.Day())
		}),
}

// newLocale builds a locale; its grouping and decimal separators are CLDR's for the language.
func newLocale(tag string, lang language.Tag, msgs, symbols map[string]string, minus string, familyFirst bool,
	months [12]string, dateFmt func(*Locale, time.Time) string) *Locale {
	group, decimal := cldrSeparators(lang)
	return &Locale{Tag: tag, lang: lang, msgs: msgs, group: group, decimal: decimal, minus: minus, months: months,
		dateFmt: dateFmt, symFirst: tag == "en", symbols: symbols, familyFirst: familyFirst}
}

// cldrSeparators reads the language's grouping and decimal separators off CLDR's formatting of
// 1234.5. Numbers are then formatted with integer arithmetic: exact for money, and without the
// cost of a general formatter on every amount of a page.
func cldrSeparators(lang language.Tag) (group, decimal string) {
	s := []rune(message.NewPrinter(lang).Sprint(number.Decimal(1234.5, number.Scale(1))))
	if len(s) != 7 {
		panic("i18n: unexpected CLDR number shape " + string(s))
	}
	return string(s[1]), string(s[5])
}

// cldrSymbols returns CLDR's currency symbols in a language for the currencies PartnerDesk bills in.
func cldrSymbols(lang language.Tag) map[string]string {
	p := message.NewPrinter(lang)
	out := map[string]string{}
	for _, c := range desk.Countries {
		if _, ok := out[c.Currency]; ok {
			continue
		}
		if u, err := currency.ParseISO(c.Currency); err == nil {
			out[c.Currency] = p.Sprint(currency.Symbol(u))
		}
	}
	return out
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

// T returns the message for key, formatted with args; a key missing in this language falls back
// to English (and is recorded, see MissingKeys), a key missing everywhere shows itself, so a gap
// is visible (and the tests fail).
func (l *Locale) T(key string, args ...any) string {
	m, ok := l.msgs[key]
	if !ok {
		recordMissing(l.Tag, key)
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

// Lookup returns the message for key when this language has one: for keys built from data
// (a bitness, a permission), which show as they are when there is no message.
func (l *Locale) Lookup(key string) (string, bool) {
	m, ok := l.msgs[key]
	return m, ok
}

// N returns the plural form of key for n by the language's CLDR plural rule: key+".one" for
// the "one" category, key+".other" for every other; the formatted number is the first argument.
func (l *Locale) N(key string, n int64, args ...any) string {
	form := ".other"
	if n >= 0 && n <= math.MaxInt32 && plural.Cardinal.MatchPlural(l.lang, int(n), 0, 0, 0, 0) == plural.One {
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

// Err translates a domain error's message with its arguments: a CountryCode argument becomes
// the market's name in this language, a NumberArg the number with this language's grouping, a
// TermArg the term's name.
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
		switch v := a.(type) {
		case desk.CountryCode:
			a = l.CountryName(string(v))
		case desk.NumberArg:
			a = l.Number(int64(v))
		case desk.TermArg:
			a = l.Term(string(v))
		case desk.WindowArg:
			a = l.Window(time.Duration(v))
		}
		args[i] = a
	}
	return l.T(e.Message, args...)
}

// Window names a cancellation window as an adjective: "30-day", "36-hour" ("30 napos",
// "36 órás"), in whole days when it is whole days (R26: messages state the configured window).
func (l *Locale) Window(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return l.T("window.days", l.Number(int64(d/(24*time.Hour))))
	}
	return l.T("window.hours", l.Number(int64(d/time.Hour)))
}

// WindowLength names a cancellation window as a length: "30 days", "1 day", "36 hours".
func (l *Locale) WindowLength(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return l.N("window.len.days", int64(d/(24*time.Hour)))
	}
	return l.N("window.len.hours", int64(d/time.Hour))
}

// Term names an offer term ("Perpetual", "1 year"); an unknown term shows as it is.
func (l *Locale) Term(term string) string {
	key := "term." + term
	if term == "" {
		key = "term.none"
	}
	if m, ok := l.Lookup(key); ok {
		return m
	}
	return term
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

// MarketName names a market of the R7 table in this language: the part of a territory that
// Partner Center lists on its own (Bonaire, Svalbard…), else the territory's name.
func (l *Locale) MarketName(u desk.UnavailableMarket) string {
	if en, hu, ok := u.PartNames(); ok {
		if l.Tag == "hu" {
			return hu
		}
		return en
	}
	return l.CountryName(u.Code)
}

// Number formats an integer with the locale's thousands separator and minus sign.
func (l *Locale) Number(n int64) string {
	neg := n < 0
	u := uint64(n)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u, 10)
	var b strings.Builder
	if neg {
		b.WriteString(l.minus)
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(l.group)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Percent formats basis points as a percentage number without the sign, with the locale's
// decimal separator and no trailing zeros ("27", "8.1" in English, "8,1" in Hungarian).
func (l *Locale) Percent(bp int64) string {
	if bp < 0 {
		return l.minus + l.Percent(-bp)
	}
	s := l.Number(bp / 100)
	frac := bp % 100
	switch {
	case frac == 0:
		return s
	case frac%10 == 0:
		return s + l.decimal + strconv.FormatInt(frac/10, 10)
	}
	return s + l.decimal + fmt.Sprintf("%02d", frac)
}

// suffixSymbol lists currencies whose symbol follows the number in every locale (1 234 Ft).
var suffixSymbol = map[string]bool{"HUF": true}

// Money formats an amount for the locale: "€1,234.50" in English, "1 234,50 EUR" in Hungarian,
// "123 456 Ft" for a zero-decimal currency; a negative amount carries the locale's minus sign.
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
	sym, ok := l.symbols[m.Currency]
	if !ok {
		sym = m.Currency
	}
	sign := ""
	if neg {
		sign = l.minus
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

// Period names a monthly period "YYYY-MM" ("December 2026", "2026. december"); other text is
// returned as it is.
func (l *Locale) Period(period string) string {
	t, err := time.Parse("2006-01", period)
	if err != nil {
		return period
	}
	return l.T("billing.period", strconv.Itoa(t.Year()), l.T(fmt.Sprintf("month.%02d", int(t.Month()))))
}

// PersonName joins a first and a family name in the language's order ("Katalin Nagy",
// "Nagy Katalin").
func (l *Locale) PersonName(first, last string) string {
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	switch {
	case first == "":
		return last
	case last == "":
		return first
	case l.familyFirst:
		return last + " " + first
	}
	return first + " " + last
}

// FamilyNameFirst reports whether forms ask for the family name before the first name.
func (l *Locale) FamilyNameFirst() bool { return l.familyFirst }

// Collator returns a collator with the language's alphabet (Hungarian: cs after c, ö after o,
// sz after s…). A collator is not safe for concurrent use: take one per sort.
func (l *Locale) Collator() *collate.Collator { return collate.New(l.lang) }

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

// maxMissing bounds the record of missing keys (keys can be built from data).
const maxMissing = 1000

var missing struct {
	sync.Mutex
	keys map[string]bool
}

func recordMissing(tag, key string) {
	if tag == "en" {
		return
	}
	missing.Lock()
	defer missing.Unlock()
	if missing.keys == nil {
		missing.keys = map[string]bool{}
	}
	if len(missing.keys) < maxMissing {
		missing.keys[tag+": "+key] = true
	}
}

// MissingKeys lists the keys looked up since the process started that a non-English locale has no
// message for ("hu: cancel.button"), sorted: the rendering tests fail on any.
func MissingKeys() []string {
	missing.Lock()
	defer missing.Unlock()
	out := make([]string, 0, len(missing.keys))
	for k := range missing.keys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
