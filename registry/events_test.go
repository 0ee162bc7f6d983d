package registry

import (
	"sync"
	"testing"
)

// fakeChild is a handle whose process never ends, for tests of bookkeeping
// that need no real process (its pid is this test process, never signalled).
type fakeChild struct{ pid int }

func (f fakeChild) Pid() int              { return f.pid }
func (f fakeChild) Done() <-chan struct{} { return nil }
func (f fakeChild) Exit() Exit            { return Exit{} }

// Every run registered while a subscriber joins is seen exactly once: in the
// snapshot or as an event, never both, never neither.
func TestSubscribeSnapshotAndEventsNeitherOverlapNorMiss(t *testing.T) {
	for round := range 20 {
		r := New()
		const n = 200
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if err := r.RegisterProcess(RegistrationConfig{RunID: int64(i), PID: 1}, fakeChild{1}); err != nil {
					t.Error(err)
				}
			}()
		}
		close(start)
		snap, events, cancel := r.Subscribe()
		seen := map[int64]int{}
		for _, p := range snap {
			seen[p.RunID]++
		}
		wg.Wait()
		for len(seen) < n {
			e := nextEvent(t, events)
			if e.Kind != EventRegistered {
				t.Fatalf("unexpected %v", e.Kind)
			}
			seen[e.RunID]++
		}
		for id, c := range seen {
			if c != 1 {
				t.Fatalf("round %d: run %d seen %d times (snapshot had %d)", round, id, c, len(snap))
			}
		}
		cancel()
		r.Close()
	}
}

// Lifecycle events of one run arrive in the order they happened.
func TestEventsKeepOrderPerRun(t *testing.T) {
	r := New()
	defer r.Close()
	_, events, cancel := r.Subscribe()
	defer cancel()
	if err := r.RegisterProcess(RegistrationConfig{RunID: 1, PID: 1}, fakeChild{1}); err != nil {
		t.Fatal(err)
	}
	_ = r.AppendLiveOutput(1, "x\n")
	_ = r.SetSessionID(1, "s")
	_ = r.UnregisterProcess(1)
	want := []EventKind{EventRegistered, EventOutput, EventUpdated, EventUnregistered}
	for _, k := range want {
		if e := nextEvent(t, events); e.Kind != k || e.RunID != 1 {
			t.Fatalf("got %v for run %d, want %v", e.Kind, e.RunID, k)
		}
	}
}

// A subscriber that does not read while thousands of output events are
// published gets one output event per run, and every lifecycle event.
func TestSlowSubscriberGetsCoalescedOutputAndAllLifecycleEvents(t *testing.T) {
	r := New()
	defer r.Close()
	_, events, cancel := r.Subscribe()
	defer cancel()
	const runs = 10
	for i := range runs {
		if err := r.RegisterProcess(RegistrationConfig{RunID: int64(i), PID: 1}, fakeChild{1}); err != nil {
			t.Fatal(err)
		}
	}
	for range 1000 {
		for i := range runs {
			_ = r.AppendLiveOutput(int64(i), "line\n")
		}
	}
	for i := range runs {
		_ = r.UnregisterProcess(int64(i))
	}
	counts := map[EventKind]int{}
	for counts[EventUnregistered] < runs {
		counts[nextEvent(t, events).Kind]++
	}
	if counts[EventRegistered] != runs {
		t.Fatalf("registered events: %d, want %d", counts[EventRegistered], runs)
	}
	// The pump may hand over one output event per run before the flood
	// queues the next, so allow two per run; 10,000 were published.
	if counts[EventOutput] > 2*runs || counts[EventOutput] < runs {
		t.Fatalf("%d output events for 10,000 appends over %d runs", counts[EventOutput], runs)
	}
}

func TestCancelClosesTheChannel(t *testing.T) {
	r := New()
	defer r.Close()
	_, events, cancel := r.Subscribe()
	cancel()
	for range events {
	}
	cancel() // twice is fine
	// Publishing after cancel reaches nobody and does not block.
	if err := r.RegisterProcess(RegistrationConfig{RunID: 1, PID: 1}, fakeChild{1}); err != nil {
		t.Fatal(err)
	}
}
