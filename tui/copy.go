package tui

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	osc52 "corral/clip"
	"corral/registry"

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
	// Short enough for an 80-column status line (the README says the rest).
	done := fmt.Sprintf("copied %s (%s)", what, byteSize(int64(len(text))))
	if b := m.clip.target.Blocked(); b != "" {
		m.setError(errors.New(done + ", but " + b))
	} else {
		m.setStatus(done + " to the clipboard")
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

// maxSelectKeys bounds the keys a selection keeps while it waits for the
// history; more are dropped.
const maxSelectKeys = 64

// selectRead is a visual-line selection waiting for its run's history,
// which a command reads (a history may hold 8 MB of lines): where the
// lines the snapshot holds meanwhile are in the history, and the keys
// pressed meanwhile, which act when it comes. Only Update reads and writes
// it; its address tells the answer to this selection from that to an
// earlier one.
type selectRead struct {
	first int64             // lines completed before the snapshot's first line
	below int               // lines of the history after the snapshot's last
	keys  []tea.KeyPressMsg // pressed meanwhile, in order
}

// startSelect begins the visual-line selection (KeyMap.Select) in the
// selected run's history, on the last line the pane shows. It holds the
// lines the pane shows, drawn at once, and reads the whole history in a
// command (selectReadCmd); keys but cancel wait for it (selectKey), so
// that they act on the history as they would have at once.
func (m *Model) startSelect() tea.Cmd {
	out := m.paneOutput()
	if out == nil {
		return nil
	}
	h := max(m.layout.paneH, 1)
	var end, held int
	lines, first, total := readHeld(out, func(n int) (int, int) {
		held = n
		end = clampEnd(n-m.scroll, n, h)
		start := max(end-h, 0)
		return start, end - start
	})
	if len(lines) == 0 {
		m.setStatus("no output to select")
		return nil
	}
	req := &selectRead{first: first, below: held - end}
	m.snap = snapshot{on: true, run: m.selected, lines: lines, total: total, end: len(lines),
		selecting: true, anchor: len(lines) - 1, cursor: len(lines) - 1, read: req}
	m.mode = modeSelect
	m.setStatus(hints(" · ", keyHint{keysOf(m.keys.Up, m.keys.Down), "extend"},
		keyHint{keysOf(m.keys.Copy), "copies"}, keyHint{keysOf(m.keys.Cancel), "cancels"}))
	m.refreshPane()
	return selectReadCmd(out, m.selected, req)
}

// readHeld reads the lines of an output that pick chooses, given how many
// it holds (from and n, as Output.Lines takes them), and returns them with
// the number of lines completed before the first (where they are in
// everything the output ever held) and the output's total. It reads again
// when lines arrived in between, a few times at most.
func readHeld(out *registry.Output, pick func(held int) (from, n int)) (lines []string, first, total int64) {
	for range 3 {
		var held int
		var unfinished bool
		total, held, unfinished = out.Total(), out.Len(), out.Unfinished()
		from, n := pick(held)
		lines = out.Lines(from, n)
		complete := held
		if unfinished {
			complete--
		}
		first = total - int64(complete) + int64(from)
		if out.Total() == total && out.Len() == held {
			break
		}
	}
	return lines, first, total
}

// onSelectRead puts the history under the selection that asked for it,
// on the same lines, and lets the keys pressed meanwhile act.
func (m *Model) onSelectRead(msg selectReadMsg) tea.Cmd {
	s := &m.snap
	if m.mode != modeSelect || !s.on || s.read == nil || s.read != msg.req || msg.run != s.run {
		return nil
	}
	if len(msg.lines) == 0 {
		m.endSelect()
		m.setStatus("no output to select")
		return nil
	}
	keys := s.read.keys
	// The lines held are where they were: lines that arrived meanwhile
	// come after them, and the ring may have dropped some before.
	shift := int(s.read.first - msg.first)
	last := len(msg.lines) - 1
	s.lines, s.total, s.read = msg.lines, msg.total, nil
	s.anchor = min(max(s.anchor+shift, 0), last)
	s.cursor = min(max(s.cursor+shift, 0), last)
	s.end = clampEnd(s.end+shift, len(s.lines), max(m.layout.paneH, 1))
	var cmds []tea.Cmd
	for _, k := range keys {
		if m.mode != modeSelect { // a copy ended it
			break
		}
		cmds = append(cmds, m.selectKey(k))
	}
	m.refreshPane()
	return tea.Batch(cmds...)
}

// selectKey handles a key while selecting lines: while the history is
// read, cancel at once, other keys when it comes.
func (m *Model) selectKey(msg tea.KeyPressMsg) tea.Cmd {
	k, s := m.keys, &m.snap
	if s.read != nil && !key.Matches(msg, k.Cancel) {
		if len(s.read.keys) < maxSelectKeys {
			s.read.keys = append(s.read.keys, msg)
		}
		return nil
	}
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
