package history

import (
	"errors"
	"os"
	"sync"
	"syscall"
	"testing"
)

// A full disk: the log is /dev/full. The error is reported once, Write goes
// on accepting (and discarding) output, and Close returns the error.
func TestLogWriteErrorReportedOnce(t *testing.T) {
	var (
		mu   sync.Mutex
		errs []error
	)
	s := open(t, "", WithErrorHandler(func(id int64, err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}))
	id := begin(t, s, Run{}).ID
	if err := os.Symlink("/dev/full", s.segmentPath(id, 0)); err != nil {
		t.Fatal(err)
	}
	w, err := s.Log(id)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	for range 200 { // 800 KiB: several buffers reach the disk
		if n, err := w.Write(chunk); n != len(chunk) || err != nil {
			t.Fatalf("Write: %d %v", n, err)
		}
	}
	err = w.Close()
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Close: %v, want ENOSPC", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(errs) != 1 || !errors.Is(errs[0], syscall.ENOSPC) {
		t.Fatalf("errors reported: %v, want one ENOSPC", errs)
	}
}
