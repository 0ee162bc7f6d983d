package tui

import (
	"strings"

	"corral/registry"

	"github.com/charmbracelet/x/ansi"
)

// The pane's history, scrolled back, wraps long lines into rows of the
// pane's width, so that every part of a line of 20,000 characters can be
// scrolled to. The position is m.scroll, the lines hidden below the pane
// (0: live output), and m.scrollSub, the rows of the bottom line also
// hidden below; the scroll keys move by rows.

// subRows is how many rows of the pane's bottom line are hidden below it,
// for the scroll position at: code that sets m.scroll alone (a search's
// jump) gets the whole bottom line.
type subRows struct{ at, rows int }

// sub returns the rows of the bottom line hidden at the position now.
func (m *Model) sub() int {
	if m.scroll == 0 || m.scrollSub.at != m.scroll {
		return 0
	}
	return m.scrollSub.rows
}

// setPos sets the scroll position.
func (m *Model) setPos(scroll, sub int) {
	m.scroll, m.scrollSub = scroll, subRows{at: scroll, rows: sub}
}

// wrapRows splits a history line into rows of at most width cells, tabs
// expanded and control characters dropped. A styled line (with SGR
// sequences, from Output.StyledLines) keeps its colours: see wrapStyled.
func wrapRows(s string, width int) []string {
	if strings.IndexByte(s, 0x1b) >= 0 {
		return wrapStyled(s, width)
	}
	s = expandTabs(s)
	if width < 1 || ansi.StringWidth(s) <= width {
		return []string{s}
	}
	return strings.Split(ansi.Hardwrap(s, width, true), "\n")
}

// wrapStyled is wrapRows for a line with SGR sequences: tabs expanded and
// escape sequences other than SGR dropped as in the diff view, and each row
// opening the style in force where it starts and closing it where it ends,
// so that no row's style bleeds into the next. The registry's styled lines
// set the whole style with each sequence, so the last one is the style in
// force.
func wrapStyled(s string, width int) []string {
	s = safeColoured(s)
	if width < 1 || ansi.StringWidth(s) <= width {
		return []string{s}
	}
	rows := strings.Split(ansi.Hardwrap(s, width, true), "\n")
	sgr := ""
	for i, row := range rows {
		row = sgr + row
		if last := lastSGR(row); last == "\x1b[m" || last == "\x1b[0m" {
			sgr = ""
		} else if last != "" {
			sgr = last
		}
		if sgr != "" {
			row += "\x1b[m"
		}
		rows[i] = row
	}
	return rows
}

// rowCounter counts the rows of history lines at a width, each line read
// and wrapped once.
type rowCounter struct {
	out   *registry.Output
	width int
	rows  map[int]int
}

func (c *rowCounter) of(i int) int {
	if n, ok := c.rows[i]; ok {
		return n
	}
	n := 1
	if l := c.out.StyledLines(i, 1); len(l) == 1 { // the rows historyRows shows
		n = len(wrapRows(l[0], c.width))
	}
	c.rows[i] = n
	return n
}

// fills reports whether the pane, h rows, is full when its bottom is the
// position (scroll, sub) of a history of n lines: whether there are h rows
// from the history's start to there.
func (c *rowCounter) fills(n, scroll, sub, h int) bool {
	bottom := n - scroll - 1
	if bottom < 0 {
		return false
	}
	if bottom >= h { // h lines above, each a row at least
		return true
	}
	total := c.of(bottom) - sub
	for i := 0; i < bottom && total < h; i++ {
		total += c.of(i)
	}
	return total >= h
}

// scrollRows moves the pane's history delta rows back (positive) or
// forward; it stops where the history's first row reaches the pane's top
// (a history shorter than the pane shows whole, from its top) and at live
// output.
func (m *Model) scrollRows(out *registry.Output, delta int) {
	_, h := m.paneSize()
	n := out.Len()
	c := &rowCounter{out: out, width: m.width, rows: map[int]int{}}
	for ; delta > 0; delta-- {
		// From live output the first step hides the last line; later
		// ones hide a row of the bottom line, then the line above.
		scroll, sub := m.scroll+1, 0
		if m.scroll > 0 {
			scroll, sub = m.scroll, m.sub()+1
			if sub >= c.of(n-m.scroll-1) {
				scroll, sub = scroll+1, 0
			}
		}
		// A history shorter than the pane may still be scrolled to once:
		// a restarted run's screen is new, its earlier life only there.
		if !c.fills(n, scroll, sub, h) && (m.scroll > 0 || n < 2) {
			break
		}
		m.setPos(scroll, sub)
	}
	for ; delta < 0 && m.scroll > 0; delta++ {
		switch sub := m.sub(); {
		case sub > 0:
			m.setPos(m.scroll, sub-1)
		case m.scroll == 1:
			m.setPos(0, 0)
		default:
			m.setPos(m.scroll-1, c.of(n-m.scroll)-1) // the line below: its first row shows
		}
	}
}

// historyRows is what the pane shows of a history at the position: the
// rows of the lines up to the bottom one, its hidden rows left out, the
// last h of them.
func (m *Model) historyRows(out *registry.Output, h int) []string {
	bottom := out.Len() - m.scroll - 1
	if bottom < 0 || h <= 0 {
		return nil
	}
	sub := m.sub()
	// Each line is a row at least: h lines up to the bottom one are enough.
	// Lines in colour show in colour; a search and a selection show the
	// plain lines (search.go), whose byte ranges they mark.
	lines := out.StyledLines(bottom-h+1, min(h, bottom+1))
	var rows []string
	for i := len(lines) - 1; i >= 0 && len(rows) < h; i-- {
		r := wrapRows(lines[i], m.width)
		if i == len(lines)-1 {
			r = r[:max(len(r)-sub, 1)]
		}
		rows = append(r, rows...)
	}
	if len(rows) > h {
		rows = rows[len(rows)-h:]
	}
	return rows
}
