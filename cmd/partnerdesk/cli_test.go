package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// cli runs the command line in-process with stdin, returning stdout, stderr and the error.
func cli(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

// catalogKey matches a message key of the catalogs (err.password_short): never shown to operators.
var catalogKey = regexp.MustCompile(`\b(err|form|error)\.[a-z_]+`)

// `partnerdesk help`, `-h` and `--help` list every subcommand and are not failures.
func TestCLIHelpListsEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		out, _, err := cli(t, "", args...)
		if !errors.Is(err, errHelpShown) {
			t.Errorf("%v: %v, want the help shown", args, err)
		}
		for _, c := range commands {
			if !strings.Contains(out, "  "+c.name+" ") {
				t.Errorf("%v does not list %q:\n%s", args, c.name, out)
			}
		}
		if !strings.Contains(out, "Ctrl+C") {
			t.Errorf("%v does not say how to stop the server", args)
		}
	}
}

// An unknown command, or a group without its subcommand, names every subcommand.
func TestCLIUnknownCommand(t *testing.T) {
	for _, args := range [][]string{{"frobnicate"}, {"user"}, {"token", "revoke"}} {
		_, _, err := cli(t, "", args...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Fatalf("%v: %v, want a usage error", args, err)
		}
		for _, c := range commands {
			if !strings.Contains(err.Error(), c.name) {
				t.Errorf("%v: %q does not name %q", args, err, c.name)
			}
		}
	}
}

// Each subcommand's --help shows its own flags and none of another's.
func TestCLIFlagsPerCommand(t *testing.T) {
	for _, tt := range []struct {
		args     []string
		has, not []string
	}{
		{[]string{"serve", "--help"}, []string{"-addr", "-demo", "-cancel-windows", "-base-url", "-files-dir", "-data-dir"}, []string{"-email", "-scale"}},
		{[]string{"migrate", "--help"}, []string{"-data-dir", "-database-url"}, []string{"-addr", "-demo", "-link-ttl", "-files-dir", "-email"}},
		{[]string{"user", "create", "--help"}, []string{"-email", "-role", "-name", "-password-stdin"}, []string{"-addr", "-demo", "-secure-cookies", "-link-ttl", "-log-format", "-scale"}},
		{[]string{"token", "create", "--help"}, []string{"-user", "-name", "-expires"}, []string{"-addr", "-demo", "-email"}},
		{[]string{"backup", "-h"}, []string{"-to", "-data-dir"}, []string{"-addr", "-demo"}},
		{[]string{"audit", "verify", "--help"}, []string{"-data-dir"}, []string{"-addr", "-demo", "-to"}},
		{[]string{"demo", "--help"}, []string{"-scale", "-files-dir"}, []string{"-addr", "-email"}},
		{[]string{"help", "backup"}, []string{"-to"}, []string{"-addr"}},
	} {
		out, _, err := cli(t, "", tt.args...)
		if !errors.Is(err, errHelpShown) {
			t.Errorf("%v: %v, want the help shown", tt.args, err)
		}
		if !strings.HasPrefix(out, "usage: partnerdesk ") {
			t.Errorf("%v: no usage line:\n%s", tt.args, out)
		}
		for _, f := range tt.has {
			if !strings.Contains(out, "  "+f+" ") && !strings.Contains(out, "  "+f+"\n") {
				t.Errorf("%v does not show %s:\n%s", tt.args, f, out)
			}
		}
		for _, f := range tt.not {
			if strings.Contains(out, "  "+f+" ") || strings.Contains(out, "  "+f+"\n") {
				t.Errorf("%v shows %s, another command's flag:\n%s", tt.args, f, out)
			}
		}
	}
	// A flag of another command is refused with a sentence naming the command.
	_, _, err := cli(t, "", "migrate", "--addr", "127.0.0.1:1")
	if err == nil || !strings.Contains(err.Error(), "partnerdesk migrate has no flag -addr") {
		t.Errorf("migrate --addr: %v", err)
	}
}

// `user create` reads the password from a pipe; its errors are sentences, never catalog keys.
func TestCLIUserCreate(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PARTNERDESK_DATA_DIR", dir)
	t.Setenv("PARTNERDESK_DATABASE_URL", "")
	out, _, err := cli(t, "a-piped-password-42\n", "user", "create", "--role", "global-admin", "--email", "first@partner.example")
	if err != nil || !strings.Contains(out, "created first@partner.example (global-admin)") || strings.Contains(out, "generated password") {
		t.Fatalf("piped password: %v\n%s", err, out)
	}
	_, _, err = cli(t, "short\n", "user", "create", "--role", "admin-agent", "--email", "second@partner.example")
	if err == nil || describe(err) != "cannot create the user: The password must be at least 12 characters long." {
		t.Errorf("short password: %q", describe(err))
	}
	_, _, err = cli(t, "a-piped-password-42\n", "user", "create", "--role", "admin-agent", "--email", "first@partner.example")
	if err == nil || !strings.Contains(describe(err), "already exists") {
		t.Errorf("duplicate: %v", err)
	}
	_, _, err = cli(t, "", "user", "create", "--role", "wizard", "--email", "x@partner.example")
	if err == nil || !strings.Contains(describe(err), "is not a partner role") {
		t.Errorf("bad role: %v", err)
	}
	// Nothing piped: a password is generated and shown once.
	out, _, err = cli(t, "", "user", "create", "--role", "billing-admin", "--email", "third@partner.example")
	if err != nil || !strings.Contains(out, "generated password (shown once): ") {
		t.Errorf("generated: %v\n%s", err, out)
	}
	_, _, err = cli(t, "", "token", "create", "--user", "nobody@partner.example", "--name", "")
	if err == nil || !strings.Contains(describe(err), `--user "nobody@partner.example" is not an active partner user`) {
		t.Errorf("token for nobody: %v", err)
	}
	for _, e := range []error{err} {
		if catalogKey.MatchString(describe(e)) {
			t.Errorf("a catalog key in %q", describe(e))
		}
	}
	out, _, err = cli(t, "", "token", "create", "--user", "first@partner.example", "--name", "sync")
	if err != nil || !strings.Contains(out, "pdk_") {
		t.Errorf("token: %v\n%s", err, out)
	}
}

// A bad cancellation window stops the start with a message naming it (R26).
func TestCLICancelWindows(t *testing.T) {
	t.Setenv("PARTNERDESK_DATA_DIR", t.TempDir())
	for _, tt := range []struct{ env, want string }{
		{"perpetual=720h,software-subscription=7x", `PARTNERDESK_CANCEL_WINDOWS: the window of software-subscription: "7x" is not a whole number of hours or days`},
		{"subscriptions=168h", `PARTNERDESK_CANCEL_WINDOWS: "subscriptions" is not a product kind; the kinds are perpetual, software-subscription`},
		{"perpetual", `"perpetual" is not kind=window`},
		{"perpetual=0h", `"0h" is not a whole number of hours or days`},
		{"perpetual=400d", `"400d" is not a whole number of hours or days from 1h to 366d`},
	} {
		t.Setenv("PARTNERDESK_CANCEL_WINDOWS", tt.env)
		_, _, err := cli(t, "", "migrate")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.env, err, tt.want)
		}
	}
	t.Setenv("PARTNERDESK_CANCEL_WINDOWS", "")
	_, _, err := cli(t, "", "serve", "--cancel-windows", "perpetual=2w")
	if err == nil || !strings.Contains(err.Error(), `Invalid value "perpetual=2w" for flag -cancel-windows`) {
		t.Errorf("--cancel-windows perpetual=2w: %v", err)
	}
	var cfg config
	if err := (windowsFlag{&cfg.cancelWindows}).Set("perpetual=720h, software-subscription=7d"); err != nil {
		t.Fatal(err)
	}
	if got := (windowsFlag{&cfg.cancelWindows}).String(); got != "perpetual=30d,software-subscription=7d" {
		t.Errorf("windows %q", got)
	}
}

// `make run` serves the data directory of DATA=…, else PARTNERDESK_DATA_DIR, else ./data.
func TestMakeRunDataDir(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	root, _ := filepath.Abs("../..")
	for _, tt := range []struct {
		env  []string
		args []string
		want string
	}{
		{nil, nil, "--data-dir './data'"},
		{[]string{"PARTNERDESK_DATA_DIR=/srv/pd"}, nil, "--data-dir '/srv/pd'"},
		{[]string{"PARTNERDESK_DATA_DIR=/srv/pd"}, []string{"DATA=/tmp/other"}, "--data-dir '/tmp/other'"},
	} {
		cmd := exec.Command("make", append([]string{"-n", "-C", root, "run"}, tt.args...)...)
		cmd.Env = append(filterEnv(os.Environ(), "PARTNERDESK_DATA_DIR=", "DATA="), tt.env...)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), tt.want) {
			t.Errorf("make run %v %v: %v, want %s in\n%s", tt.env, tt.args, err, tt.want, out)
		}
	}
}

func filterEnv(env []string, prefixes ...string) []string {
	var out []string
next:
	for _, e := range env {
		for _, p := range prefixes {
			if strings.HasPrefix(e, p) {
				continue next
			}
		}
		out = append(out, e)
	}
	return out
}
