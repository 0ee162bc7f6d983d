package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"corral/config"
	"corral/tui"
)

// loadKeys writes a config holding keys at line 4 and loads it as run does.
func loadKeys(t *testing.T, keys string) (string, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte("[settings]\nkill_grace = 2\n[keys]\n"+keys+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, true)
	if err != nil {
		return path, err
	}
	return path, checkKeys(cfg)
}

func TestKeyGivenToTwoActionsInOneModeIsRefused(t *testing.T) {
	tests := []struct{ name, keys, want string }{
		{"both set", "new = \"K\"\nkill = [\"K\"]",
			`:5: keys.kill: "K" is also the key of new in the run list; a key does one thing there: give one of them another key`},
		{"set against a default", `new = "k"`, `:4: keys.new: "k" is also the key of kill in the run list`},
		{"default tried first", `raw = "q"`, `:4: keys.raw: "q" is also the key of quit in the run list`},
		{"one of several keys", `focus = ["f", "enter", "/"]`, `:4: keys.focus: "/" is also the key of filter in the run list`},
		{"navigation", `first = "home"`, `:4: keys.first: "home" is also the key of top in the run list`},
		{"quit answers yes", `quit = ["q", "y"]`,
			`:4: keys.quit: "y" is also the key of yes in a confirmation`},
		{"up is the adopt list's submit", `up = ["up", "enter"]`, `:4: keys.up: "enter" is also the key of`},
		{"down types a pid", `down = "2"`, `:4: keys.down: "2" is also typed into the pid field in the adopt list`},
		{"up cancels the adopt list", "focus = \"f\"\nup = \"esc\"", `:5: keys.up: "esc" is also the key of cancel in the adopt list`},
		{"yes and no", "yes = \"o\"\nno = \"o\"", `:5: keys.no: "o" is also the key of yes in a confirmation`},
		{"submit cancels", "submit = \"ctrl+s\"\ncancel = [\"esc\", \"ctrl+s\"]", `:5: keys.cancel: "ctrl+s" is also the key of submit in the new-run form`},
		{"next field chooses", `next_choice = "tab"`, `:4: keys.next_choice: "tab" is also the key of next_field in the new-run form`},
		{"submit types", `submit = ["enter", "s"]`, `:4: keys.submit: "s" types into the form's text fields, which could no longer get it`},
		{"cancel types in the filter", `cancel = "space"`, `:4: keys.cancel: "space" types into the form's text fields`},
		{"history takes kill's key", `history = "k"`, `:4: keys.history: "k" is also the key of kill in the run list`},
		{"delete is restart in the history", `delete = "r"`, `:4: keys.delete: "r" is also the key of restart in the history`},
		{"delete filters in the history", `delete = "/"`, `:4: keys.delete: "/" is also the key of filter in the history`},
		{"unknown action", "kill = \"K\"\nkil = \"x\"", `:5: keys.kil: unknown action (one of up, down,`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, err := loadKeys(t, tt.keys)
			var ce *config.Error
			if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), path+tt.want) {
				t.Fatalf("%s: %v, want %s%s", tt.keys, err, path, tt.want)
			}
		})
	}
}

func TestKeysThatDoNotCollideAreAccepted(t *testing.T) {
	for _, keys := range []string{
		"",
		"kill = [\"K\"]\nnew = \"k\"",        // a swap
		"quit = [\"q\", \"n\"]\nnew = \"+\"", // quit and no both cancel a confirmation
		"quit = \"esc\"",                     // the same
		"focus = \"y\"",                      // y answers yes only in a confirmation
		"kill = []\nnew = \"k\"",             // kill unbound
		"unfocus = \"ctrl+g\"\nkill = \"K\"", // the README's example
		"up = [\"up\", \"ctrl+p\"]\ndown = [\"down\", \"ctrl+n\"]",
	} {
		if _, err := loadKeys(t, keys); err != nil {
			t.Errorf("%q: %v", keys, err)
		}
	}
}

// The default bindings, with or without the default config, collide
// nowhere, and every key in them is one a terminal can send.
func TestDefaultKeysAreValid(t *testing.T) {
	if err := checkKeys(config.Default()); err != nil {
		t.Fatal(err)
	}
	km := tui.DefaultKeyMap()
	for _, a := range tui.Actions {
		name, b := a.Name, a.Binding(&km)
		var text strings.Builder
		text.WriteString("[keys]\n" + name + " = [")
		for i, k := range b.Keys() {
			if i > 0 {
				text.WriteString(", ")
			}
			text.WriteString(`'` + k + `'`)
		}
		text.WriteString("]\n")
		path := filepath.Join(t.TempDir(), "c.toml")
		if err := os.WriteFile(path, []byte(text.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := config.Load(path, true); err != nil {
			t.Errorf("the default keys of %s: %v", name, err)
		}
	}
}

func TestEmptyKeyListUnbindsAnAction(t *testing.T) {
	km := keyMap(map[string]config.Keys{"kill": {}, "new": {"k"}})
	if km.Kill.Enabled() || len(km.Kill.Keys()) != 0 {
		t.Fatalf("kill still bound: %v", km.Kill.Keys())
	}
	if strings.Join(km.New.Keys(), ",") != "k" || km.New.Help().Key != "k" {
		t.Fatalf("new: %v %q", km.New.Keys(), km.New.Help().Key)
	}
}

// The [keys] and [theme] tables take exactly the names of the interface's
// tables, and the binary applies every one of them.
func TestConfigTakesTheInterfaceNames(t *testing.T) {
	for _, a := range tui.Actions {
		cfg, err := config.Load(writeConfig(t, "[keys]\n"+a.Name+" = \"f9\"\n"), true)
		if err == nil {
			err = checkKeys(cfg)
		}
		if err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		km := keyMap(cfg.Keys)
		if b := a.Binding(&km); strings.Join(b.Keys(), ",") != "f9" || b.Help().Key != "f9" {
			t.Errorf("%s = f9 gave keys %v, label %q", a.Name, b.Keys(), b.Help().Key)
		}
	}
	for _, s := range tui.PaletteSlots {
		cfg, err := config.Load(writeConfig(t, "[theme]\n"+s.Name+" = \"#010203\"\n"), true)
		if err == nil {
			err = checkKeys(cfg)
		}
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		plain := theme(nil)
		if reflect.DeepEqual(theme(cfg.Theme), plain) && os.Getenv("NO_COLOR") == "" {
			t.Errorf("[theme] %s changed no style", s.Name)
		}
	}
	path := writeConfig(t, "[theme]\naccent = \"1\"\nacent = \"2\"\n")
	cfg, err := config.Load(path, true)
	if err == nil {
		err = checkKeys(cfg)
	}
	if err == nil || !strings.HasPrefix(err.Error(), path+":3: theme.acent: unknown colour (one of accent, subtle,") {
		t.Fatalf("unknown colour: %v", err)
	}
}

// The README's example, kill = ["K"], gives a KeyMap whose kill key and
// label are K, and k is no key of the run list.
func TestKillOnCapitalK(t *testing.T) {
	cfg, err := config.Load(writeConfig(t, "[keys]\nkill = [\"K\"]\n"), true)
	if err == nil {
		err = checkKeys(cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	km := keyMap(cfg.Keys)
	if strings.Join(km.Kill.Keys(), ",") != "K" || km.Kill.Help().Key != "K" {
		t.Fatalf("kill: keys %v, label %q", km.Kill.Keys(), km.Kill.Help().Key)
	}
	for _, name := range keyModes[0].bindings {
		if slices.Contains(km.Binding(name).Keys(), "k") {
			t.Errorf("k is still a key of %s", name)
		}
	}
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A config whose keys lock the user out stops corral before anything
// starts: status 2 and the file and line on stderr.
func TestBadKeysStopCorralBeforeTheUI(t *testing.T) {
	for _, tt := range []struct{ keys, want string }{
		{`quit = "ctrl+shift+hyper+q"`, `:4: keys.quit: "ctrl+shift+hyper+q": the hyper modifier does not reach programs in a terminal`},
		{"kill = [\"K\"]\nnew = \"K\"", `:5: keys.new: "K" is also the key of kill in the run list`},
		{`unfocus = "ctrl+c"`, `:4: keys.unfocus: "ctrl+c" interrupts (SIGINT) in the run in focus`},
	} {
		path := filepath.Join(t.TempDir(), "config.toml")
		if err := os.WriteFile(path, []byte("[settings]\nkill_grace = 2\n[keys]\n"+tt.keys+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		code := run([]string{"--config", path, "sleep 7413"}, strings.NewReader(""), &out, &errOut)
		if code != 2 || !strings.HasPrefix(errOut.String(), "corral: "+path+tt.want) {
			t.Errorf("%s: status %d, stderr %q, want %s", tt.keys, code, errOut.String(), tt.want)
		}
		if strings.Contains(errOut.String(), "stopping") {
			t.Errorf("%s: a run was started: %q", tt.keys, errOut.String())
		}
	}
}

// The README's example configuration loads, keys included.
func TestReadmeConfigExampleLoads(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "## Configuration")
	_, rest, ok2 := strings.Cut(rest, "```toml\n")
	example, _, ok3 := strings.Cut(rest, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("no toml example under ## Configuration in README.md")
	}
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(example), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, true)
	if err == nil {
		err = checkKeys(cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// The default configuration's comment above [keys] lists every action the
// table takes, and no other, so that the list cannot drift from tui.Actions.
func TestDefaultConfigListsEveryAction(t *testing.T) {
	text := config.DefaultTOML()
	_, rest, ok := strings.Cut(text, "# Rebind keys:")
	_, rest, ok2 := strings.Cut(rest, "Actions: ")
	list, _, ok3 := strings.Cut(rest, ".\n")
	if !ok || !ok2 || !ok3 {
		t.Fatal("no list of actions in the comment above [keys] of the default configuration")
	}
	var listed []string
	for _, line := range strings.Split(list, "\n") {
		for _, w := range strings.Split(strings.TrimPrefix(strings.TrimSpace(line), "#"), ",") {
			if w = strings.TrimSpace(w); w != "" {
				listed = append(listed, w)
			}
		}
	}
	names := tui.ActionNames()
	for _, n := range names {
		if !slices.Contains(listed, n) {
			t.Errorf("the default configuration's list of actions lacks %s", n)
		}
	}
	for _, n := range listed {
		if !slices.Contains(names, n) {
			t.Errorf("the default configuration lists %q, which is no action", n)
		}
	}
}
