package tui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	uv "github.com/charmbracelet/ultraviolet"
)

// epoch is the fixed clock of the tests.
var epoch = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// fakeReg is a Registry whose events the tests deliver by hand (its
// channel is closed, so waiting on it returns at once).
type fakeReg struct {
	mu      sync.Mutex
	runs    []registry.ProcessInfo
	outputs map[int64]*registry.Output
	killed  []int64
	dropped []int64
	killAll int
}

func newFakeReg(runs ...registry.ProcessInfo) *fakeReg {
	f := &fakeReg{runs: runs, outputs: map[int64]*registry.Output{}}
	for _, r := range runs {
		f.outputs[r.RunID] = registry.NewOutput(1000, 1024)
	}
	return f
}

func (f *fakeReg) Subscribe() ([]registry.ProcessInfo, <-chan registry.Event, func()) {
	ch := make(chan registry.Event)
	close(ch)
	f.mu.Lock()
	defer f.mu.Unlock()
	snap := append([]registry.ProcessInfo(nil), f.runs...)
	sort.Slice(snap, func(i, j int) bool { return snap[i].RunID < snap[j].RunID })
	return snap, ch, func() {}
}

func (f *fakeReg) KillProcess(_ context.Context, id int64) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.killed = append(f.killed, id)
	return true, nil
}

func (f *fakeReg) KillAll(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.killAll++
	return nil
}

func (f *fakeReg) UnregisterProcess(id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dropped = append(f.dropped, id)
	return nil
}

func (f *fakeReg) CleanupFinishedProcesses() []int64 { return []int64{7} }

func (f *fakeReg) Output(id int64) *registry.Output {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.outputs[id]
}

// fakeScreen records what the interface sends to a run.
type fakeScreen struct {
	mu      sync.Mutex
	text    string
	cursor  uv.Cursor
	keys    []string
	pasted  []string
	sizes   [][2]int
	visible bool // false until SetVisible(true): screens start hidden, as spawn's do
}

func (s *fakeScreen) Cursor() uv.Cursor {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cursor
}

func (s *fakeScreen) Render() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.text
}
func (s *fakeScreen) AltScreen() bool { return false }
func (s *fakeScreen) SetVisible(v bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.visible = v
}
func (s *fakeScreen) SendKey(k uv.KeyPressEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, k.String())
}
func (s *fakeScreen) Paste(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pasted = append(s.pasted, text)
}
func (s *fakeScreen) Resize(cols, rows int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sizes = append(s.sizes, [2]int{cols, rows})
}

// fakeLauncher starts nothing; it records requests and answers with a
// configured error or the next id.
type fakeLauncher struct {
	screens  map[int64]*fakeScreen
	reqs     []Request
	err      error
	next     int64
	adopted  []int
	agents   []Agent
	requests map[int64]Request
	detached []int
	// Stop and Restart record the runs; restartErr is Restart's answer.
	stopped, restarted []int64
	restartErr         error
	// Stop of a run in ended has nothing to stop; of one in pendingRestart,
	// it cancels the restart its policy has pending.
	ended, pendingRestart map[int64]bool
}

func newFakeLauncher() *fakeLauncher {
	return &fakeLauncher{screens: map[int64]*fakeScreen{}, next: 2000, requests: map[int64]Request{},
		agents: []Agent{
			{Name: "shell", Available: true, Description: "your shell"},
			{Name: "claude-run", Available: false, Reason: "claude is not on PATH", NeedsTask: true},
			{Name: "writer", Available: true, NeedsTask: true, DefaultModel: "opus"},
		}}
}

func (l *fakeLauncher) Launch(req Request) (int64, error) {
	l.reqs = append(l.reqs, req)
	if l.err != nil {
		return 0, l.err
	}
	l.next++
	return l.next, nil
}
func (l *fakeLauncher) Request(id int64) (Request, bool) { r, ok := l.requests[id]; return r, ok }
func (l *fakeLauncher) Stop(id int64) error {
	l.stopped = append(l.stopped, id)
	if l.pendingRestart[id] {
		delete(l.pendingRestart, id)
		return nil
	}
	if l.ended[id] {
		return fmt.Errorf("stop run %d: %w", id, ErrNotRunning)
	}
	return nil
}
func (l *fakeLauncher) Restart(id int64) error {
	l.restarted = append(l.restarted, id)
	return l.restartErr
}
func (l *fakeLauncher) Screen(id int64) Screen {
	if s, ok := l.screens[id]; ok {
		return s
	}
	return nil
}
func (l *fakeLauncher) Agents() []Agent                 { return l.agents }
func (l *fakeLauncher) Rendered(int64) *registry.Output { return nil }
func (l *fakeLauncher) Adopt(pid int) (int64, error) {
	if pid == 1 {
		return 0, errors.New("adopt pid 1: not allowed")
	}
	l.adopted = append(l.adopted, pid)
	return 3000, nil
}
func (l *fakeLauncher) Detached() []int { return l.detached }

func (l *fakeLauncher) Candidates() []Candidate {
	return []Candidate{{PID: 4242, Command: "claude --resume", Dir: "/src/app"}}
}

// sampleRuns is a table with one run in each state.
func sampleRuns() []registry.ProcessInfo {
	at := func(min int) time.Time { return epoch.Add(-time.Duration(min) * time.Minute) }
	return []registry.ProcessInfo{
		{RunID: 1000000, Kind: registry.KindClaudeSession, AgentName: "claude", SessionID: "5f1c", PID: 4101,
			StartedAt: at(42), ProjectPath: "/src/app", Model: "opus", Status: registry.StatusRunning, HasHandle: true},
		{RunID: 1000001, Kind: registry.KindAgent, AgentName: "claude-run", PID: 4102, StartedAt: at(3),
			ProjectPath: "/src/app", Task: "fix the flaky test in\nspawn", Model: "sonnet", Status: registry.StatusStopping,
			KillDeadline: epoch.Add(3 * time.Second), HasHandle: true},
		{RunID: 1000002, Kind: registry.KindCommand, Command: "npm run dev", PID: 4103, StartedAt: at(90),
			ProjectPath: "/src/web", Status: registry.StatusExited, EndedAt: at(1), HasHandle: true},
		{RunID: 1000003, Kind: registry.KindCommand, Command: "go test ./...", PID: 4104, StartedAt: at(5),
			ProjectPath: "/src/app", Status: registry.StatusFailed, Exit: registry.Exit{Code: 1}, ExitCode: 1,
			EndedAt: at(4), HasHandle: true},
		{RunID: 1000004, Kind: registry.KindSidecar, AgentName: "codex", Command: "codex", PID: 4105,
			StartedAt: at(600), ProjectPath: "/src/api", Status: registry.StatusKilled,
			Exit: registry.Exit{Code: -1, Signal: 15}, EndedAt: at(2)},
	}
}

func plainTheme() Theme {
	return NewTheme(Palette{Accent: lipgloss.Color("5"), Subtle: lipgloss.Color("8"), Running: lipgloss.Color("2"),
		Exited: lipgloss.Color("7"), Failed: lipgloss.Color("1"), Killed: lipgloss.Color("3"),
		Warn: lipgloss.Color("11"), Text: lipgloss.Color("15"), Attention: lipgloss.Color("9"),
		Working: lipgloss.Color("4"), Idle: lipgloss.Color("6")}, false)
}

// newTestModel returns a model over the sample runs at the given size.
func newTestModel(t *testing.T, w, h int) (*Model, *fakeReg, *fakeLauncher) {
	t.Helper()
	reg := newFakeReg(sampleRuns()...)
	l := newFakeLauncher()
	for _, r := range reg.runs {
		if r.HasHandle {
			l.screens[r.RunID] = &fakeScreen{text: fmt.Sprintf("$ screen of run %d\nsecond line", r.RunID)}
			l.requests[r.RunID] = Request{Command: r.Command}
		}
	}
	m := New(reg, l, Options{Keys: DefaultKeyMap(), Theme: plainTheme(), Now: func() time.Time { return epoch },
		Dir: "/src/app"})
	update(m, tea.WindowSizeMsg{Width: w, Height: h})
	return m, reg, l
}

// update feeds one message and returns the command.
func update(m *Model, msg tea.Msg) tea.Cmd {
	_, cmd := m.Update(msg)
	return cmd
}

// press types keys: "k", "enter", "ctrl+]", or text for each rune.
func press(m *Model, keys ...string) tea.Cmd {
	var cmds []tea.Cmd
	for _, k := range keys {
		cmds = append(cmds, update(m, keyMsg(k)))
	}
	return tea.Batch(cmds...)
}

// namedKeys are the keys tests press by name; anything else is text.
var namedKeys = map[string]tea.KeyPressMsg{
	"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "tab": {Code: tea.KeyTab},
	"up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown}, "left": {Code: tea.KeyLeft}, "right": {Code: tea.KeyRight},
	"pgup": {Code: tea.KeyPgUp}, "end": {Code: tea.KeyEnd}, "backspace": {Code: tea.KeyBackspace},
	"ctrl+]": {Code: ']', Mod: tea.ModCtrl}, "ctrl+c": {Code: 'c', Mod: tea.ModCtrl},
}

func keyMsg(k string) tea.KeyPressMsg {
	if msg, ok := namedKeys[k]; ok {
		return msg
	}
	return tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
}

// typeText presses one key per character.
func typeText(m *Model, s string) {
	for _, r := range s {
		update(m, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// run executes a command as the program would (a frame or countdown tick
// takes its short time) and returns the messages.
func run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, run(c)...)
		}
		return out
	default:
		return []tea.Msg{msg}
	}
}

// feed runs a command and feeds its messages back, once.
func feed(m *Model, cmd tea.Cmd) {
	for _, msg := range run(cmd) {
		if _, ok := msg.(eventsClosedMsg); ok {
			continue
		}
		update(m, msg)
	}
}

// settle feeds a command's messages back, and the commands those return,
// until nothing more comes (bounded: ticks would go on for ever).
func settle(m *Model, cmd tea.Cmd) {
	for range 50 {
		var next []tea.Cmd
		for _, msg := range run(cmd) {
			switch msg.(type) {
			case eventsClosedMsg, tickMsg, frameMsg:
				continue
			}
			next = append(next, update(m, msg))
		}
		if len(next) == 0 {
			return
		}
		cmd = tea.Batch(next...)
	}
}

// screenText is the view without colours.
func screenText(m *Model) string { return stripANSI(m.Render()) }

func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}
