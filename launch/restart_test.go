package launch

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"corral/history"
	"corral/registry"
	"corral/tui"
)

// nonEmpty drops the blank lines of a run's output.
func nonEmpty(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// A run restarted in place keeps its id, row and output; the new process
// writes below the marker, the screen the interface gets is the new
// process's, and the history's one row and log follow both lives.
func TestRestartInPlace(t *testing.T) {
	r := newRig(t)
	store := r.withHistory(t)
	id, err := r.l.Launch(tui.Request{Command: `sh -c 'echo first-$N_7321; exit 3'`, Name: "twice", Env: "N_7321=7321\x00"})
	if err != nil {
		t.Fatal(err)
	}
	r.until(t, "the first exit", func() bool { info, _ := r.reg.Process(id); return !info.Active() })
	first, _ := r.reg.Process(id)
	oldScreen := r.l.Screen(id).(typing).Proc

	if err := r.l.Restart(id); err != nil {
		t.Fatal(err)
	}
	scr, ok := r.l.Screen(id).(typing)
	if !ok || scr.Proc == oldScreen || scr.Proc != r.l.sp.Proc(id) {
		t.Fatal("the screen after the restart is not the new process's")
	}
	r.until(t, "the second exit", func() bool {
		info, _ := r.reg.Process(id)
		return info.Restarts == 1 && !info.Active()
	})
	info, _ := r.reg.Process(id)
	if info.PID == first.PID || info.Name != "twice" || info.Status != registry.StatusFailed || info.ExitCode != 3 {
		t.Fatalf("after the restart: %+v (first pid %d)", info, first.PID)
	}
	if n := len(r.reg.Processes()); n != 1 {
		t.Fatalf("%d runs listed, want the one", n)
	}
	lines := nonEmpty(r.reg.Output(id).Tail(10))
	if len(lines) != 3 || lines[0] != "first-7321" || !strings.HasPrefix(lines[1], "── restarted ") || lines[2] != "first-7321" {
		t.Fatalf("output %q, want first-7321, the marker, first-7321", lines)
	}
	r.until(t, "the new screen", func() bool { return strings.Contains(scr.Text(), "first-7321") })
	if n := strings.Count(scr.Text(), "first-7321"); n != 1 {
		t.Fatalf("the new screen shows first-7321 %d times", n)
	}

	eventually(t, "the history's row of the second life", func() bool {
		run, err := store.Get(id)
		return err == nil && run.PID == info.PID && run.Status == "failed"
	})
	if runs, _ := store.List(history.Query{}); len(runs) != 1 {
		t.Fatalf("the history has %d rows, want the run's one", len(runs))
	}
	eventually(t, "both lives in the log", func() bool {
		log, ok := storedLog(store, id)
		return ok && strings.ReplaceAll(log, "\r", "") == "first-7321\n"+lines[1]+"\nfirst-7321\n"
	})
}

// A live Claude session is stopped and resumed in place: the same session
// id, with --resume, and its activity followed again.
func TestRestartResumesAClaudeSession(t *testing.T) {
	r := newRig(t)
	id, err := r.l.Launch(tui.Request{Agent: "claude"})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := r.reg.Process(id)
	r.until(t, "the banner", func() bool { return strings.Contains(r.l.sp.Proc(id).Text(), "fake claude session") })
	r.until(t, "an activity", func() bool { info, _ := r.reg.Process(id); return info.Activity.State != 0 })

	if err := r.l.Restart(id); err != nil {
		t.Fatal(err)
	}
	info, _ := r.reg.Process(id)
	if info.Restarts != 1 || info.PID == before.PID || info.SessionID != before.SessionID ||
		!strings.Contains(info.Command, "--resume "+before.SessionID) || !info.Status.Live() {
		t.Fatalf("resumed as %+v (was %+v)", info, before)
	}
	if req, _ := r.l.Request(id); req.Resume != before.SessionID {
		t.Fatalf("the record's request does not resume: %+v", req)
	}
	scr := r.l.Screen(id).(typing)
	r.until(t, "the new banner", func() bool { return strings.Contains(scr.Text(), "fake claude session") })
	r.until(t, "the new life's activity", func() bool {
		info, _ := r.reg.Process(id)
		return info.Activity.State != 0 && info.Activity.Since.After(info.StartedAt.Add(-time.Millisecond))
	})
	if _, err := scr.Write([]byte("again\r")); err != nil {
		t.Fatal(err)
	}
	r.until(t, "the echo", func() bool { return strings.Contains(scr.Text(), "you said: again") })
}

// An adopted run cannot be restarted; a run that could not start can, once
// what it runs exists.
func TestRestartRefusesAdoptedAndRetriesAFailedStart(t *testing.T) {
	r := newRig(t)
	cmd := exec.Command("sleep", "7322")
	startOutside(t, cmd, "sleep")
	adopted, err := r.l.Adopt(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.l.Restartable(adopted); !errors.Is(err, registry.ErrAdopted) {
		t.Fatalf("Restartable of an adopted run: %v, want ErrAdopted", err)
	}
	if err := r.l.Restart(adopted); !errors.Is(err, registry.ErrAdopted) {
		t.Fatalf("restart of an adopted run: %v, want ErrAdopted", err)
	}
	if info, _ := r.reg.Process(adopted); info.PID != cmd.Process.Pid || !info.Status.Live() {
		t.Fatalf("the refused restart touched the adopted run: %+v", info)
	}
	if err := r.l.Stop(adopted); !errors.Is(err, registry.ErrAdopted) || !r.reg.IsProcessRunning(adopted) {
		t.Fatalf("stop of an adopted run: %v, want ErrAdopted and the run alive", err)
	}
	if err := r.l.Restart(4242); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("restart of an unknown run: %v", err)
	}

	failed := r.l.Fail(tui.Request{Agent: "claude-run", Task: "retried"}, errors.New("it was missing"))
	if err := r.l.Restartable(failed); err != nil {
		t.Fatalf("Restartable of a failed start: %v", err)
	}
	if err := r.l.Restart(failed); err != nil {
		t.Fatal(err)
	}
	r.until(t, "the retried run's exit", func() bool {
		info, _ := r.reg.Process(failed)
		return info.Restarts == 1 && info.Status == registry.StatusExited
	})
	lines := nonEmpty(r.reg.Output(failed).Tail(20))
	if len(lines) < 3 || !strings.Contains(lines[0], "it was missing") || !strings.HasPrefix(lines[1], "── restarted ") ||
		!strings.Contains(lines[2], `"type":"system"`) {
		t.Fatalf("output %q", lines)
	}
	// It is followed as the agent it is: its one-shot run is over once its
	// result came, not active as a plain command's output would be.
	r.until(t, "the agent's end state", func() bool {
		info, _ := r.reg.Process(failed)
		return info.Activity.State != 0
	})
	if info, _ := r.reg.Process(failed); info.Activity.State == registry.StateActive || info.Activity.State == registry.StateQuiet {
		t.Fatalf("the retried agent is followed as a command: %v", info.Activity.State)
	}
}

// Stop ends a run and leaves it listed, killed, to be started again in its
// row; stopping an ended run is not an error.
func TestStopThenStartAgain(t *testing.T) {
	r := newRig(t)
	id, err := r.l.Launch(tui.Request{Command: "sleep 7324"})
	if err != nil {
		t.Fatal(err)
	}
	pid := r.l.sp.Proc(id).Pid()
	if err := r.l.Stop(id); err != nil {
		t.Fatal(err)
	}
	if info, ok := r.reg.Process(id); !ok || info.Status != registry.StatusKilled {
		t.Fatalf("after Stop: %+v", info)
	}
	if err := r.l.Stop(id); !errors.Is(err, tui.ErrNotRunning) {
		t.Fatalf("stop of a stopped run: %v", err)
	}
	if err := r.l.Restart(id); err != nil {
		t.Fatal(err)
	}
	info, _ := r.reg.Process(id)
	if !info.Status.Live() || info.PID == pid || info.Restarts != 1 {
		t.Fatalf("started again: %+v", info)
	}
	if err := r.l.Stop(id); err != nil {
		t.Fatal(err)
	}
	if info, _ := r.reg.Process(id); info.Status != registry.StatusKilled || info.Restarts != 1 {
		t.Fatalf("stopped again: %+v", info)
	}
}

// A run whose leader ended but left a process running is restarted with
// what it left stopped first, even when asked before the registry has
// published its count.
func TestRestartStopsWhatTheRunLeftBehind(t *testing.T) {
	r := newRig(t)
	t.Cleanup(func() {
		// Whatever happens to the run, the sleeps this test left are ended
		// (by pid: only `sleep 7325`, this test's marker).
		for _, pid := range sleepers(t, "7325") {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	// The leader ends once the process it leaves ignores the hangup.
	ready := filepath.Join(t.TempDir(), "ready")
	id, err := r.l.Launch(tui.Request{Command: `sh -c 'sh -c "trap \"\" HUP; : >` + ready +
		`; exec sleep 7325" >/dev/null 2>&1 & while [ ! -e ` + ready + ` ]; do :; done'`})
	if err != nil {
		t.Fatal(err)
	}
	r.until(t, "the leader's exit", func() bool { info, _ := r.reg.Process(id); return !info.Status.Live() })
	var left []int
	for deadline := time.Now().Add(10 * time.Second); len(left) == 0 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		left = sleepers(t, "7325") // its exec of sleep may come a moment later
	}
	if len(left) != 1 {
		t.Fatalf("left running: %v, want one sleep", left)
	}
	if err := r.l.Restart(id); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", left[0])); err == nil {
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", left[0])); !strings.Contains(string(b), ") Z ") {
			t.Fatalf("the first life's leftover %d still runs after the restart", left[0])
		}
	}
	if info, _ := r.reg.Process(id); info.Restarts != 1 {
		t.Fatalf("not restarted: %+v", info)
	}
}

// sleepers lists the pids of `sleep arg` processes.
func sleepers(t *testing.T, arg string) []int {
	t.Helper()
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); string(b) == "sleep\x00"+arg+"\x00" {
			pids = append(pids, pid)
		}
	}
	return pids
}
