package spawn

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"corral/registry"
)

// BenchmarkEndedRunsMemory starts 1,000 short runs with output (8 at a
// time), waits until each has ended and its screen is final, and reports
// what an ended run still listed costs (live heap after a collection), then
// drops them all as a cleanup does and reports how far resident memory is
// from where it was before, once the spawner has given memory back.
//
//	go test -run '^$' -bench EndedRunsMemory -benchtime 1x ./spawn
func BenchmarkEndedRunsMemory(b *testing.B) {
	const runs, workers = 1000, 8
	for range b.N {
		b.StopTimer()
		reg := registry.New()
		forgot := make(chan int64, runs+100)
		sp := newSpawner(reg, forgot)
		freed := make(chan struct{}, 1)
		sp.free.free = func() {
			debug.FreeOSMemory()
			select {
			case freed <- struct{}{}:
			default:
			}
		}
		// batch runs n short runs and waits until each has ended and its
		// screen is final; the registry and the spawner keep them.
		batch := func(n int) int {
			next := make(chan int)
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for i := range next {
						p, err := sp.Start(Spec{Argv: []string{"echo", "hello", strconv.Itoa(i)}, Cols: 80, Rows: 24})
						if err != nil {
							b.Error(err)
							continue
						}
						<-p.Done()
						<-p.scr.done
					}
				})
			}
			for i := range n {
				next <- i
			}
			close(next)
			wg.Wait()
			return n
		}
		// The registry records an end in its own goroutine after Done: the
		// cleanup waits for the end of each run of the batch. The events are
		// drained as they come, so that none are held while memory is measured.
		ended := make(chan struct{}, runs+100)
		_, events, cancel := reg.Subscribe()
		go func() {
			for e := range events {
				if e.Kind == registry.EventExited || e.Kind == registry.EventKilled {
					ended <- struct{}{}
				}
			}
		}()
		cleanup := func(n int) {
			for range n {
				<-ended
			}
			if got := len(reg.CleanupFinishedProcesses()); got != n {
				b.Fatalf("cleaned up %d runs of %d", got, n)
			}
			for range n {
				<-forgot
			}
		}
		// Warm up (the runtime's and the registry's lasting allocations),
		// then the baseline.
		cleanup(batch(50))
		<-freed
		debug.FreeOSMemory()
		rss0, heap0, fds0, g0 := rssBytes(b), heapAfterGC(), openFDs(b), runtime.NumGoroutine()

		b.StartTimer()
		batch(runs)
		b.StopTimer()
		perRun := (float64(heapAfterGC()) - float64(heap0)) / runs
		listed := rssBytes(b)
		cleanup(runs)
		select {
		case <-freed:
		case <-time.After(2 * freeEvery):
			b.Fatal("memory never given back after the cleanup")
		}
		after := rssBytes(b)
		fds, gs := openFDs(b), runtime.NumGoroutine()
		for end := time.Now().Add(5 * time.Second); (fds != fds0 || gs > g0) && time.Now().Before(end); {
			time.Sleep(10 * time.Millisecond) // each run's own goroutine closes its terminal
			fds, gs = openFDs(b), runtime.NumGoroutine()
		}
		b.ReportMetric(perRun, "heap-B/ended-run")
		b.ReportMetric(float64(listed-rss0)/(1<<20), "rss-MB-listed-over-base")
		b.ReportMetric(float64(after-rss0)/(1<<20), "rss-MB-after-cleanup-over-base")
		b.ReportMetric(float64(fds-fds0), "fds-left")
		b.ReportMetric(float64(gs-g0), "goroutines-left")
		cancel()
		sp.Close()
		reg.Close()
	}
}

// rssBytes is this process's resident set (VmRSS).
func rssBytes(b *testing.B) int64 {
	s, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status")
	}
	for l := range strings.Lines(string(s)) {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	b.Fatal("no VmRSS")
	return 0
}
