package main

import (
	"errors"
	"fmt"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"corral/claude"
	"corral/config"
	"corral/registry"
	"corral/spawn"
	"corral/tui"

	"github.com/google/uuid"
)

// launcher turns the interface's requests into spawned, registered runs,
// with the catalog's templates. It implements tui.Launcher.
type launcher struct {
	reg      *registry.Registry
	sp       *spawn.Spawner
	cfg      *config.Config
	agents   []tui.Agent // the catalog with availability, computed once
	cwd      string
	shell    string
	follower *claude.Follower // Claude runs' rendering, session ids

	mu   sync.Mutex // guards reqs
	reqs map[int64]tui.Request
}

var _ tui.Launcher = (*launcher)(nil)

func newLauncher(reg *registry.Registry, sp *spawn.Spawner, f *claude.Follower, cfg *config.Config, cwd string) *launcher {
	sh := os.Getenv("SHELL")
	if sh == "" {
		sh = "/bin/sh"
	}
	l := &launcher{reg: reg, sp: sp, follower: f, cfg: cfg, cwd: cwd, shell: sh, reqs: map[int64]tui.Request{}}
	for _, a := range cfg.Agents {
		ta := tui.Agent{Name: a.Name, Kind: kindOf(a), Description: a.Description, Available: true,
			NeedsTask: a.Kind == config.KindAgent, DefaultModel: a.Model, DefaultTask: a.Task}
		prog := a.Command.Expand(config.Vars{Shell: sh, Task: "x", Model: "x", Project: cwd, SessionID: "x"})[0]
		if _, err := exec.LookPath(prog); err != nil {
			ta.Available, ta.Reason = false, fmt.Sprintf("%s is not on PATH", prog)
		}
		l.agents = append(l.agents, ta)
	}
	return l
}

// kindOf maps a catalog kind to the registry's: an interactive session with
// a session id is a Claude session, other sessions are commands.
func kindOf(a config.Agent) registry.Kind {
	switch {
	case a.Kind == config.KindAgent:
		return registry.KindAgent
	case a.Kind == config.KindSession && a.Command.Uses("{session_id}"):
		return registry.KindClaudeSession
	}
	return registry.KindCommand
}

// Agents returns the catalog, with what is missing marked unavailable.
func (l *launcher) Agents() []tui.Agent { return l.agents }

// Launch starts a run from the catalog or a command line.
func (l *launcher) Launch(req tui.Request) (int64, error) {
	dir := expandHome(req.Dir)
	spec := spawn.Spec{Cols: req.Cols, Rows: req.Rows}
	var agent config.Agent
	if req.Agent == "" {
		argv, err := spawn.ParseCommand(req.Command)
		if err != nil {
			return 0, err
		}
		spec.Argv = argv
		spec.Run = registry.RegistrationConfig{Kind: registry.KindCommand, Command: strings.TrimSpace(req.Command),
			Task: req.Task, Model: req.Model}
	} else {
		a, ok := l.cfg.Agent(req.Agent)
		if !ok {
			return 0, fmt.Errorf("no agent named %q in the catalog", req.Agent)
		}
		agent = a
		if dir == "" {
			dir = expandHome(a.Dir)
		}
		task, model := or(req.Task, a.Task), or(req.Model, a.Model)
		var sid string
		if a.Command.Uses("{session_id}") {
			sid = uuid.NewString()
		}
		project := l.projectOf(dir)
		spec.Argv = a.Command.Expand(config.Vars{Task: task, Model: model, Project: project, SessionID: sid, Shell: l.shell})
		keys := make([]string, 0, len(a.Env))
		for k := range a.Env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			spec.Env = append(spec.Env, k+"="+a.Env[k])
		}
		spec.Run = registry.RegistrationConfig{Kind: kindOf(a), AgentName: a.Name, SessionID: sid,
			Task: task, Model: model, Command: strings.Join(spec.Argv, " ")}
	}
	// The run starts in its project, which is what the registry records
	// and where Claude Code keeps its transcripts.
	spec.Dir = l.projectOf(dir)
	spec.Run.ProjectPath = spec.Dir
	p, err := l.sp.Start(spec)
	if err != nil {
		return 0, err
	}
	l.mu.Lock()
	l.reqs[p.RunID()] = req
	l.mu.Unlock()
	if req.Agent != "" {
		follow(l.follower, p.RunID(), agent, spec.Run.Kind, spec.Run.ProjectPath)
	}
	return p.RunID(), nil
}

func (l *launcher) projectOf(dir string) string {
	if dir == "" {
		return l.cwd
	}
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// Request returns what a run was launched with.
func (l *launcher) Request(runID int64) (tui.Request, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.reqs[runID]
	return r, ok
}

var _ tui.HostColors = (*launcher)(nil)

// SetHostColors passes the outer terminal's colours on to every run's screen,
// for the runs that ask for them.
func (l *launcher) SetHostColors(fg, bg color.Color) { l.sp.SetHostColors(fg, bg) }

// Screen returns the emulated screen of a run corral started.
func (l *launcher) Screen(runID int64) tui.Screen {
	if p := l.sp.Proc(runID); p != nil {
		return p
	}
	return nil
}

// Adopt registers a running process by pid as a sidecar. What
// registry.CheckAdoptable refuses (init, kernel threads, corral and its
// ancestors, the user's shell and jobs on corral's terminal, other users'
// processes) is refused with its reason.
func (l *launcher) Adopt(pid int) (int64, error) {
	if err := l.checkAdopt(pid); err != nil {
		return 0, err
	}
	info, err := processInfo(pid)
	if err != nil {
		return 0, fmt.Errorf("adopt pid %d: %w", pid, err)
	}
	id := l.reg.GenerateID()
	name := ""
	if len(info.argv) > 0 {
		name = agentName(info.argv)
	}
	err = l.reg.RegisterSidecarProcess(registry.RegistrationConfig{RunID: id, Kind: registry.KindSidecar, PID: pid,
		AgentName: name, Command: strings.Join(info.argv, " "), ProjectPath: info.cwd})
	if err != nil {
		return 0, err
	}
	if name == "claude" {
		l.follower.FollowTranscript(id, info.cwd)
	}
	return id, nil
}

// checkAdopt says why pid may not be adopted, or nil.
func (l *launcher) checkAdopt(pid int) error {
	for _, p := range l.reg.Processes() {
		if p.PID == pid && p.Active() {
			return fmt.Errorf("pid %d is already run %d", pid, p.RunID)
		}
	}
	if err := registry.CheckAdoptable(pid); err != nil {
		return fmt.Errorf("adopt: %w", err)
	}
	return nil
}

// Fail lists a run that could not start as a failed row, with the error as
// its output, so that a bad command among several loses nothing: the
// others start, and this one can be corrected and restarted.
func (l *launcher) Fail(req tui.Request, err error) int64 {
	cmd := strings.TrimSpace(req.Command)
	if cmd == "" {
		cmd = req.Agent
	}
	id, rerr := l.reg.RecordFailure(registry.RegistrationConfig{Kind: registry.KindCommand, Command: cmd,
		AgentName: req.Agent, Task: req.Task, Model: req.Model, ProjectPath: l.projectOf(expandHome(req.Dir))},
		registry.Exit{Code: 127}, "corral: could not start: "+err.Error())
	if rerr != nil {
		return 0
	}
	l.mu.Lock()
	l.reqs[id] = req
	l.mu.Unlock()
	return id
}

// Detached returns the pids of runs unregistered while alive that still
// run: corral's exit hangs them up.
func (l *launcher) Detached() []int { return l.sp.Detached() }

// Rendered returns the lines rendered for a person of a Claude run.
func (l *launcher) Rendered(runID int64) *registry.Output { return l.follower.Rendered(runID) }

// Candidates lists agent processes running outside corral.
func (l *launcher) Candidates() []tui.Candidate {
	known := map[int]bool{}
	for _, p := range l.reg.RunningProcesses() {
		known[p.PID] = true
	}
	var out []tui.Candidate
	for _, c := range agentProcesses() {
		if !known[c.PID] && registry.CheckAdoptable(c.PID) == nil {
			out = append(out, c)
		}
	}
	return out
}

// agentMarkers tell an agent by what its command line holds: the program's
// name, or the npm package a node script runs from (Claude Code and Gemini
// CLI run as `node …/cli.js`).
var agentMarkers = []struct{ name, marker string }{
	{"claude", "@anthropic-ai/claude-code"}, {"codex", "@openai/codex"}, {"gemini", "@google/gemini-cli"},
	{"aider", "/aider-"},
}

// agentName recognises the agent behind a command line, else names its program.
func agentName(argv []string) string {
	for _, a := range argv[:min(len(argv), 2)] {
		for _, m := range agentMarkers {
			if filepath.Base(a) == m.name || strings.Contains(a, m.marker) || strings.Contains(a, "/"+m.name+"-") {
				return m.name
			}
		}
	}
	return filepath.Base(argv[0])
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return home + p[1:]
		}
	}
	return p
}

var errNoProcess = errors.New("no such process")
