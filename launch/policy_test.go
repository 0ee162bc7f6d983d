package launch

import (
	"context"
	"errors"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"corral/registry"
	"corral/spawn"
	"corral/tui"
)

// The restart decision: which ends restart, the doubling backoff up to
// its cap, its reset after a run that lasted, and the limit.
func TestPolicyNext(t *testing.T) {
	start := time.Unix(1000, 0)
	end := func(status registry.Status, lasted time.Duration) registry.ProcessInfo {
		return registry.ProcessInfo{Status: status, StartedAt: start, EndedAt: start.Add(lasted)}
	}
	short := 10 * time.Millisecond
	type step struct {
		info registry.ProcessInfo
		wait time.Duration // 0: not restarted
	}
	tests := []struct {
		name   string
		policy Policy
		steps  []step
	}{
		{"never", Policy{When: Never, Backoff: time.Second, MaxBackoff: time.Second},
			[]step{{end(registry.StatusFailed, short), 0}}},
		{"on-failure skips a clean exit", Policy{When: OnFailure, Backoff: time.Second, MaxBackoff: 8 * time.Second},
			[]step{{end(registry.StatusExited, short), 0}, {end(registry.StatusFailed, short), time.Second}}},
		{"killed is never restarted", Policy{When: Always, Backoff: time.Second, MaxBackoff: time.Second},
			[]step{{end(registry.StatusKilled, short), 0}}},
		{"doubling to the cap", Policy{When: Always, Backoff: time.Second, MaxBackoff: 5 * time.Second},
			[]step{{end(registry.StatusExited, short), time.Second}, {end(registry.StatusFailed, short), 2 * time.Second},
				{end(registry.StatusExited, short), 4 * time.Second}, {end(registry.StatusExited, short), 5 * time.Second},
				{end(registry.StatusExited, short), 5 * time.Second}}},
		{"a run that lasted resets the backoff", Policy{When: OnFailure, Backoff: time.Second, MaxBackoff: 4 * time.Second},
			[]step{{end(registry.StatusFailed, short), time.Second}, {end(registry.StatusFailed, short), 2 * time.Second},
				{end(registry.StatusFailed, time.Minute), time.Second}, {end(registry.StatusFailed, short), 2 * time.Second}}},
		{"limit", Policy{When: Always, Backoff: time.Second, MaxBackoff: time.Second, Limit: 2},
			[]step{{end(registry.StatusFailed, short), time.Second}, {end(registry.StatusFailed, short), time.Second},
				{end(registry.StatusFailed, short), 0}, {end(registry.StatusFailed, time.Hour), 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &supervised{policy: tt.policy}
			for i, st := range tt.steps {
				wait, ok := w.next(st.info)
				if ok != (st.wait != 0) || wait != st.wait {
					t.Fatalf("end %d (%s after %s): wait %s %v, want %s", i, st.info.Status,
						st.info.EndedAt.Sub(st.info.StartedAt), wait, ok, st.wait)
				}
			}
		})
	}
}

// A real run that fails is restarted in place by its policy, Limit times,
// each after its backoff; one that is killed is not.
func TestSupervisorRestartsByPolicy(t *testing.T) {
	reg := registry.New(registry.WithGracePeriod(time.Second))
	sp := spawn.New(reg)
	defer func() { sp.Close(); reg.Close() }()

	var mu sync.Mutex
	var calls []time.Time
	specs := map[int64]spawn.Spec{}
	restart := func(id int64) error {
		mu.Lock()
		calls = append(calls, time.Now())
		spec := specs[id]
		mu.Unlock()
		_, err := sp.Restart(spec)
		return err
	}
	s := NewSupervisor(reg, restart)
	defer s.Close() // before the registry closes

	start := func(argv ...string) int64 {
		spec := spawn.Spec{Argv: argv, Cols: 80, Rows: 24}
		spec.Run.RunID = reg.GenerateID()
		p, err := sp.Start(spec)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		specs[p.RunID()] = spec
		mu.Unlock()
		return p.RunID()
	}
	backoff := 40 * time.Millisecond
	failing := start("sh", "-c", "echo life-7352; exit 3")
	s.Watch(failing, Policy{When: OnFailure, Backoff: backoff, MaxBackoff: 4 * backoff, Limit: 3})

	// The third restart's end is the last: handled, and no restart pending.
	deadline := time.Now().Add(10 * time.Second)
	for {
		info, _ := reg.Process(failing)
		s.mu.Lock()
		w := s.watched[failing]
		done := w.restarts == 3 && info.Restarts == 3 && w.timer == nil && !info.Status.Live() && w.ended.Equal(info.EndedAt)
		s.mu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not restarted 3 times: %+v", info)
		}
		time.Sleep(10 * time.Millisecond) // polling for an external fact: the processes' ends
	}
	info, _ := reg.Process(failing)
	if info.Status != registry.StatusFailed || info.Restarts != 3 {
		t.Fatalf("status %s, %d restarts; want failed after 3", info.Status, info.Restarts)
	}
	if n := strings.Count(strings.Join(reg.Output(failing).Tail(100), "\n"), "life-7352"); n != 4 {
		t.Fatalf("the run's output shows %d lives, want 4", n)
	}
	mu.Lock()
	if len(calls) != 3 {
		t.Fatalf("%d restarts asked, want 3", len(calls))
	}
	mu.Unlock()

	mu.Lock()
	if gap := calls[1].Sub(calls[0]); gap < 2*backoff {
		t.Errorf("second restart %s after the first, want the doubled backoff %s at least", gap, 2*backoff)
	}
	if gap := calls[2].Sub(calls[1]); gap < 4*backoff {
		t.Errorf("third restart %s after the second, want %s at least", gap, 4*backoff)
	}
	mu.Unlock()

	// A run killed by a person stays killed; one that ended before Watch
	// is decided at once.
	killed := start("sleep", "7352")
	if _, err := reg.KillProcess(context.Background(), killed); err != nil {
		t.Fatal(err)
	}
	info, _ = reg.Process(killed)
	if info.Status != registry.StatusKilled {
		t.Fatalf("killed run: %s", info.Status)
	}
	s.Watch(killed, Policy{When: Always, Backoff: time.Millisecond, MaxBackoff: time.Millisecond})
	s.mu.Lock()
	w := s.watched[killed]
	if !w.ended.Equal(info.EndedAt) || w.timer != nil || w.restarts != 0 {
		t.Errorf("killed run: handled %v, timer %v, %d restarts", w.ended, w.timer != nil, w.restarts)
	}
	s.mu.Unlock()
}

// Stopping a run whose policy has a restart pending cancels that restart,
// and the run is not restarted by its policy until it is started again.
func TestStopCancelsAPendingRestart(t *testing.T) {
	r := newRig(t)
	id, err := r.l.Launch(tui.Request{Command: "sh -c 'echo pending-7353; exit 1'"})
	if err != nil {
		t.Fatal(err)
	}
	restarts := make(chan int64, 4)
	s := NewSupervisor(r.reg, func(id int64) error { restarts <- id; return nil })
	defer s.Close()
	r.l.Supervise(s)
	s.Watch(id, Policy{When: Always, Backoff: time.Hour, MaxBackoff: time.Hour})
	eventually(t, "the restart pending", func() bool { // set by the supervisor's goroutine: no event tells
		s.mu.Lock()
		defer s.mu.Unlock()
		w := s.watched[id]
		return w != nil && w.timer != nil
	})
	if err := r.l.Stop(id); err != nil {
		t.Fatalf("stop with a restart pending: %v", err)
	}
	s.mu.Lock()
	w := s.watched[id]
	pending, held := w.timer != nil, w.held
	s.mu.Unlock()
	if pending || !held {
		t.Fatalf("after the stop: pending %v held %v", pending, held)
	}
	if err := r.l.Stop(id); !errors.Is(err, tui.ErrNotRunning) {
		t.Fatalf("a second stop: %v", err)
	}
	select {
	case <-restarts:
		t.Fatal("restarted after the stop")
	default:
	}
}

// QA's case: a run killed from outside (kill -TERM) under a restart policy
// has its pending restart in its registry entry (Pending.At, the backoff
// after its end) until the restart clears it; once the limit is spent the
// entry says so; a pending restart cancelled by Stop (x) is cleared.
func TestPendingRestartIsInTheRegistry(t *testing.T) {
	r := newRig(t)
	s := NewSupervisor(r.reg, r.l.Restart)
	defer s.Close()
	r.l.Supervise(s)
	killTERM := func(id int64) {
		t.Helper()
		info, _ := r.reg.Process(id)
		if !info.Status.Live() || info.PID <= 0 {
			t.Fatalf("run %d not running: %+v", id, info)
		}
		if err := syscall.Kill(info.PID, syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
	}

	id, err := r.l.Launch(tui.Request{Command: "sleep 7362"})
	if err != nil {
		t.Fatal(err)
	}
	backoff := 300 * time.Millisecond
	s.Watch(id, Policy{When: OnFailure, Backoff: backoff, MaxBackoff: backoff, Limit: 1})
	killTERM(id)
	var info registry.ProcessInfo
	r.until(t, "the restart pending", func() bool { info, _ = r.reg.Process(id); return !info.Pending.At.IsZero() })
	if info.Status != registry.StatusFailed || info.Exit.Signal != syscall.SIGTERM ||
		info.Pending.At.Before(info.EndedAt.Add(backoff)) || info.Pending.At.After(time.Now().Add(backoff)) {
		t.Fatalf("pending: %s %s, restart at %s, ended %s", info.Status, info.Exit, info.Pending.At, info.EndedAt)
	}
	r.until(t, "the restart", func() bool { info, _ = r.reg.Process(id); return info.Restarts == 1 })
	if info.Pending != (registry.Pending{}) {
		t.Fatalf("restarted, still pending: %+v", info.Pending)
	}
	killTERM(id)
	r.until(t, "the limit spent", func() bool { info, _ = r.reg.Process(id); return info.Pending.Spent != 0 })
	if info.Pending != (registry.Pending{Spent: 1}) || info.Status.Live() {
		t.Fatalf("limit spent: %s, %+v", info.Status, info.Pending)
	}

	held, err := r.l.Launch(tui.Request{Command: "sleep 7363"})
	if err != nil {
		t.Fatal(err)
	}
	s.Watch(held, Policy{When: OnFailure, Backoff: time.Hour, MaxBackoff: time.Hour})
	killTERM(held)
	r.until(t, "the second restart pending", func() bool { info, _ = r.reg.Process(held); return !info.Pending.At.IsZero() })
	if err := r.l.Stop(held); err != nil {
		t.Fatalf("stop with a restart pending: %v", err)
	}
	if info, _ = r.reg.Process(held); info.Pending != (registry.Pending{}) {
		t.Fatalf("cancelled, still pending: %+v", info.Pending)
	}
}

// QA's case: a person who stops a pending restart (x) and starts the run
// again (s) starts its policy afresh: the cancelled restart and the earlier
// ones do not count towards the limit, and the backoff is back to its
// first wait.
func TestAPersonsStartResetsThePolicy(t *testing.T) {
	r := newRig(t)
	s := NewSupervisor(r.reg, r.l.Restart)
	defer s.Close()
	r.l.Supervise(s)
	id, err := r.l.Launch(tui.Request{Command: "sleep 7364"})
	if err != nil {
		t.Fatal(err)
	}
	s.Watch(id, Policy{When: OnFailure, Backoff: time.Hour, MaxBackoff: 4 * time.Hour, Limit: 1})
	for round := range 3 {
		info, _ := r.reg.Process(id)
		if err := syscall.Kill(info.PID, syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		r.until(t, "a restart pending", func() bool { info, _ = r.reg.Process(id); return !info.Pending.At.IsZero() || info.Pending.Spent != 0 })
		if info.Pending.Spent != 0 || info.Pending.At.After(info.EndedAt.Add(time.Hour+time.Minute)) {
			t.Fatalf("round %d: %+v, want a restart an hour after the end", round, info.Pending)
		}
		if err := r.l.Stop(id); err != nil { // x
			t.Fatal(err)
		}
		if err := r.l.Restart(id); err != nil { // s
			t.Fatal(err)
		}
		r.until(t, "started again", func() bool { info, _ = r.reg.Process(id); return info.Status.Live() && info.Restarts == round+1 })
	}
}
