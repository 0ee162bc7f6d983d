package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"
)

// clock is a settable clock for the model.
type clock struct{ t time.Time }

func (c *clock) now() time.Time            { return c.t }
func (c *clock) advance(d time.Duration)   { c.t = c.t.Add(d) }
func withClock(m *Model) *clock            { c := &clock{t: epoch}; m.now = c.now; return c }
func queuedFrame(cmd tea.Cmd) (found bool) { return hasMsg[frameMsg](cmd) }

// hasMsg reports whether running cmd yields a message of type T.
func hasMsg[T any](cmd tea.Cmd) bool {
	for _, msg := range run(cmd) {
		if _, ok := msg.(T); ok {
			return true
		}
	}
	return false
}

func TestEchoAfterAQuietSpellIsDrawnAtOnce(t *testing.T) {
	m, _, l := newTestModel(t, 120, 40)
	c := withClock(m)
	c.advance(time.Second)
	scr := l.screens[1000000]
	scr.text = "$ x"
	if cmd := update(m, outputMsg{id: 1000000}); queuedFrame(cmd) {
		t.Fatal("output after a quiet spell waits for a frame tick")
	}
	if !strings.Contains(screenText(m), "$ x") {
		t.Fatal("the echo is not on screen at once")
	}
	// More output within the same frame waits for the frame's end.
	c.advance(5 * time.Millisecond)
	scr.text = "$ xy"
	if cmd := update(m, outputMsg{id: 1000000}); !queuedFrame(cmd) {
		t.Fatal("output within a frame interval was not deferred to a frame")
	}
	if strings.Contains(screenText(m), "$ xy") {
		t.Fatal("drawn twice in one frame interval")
	}
	update(m, frameMsg{})
	if !strings.Contains(screenText(m), "$ xy") {
		t.Fatal("the frame did not draw the deferred output")
	}
}

func TestOutputThatKeepsComingIsDrawnThirtyTimesASecond(t *testing.T) {
	for _, c := range []struct{ since, want time.Duration }{
		{0, floodInterval},
		{5 * time.Millisecond, floodInterval - 5*time.Millisecond},
		{frameInterval - time.Millisecond, floodInterval - frameInterval + time.Millisecond},
		{frameInterval, 0}, // a quiet frame: drawn at once
		{time.Second, 0},
	} {
		if got := frameWait(c.since); got != c.want {
			t.Errorf("output %v after a frame waits %v, want %v", c.since, got, c.want)
		}
	}
}

func TestViewIsKeptForOutputOfRunsNotShown(t *testing.T) {
	m, _, l := newTestModel(t, 120, 40)
	c := withClock(m)
	before := m.View().Content
	// Rebuilding the view would show the ages two minutes on.
	c.advance(2 * time.Minute)
	l.screens[1000000].text = "changed but not notified"
	update(m, outputMsg{id: 1000003})
	if m.View().Content != before {
		t.Fatal("output of a run not shown rebuilt the view")
	}
	update(m, outputMsg{id: 1000000})
	update(m, frameMsg{})
	if !strings.Contains(m.View().Content, "changed but not notified") {
		t.Fatal("the view was not rebuilt after the shown run's output")
	}
}

func TestCursorFollowsTheChildInFocusOnly(t *testing.T) {
	m, _, l := newTestModel(t, 120, 40)
	scr := l.screens[1000000]
	scr.cursor = uv.Cursor{Position: uv.Pos(3, 1), Shape: uv.CursorBar, Blink: false}
	update(m, outputMsg{id: 1000000})
	if c := m.View().Cursor; c != nil {
		t.Fatalf("cursor %+v shown outside focus", c)
	}
	press(m, "enter")
	c := m.View().Cursor
	want := tea.Position{X: 3, Y: m.layout.paneY + 1}
	if c == nil || c.Position != want || c.Shape != tea.CursorBar || c.Blink {
		t.Fatalf("cursor in focus %+v, want a steady bar at %+v", c, want)
	}
	// The child hides its cursor (DECTCEM).
	scr.cursor.Hidden = true
	update(m, outputMsg{id: 1000000})
	update(m, frameMsg{})
	if c := m.View().Cursor; c != nil {
		t.Fatalf("hidden cursor shown at %+v", c)
	}
	scr.cursor.Hidden = false
	update(m, frameMsg{})
	update(m, outputMsg{id: 1000000})
	update(m, frameMsg{})
	if m.View().Cursor == nil {
		t.Fatal("cursor shown again by the child stays hidden")
	}
	// Below the pane (a screen taller than the pane during a resize): none.
	scr.cursor.Y = m.layout.paneH
	update(m, frameMsg{})
	update(m, outputMsg{id: 1000000})
	update(m, frameMsg{})
	if c := m.View().Cursor; c != nil {
		t.Fatalf("cursor outside the pane shown at %+v", c)
	}
	scr.cursor.Y = 1
	press(m, "ctrl+]")
	if c := m.View().Cursor; c != nil {
		t.Fatalf("cursor %+v shown after focus left", c)
	}
}

func TestCursorHiddenWhileThePaneShowsHistory(t *testing.T) {
	m, reg, l := newTestModel(t, 80, 24)
	l.screens[1000000].cursor = uv.Cursor{Position: uv.Pos(0, 0)}
	for range 100 {
		_, _ = reg.outputs[1000000].Write([]byte("history\n"))
	}
	press(m, "enter")
	if m.View().Cursor == nil {
		t.Fatal("no cursor in focus")
	}
	update(m, tea.MouseWheelMsg{Button: tea.MouseWheelUp, Y: m.layout.paneY})
	if m.scroll == 0 {
		t.Fatal("the wheel did not scroll the pane")
	}
	if c := m.View().Cursor; c != nil {
		t.Fatalf("cursor %+v over history", c)
	}
}

// exitEvent is the event of a run that exited by itself.
func exitEvent(m *Model, id int64) runEventMsg {
	for _, r := range m.runs {
		if r.RunID == id {
			r.Status, r.EndedAt = registry.StatusExited, m.now()
			return runEventMsg{ev: registry.Event{Kind: registry.EventExited, RunID: id, Info: r}}
		}
	}
	panic("no such run")
}

func TestKeysAfterTheFocusedRunExitsDoNotActOnCorral(t *testing.T) {
	m, _, _ := newTestModel(t, 120, 40)
	c := withClock(m)
	press(m, "enter")
	if m.mode != modeFocus {
		t.Fatal("not in focus")
	}
	update(m, exitEvent(m, 1000000))
	if m.mode != modeNormal || !strings.Contains(m.status, "keys paused") {
		t.Fatalf("mode %v status %q after the run exited", m.mode, m.status)
	}
	// ^C, r, k and n typed for the child in the next moment do nothing.
	for _, k := range []string{"ctrl+c", "r", "k", "n", "q"} {
		c.advance(150 * time.Millisecond)
		if cmd := press(m, k); cmd != nil || m.mode != modeNormal {
			t.Fatalf("%s acted on corral %v after the run exited (mode %v)", k, run(cmd), m.mode)
		}
	}
	c.advance(keysPause)
	press(m, "n")
	if m.mode != modeForm {
		t.Fatal("keys still held back after the pause")
	}
}

func TestCtrlCWithNothingAliveAsksBeforeQuitting(t *testing.T) {
	reg := newFakeReg(registry.ProcessInfo{RunID: 1, Command: "true", Status: registry.StatusExited,
		StartedAt: epoch, EndedAt: epoch})
	m := New(reg, newFakeLauncher(), Options{Keys: DefaultKeyMap(), Theme: plainTheme(),
		Now: func() time.Time { return epoch }})
	update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if cmd := press(m, "ctrl+c"); hasMsg[tea.QuitMsg](cmd) || m.mode != modeConfirm {
		t.Fatalf("ctrl+c with nothing alive: mode %v", m.mode)
	}
	if !strings.Contains(screenText(m), "Quit corral?") {
		t.Fatalf("no question:\n%s", screenText(m))
	}
	if cmd := press(m, "ctrl+c"); hasMsg[tea.QuitMsg](cmd) || m.mode != modeNormal {
		t.Fatal("a second ctrl+c did not cancel")
	}
	press(m, "ctrl+c")
	if !hasMsg[tea.QuitMsg](press(m, "y")) {
		t.Fatal("y did not quit")
	}
}

func TestAgeTicksForAQuietRun(t *testing.T) {
	reg := newFakeReg(registry.ProcessInfo{RunID: 1, Command: "sleep 100", Status: registry.StatusRunning,
		StartedAt: epoch, HasHandle: true})
	l := newFakeLauncher()
	l.screens[1] = &fakeScreen{}
	c := &clock{t: epoch}
	m := New(reg, l, Options{Keys: DefaultKeyMap(), Theme: plainTheme(), Now: c.now})
	update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	if m.Init() == nil || !m.ticking || m.tickEvery != ageTick {
		t.Fatalf("no tick for the AGE of a live run (ticking %v every %v)", m.ticking, m.tickEvery)
	}
	if row := lineWith(screenText(m), "sleep 100"); !strings.Contains(row, " 0s ") {
		t.Fatalf("row %q", row)
	}
	for want := 1; want <= 3; want++ {
		c.advance(time.Second)
		cmd := update(m, tickMsg{gen: m.tickGen})
		if row := lineWith(screenText(m), "sleep 100"); !strings.Contains(row, " "+string(rune('0'+want))+"s ") {
			t.Fatalf("after %d s: row %q", want, row)
		}
		if cmd == nil || !m.ticking {
			t.Fatal("the tick was not issued again")
		}
	}
	// A stale tick (replaced by a faster one) does not start a second chain.
	if cmd := update(m, tickMsg{gen: m.tickGen - 1}); cmd != nil {
		t.Fatal("a stale tick started another")
	}
	// Once nothing is alive, the tick stops.
	update(m, exitEvent(m, 1))
	if cmd := update(m, tickMsg{gen: m.tickGen}); cmd != nil || m.ticking {
		t.Fatal("still ticking with nothing alive")
	}
}

func TestPaneSizeIsTheSizeRunsGet(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		m, _, l := newTestModel(t, size[0], size[1])
		w, h := m.paneSize()
		if gw, gh := PaneSize(size[0], size[1], len(m.runs)); gw != w || gh != h {
			t.Fatalf("%v: PaneSize %d×%d, the model gives runs %d×%d", size, gw, gh, w, h)
		}
		// And the first frame does not resize a run started at that size.
		if got := l.screens[1000000].sizes; len(got) > 0 && got[len(got)-1] != [2]int{w, h} {
			t.Fatalf("%v: resized to %v", size, got)
		}
	}
}

// A screen taller than the pane (an ended run keeps the size it ended at;
// the window shrank since) shows its newest rows, as a terminal keeps its
// cursor in sight; a screen whose text is at its top still shows its top.
func TestScreenTallerThanThePaneShowsItsNewestRows(t *testing.T) {
	m, _, l := newTestModel(t, 120, 40)
	scr := l.screens[1000000]
	rows := make([]string, 60)
	for i := range rows {
		rows[i] = fmt.Sprintf("row %d", i+1)
	}
	rows[59] = "" // the cursor's row, after the last line
	scr.text, scr.cursor = strings.Join(rows, "\n"), uv.Cursor{Position: uv.Pos(0, 59)}
	update(m, outputMsg{id: 1000000})
	got := screenText(m)
	if !strings.Contains(got, "row 59") || strings.Contains(got, "row 1\n") || m.layout.paneH >= 60 {
		t.Fatalf("pane of %d rows over a 60-row screen:\n%s", m.layout.paneH, got)
	}
	press(m, "enter") // focus: the cursor is drawn on its row of the pane
	if c := m.View().Cursor; c == nil || c.Y != m.layout.paneY+m.layout.paneH-1 {
		t.Fatalf("cursor %+v, want on the pane's last row %d", c, m.layout.paneY+m.layout.paneH-1)
	}
	press(m, "ctrl+]")

	rows = make([]string, 60)
	rows[0], rows[1] = "top line", "second"
	scr.text, scr.cursor = strings.Join(rows, "\n"), uv.Cursor{Position: uv.Pos(0, 2)}
	update(m, frameMsg{})
	update(m, outputMsg{id: 1000000})
	update(m, frameMsg{})
	if got := screenText(m); !strings.Contains(got, "top line") {
		t.Fatalf("a screen with text at its top lost it:\n%s", got)
	}
}
