package e2e

import (
	"strings"
	"testing"
)

// Issue 10 item 3: in focus, modified cursor, editing and function keys
// reach the child as xterm sends them (tmux sends these to corral in
// xterm's encoding; corral decodes and encodes them again for the run).
func TestModifiedKeysReachTheRun(t *testing.T) {
	tm := startCorral(t, 120, 30, `sh -c 'stty raw -echo; echo ready; head -c 28 | od -An -c | tr -s " \n" "  "; echo; echo done; sleep 300'`)
	tm.waitText("ready")
	tm.keys("Enter")
	tm.waitText("TYPING INTO RUN")
	tm.keys("C-Left", "M-Left", "S-F5", "C-DC", "Home")
	want := " 033 [ 1 ; 5 D 033 [ 1 ; 3 D 033 [ 1 5 ; 2 ~ 033 [ 3 ; 5 ~ 033 [ H"
	s := tm.waitText("done")
	if !strings.Contains(s, want) {
		t.Fatalf("the run received other bytes than %q:\n%s", want, s)
	}
}
