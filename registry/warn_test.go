package registry

import (
	"testing"
	"time"
)

// A warning reaches every subscriber with its message, between the
// lifecycle events in the order it was given.
func TestWarnReachesSubscribers(t *testing.T) {
	r := New()
	defer r.Close()
	_, events, cancel := r.Subscribe()
	defer cancel()
	r.Warn(1000003, "history: the log of run 1000003 cannot be written: disk full")
	select {
	case e := <-events:
		if e.Kind != EventWarning || e.RunID != 1000003 || e.Message != "history: the log of run 1000003 cannot be written: disk full" {
			t.Fatalf("got %+v", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no warning")
	}
}
