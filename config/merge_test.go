package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// load writes text to a config file and loads it, as corral does.
func load(t *testing.T, text string) (*Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return Load(path, true)
}

func names(agents []Agent) []string {
	out := make([]string, len(agents))
	for i, a := range agents {
		out[i] = a.Name
	}
	return out
}

// A file's entries add to the built-in catalog and replace built-in ones of
// the same name in their place; catalog = "replace" drops the built-ins.
// Before, any file replaced the whole catalog.
func TestCatalogMerges(t *testing.T) {
	builtins := []string{"shell", "claude", "claude-run", "codex", "aider", "gemini"}
	tests := []struct {
		name, text string
		want       []string
		// command is the first word of the codex entry, when it is there
		command string
	}{
		{"settings only", "[settings]\nkill_grace = \"2s\"\n", builtins, "codex"},
		{"empty file", "", builtins, "codex"},
		{"a new entry follows the built-ins", "[[agent]]\nname = \"tests\"\nkind = \"command\"\ncommand = \"make test\"\n",
			append(slices.Clone(builtins), "tests"), "codex"},
		{"an entry named like a built-in replaces it in its place",
			"[[agent]]\nname = \"build\"\nkind = \"command\"\ncommand = \"make\"\n\n" +
				"[[agent]]\nname = \"codex\"\nkind = \"session\"\ncommand = [\"/opt/codex\", \"--model\", \"{model}\"]\nmodel = \"o3\"\n",
			append(slices.Clone(builtins), "build"), "/opt/codex"},
		{"merge said", "[settings]\ncatalog = \"merge\"\n[[agent]]\nname = \"x\"\nkind = \"command\"\ncommand = \"x\"\n",
			append(slices.Clone(builtins), "x"), "codex"},
		{"replace", "[settings]\ncatalog = \"replace\"\n[[agent]]\nname = \"x\"\nkind = \"command\"\ncommand = \"x\"\n" +
			"[[agent]]\nname = \"codex\"\nkind = \"session\"\ncommand = \"codex2\"\n", []string{"x", "codex"}, "codex2"},
		{"replace with nothing", "[settings]\ncatalog = \"replace\"\n", []string{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(c.Agents); !slices.Equal(got, tt.want) {
				t.Fatalf("catalog %q, want %q", got, tt.want)
			}
			if a, ok := c.Agent("codex"); ok != (tt.command != "") || ok && a.Command[0] != tt.command {
				t.Fatalf("codex entry %v %q, want %q", ok, a.Command, tt.command)
			}
		})
	}
	// The default itself is not merged with itself.
	if got := names(Default().Agents); !slices.Equal(got, builtins) {
		t.Fatalf("default catalog %q", got)
	}
}

// Every error of a file is reported at once, in the order of the lines,
// each with its line and the field as the README names it. Before, only
// the first was, with agent.1.kind-style names and the decoder's words.
func TestEveryErrorIsReportedAtOnce(t *testing.T) {
	text := `[settings]
kill_grace = true
scrollback_lines = "many"
notify = "loud"

[keys]
quit = 5

[theme]
accent = 7
warn = "purple"

[[agent]]
name = "a"
kind = "agnet"
command = []

[[agent]]
kind = "command"
command = ["x", 3]

[[agent]]
name = "a"
kind = "session"
command = "x"
env = { A = 1 }
modle = "o3"
`
	_, err := load(t, text)
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error %v (%T), want Errors", err, err)
	}
	want := []struct {
		line int
		text string
	}{
		{2, `settings.kill_grace: must be a duration such as "5s" (or a number of seconds), not true`},
		{3, `settings.scrollback_lines: must be a whole number, not "many"`},
		{4, `settings.notify: must be "osc", "bell" or "off", not "loud"`},
		{7, `keys.quit: must be a key or an array of keys such as ["k", "ctrl+k"], not 5`},
		{10, `theme.accent: must be a colour in quotes, "#rrggbb", "#rgb" or "0"-"255", not 7`},
		{11, `theme.warn: "purple" is not a colour`},
		{15, `agent "a" kind: must be "agent", "session" or "command", not "agnet"`},
		{16, `agent "a" command: the program is missing`},
		{18, `agent #2 name: missing: every [[agent]] needs a name`},
		{20, `agent #2 command: must be an array of words such as ["make", "-C", "{project}"], or a command line: word 2 is 3, not a string`},
		{23, `agent "a" name: "a" is defined twice (first at line 14)`},
		{26, `agent "a" env: A: must be a string, not 1`},
		{27, `agent "a" modle: unknown field (the fields here: name, kind, command, model,`},
	}
	if len(errs) != len(want) {
		t.Fatalf("%d errors, want %d:\n%v", len(errs), len(want), err)
	}
	lines := strings.Split(err.Error(), "\n")
	for i, w := range want {
		if errs[i].Line != w.line || !strings.Contains(lines[i], w.text) || !strings.HasSuffix(errs[i].Path, "config.toml") {
			t.Errorf("error %d: %q (line %d), want line %d and %q", i, lines[i], errs[i].Line, w.line, w.text)
		}
		if !strings.HasPrefix(lines[i], errs[i].Path+":"+strconv.Itoa(w.line)+": ") {
			t.Errorf("error %d: %q does not start with the file and line", i, lines[i])
		}
	}
}

// Type errors and misplaced values are told in words, one case a line.
func TestTypeErrorsInWords(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"duration", "[settings]\nkill_grace = [1]\n", `settings.kill_grace: must be a duration such as "5s" (or a number of seconds), not an array`},
		{"whole number", "[settings]\nscrollback_bytes = 1.5\n", "settings.scrollback_bytes: must be a whole number, not 1.5"},
		{"bool", "[settings]\nhistory = \"yes\"\n", `settings.history: must be true or false, not "yes"`},
		{"string", "[[agent]]\nname = 5\nkind = \"command\"\ncommand = \"x\"\n", "agent #1 name: must be a string, not 5"},
		{"a setting outside [settings]", "kill_grace = \"3s\"\n", "config.toml:1: kill_grace: unknown (it is a setting: put it under [settings])"},
		{"an unknown table", "[setings]\nkill_grace = 1\n", "config.toml:1: setings: unknown (the config has [settings], [keys], [theme] and [[agent]] entries)"},
		{"settings not a table", "settings = 5\n", "settings: must be a table, not 5"},
		{"agent as a table", "[agent]\nname = \"a\"\n", "config.toml:1: agent: must be [[agent]] entries (with two brackets), not a table"},
		{"states not a table", "[[agent]]\nname = \"a\"\nkind = \"command\"\ncommand = \"x\"\nstates = \"x\"\n",
			`agent "a" states: must be a table, not "x"`},
		{"catalog", "[settings]\ncatalog = \"drop\"\n", `settings.catalog: must be "merge" (the file's [[agent]] entries add to the built-in ones and replace those of the same name) or "replace"`},
		{"an override is whole", "[[agent]]\nname = \"claude\"\nmodel = \"opus\"\n",
			`agent "claude" kind: missing: "agent", "session" or "command" (it replaces the built-in "claude" whole: copy that entry from corral --default-config)`},
		{"syntax", "[settings]\nkill_grace = = 3\n", "settings.kill_grace: expected value but found '=' instead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.text)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// CheckNames reports every unknown action and colour.
func TestCheckNamesReportsAll(t *testing.T) {
	c := mustParse(t, "[keys]\nkil = \"x\"\nqit = \"y\"\n[theme]\nacent = \"1\"\n")
	err := c.CheckNames([]string{"kill", "quit"}, []string{"accent"})
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 3 || errs[0].Line != 2 || errs[1].Line != 3 || errs[2].Line != 5 {
		t.Fatalf("%v", err)
	}
}
