package tui

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

func TestMain(m *testing.M) {
	// Commands run synchronously in these tests: a status message's
	// expiry tick would make them wait. TestStatusExpires sets its own.
	defaultStatusTTL = 0
	os.Exit(m.Run())
}

// ctrlKey is ctrl and a letter, as the terminal sends it.
func ctrlKey(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl} }

// x stops the selected run at once and its row stays; s starts an ended
// run again in its row; each says why not where it does not apply.
func TestStopAndStartInPlace(t *testing.T) {
	m, reg, l := newTestModel(t, 120, 40)
	cmd := press(m, "x") // 1000000, running
	if m.mode != modeNormal || cmd == nil || !strings.Contains(m.status, "stopping run 1000000") {
		t.Fatalf("x asked or did nothing: mode %v status %q", m.mode, m.status)
	}
	feed(m, cmd)
	if len(l.stopped) != 1 || l.stopped[0] != 1000000 || len(reg.killed) != 0 || len(reg.dropped) != 0 {
		t.Fatalf("stopped %v killed %v dropped %v", l.stopped, reg.killed, reg.dropped)
	}
	if m.status != "run 1000000 stopped: s starts it again" {
		t.Fatalf("status %q", m.status)
	}
	if cmd := press(m, "s"); cmd != nil || !strings.Contains(m.status, "run 1000000 is running: r restarts it") {
		t.Fatalf("s on a live run: %q", m.status)
	}

	press(m, "down", "down") // 1000002, exited
	if !m.keys.Start.Enabled() || m.keys.Stop.Enabled() {
		t.Fatal("an ended run: start should be on, stop off")
	}
	l.ended = map[int64]bool{1000002: true}
	if feed(m, press(m, "x")); m.status != "run 1000002 has already ended: s starts it again" {
		t.Fatalf("x on an ended run: %q", m.status)
	}
	l.pendingRestart = map[int64]bool{1000002: true} // its policy would restart it
	if feed(m, press(m, "x")); m.status != "run 1000002 will not be restarted by its policy until it is started again" ||
		len(l.pendingRestart) != 0 {
		t.Fatalf("x on a run with a restart pending: %q", m.status)
	}
	feed(m, press(m, "s"))
	if len(l.restarted) != 1 || l.restarted[0] != 1000002 || len(l.reqs) != 0 || m.status != "run 1000002 started again" {
		t.Fatalf("s: restarted %v launched %v status %q", l.restarted, l.reqs, m.status)
	}
	l.restartErr = fmt.Errorf("restart run 1000002: %w", errors.New("npm: not found")) // as launch wraps it
	feed(m, press(m, "s"))
	if !m.statusErr || m.status != "run 1000002 not started again: npm: not found" {
		t.Fatalf("failed start: %q", m.status)
	}
}

// A run corral did not start is neither stopped, started nor restarted:
// the key says so before any question.
func TestAdoptedRunCannotBeRestarted(t *testing.T) {
	reg := newFakeReg(registry.ProcessInfo{RunID: 5, Command: "claude", PID: 4321, StartedAt: epoch,
		Status: registry.StatusRunning})
	m := New(reg, newFakeLauncher(), Options{Keys: DefaultKeyMap(), Theme: plainTheme(), Now: func() time.Time { return epoch }})
	update(m, tea.WindowSizeMsg{Width: 100, Height: 20})
	for _, k := range []string{"r", "x"} {
		if cmd := press(m, k); cmd != nil || m.mode != modeNormal || !strings.Contains(m.status, "run 5 was adopted") {
			t.Fatalf("%s on an adopted run: mode %v status %q", k, m.mode, m.status)
		}
	}
	if !strings.Contains(m.status, "cannot stop it; k kills it") {
		t.Fatalf("x: %q", m.status)
	}
	if m.keys.Stop.Enabled() || m.keys.Start.Enabled() {
		t.Fatal("stop or start offered for an adopted run")
	}
}

// r on a live run asks, then restarts in place; the registry's
// EventRestarted brings the new screen into the pane, visible, at the
// pane's size, and the old one hidden.
func TestRestartInPlaceShowsTheNewScreen(t *testing.T) {
	m, _, l := newTestModel(t, 80, 24)
	old := l.screens[1000000]
	if cmd := press(m, "r"); cmd != nil || m.mode != modeConfirm || !strings.Contains(m.confirm.question, "Restart run 1000000") {
		t.Fatalf("r on a live run: mode %v %q", m.mode, m.confirm.question)
	}
	feed(m, press(m, "y"))
	if len(l.restarted) != 1 || l.restarted[0] != 1000000 || m.status != "run 1000000 restarted" {
		t.Fatalf("restarted %v status %q", l.restarted, m.status)
	}

	fresh := &fakeScreen{text: "── restarted 12:00:00 ──\n$ new life"}
	l.screens[1000000] = fresh
	info := sampleRuns()[0]
	info.PID, info.Restarts = 5101, 1
	cmd := update(m, runEventMsg{ev: registry.Event{Kind: registry.EventRestarted, RunID: 1000000, Info: info}})
	run(cmd)
	if !strings.Contains(screenText(m), "$ new life") {
		t.Fatalf("the pane does not show the new screen:\n%s", screenText(m))
	}
	if !fresh.visible || old.visible {
		t.Fatalf("visible: new %v, old %v", fresh.visible, old.visible)
	}
	w, h := m.paneSize()
	if len(fresh.sizes) == 0 || fresh.sizes[len(fresh.sizes)-1] != [2]int{w, h} {
		t.Fatalf("new screen sized %v, the pane is %dx%d", fresh.sizes, w, h)
	}
	if row := lineWith(screenText(m), "5101"); !strings.Contains(row, "running") {
		t.Fatalf("row %q", row)
	}
}

// ctrl+k kills the live runs corral started that the table shows, after
// one question that counts them and fits 40 columns.
func TestKillShown(t *testing.T) {
	runs := sampleRuns()
	runs = append(runs,
		registry.ProcessInfo{RunID: 1000005, Command: "npm run watch", PID: 4106, StartedAt: epoch,
			Status: registry.StatusRunning, HasHandle: true},
		registry.ProcessInfo{RunID: 1000006, Command: "claude", PID: 4107, StartedAt: epoch,
			Status: registry.StatusRunning}) // adopted: not corral's to kill here
	reg := newFakeReg(runs...)
	m := New(reg, newFakeLauncher(), Options{Keys: DefaultKeyMap(), Theme: plainTheme(), Now: func() time.Time { return epoch }})
	update(m, tea.WindowSizeMsg{Width: 40, Height: 12})
	update(m, ctrlKey('k'))
	if m.mode != modeConfirm {
		t.Fatal("ctrl+k asked nothing")
	}
	for _, l := range m.layout.status {
		if w := ansi.StringWidth(l); w > 40 {
			t.Fatalf("question line of %d columns: %q", w, l)
		}
	}
	if q := stripANSI(strings.Join(m.layout.status, " ")); !strings.HasPrefix(q, "Kill 2 runs? ") ||
		!strings.HasSuffix(q, " (y/n)") || len(m.layout.status) > 2 {
		t.Fatalf("question %q", q)
	}
	settle(m, press(m, "y"))
	slices.Sort(reg.killed)
	if !slices.Equal(reg.killed, []int64{1000000, 1000005}) || m.status != "killed 2 runs" {
		t.Fatalf("killed %v status %q", reg.killed, m.status)
	}

	reg.killed = nil
	press(m, "/")
	typeText(m, "npm")
	press(m, "enter")
	update(m, ctrlKey('k'))
	if q := m.confirm.question; q != `Kill the 1 run matching "npm"?` {
		t.Fatalf("question %q", q)
	}
	settle(m, press(m, "y"))
	if !slices.Equal(reg.killed, []int64{1000005}) {
		t.Fatalf("killed %v", reg.killed)
	}
	press(m, "/")
	typeText(m, "zzz")
	press(m, "enter")
	if update(m, ctrlKey('k')); m.mode != modeNormal || !strings.Contains(m.status, "no run that corral started") {
		t.Fatalf("nothing to kill: mode %v %q", m.mode, m.status)
	}
}

// A run listed as not started says so: x has nothing to stop, s starts it
// (not "again").
func TestNotStartedRunSaysSo(t *testing.T) {
	m, reg, l := newTestModel(t, 120, 30)
	info := registry.ProcessInfo{RunID: 1000009, Kind: registry.KindCommand, Command: "sleep 7399", Name: "later",
		Status: registry.StatusNotStarted, HasHandle: false}
	reg.runs = append(reg.runs, info)
	update(m, runEventMsg{ev: registry.Event{Kind: registry.EventRegistered, RunID: info.RunID, Info: info}})
	l.requests[info.RunID] = Request{Command: info.Command}
	l.ended = map[int64]bool{info.RunID: true}
	m.selected = info.RunID
	if feed(m, press(m, "x")); m.status != "run 1000009 is not started: s starts it" {
		t.Fatalf("x: %q", m.status)
	}
	if feed(m, press(m, "s")); m.status != "run 1000009 started" || len(l.restarted) != 1 {
		t.Fatalf("s: %q %v", m.status, l.restarted)
	}
}
