// Package project reads a project file — corral.toml's [[run]] entries, or
// a Procfile — into the named runs corral starts at launch, with their
// restart policies. Errors name the file and line as the configuration's
// do, every one of a file at once.
package project

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"corral/config"

	"github.com/BurntSushi/toml"
	"mvdan.cc/sh/v3/syntax"
)

// FileName is the project file read from the current directory when no
// --project is given.
const FileName = "corral.toml"

// Restart says when a run that ended by itself is started again.
type Restart string

// The values of Run.Restart.
const (
	RestartNo        Restart = "no"         // never (the default)
	RestartOnFailure Restart = "on-failure" // when it failed: a non-zero exit or a signal corral did not send
	RestartAlways    Restart = "always"     // whenever it ended by itself
)

// The restart backoff: the first wait, doubled after each restart up to
// MaxBackoff.
const (
	DefaultBackoff = time.Second
	MaxBackoff     = 30 * time.Second
	// LongestBackoff bounds the backoff a file may set.
	LongestBackoff = time.Hour
)

// Run is one run of a project.
type Run struct {
	// Name is the run's name in the interface; empty: one is derived.
	Name string
	// Command is a command line, run as one given on corral's command line
	// (through a shell only when it needs one); an argv array in the file
	// is quoted into one that splits back into the same words. Empty for
	// an agent's run.
	Command string
	// Agent is the catalog entry of an agent's run, with its Task and
	// Model (empty: the entry's own).
	Agent, Task, Model string
	// Dir is where the run starts: absolute, ~ expanded, a relative dir
	// taken from the project file's directory, which is also the default.
	Dir string
	// Env is added to the run's environment, NAME=value sorted by name.
	Env []string
	// Autostart: the run is started at launch (true unless the file says
	// autostart = false).
	Autostart bool
	// Restart, Backoff and Limit are the restart policy: the first wait
	// before a restart (doubled each time up to MaxBackoff), and how many
	// restarts at most (0: no limit).
	Restart Restart
	Backoff time.Duration
	Limit   int
	// Where is the entry's file and line, "corral.toml:12", for messages.
	Where string
}

// CheckDir says, with the run's place in its file, why its directory
// cannot be started in, or returns nil. A missing directory is not an
// error of the file: the run becomes a failed row and the others start.
func (r Run) CheckDir() error {
	fi, err := os.Stat(r.Dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s: run %q: dir %s does not exist", r.Where, r.Name, r.Dir)
	case err != nil:
		return fmt.Errorf("%s: run %q: dir: %w", r.Where, r.Name, err)
	case !fi.IsDir():
		return fmt.Errorf("%s: run %q: dir %s is not a directory", r.Where, r.Name, r.Dir)
	}
	return nil
}

// entry is a [[run]] entry as written.
type entry struct {
	Name      string            `toml:"name"`
	Command   command           `toml:"command"`
	Dir       string            `toml:"dir"`
	Env       map[string]string `toml:"env"`
	Agent     string            `toml:"agent"`
	Task      string            `toml:"task"`
	Model     string            `toml:"model"`
	Autostart *bool             `toml:"autostart"`
	Restart   string            `toml:"restart"`
	Backoff   config.Duration   `toml:"backoff"`
	Limit     int               `toml:"limit"`
}

// command is a command line, written as one string or as an array of
// argv words.
type command struct {
	line string
	set  bool
}

// UnmarshalTOML reads "npm run dev" or ["npm", "run", "dev"].
func (c *command) UnmarshalTOML(v any) error {
	c.set = true
	switch v := v.(type) {
	case string:
		if strings.TrimSpace(v) == "" {
			return errors.New("is empty: give the program and its arguments")
		}
		c.line = v
		return nil
	case []any:
		if len(v) == 0 {
			return errors.New("the program is missing: the array is empty")
		}
		words := make([]string, len(v))
		for i, w := range v {
			s, ok := w.(string)
			if !ok {
				return fmt.Errorf("must be an array of words such as [\"npm\", \"run\", \"dev\"]: word %d is %s, not a string",
					i+1, config.Describe(w))
			}
			q, err := syntax.Quote(s, syntax.LangPOSIX)
			if err != nil {
				return fmt.Errorf("word %d cannot be passed to a program: %w", i+1, err)
			}
			words[i] = q
		}
		if strings.TrimSpace(v[0].(string)) == "" {
			return errors.New("the program is missing: the first word is empty")
		}
		c.line = strings.Join(words, " ")
		return nil
	}
	return config.MustBe(`a command line such as "npm run dev" or an array of words such as ["npm", "run", "dev"]`, v)
}

// Load reads a project file. A missing file at the default path (explicit
// false) gives no runs and no error; a missing file named with --project
// is an error. Agents are checked against the catalog of cfg. Every error
// of the file is returned at once, as config.Errors. Only a regular file
// of at most config.MaxFileSize bytes is read.
func Load(path string, explicit bool, cfg *config.Config) ([]Run, error) {
	b, err := config.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !explicit {
			return nil, nil
		}
		return nil, fmt.Errorf("project file %w", err)
	}
	return Parse(path, string(b), cfg)
}

// Parse reads the text of a project file at path, checking agents against
// the catalog of cfg.
func Parse(path, text string, cfg *config.Config) ([]Run, error) {
	f, raw, err := config.ParseFile(path, text)
	if err != nil {
		return nil, err
	}
	base := filepath.Dir(absolute(path))
	var runs []Run
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		if name != "run" {
			f.Errorf(toml.Key{name}, name, "unknown (a project file has [[run]] entries)")
			continue
		}
		entries, ok := raw[name].([]map[string]any)
		if !ok {
			f.Errorf(toml.Key{name}, name, "must be [[run]] entries (with two brackets), not %s", config.Describe(raw[name]))
			continue
		}
		seen := map[string]int{}
		for i, raw := range entries {
			at := func(field string) toml.Key { return toml.Key{"run", fmt.Sprint(i), field} }
			label := runLabel(i, raw["name"])
			bad := func(field, format string, args ...any) {
				if !f.Failed(at(field)) {
					f.Errorf(at(field), label+" "+field, format, args...)
				}
			}
			var e entry
			f.Decode(raw, toml.Key{"run", fmt.Sprint(i)}, label+" ", &e)
			r := Run{Name: strings.TrimSpace(e.Name), Command: e.Command.line, Agent: e.Agent, Task: e.Task, Model: e.Model,
				Dir: dirOf(base, e.Dir), Autostart: e.Autostart == nil || *e.Autostart, Restart: Restart(e.Restart),
				Backoff: e.Backoff.Duration, Limit: e.Limit,
				Where: fmt.Sprintf("%s:%d", path, f.Line(toml.Key{"run", fmt.Sprint(i), "name"}))}
			if r.Name != "" {
				if first, ok := seen[r.Name]; ok {
					bad("name", "%q is defined twice (first at line %d)", r.Name, first)
				}
				seen[r.Name] = f.Line(at("name"))
			}
			switch {
			case e.Command.set && e.Agent != "":
				bad("agent", "a run has a command or an agent, not both")
			case !e.Command.set && e.Agent == "" && !f.Failed(at("command")) && !f.Failed(at("agent")):
				bad("command", "missing: give a command (a command line or an array of words) or an agent from the catalog")
			case e.Agent != "":
				a, ok := cfg.Agent(e.Agent)
				if !ok {
					var names []string
					for _, a := range cfg.Agents {
						names = append(names, a.Name)
					}
					bad("agent", "%q is not in the catalog (%s)", e.Agent, strings.Join(names, ", "))
					break
				}
				if a.Kind == config.KindAgent && r.Task == "" && a.Task == "" {
					bad("task", "missing: %q is a one-shot agent that needs a task", e.Agent)
				}
			case e.Task != "" || e.Model != "":
				field := "task"
				if e.Task == "" {
					field = "model"
				}
				bad(field, "is for an agent's run (agent = \"…\"); a command carries its own arguments")
			}
			switch r.Restart {
			case "":
				r.Restart = RestartNo
			case RestartNo, RestartOnFailure, RestartAlways:
			default:
				bad("restart", "must be \"no\", \"on-failure\" or \"always\", not %q", e.Restart)
			}
			if r.Backoff == 0 {
				r.Backoff = DefaultBackoff
			} else if r.Backoff > LongestBackoff {
				bad("backoff", "must be at most 1h (the first wait before a restart, doubled each time up to 30s)")
			}
			if r.Limit < 0 {
				bad("limit", "must be 0 (no limit) or more, not %d", r.Limit)
			}
			for _, k := range slices.Sorted(maps.Keys(e.Env)) {
				if !envName.MatchString(k) {
					bad("env", "%q is not a variable name (letters, digits and _, not starting with a digit)", k)
					continue
				}
				r.Env = append(r.Env, k+"="+e.Env[k])
			}
			runs = append(runs, r)
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return runs, nil
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// runLabel is how errors name the i-th [[run]] (from 0): run "web", or
// run #2 when it has no name.
func runLabel(i int, name any) string {
	if s, ok := name.(string); ok && strings.TrimSpace(s) != "" {
		return fmt.Sprintf("run %q", s)
	}
	return fmt.Sprintf("run #%d", i+1)
}

// dirOf is a run's directory: dir with ~ expanded, relative to base.
func dirOf(base, dir string) string {
	if dir == "~" || strings.HasPrefix(dir, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			dir = home + dir[1:]
		}
	}
	if dir == "" {
		return base
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(base, dir)
	}
	return filepath.Clean(dir)
}

func absolute(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// procLine is a Procfile line: a name, a colon, a command.
var procLine = regexp.MustCompile(`^([A-Za-z0-9_.-]+):\s*(.*)$`)

// LoadProcfile reads a Procfile: "name: command" lines, blank lines and #
// comments. Each process becomes a run started at launch in the
// Procfile's directory, never restarted.
func LoadProcfile(path string) ([]Run, error) {
	b, err := config.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("procfile %w", err)
	}
	return ParseProcfile(path, string(b))
}

// ParseProcfile reads the text of a Procfile at path; every error is
// returned at once, as config.Errors.
func ParseProcfile(path, text string) ([]Run, error) {
	base := filepath.Dir(absolute(path))
	var runs []Run
	var errs config.Errors
	seen := map[string]int{}
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		l := strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		m := procLine.FindStringSubmatch(l)
		bad := func(key, format string, args ...any) {
			errs = append(errs, &config.Error{Path: path, Line: n, Key: key, Msg: fmt.Sprintf(format, args...)})
		}
		switch {
		case m == nil:
			bad("", "not a process: write name: command (a name of letters, digits, _, - and .)")
			continue
		case strings.TrimSpace(m[2]) == "":
			bad(m[1], "the command is missing")
			continue
		}
		if first, ok := seen[m[1]]; ok {
			bad(m[1], "%q is defined twice (first at line %d)", m[1], first)
			continue
		}
		seen[m[1]] = n
		runs = append(runs, Run{Name: m[1], Command: strings.TrimSpace(m[2]), Dir: base, Autostart: true,
			Restart: RestartNo, Backoff: DefaultBackoff, Where: fmt.Sprintf("%s:%d", path, n)})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return runs, nil
}

// Join puts the runs of a project file and a Procfile together, refusing
// a name given in both.
func Join(a, b []Run) ([]Run, error) {
	where := map[string]string{}
	for _, r := range a {
		if r.Name != "" {
			where[r.Name] = r.Where
		}
	}
	for _, r := range b {
		if w, ok := where[r.Name]; ok && r.Name != "" {
			return nil, fmt.Errorf("%s: run %q is also defined at %s", r.Where, r.Name, w)
		}
	}
	return append(slices.Clone(a), b...), nil
}
