package tui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
)

// Results of stopping and starting runs in place, and of killing the
// runs shown.
type (
	stoppedMsg struct {
		id         int64
		ended      bool // the run had ended when asked: a pending restart was what to stop
		notStarted bool // nor had it been started
		err        error
	}
	restartedMsg struct {
		id    int64
		start bool // s on an ended run, rather than r
		first bool // the run had not been started before (not started)
		err   error
	}
	killedShownMsg struct {
		ids []int64
		err error
	}
)

// stopCmd stops a run through the launcher, which waits for the kill.
func stopCmd(l Launcher, id int64) tea.Cmd {
	return func() tea.Msg { return stoppedMsg{id: id, err: l.Stop(id)} }
}

// restartInPlaceCmd starts a run again in its row (stopping it first if it
// is alive); the registry's EventRestarted updates the row.
func restartInPlaceCmd(l Launcher, id int64, start bool) tea.Cmd {
	return func() tea.Msg { return restartedMsg{id: id, start: start, err: l.Restart(id)} }
}

// killShownCmd kills runs at once, each with its grace period, and
// returns when all are done.
func killShownCmd(reg Registry, ids []int64) tea.Cmd {
	return func() tea.Msg {
		errs := make([]error, len(ids))
		var wg sync.WaitGroup
		for i, id := range ids {
			wg.Go(func() {
				if _, err := reg.KillProcess(context.Background(), id); err != nil {
					errs[i] = fmt.Errorf("kill run %d: %w", id, err)
				}
			})
		}
		wg.Wait()
		return killedShownMsg{ids: ids, err: errors.Join(errs...)}
	}
}

// ours reports whether corral started the run, and so can stop and start
// it again: the launcher knows its request.
func (m *Model) ours(id int64) bool {
	_, ok := m.launch.Request(id)
	return ok
}

// killable lists the runs the kill-shown key kills: those the table shows
// (the filter's matches) that run and that corral started.
func (m *Model) killable() []int64 {
	var ids []int64
	for _, r := range m.visibleRuns() {
		if r.Status == registry.StatusRunning && r.HasHandle {
			ids = append(ids, r.RunID)
		}
	}
	return ids
}

// stopRun stops the selected run without asking: its row stays and the
// start key starts it again.
func (m *Model) stopRun(sel registry.ProcessInfo) tea.Cmd {
	switch {
	case !sel.Status.Live() && m.ours(sel.RunID):
		// Nothing to kill; a restart its policy has pending is cancelled.
		notStarted := sel.Status == registry.StatusNotStarted
		return func() tea.Msg {
			return stoppedMsg{id: sel.RunID, ended: true, notStarted: notStarted, err: m.launch.Stop(sel.RunID)}
		}
	case !sel.Status.Live():
		m.setStatus(fmt.Sprintf("run %d has already ended (%s)", sel.RunID, statusText(sel, m.now())))
		return nil
	case !m.ours(sel.RunID):
		m.setStatus(m.adoptedSays(sel.RunID, "stop", hints("", keyHint{keysOf(m.keys.Kill), "kills it"})))
		return nil
	}
	m.setStatus(fmt.Sprintf("stopping run %d (%s)…", sel.RunID, runName(sel)))
	return stopCmd(m.launch, sel.RunID)
}

// startRun starts the selected ended run again in its row.
func (m *Model) startRun(sel registry.ProcessInfo) tea.Cmd {
	switch {
	case sel.Status.Live():
		s := fmt.Sprintf("run %d is running", sel.RunID)
		if h := keysOf(m.keys.Restart); h != "" {
			s += ": " + h + " restarts it"
		}
		m.setStatus(s)
		return nil
	case !m.ours(sel.RunID):
		m.setStatus(m.adoptedSays(sel.RunID, "start", ""))
		return nil
	}
	if sel.Status == registry.StatusNotStarted {
		m.setStatus(fmt.Sprintf("starting run %d (%s)…", sel.RunID, runName(sel)))
		id := sel.RunID
		return func() tea.Msg { return restartedMsg{id: id, start: true, first: true, err: m.launch.Restart(id)} }
	}
	m.setStatus(fmt.Sprintf("starting run %d (%s) again…", sel.RunID, runName(sel)))
	return restartInPlaceCmd(m.launch, sel.RunID, true)
}

// restartRun restarts the selected run in place: an ended one at once, a
// live one after a question. A run corral cannot restart says so first.
func (m *Model) restartRun(sel registry.ProcessInfo) tea.Cmd {
	if !m.ours(sel.RunID) {
		m.setStatus(m.adoptedSays(sel.RunID, "restart", ""))
		return nil
	}
	cmd := restartInPlaceCmd(m.launch, sel.RunID, false)
	if sel.Status.Live() {
		m.askMore(fmt.Sprintf("Restart run %d (%s)?", sel.RunID, runName(sel)),
			"It is stopped first; its output stays above a marker line.", cmd)
		return nil
	}
	m.setStatus(fmt.Sprintf("restarting run %d (%s)…", sel.RunID, runName(sel)))
	return cmd
}

// adoptedSays explains why corral cannot act on a run it did not start.
func (m *Model) adoptedSays(id int64, verb, instead string) string {
	s := fmt.Sprintf("run %d was adopted: corral did not start it and cannot %s it", id, verb)
	if instead != "" {
		s += "; " + instead
	}
	return s
}

// killShown asks once to kill every live run of corral's that the table
// shows.
func (m *Model) killShown() tea.Cmd {
	ids := m.killable()
	if len(ids) == 0 {
		m.setStatus("no run that corral started is running here")
		return nil
	}
	q := fmt.Sprintf("Kill %d %s?", len(ids), noun(len(ids), "run", "runs"))
	if f := m.filter.Value(); f != "" {
		q = fmt.Sprintf("Kill the %d %s matching %s?", len(ids), noun(len(ids), "run", "runs"), strconv.Quote(f))
	}
	m.askMore(q, hangupSignals, killShownCmd(m.reg, ids)) // only runs corral started
	return nil
}

// askMore puts a question with a detail that the status line adds when
// the screen has room for it.
func (m *Model) askMore(question, detail string, yes tea.Cmd) {
	m.ask(question, yes)
	m.confirm.detail = detail
}

// onStopStart shows how a stop, a start or a kill of the runs shown went.
func (m *Model) onStopStart(msg tea.Msg) {
	switch msg := msg.(type) {
	case stoppedMsg:
		switch {
		case errors.Is(msg.err, ErrNotRunning):
			s, again := fmt.Sprintf("run %d has already ended", msg.id), " again"
			if msg.notStarted {
				s, again = fmt.Sprintf("run %d is not started", msg.id), ""
			}
			if h := keysOf(m.keys.Start); h != "" {
				s += ": " + h + " starts it" + again
			}
			m.setStatus(s)
			return
		case msg.err != nil:
			m.setError(msg.err)
			return
		case msg.ended:
			m.setStatus(fmt.Sprintf("run %d will not be restarted by its policy until it is started again", msg.id))
			return
		}
		s := fmt.Sprintf("run %d stopped", msg.id)
		if h := keysOf(m.keys.Start); h != "" {
			s += ": " + h + " starts it again"
		}
		m.setStatus(s)
	case restartedMsg:
		what := "restarted"
		switch {
		case msg.first:
			what = "started"
		case msg.start:
			what = "started again"
		}
		if msg.err != nil {
			// The launcher's error names the run already ("restart run 7:
			// …"): say what did not happen, then why.
			why := msg.err
			if inner := errors.Unwrap(why); inner != nil {
				why = inner
			}
			m.setError(fmt.Errorf("run %d not %s: %w", msg.id, what, why))
			return
		}
		m.setStatus(fmt.Sprintf("run %d %s", msg.id, what))
	case killedShownMsg:
		if msg.err != nil {
			m.setError(msg.err)
			return
		}
		m.setStatus(fmt.Sprintf("killed %d %s", len(msg.ids), noun(len(msg.ids), "run", "runs")))
	}
}

// onRestarted follows a run restarted in place: its screen is a new one,
// which gets the pane's size (the pane and visibility follow from the
// launcher's Screen in refreshPane and syncVisibility).
func (m *Model) onRestarted(id int64) tea.Cmd {
	s := m.launch.Screen(id)
	if s == nil {
		return nil
	}
	w, h := m.paneSize()
	return resizeCmd([]Screen{s}, w, h)
}

// hangupSignals is what a kill of a run corral started sends: what closing
// its terminal would, then what a stop asks, then what cannot be refused.
const hangupSignals = "SIGHUP and SIGTERM, then SIGKILL after the grace period."

// killSignals says what a kill of r sends: an adopted run gets no SIGHUP.
func killSignals(r registry.ProcessInfo) string {
	if r.HasHandle {
		return hangupSignals
	}
	return "SIGTERM, then SIGKILL after the grace period."
}
