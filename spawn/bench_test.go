package spawn

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"corral/registry"

	"github.com/creack/pty"
)

// benchMB is the size of the output each child writes: CORRAL_BENCH_MB,
// default 100.
func benchMB() int {
	if n, err := strconv.Atoi(os.Getenv("CORRAL_BENCH_MB")); err == nil && n > 0 {
		return n
	}
	return 100
}

// textFile writes mb MB of 80-column lines, coloured ones if colour is set,
// and returns its path.
func textFile(b *testing.B, mb int, colour bool) string {
	path := filepath.Join(b.TempDir(), "out.txt")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for i := 0; w.Buffered()+int(must(f.Seek(0, io.SeekCurrent))) < mb<<20; i++ {
		if colour {
			fmt.Fprintf(w, "\x1b[3%dmline %9d\x1b[0m %s\n", i%8, i, "the quick brown fox jumps over the lazy dog, again and again!")
		} else {
			fmt.Fprintf(w, "line %9d %s\n", i, "the quick brown fox jumps over the lazy dog, again and again and again!")
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return path
}

func must(n int64, err error) int64 {
	if err != nil {
		panic(err)
	}
	return n
}

// rawDrain runs cat file under a PTY whose master is copied to io.Discard:
// the fastest the child can write.
func rawDrain(b *testing.B, file string) time.Duration {
	began := time.Now()
	cmd := exec.Command("cat", file)
	master, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 120, Rows: 40})
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, master) // ends with EIO once cat exits
	_ = cmd.Wait()
	took := time.Since(began)
	master.Close()
	return took
}

// underSpawn runs n copies of cat file under spawn at 120×40, each with its
// screen emulated and its output in the registry, and returns the time until
// all are done.
func underSpawn(b *testing.B, sp *Spawner, file string, n int) (time.Duration, []*Proc) {
	began := time.Now()
	procs := make([]*Proc, n)
	for i := range procs {
		p, err := sp.Start(Spec{Argv: []string{"cat", file}, Cols: 120, Rows: 40})
		if err != nil {
			b.Fatal(err)
		}
		// As in the interface: the first run's pane is on screen.
		p.SetVisible(i == 0)
		procs[i] = p
	}
	for _, p := range procs {
		<-p.Done()
	}
	return time.Since(began), procs
}

func benchOutputPath(b *testing.B, colour bool, children int) {
	mb := benchMB()
	file := textFile(b, mb, colour)
	reg := registry.New()
	defer reg.Close()
	sp := New(reg)
	defer sp.Close()
	var raw, spawned time.Duration
	var replays int
	var fed int64
	for b.Loop() {
		// The raw baseline runs the same number of children at once.
		var wg sync.WaitGroup
		var mu sync.Mutex
		var worst time.Duration
		for range children {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := rawDrain(b, file)
				mu.Lock()
				worst = max(worst, d)
				mu.Unlock()
			}()
		}
		wg.Wait()
		raw += worst
		d, procs := underSpawn(b, sp, file, children)
		spawned += d
		for _, p := range procs {
			p.Close()
			p.scr.statMu.Lock()
			replays += p.scr.replays
			fed += p.scr.fedBytes
			p.scr.statMu.Unlock()
		}
		reg.CleanupFinishedProcesses()
	}
	total := float64(mb*children) * float64(b.N)
	b.ReportMetric(total/raw.Seconds(), "raw-MB/s")
	b.ReportMetric(total/spawned.Seconds(), "spawn-MB/s")
	b.ReportMetric(raw.Seconds()/spawned.Seconds(), "ratio")
	b.ReportMetric(float64(fed)/float64(mb*children<<20)/float64(b.N)*100, "%emulated")
	b.ReportMetric(float64(replays)/float64(b.N), "replays/op")
}

// BenchmarkOutputPath compares a child writing CORRAL_BENCH_MB (100) MB of
// text under spawn against the same child with its PTY drained into
// io.Discard, alternating in the same run; "ratio" is raw time over spawn
// time (target ≥ 0.8).
func BenchmarkOutputPath(b *testing.B) {
	b.Run("plain", func(b *testing.B) { benchOutputPath(b, false, 1) })
	b.Run("colour", func(b *testing.B) { benchOutputPath(b, true, 1) })
	b.Run("four-children-one-shown", func(b *testing.B) { benchOutputPath(b, false, 4) })
}

// BenchmarkStart measures starting and reaping one short child.
func BenchmarkStart(b *testing.B) {
	reg := registry.New()
	defer reg.Close()
	sp := New(reg)
	defer sp.Close()
	for b.Loop() {
		p, err := sp.Start(Spec{Argv: []string{"true"}})
		if err != nil {
			b.Fatal(err)
		}
		<-p.Done()
		p.Close()
		reg.CleanupFinishedProcesses()
	}
}

// benchKill measures KillProcess until the exit is recorded for a child
// started by script, reporting ms per kill.
func benchKill(b *testing.B, script string, grace time.Duration) {
	reg := registry.New(registry.WithGracePeriod(grace))
	defer reg.Close()
	sp := New(reg)
	defer sp.Close()
	_, events, cancel := reg.Subscribe()
	defer cancel()
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		p, err := sp.Start(Spec{Argv: []string{"sh", "-c", script}})
		if err != nil {
			b.Fatal(err)
		}
		// Wait for "ready": the child has set up its traps and children.
		for !strings.Contains(reg.LiveOutput(p.RunID()), "ready") {
			<-events
		}
		b.StartTimer()
		began := time.Now()
		if gone, err := reg.KillProcess(context.Background(), p.RunID()); !gone || err != nil {
			b.Fatal(gone, err)
		}
		total += time.Since(began)
		b.StopTimer()
		p.Close()
		reg.CleanupFinishedProcesses()
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/kill")
}

// BenchmarkKillLatency: from KillProcess to the exit recorded, for a child
// that exits on SIGTERM (target < 50 ms) and for a tree that ignores it
// and the SIGHUP before it (target: the grace period + < 100 ms; the grace
// here is 200 ms).
func BenchmarkKillLatency(b *testing.B) {
	b.Run("term-obeying", func(b *testing.B) {
		benchKill(b, "sleep 1000 & echo ready; wait", 5*time.Second)
	})
	b.Run("term-ignoring-tree-grace-200ms", func(b *testing.B) {
		benchKill(b, "trap '' HUP TERM; sleep 1000 & sleep 1000 & echo ready; wait", 200*time.Millisecond)
	})
}
