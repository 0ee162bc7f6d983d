package registry

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// trapTree is a session leader sh that ignores TERM (so do the children it
// starts afterwards), with sleep grandchildren, one grandchild in its own
// process group (as an interactive shell puts its jobs) and one that started
// a session of its own. It prints four ready lines.
const trapTree = `trap '' TERM
sleep 1000 & sleep 1000 &
CORRAL_REGISTRY_HELPER=pgid "$HELPER" &
CORRAL_REGISTRY_HELPER=setsid "$HELPER" &
echo ready; wait`

// Fix 1: the original signalled only the direct pid; the tree survived.
func TestKillReachesSessionGroupsAndDescendantsAfterGrace(t *testing.T) {
	r := New(WithGracePeriod(300 * time.Millisecond))
	defer r.Close()
	c := startChild(t, trapTree, 3)
	id := r.GenerateID()
	if err := r.RegisterProcess(RegistrationConfig{RunID: id}, c); err != nil {
		t.Fatal(err)
	}
	tree := treeOf(c.Pid(), true, true, "")
	if len(tree) != 5 {
		t.Fatalf("tree has %d processes, want sh, 2 sleeps and 2 helpers: %+v", len(tree), tree)
	}
	var ownSession, ownGroup int
	for _, p := range tree {
		if p.Session != c.Pid() {
			ownSession = p.PID
		} else if p.Pgrp != c.Pid() {
			ownGroup = p.PID
		}
	}
	if ownSession == 0 || ownGroup == 0 {
		t.Fatalf("helpers missing from the tree (own session %d, own group %d)", ownSession, ownGroup)
	}
	_, events, cancel := r.Subscribe()
	defer cancel()
	gone, err := r.KillProcess(context.Background(), id)
	if !gone || err != nil {
		t.Fatalf("KillProcess = %v, %v", gone, err)
	}
	for _, p := range tree {
		if isLive(p.PID) {
			t.Errorf("pid %d survived the kill", p.PID)
		}
	}
	if left := liveInSession(c.Pid()); len(left) > 0 {
		t.Errorf("session %d still has %v", c.Pid(), left)
	}
	info, _ := r.Process(id)
	if info.Status != StatusKilled || info.Exit.Signal != syscall.SIGKILL {
		t.Fatalf("after kill: status %v exit %v", info.Status, info.Exit)
	}
	if e := nextEvent(t, events); e.Kind != EventStopping {
		t.Fatalf("first event %v, want stopping", e.Kind)
	}
	if e := nextEvent(t, events); e.Kind != EventKilled {
		t.Fatalf("second event %v, want killed", e.Kind)
	}
}

// Fix 3: the original polled every 100 ms and slept 2 s; a child that exits
// on SIGTERM must be reported gone as soon as it is, long before the grace
// period ends. The bound here is generous (a tenth of the grace period), so
// only a design that waits out the grace fails it.
func TestKillOfTermObeyingChildReturnsAtOnce(t *testing.T) {
	r := New(WithGracePeriod(20 * time.Second))
	defer r.Close()
	c := startChild(t, "sleep 1000 & echo ready; wait", 1)
	id := r.GenerateID()
	if err := r.RegisterProcess(RegistrationConfig{RunID: id}, c); err != nil {
		t.Fatal(err)
	}
	_, events, cancel := r.Subscribe()
	defer cancel()
	began := time.Now()
	gone, err := r.KillProcess(context.Background(), id)
	took := time.Since(began)
	if !gone || err != nil {
		t.Fatalf("KillProcess = %v, %v", gone, err)
	}
	if took > 2*time.Second {
		t.Fatalf("kill took %v with a 20 s grace: it waited instead of watching the exit", took)
	}
	t.Logf("kill of a TERM-obeying tree took %v", took)
	if e := nextEvent(t, events); e.Kind != EventStopping || e.Info.KillDeadline.IsZero() {
		t.Fatalf("first event %v (deadline %v), want stopping with a deadline", e.Kind, e.Info.KillDeadline)
	}
	if e := nextEvent(t, events); e.Kind != EventKilled || e.Info.Exit.Signal != syscall.SIGTERM {
		t.Fatalf("second event %v %v, want killed by SIGTERM", e.Kind, e.Info.Exit)
	}
}

// neverDone wraps a real child but never reports it reaped: the registry
// must not call the kill a success on the strength of the signal alone.
type neverDone struct{ *execChild }

func (neverDone) Done() <-chan struct{} { return nil }

// Fix 2: the original reported success when nothing was seen to die.
func TestKillReportsSuccessOnlyWhenGone(t *testing.T) {
	r := New(WithGracePeriod(50 * time.Millisecond))
	defer r.Close()
	r.opts.killWait = 200 * time.Millisecond
	c := startChild(t, "echo ready; exec sleep 1000", 1)
	id := r.GenerateID()
	if err := r.RegisterProcess(RegistrationConfig{RunID: id}, neverDone{c}); err != nil {
		t.Fatal(err)
	}
	gone, err := r.KillProcess(context.Background(), id)
	if gone || err == nil {
		t.Fatalf("KillProcess = %v, %v for a process never seen to end; want false and an error", gone, err)
	}
	// And true means gone: a TERM-ignoring child needs SIGKILL first.
	c2 := startChild(t, "trap '' TERM; echo ready; while :; do sleep 1; done", 1)
	id2 := r.GenerateID()
	if err := r.RegisterProcess(RegistrationConfig{RunID: id2}, c2); err != nil {
		t.Fatal(err)
	}
	if gone, err := r.KillProcess(context.Background(), id2); !gone || err != nil {
		t.Fatalf("KillProcess = %v, %v", gone, err)
	}
	if isLive(c2.Pid()) {
		t.Fatal("KillProcess said true while the process lives")
	}
	// Killing an ended run again is true: it is gone.
	if gone, err := r.KillProcess(context.Background(), id2); !gone || err != nil {
		t.Fatalf("second KillProcess = %v, %v", gone, err)
	}
}

func TestCancelledContextGoesStraightToSIGKILL(t *testing.T) {
	r := New(WithGracePeriod(time.Hour))
	defer r.Close()
	c := startChild(t, "trap '' TERM; echo ready; while :; do sleep 1; done", 1)
	id := r.GenerateID()
	if err := r.RegisterProcess(RegistrationConfig{RunID: id}, c); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if gone, err := r.KillProcess(ctx, id); !gone || err != nil {
		t.Fatalf("KillProcess = %v, %v", gone, err)
	}
}

// A sidecar: a process corral did not start, adopted by pid. Its kill
// reaches it and its descendants, never the rest of its session.
func TestSidecarKillSparesItsSessionAndWatchesTheExit(t *testing.T) {
	r := New(WithPIDGracePeriod(200 * time.Millisecond))
	defer r.Close()
	// The "user's shell" leads the session; the sidecar is its child with a
	// grandchild of its own, and a sibling that must survive.
	shell := startChild(t, `sleep 1000 & echo ready
sh -c 'trap "" TERM; sleep 1000 & echo ready $$; wait' & wait`, 2)
	var sidecar int
	for _, l := range shell.readies {
		if n, err := strconv.Atoi(strings.TrimPrefix(l, "ready ")); err == nil {
			sidecar = n
		}
	}
	if sidecar == 0 {
		t.Fatalf("no sidecar pid in %q", shell.readies)
	}
	kids := treeOf(sidecar, false, true, "")
	if len(kids) != 2 {
		t.Fatalf("sidecar tree %+v, want sh and its sleep", kids)
	}
	id := r.GenerateID()
	if err := r.RegisterSidecarProcess(RegistrationConfig{RunID: id, PID: sidecar, AgentName: "adopted"}); err != nil {
		t.Fatal(err)
	}
	info, _ := r.Process(id)
	if info.Kind != KindSidecar || info.HasHandle {
		t.Fatalf("sidecar info %+v", info)
	}
	sessionBefore := len(liveInSession(shell.Pid()))
	gone, err := r.KillProcess(context.Background(), id)
	if !gone || err != nil {
		t.Fatalf("KillProcess = %v, %v", gone, err)
	}
	for _, k := range kids {
		if isLive(k.PID) {
			t.Errorf("sidecar process %d survived", k.PID)
		}
	}
	if !isLive(shell.Pid()) {
		t.Fatal("the sidecar's kill reached its session leader")
	}
	if after := len(liveInSession(shell.Pid())); after != sessionBefore-2 {
		t.Fatalf("session had %d, now %d: more than the sidecar's tree died", sessionBefore, after)
	}
	if info, _ := r.Process(id); info.Status != StatusKilled {
		t.Fatalf("sidecar status %v", info.Status)
	}
	if err := r.RegisterSidecarProcess(RegistrationConfig{RunID: r.GenerateID(), PID: sidecar}); err == nil {
		t.Fatal("a dead pid was adopted")
	}
}

func TestSidecarExitIsNoticed(t *testing.T) {
	r := New()
	defer r.Close()
	c := startChild(t, "echo ready; exec sleep 1000", 1)
	_, events, cancel := r.Subscribe()
	defer cancel()
	// Register the process by pid only, then end it from outside corral.
	id := r.GenerateID()
	if err := r.RegisterSidecarProcess(RegistrationConfig{RunID: id, PID: c.Pid()}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(c.Pid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	e := waitFor(t, events, func(e Event) bool { return e.RunID == id && e.Kind == EventExited })
	if e.Info.Status != StatusExited || e.Info.Exit.String() != "?" {
		t.Fatalf("sidecar exit recorded as %v %v", e.Info.Status, e.Info.Exit)
	}
}

// Fix 4: the original signalled a raw pid that another process may have
// taken. A run whose recorded start time no longer matches its pid's is
// treated as gone, and nothing is signalled.
func TestReusedPIDIsNeverSignalled(t *testing.T) {
	r := New(WithPIDGracePeriod(100 * time.Millisecond))
	defer r.Close()
	stranger := startChild(t, "echo ready; exec sleep 1000", 1)
	id := r.GenerateID()
	if err := r.RegisterSidecarProcess(RegistrationConfig{RunID: id, PID: stranger.Pid()}); err != nil {
		t.Fatal(err)
	}
	// Pretend the adopted process died and its pid went to this stranger:
	// the stranger's start time differs from the one recorded.
	r.mu.Lock()
	r.runs[id].start--
	r.mu.Unlock()
	if gone, err := r.KillProcess(context.Background(), id); !gone || err != nil {
		t.Fatalf("KillProcess = %v, %v; want true (the adopted process is gone)", gone, err)
	}
	if gone, err := r.KillProcessByPID(context.Background(), id, stranger.Pid()); !gone || err != nil {
		t.Fatalf("KillProcessByPID = %v, %v", gone, err)
	}
	if !isLive(stranger.Pid()) {
		t.Fatal("a process that took a registered pid was signalled")
	}
}

func TestKillProcessByPID(t *testing.T) {
	r := New(WithPIDGracePeriod(100 * time.Millisecond))
	defer r.Close()
	c := startChild(t, "trap '' TERM; sleep 1000 & echo ready; wait", 1)
	id := r.GenerateID()
	if err := r.RegisterSidecarProcess(RegistrationConfig{RunID: id, PID: c.Pid()}); err != nil {
		t.Fatal(err)
	}
	tree := treeOf(c.Pid(), false, true, "")
	if gone, err := r.KillProcessByPID(context.Background(), id, c.Pid()); !gone || err != nil {
		t.Fatalf("KillProcessByPID = %v, %v", gone, err)
	}
	for _, p := range tree {
		if isLive(p.PID) {
			t.Errorf("pid %d survived", p.PID)
		}
	}
	if info, _ := r.Process(id); info.Status != StatusKilled {
		t.Fatalf("status %v", info.Status)
	}
	// An unregistered pid that no longer exists: nothing to kill.
	if gone, err := r.KillProcessByPID(context.Background(), 0, c.Pid()); !gone || err != nil {
		t.Fatalf("KillProcessByPID of a dead pid = %v, %v", gone, err)
	}
	if _, err := r.KillProcessByPID(context.Background(), 0, -1); err == nil {
		t.Fatal("negative pid accepted")
	}
}

// 100 goroutines register and kill real children at once.
func TestConcurrentRegisterAndKill(t *testing.T) {
	r := New(WithGracePeriod(2 * time.Second))
	defer r.Close()
	const n = 100
	children := make([]*execChild, n)
	for i := range children {
		children[i] = startChild(t, "echo ready; exec sleep 1000", 1)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, c := range children {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := r.GenerateID()
			if err := r.RegisterProcess(RegistrationConfig{RunID: id}, c); err != nil {
				errs <- err
				return
			}
			_ = r.Processes()
			_ = r.AppendLiveOutput(id, "line\n")
			if gone, err := r.KillProcess(context.Background(), id); !gone || err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if live := r.RunningProcesses(); len(live) != 0 {
		t.Fatalf("%d runs still live", len(live))
	}
	for _, c := range children {
		if isLive(c.Pid()) {
			t.Fatalf("pid %d survived", c.Pid())
		}
	}
	if n := len(r.CleanupFinishedProcesses()); n != 100 {
		t.Fatalf("cleaned %d, want 100", n)
	}
}

func TestKillAll(t *testing.T) {
	r := New(WithGracePeriod(200 * time.Millisecond))
	defer r.Close()
	var pids []int
	for range 5 {
		c := startChild(t, "trap '' TERM; sleep 1000 & echo ready; wait", 1)
		if err := r.RegisterProcess(RegistrationConfig{RunID: r.GenerateID()}, c); err != nil {
			t.Fatal(err)
		}
		for _, p := range treeOf(c.Pid(), true, true, "") {
			pids = append(pids, p.PID)
		}
	}
	if err := r.KillAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, p := range pids {
		if isLive(p) {
			t.Errorf("pid %d survived KillAll", p)
		}
	}
}
