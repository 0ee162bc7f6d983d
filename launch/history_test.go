package launch

import (
	"io"
	"strings"
	"testing"
	"time"

	"corral/history"
	"corral/registry"
	"corral/tui"
)

// storedLog returns what the history holds so far of run id's log, or
// false when the log cannot be opened (yet).
func storedLog(store *history.Store, id int64) (string, bool) {
	rc, err := store.OpenLog(id)
	if err != nil {
		return "", false
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return string(b), true
}

// eventually polls cond, which reads the history another goroutine writes,
// until it holds; the deadline guards a hang.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// A run corral starts is recorded with its command, how it ended, its
// state changes and its output; one that cannot start is a failed row.
func TestRunsAreRecordedInTheHistory(t *testing.T) {
	r := newRig(t)
	store, err := history.Open(t.TempDir(), history.WithPruneInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	r.l.EnableHistory(store)
	id, err := r.l.Launch(tui.Request{Command: `sh -c 'echo logged-7361; exit 2'`})
	if err != nil {
		t.Fatal(err)
	}
	r.until(t, "the exit", func() bool { info, _ := r.reg.Process(id); return info.Status == registry.StatusFailed })
	var run history.Run
	eventually(t, "the end in the history", func() bool { run, _ = store.Get(id); return run.Ended() })
	if run.Status != "failed" || run.ExitCode != 2 || run.Kind != "command" || run.PID == 0 ||
		strings.Join(run.Argv, " ") != "sh -c echo logged-7361; exit 2" {
		t.Fatalf("recorded %+v", run)
	}
	eventually(t, "the log", func() bool {
		log, ok := storedLog(store, id)
		return ok && strings.Contains(log, "logged-7361")
	})
	eventually(t, "the state changes", func() bool { s, _ := store.States(id); return len(s) > 0 })

	bad := r.l.Fail(tui.Request{Command: "missing-7361"}, io.ErrUnexpectedEOF)
	eventually(t, "the failed start", func() bool { run, _ = store.Get(bad); return run.Status == "failed" })
}
