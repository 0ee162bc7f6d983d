package registry

import (
	"fmt"
	"sync"
)

// EventKind says what happened to a run.
type EventKind int

// The kinds of event.
const (
	// EventRegistered: a run was registered.
	EventRegistered EventKind = iota
	// EventOutput: a run's output or screen changed. Coalesced: a subscriber
	// that has not yet received the previous one for a run gets no second one.
	EventOutput
	// EventStopping: a kill began; Info.KillDeadline says when SIGKILL follows.
	EventStopping
	// EventExited: the process ended by itself (Info.Status exited or failed).
	EventExited
	// EventKilled: the process ended after a kill.
	EventKilled
	// EventUnregistered: the run was dropped from the registry.
	EventUnregistered
	// EventUpdated: some other field changed (session id, failure mark,
	// pending restart).
	EventUpdated
	// EventActivity: the run's activity state changed (Info.Activity).
	EventActivity
	// EventRestarted: an ended run got a new process in place (Reopen):
	// same RunID, Info running again with the new PID and StartedAt, its
	// Exit cleared and Restarts counted. Its Output keeps the earlier
	// output, followed by a RestartMarker line. No EventRegistered follows.
	EventRestarted
	// EventWarning: something went wrong beside a run, which the person
	// should know but which does not stop it (its history log cannot be
	// written): Message says what. Info is empty; RunID may be 0.
	EventWarning
)

// eventNames are the names of the event kinds, in their order.
var eventNames = [...]string{"registered", "output", "stopping", "exited", "killed", "unregistered", "updated", "activity", "restarted", "warning"}

// String names the event kind; a value outside the constants is named
// "EventKind(42)" rather than panicking (it comes from a caller's bug, and a
// log line about it must still print).
func (k EventKind) String() string {
	if k >= 0 && int(k) < len(eventNames) {
		return eventNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is one change to one run. Info is a copy of the run as of the event;
// it is empty for EventOutput.
type Event struct {
	Kind    EventKind
	RunID   int64
	Info    ProcessInfo
	Message string // EventWarning's
}

// subscriber queues events for one Subscribe call. A goroutine pumps the
// queue into the channel so that publishing never blocks.
type subscriber struct {
	mu      sync.Mutex // guards queue and pending
	queue   []Event
	pending map[int64]bool // runs with an EventOutput queued
	wake    chan struct{}
	out     chan Event
	done    chan struct{}
	once    sync.Once
}

func (s *subscriber) close() { s.once.Do(func() { close(s.done) }) }

func (s *subscriber) push(e Event) {
	s.mu.Lock()
	if e.Kind == EventOutput {
		if s.pending[e.RunID] {
			s.mu.Unlock()
			return
		}
		s.pending[e.RunID] = true
	}
	s.queue = append(s.queue, e)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *subscriber) pump() {
	defer close(s.out)
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			s.queue = s.queue[:0:0] // drop a large backing array once drained
			s.mu.Unlock()
			select {
			case <-s.wake:
				continue
			case <-s.done:
				return
			}
		}
		e := s.queue[0]
		s.queue = s.queue[1:]
		if e.Kind == EventOutput {
			delete(s.pending, e.RunID) // output after this point queues anew
		}
		s.mu.Unlock()
		select {
		case s.out <- e:
		case <-s.done:
			return
		}
	}
}

// Subscribe returns every registered run and a channel of the events that
// follow, taken under one lock so that no event falls between the snapshot
// and the channel. The channel is closed after cancel is called or the
// registry is closed. Lifecycle events are never dropped; output events are
// coalesced per run for a slow reader.
func (r *Registry) Subscribe() (snapshot []ProcessInfo, events <-chan Event, cancel func()) {
	s := &subscriber{pending: map[int64]bool{}, wake: make(chan struct{}, 1),
		out: make(chan Event), done: make(chan struct{})}
	// Lock order: mu, then subsMu (publishLocked's order too).
	r.mu.Lock()
	r.subsMu.Lock()
	snapshot = make([]ProcessInfo, 0, len(r.runs))
	for _, ru := range r.runs {
		snapshot = append(snapshot, ru.info)
	}
	closed := r.closed
	if !closed {
		r.subs[s] = struct{}{}
	}
	r.subsMu.Unlock()
	r.mu.Unlock()
	sortInfos(snapshot)
	if closed {
		s.close()
	}
	go s.pump()
	cancel = func() {
		r.subsMu.Lock()
		delete(r.subs, s)
		r.subsMu.Unlock()
		s.close()
	}
	return snapshot, s.out, cancel
}

// publishLocked hands a lifecycle event to every subscriber without
// blocking. The caller holds r.mu, so events go out in the order the changes
// were made and Subscribe's snapshot never overlaps or misses one.
func (r *Registry) publishLocked(e Event) { r.publish(e) }

// publish hands an event to every subscriber without blocking.
func (r *Registry) publish(e Event) {
	r.subsMu.Lock()
	for s := range r.subs {
		s.push(e)
	}
	r.subsMu.Unlock()
}

// Warn tells subscribers of a problem beside run runID (0: none in
// particular) that does not stop it, with EventWarning; it is also logged.
func (r *Registry) Warn(runID int64, message string) {
	r.Logger().Warn(message, "run", runID)
	r.publish(Event{Kind: EventWarning, RunID: runID, Message: message})
}

// NotifyOutput tells subscribers that a run's output or screen changed. The
// spawn package calls it when the emulated screen moves on.
func (r *Registry) NotifyOutput(runID int64) {
	r.publish(Event{Kind: EventOutput, RunID: runID})
}
