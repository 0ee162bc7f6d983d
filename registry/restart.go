package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors of Reopen and Reopenable, for errors.Is.
var (
	// ErrActive is returned for a run that is still running, stopping, or
	// has processes left behind: it must be stopped before it can be
	// restarted in place.
	ErrActive = errors.New("run is still active")
	// ErrAdopted is returned for a run corral did not start (adopted by
	// pid): corral cannot start it again.
	ErrAdopted = errors.New("run was not started by corral")
)

// RestartMarker is the line Reopen appends to a run's output between the
// output of its previous process and that of the new one: "── restarted
// 14:03:05 ──". A run's other records of its output (the history's log)
// use the same line.
func RestartMarker(at time.Time) string {
	return "── restarted " + at.Format("15:04:05") + " ──"
}

// IsRestartMarker reports whether line is a RestartMarker line.
func IsRestartMarker(line string) bool {
	rest, ok := strings.CutPrefix(line, "── restarted ")
	if !ok || !strings.HasSuffix(rest, " ──") {
		return false
	}
	_, err := time.Parse("15:04:05", strings.TrimSuffix(rest, " ──"))
	return err == nil
}

// countWait bounds how long Reopenable waits for an ended run's first
// count of what it left running (one scan of the process table).
const countWait = 2 * time.Second

// Reopenable reports whether Reopen would accept runID now: nil for a run
// corral started (or tried to start: RecordFailure) that has ended with
// nothing left running; an error wrapping ErrNotFound, ErrAdopted or
// ErrActive otherwise. Call it before starting the new process: for an
// ended run it counts what the run left running afresh (after the
// watcher's first count, which it waits for briefly), so that a restart
// asked for at the moment the leader ended, or just after a kill of what
// it left, is judged on the processes as they are. Reopen does not count:
// the new process, which carries the run's Marker, would be counted among
// the old one's leftovers.
func (r *Registry) Reopenable(runID int64) error {
	r.mu.Lock()
	ru := r.runs[runID]
	_, err := r.reopenableLocked(runID)
	if ru == nil || ru.counted == nil || ru.info.Status.Live() || errors.Is(err, ErrAdopted) {
		r.mu.Unlock()
		return err
	}
	pid := ru.info.PID
	r.mu.Unlock()
	if !waitClosed(context.Background(), ru.counted, countWait) {
		return fmt.Errorf("reopen run %d: %w (what it left running is still being counted)", runID, ErrActive)
	}
	r.setLeftover(ru, len(treeOf(pid, true, false, r.Marker(runID))))
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err = r.reopenableLocked(runID)
	return err
}

func (r *Registry) reopenableLocked(runID int64) (*run, error) {
	if r.closed {
		return nil, fmt.Errorf("reopen run %d: registry closed", runID)
	}
	ru, ok := r.runs[runID]
	switch {
	case !ok:
		return nil, fmt.Errorf("reopen run %d: %w", runID, ErrNotFound)
	case ru.child == nil && ru.info.PID > 0:
		return nil, fmt.Errorf("reopen run %d (pid %d): %w", runID, ru.info.PID, ErrAdopted)
	case ru.info.Active():
		return nil, fmt.Errorf("reopen run %d: %w (%s, %d left running)", runID, ErrActive, ru.info.Status, ru.info.Leftover)
	}
	return ru, nil
}

// Reopen gives an ended run a new process in place: a restart that keeps the
// run's id, its row and name, and its output. cfg.RunID names the run and
// child is the new process; cfg.PID is child's pid when zero, and
// cfg.Command and cfg.SessionID, when not empty, replace the run's (a
// resumed Claude session runs a different command line; a new one-shot
// agent run gets a new session id). The run's other fields (kind, name,
// agent, task, model, project, Resumes) stay as they were.
//
// Only a run Reopenable accepts is reopened; the error says why not
// (ErrNotFound, ErrAdopted, ErrActive, or ErrDuplicateSession for a session
// id another run holds).
//
// The run's Output keeps what the earlier processes wrote and gets
// RestartMarker as a line of its own; then the run is running again: new
// PID and StartedAt, Exit, EndedAt, Leftover, Activity and Pending cleared,
// Restarts one more, HasHandle true. Subscribers get one EventRestarted with
// that Info (never EventRegistered again), then an EventOutput; the new
// process's exit is reported as any run's (EventExited, EventKilled).
//
// Internally the run gets a new entry that shares the Output: whatever the
// old process's watcher still does (a late exit, counting what it left
// behind) finds its entry gone and changes nothing, so it can never mark
// the new process exited.
func (r *Registry) Reopen(cfg RegistrationConfig, child Child) error {
	if child == nil {
		return fmt.Errorf("reopen run %d: nil child", cfg.RunID)
	}
	if cfg.PID == 0 {
		cfg.PID = child.Pid()
	}
	start, startErr := processStartTime(cfg.PID)
	now := time.Now()

	r.mu.Lock()
	old, err := r.reopenableLocked(cfg.RunID)
	if err != nil {
		r.mu.Unlock()
		return err
	}
	if cfg.SessionID != "" {
		for _, o := range r.runs {
			if o != old && o.info.SessionID == cfg.SessionID {
				r.mu.Unlock()
				return fmt.Errorf("reopen run %d: session %q: %w (run %d)", cfg.RunID, cfg.SessionID, ErrDuplicateSession, o.info.RunID)
			}
		}
	}
	info := old.info
	info.PID, info.StartedAt, info.Status, info.HasHandle = cfg.PID, now, StatusRunning, true
	info.Exit, info.ExitCode, info.EndedAt, info.KillDeadline = Exit{}, 0, time.Time{}, time.Time{}
	info.Leftover, info.Activity, info.Pending = 0, Activity{}, Pending{}
	info.Restarts++
	if cfg.Command != "" {
		info.Command = cfg.Command
	}
	if cfg.SessionID != "" {
		info.SessionID = cfg.SessionID
	}
	ru := &run{info: info, child: child, start: start, out: old.out,
		ended: make(chan struct{}), stop: make(chan struct{}), counted: make(chan struct{})}
	// The marker goes in before the new entry is seen: the new process's
	// reader starts writing only once Reopen has returned.
	ru.out.AppendRestart(RestartMarker(now))
	r.runs[cfg.RunID] = ru
	r.publishLocked(Event{Kind: EventRestarted, RunID: cfg.RunID, Info: ru.info})
	r.wg.Add(1)
	r.mu.Unlock()
	old.halt() // the old watcher, if still following leftovers, stops
	r.NotifyOutput(cfg.RunID)
	if startErr != nil {
		r.opts.log.Warn("registry: start time unknown, so the pid-reuse check is off for this run",
			"run", cfg.RunID, "pid", cfg.PID, "err", startErr)
	}
	go r.watch(ru, ru.info.PID, ru.start)
	return nil
}

// Pending is what a restart policy (launch.Supervisor) has in store for an
// ended run: a restart at a time, or none left. The zero value: nothing.
type Pending struct {
	// At is when the run is restarted; zero: no restart pending.
	At time.Time
	// Spent, when not 0, is the policy's limit of restarts, all made: the
	// run is not restarted again by its policy.
	Spent int
}

// SetPending records what a restart policy has in store for a run and
// publishes EventUpdated; a value equal to the current one changes
// nothing. Reopen clears it.
func (r *Registry) SetPending(runID int64, p Pending) error {
	return r.change(runID, EventUpdated, "pending restart", func(info *ProcessInfo) bool {
		if info.Pending.At.Equal(p.At) && info.Pending.Spent == p.Spent {
			return false
		}
		info.Pending = p
		return true
	})
}
