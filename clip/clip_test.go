package clip

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestSequence(t *testing.T) {
	tests := []struct{ text, want string }{
		{"hello", "\x1b]52;c;aGVsbG8=\a"},
		{"héllo\nworld", "\x1b]52;c;aMOpbGxvCndvcmxk\a"},
		{"", "\x1b]52;c;\a"},
	}
	for _, tt := range tests {
		got, err := Sequence(tt.text)
		if err != nil || got != tt.want {
			t.Errorf("Sequence(%q) = %q, %v; want %q", tt.text, got, err, tt.want)
		}
	}
}

func TestSequenceLimit(t *testing.T) {
	seq, err := Sequence(strings.Repeat("x", MaxText))
	if err != nil || len(seq) > MaxSequence {
		t.Fatalf("Sequence of MaxText (%d) bytes: %d bytes, %v", MaxText, len(seq), err)
	}
	if MaxSequence-len(seq) >= 4 {
		t.Errorf("MaxText %d is not the most that fits: its sequence is %d bytes", MaxText, len(seq))
	}
	seq, err = Sequence(strings.Repeat("x", MaxText+1))
	if !errors.Is(err, ErrTooLarge) || seq != "" {
		t.Errorf("Sequence of MaxText+1 bytes = %d bytes, %v; want ErrTooLarge", len(seq), err)
	}
	if _, err := (Target{Tmux: true, Passthrough: true}).Copy(strings.Repeat("x", MaxText+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Copy through tmux of MaxText+1 bytes: %v, want ErrTooLarge", err)
	}
}

func TestTmuxPassthrough(t *testing.T) {
	got := TmuxPassthrough("\x1b]52;c;aGVsbG8=\a")
	if want := "\x1bPtmux;\x1b\x1b]52;c;aGVsbG8=\a\x1b\\"; got != want {
		t.Errorf("TmuxPassthrough = %q, want %q", got, want)
	}
}

func TestTargetCopy(t *testing.T) {
	plain := "\x1b]52;c;aGk=\a"
	wrapped := "\x1bPtmux;\x1b" + plain + "\x1b\\"
	tests := []struct {
		name    string
		target  Target
		want    string
		blocked bool
	}{
		{"outside tmux", Target{}, plain, false},
		{"tmux, set-clipboard on", Target{Tmux: true, SetClipboard: "on", Passthrough: true}, plain, false},
		{"tmux, external, passthrough", Target{Tmux: true, SetClipboard: "external", Passthrough: true}, wrapped, false},
		{"tmux, off, passthrough", Target{Tmux: true, SetClipboard: "off", Passthrough: true}, wrapped, false},
		{"tmux, external, no passthrough", Target{Tmux: true, SetClipboard: "external"}, plain, true},
		{"tmux, options unknown", Target{Tmux: true}, plain + wrapped, false},
	}
	for _, tt := range tests {
		got, err := tt.target.Copy("hi")
		if err != nil || got != tt.want {
			t.Errorf("%s: Copy = %q, %v; want %q", tt.name, got, err, tt.want)
		}
		if blocked := tt.target.Blocked() != ""; blocked != tt.blocked {
			t.Errorf("%s: Blocked() = %q, want blocked %v", tt.name, tt.target.Blocked(), tt.blocked)
		}
	}
}

// TestDetect asks a tmux server of the test's own, as corral inside tmux
// asks the one it runs in.
func TestDetect(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("no tmux")
	}
	t.Setenv("TMUX", "")
	if got, err := Detect(context.Background()); err != nil || got != (Target{}) {
		t.Fatalf("outside tmux: Detect = %+v, %v", got, err)
	}

	socket := fmt.Sprintf("corral-clip-test-%d", os.Getpid())
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-L", socket, "-f", "/dev/null"}, args...)...).Output()
		if err != nil {
			t.Fatalf("tmux %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	tmux("new-session", "-d", "-x", "80", "-y", "24", "sleep 7343")
	socketPath := ""
	t.Cleanup(func() {
		_ = exec.Command("tmux", "-L", socket, "kill-server").Run()
		if socketPath != "" {
			_ = os.Remove(socketPath) // tmux leaves it behind
		}
	})
	info := strings.Split(tmux("display-message", "-p", "#{socket_path},#{pid},#{session_id},#{pane_id}"), ",")
	socketPath = info[0]
	t.Setenv("TMUX", info[0]+","+info[1]+","+strings.TrimPrefix(info[2], "$"))
	t.Setenv("TMUX_PANE", info[3])

	got, err := Detect(context.Background())
	if want := (Target{Tmux: true, SetClipboard: "external"}); err != nil || got != want {
		t.Errorf("tmux's defaults: Detect = %+v, %v; want %+v", got, err, want)
	}
	tmux("set", "-s", "set-clipboard", "on")
	tmux("set", "-g", "allow-passthrough", "on")
	got, err = Detect(context.Background())
	if want := (Target{Tmux: true, SetClipboard: "on", Passthrough: true}); err != nil || got != want {
		t.Errorf("set-clipboard and allow-passthrough on: Detect = %+v, %v; want %+v", got, err, want)
	}
}

func TestSave(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "agent-7.log")
	read := func(p string) string {
		t.Helper()
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	onlyFiles := func(want ...string) {
		t.Helper()
		ents, _ := os.ReadDir(dir)
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		if strings.Join(names, " ") != strings.Join(want, " ") {
			t.Errorf("directory holds %v, want %v (no temporary file left)", names, want)
		}
	}

	n, err := Save(path, []string{"first", "", "é"}, false)
	if err != nil || n != 10 || read(path) != "first\n\né\n" {
		t.Fatalf("Save = %d, %v; file %q", n, err, read(path))
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != FileMode {
		t.Errorf("new file mode %v, want %v", fi.Mode().Perm(), FileMode)
	}

	// An existing file is refused, and left as it was.
	if _, err := Save(path, []string{"second"}, false); !errors.Is(err, ErrExists) {
		t.Errorf("Save over an existing file: %v, want ErrExists", err)
	}
	if read(path) != "first\n\né\n" {
		t.Errorf("refused save changed the file: %q", read(path))
	}
	onlyFiles("agent-7.log")

	// Overwriting replaces the file by a rename: a reader that had the old
	// one open still reads it whole; the file keeps its mode.
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	old, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if n, err := Save(path, []string{"second"}, true); err != nil || n != 7 || read(path) != "second\n" {
		t.Fatalf("overwrite: %d, %v, file %q", n, err, read(path))
	}
	buf := make([]byte, 64)
	if n, _ := old.Read(buf); string(buf[:n]) != "first\n\né\n" {
		t.Errorf("the old file was written in place: its reader sees %q", buf[:n])
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("overwritten file mode %v, want its own 0600", fi.Mode().Perm())
	}
	onlyFiles("agent-7.log")

	// A symbolic link: refused, or with overwrite its target replaced.
	link := filepath.Join(dir, "link.log")
	if err := os.Symlink("agent-7.log", link); err != nil {
		t.Fatal(err)
	}
	if _, err := Save(link, []string{"x"}, false); !errors.Is(err, ErrExists) {
		t.Errorf("Save over a link: %v, want ErrExists", err)
	}
	if _, err := Save(link, []string{"third"}, true); err != nil || read(path) != "third\n" {
		t.Errorf("overwrite through a link: %v, target %q", err, read(path))
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v, %v", fi, err)
	}
	onlyFiles("agent-7.log", "link.log")

	// Failures say so and leave nothing behind.
	for _, tt := range []struct {
		name, path string
		overwrite  bool
	}{
		{"no name", "", false},
		{"missing directory", filepath.Join(dir, "missing", "x.log"), false},
		{"a directory", dir, true},
	} {
		_, err := Save(tt.path, []string{"x"}, tt.overwrite)
		if err == nil || errors.Is(err, ErrExists) {
			t.Errorf("%s: Save = %v, want an error other than ErrExists", tt.name, err)
			continue
		}
		// It names the file asked for, never the hidden temporary one.
		if msg := err.Error(); strings.Contains(msg, ".tmp") || !strings.Contains(msg, tt.path) {
			t.Errorf("%s: %q, want it to name %q alone", tt.name, msg, tt.path)
		}
	}
	onlyFiles("agent-7.log", "link.log")
}

func TestDefaultName(t *testing.T) {
	tests := []struct {
		name string
		id   int64
		want string
	}{
		{"claude", 1000003, "claude-1000003.log"},
		{"claude: fix auth", 12, "claude-fix-auth-12.log"},
		{"../../etc/passwd", 5, "etc-passwd-5.log"},
		{".hidden", 5, "hidden-5.log"},
		{"-rf", 5, "rf-5.log"},
		{"go test ./...", 5, "go-test-5.log"},
		{"a/b\\c:d*e?f\"g<h>i|j", 5, "a-b-c-d-e-f-g-h-i-j-5.log"},
		{"tâche été", 5, "tâche-été-5.log"},
		{"日本語", 5, "日本語-5.log"},
		{"v1.2_rc+1", 5, "v1.2_rc+1-5.log"},
		{"", 9, "run-9.log"},
		{"///", 9, "run-9.log"},
		{"line\nbreak\ttab", 9, "line-break-tab-9.log"},
		{strings.Repeat("x", 100), 1, strings.Repeat("x", 64) + "-1.log"},
		{strings.Repeat("é", 40), 1, strings.Repeat("é", 32) + "-1.log"},
	}
	for _, tt := range tests {
		if got := DefaultName(tt.name, tt.id); got != tt.want {
			t.Errorf("DefaultName(%q, %d) = %q, want %q", tt.name, tt.id, got, tt.want)
		}
	}
}
