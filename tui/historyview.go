package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"corral/internal/cmdname"
)

// historyHeader is the header line of the history view.
func (m *Model) historyHeader() string {
	h := m.theme.Title.Render(m.title) + "  "
	if m.mode == modeHistoryFilter {
		return h + lineView(m.past.filter, m.theme.Subtle)
	}
	h += m.theme.PaneTitle.Render("history")
	if m.past.loaded {
		n := len(m.visiblePast())
		h += m.theme.Subtle.Render(fmt.Sprintf(" · %d past run%s", n, noun(n, "", "s")))
	}
	if f := m.past.filter.Value(); f != "" {
		h += m.theme.Warn.Render("  filter: " + f)
	}
	return h
}

// pastColumns are the history list's columns, in the table's manner.
func (m *Model) pastColumns() []column[PastRun] {
	cols := []column[PastRun]{
		{"ID", 7, 0, 2, func(r PastRun, _ time.Time) string { return fmt.Sprint(r.ID) }},
		{"KIND", 7, 0, 7, func(r PastRun, _ time.Time) string { return r.Kind.String() }},
		{"NAME", 8, 2, 0, func(r PastRun, _ time.Time) string { return pastName(r) }},
		{"STATUS", 11, 0, 1, func(r PastRun, _ time.Time) string { return outcome(r) }},
		{"STARTED", 12, 0, 3, func(r PastRun, now time.Time) string { return when(r.StartedAt, now) }},
		{"TOOK", 5, 0, 4, func(r PastRun, _ time.Time) string { return took(r) }},
	}
	for _, r := range m.past.runs {
		if r.CostUSD > 0 {
			cols = append(cols, column[PastRun]{"COST", 7, 0, 6, func(r PastRun, _ time.Time) string {
				if r.CostUSD <= 0 {
					return ""
				}
				return fmt.Sprintf("$%.2f", r.CostUSD)
			}})
			break
		}
	}
	return append(cols,
		column[PastRun]{"TASK", 10, 4, 5, func(r PastRun, _ time.Time) string { return oneLine(pastTask(r)) }},
		column[PastRun]{"PROJECT", 10, 2, 8, func(r PastRun, _ time.Time) string { return shortPath(r.Dir) }},
	)
}

// outcome is the STATUS cell of a past run: how it ended.
func outcome(r PastRun) string {
	if r.Outcome != "" {
		return r.Outcome
	}
	return r.Status
}

// pastTask is the TASK cell of a past run: its task, else its command.
func pastTask(r PastRun) string {
	if r.Task != "" {
		return r.Task
	}
	return pastCommand(r)
}

// pastCommand is a past run's command line as it was typed, as the table
// of runs shows it: a line that ran as `$SHELL -c line` shows as line.
// r.Command stays the argv that ran, which starting it again runs.
func pastCommand(r PastRun) string { return cmdname.TypedLine(r.Command) }

// took is how long a past run ran, "-" when it has no end.
func took(r PastRun) string {
	if r.EndedAt.IsZero() || r.StartedAt.IsZero() {
		return "-"
	}
	return shortDuration(r.EndedAt.Sub(r.StartedAt))
}

// when writes a time as short as it can be read: the hour today, the day
// and hour this year, else the date; in the clock's zone.
func when(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	t = t.In(now.Location())
	switch {
	case t.Year() == now.Year() && t.YearDay() == now.YearDay():
		return t.Format("15:04")
	case t.Year() == now.Year():
		return t.Format("Jan 2 15:04")
	}
	return t.Format("2006-01-02")
}

func (m *Model) outcomeStyle(r PastRun) interface{ Render(...string) string } {
	switch r.Status {
	case "running":
		return m.theme.Running
	case "failed":
		return m.theme.Failed
	case "killed":
		return m.theme.Killed
	case "lost":
		return m.theme.Warn
	}
	return m.theme.Exited
}

// historyLines is the history view's list of past runs, h lines high.
func (m *Model) historyLines(h int) []string {
	if h <= 0 {
		return nil
	}
	cols := fitColumns(m.pastColumns(), m.width)
	lines := []string{m.theme.TableHeader.Render(headerRow(cols))}
	rows := m.visiblePast()
	if len(rows) == 0 {
		msg := "loading…"
		switch {
		case !m.past.loaded:
		case m.past.filter.Value() != "":
			msg = "no past run matches the filter"
			if c, f := keysOf(m.keys.Cancel), keysOf(m.keys.Filter); c != "" && f != "" {
				msg += fmt.Sprintf(" (%s in %s clears it)", c, f)
			}
		default:
			msg = "no past runs: the runs of this corral that are still listed stay in its table"
		}
		return append(lines, m.theme.Subtle.Render(msg))
	}
	// Update keeps the selection in view (settle); the view only reads.
	top := min(m.past.top, len(rows))
	now := m.now()
	end := min(top+max(h-1, 1), len(rows))
	for _, r := range rows[top:end] {
		var b strings.Builder
		selected := r.ID == m.past.selected
		for _, c := range cols {
			v := cell(c.value(r, now), c.min)
			if c.title == "STATUS" && !selected {
				v = m.outcomeStyle(r).Render(v)
			}
			b.WriteString(v + " ")
		}
		row := b.String()
		if selected {
			row += strings.Repeat(" ", max(m.width-ansi.StringWidth(row), 0))
			row = m.theme.Selected.Render(row)
		}
		lines = append(lines, row)
	}
	return lines
}

// historyPaneTitle is the pane's title line in the history view.
func (m *Model) historyPaneTitle() string {
	p := &m.past
	left := " no past run selected "
	if r, ok := m.selectedPast(); ok {
		left = fmt.Sprintf(" %d %s · %s ", r.ID, pastName(r), outcome(r))
		if p.logRun == r.ID {
			left += "· log "
		}
	}
	var right string
	if p.logRun != 0 && p.scroll > 0 {
		right = m.theme.Subtle.Render(linesUp(p.scroll))
	}
	return m.titleLine(left, right)
}

// titleLine draws a pane title: left after a short rule, right at the end;
// left is cut so that right stays in sight.
func (m *Model) titleLine(left, right string) string {
	if room := m.width - 3 - ansi.StringWidth(right); ansi.StringWidth(left) > room {
		left = ansi.Truncate(left, max(room-1, 0), "…") + " "
	}
	fill := m.width - 2 - ansi.StringWidth(left) - ansi.StringWidth(right)
	return m.theme.PaneBorder.Render("──") + m.theme.PaneTitle.Render(left) +
		m.theme.PaneBorder.Render(strings.Repeat("─", max(fill, 0))) + right
}

// historyPaneLines is the pane in the history view, h lines: the open
// log, scrolled; else what is known of the selected run and what the keys
// do with it.
func (m *Model) historyPaneLines(h int) []string {
	p := &m.past
	t := m.theme
	r, ok := m.selectedPast()
	switch {
	case !ok:
		return nil
	case p.logRun == r.ID && !p.logLoaded:
		return []string{t.Subtle.Render("loading the log…")}
	case p.logRun == r.ID:
		// A resize may have left fewer lines than the scroll was from.
		end := len(p.wrapped) - min(p.scroll, max(len(p.wrapped)-h, 0))
		start := max(end-h, 0)
		lines := make([]string, 0, end-start)
		for i := start; i < end; i++ {
			s := p.wrapped[i]
			if i < p.noteLines {
				s = t.Subtle.Render(s)
			}
			lines = append(lines, s)
		}
		return lines
	}
	var lines []string
	field := func(label, value string) {
		if value != "" {
			lines = append(lines, t.FormLabel.Render(fmt.Sprintf(" %-9s", label))+" "+value)
		}
	}
	if r.Agent != "" {
		field("agent", r.Agent)
	}
	field("command", oneLine(pastCommand(r)))
	field("task", oneLine(r.Task))
	field("directory", shortPath(r.Dir))
	field("model", r.Model)
	field("session", r.SessionID)
	span := when(r.StartedAt, m.now())
	if !r.EndedAt.IsZero() {
		span += " – " + when(r.EndedAt, m.now()) + " (" + took(r) + ")"
	}
	field("ran", span+" · "+outcome(r))
	var usage []string
	if r.CostUSD > 0 {
		usage = append(usage, fmt.Sprintf("$%.2f", r.CostUSD))
	}
	if r.Tokens > 0 {
		usage = append(usage, fmt.Sprintf("%d tokens", r.Tokens))
	}
	if r.Turns > 0 {
		usage = append(usage, fmt.Sprintf("%d turn%s", r.Turns, noun(r.Turns, "", "s")))
	}
	field("usage", strings.Join(usage, " · "))
	k := m.keys
	// What the keys would do with this run, whatever the mode (a question
	// may be asked meanwhile).
	hs := []keyHint{{keysOf(k.Submit), "opens its log"}}
	if restartable(r) {
		hs = append(hs, keyHint{keysOf(k.Restart), "runs it again"})
	}
	if resumable(r.Kind, r.SessionID, false) {
		hs = append(hs, keyHint{keysOf(k.Resume), "resumes the session"})
	}
	hs = append(hs, keyHint{keysOf(k.Delete), "deletes it"})
	lines = append(lines, "", t.FormHint.Render(" "+hints(" · ", hs...)))
	return lines
}

// historyHelp is the short help of the history view.
func (m *Model) historyHelp() helpKeys {
	k := m.keys
	back := withHelp(k.Cancel, "back")
	if m.past.logRun != 0 {
		back = withHelp(k.Cancel, "close log")
	}
	// Back comes early: it is what a person in a view they opened needs.
	return helpKeys{withHelp(k.Submit, "open log"), back, withHelp(k.Restart, "run again"), k.Resume, k.Delete,
		k.Filter, k.Help, k.Up, k.Down}
}

// historyFullHelp is the help that the help key shows in the history view.
func (m *Model) historyFullHelp() [][]key.Binding {
	k := m.keys
	top, bottom := withHelp(k.Top, "first"), withHelp(k.Bottom, "last")
	if m.past.logRun != 0 {
		top, bottom = withHelp(k.Top, "log's start"), withHelp(k.Bottom, "log's end")
	}
	back := withHelp(k.Cancel, "back")
	if m.past.logRun != 0 {
		back = withHelp(k.Cancel, "close log")
	}
	return [][]key.Binding{
		{k.Up, k.Down, k.First, k.Last, k.Help},
		{k.PageUp, k.PageDown, k.LineUp, k.LineDown, top, bottom},
		{withHelp(k.Submit, "open log"), withHelp(k.Restart, "run again"), k.Resume, k.Delete},
		{k.Filter, back, withHelp(k.History, "back to runs"), withHelp(k.Quit, "back to runs")},
	}
}
