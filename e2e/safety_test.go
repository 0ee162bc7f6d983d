package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// outsider starts a marked sleep in a session of its own, not on corral's
// terminal: a process corral may adopt but did not start. It is killed by
// pid when the test ends.
func outsider(t *testing.T, secs string) int {
	t.Helper()
	cmd := exec.Command("sleep", secs)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	deadline := time.Now().Add(10 * time.Second)
	for !strings.HasPrefix(cmdline(cmd.Process.Pid), "sleep") {
		if time.Now().After(deadline) {
			t.Fatal("the outsider never ran sleep")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return cmd.Process.Pid
}

func cmdline(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return string(bytes.ReplaceAll(b, []byte{0}, []byte{' '}))
}

// pidOf finds the live process whose command line is exactly line.
func pidOf(line string) int {
	for _, p := range procs() {
		if p.state != 'Z' && strings.TrimSpace(cmdline(p.pid)) == line {
			return p.pid
		}
	}
	return 0
}

// Without a terminal corral refuses at once, before it adopts anything.
func TestNoTerminalAdoptsNothing(t *testing.T) {
	pid := outsider(t, "7391")
	cmd := exec.Command(binary, "--adopt", strconv.Itoa(pid))
	cmd.Stdin = nil // /dev/null
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errorsAs(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("status %v, want 2; output %q", err, out)
	}
	if !strings.Contains(string(out), "corral needs a terminal (stdin and stdout must be a TTY)") {
		t.Fatalf("output %q", out)
	}
	if !alive(pid) {
		t.Fatal("the process given to --adopt was killed")
	}
}

func errorsAs(err error, ee **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	*ee = e
	return ok
}

// A refused --adopt (a pid that names nothing, a pid twice) ends corral
// before it starts or adopts anything: the good pid keeps running.
func TestRefusedAdoptLeavesTheOthersAlone(t *testing.T) {
	pid := outsider(t, "7392")
	for _, args := range [][]string{
		{"--adopt", strconv.Itoa(pid), "--adopt", "99999999"},
		{"--adopt", strconv.Itoa(pid), "--adopt", strconv.Itoa(pid)},
		{"--adopt", "1"},
	} {
		tm := startCorral(t, 100, 20, args...)
		s := tm.waitText("[exit 2]")
		if !strings.Contains(s, "--adopt") {
			t.Errorf("%v: no reason given:\n%s", args, s)
		}
		if !alive(pid) {
			t.Fatalf("%v: the adopted process was killed", args)
		}
	}
}

// Quitting releases an adopted run, says so, and counts only what it stops.
func TestQuitReleasesAdoptedRuns(t *testing.T) {
	pid := outsider(t, "7393")
	tm := startCorral(t, 120, 30, "--adopt", strconv.Itoa(pid), "sh -c 'echo mine; exec sleep 7394'")
	tm.waitText("mine")
	mine := pidOf("sleep 7394")
	tm.keys("q")
	s := tm.waitText("1 run still alive")
	if !strings.Contains(s, "1 adopted run keeps running") {
		t.Errorf("the question does not say the adopted run is kept:\n%s", s)
	}
	tm.keys("y")
	s = tm.waitText("[exit 0]")
	if !strings.Contains(s, "1 adopted run(s) keep running (pid "+strconv.Itoa(pid)+")") {
		t.Errorf("no word of the adopted run at exit:\n%s", s)
	}
	if !alive(pid) {
		t.Fatal("quitting killed the adopted process")
	}
	if mine == 0 || alive(mine) {
		t.Fatalf("corral's own run (pid %d) outlived it", mine)
	}
}

// A bad command among several is a failed row; the others run.
func TestOneBadCommandDoesNotAbortTheLaunch(t *testing.T) {
	tm := startCorral(t, 120, 30, "sh -c 'echo first; exec sleep 7395'", "nonexistent-prog", "sh -c 'echo third; exec sleep 7396'")
	tm.waitFor("both good runs", func(s string) bool { return pidOf("sleep 7395") != 0 && pidOf("sleep 7396") != 0 })
	s := tm.waitText("nonexistent-prog")
	if r := row(s, "nonexistent-prog"); !strings.Contains(r, "failed 127") || !strings.Contains(r, " - ") {
		t.Fatalf("the bad command's row (failed 127, no pid): %q\n%s", r, s)
	}
	// r retries it: still not found, the row and corral stay.
	tm.keys("Down", "r")
	s = tm.waitText("not restarted: nonexistent-prog: command not found")
	if r := row(s, "nonexistent-prog"); !strings.Contains(r, "failed 127") {
		t.Fatalf("after a retry: %q\n%s", r, s)
	}
	tm.keys("q")
	tm.waitText("2 runs still alive")
	tm.keys("y")
	tm.waitText("[exit 0]")
}

// A daemon that double-forked out of its run's session is stopped with it.
func TestKillReachesAnEscapedDaemon(t *testing.T) {
	cfg := writeConfig(t, "[settings]\nkill_grace = \"1s\"\n")
	tm := startCorral(t, 120, 30, "--config", cfg,
		`sh -c '( setsid sh -c "trap \"\" TERM; exec sleep 7397" & ); echo forked; exec sleep 7398'`)
	tm.waitText("forked")
	var daemon int
	tm.waitFor("the daemon", func(string) bool { daemon = pidOf("sleep 7397"); return daemon != 0 })
	tm.keys("k")
	tm.waitText("Kill run")
	tm.keys("y")
	tm.waitFor("the row to end killed", func(s string) bool { return strings.Contains(row(s, "1000000"), "killed") })
	if alive(daemon) {
		t.Fatalf("the double-forked daemon %d outlived the kill of its run", daemon)
	}
}

// What a run leaves behind is shown, and quitting stops it.
func TestLeftoversAreShownAndStoppedAtQuit(t *testing.T) {
	tm := startCorral(t, 120, 30, `sh -c "trap '' HUP; sleep 7399 >/dev/null 2>&1 &"`)
	s := tm.waitFor("the leftover", func(s string) bool { return strings.Contains(row(s, "1000000"), "1 left") })
	if !strings.Contains(row(s, "1000000"), "exited 0") {
		t.Fatalf("row %q", row(s, "1000000"))
	}
	left := pidOf("sleep 7399")
	tm.keys("q")
	tm.waitText("1 run still alive")
	tm.keys("y")
	tm.waitText("[exit 0]")
	if left == 0 || alive(left) {
		t.Fatalf("the leftover %d outlived corral", left)
	}
}

// A second signal while corral stops its runs skips the grace period;
// corral still waits for the trees to be gone, and exits 128+signal.
func TestSecondSignalDuringShutdown(t *testing.T) {
	cfg := writeConfig(t, "[settings]\nkill_grace = \"60s\"\n")
	tm := startCorral(t, 120, 30, "--config", cfg, `sh -c "trap '' TERM HUP INT; echo stubborn; sleep 7400 & wait"`)
	tm.waitText("stubborn")
	var stubborn int
	tm.waitFor("the stubborn sleep", func(string) bool { stubborn = pidOf("sleep 7400"); return stubborn != 0 })
	corral := tm.corralPID()
	_ = syscall.Kill(corral, syscall.SIGTERM)
	tm.waitText("stopping 1 run(s)")
	_ = syscall.Kill(corral, syscall.SIGTERM)
	s := tm.waitText("[exit")
	if !strings.Contains(s, "[exit 143]") {
		t.Errorf("status after SIGTERM:\n%s", s)
	}
	if alive(stubborn) {
		t.Fatal("a TERM-ignoring grandchild outlived corral")
	}
	tm.checkSaneTerminal(s)
}
