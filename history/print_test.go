package history

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func sampleRuns() []Run {
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	return []Run{
		{ID: 1000002, Kind: "agent", Agent: "claude", Name: "fix\ttests", Argv: []string{"claude", "-p", "x"},
			StartedAt: at, Status: StatusRunning, Task: "fix the\nflaky tests", Tokens: 24728, Turns: 2, Instance: 7},
		{ID: 1000001, Kind: "command", Name: "build", Argv: []string{"make", "-j4"}, Dir: "/src",
			StartedAt: at.Add(-time.Hour), EndedAt: at.Add(-time.Hour + 95*time.Second), Status: "failed",
			ExitCode: 2, CostUSD: 1.234, Instance: 7},
		{ID: 1000000, Kind: "command", Name: "serve", Argv: []string{"srv"}, StartedAt: at.Add(-2 * time.Hour),
			EndedAt: at.Add(-time.Hour), Status: "killed", ExitCode: -1, Signal: "SIGTERM", LogPruned: true},
	}
}

func TestPrintHistoryTable(t *testing.T) {
	var b bytes.Buffer
	if err := PrintHistory(&b, sampleRuns(), false); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"ID       AGENT   NAME       STARTED           DURATION  OUTCOME      TOKENS  COST   COMMAND",
		"1000002  claude  fix tests  2026-03-01 09:30  -         running      24.7k   -      fix the flaky tests",
		"1000001  -       build      2026-03-01 08:30  1m35s     failed 2     -       $1.23  make -j4",
		"1000000  -       serve      2026-03-01 07:30  1h00m     killed TERM  -       -      srv",
		"",
	}, "\n")
	if b.String() != want {
		t.Fatalf("table:\n%s\nwant\n%s", b.String(), want)
	}
}

// A line that ran as $SHELL -c line shows in the table as it was typed,
// as corral's table of runs shows it; --json keeps the argv that ran.
func TestPrintHistoryShowsTheLineAsTyped(t *testing.T) {
	argv := []string{"/bin/bash", "-c", "cd /tmp && ls"}
	runs := []Run{{ID: 1000003, Kind: "command", Name: "ls", Argv: argv, Status: "exited",
		StartedAt: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)}}
	var b bytes.Buffer
	if err := PrintHistory(&b, runs, false); err != nil {
		t.Fatal(err)
	}
	row := strings.Split(b.String(), "\n")[1]
	if !strings.HasSuffix(row, "  cd /tmp && ls") || strings.Contains(row, "bash") {
		t.Errorf("row %q: want the command as typed, cd /tmp && ls", row)
	}
	b.Reset()
	if err := PrintHistory(&b, runs, true); err != nil {
		t.Fatal(err)
	}
	var r Run
	if err := json.Unmarshal(b.Bytes(), &r); err != nil || !reflect.DeepEqual(r.Argv, argv) {
		t.Errorf("json argv %q (%v), want %q", r.Argv, err, argv)
	}
}

// A run's own variables are kept to start it again, not printed: their
// values may be secrets, and --json stays as it was.
func TestPrintHistoryLeavesTheEnvOut(t *testing.T) {
	runs := []Run{{ID: 1000004, Kind: "command", Name: "envy", Argv: []string{"sh"}, Status: "exited",
		StartedAt: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC), Env: []string{"TOKEN=s3cret-4417"}}}
	for _, asJSON := range []bool{false, true} {
		var b bytes.Buffer
		if err := PrintHistory(&b, runs, asJSON); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "s3cret-4417") || strings.Contains(b.String(), "TOKEN=") {
			t.Errorf("json %v printed the env:\n%s", asJSON, b.String())
		}
	}
}

func TestTokens(t *testing.T) {
	for n, want := range map[int64]string{0: "-", 950: "950", 999: "999", 1000: "1.0k", 24728: "24.7k",
		999_949: "999.9k", 999_950: "1.0M", 1_234_567: "1.2M"} {
		if got := Tokens(n); got != want {
			t.Errorf("Tokens(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPrintHistoryJSONLines(t *testing.T) {
	var b bytes.Buffer
	runs := sampleRuns()
	if err := PrintHistory(&b, runs, true); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&b)
	for i := 0; sc.Scan(); i++ {
		var r Run
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d %q: %v", i, sc.Text(), err)
		}
		if !r.StartedAt.Equal(runs[i].StartedAt) || !r.EndedAt.Equal(runs[i].EndedAt) {
			t.Fatalf("line %d times %v %v", i, r.StartedAt, r.EndedAt)
		}
		r.StartedAt, r.EndedAt = runs[i].StartedAt, runs[i].EndedAt
		if !reflect.DeepEqual(r, runs[i]) {
			t.Fatalf("line %d:\n got %+v\nwant %+v", i, r, runs[i])
		}
		if i == 0 && strings.Contains(sc.Text(), "ended_at") {
			t.Errorf("a running run has an ended_at: %s", sc.Text())
		}
	}
}

// syncBuffer is a bytes.Buffer safe to write from Follow's goroutine while
// the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) waitFor(t *testing.T, want string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); s.String() != want; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("followed %d bytes, want %d", len(s.String()), len(want))
		}
	}
}

func follow(s *Store, id int64, w *syncBuffer) chan error {
	done := make(chan error, 1)
	go func() { done <- Follow(context.Background(), s, id, w) }()
	return done
}

// Follow keeps up with a writer that crosses two segment boundaries (the
// first segment deleted on the way) and ends when the run ends.
func TestFollowAcrossSegments(t *testing.T) {
	s := open(t, "", WithLogCap(8192), withFlushInterval(20*time.Millisecond))
	id := begin(t, s, Run{}).ID
	w, err := s.Log(id)
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	done := follow(s, id, &out)
	all := stream(3 * 3000)
	for i := range 3 { // 3000 bytes at a time into 4096-byte segments
		w.Write(all[i*3000 : (i+1)*3000])
		out.waitFor(t, string(all[:(i+1)*3000]))
	}
	if p, _ := s.LogPaths(id); len(p) != 2 || !strings.HasSuffix(p[1], ".2.log") {
		t.Fatalf("segments %v: the test did not rotate twice", p)
	}
	select {
	case err := <-done:
		t.Fatalf("Follow returned %v while the run was running", err)
	default:
	}
	w.Write([]byte("last\n"))
	w.Close()
	if err := s.End(id, "exited", 0, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != string(all)+"last\n" {
		t.Fatalf("followed %d bytes, want %d", len(got), len(all)+5)
	}
	// Following an ended, rotated log prints what OpenLog reads.
	var again syncBuffer
	if err := <-follow(s, id, &again); err != nil || again.String() != readLog(t, s, id) {
		t.Fatalf("Follow of an ended run: %v\n%q\nwant\n%q", err, again.String(), readLog(t, s, id))
	}
}

func TestFollowErrors(t *testing.T) {
	s := open(t, "")
	if err := Follow(context.Background(), s, 12, &syncBuffer{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown run: %v", err)
	}
	id := begin(t, s, Run{}).ID
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := Follow(ctx, s, id, &syncBuffer{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a running run after the context ended: %v", err)
	}
	s.End(id, "exited", 0, "", time.Now())
	s.Update(id, func(r *Run) { r.LogPruned = true })
	if err := Follow(context.Background(), s, id, &syncBuffer{}); !errors.Is(err, ErrLogPruned) {
		t.Errorf("a pruned log: %v", err)
	}
}

// Follow a log another process writes, until that process is killed and
// the run is marked ended (as Recover does).
func TestFollowAnotherProcess(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s := open(t, dir)
	id := begin(t, s, Run{}).ID
	cmd := helper(t, "log", dirEnv+"="+dir, idEnv+"="+strconv.FormatInt(id, 10), paceEnv+"=5ms")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var got syncBuffer
	done := follow(s, id, &got)
	// Wait until the follower has seen 20 lines the helper wrote.
	for deadline := time.Now().Add(10 * time.Second); strings.Count(got.String(), "\n") < 20; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("followed %q", got.String())
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	out.Close()
	s.End(id, StatusLost, 0, "", time.Now())
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(got.String(), "\n"), "\n")
	for i, l := range lines {
		if l != fmt.Sprintf("%09d", i) {
			t.Fatalf("line %d followed is %q", i, l)
		}
	}
	if whole := readLog(t, s, id); whole != got.String() {
		t.Fatalf("followed %d bytes, the log has %d", len(got.String()), len(whole))
	}
}
