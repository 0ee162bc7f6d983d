//go:build linux

package registry

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"corral/internal/proc"

	"github.com/creack/pty"
)

// startSleep starts a marked sleep that is no leader of anything and no
// child of a terminal, killed by pid at the end of the test.
func startSleep(t *testing.T, argv ...string) int {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	return cmd.Process.Pid
}

func TestCheckAdoptableRefusesWhatCorralMustNeverSignal(t *testing.T) {
	tests := []struct {
		name string
		pid  int
		want string
	}{
		{"no pid", 0, "init"},
		{"init", 1, "init"},
		{"corral itself", os.Getpid(), "corral itself"},
		{"corral's parent", os.Getppid(), "ancestor of corral"},
	}
	for _, tt := range tests {
		err := CheckAdoptable(tt.pid)
		if !errors.Is(err, ErrNotAdoptable) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s (pid %d): %v, want a refusal saying %q", tt.name, tt.pid, err, tt.want)
		}
	}
	// Every ancestor, up to the top.
	for pid := range lineage() {
		if err := CheckAdoptable(pid); err == nil {
			t.Errorf("ancestor %d adoptable", pid)
		}
	}
	if err := CheckAdoptable(startSleep(t, "sleep", "7361")); err != nil {
		t.Fatalf("a plain child of corral refused: %v", err)
	}
	if err := CheckAdoptable(99999999); err == nil || !strings.Contains(err.Error(), "no running process") {
		t.Fatalf("a pid that names nothing: %v", err)
	}
}

func TestCheckAdoptableRefusesKernelThreads(t *testing.T) {
	var kthread int
	for _, p := range proc.All() {
		if p.IsKernelThread() {
			kthread = p.PID
			break
		}
	}
	if kthread == 0 {
		t.Skip("no kernel thread is visible in this pid namespace")
	}
	if err := CheckAdoptable(kthread); err == nil || !strings.Contains(err.Error(), "kernel thread") {
		t.Fatalf("kernel thread %d: %v", kthread, err)
	}
}

func TestCheckAdoptableRefusesAnotherUsersProcess(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI runs as root, which can start a process of another user")
		}
		t.Skip("needs root to start a process of another user")
	}
	pid := startSleep(t, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sleep", "7362")
	deadline := time.Now().Add(10 * time.Second)
	for { // setpriv execs sleep under the new uid
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); strings.HasPrefix(string(b), "sleep") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("setpriv never ran sleep")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := CheckAdoptable(pid); err == nil || !strings.Contains(err.Error(), "another user") {
		t.Fatalf("another user's sleep: %v", err)
	}
}

func TestCheckAdoptableRefusesJobsOnCorralsTerminal(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=tty")
	f, err := pty.Start(cmd) // the helper leads a session with this terminal
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "end" {
			break
		}
		if name, what, ok := strings.Cut(line, ": "); ok {
			got[name] = what
		}
	}
	_ = cmd.Wait()
	if !strings.Contains(got["job"], "corral's own terminal") {
		t.Errorf("a job on corral's terminal: %q", got["job"])
	}
	if got["plain"] != "ok" {
		t.Errorf("a plain child sharing corral's group: %q", got["plain"])
	}
}

func TestSidecarRefusedAndReleasedByKillAll(t *testing.T) {
	r := New(WithGracePeriod(200 * time.Millisecond))
	defer r.Close()
	if err := r.RegisterSidecarProcess(RegistrationConfig{RunID: r.GenerateID(), PID: os.Getppid()}); !errors.Is(err, ErrNotAdoptable) {
		t.Fatalf("corral's parent registered as a sidecar: %v", err)
	}
	sidecar := startSleep(t, "sleep", "7365")
	sid := r.GenerateID()
	if err := r.RegisterSidecarProcess(RegistrationConfig{RunID: sid, PID: sidecar}); err != nil {
		t.Fatal(err)
	}
	c := startChild(t, `echo ready $$; exec sleep 7366`, 1)
	cid := r.GenerateID()
	if err := r.RegisterProcess(RegistrationConfig{RunID: cid}, c); err != nil {
		t.Fatal(err)
	}
	if owned := r.Owned(); len(owned) != 1 || owned[0].RunID != cid {
		t.Fatalf("owned: %+v", owned)
	}
	if err := r.KillAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !isLive(sidecar) {
		t.Fatal("KillAll signalled an adopted process")
	}
	if info, _ := r.Process(sid); info.Status != StatusRunning {
		t.Fatalf("the sidecar's row: %v", info.Status)
	}
	if info, _ := r.Process(cid); info.Status != StatusKilled {
		t.Fatalf("the child's row: %v", info.Status)
	}
	if rel := r.Released(); len(rel) != 1 || rel[0].PID != sidecar {
		t.Fatalf("released: %+v", rel)
	}
}

func TestKillNeverSignalsCorralOrItsAncestors(t *testing.T) {
	r := New()
	defer r.Close()
	// Only corral itself is tried here: were the guard broken, the test
	// process would end, and nothing else would be touched.
	if gone, err := r.KillProcessByPID(context.Background(), 0, os.Getpid()); gone || err == nil {
		t.Fatalf("kill of corral itself: %v %v", gone, err)
	}
	// A tree whose walk would reach corral (a session-wide kill of corral's
	// own session) leaves corral and its ancestors out.
	self, _ := proc.Read(os.Getpid())
	for _, p := range treeOf(self.Session, true, true, "") {
		if lineage()[p.PID] {
			t.Fatalf("the tree of session %d holds %d, corral or an ancestor", self.Session, p.PID)
		}
	}
}

func TestCheckAdoptableRefusesAnotherCorralsRun(t *testing.T) {
	start := func(marker string) int {
		cmd := exec.Command("sleep", "7441")
		cmd.Env = append(os.Environ(), marker)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
		for i := 0; i < 2000 && !proc.HasEnv(cmd.Process.Pid, marker); i++ {
			time.Sleep(5 * time.Millisecond) // until the exec shows
		}
		return cmd.Process.Pid
	}
	// The corral of a marker is any live process here: this test's parent.
	owner := strconv.Itoa(os.Getppid())
	other := start(MarkerVar + "=" + owner + ".feedface:1000000")
	if err := CheckAdoptable(other); err == nil || !strings.Contains(err.Error(), "another corral (pid "+owner+")") {
		t.Fatalf("another corral's run: %v", err)
	}
	// A marker that names no corral is refused, as before orphans could be.
	if err := CheckAdoptable(start(MarkerVar + "=x.feedface:1000000")); err == nil {
		t.Fatal("a process with a marker naming no corral was adoptable")
	}
	// A run of a corral that is gone is an orphan, which may be adopted.
	if err := CheckAdoptable(start(MarkerVar + "=1234567.feedface:1000000")); err != nil {
		t.Fatalf("an orphan refused: %v", err)
	}
	r := New()
	defer r.Close()
	if err := CheckAdoptable(start(r.Marker(1000001))); err != nil {
		t.Fatalf("a run of this corral (unregistered, say) refused: %v", err)
	}
}

func TestAFailedStartCanBeKilledAndRemoved(t *testing.T) {
	r := New()
	defer r.Close()
	id, err := r.RecordFailure(RegistrationConfig{Command: "missing"}, Exit{Code: 127}, "missing: command not found")
	if err != nil {
		t.Fatal(err)
	}
	// A restart kills the run first: that must not close its end twice.
	if gone, err := r.KillProcess(context.Background(), id); !gone || err != nil {
		t.Fatalf("kill of a run that never started: %v %v", gone, err)
	}
	if info, _ := r.Process(id); info.Status != StatusFailed || info.ExitCode != 127 {
		t.Fatalf("after the kill: %+v", info)
	}
	if ids := r.CleanupFinishedProcesses(); len(ids) != 1 || ids[0] != id {
		t.Fatalf("cleanup: %v", ids)
	}
}
