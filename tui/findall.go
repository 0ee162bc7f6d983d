package tui

import (
	"context"
	"fmt"
	"sort"

	"corral/registry"
	"corral/search"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

const (
	// findAllLimit bounds the hits listed; "more…" says there are others.
	findAllLimit = 500
	// findAllPast bounds the past runs whose logs are searched, the
	// newest first: each is read from disk for every query.
	findAllPast = 100
)

// findAll is the search of every run's history (KeyMap.SearchAll): live
// runs' outputs, then past runs' logs when the history is on.
type findAll struct {
	input  textinput.Model
	regex  bool
	err    string        // why the pattern does not compile
	query  *search.Query // of the results shown
	gen    int           // of the search in flight; older results are dropped
	cancel context.CancelFunc
	busy   bool
	res    search.Results
	reads  map[int64]sourceRead // how each live run's lines were read
	sel    int                  // the selected hit
	top    int                  // the first hit shown
	past   []PastRun            // the history's runs, once loaded
	// jump is a line of a past run's log to scroll to once the history
	// view has loaded it.
	jumpRun  int64
	jumpLine int
}

// sourceRead is when a live run's lines were read for a search: its
// output's total and how many lines it held, to find a hit's line again
// once more have arrived.
type sourceRead struct {
	total int64
	lines int
}

// Messages of the search of every run.
type (
	foundAllMsg struct {
		gen   int
		query *search.Query
		res   search.Results
		reads map[int64]sourceRead
		err   error // the search was cancelled
	}
	pastForFindMsg struct {
		runs []PastRun
		err  error
	}
)

// liveSource reads a live run's output for All, noting when.
type liveSource struct {
	out  *registry.Output
	read *sourceRead
}

func (s liveSource) ReadLines() ([]string, error) {
	lines, total := readOutput(s.out)
	*s.read = sourceRead{total: total, lines: len(lines)}
	return lines, nil
}

// findAllCmd searches the sources off the UI loop; a newer query cancels
// ctx, and All then returns its error, which onFoundAll ignores.
func findAllCmd(ctx context.Context, gen int, q *search.Query, sources []search.Source,
	reads map[int64]*sourceRead) tea.Cmd {
	return func() tea.Msg {
		res, err := search.All(ctx, q, sources, findAllLimit)
		got := make(map[int64]sourceRead, len(reads))
		for id, r := range reads { // All's goroutines have ended
			got[id] = *r
		}
		return foundAllMsg{gen: gen, query: q, res: res, reads: got, err: err}
	}
}

func pastForFindCmd(h History) tea.Cmd {
	return func() tea.Msg {
		runs, err := h.Past(findAllPast + 100) // some are runs of this corral, searched live
		return pastForFindMsg{runs: runs, err: err}
	}
}

// openFindAll opens the search of every run.
func (m *Model) openFindAll() tea.Cmd {
	m.findAll = findAll{input: lineInput("find in every run: ", "text in any output")}
	m.mode = modeFindAll
	m.setStatus("")
	cmds := []tea.Cmd{m.findAll.input.Focus()}
	if m.history != nil {
		cmds = append(cmds, pastForFindCmd(m.history))
	}
	m.refreshPane()
	return tea.Batch(cmds...)
}

func (m *Model) onPastForFind(msg pastForFindMsg) tea.Cmd {
	if m.mode != modeFindAll {
		return nil
	}
	if msg.err != nil {
		m.setError(fmt.Errorf("history: %w", msg.err))
		return nil
	}
	m.findAll.past = msg.runs
	return m.startFindAll() // now with the past runs
}

// outputOf is the history the pane would show of a run: its rendered
// stream unless v asked for the raw one, else its output (paneSource).
func (m *Model) outputOf(id int64) *registry.Output {
	if !m.raw[id] {
		if r := m.launch.Rendered(id); r != nil && r.Len() > 0 {
			return r
		}
	}
	return m.reg.Output(id)
}

// startFindAll searches every run for the line's query, cancelling the
// search in flight: the runs of the table, newest first, then the past
// runs of the history that are not in it.
func (m *Model) startFindAll() tea.Cmd {
	f := &m.findAll
	q, errText := compile(f.input.Value(), f.regex)
	f.err = errText
	if q == nil {
		return nil
	}
	if f.cancel != nil {
		f.cancel()
	}
	runs := append([]registry.ProcessInfo(nil), m.runs...)
	sort.SliceStable(runs, func(i, j int) bool {
		if !runs[i].StartedAt.Equal(runs[j].StartedAt) {
			return runs[i].StartedAt.After(runs[j].StartedAt)
		}
		return runs[i].RunID > runs[j].RunID
	})
	var sources []search.Source
	reads := map[int64]*sourceRead{}
	inTable := map[int64]bool{}
	for _, r := range runs {
		inTable[r.RunID] = true
		out := m.outputOf(r.RunID)
		if out == nil {
			continue
		}
		reads[r.RunID] = &sourceRead{}
		sources = append(sources, search.Source{RunID: r.RunID, Name: runName(r),
			Lines: liveSource{out: out, read: reads[r.RunID]}})
	}
	if h := m.history; h != nil {
		n := 0
		for _, p := range f.past {
			if inTable[p.ID] || p.LogPruned || n == findAllPast {
				continue
			}
			n++
			id := p.ID
			sources = append(sources, search.Source{RunID: id, Name: pastName(p),
				Lines: search.ReadFunc(func() ([]string, error) {
					lines, _, err := h.Log(id, logMaxBytes) // as the history view reads it: the same lines
					return lines, err
				})})
		}
	}
	var ctx context.Context
	ctx, f.cancel = context.WithCancel(context.Background())
	f.gen++
	f.busy = true
	return findAllCmd(ctx, f.gen, q, sources, reads)
}

// onFoundAll shows the results of the newest search only.
func (m *Model) onFoundAll(msg foundAllMsg) {
	f := &m.findAll
	if m.mode != modeFindAll || msg.gen != f.gen || msg.err != nil {
		return
	}
	f.busy = false
	f.query, f.res, f.reads = msg.query, msg.res, msg.reads
	f.sel, f.top = 0, 0
	m.refreshPane()
}

func (m *Model) findAllKey(msg tea.KeyPressMsg) tea.Cmd {
	k, f := m.keys, &m.findAll
	n := len(f.res.Hits)
	switch {
	case key.Matches(msg, k.Cancel):
		m.closeFindAll()
		return nil
	case key.Matches(msg, k.Submit):
		if f.sel < n {
			return m.openHit(f.res.Hits[f.sel])
		}
		return nil
	case key.Matches(msg, k.SearchRegex):
		f.regex = !f.regex
		f.input.Prompt = "find in every run: "
		if f.regex {
			f.input.Prompt = "find regex in every run: "
		}
		return m.startFindAll()
	case pressed(msg, k.Up, k.Down, k.PageUp, k.PageDown):
		h := max(m.layout.paneH-1, 1)
		switch {
		case pressed(msg, k.Up):
			f.sel--
		case pressed(msg, k.Down):
			f.sel++
		case pressed(msg, k.PageUp):
			f.sel -= h
		default:
			f.sel += h
		}
		f.sel = min(max(f.sel, 0), max(n-1, 0))
		m.refreshPane()
		return nil
	}
	return m.findAllInput(msg)
}

// findAllInput hands a message to the search line and searches again when
// its text changed.
func (m *Model) findAllInput(msg tea.Msg) tea.Cmd {
	cmd, changed := typeInto(&m.findAll.input, msg)
	if !changed {
		return cmd
	}
	return tea.Batch(cmd, m.startFindAll())
}

func (m *Model) closeFindAll() {
	if m.findAll.cancel != nil {
		m.findAll.cancel()
	}
	m.findAll = findAll{}
	m.mode = modeNormal
	m.setStatus("")
	m.refreshPane()
}

// openHit opens the run of a hit: a run of the table is selected and
// searched with the query, its pane on the hit's line; a past run's log
// opens in the history view, scrolled to the line.
func (m *Model) openHit(h search.Hit) tea.Cmd {
	f := m.findAll
	if f.cancel != nil {
		f.cancel()
	}
	for _, r := range m.runs {
		if r.RunID != h.RunID {
			continue
		}
		m.findAll = findAll{}
		m.mode = modeNormal
		if !m.visible(h.RunID) {
			m.filter.SetValue("") // the filter hid it
			m.reselect()
		}
		m.selectRun(h.RunID)
		cmd := m.openFind()
		if m.mode != modeFind {
			return cmd
		}
		m.find.input.SetValue(f.input.Value())
		m.find.input.CursorEnd()
		m.find.regex = f.regex
		if f.regex {
			m.find.input.Prompt = "find regex: "
		}
		read := f.reads[h.RunID]
		m.find.want, m.find.wantTotal, m.find.wantLen = h.Line, read.total, read.lines
		return tea.Batch(cmd, m.startFind())
	}
	// A past run: its log in the history view.
	var past PastRun
	for _, p := range f.past {
		if p.ID == h.RunID {
			past = p
		}
	}
	m.findAll = findAll{}
	m.mode = modeNormal
	cmd := m.openHistory()
	if m.mode != modeHistory {
		return cmd
	}
	m.past.selected = h.RunID
	m.findAll.jumpRun, m.findAll.jumpLine = h.RunID, h.Line
	past.ID = h.RunID
	return tea.Batch(cmd, m.openLog(past))
}

// visible reports whether the table shows run id (the filter may hide it).
func (m *Model) visible(id int64) bool {
	for _, r := range m.visibleRuns() {
		if r.RunID == id {
			return true
		}
	}
	return false
}

// jumpInLog scrolls a past run's log, once loaded, to the line of the hit
// that opened it (the history view wraps long lines: counted as it does).
func (m *Model) jumpInLog(id int64) {
	f := &m.findAll
	p := &m.past
	if f.jumpRun == 0 || f.jumpRun != id || !p.open || p.logRun != id || !p.logLoaded {
		return
	}
	line := f.jumpLine
	f.jumpRun = 0
	if line >= len(p.log) {
		return
	}
	w := max(p.wrapWidth, 1)
	row := p.noteLines
	for _, s := range p.log[:line] {
		row += len(wrapRows(s, w)) // as pastView.wrap wraps them
	}
	h := max(m.layout.paneH, 1)
	// scroll is how many lines are below the bottom of the pane.
	p.scroll = min(max(len(p.wrapped)-(row+h/2+1), 0), max(len(p.wrapped)-h, 0))
	m.setStatus(fmt.Sprintf("run %d, line %d of its log", id, line+1))
}

// findAllStatus is the status line of the search of every run.
func (m *Model) findAllStatus() string {
	f := &m.findAll
	line := lineView(f.input, m.theme.Subtle)
	switch {
	case f.err != "":
		return line + "  " + m.theme.Error.Render(f.err)
	case f.busy:
		return line + "  " + m.theme.Subtle.Render("searching…")
	case f.query == nil || f.query.Empty():
		return line
	}
	n := len(f.res.Hits)
	runs := map[int64]bool{}
	for _, h := range f.res.Hits {
		runs[h.RunID] = true
	}
	s := fmt.Sprintf("%d match%s in %d run%s", n, noun(n, "", "es"), len(runs), noun(len(runs), "", "s"))
	if f.res.More {
		s = fmt.Sprintf("the newest %d matches", n)
	}
	if len(f.res.Errs) > 0 {
		return line + "  " + m.theme.Marker.Render(s) + "  " + m.theme.Error.Render(f.res.Errs[0].Error())
	}
	return line + "  " + m.theme.Marker.Render(s)
}

// findAllLines is the pane of the search of every run: a hit a line, run
// · line · text, newest first, the selected one marked, "more…" last
// when the limit left some out.
func (m *Model) findAllLines(h int) []string {
	f := &m.findAll
	hits := f.res.Hits
	if f.query == nil || f.query.Empty() {
		return []string{m.theme.Subtle.Render("type to search the output of every run" + m.pastNote())}
	}
	if len(hits) == 0 && !f.busy {
		return []string{m.theme.Subtle.Render("no run's output matches" + m.pastNote())}
	}
	rows := h
	if f.res.More {
		rows-- // for "more…"
	}
	rows = max(rows, 1)
	if f.sel < f.top {
		f.top = f.sel
	}
	if f.sel >= f.top+rows {
		f.top = f.sel - rows + 1
	}
	inTable := map[int64]bool{}
	for _, r := range m.runs {
		inTable[r.RunID] = true
	}
	idW := 0
	for _, hit := range hits[f.top:min(f.top+rows, len(hits))] {
		idW = max(idW, ansi.StringWidth(hitRun(hit, inTable[hit.RunID])))
	}
	idW = min(idW, max(m.width/3, 8))
	var lines []string
	for i := f.top; i < min(f.top+rows, len(hits)); i++ {
		hit := hits[i]
		who := cell(hitRun(hit, inTable[hit.RunID]), idW)
		where := fmt.Sprintf(" %6d ", hit.Line+1)
		if i == f.sel {
			who, where = m.theme.Selected.Render(who), m.theme.Selected.Render(where)
		} else {
			who, where = m.theme.Subtle.Render(who), m.theme.Subtle.Render(where)
		}
		spans := make([]span, 0, len(hit.Ranges))
		for _, r := range hit.Ranges {
			spans = append(spans, span{r.Start, r.End, m.theme.Match})
		}
		prefix := who + where + " "
		lines = append(lines, prefix+markLine(hit.Text, spans, max(m.width-ansi.StringWidth(prefix), 1)))
	}
	if f.res.More {
		lines = append(lines, m.theme.Subtle.Render(fmt.Sprintf("more… (the newest %d are listed: a longer query narrows them)", len(hits))))
	}
	return lines
}

// hitRun names the run of a hit: its id and name, "(past)" for a run of
// the history not in the table.
func hitRun(h search.Hit, inTable bool) string {
	s := fmt.Sprintf("%d %s", h.RunID, h.Name)
	if !inTable {
		s += " (past)"
	}
	return s
}

// pastNote says which past runs are searched too.
func (m *Model) pastNote() string {
	if m.history == nil {
		return ""
	}
	return fmt.Sprintf(" (and the logs of the %d newest past runs)", findAllPast)
}
