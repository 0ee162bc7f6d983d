package history

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The test binary re-executed with helperEnv set runs helperMain instead of
// the tests: a second process using the store.
const (
	helperEnv = "HISTORY_TEST_HELPER" // "ids" or "log"
	dirEnv    = "HISTORY_TEST_DIR"
	idEnv     = "HISTORY_TEST_RUN"
	paceEnv   = "HISTORY_TEST_PACE" // log: pause between writes ("0" floods)
)

func helperMain() int {
	s, err := Open(os.Getenv(dirEnv), WithPruneInterval(0), WithLogQueue(64<<20), WithLogCap(8<<20))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	switch os.Getenv(helperEnv) {
	case "ids":
		return helperIDs(s)
	case "log":
		return helperLog(s)
	}
	return 2
}

// helperIDs says "ready", waits for a line on stdin, takes 200 ids from four
// goroutines at once and prints them.
func helperIDs(s *Store) int {
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return 1
	}
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		ids []int64
		bad atomic.Bool
	)
	for range 4 {
		wg.Go(func() {
			for range 50 {
				id, err := s.NextID()
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					bad.Store(true)
					return
				}
				mu.Lock()
				ids = append(ids, id)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, id := range ids {
		fmt.Println(id)
	}
	if bad.Load() {
		return 1
	}
	return 0
}

// helperLog writes numbered lines to run $HISTORY_TEST_RUN's log until it is
// killed, printing "<lines written> <bytes dropped>" every 20 ms.
func helperLog(s *Store) int {
	id, _ := strconv.ParseInt(os.Getenv(idEnv), 10, 64)
	pace, _ := time.ParseDuration(os.Getenv(paceEnv))
	w, err := s.Log(id)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var n atomic.Int64
	go func() {
		for range time.Tick(20 * time.Millisecond) {
			fmt.Println(n.Load(), w.Dropped())
		}
	}()
	chunk := make([]byte, 0, 4096)
	for i := int64(0); ; {
		chunk = chunk[:0]
		for len(chunk)+10 <= cap(chunk) {
			chunk = fmt.Appendf(chunk, "%09d\n", i)
			i++
			if pace > 0 {
				break
			}
		}
		w.Write(chunk)
		n.Store(i)
		if pace > 0 {
			time.Sleep(pace)
		}
	}
}

func helper(t *testing.T, mode string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{helperEnv + "=" + mode}, env...)...)
	cmd.Stderr = os.Stderr
	return cmd
}

func TestTwoProcessesNeverShareAnID(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s := open(t, dir) // the index exists before both start, as when corral runs
	s.Close()
	type child struct {
		cmd *exec.Cmd
		in  io.WriteCloser
		out *bufio.Scanner
	}
	var kids []child
	for range 2 {
		cmd := helper(t, "ids", dirEnv+"="+dir)
		in, _ := cmd.StdinPipe()
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		kids = append(kids, child{cmd, in, bufio.NewScanner(out)})
	}
	for _, k := range kids {
		if !k.out.Scan() || k.out.Text() != "ready" {
			t.Fatalf("helper did not get ready: %q", k.out.Text())
		}
	}
	for _, k := range kids { // both go at once
		io.WriteString(k.in, "go\n")
	}
	seen := map[int64]int{}
	for i, k := range kids {
		for k.out.Scan() {
			id, err := strconv.ParseInt(k.out.Text(), 10, 64)
			if err != nil {
				t.Fatalf("helper %d printed %q", i, k.out.Text())
			}
			if j, dup := seen[id]; dup {
				t.Errorf("id %d given to helper %d and helper %d", id, j, i)
			}
			seen[id] = i
		}
		if err := k.cmd.Wait(); err != nil {
			t.Fatalf("helper %d: %v", i, err)
		}
	}
	if len(seen) != 400 {
		t.Fatalf("%d distinct ids, want 400", len(seen))
	}
	for id := range seen {
		if id < FirstID || id >= FirstID+400 {
			t.Errorf("id %d outside %d..%d", id, FirstID, FirstID+399)
		}
	}
}

// A writer SIGKILLed mid-output leaves a log that holds everything written
// up to about a second (the flush interval) before: while flooding, and
// while trickling a line every 10 ms, where only the timer flushes.
func TestLogSurvivesSIGKILL(t *testing.T) {
	for _, pace := range []string{"0", "10ms"} {
		t.Run("pace "+pace, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "state")
			s := open(t, dir)
			r := begin(t, s, Run{Name: "flood"})
			cmd := helper(t, "log", dirEnv+"="+dir, idEnv+"="+strconv.FormatInt(r.ID, 10), paceEnv+"="+pace)
			out, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

			type report struct {
				at             time.Time
				lines, dropped int64
			}
			var reports []report
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				var rep report
				if _, err := fmt.Sscan(sc.Text(), &rep.lines, &rep.dropped); err != nil {
					t.Fatalf("helper printed %q", sc.Text())
				}
				rep.at = time.Now()
				reports = append(reports, rep)
				if rep.at.Sub(reports[0].at) > 1600*time.Millisecond && rep.lines > 0 {
					break
				}
			}
			if err := cmd.Process.Kill(); err != nil { // SIGKILL, by its pid
				t.Fatal(err)
			}
			killed := time.Now()
			cmd.Wait()
			last := reports[len(reports)-1]
			if last.dropped != 0 {
				t.Fatalf("the helper dropped %d bytes: the disk was too slow to test this", last.dropped)
			}
			// What was written 1.2 s before the kill must be there.
			var must int64
			for _, rep := range reports {
				if killed.Sub(rep.at) >= 1200*time.Millisecond {
					must = rep.lines
				}
			}
			rc, err := s.OpenLog(r.ID)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			// A flood outgrows the per-run cap: the log then keeps its newest
			// lines, after a line saying so.
			b, rotated := bytes.CutPrefix(b, []byte(droppedLine))
			lines := bytes.Split(b, []byte("\n"))
			lines = lines[:len(lines)-1] // the last line is empty or cut short
			if rotated && len(lines) > 0 && len(lines[0]) < 9 {
				lines = lines[1:] // the segment began inside a line
			}
			if len(lines) == 0 {
				t.Fatalf("the log is empty; %d lines were written 1.2 s before the kill", must)
			}
			first, err := strconv.ParseInt(string(lines[0]), 10, 64)
			if err != nil || (first != 0) != rotated {
				t.Fatalf("the log starts with %q (rotated %v)", lines[0], rotated)
			}
			for i, l := range lines {
				if want := fmt.Sprintf("%09d", first+int64(i)); string(l) != want {
					t.Fatalf("line %d of the log is %q, want %s", i, l, want)
				}
			}
			end := first + int64(len(lines))
			t.Logf("pace %s: %d lines written when killed, the log has %d..%d, %d required", pace, last.lines, first, end, must)
			if must == 0 || end < must {
				t.Fatalf("the log ends at line %d; %d were written 1.2 s before the kill", end, must)
			}
		})
	}
}
