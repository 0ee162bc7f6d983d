// Package config reads corral's configuration file: settings, key and theme
// overrides, and the catalog of agents and commands that the new-run form
// offers, with command templates that are expanded into argv words.
package config

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"corral/activity"
	"corral/registry"
	"corral/worktree"

	"github.com/BurntSushi/toml"
)

//go:embed default.toml
var defaultTOML string

// Default returns the embedded default configuration.
func Default() *Config {
	c, err := parse("", defaultTOML)
	if err != nil {
		panic("embedded default config: " + err.Error()) // a build defect, caught by tests
	}
	return c
}

// DefaultTOML returns the text of the embedded default configuration, which
// documents every setting.
func DefaultTOML() string { return defaultTOML }

// Config is a loaded configuration.
type Config struct {
	// Path is the file it came from; empty for the embedded default.
	Path     string
	Settings Settings          `toml:"settings"`
	Keys     map[string]Keys   `toml:"keys"`
	Theme    map[string]string `toml:"theme"`
	Agents   []Agent           `toml:"agent"`

	text string // the TOML it was read from, to find the line of a key
}

// Settings are the general settings.
type Settings struct {
	ScrollbackLines int      `toml:"scrollback_lines"`
	ScrollbackBytes int      `toml:"scrollback_bytes"`
	KillGrace       Duration `toml:"kill_grace"`
	// Notify is how corral tells its terminal that a run needs attention:
	// NotifyOSC (the default), NotifyBell or NotifyOff.
	Notify string `toml:"notify"`
	// NotifyCommand is a program run on the same occasions, with {name},
	// {state} and {detail} expanded in its words; nil: none.
	NotifyCommand Template `toml:"notify_command"`
	// ActiveWindow is how long a plain command counts as active after it
	// wrote (activity.DefaultActiveWindow when absent).
	ActiveWindow Duration `toml:"active_window"`
	// AttentionFirst sorts the runs that need attention first.
	AttentionFirst bool `toml:"attention_first"`
	// History records runs and their output on disk; true when absent.
	History *bool `toml:"history"`
	// HistoryLogCap bounds one run's log, in bytes (DefaultHistoryLogCap
	// when absent).
	HistoryLogCap int64 `toml:"history_log_cap"`
	// HistoryTotalCap bounds all logs together, in bytes
	// (DefaultHistoryTotalCap when absent).
	HistoryTotalCap int64 `toml:"history_total_cap"`
	// HistoryMaxAge is how long past runs are kept (DefaultHistoryMaxAge
	// when absent).
	HistoryMaxAge Duration `toml:"history_max_age"`
	// Catalog is CatalogMerge (the default: the file's entries add to the
	// built-in catalog) or CatalogReplace (they are the whole catalog).
	Catalog string `toml:"catalog"`
	// WorktreePrefix starts the name of the branch of a run's new git
	// worktree (worktree.DefaultPrefix, "corral/", when absent or empty).
	WorktreePrefix string `toml:"worktree_prefix"`
	// WorktreeDir is where new worktrees are made, as the file writes it
	// (~ and $VARs allowed); "": worktree.DefaultRoot. See WorktreeRoot.
	WorktreeDir string `toml:"worktree_dir"`
}

// WorktreeRoot is the directory new worktrees are made in: WorktreeDir with
// ~ and $VARs expanded, or "" for worktree.DefaultRoot.
func (s Settings) WorktreeRoot() string {
	d := os.ExpandEnv(s.WorktreeDir)
	if d == "~" || strings.HasPrefix(d, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			d = home + d[1:]
		}
	}
	return d
}

// HistoryOn reports whether runs are recorded on disk.
func (s Settings) HistoryOn() bool { return s.History == nil || *s.History }

// The values of Settings.Notify.
const (
	// NotifyOSC rings the bell and sends an OSC 9 or OSC 777 notification.
	NotifyOSC = "osc"
	// NotifyBell rings the bell only.
	NotifyBell = "bell"
	// NotifyOff sends nothing.
	NotifyOff = "off"
)

// Agent is a catalog entry.
type Agent struct {
	Name        string            `toml:"name"`
	Kind        Kind              `toml:"kind"`
	Command     Template          `toml:"command"`
	Model       string            `toml:"model"`
	Task        string            `toml:"task"`
	Env         map[string]string `toml:"env"`
	Dir         string            `toml:"dir"`
	Description string            `toml:"description"`
	// Format is "stream-json" for runs that speak Claude Code's stream.
	Format Format `toml:"format"`
	// Hooks is "" (automatic: see HookKind) or "off" (none: the state
	// comes from the screen and the generic signals).
	Hooks string `toml:"hooks"`
	// States are the entry's screen patterns; empty ones take the built-in
	// defaults of its program (see StatePatterns).
	States States `toml:"states"`
	// Worktree makes the new-run form start the entry's runs in a new git
	// worktree of the project's repository by default.
	Worktree bool `toml:"worktree"`
}

// HooksOff is the value of Agent.Hooks that turns an entry's hooks off.
const HooksOff = "off"

// Kind is the kind of a catalog entry.
type Kind string

// The kinds of entry.
const (
	KindAgent   Kind = "agent"   // a one-shot run with a task
	KindSession Kind = "session" // an interactive session
	KindCommand Kind = "command" // any long-running command
)

// UnmarshalText checks the kind.
func (k *Kind) UnmarshalText(b []byte) error {
	switch v := Kind(b); v {
	case KindAgent, KindSession, KindCommand:
		*k = v
		return nil
	}
	return fmt.Errorf("must be \"agent\", \"session\" or \"command\", not %q", string(b))
}

// Format names the output format of an entry.
type Format string

// FormatStreamJSON is Claude Code's --output-format stream-json.
const FormatStreamJSON Format = "stream-json"

// UnmarshalText checks the format.
func (f *Format) UnmarshalText(b []byte) error {
	switch v := Format(b); v {
	case "", FormatStreamJSON:
		*f = v
		return nil
	}
	return fmt.Errorf("must be \"stream-json\" or absent, not %q", string(b))
}

// Duration is a time.Duration written as "5s" or a number of seconds. A
// value too long for a time.Duration is kept as the longest one, so that the
// setting's bound, not an overflow, decides the error.
type Duration struct{ time.Duration }

// durationRE is the syntax of time.ParseDuration: a string that has it and
// still does not parse is out of range.
var durationRE = regexp.MustCompile(`^[-+]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`)

// UnmarshalTOML reads "1.5s" or 2.
func (d *Duration) UnmarshalTOML(v any) error {
	// Past this many seconds (285 years) the nanoseconds overflow an int64.
	const maxSeconds = 9e9
	switch v := v.(type) {
	case string:
		p, err := time.ParseDuration(v)
		switch {
		case err == nil:
			d.Duration = p
		case durationRE.MatchString(v) && !strings.HasPrefix(v, "-"):
			d.Duration = math.MaxInt64
		case durationRE.MatchString(v):
			d.Duration = -1
		default:
			return fmt.Errorf("must be a duration such as \"5s\" or \"500ms\" (or a number of seconds), not %q", v)
		}
	case int64:
		switch {
		case v < 0:
			d.Duration = -1
		case v > maxSeconds:
			d.Duration = math.MaxInt64
		default:
			d.Duration = time.Duration(v) * time.Second
		}
	case float64:
		switch {
		case math.IsNaN(v):
			return errors.New("must be a duration such as \"5s\" (or a number of seconds), not nan")
		case v < 0:
			d.Duration = -1
		case v >= maxSeconds:
			d.Duration = math.MaxInt64
		default:
			d.Duration = time.Duration(v * float64(time.Second))
		}
	default:
		return MustBe("a duration such as \"5s\" (or a number of seconds)", v)
	}
	if d.Duration < 0 {
		return errors.New("a duration cannot be negative")
	}
	return nil
}

// Keys is a list of key names, written as one string or an array.
type Keys []string

// UnmarshalTOML reads "ctrl+k" or ["k", "ctrl+k"].
func (k *Keys) UnmarshalTOML(v any) error {
	words, err := stringList(v, "a key or an array of keys such as [\"k\", \"ctrl+k\"]")
	if err != nil {
		return err
	}
	*k = words
	return nil
}

// stringList reads a string or an array of strings; want says what the
// field holds, for the error.
func stringList(v any, want string) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for i, w := range v {
			s, ok := w.(string)
			if !ok {
				return nil, fmt.Errorf("must be %s: word %d is %s, not a string", want, i+1, Describe(w))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, MustBe(want, v)
}

// placeholders are what an agent's command template may hold.
var placeholders = []string{"{task}", "{model}", "{project}", "{session_id}", "{shell}"}

// notifyPlaceholders are what notify_command may hold.
var notifyPlaceholders = []string{"{name}", "{state}", "{detail}"}

// Load reads the configuration at path. A missing file at the default path
// (explicit false) gives the embedded default; a missing file named with
// --config (explicit true) is an error. The file's [[agent]] entries are
// merged into the built-in catalog (see merge) unless its settings say
// catalog = "replace". Every error of the file is returned at once, as
// Errors, each with its line.
//
// Only a regular file of at most MaxFileSize bytes is read: a device such
// as /dev/zero, a FIFO or a directory is refused without reading from it.
func Load(path string, explicit bool) (*Config, error) {
	b, err := ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !explicit {
			return Default(), nil
		}
		return nil, err
	}
	c, err := parse(path, string(b))
	if err != nil {
		return nil, err
	}
	if c.Settings.Catalog != CatalogReplace {
		c.Agents = merge(Default().Agents, c.Agents)
	}
	return c, nil
}

// MaxFileSize is the largest configuration file Load reads: the default
// config is 2 KB, so anything near this is not a config.
const MaxFileSize = 1 << 20

// ReadFile reads a regular file of at most MaxFileSize bytes (the project
// file is read with it too); its errors start with the path. It looks
// before it opens, so a FIFO is never opened for a blocking read, and opens
// with O_NONBLOCK and checks again, in case the path changed in between.
func ReadFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := checkFile(path, fi); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := checkFile(path, fi); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("%s: corral reads a file of at most %d bytes (1 MiB); this one is larger", path, MaxFileSize)
	}
	return b, nil
}

// checkFile refuses what is not a regular file of a config's size.
func checkFile(path string, fi os.FileInfo) error {
	m := fi.Mode()
	if !m.IsRegular() {
		what := "not a regular file"
		switch {
		case m.IsDir():
			what = "a directory"
		case m&os.ModeNamedPipe != 0:
			what = "a FIFO"
		case m&os.ModeCharDevice != 0:
			what = "a character device"
		case m&os.ModeDevice != 0:
			what = "a device"
		case m&os.ModeSocket != 0:
			what = "a socket"
		}
		return fmt.Errorf("%s: is %s; it must be a regular file", path, what)
	}
	if fi.Size() > MaxFileSize {
		return fmt.Errorf("%s: corral reads a file of at most %d bytes (1 MiB); this one has %d", path, MaxFileSize, fi.Size())
	}
	return nil
}

// DefaultPath is $XDG_CONFIG_HOME/corral/config.toml, or
// ~/.config/corral/config.toml.
func DefaultPath() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "corral", "config.toml")
}

// Error is a configuration error at a line of a file.
type Error struct {
	Path string
	Line int // 0 when unknown
	// Key is the field as people know it: settings.kill_grace, keys.quit,
	// theme.accent, agent "codex" kind (an entry without a name is
	// agent #2, counted from 1).
	Key string
	Msg string
}

func (e *Error) Error() string {
	where := e.Path
	if where == "" {
		where = "default config"
	}
	if e.Line > 0 {
		where += fmt.Sprintf(":%d", e.Line)
	}
	if e.Key != "" {
		return fmt.Sprintf("%s: %s: %s", where, e.Key, e.Msg)
	}
	return where + ": " + e.Msg
}

// The values of Settings.Catalog.
const (
	// CatalogMerge: the file's [[agent]] entries add to the built-in
	// catalog, and one named like a built-in entry replaces it.
	CatalogMerge = "merge"
	// CatalogReplace: the file's entries are the whole catalog.
	CatalogReplace = "replace"
)

// tables are the config's top-level tables, for the unknown-table error.
const tables = "[settings], [keys], [theme] and [[agent]] entries"

// parse reads one file's text: its own catalog, not merged (Load merges).
// Every error is reported, each at its line, as Errors.
func parse(path, text string) (*Config, error) {
	f, raw, err := ParseFile(path, text)
	if err != nil {
		return nil, err
	}
	c := &Config{Path: path, text: text}
	var labels []string // each agent's name in errors
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		v, at := raw[name], toml.Key{name}
		switch name {
		case "settings":
			if t, ok := f.Table(v, at, name); ok {
				f.Decode(t, at, "settings.", &c.Settings)
			}
		case "keys":
			if t, ok := f.Table(v, at, name); ok {
				c.Keys = map[string]Keys{}
				for action, kv := range t {
					var k Keys
					if err := k.UnmarshalTOML(kv); err != nil {
						f.Errorf(toml.Key{name, action}, "keys."+action, "%v", err)
						continue
					}
					c.Keys[action] = k
				}
			}
		case "theme":
			if t, ok := f.Table(v, at, name); ok {
				c.Theme = map[string]string{}
				for slot, tv := range t {
					s, ok := tv.(string)
					if !ok {
						f.Errorf(toml.Key{name, slot}, "theme."+slot, "%v", MustBe(`a colour in quotes, "#rrggbb", "#rgb" or "0"-"255"`, tv))
						continue
					}
					c.Theme[slot] = s
				}
			}
		case "agent":
			entries, ok := v.([]map[string]any)
			if !ok {
				f.Errorf(at, "agent", "must be [[agent]] entries (with two brackets), not %s", Describe(v))
				continue
			}
			for i, e := range entries {
				label := AgentLabel(i, e["name"])
				var a Agent
				f.Decode(e, toml.Key{"agent", fmt.Sprint(i)}, label+" ", &a)
				c.Agents = append(c.Agents, a)
				labels = append(labels, label)
			}
		default:
			where := "the config has " + tables
			if slices.Contains(settingNames(), name) {
				where = "it is a setting: put it under [settings]"
			}
			f.Errorf(at, name, "unknown (%s)", where)
		}
	}
	c.validate(f, labels)
	if err := f.Err(); err != nil {
		return nil, err
	}
	if c.Settings.Catalog == "" {
		c.Settings.Catalog = CatalogMerge
	}
	if c.Settings.ScrollbackLines == 0 {
		c.Settings.ScrollbackLines = registry.DefaultOutputLines
	}
	if c.Settings.ScrollbackBytes == 0 {
		c.Settings.ScrollbackBytes = registry.DefaultOutputBytes
	}
	if c.Settings.KillGrace.Duration == 0 {
		c.Settings.KillGrace.Duration = registry.DefaultGracePeriod
	}
	if c.Settings.Notify == "" {
		c.Settings.Notify = NotifyOSC
	}
	if c.Settings.ActiveWindow.Duration == 0 {
		c.Settings.ActiveWindow.Duration = activity.DefaultActiveWindow
	}
	if c.Settings.HistoryLogCap == 0 {
		c.Settings.HistoryLogCap = DefaultHistoryLogCap
	}
	if c.Settings.HistoryTotalCap == 0 {
		c.Settings.HistoryTotalCap = DefaultHistoryTotalCap
	}
	if c.Settings.HistoryMaxAge.Duration == 0 {
		c.Settings.HistoryMaxAge.Duration = DefaultHistoryMaxAge
	}
	if c.Settings.WorktreePrefix == "" {
		c.Settings.WorktreePrefix = worktree.DefaultPrefix
	}
	return c, nil
}

// AgentLabel is how errors name the i-th [[agent]] entry (from 0):
// agent "codex", or agent #3 when it has no name.
func AgentLabel(i int, name any) string {
	if s, ok := name.(string); ok && strings.TrimSpace(s) != "" {
		return fmt.Sprintf("agent %q", s)
	}
	return fmt.Sprintf("agent #%d", i+1)
}

// merge is the catalog of a file merged into the built-in one: an entry
// named like a built-in replaces it in its place, the others follow in the
// file's order.
func merge(builtin, own []Agent) []Agent {
	out := slices.Clone(builtin)
	for _, a := range own {
		if i := slices.IndexFunc(out, func(b Agent) bool { return b.Name == a.Name }); i >= 0 && i < len(builtin) {
			out[i] = a
			continue
		}
		out = append(out, a)
	}
	return out
}

// validate records what is wrong with the decoded values, each at its
// line: all of it, not the first only. labels name the agents.
func (c *Config) validate(f *File, labels []string) {
	bad := func(key toml.Key, format string, args ...any) {
		name := key.String()
		if len(key) > 2 && key[0] == "agent" {
			var i int
			fmt.Sscan(key[1], &i)
			name = labels[i] + " " + strings.Join(key[2:], ".")
		}
		if !f.Failed(key) {
			f.Errorf(key, name, format, args...)
		}
	}
	if n := c.Settings.ScrollbackLines; n < 0 || n > MaxScrollbackLines {
		bad(toml.Key{"settings", "scrollback_lines"}, "must be between 1 and 1,000,000 (0 or absent: 10,000), not %d", n)
	}
	if n := c.Settings.ScrollbackBytes; n != 0 && (n < MinScrollbackBytes || n > MaxScrollbackBytes) {
		bad(toml.Key{"settings", "scrollback_bytes"},
			"must be between 65536 (64 KiB) and 1073741824 (1 GiB) (0 or absent: 8388608, 8 MiB), not %d", n)
	}
	if g := c.Settings.KillGrace.Duration; g > MaxKillGrace {
		bad(toml.Key{"settings", "kill_grace"}, "must be at most 1h (the wait from SIGTERM to SIGKILL; 0 or absent: 5s)")
	}
	switch c.Settings.Notify {
	case "", NotifyOSC, NotifyBell, NotifyOff:
	default:
		bad(toml.Key{"settings", "notify"}, "must be \"osc\", \"bell\" or \"off\", not %q", c.Settings.Notify)
	}
	switch c.Settings.Catalog {
	case "", CatalogMerge, CatalogReplace:
	default:
		bad(toml.Key{"settings", "catalog"}, "must be \"merge\" (the file's [[agent]] entries add to the built-in "+
			"ones and replace those of the same name) or \"replace\" (they are the whole catalog), not %q", c.Settings.Catalog)
	}
	if p := unknownPlaceholder(c.Settings.NotifyCommand, notifyPlaceholders); p != "" {
		bad(toml.Key{"settings", "notify_command"}, "unknown placeholder %s (use %s)", p, strings.Join(notifyPlaceholders, ", "))
	}
	if w := c.Settings.ActiveWindow.Duration; w != 0 && (w < MinActiveWindow || w > MaxActiveWindow) {
		bad(toml.Key{"settings", "active_window"},
			"must be between 1s and 1h (how long a command counts as active after it wrote; 0 or absent: 10s)")
	}
	if n := c.Settings.HistoryLogCap; n != 0 && (n < MinHistoryLogCap || n > MaxHistoryCap) {
		bad(toml.Key{"settings", "history_log_cap"},
			"must be between 1048576 (1 MiB) and 1099511627776 (1 TiB) (0 or absent: 67108864, 64 MiB), not %d", n)
	}
	if n := c.Settings.HistoryTotalCap; n != 0 && (n < MinHistoryLogCap || n > MaxHistoryCap) {
		bad(toml.Key{"settings", "history_total_cap"},
			"must be between 1048576 (1 MiB) and 1099511627776 (1 TiB) (0 or absent: 1073741824, 1 GiB), not %d", n)
	}
	if d := c.Settings.HistoryMaxAge.Duration; d != 0 && (d < MinHistoryMaxAge || d > MaxHistoryMaxAge) {
		bad(toml.Key{"settings", "history_max_age"}, "must be between 1h and 87600h (10 years) (0 or absent: 720h, 30 days)")
	}
	if err := worktree.CheckPrefix(c.Settings.WorktreePrefix); err != nil {
		bad(toml.Key{"settings", "worktree_prefix"}, "%q cannot start a branch name: %v", c.Settings.WorktreePrefix, err)
	}
	if d := c.Settings.WorktreeRoot(); d != "" && !filepath.IsAbs(d) {
		bad(toml.Key{"settings", "worktree_dir"}, "must be an absolute path (or start with ~/ or a $VARIABLE that holds one), not %q",
			c.Settings.WorktreeDir)
	}
	seen := map[string]int{} // name → its line
	for i, a := range c.Agents {
		at := func(field ...string) toml.Key { return append(toml.Key{"agent", fmt.Sprint(i)}, field...) }
		// An entry named like a built-in replaces it whole.
		whole := func() string {
			// Asked only of a file's entry missing a field: the embedded
			// default, whose names these are, never is.
			if c.Path != "" && c.Settings.Catalog != CatalogReplace && slices.Contains(builtinNames(), a.Name) {
				return fmt.Sprintf(" (it replaces the built-in %q whole: copy that entry from corral --default-config)", a.Name)
			}
			return ""
		}
		switch {
		case f.Failed(at("name")):
		case strings.TrimSpace(a.Name) == "":
			bad(at("name"), "missing: every [[agent]] needs a name")
		case seen[a.Name] > 0:
			bad(at("name"), "%q is defined twice (first at line %d)", a.Name, seen[a.Name])
		case a.Name == "command":
			bad(at("name"), "\"command\" is reserved for plain command lines")
		default:
			seen[a.Name] = f.Line(at("name"))
		}
		if a.Kind == "" && !f.Failed(at("kind")) {
			bad(at("kind"), "missing: \"agent\", \"session\" or \"command\"%s", whole())
		}
		if len(a.Command) == 0 && !f.Failed(at("command")) {
			bad(at("command"), "missing: the program and its arguments%s", whole())
		}
		if a.Hooks != "" && a.Hooks != HooksOff {
			bad(at("hooks"), "must be \"off\" or absent (automatic: Claude Code's hooks for claude, "+
				"Codex's notify for codex), not %q", a.Hooks)
		}
		if p := unknownPlaceholder(a.Command, placeholders); p != "" {
			bad(at("command"), "unknown placeholder %s (use %s)", p, strings.Join(placeholders, ", "))
		}
		for _, st := range []struct {
			field, pattern string
			re             **regexp.Regexp
		}{{"working", a.States.Working, &c.Agents[i].States.working}, {"waiting", a.States.Waiting, &c.Agents[i].States.waiting}} {
			if st.pattern == "" {
				continue
			}
			re, err := compileState(st.pattern)
			if err != nil {
				bad(at("states", st.field), "%v", err)
				continue
			}
			*st.re = re
		}
	}
	c.checkKeys(bad)
	for _, name := range slices.Sorted(maps.Keys(c.Theme)) { // the names are checked by CheckNames
		if value := c.Theme[name]; !colourRE.MatchString(value) {
			bad(toml.Key{"theme", name}, "%q is not a colour: write \"#rrggbb\", \"#rgb\" or a number 0-255", value)
		}
	}
}

// settingNames are the names of the settings.
func settingNames() []string {
	var names []string
	t := reflect.TypeFor[Settings]()
	for i := range t.NumField() {
		names = append(names, t.Field(i).Tag.Get("toml"))
	}
	return names
}

// builtinNames are the names of the default catalog's entries.
func builtinNames() []string {
	builtinOnce.Do(func() {
		for _, a := range Default().Agents {
			builtin = append(builtin, a.Name)
		}
	})
	return builtin
}

var (
	builtinOnce sync.Once
	builtin     []string
)

var colourRE = regexp.MustCompile(`^(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}|25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$`)

// Bounds of the numeric settings.
const (
	// MaxScrollbackLines bounds the lines kept per run: a line holds up to
	// 8 KiB, so a million of them is already gigabytes for one run.
	MaxScrollbackLines = 1_000_000
	// MinScrollbackBytes and MaxScrollbackBytes bound the bytes of output
	// kept per run: at least eight of the longest lines (8 KiB each), at most
	// a gigabyte for one run.
	MinScrollbackBytes = 64 << 10
	MaxScrollbackBytes = 1 << 30
	// MaxKillGrace bounds the wait from SIGTERM to SIGKILL; corral's quit
	// waits that long too.
	MaxKillGrace = time.Hour
	// MinActiveWindow and MaxActiveWindow bound active_window: shorter, a
	// command that writes once a second flickers; longer, "active" means
	// nothing.
	MinActiveWindow = time.Second
	MaxActiveWindow = time.Hour
	// DefaultHistoryLogCap, DefaultHistoryTotalCap and DefaultHistoryMaxAge
	// are the run history's limits when the settings do not give them.
	DefaultHistoryLogCap   = 64 << 20
	DefaultHistoryTotalCap = 1 << 30
	DefaultHistoryMaxAge   = 30 * 24 * time.Hour
	// MinHistoryLogCap and MaxHistoryCap bound history_log_cap and
	// history_total_cap; MinHistoryMaxAge and MaxHistoryMaxAge bound
	// history_max_age.
	MinHistoryLogCap = 1 << 20
	MaxHistoryCap    = 1 << 40
	MinHistoryMaxAge = time.Hour
	MaxHistoryMaxAge = 10 * 365 * 24 * time.Hour
)

// CheckNames refuses, at its line, a [keys] entry that names none of
// actions or a [theme] entry that names none of colours. The names are the
// interface's (tui.Actions, tui.PaletteSlots), which the binary passes in:
// config does not import tui (only registry, for its defaults). Every such
// entry is reported, as Errors.
func (c *Config) CheckNames(actions, colours []string) error {
	var errs Errors
	for _, t := range []struct {
		table, what string
		names       []string
		valid       []string
	}{{"keys", "action", slices.Sorted(maps.Keys(c.Keys)), actions},
		{"theme", "colour", slices.Sorted(maps.Keys(c.Theme)), colours}} {
		for _, name := range t.names {
			if !slices.Contains(t.valid, name) {
				at := toml.Key{t.table, name}
				errs = append(errs, &Error{Path: c.Path, Line: lineOf(c.text, at), Key: at.String(),
					Msg: fmt.Sprintf("unknown %s (one of %s)", t.what, strings.Join(t.valid, ", "))})
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	slices.SortStableFunc(errs, func(a, b *Error) int { return a.Line - b.Line })
	return errs
}

// Agent returns the catalog entry with that name.
func (c *Config) Agent(name string) (Agent, bool) {
	for _, a := range c.Agents {
		if a.Name == name {
			return a, true
		}
	}
	return Agent{}, false
}

// lineOf finds the line of a key in TOML text: key is a table path, with
// the index of an array-of-tables entry as a number ("agent", "2", "kind"),
// possibly followed by a sub-table of that entry ("agent", "2", "states",
// "working": a [agent.states] table after the entry's [[agent]], or an
// inline states = { … } in it). It scans headers and "name =" lines, which
// is all the config uses.
func lineOf(text string, key toml.Key) int {
	if len(key) == 0 {
		return 0
	}
	if len(key) == 1 { // a top-level table's header, or a top-level key
		for i, line := range strings.Split(text, "\n") {
			l := strings.TrimSpace(strings.SplitN(line, "#", 2)[0])
			if strings.HasPrefix(l, "[") && strings.Trim(l, "[] \t") == key[0] {
				return i + 1
			}
		}
	}
	field := key[len(key)-1]
	table := strings.Join(key[:len(key)-1], ".")
	want := -1 // the entry index within an array of tables
	sub := ""  // the sub-table of the entry, "" for the entry itself
	for p := 1; p < len(key)-1; p++ {
		var idx int
		if _, err := fmt.Sscan(key[p], &idx); err == nil {
			table, want = strings.Join(key[:p], "."), idx
			sub = strings.Join(key[p+1:len(key)-1], ".")
			break
		}
	}
	inTable := table
	if sub != "" {
		inTable = table + "." + sub
	}
	cur, count := "", -1
	fallback := 0
	for i, line := range strings.Split(text, "\n") {
		l := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(l, "[["):
			cur = strings.TrimSpace(strings.Trim(strings.SplitN(l, "#", 2)[0], "[] \t"))
			if cur == table {
				count++
				if count == want && fallback == 0 {
					fallback = i + 1
				}
			}
		case strings.HasPrefix(l, "["):
			cur = strings.TrimSpace(strings.Trim(strings.SplitN(l, "#", 2)[0], "[] \t"))
			if want < 0 {
				count = -1
			}
			if cur == inTable && (want < 0 || count == want) && fallback == 0 {
				fallback = i + 1
			}
		default:
			k, _, ok := strings.Cut(l, "=")
			k = strings.Trim(strings.TrimSpace(k), `"`)
			if !ok || (want >= 0 && count != want) {
				continue
			}
			if k == field && cur == inTable {
				return i + 1
			}
			if sub != "" && cur == table && (k == sub || strings.HasPrefix(k, sub+".")) {
				return i + 1 // states = { … } or states.working = … in the entry
			}
		}
	}
	return fallback
}

// unknownPlaceholder is the first placeholder in t that is not in known.
func unknownPlaceholder(t Template, known []string) string {
	for _, w := range t {
		for _, p := range placeholderRE.FindAllString(w, -1) {
			if !slices.Contains(known, p) {
				return p
			}
		}
	}
	return ""
}
