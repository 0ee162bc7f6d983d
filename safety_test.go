package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
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
	deadline := time.Now().Add(10 * time.Second)
	for { // Start may return before the kernel shows the new command line
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", cmd.Process.Pid)); strings.HasPrefix(string(b), "sleep") {
			return cmd.Process.Pid
		}
		if time.Now().After(deadline) {
			t.Fatal("the outsider never ran sleep")
		}
		time.Sleep(5 * time.Millisecond)
	}
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
