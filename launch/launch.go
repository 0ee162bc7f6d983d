// Package launch turns what a person asks for into runs: it expands the
// catalog's templates into command lines, starts them through spawn, adopts
// running processes, lists a command that cannot start as a failed run, and
// keeps the one record per run that corral holds beyond the registry's
// entry (what the run was launched with), dropped when the registry drops
// the run. It implements the interface's tui.Launcher.
package launch

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

	"corral/activity"
	"corral/claude"
	"corral/config"
	"corral/history"
	"corral/registry"
	"corral/spawn"
	"corral/tui"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/google/uuid"
)

// Launcher turns the interface's requests into spawned, registered runs,
// with the catalog's templates. It implements tui.Launcher. The zero value
// is not usable; call New, and Close when done.
type Launcher struct {
	reg      *registry.Registry
	sp       *spawn.Spawner
	cfg      *config.Config
	agents   []tui.Agent // the catalog with availability, computed once
	cwd      string
	shell    string
	follower *claude.Follower // Claude runs' rendering, session ids

	mu      sync.Mutex // guards runs, exe, socket, history, orphans and supervisor
	runs    map[int64]*record
	exe     string              // the corral binary hooks run; see EnableHooks
	socket  string              // the socket hooks report to; "" if none
	history *recorder           // the durable record; nil without one (EnableHistory)
	orphans map[int]history.Run // by pid: runs of a dead corral that still run
	// supervisor restarts runs by their policy; nil without one (Supervise).
	supervisor *Supervisor

	inputs chan stateInput // hooks, signals and timers for the state loop
	quit   chan struct{}   // closed by Close: timers stop sending
	stop   func()          // ends the subscription
	done   chan struct{}   // closed when the state loop ends
}

// record is what corral keeps of one run beyond the registry's entry. It is
// created when the run is started, adopted or recorded as failed, and
// dropped on the registry's EventUnregistered.
type record struct {
	req      tui.Request // what the run was launched with, for a restart
	adopted  bool        // registered by pid: corral did not start it
	activity activity.Config
	// state follows the run's activity; set by the state loop, and its
	// fields touched only by it.
	state *tracked
	// begun: the run's history row was written before it started.
	begun bool
	// ws is the git worktree the run started in; nil for none (worktree.go).
	ws *workspace
}

var _ tui.Launcher = (*Launcher)(nil)

// New returns a Launcher over the registry, spawner and follower, with the
// catalog of cfg, starting runs in cwd unless told otherwise.
func New(reg *registry.Registry, sp *spawn.Spawner, f *claude.Follower, cfg *config.Config, cwd string) *Launcher {
	sh := os.Getenv("SHELL")
	if sh == "" {
		sh = "/bin/sh"
	}
	l := &Launcher{reg: reg, sp: sp, follower: f, cfg: cfg, cwd: cwd, shell: sh, runs: map[int64]*record{},
		inputs: make(chan stateInput, 4096), quit: make(chan struct{}), done: make(chan struct{})}
	for _, a := range cfg.Agents {
		ta := tui.Agent{Name: a.Name, Kind: kindOf(a), Description: a.Description, Available: true,
			NeedsTask: a.Kind == config.KindAgent, DefaultModel: a.Model, DefaultTask: a.Task, Worktree: a.Worktree,
			UsesTask: a.Command.Uses("{task}"), UsesModel: a.Command.Uses("{model}"), Dir: a.Dir}
		prog := a.Command.Expand(config.Vars{Shell: sh, Task: "x", Model: "x", Project: cwd, SessionID: "x"})[0]
		if _, err := exec.LookPath(prog); err != nil {
			ta.Available, ta.Reason = false, fmt.Sprintf("%s is not on PATH", prog)
		}
		l.agents = append(l.agents, ta)
	}
	sp.OnSignal(func(id int64, sig spawn.Signal) { l.offer(stateInput{runID: id, sig: &sig}) })
	_, events, stop := reg.Subscribe()
	l.stop = stop
	go l.loop(events)
	return l
}

// Close ends the Launcher's subscription to the registry and its state
// loop, and writes what the history has queued. Call it after the runs
// are stopped, so that how they ended is recorded.
func (l *Launcher) Close() {
	close(l.quit)
	l.stop()
	<-l.done
	if h := l.recorderOf(); h != nil {
		// The last events may not have reached the loop: every ended run's
		// end is recorded again (the same values), then the queue drains.
		for _, info := range l.reg.Processes() {
			if !info.Status.Live() {
				h.end(info)
			}
		}
		h.close()
	}
}

// remember creates the record of a run.
func (l *Launcher) remember(id int64, r *record) {
	l.mu.Lock()
	l.runs[id] = r
	l.mu.Unlock()
}

// drop deletes the record of a run that did not register.
func (l *Launcher) drop(id int64) {
	l.mu.Lock()
	delete(l.runs, id)
	l.mu.Unlock()
}

// Runs returns how many runs have a record: the registered ones.
func (l *Launcher) Runs() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.runs)
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
func (l *Launcher) Agents() []tui.Agent { return l.agents }

// Launch starts a run from the catalog or a command line; with
// req.Worktree, in a new git worktree made for it (worktree.go): a failure
// to make it is the error, and leaves nothing behind.
func (l *Launcher) Launch(req tui.Request) (int64, error) {
	// The id comes first: a new worktree is named after it, and the run
	// starts in it (worktree.go).
	id := l.reg.GenerateID()
	req, ws, err := l.newWorktree(req, id)
	if err != nil {
		return 0, err
	}
	b, err := l.build(req)
	if err != nil {
		l.discardWorktree(id, ws)
		return 0, err
	}
	spec, rec, agent, shown := b.spec, b.rec, b.agent, b.shown
	rec.ws = ws
	// The record exists before the registry announces the run.
	spec.Run.RunID = id
	spec.Env = append(spec.Env, l.hookEnv(spec.Run.RunID)...)
	hist := l.recorderOf()
	if hist != nil {
		hist.begin(spec.Run.RunID, shown, spec.Dir, spec.Run, envVars(req.Env))
		if w, err := hist.store.Log(spec.Run.RunID); err == nil {
			spec.Log, rec.begun = w, true
		} else {
			l.reg.Logger().Warn("history: no log for a run", "run", spec.Run.RunID, "err", err)
		}
	}
	l.remember(spec.Run.RunID, rec)
	p, err := l.sp.Start(spec)
	if err != nil {
		l.drop(spec.Run.RunID)
		if hist != nil {
			// Fail records it again, as a failed row of its own.
			_ = hist.store.Delete(spec.Run.RunID)
		}
		l.discardWorktree(id, ws)
		return 0, err
	}
	if req.Agent != "" {
		follow(l.follower, p.RunID(), agent, spec.Run.Kind, spec.Run.ProjectPath, rec.activity.Hooks)
	}
	return p.RunID(), nil
}

// built is what a request starts: the spec without its run id, the hooks'
// environment and the log; the run's record; the catalog entry (zero for a
// command line); and the command the history shows (the catalog's, without
// corral's hooks).
type built struct {
	spec  spawn.Spec
	rec   *record
	agent config.Agent
	shown []string
}

// build turns a request into what Launch and Restart start.
func (l *Launcher) build(req tui.Request) (built, error) {
	if req.Worktree { // Launch makes it; a restart of a run that never had it cannot
		return built{}, errors.New("its new worktree was never made: start it anew")
	}
	dir := expandHome(req.Dir)
	b := built{spec: spawn.Spec{Cols: req.Cols, Rows: req.Rows}, rec: &record{req: req, activity: l.activityOf(false)}}
	if req.Agent == "" {
		argv, err := spawn.ParseCommand(req.Command)
		if err != nil {
			return built{}, err
		}
		b.spec.Argv, b.shown = argv, argv
		b.spec.Run = registry.RegistrationConfig{Kind: registry.KindCommand, Command: strings.TrimSpace(req.Command),
			Task: req.Task, Model: req.Model}
	} else {
		a, ok := l.cfg.Agent(req.Agent)
		if !ok {
			return built{}, fmt.Errorf("no agent named %q in the catalog", req.Agent)
		}
		b.agent = a
		if dir == "" {
			dir = expandHome(a.Dir)
		}
		task, model := or(req.Task, a.Task), or(req.Model, a.Model)
		var sid string
		if a.Command.Uses("{session_id}") {
			sid = uuid.NewString()
		}
		if req.Resume != "" {
			sid = req.Resume
		}
		project := l.projectOf(dir)
		b.spec.Argv = a.Command.Expand(config.Vars{Task: task, Model: model, Project: project, SessionID: sid, Shell: l.shell})
		if req.Resume != "" {
			if err := resume(b.spec.Argv, sid); err != nil {
				return built{}, fmt.Errorf("resume with %s: %w", a.Name, err)
			}
		}
		keys := make([]string, 0, len(a.Env))
		for k := range a.Env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.spec.Env = append(b.spec.Env, k+"="+a.Env[k])
		}
		b.spec.Run = registry.RegistrationConfig{Kind: kindOf(a), AgentName: a.Name, SessionID: sid,
			Task: task, Model: model, Command: strings.Join(b.spec.Argv, " "), Resumes: req.Resumes}
		// The command shown and recorded is the catalog's; the hooks are
		// corral's.
		b.shown = b.spec.Argv
		b.spec.Argv, b.rec.activity = l.hooksOf(a, b.spec.Argv)
	}
	b.spec.Run.Name = req.Name
	// The run starts in its project, which is what the registry records
	// and where Claude Code keeps its transcripts.
	b.spec.Dir = l.projectOf(dir)
	b.spec.Run.ProjectPath = b.spec.Dir
	// The request's variables: after the entry's, before corral's own.
	b.spec.Env = append(b.spec.Env, envVars(req.Env)...)
	return b, nil
}

// envVars splits a Request's Env into its NAME=value pairs; nil for none.
func envVars(env string) []string {
	if env == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(env, "\x00"), "\x00")
}

// resume turns a catalog command that starts a Claude session with a given
// id (--session-id ID) into one that resumes it (--resume ID).
func resume(argv []string, sid string) error {
	for i := range argv[:max(len(argv)-1, 0)] {
		if argv[i] == "--session-id" && argv[i+1] == sid {
			argv[i] = "--resume"
			return nil
		}
	}
	return errors.New("its command has no --session-id {session_id} to resume a session with")
}

func (l *Launcher) projectOf(dir string) string {
	if dir == "" {
		return l.cwd
	}
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// Request returns what a run was launched with; false for an adopted run
// or one not registered.
func (l *Launcher) Request(runID int64) (tui.Request, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.runs[runID]
	if !ok || r.adopted {
		return tui.Request{}, false
	}
	return r.req, true
}

var _ tui.HostColors = (*Launcher)(nil)

// SetHostColors passes the outer terminal's colours on to every run's screen,
// for the runs that ask for them.
func (l *Launcher) SetHostColors(fg, bg color.Color) { l.sp.SetHostColors(fg, bg) }

// Screen returns the emulated screen of a run corral started. What is
// typed or pasted into it also tells the run's activity tracker that the
// person answered.
func (l *Launcher) Screen(runID int64) tui.Screen {
	if p := l.sp.Proc(runID); p != nil {
		return typing{Proc: p, l: l, id: runID}
	}
	return nil
}

// typing is a run's screen whose keys and pastes are also reported to the
// state loop.
type typing struct {
	*spawn.Proc
	l  *Launcher
	id int64
}

// SendKey types a key into the run.
func (t typing) SendKey(k uv.KeyPressEvent) {
	t.l.offer(stateInput{runID: t.id, input: true})
	t.Proc.SendKey(k)
}

// Paste sends pasted text to the run.
func (t typing) Paste(text string) {
	t.l.offer(stateInput{runID: t.id, input: true})
	t.Proc.Paste(text)
}

// Fail lists a run that could not start as a failed row, with the error as
// its output, so that a bad command among several loses nothing: the
// others start, and this one can be corrected and restarted.
func (l *Launcher) Fail(req tui.Request, err error) int64 {
	return l.list(req, func(cfg registry.RegistrationConfig) (int64, error) {
		return l.reg.RecordFailure(cfg, registry.Exit{Code: 127}, "corral: could not start: "+err.Error())
	})
}

// Hold lists a run without starting it (a project file's autostart =
// false), as not started, with note as its output: starting it (Restart)
// runs req in its row.
func (l *Launcher) Hold(req tui.Request, note string) int64 {
	return l.list(req, func(cfg registry.RegistrationConfig) (int64, error) { return l.reg.RecordNotStarted(cfg, note) })
}

// list registers a row without a process for req with add, and its record.
func (l *Launcher) list(req tui.Request, add func(registry.RegistrationConfig) (int64, error)) int64 {
	cmd := strings.TrimSpace(req.Command)
	if cmd == "" {
		cmd = req.Agent
	}
	id, err := add(registry.RegistrationConfig{Kind: registry.KindCommand, Command: cmd, AgentName: req.Agent,
		Task: req.Task, Model: req.Model, ProjectPath: l.projectOf(expandHome(req.Dir)), Name: req.Name})
	if err != nil {
		return 0
	}
	l.remember(id, &record{req: req})
	return id
}

// Detached returns the pids of runs unregistered while alive that still
// run: corral's exit hangs them up.
func (l *Launcher) Detached() []int { return l.sp.Detached() }

// Rendered returns the lines rendered for a person of a Claude run.
func (l *Launcher) Rendered(runID int64) *registry.Output { return l.follower.Rendered(runID) }

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
