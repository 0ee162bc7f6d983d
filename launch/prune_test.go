package launch

import (
	"fmt"
	"testing"
	"time"

	"corral/tui"
)

// Every place that keeps something per run drops it when the registry
// drops the run: 1,000 runs of every origin (started, failed to start,
// followed Claude runs) registered and unregistered leave every map empty.
func TestOneThousandRunsLeaveNoRecordBehind(t *testing.T) {
	r := newRig(t)
	sp := r.l.sp
	var ids []int64
	for i := range 1000 {
		var id int64
		var err error
		switch {
		case i%10 == 0:
			id, err = r.l.Launch(tui.Request{Agent: "claude-run", Task: fmt.Sprint("task ", i)})
		case i%2 == 0:
			id, err = r.l.Launch(tui.Request{Command: "true"})
		default:
			id = r.l.Fail(tui.Request{Command: fmt.Sprint("missing-", i)}, fmt.Errorf("missing-%d: command not found", i))
		}
		if err != nil || id == 0 {
			t.Fatalf("run %d: %v", i, err)
		}
		ids = append(ids, id)
	}
	if got := r.l.Runs(); got != 1000 {
		t.Fatalf("%d records for 1,000 runs", got)
	}
	for _, id := range ids {
		if err := r.reg.UnregisterProcess(id); err != nil {
			t.Fatal(err)
		}
	}
	// Each holder forgets on the same event, in its own goroutine.
	deadline := time.Now().Add(30 * time.Second)
	for {
		left := map[string]int{"registry": len(r.reg.Processes()), "launch": r.l.Runs(), "spawn": sp.Held(),
			"claude": r.l.follower.Following()}
		empty := true
		for _, n := range left {
			empty = empty && n == 0
		}
		if empty {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("records left after every run was unregistered: %v", left)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
