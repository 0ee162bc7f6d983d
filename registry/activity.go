package registry

import (
	"fmt"
	"time"
)

// State is what a run is doing, besides its lifecycle Status: whether an
// agent is working, waiting for the person, or done with its turn; whether
// a plain command has written lately.
type State int

// The activity states. The zero value means nothing is known yet.
const (
	// StateNone: nothing known (an adopted process, say).
	StateNone State = iota
	// StateStarting: the run was started and has not yet reported.
	StateStarting
	// StateWorking: the agent works on a turn (Detail: the tool, or "thinking").
	StateWorking
	// StateNeedsYou: the agent waits for the person (Detail: the permission
	// asked, the question).
	StateNeedsYou
	// StateIdle: the agent's turn is over and its prompt waits.
	StateIdle
	// StateError: the agent's last turn failed (Detail: why).
	StateError
	// StateEnding: the agent's session is ending.
	StateEnding
	// StateActive: a plain command wrote output lately.
	StateActive
	// StateQuiet: a plain command has written nothing lately.
	StateQuiet
)

var stateNames = [...]string{"", "starting", "working", "needs you", "idle", "error", "ending", "active", "quiet"}

// String names the state as the interface shows it; StateNone is "".
func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Attention reports whether the state asks for the person: needs you, idle
// at a prompt, or failed.
func (s State) Attention() bool {
	return s == StateNeedsYou || s == StateIdle || s == StateError
}

// Activity is a run's activity state, when it entered it and a detail.
type Activity struct {
	State  State
	Since  time.Time
	Detail string
}

// SetActivity records what a run is doing and publishes EventActivity. A
// state and detail equal to the current ones change nothing (Since is
// kept); a zero Since is taken as now.
func (r *Registry) SetActivity(runID int64, a Activity) error {
	return r.change(runID, EventActivity, "activity", func(info *ProcessInfo) bool {
		if info.Activity.State == a.State && info.Activity.Detail == a.Detail {
			return false
		}
		if a.Since.IsZero() {
			a.Since = time.Now()
		}
		info.Activity = a
		return true
	})
}

// change applies set to a run's info under the lock and publishes an
// event of kind when set reports a change; what names the field in the
// error for a run not found.
func (r *Registry) change(runID int64, kind EventKind, what string, set func(*ProcessInfo) bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	ru, ok := r.runs[runID]
	if !ok {
		return fmt.Errorf("set %s of run %d: %w", what, runID, ErrNotFound)
	}
	if set(&ru.info) {
		r.publishLocked(Event{Kind: kind, RunID: runID, Info: ru.info})
	}
	return nil
}
