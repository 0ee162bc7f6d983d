package history

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(helperMain())
	}
	goleak.VerifyTestMain(m)
}

// clock is a settable time for WithClock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// open opens a store in a new directory without background pruning.
func open(t testing.TB, dir string, opts ...Option) *Store {
	t.Helper()
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "state")
	}
	s, err := Open(dir, append([]Option{WithPruneInterval(0)}, opts...)...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// begin starts a run with a new id and returns it.
func begin(t testing.TB, s *Store, r Run) Run {
	t.Helper()
	id, err := s.NextID()
	if err != nil {
		t.Fatal(err)
	}
	r.ID = id
	if err := s.Begin(r); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestOpenMakesPrivateFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := open(t, dir)
	w, err := s.Log(begin(t, s, Run{Name: "x"}).ID)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("hello\n"))
	w.Close()
	for _, p := range []string{dir, s.logDir} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v %v, want 0700", p, fi.Mode(), err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "index.db*"))
	logs, _ := filepath.Glob(filepath.Join(s.logDir, "*"))
	if len(files) < 2 || len(logs) != 1 {
		t.Fatalf("files %v, logs %v: want the index with its WAL and one log", files, logs)
	}
	for _, p := range append(files, logs...) {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want 0600", p, fi.Mode(), err)
		}
	}
	var mode string
	if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode %q %v, want wal", mode, err)
	}
	var busy int
	if err := s.db.QueryRow("PRAGMA busy_timeout").Scan(&busy); err != nil || busy != 5000 {
		t.Errorf("busy_timeout %d %v, want 5000", busy, err)
	}
}

func TestOpenUnwritableDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes anywhere")
	}
	parent := t.TempDir()
	dir := filepath.Join(parent, "state")
	if err := os.Mkdir(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	_, err := Open(dir, WithPruneInterval(0))
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Open in a read-only dir: %v, want an error naming it", err)
	}
	// A directory that cannot even be made.
	os.Chmod(parent, 0o500)
	t.Cleanup(func() { os.Chmod(parent, 0o700) })
	if _, err := Open(filepath.Join(parent, "new"), WithPruneInterval(0)); err == nil {
		t.Fatal("Open under a read-only parent: no error")
	}
}

func TestRunRoundTrip(t *testing.T) {
	c := newClock()
	s := open(t, "", WithClock(c.now), WithInstance(4242, 99))
	started := time.Date(2026, 2, 3, 4, 5, 6, 7_000_000, time.Local)
	want := Run{
		Kind: "agent", Agent: "claude", Name: "fix tests", Argv: []string{"claude", "-p", "fix \"it\""},
		Dir: "/src", PID: 123, StartTime: 1 << 40, StartedAt: started, Task: "fix the tests",
		Env: []string{"FOO=bar", "EMPTY=", "SPACED=a b=c"},
	}
	got := begin(t, s, want)
	want.ID, want.Status, want.Instance, want.InstanceStart = got.ID, StatusRunning, 4242, 99
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Get after Begin:\n got %+v\nwant %+v", got, want)
	}
	if got.Ended() {
		t.Error("a running run says it ended")
	}

	err := s.Update(got.ID, func(r *Run) {
		r.SessionID, r.Model, r.Tokens, r.CostUSD, r.Turns = "sess-1", "opus", 12345, 0.75, 3
		r.ID = 7 // ignored
	})
	if err != nil {
		t.Fatal(err)
	}
	ended := started.Add(90 * time.Second)
	if err := s.End(got.ID, "failed", 2, "", ended); err != nil {
		t.Fatal(err)
	}
	want.SessionID, want.Model, want.Tokens, want.CostUSD, want.Turns = "sess-1", "opus", 12345, 0.75, 3
	want.Status, want.ExitCode, want.EndedAt = "failed", 2, ended
	if got, _ = s.Get(got.ID); !reflect.DeepEqual(got, want) {
		t.Fatalf("Get after End:\n got %+v\nwant %+v", got, want)
	}

	for i, st := range []string{"working", "needs you", "idle"} {
		if err := s.State(got.ID, st, "d"+st, started.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	states, err := s.States(got.ID)
	if err != nil || len(states) != 3 || states[1].State != "needs you" || states[1].Detail != "dneeds you" ||
		!states[2].At.Equal(started.Add(2*time.Second)) {
		t.Fatalf("States: %+v %v", states, err)
	}

	// Defaults: status, start time and instance.
	d := begin(t, s, Run{Name: "plain"})
	if d.Status != StatusRunning || !d.StartedAt.Equal(c.now()) || d.Instance != 4242 || len(d.Argv) != 0 ||
		d.Env != nil {
		t.Fatalf("defaults: %+v", d)
	}
}

func TestUnknownIDs(t *testing.T) {
	s := open(t, "")
	const id = 5
	checks := map[string]error{
		"Get":    func() error { _, err := s.Get(id); return err }(),
		"End":    s.End(id, "exited", 0, "", time.Now()),
		"Update": s.Update(id, func(*Run) {}),
		"State":  s.State(id, "idle", "", time.Now()),
		"Delete": s.Delete(id),
		"Log":    func() error { _, err := s.Log(id); return err }(),
		"OpenLog": func() error {
			_, err := s.OpenLog(id)
			return err
		}(),
	}
	for name, err := range checks {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s of an unknown run: %v, want ErrNotFound", name, err)
		}
	}
}

func TestListNewestFirst(t *testing.T) {
	c := newClock()
	s := open(t, "", WithClock(c.now))
	var ids []int64
	for i, agent := range []string{"claude", "codex", "claude", "", "claude"} {
		c.add(time.Minute)
		ids = append(ids, begin(t, s, Run{Agent: agent, Name: string(rune('a' + i))}).ID)
	}
	idsOf := func(runs []Run) []int64 {
		var out []int64
		for _, r := range runs {
			out = append(out, r.ID)
		}
		return out
	}
	for _, tc := range []struct {
		q    Query
		want []int64
	}{
		{Query{}, []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}},
		{Query{Limit: 2}, []int64{ids[4], ids[3]}},
		{Query{Agent: "claude"}, []int64{ids[4], ids[2], ids[0]}},
		{Query{Agent: "claude", Limit: 1}, []int64{ids[4]}},
		{Query{Agent: "nobody"}, nil},
	} {
		got, err := s.List(tc.q)
		if err != nil || !reflect.DeepEqual(idsOf(got), tc.want) {
			t.Errorf("List(%+v) = %v %v, want %v", tc.q, idsOf(got), err, tc.want)
		}
	}
}

func TestNextIDContinues(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s := open(t, dir)
	first, err := s.NextID()
	if err != nil || first != FirstID {
		t.Fatalf("first id %d %v, want %d", first, err, FirstID)
	}
	// A run begun with a higher id of its own: ids continue after it.
	if err := s.Begin(Run{ID: 2_000_000}); err != nil {
		t.Fatal(err)
	}
	if id, _ := s.NextID(); id != 2_000_001 {
		t.Fatalf("after run 2000000: %d", id)
	}
	// Deleting the highest run does not give its id again, nor does a new process.
	if err := s.Delete(2_000_000); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, dir)
	if id, _ := s.NextID(); id != 2_000_002 {
		t.Fatalf("after reopening: %d, want 2000002", id)
	}
}

func TestNextIDConcurrent(t *testing.T) {
	s := open(t, "")
	const n, each = 4, 50
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = map[int64]bool{}
	)
	for range n {
		wg.Go(func() {
			for range each {
				id, err := s.NextID()
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[id] {
					t.Errorf("id %d given twice", id)
				}
				seen[id] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n*each {
		t.Fatalf("%d ids, want %d", len(seen), n*each)
	}
}

func TestDeleteRemovesRowStatesAndLog(t *testing.T) {
	s := open(t, "")
	r := begin(t, s, Run{Name: "x"})
	keep := begin(t, s, Run{Name: "y"})
	for _, id := range []int64{r.ID, keep.ID} {
		s.State(id, "idle", "", time.Now())
		w, err := s.Log(id)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("out\n"))
		w.Close()
	}
	if err := s.Delete(r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(r.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: %v", err)
	}
	if st, _ := s.States(r.ID); len(st) != 0 {
		t.Errorf("states left: %v", st)
	}
	if p, _ := s.LogPaths(r.ID); len(p) != 0 {
		t.Errorf("log left: %v", p)
	}
	if p, _ := s.LogPaths(keep.ID); len(p) != 1 {
		t.Errorf("the other run's log: %v", p)
	}
}

func TestCorruptIndexMovedAside(t *testing.T) {
	garbage := []byte(strings.Repeat("this is not a database\n", 200))
	for _, tc := range []struct {
		name string
		make func(t *testing.T, path string)
	}{
		{"not sqlite", func(t *testing.T, path string) {
			if err := os.WriteFile(path, garbage, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"another program's database", func(t *testing.T, path string) {
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(`CREATE TABLE accounts(id INTEGER, owner TEXT); INSERT INTO accounts VALUES (1, 'x')`); err != nil {
				t.Fatal(err)
			}
		}},
		{"damaged", func(t *testing.T, path string) {
			s, err := Open(filepath.Dir(path), WithPruneInterval(0))
			if err != nil {
				t.Fatal(err)
			}
			for range 50 {
				id, _ := s.NextID()
				s.Begin(Run{ID: id, Name: strings.Repeat("n", 500)})
			}
			s.Close()
			b, err := os.ReadFile(path)
			if err != nil || len(b) < 8192 {
				t.Fatalf("index %d bytes %v", len(b), err)
			}
			copy(b[4096:], garbage) // the pages after the first
			os.WriteFile(path, b, 0o600)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "state")
			os.MkdirAll(dir, 0o700)
			path := filepath.Join(dir, IndexName)
			tc.make(t, path)
			before, _ := os.ReadFile(path)
			c := newClock()
			s := open(t, dir, WithClock(c.now))
			ws := s.Warnings()
			var moved *MovedAsideError
			if len(ws) != 1 || !errors.As(ws[0], &moved) {
				t.Fatalf("warnings %v, want one MovedAsideError", ws)
			}
			wantTo := path + ".corrupt-20260301T120000.000Z"
			if moved.Path != path || moved.MovedTo != wantTo ||
				!strings.Contains(moved.Error(), path) || !strings.Contains(moved.Error(), wantTo) {
				t.Fatalf("warning %q: want both %s and %s", moved, path, wantTo)
			}
			if after, err := os.ReadFile(wantTo); err != nil || string(after) != string(before) {
				t.Fatalf("moved file: %d bytes %v, want the old file's %d", len(after), err, len(before))
			}
			// The new index works.
			if r := begin(t, s, Run{Name: "after"}); r.ID != FirstID {
				t.Fatalf("first run of the new index: %d", r.ID)
			}
		})
	}
}

func TestNewerSchemaLeftAlone(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s := open(t, dir)
	if _, err := s.db.Exec(`INSERT INTO schema_version VALUES (?, 'from the future', 0)`, len(migrations)+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(dir, WithPruneInterval(0)); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open of a newer index: %v, want ErrNewerSchema", err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.corrupt-*")); len(m) != 0 {
		t.Fatalf("a newer index was moved aside: %v", m)
	}
}

func TestRecover(t *testing.T) {
	s := open(t, "", WithInstance(100, 1000))
	type proc struct {
		pid   int
		start uint64
	}
	live := map[proc]bool{
		{200, 2000}: true, // another corral, alive
		{10, 11}:    true, // an orphan's process
		{30, 31}:    true, // pid 30 is alive, but started at 31
	}
	alive := func(pid int, start uint64) bool { return live[proc{pid, start}] }
	mk := func(name string, inst int, istart uint64, pid int, start uint64) int64 {
		return begin(t, s, Run{Name: name, Instance: inst, InstanceStart: istart, PID: pid, StartTime: start}).ID
	}
	ours := mk("ours", 100, 1000, 1, 2)
	other := mk("another corral's", 200, 2000, 3, 4)
	orphan := mk("orphan", 300, 3000, 10, 11)
	gone := mk("gone", 300, 3000, 20, 21)
	reused := mk("pid reused", 300, 3000, 30, 32)
	ended := mk("ended", 300, 3000, 40, 41)
	s.End(ended, "exited", 0, "", time.Now())

	orphans, err := s.Recover(alive)
	if err != nil {
		t.Fatal(err)
	}
	if len(orphans) != 1 || orphans[0].ID != orphan || orphans[0].Status != StatusRunning {
		t.Fatalf("orphans %+v, want run %d", orphans, orphan)
	}
	for id, want := range map[int64]string{ours: StatusRunning, other: StatusRunning, orphan: StatusRunning,
		gone: StatusLost, reused: StatusLost, ended: "exited"} {
		r, _ := s.Get(id)
		if r.Status != want {
			t.Errorf("run %q: %s, want %s", r.Name, r.Status, want)
		}
		if want == StatusLost && r.EndedAt.IsZero() {
			t.Errorf("run %q lost without an end time", r.Name)
		}
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/xdg/state")
	if d, err := DefaultDir(); err != nil || d != "/xdg/state/corral" {
		t.Errorf("with XDG_STATE_HOME: %q %v", d, err)
	}
	t.Setenv("XDG_STATE_HOME", "relative")
	t.Setenv("HOME", "/home/someone")
	if d, err := DefaultDir(); err != nil || d != "/home/someone/.local/state/corral" {
		t.Errorf("with a relative XDG_STATE_HOME: %q %v", d, err)
	}
}

func TestBeginNeedsAnID(t *testing.T) {
	s := open(t, "")
	if err := s.Begin(Run{Name: "no id"}); err == nil {
		t.Fatal("Begin without an id succeeded")
	}
}
