package claude

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"corral/registry"
)

// scanEvery is how often a session's transcript directory and file are
// read: Claude Code writes them itself, so there is no event to wait on.
const scanEvery = 250 * time.Millisecond

// Follower watches the Claude runs of a registry: it renders stream-json
// output for a person, records session ids, marks failed results, follows
// session transcripts, and tells what runs used (OnUsage).
type Follower struct {
	reg  *registry.Registry
	home string
	log  *slog.Logger

	mu   sync.Mutex // guards runs
	runs map[int64]*followed

	usageMu sync.Mutex // guards onUsage, and is held while it runs
	onUsage func(runID int64, u Usage)

	cancel func()
	done   chan struct{}
	wg     sync.WaitGroup // transcript watchers
}

type followed struct {
	stream bool // the run's output is stream-json
	life   int  // the run's registry.ProcessInfo.Restarts when followed
	// restarted: a stream followed again after a restart in place, whose
	// lines up to the restart marker are its earlier life's; guarded by mu.
	restarted bool
	mu        sync.Mutex
	seen      int64 // output lines read; guarded by mu
	rendered  *registry.Output
	stop      chan struct{} // ends the transcript watcher
	stopOnce  sync.Once
	failed    bool

	// What the run used, guarded by mu: its model messages so far (nil
	// when its usage is not followed), the usage told last, and whether a
	// stream's result has told the whole run's.
	tally    *tally
	told     Usage
	resulted bool
	// A session's transcript, read when a turn ends (kick) and when the
	// run ends; nil for other runs. Used by the session's reader only.
	session *transcript
	kick    chan struct{}
}

func (r *followed) halt() { r.stopOnce.Do(func() { close(r.stop) }) }

// Option configures a Follower.
type Option func(*Follower)

// WithLogger sets where the Follower logs the errors it cannot return (a
// transcript it cannot read, a session id the registry refuses), each with
// its run id. The default is the registry's logger (registry.WithLogger),
// which discards unless one was given; a nil l keeps the default.
func WithLogger(l *slog.Logger) Option {
	return func(f *Follower) {
		if l != nil {
			f.log = l
		}
	}
}

// NewFollower starts following reg; home is where ~/.claude lives. The
// rendering of each run keeps as many lines as reg keeps of its output
// (registry.WithOutputLines).
func NewFollower(reg *registry.Registry, home string, opts ...Option) *Follower {
	f := &Follower{reg: reg, home: home, log: reg.Logger(), runs: map[int64]*followed{}, done: make(chan struct{})}
	for _, o := range opts {
		o(f)
	}
	_, events, cancel := reg.Subscribe()
	f.cancel = cancel
	go f.loop(events)
	return f
}

// Close stops following and waits for the watchers.
func (f *Follower) Close() {
	f.cancel()
	<-f.done
	f.mu.Lock()
	for _, r := range f.runs {
		r.halt()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

// add makes the record of a followed run; set completes it before the
// loop can see it. A run restarted in place (registry.Reopen) is followed
// afresh for its new life: its earlier rendering goes on (a stream's lines
// already read are not read again), while its result, failure and usage
// start over, and the events of its earlier life are not acted on.
func (f *Follower) add(runID int64, stream bool, set func(*followed)) *followed {
	r := &followed{stream: stream, stop: make(chan struct{})}
	if info, ok := f.reg.Process(runID); ok {
		r.life = info.Restarts
	}
	if old := f.get(runID); old != nil {
		old.halt()
		old.mu.Lock()
		r.rendered, r.seen = old.rendered, old.seen
		old.mu.Unlock()
		r.restarted = stream
	} else {
		r.rendered = registry.NewOutputBudget(f.reg.OutputLines(), f.reg.LineBytes(), f.reg.OutputBytes())
	}
	if set != nil {
		set(r)
	}
	f.mu.Lock()
	f.runs[runID] = r
	f.mu.Unlock()
	return r
}

func (f *Follower) get(runID int64) *followed {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.runs[runID]
}

// Rendered returns the lines rendered for a person of a followed run, or nil.
func (f *Follower) Rendered(runID int64) *registry.Output {
	if r := f.get(runID); r != nil {
		return r.rendered
	}
	return nil
}

// FollowStream renders a run's stream-json output, records its session id,
// marks it failed when its result is an error, and tells its usage: the
// result's, or, for a run that ends without one, its model messages'.
func (f *Follower) FollowStream(runID int64) {
	f.add(runID, true, func(r *followed) { r.tally = newTally(time.Time{}) })
	f.readStream(runID) // what came before the call
}

// FollowSession follows an interactive session started at started in
// project. It tells the usage of the model messages its transcript records
// from then on: the transcript is read when a turn ends (the run's
// activity leaves working) and when the run ends, never polled. With
// learnID it also learns the id the session really uses: the name of the
// transcript that appears in the project's directory after it starts
// (interactive Claude Code may not honour --session-id); without, a hook
// reports it.
func (f *Follower) FollowSession(runID int64, project string, started time.Time, learnID bool) {
	dir := ProjectDir(f.home, project)
	r := f.add(runID, false, func(r *followed) {
		r.tally, r.session, r.kick = newTally(started), &transcript{dir: dir}, make(chan struct{}, 1)
	})
	f.wg.Add(1)
	go f.readSession(runID, r)
	if !learnID {
		return
	}
	var seen onceEach
	f.watch(r, func() bool {
		path, err := newestTranscript(dir, started)
		if path == "" {
			seen.log(f.log, runID, "claude: read session directory", err)
			return false
		}
		sid := strings.TrimSuffix(filepath.Base(path), ".jsonl")
		if info, ok := f.reg.Process(runID); ok && info.SessionID != sid {
			f.setSessionID(runID, sid)
		}
		return true
	}, nil)
}

// FollowTranscript renders the transcript of a session running outside
// corral (an adopted process): the newest one in its project's directory.
// It tells the usage of the whole transcript when a turn ends and when the
// run ends or is no longer followed.
func (f *Follower) FollowTranscript(runID int64, project string) {
	r := f.add(runID, false, func(r *followed) { r.tally = newTally(time.Time{}) })
	dir := ProjectDir(f.home, project)
	var file *os.File
	var partial []byte
	var seen onceEach
	buf := make([]byte, 64<<10)
	f.watch(r, func() bool {
		if file == nil {
			path, err := newestTranscript(dir, time.Time{})
			if path == "" {
				seen.log(f.log, runID, "claude: read session directory", err)
				return false
			}
			if file, err = os.Open(path); err != nil {
				seen.log(f.log, runID, "claude: open transcript", err)
				return false
			}
			f.setSessionID(runID, strings.TrimSuffix(filepath.Base(path), ".jsonl"))
		}
		for {
			n, err := file.Read(buf)
			if err != nil && err != io.EOF {
				seen.log(f.log, runID, "claude: read transcript", err)
			}
			partial = append(partial, buf[:n]...)
			r.mu.Lock()
			for {
				i := bytes.IndexByte(partial, '\n')
				if i < 0 {
					break
				}
				r.tally.line(partial[:i])
				f.render(runID, r, string(partial[:i]))
				partial = partial[i+1:]
			}
			r.mu.Unlock()
			if n == 0 || err == io.EOF {
				return false // follow on
			}
		}
	}, func() {
		if file != nil {
			file.Close()
		}
		r.mu.Lock()
		f.tell(runID, r, r.tally.usage())
		r.mu.Unlock()
	})
}

// watch calls scan now and every scanEvery until it returns true or the
// run ends, then done (if any), in a goroutine the Follower waits for.
func (f *Follower) watch(r *followed, scan func() bool, done func()) {
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		if done != nil {
			defer done()
		}
		t := time.NewTicker(scanEvery)
		defer t.Stop()
		for !scan() {
			select {
			case <-r.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// newestTranscript returns the newest .jsonl in dir modified after since,
// or "" and why: an error other than a directory that does not exist yet
// (Claude Code makes it when the session starts).
func newestTranscript(dir string, since time.Time) (string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var best string
	var bestAt time.Time
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".jsonl") {
			continue
		}
		info, err := e.Info()
		if err != nil || info.ModTime().Before(since) {
			continue
		}
		if best == "" || info.ModTime().After(bestAt) {
			best, bestAt = filepath.Join(dir, e.Name()), info.ModTime()
		}
	}
	return best, nil
}

func (f *Follower) loop(events <-chan registry.Event) {
	defer close(f.done)
	for e := range events {
		r := f.get(e.RunID)
		if r == nil || e.Kind != registry.EventOutput && e.Kind != registry.EventUnregistered && e.Info.Restarts != r.life {
			continue // an event of a life before the one followed
		}
		switch e.Kind {
		case registry.EventOutput:
			if r.stream {
				f.readStream(e.RunID)
			}
		case registry.EventActivity:
			if e.Info.Activity.State != registry.StateWorking {
				f.turnOver(e.RunID, r)
			}
		case registry.EventExited, registry.EventKilled:
			if r.stream {
				f.readStream(e.RunID) // the last lines arrived before the exit
				f.streamEnded(e.RunID, r)
			}
			r.halt()
		case registry.EventUnregistered:
			r.halt()
			f.mu.Lock()
			delete(f.runs, e.RunID)
			f.mu.Unlock()
		}
	}
}

// readStream renders the stream lines that arrived since the last read.
func (f *Follower) readStream(runID int64) {
	r := f.get(runID)
	out := f.reg.Output(runID)
	if r == nil || out == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	lines, total := out.Since(r.seen)
	r.seen = total
	for i, l := range lines {
		if !r.restarted && registry.IsRestartMarker(l) {
			// This life is over: the lines from the marker on are the
			// next one's, read by its record (add).
			r.seen = total - int64(len(lines)-i)
			return
		}
		if r.restarted {
			// The earlier life's last lines (its result included) are not
			// this life's; the marker is shown.
			if registry.IsRestartMarker(l) {
				r.restarted = false
				_, _ = r.rendered.Write([]byte(l + "\n"))
			}
			continue
		}
		if !r.resulted {
			r.tally.line([]byte(l))
		}
		f.render(runID, r, l)
	}
}

// render adds one rendered line and acts on what it says. Called with r.mu
// held, or by the run's only reader.
func (f *Follower) render(runID int64, r *followed, raw string) {
	l := Parse(raw)
	if l.Usage != nil {
		r.resulted = true
		f.tell(runID, r, *l.Usage)
	}
	if l.SessionID != "" {
		if info, ok := f.reg.Process(runID); ok && info.SessionID != l.SessionID {
			f.setSessionID(runID, l.SessionID)
		}
	}
	if l.IsError && !r.failed {
		r.failed = true
		if err := f.reg.MarkFailed(runID); err != nil {
			f.logErr(runID, "claude: mark run failed", err)
		}
	}
	if len(l.Text) > 0 {
		_, _ = r.rendered.Write([]byte(strings.Join(l.Text, "\n") + "\n")) // an Output never fails a write
		f.reg.NotifyOutput(runID)
	}
}

// setSessionID records a session id learnt for a run; a refusal is logged.
func (f *Follower) setSessionID(runID int64, sid string) {
	if err := f.reg.SetSessionID(runID, sid); err != nil {
		f.logErr(runID, "claude: record session id", err, "session", sid)
	}
}

// logErr logs an error about a run: a warning, or at debug level for a run
// that was unregistered meanwhile (a race that changes nothing).
func (f *Follower) logErr(runID int64, msg string, err error, args ...any) {
	level := slog.LevelWarn
	if errors.Is(err, registry.ErrNotFound) {
		level = slog.LevelDebug
	}
	f.log.Log(context.Background(), level, msg, append([]any{"run", runID, "err", err}, args...)...)
}

// onceEach logs an error met on a repeated scan once, not on every scan
// while it lasts; a different error is logged again. It belongs to one
// watcher goroutine.
type onceEach struct{ last string }

func (o *onceEach) log(l *slog.Logger, runID int64, msg string, err error) {
	if err == nil {
		o.last = ""
		return
	}
	if s := msg + ": " + err.Error(); s != o.last {
		o.last = s
		l.Warn(msg, "run", runID, "err", err)
	}
}

// Following returns how many runs the Follower holds state for: the
// registered Claude runs it was asked to follow.
func (f *Follower) Following() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.runs)
}
