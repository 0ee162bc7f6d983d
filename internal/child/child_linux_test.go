package child

import (
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// Commands run with Run and Output keep their exits while a reaper of
// orphans collects every other child of the process as fast as it can
// (the subreaper's loop, at its busiest).
func TestRunAndOutputSurviveTheReaper(t *testing.T) {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				Reap()
			}
		}
	}()
	defer func() { close(stop); wg.Wait() }()
	for i := range 200 {
		if err := Run(exec.Command("true")); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		out, err := Output(exec.Command("echo", "child-4471"))
		if err != nil || strings.TrimSpace(string(out)) != "child-4471" {
			t.Fatalf("output %d: %q %v", i, out, err)
		}
	}
	direct.Lock()
	left := len(direct.pids)
	direct.Unlock()
	if left != 0 {
		t.Fatalf("%d pids still recorded as direct children", left)
	}
}
