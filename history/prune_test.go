package history

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// logged begins a run at the clock's time with a log of size bytes, and
// ends it after a minute unless running is set.
func logged(t *testing.T, s *Store, c *clock, size int, running bool) int64 {
	t.Helper()
	id := begin(t, s, Run{}).ID
	w, err := s.Log(id)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(bytes.Repeat([]byte("."), size))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !running {
		if err := s.End(id, "exited", 0, "", c.now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func TestPruneByAge(t *testing.T) {
	c := newClock()
	s := open(t, "", WithClock(c.now), WithMaxAge(30*24*time.Hour))
	old := logged(t, s, c, 10, false)
	s.State(old, "idle", "", c.now())
	oldRunning := logged(t, s, c, 10, true)
	c.add(20 * 24 * time.Hour)
	recent := logged(t, s, c, 10, false)
	strayOld := filepath.Join(s.logDir, "42.log") // a log whose run is not in the index
	strayNew := filepath.Join(s.logDir, "43.log")
	for _, p := range []string{strayOld, strayNew} {
		os.WriteFile(p, []byte("?"), 0o600)
	}
	os.Chtimes(strayOld, c.now().Add(-31*24*time.Hour), c.now().Add(-31*24*time.Hour))
	os.Chtimes(strayNew, c.now(), c.now())
	c.add(11 * 24 * time.Hour) // old ended 31 days ago, recent 11

	if err := s.Prune(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(old); !errors.Is(err, ErrNotFound) {
		t.Errorf("a run ended 31 days ago: %v, want deleted", err)
	}
	if p, _ := s.LogPaths(old); len(p) != 0 {
		t.Errorf("its log is left: %v", p)
	}
	if st, _ := s.States(old); len(st) != 0 {
		t.Errorf("its states are left: %v", st)
	}
	for _, id := range []int64{oldRunning, recent} {
		if _, err := s.Get(id); err != nil {
			t.Errorf("run %d: %v, want kept", id, err)
		}
	}
	if _, err := os.Stat(strayOld); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an old stray log is left: %v", err)
	}
	if _, err := os.Stat(strayNew); err != nil {
		t.Errorf("a recent stray log: %v, want kept", err)
	}
}

func TestPruneToTotalCap(t *testing.T) {
	c := newClock()
	s := open(t, "", WithClock(c.now), WithTotalCap(250))
	running := logged(t, s, c, 100, true) // the oldest, but running
	var ended []int64
	for range 4 {
		c.add(time.Hour)
		ended = append(ended, logged(t, s, c, 100, false))
	}
	if err := s.Prune(); err != nil {
		t.Fatal(err)
	}
	// 500 bytes: the three oldest ended runs go, leaving 200.
	for i, id := range ended {
		r, err := s.Get(id)
		if err != nil {
			t.Fatalf("run %d: %v: rows stay", i, err)
		}
		_, lerr := s.OpenLog(id)
		if pruned := i < 3; r.LogPruned != pruned || errors.Is(lerr, ErrLogPruned) != pruned {
			t.Errorf("ended run %d: LogPruned %v, OpenLog %v; want pruned %v", i, r.LogPruned, lerr, pruned)
		}
	}
	if got := readLog(t, s, running); len(got) != 100 {
		t.Errorf("the running run's log: %d bytes, want kept", len(got))
	}
	// Under the cap nothing more goes.
	if err := s.Prune(); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.Get(ended[3]); r.LogPruned {
		t.Error("a second Prune under the cap pruned more")
	}
}

func TestOpenPrunesInTheBackground(t *testing.T) {
	c := newClock()
	dir := filepath.Join(t.TempDir(), "state")
	s := open(t, dir, WithClock(c.now))
	id := logged(t, s, c, 10, false)
	s.Close()
	c.add(DefaultMaxAge + time.Hour)
	s, err := Open(dir, WithClock(c.now), WithPruneInterval(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := s.Get(id); errors.Is(err, ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a run past the age is still there after Open")
		}
	}
}
