package logfile

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPath(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	tests := []struct{ xdg, want string }{
		{"/state", "/state/corral/corral.log"},
		{"", filepath.Join(home, ".local/state/corral/corral.log")},
		{"relative/dir", filepath.Join(home, ".local/state/corral/corral.log")}, // ignored, as XDG says
	}
	for _, tt := range tests {
		t.Setenv("XDG_STATE_HOME", tt.xdg)
		if got, err := Path(); err != nil || got != tt.want {
			t.Errorf("XDG_STATE_HOME=%q: Path() = %q, %v; want %q", tt.xdg, got, err, tt.want)
		}
	}
}

func TestNewWritesAtPathOwnerOnly(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	path, err := Path()
	if err != nil {
		t.Fatal(err)
	}
	log, c, err := New(path, slog.LevelWarn)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("not kept", "run", 1)
	log.Warn("follow transcript", "run", 1_000_001, "err", "permission denied")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); !strings.Contains(s, `level=WARN msg="follow transcript" run=1000001 err="permission denied"`) ||
		strings.Contains(s, "not kept") {
		t.Fatalf("log holds %q", s)
	}
	for p, want := range map[string]os.FileMode{filepath.Dir(path): 0o700, path: 0o600} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", p, got, want)
		}
	}
}

func TestOpenNarrowsExistingPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "corral")
	path := filepath.Join(dir, Name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil { // past the umask
		t.Fatal(err)
	}
	f, err := Open(path, MaxSize)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		if info, err := os.Stat(p); err != nil || info.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want %v", p, info.Mode().Perm(), err, want)
		}
	}
}

func TestRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "corral", Name)
	f, err := Open(path, 100)
	if err != nil {
		t.Fatal(err)
	}
	line := func(c byte) []byte { return append(bytes.Repeat([]byte{c}, 39), '\n') } // 40 bytes
	for _, c := range []byte("abc") {
		if _, err := f.Write(line(c)); err != nil {
			t.Fatal(err)
		}
	}
	// a and b fit in 100 bytes; c would pass it: a and b move to .1.
	read := func(p string) string {
		t.Helper()
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got, want := read(path+".1"), string(line('a'))+string(line('b')); got != want {
		t.Fatalf(".1 = %q, want %q", got, want)
	}
	if got := read(path); got != string(line('c')) {
		t.Fatalf("log = %q after rotation", got)
	}
	// The next rotation replaces the old file: one old file is kept.
	for _, c := range []byte("de") {
		if _, err := f.Write(line(c)); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := read(path+".1"), string(line('c'))+string(line('d')); got != want {
		t.Fatalf(".1 = %q after a second rotation, want %q", got, want)
	}
	if got := read(path); got != string(line('e')) {
		t.Fatalf("log = %q after a second rotation", got)
	}
	for _, p := range []string{path, path + ".1"} {
		if info, err := os.Stat(p); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, want 0600", p, err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(line('x')); err == nil {
		t.Fatal("write after Close succeeded")
	}
	// Reopened, the size already written counts.
	f, err = Open(path, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []byte("fgh") {
		if _, err := f.Write(line(c)); err != nil {
			t.Fatal(err)
		}
	}
	// e (written before) and f fill the file; g rotates it.
	if got, want := read(path+".1"), string(line('e'))+string(line('f')); got != want {
		t.Fatalf(".1 = %q after reopening, want %q", got, want)
	}
	if got, want := read(path), string(line('g'))+string(line('h')); got != want {
		t.Fatalf("log = %q after reopening, want %q", got, want)
	}
}

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in   string
		want slog.Level
		ok   bool
	}{
		{"debug", slog.LevelDebug, true},
		{"INFO", slog.LevelInfo, true},
		{"warn", slog.LevelWarn, true},
		{"error", slog.LevelError, true},
		{"loud", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseLevel(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseLevel(%q) = %v, %v", tt.in, got, err)
		}
	}
}
