package tui

import (
	"fmt"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// The diff view: the diff key (d) shows, in the pane, the change of the
// selected run's worktree against its base as git colours it, wrapped to
// the pane's width; the scroll keys move in it, the file keys ([ and ])
// go from file to file, and the diff key or cancel goes back to the run.

// diffView is the diff in the pane: its lines made safe to draw, wrapped
// into rows at width, and where each file starts.
type diffView struct {
	run    int64
	gen    int // the diff or wrapping asked for last; older answers are dropped
	loaded bool
	err    string
	lines  []string // the diff's lines, only colours kept
	rows   []string // lines wrapped at width
	starts []int    // the row of each file's "diff --git" line
	files  []string // each file's name
	width  int
	top    int // first row shown
}

// Messages of the diff view.
type (
	diffLoadedMsg struct {
		run     int64
		gen     int
		lines   []string
		wrapped wrappedDiff
		err     error
	}
	diffWrappedMsg struct {
		gen     int
		wrapped wrappedDiff
	}
)

// wrappedDiff is a diff wrapped at a width.
type wrappedDiff struct {
	width  int
	rows   []string
	starts []int
	files  []string
}

// diffCmd reads the diff of a run's worktree; Diff measures it again
// from the same git pass, so that the row agrees with what the pane shows.
func diffCmd(ws Workspaces, id int64, gen int, width int) tea.Cmd {
	return func() tea.Msg {
		d, err := ws.Diff(id)
		if err != nil {
			return diffLoadedMsg{run: id, gen: gen, err: err}
		}
		lines := diffLines(d)
		return diffLoadedMsg{run: id, gen: gen, lines: lines, wrapped: wrapDiff(lines, width)}
	}
}

func rewrapCmd(lines []string, gen int, width int) tea.Cmd {
	return func() tea.Msg { return diffWrappedMsg{gen: gen, wrapped: wrapDiff(lines, width)} }
}

// diffLines splits git's output into lines that draw as they read: tabs
// expanded, colours (SGR) kept, every other escape sequence and control
// character dropped — a file's content may hold any bytes.
func diffLines(d string) []string {
	d = strings.TrimSuffix(d, "\n")
	if d == "" {
		return nil
	}
	lines := strings.Split(d, "\n")
	for i, l := range lines {
		lines[i] = safeColoured(l)
	}
	return lines
}

// safeColoured keeps the text and SGR sequences of a line, expanding tabs
// (widths count printed cells only) and dropping every other escape
// sequence whole (OSC to its BEL or ST, CSI to its final byte) and every
// other control character.
func safeColoured(s string) string {
	var b strings.Builder
	col := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b:
			if n := sgrLen(s[i:]); n > 0 {
				b.WriteString(s[i : i+n])
			}
			i += escLen(s[i:])
		case c == '\t':
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
			i++
		case c < 0x20 || c == 0x7f:
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r >= 0x80 && r < 0xa0 { // C1 controls
				i += size
				continue
			}
			b.WriteString(s[i : i+size])
			col += ansi.StringWidth(s[i : i+size])
			i += size
		}
	}
	return b.String()
}

// escLen is the length of the escape sequence s starts with: CSI to its
// final byte, OSC, DCS, SOS, PM and APC to BEL or ST (or the line's end),
// else ESC and one byte.
func escLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		for j := 2; j < len(s); j++ {
			if s[j] >= 0x40 && s[j] <= 0x7e {
				return j + 1
			}
		}
		return len(s)
	case ']', 'P', 'X', '^', '_':
		for j := 2; j < len(s); j++ {
			if s[j] == 0x07 {
				return j + 1
			}
			if s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\' {
				return j + 2
			}
		}
		return len(s)
	}
	return 2
}

// sgrLen is the length of the SGR sequence s starts with (ESC [ digits,
// ; and : then m), or 0.
func sgrLen(s string) int {
	if len(s) < 3 || s[1] != '[' {
		return 0
	}
	for j := 2; j < len(s); j++ {
		switch c := s[j]; {
		case c >= '0' && c <= '9' || c == ';' || c == ':':
		case c == 'm':
			return j + 1
		default:
			return 0
		}
	}
	return 0
}

// wrapDiff wraps diff lines into rows of width cells, each row opening the
// colour its line had where it was cut, and finds where the files start.
func wrapDiff(lines []string, width int) wrappedDiff {
	w := wrappedDiff{width: width}
	for _, l := range lines {
		plain := ansi.Strip(l)
		if strings.HasPrefix(plain, "diff --git ") {
			w.starts = append(w.starts, len(w.rows))
			w.files = append(w.files, diffFileName(plain))
		}
		if width < 1 || ansi.StringWidth(l) <= width {
			w.rows = append(w.rows, l)
			continue
		}
		sgr := ""
		for _, row := range strings.Split(ansi.Hardwrap(l, width, true), "\n") {
			w.rows = append(w.rows, sgr+row)
			if last := lastSGR(row); last != "" {
				sgr = last
			}
			if sgr == "\x1b[m" || sgr == "\x1b[0m" {
				sgr = ""
			}
		}
	}
	return w
}

// lastSGR is the last SGR sequence of s, or "".
func lastSGR(s string) string {
	last := ""
	for i := strings.IndexByte(s, 0x1b); i >= 0 && i < len(s); {
		if n := sgrLen(s[i:]); n > 0 {
			last = s[i : i+n]
			i += n
		} else {
			i++
		}
		j := strings.IndexByte(s[i:], 0x1b)
		if j < 0 {
			break
		}
		i += j
	}
	return last
}

// diffFileName is the file a "diff --git a/x b/x" line is about.
func diffFileName(header string) string {
	rest := strings.TrimPrefix(header, "diff --git ")
	if i := strings.LastIndex(rest, " b/"); i >= 0 {
		return rest[i+3:]
	}
	return rest
}

// openDiff shows the diff of the selected run's worktree in the pane.
func (m *Model) openDiff(id int64) tea.Cmd {
	m.diff = diffView{run: id, gen: m.diff.gen + 1}
	m.mode = modeDiff
	m.setStatus("")
	return diffCmd(m.ws, id, m.diff.gen, max(m.width, 1))
}

// closeDiff goes back to the run's screen.
func (m *Model) closeDiff() {
	m.mode = modeNormal
	m.diff = diffView{gen: m.diff.gen}
	m.refreshPane()
}

func (m *Model) onDiffLoaded(msg diffLoadedMsg) tea.Cmd {
	if m.mode != modeDiff || msg.gen != m.diff.gen || msg.run != m.diff.run {
		return nil
	}
	m.diff.loaded = true
	if msg.err != nil {
		m.diff.err = msg.err.Error()
		return nil
	}
	m.diff.lines = msg.lines
	m.diff.setWrapped(msg.wrapped)
	if m.diff.width != max(m.width, 1) { // resized while git ran
		return m.rewrapDiff()
	}
	return nil
}

func (m *Model) onDiffWrapped(msg diffWrappedMsg) {
	if m.mode == modeDiff && msg.gen == m.diff.gen {
		// Keep the file at the top in sight across the new wrapping.
		file := m.diff.fileAt(m.diff.top)
		m.diff.setWrapped(msg.wrapped)
		if file >= 0 {
			m.diff.top = m.diff.starts[file]
		}
		m.diff.clamp(m.layout.paneH)
	}
}

// rewrapDiff wraps the diff again at the window's width, off the UI loop
// (a diff may have hundreds of thousands of lines).
func (m *Model) rewrapDiff() tea.Cmd {
	if m.mode != modeDiff || !m.diff.loaded || m.diff.width == max(m.width, 1) {
		return nil
	}
	m.diff.gen++
	return rewrapCmd(m.diff.lines, m.diff.gen, max(m.width, 1))
}

func (d *diffView) setWrapped(w wrappedDiff) {
	d.rows, d.starts, d.files, d.width = w.rows, w.starts, w.files, w.width
}

// fileAt is the index of the file row i is in, or -1 before the first.
func (d *diffView) fileAt(row int) int {
	f := -1
	for i, s := range d.starts {
		if s <= row {
			f = i
		}
	}
	return f
}

// clamp keeps the top row where a page of h rows is full, or at the last
// file's first row: every file's header can be brought to the top.
func (d *diffView) clamp(h int) {
	end := max(len(d.rows)-max(h, 1), 0)
	if n := len(d.starts); n > 0 {
		end = max(end, d.starts[n-1])
	}
	d.top = max(min(d.top, end), 0)
}

// diffKey handles a key in the diff view.
func (m *Model) diffKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	d := &m.diff
	h := max(m.layout.paneH, 1)
	switch {
	case pressed(msg, k.Diff, k.Cancel, k.Quit):
		m.closeDiff()
		return nil
	case pressed(msg, k.Up, k.LineUp):
		d.top--
	case pressed(msg, k.Down, k.LineDown):
		d.top++
	case pressed(msg, k.PageUp):
		d.top -= max(h-1, 1)
	case pressed(msg, k.PageDown):
		d.top += max(h-1, 1)
	case pressed(msg, k.Top):
		d.top = 0
	case pressed(msg, k.Bottom):
		d.top = len(d.rows)
	case pressed(msg, k.NextFile):
		for _, s := range d.starts {
			if s > d.top {
				d.top = s
				break
			}
		}
	case pressed(msg, k.PrevFile):
		for i := len(d.starts) - 1; i >= 0; i-- {
			if d.starts[i] < d.top {
				d.top = d.starts[i]
				break
			}
		}
	}
	d.clamp(h)
	return nil
}

// diffWheel scrolls the diff by three rows.
func (m *Model) diffWheel(up bool) {
	if up {
		m.diff.top -= 3
	} else {
		m.diff.top += 3
	}
	m.diff.clamp(m.layout.paneH)
}

// diffPaneLines are the rows the pane shows of the diff.
func (m *Model) diffPaneLines(h int) []string {
	d := &m.diff
	t := m.theme
	switch {
	case !d.loaded:
		return []string{t.Subtle.Render("reading the diff…")}
	case d.err != "":
		return m.diffNote(t.Error.Render, "✗ "+d.err)
	case len(d.rows) == 0:
		return m.diffNote(t.Subtle.Render, "no change against the base: the worktree is as its branch started")
	}
	end := min(d.top+h, len(d.rows))
	return d.rows[d.top:end]
}

// diffNote is a note in place of the diff, wrapped at word boundaries to
// the screen's width, each row styled.
func (m *Model) diffNote(style func(...string) string, note string) []string {
	rows := strings.Split(ansi.Wrap(note, max(m.width, 1), ""), "\n")
	for i, r := range rows {
		rows[i] = style(r)
	}
	return rows
}

// diffTitle is the pane's title in the diff view: the file at the top,
// whose diff, and where the view is in it.
func (m *Model) diffTitle() (left, right string) {
	d := &m.diff
	left = " "
	if f := d.fileAt(d.top); f >= 0 && len(d.files) > 0 {
		left += fmt.Sprintf("file %d of %d: %s · ", f+1, len(d.files), d.files[f])
	}
	left += fmt.Sprintf("diff of run %d ", d.run) + m.worktreeTitle(d.run)
	if len(d.rows) > 0 {
		h := max(m.layout.paneH, 1)
		right = m.theme.Subtle.Render(fmt.Sprintf(" %d–%d of %d ", d.top+1, min(d.top+h, len(d.rows)), len(d.rows)))
	}
	return left, right
}
