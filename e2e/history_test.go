package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// histRun is what `corral history --json` says of a run.
type histRun struct {
	ID       int64    `json:"id"`
	Argv     []string `json:"argv"`
	Status   string   `json:"status"`
	ExitCode int      `json:"exit_code"`
	Signal   string   `json:"signal"`
}

// corralCmd runs the corral binary outside tmux with the test's home.
func (tm *term) corralCmd(args ...string) (string, string, int) {
	tm.t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "HOME="+tm.home, "XDG_STATE_HOME="+filepath.Join(tm.home, ".local", "state"))
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		tm.t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func (tm *term) history() []histRun {
	tm.t.Helper()
	out, errs, code := tm.corralCmd("history", "--json")
	if code != 0 {
		tm.t.Fatalf("corral history: exit %d: %s", code, errs)
	}
	var runs []histRun
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var r histRun
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tm.t.Fatalf("history line %q: %v", sc.Text(), err)
		}
		runs = append(runs, r)
	}
	return runs
}

func findRun(runs []histRun, marker string) (histRun, bool) {
	for _, r := range runs {
		if strings.Contains(strings.Join(r.Argv, " "), marker) {
			return r, true
		}
	}
	return histRun{}, false
}

// Runs outlive corral: after it quits, `corral history` lists each with how
// it ended and `corral logs` prints its output; a second corral continues
// the ids.
func TestRunsAndLogsOutliveCorral(t *testing.T) {
	tm := startCorral(t, 120, 30, "sh -c 'echo hist-e2e-out; exit 3'", "sh -c 'echo hist-e2e-live; exec sleep 7362'")
	tm.waitText("failed 3")
	tm.waitText("1 running")
	tm.keys("q")
	tm.waitText("still alive")
	tm.keys("y")
	tm.waitText("[exit 0]")

	runs := tm.history()
	failed, ok := findRun(runs, "hist-e2e-out")
	if !ok || failed.Status != "failed" || failed.ExitCode != 3 {
		t.Fatalf("the failed run in the history: %+v (found %v) of %+v", failed, ok, runs)
	}
	killed, ok := findRun(runs, "hist-e2e-live")
	if !ok || killed.Status != "killed" {
		t.Fatalf("the killed run in the history: %+v (found %v)", killed, ok)
	}
	out, errs, code := tm.corralCmd("logs", strconv.FormatInt(failed.ID, 10))
	if code != 0 || !strings.Contains(out, "hist-e2e-out") {
		t.Fatalf("corral logs: exit %d, %q, %s", code, out, errs)
	}
	if _, errs, code := tm.corralCmd("logs", "999"); code != 1 || !strings.Contains(errs, "no run 999") {
		t.Fatalf("an unknown id: exit %d, %q", code, errs)
	}
	if _, _, code := tm.corralCmd("logs", "--bogus"); code != 2 {
		t.Fatalf("a bad flag: exit %d, want 2", code)
	}
	table, _, _ := tm.corralCmd("history")
	if !strings.Contains(table, "failed 3") {
		t.Fatalf("the history table:\n%s", table)
	}

	// Another corral, same home: its run gets an id after every earlier one.
	tm2 := startIn(t, 120, 30, "sh", "-c", "HOME="+shellQuote(tm.home)+" XDG_STATE_HOME="+shellQuote(filepath.Join(tm.home, ".local", "state"))+" "+shellQuote(binary)+" \"sh -c 'echo hist-e2e-next'\"")
	tm2.waitText("exited 0")
	tm2.keys("q")
	tm2.waitText("[exit 0]")
	next, ok := findRun(tm.history(), "hist-e2e-next")
	if !ok || next.ID <= max(failed.ID, killed.ID) {
		t.Fatalf("the next corral's run %+v (found %v), earlier ids %d and %d", next, ok, failed.ID, killed.ID)
	}
}

// history = false: corral records nothing (no index, no logs).
func TestHistoryOff(t *testing.T) {
	tm := startCorral(t, 120, 30, "--config", writeConfig(t, "[settings]\nhistory = false\n"), "sh -c 'echo no-history-7363'")
	tm.waitText("exited 0")
	tm.keys("q")
	tm.waitText("[exit 0]")
	state := filepath.Join(tm.home, ".local", "state", "corral")
	for _, name := range []string{"index.db", "logs"} {
		if _, err := os.Stat(filepath.Join(state, name)); !os.IsNotExist(err) {
			t.Errorf("%s exists with history = false (%v)", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(state, "corral.log")); err != nil {
		t.Errorf("corral's own log is missing: %v", err)
	}
}
