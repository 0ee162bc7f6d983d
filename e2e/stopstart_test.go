package e2e

import (
	"strconv"
	"strings"
	"testing"
)

// x stops a run at once and its row stays; s starts it again in the same
// row, a new process, the earlier output above a "restarted" line in the
// pane's history; r restarts a live run in place after a question; z gives
// the pane, and the run's terminal, the whole window.
func TestStopStartRestartInPlaceAndZoom(t *testing.T) {
	cfg := writeConfig(t, "[settings]\nkill_grace = \"2s\"\n")
	tm := startCorral(t, 120, 30, "--config", cfg,
		`sh -c 'echo "life size $(stty size)"; read x; echo "zoomed size $(stty size)"; exec sleep 7391'`)
	s := tm.waitText("life size")
	leader := rowPID(t, s, "1000000")

	tm.keys("x")
	s = tm.waitFor("the row to end killed", func(s string) bool { return strings.Contains(row(s, "1000000"), "killed") })
	if strings.Contains(s, "(y/n)") || alive(leader) {
		t.Fatalf("x asked, or pid %d lives on:\n%s", leader, s)
	}

	tm.keys("s")
	s = tm.waitFor("the run in its row again", func(s string) bool {
		r := row(s, "1000000")
		return strings.Contains(r, "running") && !strings.Contains(r, " "+strconv.Itoa(leader)+" ")
	})
	if strings.Contains(s, "1000001") {
		t.Fatalf("s started a new row:\n%s", s)
	}
	second := rowPID(t, s, "1000000")
	if second == leader || !alive(second) {
		t.Fatalf("pid %d after s (was %d)", second, leader)
	}
	tm.keys("PPage")
	s = tm.waitText("── restarted ")
	if strings.Index(s, "life size") > strings.Index(s, "── restarted ") {
		t.Fatalf("the earlier output is not above the marker:\n%s", s)
	}
	tm.keys("End")

	tm.keys("r")
	tm.waitText("Restart run 1000000")
	tm.keys("y")
	tm.waitFor("a third life", func(s string) bool {
		r := row(s, "1000000")
		return strings.Contains(r, "running") && !strings.Contains(r, " "+strconv.Itoa(second)+" ")
	})
	if alive(second) {
		t.Fatalf("the second life %d outlived the restart", second)
	}

	tm.keys("z")
	tm.waitText("zoomed · z back")
	if s := tm.screen(); strings.Contains(s, "STATUS") {
		t.Fatalf("the table shows while zoomed:\n%s", s)
	}
	tm.keys("Enter")
	tm.waitText("TYPING INTO RUN")
	tm.keys("Enter")
	s = tm.waitText("zoomed size ")
	// 30 rows: the header, the pane's title, the status and help lines.
	if !strings.Contains(s, "zoomed size 26 120") {
		t.Fatalf("the zoomed run's terminal is not the window's size:\n%s", s)
	}
	tm.keys("C-]")
	tm.keys("z")
	tm.waitText("STATUS")
	tm.keys("q")
	tm.waitText("still alive")
	tm.keys("y")
	tm.waitText("[exit 0]")
}
