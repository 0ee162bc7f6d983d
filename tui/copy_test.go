package tui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	osc52 "corral/clip"

	tea "charm.land/bubbletea/v2"
)

// raws runs a command as the program would and returns what it writes to
// the terminal as it is (tea.Raw), feeding every other message back.
func raws(m *Model, cmd tea.Cmd) []string {
	var out []string
	for range 10 {
		var next []tea.Cmd
		for _, msg := range run(cmd) {
			if r, ok := msg.(tea.RawMsg); ok {
				out = append(out, r.Msg.(string))
				continue
			}
			next = append(next, update(m, msg))
		}
		if len(next) == 0 {
			break
		}
		cmd = tea.Batch(next...)
	}
	return out
}

// withTarget makes the model's clipboard target t, counting the questions.
func withTarget(m *Model, t osc52.Target) *int {
	asked := new(int)
	m.clip.detect = func(context.Context) (osc52.Target, error) { *asked++; return t, nil }
	return asked
}

func TestVisualSelectionCopiesWithOSC52(t *testing.T) {
	m, _, _ := newTakeModel(t)
	asked := withTarget(m, osc52.Target{})
	do(m, keyMsg("V"))
	if m.mode != modeSelect {
		t.Fatalf("V: mode %v", m.mode)
	}
	do(m, keyMsg("up"))
	do(m, keyMsg("up"))
	if !strings.Contains(screenText(m), "3 lines selected") {
		t.Fatalf("no selection marker:\n%s", screenText(m))
	}
	if !strings.Contains(m.Render(), m.theme.Selection.Render("line 57: ok"+strings.Repeat(" ", 80-len("line 57: ok")))) {
		t.Fatalf("line 57 is not drawn selected")
	}
	got := raws(m, update(m, keyMsg("y")))
	want, _ := osc52.Sequence("line 57: ok\nline 58: ok\nline 59: ok")
	if len(got) != 1 || got[0] != want {
		t.Fatalf("written %q, want %q", got, want)
	}
	if m.mode != modeNormal || m.snap.on || !strings.Contains(m.status, "copied 3 lines") {
		t.Fatalf("after y: mode %v, snapshot %v, status %q", m.mode, m.snap.on, m.status)
	}
	// The target is asked once.
	do(m, keyMsg("V"))
	raws(m, update(m, keyMsg("y")))
	if *asked != 1 {
		t.Fatalf("the terminal was asked %d times", *asked)
	}
}

func TestEscCancelsTheSelection(t *testing.T) {
	m, _, _ := newTakeModel(t)
	withTarget(m, osc52.Target{})
	do(m, keyMsg("V"))
	if got := raws(m, update(m, keyMsg("esc"))); len(got) != 0 || m.mode != modeNormal || m.snap.on {
		t.Fatalf("esc wrote %q; mode %v", got, m.mode)
	}
}

func TestCopyInTmuxThatBlocksItSaysHow(t *testing.T) {
	m, _, _ := newTakeModel(t)
	withTarget(m, osc52.Target{Tmux: true, SetClipboard: "external"})
	got := raws(m, update(m, keyMsg("Y")))
	want, _ := osc52.Sequence("$ screen of run 1000000\nsecond line")
	if len(got) != 1 || got[0] != want {
		t.Fatalf("Y wrote %q, want %q", got, want)
	}
	if !m.statusErr || !strings.Contains(m.status, "set-clipboard on") {
		t.Fatalf("status %q (error %v)", m.status, m.statusErr)
	}
	// The advice is whole on an 80-column status line.
	if w := len(m.status); w > 80 {
		t.Fatalf("the blocked copy's status takes %d columns: %q", w, m.status)
	}
}

func TestMouseDragCopiesTheRows(t *testing.T) {
	m, _, _ := newTakeModel(t)
	withTarget(m, osc52.Target{Tmux: true, SetClipboard: "on"})
	y := m.layout.paneY
	do(m, tea.MouseClickMsg{Button: tea.MouseLeft, X: 3, Y: y})
	do(m, tea.MouseMotionMsg{Button: tea.MouseLeft, X: 5, Y: y + 1})
	if !strings.Contains(screenText(m), "2 lines selected") {
		t.Fatalf("dragging:\n%s", screenText(m))
	}
	got := raws(m, update(m, tea.MouseReleaseMsg{Button: tea.MouseLeft, X: 5, Y: y + 1}))
	want, _ := osc52.Sequence("$ screen of run 1000000\nsecond line")
	if len(got) != 1 || got[0] != want {
		t.Fatalf("drag wrote %q, want %q", got, want)
	}
	// A click without a move copies nothing, and the table still takes
	// clicks.
	do(m, tea.MouseClickMsg{Button: tea.MouseLeft, X: 3, Y: y})
	if got := raws(m, update(m, tea.MouseReleaseMsg{Button: tea.MouseLeft, X: 3, Y: y})); len(got) != 0 {
		t.Fatalf("a click copied %q", got)
	}
	do(m, tea.MouseClickMsg{Button: tea.MouseLeft, X: 3, Y: m.layout.tableY + 3})
	if m.selected != 1000002 {
		t.Fatalf("a click on the table selected %d", m.selected)
	}
}

func TestCopyTooLargeSuggestsSaving(t *testing.T) {
	m, _, _ := newTakeModel(t)
	withTarget(m, osc52.Target{})
	if got := raws(m, m.copyText(strings.Repeat("x", osc52.MaxText+1), "everything")); len(got) != 0 {
		t.Fatalf("wrote %d sequences", len(got))
	}
	if !m.statusErr || !strings.Contains(m.status, "ctrl+s saves") {
		t.Fatalf("status %q", m.status)
	}
}

func TestSaveWritesTheHistoryAndAsksBeforeReplacing(t *testing.T) {
	m, reg, _ := newTakeModel(t)
	dir := t.TempDir()
	m.cwd = dir
	do(m, ctrl('s'))
	if m.mode != modeSave || !strings.Contains(screenText(m), "save to: claude-1000000.log") {
		t.Fatalf("ctrl+s: mode %v\n%s", m.mode, screenText(m))
	}
	do(m, keyMsg("enter"))
	path := filepath.Join(dir, "claude-1000000.log")
	b, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(b), "line 0: ok\n") || strings.Count(string(b), "\n") != 60 {
		t.Fatalf("saved %q: %v", b, err)
	}
	if !strings.Contains(m.status, "saved run 1000000's 60 lines") || !strings.Contains(m.status, path) {
		t.Fatalf("status %q", m.status)
	}
	// Again: the file is there, so it asks; no keeps it, yes replaces it.
	reg.outputs[1000000].AppendLine("one more")
	do(m, ctrl('s'))
	do(m, keyMsg("enter"))
	if m.mode != modeConfirm || !strings.Contains(m.confirm.question, "exists") {
		t.Fatalf("no question: mode %v, status %q", m.mode, m.status)
	}
	do(m, keyMsg("n"))
	if b2, _ := os.ReadFile(path); string(b2) != string(b) {
		t.Fatal("no replaced the file")
	}
	do(m, ctrl('s'))
	do(m, keyMsg("enter"))
	do(m, keyMsg("y"))
	if b3, _ := os.ReadFile(path); !strings.HasSuffix(string(b3), "one more\n") {
		t.Fatalf("yes did not replace it: %q", b3[len(b3)-20:])
	}
	if !strings.Contains(m.status, "61 lines") {
		t.Fatalf("status %q", m.status)
	}
}

func TestSavePathTyped(t *testing.T) {
	m, _, _ := newTakeModel(t)
	m.cwd = "/src/app"
	home, _ := os.UserHomeDir()
	for in, want := range map[string]string{"out.log": "/src/app/out.log", "/tmp/x.log": "/tmp/x.log",
		"~/x.log": filepath.Join(home, "x.log"), " logs/a.log ": "/src/app/logs/a.log"} {
		if got := m.savePath(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// readForSelect runs the command V returned and gives its one message: the
// history read for the selection.
func readForSelect(t *testing.T, cmd tea.Cmd) selectReadMsg {
	t.Helper()
	var got []selectReadMsg
	for _, msg := range run(cmd) {
		if r, ok := msg.(selectReadMsg); ok {
			got = append(got, r)
		}
	}
	if len(got) != 1 {
		t.Fatalf("V's command brought %d histories, want 1", len(got))
	}
	return got[0]
}

// isSelected reports whether the pane draws a history line selected.
func isSelected(m *Model, line string) bool {
	return strings.Contains(m.Render(), m.theme.Selection.Render(line+strings.Repeat(" ", m.width-len(line))))
}

// V draws the selection at once from the lines the pane shows, and reads
// the history in a command; keys pressed meanwhile act when it comes, on
// the same lines, whatever arrived in between.
func TestVisualSelectionReadsTheHistoryInACommand(t *testing.T) {
	m, reg, _ := newTakeModel(t)
	withTarget(m, osc52.Target{})
	cmd := update(m, keyMsg("V"))
	if cmd == nil || m.mode != modeSelect || m.snap.read == nil {
		t.Fatalf("V: mode %v, command %v, waiting %v", m.mode, cmd != nil, m.snap.read != nil)
	}
	if n := len(m.snap.lines); n != m.layout.paneH || n >= 60 {
		t.Fatalf("V read %d lines in Update; the pane shows %d of 60", n, m.layout.paneH)
	}
	if !isSelected(m, "line 59: ok") || !strings.Contains(screenText(m), "1 line selected") {
		t.Fatalf("V does not draw the selection at once:\n%s", screenText(m))
	}
	// A line arrives before the read; the keys wait for it.
	reg.outputs[1000000].AppendLine("line 60: late")
	if c := press(m, "up", "up"); run(c) != nil || !strings.Contains(screenText(m), "1 line selected") {
		t.Fatalf("the keys acted before the history came:\n%s", screenText(m))
	}
	msg := readForSelect(t, cmd)
	if len(msg.lines) != 61 {
		t.Fatalf("the command read %d lines, want 61", len(msg.lines))
	}
	settle(m, update(m, msg))
	if m.snap.read != nil || len(m.snap.lines) != 61 {
		t.Fatalf("after the read: waiting %v, %d lines", m.snap.read != nil, len(m.snap.lines))
	}
	if !strings.Contains(screenText(m), "3 lines selected") || !isSelected(m, "line 57: ok") || isSelected(m, "line 60: late") {
		t.Fatalf("the waiting keys did not select lines 57 to 59:\n%s", screenText(m))
	}
	// The history is there: the selection goes past the lines held first.
	press(m, "pgup", "pgup")
	got := raws(m, update(m, keyMsg("y")))
	if m.snap.cursor > 59-m.layout.paneH || len(got) != 1 || !strings.Contains(m.status, "copied") {
		t.Fatalf("cursor %d, wrote %d sequences, status %q", m.snap.cursor, len(got), m.status)
	}
}

// A copy pressed while the history is read copies when it comes; a cancel
// acts at once, and the history read for it is dropped.
func TestVisualSelectionWaitingKeys(t *testing.T) {
	m, _, _ := newTakeModel(t)
	withTarget(m, osc52.Target{})
	cmd := update(m, keyMsg("V"))
	press(m, "up", "y")
	got := raws(m, func() tea.Msg { return readForSelect(t, cmd) })
	want, _ := osc52.Sequence("line 58: ok\nline 59: ok")
	if len(got) != 1 || got[0] != want || m.mode != modeNormal || m.snap.on {
		t.Fatalf("wrote %q, want %q; mode %v", got, want, m.mode)
	}

	cmd = update(m, keyMsg("V"))
	press(m, "esc")
	if m.mode != modeNormal || m.snap.on {
		t.Fatalf("esc while reading: mode %v", m.mode)
	}
	late := readForSelect(t, cmd)
	next := update(m, keyMsg("V"))
	held := len(m.snap.lines)
	update(m, late)
	if m.snap.read == nil || len(m.snap.lines) != held {
		t.Fatal("the history read for a cancelled selection was taken by the next")
	}
	settle(m, next)
	if m.snap.read != nil || len(m.snap.lines) != 60 {
		t.Fatalf("the next selection's history: waiting %v, %d lines", m.snap.read != nil, len(m.snap.lines))
	}
}

// Scrolled up, the selection starts on the last line the pane shows, and
// the title says how far up it is, before the history comes and after.
func TestVisualSelectionScrolled(t *testing.T) {
	m, _, _ := newTakeModel(t)
	m.scroll = 10
	m.refreshPane()
	cmd := update(m, keyMsg("V"))
	if !isSelected(m, "line 49: ok") || !strings.Contains(screenText(m), "10 lines up") {
		t.Fatalf("V scrolled up 10 lines:\n%s", screenText(m))
	}
	settle(m, cmd)
	if m.snap.read != nil || !isSelected(m, "line 49: ok") || !strings.Contains(screenText(m), "10 lines up") {
		t.Fatalf("after the read:\n%s", screenText(m))
	}
}
