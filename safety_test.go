package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"corral/registry"
	"corral/tui"
)

// outsider starts a marked sleep in a session of its own: a process corral
// did not start. It is killed by pid when the test ends.
func outsider(t *testing.T, secs string) int {
	t.Helper()
	cmd := exec.Command("sleep", secs)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	waitExec(t, cmd.Process.Pid, "sleep")
	return cmd.Process.Pid
}

func TestWithoutATerminalNothingIsAdopted(t *testing.T) {
	pid := outsider(t, "7401")
	var out, errOut bytes.Buffer
	code := run([]string{"--adopt", strconv.Itoa(pid), "sleep 7402"}, strings.NewReader(""), &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "corral needs a terminal (stdin and stdout must be a TTY)") {
		t.Fatalf("status %d, stderr %q", code, errOut.String())
	}
	if strings.Contains(errOut.String(), "stopping") {
		t.Fatalf("something was started and stopped: %q", errOut.String())
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatal("the pid given to --adopt was signalled away")
	}
}

func TestAdoptListIsCheckedBeforeAnythingStarts(t *testing.T) {
	pid := outsider(t, "7403")
	tests := []struct {
		pids []int
		want string
	}{
		{[]int{pid, pid}, "given twice"},
		{[]int{pid, 99999999}, "no running process"},
		{[]int{1}, "init"},
		{[]int{os.Getpid()}, "corral itself"},
		{[]int{os.Getppid()}, "ancestor of corral"},
	}
	for _, tt := range tests {
		if err := checkAdopts(tt.pids); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want %q", tt.pids, err, tt.want)
		}
	}
	if err := checkAdopts([]int{pid}); err != nil {
		t.Fatalf("an outsider in its own session refused: %v", err)
	}
}

func TestAdoptRefusesCorralsAncestorsAndCandidatesLeaveThemOut(t *testing.T) {
	r := newRig(t)
	for _, pid := range []int{1, os.Getppid(), os.Getpid()} {
		if _, err := r.l.Adopt(pid); !errors.Is(err, registry.ErrNotAdoptable) {
			t.Errorf("adopt %d: %v", pid, err)
		}
	}
	for _, c := range r.l.Candidates() {
		if registry.CheckAdoptable(c.PID) != nil {
			t.Errorf("candidate %d may not be adopted", c.PID)
		}
	}
}

func TestABadCommandIsAFailedRow(t *testing.T) {
	r := newRig(t)
	req := tui.Request{Command: "nonexistent-prog-7404 --flag"}
	_, err := r.l.Launch(req)
	if err == nil {
		t.Fatal("a missing program started")
	}
	id := r.l.Fail(req, err)
	info, ok := r.reg.Process(id)
	if !ok || info.Status != registry.StatusFailed || info.ExitCode != 127 || info.Command != req.Command {
		t.Fatalf("the failed row: %+v", info)
	}
	if lines := r.reg.Output(id).Lines(0, 10); len(lines) != 1 || !strings.Contains(lines[0], "command not found") {
		t.Fatalf("its output: %q", lines)
	}
	if got, ok := r.l.Request(id); !ok || got != req {
		t.Fatalf("its request, for a restart: %+v", got)
	}
}
