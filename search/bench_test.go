package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"corral/registry"
)

const (
	benchRuns  = 50
	benchLines = 10000
)

var words = strings.Fields(`the a of to and in is for on with that this it as be are was by from at or
	an not have has will can all but which their more one when would there been if about into
	request response handler server client config session token cache build test module package
	function return error value index file path line output input buffer stream process worker
	started finished waiting retry timeout connection database query result update delete insert
	commit branch merge review change fix add remove refactor check verify parse render write read`)

var files = []string{"main.go", "registry/output.go", "spawn/pump.go", "tui/view.go", "internal/auth/auth.go",
	"config/load.go", "launch/past.go", "history/store.go"}

// benchLine returns a line of realistic program output of 80–120 columns:
// log lines, test output, compiler messages, prose of an agent.
func benchLine(rnd *rand.Rand, i int) string {
	var b strings.Builder
	switch rnd.IntN(10) {
	case 0, 1, 2:
		level := [...]string{"INFO ", "DEBUG", "WARN ", "INFO "}[rnd.IntN(4)]
		fmt.Fprintf(&b, "2026-11-27T09:%02d:%02d.%03dZ %s worker=%d ", i/600%60, i/10%60, i%1000, level, rnd.IntN(16))
	case 3:
		fmt.Fprintf(&b, "%s:%d:%d: ", files[rnd.IntN(len(files))], rnd.IntN(900)+1, rnd.IntN(80)+1)
	case 4:
		fmt.Fprintf(&b, "    --- PASS: Test%s%s (0.%02ds) ", strings.ToUpper(words[rnd.IntN(len(words))][:1]),
			words[rnd.IntN(len(words))], rnd.IntN(100))
	case 5:
		b.WriteString("│ ")
	}
	target := 80 + rnd.IntN(41)
	for b.Len() < target {
		b.WriteString(words[rnd.IntN(len(words))])
		b.WriteByte(' ')
	}
	s := b.String()[:target]
	switch rnd.IntN(2000) { // rare lines a person looks for
	case 0:
		s = "--- FAIL: TestSessionExpiry (0.31s) internal/auth/auth.go:88: token expired " + s[:20]
	case 1:
		s = "panic: runtime error: invalid memory address or nil pointer dereference " + s[:30]
	}
	return s
}

var (
	benchOnce    sync.Once
	benchOutputs []*registry.Output
)

// benchSources returns 50 runs' outputs of 10,000 lines each, live
// registry outputs as the interface searches them.
func benchSources(b *testing.B) []Source {
	benchOnce.Do(func() {
		rnd := rand.New(rand.NewPCG(7, 11))
		for range benchRuns {
			out := registry.NewOutputBudget(benchLines, 4096, 64<<20)
			for i := range benchLines {
				out.AppendLine(benchLine(rnd, i))
			}
			benchOutputs = append(benchOutputs, out)
		}
	})
	sources := make([]Source, len(benchOutputs))
	for i, out := range benchOutputs {
		sources[i] = Source{RunID: int64(1000000 + len(benchOutputs) - i), Name: fmt.Sprint("run", i), Lines: Live(out)}
	}
	return sources
}

// benchQueries are searched in every run to the end (they match fewer
// lines than the limit), but for plain-file, which stops at it.
var benchQueries = []struct {
	name, text string
	mode       Mode
	slow       bool // left out of BenchmarkSearchAll: seconds an op
}{
	{"plain-absent", "deadlock", Plain, false},                   // ignoring case, a k, no match at all
	{"plain-file", "auth.go", Plain, false},                      // many matches: stops at the limit
	{"plain-s", "session expiry", Plain, false},                  // an s, which also folds to ſ
	{"plain-exact", "FAIL", Plain, false},                        // a capital: exact case
	{"plain-unicode", "déjà", Plain, false},                      // a non-ASCII needle
	{"regex-literal", `FAIL.*auth\.go`, Regex, false},            // a literal to look for first
	{"regex-fold", `panic: .*nil`, Regex, false},                 // the same, ignoring case
	{"regex-alt", `(deadlock|data race|segfault)`, Regex, false}, // alternatives
	{"regex-digits", `\d{3}ms`, Regex, false},                    // a literal after a class: "ms"
	{"regex-noliteral", `[0-9a-f]{12}`, Regex, true},             // no literal: the regexp on every line
}

const benchLimit = 1000

// cpuTime returns the CPU time the process has used, all threads and the
// garbage collector's included: on this shared machine, where other
// people's work stretches wall time, the cost of a search itself.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLinesCopy is the part of a search of all runs that is the
// registry's: copying 50 outputs' 10,000 line headers out of their rings.
func BenchmarkLinesCopy(b *testing.B) {
	sources := benchSources(b)
	for b.Loop() {
		for _, s := range sources {
			_, _ = s.Lines.ReadLines()
		}
	}
}

func BenchmarkSearchAll(b *testing.B) {
	sources := benchSources(b)
	for _, bq := range benchQueries {
		if bq.slow {
			continue // 50 times BenchmarkInRun's
		}
		q := mustCompile(b, bq.text, bq.mode)
		b.Run(bq.name, func(b *testing.B) {
			var hits int
			cpu := cpuTime()
			for b.Loop() {
				res, err := All(context.Background(), q, sources, benchLimit)
				if err != nil {
					b.Fatal(err)
				}
				hits = len(res.Hits)
			}
			b.ReportMetric(float64(hits), "hits")
			b.ReportMetric((cpuTime()-cpu).Seconds()*1e3/float64(b.N), "cpu-ms/op")
		})
	}
}

// BenchmarkSearchAllWorkers compares searching the sources on one
// goroutine and on several.
func BenchmarkSearchAllWorkers(b *testing.B) {
	sources := benchSources(b)
	for _, bq := range benchQueries[:2] {
		q := mustCompile(b, bq.text, bq.mode)
		for _, w := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("%s/workers=%d", bq.name, w), func(b *testing.B) {
				cpu := cpuTime()
				for b.Loop() {
					if _, err := all(context.Background(), q, sources, benchLimit, w); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric((cpuTime()-cpu).Seconds()*1e3/float64(b.N), "cpu-ms/op")
			})
		}
	}
}

// BenchmarkSearchAllCancel measures how long a search of all runs takes
// to return once its context is cancelled from another goroutine.
func BenchmarkSearchAllCancel(b *testing.B) {
	sources := benchSources(b)
	q := mustCompile(b, "deadlock", Plain)
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		started := make(chan struct{})
		srcs := append([]Source{{RunID: 1, Lines: ReadFunc(func() ([]string, error) {
			close(started)
			return nil, nil
		})}}, sources...)
		go func() {
			<-started
			cancel()
		}()
		if _, err := All(ctx, q, srcs, benchLimit); err == nil {
			b.Fatal("cancelled search returned no error")
		}
	}
}

// BenchmarkInRun searches one full run, as the interface does again when
// lines arrive.
func BenchmarkInRun(b *testing.B) {
	out := benchSources(b)[0].Lines.(liveReader).t
	for _, bq := range benchQueries {
		q := mustCompile(b, bq.text, bq.mode)
		b.Run(bq.name, func(b *testing.B) {
			for b.Loop() {
				InRun(q, out)
			}
		})
	}
}

// BenchmarkMatch is one 80–120 column line that does not match.
func BenchmarkMatch(b *testing.B) {
	rnd := rand.New(rand.NewPCG(1, 1))
	lines := make([]string, 1024)
	for i := range lines {
		lines[i] = benchLine(rnd, i)
	}
	for _, bq := range benchQueries {
		q := mustCompile(b, bq.text, bq.mode)
		b.Run(bq.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				q.Match(lines[i&1023])
				i++
			}
		})
	}
}
