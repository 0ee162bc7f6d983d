package tui

import (
	"fmt"
	"strings"
	"time"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Runs in git worktrees of their own (issue 18): the row's branch and
// change, measured off the UI loop while the run works, and the question
// of what becomes of a worktree when its run goes (u, c).

// Workspaces is what the interface needs for the git worktrees runs start
// in (the launcher's worktree methods). Every method but Worktree runs
// git: the model calls them from commands only.
type Workspaces interface {
	// Repository returns the top of the git working tree dir is in (""
	// stands for corral's own directory), or why there is none: the form
	// offers a new worktree only there.
	Repository(dir string) (string, error)
	// Worktree returns a run's worktree with its change as last measured;
	// false for a run without one. It runs no git: Update and View call it.
	Worktree(runID int64) (Worktree, bool)
	// RefreshWorktree measures a run's worktree again and keeps the result
	// for Worktree.
	RefreshWorktree(runID int64) (Worktree, error)
	// Diff returns the change of a run's worktree against its base, with
	// git's colours, and measures the worktree again as RefreshWorktree
	// does, from the same git pass: the diff view asks for nothing else.
	Diff(runID int64) (string, error)
	// WorktreeLoss names what removing a run's worktree (and, with
	// deleteBranch, its branch) would lose, or "" when nothing would.
	WorktreeLoss(runID int64, deleteBranch bool) (string, error)
	// RemoveWorktree removes a run's worktree, and its branch with
	// deleteBranch; without force it refuses when something would be lost.
	RemoveWorktree(runID int64, force, deleteBranch bool) error
}

// worktreePoll is how often the worktrees of working runs are measured.
const worktreePoll = 3 * time.Second

// wtPoll is the worktree refresh tick: a tick or a measuring in flight,
// never both, so that a slow git never piles commands up.
type wtPoll struct {
	ticking   bool
	measuring bool
}

// Messages of the worktrees.
type (
	wtTickMsg     struct{} // time to measure the worktrees of working runs
	wtMeasuredMsg struct {
		errs []error
		poll bool // the poll's measuring: the next tick may follow
	}
	repoCheckMsg struct{ gen int } // the form's directory stopped changing
	repoFoundMsg struct {
		gen  int
		dir  string
		root string // "" when dir is in no repository
	}
	lossMsg struct {
		ask    finishAsk
		losses []string // per ask.ids
		err    error
	}
	worktreesRemovedMsg struct {
		ask     finishAsk
		removed []int64
		err     error   // the first removal that failed: nothing more was done
		cleaned []int64 // c: the runs cleaned up
		dropErr error   // u: the unregister's error
	}
)

// worktreeOf returns a run's worktree as last measured; false without one.
func (m *Model) worktreeOf(id int64) (Worktree, bool) {
	if m.ws == nil {
		return Worktree{}, false
	}
	return m.ws.Worktree(id)
}

// working reports whether a run's files are likely changing: a live run
// starting, working on a turn, or a command writing output.
func working(r registry.ProcessInfo) bool {
	switch r.Activity.State {
	case registry.StateStarting, registry.StateWorking, registry.StateActive:
		return r.Status.Live()
	}
	return false
}

// workingWorktrees are the runs in worktrees whose files are changing.
func (m *Model) workingWorktrees() []int64 {
	var ids []int64
	for _, r := range m.runs {
		if working(r) {
			if _, ok := m.worktreeOf(r.RunID); ok {
				ids = append(ids, r.RunID)
			}
		}
	}
	return ids
}

// pollWorktrees starts the refresh tick when a run in a worktree works and
// none is in flight.
func (m *Model) pollWorktrees() tea.Cmd {
	if m.ws == nil || m.wtPoll.ticking || m.wtPoll.measuring || len(m.workingWorktrees()) == 0 {
		return nil
	}
	m.wtPoll.ticking = true
	return tea.Tick(worktreePoll, func(time.Time) tea.Msg { return wtTickMsg{} })
}

// onWorktreeTick measures the worktrees of the runs that still work.
func (m *Model) onWorktreeTick() tea.Cmd {
	m.wtPoll.ticking = false
	if m.wtPoll.measuring {
		return nil
	}
	ids := m.workingWorktrees()
	if len(ids) == 0 {
		return nil
	}
	m.wtPoll.measuring = true
	return measureCmd(m.ws, ids, true)
}

// onMeasured logs what could not be measured (a worktree deleted behind
// corral's back is no news for the status line) and ticks on.
func (m *Model) onMeasured(msg wtMeasuredMsg) tea.Cmd {
	for _, err := range msg.errs {
		m.log.Warn("worktree not measured", "err", err)
	}
	if msg.poll {
		m.wtPoll.measuring = false
	}
	return m.pollWorktrees()
}

// measureWorktrees measures every run's worktree once (the runs corral
// starts with) and starts the tick if some run works.
func (m *Model) measureWorktrees() tea.Cmd {
	if m.ws == nil {
		return nil
	}
	var ids []int64
	for _, r := range m.runs {
		if _, ok := m.worktreeOf(r.RunID); ok {
			ids = append(ids, r.RunID)
		}
	}
	var cmd tea.Cmd
	if len(ids) > 0 {
		cmd = measureCmd(m.ws, ids, false)
	}
	return tea.Batch(cmd, m.pollWorktrees())
}

// worktreeChanged is applyEvent's part for worktrees: a run that stops
// working or ends is measured once more (its last edits), and the tick
// starts when a run starts working.
func (m *Model) worktreeChanged(old, now registry.ProcessInfo) tea.Cmd {
	if m.ws == nil {
		return nil
	}
	var cmd tea.Cmd
	if working(old) && !working(now) || old.Status.Live() && !now.Status.Live() {
		if _, ok := m.worktreeOf(now.RunID); ok {
			cmd = measureCmd(m.ws, []int64{now.RunID}, false)
		}
	}
	return tea.Batch(cmd, m.pollWorktrees())
}

func measureCmd(ws Workspaces, ids []int64, poll bool) tea.Cmd {
	return func() tea.Msg {
		var errs []error
		for _, id := range ids {
			if _, err := ws.RefreshWorktree(id); err != nil {
				errs = append(errs, err)
			}
		}
		return wtMeasuredMsg{errs: errs, poll: poll}
	}
}

// changeText is the CHANGE cell: files changed, lines added and removed,
// and * when some of it is not committed.
func changeText(w Worktree) string {
	s := fmt.Sprintf("%d %s +%d −%d", w.Files, noun(w.Files, "file", "files"), w.Added, w.Removed)
	if w.Dirty {
		s += " *"
	}
	return s
}

// worktreeColumns are the BRANCH and CHANGE columns, empty for runs
// without a worktree (dropEmpty leaves them out when every run is). The
// change is kept longer than the branch on a narrow screen: the pane's
// title names the selected run's branch.
func (m *Model) worktreeColumns() []runColumn {
	if m.ws == nil {
		return nil
	}
	branch, change := 0, 0
	for _, r := range m.runs {
		if w, ok := m.worktreeOf(r.RunID); ok {
			branch = max(branch, len([]rune(w.Branch)))
			change = max(change, len([]rune(changeText(w))))
		}
	}
	if change == 0 {
		return nil
	}
	value := func(f func(Worktree) string) func(registry.ProcessInfo, time.Time) string {
		return func(r registry.ProcessInfo, _ time.Time) string {
			if w, ok := m.worktreeOf(r.RunID); ok {
				return f(w)
			}
			return ""
		}
	}
	return []runColumn{
		{"BRANCH", min(max(branch, len("BRANCH")), 24), 1, 6, value(func(w Worktree) string { return w.Branch })},
		{"CHANGE", max(change, len("CHANGE")), 0, 3, value(changeText)},
	}
}

// worktreeTitle is the pane title's part for the selected run's worktree.
func (m *Model) worktreeTitle(id int64) string {
	if w, ok := m.worktreeOf(id); ok {
		return "· " + w.Branch + " " + changeText(w) + " "
	}
	return ""
}

// The keep/remove question: when runs with worktrees go (u on an ended
// run, c), corral asks once what becomes of their worktrees — kept (the
// default), removed, or removed with their branches. Removing what holds
// work asks a second time, naming it; only that yes removes by force.

// finishChoices are the answers of the question, keep first.
var finishChoices = []string{"keep", "remove", "remove with branch"}

// finishAsk is the question and what it is for.
type finishAsk struct {
	ids      []int64 // the runs whose worktrees it is about
	names    []string
	drop     int64 // u: the run to unregister afterwards; 0 for c
	question string
	choice   int // index of finishChoices
}

// worktreeSays is what the unregister question adds for a live run in a
// worktree: the worktree stays.
func (m *Model) worktreeSays(r registry.ProcessInfo) string {
	if w, ok := m.worktreeOf(r.RunID); ok {
		return fmt.Sprintf(" Its worktree stays at %s (branch %s).", shortPath(w.Path), w.Branch)
	}
	return ""
}

// askUnregister asks what becomes of an ended run's worktree as it is
// removed from the list; false when the run has none (the plain question
// is asked).
func (m *Model) askUnregister(r registry.ProcessInfo) bool {
	w, ok := m.worktreeOf(r.RunID)
	if !ok || r.Active() {
		return false
	}
	m.finish = finishAsk{ids: []int64{r.RunID}, names: []string{w.Branch}, drop: r.RunID,
		question: fmt.Sprintf("Remove run %d (%s) from the list. Its worktree %s (branch %s):",
			r.RunID, runName(r), shortPath(w.Path), w.Branch)}
	m.mode = modeWorktreeAsk
	return true
}

// askCleanup asks, once for all of them, what becomes of the worktrees of
// the ended runs c cleans up; false when none has one.
func (m *Model) askCleanup() bool {
	var ids []int64
	var names []string
	ended := 0
	for _, r := range m.runs {
		if r.Active() {
			continue
		}
		ended++
		if w, ok := m.worktreeOf(r.RunID); ok {
			ids, names = append(ids, r.RunID), append(names, w.Branch)
		}
	}
	if len(ids) == 0 {
		return false
	}
	q := fmt.Sprintf("Clean up %d ended run%s. %s: %s; worktree%s:", ended, noun(ended, "", "s"),
		noun(len(ids), "One has a worktree", fmt.Sprintf("%d have worktrees", len(ids))), strings.Join(names, ", "),
		noun(len(ids), "", "s"))
	m.finish = finishAsk{ids: ids, names: names, question: q}
	m.mode = modeWorktreeAsk
	return true
}

// finishKey answers the question: ←/→ choose, enter goes on, cancel (or
// quit) does nothing.
func (m *Model) finishKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	f := &m.finish
	switch {
	case pressed(msg, k.Cancel, k.Quit):
		m.mode = modeNormal
		m.setStatus("cancelled: nothing removed")
	case pressed(msg, k.NextChoice):
		f.choice = min(f.choice+1, len(finishChoices)-1)
	case pressed(msg, k.PrevChoice):
		f.choice = max(f.choice-1, 0)
	case pressed(msg, k.Submit):
		m.mode = modeNormal
		if f.choice == 0 { // keep: the plain unregister or cleanup
			if f.drop != 0 {
				m.setStatus(fmt.Sprintf("run %d removed; its worktree is kept", f.drop))
				return unregisterCmd(m.reg, f.drop)
			}
			return cleanupCmd(m.reg)
		}
		m.setStatus("checking what the worktree" + noun(len(f.ids), "", "s") + " hold…")
		return lossCmd(m.ws, *f)
	}
	return nil
}

// finishLines are the question and its choices for the status line,
// wrapped to the width: the choices always in sight, on the last lines,
// the question cut short if it must be.
func (m *Model) finishLines() []string {
	f := m.finish
	var parts []string
	for i, c := range finishChoices {
		word := c + noun(len(f.ids), " it", " them")
		if i == 2 {
			word = noun(len(f.ids), "remove it and its branch", "remove them and their branches")
		}
		if i == f.choice {
			parts = append(parts, "‹ "+word+" ›")
		} else {
			parts = append(parts, word)
		}
	}
	w := max(m.width, 1)
	choices := strings.Split(ansi.Wrap(strings.Join(parts, " · "), w, ""), "\n")
	question := strings.Split(ansi.Wrap(f.question, w, ""), "\n")
	if room := max(maxQuestionLines-len(choices), 1); len(question) > room {
		question = question[:room]
		question[room-1] = ansi.Truncate(question[room-1], w-1, "") + "…"
	}
	return append(question, choices...)
}

// lossCmd asks what removing the worktrees would lose.
func lossCmd(ws Workspaces, ask finishAsk) tea.Cmd {
	return func() tea.Msg {
		losses := make([]string, len(ask.ids))
		for i, id := range ask.ids {
			loss, err := ws.WorktreeLoss(id, ask.choice == 2)
			if err != nil {
				return lossMsg{ask: ask, err: err}
			}
			losses[i] = loss
		}
		return lossMsg{ask: ask, losses: losses}
	}
}

// onLoss removes worktrees that lose nothing at once; else asks the second
// question, which names the loss, and only its yes removes by force.
func (m *Model) onLoss(msg lossMsg) tea.Cmd {
	if msg.err != nil {
		m.setError(fmt.Errorf("nothing removed: %w", msg.err))
		return nil
	}
	var lost []string
	force := make([]bool, len(msg.ask.ids))
	for i, loss := range msg.losses {
		if loss != "" {
			force[i] = true
			if len(msg.ask.ids) == 1 {
				lost = append(lost, loss)
			} else {
				lost = append(lost, fmt.Sprintf("run %d's %s", msg.ask.ids[i], loss))
			}
		}
	}
	if len(lost) == 0 {
		m.status = ""
		return removeCmd(m.ws, m.reg, msg.ask, force)
	}
	what := "the worktree of run " + fmt.Sprint(msg.ask.ids[0])
	if len(msg.ask.ids) > 1 {
		what = fmt.Sprintf("%d worktrees", len(msg.ask.ids))
	}
	if msg.ask.choice == 2 {
		what += noun(len(msg.ask.ids), " and its branch", " and their branches")
	}
	m.ask(fmt.Sprintf("Remove %s and lose %s?", what, strings.Join(lost, "; ")), removeCmd(m.ws, m.reg, msg.ask, force))
	return nil
}

// removeCmd removes the worktrees, by force only where force says (the
// second yes), stopping at the first that fails; then unregisters the run
// (u) or cleans up the ended runs (c).
func removeCmd(ws Workspaces, reg Registry, ask finishAsk, force []bool) tea.Cmd {
	return func() tea.Msg {
		out := worktreesRemovedMsg{ask: ask}
		for i, id := range ask.ids {
			if err := ws.RemoveWorktree(id, force[i], ask.choice == 2); err != nil {
				out.err = err
				return out
			}
			out.removed = append(out.removed, id)
		}
		if ask.drop != 0 {
			out.dropErr = reg.UnregisterProcess(ask.drop)
		} else {
			out.cleaned = reg.CleanupFinishedProcesses()
		}
		return out
	}
}

func (m *Model) onWorktreesRemoved(msg worktreesRemovedMsg) {
	branch := noun(len(msg.removed), "its branch", "their branches")
	if msg.ask.choice == 2 {
		branch += " too"
	} else {
		branch += " kept"
	}
	done := fmt.Sprintf("removed %d worktree%s (%s)", len(msg.removed), noun(len(msg.removed), "", "s"), branch)
	switch {
	case msg.err != nil && len(msg.removed) > 0:
		m.setError(fmt.Errorf("%s; then %w; nothing more was done", done, msg.err))
	case msg.err != nil:
		m.setError(fmt.Errorf("nothing removed: %w", msg.err))
	case msg.dropErr != nil:
		m.setError(fmt.Errorf("%s; run %d: %w", done, msg.ask.drop, msg.dropErr))
	case msg.ask.drop != 0:
		m.setStatus(fmt.Sprintf("run %d removed, and its worktree (%s)", msg.ask.drop, branch))
	default:
		m.setStatus(fmt.Sprintf("cleaned up %d ended run%s; %s", len(msg.cleaned), noun(len(msg.cleaned), "", "s"), done))
	}
}
