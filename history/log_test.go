package history

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// withFlushInterval shortens the LogWriter's flush timer.
func withFlushInterval(d time.Duration) Option { return func(o *options) { o.flushInterval = d } }

func readLog(t *testing.T, s *Store, id int64) string {
	t.Helper()
	rc, err := s.OpenLog(id)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// stream is n bytes of numbered lines.
func stream(n int) []byte {
	var b []byte
	for i := 0; len(b) < n; i++ {
		b = append(b, []byte(strings.Repeat(string(rune('a'+i%26)), 1+i%37)+"\n")...)
	}
	return b[:n]
}

func TestLogRoundTrip(t *testing.T) {
	s := open(t, "")
	id := begin(t, s, Run{}).ID
	w, err := s.Log(id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Log(id); !errors.Is(err, ErrLogOpen) {
		t.Fatalf("a second Log of the same run: %v, want ErrLogOpen", err)
	}
	want := stream(300_000) // several buffers
	for p := want; len(p) > 0; {
		n := min(len(p), 1+len(p)%5000)
		if m, err := w.Write(p[:n]); m != n || err != nil {
			t.Fatalf("Write: %d %v", m, err)
		}
		p = p[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Write after Close: %v", err)
	}
	if got := readLog(t, s, id); got != string(want) {
		t.Fatalf("log: %d bytes, want %d", len(got), len(want))
	}
	// A log opened again (an adopted run) continues.
	w, err = s.Log(id)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("more\n"))
	w.Close()
	if got := readLog(t, s, id); got != string(want)+"more\n" {
		t.Fatalf("reopened log ends %q", got[len(got)-10:])
	}
}

func TestLogRotatesAtHalfTheCap(t *testing.T) {
	s := open(t, "", WithLogCap(100))
	id := begin(t, s, Run{}).ID
	w, err := s.Log(id)
	if err != nil {
		t.Fatal(err)
	}
	all := stream(1010)
	for p := all; len(p) > 0; p = p[min(len(p), 7):] {
		w.Write(p[:min(len(p), 7)])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	paths, _ := s.LogPaths(id)
	if len(paths) != 2 || !strings.HasSuffix(paths[0], ".19.log") || !strings.HasSuffix(paths[1], ".20.log") {
		t.Fatalf("segments %v, want the last two (19, 20)", paths)
	}
	for _, p := range paths {
		if fi, _ := os.Stat(p); fi.Size() > 50 {
			t.Errorf("%s: %d bytes, over half the cap", p, fi.Size())
		}
	}
	if got, want := readLog(t, s, id), droppedLine+string(all[950:]); got != want {
		t.Fatalf("log:\n%q\nwant\n%q", got, want)
	}
}

// stuckStore opens a store whose logs queue up to queue bytes and whose
// disk is stuck until gate is closed: each write waits for it, and is told
// on written, which holds up to told, once done.
func stuckStore(t *testing.T, queue, told int) (s *Store, gate, written chan struct{}) {
	t.Helper()
	gate, written = make(chan struct{}), make(chan struct{}, told)
	s = open(t, "", WithLogQueue(queue), func(o *options) {
		o.beforeWrite = func() { <-gate }
		o.afterWrite = func() { written <- struct{}{} }
	})
	return s, gate, written
}

func TestLogDropsWhenTheQueueIsFull(t *testing.T) {
	s, gate, written := stuckStore(t, 1, 10)
	id := begin(t, s, Run{}).ID
	w, err := s.Log(id)
	if err != nil {
		t.Fatal(err)
	}
	first := bytes.Repeat([]byte("x"), bufSize) // fills the queue's one buffer
	w.Write(first)
	for _, p := range []string{"lost 1\n", "lost 2"} {
		if n, err := w.Write([]byte(p)); n != len(p) || err != nil {
			t.Fatalf("Write with a full queue: %d %v, want %d nil", n, err, len(p))
		}
	}
	if d := w.Dropped(); d != 13 {
		t.Fatalf("Dropped %d, want 13", d)
	}
	close(gate)
	<-written
	w.Write([]byte("after\n"))                  // the marker goes before it
	w.Write(bytes.Repeat([]byte("y"), bufSize)) // more than is left: dropped, marked at Close
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if d := w.Dropped(); d != 13+bufSize {
		t.Fatalf("Dropped %d, want %d", d, 13+bufSize)
	}
	want := string(first) + "\n[corral: 13 bytes not logged]\nafter\n[corral: 65536 bytes not logged]\n"
	if got := readLog(t, s, id); got != want {
		t.Fatalf("log ends %q, want %q", got[min(len(got), bufSize-5):], want[bufSize-5:])
	}
}

func TestLogFlushedWithoutClose(t *testing.T) {
	s := open(t, "")
	id := begin(t, s, Run{}).ID
	w, err := s.Log(id)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	start := time.Now()
	w.Write([]byte("a line\n"))
	paths, _ := s.LogPaths(id)
	for deadline := start.Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile(paths[0]); string(b) == "a line\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the line never reached the file")
		}
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Fatalf("flushed after %v, want within about a second", d)
	}
}

func TestStoreCloseFlushesOpenLogs(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, WithPruneInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	id := begin(t, s, Run{}).ID
	w, err := s.Log(id)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("unflushed"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir)
	if got := readLog(t, s, id); got != "unflushed" {
		t.Fatalf("log %q after the store closed", got)
	}
}

// A burst grows the queue as far as it needs; once written, all but a few
// of its buffers are freed, and what was queued is all in the log.
func TestLogFreesABurstsBuffers(t *testing.T) {
	s, gate, written := stuckStore(t, 32*bufSize, 100)
	id := begin(t, s, Run{}).ID
	w, err := s.Log(id)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	burst := bytes.Repeat([]byte("z"), 20*bufSize)
	w.Write(burst)
	w.mu.Lock()
	grown := w.bufs
	w.mu.Unlock()
	if grown < 20 {
		t.Fatalf("%d buffers for a burst of 20", grown)
	}
	close(gate)
	timeout := time.After(10 * time.Second)
	for {
		w.mu.Lock()
		bufs, queued := w.bufs, len(w.full)
		w.mu.Unlock()
		if queued == 0 && bufs <= keepFree+1 {
			break // the one left may be the filling one
		}
		select {
		case <-written:
		case <-timeout:
			t.Fatalf("%d buffers kept after the burst was written (%d queued)", bufs, queued)
		}
	}
	if d := w.Dropped(); d != 0 {
		t.Fatalf("dropped %d", d)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := readLog(t, s, id); got != string(burst) {
		t.Fatalf("log holds %d bytes, want %d", len(got), len(burst))
	}
}

// A flood wakes the log's goroutine once a quarter of the queue has filled,
// not for every buffer: the disk sees a few large batches. (A wake-up that
// races the goroutine's own can make one small batch between two large
// ones; never more.)
func TestLogWritesAFloodInQuarterQueueBatches(t *testing.T) {
	var batches atomic.Int64
	written := make(chan struct{}, 100)
	s := open(t, "", WithLogQueue(32*bufSize), withFlushInterval(time.Hour), func(o *options) {
		o.afterWrite = func() { batches.Add(1); written <- struct{}{} }
	})
	id := begin(t, s, Run{}).ID
	w, err := s.Log(id)
	if err != nil {
		t.Fatal(err)
	}
	const buffers = 64
	read := bytes.Repeat([]byte("0123456789abcde\n"), 256) // 4 KiB, a PTY read
	for range buffers * bufSize / len(read) {
		for !hasRoom(w, len(read)) { // a disk slower than memory: wait for it
			<-written
		}
		w.Write(read)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if d := w.Dropped(); d != 0 {
		t.Fatalf("dropped %d bytes", d)
	}
	// 8 buffers a batch: 8 batches, and the first write's wake-up, and Close.
	if n := batches.Load(); n > 2*buffers/8+2 {
		t.Fatalf("%d batches for %d buffers, want about %d", n, buffers, buffers/8)
	}
	if got := readLog(t, s, id); len(got) != buffers*bufSize {
		t.Fatalf("log holds %d bytes, want %d", len(got), buffers*bufSize)
	}
	t.Logf("%d batches", batches.Load())
}
