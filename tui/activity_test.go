package tui

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// stateRuns is a table of runs in every activity state: agents working,
// asking, idle, failed, commands busy and quiet, an ended run whose last
// state is not shown and an adopted run whose state is unknown.
func stateRuns() []registry.ProcessInfo {
	ago := func(d time.Duration) time.Time { return epoch.Add(-d) }
	live := func(id int64, name, cmd string, kind registry.Kind, a registry.Activity) registry.ProcessInfo {
		return registry.ProcessInfo{RunID: id, Kind: kind, AgentName: name, Command: cmd, PID: int(4000 + id%100),
			StartedAt: ago(time.Hour), ProjectPath: "/src/app", Status: registry.StatusRunning, HasHandle: true,
			Activity: a}
	}
	session := registry.KindClaudeSession
	return []registry.ProcessInfo{
		live(1000000, "claude", "claude", session,
			registry.Activity{State: registry.StateWorking, Since: ago(2 * time.Minute), Detail: "Bash"}),
		live(1000001, "claude", "claude", session, registry.Activity{State: registry.StateNeedsYou,
			Since: ago(12 * time.Second), Detail: "permission: Bash `rm -rf build && make all && make install-everything`"}),
		live(1000002, "claude", "claude", session, registry.Activity{State: registry.StateIdle, Since: ago(4 * time.Minute)}),
		live(1000003, "claude-run", "claude -p", registry.KindAgent,
			registry.Activity{State: registry.StateError, Since: ago(time.Minute), Detail: "authentication_failed"}),
		live(1000004, "", "npm run dev", registry.KindCommand,
			registry.Activity{State: registry.StateQuiet, Since: ago(3 * time.Minute)}),
		live(1000005, "", "go test ./...", registry.KindCommand,
			registry.Activity{State: registry.StateActive, Since: ago(5 * time.Second)}),
		{RunID: 1000006, Kind: registry.KindClaudeSession, AgentName: "claude", PID: 4106, StartedAt: ago(time.Hour),
			Status: registry.StatusExited, EndedAt: ago(time.Minute), HasHandle: true,
			Activity: registry.Activity{State: registry.StateIdle, Since: ago(2 * time.Minute)}},
		{RunID: 1000007, Kind: registry.KindSidecar, AgentName: "codex", PID: 4107, StartedAt: ago(time.Hour),
			Status: registry.StatusRunning},
	}
}

// newStateModel is a model over runs, with options set by opt, whose clock
// the returned clock drives. No tick is started: ticks take a second.
func newStateModel(t *testing.T, w, h int, runs []registry.ProcessInfo, opt func(*Options)) (*Model, *fakeLauncher, *clock) {
	t.Helper()
	reg := newFakeReg(runs...)
	l := newFakeLauncher()
	for _, r := range runs {
		if r.HasHandle {
			l.screens[r.RunID] = &fakeScreen{text: fmt.Sprintf("$ screen of run %d", r.RunID)}
		}
	}
	c := &clock{t: epoch}
	o := Options{Keys: DefaultKeyMap(), Theme: plainTheme(), Now: c.now}
	if opt != nil {
		opt(&o)
	}
	m := New(reg, l, o)
	m.ticking, m.tickEvery = true, stoppingTick // as if a tick were in flight
	update(m, tea.WindowSizeMsg{Width: w, Height: h})
	return m, l, c
}

func TestStateColumnShowsSymbolWordAndTime(t *testing.T) {
	m, _, c := newStateModel(t, 120, 40, stateRuns(), nil)
	s := screenText(m)
	for id, want := range map[int64]string{
		1000000: "● working 2m", 1000001: "▲ needs you 12s", 1000002: "○ idle 4m", 1000003: "✗ error",
		1000004: "· quiet 3m", 1000005: "● active",
	} {
		if row := lineWith(s, fmt.Sprint(id)); !strings.Contains(row, want) {
			t.Errorf("run %d: row %q lacks %q", id, row, want)
		}
	}
	// error and active say nothing of their time.
	for _, id := range []int64{1000003, 1000005} {
		if row := lineWith(s, fmt.Sprint(id)); strings.Contains(row, "error 1m") || strings.Contains(row, "active 5s") {
			t.Errorf("row %q shows a time", row)
		}
	}
	// An ended run shows how it ended, not its last state; an unknown state
	// shows nothing.
	if row := lineWith(s, "1000006"); strings.Contains(row, "idle") || !strings.Contains(row, "exited") {
		t.Errorf("ended row %q", row)
	}
	if row := lineWith(s, "1000007"); strings.ContainsAny(row, "●▲○✗·◌") {
		t.Errorf("unknown state drawn: %q", row)
	}
	if !strings.Contains(lineWith(s, "PID"), "STATE") {
		t.Errorf("no STATE header: %q", lineWith(s, "PID"))
	}

	// The time in the state follows the model's clock.
	c.advance(3 * time.Minute)
	if row := lineWith(screenText(m), "1000000"); !strings.Contains(row, "● working 5m") {
		t.Errorf("after 3 minutes: %q", row)
	}
}

func TestNoStateColumnWithoutStates(t *testing.T) {
	m, _, _ := newTestModel(t, 120, 40)
	if s := screenText(m); strings.Contains(s, "STATE") {
		t.Fatalf("a STATE column with no run in a state:\n%s", s)
	}
}

func TestStateColouredFromTheTheme(t *testing.T) {
	m, _, _ := newStateModel(t, 120, 40, stateRuns(), nil)
	row := lineWith(m.Render(), "1000001")
	want := m.theme.Attention.Render("▲ needs you 12s")
	if !strings.Contains(want, "\x1b[") || !strings.Contains(row, want) {
		t.Fatalf("needs you not in the attention style: %q", row)
	}
}

func TestHeaderCountsLiveRunsByState(t *testing.T) {
	runs := stateRuns()
	runs = append(runs, registry.ProcessInfo{RunID: 1000008, AgentName: "claude", Status: registry.StatusRunning,
		StartedAt: epoch, Activity: registry.Activity{State: registry.StateNeedsYou, Since: epoch}})
	m, _, _ := newStateModel(t, 120, 40, runs, nil)
	header := strings.Split(screenText(m), "\n")[0]
	// The ended idle run is not counted, nor are active and quiet.
	if !strings.Contains(header, "corral  2 need you · 1 working · 1 idle · 1 error │ 8 running · 1 exited") {
		t.Fatalf("header %q", header)
	}
	runs[1].Activity.State = registry.StateWorking
	m, _, _ = newStateModel(t, 120, 40, runs[:3], nil)
	if header := strings.Split(screenText(m), "\n")[0]; !strings.Contains(header, "corral  2 working · 1 idle │ 3 running") {
		t.Fatalf("header %q", header)
	}
}

func TestPaneTitleShowsTheDetailCutToFit(t *testing.T) {
	m, _, _ := newStateModel(t, 120, 40, stateRuns(), nil)
	m.selectRun(1000001)
	title := lineWith(screenText(m), "── 1000001")
	if !strings.Contains(title, "needs you: permission: Bash `rm -rf build && make all && make install-everything`") {
		t.Fatalf("title %q", title)
	}
	// Narrow, in focus: the detail is cut, the focus marker stays.
	update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	press(m, "enter")
	title = lineWith(screenText(m), "── 1000001")
	if !strings.Contains(title, "· needs you: per… ─") ||
		!strings.HasSuffix(title, "TYPING INTO RUN · ctrl+] leaves ") || ansi.StringWidth(title) != 80 {
		t.Fatalf("title %q (%d cells)", title, ansi.StringWidth(title))
	}
	// A detail cannot carry escape sequences to the terminal.
	m.runs[1].Activity.Detail = "question: \x1b]0;pwned\a\x1b[2Jwhich?"
	if got := stateTitle(m.runs[1]); got != "needs you: question: ]0;pwned[2Jwhich?" {
		t.Fatalf("detail not cleaned: %q", got)
	}
}

func TestAttentionKeyCyclesNeedsYouThenIdle(t *testing.T) {
	m, _, _ := newStateModel(t, 120, 40, stateRuns(), nil)
	if m.selected != 1000000 {
		t.Fatalf("selected %d", m.selected)
	}
	// Only one run needs you: tab goes there and stays.
	for range 2 {
		press(m, "tab")
		if m.selected != 1000001 {
			t.Fatalf("tab: selected %d, want the run that needs you", m.selected)
		}
	}
	// With two asking, tab cycles through them in table order.
	info := m.runs[4]
	info.Activity = registry.Activity{State: registry.StateNeedsYou, Since: epoch}
	update(m, runEventMsg{ev: registry.Event{Kind: registry.EventActivity, RunID: info.RunID, Info: info}})
	var got []int64
	for range 3 {
		press(m, "tab")
		got = append(got, m.selected)
	}
	if fmt.Sprint(got) != "[1000004 1000001 1000004]" {
		t.Fatalf("tab went to %v", got)
	}
	// Nobody asks: idle and failed runs, cycling from the selection.
	for _, i := range []int{1, 4} {
		info := m.runs[i]
		info.Activity = registry.Activity{State: registry.StateWorking, Since: epoch}
		update(m, runEventMsg{ev: registry.Event{Kind: registry.EventActivity, RunID: info.RunID, Info: info}})
	}
	got = nil
	for range 3 {
		press(m, "tab")
		got = append(got, m.selected)
	}
	if fmt.Sprint(got) != "[1000002 1000003 1000002]" {
		t.Fatalf("tab went to %v", got)
	}
	if !m.keys.Attention.Enabled() || !strings.Contains(screenText(m), "tab next waiting") {
		t.Fatalf("the help does not offer tab:\n%s", screenText(m))
	}
	// Nothing waits: the key is out of the help and says so.
	m2, _, _ := newStateModel(t, 120, 40, stateRuns()[4:6], nil)
	press(m2, "tab")
	if m2.keys.Attention.Enabled() || m2.selected != 1000004 || !strings.Contains(m2.status, "no run needs you") {
		t.Fatalf("tab with nothing waiting: enabled %v, selected %d, status %q",
			m2.keys.Attention.Enabled(), m2.selected, m2.status)
	}
}

func TestTabInFocusStillGoesToTheRun(t *testing.T) {
	m, l, _ := newStateModel(t, 120, 40, stateRuns(), nil)
	press(m, "enter")
	feed(m, press(m, "tab"))
	if m.selected != 1000000 || m.mode != modeFocus {
		t.Fatalf("tab in focus moved the selection to %d (mode %v)", m.selected, m.mode)
	}
	if keys := l.screens[1000000].keys; len(keys) != 1 || keys[0] != "tab" {
		t.Fatalf("the run got %v", keys)
	}
}

func TestAttentionFirstOrder(t *testing.T) {
	runs := stateRuns()
	runs[5].Activity.State = registry.StateNeedsYou
	m, _, _ := newStateModel(t, 120, 40, runs, func(o *Options) { o.AttentionFirst = true })
	var ids []int64
	for _, r := range m.visibleRuns() {
		ids = append(ids, r.RunID)
	}
	want := "[1000001 1000005 1000002 1000003 1000000 1000004 1000006 1000007]"
	if fmt.Sprint(ids) != want {
		t.Fatalf("order %v, want %s", ids, want)
	}
	if m.selected != 1000001 {
		t.Fatalf("selected %d: the first row is selected at start", m.selected)
	}
	// The table draws that order.
	s := screenText(m)
	if strings.Index(s, "1000005") > strings.Index(s, "1000002") || strings.Index(s, "1000002") > strings.Index(s, "1000000") {
		t.Fatalf("table not in attention order:\n%s", s)
	}
	// Without the option, the order is by id.
	m, _, _ = newStateModel(t, 120, 40, runs, nil)
	if r := m.visibleRuns(); r[0].RunID != 1000000 || r[1].RunID != 1000001 {
		t.Fatalf("by id: %d %d", r[0].RunID, r[1].RunID)
	}
}

func TestFilterMatchesTheState(t *testing.T) {
	m, _, _ := newStateModel(t, 120, 40, stateRuns(), nil)
	press(m, "/")
	typeText(m, "needs you")
	if rows := m.visibleRuns(); len(rows) != 1 || rows[0].RunID != 1000001 {
		t.Fatalf("filter on the state: %v", rows)
	}
}

// activity delivers a state change of run id as the registry would.
func activity(m *Model, id int64, s registry.State, detail string) tea.Cmd {
	for _, r := range m.runs {
		if r.RunID == id {
			r.Activity = registry.Activity{State: s, Since: m.now(), Detail: detail}
			return update(m, runEventMsg{ev: registry.Event{Kind: registry.EventActivity, RunID: id, Info: r}})
		}
	}
	panic("no run")
}

// raw is what the commands write to the terminal (tea.Raw).
func raw(cmd tea.Cmd) string {
	var b strings.Builder
	for _, msg := range run(cmd) {
		if r, ok := msg.(tea.RawMsg); ok {
			fmt.Fprint(&b, r.Msg)
		}
	}
	return b.String()
}

func TestNotifications(t *testing.T) {
	const bash = "permission: Bash `ls`"
	osc9 := "\a\x1b]9;corral: claude (run 1000002) needs you: permission: Bash `ls`\a"
	for _, tt := range []struct {
		name string
		opt  func(*Options)
		do   func(m *Model, c *clock) tea.Cmd
		want string
	}{
		{"another run needs you", nil, func(m *Model, _ *clock) tea.Cmd {
			return activity(m, 1000002, registry.StateNeedsYou, bash)
		}, osc9},
		{"the run shown, terminal focused", nil, func(m *Model, _ *clock) tea.Cmd {
			return activity(m, 1000000, registry.StateNeedsYou, bash)
		}, ""},
		{"the run shown, terminal blurred", nil, func(m *Model, _ *clock) tea.Cmd {
			update(m, tea.BlurMsg{})
			return activity(m, 1000000, registry.StateNeedsYou, "")
		}, "\a\x1b]9;corral: claude (run 1000000) needs you\a"},
		{"focus back", nil, func(m *Model, _ *clock) tea.Cmd {
			update(m, tea.BlurMsg{})
			update(m, tea.FocusMsg{})
			return activity(m, 1000000, registry.StateNeedsYou, "")
		}, ""},
		{"the form hides the pane", nil, func(m *Model, _ *clock) tea.Cmd {
			press(m, "n")
			return activity(m, 1000000, registry.StateIdle, "")
		}, "\a\x1b]9;corral: claude (run 1000000) idle\a"},
		{"a turn ends", nil, func(m *Model, _ *clock) tea.Cmd {
			return activity(m, 1000002, registry.StateIdle, "") // it was working
		}, "\a\x1b]9;corral: claude (run 1000002) idle\a"},
		{"a turn fails", nil, func(m *Model, _ *clock) tea.Cmd {
			return activity(m, 1000002, registry.StateError, "authentication_failed")
		}, "\a\x1b]9;corral: claude (run 1000002) error: authentication_failed\a"},
		{"idle at the first prompt", nil, func(m *Model, _ *clock) tea.Cmd {
			activity(m, 1000002, registry.StateStarting, "")
			return activity(m, 1000002, registry.StateIdle, "")
		}, ""},
		{"a detail changes, the state not", nil, func(m *Model, _ *clock) tea.Cmd {
			activity(m, 1000003, registry.StateNeedsYou, "question: a")
			return activity(m, 1000003, registry.StateNeedsYou, "question: b")
		}, ""},
		{"once per run and state in 30 s", nil, func(m *Model, c *clock) tea.Cmd {
			first := raw(activity(m, 1000002, registry.StateNeedsYou, bash))
			c.advance(5 * time.Second)
			activity(m, 1000002, registry.StateWorking, "Bash")
			c.advance(24 * time.Second)
			if again := raw(activity(m, 1000002, registry.StateNeedsYou, bash)); first != osc9 || again != "" {
				panic(fmt.Sprintf("first %q, again within 30 s %q", first, again))
			}
			activity(m, 1000002, registry.StateWorking, "Bash")
			c.advance(time.Second)
			return activity(m, 1000002, registry.StateNeedsYou, bash)
		}, osc9},
		{"a question right after a turn's end is told", nil, func(m *Model, c *clock) tea.Cmd {
			if idle := raw(activity(m, 1000002, registry.StateIdle, "")); idle == "" {
				panic("the turn's end was not told")
			}
			activity(m, 1000002, registry.StateWorking, "thinking")
			c.advance(9 * time.Second)
			return activity(m, 1000002, registry.StateNeedsYou, bash)
		}, osc9},
		{"another run is not limited by the first", nil, func(m *Model, _ *clock) tea.Cmd {
			activity(m, 1000002, registry.StateNeedsYou, bash)
			return activity(m, 1000003, registry.StateNeedsYou, "")
		}, "\a\x1b]9;corral: claude-run (run 1000003) needs you\a"},
		{"off", func(o *Options) { o.Notify = NotifyOff }, func(m *Model, _ *clock) tea.Cmd {
			return activity(m, 1000002, registry.StateNeedsYou, bash)
		}, ""},
		{"bell", func(o *Options) { o.Notify = NotifyBell }, func(m *Model, _ *clock) tea.Cmd {
			return activity(m, 1000002, registry.StateNeedsYou, bash)
		}, "\a"},
		{"bell in tmux is not wrapped", func(o *Options) { o.Notify, o.InTmux = NotifyBell, true },
			func(m *Model, _ *clock) tea.Cmd { return activity(m, 1000002, registry.StateNeedsYou, bash) }, "\a"},
		{"tmux passthrough", func(o *Options) { o.InTmux = true }, func(m *Model, _ *clock) tea.Cmd {
			return activity(m, 1000002, registry.StateNeedsYou, bash)
		}, "\a\x1bPtmux;\x1b\x1b]9;corral: claude (run 1000002) needs you: permission: Bash `ls`\a\x1b\\"},
		{"OSC 777 for foot", func(o *Options) { o.TermProgram = "foot" }, func(m *Model, _ *clock) tea.Cmd {
			return activity(m, 1000002, registry.StateNeedsYou, "permission: Bash `a; b`")
		}, "\a\x1b]777;notify;corral: claude (run 1000002);needs you: permission: Bash `a, b`\a"},
		{"OSC 777 in tmux", func(o *Options) { o.TermProgram, o.InTmux = "urxvt", true }, func(m *Model, _ *clock) tea.Cmd {
			return activity(m, 1000002, registry.StateIdle, "")
		}, "\a\x1bPtmux;\x1b\x1b]777;notify;corral: claude (run 1000002);idle\a\x1b\\"},
		{"no escape from a detail", nil, func(m *Model, _ *clock) tea.Cmd {
			return activity(m, 1000002, registry.StateNeedsYou, "question: \x1b]52;c;aGk=\a\x9b2J?")
		}, "\a\x1b]9;corral: claude (run 1000002) needs you: question: ]52;c;aGk=2J?\a"},
		{"an ended run", nil, func(m *Model, _ *clock) tea.Cmd {
			return activity(m, 1000006, registry.StateNeedsYou, "")
		}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			runs := stateRuns()
			runs[2].Activity.State = registry.StateWorking
			m, _, c := newStateModel(t, 120, 40, runs, tt.opt)
			if got := raw(tt.do(m, c)); got != tt.want {
				t.Fatalf("wrote %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFocusReportingIsOn(t *testing.T) {
	m, _, _ := newStateModel(t, 80, 24, stateRuns(), nil)
	if !m.View().ReportFocus {
		t.Fatal("the view does not ask for focus reports")
	}
}

func TestNotifyCommandRunsWithoutAShell(t *testing.T) {
	dir := t.TempDir()
	var logged bytes.Buffer
	m, _, _ := newStateModel(t, 120, 40, stateRuns(), func(o *Options) {
		o.Notify = NotifyOff // the command runs anyway
		o.NotifyCommand = func(name, state, detail string) []string {
			return []string{"touch", filepath.Join(dir, name+"|"+state+"|"+detail)}
		}
		o.Logger = slog.New(slog.NewTextHandler(&logged, nil))
	})
	cmd := activity(m, 1000002, registry.StateNeedsYou, "question: $(touch pwned); `x`")
	if _, err := os.Stat(filepath.Join(dir, "claude|needs you|question: $(touch pwned); `x`")); err == nil {
		t.Fatal("the command ran in Update")
	}
	if raw(cmd) != "" {
		t.Fatal("notify off wrote to the terminal")
	}
	if _, err := os.Stat(filepath.Join(dir, "claude|needs you|question: $(touch pwned); `x`")); err != nil {
		t.Fatalf("the command did not run with its words: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("%d files: a shell expanded the detail?", len(entries))
	}

	// A command that hangs is killed after the timeout, and logged.
	m.notifyCommand = func(string, string, string) []string { return []string{"sleep", "7346"} }
	m.notifyTimeout = 200 * time.Millisecond
	start := time.Now()
	run(activity(m, 1000003, registry.StateNeedsYou, ""))
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the hung command held its command for %v", d)
	}
	if !strings.Contains(logged.String(), "notify command") || !strings.Contains(logged.String(), "run=1000003") {
		t.Fatalf("log: %q", logged.String())
	}
}

func TestTerminalName(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
		osc  oscKind
	}{
		{map[string]string{"TERM_PROGRAM": "iTerm.app"}, "iTerm.app", osc9},
		{map[string]string{"TERM_PROGRAM": "WezTerm"}, "WezTerm", osc9},
		{map[string]string{"TERM_PROGRAM": "ghostty", "TERM": "xterm-ghostty"}, "ghostty", osc9},
		{map[string]string{"TERM": "xterm-kitty", "KITTY_WINDOW_ID": "1"}, "kitty", osc9},
		{map[string]string{"TERM": "foot"}, "foot", osc777},
		{map[string]string{"TERM": "rxvt-unicode-256color"}, "urxvt", osc777},
		{map[string]string{"TERM": "xterm-256color", "VTE_VERSION": "7600"}, "vte", osc777},
		// Inside tmux: what the server inherited, else nothing known.
		{map[string]string{"TERM_PROGRAM": "tmux", "TERM": "tmux-256color", "GHOSTTY_RESOURCES_DIR": "/x"}, "ghostty", osc9},
		{map[string]string{"TERM_PROGRAM": "tmux", "TERM": "tmux-256color"}, "", osc9},
		{map[string]string{"TERM": "xterm"}, "", osc9},
	} {
		got := TerminalName(func(k string) string { return tt.env[k] })
		if got != tt.want || oscFor(got) != tt.osc {
			t.Errorf("%v: %q (osc %d), want %q (osc %d)", tt.env, got, oscFor(got), tt.want, tt.osc)
		}
	}
}

// The golden files of the table with agent states: the STATE column, the
// header's counts, the detail in the pane title; tab selected the run that
// needs you.
func TestGoldenStates(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m, _, _ := newStateModel(t, size[0], size[1], stateRuns(), nil)
			press(m, "tab")
			golden.RequireEqual(t, screenText(m))
		})
	}
}

// The STATE column is as wide as the widest state of the kinds of run in
// the table, so that it keeps its width as states come and go.
func TestStateColumnWidthHoldsEveryStateOfItsKind(t *testing.T) {
	runs := stateRuns()
	for _, tt := range []struct {
		name string
		runs []registry.ProcessInfo
		want int
	}{
		{"an agent working", runs[:1], len("▲ needs you 59m") - 2}, // ▲ is one cell, three bytes
		{"commands only", runs[4:6], len("· quiet 59m") - 1},
		{"no state", runs[6:], 0},
	} {
		m, _, _ := newStateModel(t, 120, 40, tt.runs, nil)
		if got := m.stateColumnWidth(); got != tt.want {
			t.Errorf("%s: width %d, want %d", tt.name, got, tt.want)
		}
	}
}
