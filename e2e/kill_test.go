package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Quitting with interactive shells running (which ignore SIGTERM) ends them
// by the SIGHUP that comes first, as closing their terminal would, not by
// the SIGKILL at the end of a minute's grace period; the run history says
// so.
func TestQuitHangsUpInteractiveShells(t *testing.T) {
	cfg := writeConfig(t, "[settings]\nkill_grace = \"1m\"\n")
	tm := startCorral(t, 120, 30, "--config", cfg, "bash --norc --noprofile -i", "sh -i")
	s := tm.waitText("bash-")
	leaders := []int{rowPID(t, s, "1000000"), rowPID(t, s, "1000001")}
	tm.keys("q")
	tm.waitText("2 runs still alive")
	began := time.Now()
	tm.keys("y")
	tm.waitText("[exit")
	t.Logf("quit with two interactive shells took %v (grace 1m)", time.Since(began))
	for _, p := range leaders {
		if alive(p) {
			t.Errorf("shell %d outlived corral", p)
		}
	}
	hist := exec.Command(binary, "history")
	hist.Env = append(os.Environ(), "HOME="+tm.home, "XDG_CONFIG_HOME="+tm.home+"/.config",
		"XDG_STATE_HOME="+tm.home+"/.local/state")
	out, err := hist.CombinedOutput()
	if err != nil {
		t.Fatalf("corral history: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "killed HUP"); n != 2 {
		t.Fatalf("want both shells killed by SIGHUP; corral history:\n%s", out)
	}
}
