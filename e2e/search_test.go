package e2e

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// A run prints a marker among other lines: ctrl+f finds it in its pane,
// F finds it among every run's and enter jumps to it, and a copied line
// reaches tmux's clipboard through OSC 52.
func TestSearchJumpAndCopy(t *testing.T) {
	tm := startCorral(t, 100, 30,
		`sh -c 'for i in $(seq 1 40); do echo "row $i"; done; echo "MARKER-7731 is here"; for i in $(seq 41 60); do echo "row $i"; done; exec sleep 7343'`,
		`sh -c 'echo other run; exec sleep 7344'`)
	tm.waitText("row 60")

	// The pane's search: the marker line shows, counted.
	tm.keys("C-f")
	tm.text("marker-7731")
	scr := tm.waitText("find: marker-7731   1 of 1") // the whole query's result
	if !strings.Contains(scr, "MARKER-7731 is here") {
		t.Fatalf("ctrl+f:\n%s", scr)
	}
	tm.keys("Escape")
	tm.waitFor("the search line gone", func(s string) bool { return !strings.Contains(s, "find: ") })

	// Every run: listed with its run and line, enter opens it there.
	tm.keys("F")
	tm.text("MARKER-7731")
	scr = tm.waitText("find in every run: MARKER-7731   1 match in 1 run")
	if row := row(scr, "MARKER-7731 is here"); !strings.Contains(row, "41") {
		t.Fatalf("the hit does not give line 41: %q\n%s", row, scr)
	}
	tm.keys("Enter")
	scr = tm.waitText("find: MARKER-7731   1 of 1") // the search line comes before its result
	if !strings.Contains(scr, "MARKER-7731 is here") {
		t.Fatalf("enter on the hit:\n%s", scr)
	}
	tm.keys("Escape")
	tm.waitFor("the search line gone", func(s string) bool { return !strings.Contains(s, "find: ") })

	// Copy: tmux takes OSC 52 into a paste buffer with set-clipboard on
	// (corral asks it on the first copy).
	tm.tmux("set", "-s", "set-clipboard", "on")
	tm.keys("V")
	tm.waitText("1 line selected")
	tm.keys("Up")
	tm.waitText("2 lines selected")
	tm.keys("y")
	tm.waitText("copied 2 lines")
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, _ := tm.tmuxOut("show-buffer")
		if out == "row 59\nrow 60" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tmux's buffer holds %q, want the two lines; the screen:\n%s", out, tm.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tmuxOut runs tmux and returns its output and error, for a command that
// may fail (show-buffer before any buffer exists).
func (tm *term) tmuxOut(args ...string) (string, error) {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.sock, "-f", "/dev/null"}, args...)...).Output()
	return string(out), err
}
