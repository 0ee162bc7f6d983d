package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCommandLineErrorsExitTwoAndSayWhereTheUsageIs(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--nope"}, "corral: unknown flag --nope\n"},
		{[]string{"-nope"}, "corral: unknown flag -nope\n"},
		{[]string{"--nope=1"}, "corral: unknown flag --nope\n"},
		{[]string{"--config"}, "flag needs an argument: --config\n"},
		{[]string{"--version=maybe"}, `invalid boolean value "maybe" for --version: `},
		{[]string{"--adopt=abc"}, `invalid value "abc" for flag --adopt: --adopt takes a pid`},
		{[]string{"--name", "web"}, `--name "web" names no command`},
		{[]string{"a", "--name"}, "--name needs a name"},
		{[]string{"--name", "", "a"}, "--name needs a name"},
		{[]string{"--name", "a", "--name=b", "x"}, `--name "a" and --name "b" name the same command`},
		{[]string{"a", "--name", "b", ""}, "an empty command was given"},
		{[]string{"--adopt", "abc"}, "--adopt takes a pid"},
		{[]string{"--adopt", "-3"}, "--adopt takes a pid"},
		{[]string{""}, "an empty command was given"},
		{[]string{"--config", "/no/such/corral.toml"}, "/no/such/corral.toml"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		if code := run(tt.args, strings.NewReader(""), &out, &errOut); code != 2 {
			t.Errorf("%v: status %d, want 2", tt.args, code)
		}
		if !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%v: stderr %q lacks %q", tt.args, errOut.String(), tt.want)
		}
		if out.Len() != 0 {
			t.Errorf("%v: wrote to stdout: %q", tt.args, out.String())
		}
	}
	// The message stays in sight: two lines, the second saying where the
	// usage is; --help prints it whole, naming the config path.
	var errOut, help bytes.Buffer
	run([]string{"--nope"}, strings.NewReader(""), &bytes.Buffer{}, &errOut)
	if lines := strings.Split(strings.TrimSuffix(errOut.String(), "\n"), "\n"); len(lines) != 2 ||
		!strings.HasPrefix(lines[1], "usage: corral") || !strings.Contains(lines[1], "corral --help") {
		t.Fatalf("a bad flag printed:\n%s", errOut.String())
	}
	run([]string{"--help"}, strings.NewReader(""), &help, &bytes.Buffer{})
	if !strings.Contains(help.String(), "usage: corral") || !strings.Contains(help.String(), "config.toml") {
		t.Fatalf("no usage naming the config path:\n%s", help.String())
	}
}

func TestBadConfigFileNamesFileAndLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.toml")
	if err := os.WriteFile(path, []byte("[[agent]]\nname = \"x\"\nkind = \"nope\"\ncommand = \"x\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	if code := run([]string{"--config", path}, strings.NewReader(""), &bytes.Buffer{}, &errOut); code != 2 {
		t.Fatalf("status %d", code)
	}
	if !strings.Contains(errOut.String(), path+":3: ") {
		t.Fatalf("stderr %q", errOut.String())
	}
}

func TestInformationalFlags(t *testing.T) {
	for _, tt := range []struct{ arg, want string }{
		{"--version", "corral dev"}, {"--help", "usage: corral"}, {"--default-config", "[[agent]]"},
	} {
		var out bytes.Buffer
		if code := run([]string{tt.arg}, strings.NewReader(""), &out, &bytes.Buffer{}); code != 0 || !strings.Contains(out.String(), tt.want) {
			t.Errorf("%s: status %d, output %q", tt.arg, code, out.String())
		}
	}
}

func TestNameFlagNamesTheNextCommand(t *testing.T) {
	tests := []struct {
		args            []string
		commands, names []string
	}{
		{[]string{"a", "b"}, []string{"a", "b"}, []string{"", ""}},
		{[]string{"--name", "web", "npm run dev", "--name", "db", "postgres"},
			[]string{"npm run dev", "postgres"}, []string{"web", "db"}},
		{[]string{"a", "-name=x", "b", "c"}, []string{"a", "b", "c"}, []string{"", "x", ""}},
		{[]string{"--name=web", "--config", "/dev/null", "a"}, []string{"a"}, []string{"web"}},
		// After "--" everything is a command line.
		{[]string{"--", "--name", "x"}, []string{"--name", "x"}, []string{"", ""}},
		{[]string{"--name", "n", "a", "--", "--name"}, []string{"a", "--name"}, []string{"n", ""}},
	}
	for _, tt := range tests {
		o, err := parseArgs(tt.args)
		if err != nil {
			t.Errorf("%q: %v", tt.args, err)
			continue
		}
		if !slices.Equal(o.commands, tt.commands) || !slices.Equal(o.names, tt.names) {
			t.Errorf("%q: commands %q names %q, want %q %q", tt.args, o.commands, o.names, tt.commands, tt.names)
		}
	}
}

// The subcommands name a bad flag as typed, as corral itself does.
func TestSubcommandFlagsNamedAsTyped(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"history", "--bogus"}, "corral: unknown flag --bogus\n"},
		{[]string{"logs", "--follow=x", "5"}, `corral: invalid boolean value "x" for --follow`},
		{[]string{"worktrees", "-bogus"}, "corral: unknown flag -bogus\n"},
		{[]string{"history", "extra"}, `corral: history takes no arguments, not "extra"`},
		{[]string{"history", "--limit", "-1"}, "corral: --limit must be 0 (all) or more, not -1"},
	} {
		var out, errOut bytes.Buffer
		if code := run(c.args, strings.NewReader(""), &out, &errOut); code != 2 || !strings.HasPrefix(errOut.String(), c.want) {
			t.Errorf("%q: status %d, stderr %q; want 2 and %q first", c.args, code, errOut.String(), c.want)
		}
	}
	// Then the usage, with the flags as typed too; --help asks for it.
	var errOut bytes.Buffer
	if code := run([]string{"history", "--help"}, strings.NewReader(""), &bytes.Buffer{}, &errOut); code != 0 {
		t.Errorf("history --help: status %d, want 0", code)
	}
	got := errOut.String()
	if !strings.HasPrefix(got, "usage: corral history [flags]:\n") || !strings.Contains(got, "  --limit N ") ||
		!strings.Contains(got, "(default 50)") || strings.Contains(got, "-limit int") {
		t.Errorf("history --help printed:\n%s", got)
	}
}
