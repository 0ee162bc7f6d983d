package spawn

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"corral/registry"
)

// idleRuns starts n runs of a child that writes nothing and waits (a marked
// sleep), hidden as the interface leaves every run it does not show.
func idleRuns(b *testing.B, sp *Spawner, n int) []*Proc {
	ps := make([]*Proc, 0, n)
	for range n {
		p, err := sp.Start(Spec{Argv: []string{"sleep", "7919"}, Cols: 200, Rows: 50})
		if err != nil {
			b.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

// cpuTime is the CPU time this process has used (user + system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIdleRuns starts 50 and then 200 runs that write nothing and are
// not shown, and reports what one costs: live heap after a collection,
// goroutines, resident memory over the baseline before them, and the CPU
// the process used while they sat idle for idleFor.
//
//	go test -run '^$' -bench IdleRuns -benchtime 1x ./spawn
func BenchmarkIdleRuns(b *testing.B) {
	const idleFor = 5 * time.Second
	for range b.N {
		for _, n := range []int{50, 200} {
			b.StopTimer()
			reg := registry.New()
			sp := New(reg)
			// Warm up: the runtime's and the registry's lasting allocations.
			warm := idleRuns(b, sp, 2)
			killAll(b, reg)
			for _, p := range warm {
				<-p.Done()
			}
			reg.CleanupFinishedProcesses()
			debug.FreeOSMemory()
			rss0, heap0, g0, th0 := rssBytes(b), heapAfterGC(), runtime.NumGoroutine(), threads(b)

			b.StartTimer()
			ps := idleRuns(b, sp, n)
			b.StopTimer()
			time.Sleep(time.Second) // let every run settle: its first wake-ups, if any
			heap, gs, th := heapAfterGC(), runtime.NumGoroutine(), threads(b)
			debug.FreeOSMemory()
			rss := rssBytes(b)
			cpu0, wall0 := cpuTime(), time.Now()
			time.Sleep(idleFor)
			cpu := float64(cpuTime()-cpu0) / float64(time.Since(wall0)) * 100

			b.ReportMetric((float64(heap)-float64(heap0))/float64(n), "heap-B/idle-run")
			b.ReportMetric(float64(gs-g0)/float64(n), "goroutines/idle-run")
			b.ReportMetric(float64(th-th0)/float64(n), "threads/idle-run")
			b.ReportMetric(float64(rss-rss0)/(1<<20), "rss-MB-over-base/"+itoa(n))
			b.ReportMetric(cpu, "cpu-%/"+itoa(n))
			killAll(b, reg)
			for _, p := range ps {
				<-p.Done()
			}
			sp.Close()
			reg.Close()
		}
	}
}

// threads is how many OS threads this process has.
func threads(b *testing.B) int {
	s, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status")
	}
	for l := range strings.Lines(string(s)) {
		if v, ok := strings.CutPrefix(l, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	b.Fatal("no Threads")
	return 0
}

func itoa(n int) string {
	if n == 50 {
		return "50-runs"
	}
	return "200-runs"
}

func killAll(b *testing.B, reg *registry.Registry) {
	ctx, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	if err := reg.KillAll(ctx); err != nil {
		b.Fatal(err)
	}
}
