package main

import (
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
)

// Every PARTNERDESK_* variable the binary reads and every flag it takes is documented in the
// README's Configuration section (or its command table): the configuration is documented from
// the one place it is parsed.
func TestConfigurationDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(readme)
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]bool{}
	for _, m := range regexp.MustCompile(`"(PARTNERDESK_[A-Z_]+)"`).FindAllStringSubmatch(string(src), -1) {
		vars[m[1]] = true
	}
	if len(vars) < 10 {
		t.Fatalf("found only %d PARTNERDESK_* variables in main.go", len(vars))
	}
	for v := range vars {
		if !strings.Contains(doc, "`"+v+"`") {
			t.Errorf("README does not document %s", v)
		}
	}
	var cfg config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	bind(fs, &cfg, flagsDatabase|flagsFiles|flagsServer)
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(doc, "`--"+f.Name) {
			t.Errorf("README does not document the flag --%s", f.Name)
		}
	})
}
