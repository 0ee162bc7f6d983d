package tui

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
)

// fakeHistory is a History over fixed past runs; it counts the calls, so
// that a test can tell they ran in a command and not in Update.
type fakeHistory struct {
	mu        sync.Mutex
	runs      []PastRun
	logs      map[int64][]string
	omitted   map[int64]int64
	pastCalls int
	logCalls  []int64
	forgotten []int64
	err       error
}

func (h *fakeHistory) Past(limit int) ([]PastRun, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pastCalls++
	if h.err != nil {
		return nil, h.err
	}
	out := append([]PastRun(nil), h.runs...)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (h *fakeHistory) Log(id int64, maxBytes int) ([]string, int64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.logCalls = append(h.logCalls, id)
	if maxBytes < 1<<20 {
		return nil, 0, fmt.Errorf("asked for only %d bytes", maxBytes)
	}
	return h.logs[id], h.omitted[id], nil
}

func (h *fakeHistory) Forget(id int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.forgotten = append(h.forgotten, id)
	for i, r := range h.runs {
		if r.ID == id {
			h.runs = append(h.runs[:i:i], h.runs[i+1:]...)
			break
		}
	}
	return nil
}

// samplePast is a history, newest first: a session with a cost, a failed
// command, a run the table still lists (1000002), a killed agent, an
// adopted process whose log was pruned and last year's command.
func samplePast() []PastRun {
	at := func(d time.Duration) time.Time { return epoch.Add(-d) }
	return []PastRun{
		{ID: 1000012, Kind: registry.KindClaudeSession, Agent: "claude", Dir: "/src/app", Model: "opus",
			SessionID: "9a7e51c2-44d0-4f1e-9b1e-0c9a7d3e5f11", StartedAt: at(3 * time.Hour), EndedAt: at(2 * time.Hour),
			Status: "exited", Outcome: "exit 0", CostUSD: 1.234, Tokens: 45210, Turns: 7, Command: "claude --session-id 9a7e",
			Env: "CLAUDE_CONFIG_DIR=/src/app/.claude\x00"},
		{ID: 1000011, Kind: registry.KindCommand, Name: "build", Command: "npm run build", Dir: "/src/web",
			StartedAt: at(26 * time.Hour), EndedAt: at(26*time.Hour - 40*time.Second), Status: "failed", Outcome: "exit 2",
			Env: "NODE_ENV=production\x00CI=1\x00"},
		{ID: 1000002, Kind: registry.KindCommand, Command: "npm run dev", Dir: "/src/web", StartedAt: at(90 * time.Minute),
			Status: "exited", Outcome: "exit 0"},
		{ID: 1000010, Kind: registry.KindAgent, Agent: "claude-run", Task: "write the changelog", Model: "sonnet",
			Dir: "/src/app", StartedAt: time.Date(2026, 10, 1, 9, 30, 0, 0, time.UTC),
			EndedAt: time.Date(2026, 10, 1, 9, 42, 0, 0, time.UTC), Status: "killed", Outcome: "SIGTERM"},
		{ID: 1000009, Kind: registry.KindSidecar, Agent: "codex", Command: "codex", Dir: "/src/api",
			StartedAt: time.Date(2026, 9, 3, 8, 0, 0, 0, time.UTC), Status: "lost", Outcome: "lost", LogPruned: true},
		{ID: 1000008, Kind: registry.KindCommand, Command: "make test", Dir: "/src/app",
			StartedAt: time.Date(2025, 12, 1, 10, 0, 0, 0, time.UTC), EndedAt: time.Date(2025, 12, 1, 10, 3, 0, 0, time.UTC),
			Status: "exited", Outcome: "exit 0"},
	}
}

func newFakeHistory() *fakeHistory {
	return &fakeHistory{runs: samplePast(), logs: map[int64][]string{
		1000011: {"> web@1.0.0 build", "> vite build", "\terror: cannot find module 'left-pad'",
			"a very long line " + strings.Repeat("0123456789", 12) + " END"},
		1000012: {"● Hello", "  world"},
	}, omitted: map[int64]int64{1000011: 2_500_000}}
}

// newHistoryModel is newTestModel with a history and the given options.
func newHistoryModel(t *testing.T, w, h int, opts Options) (*Model, *fakeHistory, *fakeLauncher) {
	t.Helper()
	reg := newFakeReg(sampleRuns()...)
	l := newFakeLauncher()
	for _, r := range reg.runs {
		if r.HasHandle {
			l.screens[r.RunID] = &fakeScreen{text: fmt.Sprintf("$ screen of run %d\nsecond line", r.RunID)}
			l.requests[r.RunID] = Request{Command: r.Command}
		}
	}
	hist := newFakeHistory()
	opts.Keys, opts.Theme, opts.Now, opts.Dir = DefaultKeyMap(), plainTheme(), func() time.Time { return epoch }, "/src/app"
	if opts.History == nil {
		opts.History = hist
	}
	m := New(reg, l, opts)
	update(m, tea.WindowSizeMsg{Width: w, Height: h})
	return m, hist, l
}

// openHistory presses H and answers the history's command.
func openHistory(t *testing.T, m *Model) {
	t.Helper()
	feed(m, press(m, "H"))
	if m.mode != modeHistory || !m.past.loaded {
		t.Fatalf("H: mode %v, loaded %v", m.mode, m.past.loaded)
	}
}

func TestHistoryListsPastRunsNewestFirstButNotTheTables(t *testing.T) {
	m, hist, _ := newHistoryModel(t, 120, 40, Options{})
	cmd := press(m, "H")
	if m.mode != modeHistory || hist.pastCalls != 0 {
		t.Fatalf("H: mode %v, Past called %d times in Update", m.mode, hist.pastCalls)
	}
	if s := screenText(m); !strings.Contains(s, "loading…") {
		t.Fatalf("no loading line before the history answers:\n%s", s)
	}
	feed(m, cmd)
	s := screenText(m)
	var order []int
	for _, id := range []string{"1000012", "1000011", "1000010", "1000009", "1000008"} {
		order = append(order, strings.Index(s, id+" "))
	}
	for i := 1; i < len(order); i++ {
		if order[i-1] < 0 || order[i] <= order[i-1] {
			t.Fatalf("past runs not listed newest first (%v):\n%s", order, s)
		}
	}
	if strings.Contains(s, "1000002") || strings.Contains(s, "npm run dev") {
		t.Fatalf("run 1000002, a row of the table, is listed in the history:\n%s", s)
	}
	row := lineWith(s, "1000012")
	for _, want := range []string{"session", "claude", "exit 0", "09:00", "1h", "$1.23"} {
		if !strings.Contains(row, want) {
			t.Errorf("row %q lacks %q", row, want)
		}
	}
	if row := lineWith(s, "1000011"); !strings.Contains(row, "build") || !strings.Contains(row, "Nov 25 10:00") ||
		!strings.Contains(row, "40s") {
		t.Errorf("row %q", row)
	}
	if row := lineWith(s, "1000008"); !strings.Contains(row, "2025-12-01") {
		t.Errorf("last year's row %q has no date", row)
	}
	if m.past.selected != 1000012 {
		t.Fatalf("selected %d, want the newest", m.past.selected)
	}
	press(m, "down", "down")
	if m.past.selected != 1000010 {
		t.Fatalf("down down: selected %d, want 1000010 (1000002 is not listed)", m.past.selected)
	}
	press(m, "end")
	if m.past.selected != 1000008 {
		t.Fatalf("end: selected %d", m.past.selected)
	}
	press(m, "home")
	if m.past.selected != 1000012 {
		t.Fatalf("home: selected %d", m.past.selected)
	}
}

func TestHistoryErrorGoesToTheStatusLine(t *testing.T) {
	m, hist, _ := newHistoryModel(t, 80, 24, Options{})
	hist.err = errors.New("database is locked")
	feed(m, press(m, "H"))
	if !m.statusErr || !strings.Contains(m.status, "history: database is locked") {
		t.Fatalf("status %q (error %v)", m.status, m.statusErr)
	}
}

func TestHistoryOffSaysSo(t *testing.T) {
	m, _, _ := newTestModel(t, 80, 24)
	if m.keys.History.Enabled() {
		t.Fatal("H enabled without a history")
	}
	if cmd := press(m, "H"); cmd != nil || m.mode != modeNormal || !strings.Contains(m.status, "history is off") {
		t.Fatalf("H without a history: mode %v, status %q", m.mode, m.status)
	}
}

func TestHistoryFilter(t *testing.T) {
	m, _, _ := newHistoryModel(t, 120, 40, Options{})
	openHistory(t, m)
	press(m, "/")
	if m.mode != modeHistoryFilter {
		t.Fatalf("/: mode %v", m.mode)
	}
	typeText(m, "changelog")
	s := screenText(m)
	if !strings.Contains(s, "1000010") || strings.Contains(s, "1000012 ") || m.past.selected != 1000010 {
		t.Fatalf("filter by task: selected %d\n%s", m.past.selected, s)
	}
	press(m, "enter")
	if m.mode != modeHistory || !strings.Contains(screenText(m), "filter: changelog") {
		t.Fatalf("enter did not apply the filter: mode %v", m.mode)
	}
	for _, f := range []string{"/src/api", "lost", "npm run build", "codex"} {
		press(m, "/")
		m.past.filter.SetValue("")
		typeText(m, f)
		press(m, "enter")
		if n := len(m.visiblePast()); n != 1 {
			t.Errorf("filter %q lists %d runs", f, n)
		}
	}
	press(m, "/")
	typeText(m, "zzz")
	if !strings.Contains(screenText(m), "no past run matches the filter") {
		t.Fatalf("no message for an empty result:\n%s", screenText(m))
	}
	press(m, "esc")
	if m.mode != modeHistory || m.past.filter.Value() != "" || len(m.visiblePast()) != 5 {
		t.Fatalf("esc did not clear the filter: %q, %d runs", m.past.filter.Value(), len(m.visiblePast()))
	}
	if m.filter.Value() != "" {
		t.Fatal("the history's filter wrote into the table's")
	}
}

func TestHistoryLogOpensInThePane(t *testing.T) {
	m, hist, _ := newHistoryModel(t, 80, 24, Options{})
	openHistory(t, m)
	press(m, "down") // 1000011
	cmd := press(m, "enter")
	if len(hist.logCalls) != 0 {
		t.Fatal("Log called in Update")
	}
	if !strings.Contains(screenText(m), "loading the log…") {
		t.Fatalf("no loading line:\n%s", screenText(m))
	}
	feed(m, cmd)
	if len(hist.logCalls) != 1 || hist.logCalls[0] != 1000011 {
		t.Fatalf("Log calls %v", hist.logCalls)
	}
	s := screenText(m)
	title := lineWith(s, "── ")
	if !strings.Contains(title, "1000011 build · exit 2 · log") {
		t.Fatalf("pane title %q", title)
	}
	for _, want := range []string{"… 2.5 MB of earlier output left out: corral logs 1000011 shows it all",
		"> vite build", "        error: cannot find module", "a very long line 0123", "89 END"} {
		if !strings.Contains(s, want) {
			t.Errorf("pane lacks %q:\n%s", want, s)
		}
	}
	// The long line is wrapped, not cut: its end is on a line of its own.
	if end := lineWith(s, "89 END"); !strings.HasPrefix(end, "3456789012") {
		t.Errorf("the long line was cut:\n%s", s)
	}
	if !m.keys.PageUp.Enabled() || m.keys.PageDown.Enabled() {
		t.Fatal("page up should scroll the log back, page down not yet")
	}

	// A log longer than the pane scrolls, and home reaches its first line.
	long := make([]string, 100)
	for i := range long {
		long[i] = fmt.Sprintf("log line %d", i)
	}
	hist.logs[1000012] = long
	hist.omitted[1000012] = 812
	press(m, "up")
	if m.past.logRun != 0 {
		t.Fatal("moving the selection kept the other run's log")
	}
	feed(m, press(m, "enter"))
	s = screenText(m)
	if !strings.Contains(s, "log line 99") || strings.Contains(s, "log line 50") {
		t.Fatalf("the log does not open at its end:\n%s", s)
	}
	press(m, "pgup")
	if m.past.scroll == 0 || !strings.Contains(lineWith(screenText(m), "── "), "lines up") {
		t.Fatalf("pgup did not scroll the log: %d", m.past.scroll)
	}
	press(m, "home")
	if s := screenText(m); !strings.Contains(s, "… 812 bytes of earlier output left out") ||
		!strings.Contains(s, "log line 0") {
		t.Fatalf("home did not reach the log's start:\n%s", s)
	}
	press(m, "end")
	if m.past.scroll != 0 {
		t.Fatalf("end: scroll %d", m.past.scroll)
	}
	// esc closes the log first, then the history.
	press(m, "esc")
	if m.mode != modeHistory || m.past.logRun != 0 {
		t.Fatalf("esc with a log: mode %v, log %d", m.mode, m.past.logRun)
	}
	press(m, "esc")
	if m.mode != modeNormal || m.past.open || !strings.Contains(screenText(m), "$ screen of run 1000000") {
		t.Fatalf("esc did not go back to the table:\n%s", screenText(m))
	}
}

func TestHistoryLogPrunedOrEmpty(t *testing.T) {
	m, hist, _ := newHistoryModel(t, 80, 24, Options{})
	openHistory(t, m)
	press(m, "down", "down", "down") // 1000009, pruned
	if cmd := press(m, "enter"); cmd != nil {
		t.Fatal("a pruned log was asked for")
	}
	if !strings.Contains(screenText(m), "log pruned") {
		t.Fatalf("no pruned note:\n%s", screenText(m))
	}
	press(m, "down") // 1000008: nothing recorded
	feed(m, press(m, "enter"))
	if !strings.Contains(screenText(m), "no output recorded") || len(hist.logCalls) != 1 {
		t.Fatalf("no empty note (log calls %v):\n%s", hist.logCalls, screenText(m))
	}
	// An answer for a run the person left is dropped.
	press(m, "up")
	update(m, pastLogMsg{id: 1000008, lines: []string{"late"}})
	if strings.Contains(screenText(m), "late") {
		t.Fatal("a late log answer was shown")
	}
}

// A command that ran as $SHELL -c line is shown as typed, as the table of
// runs shows it, in its row and in the pane; starting it again runs the
// argv that ran.
func TestHistoryShowsACommandAsTyped(t *testing.T) {
	hist := newFakeHistory()
	ran := `/bin/bash -c 'cd /tmp && ls'` // how the launcher writes the argv
	hist.runs = []PastRun{{ID: 1000020, Kind: registry.KindCommand, Command: ran, Dir: "/src/app",
		StartedAt: epoch.Add(-time.Hour), EndedAt: epoch.Add(-time.Minute), Status: "exited", Outcome: "exit 0"}}
	m, _, l := newHistoryModel(t, 120, 40, Options{History: hist})
	openHistory(t, m)
	s := screenText(m)
	if strings.Contains(s, "bash") {
		t.Fatalf("the history shows the shell the line ran in:\n%s", s)
	}
	if row := lineWith(s, "1000020"); !strings.Contains(row, "cd /tmp && ls") {
		t.Errorf("row %q: want the command as typed", row)
	}
	if line := lineWith(s, " command   "); strings.TrimSpace(line) != "command   cd /tmp && ls" {
		t.Errorf("pane line %q: want the command as typed", line)
	}
	feed(m, press(m, "r"))
	if len(l.reqs) != 1 || l.reqs[0].Command != ran {
		t.Fatalf("requests %+v, want the command %q", l.reqs, ran)
	}
}

func TestHistoryRestartStartsTheSameRunAgain(t *testing.T) {
	m, _, l := newHistoryModel(t, 80, 24, Options{})
	openHistory(t, m)
	press(m, "down") // 1000011, a command
	cmd := press(m, "r")
	if len(l.reqs) != 0 {
		t.Fatal("launched in Update")
	}
	feed(m, cmd)
	w, h := m.paneSize()
	// With the variables its project entry gave it.
	want := Request{Command: "npm run build", Dir: "/src/web", Name: "build", Env: "NODE_ENV=production\x00CI=1\x00",
		Cols: w, Rows: h}
	if len(l.reqs) != 1 || !reflect.DeepEqual(l.reqs[0], want) {
		t.Fatalf("requests %+v, want %+v", l.reqs, want)
	}
	if m.mode != modeNormal || m.past.open || m.selected != 2001 ||
		!strings.Contains(m.status, "run 1000011 started again as run 2001") {
		t.Fatalf("after the restart: mode %v, selected %d, status %q", m.mode, m.selected, m.status)
	}

	// An agent run keeps its agent, task and model.
	openHistory(t, m)
	press(m, "down", "down")
	feed(m, press(m, "r"))
	if got := l.reqs[1]; got.Agent != "claude-run" || got.Task != "write the changelog" || got.Model != "sonnet" ||
		got.Dir != "/src/app" || got.Command != "" {
		t.Fatalf("agent request %+v", got)
	}

	// An adopted process was not corral's to start.
	openHistory(t, m)
	press(m, "down", "down", "down")
	if m.keys.Restart.Enabled() {
		t.Fatal("restart enabled on an adopted run")
	}
	if cmd := press(m, "r"); cmd != nil || !strings.Contains(m.status, "was adopted") {
		t.Fatalf("r on an adopted run: status %q", m.status)
	}
	// A failed launch stays in the history with the error.
	l.err = errors.New(`directory "/src/app" does not exist`)
	press(m, "up")
	feed(m, press(m, "r"))
	if m.mode != modeHistory || !m.statusErr || !strings.Contains(m.status, "run 1000010 not started again") {
		t.Fatalf("failed launch: mode %v, status %q", m.mode, m.status)
	}
}

func TestHistoryResumesAClaudeSession(t *testing.T) {
	m, _, l := newHistoryModel(t, 80, 24, Options{})
	openHistory(t, m)
	if !m.keys.Resume.Enabled() {
		t.Fatal("resume disabled on a session")
	}
	feed(m, press(m, "R"))
	w, h := m.paneSize()
	want := Request{Agent: "claude", Dir: "/src/app", Model: "opus", Resume: "9a7e51c2-44d0-4f1e-9b1e-0c9a7d3e5f11",
		Resumes: 1000012, Env: "CLAUDE_CONFIG_DIR=/src/app/.claude\x00", Cols: w, Rows: h}
	if len(l.reqs) != 1 || !reflect.DeepEqual(l.reqs[0], want) {
		t.Fatalf("requests %+v, want %+v", l.reqs, want)
	}
	if m.mode != modeNormal || m.selected != 2001 || !strings.Contains(m.status, "run 2001 resumes run 1000012") {
		t.Fatalf("after R: mode %v, selected %d, status %q", m.mode, m.selected, m.status)
	}
}

func TestHistoryResumeRefusedOnOtherRuns(t *testing.T) {
	m, hist, l := newHistoryModel(t, 80, 24, Options{})
	hist.runs = append(hist.runs, PastRun{ID: 1000007, Kind: registry.KindClaudeSession, Agent: "claude",
		StartedAt: epoch.Add(-400 * 24 * time.Hour), Status: "exited"})
	openHistory(t, m)
	press(m, "down")
	if m.keys.Resume.Enabled() {
		t.Fatal("resume enabled on a command")
	}
	if cmd := press(m, "R"); cmd != nil || !strings.Contains(m.status, "run 1000011 is a command, not a Claude session") {
		t.Fatalf("R on a command: status %q", m.status)
	}
	press(m, "end")
	if cmd := press(m, "R"); cmd != nil || !strings.Contains(m.status, "run 1000007 recorded no session id") {
		t.Fatalf("R on a session without an id: status %q", m.status)
	}
	if len(l.reqs) != 0 || m.mode != modeHistory {
		t.Fatalf("launched %+v", l.reqs)
	}
}

func TestResumeAnEndedSessionOfTheTable(t *testing.T) {
	m, _, l := newHistoryModel(t, 120, 40, Options{})
	if m.keys.Resume.Enabled() {
		t.Fatal("resume enabled on a running session")
	}
	if cmd := press(m, "R"); cmd != nil || !strings.Contains(m.status, "run 1000000 is still running") {
		t.Fatalf("R on a running session: status %q", m.status)
	}
	ended := m.runs[0]
	ended.Status, ended.EndedAt, ended.Exit = registry.StatusExited, epoch, registry.Exit{Code: 0}
	update(m, runEventMsg{ev: registry.Event{Kind: registry.EventExited, RunID: ended.RunID, Info: ended}})
	if !m.keys.Resume.Enabled() {
		t.Fatal("resume disabled on an ended session")
	}
	if l.requests == nil {
		l.requests = map[int64]Request{}
	}
	l.requests[ended.RunID] = Request{Agent: "claude", Env: "TOKEN_DIR=/tmp/t\x00"} // from a project file
	feed(m, press(m, "R"))
	w, h := m.paneSize()
	want := Request{Agent: "claude", Dir: "/src/app", Model: "opus", Resume: "5f1c", Resumes: 1000000,
		Env: "TOKEN_DIR=/tmp/t\x00", Cols: w, Rows: h}
	if len(l.reqs) != 1 || !reflect.DeepEqual(l.reqs[0], want) {
		t.Fatalf("requests %+v, want %+v", l.reqs, want)
	}
	// The new run shows which run it resumes.
	info := registry.ProcessInfo{RunID: 2001, Kind: registry.KindClaudeSession, AgentName: "claude", SessionID: "5f1c",
		PID: 4200, StartedAt: epoch, ProjectPath: "/src/app", Status: registry.StatusRunning, HasHandle: true,
		Command: "claude --resume 5f1c", Resumes: 1000000}
	update(m, runEventMsg{ev: registry.Event{Kind: registry.EventRegistered, RunID: 2001, Info: info}})
	s := screenText(m)
	if row := lineWith(s, "2001 "); !strings.Contains(row, "resumes 1000000") {
		t.Fatalf("row %q does not say what it resumes", row)
	}
	if title := lineWith(s, "── "); !strings.Contains(title, "resumes 1000000") {
		t.Fatalf("pane title %q", title)
	}
	press(m, "down", "down")
	if cmd := press(m, "R"); cmd != nil || !strings.Contains(m.status, "not a Claude session") {
		t.Fatalf("R on an agent run: status %q", m.status)
	}
}

func TestHistoryDeleteAsksFirst(t *testing.T) {
	m, hist, _ := newHistoryModel(t, 80, 24, Options{})
	openHistory(t, m)
	press(m, "down") // 1000011
	press(m, "d")
	if m.mode != modeConfirm || !strings.Contains(screenText(m), "delete run 1000011 and its log from the history? (y/n)") {
		t.Fatalf("no question:\n%s", screenText(m))
	}
	if !strings.Contains(screenText(m), "1000012 ") {
		t.Fatal("the history is not shown behind the question")
	}
	press(m, "n")
	if m.mode != modeHistory || len(hist.forgotten) != 0 || m.status != "cancelled" {
		t.Fatalf("n: mode %v, forgotten %v", m.mode, hist.forgotten)
	}
	cmd := press(m, "d", "y")
	if len(hist.forgotten) != 0 || m.mode != modeHistory {
		t.Fatalf("forgot in Update, or left the history: mode %v", m.mode)
	}
	settle(m, cmd)
	if len(hist.forgotten) != 1 || hist.forgotten[0] != 1000011 || hist.pastCalls != 2 {
		t.Fatalf("forgotten %v, Past called %d times", hist.forgotten, hist.pastCalls)
	}
	if s := screenText(m); strings.Contains(s, "\n1000011 ") || !strings.Contains(s, "deleted run 1000011") {
		t.Fatalf("after delete:\n%s", s)
	}
	if m.past.selected != 1000010 {
		t.Fatalf("selection after delete: %d", m.past.selected)
	}
}

func TestHistoryKeyGoesBackAndHelpShowsWhatWorks(t *testing.T) {
	m, _, _ := newHistoryModel(t, 120, 40, Options{})
	if !m.keys.History.Enabled() || m.keys.Delete.Enabled() {
		t.Fatal("the table: history should be on, delete off")
	}
	press(m, "?")
	if s := screenText(m); !regexp.MustCompile(`H +history`).MatchString(s) || strings.Contains(s, "delete") {
		t.Fatalf("the table's help:\n%s", s)
	}
	press(m, "?")
	openHistory(t, m)
	for _, b := range []struct {
		name string
		on   bool
	}{{"delete", m.keys.Delete.Enabled()}, {"submit", m.keys.Submit.Enabled()}, {"history", m.keys.History.Enabled()},
		{"new", !m.keys.New.Enabled()}, {"kill", !m.keys.Kill.Enabled()}, {"focus", !m.keys.Focus.Enabled()}} {
		if !b.on {
			t.Errorf("in the history, %s is in the wrong state", b.name)
		}
	}
	footer := lineWith(screenText(m), "open log")
	for _, want := range []string{"enter open log", "r run again", "R resume session", "d delete", "esc back"} {
		if !strings.Contains(footer, want) {
			t.Errorf("footer %q lacks %q", footer, want)
		}
	}
	if strings.Contains(footer, "kill") || strings.Contains(footer, "new run") {
		t.Errorf("footer %q offers the table's keys", footer)
	}
	press(m, "?")
	if s := screenText(m); !strings.Contains(s, "back to runs") || !strings.Contains(s, "g first run") {
		t.Fatalf("the history's full help:\n%s", s)
	}
	press(m, "?", "H")
	if m.mode != modeNormal || m.past.open {
		t.Fatalf("H in the history: mode %v", m.mode)
	}
	openHistory(t, m)
	press(m, "q")
	if m.mode != modeNormal || m.quitting {
		t.Fatalf("q in the history: mode %v, quitting %v", m.mode, m.quitting)
	}
}

func TestWarningShowsAtStart(t *testing.T) {
	m, _, _ := newHistoryModel(t, 80, 24, Options{Warning: "history off: /state/corral is not writable"})
	if !m.statusErr || lineWith(screenText(m), "history off: /state/corral is not writable") == "" {
		t.Fatalf("warning not shown: %q\n%s", m.status, screenText(m))
	}
}

func sampleOrphans() []Candidate {
	return []Candidate{{PID: 123, Command: "npm run dev", Dir: "/src/web", Run: 1000005},
		{PID: 456, Command: "claude --session-id 77", Dir: "/src/app", Run: 1000006}}
}

func TestOrphanBannerAdoptsAndGoes(t *testing.T) {
	m, _, l := newHistoryModel(t, 120, 40, Options{Orphans: sampleOrphans()})
	lines := strings.Split(screenText(m), "\n")
	if lines[1] != "2 runs of an earlier corral still run (pid 123 npm, pid 456 claude): a adopts, esc hides" {
		t.Fatalf("banner %q", lines[1])
	}
	if !strings.HasPrefix(lines[2], "ID ") {
		t.Fatalf("the table does not follow the banner: %q", lines[2])
	}
	feed(m, press(m, "a"))
	s := screenText(m)
	iOrphan, iOther := strings.Index(s, "123 "), strings.Index(s, "4242")
	if iOrphan < 0 || iOther < 0 || iOrphan > iOther || !strings.Contains(lineWith(s, "123      npm run dev"),
		"run 1000005 of an earlier corral") {
		t.Fatalf("the adopt list does not offer the orphans first, marked:\n%s", s)
	}
	feed(m, press(m, "enter"))
	if len(l.adopted) != 1 || l.adopted[0] != 123 {
		t.Fatalf("adopted %v", l.adopted)
	}
	if b := strings.Split(screenText(m), "\n")[1]; b != "1 run of an earlier corral still runs (pid 456 claude): a adopts, esc hides" {
		t.Fatalf("banner after one adoption %q", b)
	}
	feed(m, press(m, "a"))
	feed(m, press(m, "enter"))
	if strings.Contains(screenText(m), "earlier corral") {
		t.Fatalf("the banner stayed with none left:\n%s", screenText(m))
	}
}

func TestOrphanBannerHidesOnEscAndFitsTheWidth(t *testing.T) {
	m, _, _ := newHistoryModel(t, 40, 12, Options{Orphans: sampleOrphans()})
	if b := strings.Split(screenText(m), "\n")[1]; b != "2 runs of an earlier corral: a adopts" {
		t.Fatalf("banner at 40 columns %q", b)
	}
	m2, _, _ := newHistoryModel(t, 80, 24, Options{Orphans: sampleOrphans()})
	if b := strings.Split(screenText(m2), "\n")[1]; b != "2 runs of an earlier corral still run (pid 123 npm, …): a adopts, esc hides" {
		t.Fatalf("banner at 80 columns %q", b)
	}
	press(m, "esc")
	if strings.Contains(screenText(m), "earlier corral") || m.keys.Cancel.Enabled() {
		t.Fatalf("esc did not hide the banner:\n%s", screenText(m))
	}
}

// The golden files of the history view: its list, and a log in the pane.
func TestGoldenHistory(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {40, 12}} {
		for _, st := range []struct {
			name string
			keys []string
		}{
			{"list", nil},
			{"log", []string{"down", "enter"}},
			{"confirm-delete", []string{"d"}},
		} {
			t.Run(fmt.Sprintf("%s-%dx%d", st.name, size[0], size[1]), func(t *testing.T) {
				m, _, _ := newHistoryModel(t, size[0], size[1], Options{})
				openHistory(t, m)
				for _, k := range st.keys {
					feed(m, press(m, k))
				}
				golden.RequireEqual(t, screenText(m))
			})
		}
	}
}

func TestGoldenOrphanBanner(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {40, 12}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m, _, _ := newHistoryModel(t, size[0], size[1], Options{Orphans: sampleOrphans()})
			golden.RequireEqual(t, screenText(m))
		})
	}
}

func TestHistoryFollowsAResize(t *testing.T) {
	m, _, _ := newHistoryModel(t, 120, 40, Options{})
	openHistory(t, m)
	press(m, "end") // 1000008, the last row: in sight at 40 rows, not at 12
	update(m, tea.WindowSizeMsg{Width: 40, Height: 12})
	if row := lineWith(screenText(m), "1000008"); !strings.HasPrefix(row, "1000008") {
		t.Fatalf("the selected row went out of sight in the smaller window:\n%s", screenText(m))
	}

	// The open log is wrapped again at the new width.
	m, _, _ = newHistoryModel(t, 120, 40, Options{})
	openHistory(t, m)
	press(m, "down")
	feed(m, press(m, "enter"))
	if start := lineWith(screenText(m), "a very long line"); len(start) != 120 {
		t.Fatalf("at 120 columns the long line starts with %d characters: %q", len(start), start)
	}
	update(m, tea.WindowSizeMsg{Width: 40, Height: 12})
	if start := lineWith(screenText(m), "a very long line"); start != "a very long line 01234567890123456789012" {
		t.Fatalf("the log was not wrapped again at 40 columns: %q\n%s", start, screenText(m))
	}
	press(m, "home")
	if s := screenText(m); !strings.Contains(s, "… 2.5 MB of earlier") {
		t.Fatalf("home after the resize:\n%s", s)
	}
}

// Esc with the help open in the history closes the help and stays there.
func TestEscClosesTheHelpInTheHistory(t *testing.T) {
	m, _, _ := newHistoryModel(t, 80, 24, Options{})
	openHistory(t, m)
	press(m, "?")
	if !m.showHelp {
		t.Fatal("? did not open the help")
	}
	press(m, "esc")
	if m.showHelp || m.mode != modeHistory {
		t.Fatalf("esc: help %v, mode %v", m.showHelp, m.mode)
	}
	press(m, "esc")
	if m.mode != modeNormal {
		t.Fatalf("a second esc: mode %v", m.mode)
	}
}

// pastIDs are the ids of the history view's kept list.
func pastIDs(m *Model) []int64 {
	var ids []int64
	for _, r := range m.past.visible {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestHistoryListIsKeptAndFollowsItsInputs(t *testing.T) {
	m, _, _ := newHistoryModel(t, 120, 40, Options{})
	openHistory(t, m)
	all := []int64{1000012, 1000011, 1000010, 1000009, 1000008} // 1000002 is a row of the table
	if got := pastIDs(m); !reflect.DeepEqual(got, all) {
		t.Fatalf("loaded: %v, want %v", got, all)
	}

	// The view reads the kept list: the past runs changed behind Update's
	// back do not show until an input of the list changes through it.
	runs := m.past.runs
	m.past.runs = nil
	if s := screenText(m); !strings.Contains(s, "1000011") || strings.Contains(s, "no past runs") {
		t.Fatalf("the view computed the list again:\n%s", s)
	}
	m.past.runs = runs

	press(m, "/")
	typeText(m, "npm")
	if got := pastIDs(m); !reflect.DeepEqual(got, []int64{1000011}) {
		t.Fatalf("filter npm: %v", got)
	}
	press(m, "esc")
	press(m, "/")
	update(m, tea.PasteMsg{Content: "make"}) // a paste does not reselect, the list follows it
	if got := pastIDs(m); !reflect.DeepEqual(got, []int64{1000008}) {
		t.Fatalf("pasted make: %v", got)
	}
	press(m, "esc")
	if got := pastIDs(m); !reflect.DeepEqual(got, all) {
		t.Fatalf("filter cleared: %v", got)
	}

	// A run that leaves the table shows in the history; back, it goes.
	var info registry.ProcessInfo
	for _, r := range sampleRuns() {
		if r.RunID == 1000002 {
			info = r
		}
	}
	update(m, runEventMsg{ev: registry.Event{Kind: registry.EventUnregistered, RunID: 1000002, Info: info}})
	want := []int64{1000012, 1000011, 1000002, 1000010, 1000009, 1000008}
	if got := pastIDs(m); !reflect.DeepEqual(got, want) {
		t.Fatalf("1000002 left the table: %v, want %v", got, want)
	}
	if !strings.Contains(screenText(m), "6 past runs") {
		t.Fatalf("the header does not count 1000002:\n%s", screenText(m))
	}
	update(m, runEventMsg{ev: registry.Event{Kind: registry.EventRegistered, RunID: 1000002, Info: info}})
	if got := pastIDs(m); !reflect.DeepEqual(got, all) {
		t.Fatalf("1000002 back in the table: %v", got)
	}
}

func TestHistoryResizeKeepsTheSelectionInViewInUpdate(t *testing.T) {
	m, _, _ := newHistoryModel(t, 120, 40, Options{})
	openHistory(t, m)
	press(m, "end")
	if m.past.selected != 1000008 || m.past.top != 0 {
		t.Fatalf("end: selected %d, top %d", m.past.selected, m.past.top)
	}
	update(m, tea.WindowSizeMsg{Width: 120, Height: 12})
	visible := m.layout.tableH - 1
	if visible >= len(m.past.visible) {
		t.Fatalf("the list still fits: %d rows shown of %d", visible, len(m.past.visible))
	}
	// The selection is the last of the 5 rows: Update scrolled to it.
	if want := len(m.past.visible) - visible; m.past.top != want || m.past.selIndex != 4 {
		t.Fatalf("after the resize: top %d (want %d), selIndex %d", m.past.top, want, m.past.selIndex)
	}
	before := m.past
	s := screenText(m)
	if !strings.Contains(s, "1000008") || strings.Contains(s, "1000012") {
		t.Fatalf("the selection is not in view:\n%s", s)
	}
	if m.past.top != before.top || m.past.selIndex != before.selIndex || m.past.selected != before.selected {
		t.Fatalf("the view changed the model: top %d→%d, selIndex %d→%d", before.top, m.past.top,
			before.selIndex, m.past.selIndex)
	}
}
