package spawn

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"corral/internal/proc"
	"corral/registry"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// rig is a registry and a spawner, with a subscription to wait on.
type rig struct {
	reg    *registry.Registry
	sp     *Spawner
	events <-chan registry.Event
}

func newRig(t testing.TB, opts ...registry.Option) *rig {
	t.Helper()
	reg := registry.New(opts...)
	sp := New(reg)
	_, events, cancel := reg.Subscribe()
	t.Cleanup(func() {
		cancel()
		ctx, stop := context.WithTimeout(context.Background(), 20*time.Second)
		defer stop()
		if err := reg.KillAll(ctx); err != nil {
			t.Errorf("cleanup kill: %v", err)
		}
		sp.Close()
		reg.Close()
	})
	return &rig{reg: reg, sp: sp, events: events}
}

// sh starts script under sh -c at 80×24.
func (r *rig) sh(t testing.TB, script string) *Proc {
	t.Helper()
	p, err := r.sp.Start(Spec{Argv: []string{"sh", "-c", script}, Cols: 80, Rows: 24})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// until waits for registry events until cond holds. Every change a test
// waits for (output read, screen redrawn, exit) publishes an event, so this
// is event-driven; the timeout only guards against a hang.
func (r *rig) until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for !cond() {
		select {
		case _, ok := <-r.events:
			if !ok {
				t.Fatalf("events closed waiting for %s", what)
			}
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// screenHas waits until the emulated screen contains s.
func (r *rig) screenHas(t testing.TB, p *Proc, s string) {
	t.Helper()
	r.until(t, "screen to show "+strconv.Quote(s), func() bool { return strings.Contains(p.Text(), s) })
}

// outputHas waits until the registry's plain output contains s.
func (r *rig) outputHas(t testing.TB, p *Proc, s string) {
	t.Helper()
	r.until(t, "output to hold "+strconv.Quote(s), func() bool {
		return strings.Contains(r.reg.LiveOutput(p.RunID()), s)
	})
}

func waitDone(t testing.TB, p *Proc) {
	t.Helper()
	select {
	case <-p.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("child did not end")
	}
}

// procState describes one process from /proc/PID/stat.
type procState struct {
	pid, ppid, session int
	state              byte
}

func procs(t testing.TB) []procState {
	t.Helper()
	pids := proc.Pids()
	if len(pids) == 0 {
		t.Skip("no /proc")
	}
	var out []procState
	for _, pid := range pids {
		if st, err := proc.Read(pid); err == nil {
			out = append(out, procState{pid: pid, ppid: st.PPID, session: st.Session, state: st.State})
		}
	}
	return out
}

// liveInSession lists live (not zombie) processes of a session.
func liveInSession(t testing.TB, sid int) []int {
	var pids []int
	for _, p := range procs(t) {
		if p.session == sid && p.state != 'Z' {
			pids = append(pids, p.pid)
		}
	}
	return pids
}

func isLive(t testing.TB, pid int) bool {
	for _, p := range procs(t) {
		if p.pid == pid {
			return p.state != 'Z'
		}
	}
	return false
}

// openFDs counts this process's open files but those under /proc, which the
// registry opens for a moment when it looks for what a run left behind.
func openFDs(t testing.TB) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	n := 0
	for _, e := range ents {
		if l, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && !strings.HasPrefix(l, "/proc") {
			n++
		}
	}
	return n
}

func zombieChildren(t testing.TB) int {
	n := 0
	for _, p := range procs(t) {
		if p.ppid == os.Getpid() && p.state == 'Z' {
			n++
		}
	}
	return n
}
