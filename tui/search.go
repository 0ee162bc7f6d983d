package tui

import (
	"context"
	"math"
	"strconv"
	"strings"

	"corral/registry"
	"corral/search"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// paneFind is the search of the selected run's history (KeyMap.Search):
// the search line, the query it compiles to, and its matches in the
// history the pane holds still meanwhile (snapshot).
type paneFind struct {
	input textinput.Model
	regex bool
	run   int64
	err   string // why the pattern does not compile
	// query is the query of the search in flight or last done; shown is
	// the one whose matches the pane shows.
	query   *search.Query
	shown   *search.Query
	matches search.Matches // in m.snap.lines, oldest first
	cur     int            // the current match; -1: none
	gen     int            // of the search in flight; older results are dropped
	cancel  context.CancelFunc
	busy    bool // a search is in flight
	stale   bool // output arrived meanwhile: search again when it ends
	// want is a line to make the current match once found, read when the
	// output's total was wantTotal and it held wantLen lines (a hit of the
	// search of every run); -1: the newest match.
	want      int
	wantTotal int64
	wantLen   int
}

// snapshot is a run's history, or the rows of its screen, held still in
// the pane while a search or a selection shows it: lines that arrive
// meanwhile do not move what the person reads.
type snapshot struct {
	on     bool
	run    int64
	lines  []string // history lines as the output holds them, or screen rows as rendered
	screen bool     // the rows of the live screen
	total  int64    // the output's Total when taken
	end    int      // one past the last line shown

	// A selection (copy.go): from anchor to cursor, both lines of lines.
	selecting      bool
	anchor, cursor int
	drag, moved    bool // a mouse drag is under way; it has moved
	// read: the history is being read for the selection (V); lines
	// holds what the pane showed meanwhile.
	read *selectRead
}

// foundMsg is the result of the search of one run's history.
type foundMsg struct {
	gen     int
	run     int64
	query   *search.Query
	lines   []string
	total   int64
	matches search.Matches
}

// readOutput returns the lines an output holds and its total, read
// together: again when lines arrived in between, a few times at most.
func readOutput(out *registry.Output) ([]string, int64) {
	var lines []string
	var total int64
	for range 3 {
		total = out.Total()
		lines = out.Lines(0, math.MaxInt)
		if out.Total() == total {
			break
		}
	}
	return lines, total
}

// findCmd searches a run's output for q off the UI loop: a newer search
// cancels ctx, and a cancelled search returns nothing.
func findCmd(ctx context.Context, gen int, run int64, q *search.Query, out *registry.Output) tea.Cmd {
	return func() tea.Msg {
		if ctx.Err() != nil {
			return nil
		}
		lines, total := readOutput(out)
		ms := q.Find(lines)
		if ctx.Err() != nil {
			return nil
		}
		return foundMsg{gen: gen, run: run, query: q, lines: lines, total: total, matches: ms}
	}
}

// openFind opens the search line of the selected run.
func (m *Model) openFind() tea.Cmd {
	sel, ok := m.selectedRun()
	if !ok || m.paneOutput() == nil {
		m.setStatus("no run selected: nothing to search")
		return nil
	}
	m.find = paneFind{input: newSearchInput(), run: sel.RunID, cur: -1, want: -1}
	m.mode = modeFind
	m.setStatus("")
	return tea.Batch(m.find.input.Focus(), m.startFind())
}

// newSearchInput is a search line.
func newSearchInput() textinput.Model { return lineInput("find: ", "text in the output") }

// lineView renders a one-line input. bubbles' textinput shows only the
// first letter of its placeholder when it has no width, and a width pads
// every value to it: an empty input's placeholder is drawn here instead.
func lineView(in textinput.Model, subtle lipgloss.Style) string {
	if in.Value() != "" || in.Placeholder == "" {
		return in.View()
	}
	ph := in.Placeholder
	in.Placeholder = "" // in is a copy
	return in.View() + subtle.Render(ph)
}

// lineInput is a text line of the status line (a search, the save
// prompt), with a steady cursor: the line is redrawn with every result
// that comes, and a blinking one would redraw it twice a second besides.
func lineInput(prompt, placeholder string) textinput.Model {
	in := textinput.New()
	in.Prompt, in.Placeholder = prompt, placeholder
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
	return in
}

// compile reads a search line as a query of its mode: nil and the error's
// text when its pattern does not compile.
func compile(text string, regex bool) (*search.Query, string) {
	mode := search.Plain
	if regex {
		mode = search.Regex
	}
	q, err := search.Compile(text, mode)
	if err != nil {
		return nil, err.Error()
	}
	return q, ""
}

// startFind compiles the search line and searches the run's history with
// it, cancelling the search in flight. An empty line searches too: it
// takes the snapshot the pane shows.
func (m *Model) startFind() tea.Cmd {
	f := &m.find
	q, err := compile(f.input.Value(), f.regex)
	f.err = err
	if q == nil {
		return nil // the pane keeps the last matches; the line shows why
	}
	f.query = q
	return m.searchAgain()
}

// searchAgain searches the run's history for the current query.
func (m *Model) searchAgain() tea.Cmd {
	f := &m.find
	out := m.paneOutput()
	if out == nil || f.query == nil || f.run != m.selected {
		return nil
	}
	if f.cancel != nil {
		f.cancel()
	}
	var ctx context.Context
	ctx, f.cancel = context.WithCancel(context.Background())
	f.gen++
	f.busy, f.stale = true, false
	return findCmd(ctx, f.gen, f.run, f.query, out)
}

// onFound shows a search's result, unless a newer one was asked for.
func (m *Model) onFound(msg foundMsg) tea.Cmd {
	f := &m.find
	if m.mode != modeFind || msg.gen != f.gen || msg.run != f.run || msg.run != m.selected {
		return nil
	}
	f.busy = false
	s := &m.snap
	old, oldLines, oldEnd, oldTotal := *s, len(s.lines), s.end, s.total
	// Lines dropped from the front of the history since the last snapshot
	// (a full ring drops one for each that arrives).
	dropped := max(int(msg.total-oldTotal)-(len(msg.lines)-oldLines), 0)
	*s = snapshot{on: true, run: msg.run, lines: msg.lines, total: msg.total}
	h := max(m.layout.paneH, 1)
	switch {
	case !old.on || old.run != msg.run:
		s.end = len(s.lines) - m.scroll // where the person was reading
		m.scroll, m.newBelow = 0, false // the snapshot holds the place now
	default:
		s.end = oldEnd - dropped
		if oldEnd == oldLines {
			s.end = len(s.lines) // it followed the end: it still does
		}
	}
	s.end = clampEnd(s.end, len(s.lines), h)

	prev := -1
	if f.shown == msg.query && f.cur >= 0 && f.cur < len(f.matches) {
		prev = f.matches[f.cur].Line - dropped // the same match, where it is now
	}
	f.matches, f.shown = msg.matches, msg.query
	switch {
	case f.want >= 0:
		d := max(int(msg.total-f.wantTotal)-(len(msg.lines)-f.wantLen), 0)
		line := f.want - d
		f.want = -1
		if f.cur = f.matches.Index(line); f.cur < 0 {
			f.cur = f.matches.Before(line + 1)
		}
	case prev >= 0:
		if f.cur = f.matches.Index(prev); f.cur < 0 {
			f.cur = f.matches.Before(prev + 1)
		}
	default:
		f.cur = len(f.matches) - 1 // the newest
	}
	if f.cur >= 0 && prev < 0 {
		m.showLine(f.matches[f.cur].Line)
	}
	m.refreshPane()
	if f.stale {
		return m.searchAgain()
	}
	return nil
}

// clampEnd keeps the end of what the pane shows within n lines, and the
// pane full when there are enough.
func clampEnd(end, n, h int) int {
	return min(max(end, min(h, n)), n)
}

// showLine scrolls the snapshot so that line shows, in the middle of the
// pane when it was out of sight.
func (m *Model) showLine(line int) {
	s := &m.snap
	h := max(m.layout.paneH, 1)
	if line < s.end-h || line >= s.end {
		s.end = line + h/2 + 1
	}
	s.end = clampEnd(s.end, len(s.lines), h)
}

// refindOnOutput searches again when the run searched wrote: one search
// in flight at a time, the next when it ends.
func (m *Model) refindOnOutput(id int64) tea.Cmd {
	if m.mode != modeFind || id != m.find.run || m.find.query == nil {
		return nil
	}
	if m.find.busy {
		m.find.stale = true
		return nil
	}
	return m.searchAgain()
}

// findKey handles a key in the search line.
func (m *Model) findKey(msg tea.KeyPressMsg) tea.Cmd {
	k, f := m.keys, &m.find
	switch {
	case key.Matches(msg, k.Cancel):
		m.closeFind()
		return nil
	case pressed(msg, k.PrevMatch, k.NextMatch):
		if len(f.matches) == 0 {
			return nil
		}
		if pressed(msg, k.PrevMatch) {
			f.cur = f.matches.Prev(f.cur)
		} else {
			f.cur = f.matches.Next(f.cur)
		}
		m.showLine(f.matches[f.cur].Line)
		m.refreshPane()
		return nil
	case key.Matches(msg, k.SearchRegex):
		f.regex = !f.regex
		f.input.Prompt = "find: "
		if f.regex {
			f.input.Prompt = "find regex: "
		}
		return m.startFind()
	}
	return m.findInput(msg)
}

// findInput hands a message to the search line and searches again when
// its text changed.
func (m *Model) findInput(msg tea.Msg) tea.Cmd {
	cmd, changed := typeInto(&m.find.input, msg)
	if !changed {
		return cmd
	}
	m.find.want = -1
	return tea.Batch(cmd, m.startFind())
}

// typeInto hands msg to a one-line input and reports whether its text
// changed.
func typeInto(in *textinput.Model, msg tea.Msg) (tea.Cmd, bool) {
	before := in.Value()
	var cmd tea.Cmd
	*in, cmd = in.Update(msg)
	return cmd, in.Value() != before
}

// closeFind ends the search: the pane follows live output again.
func (m *Model) closeFind() {
	if m.find.cancel != nil {
		m.find.cancel()
	}
	m.find = paneFind{}
	m.snap = snapshot{}
	m.mode = modeNormal
	m.scroll, m.newBelow = 0, false
	m.setStatus("")
	m.refreshPane()
}

// findStatus is the status line of the search: the search line, then
// "3 of 17" or why the pattern is wrong.
func (m *Model) findStatus() string {
	f := &m.find
	line := lineView(f.input, m.theme.Subtle)
	switch {
	case f.err != "":
		return line + "  " + m.theme.Error.Render(f.err)
	case f.shown == nil || f.shown.Empty():
		return line
	case len(f.matches) == 0:
		return line + "  " + m.theme.Warn.Render("no match")
	}
	return line + "  " + m.theme.Marker.Render(matchCount(f.cur, len(f.matches)))
}

// matchCount says which match is current: "3 of 17".
func matchCount(cur, n int) string {
	if cur < 0 {
		return "– of " + itoa(n)
	}
	return itoa(cur+1) + " of " + itoa(n)
}

// span is a part of a line drawn in a style: line[start:end], in bytes.
type span struct {
	start, end int
	style      lipgloss.Style
}

// markLine draws a plain line of history as the pane does (tabs
// expanded, control characters dropped) with spans styled, cut to width.
func markLine(s string, spans []span, width int) string {
	var b, seg strings.Builder
	col := 0
	cur := -1 // the span seg is in; -1: none
	flush := func() {
		if seg.Len() == 0 {
			return
		}
		if cur >= 0 {
			b.WriteString(spans[cur].style.Render(seg.String()))
		} else {
			b.WriteString(seg.String())
		}
		seg.Reset()
	}
	si := 0
	for i, r := range s {
		for si < len(spans) && spans[si].end <= i {
			si++
		}
		in := -1
		if si < len(spans) && spans[si].start <= i {
			in = si
		}
		if in != cur {
			flush()
			cur = in
		}
		switch {
		case r == '\t':
			n := 8 - col%8
			seg.WriteString(strings.Repeat(" ", n))
			col += n
		case r < 0x20 || r == 0x7f:
		default:
			seg.WriteRune(r)
			col++
		}
	}
	flush()
	return ansi.Truncate(b.String(), width, "")
}

// drawTake fills the pane when a flow of issue 17 has it: the results of
// the search of every run, or the snapshot of a search or a selection.
// It reports whether it did; refreshPane draws the pane otherwise.
func (m *Model) drawTake() bool {
	if m.layout.paneH <= 0 {
		return false
	}
	if m.mode == modeFindAll {
		m.pane = m.findAllLines(m.layout.paneH)
		return true
	}
	s := &m.snap
	if !s.on || s.run != m.selected {
		return false
	}
	h := m.layout.paneH
	start := max(s.end-h, 0)
	m.pane = make([]string, 0, s.end-start)
	for i := start; i < s.end; i++ {
		m.pane = append(m.pane, m.snapLine(i))
	}
	return true
}

// snapLine draws line i of the snapshot: selected, or with its matches.
func (m *Model) snapLine(i int) string {
	s := &m.snap
	line := s.lines[i]
	if s.selecting && i >= min(s.anchor, s.cursor) && i <= max(s.anchor, s.cursor) {
		text := line
		if s.screen {
			text = ansi.Strip(line)
		}
		text = markLine(text, nil, m.width)
		return m.theme.Selection.Render(text + strings.Repeat(" ", max(m.width-ansi.StringWidth(text), 0)))
	}
	if s.screen {
		return ansi.Truncate(line, m.width, "")
	}
	var spans []span
	if f := &m.find; m.mode == modeFind && f.shown != nil {
		style := m.theme.Match
		if f.cur >= 0 && f.cur < len(f.matches) && f.matches[f.cur].Line == i {
			style = m.theme.CurrentMatch
		}
		for _, r := range f.matches.On(i) {
			spans = append(spans, span{r.Start, r.End, style})
		}
	}
	return markLine(line, spans, m.width)
}

// wheelSnap scrolls the snapshot a search or a selection holds with the
// wheel over the pane; it reports whether it did.
func (m *Model) wheelSnap(y int, up bool) bool {
	s := &m.snap
	l := m.layout
	if !s.on || s.screen || s.run != m.selected || y < l.paneY || l.paneH <= 0 {
		return false
	}
	delta := 3
	if up {
		delta = -3
	}
	s.end = clampEnd(s.end+delta, len(s.lines), l.paneH)
	m.refreshPane()
	return true
}

// takeMarker is what the pane's title says on its right of a search or
// a selection.
func (m *Model) takeMarker() string {
	s := &m.snap
	var out string
	up := len(s.lines) - s.end
	if s.read != nil {
		up += s.read.below // the lines after those held meanwhile
	}
	if s.on && s.run == m.selected && up > 0 {
		out = m.theme.Subtle.Render(linesUp(up))
	}
	switch {
	case m.mode == modeFind && m.find.shown != nil && !m.find.shown.Empty():
		out += m.theme.Marker.Render(" " + matchCount(m.find.cur, len(m.find.matches)) + " ")
	case s.on && s.selecting:
		n := abs(s.cursor-s.anchor) + 1
		out += m.theme.Marker.Render(" " + itoa(n) + noun(n, " line", " lines") + " selected ")
	}
	return out
}

// takeStatus is the status line of a flow of issue 17 that has one: the
// search lines and the save prompt.
func (m *Model) takeStatus() ([]string, bool) {
	switch m.mode {
	case modeFind:
		return []string{m.findStatus()}, true
	case modeFindAll:
		return []string{m.findAllStatus()}, true
	case modeSave:
		return []string{lineView(m.save.input, m.theme.Subtle)}, true
	}
	return nil, false
}

// takeHelp is the help line of the flows of issue 17.
func (m *Model) takeHelp() helpKeys {
	k := m.keys
	switch m.mode {
	case modeFind:
		return helpKeys{k.PrevMatch, k.NextMatch, k.SearchRegex, withHelp(k.Cancel, "end search")}
	case modeFindAll:
		return helpKeys{withHelp(k.Submit, "open"), withHelp(k.Up, "previous"), withHelp(k.Down, "next"),
			k.SearchRegex, k.Cancel}
	case modeSelect:
		return helpKeys{k.Copy, withHelp(k.Up, "line up"), withHelp(k.Down, "line down"), k.PageUp, k.PageDown, k.Cancel}
	case modeSave:
		return helpKeys{withHelp(k.Submit, "save"), k.Cancel}
	}
	return nil
}

// takeModeKey handles a key in a mode of issue 17.
func (m *Model) takeModeKey(msg tea.KeyPressMsg) tea.Cmd {
	switch m.mode {
	case modeFind:
		return m.findKey(msg)
	case modeFindAll:
		return m.findAllKey(msg)
	case modeSelect:
		return m.selectKey(msg)
	case modeSave:
		return m.saveKey(msg)
	}
	return nil
}

// takeKey handles the keys of the run list that start a flow of issue 17.
func (m *Model) takeKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case pressed(msg, k.SearchAll):
		return m.openFindAll()
	case !k.Search.Enabled() && !k.Select.Enabled() && !k.CopyScreen.Enabled() && !k.Save.Enabled():
		m.setStatus("no run selected: " + hints(", ", keyHint{keysOf(k.SearchAll), "searches every run"}))
	case pressed(msg, k.Search):
		return m.openFind()
	case pressed(msg, k.Select):
		return m.startSelect()
	case pressed(msg, k.CopyScreen):
		return m.copyScreen()
	case pressed(msg, k.Save):
		return m.openSave()
	}
	return nil
}

// takeInput hands other messages (cursor blinks, pastes) to the text
// line of a mode of issue 17.
func (m *Model) takeInput(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch m.mode {
	case modeFind:
		return m.findInput(msg)
	case modeFindAll:
		return m.findAllInput(msg)
	case modeSave:
		m.save.input, cmd = m.save.input.Update(msg)
	}
	return cmd
}

// onTake handles the results of the commands of issue 17.
func (m *Model) onTake(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case foundMsg:
		return m.onFound(msg)
	case foundAllMsg:
		m.onFoundAll(msg)
	case pastForFindMsg:
		return m.onPastForFind(msg)
	case clipReadyMsg:
		return m.onClipReady(msg)
	case selectReadMsg:
		return m.onSelectRead(msg)
	case savedMsg:
		m.onSaved(msg)
	}
	return nil
}

// updateTakeKeys enables the bindings of issue 17 in the state the model
// is in (updateKeyStates calls it last).
func (m *Model) updateTakeKeys(normal, hasSel bool) {
	k := &m.keys
	out := normal && hasSel && m.paneOutput() != nil
	for _, s := range []struct {
		b  *key.Binding
		on bool
	}{
		{&k.Search, out}, {&k.Save, out}, {&k.Select, out && m.paneOutput().Len() > 0},
		{&k.CopyScreen, normal && hasSel && len(m.pane) > 0},
		{&k.SearchAll, normal && (len(m.runs) > 0 || m.history != nil)},
		{&k.PrevMatch, m.mode == modeFind && len(m.find.matches) > 0},
		{&k.NextMatch, m.mode == modeFind && len(m.find.matches) > 0},
		{&k.SearchRegex, m.mode == modeFind || m.mode == modeFindAll},
		{&k.Copy, m.mode == modeSelect},
	} {
		s.b.SetEnabled(s.on)
	}
	switch m.mode {
	case modeSelect:
		for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown} {
			b.SetEnabled(true)
		}
	case modeFindAll:
		k.Up.SetEnabled(len(m.findAll.res.Hits) > 1)
		k.Down.SetEnabled(len(m.findAll.res.Hits) > 1)
		k.Submit.SetEnabled(len(m.findAll.res.Hits) > 0)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func abs(n int) int { return max(n, -n) }
