package tui

import (
	"fmt"
	"sort"
	"strings"

	"corral/registry"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

const (
	// historyLimit bounds how many past runs the history view loads, the
	// newest first: the view is for finding a recent run again.
	historyLimit = 1000
	// logMaxBytes is how much of a past run's log the pane loads, its end;
	// `corral logs ID` prints the rest.
	logMaxBytes = 4 << 20
)

// pastView is the history view: the past runs, the selection, the filter,
// and the log of one of them in the pane.
type pastView struct {
	open     bool
	loaded   bool
	runs     []PastRun // newest first, as History.Past listed them
	selected int64     // id of the selected past run
	selIndex int       // its row, to fall back on when it goes
	top      int       // first row shown
	filter   textinput.Model

	// The list: runs less the table's rows, after the filter; refreshPast
	// computes it when one of these changes, the view and keys read it.
	visible   []PastRun
	visibleOf string // the filter's value it was computed for

	// The log in the pane, of run logRun (0: the pane shows the selected
	// run's details); logLoaded once History.Log answered.
	logRun    int64
	logLoaded bool
	log       []string // its lines, made safe to draw
	omitted   int64    // bytes before them left out
	pruned    bool     // the history deleted the log (its size cap)
	logErr    string
	wrapped   []string // the pane's lines: a note, then log wrapped at wrapWidth
	noteLines int      // how many of wrapped are the note
	wrapWidth int
	scroll    int // lines above the log's end; 0 shows its end
}

// Messages of the history view.
type (
	pastLoadedMsg struct {
		runs []PastRun
		err  error
	}
	pastLogMsg struct {
		id      int64
		lines   []string
		omitted int64
		err     error
	}
	forgottenMsg struct {
		id  int64
		err error
	}
)

func pastCmd(h History) tea.Cmd {
	return func() tea.Msg {
		runs, err := h.Past(historyLimit)
		return pastLoadedMsg{runs: runs, err: err}
	}
}

func pastLogCmd(h History, id int64) tea.Cmd {
	return func() tea.Msg {
		lines, omitted, err := h.Log(id, logMaxBytes)
		return pastLogMsg{id: id, lines: lines, omitted: omitted, err: err}
	}
}

func forgetCmd(h History, id int64) tea.Cmd {
	return func() tea.Msg { return forgottenMsg{id: id, err: h.Forget(id)} }
}

// againCmd launches a request made from a past run or an ended session:
// from is the run started again, or the one resumed (req.Resumes).
func againCmd(l Launcher, req Request, from int64) tea.Cmd {
	return func() tea.Msg {
		id, err := l.Launch(req)
		return launchedMsg{id: id, err: err, again: from, resumed: req.Resume != ""}
	}
}

// openHistory shows the history view and asks for the past runs.
func (m *Model) openHistory() tea.Cmd {
	if m.history == nil {
		m.setStatus("the run history is off (or could not be opened): there is nothing to show")
		return nil
	}
	f := textinput.New()
	f.Prompt = "/"
	f.Placeholder = "filter past runs"
	m.past = pastView{open: true, filter: f}
	m.mode = modeHistory
	m.setStatus("")
	return pastCmd(m.history)
}

// closeHistory goes back to the table of runs.
func (m *Model) closeHistory() {
	m.past = pastView{}
	m.mode = modeNormal
	m.relayout()
	m.ensureVisible()
	m.refreshPane()
}

func (m *Model) onPastLoaded(msg pastLoadedMsg) {
	if !m.past.open {
		return
	}
	if msg.err != nil {
		m.setError(fmt.Errorf("history: %w", msg.err))
	}
	m.past.runs, m.past.loaded = msg.runs, true
	m.reselectPast()
}

func (m *Model) onPastLog(msg pastLogMsg) {
	p := &m.past
	if !p.open || msg.id != p.logRun {
		return // the person moved on before it came
	}
	p.logLoaded = true
	if msg.err != nil {
		p.logErr = msg.err.Error()
		m.setError(fmt.Errorf("log of run %d: %w", msg.id, msg.err))
	}
	p.log = make([]string, len(msg.lines))
	for i, s := range msg.lines {
		p.log[i] = safeLine(s)
	}
	p.omitted = msg.omitted
	p.wrapWidth = -1
	p.wrap(m.width)
}

func (m *Model) onForgotten(msg forgottenMsg) tea.Cmd {
	if msg.err != nil {
		m.setError(fmt.Errorf("delete run %d from the history: %w", msg.id, msg.err))
		return nil
	}
	m.setStatus(fmt.Sprintf("deleted run %d and its log from the history", msg.id))
	if !m.past.open {
		return nil
	}
	for i, r := range m.past.runs {
		if r.ID == msg.id {
			m.past.runs = append(m.past.runs[:i:i], m.past.runs[i+1:]...)
			break
		}
	}
	if m.past.logRun == msg.id {
		m.closeLog()
	}
	m.reselectPast()
	return pastCmd(m.history)
}

func (m *Model) historyKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	p := &m.past
	sel, hasSel := m.selectedPast()
	logOpen := p.logRun != 0
	_, paneH := m.paneSize()
	page := max(paneH-1, 1)
	switch {
	case key.Matches(msg, k.History), key.Matches(msg, k.Quit):
		// Quit goes back, as in a pager: corral quits from its table.
		m.closeHistory()
	case key.Matches(msg, k.Help):
		m.showHelp = !m.showHelp
		m.relayout()
		m.ensurePastVisible()
	case key.Matches(msg, k.Cancel) && m.showHelp: // esc closes the help first, as in the table
		m.showHelp = false
		m.relayout()
		m.ensurePastVisible()
	case key.Matches(msg, k.Cancel):
		if logOpen {
			m.closeLog()
			return nil
		}
		m.closeHistory()
	case key.Matches(msg, k.Filter):
		m.mode = modeHistoryFilter
		return p.filter.Focus()
	case key.Matches(msg, k.Up):
		m.movePast(-1)
	case key.Matches(msg, k.Down):
		m.movePast(1)
	case key.Matches(msg, k.First):
		m.movePast(-scrollAll)
	case key.Matches(msg, k.Last):
		m.movePast(scrollAll)
	case key.Matches(msg, k.PageUp) && logOpen:
		m.scrollLog(page)
	case key.Matches(msg, k.PageDown) && logOpen:
		m.scrollLog(-page)
	case key.Matches(msg, k.LineUp) && logOpen:
		m.scrollLog(1)
	case key.Matches(msg, k.LineDown) && logOpen:
		m.scrollLog(-1)
	case key.Matches(msg, k.Top) && logOpen:
		m.scrollLog(scrollAll)
	case key.Matches(msg, k.Bottom) && logOpen:
		m.scrollLog(-scrollAll)
	case key.Matches(msg, k.PageUp):
		m.movePast(-max(m.layout.tableH-2, 1))
	case key.Matches(msg, k.PageDown):
		m.movePast(max(m.layout.tableH-2, 1))
	case key.Matches(msg, k.Top):
		m.movePast(-scrollAll)
	case key.Matches(msg, k.Bottom):
		m.movePast(scrollAll)
	case !hasSel:
		if pressed(msg, k.Submit, k.Restart, k.Resume, k.Delete) {
			m.setStatus("no past run selected")
		}
	case key.Matches(msg, k.Submit):
		return m.openLog(sel)
	case pressed(msg, k.Restart): // disabled, it says why not
		return m.startAgain(sel)
	case pressed(msg, k.Resume):
		return m.resumePast(sel)
	case key.Matches(msg, k.Delete):
		m.ask(fmt.Sprintf("delete run %d and its log from the history?", sel.ID), forgetCmd(m.history, sel.ID))
	}
	return nil
}

func (m *Model) historyFilterKey(msg tea.KeyPressMsg) tea.Cmd {
	return m.filterLineKey(msg, &m.past.filter, modeHistory, m.reselectPast)
}

// openLog asks for a past run's log for the pane.
func (m *Model) openLog(r PastRun) tea.Cmd {
	p := &m.past
	m.closeLog()
	p.logRun, p.pruned, p.wrapWidth = r.ID, r.LogPruned, -1
	if r.LogPruned {
		p.logLoaded = true
		p.wrap(m.width)
		return nil
	}
	return pastLogCmd(m.history, r.ID)
}

func (m *Model) closeLog() {
	m.past.closeLog()
}

func (p *pastView) closeLog() {
	p.logRun, p.logLoaded, p.log, p.omitted, p.pruned, p.logErr = 0, false, nil, 0, false, ""
	p.wrapped, p.noteLines, p.wrapWidth, p.scroll = nil, 0, -1, 0
}

// restartable reports whether a past run can be started again: corral
// started it, and knows its agent or command.
func restartable(r PastRun) bool {
	return r.Kind != registry.KindSidecar && (r.Agent != "" || strings.TrimSpace(r.Command) != "")
}

// startAgain starts a past run's agent or command again, as a new run.
func (m *Model) startAgain(r PastRun) tea.Cmd {
	switch {
	case r.Kind == registry.KindSidecar:
		m.setStatus(fmt.Sprintf("run %d was adopted, not started by corral: it cannot be started again", r.ID))
		return nil
	case r.Agent == "" && strings.TrimSpace(r.Command) == "":
		m.setStatus(fmt.Sprintf("run %d recorded no agent or command: it cannot be started again", r.ID))
		return nil
	}
	w, h := m.paneSize()
	req := Request{Agent: r.Agent, Task: r.Task, Model: r.Model, Dir: r.Dir, Name: r.Name, Env: r.Env, Cols: w, Rows: h}
	if r.Agent == "" {
		req.Command = r.Command
	}
	m.setStatus(fmt.Sprintf("starting run %d again…", r.ID))
	return againCmd(m.launch, req, r.ID)
}

// resumePast resumes the Claude session of a past run, or says why not.
func (m *Model) resumePast(r PastRun) tea.Cmd {
	if why := cannotResume(r.ID, r.Kind, r.SessionID, false); why != "" {
		m.setStatus(why)
		return nil
	}
	return m.resume(r.ID, r.Agent, r.Dir, r.Model, r.SessionID, r.Env)
}

// resumeRun resumes the Claude session of an ended run of the table.
func (m *Model) resumeRun(r registry.ProcessInfo) tea.Cmd {
	if why := cannotResume(r.RunID, r.Kind, r.SessionID, r.Status.Live()); why != "" {
		m.setStatus(why)
		return nil
	}
	env := "" // the variables it was started with (a project file's env)
	if req, ok := m.launch.Request(r.RunID); ok {
		env = req.Env
	}
	return m.resume(r.RunID, r.AgentName, r.ProjectPath, r.Model, r.SessionID, env)
}

// resume starts agent resuming session, with env (as Request.Env) added.
func (m *Model) resume(id int64, agent, dir, model, session, env string) tea.Cmd {
	w, h := m.paneSize()
	m.setStatus(fmt.Sprintf("resuming run %d…", id))
	return againCmd(m.launch, Request{Agent: agent, Dir: dir, Model: model, Resume: session, Resumes: id,
		Env: env, Cols: w, Rows: h}, id)
}

// cannotResume says why a run's conversation cannot be resumed, or "".
func cannotResume(id int64, kind registry.Kind, session string, live bool) string {
	switch {
	case kind != registry.KindClaudeSession:
		return fmt.Sprintf("run %d is a %s, not a Claude session: only a session resumes", id, kind)
	case session == "":
		return fmt.Sprintf("run %d recorded no session id: it cannot be resumed", id)
	case live:
		return fmt.Sprintf("run %d is still running: only an ended session resumes", id)
	}
	return ""
}

// resumable reports whether cannotResume has nothing against it.
func resumable(kind registry.Kind, session string, live bool) bool {
	return cannotResume(0, kind, session, live) == ""
}

// visiblePast is the history view's list: the past runs that are not rows
// of the table, after the filter, as refreshPast last computed it.
func (m *Model) visiblePast() []PastRun { return m.past.visible }

// refreshPast computes the history view's list again. Update calls it when
// what the list depends on changes: the past runs (reselectPast), the
// filter (reselectPast, settle after a paste), the table's rows
// (pastTableChanged).
func (m *Model) refreshPast() {
	p := &m.past
	p.visibleOf = p.filter.Value()
	f := strings.ToLower(strings.TrimSpace(p.visibleOf))
	var out []PastRun
	for _, r := range p.runs {
		i := sort.Search(len(m.runs), func(i int) bool { return m.runs[i].RunID >= r.ID })
		if i < len(m.runs) && m.runs[i].RunID == r.ID {
			continue // the table shows it
		}
		if f != "" {
			hay := strings.ToLower(strings.Join([]string{fmt.Sprint(r.ID), pastName(r), r.Agent, r.Kind.String(),
				r.Command, r.Task, r.Dir, r.Outcome, r.Status, r.Model, r.SessionID}, " "))
			if !strings.Contains(hay, f) {
				continue
			}
		}
		out = append(out, r)
	}
	p.visible = out
}

// pastTableChanged follows a run entering or leaving the table: the
// history view lists a run only while the table does not.
func (m *Model) pastTableChanged() {
	if m.past.open {
		m.refreshPast()
		m.ensurePastVisible()
	}
}

func (m *Model) selectedPast() (PastRun, bool) {
	for _, r := range m.visiblePast() {
		if r.ID == m.past.selected {
			return r, true
		}
	}
	return PastRun{}, false
}

// movePast moves the history's selection by delta rows; moving closes the
// log of the run it leaves.
func (m *Model) movePast(delta int) {
	rows := m.visiblePast()
	if len(rows) == 0 {
		return
	}
	i := pastRow(rows, m.past.selected)
	if i < 0 {
		i = 0
	} else {
		i = min(max(i+delta, 0), len(rows)-1)
	}
	if rows[i].ID != m.past.selected {
		m.past.selected = rows[i].ID
		m.closeLog()
	}
	m.ensurePastVisible()
}

func pastRow(rows []PastRun, id int64) int {
	for i, r := range rows {
		if r.ID == id {
			return i
		}
	}
	return -1
}

// reselectPast keeps the history's selection on a listed run: the same
// one if it is still listed, else the one now at its old row.
func (m *Model) reselectPast() {
	m.refreshPast()
	m.relayout()
	rows := m.visiblePast()
	if pastRow(rows, m.past.selected) < 0 {
		if len(rows) == 0 {
			m.past.selected = 0
		} else {
			m.past.selected = rows[min(m.past.selIndex, len(rows)-1)].ID
		}
		m.closeLog()
	}
	m.ensurePastVisible()
}

// ensurePastVisible scrolls the history's list so that its selection shows.
func (m *Model) ensurePastVisible() {
	p := &m.past
	i := pastRow(p.visible, p.selected)
	if i >= 0 {
		p.selIndex = i
	}
	p.top = keepInView(i, p.top, max(m.layout.tableH-1, 1), len(p.visible))
}

// historyWheel scrolls the open log with the wheel over the pane, and
// moves the selection with the wheel over the list.
func (m *Model) historyWheel(y int, up bool) tea.Cmd {
	l := m.layout
	delta := 1
	if up {
		delta = -1
	}
	switch {
	case y >= l.paneY && l.paneH > 0 && m.past.logRun != 0:
		m.scrollLog(-3 * delta)
	case y >= l.tableY && y < l.tableY+l.tableH && m.mode == modeHistory:
		m.movePast(delta)
	}
	return nil
}

// scrollLog scrolls the log in the pane by delta lines, up when positive.
func (m *Model) scrollLog(delta int) {
	p := &m.past
	_, h := m.paneSize()
	p.scroll = min(max(p.scroll+delta, 0), max(len(p.wrapped)-h, 0))
}

// wrap breaks the log into the pane's lines at width w, after a note on
// what is not there: a long line is wrapped, not cut, so that all of it
// can be read. It does the work again only when the width changed.
func (p *pastView) wrap(w int) {
	if p.logRun == 0 || !p.logLoaded || w == p.wrapWidth {
		return
	}
	w = max(w, 1)
	p.wrapWidth = w
	p.wrapped = p.wrapped[:0]
	var note string
	switch {
	case p.logErr != "":
		note = "✗ the log could not be read: " + p.logErr
	case p.pruned:
		note = "log pruned: the history deleted it to keep its size cap"
	case p.omitted > 0:
		note = fmt.Sprintf("… %s of earlier output left out: corral logs %d shows it all", byteSize(p.omitted), p.logRun)
	case len(p.log) == 0:
		note = "no output recorded"
	}
	if note != "" {
		p.wrapped = append(p.wrapped, strings.Split(ansi.Wrap(note, w, ""), "\n")...)
	}
	p.noteLines = len(p.wrapped)
	for _, s := range p.log {
		p.wrapped = append(p.wrapped, wrapRows(s, w)...) // the lines are safe: no tabs or escapes
	}
}

// byteSize writes a size as people read it: 812 bytes, 3.4 KB, 12.0 MB.
func byteSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d byte%s", n, noun(int(n), "", "s"))
	case n < 1000*1000:
		return fmt.Sprintf("%.1f KB", float64(n)/1000)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f GB", float64(n)/1e9)
}

// safeLine makes a line of a log safe to draw: tabs expanded, control
// characters (C0, DEL, C1) dropped, so that a log can carry no escape
// sequence to the terminal.
func safeLine(s string) string {
	s = expandTabs(s)
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f {
			return -1
		}
		return r
	}, s)
}

// pastName is what the history calls a run: its name, its agent's, else
// its program's.
func pastName(r PastRun) string {
	if r.Name != "" {
		return r.Name
	}
	if r.Agent == "" && strings.TrimSpace(r.Command) == "" {
		return "-"
	}
	return runName(registry.ProcessInfo{AgentName: r.Agent, Command: r.Command})
}
