package e2e

import (
	"strings"
	"testing"
)

func TestRunsGivenAtLaunchStartAtThePaneSize(t *testing.T) {
	// The child prints its terminal size first thing, then again once it
	// has read a line, long after the first frame.
	tm := startCorral(t, 100, 30, `sh -c 'echo "first $(stty size)"; read x; echo "later $(stty size)"; exec sleep 7344'`)
	// The pane's line, not the table's TASK cell, which shows the command.
	paneLine := func(s, prefix string) string {
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, prefix) {
				return l
			}
		}
		return ""
	}
	// Waited for in the pane: the TASK cell shows "first " from the start.
	inPane := func(prefix string) func(string) bool {
		return func(s string) bool { return paneLine(s, prefix) != "" }
	}
	scr := tm.waitFor("the first size in the pane", inPane("first "))
	first := strings.Fields(paneLine(scr, "first "))
	tm.keys("Enter")
	tm.waitText("TYPING INTO RUN")
	tm.keys("Enter")
	scr = tm.waitFor("the later size in the pane", inPane("later "))
	later := strings.Fields(paneLine(scr, "later "))
	if len(first) != 3 || len(later) != 3 {
		t.Fatalf("sizes %q and %q:\n%s", first, later, scr)
	}
	if first[1] != later[1] || first[2] != later[2] || later[2] != "100" {
		t.Fatalf("the run started at %s×%s, then had %s×%s (the pane):\n%s", first[2], first[1], later[2], later[1], scr)
	}
}

func TestCtrlCJustAfterTheRunExitsDoesNotQuit(t *testing.T) {
	tm := startCorral(t, 100, 30, `sh -c 'read x; exit 3'`)
	tm.waitText("sh")
	tm.keys("Enter")
	tm.waitText("TYPING INTO RUN")
	tm.keys("Enter") // the child reads its line and exits
	tm.waitText("focus left")
	// ^C typed for the child that has just gone.
	tm.keys("C-c")
	scr := tm.waitText("keys paused")
	if strings.Contains(scr, "[exit") {
		t.Fatalf("corral quit:\n%s", scr)
	}
	// The pause ends: n opens the form again (more n's type into it).
	tm.waitFor("the pause to end", func(string) bool {
		tm.keys("n")
		return strings.Contains(tm.screen(), "── new run ")
	})
	tm.keys("Escape")
	tm.waitFor("the form to close", func(s string) bool { return !strings.Contains(s, "── new run ") })
	// ^C with nothing alive asks first.
	tm.keys("C-c")
	tm.waitText("Quit corral?")
	tm.keys("n")
	tm.waitText("cancelled")
	tm.keys("q")
	tm.waitText("[exit 0]")
}
