package launch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"corral/history"
	"corral/registry"
	"corral/tui"
)

// Stop stops a run corral started: its whole process tree as
// registry.KillProcess does (SIGTERM, the grace period, SIGKILL), and waits
// for it: call it from a command, not from Update. A run that has ended
// with nothing left running is stopped already. The run stays listed,
// killed, and Restart can start it again in its row. An adopted run is
// refused (registry.ErrAdopted): it could not be started again, and
// KillProcess is what ends it.
//
// A run that has ended is not killed again: a restart its policy has
// pending is cancelled (Supervise), else the error wraps tui.ErrNotRunning.
func (l *Launcher) Stop(runID int64) error {
	if err := l.ours("stop", runID); err != nil {
		return err
	}
	if info, ok := l.reg.Process(runID); ok && !info.Active() {
		l.mu.Lock()
		sup := l.supervisor
		l.mu.Unlock()
		if sup != nil && sup.Cancel(runID) {
			return nil
		}
		return fmt.Errorf("stop run %d: %w (%s)", runID, tui.ErrNotRunning, info.Status)
	}
	gone, err := l.reg.KillProcess(context.Background(), runID)
	if err != nil {
		return fmt.Errorf("stop run %d: %w", runID, err)
	}
	if info, ok := l.reg.Process(runID); !ok {
		return fmt.Errorf("stop run %d: %w", runID, registry.ErrNotFound)
	} else if !gone && info.Active() {
		return fmt.Errorf("stop run %d: it is still running", runID)
	}
	return nil
}

// Supervise tells Stop of the supervisor that restarts runs by their
// policy, so that stopping a run it is about to restart cancels that.
func (l *Launcher) Supervise(s *Supervisor) {
	l.mu.Lock()
	l.supervisor = s
	l.mu.Unlock()
}

// Restartable reports whether Restart may be asked for a run: nil for a
// run corral started or tried to start, live or ended; an error wrapping
// registry.ErrAdopted for an adopted run (corral cannot start it), or
// registry.ErrNotFound. An interface asks it before asking anything else.
func (l *Launcher) Restartable(runID int64) error { return l.ours("restart", runID) }

// ours reports whether corral started (or tried to start) a run, as an
// error for verb when not.
func (l *Launcher) ours(verb string, runID int64) error {
	rec := l.recordOf(runID)
	switch {
	case rec == nil:
		return fmt.Errorf("%s run %d: %w", verb, runID, registry.ErrNotFound)
	case rec.adopted:
		return fmt.Errorf("%s run %d: %w", verb, runID, registry.ErrAdopted)
	}
	return nil
}

// Restart starts a run corral started again, in place: the same run id, row
// and name, its earlier output kept above a restart marker line
// (registry.Reopen, spawn.Spawner.Restart). The run is started from the
// request it was launched with, the spec built as Launch builds it; a
// Claude session resumes its conversation (the request's Resume is the
// run's session id), where a one-shot agent runs its task again in a new
// session. A run still active is stopped first (Stop), which may take the
// grace period: call Restart from a command, not from Update. An adopted
// run is refused (registry.ErrAdopted): corral cannot start it; so is a run
// with no record (registry.ErrNotFound).
//
// Subscribers see, after the old life's EventExited or EventKilled, one
// EventRestarted with the new PID and Restarts counted, then the new
// process's events. The history keeps one row per run, its id the run id:
// the restart sets it running again with the new pid (its start time stays
// the first start's, its end becomes the last end), and the run's log is
// appended to, with the same marker line between the lives.
func (l *Launcher) Restart(runID int64) error {
	if err := l.Restartable(runID); err != nil {
		return err
	}
	rec := l.recordOf(runID)
	// Reopenable also waits until what a run that just ended left running
	// is counted: that is stopped too.
	switch err := l.reg.Reopenable(runID); {
	case errors.Is(err, registry.ErrActive):
		if err := l.Stop(runID); err != nil {
			return fmt.Errorf("restart: %w", err)
		}
	case err != nil:
		return fmt.Errorf("restart: %w", err)
	}
	info, ok := l.reg.Process(runID)
	if !ok {
		return fmt.Errorf("restart run %d: %w", runID, registry.ErrNotFound)
	}
	l.mu.Lock()
	req := rec.req
	l.mu.Unlock()
	if info.Kind == registry.KindClaudeSession && info.SessionID != "" {
		req.Resume = info.SessionID
	}
	b, err := l.build(req)
	if err != nil {
		return fmt.Errorf("restart run %d: %w", runID, err)
	}
	spec := b.spec
	spec.Run.RunID = runID
	spec.Env = append(spec.Env, l.hookEnv(runID)...)
	l.mu.Lock()
	rec.req = req // a later restart resumes the same conversation
	// A run that could not start has no activity settings yet; the state
	// loop reads them on the EventRestarted that follows.
	rec.activity = b.rec.activity
	l.mu.Unlock()
	if p := l.sp.Proc(runID); p != nil {
		// The old reader closes the run's log when it ends: it must have
		// ended before the log is opened again.
		p.Close()
	}
	if hist := l.recorderOf(); hist != nil {
		if w, err := hist.store.Log(runID); err == nil {
			spec.Log = w
		} else {
			l.reg.Logger().Warn("history: no log for a restarted run", "run", runID, "err", err)
		}
	}
	p, err := l.sp.Restart(spec)
	if err != nil {
		return fmt.Errorf("restart run %d: %w", runID, err)
	}
	if req.Agent != "" {
		follow(l.follower, p.RunID(), b.agent, spec.Run.Kind, spec.Run.ProjectPath, b.rec.activity.Hooks)
	}
	return nil
}

// restarted applies a run's EventRestarted in the state loop: the history
// row is running again, after the old life's end (the recorder's queue
// keeps the loop's order), and the run's activity is followed afresh.
func (l *Launcher) restarted(info registry.ProcessInfo, now time.Time) {
	if h := l.recorderOf(); h != nil {
		h.queue(func(s *history.Store) error {
			return s.Update(info.RunID, func(h *history.Run) {
				h.Status, h.PID, h.EndedAt, h.ExitCode, h.Signal = history.StatusRunning, info.PID, time.Time{}, 0, ""
				h.SessionID = info.SessionID
			})
		})
	}
	l.mu.Lock()
	r := l.runs[info.RunID]
	var old *tracked
	if r != nil {
		old, r.state = r.state, nil
	}
	l.mu.Unlock()
	if old != nil && old.timer != nil {
		old.timer.Stop()
	}
	l.track(info.RunID, info, now)
}
