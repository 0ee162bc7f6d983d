package launch

import (
	"strings"
	"time"

	"corral/history"
	"corral/internal/cmdname"
	"corral/registry"
)

// recorder writes the durable record of runs in the order things happened,
// in its own goroutine: the store's IO (SQLite, a busy timeout when another
// instance writes) never holds up the state loop, the interface or a run.
type recorder struct {
	store *history.Store
	jobs  chan func(*history.Store) error
	done  chan struct{}
	l     *Launcher
}

// recordQueue bounds the record's backlog: beyond it, changes are dropped
// (and said so in the log) rather than waited for.
const recordQueue = 4096

// EnableHistory makes the Launcher record every run from now on in store:
// a row per run with how it ended and its state changes, and a log of its
// output for the runs corral starts. Call it before the first run starts.
func (l *Launcher) EnableHistory(store *history.Store) {
	rec := &recorder{store: store, jobs: make(chan func(*history.Store) error, recordQueue),
		done: make(chan struct{}), l: l}
	go rec.loop()
	l.follower.OnUsage(rec.usage)
	l.mu.Lock()
	l.history = rec
	l.mu.Unlock()
}

// recorderOf returns the recorder, nil without history.
func (l *Launcher) recorderOf() *recorder {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.history
}

func (r *recorder) loop() {
	defer close(r.done)
	for job := range r.jobs {
		if err := job(r.store); err != nil {
			r.l.reg.Warn(0, "history: a run could not be recorded: "+err.Error())
		}
	}
}

// queue hands a change to the recorder without waiting.
func (r *recorder) queue(job func(*history.Store) error) {
	select {
	case r.jobs <- job:
	default:
		r.l.reg.Logger().Warn("history: the record falls behind; a change of a run is not recorded")
	}
}

// close writes what is queued and stops the recorder.
func (r *recorder) close() {
	r.l.follower.OnUsage(nil) // the follower may outlive the queue
	close(r.jobs)
	<-r.done
}

// begin records a run corral is about to start, so that its log can be
// opened before its first byte; the pid follows on its registration. env
// is the request's own variables (envVars), which starting it again from
// the history passes on.
func (r *recorder) begin(id int64, spec []string, dir string, cfg registry.RegistrationConfig, env []string) {
	run := history.Run{ID: id, Kind: cfg.Kind.String(), Agent: cfg.AgentName, Name: or(cfg.Name, nameOf(cfg.AgentName, spec)),
		Argv: spec, Dir: dir, StartedAt: time.Now(), Status: history.StatusRunning, SessionID: cfg.SessionID,
		Model: cfg.Model, Task: cfg.Task, Env: env}
	if err := r.store.Begin(run); err != nil {
		r.l.reg.Logger().Warn("history: record a run", "run", id, "err", err)
	}
}

// nameOf is the name the history shows: the catalog entry's, or that of
// the first real program of argv (cmdname).
func nameOf(agent string, argv []string) string {
	if agent != "" {
		return agent
	}
	return cmdname.Argv(argv)
}

// event records what a registry event changes of a run's record.
func (r *recorder) event(e registry.Event, begun bool) {
	info := e.Info
	switch e.Kind {
	case registry.EventRegistered:
		if begun {
			r.queue(func(s *history.Store) error {
				return s.Update(info.RunID, func(h *history.Run) { h.PID, h.StartedAt = info.PID, info.StartedAt })
			})
			return
		}
		// Adopted runs and runs that could not start (or were held): these
		// keep their request's variables too, as one started again would.
		argv := strings.Fields(info.Command)
		var env []string
		if req, ok := r.l.Request(info.RunID); ok {
			env = envVars(req.Env)
		}
		r.queue(func(s *history.Store) error {
			return s.Begin(history.Run{ID: info.RunID, Kind: info.Kind.String(), Agent: info.AgentName,
				Name: or(info.Name, or(info.AgentName, cmdname.Name(info.Command))), Argv: argv, Dir: info.ProjectPath, PID: info.PID,
				StartedAt: info.StartedAt, Status: history.StatusRunning, SessionID: info.SessionID,
				Model: info.Model, Task: info.Task, Env: env})
		})
		if !info.Status.Live() {
			r.end(info)
		}
	case registry.EventExited, registry.EventKilled:
		r.end(info)
	case registry.EventUpdated:
		if !info.Status.Live() {
			r.end(info) // marked failed after its exit
		}
		r.queue(func(s *history.Store) error {
			return s.Update(info.RunID, func(h *history.Run) { h.SessionID = info.SessionID })
		})
	}
}

// end records how a run ended.
func (r *recorder) end(info registry.ProcessInfo) {
	sig := ""
	if info.Exit.Signal != 0 {
		sig = info.Exit.String() // "SIGTERM"
	}
	ended := info.EndedAt
	if ended.IsZero() {
		ended = time.Now()
	}
	r.queue(func(s *history.Store) error {
		return s.End(info.RunID, info.Status.String(), info.ExitCode, sig, ended)
	})
}

// state records a run's change of activity.
func (r *recorder) state(id int64, a registry.Activity) {
	r.queue(func(s *history.Store) error { return s.State(id, a.State.String(), a.Detail, a.Since) })
}
