package launch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"corral/claude"
	"corral/config"
	"corral/registry"
	"corral/spawn"
	"corral/tui"
)

// fakeBin is the directory of the fake claude (corral/internal/fakeclaude),
// built once for the package's tests.
var fakeBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fakeclaude")
	if err != nil {
		panic(err)
	}
	fakeBin = dir
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "claude"), "corral/internal/fakeclaude")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the fake claude:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// rig is corral's wiring without the interface, over a fake claude on
// PATH and a private HOME.
type rig struct {
	reg    *registry.Registry
	l      *Launcher
	home   string
	events <-chan registry.Event
}

// newRig wires a launcher over a registry made with opts.
func newRig(t *testing.T, opts ...registry.Option) *rig {
	t.Helper()
	t.Setenv("PATH", fakeBin+":"+os.Getenv("PATH"))
	home := t.TempDir()
	t.Setenv("HOME", home)
	reg := registry.New(append([]registry.Option{registry.WithGracePeriod(time.Second)}, opts...)...)
	sp := spawn.New(reg)
	f := claude.NewFollower(reg, home)
	project := t.TempDir()
	l := New(reg, sp, f, config.Default(), project)
	_, events, cancel := reg.Subscribe()
	t.Cleanup(func() {
		cancel()
		_ = reg.KillAll(context.Background())
		l.Close()
		f.Close()
		sp.Close()
		reg.Close()
	})
	return &rig{reg: reg, l: l, home: home, events: events}
}

// until waits on registry events until cond holds.
func (r *rig) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for !cond() {
		select {
		case <-r.events:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (r *rig) rendered(id int64) string {
	out := r.l.Rendered(id)
	if out == nil {
		return ""
	}
	return out.String()
}

func TestClaudeRunStreamJSON(t *testing.T) {
	r := newRig(t)
	for _, a := range r.l.Agents() {
		if a.Name == "claude-run" && !a.Available {
			t.Fatalf("the fake claude is not found: %s", a.Reason)
		}
	}
	id, err := r.l.Launch(tui.Request{Agent: "claude-run", Task: `fix "it"; $(rm -rf /)`, Model: "opus"})
	if err != nil {
		t.Fatal(err)
	}
	r.until(t, "the result", func() bool { return strings.Contains(r.rendered(id), "✓ done") })
	info, ok := r.reg.ClaudeSessionByID("11111111-2222-3333-4444-555555555555")
	if !ok || info.RunID != id || info.Kind != registry.KindAgent || info.AgentName != "claude-run" {
		t.Fatalf("session id not recorded: %+v", info)
	}
	got := r.rendered(id)
	for _, want := range []string{"● session 11111111", "model opus", "Working on the task.", "⚙ Bash: ls -la",
		"↳ 3 lines", "✓ done in 2.5s · $0.0123 · 2 turns", `Done: fix "it"; $(rm -rf /)`} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered stream lacks %q:\n%s", want, got)
		}
	}
	r.until(t, "the exit", func() bool { p, _ := r.reg.Process(id); return !p.Status.Live() })
	if p, _ := r.reg.Process(id); p.Status != registry.StatusExited {
		t.Fatalf("status %v", p.Status)
	}
	// The raw stream is still there.
	if !strings.Contains(r.reg.LiveOutput(id), `"type":"result"`) {
		t.Fatal("raw lines lost")
	}
}

func TestClaudeRunFailureShowsFailed(t *testing.T) {
	r := newRig(t)
	t.Setenv("FAKE_CLAUDE_FAIL", "1")
	id, err := r.l.Launch(tui.Request{Agent: "claude-run", Task: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	r.until(t, "the failure", func() bool {
		p, _ := r.reg.Process(id)
		return p.Status == registry.StatusFailed && strings.Contains(r.rendered(id), "✗ failed")
	})
	if got := r.rendered(id); !strings.Contains(got, "✗ failed in 1.2s") || !strings.Contains(got, "Invalid API key") {
		t.Fatalf("rendered:\n%s", got)
	}
}

func TestInteractiveSessionLearnsTheIDClaudeUses(t *testing.T) {
	r := newRig(t)
	t.Setenv("FAKE_CLAUDE_ID", "real-session-id")
	id, err := r.l.Launch(tui.Request{Agent: "claude"})
	if err != nil {
		t.Fatal(err)
	}
	info, _ := r.reg.Process(id)
	if info.Kind != registry.KindClaudeSession || len(info.SessionID) != 36 {
		t.Fatalf("session registered as %+v", info)
	}
	if !strings.Contains(info.Command, "--session-id "+info.SessionID) {
		t.Fatalf("the new id was not passed: %q", info.Command)
	}
	r.until(t, "the real id", func() bool { _, ok := r.reg.ClaudeSessionByID("real-session-id"); return ok })
	scr := r.l.sp.Proc(id)
	r.until(t, "the banner", func() bool { return strings.Contains(scr.Text(), "fake claude session") })
	if _, err := scr.Write([]byte("hi there\r")); err != nil {
		t.Fatal(err)
	}
	r.until(t, "the echo", func() bool { return strings.Contains(scr.Text(), "you said: hi there") })
}

func TestAdoptASleepAndKillIt(t *testing.T) {
	r := newRig(t)
	cmd := exec.Command("sleep", "1000")
	done := startOutside(t, cmd, "sleep")
	id, err := r.l.Adopt(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := r.reg.Process(id)
	if info.Kind != registry.KindSidecar || info.Command != "sleep 1000" || info.AgentName != "sleep" || info.ProjectPath == "" {
		t.Fatalf("adopted as %+v", info)
	}
	if _, err := r.l.Adopt(cmd.Process.Pid); err == nil || !strings.Contains(err.Error(), "already run") {
		t.Fatalf("adopted twice: %v", err)
	}
	if gone, err := r.reg.KillProcess(context.Background(), id); !gone || err != nil {
		t.Fatalf("kill: %v %v", gone, err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the sleep survived")
	}
	if _, err := r.l.Adopt(cmd.Process.Pid); err == nil {
		t.Fatal("a dead pid was adopted")
	}
	if _, err := r.l.Adopt(os.Getpid()); err == nil {
		t.Fatal("corral adopted itself")
	}
}

// startOutside starts cmd as corral would find a process someone else
// started, and waits until it has exec'd name (see waitExec). The process
// is killed and reaped when the test ends; the channel is closed once it
// has been reaped.
func startOutside(t *testing.T, cmd *exec.Cmd, name string) <-chan struct{} {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	waitExec(t, cmd.Process.Pid, name)
	return done
}

// waitExec waits until pid has exec'd name: Start may return before the
// kernel shows the new command line.
func waitExec(t *testing.T, pid int, name string) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if strings.Contains(string(b), name) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pid %d never ran %s", pid, name)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestAdoptedClaudeSessionIsOfferedAndItsTranscriptFollowed(t *testing.T) {
	r := newRig(t)
	project := t.TempDir()
	cmd := exec.Command(filepath.Join(fakeBin, "claude"))
	cmd.Dir = project
	cmd.Env = append(os.Environ(), "FAKE_CLAUDE_ID=outside")
	stdin, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); _ = cmd.Process.Kill(); _ = cmd.Wait() })
	transcript := filepath.Join(claude.ProjectDir(r.home, project), "outside.jsonl")
	deadline := time.Now().Add(10 * time.Second)
	for { // the fake writes its transcript as it starts
		if _, err := os.Stat(transcript); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no transcript")
		}
		time.Sleep(10 * time.Millisecond)
	}
	var found bool
	for _, c := range r.l.Candidates() {
		found = found || c.PID == cmd.Process.Pid
	}
	if !found {
		t.Fatalf("the outside session is not offered: %+v", r.l.Candidates())
	}
	id, err := r.l.Adopt(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	r.until(t, "the transcript", func() bool { return strings.Contains(r.rendered(id), "› hello") })
	if info, ok := r.reg.ClaudeSessionByID("outside"); !ok || info.RunID != id || info.AgentName != "claude" {
		t.Fatalf("session of the adopted process: %+v", info)
	}
	if _, err := stdin.Write([]byte("second\n")); err != nil {
		t.Fatal(err)
	}
	r.until(t, "a new transcript line", func() bool { return strings.Contains(r.rendered(id), "› second") })
}

func TestAdoptRefusesCorralsAncestorsAndCandidatesLeaveThemOut(t *testing.T) {
	r := newRig(t)
	for _, pid := range []int{1, os.Getppid(), os.Getpid()} {
		if _, err := r.l.Adopt(pid); !errors.Is(err, registry.ErrNotAdoptable) {
			t.Errorf("adopt %d: %v", pid, err)
		}
	}
	for _, c := range r.l.Candidates() {
		if registry.CheckAdoptable(c.PID) != nil {
			t.Errorf("candidate %d may not be adopted", c.PID)
		}
	}
}

func TestABadCommandIsAFailedRow(t *testing.T) {
	r := newRig(t)
	req := tui.Request{Command: "nonexistent-prog-7404 --flag"}
	_, err := r.l.Launch(req)
	if err == nil {
		t.Fatal("a missing program started")
	}
	id := r.l.Fail(req, err)
	info, ok := r.reg.Process(id)
	if !ok || info.Status != registry.StatusFailed || info.ExitCode != 127 || info.Command != req.Command {
		t.Fatalf("the failed row: %+v", info)
	}
	if lines := r.reg.Output(id).Lines(0, 10); len(lines) != 1 || !strings.Contains(lines[0], "command not found") {
		t.Fatalf("its output: %q", lines)
	}
	if got, ok := r.l.Request(id); !ok || got != req {
		t.Fatalf("its request, for a restart: %+v", got)
	}
}
