package e2e

import (
	"regexp"
	"strings"
	"testing"
)

// Runs start with every signal at its default disposition, though corral
// was started with job-control signals ignored (as tmux leaves SIGTTIN and
// SIGTTOU in its panes): job control in a shell under corral works as in a
// terminal.
func TestRunsStartWithNoSignalIgnored(t *testing.T) {
	// The run prints its own SigIgn and its parent's (corral's).
	run := `sh -c 'grep SigIgn /proc/self/status; grep SigIgn /proc/$PPID/status | sed s/SigIgn/corral/; exec sleep 7342'`
	tm := startIn(t, 120, 30, "sh", "-c", `trap '' TTIN TTOU TSTP; exec "$0" "$@"`, binary, run)
	s := tm.waitFor("both SigIgn lines", func(s string) bool {
		return strings.Contains(s, "SigIgn:") && strings.Contains(s, "corral:")
	})
	child := regexp.MustCompile(`SigIgn:\s+([0-9a-f]{16})`).FindStringSubmatch(s)
	corral := regexp.MustCompile(`corral:\s+([0-9a-f]{16})`).FindStringSubmatch(s)
	if child == nil || corral == nil {
		t.Fatalf("no SigIgn lines:\n%s", s)
	}
	if corral[1] == "0000000000000000" {
		t.Fatalf("setup: corral ignores no signal:\n%s", s)
	}
	if child[1] != "0000000000000000" {
		t.Fatalf("the run starts with SigIgn %s (corral's: %s), want none ignored", child[1], corral[1])
	}
}
