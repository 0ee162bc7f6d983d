package registry

import (
	"bytes"
	"runtime"
	"testing"
)

func BenchmarkRegister(b *testing.B) {
	r := New()
	defer r.Close()
	b.ReportAllocs()
	for b.Loop() {
		id := r.GenerateID()
		if err := r.RegisterProcess(RegistrationConfig{RunID: id, PID: 1}, fakeChild{1}); err != nil {
			b.Fatal(err)
		}
		// Stop the watcher so that goroutines do not pile up.
		_ = r.UnregisterProcess(id)
	}
}

// registryWith returns a registry holding n runs.
func registryWith(b *testing.B, n int) *Registry {
	r := New()
	for range n {
		if err := r.RegisterProcess(RegistrationConfig{RunID: r.GenerateID(), PID: 1}, fakeChild{1}); err != nil {
			b.Fatal(err)
		}
	}
	return r
}

func BenchmarkLookup10k(b *testing.B) {
	r := registryWith(b, 10_000)
	defer r.Close()
	b.ReportAllocs()
	i := int64(0)
	for b.Loop() {
		if _, ok := r.Process(FirstRunID + i%10_000); !ok {
			b.Fatal("missing")
		}
		i++
	}
}

func BenchmarkSnapshot10k(b *testing.B) {
	r := registryWith(b, 10_000)
	defer r.Close()
	b.ReportAllocs()
	for b.Loop() {
		if len(r.Processes()) != 10_000 {
			b.Fatal("short")
		}
	}
}

// BenchmarkAppend measures appending one 4 KiB read of 80-column lines, what
// spawn's reader hands over per PTY read, with one subscriber listening.
func BenchmarkAppend(b *testing.B) {
	r := registryWith(b, 1)
	defer r.Close()
	_, events, cancel := r.Subscribe()
	defer cancel()
	go func() {
		for range events {
		}
	}()
	chunk := bytes.Repeat(append(bytes.Repeat([]byte("y"), 79), '\n'), 4096/80)
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		if err := r.AppendOutput(FirstRunID, chunk); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTail(b *testing.B) {
	o := NewOutput(10_000, 8<<10)
	for range 10_000 {
		_, _ = o.Write([]byte("some line of output that is not short\n"))
	}
	b.ReportAllocs()
	for b.Loop() {
		if len(o.Tail(40)) != 40 {
			b.Fatal("short")
		}
	}
}

// BenchmarkScrollbackBytesPerLine reports the live heap one full ring of
// 10,000 lines of 70 characters costs, per line (after a collection).
func BenchmarkScrollbackBytesPerLine(b *testing.B) {
	line := append(bytes.Repeat([]byte("x"), 70), '\n')
	var perLine float64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		o := NewOutput(10_000, 8<<10)
		for range 20_000 {
			_, _ = o.Write(line)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perLine = float64(after.HeapAlloc-before.HeapAlloc) / 10_000
		runtime.KeepAlive(o)
	}
	b.ReportMetric(perLine, "B/line")
}
