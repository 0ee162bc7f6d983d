package tui

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"corral/internal/cmdname"
	"corral/registry"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
)

// helpLines renders the help; relayout keeps it in the layout.
func (m *Model) helpLines() []string {
	if m.showHelp && m.mode == modeNormal {
		return m.fullHelpLines(m.keys.FullHelp())
	}
	if m.showHelp && m.mode == modeHistory {
		return m.fullHelpLines(m.historyFullHelp())
	}
	return []string{m.shortHelpLine(m.modeHelp().ShortHelp())}
}

func (m *Model) modeHelp() shortHelper {
	k := m.keys
	switch m.mode {
	case modeConfirm:
		return helpKeys{k.Yes, k.No}
	case modeForm:
		return helpKeys{k.Submit, k.Cancel, k.NextField, k.PrevField, k.NextChoice, k.PrevChoice}
	case modeFocus:
		return helpKeys{k.Unfocus}
	case modeFilter:
		return helpKeys{withHelp(k.Submit, "apply"), withHelp(k.Cancel, "clear")}
	case modeAdopt:
		return helpKeys{withHelp(k.Submit, "adopt"), k.Cancel, withHelp(k.Up, "previous"), withHelp(k.Down, "next")}
	case modeHistory:
		return m.historyHelp()
	case modeHistoryFilter:
		return helpKeys{withHelp(k.Submit, "apply"), withHelp(k.Cancel, "clear")}
	case modeFind, modeFindAll, modeSelect, modeSave:
		return m.takeHelp()
	case modeDiff:
		return helpKeys{withHelp(k.Diff, "back"), withHelp(k.Cancel, "back"), k.NextFile, k.PrevFile,
			withHelp(k.Down, "scroll down"), withHelp(k.Up, "scroll up"), k.PageDown, k.PageUp, k.Top, k.Bottom}
	case modeWorktreeAsk:
		return helpKeys{withHelp(k.PrevChoice, "previous"), withHelp(k.NextChoice, "next"), withHelp(k.Submit, "go on"),
			k.Cancel}
	}
	return k
}

type shortHelper interface{ ShortHelp() []key.Binding }

func withHelp(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// View renders the whole screen.
func (m *Model) View() tea.View {
	if m.viewValid {
		return m.view
	}
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "corral"
	v.ReportFocus = true // notifications also come while the terminal is in the background
	v.Cursor = m.cursor()
	m.view, m.viewValid = v, true
	return v
}

// cursor is the terminal's cursor: in focus, where the child's cursor is
// and as it asked for it; else none, since keys go to corral.
func (m *Model) cursor() *tea.Cursor {
	c := m.paneCursor
	if m.mode != modeFocus || m.scroll > 0 || c.Hidden {
		return nil
	}
	l := m.layout
	if c.X < 0 || c.X >= m.width || c.Y < 0 || c.Y >= min(len(m.pane), l.paneH) {
		return nil
	}
	return &tea.Cursor{Position: tea.Position{X: c.X, Y: l.paneY + c.Y}, Shape: tea.CursorShape(c.Shape), Blink: c.Blink}
}

// Render returns the screen as text, exactly width × height at most.
func (m *Model) Render() string {
	if m.width < 1 || m.height < 1 {
		return ""
	}
	l := m.layout
	lines := make([]string, 0, m.height)
	if m.past.open {
		lines = append(lines, m.historyHeader())
		lines = append(lines, m.historyLines(l.tableH)...)
	} else {
		lines = append(lines, m.headerLine())
		if l.banner != "" {
			lines = append(lines, l.banner)
		}
		lines = append(lines, m.tableLines(l.tableH)...)
	}
	if l.paneH > 0 {
		switch {
		case m.past.open:
			lines = append(lines, m.historyPaneTitle())
		default:
			lines = append(lines, m.paneTitle())
		}
		switch {
		case m.past.open:
			lines = append(lines, fit(m.historyPaneLines(l.paneH), l.paneH)...)
		case m.mode == modeForm:
			lines = append(lines, m.formView(l.paneH)...)
		case m.mode == modeAdopt:
			lines = append(lines, fit(m.adoptLines(), l.paneH)...)
		case m.mode == modeDiff:
			lines = append(lines, fit(m.diffPaneLines(l.paneH), l.paneH)...)
		default:
			lines = append(lines, fit(m.pane, l.paneH)...)
		}
	}
	lines = append(lines, l.status...)
	lines = append(lines, l.help...)
	if len(lines) > m.height {
		lines = lines[:m.height]
	}
	for i, s := range lines {
		lines[i] = ansi.Truncate(s, m.width, "")
	}
	return strings.Join(lines, "\n")
}

// fit returns exactly n lines: lines cut or padded with empty ones.
func fit(lines []string, n int) []string {
	out := make([]string, n)
	copy(out, lines)
	return out
}

func (m *Model) headerLine() string {
	if m.mode == modeFilter {
		h := m.theme.Title.Render(m.title) + "  "
		if c := m.shownCount(); c != "" {
			h += m.theme.Warn.Render(c) + "  "
		}
		return h + lineView(m.filter, m.theme.Subtle)
	}
	counts := map[registry.Status]int{}
	for _, r := range m.runs {
		counts[r.Status]++
	}
	parts := []string{m.theme.Running.Render(fmt.Sprintf("%d running", counts[registry.StatusRunning]+counts[registry.StatusStopping]))}
	for _, c := range []struct {
		s     registry.Status
		style func(...string) string
	}{{registry.StatusExited, m.theme.Exited.Render}, {registry.StatusFailed, m.theme.Failed.Render},
		{registry.StatusKilled, m.theme.Killed.Render}, {registry.StatusNotStarted, m.theme.Exited.Render}} {
		if counts[c.s] > 0 {
			parts = append(parts, c.style(fmt.Sprintf("%d %s", counts[c.s], c.s)))
		}
	}
	sep := m.theme.Subtle.Render(" · ")
	h := m.theme.Title.Render(m.title) + "  "
	if states := m.stateCounts(); len(states) > 0 {
		// What waits for the person comes first: a narrow screen cuts the
		// header's end.
		h += strings.Join(states, sep) + m.theme.Subtle.Render(" │ ")
	}
	h += strings.Join(parts, sep)
	if f := m.filter.Value(); f != "" {
		h += m.theme.Warn.Render("  " + m.shownCount() + " · filter: " + f)
	}
	return h
}

// column is one column of a table of T: the runs', or the history's.
type column[T any] struct {
	title string
	min   int // width; flexible columns may grow from it
	flex  int // share of the spare width (0: fixed)
	prio  int // lower is kept longer on narrow screens
	value func(r T, now time.Time) string
}

// runColumn is a column of the table of runs.
type runColumn = column[registry.ProcessInfo]

func (m *Model) columns() []runColumn {
	// STATUS widens for what a run left behind ("exited 0 · 2 left") and
	// for a restart to come ("failed 1 · restart in 6s").
	status := 11
	for _, r := range m.runs {
		if r.Leftover > 0 || r.Pending != (registry.Pending{}) {
			status = max(status, ansi.StringWidth(statusText(r, m.now())))
		}
	}
	// Not so wide that it gives way to the columns after NAME (10 wide):
	// at 40 columns a long one is cut, not left out.
	status = min(status, max(11, m.width-12))
	cols := []runColumn{
		m.idColumn(false),
		{"KIND", 7, 0, 9, func(r registry.ProcessInfo, _ time.Time) string { return r.Kind.String() }},
		{"NAME", 10, 2, 0, func(r registry.ProcessInfo, _ time.Time) string { return runName(r) }},
		{"PID", 7, 0, 3, pidText},
		{"STATUS", status, 0, 1, statusText},
	}
	// STATE, when some run is in a known state, is kept as long as STATUS:
	// at 80 columns MODEL and PROJECT give way to it.
	if w := m.stateColumnWidth(); w > 0 {
		cols = append(cols, runColumn{"STATE", w, 0, 1, stateText})
	}
	cols = append(cols, m.worktreeColumns()...) // BRANCH and CHANGE, for runs in worktrees
	return append(cols,
		runColumn{"MODEL", 8, 0, 7, func(r registry.ProcessInfo, _ time.Time) string { return r.Model }},
		runColumn{"AGE", 5, 0, 4, func(r registry.ProcessInfo, now time.Time) string { return age(r, now) }},
		runColumn{"TASK", 20, 4, 5, func(r registry.ProcessInfo, _ time.Time) string { return oneLine(taskOf(r)) }},
		runColumn{"PROJECT", 10, 2, 8, func(r registry.ProcessInfo, _ time.Time) string { return shortPath(r.ProjectPath) }},
	)
}

// fitColumns keeps the columns that fit the width, by priority, and gives
// the spare width to the flexible ones.
func fitColumns[T any](cols []column[T], width int) []column[T] {
	order := make([]int, len(cols))
	for i := range order {
		order[i] = i
	}
	for i := range order { // insertion sort by priority: ten items
		for j := i; j > 0 && cols[order[j]].prio < cols[order[j-1]].prio; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	keep := make([]bool, len(cols))
	used := 0
	for _, i := range order {
		if w := cols[i].min + 1; used+w <= width || used == 0 {
			keep[i] = true
			used += w
		}
	}
	var out []column[T]
	flex := 0
	for i, c := range cols {
		if keep[i] {
			out = append(out, c)
			flex += c.flex
		}
	}
	spare := width - used
	for i := range out {
		if flex > 0 && out[i].flex > 0 && spare > 0 {
			grow := spare * out[i].flex / flex
			out[i].min += grow
		}
	}
	return out
}

func (m *Model) tableLines(h int) []string {
	if h <= 0 {
		return nil
	}
	cols := m.tableColumns()
	lines := []string{m.theme.TableHeader.Render(headerRow(cols))}
	rows := m.visibleRuns()
	if len(rows) == 0 {
		msg := "no runs yet"
		if h := hints(", ", keyHint{keysOf(m.keys.New), "to start one"},
			keyHint{keysOf(m.keys.Adopt), "to adopt a running process"}); h != "" {
			msg += ": press " + h
		}
		if m.filter.Value() != "" {
			msg = "no run matches the filter"
			if c, f := keysOf(m.keys.Cancel), keysOf(m.keys.Filter); c != "" && f != "" {
				msg += fmt.Sprintf(" (%s in %s clears it)", c, f)
			}
		}
		return append(lines, m.theme.Subtle.Render(msg))
	}
	now := m.now()
	end := min(m.tableTop+h-1, len(rows))
	for _, r := range rows[m.tableTop:end] {
		var b strings.Builder
		if r.RunID == m.selected {
			lines = append(lines, m.selectedRow(r, cols, now))
			continue
		}
		for _, c := range cols {
			v := cell(c.value(r, now), c.min)
			switch c.title {
			case "STATUS":
				v = m.statusStyle(r.Status).Render(v)
			case "STATE":
				v = m.stateStyle(r.Activity.State).Render(v)
			}
			b.WriteString(v + " ")
		}
		lines = append(lines, b.String())
	}
	return lines
}

// cell is a value cut or padded to a column's width.
func cell(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	return s + strings.Repeat(" ", max(w-ansi.StringWidth(s), 0))
}

// headerRow is a table's header line: its columns' titles.
func headerRow[T any](cols []column[T]) string {
	var hdr strings.Builder
	for _, c := range cols {
		hdr.WriteString(cell(c.title, c.min) + " ")
	}
	return hdr.String()
}

func (m *Model) statusStyle(s registry.Status) lipgloss.Style {
	switch s {
	case registry.StatusRunning:
		return m.theme.Running
	case registry.StatusStopping:
		return m.theme.Stopping
	case registry.StatusFailed:
		return m.theme.Failed
	case registry.StatusKilled:
		return m.theme.Killed
	}
	return m.theme.Exited
}

func (m *Model) paneTitle() string {
	if m.mode == modeDiff {
		return m.titleLine(m.diffTitle())
	}
	var left string
	switch {
	case m.mode == modeForm:
		left = " new run "
	case m.mode == modeAdopt:
		left = " adopt a running process "
	case m.mode == modeFindAll:
		left = " search every run's output "
	default:
		if r, ok := m.selectedRun(); ok {
			status := statusText(r, m.now())
			if n := r.Pending.Spent; n > 0 && !r.Status.Live() {
				status += fmt.Sprintf(" (%d of %d)", n, n) // the pane title has room for the limit
			}
			left = fmt.Sprintf(" %d %s · %s ", r.RunID, runName(r), status)
			if st := stateTitle(r); st != "" {
				left += "· " + st + " "
			}
			left += m.worktreeTitle(r.RunID)
			if r.SessionID != "" {
				left += "· session " + r.SessionID + " "
			}
			if r.Resumes != 0 {
				left += fmt.Sprintf("· resumes %d ", r.Resumes)
			}
		} else {
			left = " no run selected "
		}
	}
	var right []string
	if m.raw[m.selected] && m.mode == modeNormal {
		right = append(right, m.theme.Marker.Render(" raw "))
	}
	if m.scroll > 0 {
		right = append(right, m.theme.Subtle.Render(linesUp(m.scroll)))
		if m.newBelow {
			marker := " ↓ new output "
			if h := keysOf(m.keys.Bottom); h != "" {
				marker += "(" + h + ") "
			}
			right = append(right, m.theme.Marker.Render(marker))
		}
	}
	right = append(right, m.zoomMarker(), m.takeMarker())
	if m.mode == modeFocus {
		right = append(right, m.theme.Focused.Render(fmt.Sprintf(" TYPING INTO RUN · %s leaves ", m.keys.Unfocus.Help().Key)))
	}
	// A long detail or session id is cut so that the markers on the right
	// stay in sight.
	return m.titleLine(left, strings.Join(right, ""))
}

// statusLines is the status line; a question too long for one line (with
// its answer keys at its end) wraps over up to maxQuestionLines.
func (m *Model) statusLines() []string {
	if m.mode == modeConfirm || m.mode == modeWorktreeAsk {
		q := m.question()
		lines := strings.Split(ansi.Wrap(q, max(m.width, 1), ""), "\n")
		if m.mode == modeWorktreeAsk {
			lines = m.finishLines()
		}
		if len(lines) > maxQuestionLines {
			// Keep the answer keys, which end the question, in sight.
			lines = append(lines[:maxQuestionLines-1], lines[len(lines)-1])
		}
		for i, s := range lines {
			lines[i] = m.theme.Warn.Render(s)
		}
		return lines
	}
	if s, ok := m.takeStatus(); ok { // a search line, the save prompt
		return s
	}
	if m.statusErr {
		return []string{m.theme.Error.Render(m.status)}
	}
	return []string{m.theme.Status.Render(m.status)}
}

// linesUp is the mark of a view scrolled n lines back: " 3 lines up ".
func linesUp(n int) string {
	return " " + itoa(n) + " line" + noun(n, "", "s") + " up "
}

// screenTop is the first row of a screen of lines to show in a pane h
// rows high: 0 when it fits, else the rows that end with the cursor's row
// or the last row with text, whichever is lower. A screen is taller than
// its pane for a moment (a question takes rows) or for good (an ended run
// keeps the size it ended at): its newest rows stay in sight, as the
// cursor does in a terminal.
func screenTop(lines []string, cursorY, h int) int {
	if len(lines) <= h {
		return 0
	}
	end := min(max(cursorY+1, 0), len(lines))
	for i := len(lines) - 1; i >= end; i-- {
		if strings.TrimSpace(ansi.Strip(lines[i])) != "" {
			end = i + 1
			break
		}
	}
	return max(end-h, 0)
}

// refreshPane rebuilds the cached pane lines of the selected run. Update
// calls it; which screen is visible is syncVisibility's business.
func (m *Model) refreshPane() {
	m.paneDirty = false
	l := m.layout
	m.pane = nil
	m.paneCursor = uv.Cursor{Hidden: true}
	if m.drawTake() { // a search, a selection (search.go)
		return
	}
	if l.paneH <= 0 || m.selected == 0 {
		return
	}
	out, scr := m.paneSource()
	if m.scroll == 0 && scr != nil {
		lines := strings.Split(scr.Render(), "\n")
		m.paneCursor = scr.Cursor()
		top := screenTop(lines, m.paneCursor.Y, l.paneH)
		m.pane = lines[top:min(len(lines), top+l.paneH)]
		m.paneCursor.Y -= top
		for i, s := range m.pane {
			m.pane[i] = ansi.Truncate(s, m.width, "")
		}
		if out != nil {
			m.seenTotal = out.Total()
		}
		return
	}
	if out == nil {
		return
	}
	if out.Len() == 0 && m.launch.Screen(m.selected) == nil {
		s := "An adopted process: corral does not see its output."
		if h := hints(", ", keyHint{keysOf(m.keys.Kill), "kills it"},
			keyHint{keysOf(m.keys.Unregister), "drops it"}); h != "" {
			s += " " + h + "."
		}
		m.pane = []string{m.theme.Subtle.Render(s)}
		return
	}
	m.pane = m.historyRows(out, l.paneH) // long lines wrapped
	if m.scroll == 0 {
		m.seenTotal = out.Total()
	}
}

// expandTabs replaces tabs with spaces to the next multiple of eight, and
// drops other control characters, so widths are what they seem.
func expandTabs(s string) string {
	if !strings.ContainsAny(s, "\t\x1b") {
		return s
	}
	var b strings.Builder
	col := 0
	for _, r := range s {
		switch {
		case r == '\t':
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
		case r < 0x20:
		default:
			b.WriteRune(r)
			col++
		}
	}
	return b.String()
}

// pidText is the PID column: "-" for a run that never had a process.
func pidText(r registry.ProcessInfo, _ time.Time) string {
	if r.PID == 0 {
		return "-"
	}
	return fmt.Sprint(r.PID)
}

// statusText is the STATUS cell: running, a countdown while stopping, or how
// the run ended, with what it left running and what its restart policy has
// in store ("failed TERM · restart in 6s").
func statusText(r registry.ProcessInfo, now time.Time) string {
	s := lifeText(r, now)
	if r.Status.Live() {
		return s
	}
	if r.Leftover > 0 {
		s += fmt.Sprintf(" · %d left", r.Leftover)
	}
	switch p := r.Pending; {
	case !p.At.IsZero():
		if left := p.At.Sub(now); left > 0 {
			s += " · restart in " + shortDuration(left+time.Second-1) // rounded up: 0s only when it is due
		} else {
			s += " · restarting"
		}
	case p.Spent > 0:
		s += " · no more restarts"
	}
	return s
}

// lifeText says how the run's own process stands.
func lifeText(r registry.ProcessInfo, now time.Time) string {
	switch r.Status {
	case registry.StatusStopping:
		left := r.KillDeadline.Sub(now)
		if left <= 0 {
			return "killing"
		}
		return fmt.Sprintf("stopping %ds", int((left+time.Second-1)/time.Second))
	case registry.StatusExited:
		if r.Exit.Code < 0 && r.Exit.Signal == 0 {
			return "exited"
		}
		return "exited " + r.Exit.String()
	case registry.StatusFailed:
		return "failed " + strings.TrimPrefix(r.Exit.String(), "SIG")
	case registry.StatusKilled:
		if r.Exit.Signal != 0 {
			return "killed " + strings.TrimPrefix(r.Exit.String(), "SIG")
		}
		return "killed"
	}
	return r.Status.String()
}

func age(r registry.ProcessInfo, now time.Time) string {
	end := now
	if !r.EndedAt.IsZero() {
		end = r.EndedAt
	}
	return shortDuration(end.Sub(r.StartedAt))
}

// runName is a short name for a run: the name it was given, its agent's,
// else that of the first real program of its command (cmdname).
func runName(r registry.ProcessInfo) string {
	switch {
	case r.Name != "":
		return r.Name
	case r.AgentName != "":
		return r.AgentName
	}
	if name := cmdname.Name(r.Command); name != "" {
		return name
	}
	return fmt.Sprintf("pid %d", r.PID)
}

// taskOf is the TASK cell: the run's task, the run it resumes, or its
// command.
func taskOf(r registry.ProcessInfo) string {
	switch {
	case r.Task != "":
		return r.Task
	case r.Resumes != 0:
		return fmt.Sprintf("resumes %d", r.Resumes)
	}
	return r.Command
}

// oneLine puts text of several lines (a task) on one, each line break and
// tab a single space; spaces within a line are kept, as a quoted argument
// has them ('a   b').
func oneLine(s string) string {
	var parts []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r != ' ' && unicode.IsSpace(r) }) {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " ")
}

// shortPath shows a path under the home directory with ~.
func shortPath(p string) string { return tildePath(p, homeDir) }

// tildePath replaces home at the start of p with ~, at a path component's
// boundary only: with home /home/al, /home/alice stays as it is.
func tildePath(p, home string) string {
	home = strings.TrimRight(home, "/")
	if home == "" { // no home, or / (every path would start with ~)
		return p
	}
	if p == home || strings.HasPrefix(p, home+"/") {
		return "~" + p[len(home):]
	}
	return p
}
