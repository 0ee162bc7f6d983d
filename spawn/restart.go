package spawn

import (
	"errors"
	"fmt"
	"io"
)

// Restart starts spec's process in place of the ended run spec.Run.RunID:
// the run keeps its id, its row and its output (registry.Reopen adds the
// restart marker line to it), and gets the new process. It is refused, and
// nothing started, for a run the registry would not reopen: one still
// active, adopted, or unknown (registry.ErrActive, ErrAdopted, ErrNotFound).
//
// The run's earlier handle, if this Spawner has one, is closed first (its
// terminal and reader: nothing more of the old process reaches the run's
// output or spec.Log), and the new process gets a terminal, reader and
// screen of its own: Proc(runID) returns the new handle from the moment
// the registry announces EventRestarted. The new screen starts blank, at
// the old terminal's last size and visibility (the pane showing the run
// shows the new process at once); what the old screen showed stays in the
// run's output above the marker. spec.Log, if set, gets the same marker
// line before the new process's output: a history log that is appended to
// across restarts reads as the run's output does.
func (s *Spawner) Restart(spec Spec) (*Proc, error) {
	id := spec.Run.RunID
	fail := func(err error) (*Proc, error) {
		if spec.Log != nil {
			_ = spec.Log.Close()
		}
		return nil, err
	}
	if id == 0 {
		return fail(errors.New("restart: no run id given"))
	}
	if err := s.reg.Reopenable(id); err != nil {
		return fail(fmt.Errorf("restart: %w", err))
	}
	re := &reopening{}
	if old := s.Proc(id); old != nil {
		old.Close()
		re.visible = old.Visible()
		spec.Cols, spec.Rows = old.Size()
	}
	if out := s.reg.Output(id); out != nil {
		re.unfinished = out.Unfinished()
	}
	return s.start(spec, re)
}

// reopening is what Restart tells start about the run it starts a process
// in.
type reopening struct {
	visible    bool // the old screen was shown
	unfinished bool // the run's output ended in an unfinished line
}

// started is called by start once the registry has reopened the run with
// p, before p's reader runs: the run's output ends with the marker line.
func (re *reopening) started(p *Proc) {
	if re.visible {
		p.SetVisible(true)
	}
	if p.log == nil {
		return
	}
	marker := p.out.Tail(1)
	if len(marker) == 0 {
		return
	}
	line := marker[0] + "\r\n" // the line ends the terminal gives the rest
	if re.unfinished {
		line = "\r\n" + line
	}
	_, _ = io.WriteString(p.log, line)
}
