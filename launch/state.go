package launch

import (
	"time"

	"corral/activity"
	"corral/registry"
	"corral/spawn"
)

// screenEvery bounds how often an agent's screen text is read for the
// state heuristics: a flooding agent costs one read a quarter second.
const screenEvery = 250 * time.Millisecond

// tracked is the activity of one run as the state loop follows it. It is
// part of the run's record and touched only by the loop goroutine.
type tracked struct {
	tr      *activity.Tracker
	agent   bool // an agent: its screen feeds the heuristics
	last    registry.Activity
	timer   *time.Timer
	armed   time.Time // when timer fires; zero when no timer is armed
	screen  time.Time // when the screen was last read
	due     bool      // a screen read waits for screen+screenEvery
	session string    // the session id a SessionStart hook reported
	ended   bool      // the run's process ended: its Status says the rest
	written int64     // the run's Output.Written when it last counted as output
}

// stateInput is one thing the state loop learns from outside the registry:
// a hook event, a signal from a child's output, or a timer of a run.
type stateInput struct {
	runID int64
	hook  *activity.Hook
	sig   *spawn.Signal
	input bool // the person typed or pasted into the run
	tick  bool
}

// loop follows the registry and the runs' hooks and signals: it keeps each
// run's activity tracker, publishes its state, and drops a run's record
// when the registry drops the run. One goroutine owns every tracker.
func (l *Launcher) loop(events <-chan registry.Event) {
	defer close(l.done)
	for {
		select {
		case e, ok := <-events:
			if !ok {
				l.stopTimers()
				return
			}
			l.event(e)
		case in := <-l.inputs:
			l.input(in)
		}
	}
}

// event applies one registry event.
func (l *Launcher) event(e registry.Event) {
	now := time.Now()
	if e.Kind == registry.EventOutput {
		l.output(e.RunID, now) // the frequent one: nothing of it is recorded
		return
	}
	if h := l.recorderOf(); h != nil {
		r := l.recordOf(e.RunID)
		h.event(e, r != nil && r.begun)
	}
	switch e.Kind {
	case registry.EventRegistered:
		l.track(e.RunID, e.Info, now)
	case registry.EventRestarted:
		l.restarted(e.Info, now)
	case registry.EventUnregistered:
		l.mu.Lock()
		r := l.runs[e.RunID]
		delete(l.runs, e.RunID)
		l.mu.Unlock()
		if r != nil && r.state != nil && r.state.timer != nil {
			r.state.timer.Stop()
		}
	case registry.EventExited, registry.EventKilled:
		if t := l.tracked(e.RunID); t != nil {
			// An ended run's state no longer changes: its Status says how
			// it ended.
			t.ended = true
			if t.timer != nil {
				t.timer.Stop()
				t.armed = time.Time{}
			}
		}
	}
}

// output tells a run's tracker that the run wrote, with its screen for an
// agent.
func (l *Launcher) output(id int64, now time.Time) {
	t := l.tracked(id)
	if t == nil || t.ended {
		return
	}
	// The event also comes when only the screen changed (a resize
	// reflows it): the run did something only if it wrote.
	if out := l.reg.Output(id); out != nil {
		n := out.Written()
		if n == t.written {
			return
		}
		t.written = n
	}
	t.tr.Output(now)
	if t.agent {
		l.readScreen(id, t, now)
	}
	l.publish(id, t, now)
}

// recordOf returns the record of a run, nil if it has none.
func (l *Launcher) recordOf(id int64) *record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.runs[id]
}

// track creates the tracker of a run corral started, once: on its
// EventRegistered, or on a hook or signal that comes first (the
// subscription delivers events beside the inputs, in no fixed order).
func (l *Launcher) track(id int64, info registry.ProcessInfo, now time.Time) *tracked {
	r := l.recordOf(id)
	if r == nil || r.adopted || !info.HasHandle || !info.Status.Live() {
		return nil
	}
	if r.state != nil {
		return r.state // r.state is written only by this goroutine
	}
	// Only an agent with screen patterns has its screen read: without them
	// (a stream-json run) a still screen says nothing.
	screen := r.activity.Agent && (r.activity.Working != nil || r.activity.Waiting != nil)
	t := &tracked{tr: activity.NewTracker(r.activity, now), agent: screen}
	if out := l.reg.Output(id); out != nil {
		// A run started again in place keeps its earlier output and the
		// restart's marker: only what its new process writes is news.
		t.written = out.WrittenAtRestart()
	}
	l.mu.Lock()
	r.state = t
	l.mu.Unlock()
	l.publish(id, t, now)
	return t
}

// tracked returns the tracker of a live run, or nil.
func (l *Launcher) tracked(id int64) *tracked {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r := l.runs[id]; r != nil {
		return r.state
	}
	return nil
}

// input applies a hook event, a signal or a timer.
func (l *Launcher) input(in stateInput) {
	now := time.Now()
	t := l.tracked(in.runID)
	if t == nil {
		info, ok := l.reg.Process(in.runID)
		if !ok {
			return
		}
		if t = l.track(in.runID, info, now); t == nil {
			return
		}
	}
	if t.ended {
		return
	}
	switch {
	case in.hook != nil:
		t.tr.Hook(*in.hook, now)
		if sid := in.hook.SessionID; sid != "" && sid != t.session {
			t.session = sid
			if info, ok := l.reg.Process(in.runID); ok && info.SessionID != sid {
				_ = l.reg.SetSessionID(in.runID, sid)
			}
		}
	case in.sig != nil:
		switch in.sig.Kind {
		case spawn.SignalBell:
			t.tr.Bell(now)
		case spawn.SignalNotify:
			t.tr.Notify(in.sig.Text, now)
		case spawn.SignalProgress:
			t.tr.Progress(in.sig.Busy, now)
		case spawn.SignalTitle:
			t.tr.Title(in.sig.Text, now)
		}
	case in.input:
		t.tr.Input(now)
	case in.tick:
		t.armed = time.Time{}
		if t.due && !now.Before(t.screen.Add(screenEvery)) {
			l.readScreen(in.runID, t, now)
		}
		t.tr.Tick(now)
	}
	l.publish(in.runID, t, now)
}

// readScreen gives the tracker the run's screen text, at most once every
// screenEvery; a change sooner is read when that time comes.
func (l *Launcher) readScreen(id int64, t *tracked, now time.Time) {
	if now.Before(t.screen.Add(screenEvery)) {
		t.due = true
		return
	}
	t.due = false
	t.screen = now
	if p := l.sp.Proc(id); p != nil {
		t.tr.Screen(p.Text(), now)
	}
}

// publish records the tracker's state in the registry if it changed, and
// arms the run's one timer for the tracker's next deadline or a screen
// read that waits.
func (l *Launcher) publish(id int64, t *tracked, now time.Time) {
	if a := t.tr.Activity(); a.State != t.last.State || a.Detail != t.last.Detail {
		t.last = a
		_ = l.reg.SetActivity(id, a)
		if h := l.recorderOf(); h != nil {
			h.state(id, a)
		}
	}
	next := t.tr.Next()
	if t.due {
		if at := t.screen.Add(screenEvery); next.IsZero() || at.Before(next) {
			next = at
		}
	}
	if next.IsZero() || (!t.armed.IsZero() && !next.Before(t.armed)) {
		// Nothing to wait for, or the armed timer comes first: when it
		// fires, the deadline is looked at again.
		return
	}
	t.armed = next
	d := max(next.Sub(now), 0)
	if t.timer == nil {
		t.timer = time.AfterFunc(d, func() { l.send(stateInput{runID: id, tick: true}) })
		return
	}
	t.timer.Reset(d)
}

// send hands the state loop an input, or drops it once the Launcher is
// closed.
func (l *Launcher) send(in stateInput) {
	select {
	case l.inputs <- in:
	case <-l.quit:
	}
}

// offer hands the state loop an input without waiting: hooks and signals
// come from goroutines that must not block (a run's reader, a socket
// connection). It reports whether the input was taken.
func (l *Launcher) offer(in stateInput) bool {
	select {
	case l.inputs <- in:
		return true
	default:
		return false
	}
}

// stopTimers stops every run's timer when the loop ends.
func (l *Launcher) stopTimers() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.runs {
		if r.state != nil && r.state.timer != nil {
			r.state.timer.Stop()
		}
	}
}
