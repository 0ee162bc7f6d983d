package spawn

import (
	"runtime/debug"
	"sync"
	"time"
)

// Giving memory back after runs are dropped. An ended run releases its
// emulator at once (see screen.release); what its handle and history still
// hold is freed when the registry drops the run, usually many at a time (a
// cleanup of ended runs). The Go runtime would keep that freed heap for
// minutes (until its next collection and background scavenging), so after a
// batch of runs is forgotten the spawner returns it to the system at once.
const (
	freeMin   = 8                // runs forgotten before memory is given back
	freeDelay = time.Second      // from the first of a batch: let it end
	freeEvery = 10 * time.Second // at most one forced collection this often
)

// freer calls free (debug.FreeOSMemory) once a batch of runs has been
// forgotten, rate-limited.
type freer struct {
	min          int
	delay, every time.Duration
	free         func()

	mu      sync.Mutex // guards the fields below
	pending int        // runs forgotten since the last free
	timer   *time.Timer
	last    time.Time
	closed  bool
	running sync.WaitGroup // a scheduled free
}

func newFreer() *freer {
	return &freer{min: freeMin, delay: freeDelay, every: freeEvery, free: debug.FreeOSMemory}
}

// forgot counts a run whose handle was dropped and schedules a free once
// enough were.
func (f *freer) forgot() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pending++
	if f.closed || f.timer != nil || f.pending < f.min {
		return
	}
	f.running.Add(1)
	f.timer = time.AfterFunc(max(f.delay, f.every-time.Since(f.last)), func() {
		defer f.running.Done()
		f.mu.Lock()
		f.timer, f.pending, f.last = nil, 0, time.Now()
		closed := f.closed
		f.mu.Unlock()
		if !closed {
			f.free()
		}
	})
}

// close cancels a scheduled free, or waits for one under way.
func (f *freer) close() {
	f.mu.Lock()
	f.closed = true
	if f.timer != nil && f.timer.Stop() {
		f.timer = nil
		f.running.Done()
	}
	f.mu.Unlock()
	f.running.Wait()
}
