package tui

import (
	"charm.land/bubbles/v2/help"

	"corral/registry"
)

// Proportions of the screen, top to bottom: a header line, the table, the
// pane (a title line and its body), the status line and the help.
const (
	// The table takes at most tableShareNum/tableShareDen of the rows
	// between the header and the status line: the pane, which is what
	// people read, keeps the larger part however many runs there are.
	tableShareNum, tableShareDen = 2, 5
	// minTableRows is the table's height when it is short of rows: its
	// header and two runs, so that moving the selection shows a neighbour.
	minTableRows = 3
	// formPaneRows is what the new-run form needs of the pane: its title,
	// the chooser and its description, five fields, an error and the key
	// hints with the blank lines between. The adopt list gets as much.
	formPaneRows = 13
	// minFormTableRows keeps the table's header and the selected run in
	// sight while the form or the adopt list takes rows from it.
	minFormTableRows = 2
	// scrollAll scrolls more lines than any history holds: to its top, or
	// (negative) back to live output.
	scrollAll = 1 << 30
)

// layout places the parts of the screen. relayout computes it from the
// model's state; View only reads it.
type layout struct {
	tableY, tableH int      // the table, its header line included
	paneY, paneH   int      // the pane body, below its title line
	help           []string // the help lines, rendered once per relayout
	status         []string // the status line, or a question wrapped over a few
	banner         string   // the orphans' banner above the table, or ""
}

// maxQuestionLines bounds how many lines a long question may take.
const maxQuestionLines = 3

// relayout computes the layout from the size, the mode, the help shown and
// the rows of the table. Update calls it when one of these changes and
// something later in the same message reads the layout (a resize command,
// the table's scroll), and settle calls it after every message.
func (m *Model) relayout() {
	l := layout{tableY: 1, help: m.helpLines(), status: m.statusLines()}
	if m.zoomActive() {
		m.layout = m.zoomLayout(l)
		return
	}
	if b := m.banner(); b != "" {
		l.banner = m.theme.Warn.Render(b)
		l.tableY++
	}
	avail := m.height - l.tableY - len(l.status) - len(l.help) // the header line (and banner) above
	if avail <= 0 {
		l.paneY = m.height
		m.layout = l
		return
	}
	rows := len(m.visibleRuns())
	if m.past.open {
		rows = len(m.visiblePast())
		m.past.wrap(m.width)
	}
	want := max(rows, 1) + 1
	l.tableH = min(want, max(minTableRows, avail*tableShareNum/tableShareDen), avail)
	if m.mode == modeForm || m.mode == modeAdopt {
		need := formPaneRows
		if m.mode == modeForm { // the workspace fields may make it longer
			need = max(need, len(m.formLines())+1)
		}
		l.tableH = min(l.tableH, max(avail-need, minFormTableRows), avail)
	}
	rest := avail - l.tableH
	if rest >= 2 { // a pane needs its title and one line
		l.paneY, l.paneH = l.tableY+l.tableH+1, rest-1
	} else {
		l.tableH += rest
		l.paneY = l.tableY + l.tableH
	}
	m.layout = l
}

// settle brings what follows from the model's state up to date once a
// message has been handled: the history's list after a paste into its
// filter, the layout (and, when the table or the pane moved, the table's
// scroll and the pane's lines), the history's scroll, then which screen is
// visible. Update defers it, so it runs after every message that may have
// changed something.
func (m *Model) settle() {
	if m.past.open && m.past.filter.Value() != m.past.visibleOf {
		m.refreshPast() // a paste into the history's filter line
	}
	old := m.layout
	m.relayout()
	if l := m.layout; l.tableH != old.tableH || l.paneY != old.paneY || l.paneH != old.paneH {
		m.ensureVisible()
		m.refreshPane()
	}
	if m.past.open {
		// After every message, not only when the check above sees the layout
		// move: a handler that called relayout itself (a resize) leaves it
		// nothing to see. It is a scan of the kept list, no more.
		m.ensurePastVisible()
	}
	m.syncVisibility()
}

// syncVisibility marks the screen the pane shows live as visible and the
// one it showed before as hidden; every other screen stays hidden, as
// screens start, and is emulated at a low rate. It is the one place that
// calls SetVisible (settle calls it after every message); it calls nothing
// while the shown screen stays the same.
func (m *Model) syncVisibility() {
	want := m.liveScreen()
	if want == m.shown {
		return
	}
	// Marking is a flag on the run's screen, not IO.
	if m.shown != nil {
		m.shown.SetVisible(false)
	}
	if want != nil {
		want.SetVisible(true)
	}
	m.shown = want
}

// liveScreen is the screen the pane shows, or nil: the selected run's live
// screen, unless the form, the adopt list or the history view has the pane, the pane has no
// rows, or it shows a history instead (the raw view, a rendered stream, an
// adopted process).
func (m *Model) liveScreen() Screen {
	if m.selected == 0 || m.layout.paneH <= 0 || m.mode == modeForm || m.mode == modeAdopt || m.mode == modeDiff ||
		m.past.open {
		return nil
	}
	_, scr := m.paneSource()
	return scr
}

// paneSize is the terminal size given to runs: the pane's, at least 1×1.
func (m *Model) paneSize() (cols, rows int) {
	return max(m.width, 1), max(m.layout.paneH, 1)
}

// PaneSize returns the terminal size of a run in a width × height screen
// whose table lists the given number of runs: the size to start runs at
// before the interface has drawn, so that they need no resize.
func PaneSize(width, height, runs int) (cols, rows int) {
	m := &Model{width: width, height: height, runs: make([]registry.ProcessInfo, runs),
		keys: DefaultKeyMap(), help: help.New()}
	m.help.SetWidth(width)
	m.relayout()
	return m.paneSize()
}
