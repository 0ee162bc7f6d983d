package tui

import (
	"context"
	"time"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"
)

// Messages: each names what happened.
type (
	runEventMsg     struct{ ev registry.Event } // a lifecycle event
	outputMsg       struct{ id int64 }          // a run's output or screen changed
	eventsClosedMsg struct{}
	frameMsg        struct{}          // time to redraw output that arrived
	tickMsg         struct{ gen int } // time passed: ages and countdowns move
	killedMsg       struct {
		id   int64
		gone bool
		err  error
	}
	unregisteredMsg struct {
		id  int64
		err error
	}
	launchedMsg struct {
		id      int64
		err     error
		form    bool  // from the new-run form: errors go there
		again   int64 // the past or ended run started again or resumed
		resumed bool  // again's conversation was resumed
	}
	cleanedMsg struct{ ids []int64 }
	adoptedMsg struct {
		id  int64
		pid int
		err error
	}
	candidatesMsg struct{ list []Candidate }
	startQuitMsg  struct{ live int } // quit confirmed with runs alive
	quitReadyMsg  struct{ err error }
)

// waitEvent waits for the next registry event; Update issues it again after
// each one, so events arrive one message at a time and nothing else touches
// the model.
func waitEvent(events <-chan registry.Event) tea.Cmd {
	return func() tea.Msg {
		e, ok := <-events
		if !ok {
			return eventsClosedMsg{}
		}
		if e.Kind == registry.EventOutput {
			return outputMsg{id: e.RunID}
		}
		return runEventMsg{ev: e}
	}
}

func frameCmd(wait time.Duration) tea.Cmd {
	return tea.Tick(wait, func(time.Time) tea.Msg { return frameMsg{} })
}

// Periods of the model-wide tick.
const (
	stoppingTick = time.Second / 4 // a stopping run's countdown
	ageTick      = time.Second     // the AGE column of live runs
)

func tickCmd(every time.Duration, gen int) tea.Cmd {
	return tea.Tick(every, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

func killCmd(reg Registry, id int64) tea.Cmd {
	return func() tea.Msg {
		gone, err := reg.KillProcess(context.Background(), id)
		return killedMsg{id: id, gone: gone, err: err}
	}
}

func unregisterCmd(reg Registry, id int64) tea.Cmd {
	return func() tea.Msg { return unregisteredMsg{id: id, err: reg.UnregisterProcess(id)} }
}

func cleanupCmd(reg Registry) tea.Cmd {
	return func() tea.Msg { return cleanedMsg{ids: reg.CleanupFinishedProcesses()} }
}

func launchCmd(l Launcher, req Request, fromForm bool) tea.Cmd {
	return func() tea.Msg {
		id, err := l.Launch(req)
		return launchedMsg{id: id, err: err, form: fromForm}
	}
}

func adoptCmd(l Launcher, pid int) tea.Cmd {
	return func() tea.Msg {
		id, err := l.Adopt(pid)
		return adoptedMsg{id: id, pid: pid, err: err}
	}
}

func candidatesCmd(l Launcher) tea.Cmd {
	return func() tea.Msg { return candidatesMsg{list: l.Candidates()} }
}

// quitCmd stops every live run (TERM, grace, KILL) before the program ends.
func quitCmd(reg Registry, ctx context.Context) tea.Cmd {
	return func() tea.Msg { return quitReadyMsg{err: reg.KillAll(ctx)} }
}

// resizeCmd sets the terminal size of every run with a screen.
func resizeCmd(screens []Screen, cols, rows int) tea.Cmd {
	if len(screens) == 0 || cols < 1 || rows < 1 {
		return nil
	}
	return func() tea.Msg {
		for _, s := range screens {
			s.Resize(cols, rows)
		}
		return nil
	}
}

// input is a key or a paste for the run that was in focus when it came.
type input struct {
	to    Screen
	key   uv.KeyPressEvent
	paste string
	isKey bool
}

// inputSentMsg says a batch of input reached the run.
type inputSentMsg struct{}

// sendInputCmd sends input to a run in order. Commands run concurrently, so
// the model keeps one of these in flight at a time and queues the rest:
// keys typed fast must not overtake each other.
func sendInputCmd(batch []input) tea.Cmd {
	return func() tea.Msg {
		for _, in := range batch {
			if in.isKey {
				in.to.SendKey(in.key)
			} else {
				in.to.Paste(in.paste)
			}
		}
		return inputSentMsg{}
	}
}

// selectReadMsg brings the history a visual-line selection waits for:
// its lines, the number of lines completed before the first, and the
// output's total.
type selectReadMsg struct {
	run   int64
	req   *selectRead // the selection that asked; only compared
	lines []string
	first int64
	total int64
}

// selectReadCmd reads the whole history of a run for a selection (req),
// off the UI loop: it may hold 8 MB of lines.
func selectReadCmd(out *registry.Output, run int64, req *selectRead) tea.Cmd {
	return func() tea.Msg {
		lines, first, total := readHeld(out, func(held int) (int, int) { return 0, held })
		return selectReadMsg{run: run, req: req, lines: lines, first: first, total: total}
	}
}
