package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A domain error's message is always a catalog key (desk.Error.Message), translated at the edge:
// every key the production code gives a desk.Error (desk.Errorf, KeyError, FieldError,
// RateLimited, the store's notFound and affectedOne, a Message field) is in every catalog.
func TestErrorMessagesAreKeys(t *testing.T) {
	calls := []*regexp.Regexp{
		regexp.MustCompile(`(?:^|[^.\w])(?:desk\.)?(?:Errorf|KeyError|FieldError)\([^,()]+, "([^"]*)"[,)]`),
		regexp.MustCompile(`(?:^|[^.\w])(?:desk\.)?RateLimited\([^,()]+(?:\([^()]*\))?[^,()]*, "([^"]*)"[,)]`),
		regexp.MustCompile(`(?:^|[^.\w])(?:notFound|affectedOne)\(.*, "([^"]*)"\)`),
		regexp.MustCompile(`\bMessage: "([^"]*)"[,}]`),
	}
	seen := 0
	for _, root := range []string{"..", "../../cmd"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "_templ.go") {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, line := range strings.Split(string(src), "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "//") {
					continue
				}
				for _, re := range calls {
					for _, m := range re.FindAllStringSubmatch(line, -1) {
						seen++
						// Has looks in the English catalog; TestCatalogsComplete holds Hungarian to it.
						if !Get("en").Has(m[1]) {
							t.Errorf("%s: the message %q is not a catalog key", path, m[1])
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if seen < 100 {
		t.Fatalf("found only %d error messages in the code: the patterns no longer match it", seen)
	}
}
