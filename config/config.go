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
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"corral/registry"

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
}

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
}

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
	return fmt.Errorf("kind must be \"agent\", \"session\" or \"command\", not %q", string(b))
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
	return fmt.Errorf("format must be \"stream-json\" or absent, not %q", string(b))
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
			return fmt.Errorf("not a duration: %q (write e.g. \"5s\" or \"500ms\")", v)
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
			return errors.New("not a duration: nan (write e.g. \"5s\")")
		case v < 0:
			d.Duration = -1
		case v >= maxSeconds:
			d.Duration = math.MaxInt64
		default:
			d.Duration = time.Duration(v * float64(time.Second))
		}
	default:
		return fmt.Errorf("not a duration: %v (write e.g. \"5s\")", v)
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
	words, err := stringList(v)
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	*k = words
	return nil
}

func stringList(v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, w := range v {
			s, ok := w.(string)
			if !ok {
				return nil, fmt.Errorf("expected strings, found %v", w)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("expected a string or an array of strings, found %v", v)
}

// placeholders are what templates may hold.
var placeholders = []string{"{task}", "{model}", "{project}", "{session_id}", "{shell}"}

// Load reads the configuration at path. A missing file at the default path
// (explicit false) gives the embedded default; a missing file named with
// --config (explicit true) is an error. Errors name the file and the line.
//
// Only a regular file of at most MaxFileSize bytes is read: a device such
// as /dev/zero, a FIFO or a directory is refused without reading from it.
func Load(path string, explicit bool) (*Config, error) {
	b, err := readFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !explicit {
			return Default(), nil
		}
		return nil, err
	}
	return parse(path, string(b))
}

// MaxFileSize is the largest configuration file Load reads: the default
// config is 2 KB, so anything near this is not a config.
const MaxFileSize = 1 << 20

// readFile reads a regular file of at most MaxFileSize bytes. It looks
// before it opens, so a FIFO is never opened for a blocking read, and opens
// with O_NONBLOCK and checks again, in case the path changed in between.
func readFile(path string) ([]byte, error) {
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
		return nil, fmt.Errorf("%s: a config file holds at most %d bytes (1 MiB); this one is larger", path, MaxFileSize)
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
		return fmt.Errorf("%s: is %s; the config must be a regular file", path, what)
	}
	if fi.Size() > MaxFileSize {
		return fmt.Errorf("%s: a config file holds at most %d bytes (1 MiB); this one has %d", path, MaxFileSize, fi.Size())
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
	Line int    // 0 when unknown
	Key  string // the field, e.g. agent.1.kind (agents counted from 0)
	Msg  string
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

func parse(path, text string) (*Config, error) {
	c := &Config{Path: path, text: text}
	md, err := toml.Decode(text, c)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{Path: path, Line: pe.Position.Line, Key: pe.LastKey, Msg: pe.Message}
		}
		// Type mismatches come as "toml: line N (last key "k"): message".
		if m := typeErrRE.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, &Error{Path: path, Line: line, Key: m[2], Msg: m[3]}
		}
		return nil, &Error{Path: path, Msg: err.Error()}
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0]
		return nil, &Error{Path: path, Line: lineOf(text, k), Key: k.String(), Msg: "unknown field (see the default config: corral --default-config)"}
	}
	if err := c.validate(text); err != nil {
		return nil, err
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
	return c, nil
}

func (c *Config) validate(text string) error {
	bad := func(key toml.Key, format string, args ...any) error {
		return &Error{Path: c.Path, Line: lineOf(text, key), Key: key.String(), Msg: fmt.Sprintf(format, args...)}
	}
	if n := c.Settings.ScrollbackLines; n < 0 || n > MaxScrollbackLines {
		return bad(toml.Key{"settings", "scrollback_lines"}, "must be between 1 and 1,000,000 (0 or absent: 10,000), not %d", n)
	}
	if n := c.Settings.ScrollbackBytes; n != 0 && (n < MinScrollbackBytes || n > MaxScrollbackBytes) {
		return bad(toml.Key{"settings", "scrollback_bytes"},
			"must be between 65536 (64 KiB) and 1073741824 (1 GiB) (0 or absent: 8388608, 8 MiB), not %d", n)
	}
	if g := c.Settings.KillGrace.Duration; g > MaxKillGrace {
		return bad(toml.Key{"settings", "kill_grace"}, "must be at most 1h (the wait from SIGTERM to SIGKILL; 0 or absent: 5s)")
	}
	seen := map[string]bool{}
	for i, a := range c.Agents {
		at := func(field string) toml.Key { return toml.Key{"agent", fmt.Sprint(i), field} }
		switch {
		case strings.TrimSpace(a.Name) == "":
			return bad(at("name"), "every [[agent]] needs a name")
		case seen[a.Name]:
			return bad(at("name"), "%q is defined twice", a.Name)
		case a.Name == "command":
			return bad(at("name"), "\"command\" is reserved for plain command lines")
		case a.Kind == "":
			return bad(at("kind"), "missing: \"agent\", \"session\" or \"command\"")
		case len(a.Command) == 0:
			return bad(at("command"), "missing: the program and its arguments")
		}
		seen[a.Name] = true
	}
	if err := c.checkKeys(bad); err != nil {
		return err
	}
	for name, value := range c.Theme { // the names are checked by CheckNames
		if !colourRE.MatchString(value) {
			return bad(toml.Key{"theme", name}, "%q is not a colour: write \"#rrggbb\", \"#rgb\" or a number 0-255", value)
		}
	}
	return nil
}

var typeErrRE = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

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
)

// CheckNames refuses, at its line, a [keys] entry that names none of
// actions or a [theme] entry that names none of colours. The names are the
// interface's (tui.Actions, tui.PaletteSlots), which the binary passes in:
// config does not import tui (only registry, for its defaults).
func (c *Config) CheckNames(actions, colours []string) error {
	for _, t := range []struct {
		table, what string
		names       []string
		valid       []string
	}{{"keys", "action", slices.Sorted(maps.Keys(c.Keys)), actions},
		{"theme", "colour", slices.Sorted(maps.Keys(c.Theme)), colours}} {
		for _, name := range t.names {
			if !slices.Contains(t.valid, name) {
				at := toml.Key{t.table, name}
				return &Error{Path: c.Path, Line: lineOf(c.text, at), Key: at.String(),
					Msg: fmt.Sprintf("unknown %s (one of %s)", t.what, strings.Join(t.valid, ", "))}
			}
		}
	}
	return nil
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
// the index of an array-of-tables entry as a number ("agent", "2", "kind").
// It scans headers and "name =" lines, which is all the config uses.
func lineOf(text string, key toml.Key) int {
	if len(key) == 0 {
		return 0
	}
	field := key[len(key)-1]
	table := strings.Join(key[:len(key)-1], ".")
	want := -1 // the entry index within an array of tables
	if n := len(key); n >= 3 {
		var idx int
		if _, err := fmt.Sscan(key[n-2], &idx); err == nil {
			table, want = strings.Join(key[:n-2], "."), idx
		}
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
			cur, count = strings.TrimSpace(strings.Trim(strings.SplitN(l, "#", 2)[0], "[] \t")), -1
			if cur == table && want < 0 && fallback == 0 {
				fallback = i + 1
			}
		default:
			k, _, ok := strings.Cut(l, "=")
			if ok && strings.Trim(strings.TrimSpace(k), `"`) == field && cur == table && (want < 0 || count == want) {
				return i + 1
			}
		}
	}
	return fallback
}
