package launch

import (
	"errors"
	"log/slog"
	"sync"
	"time"

	"corral/registry"
)

// When says which ends of a run its Policy restarts.
type When int

// The values of Policy.When.
const (
	// Never: the run stays ended.
	Never When = iota
	// OnFailure: the run is restarted when it failed, by a non-zero exit
	// or a signal corral did not send.
	OnFailure
	// Always: the run is restarted whenever it ended by itself.
	Always
)

// Policy is how a run is restarted when it ends by itself. A run killed
// (by a person, or by corral's quit) or unregistered is never restarted.
type Policy struct {
	When When
	// Backoff is the wait before the first restart; each restart after a
	// short run doubles it, up to MaxBackoff. A run that lasted MaxBackoff
	// or longer was healthy: its next restart waits Backoff again.
	Backoff, MaxBackoff time.Duration
	// Limit is how many restarts at most; 0: no limit.
	Limit int
}

// wants reports whether the policy restarts a run that ended with status.
func (p Policy) wants(status registry.Status) bool {
	switch p.When {
	case Always:
		return status == registry.StatusExited || status == registry.StatusFailed
	case OnFailure:
		return status == registry.StatusFailed
	}
	return false
}

// Supervisor restarts the runs it watches by their Policy. It follows the
// registry's events; restart is what starts an ended run again in its own
// row (the Launcher's restart in place), called after the backoff, off the
// event loop. The zero value is not usable; call NewSupervisor, and Close
// before the runs are stopped, so that no restart races corral's quit.
type Supervisor struct {
	reg     *registry.Registry
	restart func(runID int64) error
	log     *slog.Logger

	mu       sync.Mutex // guards watched and closed
	watched  map[int64]*supervised
	closed   bool
	inflight sync.WaitGroup // restarts being made

	stop func()        // ends the subscription
	done chan struct{} // closed when the event loop ends
}

// supervised is a watched run's policy and where it stands. Dropped on
// the run's EventUnregistered.
type supervised struct {
	policy   Policy
	restarts int           // restarts so far
	delay    time.Duration // the next wait; 0: Backoff
	ended    time.Time     // EndedAt of the last end handled: an end is handled once
	timer    *time.Timer   // the pending restart, if any
	held     bool          // Cancel stopped it: no restart until it is started again
	byPolicy bool          // the next EventRestarted is the policy's own restart
}

// NewSupervisor returns a Supervisor over reg that restarts runs with
// restart. It subscribes at once: call it before the runs it watches are
// started, or Watch finds their end in the registry.
func NewSupervisor(reg *registry.Registry, restart func(runID int64) error) *Supervisor {
	s := &Supervisor{reg: reg, restart: restart, log: reg.Logger(), watched: map[int64]*supervised{},
		done: make(chan struct{})}
	_, events, stop := reg.Subscribe()
	s.stop = stop
	go s.loop(events)
	return s
}

// Watch restarts runID by p from now on. A run that ended before Watch is
// handled as if it ended now.
func (s *Supervisor) Watch(runID int64, p Policy) {
	if p.When == Never {
		return
	}
	if p.MaxBackoff < p.Backoff {
		p.MaxBackoff = p.Backoff
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.watched[runID] = &supervised{policy: p}
	s.mu.Unlock()
	if info, ok := s.reg.Process(runID); ok && !info.Status.Live() {
		s.ended(info)
	}
}

// Close stops the restarts pending and to come, waits for one being made,
// and ends the event loop. Calls after the first do nothing.
func (s *Supervisor) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	for id, w := range s.watched {
		if w.timer != nil {
			w.timer.Stop()
			s.setPending(id, registry.Pending{})
		}
	}
	s.mu.Unlock()
	s.inflight.Wait()
	s.stop()
	<-s.done
}

func (s *Supervisor) loop(events <-chan registry.Event) {
	defer close(s.done)
	for e := range events {
		switch e.Kind {
		case registry.EventExited:
			s.ended(e.Info)
		case registry.EventKilled:
			s.cancel(e.RunID) // a kill ends a pending restart's reason too
		case registry.EventRestarted:
			s.mu.Lock()
			if w := s.watched[e.RunID]; w != nil {
				if !w.byPolicy {
					// A person started it (s, r): the policy starts
					// afresh, its count and backoff with it.
					w.restarts, w.delay = 0, 0
				}
				w.held, w.byPolicy = false, false
			}
			s.mu.Unlock()
		case registry.EventUnregistered:
			s.cancel(e.RunID)
			s.mu.Lock()
			delete(s.watched, e.RunID)
			s.mu.Unlock()
		}
	}
}

// ended decides, by the run's policy, whether and when it starts again.
func (s *Supervisor) ended(info registry.ProcessInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.watched[info.RunID]
	if w == nil || s.closed || w.held || info.EndedAt.Equal(w.ended) || w.timer != nil {
		return
	}
	w.ended = info.EndedAt
	wait, ok := w.next(info)
	if !ok {
		if w.policy.wants(info.Status) {
			s.log.Info("restart limit reached", "run", info.RunID, "restarts", w.restarts)
			s.setPending(info.RunID, registry.Pending{Spent: w.restarts})
		}
		return
	}
	id := info.RunID
	w.timer = time.AfterFunc(wait, func() { s.fire(id, w) })
	s.setPending(id, registry.Pending{At: time.Now().Add(wait)})
}

// setPending shows what the policy has in store for a run in its
// registry entry (a restart's time, the limit reached), for the interface.
// Called with s.mu held, so that it is ordered with the restart that
// clears it; the registry never calls back into the Supervisor.
func (s *Supervisor) setPending(id int64, p registry.Pending) {
	if err := s.reg.SetPending(id, p); err != nil && !errors.Is(err, registry.ErrNotFound) {
		s.log.Warn("pending restart not shown", "run", id, "err", err)
	}
}

// next is the wait before restarting a run that ended as info, counted as
// a restart; false when the policy does not restart it or its limit is
// reached.
func (w *supervised) next(info registry.ProcessInfo) (time.Duration, bool) {
	if !w.policy.wants(info.Status) || w.policy.Limit > 0 && w.restarts >= w.policy.Limit {
		return 0, false
	}
	if w.delay == 0 || info.EndedAt.Sub(info.StartedAt) >= w.policy.MaxBackoff {
		w.delay = w.policy.Backoff
	}
	wait := w.delay
	w.delay = min(2*w.delay, w.policy.MaxBackoff)
	w.restarts++
	return wait, true
}

// fire restarts the run once its wait is over, unless it was restarted,
// killed or dropped meanwhile, or the Supervisor closed.
func (s *Supervisor) fire(id int64, w *supervised) {
	s.mu.Lock()
	if s.closed || s.watched[id] != w || w.timer == nil {
		s.mu.Unlock()
		return
	}
	w.timer, w.byPolicy = nil, true
	s.inflight.Add(1) // Close waits for it: no restart after Close returns
	s.mu.Unlock()
	defer s.inflight.Done()
	if info, ok := s.reg.Process(id); !ok || info.Status.Live() {
		s.mu.Lock()
		w.byPolicy = false
		s.mu.Unlock()
		return // restarted by hand, or gone
	}
	if err := s.restart(id); err != nil {
		s.log.Warn("restart by policy failed", "run", id, "err", err)
		s.mu.Lock()
		w.byPolicy = false
		s.setPending(id, registry.Pending{}) // not restarted: no countdown left at 0
		s.mu.Unlock()
	}
}

// Cancel stops the restart pending for a run, if one is, and reports
// whether one was: a person stopped the run. Its policy applies again
// once it is started again (EventRestarted).
func (s *Supervisor) Cancel(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.watched[id]
	if w == nil || w.timer == nil {
		return false
	}
	w.timer.Stop()
	w.timer, w.held = nil, true
	s.setPending(id, registry.Pending{})
	return true
}

// cancel stops a run's pending restart.
func (s *Supervisor) cancel(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.watched[id]; w != nil && w.timer != nil {
		w.timer.Stop()
		w.timer = nil
		s.setPending(id, registry.Pending{})
	}
}
