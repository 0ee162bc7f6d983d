package registry

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// TerminalChild is a Child that runs under a terminal corral holds (spawn
// starts every run under a PTY). A kill of such a run sends SIGHUP with the
// first SIGTERM, as closing that terminal would: an interactive shell, which
// ignores SIGTERM, and editors then end at once instead of at SIGKILL.
type TerminalChild interface {
	Child
	// OnTerminal reports whether the process runs under such a terminal.
	OnTerminal() bool
}

// KillProcess stops a run's whole process tree: SIGTERM (for a TerminalChild
// SIGHUP, then SIGTERM), then up to the grace period (WithGracePeriod) for it
// to exit, then SIGKILL to the same tree as it is then. For a child corral
// started the tree is its session and process group and their descendants;
// for an adopted process it is the process and its descendants (never its
// session, which may hold the user's shell), with the shorter PID grace
// period, and it never gets SIGHUP.
//
// It returns true only when the process and the rest of its tree are gone,
// and false with no error for an unknown run id. The run stays listed with
// StatusKilled, which it gets only once the tree is gone (until then it is
// stopping, even if its leader has exited). For a run that has ended but
// left processes running (ProcessInfo.Leftover), it stops those. Corral and
// its ancestors are never signalled. An exit is awaited, not polled: a child that exits on
// SIGTERM is reported at once. Cancelling ctx skips the rest of the grace
// period and goes straight to SIGKILL.
func (r *Registry) KillProcess(ctx context.Context, runID int64) (bool, error) {
	ru := r.lookup(runID)
	if ru == nil {
		return false, nil
	}
	if ru.child == nil {
		return r.kill(ctx, ru, ru.info.PID, ru.start, false, r.opts.pidGrace)
	}
	return r.kill(ctx, ru, ru.info.PID, ru.start, true, r.opts.grace)
}

// KillAll kills every run corral started that is still active (alive, or
// with processes left behind) at once, each as KillProcess does, and waits
// for all. It returns the first error. Adopted processes (registered without
// a handle) are released, never signalled: only an explicit KillProcess of
// such a run stops it.
func (r *Registry) KillAll(ctx context.Context) error {
	r.awaitCounts(ctx)
	live := r.Owned()
	errs := make([]error, len(live))
	var wg sync.WaitGroup
	for i, p := range live {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gone, err := r.KillProcess(ctx, p.RunID)
			if info, ok := r.Process(p.RunID); err == nil && !gone && ok && info.Active() {
				err = fmt.Errorf("run %d (pid %d) survived kill", p.RunID, p.PID)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// hupAgain is when a kill that began with SIGHUP sends it once more to
// what is still alive.
const hupAgain = 200 * time.Millisecond

// awaitCounts waits, at most countWait and never past ctx, until every
// ended run corral started has had what its leader left running counted:
// until then such a run does not look active, and a KillAll at that moment
// would leave what it left running alive.
func (r *Registry) awaitCounts(ctx context.Context) {
	r.mu.Lock()
	var pending []<-chan struct{}
	for _, ru := range r.runs {
		if ru.counted != nil && !ru.info.Status.Live() {
			pending = append(pending, ru.counted)
		}
	}
	r.mu.Unlock()
	deadline := time.Now().Add(countWait)
	for _, c := range pending {
		if !waitClosed(ctx, c, time.Until(deadline)) {
			return
		}
	}
}

// kill runs the TERM → grace → KILL sequence. ru may be nil for a pid
// registered nowhere.
func (r *Registry) kill(ctx context.Context, ru *run, pid int, start uint64, sessionWide bool, grace time.Duration) (bool, error) {
	if lineage()[pid] {
		return false, fmt.Errorf("kill pid %d: it is corral or one of its ancestors", pid)
	}
	leader, leaderOK := openTarget(pid, start)
	if !leaderOK && !sessionWide {
		// The adopted process is gone, or its pid now names another
		// process: nothing may be signalled.
		if ru != nil {
			r.finish(ru, Exit{Code: -1})
		}
		return true, nil
	}
	held := map[int]target{}
	if leaderOK {
		held[pid] = leader
	}
	defer func() {
		for _, t := range held {
			t.close()
		}
	}()
	marker, stopping, hup := "", false, false
	if ru != nil {
		r.mu.Lock()
		hup = sessionWide && onTerminal(ru.child)
		status, left, under := ru.info.Status, ru.info.Leftover, ru.killDone
		if status == StatusRunning {
			ru.info.Status = StatusStopping
			ru.info.KillDeadline = time.Now().Add(grace)
			ru.killing, stopping = true, true
			ru.killDone = make(chan struct{})
			r.publishLocked(Event{Kind: EventStopping, RunID: ru.info.RunID, Info: ru.info})
		}
		if ru.child != nil {
			marker = r.Marker(ru.info.RunID)
		}
		r.mu.Unlock()
		switch status {
		case StatusStopping: // another kill is under way: wait for its outcome
			if !waitClosed(ctx, under, grace+2*r.opts.killWait) {
				return false, nil
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			return !ru.info.Active(), nil
		case StatusExited, StatusFailed, StatusKilled:
			if left == 0 || !sessionWide {
				return true, nil
			}
			// The leader has ended: what it left behind is stopped.
		}
	}

	// collect adds the tree as it is now to held and returns the new targets.
	collect := func() []target {
		var fresh []target
		for _, p := range treeOf(pid, sessionWide, leaderOK, marker) {
			if _, ok := held[p.PID]; ok {
				continue
			}
			if t, ok := openTarget(p.PID, p.Start); ok {
				held[p.PID] = t
				fresh = append(fresh, t)
			}
		}
		return fresh
	}
	collect()
	// all lists the targets, the leader first: it hears each signal before
	// the processes it may be managing, and it cannot exit by itself in the
	// moment between its children's SIGKILL and its own.
	all := func() []target {
		ts := make([]target, 0, len(held))
		if t, ok := held[pid]; ok {
			ts = append(ts, t)
		}
		for p, t := range held {
			if p != pid {
				ts = append(ts, t)
			}
		}
		return ts
	}

	var firstErr error
	signal := func(ts []target, sig unix.Signal) {
		for _, t := range ts {
			if err := t.signal(sig); err != nil && firstErr == nil {
				firstErr = fmt.Errorf("%s pid %d: %w", signalName(sig), t.pid, err)
			}
		}
	}
	if hup {
		signal(all(), unix.SIGHUP)
	}
	signal(all(), unix.SIGTERM)
	deadline := time.Now().Add(grace)
	gone := false
	if hup && grace > hupAgain {
		// A shell that catches SIGHUP acts on it at its next look at its
		// signals; one that was setting up its line editor at the moment
		// may not look again until a key comes. A second SIGHUP a moment
		// later is one it acts on.
		if gone = waitTargets(all(), time.Now().Add(hupAgain), ctx.Done()); !gone && ctx.Err() == nil {
			signal(all(), unix.SIGHUP)
		}
	}
	if !gone {
		gone = waitTargets(all(), deadline, ctx.Done())
	}
	// Whatever the tree forked meanwhile, and whatever ignored TERM, is
	// killed now.
	fresh := collect()
	if !gone || len(fresh) > 0 {
		signal(all(), unix.SIGKILL)
		gone = waitTargets(all(), time.Now().Add(r.opts.killWait), nil)
	}
	if ru != nil && stopping {
		// The watcher records the exit (for a child: once reaped and its
		// output drained); wait for it, then say killed.
		gone = waitClosed(context.Background(), ru.ended, r.opts.killWait) && gone
		r.endKill(ru)
	}
	if !gone {
		if firstErr == nil {
			firstErr = fmt.Errorf("kill pid %d: still alive after SIGKILL", pid)
		}
		return false, firstErr
	}
	return true, nil
}

// onTerminal reports whether a kill of child begins with SIGHUP: only a
// process corral started under a terminal gets it, never an adopted one,
// whose terminal is someone else's.
func onTerminal(child Child) bool {
	tc, ok := child.(TerminalChild)
	return ok && tc.OnTerminal()
}

func waitClosed(ctx context.Context, c <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-c:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// endKill ends a kill of ru: once its leader has exited the run is killed,
// with whatever survived counted as left over.
func (r *Registry) endKill(ru *run) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ru.killing = false
	defer close(ru.killDone)
	select {
	case <-ru.ended:
	default:
		return // the leader survived; its exit, if it comes, says killed
	}
	if r.runs[ru.info.RunID] != ru || ru.info.Status != StatusStopping {
		return
	}
	ru.info.Status, ru.info.KillDeadline = StatusKilled, time.Time{}
	r.publishLocked(Event{Kind: EventKilled, RunID: ru.info.RunID, Info: ru.info})
}

// Owned returns the runs corral started (with a process handle) that are
// still active: alive, or with processes left behind. Quitting stops these.
func (r *Registry) Owned() []ProcessInfo {
	return r.list(func(ru *run) bool { return ru.child != nil && ru.info.Active() })
}

// Released returns the adopted runs still alive: quitting leaves them
// running.
func (r *Registry) Released() []ProcessInfo {
	return r.list(func(ru *run) bool { return ru.child == nil && ru.info.Status.Live() })
}
