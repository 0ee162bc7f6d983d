package claude

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// OnUsage sets fn to be told what a followed run used, each time that
// changes: a stream's result (or, for a run that ends without one, the
// usage of its messages so far, cost unknown); a session's transcript at
// the end of each turn and of the run. Each call carries the run's totals,
// which replace those told before. fn runs in the Follower's goroutines
// and must not block. A nil fn stops the telling: once OnUsage returns, no
// call of the previous fn is under way, and none follows.
func (f *Follower) OnUsage(fn func(runID int64, u Usage)) {
	f.usageMu.Lock()
	f.onUsage = fn
	f.usageMu.Unlock()
}

// tell passes u on unless it is what was told last of the run (a run that
// used nothing tells nothing). Called with r.mu held.
func (f *Follower) tell(runID int64, r *followed, u Usage) {
	if u == r.told {
		return
	}
	r.told = u
	f.usageMu.Lock()
	defer f.usageMu.Unlock()
	if f.onUsage != nil {
		f.onUsage(runID, u)
	}
}

// turnOver acts on a run's activity leaving working: a turn ended, or
// waits for the person. A session's transcript is read (by its reader); an
// adopted session's tally is told.
func (f *Follower) turnOver(runID int64, r *followed) {
	switch {
	case r.kick != nil:
		select {
		case r.kick <- struct{}{}:
		default: // a read is already due
		}
	case !r.stream && r.tally != nil:
		r.mu.Lock()
		f.tell(runID, r, r.tally.usage())
		r.mu.Unlock()
	}
}

// streamEnded tells, for a stream that ended without a result stating its
// usage, the usage of the messages it wrote.
func (f *Follower) streamEnded(runID int64, r *followed) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.resulted {
		f.tell(runID, r, r.tally.usage())
	}
}

// transcript is the file of a session whose usage is tallied: the one
// named for the run's session id, which changes when the session does
// (/clear starts a new one). It belongs to the session's reader.
type transcript struct {
	dir  string   // the project's transcripts
	id   string   // the session id whose file is read
	file *os.File // open at where the last read stopped; nil until it exists
	seen onceEach
}

func (t *transcript) close() {
	if t.file != nil {
		t.file.Close()
		t.file = nil
	}
}

// readSession is a session's reader: it reads what its transcript gained
// at each kick and once more when the run ends or is no longer followed,
// and tells the usage.
func (f *Follower) readSession(runID int64, r *followed) {
	defer f.wg.Done()
	defer r.session.close()
	for {
		select {
		case <-r.kick:
			f.readTranscript(runID, r)
		case <-r.stop:
			f.readTranscript(runID, r) // the last turn's
			return
		}
	}
}

// readTranscript adds what the session's transcript gained since the last
// read to its tally and tells the usage. A transcript that is not there
// yet is not an error: Claude Code writes it at the first prompt.
func (f *Follower) readTranscript(runID int64, r *followed) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.session
	if info, ok := f.reg.Process(runID); ok && info.SessionID != t.id {
		if t.file != nil {
			f.copyTranscript(runID, r) // the old session's last lines
		}
		t.close()
		r.tally.dropPartial()
		t.id = info.SessionID
	}
	if t.file == nil && t.id != "" {
		file, err := os.Open(filepath.Join(t.dir, t.id+".jsonl"))
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				t.seen.log(f.log, runID, "claude: open transcript", err)
			}
			return
		}
		t.file = file
	}
	if t.file != nil {
		f.copyTranscript(runID, r)
	}
	f.tell(runID, r, r.tally.usage())
}

// copyTranscript feeds the tally what the open transcript gained.
func (f *Follower) copyTranscript(runID int64, r *followed) {
	_, err := io.Copy(r.tally, r.session.file)
	r.session.seen.log(f.log, runID, "claude: read transcript", err)
}
