// Package registry tracks the processes corral runs or adopts: their identity,
// their state, a bounded history of their output, and events about them.
//
// It is a Go port of the ProcessRegistry of the Rust crate bamboo_agent, with
// that original's faults fixed: kills reach the whole process tree and are
// reported only when the process is gone, exits are awaited rather than
// polled, pids are checked against their start time before any signal,
// duplicate ids are refused, output is a bounded ring, and exited runs stay
// listed with their status until cleaned up.
//
// Corral itself registers runs with RegisterProcess, RegisterSidecarProcess
// and RecordFailure; follows them with Subscribe, Process, Processes and
// Output; records what their readers learn with SetSessionID, MarkFailed
// and NotifyOutput; stops them with KillProcess and KillAll; restarts an
// ended one in place with Reopen (restart.go); and drops them
// with UnregisterProcess and CleanupFinishedProcesses. The calls kept from
// the original's API for its callers (RegisterClaudeSession,
// RunningAgentProcesses, RunningClaudeSessions, ClaudeSessionByID,
// KillProcessByPID, AppendLiveOutput, LiveOutput) are grouped in seed.go:
// they are complete and tested, and corral's own code calls none of them.
package registry

import (
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// FirstRunID is the first id GenerateID returns.
const FirstRunID int64 = 1_000_000

// Defaults of the settings that corral's configuration can change; the
// config and claude packages use these rather than repeating them.
const (
	// DefaultOutputLines is how many lines of output each run keeps.
	DefaultOutputLines = 10_000
	// DefaultGracePeriod is how long KillProcess waits between SIGTERM and SIGKILL.
	DefaultGracePeriod = 5 * time.Second
	// DefaultLineBytes caps the bytes of one output line.
	DefaultLineBytes = 8 << 10
	// DefaultOutputBytes caps the bytes of output each run keeps (8 MiB).
	DefaultOutputBytes = 8 << 20
)

// Sentinel errors callers can test with errors.Is.
var (
	// ErrDuplicateRun is returned when a run id is registered twice.
	ErrDuplicateRun = errors.New("run id already registered")
	// ErrDuplicateSession is returned when a Claude session id is registered twice.
	ErrDuplicateSession = errors.New("claude session id already registered")
	// ErrNotFound is returned for a run id the registry does not know.
	ErrNotFound = errors.New("run not found")
	// ErrInvalidPID is returned when a registration names no usable pid.
	ErrInvalidPID = errors.New("invalid pid")
)

// Kind says what sort of run an entry is.
type Kind int

// The kinds of run.
const (
	// KindAgent is a one-shot agent run with a task (the original's AgentRun).
	KindAgent Kind = iota
	// KindClaudeSession is an interactive Claude Code session.
	KindClaudeSession
	// KindCommand is any long-running command the user started.
	KindCommand
	// KindSidecar is a process started elsewhere and adopted by pid.
	KindSidecar
)

// String returns the short lower-case name shown in the UI.
func (k Kind) String() string {
	switch k {
	case KindAgent:
		return "agent"
	case KindClaudeSession:
		return "session"
	case KindCommand:
		return "command"
	case KindSidecar:
		return "sidecar"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Status is where a run is in its life.
type Status int

// The statuses of a run.
const (
	// StatusRunning means the process is alive.
	StatusRunning Status = iota
	// StatusStopping means a kill is in progress: SIGTERM was sent and
	// SIGKILL follows at ProcessInfo.KillDeadline.
	StatusStopping
	// StatusExited means the process ended by itself with exit code 0.
	StatusExited
	// StatusFailed means the process ended by itself with a non-zero code or
	// a signal corral did not send, or was marked failed by its reader.
	StatusFailed
	// StatusKilled means the process ended after corral killed it.
	StatusKilled
	// StatusNotStarted means the run is listed without a process yet (a
	// project file's autostart = false): Reopen starts it. Cleanup keeps it.
	StatusNotStarted
)

// String returns the lower-case name of the status.
func (s Status) String() string {
	switch s {
	case StatusRunning:
		return "running"
	case StatusStopping:
		return "stopping"
	case StatusExited:
		return "exited"
	case StatusFailed:
		return "failed"
	case StatusKilled:
		return "killed"
	case StatusNotStarted:
		return "not started"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Live reports whether a run in this status still has a process.
func (s Status) Live() bool { return s == StatusRunning || s == StatusStopping }

// Exit describes how a process ended: Code is its exit code, or -1 when a
// signal ended it, in which case Signal names that signal.
type Exit struct {
	Code   int
	Signal syscall.Signal
}

// String renders the exit as "0", "1" or "SIGKILL".
func (e Exit) String() string {
	if e.Signal != 0 {
		return signalName(e.Signal)
	}
	if e.Code < 0 {
		return "?" // an adopted process: its exit code is not ours to read
	}
	return fmt.Sprint(e.Code)
}

// Child is what the registry needs from a process corral started itself.
// spawn.Proc implements it. The process must lead its own session (as every
// child under its own PTY does), so a kill reaches its session and group.
type Child interface {
	// Pid returns the process id.
	Pid() int
	// Done is closed once the process has exited and been reaped, and all of
	// its output has been handed to the registry.
	Done() <-chan struct{}
	// Exit returns how the process ended; valid once Done is closed.
	Exit() Exit
}

// RegistrationConfig describes a run being registered.
type RegistrationConfig struct {
	RunID       int64
	Kind        Kind // KindAgent when left zero
	AgentID     int64
	AgentName   string
	SessionID   string // for KindClaudeSession
	PID         int
	ProjectPath string
	Task        string
	Model       string
	// Command is the command line, for display.
	Command string
	// Name is what the interface calls the run; empty: a name derived
	// from the agent or the command.
	Name string
	// Resumes is the id of an earlier run whose conversation this run
	// resumes (a Claude session started with --resume), or 0.
	Resumes int64
}

// ProcessInfo is a copy of what the registry knows about one run.
type ProcessInfo struct {
	RunID       int64
	Kind        Kind
	AgentID     int64
	AgentName   string
	SessionID   string
	PID         int
	StartedAt   time.Time
	ProjectPath string
	Task        string
	Model       string
	Command     string
	Name        string // as registered; empty: derive one
	Resumes     int64  // the run whose conversation this one resumes, or 0
	// Restarts counts the times the run was restarted in place (Reopen):
	// PID and StartedAt are the latest process's.
	Restarts int

	Status Status
	// Exit is how the process ended; meaningful once Status is not Live.
	Exit Exit
	// ExitCode is Exit.Code, kept for callers of the original API.
	ExitCode int
	// EndedAt is when the exit was observed; zero while live.
	EndedAt time.Time
	// KillDeadline is when SIGKILL follows SIGTERM; set while stopping.
	KillDeadline time.Time
	// HasHandle reports whether corral started the process itself.
	HasHandle bool
	// Leftover counts the processes a run corral started left running after
	// its leader ended (in its session, or carrying its Marker). They are
	// followed until they are gone, and a kill of the run stops them.
	Leftover int
	// Activity is what the run is doing besides its Status: an agent's
	// working / needs you / idle, a command's active / quiet.
	Activity Activity
	// Pending is what a restart policy has in store for the ended run
	// (SetPending); cleared when the run starts again.
	Pending Pending
}

// Active reports whether anything of the run is still running: its process,
// or processes it left behind.
func (p ProcessInfo) Active() bool { return p.Status.Live() || p.Leftover > 0 }

// run is one registry entry. Its fields other than out and the channels are
// guarded by Registry.mu.
type run struct {
	info  ProcessInfo
	child Child
	start uint64 // process start time (clock ticks since boot), 0 if unknown
	out   *Output
	ended chan struct{} // closed by the watcher once the exit is recorded
	stop  chan struct{} // closed on unregister to end the watcher
	// failed is set by MarkFailed: an exit is then reported as failed.
	failed bool
	// killing is set while KillProcess works on the run: the leader's exit
	// then leaves the run stopping until the whole tree is gone.
	killing  bool
	killDone chan struct{} // closed when the kill that set killing ends
	// counted is closed once the watcher has first counted what a run
	// corral started left running after its leader ended (or stopped
	// without): Reopenable waits for it. nil for runs without a handle.
	counted   chan struct{}
	countOnce sync.Once
	stopOnce  sync.Once
	endOnce   sync.Once
}

// doneCounting closes ru.counted, once.
func (ru *run) doneCounting() {
	if ru.counted != nil {
		ru.countOnce.Do(func() { close(ru.counted) })
	}
}

// halt ends the run's watcher; safe to call more than once.
func (ru *run) halt() { ru.stopOnce.Do(func() { close(ru.stop) }) }

// Registry is a thread-safe set of runs. The zero value is not usable; call New.
type Registry struct {
	opts   options
	nextID atomic.Int64
	token  string // tells this registry's Markers from any other's

	mu     sync.Mutex // guards runs
	runs   map[int64]*run
	closed bool

	subsMu sync.Mutex // guards subs
	subs   map[*subscriber]struct{}

	wg sync.WaitGroup // watchers
}

type options struct {
	grace     time.Duration
	pidGrace  time.Duration
	killWait  time.Duration
	lines     int
	lineBytes int
	outBytes  int
	log       *slog.Logger
	ids       func() (int64, error)
}

// WithIDs makes GenerateID take run ids from next: a record shared by
// several corral instances (the run history), so that ids never repeat
// across instances and restarts. When next fails, ids continue after the
// highest one given so far.
func WithIDs(next func() (int64, error)) Option { return func(o *options) { o.ids = next } }

// Option configures a Registry.
type Option func(*options)

// WithGracePeriod sets how long KillProcess waits between SIGTERM and SIGKILL
// (default DefaultGracePeriod, 5 s).
func WithGracePeriod(d time.Duration) Option { return func(o *options) { o.grace = d } }

// WithPIDGracePeriod sets how long KillProcessByPID and kills of adopted
// processes wait between SIGTERM and SIGKILL (default 2 s).
func WithPIDGracePeriod(d time.Duration) Option { return func(o *options) { o.pidGrace = d } }

// WithOutputLines sets how many lines of output each run keeps (default
// DefaultOutputLines, 10,000).
func WithOutputLines(n int) Option { return func(o *options) { o.lines = n } }

// WithLineBytes caps the bytes of one output line (default DefaultLineBytes,
// 8 KiB); a longer line is wrapped.
func WithLineBytes(n int) Option { return func(o *options) { o.lineBytes = n } }

// WithOutputBytes caps the bytes of output each run keeps (default
// DefaultOutputBytes, 8 MiB; at least one line's bytes): the oldest lines go
// first when either this or the line count is reached.
func WithOutputBytes(n int) Option { return func(o *options) { o.outBytes = n } }

// WithLogger sets where the registry logs what it cannot return to a caller
// (such as a run registered without the start time that guards its pid
// against reuse). By default nothing is logged; a nil l keeps the default.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.log = l
		}
	}
}

// New returns an empty registry.
func New(opts ...Option) *Registry {
	o := options{grace: DefaultGracePeriod, pidGrace: 2 * time.Second, killWait: 3 * time.Second,
		lines: DefaultOutputLines, lineBytes: DefaultLineBytes, outBytes: DefaultOutputBytes,
		log: slog.New(slog.DiscardHandler)}
	for _, f := range opts {
		f(&o)
	}
	if o.lines < 1 {
		o.lines = 1
	}
	if o.lineBytes < 16 {
		o.lineBytes = 16
	}
	o.outBytes = max(o.outBytes, o.lineBytes)
	r := &Registry{opts: o, runs: map[int64]*run{}, subs: map[*subscriber]struct{}{}, token: newToken()}
	r.nextID.Store(FirstRunID)
	return r
}

// GenerateID returns a new run id: FirstRunID, then one more each call,
// unique under any concurrency.
func (r *Registry) GenerateID() int64 {
	if r.opts.ids != nil {
		id, err := r.opts.ids()
		if err == nil {
			// The fallback counter stays after every id given.
			for cur := r.nextID.Load(); id >= cur && !r.nextID.CompareAndSwap(cur, id+1); cur = r.nextID.Load() {
			}
			return id
		}
		r.opts.log.Warn("registry: no run id from the shared record; counting on", "err", err)
	}
	return r.nextID.Add(1) - 1
}

// GracePeriod returns the time KillProcess waits between SIGTERM and SIGKILL.
func (r *Registry) GracePeriod() time.Duration { return r.opts.grace }

// OutputLines returns how many lines of output each run keeps, and
// LineBytes the bytes one line holds: a reader that keeps its own rendering
// of a run's output keeps as much.
func (r *Registry) OutputLines() int { return r.opts.lines }

// LineBytes returns the bytes one output line holds; see OutputLines.
func (r *Registry) LineBytes() int { return r.opts.lineBytes }

// OutputBytes returns the bytes of output each run keeps; see OutputLines.
func (r *Registry) OutputBytes() int { return r.opts.outBytes }

// Logger returns the logger given with WithLogger, or one that discards.
func (r *Registry) Logger() *slog.Logger { return r.opts.log }

// RegisterProcess registers a run corral started, with its process handle.
// The registry watches child and records its exit. It refuses a run id that
// is already registered (ErrDuplicateRun) instead of replacing it.
func (r *Registry) RegisterProcess(cfg RegistrationConfig, child Child) error {
	if child == nil {
		return fmt.Errorf("register run %d: nil child", cfg.RunID)
	}
	if cfg.PID == 0 {
		cfg.PID = child.Pid()
	}
	_, err := r.register(cfg, child)
	return err
}

// RegisterSidecarProcess registers a process managed elsewhere, known only by
// its pid. Its exit is followed; kills reach it and its descendants only,
// and only an explicit KillProcess or KillProcessByPID of it: KillAll
// releases it. A process CheckAdoptable refuses is refused here too.
func (r *Registry) RegisterSidecarProcess(cfg RegistrationConfig) error {
	if cfg.PID <= 0 {
		return fmt.Errorf("register sidecar %d: %w %d", cfg.RunID, ErrInvalidPID, cfg.PID)
	}
	if err := CheckAdoptable(cfg.PID); err != nil {
		return fmt.Errorf("register sidecar %d: %w", cfg.RunID, err)
	}
	if cfg.Kind == KindAgent {
		cfg.Kind = KindSidecar
	}
	if _, err := processStartTime(cfg.PID); err != nil {
		return fmt.Errorf("register sidecar %d: pid %d: %w", cfg.RunID, cfg.PID, err)
	}
	_, err := r.register(cfg, nil)
	return err
}

// RecordFailure lists a run that could not start (a command not found, a
// directory that does not exist): it is registered already ended, with
// StatusFailed, exit, no process, and reason as its output, so that a
// person sees it among the others and can correct and restart it. A zero
// RunID is generated; the run id is returned.
func (r *Registry) RecordFailure(cfg RegistrationConfig, exit Exit, reason string) (int64, error) {
	return r.record(cfg, StatusFailed, exit, reason)
}

// RecordNotStarted lists a run that is not started yet, with StatusNotStarted
// and note as its output; Reopen starts it in its row.
func (r *Registry) RecordNotStarted(cfg RegistrationConfig, note string) (int64, error) {
	return r.record(cfg, StatusNotStarted, Exit{}, note)
}

// record lists a run without a process, with status and text as its output.
func (r *Registry) record(cfg RegistrationConfig, status Status, exit Exit, text string) (int64, error) {
	if cfg.RunID == 0 {
		cfg.RunID = r.GenerateID()
	}
	now := time.Now()
	ru := &run{
		info: ProcessInfo{RunID: cfg.RunID, Kind: cfg.Kind, AgentID: cfg.AgentID, AgentName: cfg.AgentName,
			SessionID: cfg.SessionID, StartedAt: now, EndedAt: now, ProjectPath: cfg.ProjectPath, Task: cfg.Task,
			Model: cfg.Model, Command: cfg.Command, Name: cfg.Name, Resumes: cfg.Resumes, Status: status, Exit: exit, ExitCode: exit.Code},
		out:   NewOutputBudget(r.opts.lines, r.opts.lineBytes, r.opts.outBytes),
		ended: make(chan struct{}),
		stop:  make(chan struct{}),
	}
	ru.endOnce.Do(func() { close(ru.ended) }) // a later kill finds it ended
	_, _ = ru.out.Write([]byte(text + "\n"))
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, errors.New("registry closed")
	}
	if _, dup := r.runs[cfg.RunID]; dup {
		return 0, fmt.Errorf("record run %d: %w", cfg.RunID, ErrDuplicateRun)
	}
	r.runs[cfg.RunID] = ru
	r.publishLocked(Event{Kind: EventRegistered, RunID: cfg.RunID, Info: ru.info})
	return cfg.RunID, nil
}

// register adds a run. A process whose start time cannot be read (it
// exited before registration, or /proc refused it) is still registered,
// but signals to it then rest on its pid alone: that fallback is logged.
func (r *Registry) register(cfg RegistrationConfig, child Child) (int64, error) {
	start, startErr := processStartTime(cfg.PID)
	ru := &run{
		info: ProcessInfo{RunID: cfg.RunID, Kind: cfg.Kind, AgentID: cfg.AgentID, AgentName: cfg.AgentName,
			SessionID: cfg.SessionID, PID: cfg.PID, StartedAt: time.Now(), ProjectPath: cfg.ProjectPath,
			Task: cfg.Task, Model: cfg.Model, Command: cfg.Command, Name: cfg.Name, Resumes: cfg.Resumes, Status: StatusRunning, HasHandle: child != nil},
		child: child,
		start: start,
		out:   NewOutputBudget(r.opts.lines, r.opts.lineBytes, r.opts.outBytes),
		ended: make(chan struct{}),
		stop:  make(chan struct{}),
	}
	if child != nil {
		ru.counted = make(chan struct{})
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return 0, errors.New("registry closed")
	}
	if _, dup := r.runs[cfg.RunID]; dup {
		r.mu.Unlock()
		return 0, fmt.Errorf("register run %d: %w", cfg.RunID, ErrDuplicateRun)
	}
	if cfg.SessionID != "" {
		for _, o := range r.runs {
			if o.info.SessionID == cfg.SessionID {
				r.mu.Unlock()
				return 0, fmt.Errorf("register session %q: %w (run %d)", cfg.SessionID, ErrDuplicateSession, o.info.RunID)
			}
		}
	}
	r.runs[cfg.RunID] = ru
	r.publishLocked(Event{Kind: EventRegistered, RunID: cfg.RunID, Info: ru.info})
	r.wg.Add(1)
	r.mu.Unlock()
	if startErr != nil {
		r.opts.log.Warn("registry: start time unknown, so the pid-reuse check is off for this run",
			"run", cfg.RunID, "pid", cfg.PID, "err", startErr)
	}
	go r.watch(ru, ru.info.PID, ru.start)
	return cfg.RunID, nil
}

// watch waits for the run's process to end and records how. pid and start
// are read by the caller, under the lock that registered the run.
func (r *Registry) watch(ru *run, pid int, start uint64) {
	defer r.wg.Done()
	var exit Exit
	if ru.child != nil {
		defer ru.doneCounting()
		select {
		case <-ru.child.Done():
			exit = ru.child.Exit()
		case <-ru.stop:
			return
		}
		r.finish(ru, exit)
		r.followLeftovers(ru, pid)
		return
	} else {
		if !waitGone(pid, start, ru.stop) {
			return
		}
		exit = Exit{Code: -1}
	}
	r.finish(ru, exit)
}

// finish records how a run's process ended, once, and closes ru.ended.
func (r *Registry) finish(ru *run, exit Exit) {
	ru.endOnce.Do(func() {
		defer close(ru.ended)
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.runs[ru.info.RunID] != ru {
			return // unregistered meanwhile
		}
		ru.info.Exit, ru.info.ExitCode, ru.info.EndedAt = exit, exit.Code, time.Now()
		kind := EventExited
		switch {
		case ru.info.Status == StatusStopping && ru.killing:
			// The kill under way says "killed" once the tree is gone.
			return
		case ru.info.Status == StatusStopping:
			ru.info.Status, kind = StatusKilled, EventKilled
		case ru.failed || exit.Code != 0 && (ru.child != nil || exit.Signal != 0):
			ru.info.Status = StatusFailed
		default:
			ru.info.Status = StatusExited
		}
		ru.info.KillDeadline = time.Time{}
		r.publishLocked(Event{Kind: kind, RunID: ru.info.RunID, Info: ru.info})
	})
}

// MarkFailed records that a run failed even if its process exits with code 0
// (for example an agent whose stream reported an error). It is reflected in
// the status once the process has exited, or at once if it already has.
func (r *Registry) MarkFailed(runID int64) error {
	r.mu.Lock()
	ru, ok := r.runs[runID]
	if !ok {
		r.mu.Unlock()
		return fmt.Errorf("mark run %d failed: %w", runID, ErrNotFound)
	}
	ru.failed = true
	if ru.info.Status == StatusExited {
		ru.info.Status = StatusFailed
		r.publishLocked(Event{Kind: EventUpdated, RunID: runID, Info: ru.info})
	}
	r.mu.Unlock()
	return nil
}

// SetSessionID records the Claude session id of a run, once learnt (from a
// stream-json init line or a transcript file). The run is then found by
// ClaudeSessionByID. An id that another run holds is refused.
func (r *Registry) SetSessionID(runID int64, sessionID string) error {
	r.mu.Lock()
	ru, ok := r.runs[runID]
	if !ok {
		r.mu.Unlock()
		return fmt.Errorf("set session of run %d: %w", runID, ErrNotFound)
	}
	for _, o := range r.runs {
		if o != ru && sessionID != "" && o.info.SessionID == sessionID {
			r.mu.Unlock()
			return fmt.Errorf("set session %q: %w (run %d)", sessionID, ErrDuplicateSession, o.info.RunID)
		}
	}
	ru.info.SessionID = sessionID
	r.publishLocked(Event{Kind: EventUpdated, RunID: runID, Info: ru.info})
	r.mu.Unlock()
	return nil
}

// Process returns the run with the given id.
func (r *Registry) Process(runID int64) (ProcessInfo, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ru, ok := r.runs[runID]
	if !ok {
		return ProcessInfo{}, false
	}
	return ru.info, true
}

// Processes returns every registered run, live or ended, ordered by run id.
func (r *Registry) Processes() []ProcessInfo {
	return r.list(func(*run) bool { return true })
}

// RunningProcesses returns the live runs of every kind, ordered by run id.
func (r *Registry) RunningProcesses() []ProcessInfo {
	return r.list(func(ru *run) bool { return ru.info.Status.Live() })
}

func (r *Registry) list(keep func(*run) bool) []ProcessInfo {
	r.mu.Lock()
	out := make([]ProcessInfo, 0, len(r.runs))
	for _, ru := range r.runs {
		if keep(ru) {
			out = append(out, ru.info)
		}
	}
	r.mu.Unlock()
	sortInfos(out)
	return out
}

func sortInfos(s []ProcessInfo) {
	sort.Slice(s, func(i, j int) bool { return s[i].RunID < s[j].RunID })
}

// IsProcessRunning reports whether the run is registered and its process alive.
func (r *Registry) IsProcessRunning(runID int64) bool {
	info, ok := r.Process(runID)
	return ok && info.Status.Live()
}

// UnregisterProcess stops tracking a run. It never kills the process; an
// unknown id is not an error.
func (r *Registry) UnregisterProcess(runID int64) error {
	r.mu.Lock()
	ru, ok := r.runs[runID]
	if ok {
		delete(r.runs, runID)
		r.publishLocked(Event{Kind: EventUnregistered, RunID: runID, Info: ru.info})
	}
	r.mu.Unlock()
	if ok {
		ru.halt()
	}
	return nil
}

// CleanupFinishedProcesses drops every run whose process has ended, with
// nothing left behind, and returns their ids in ascending order.
func (r *Registry) CleanupFinishedProcesses() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []int64
	for id, ru := range r.runs {
		if !ru.info.Active() && ru.info.Status != StatusNotStarted {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		ru := r.runs[id]
		delete(r.runs, id)
		ru.halt()
		r.publishLocked(Event{Kind: EventUnregistered, RunID: id, Info: ru.info})
	}
	return ids
}

// Close stops following every run (it kills nothing) and ends every
// subscription. The registry refuses new runs afterwards.
func (r *Registry) Close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	for _, ru := range r.runs {
		ru.halt()
	}
	r.mu.Unlock()
	r.wg.Wait()
	r.subsMu.Lock()
	for s := range r.subs {
		delete(r.subs, s)
		s.close()
	}
	r.subsMu.Unlock()
}

// lookup returns the entry of a run, or nil.
func (r *Registry) lookup(runID int64) *run {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runs[runID]
}
