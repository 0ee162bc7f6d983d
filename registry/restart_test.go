package registry

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// ctlChild is a handle whose end the test decides: Done is closed by end.
// Its pid is that of a process that has already been reaped, so that
// nothing is ever signalled or counted as left behind through it.
type ctlChild struct {
	pid  int
	done chan struct{}
	exit Exit
}

func newCtlChild(t *testing.T) *ctlChild {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return &ctlChild{pid: cmd.Process.Pid, done: make(chan struct{})}
}

func (c *ctlChild) Pid() int              { return c.pid }
func (c *ctlChild) Done() <-chan struct{} { return c.done }
func (c *ctlChild) Exit() Exit            { return c.exit }
func (c *ctlChild) end(e Exit)            { c.exit = e; close(c.done) }

// lifecycle reads events up to the next one of the run that is not output.
func lifecycle(t *testing.T, events <-chan Event, id int64) Event {
	t.Helper()
	return waitFor(t, events, func(e Event) bool { return e.RunID == id && e.Kind != EventOutput })
}

// A restart in place keeps the run's id, name and output, with a marker line
// between the lives; the run is running again with the new process, counted.
func TestReopenKeepsTheRunAndItsOutput(t *testing.T) {
	r := New(WithGracePeriod(300 * time.Millisecond))
	defer r.Close()
	_, events, cancel := r.Subscribe()
	defer cancel()
	id := r.GenerateID()
	first := startChild(t, "echo ready; exit 3", 1)
	if err := r.RegisterProcess(RegistrationConfig{RunID: id, Name: "web", Command: "serve"}, first); err != nil {
		t.Fatal(err)
	}
	_ = r.AppendOutput(id, []byte("first-life\nprompt$ "))
	if e := lifecycle(t, events, id); e.Kind != EventRegistered {
		t.Fatalf("first event %v", e.Kind)
	}
	if e := lifecycle(t, events, id); e.Kind != EventExited || e.Info.Status != StatusFailed {
		t.Fatalf("got %v %v, want exited, failed", e.Kind, e.Info.Status)
	}
	before, _ := r.Process(id)
	if !r.Output(id).Unfinished() {
		t.Fatal("the prompt without a line feed is not an unfinished line")
	}

	second := startChild(t, "echo ready; exec sleep 7301", 1)
	if err := r.Reopen(RegistrationConfig{RunID: id}, second); err != nil {
		t.Fatal(err)
	}
	e := lifecycle(t, events, id)
	if e.Kind != EventRestarted {
		t.Fatalf("after Reopen: %v, want restarted", e.Kind)
	}
	info, ok := r.Process(id)
	if !ok || info != e.Info {
		t.Fatalf("Process %+v differs from the event's %+v", info, e.Info)
	}
	if info.Status != StatusRunning || info.PID != second.Pid() || info.Restarts != 1 || !info.HasHandle ||
		info.Exit != (Exit{}) || info.ExitCode != 0 || !info.EndedAt.IsZero() || !info.StartedAt.After(before.StartedAt) {
		t.Fatalf("reopened run: %+v", info)
	}
	if info.Name != "web" || info.Command != "serve" {
		t.Fatalf("the run lost its name or command: %+v", info)
	}
	if n := len(r.Processes()); n != 1 {
		t.Fatalf("%d runs listed, want the one", n)
	}
	lines := r.Output(id).Tail(10)
	if len(lines) != 3 || lines[0] != "first-life" || lines[1] != "prompt$ " || !strings.HasPrefix(lines[2], "── restarted ") {
		t.Fatalf("output after the restart: %q", lines)
	}
	if r.Output(id).Unfinished() {
		t.Fatal("the marker did not end the unfinished line")
	}
	_ = r.AppendOutput(id, []byte("second-life\n"))

	// The new process is followed and killed as any run's.
	if gone, err := r.KillProcess(context.Background(), id); !gone || err != nil {
		t.Fatalf("kill of the reopened run: %v %v", gone, err)
	}
	if e := lifecycle(t, events, id); e.Kind != EventStopping {
		t.Fatalf("got %v, want stopping", e.Kind)
	}
	if e := lifecycle(t, events, id); e.Kind != EventKilled || e.Info.Restarts != 1 {
		t.Fatalf("got %v (%+v), want killed", e.Kind, e.Info)
	}

	// Again: the count goes on, and both markers stay.
	third := newCtlChild(t)
	if err := r.Reopen(RegistrationConfig{RunID: id, Command: "serve --again", SessionID: "s2"}, third); err != nil {
		t.Fatal(err)
	}
	if e := lifecycle(t, events, id); e.Kind != EventRestarted || e.Info.Restarts != 2 ||
		e.Info.Command != "serve --again" || e.Info.SessionID != "s2" {
		t.Fatalf("second restart: %v %+v", e.Kind, e.Info)
	}
	third.end(Exit{Code: 0})
	if e := lifecycle(t, events, id); e.Kind != EventExited || e.Info.Status != StatusExited {
		t.Fatalf("the third process's exit: %v %v", e.Kind, e.Info.Status)
	}
	out := r.Output(id).String()
	if strings.Count(out, "── restarted ") != 2 || !strings.Contains(out, "second-life\n── restarted ") {
		t.Fatalf("output after two restarts:\n%s", out)
	}
}

// Live runs, runs with processes left behind, adopted runs and unknown ids
// are refused, with errors a caller can tell apart.
func TestReopenRefusesLiveLeftoverAdoptedAndUnknownRuns(t *testing.T) {
	r := New()
	defer r.Close()
	live := startChild(t, "echo ready; exec sleep 7302", 1)
	liveID := r.GenerateID()
	if err := r.RegisterProcess(RegistrationConfig{RunID: liveID}, live); err != nil {
		t.Fatal(err)
	}
	adopted := startChild(t, "echo ready; exec sleep 7303", 1)
	adoptedID := r.GenerateID()
	if err := r.RegisterSidecarProcess(RegistrationConfig{RunID: adoptedID, PID: adopted.Pid()}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id   int64
		want error
	}{{liveID, ErrActive}, {adoptedID, ErrAdopted}, {424242, ErrNotFound}} {
		if err := r.Reopenable(c.id); !errors.Is(err, c.want) {
			t.Errorf("Reopenable(%d) = %v, want %v", c.id, err, c.want)
		}
		if err := r.Reopen(RegistrationConfig{RunID: c.id}, newCtlChild(t)); !errors.Is(err, c.want) {
			t.Errorf("Reopen(%d) = %v, want %v", c.id, err, c.want)
		}
	}
	// The adopted run stays refused once it has ended: corral cannot start it.
	_, events, cancel := r.Subscribe()
	defer cancel()
	if err := unix.Kill(adopted.Pid(), unix.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor(t, events, func(e Event) bool { return e.RunID == adoptedID && e.Kind == EventExited })
	if err := r.Reopenable(adoptedID); !errors.Is(err, ErrAdopted) {
		t.Errorf("ended adopted run: %v, want ErrAdopted", err)
	}
	if info, _ := r.Process(liveID); info.PID != live.Pid() || info.Restarts != 0 {
		t.Fatalf("a refused Reopen changed the run: %+v", info)
	}
	// A run that could not start was tried by corral: it may be restarted.
	failed, err := r.RecordFailure(RegistrationConfig{Command: "nope"}, Exit{Code: 127}, "could not start")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Reopen(RegistrationConfig{RunID: failed}, newCtlChild(t)); err != nil {
		t.Fatalf("reopen of a failed start: %v", err)
	}
	if info, _ := r.Process(failed); !info.HasHandle || info.Status != StatusRunning || info.Restarts != 1 {
		t.Fatalf("failed start reopened: %+v", info)
	}
}

// What the old process's watcher does late (count what it left, record an
// exit, end a kill) reaches its own entry, never the reopened run.
func TestStaleWorkOfTheOldProcessLeavesTheReopenedRunAlone(t *testing.T) {
	r := New()
	defer r.Close()
	_, events, cancel := r.Subscribe()
	defer cancel()
	id := r.GenerateID()
	first := newCtlChild(t)
	if err := r.RegisterProcess(RegistrationConfig{RunID: id}, first); err != nil {
		t.Fatal(err)
	}
	first.end(Exit{Code: 1})
	lifecycle(t, events, id) // registered
	lifecycle(t, events, id) // exited
	old := r.lookup(id)

	second := newCtlChild(t)
	if err := r.Reopen(RegistrationConfig{RunID: id}, second); err != nil {
		t.Fatal(err)
	}
	select {
	case <-old.stop: // the old watcher's leftover following ends
	default:
		t.Fatal("the old entry's watcher was not told to stop")
	}
	if r.setLeftover(old, 2) {
		t.Fatal("the old watcher's leftover count reached the reopened run")
	}
	// As if the old process's exit were recorded only now.
	old.endOnce, old.ended = sync.Once{}, make(chan struct{})
	r.finish(old, Exit{Code: 9})
	old.killing, old.killDone = true, make(chan struct{})
	r.endKill(old)
	info, _ := r.Process(id)
	if info.Status != StatusRunning || info.Leftover != 0 || info.Exit != (Exit{}) || info.PID != second.Pid() {
		t.Fatalf("the reopened run after the old one's late work: %+v", info)
	}
	second.end(Exit{Code: 0})
	if e := lifecycle(t, events, id); e.Kind != EventRestarted {
		t.Fatalf("got %v, want restarted", e.Kind)
	}
	if e := lifecycle(t, events, id); e.Kind != EventExited || e.Info.Exit.Code != 0 {
		t.Fatalf("got %v %+v, want the second process's exit 0", e.Kind, e.Info.Exit)
	}
}

// A reopened run is dropped as any other: unregistered, or cleaned up once
// ended; its watcher ends either way (goleak checks at exit).
func TestReopenedRunIsUnregisteredAndCleanedUp(t *testing.T) {
	r := New()
	defer r.Close()
	_, events, cancel := r.Subscribe()
	defer cancel()
	a, b := r.GenerateID(), r.GenerateID()
	for _, id := range []int64{a, b} {
		c := newCtlChild(t)
		if err := r.RegisterProcess(RegistrationConfig{RunID: id}, c); err != nil {
			t.Fatal(err)
		}
		c.end(Exit{})
		waitFor(t, events, func(e Event) bool { return e.RunID == id && e.Kind == EventExited })
	}
	live, ended := newCtlChild(t), newCtlChild(t)
	if err := r.Reopen(RegistrationConfig{RunID: a}, live); err != nil {
		t.Fatal(err)
	}
	if err := r.Reopen(RegistrationConfig{RunID: b}, ended); err != nil {
		t.Fatal(err)
	}
	ended.end(Exit{Code: 2})
	waitFor(t, events, func(e Event) bool { return e.RunID == b && e.Kind == EventExited })
	if ids := r.CleanupFinishedProcesses(); len(ids) != 1 || ids[0] != b {
		t.Fatalf("cleanup dropped %v, want only the ended reopened run %d", ids, b)
	}
	if err := r.UnregisterProcess(a); err != nil {
		t.Fatal(err)
	}
	e := waitFor(t, events, func(e Event) bool { return e.RunID == a && e.Kind == EventUnregistered })
	if e.Info.Restarts != 1 || e.Info.Status != StatusRunning {
		t.Fatalf("unregistered: %+v", e.Info)
	}
	if r.Output(a) != nil || len(r.Processes()) != 0 {
		t.Fatal("a dropped run is still listed")
	}
}

// IsRestartMarker knows the marker line and nothing like it.
func TestIsRestartMarker(t *testing.T) {
	for line, want := range map[string]bool{
		RestartMarker(time.Date(2026, 11, 27, 14, 3, 5, 0, time.UTC)): true,
		"── restarted 14:03:05 ──":                                    true,
		"── restarted 14:03 ──":                                       false,
		"── restarted by hand ──":                                     false,
		"restarted 14:03:05":                                          false,
		" ── restarted 14:03:05 ──":                                   false,
	} {
		if got := IsRestartMarker(line); got != want {
			t.Errorf("IsRestartMarker(%q) = %v", line, got)
		}
	}
}
