package registry

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestGenerateIDStartsAtOneMillionAndIsUniqueUnderConcurrency(t *testing.T) {
	r := New()
	defer r.Close()
	if id := r.GenerateID(); id != FirstRunID {
		t.Fatalf("first id = %d, want %d", id, FirstRunID)
	}
	const workers, each = 50, 200
	ids := make(chan int64, workers*each)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				ids <- r.GenerateID()
			}
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[int64]bool{}
	for id := range ids {
		if seen[id] {
			t.Fatalf("id %d generated twice", id)
		}
		seen[id] = true
	}
	if next := r.GenerateID(); next != FirstRunID+workers*each+1 {
		t.Fatalf("next id = %d, want %d", next, FirstRunID+workers*each+1)
	}
}

func TestRegisterProcessAndLookups(t *testing.T) {
	r := New()
	defer r.Close()
	c := startChild(t, "echo ready; exec sleep 1000", 1)
	cfg := RegistrationConfig{RunID: r.GenerateID(), AgentID: 7, AgentName: "builder", ProjectPath: "/tmp/p",
		Task: "fix the bug", Model: "opus"}
	if err := r.RegisterProcess(cfg, c); err != nil {
		t.Fatal(err)
	}
	info, ok := r.Process(cfg.RunID)
	if !ok {
		t.Fatal("registered run not found")
	}
	if info.PID != c.Pid() || info.Kind != KindAgent || info.AgentName != "builder" || info.AgentID != 7 ||
		info.Task != "fix the bug" || info.Model != "opus" || info.ProjectPath != "/tmp/p" ||
		info.Status != StatusRunning || !info.HasHandle || info.StartedAt.IsZero() {
		t.Fatalf("unexpected info %+v", info)
	}
	if !r.IsProcessRunning(cfg.RunID) {
		t.Fatal("IsProcessRunning = false for a live child")
	}
	if got := r.RunningProcesses(); len(got) != 1 || got[0].RunID != cfg.RunID {
		t.Fatalf("RunningProcesses = %+v", got)
	}
	if got := r.RunningAgentProcesses(); len(got) != 1 {
		t.Fatalf("RunningAgentProcesses = %+v", got)
	}
	if got := r.RunningClaudeSessions(); len(got) != 0 {
		t.Fatalf("RunningClaudeSessions = %+v, want none", got)
	}
	if _, ok := r.Process(42); ok {
		t.Fatal("unknown id found")
	}
	if r.IsProcessRunning(42) {
		t.Fatal("unknown id running")
	}
}

func TestRegisterClaudeSession(t *testing.T) {
	r := New()
	defer r.Close()
	c := startChild(t, "echo ready; exec sleep 1000", 1)
	id, err := r.RegisterClaudeSession("sess-1", 0, "/work", "chat", "sonnet", c)
	if err != nil {
		t.Fatal(err)
	}
	if id < FirstRunID {
		t.Fatalf("generated id %d", id)
	}
	info, ok := r.ClaudeSessionByID("sess-1")
	if !ok || info.RunID != id || info.Kind != KindClaudeSession || info.PID != c.Pid() {
		t.Fatalf("ClaudeSessionByID = %+v, %v", info, ok)
	}
	if got := r.RunningClaudeSessions(); len(got) != 1 || got[0].SessionID != "sess-1" {
		t.Fatalf("RunningClaudeSessions = %+v", got)
	}
	if got := r.RunningAgentProcesses(); len(got) != 0 {
		t.Fatalf("a session listed as agent: %+v", got)
	}
	if _, ok := r.ClaudeSessionByID("nope"); ok {
		t.Fatal("unknown session found")
	}
	if _, err := r.RegisterClaudeSession("", 0, "", "", "", nil); !errors.Is(err, ErrInvalidPID) {
		t.Fatalf("session without pid or child: %v", err)
	}
	// A run learns its session id later (stream-json init line).
	other := r.GenerateID()
	c2 := startChild(t, "echo ready; exec sleep 1000", 1)
	if err := r.RegisterProcess(RegistrationConfig{RunID: other}, c2); err != nil {
		t.Fatal(err)
	}
	if err := r.SetSessionID(other, "sess-1"); !errors.Is(err, ErrDuplicateSession) {
		t.Fatalf("SetSessionID to a held id: %v", err)
	}
	if err := r.SetSessionID(other, "sess-2"); err != nil {
		t.Fatal(err)
	}
	if info, ok := r.ClaudeSessionByID("sess-2"); !ok || info.RunID != other {
		t.Fatalf("session learnt later not found: %+v", info)
	}
}

// Fix 5: the original replaced the entry of a duplicate run id and leaked
// its child; a duplicate session id was accepted too.
func TestDuplicateIDsAreRefusedAndTheFirstRunKept(t *testing.T) {
	r := New(WithGracePeriod(time.Second))
	defer r.Close()
	first := startChild(t, "echo ready; exec sleep 1000", 1)
	second := startChild(t, "echo ready; exec sleep 1000", 1)
	id := r.GenerateID()
	if err := r.RegisterProcess(RegistrationConfig{RunID: id}, first); err != nil {
		t.Fatal(err)
	}
	err := r.RegisterProcess(RegistrationConfig{RunID: id}, second)
	if !errors.Is(err, ErrDuplicateRun) {
		t.Fatalf("duplicate run id: err = %v, want ErrDuplicateRun", err)
	}
	if info, _ := r.Process(id); info.PID != first.Pid() {
		t.Fatalf("duplicate replaced the first run: pid %d, want %d", info.PID, first.Pid())
	}
	if gone, err := r.KillProcess(context.Background(), id); !gone || err != nil {
		t.Fatalf("first run no longer killable: %v %v", gone, err)
	}
	if _, err := r.RegisterClaudeSession("s", 0, "", "", "", second); err != nil {
		t.Fatal(err)
	}
	if _, err := r.RegisterClaudeSession("s", 0, "", "", "", second); !errors.Is(err, ErrDuplicateSession) {
		t.Fatalf("duplicate session id: err = %v, want ErrDuplicateSession", err)
	}
	if n := len(r.RunningClaudeSessions()); n != 1 {
		t.Fatalf("%d sessions after a refused duplicate, want 1", n)
	}
}

// Fix 7: the original called everything in its map "running" and forgot a
// run's end. Here an exited run stays listed with its status and code.
func TestExitedRunStaysListedWithStatusUntilCleanedUp(t *testing.T) {
	r := New()
	defer r.Close()
	_, events, cancel := r.Subscribe()
	defer cancel()
	ok := startChild(t, "echo ready; exit 0", 1)
	bad := startChild(t, "echo ready; exit 3", 1)
	live := startChild(t, "echo ready; exec sleep 1000", 1)
	ids := []int64{r.GenerateID(), r.GenerateID(), r.GenerateID()}
	for i, c := range []*execChild{ok, bad, live} {
		if err := r.RegisterProcess(RegistrationConfig{RunID: ids[i]}, c); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		waitFor(t, events, func(e Event) bool { return e.Kind == EventExited })
	}
	a, _ := r.Process(ids[0])
	b, _ := r.Process(ids[1])
	if a.Status != StatusExited || a.ExitCode != 0 || a.EndedAt.IsZero() {
		t.Fatalf("clean exit recorded as %+v", a)
	}
	if b.Status != StatusFailed || b.ExitCode != 3 || b.Exit.String() != "3" {
		t.Fatalf("exit 3 recorded as %+v", b)
	}
	if r.IsProcessRunning(ids[0]) {
		t.Fatal("exited run reported running")
	}
	if got := r.RunningProcesses(); len(got) != 1 || got[0].RunID != ids[2] {
		t.Fatalf("RunningProcesses = %+v, want only the live one", got)
	}
	if got := r.Processes(); len(got) != 3 {
		t.Fatalf("Processes lists %d runs, want 3", len(got))
	}
	cleaned := r.CleanupFinishedProcesses()
	if len(cleaned) != 2 || cleaned[0] != ids[0] || cleaned[1] != ids[1] {
		t.Fatalf("cleaned %v, want %v", cleaned, ids[:2])
	}
	if got := r.Processes(); len(got) != 1 || got[0].RunID != ids[2] {
		t.Fatalf("after cleanup: %+v", got)
	}
	for _, id := range ids[:2] {
		if e := waitFor(t, events, func(e Event) bool { return e.Kind == EventUnregistered }); e.RunID != id {
			t.Fatalf("cleanup published unregistered %d, want %d", e.RunID, id)
		}
	}
}

func TestUnregisterNeverKills(t *testing.T) {
	r := New()
	defer r.Close()
	c := startChild(t, "echo ready; exec sleep 1000", 1)
	id := r.GenerateID()
	if err := r.RegisterProcess(RegistrationConfig{RunID: id}, c); err != nil {
		t.Fatal(err)
	}
	if err := r.UnregisterProcess(id); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Process(id); ok {
		t.Fatal("unregistered run still listed")
	}
	if !isLive(c.Pid()) {
		t.Fatal("unregister killed the process")
	}
	if err := r.UnregisterProcess(id); err != nil {
		t.Fatalf("unregistering an unknown id: %v", err)
	}
	if gone, err := r.KillProcess(context.Background(), id); gone || err != nil {
		t.Fatalf("KillProcess of an unregistered id = %v, %v; want false, nil", gone, err)
	}
}

func TestMarkFailed(t *testing.T) {
	r := New()
	defer r.Close()
	_, events, cancel := r.Subscribe()
	defer cancel()
	c := startChild(t, "echo ready; exit 0", 1)
	id := r.GenerateID()
	if err := r.RegisterProcess(RegistrationConfig{RunID: id}, c); err != nil {
		t.Fatal(err)
	}
	waitFor(t, events, func(e Event) bool { return e.Kind == EventExited })
	if err := r.MarkFailed(id); err != nil {
		t.Fatal(err)
	}
	if e := waitFor(t, events, func(e Event) bool { return e.Kind == EventUpdated }); e.Info.Status != StatusFailed {
		t.Fatalf("status after MarkFailed: %v", e.Info.Status)
	}
	if err := r.MarkFailed(99); !errors.Is(err, ErrNotFound) {
		t.Fatalf("MarkFailed unknown: %v", err)
	}
}

func TestLiveOutputThroughTheRegistry(t *testing.T) {
	r := New(WithOutputLines(3))
	defer r.Close()
	c := startChild(t, "echo ready; exec sleep 1000", 1)
	id := r.GenerateID()
	if err := r.RegisterProcess(RegistrationConfig{RunID: id}, c); err != nil {
		t.Fatal(err)
	}
	// Each call adds whole lines: "tw" and "o" stay apart.
	for _, s := range []string{"one\ntw", "o\nthree\n", "four\n"} {
		if err := r.AppendLiveOutput(id, s); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := r.LiveOutput(id), "o\nthree\nfour"; got != want {
		t.Fatalf("LiveOutput = %q, want %q", got, want)
	}
	if err := r.AppendLiveOutput(5, "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("append to unknown run: %v", err)
	}
	if got := r.LiveOutput(5); got != "" {
		t.Fatalf("LiveOutput of unknown run = %q", got)
	}
}

func TestCloseEndsSubscriptionsAndRefusesRuns(t *testing.T) {
	r := New()
	_, events, cancel := r.Subscribe()
	r.Close()
	if _, ok := <-events; ok {
		t.Fatal("event after Close")
	}
	cancel()
	c := startChild(t, "echo ready; exec sleep 1000", 1)
	if err := r.RegisterProcess(RegistrationConfig{RunID: 1}, c); err == nil {
		t.Fatal("closed registry accepted a run")
	}
	r.Close() // twice is fine
}

func TestKindAndStatusNames(t *testing.T) {
	for k, want := range map[Kind]string{KindAgent: "agent", KindClaudeSession: "session", KindCommand: "command",
		KindSidecar: "sidecar"} {
		if k.String() != want {
			t.Errorf("%d: %q", k, k.String())
		}
	}
	for s, want := range map[Status]string{StatusRunning: "running", StatusStopping: "stopping",
		StatusExited: "exited", StatusFailed: "failed", StatusKilled: "killed"} {
		if s.String() != want {
			t.Errorf("%d: %q", s, s.String())
		}
	}
	if !strings.HasPrefix(Exit{Code: -1, Signal: 9}.String(), "SIGKILL") {
		t.Errorf("signal exit: %q", Exit{Code: -1, Signal: 9}.String())
	}
}

// Ids come from a shared record when one is given; when it fails, they
// continue after the highest it gave, never repeating one.
func TestIDsFromASharedRecord(t *testing.T) {
	next, fail := int64(5_000_000), false
	r := New(WithIDs(func() (int64, error) {
		if fail {
			return 0, errors.New("disk full")
		}
		next++
		return next - 1, nil
	}))
	defer r.Close()
	if a, b := r.GenerateID(), r.GenerateID(); a != 5_000_000 || b != 5_000_001 {
		t.Fatalf("ids %d, %d from the record", a, b)
	}
	fail = true
	if c := r.GenerateID(); c != 5_000_002 {
		t.Fatalf("id %d after the record failed, want 5000002", c)
	}
}
