//go:build unix

package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadWithin runs Load and fails the test if it has not returned in time:
// before the guards, a FIFO blocked it forever and /dev/zero read until the
// memory ran out.
func loadWithin(t *testing.T, path string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := Load(path, true)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("Load(%s) has not returned after 10s", path)
		return nil
	}
}

func TestLoadRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "config.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.toml")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{"/dev/zero", "is a character device; it must be a regular file"},
		{fifo, "is a FIFO; it must be a regular file"},
		{link, "is a FIFO; it must be a regular file"},
		{dir, "is a directory; it must be a regular file"},
	}
	for _, tt := range tests {
		err := loadWithin(t, tt.path)
		if err == nil || !strings.HasPrefix(err.Error(), tt.path+": ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%s): %v, want %q", tt.path, err, tt.want)
		}
	}
}

func TestLoadRefusesAFileOverOneMiB(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.toml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(192 << 20); err != nil { // sparse: 192 MB that cost no disk
		t.Fatal(err)
	}
	f.Close()
	err = loadWithin(t, big)
	if err == nil || !strings.Contains(err.Error(), big+": corral reads a file of at most 1048576 bytes (1 MiB); this one has 201326592") {
		t.Fatalf("Load of 192 MB: %v", err)
	}

	// At the limit it is read: a megabyte of comment is a valid config.
	exact := filepath.Join(dir, "exact.toml")
	text := "[settings]\nkill_grace = 3\n" + "#" + strings.Repeat("x", MaxFileSize-len("[settings]\nkill_grace = 3\n")-1)
	if err := os.WriteFile(exact, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(exact, true)
	if err != nil || c.Settings.KillGrace.Duration != 3*time.Second {
		t.Fatalf("Load of exactly 1 MiB: %v", err)
	}
	if err := os.WriteFile(exact, []byte(text+"x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := loadWithin(t, exact); err == nil || !strings.Contains(err.Error(), "this one has 1048577") {
		t.Fatalf("Load of 1 MiB + 1: %v", err)
	}
}
