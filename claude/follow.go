package claude

import (
	"bytes"
	"io"
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
// output for a person, records session ids, marks failed results, and
// follows session transcripts.
type Follower struct {
	reg  *registry.Registry
	home string

	mu   sync.Mutex // guards runs
	runs map[int64]*followed

	cancel func()
	done   chan struct{}
	wg     sync.WaitGroup // transcript watchers
}

type followed struct {
	stream   bool // the run's output is stream-json
	mu       sync.Mutex
	seen     int64 // output lines read; guarded by mu
	rendered *registry.Output
	stop     chan struct{} // ends the transcript watcher
	stopOnce sync.Once
	failed   bool
}

func (r *followed) halt() { r.stopOnce.Do(func() { close(r.stop) }) }

// NewFollower starts following reg; home is where ~/.claude lives.
func NewFollower(reg *registry.Registry, home string) *Follower {
	f := &Follower{reg: reg, home: home, runs: map[int64]*followed{}, done: make(chan struct{})}
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

func (f *Follower) add(runID int64, stream bool) *followed {
	r := &followed{stream: stream, rendered: registry.NewOutput(10_000, 8<<10), stop: make(chan struct{})}
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

// FollowStream renders a run's stream-json output, records its session id
// and marks it failed when its result is an error.
func (f *Follower) FollowStream(runID int64) {
	f.add(runID, true)
	f.readStream(runID) // what came before the call
}

// FollowSession learns the id an interactive session really uses: the name
// of the transcript that appears in its project's directory after it starts
// (interactive Claude Code may not honour --session-id).
func (f *Follower) FollowSession(runID int64, project string, started time.Time) {
	dir := ProjectDir(f.home, project)
	f.watch(f.add(runID, false), func() bool {
		path := newestTranscript(dir, started)
		if path == "" {
			return false
		}
		sid := strings.TrimSuffix(filepath.Base(path), ".jsonl")
		if info, ok := f.reg.Process(runID); ok && info.SessionID != sid {
			_ = f.reg.SetSessionID(runID, sid)
		}
		return true
	}, nil)
}

// FollowTranscript renders the transcript of a session running outside
// corral (an adopted process): the newest one in its project's directory.
func (f *Follower) FollowTranscript(runID int64, project string) {
	r := f.add(runID, false)
	dir := ProjectDir(f.home, project)
	var file *os.File
	var partial []byte
	buf := make([]byte, 64<<10)
	f.watch(r, func() bool {
		if file == nil {
			path := newestTranscript(dir, time.Time{})
			if path == "" {
				return false
			}
			if file, _ = os.Open(path); file == nil {
				return false
			}
			_ = f.reg.SetSessionID(runID, strings.TrimSuffix(filepath.Base(path), ".jsonl"))
		}
		for {
			n, err := file.Read(buf)
			partial = append(partial, buf[:n]...)
			for {
				i := bytes.IndexByte(partial, '\n')
				if i < 0 {
					break
				}
				f.render(runID, r, string(partial[:i]))
				partial = partial[i+1:]
			}
			if n == 0 || err == io.EOF {
				return false // follow on
			}
		}
	}, func() {
		if file != nil {
			file.Close()
		}
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

// newestTranscript returns the newest .jsonl in dir modified after since.
func newestTranscript(dir string, since time.Time) string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return ""
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
	return best
}

func (f *Follower) loop(events <-chan registry.Event) {
	defer close(f.done)
	for e := range events {
		r := f.get(e.RunID)
		if r == nil {
			continue
		}
		switch e.Kind {
		case registry.EventOutput:
			if r.stream {
				f.readStream(e.RunID)
			}
		case registry.EventExited, registry.EventKilled:
			if r.stream {
				f.readStream(e.RunID) // the last lines arrived before the exit
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
	for _, l := range lines {
		f.render(runID, r, l)
	}
}

// render adds one rendered line and acts on what it says.
func (f *Follower) render(runID int64, r *followed, raw string) {
	l := Parse(raw)
	if l.SessionID != "" {
		if info, ok := f.reg.Process(runID); ok && info.SessionID != l.SessionID {
			_ = f.reg.SetSessionID(runID, l.SessionID)
		}
	}
	if l.IsError && !r.failed {
		r.failed = true
		_ = f.reg.MarkFailed(runID)
	}
	if len(l.Text) > 0 {
		_, _ = r.rendered.Write([]byte(strings.Join(l.Text, "\n") + "\n"))
		f.reg.NotifyOutput(runID)
	}
}

// Following returns how many runs the Follower holds state for: the
// registered Claude runs it was asked to follow.
func (f *Follower) Following() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.runs)
}
