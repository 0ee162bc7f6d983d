package tui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// The help line, the full help and the status line made to fit the window:
// the help and quit keys always show, a cut line ends with an ellipsis, the
// full help wraps its columns into more rows and scrolls when even that is
// too tall, and plain status messages expire.

// defaultStatusTTL is how long a plain status message stays (errors and
// questions stay until replaced). A variable for the tests, which run
// commands synchronously and must not wait for it.
var defaultStatusTTL = 5 * time.Second

// statusExpiredMsg says a status message's time is up; gen names it.
type statusExpiredMsg struct{ gen int }

// expireStatus returns the tick that clears a status message set since the
// last message, or nil. Update calls it after every message.
func (m *Model) expireStatus() tea.Cmd {
	if m.statusTTL <= 0 || m.statusSet == m.statusSeen {
		return nil
	}
	m.statusSeen = m.statusSet
	if m.status == "" || m.statusErr {
		return nil
	}
	m.statusGen++
	gen := m.statusGen
	return tea.Tick(m.statusTTL, func(time.Time) tea.Msg { return statusExpiredMsg{gen: gen} })
}

// onStatusExpired clears the status line if it still shows the message
// the tick was for; quitting's countdown stays.
func (m *Model) onStatusExpired(msg statusExpiredMsg) {
	if msg.gen != m.statusGen || m.statusSet != m.statusSeen || m.statusErr || m.quitting {
		return
	}
	m.status = ""
}

// cancelHelpOrFilter is the cancel key in the run list: it closes the
// help, else clears the filter applied.
func (m *Model) cancelHelpOrFilter() {
	if m.showHelp {
		m.showHelp, m.helpTop = false, 0
		m.relayout()
		m.ensureVisible()
		m.refreshPane()
		return
	}
	m.filter.SetValue("")
	m.reselect()
	m.setStatus("filter cleared")
}

// question is the confirmation's text: the question, and its detail when
// all of it with the answer keys fits two lines of the window.
func (m *Model) question() string {
	q, answers := m.confirm.question, keysOf(m.keys.Yes, m.keys.No)
	if answers != "" {
		answers = " (" + answers + ")"
	}
	if d := m.confirm.detail; d != "" && ansi.StringWidth(q+" "+d+answers) <= 2*m.width-m.width/4 {
		q += " " + d
	}
	return q + answers
}

// shortHelpLine is the one-line help: the enabled bindings in order, as
// many as fit the width, always with the help and quit keys (they matter
// most when the rest is cut), ending with an ellipsis when some were left
// out.
func (m *Model) shortHelpLine(bindings []key.Binding) string {
	st := m.help.Styles
	sep := st.ShortSeparator.Inline(true).Render(m.help.ShortSeparator)
	sepW := ansi.StringWidth(sep)
	ellipsis := " " + st.Ellipsis.Inline(true).Render(m.help.Ellipsis)
	item := func(b key.Binding) string {
		return st.ShortKey.Inline(true).Render(b.Help().Key) + " " + st.ShortDesc.Inline(true).Render(b.Help().Desc)
	}
	var shown []key.Binding
	for _, b := range bindings {
		if b.Enabled() && b.Help().Key != "" {
			shown = append(shown, b)
		}
	}
	must := func(b key.Binding) bool {
		k := b.Keys()
		return len(k) > 0 && (sameKeys(k, m.keys.Help.Keys()) || sameKeys(k, m.keys.Quit.Keys()))
	}
	// reserve is the width the required items after i need.
	reserve := func(i int) int {
		w := 0
		for _, b := range shown[i+1:] {
			if must(b) {
				w += sepW + ansi.StringWidth(item(b))
			}
		}
		return w
	}
	var parts []string
	used, cut := 0, false
	for i, b := range shown {
		s := item(b)
		w := ansi.StringWidth(s)
		if len(parts) > 0 {
			w += sepW
		}
		room := m.width - reserve(i)
		if i < len(shown)-1 || cut {
			room -= ansi.StringWidth(ellipsis) // in case what follows is cut
		}
		if must(b) || !cut && used+w <= room {
			parts = append(parts, s)
			used += w
			continue
		}
		cut = true
	}
	line := strings.Join(parts, sep)
	if cut {
		line += ellipsis
	}
	return line
}

func sameKeys(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// fullHelpLines renders help columns side by side, as many as fit the
// width; the columns that do not fit go below, in more rows. When the
// whole does not fit the rows the window can give it (all but the header
// and the status line), it shows a window of it from m.helpTop, whose last
// line says how to scroll.
func (m *Model) fullHelpLines(groups [][]key.Binding) []string {
	st := m.help.Styles
	sep := st.FullSeparator.Inline(true).Render(m.help.FullSeparator)
	sepW := ansi.StringWidth(sep)
	type block struct {
		lines []string
		w     int
	}
	var blocks []block
	for _, g := range groups {
		var keys, descs []string
		kw := 0
		for _, b := range g {
			if b.Enabled() && b.Help().Key != "" {
				keys, descs = append(keys, b.Help().Key), append(descs, b.Help().Desc)
				kw = max(kw, ansi.StringWidth(b.Help().Key))
			}
		}
		if len(keys) == 0 {
			continue
		}
		var bl block
		for i := range keys {
			s := st.FullKey.Inline(true).Render(cell(keys[i], kw)) + " " + st.FullDesc.Inline(true).Render(descs[i])
			bl.lines = append(bl.lines, s)
			bl.w = max(bl.w, ansi.StringWidth(s))
		}
		blocks = append(blocks, bl)
	}
	var lines []string
	for i := 0; i < len(blocks); {
		// A band: the columns from i that fit the width side by side.
		j, w := i+1, blocks[i].w
		for j < len(blocks) && w+sepW+blocks[j].w <= m.width {
			w += sepW + blocks[j].w
			j++
		}
		rows := 0
		for _, b := range blocks[i:j] {
			rows = max(rows, len(b.lines))
		}
		for r := range rows {
			var b strings.Builder
			for c, bl := range blocks[i:j] {
				if c > 0 {
					b.WriteString(sep)
				}
				s := ""
				if r < len(bl.lines) {
					s = bl.lines[r]
				}
				if c < j-i-1 {
					s += strings.Repeat(" ", bl.w-ansi.StringWidth(s))
				}
				b.WriteString(s)
			}
			lines = append(lines, b.String())
		}
		i = j
	}
	room := m.helpRoom()
	if len(lines) <= room || room < 2 {
		m.helpTop = 0
		return lines
	}
	m.helpTop = min(max(m.helpTop, 0), len(lines)-(room-1))
	shown := append([]string(nil), lines[m.helpTop:m.helpTop+room-1]...)
	return append(shown, m.helpMore(m.helpTop > 0, m.helpTop+room-1 < len(lines)))
}

// helpRoom is how many rows the full help may take: all but the header
// and the status line.
func (m *Model) helpRoom() int { return m.height - 2 }

// helpMore is the last line of a help that scrolls: which way there is
// more, and the keys that get there and close the help.
func (m *Model) helpMore(above, below bool) string {
	k := m.keys
	var hs []keyHint
	if below {
		hs = append(hs, keyHint{keysOf(k.PageDown), "more"})
	}
	if above {
		hs = append(hs, keyHint{keysOf(k.PageUp), "back"})
	}
	hs = append(hs, keyHint{keysOf(k.Cancel), "closes"})
	return m.theme.Subtle.Render("── " + hints(" · ", hs...) + " ──")
}

// helpScrolls reports whether the full help shown was cut to its room,
// so that the page keys scroll it rather than the pane.
func (m *Model) helpScrolls() bool {
	return m.showHelp && m.mode == modeNormal && m.helpRoom() >= 2 && len(m.layout.help) >= m.helpRoom()
}

// scrollHelp moves the full help by a page.
func (m *Model) scrollHelp(down bool) {
	step := max(m.helpRoom()-2, 1)
	if down {
		m.helpTop += step
	} else {
		m.helpTop = max(m.helpTop-step, 0)
	}
	m.relayout()
	m.ensureVisible()
	m.refreshPane()
}
