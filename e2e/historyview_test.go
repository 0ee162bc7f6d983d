package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// A run of an earlier corral is in the next one's history view (H): enter
// shows what it printed, r starts it again as a new run of the table.
func TestHistoryViewShowsAndRestartsAnEarlierRun(t *testing.T) {
	// The output differs from the command line ($((…)) is the shell's), so
	// that seeing it means the log, not the row.
	const command = "sh -c 'echo hv-e2e-$((7000+371))'"
	const output = "hv-e2e-7371"
	tm := startCorral(t, 120, 30, command)
	tm.waitText("exited 0")
	tm.keys("q")
	tm.waitText("[exit 0]")

	state := filepath.Join(tm.home, ".local", "state")
	tm2 := startIn(t, 120, 30, "sh", "-c", "HOME="+shellQuote(tm.home)+" XDG_STATE_HOME="+shellQuote(state)+" "+
		shellQuote(binary))
	tm2.waitText("no runs yet")
	tm2.keys("H")
	s := tm2.waitText("hv-e2e-$((7000+371))")
	if !strings.Contains(s, "history · 1 past run") || !strings.Contains(row(s, "hv-e2e-$"), "exited 0") {
		t.Fatalf("the history view:\n%s", s)
	}
	if strings.Contains(s, output) {
		t.Fatalf("the output shows before its log is opened:\n%s", s)
	}
	tm2.keys("Enter")
	s = tm2.waitText(output)
	if !strings.Contains(s, "· log") {
		t.Fatalf("the pane's title does not name the log:\n%s", s)
	}

	tm2.keys("r")
	tm2.waitFor("the run started again in the table", func(s string) bool {
		return strings.Contains(s, "started again as run") && strings.Contains(s, "exited 0") &&
			strings.Contains(s, output) && !strings.Contains(s, "history ·")
	})
	tm2.keys("q")
	tm2.waitText("[exit 0]")
	var again int
	for _, r := range tm.history() {
		if strings.Contains(strings.Join(r.Argv, " "), "hv-e2e-$((7000+371))") && r.Status == "exited" {
			again++
		}
	}
	if again != 2 {
		t.Fatalf("%d exited runs of the command in the history, want 2 (the first and the one started again)", again)
	}
}
