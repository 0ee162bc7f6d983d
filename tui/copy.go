package tui

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	osc52 "corral/clip"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// clipboard is what the model knows of the clipboard of the terminal it
// runs in: where copies go (asked once, on the first copy).
type clipboard struct {
	target osc52.Target
	known  bool
	// detect asks the terminal; clip.Detect unless a test sets it.
	detect func(context.Context) (osc52.Target, error)
}

// detectTimeout bounds the question to tmux.
const detectTimeout = 2 * time.Second

// clipReadyMsg brings the clipboard's target, asked for a copy, and the
// copy.
type clipReadyMsg struct {
	target osc52.Target
	err    error
	text   string
	what   string // "3 lines", for the status line
}

// copyText copies text to the clipboard with OSC 52: at once when the
// target is known, else after asking for it in a command.
func (m *Model) copyText(text, what string) tea.Cmd {
	if m.clip.known {
		return m.writeClip(text, what)
	}
	detect := m.clip.detect
	if detect == nil {
		detect = osc52.Detect
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), detectTimeout)
		defer cancel()
		t, err := detect(ctx)
		return clipReadyMsg{target: t, err: err, text: text, what: what}
	}
}

func (m *Model) onClipReady(msg clipReadyMsg) tea.Cmd {
	if !m.clip.known {
		m.clip.target, m.clip.known = msg.target, true
		if msg.err != nil {
			// The sequence is written both ways then (Target.Copy).
			m.log.Warn("clipboard", "err", msg.err)
		}
	}
	return m.writeClip(msg.text, msg.what)
}

// writeClip returns the command that writes the sequence to corral's
// terminal, as notifications are (tea.Raw), and says what was copied, or
// why it cannot reach the clipboard.
func (m *Model) writeClip(text, what string) tea.Cmd {
	seq, err := m.clip.target.Copy(text)
	if err != nil {
		if errors.Is(err, osc52.ErrTooLarge) {
			if h := hint(m.keys.Save); h != "" {
				err = fmt.Errorf("%w: %s saves the whole output to a file", err, h)
			}
		}
		m.setError(fmt.Errorf("copy %s: %w", what, err))
		return nil
	}
	done := fmt.Sprintf("copied %s (%s) to the clipboard", what, byteSize(int64(len(text))))
	if b := m.clip.target.Blocked(); b != "" {
		m.setError(errors.New(done + ", but " + b))
	} else {
		m.setStatus(done)
	}
	return tea.Raw(seq)
}

// copyScreen copies what the pane shows of the selected run (its screen,
// or the history lines scrolled to), without colours.
func (m *Model) copyScreen() tea.Cmd {
	if len(m.pane) == 0 {
		m.setStatus("nothing on the screen to copy")
		return nil
	}
	rows := make([]string, len(m.pane))
	for i, s := range m.pane {
		rows[i] = strings.TrimRight(ansi.Strip(s), " ")
	}
	for len(rows) > 0 && rows[len(rows)-1] == "" {
		rows = rows[:len(rows)-1]
	}
	return m.copyText(strings.Join(rows, "\n"), fmt.Sprintf("the screen of run %d", m.selected))
}

// startSelect begins the visual-line selection (KeyMap.Select) in the
// selected run's history, on the last line the pane shows.
func (m *Model) startSelect() {
	out := m.paneOutput()
	if out == nil {
		return
	}
	lines, total := readOutput(out)
	if len(lines) == 0 {
		m.setStatus("no output to select")
		return
	}
	h := max(m.layout.paneH, 1)
	end := clampEnd(len(lines)-m.scroll, len(lines), h)
	m.snap = snapshot{on: true, run: m.selected, lines: lines, total: total, end: end,
		selecting: true, anchor: end - 1, cursor: end - 1}
	m.mode = modeSelect
	m.setStatus(hints(" · ", keyHint{keysOf(m.keys.Up, m.keys.Down), "extend"},
		keyHint{keysOf(m.keys.Copy), "copies"}, keyHint{keysOf(m.keys.Cancel), "cancels"}))
	m.refreshPane()
}

// selectKey handles a key while selecting lines.
func (m *Model) selectKey(msg tea.KeyPressMsg) tea.Cmd {
	k, s := m.keys, &m.snap
	h := max(m.layout.paneH, 1)
	move := 0
	switch {
	case key.Matches(msg, k.Cancel):
		m.endSelect()
		m.setStatus("")
		return nil
	case key.Matches(msg, k.Copy):
		cmd := m.copySelection()
		m.endSelect()
		return cmd
	case key.Matches(msg, k.Up):
		move = -1
	case key.Matches(msg, k.Down):
		move = 1
	case key.Matches(msg, k.PageUp):
		move = -max(h-1, 1)
	case key.Matches(msg, k.PageDown):
		move = max(h-1, 1)
	case key.Matches(msg, k.Top):
		move = -math.MaxInt32
	case key.Matches(msg, k.Bottom):
		move = math.MaxInt32
	}
	if move != 0 {
		s.cursor = min(max(s.cursor+move, 0), len(s.lines)-1)
		m.showCursor()
		m.refreshPane()
	}
	return nil
}

// showCursor scrolls the snapshot so that the selection's moving end shows.
func (m *Model) showCursor() {
	s := &m.snap
	h := max(m.layout.paneH, 1)
	switch {
	case s.cursor < s.end-h:
		s.end = s.cursor + h
	case s.cursor >= s.end:
		s.end = s.cursor + 1
	}
	s.end = clampEnd(s.end, len(s.lines), h)
}

// selectedText is the text of the selected lines: history lines as they
// are, screen rows without colours or trailing blanks.
func (m *Model) selectedText() (string, int) {
	s := &m.snap
	a, b := min(s.anchor, s.cursor), max(s.anchor, s.cursor)
	lines := make([]string, 0, b-a+1)
	for _, l := range s.lines[a : b+1] {
		if s.screen {
			l = strings.TrimRight(ansi.Strip(l), " ")
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n"), len(lines)
}

func (m *Model) copySelection() tea.Cmd {
	text, n := m.selectedText()
	return m.copyText(text, fmt.Sprintf("%d line%s", n, noun(n, "", "s")))
}

// endSelect drops the selection and the snapshot: the pane shows what it
// showed before.
func (m *Model) endSelect() {
	m.snap = snapshot{}
	if m.mode == modeSelect {
		m.mode = modeNormal
	}
	m.refreshPane()
}

// dragStart begins a selection with the mouse: a press of the left button
// on a row of the pane holds the rows the pane shows (of the live screen,
// or of the history scrolled to), which the drag selects. It reports
// whether the press was on the pane.
func (m *Model) dragStart(msg tea.MouseClickMsg) bool {
	mouse := msg.Mouse()
	l := m.layout
	if m.mode != modeNormal || m.past.open || mouse.Button != tea.MouseLeft || l.paneH <= 0 ||
		mouse.Y < l.paneY || mouse.Y >= l.paneY+l.paneH {
		return false
	}
	row := mouse.Y - l.paneY
	if row >= len(m.pane) {
		return true
	}
	// The rows as they show: the live screen's, or the history's (its
	// long lines wrapped).
	s := snapshot{lines: append([]string(nil), m.pane...), screen: true, end: len(m.pane)}
	start := max(s.end-l.paneH, 0)
	s.on, s.run, s.selecting, s.drag = true, m.selected, true, true
	s.anchor = min(start+row, len(s.lines)-1)
	s.cursor = s.anchor
	m.snap = s
	m.refreshPane()
	return true
}

// onDrag extends the mouse's selection over the rows held, and copies it
// when the button is released: a press without a move copies nothing.
func (m *Model) onDrag(msg tea.Msg) tea.Cmd {
	s := &m.snap
	if !s.on || !s.drag {
		return nil
	}
	var y int
	release := false
	switch msg := msg.(type) {
	case tea.MouseMotionMsg:
		y = msg.Mouse().Y
	case tea.MouseReleaseMsg:
		y, release = msg.Mouse().Y, true
	}
	l := m.layout
	h := max(l.paneH, 1)
	row := y - l.paneY
	switch {
	case row < 0 && !s.screen:
		s.end = clampEnd(s.end-1, len(s.lines), h)
		row = 0
	case row >= h && !s.screen:
		s.end = clampEnd(s.end+1, len(s.lines), h)
	}
	start := max(s.end-h, 0)
	cursor := min(max(start+row, start), s.end-1)
	if cursor != s.cursor {
		s.cursor, s.moved = cursor, true
	}
	if !release {
		m.refreshPane()
		return nil
	}
	s.drag = false
	var cmd tea.Cmd
	if s.moved {
		cmd = m.copySelection()
	}
	m.endSelect()
	return cmd
}
