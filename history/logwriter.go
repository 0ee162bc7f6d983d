package history

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// bufSize is the size of the buffers a LogWriter queues: large enough that
// the disk sees few writes, small enough that a quiet run holds little.
const bufSize = 64 << 10

// keepFree is how many written buffers a LogWriter keeps for reuse; the
// rest of a burst's are freed.
const keepFree = 4

// ErrLogOpen is returned by Log for a run whose log is already being written
// by this store.
var ErrLogOpen = errors.New("log already open")

// LogWriter writes one run's log. Write copies into a bounded queue and
// returns; its goroutine writes the queue to the file when a quarter of it
// has filled (a flood wakes it every 2 MiB, not every 64 KiB buffer: those
// wake-ups cost more than the writes) and at least once a flush interval (a
// second), and rotates the file at half the log cap. It never blocks its caller on the disk: when the queue
// is full, output is dropped and counted, and the log gets a line
// "[corral: N bytes not logged]" where it was. The first write error is
// reported to the store's error handler, and then the writer discards what
// it is given. It is safe for concurrent use.
type LogWriter struct {
	s  *Store
	id int64

	mu      sync.Mutex // guards the fields up to the blank line
	cur     []byte     // filling; nil when none
	full    [][]byte   // filled, waiting for the disk
	spare   [][]byte   // the drainer's batch slice, swapped with full
	free    [][]byte   // written, for reuse
	bufs    int        // buffers allocated, at most maxBufs
	dropped int64      // bytes dropped since the last marker
	lost    int64      // bytes dropped in all
	last    byte       // the last byte queued, to start the marker on its own line
	pending bool       // cur holds bytes the drainer has been told about
	closed  bool
	quiet   bool // failed: discard everything
	err     error

	maxBufs int
	kickAt  int           // full buffers that wake the drainer: a quarter of the queue
	kick    chan struct{} // cap 1: kickAt buffers filled, or cur became pending
	stop    chan struct{}
	done    chan struct{} // closed when the drainer has returned
	once    sync.Once

	// The drainer's own: the file and where it is.
	f       *os.File
	seg     int
	segSize int64
}

// Log returns the writer of run id's log, creating the log or appending to
// the newest segment of an existing one (a run adopted from a dead corral).
// The run must have begun. Close the writer before End, so that a follower
// that sees the run ended has all of its output.
func (s *Store) Log(id int64) (*LogWriter, error) {
	if _, err := s.Get(id); err != nil {
		return nil, fmt.Errorf("history: log: %w", err)
	}
	segs, err := s.segments(id)
	if err != nil {
		return nil, fmt.Errorf("history: log of run %d: %w", id, err)
	}
	seg := 0
	if len(segs) > 0 {
		seg = segs[len(segs)-1]
	}
	f, size, err := s.openSegment(id, seg)
	if err != nil {
		return nil, fmt.Errorf("history: log of run %d: %w", id, err)
	}
	w := &LogWriter{
		s: s, id: id, f: f, seg: seg, segSize: size,
		maxBufs: max(1, (s.opts.logQueue+bufSize-1)/bufSize),
		kickAt:  max(1, s.opts.logQueue/bufSize/4),
		last:    '\n',
		kick:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	s.mu.Lock()
	if s.writers[id] != nil {
		s.mu.Unlock()
		f.Close()
		return nil, fmt.Errorf("history: log of run %d: %w", id, ErrLogOpen)
	}
	s.writers[id] = w
	s.mu.Unlock()
	go w.drain()
	return w, nil
}

// Write queues p for the log and returns len(p). Nothing in it waits for the
// disk. It fails only after Close.
func (w *LogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return 0, os.ErrClosed
	}
	if w.quiet {
		w.mu.Unlock()
		return len(p), nil
	}
	kick := false
	if w.dropped > 0 {
		var m [64]byte
		if mark := w.marker(m[:0]); w.room() >= len(mark)+len(p) {
			w.queue(mark)
			w.dropped, w.last = 0, '\n'
		}
	}
	if w.dropped > 0 || w.room() < len(p) {
		w.dropped += int64(len(p))
		w.lost += int64(len(p))
	} else if len(p) > 0 {
		w.queue(p)
		w.last = p[len(p)-1]
		kick = kick || len(w.full) >= w.kickAt
	}
	if len(w.cur) > 0 && !w.pending {
		w.pending, kick = true, true
	}
	w.mu.Unlock()
	if kick {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// Dropped returns how many bytes Write has dropped because the queue was
// full.
func (w *LogWriter) Dropped() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lost
}

// marker appends the line that stands for the dropped bytes to b.
func (w *LogWriter) marker(b []byte) []byte {
	if w.last != '\n' {
		b = append(b, '\n')
	}
	b = append(b, "[corral: "...)
	b = strconv.AppendInt(b, w.dropped, 10)
	return append(b, " bytes not logged]\n"...)
}

// room is how many bytes the queue can still take; w.mu is held.
func (w *LogWriter) room() int {
	return cap(w.cur) - len(w.cur) + (len(w.free)+w.maxBufs-w.bufs)*bufSize
}

// queue copies p, which fits in room, into the buffers; w.mu is held.
func (w *LogWriter) queue(p []byte) {
	for len(p) > 0 {
		if len(w.cur) == cap(w.cur) {
			if w.cur != nil {
				w.full = append(w.full, w.cur)
			}
			if n := len(w.free); n > 0 {
				w.cur, w.free = w.free[n-1][:0], w.free[:n-1]
			} else {
				w.cur = make([]byte, 0, bufSize)
				w.bufs++
			}
		}
		n := copy(w.cur[len(w.cur):cap(w.cur)], p)
		w.cur, p = w.cur[:len(w.cur)+n], p[n:]
	}
	if len(w.cur) == cap(w.cur) {
		w.full = append(w.full, w.cur)
		w.cur = nil
	}
}

// Close writes out what is queued (and the marker of any bytes dropped),
// closes the file and stops the writer's goroutine. It returns the writer's
// first error, if it had one; later calls return the same.
func (w *LogWriter) Close() error {
	w.once.Do(func() {
		w.mu.Lock()
		w.closed = true
		w.mu.Unlock()
		close(w.stop)
		<-w.done
		w.s.mu.Lock()
		if w.s.writers[w.id] == w {
			delete(w.s.writers, w.id)
		}
		w.s.mu.Unlock()
	})
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// drain is the writer's goroutine: it writes full buffers as they come, the
// filling one flushInterval after it got its first bytes, and everything at
// Close.
func (w *LogWriter) drain() {
	defer close(w.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	timing := false
	for {
		all, last := false, false
		select {
		case <-w.kick:
		case <-timer.C:
			timing, all = false, true
		case <-w.stop:
			all, last = true, true
		}
		w.mu.Lock()
		batch := w.full
		w.full, w.spare = w.spare[:0], nil
		if all && len(w.cur) > 0 {
			batch = append(batch, w.cur)
			w.cur = nil
		}
		if all {
			w.pending = false
		}
		var mark []byte
		if last && w.dropped > 0 {
			mark = w.marker(nil)
			w.dropped = 0
		}
		if w.pending && !timing {
			timer.Reset(w.s.opts.flushInterval)
			timing = true
		}
		w.mu.Unlock()

		if h := w.s.opts.beforeWrite; h != nil && len(batch) > 0 {
			h()
		}
		var err error
		for _, b := range batch {
			if err = w.write(b); err != nil {
				break
			}
		}
		if err == nil && mark != nil {
			err = w.write(mark)
		}
		if last {
			if cerr := w.f.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("log of run %d: %w", w.id, cerr)
			}
		}
		if err != nil {
			w.fail(err, last)
			return
		}

		w.mu.Lock()
		for i, b := range batch {
			// A burst's buffers beyond a few go back to the allocator: a
			// run that flooded once holds no more than a quiet one after.
			if len(w.free) < keepFree {
				w.free = append(w.free, b[:0])
			} else {
				w.bufs--
			}
			batch[i] = nil
		}
		w.spare = batch[:0]
		w.mu.Unlock()
		if h := w.s.opts.afterWrite; h != nil && len(batch) > 0 {
			h()
		}
		if last {
			return
		}
	}
}

// write writes b to the log, starting a new segment whenever the current
// one reaches half the log cap and deleting the one before it.
func (w *LogWriter) write(b []byte) error {
	segCap := w.s.opts.logCap / 2
	for len(b) > 0 {
		if w.segSize >= segCap {
			if err := w.rotate(); err != nil {
				return err
			}
		}
		n := int(min(int64(len(b)), segCap-w.segSize))
		m, err := w.f.Write(b[:n])
		w.segSize += int64(m)
		if err != nil {
			return fmt.Errorf("log of run %d: %w", w.id, err)
		}
		b = b[n:]
	}
	return nil
}

// rotate closes the current segment and opens the next, then deletes the
// one before the current: a reader that sees the next segment knows the
// current one is complete.
func (w *LogWriter) rotate() error {
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("log of run %d: %w", w.id, err)
	}
	f, _, err := w.s.openSegment(w.id, w.seg+1)
	if err != nil {
		w.f = nil
		return fmt.Errorf("log of run %d: %w", w.id, err)
	}
	w.f, w.seg, w.segSize = f, w.seg+1, 0
	if w.seg >= 2 {
		if err := os.Remove(w.s.segmentPath(w.id, w.seg-2)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("log of run %d: %w", w.id, err)
		}
	}
	return nil
}

// fail makes the writer quiet after err, drops its buffers and tells the
// error handler; closed says the file is already closed.
func (w *LogWriter) fail(err error, closed bool) {
	if !closed && w.f != nil {
		w.f.Close()
	}
	w.mu.Lock()
	w.quiet, w.err = true, err
	w.cur, w.full, w.spare, w.free = nil, nil, nil, nil
	w.mu.Unlock()
	if h := w.s.opts.onError; h != nil {
		h(w.id, err)
	}
}
