package tui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"

	"corral/registry"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"
)

// Update handles one message. It does no IO: registry and launcher calls
// run in the commands it returns.
func (m *Model) Update(msg tea.Msg) (_ tea.Model, cmd tea.Cmd) {
	if o, ok := msg.(outputMsg); ok && o.id != m.selected {
		// Output of a run that is not shown changes nothing on screen: keep
		// the view (a flooding run sends hundreds of these a second).
		return m, waitEvent(m.events)
	}
	m.viewValid = false
	// Deferred first, so that it runs last: the layout and the visible
	// screen follow the state the message left.
	defer m.settle()
	defer m.updateKeyStates()
	defer func() { cmd = tea.Batch(cmd, m.expireStatus()) }()
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		m.relayout()
		m.ensureVisible()
		m.refreshPane()
		return m, tea.Batch(m.resizeAll(), m.rewrapDiff())
	case runEventMsg:
		if msg.ev.Kind == registry.EventWarning { // beside a run: its row stays as it is
			m.setError(errors.New(msg.ev.Message))
			return m, waitEvent(m.events)
		}
		return m, tea.Batch(waitEvent(m.events), m.applyEvent(msg.ev))
	case outputMsg:
		return m, tea.Batch(waitEvent(m.events), m.onOutput(msg.id), m.refindOnOutput(msg.id))
	case eventsClosedMsg:
		return m, nil
	case frameMsg:
		m.frameQueued = false
		if m.paneDirty {
			m.drawPane()
		}
		return m, nil
	case tickMsg:
		if msg.gen == m.tickGen {
			m.ticking = false
		}
		return m, m.tickIfNeeded()
	case killedMsg:
		switch {
		case msg.err != nil:
			m.setError(fmt.Errorf("kill run %d: %w", msg.id, msg.err))
		case msg.gone:
			m.setStatus(fmt.Sprintf("run %d stopped: nothing of it is left running", msg.id))
		default:
			m.setStatus(fmt.Sprintf("run %d is not registered", msg.id))
		}
		return m, nil
	case unregisteredMsg:
		if msg.err != nil {
			m.setError(msg.err)
		}
		return m, nil
	case launchedMsg:
		return m, m.onLaunched(msg)
	case cleanedMsg:
		if len(msg.ids) == 0 {
			m.setStatus("nothing to clean up")
			return m, nil
		}
		m.setStatus(fmt.Sprintf("cleaned up %d ended run%s", len(msg.ids), noun(len(msg.ids), "", "s")))
		return m, nil
	case stoppedMsg, restartedMsg, killedShownMsg:
		m.onStopStart(msg)
		return m, nil
	case statusExpiredMsg:
		m.onStatusExpired(msg)
		return m, nil
	case adoptedMsg:
		if msg.err != nil {
			m.adopt.err = msg.err.Error()
			return m, nil
		}
		m.adopted(msg.pid)
		m.mode = modeNormal
		m.selectRun(msg.id)
		m.setStatus(fmt.Sprintf("adopted pid %d as run %d", msg.pid, msg.id))
		return m, nil
	case candidatesMsg:
		m.adopt.setCandidates(m.withOrphans(msg.list))
		return m, nil
	case pastLoadedMsg:
		m.onPastLoaded(msg)
		return m, nil
	case pastLogMsg:
		m.onPastLog(msg)
		m.jumpInLog(msg.id) // a hit of the search of every run (findall.go)
		return m, nil
	case foundMsg, foundAllMsg, pastForFindMsg, clipReadyMsg, savedMsg, selectReadMsg: // search, copy, save
		return m, m.onTake(msg)
	case forgottenMsg:
		return m, m.onForgotten(msg)
	case wtTickMsg:
		return m, m.onWorktreeTick()
	case wtMeasuredMsg:
		return m, m.onMeasured(msg)
	case repoCheckMsg:
		return m, m.onRepoCheck(msg)
	case repoFoundMsg:
		return m, m.onRepoFound(msg)
	case diffLoadedMsg:
		return m, m.onDiffLoaded(msg)
	case diffWrappedMsg:
		m.onDiffWrapped(msg)
		return m, nil
	case lossMsg:
		return m, m.onLoss(msg)
	case worktreesRemovedMsg:
		m.onWorktreesRemoved(msg)
		return m, nil
	case startQuitMsg:
		ctx, cancel := context.WithCancel(context.Background())
		m.quitting, m.quitStop = true, cancel
		m.setStatus(fmt.Sprintf("stopping %d run%s… (%s again: SIGKILL now)", msg.live, noun(msg.live, "", "s"),
			m.keys.Quit.Help().Key))
		return m, tea.Batch(quitCmd(m.reg, ctx), m.tickIfNeeded())
	case inputSentMsg:
		m.sending = false
		return m, m.flushInput()
	case quitReadyMsg:
		if m.quitStop != nil {
			m.quitStop()
		}
		return m, tea.Quit
	case tea.FocusMsg:
		m.blurred = false
		return m, nil
	case tea.BlurMsg:
		m.blurred = true
		return m, nil
	case tea.ForegroundColorMsg, tea.BackgroundColorMsg:
		m.onHostColor(msg)
		return m, nil
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	case tea.PasteMsg:
		return m, m.onPaste(msg)
	case tea.MouseWheelMsg:
		return m, m.onWheel(msg)
	case tea.MouseClickMsg:
		if !m.dragStart(msg) { // a selection in the pane (copy.go)
			m.onClick(msg)
		}
		return m, nil
	case tea.MouseMotionMsg, tea.MouseReleaseMsg:
		return m, m.onDrag(msg)
	}
	return m, m.forwardToInput(msg)
}

// applyEvent folds a lifecycle event into the table.
func (m *Model) applyEvent(e registry.Event) tea.Cmd {
	i := sort.Search(len(m.runs), func(i int) bool { return m.runs[i].RunID >= e.RunID })
	found := i < len(m.runs) && m.runs[i].RunID == e.RunID
	var cmd tea.Cmd
	switch {
	case e.Kind == registry.EventUnregistered:
		if found {
			m.runs = append(m.runs[:i], m.runs[i+1:]...)
			m.pastTableChanged()
		}
		delete(m.raw, e.RunID) // the view's per-run state goes with the run
		m.forgetNotices(e.RunID)
		if m.mode == modeDiff && m.diff.run == e.RunID {
			m.closeDiff()
		}
		if e.RunID == m.selected {
			m.selected = 0
			m.reselect()
		}
	case found:
		cmd = m.noticeFor(m.runs[i], e.Info)
		old := m.runs[i]
		m.runs[i] = e.Info
		cmd = tea.Batch(cmd, m.worktreeChanged(old, e.Info))
		if e.Kind == registry.EventRestarted {
			cmd = tea.Batch(cmd, m.onRestarted(e.RunID))
		}
	default:
		m.runs = append(m.runs, registry.ProcessInfo{})
		copy(m.runs[i+1:], m.runs[i:])
		m.runs[i] = e.Info
		m.pastTableChanged()
		if m.selected == 0 {
			m.selected = e.RunID
		}
		m.relayout() // the new row may take one from the pane
		if s := m.launch.Screen(e.RunID); s != nil {
			w, h := m.paneSize()
			cmd = resizeCmd([]Screen{s}, w, h)
		}
		cmd = tea.Batch(cmd, m.pollWorktrees())
	}
	if e.RunID == m.selected {
		m.paneDirty = true
		m.refreshPane()
	}
	if m.mode == modeFocus && !m.selectedLive() {
		// Keys typed for the child in the next moment must not act on
		// corral (ctrl+c would quit, r restart, k kill).
		m.mode = modeNormal
		m.keysPausedUntil, m.pausedRun = m.now().Add(keysPause), m.selected
		m.setStatus(fmt.Sprintf("run %d ended: focus left · keys paused for a second", m.selected))
	}
	m.ensureVisible()
	return tea.Batch(cmd, m.tickIfNeeded())
}

// onOutput marks the pane for the next frame when the selected run wrote.
func (m *Model) onOutput(id int64) tea.Cmd {
	if id != m.selected {
		return nil
	}
	if m.scroll > 0 {
		// Keep a scrolled-back view still while lines arrive below it.
		if out := m.paneOutput(); out != nil {
			total := out.Total()
			m.scroll += int(total - m.seenTotal)
			m.scrollSub.at += int(total - m.seenTotal)
			m.seenTotal = total
		}
		m.newBelow = true
	}
	m.paneDirty = true
	if m.frameQueued {
		return nil
	}
	if wait := frameWait(m.now().Sub(m.lastFrame)); wait > 0 {
		m.frameQueued = true
		return frameCmd(wait)
	}
	m.drawPane()
	return nil
}

// frameWait is how long output that came since after the last frame waits
// to be drawn: output after a quiet frame (a keystroke's echo) is drawn at
// once; output that keeps coming (within a frame of the last) is drawn 30
// times a second.
func frameWait(since time.Duration) time.Duration {
	if since < frameInterval {
		return floodInterval - since
	}
	return 0
}

// drawPane redraws the pane for output that arrived.
func (m *Model) drawPane() {
	m.refreshPane()
	m.lastFrame = m.now()
}

func (m *Model) onLaunched(msg launchedMsg) tea.Cmd {
	if msg.err != nil {
		if msg.form && m.mode == modeForm {
			m.form.setError(msg.err)
			return nil
		}
		if msg.again != 0 {
			what := "started again"
			if msg.resumed {
				what = "resumed"
			}
			m.setError(fmt.Errorf("run %d not %s: %w", msg.again, what, msg.err))
			return nil
		}
		m.setError(msg.err)
		return nil
	}
	if msg.form {
		m.mode = modeNormal
	}
	if msg.again != 0 && (m.mode == modeHistory || m.mode == modeHistoryFilter) {
		m.closeHistory() // the new run is in the table
	}
	m.selectRun(msg.id)
	switch {
	case msg.resumed:
		m.setStatus(fmt.Sprintf("run %d resumes run %d", msg.id, msg.again))
	case msg.again != 0:
		m.setStatus(fmt.Sprintf("run %d started again as run %d", msg.again, msg.id))
	default:
		m.setStatus(fmt.Sprintf("started run %d", msg.id))
	}
	return nil
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.now().Before(m.keysPausedUntil) {
		m.setStatus(fmt.Sprintf("run %d ended: keys paused (%s was meant for it)", m.pausedRun, msg.String()))
		return nil
	}
	switch m.mode {
	case modeFocus:
		return m.focusKey(msg)
	case modeConfirm:
		switch {
		case key.Matches(msg, m.keys.Yes):
			m.mode = m.confirm.back
			m.status = ""
			return m.confirm.yes
		case key.Matches(msg, m.keys.No), key.Matches(msg, m.keys.Quit):
			m.mode = m.confirm.back
			m.setStatus("cancelled")
		}
		return nil
	case modeForm:
		return m.formKey(msg)
	case modeFilter:
		return m.filterKey(msg)
	case modeAdopt:
		return m.adoptKey(msg)
	case modeFind, modeFindAll, modeSelect, modeSave:
		return m.takeModeKey(msg)
	case modeDiff:
		return m.diffKey(msg)
	case modeWorktreeAsk:
		return m.finishKey(msg)
	}
	if m.quitting {
		if key.Matches(msg, m.keys.Quit) && m.quitStop != nil {
			m.quitStop() // a second quit skips the grace period
			m.setStatus("killing every run now (SIGKILL)…")
		}
		return nil
	}
	if m.mode == modeHistory {
		return m.historyKey(msg)
	}
	if m.mode == modeHistoryFilter {
		return m.historyFilterKey(msg)
	}
	return m.normalKey(msg)
}

func (m *Model) normalKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	sel, hasSel := m.selectedRun()
	switch {
	case key.Matches(msg, k.Quit):
		return m.askQuit(msg)
	case key.Matches(msg, k.Help):
		m.showHelp, m.helpTop = !m.showHelp, 0
		m.relayout()
		m.ensureVisible()
		m.refreshPane()
	case key.Matches(msg, k.Up):
		m.moveSelection(-1)
	case key.Matches(msg, k.Down):
		m.moveSelection(1)
	case key.Matches(msg, k.First):
		m.moveSelection(-len(m.runs))
	case key.Matches(msg, k.Last):
		m.moveSelection(len(m.runs))
	case m.helpScrolls() && pressed(msg, k.PageUp, k.PageDown):
		m.scrollHelp(pressed(msg, k.PageDown))
	case key.Matches(msg, k.PageUp):
		_, h := m.paneSize()
		m.scrollPane(max(h-1, 1))
	case key.Matches(msg, k.PageDown):
		_, h := m.paneSize()
		m.scrollPane(-max(h-1, 1))
	case key.Matches(msg, k.LineUp):
		m.scrollPane(1)
	case key.Matches(msg, k.LineDown):
		m.scrollPane(-1)
	case key.Matches(msg, k.Top):
		m.scrollPane(scrollAll)
	case key.Matches(msg, k.Bottom):
		m.scrollPane(-scrollAll)
	case key.Matches(msg, k.New):
		m.openForm()
		return tea.Batch(m.form.focusCmd(), m.checkRepo())
	case key.Matches(msg, k.Filter):
		m.mode = modeFilter
		return m.filter.Focus()
	case key.Matches(msg, k.Cleanup):
		if m.askCleanup() { // what becomes of their worktrees (worktree.go)
			return nil
		}
		return cleanupCmd(m.reg)
	case pressed(msg, k.Attention): // disabled, it says why it goes nowhere
		m.jumpToWaiting()
	case pressed(msg, k.History):
		return m.openHistory()
	case key.Matches(msg, k.Cancel) && (m.showHelp || m.filter.Value() != ""):
		m.cancelHelpOrFilter()
	case key.Matches(msg, k.Cancel) && m.banner() != "":
		m.bannerOff = true
		m.setStatus("banner hidden: " + hints("", keyHint{keysOf(k.Adopt), "still lists them"}))
	case key.Matches(msg, k.Adopt):
		m.mode = modeAdopt
		m.adopt = newAdoptList(m.keys, m.width)
		m.setStatus("")
		return tea.Batch(candidatesCmd(m.launch), m.adopt.input.Focus())
	case pressed(msg, k.Search, k.SearchAll, k.Select, k.CopyScreen, k.Save):
		return m.takeKey(msg)
	case pressed(msg, k.Zoom):
		return m.toggleZoom()
	case pressed(msg, k.KillShown): // disabled, it says why not
		return m.killShown()
	case !hasSel:
		if pressed(msg, k.Kill, k.Unregister, k.Restart, k.Focus, k.Raw, k.Resume, k.Stop, k.Start, k.Diff) {
			s := "no run selected"
			if h := hint(k.New); h != "" {
				s += fmt.Sprintf(": press %s to start one", h)
			}
			m.setStatus(s)
		}
	case key.Matches(msg, k.Kill) && !sel.Status.Live():
		// Enabled on an ended run only for what it left running.
		m.askMore(fmt.Sprintf("Kill what run %d (%s) left running (%d %s)?", sel.RunID, runName(sel), sel.Leftover,
			noun(sel.Leftover, "process", "processes")), killSignals(sel), killCmd(m.reg, sel.RunID))
	case pressed(msg, k.Kill) && !k.Kill.Enabled():
		m.setStatus(fmt.Sprintf("run %d has already ended (%s)", sel.RunID, statusText(sel, m.now())))
	case key.Matches(msg, k.Kill):
		m.askMore(fmt.Sprintf("Kill run %d (%s, pid %d)?", sel.RunID, runName(sel), sel.PID),
			killSignals(sel), killCmd(m.reg, sel.RunID))
	case key.Matches(msg, k.Unregister) && m.askUnregister(sel): // its worktree (worktree.go)
	case key.Matches(msg, k.Unregister):
		q := fmt.Sprintf("Remove run %d (%s) from the list?", sel.RunID, runName(sel))
		switch {
		case sel.Status.Live() && sel.HasHandle:
			q = fmt.Sprintf("Stop tracking run %d (%s)? pid %d runs on until corral quits and hangs it up.",
				sel.RunID, runName(sel), sel.PID)
		case sel.Status.Live():
			q = fmt.Sprintf("Stop tracking run %d (%s)? It keeps running as pid %d.", sel.RunID, runName(sel), sel.PID)
		case sel.Leftover > 0:
			q = fmt.Sprintf("Remove run %d (%s) from the list? The %d %s it left keep%s running.",
				sel.RunID, runName(sel), sel.Leftover, noun(sel.Leftover, "process", "processes"), noun(sel.Leftover, "s", ""))
		}
		m.ask(q+m.worktreeSays(sel), unregisterCmd(m.reg, sel.RunID))
	case pressed(msg, k.Restart): // disabled, it says why not
		return m.restartRun(sel)
	case pressed(msg, k.Stop):
		return m.stopRun(sel)
	case pressed(msg, k.Start):
		return m.startRun(sel)
	case pressed(msg, k.Focus) && !k.Focus.Enabled():
		m.setStatus(fmt.Sprintf("run %d takes no input (%s)", sel.RunID, statusText(sel, m.now())))
	case key.Matches(msg, k.Focus):
		m.mode = modeFocus
		m.scroll, m.newBelow = 0, false
		m.refreshPane()
		m.setStatus(fmt.Sprintf("typing into run %d: %s returns", sel.RunID, m.keys.Unfocus.Help().Key))
	case key.Matches(msg, k.Raw):
		m.raw[sel.RunID] = !m.raw[sel.RunID]
		m.refreshPane()
	case pressed(msg, k.Resume): // disabled, it says why not
		return m.resumeRun(sel)
	case pressed(msg, k.Diff) && !k.Diff.Enabled():
		m.setStatus(fmt.Sprintf("run %d has no worktree of its own: nothing to diff", sel.RunID))
	case key.Matches(msg, k.Diff):
		return m.openDiff(sel.RunID)
	}
	return nil
}

// ask puts a question; the answer returns to the mode asked from.
func (m *Model) ask(question string, yes tea.Cmd) {
	m.confirm = confirmation{question: question, yes: yes, back: m.mode}
	m.mode = modeConfirm
}

func (m *Model) askQuit(msg tea.KeyPressMsg) tea.Cmd {
	live, adopted := 0, 0
	for _, r := range m.runs {
		switch {
		case r.HasHandle && r.Active():
			live++ // corral started it: quitting stops it
		case !r.HasHandle && r.Status.Live():
			adopted++ // released, never signalled
		}
	}
	if live == 0 {
		if msg.String() == "ctrl+c" {
			// ^C is what people type to stop a child: with none left it
			// asks rather than closing corral under their hands.
			m.ask("Nothing is running. Quit corral?", tea.Quit)
			return nil
		}
		return tea.Quit
	}
	q := fmt.Sprintf("%d run%s still alive: stop %s and quit?", live, noun(live, "", "s"), noun(live, "it", "them all"))
	if adopted > 0 {
		q += fmt.Sprintf(" %d adopted run%s keep%s running.", adopted, noun(adopted, "", "s"), noun(adopted, "s", ""))
	}
	if n := len(m.launch.Detached()); n > 0 {
		q += fmt.Sprintf(" %d unregistered run%s %s hung up (%s terminal closes with corral).", n, noun(n, "", "s"),
			noun(n, "is", "are"), noun(n, "its", "their"))
	}
	m.ask(q, m.beginQuit(live))
	return nil
}

// noun picks the word that agrees with n: one for 1, many otherwise.
func noun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// beginQuit returns the command that starts stopping every run; the model
// shows the countdowns meanwhile, and a second quit key skips to SIGKILL.
func (m *Model) beginQuit(live int) tea.Cmd {
	return func() tea.Msg { return startQuitMsg{live: live} }
}

func (m *Model) focusKey(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, m.keys.Unfocus) {
		m.mode = modeNormal
		m.setStatus("left focus")
		return nil
	}
	return m.queueInput(input{key: uv.KeyPressEvent(uv.Key(tea.Key(msg))), isKey: true})
}

// queueInput sends input to the run in focus, in order. What is queued
// reaches that run even if focus leaves before it is sent.
func (m *Model) queueInput(in input) tea.Cmd {
	in.to = m.launch.Screen(m.selected)
	if in.to == nil {
		m.mode = modeNormal
		return nil
	}
	m.pending = append(m.pending, in)
	return m.flushInput()
}

func (m *Model) flushInput() tea.Cmd {
	if m.sending || len(m.pending) == 0 {
		return nil
	}
	batch := m.pending
	m.pending, m.sending = nil, true
	return sendInputCmd(batch)
}

func (m *Model) onPaste(msg tea.PasteMsg) tea.Cmd {
	switch m.mode {
	case modeFocus:
		return m.queueInput(input{paste: msg.Content})
	case modeForm, modeFilter, modeAdopt, modeHistoryFilter, modeFind, modeFindAll, modeSave:
		return m.forwardToInput(msg)
	}
	return nil
}

func (m *Model) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	return m.filterLineKey(msg, &m.filter, modeNormal, m.reselect)
}

// filterLineKey is a key typed in a filter line: submit keeps the filter
// and cancel clears it, either going back to the back mode; reselect
// follows every change of the filter.
func (m *Model) filterLineKey(msg tea.KeyPressMsg, in *textinput.Model, back mode, reselect func()) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Submit):
		m.mode = back
		in.Blur()
		return nil
	case key.Matches(msg, m.keys.Cancel):
		m.mode = back
		in.Blur()
		in.SetValue("")
		reselect()
		return nil
	}
	var cmd tea.Cmd
	*in, cmd = in.Update(msg)
	reselect()
	return cmd
}

// forwardToInput hands other messages (cursor blinks, pastes) to the text
// input that has the focus.
func (m *Model) forwardToInput(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch m.mode {
	case modeFilter:
		m.filter, cmd = m.filter.Update(msg)
	case modeForm:
		cmd = m.form.updateInput(msg)
	case modeAdopt:
		m.adopt.input, cmd = m.adopt.input.Update(msg)
	case modeHistoryFilter:
		m.past.filter, cmd = m.past.filter.Update(msg)
	case modeFind, modeFindAll, modeSave:
		cmd = m.takeInput(msg)
	}
	return cmd
}

func (m *Model) onWheel(msg tea.MouseWheelMsg) tea.Cmd {
	l := m.layout
	mouse := msg.Mouse()
	up := mouse.Button == tea.MouseWheelUp
	if m.past.open {
		return m.historyWheel(mouse.Y, up)
	}
	if m.wheelSnap(mouse.Y, up) { // a search or a selection holds the pane (search.go)
		return nil
	}
	if m.mode == modeDiff && mouse.Y >= l.paneY && l.paneH > 0 {
		m.diffWheel(up)
		return nil
	}
	switch {
	case mouse.Y >= l.paneY && l.paneH > 0:
		if up {
			m.scrollPane(3)
		} else {
			m.scrollPane(-3)
		}
	case mouse.Y >= l.tableY && mouse.Y < l.tableY+l.tableH && m.mode == modeNormal:
		if up {
			m.moveSelection(-1)
		} else {
			m.moveSelection(1)
		}
	}
	return nil
}

func (m *Model) onClick(msg tea.MouseClickMsg) {
	if m.mode != modeNormal {
		return
	}
	l := m.layout
	mouse := msg.Mouse()
	row := mouse.Y - l.tableY - 1 // the first table line is its header
	if mouse.Button == tea.MouseLeft && row >= 0 && mouse.Y < l.tableY+l.tableH {
		rows := m.visibleRuns()
		if i := m.tableTop + row; i < len(rows) {
			m.selectRun(rows[i].RunID)
		}
	}
}

// visibleRuns is the table after the filter, in its order: by run id, or
// attention first (Options.AttentionFirst).
func (m *Model) visibleRuns() []registry.ProcessInfo {
	runs := m.runs
	if m.attentionFirst {
		runs = attentionOrder(runs)
	}
	f := strings.ToLower(strings.TrimSpace(m.filter.Value()))
	if f == "" {
		return runs
	}
	var out []registry.ProcessInfo
	for _, r := range runs {
		hay := strings.ToLower(strings.Join([]string{fmt.Sprint(r.RunID), r.Kind.String(), runName(r),
			r.Command, r.Task, r.Model, r.ProjectPath, r.SessionID, r.Status.String(), fmt.Sprint(r.PID),
			stateTitle(r)}, " "))
		if strings.Contains(hay, f) {
			out = append(out, r)
		}
	}
	return out
}

func (m *Model) selectedRun() (registry.ProcessInfo, bool) {
	for _, r := range m.visibleRuns() {
		if r.RunID == m.selected {
			return r, true
		}
	}
	return registry.ProcessInfo{}, false
}

func (m *Model) selectedLive() bool {
	r, ok := m.selectedRun()
	return ok && r.Status.Live()
}

func (m *Model) selectRun(id int64) {
	if id != m.selected {
		m.selected = id
		m.scroll, m.newBelow = 0, false
	}
	m.ensureVisible()
	m.refreshPane()
}

func (m *Model) moveSelection(delta int) {
	rows := m.visibleRuns()
	if len(rows) == 0 {
		return
	}
	i := m.rowOf(rows)
	if i < 0 {
		i = 0
	} else {
		i = min(max(i+delta, 0), len(rows)-1)
	}
	m.selectRun(rows[i].RunID)
}

// rowOf returns the row of the selection, or -1.
func (m *Model) rowOf(rows []registry.ProcessInfo) int {
	for i, r := range rows {
		if r.RunID == m.selected {
			return i
		}
	}
	return -1
}

// reselect keeps the selection on a visible run: the same one if it still
// shows, else the one now at its old row.
func (m *Model) reselect() {
	m.relayout() // fewer or more rows: the table's height follows
	rows := m.visibleRuns()
	if m.rowOf(rows) >= 0 {
		m.ensureVisible()
		return
	}
	if len(rows) == 0 {
		m.selected = 0
		m.refreshPane()
		return
	}
	m.selectRun(rows[min(m.selIndex, len(rows)-1)].RunID)
}

// ensureVisible scrolls the table so that the selection shows.
func (m *Model) ensureVisible() {
	rows := m.visibleRuns()
	i := m.rowOf(rows)
	if i >= 0 {
		m.selIndex = i
	}
	m.tableTop = keepInView(i, m.tableTop, max(m.layout.tableH-1, 1), len(rows))
}

func (m *Model) scrollPane(delta int) {
	out := m.paneOutput()
	if out == nil {
		return
	}
	if m.scroll == 0 && delta > 0 {
		m.seenTotal = out.Total()
	}
	m.scrollRows(out, delta) // by rows: long lines wrap
	if m.scroll == 0 {
		m.newBelow = false
	}
	m.refreshPane()
}

// paneOutput is the history the pane scrolls through.
func (m *Model) paneOutput() *registry.Output {
	out, _ := m.paneSource()
	return out
}

// paneSource says what the pane shows of the selected run: its history
// (the rendered stream of a Claude run unless v asked for the raw one,
// else the plain output) and its live screen, nil when the history is all
// there is (a rendered stream, an adopted process, the raw view).
func (m *Model) paneSource() (*registry.Output, Screen) {
	id := m.selected
	scr := m.launch.Screen(id)
	if m.raw[id] {
		return m.reg.Output(id), nil
	}
	if r := m.launch.Rendered(id); r != nil && (r.Len() > 0 || scr == nil) {
		return r, nil
	}
	return m.reg.Output(id), scr
}

// tickIfNeeded keeps one model-wide tick going while the table changes
// with time: four a second while a run is stopping (its countdown), else
// once a second while a run is alive (its AGE) or has a restart pending
// (its countdown). A faster need replaces a
// slower tick in flight; the replaced one is ignored when it comes.
func (m *Model) tickIfNeeded() tea.Cmd {
	every := time.Duration(0)
	for _, r := range m.runs {
		switch {
		case r.Status == registry.StatusStopping:
			every = stoppingTick
		case (r.Status.Live() || !r.Pending.At.IsZero()) && every == 0:
			every = ageTick
		}
	}
	if every == 0 || m.ticking && m.tickEvery <= every {
		return nil
	}
	m.tickGen++
	m.ticking, m.tickEvery = true, every
	return tickCmd(every, m.tickGen)
}

// resizeAll sets every run's terminal to the pane's size.
func (m *Model) resizeAll() tea.Cmd {
	w, h := m.paneSize()
	var screens []Screen
	for _, r := range m.runs {
		if !r.Status.Live() {
			continue
		}
		if s := m.launch.Screen(r.RunID); s != nil {
			screens = append(screens, s)
		}
	}
	return resizeCmd(screens, w, h)
}

func (m *Model) setStatus(s string) { m.status, m.statusErr = s, false; m.statusSet++ }

func (m *Model) setError(err error) { m.status, m.statusErr = err.Error(), true }
