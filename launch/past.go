package launch

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"corral/history"
	"corral/internal/cmdname"
	"corral/internal/proc"
	"corral/registry"
	"corral/tui"
)

var _ tui.History = (*Launcher)(nil)

// errNoHistory is what the history's methods say when corral runs without
// one (history = false, or it could not be opened).
var errNoHistory = errors.New("the run history is off")

// store returns the history's store, or errNoHistory.
func (l *Launcher) store() (*history.Store, error) {
	if h := l.recorderOf(); h != nil {
		return h.store, nil
	}
	return nil, errNoHistory
}

// Past lists the history's runs, newest first, at most limit (0: all).
func (l *Launcher) Past(limit int) ([]tui.PastRun, error) {
	s, err := l.store()
	if err != nil {
		return nil, err
	}
	runs, err := s.List(history.Query{Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]tui.PastRun, len(runs))
	for i, r := range runs {
		out[i] = pastRun(r)
	}
	return out, nil
}

// pastRun is what the interface shows of a history row.
func pastRun(r history.Run) tui.PastRun {
	return tui.PastRun{ID: r.ID, Kind: parseKind(r.Kind), Agent: r.Agent, Name: r.Name, Command: cmdname.Line(r.Argv),
		Dir: r.Dir, Task: r.Task, Model: r.Model, SessionID: r.SessionID, StartedAt: r.StartedAt,
		EndedAt: r.EndedAt, Status: r.Status, Outcome: history.Outcome(r), CostUSD: r.CostUSD, Tokens: r.Tokens,
		Turns: r.Turns, LogPruned: r.LogPruned, Env: requestEnv(r.Env)}
}

// requestEnv joins NAME=value pairs as a Request's Env: each ended by a
// NUL byte; "" for none.
func requestEnv(vars []string) string {
	if len(vars) == 0 {
		return ""
	}
	return strings.Join(vars, "\x00") + "\x00"
}

// parseKind reads back what registry.Kind.String wrote.
func parseKind(s string) registry.Kind {
	for _, k := range []registry.Kind{registry.KindAgent, registry.KindClaudeSession, registry.KindCommand,
		registry.KindSidecar} {
		if k.String() == s {
			return k
		}
	}
	return registry.KindCommand
}

// Log returns the end of a run's recorded output as lines, at most about
// maxBytes of it, and how many bytes before them were left out. A partial
// first line is left out too.
func (l *Launcher) Log(runID int64, maxBytes int) ([]string, int64, error) {
	s, err := l.store()
	if err != nil {
		return nil, 0, err
	}
	if _, err := s.Get(runID); err != nil {
		return nil, 0, err
	}
	paths, err := s.LogPaths(runID)
	if err != nil {
		return nil, 0, err
	}
	data, omitted, err := tail(paths, int64(maxBytes))
	if err != nil {
		return nil, 0, fmt.Errorf("log of run %d: %w", runID, err)
	}
	if omitted > 0 {
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			omitted += int64(i + 1)
			data = data[i+1:]
		}
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	if len(data) == 0 {
		return nil, omitted, nil
	}
	lines := strings.Split(string(data), "\n")
	for i, ln := range lines {
		lines[i] = strings.TrimSuffix(ln, "\r")
	}
	return lines, omitted, nil
}

// tail reads the last limit bytes of the files named, in order, as one
// stream, and how many bytes came before them. A file that went meanwhile
// (pruned, or rotated away by the run still writing) counts as empty.
func tail(paths []string, limit int64) ([]byte, int64, error) {
	sizes := make([]int64, len(paths))
	var total int64
	for i, p := range paths {
		if st, err := os.Stat(p); err == nil {
			sizes[i] = st.Size()
			total += st.Size()
		}
	}
	skip := max(total-limit, 0)
	var buf bytes.Buffer
	omitted := skip
	for i, p := range paths {
		if skip >= sizes[i] {
			skip -= sizes[i]
			continue
		}
		f, err := os.Open(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		_, err = f.Seek(skip, io.SeekStart)
		if err == nil {
			// Never more than was there when sized: a live run appends.
			_, err = io.CopyN(&buf, f, sizes[i]-skip)
			if errors.Is(err, io.EOF) {
				err = nil
			}
		}
		f.Close()
		if err != nil {
			return nil, 0, err
		}
		skip = 0
	}
	return buf.Bytes(), omitted, nil
}

// Forget deletes a run and its log from the history. A run still in
// corral's table, or still running under another corral, is refused.
func (l *Launcher) Forget(runID int64) error {
	s, err := l.store()
	if err != nil {
		return err
	}
	if _, ok := l.reg.Process(runID); ok {
		return fmt.Errorf("run %d is still in the table: unregister it first", runID)
	}
	r, err := s.Get(runID)
	if err != nil {
		return err
	}
	if !r.Ended() {
		return fmt.Errorf("run %d still runs under corral pid %d", runID, r.Instance)
	}
	return s.Delete(runID)
}

// SetOrphans tells the launcher about runs of a corral that is gone whose
// processes still run (history.Store.Recover's orphans): the adopt list
// offers them first, and adopting one ends its old row as adopted.
func (l *Launcher) SetOrphans(runs []history.Run) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.orphans = map[int]history.Run{}
	for _, r := range runs {
		l.orphans[r.PID] = r
	}
}

// Orphans lists the orphans not adopted yet, for the interface's banner.
func (l *Launcher) Orphans() []tui.Candidate {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []tui.Candidate
	for _, r := range l.orphans {
		c := tui.Candidate{PID: r.PID, Command: cmdname.Line(r.Argv), Dir: r.Dir, Run: r.ID}
		if argv, err := proc.Cmdline(r.PID); err == nil && len(argv) > 0 {
			// What it runs now: a shell of the run may have exec'd since.
			c.Command = strings.Join(argv, " ")
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Run < out[j].Run })
	return out
}

// adoptedOrphan ends the history row of the orphan pid was, if it was one,
// as adopted: the process goes on as a new run of this corral.
func (l *Launcher) adoptedOrphan(pid int) {
	l.mu.Lock()
	r, ok := l.orphans[pid]
	delete(l.orphans, pid)
	h := l.history
	l.mu.Unlock()
	if !ok || h == nil {
		return
	}
	h.queue(func(s *history.Store) error {
		return s.End(r.ID, history.StatusAdopted, 0, "", time.Now())
	})
}
