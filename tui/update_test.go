package tui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

func stripANSI(s string) string { return ansi.Strip(s) }

func TestKillConfirmFlow(t *testing.T) {
	m, reg, _ := newTestModel(t, 120, 40)
	if m.selected != 1000000 {
		t.Fatalf("selected %d", m.selected)
	}
	press(m, "k")
	if m.mode != modeConfirm || !strings.Contains(screenText(m), "Kill run 1000000 (claude, pid 4101)?") {
		t.Fatalf("no confirmation:\n%s", screenText(m))
	}
	press(m, "n")
	if m.mode != modeNormal || len(reg.killed) != 0 || !strings.Contains(m.status, "cancelled") {
		t.Fatalf("n did not cancel: mode %v killed %v", m.mode, reg.killed)
	}
	cmd := press(m, "k", "y")
	if len(reg.killed) != 0 {
		t.Fatal("killed before the command ran: IO in Update")
	}
	feed(m, cmd)
	if len(reg.killed) != 1 || reg.killed[0] != 1000000 {
		t.Fatalf("killed %v", reg.killed)
	}
	if !strings.Contains(m.status, "run 1000000 stopped") {
		t.Fatalf("status %q", m.status)
	}
	// An ended run is not killed again.
	press(m, "down", "down")
	press(m, "k")
	if m.mode != modeNormal || !strings.Contains(m.status, "already ended") {
		t.Fatalf("kill of an ended run: mode %v status %q", m.mode, m.status)
	}
}

func TestStoppingRowShowsCountdown(t *testing.T) {
	m, _, _ := newTestModel(t, 120, 40)
	row := lineWith(screenText(m), "1000001")
	if !strings.Contains(row, "stopping 3s") {
		t.Fatalf("row %q has no countdown", row)
	}
	if m.Init() == nil || !m.ticking {
		t.Fatal("no tick while a run is stopping")
	}
	m.now = func() time.Time { return epoch.Add(2500 * time.Millisecond) }
	if row := lineWith(screenText(m), "1000001"); !strings.Contains(row, "stopping 1s") {
		t.Fatalf("row %q after 2.5 s", row)
	}
}

func TestUnregisterSaysALiveRunKeepsRunning(t *testing.T) {
	m, reg, _ := newTestModel(t, 120, 40)
	press(m, "u")
	if !strings.Contains(m.confirm.question, "pid 4101 runs on") {
		t.Fatalf("question %q", m.confirm.question)
	}
	feed(m, press(m, "y"))
	if len(reg.dropped) != 1 || reg.dropped[0] != 1000000 {
		t.Fatalf("dropped %v", reg.dropped)
	}
	// The event arrives; the selection moves to the run now at that row.
	info := reg.runs[0]
	update(m, runEventMsg{ev: registry.Event{Kind: registry.EventUnregistered, RunID: info.RunID, Info: info}})
	if m.selected != 1000001 || strings.Contains(screenText(m), "1000000") {
		t.Fatalf("after unregister: selected %d", m.selected)
	}
	press(m, "down", "down", "u")
	if !strings.Contains(m.confirm.question, "Remove run 1000003") {
		t.Fatalf("question for an ended run: %q", m.confirm.question)
	}
}

func TestSelectionSurvivesRunsComingAndGoing(t *testing.T) {
	m, _, _ := newTestModel(t, 120, 40)
	press(m, "down", "down") // 1000002
	newRun := registry.ProcessInfo{RunID: 999, PID: 1, Command: "early", StartedAt: epoch}
	update(m, runEventMsg{ev: registry.Event{Kind: registry.EventRegistered, RunID: 999, Info: newRun}})
	if m.selected != 1000002 {
		t.Fatalf("a new run moved the selection to %d", m.selected)
	}
	if row := lineWith(screenText(m), "1000002"); row == "" {
		t.Fatal("selected row not shown")
	}
	gone := m.runs[0]
	update(m, runEventMsg{ev: registry.Event{Kind: registry.EventUnregistered, RunID: gone.RunID, Info: gone}})
	if m.selected != 1000002 {
		t.Fatalf("another run's removal moved the selection to %d", m.selected)
	}
}

func TestNewRunFormErrors(t *testing.T) {
	m, _, l := newTestModel(t, 120, 40)
	press(m, "n")
	if m.mode != modeForm {
		t.Fatal("n did not open the form")
	}
	press(m, "enter")
	if !strings.Contains(screenText(m), "enter a command to run") || len(l.reqs) != 0 {
		t.Fatalf("empty command accepted:\n%s", screenText(m))
	}
	typeText(m, "make test")
	press(m, "tab") // a command takes no task or model: the directory is next
	typeText(m, "/no/such/dir")
	l.err = errors.New(`directory "/no/such/dir" does not exist`)
	feed(m, press(m, "enter"))
	if len(l.reqs) != 1 || l.reqs[0].Command != "make test" || l.reqs[0].Dir != "/no/such/dir" {
		t.Fatalf("requests %+v", l.reqs)
	}
	if m.mode != modeForm || !strings.Contains(screenText(m), `directory "/no/such/dir" does not exist`) {
		t.Fatalf("launch error not shown inline:\n%s", screenText(m))
	}
	// Choosing an unavailable agent says why, and launches nothing.
	press(m, "tab", "tab")              // the name, then back on the chooser (after the last field)
	press(m, "right", "right", "enter") // shell, claude-run
	if !strings.Contains(screenText(m), "claude-run is not available: claude is not on PATH") {
		t.Fatalf("unavailable agent:\n%s", screenText(m))
	}
	// A one-shot agent needs a task.
	press(m, "right", "enter") // writer
	if !strings.Contains(screenText(m), "writer runs a task: enter one") {
		t.Fatalf("agent without task:\n%s", screenText(m))
	}
	press(m, "tab") // the task field (the command field is not shown for agents)
	typeText(m, `say "hi"; $(rm -rf /)`)
	l.err = nil
	feed(m, press(m, "enter"))
	last := l.reqs[len(l.reqs)-1]
	if last.Agent != "writer" || last.Task != `say "hi"; $(rm -rf /)` {
		t.Fatalf("request %+v", last)
	}
	if m.mode != modeNormal || m.selected != 2001 || !strings.Contains(m.status, "started run 2001") {
		t.Fatalf("after a launch: mode %v selected %d status %q", m.mode, m.selected, m.status)
	}
	press(m, "n", "esc")
	if m.mode != modeNormal {
		t.Fatal("esc did not close the form")
	}
}

func TestFilter(t *testing.T) {
	m, _, _ := newTestModel(t, 120, 40)
	press(m, "/")
	typeText(m, "npm")
	if rows := m.visibleRuns(); len(rows) != 1 || rows[0].RunID != 1000002 || m.selected != 1000002 {
		t.Fatalf("filter npm: %d rows, selected %d", len(rows), m.selected)
	}
	press(m, "enter")
	if m.mode != modeNormal || !strings.Contains(screenText(m), "filter: npm") {
		t.Fatal("filter not kept after enter")
	}
	press(m, "/")
	typeText(m, "zzz")
	if !strings.Contains(screenText(m), "no run matches the filter") {
		t.Fatalf("empty filter result:\n%s", screenText(m))
	}
	press(m, "esc")
	if len(m.visibleRuns()) != 5 || m.filter.Value() != "" {
		t.Fatal("esc did not clear the filter")
	}
}

func TestFocusSendsKeysUntilTheEscapeKey(t *testing.T) {
	m, _, l := newTestModel(t, 120, 40)
	press(m, "enter")
	if m.mode != modeFocus || !strings.Contains(screenText(m), "TYPING INTO RUN") {
		t.Fatalf("not focused:\n%s", screenText(m))
	}
	settle(m, press(m, "q", "k", "up", "ctrl+c"))
	if m.mode != modeFocus {
		t.Fatal("a key left focus")
	}
	got := strings.Join(l.screens[1000000].keys, " ")
	if got != "q k up ctrl+c" {
		t.Fatalf("keys sent: %q", got)
	}
	settle(m, update(m, tea.PasteMsg{Content: "pasted"}))
	// Keys typed just before leaving focus still reach the run, in order.
	cmd := press(m, "x", "enter", "ctrl+]")
	settle(m, cmd)
	if got := strings.Join(l.screens[1000000].keys, " "); got != "q k up ctrl+c x enter" {
		t.Fatalf("keys after leaving focus: %q", got)
	}
	press(m, "enter")
	if p := l.screens[1000000].pasted; len(p) != 1 || p[0] != "pasted" {
		t.Fatalf("paste: %q", p)
	}
	press(m, "ctrl+]")
	if m.mode != modeNormal {
		t.Fatal("ctrl+] did not leave focus")
	}
	// Ended runs and runs without a screen take no input.
	press(m, "down", "down", "enter")
	if m.mode != modeNormal || !strings.Contains(m.status, "takes no input") {
		t.Fatalf("focus on an ended run: %v %q", m.mode, m.status)
	}
}

func TestResizeReachesEveryLiveRunAndTinySizesWork(t *testing.T) {
	m, _, l := newTestModel(t, 120, 40)
	feed(m, update(m, tea.WindowSizeMsg{Width: 100, Height: 30}))
	w, h := m.paneSize()
	for _, id := range []int64{1000000, 1000001} {
		s := l.screens[id].sizes
		if len(s) == 0 || s[len(s)-1] != [2]int{w, h} {
			t.Fatalf("run %d sizes %v, want %d×%d", id, s, w, h)
		}
	}
	if len(l.screens[1000002].sizes) != 0 {
		t.Fatal("an ended run was resized")
	}
	for _, size := range [][2]int{{1, 1}, {2, 2}, {10, 3}, {20, 5}, {40, 10}, {300, 80}} {
		update(m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for _, k := range []string{"n", "esc", "?", "?", "/", "esc", "k", "n"} {
			press(m, k)
		}
		out := screenText(m)
		lines := strings.Split(out, "\n")
		if len(lines) > size[1] {
			t.Fatalf("%dx%d: %d lines", size[0], size[1], len(lines))
		}
		for _, l := range lines {
			if ansi.StringWidth(l) > size[0] {
				t.Fatalf("%dx%d: line %q too wide", size[0], size[1], l)
			}
		}
	}
}

func TestOutputFloodFoldsIntoOneFrame(t *testing.T) {
	m, reg, l := newTestModel(t, 120, 40)
	frames := 0
	for range 1000 {
		cmd := update(m, outputMsg{id: 1000000})
		for _, msg := range run(cmd) {
			if _, ok := msg.(frameMsg); ok {
				frames++
			}
		}
	}
	if frames != 1 {
		t.Fatalf("%d frames queued for 1000 output events, want 1", frames)
	}
	l.screens[1000000].text = "new screen"
	if strings.Contains(screenText(m), "new screen") {
		t.Fatal("pane redrawn before the frame")
	}
	update(m, frameMsg{})
	if !strings.Contains(screenText(m), "new screen") {
		t.Fatal("frame did not redraw the pane")
	}
	// Output of a run that is not shown does not redraw anything.
	if cmd := update(m, outputMsg{id: 1000003}); len(run(cmd)) != 1 {
		t.Fatal("unexpected commands for another run's output")
	}
	_ = reg
}

func TestScrollBackKeepsItsPlaceAndMarksNewOutput(t *testing.T) {
	m, reg, _ := newTestModel(t, 80, 24)
	out := reg.outputs[1000000]
	for i := range 200 {
		fmt.Fprintf(out, "line %d\n", i)
	}
	press(m, "pgup")
	if m.scroll == 0 || !strings.Contains(screenText(m), "lines up") {
		t.Fatalf("pgup did not scroll:\n%s", screenText(m))
	}
	top := m.pane[0]
	for i := range 5 {
		fmt.Fprintf(out, "more %d\n", i)
	}
	update(m, outputMsg{id: 1000000})
	update(m, frameMsg{})
	if m.pane[0] != top || !strings.Contains(screenText(m), "new output") {
		t.Fatalf("view moved (%q → %q) or no marker", top, m.pane[0])
	}
	press(m, "end")
	if m.scroll != 0 || strings.Contains(screenText(m), "new output") || !strings.Contains(screenText(m), "screen of run") {
		t.Fatalf("end did not return to live output:\n%s", screenText(m))
	}
}

func TestQuitWithLiveRunsConfirmsAndStopsThemFirst(t *testing.T) {
	m, reg, _ := newTestModel(t, 120, 40)
	press(m, "q")
	if m.mode != modeConfirm || !strings.Contains(m.confirm.question, "2 runs still alive") {
		t.Fatalf("quit question %q", m.confirm.question)
	}
	msgs := run(press(m, "y"))
	if len(msgs) != 1 {
		t.Fatalf("msgs %v", msgs)
	}
	cmd := update(m, msgs[0])
	if !m.quitting || !strings.Contains(m.status, "stopping 2 runs") {
		t.Fatalf("not quitting: %q", m.status)
	}
	var quit bool
	for _, msg := range run(cmd) {
		if qr, ok := msg.(quitReadyMsg); ok {
			_, isQuit := run(update(m, qr))[0].(tea.QuitMsg)
			quit = isQuit
		}
	}
	if reg.killAll != 1 || !quit {
		t.Fatalf("KillAll called %d times, quit %v", reg.killAll, quit)
	}
}

func TestQuitWithNothingAliveQuitsAtOnce(t *testing.T) {
	reg := newFakeReg()
	m := New(reg, newFakeLauncher(), Options{Keys: DefaultKeyMap(), Theme: plainTheme()})
	update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if _, ok := run(press(m, "q"))[0].(tea.QuitMsg); !ok {
		t.Fatal("q did not quit")
	}
}

func TestAdopt(t *testing.T) {
	m, _, l := newTestModel(t, 120, 40)
	feed(m, press(m, "a"))
	if !strings.Contains(screenText(m), "4242") {
		t.Fatalf("candidates not listed:\n%s", screenText(m))
	}
	typeText(m, "1")
	feed(m, press(m, "enter"))
	if !strings.Contains(screenText(m), "not allowed") || m.mode != modeAdopt {
		t.Fatalf("adopt error not shown:\n%s", screenText(m))
	}
	press(m, "backspace")
	feed(m, press(m, "enter"))
	if len(l.adopted) != 1 || l.adopted[0] != 4242 || m.mode != modeNormal {
		t.Fatalf("adopted %v mode %v", l.adopted, m.mode)
	}
}

func TestCleanupAndRestart(t *testing.T) {
	m, reg, l := newTestModel(t, 120, 40)
	feed(m, press(m, "c"))
	if !strings.Contains(m.status, "cleaned up 1 ended run") {
		t.Fatalf("status %q", m.status)
	}
	press(m, "down", "down") // an ended command run: restarts in place at once
	feed(m, press(m, "r"))
	if len(l.restarted) != 1 || l.restarted[0] != 1000002 || len(l.reqs) != 0 || m.status != "run 1000002 restarted" {
		t.Fatalf("restart: %v %+v %q", l.restarted, l.reqs, m.status)
	}
	press(m, "up", "up") // a live run: asks first; the launcher stops it
	if cmd := press(m, "r"); m.mode != modeConfirm || cmd != nil {
		t.Fatal("restart of a live run did not ask")
	}
	feed(m, press(m, "y"))
	if len(l.restarted) != 2 || l.restarted[1] != 1000000 || len(reg.killed) != 0 {
		t.Fatalf("restarted %v killed %v", l.restarted, reg.killed)
	}
	// The sidecar was not started by corral: r says so before asking.
	press(m, "G")
	if cmd := press(m, "r"); cmd != nil || m.mode != modeNormal || !strings.Contains(m.status, "cannot restart") {
		t.Fatalf("restart of a sidecar: mode %v %q", m.mode, m.status)
	}
}

func TestOnlyTheShownRunIsMarkedVisible(t *testing.T) {
	m, _, l := newTestModel(t, 120, 40)
	if !l.screens[1000000].visible {
		t.Fatal("the selected run's screen is not visible")
	}
	press(m, "down")
	if l.screens[1000000].visible || !l.screens[1000001].visible {
		t.Fatal("visibility did not follow the selection")
	}
}
