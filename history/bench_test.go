package history

import (
	"runtime"
	"testing"
	"time"
)

// BenchmarkLogWriterWrite measures the caller's side of the log: Write of
// 4 KiB chunks that find room in the queue (the time spent waiting for room
// is not counted; a benchmark loop never blocks, so without the wait the
// writer's goroutine would hardly run and most chunks would be dropped).
func BenchmarkLogWriterWrite(b *testing.B) {
	s := open(b, "", WithLogCap(1<<40), WithTotalCap(1<<40))
	id := begin(b, s, Run{}).ID
	benchWrite(b, s, id, false)
}

// BenchmarkLogWriterToDisk measures the whole path to the file: Write of
// 4 KiB chunks, waiting (as no caller does) whenever the queue is full, with
// the waits counted, so that every byte reaches the disk.
func BenchmarkLogWriterToDisk(b *testing.B) {
	s := open(b, "", WithLogCap(1<<40), WithTotalCap(1<<40))
	benchWrite(b, s, begin(b, s, Run{}).ID, true)
}

func benchWrite(b *testing.B, s *Store, id int64, wait bool) {
	w, err := s.Log(id)
	if err != nil {
		b.Fatal(err)
	}
	chunk := stream(4096)
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		if !hasRoom(w, len(chunk)) {
			if !wait {
				b.StopTimer()
			}
			for !hasRoom(w, len(chunk)) {
				runtime.Gosched()
			}
			if !wait {
				b.StartTimer()
			}
		}
		w.Write(chunk)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(w.Dropped())/float64(b.N*len(chunk)), "dropped/byte")
}

// BenchmarkBeginEnd measures recording a run's start and end, each its own
// transaction in the index.
func BenchmarkBeginEnd(b *testing.B) {
	s := open(b, "")
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		id, err := s.NextID()
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Begin(Run{ID: id, Kind: "agent", Agent: "claude", Name: "bench", Argv: []string{"claude", "-p", "x"}, Dir: "/src", PID: 1234}); err != nil {
			b.Fatal(err)
		}
		if err := s.End(id, "exited", 0, "", now); err != nil {
			b.Fatal(err)
		}
	}
}

func hasRoom(w *LogWriter, n int) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.room() >= n
}
