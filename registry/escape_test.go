//go:build linux

package registry

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"corral/internal/proc"

	"golang.org/x/sys/unix"
)

// subreaper makes the test process the child subreaper, as corral is, for
// the test's length, and reaps the given orphans at its end.
func subreaper(t *testing.T) {
	t.Helper()
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0) })
}

// leavingRun makes the test process a subreaper, as corral is, and
// registers, in a new registry with a grace period of 300 ms, a run whose
// leader exits at once, leaving running in the run's session a `sleep
// marker` that ignores HUP. It returns the registry, a subscription made
// before the run, the run's id and the pid of what was left; the registry
// is closed, the subscription cancelled and what was left reaped when the
// test ends.
func leavingRun(t *testing.T, marker int) (r *Registry, events <-chan Event, id int64, left int) {
	t.Helper()
	subreaper(t)
	r = New(WithGracePeriod(300 * time.Millisecond))
	t.Cleanup(r.Close)
	_, events, cancel := r.Subscribe()
	t.Cleanup(cancel)
	id = r.GenerateID()
	c := startChildEnv(t, `sh -c "trap '' HUP; exec sleep `+strconv.Itoa(marker)+`" >/dev/null 2>&1 & echo ready $!; exit 0`,
		1, r.Marker(id))
	left = readyPID(t, c.readies[0])
	t.Cleanup(func() { reap(left) })
	if err := r.RegisterProcess(RegistrationConfig{RunID: id}, c); err != nil {
		t.Fatal(err)
	}
	return r, events, id, left
}

// reap collects an orphan that was reparented to the test process.
func reap(pid int) {
	var ws unix.WaitStatus
	_, _ = unix.Wait4(pid, &ws, unix.WNOHANG, nil)
}

// ready returns the ready line that ends with tag (the lines of two
// processes come in either order).
func (c *execChild) ready(tag string) string {
	for _, l := range c.readies {
		if strings.HasSuffix(l, " "+tag) {
			return l
		}
	}
	return ""
}

func readyPID(t *testing.T, line string) int {
	t.Helper()
	f := strings.Fields(line)
	if len(f) < 2 {
		t.Fatalf("ready line %q", line)
	}
	pid, err := strconv.Atoi(f[1])
	if err != nil {
		t.Fatalf("ready line %q", line)
	}
	return pid
}

func TestKillCatchesADoubleForkedDaemon(t *testing.T) {
	subreaper(t)
	r := New(WithGracePeriod(300 * time.Millisecond))
	defer r.Close()
	id := r.GenerateID()
	// The daemon leaves the session and its parent exits at once: it is
	// reparented to the subreaper, in a session of its own.
	c := startChildEnv(t, `( setsid sh -c "trap '' TERM; echo ready \$\$ daemon; exec sleep 7371" & ); echo ready $$; exec sleep 7372`,
		2, r.Marker(id))
	daemon := readyPID(t, c.ready("daemon"))
	defer reap(daemon)
	if err := r.RegisterProcess(RegistrationConfig{RunID: id}, c); err != nil {
		t.Fatal(err)
	}
	st, err := proc.Read(daemon)
	if err != nil || st.Session == c.Pid() {
		t.Fatalf("the daemon did not leave the run's session: %+v %v", st, err)
	}
	gone, err := r.KillProcess(context.Background(), id)
	if !gone || err != nil {
		t.Fatalf("kill: gone %v, %v", gone, err)
	}
	if isLive(daemon) {
		t.Fatalf("the double-forked daemon %d survived the kill of its run", daemon)
	}
}

func TestLeftoversAreFollowedCountedAndKilled(t *testing.T) {
	r, events, id, left := leavingRun(t, 7373)
	e := waitFor(t, events, func(e Event) bool { return e.RunID == id && e.Info.Leftover == 1 })
	if e.Info.Status != StatusExited || !e.Info.Active() {
		t.Fatalf("the run with a leftover: %+v", e.Info)
	}
	if ids := r.CleanupFinishedProcesses(); len(ids) != 0 {
		t.Fatalf("a run with a process left was cleaned up: %v", ids)
	}
	if owned := r.Owned(); len(owned) != 1 {
		t.Fatalf("a run with a process left is not among those quit stops: %+v", owned)
	}
	gone, err := r.KillProcess(context.Background(), id)
	if !gone || err != nil {
		t.Fatalf("kill of what was left: %v %v", gone, err)
	}
	if isLive(left) {
		t.Fatal("the leftover survived the kill")
	}
	waitFor(t, events, func(e Event) bool { return e.RunID == id && e.Info.Leftover == 0 })
	if info, _ := r.Process(id); info.Status != StatusExited || info.Active() {
		t.Fatalf("after the leftover's kill: %+v", info)
	}
}

func TestKilledOnlyOnceTheTreeIsGone(t *testing.T) {
	r := New(WithGracePeriod(400 * time.Millisecond))
	defer r.Close()
	_, events, cancel := r.Subscribe()
	defer cancel()
	// The leader obeys TERM; its child ignores TERM and HUP.
	c := startChild(t, `sh -c "trap '' TERM HUP; echo ready \$\$ child; exec sleep 7374" & echo ready $$; wait`, 2)
	child := readyPID(t, c.ready("child"))
	id := r.GenerateID()
	if err := r.RegisterProcess(RegistrationConfig{RunID: id}, c); err != nil {
		t.Fatal(err)
	}
	done := make(chan bool, 1)
	go func() {
		gone, _ := r.KillProcess(context.Background(), id)
		done <- gone
	}()
	waitFor(t, events, func(e Event) bool { return e.RunID == id && e.Kind == EventStopping })
	e := waitFor(t, events, func(e Event) bool {
		return e.RunID == id && (e.Kind == EventKilled || e.Kind == EventExited)
	})
	if e.Kind != EventKilled {
		t.Fatalf("after stopping: %v", e.Kind)
	}
	if isLive(child) {
		t.Fatal("the run was reported killed while its TERM-ignoring child still ran")
	}
	if !<-done {
		t.Fatal("KillProcess reported the tree not gone")
	}
	// While it was stopping, a second kill waited for the first.
}

// A KillAll (corral quitting) at the moment a run's leader exits still
// stops what the run left running, though it is not yet counted.
func TestKillAllRightAfterAnExitStopsWhatTheRunLeft(t *testing.T) {
	r, events, id, left := leavingRun(t, 7375)
	waitFor(t, events, func(e Event) bool { return e.RunID == id && e.Kind == EventExited })
	if err := r.KillAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if isLive(left) {
		t.Fatal("what the run left survived the KillAll")
	}
}

// A run whose leader ended but left a process running is still active: it
// is refused until what it left is stopped.
func TestReopenWaitsForLeftovers(t *testing.T) {
	r, events, id, _ := leavingRun(t, 7304)
	// Asked as soon as the leader's exit is known, before the count of what
	// it left has been published, Reopenable already says so.
	waitFor(t, events, func(e Event) bool { return e.RunID == id && e.Kind == EventExited })
	if err := r.Reopenable(id); !errors.Is(err, ErrActive) {
		t.Fatalf("Reopenable right after the exit, with a leftover running: %v, want ErrActive", err)
	}
	if info, _ := r.Process(id); info.Leftover != 1 {
		t.Fatalf("leftovers counted: %d, want 1", info.Leftover)
	}
	if err := r.Reopen(RegistrationConfig{RunID: id}, newCtlChild(t)); !errors.Is(err, ErrActive) {
		t.Fatalf("reopen with a leftover running: %v, want ErrActive", err)
	}
	if gone, err := r.KillProcess(context.Background(), id); !gone || err != nil {
		t.Fatalf("kill of what was left: %v %v", gone, err)
	}
	// Asked at once after the kill, it counts afresh: nothing is left.
	if err := r.Reopenable(id); err != nil {
		t.Fatalf("Reopenable right after the kill of what was left: %v", err)
	}
	waitFor(t, events, func(e Event) bool { return e.RunID == id && e.Info.Leftover == 0 })
	if err := r.Reopen(RegistrationConfig{RunID: id}, newCtlChild(t)); err != nil {
		t.Fatalf("reopen once the leftover is gone: %v", err)
	}
}
