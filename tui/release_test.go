package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
)

// releaseModel holds a run corral started, an adopted run, and an ended
// run with two processes left, with one unregistered run still alive.
func releaseModel(t *testing.T) (*Model, *fakeReg) {
	t.Helper()
	reg := newFakeReg(
		registry.ProcessInfo{RunID: 1, Command: "npm run dev", PID: 4201, StartedAt: epoch,
			Status: registry.StatusRunning, HasHandle: true},
		registry.ProcessInfo{RunID: 2, Kind: registry.KindSidecar, Command: "codex", PID: 4202, StartedAt: epoch,
			Status: registry.StatusRunning},
		registry.ProcessInfo{RunID: 3, Command: "make daemon", PID: 4203, StartedAt: epoch, EndedAt: epoch,
			Status: registry.StatusExited, HasHandle: true, Leftover: 2},
	)
	l := newFakeLauncher()
	l.detached = []int{4299}
	m := New(reg, l, Options{Keys: DefaultKeyMap(), Theme: plainTheme(), Now: func() time.Time { return epoch }})
	update(m, tea.WindowSizeMsg{Width: 140, Height: 30})
	return m, reg
}

func TestQuitCountsOnlyWhatCorralStopsAndSaysWhatItLeaves(t *testing.T) {
	m, _ := releaseModel(t)
	press(m, "q")
	q := m.confirm.question
	for _, want := range []string{"2 runs still alive: stop them all and quit?", "1 adopted run keeps running.",
		"1 unregistered run is hung up (its terminal closes with corral)."} {
		if !strings.Contains(q, want) {
			t.Errorf("quit question %q lacks %q", q, want)
		}
	}
}

func TestLeftoversShowAndCanBeKilled(t *testing.T) {
	m, reg := releaseModel(t)
	if row := lineWith(screenText(m), "make daemon"); !strings.Contains(row, "exited 0 · 2 left") {
		t.Fatalf("row %q", row)
	}
	m.selectRun(3)
	press(m, "k")
	if m.mode != modeConfirm || !strings.Contains(m.confirm.question, "left running (2 processes)") {
		t.Fatalf("k on a run with leftovers: mode %v, %q, status %q", m.mode, m.confirm.question, m.status)
	}
	feed(m, press(m, "y"))
	if len(reg.killed) != 1 || reg.killed[0] != 3 {
		t.Fatalf("killed %v", reg.killed)
	}
	press(m, "u")
	if !strings.Contains(m.confirm.question, "The 2 processes it left keep running") {
		t.Fatalf("unregister question %q", m.confirm.question)
	}
}

func TestUnregisterOfALiveRunSaysQuitHangsItUp(t *testing.T) {
	m, _ := releaseModel(t)
	m.selectRun(1)
	press(m, "u")
	if !strings.Contains(m.confirm.question, "runs on until corral quits and hangs it up") {
		t.Fatalf("question %q", m.confirm.question)
	}
	press(m, "n")
	m.selectRun(2)
	press(m, "u")
	if q := m.confirm.question; !strings.Contains(q, "keeps running as pid 4202") || strings.Contains(q, "hangs") {
		t.Fatalf("question for an adopted run %q", q)
	}
}

func TestRawViewChoiceIsDroppedWithItsRun(t *testing.T) {
	m, _ := releaseModel(t)
	m.selectRun(1)
	press(m, "v")
	if !m.raw[1] {
		t.Fatal("v did not switch run 1 to its raw stream")
	}
	info := m.runs[0]
	update(m, runEventMsg{ev: registry.Event{Kind: registry.EventUnregistered, RunID: 1, Info: info}})
	if _, kept := m.raw[1]; kept || len(m.raw) != 0 {
		t.Fatalf("the raw choice outlived its run: %v", m.raw)
	}
}

func TestARestartThatFailsKeepsTheOldRow(t *testing.T) {
	reg := newFakeReg(registry.ProcessInfo{RunID: 7, Command: "missing", StartedAt: epoch, EndedAt: epoch,
		Status: registry.StatusFailed, Exit: registry.Exit{Code: 127}, ExitCode: 127, HasHandle: true})
	l := newFakeLauncher()
	l.requests[7] = Request{Command: "missing"}
	l.restartErr = errors.New("missing: command not found")
	m := New(reg, l, Options{Keys: DefaultKeyMap(), Theme: plainTheme(), Now: func() time.Time { return epoch }})
	update(m, tea.WindowSizeMsg{Width: 100, Height: 20})
	feed(m, press(m, "r"))
	if len(reg.dropped) != 0 {
		t.Fatalf("the failed row was dropped though the retry failed: %v", reg.dropped)
	}
	if !strings.Contains(m.status, "run 7 not restarted: missing: command not found") {
		t.Fatalf("status %q", m.status)
	}
	if row := lineWith(screenText(m), "missing"); !strings.Contains(row, " - ") || !strings.Contains(row, "failed 127") {
		t.Fatalf("row %q", row)
	}
}
