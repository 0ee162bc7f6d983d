// Package agents gives the whole-binary benchmarks Claude Code sessions for
// corral to follow: the fake Claude Code (corral/internal/fakeclaude) on PATH
// in a throwaway home, a catalog config with one Claude session entry, and
// sessions opened through corral's new-run form in a tmux pane.
package agents

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// catalog is the config of every benchmark that uses the fake: one Claude
// Code session in the catalog, and a short kill grace so that a round ends
// quickly.
const catalog = `[settings]
kill_grace = "1s"

[[agent]]
name = "claude"
kind = "session"
command = ["claude", "--session-id", "{session_id}"]
`

// Env is a throwaway home where corral finds the fake Claude Code as
// "claude" and puts its socket, state and the sessions' transcripts.
type Env struct {
	// Config is the config file with the catalog.
	Config string
	// Vars is the environment corral is started with (in front of the
	// caller's own): HOME, PATH, XDG_RUNTIME_DIR and XDG_STATE_HOME, all
	// under the directory given to Setup but PATH's tail.
	Vars []string
}

// Setup builds the fake Claude Code into dir/bin and makes the rest of the
// home under dir. It runs `go build`, so the working directory must be in
// the corral module.
func Setup(dir string) (Env, error) {
	bin := filepath.Join(dir, "bin")
	run := filepath.Join(dir, "run")
	for _, d := range []string{bin, run} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return Env{}, fmt.Errorf("agents: %w", err)
		}
	}
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "claude"), "corral/internal/fakeclaude")
	if out, err := build.CombinedOutput(); err != nil {
		return Env{}, fmt.Errorf("agents: build the fake claude: %v: %s", err, out)
	}
	cfg := filepath.Join(dir, "agents.toml")
	if err := os.WriteFile(cfg, []byte(catalog), 0o644); err != nil {
		return Env{}, fmt.Errorf("agents: %w", err)
	}
	return Env{Config: cfg, Vars: []string{
		"HOME=" + dir,
		"PATH=" + bin + ":" + os.Getenv("PATH"),
		"XDG_RUNTIME_DIR=" + run,
		"XDG_STATE_HOME=" + filepath.Join(dir, "state"),
	}}, nil
}

// Open opens n Claude sessions of the catalog, one after the other, from
// corral's new-run form in the tmux pane target, and returns once the header
// counts have+n runs idle (each session's SessionStart hook reached corral).
// tmux runs one tmux command against the server of the pane.
func Open(tmux func(args ...string) (string, error), target string, have, n int) error {
	keys := func(k ...string) error {
		_, err := tmux(append([]string{"send-keys", "-t", target}, k...)...)
		return err
	}
	for i := range n {
		if err := keys("n"); err != nil {
			return err
		}
		if err := waitScreen(tmux, target, "the new-run form", regexp.MustCompile(`── new run `)); err != nil {
			return err
		}
		// The chooser comes before the first field; its first entry is a
		// command line, the next one the catalog's claude.
		if err := keys("BTab", "Right"); err != nil {
			return err
		}
		if err := waitScreen(tmux, target, "the claude entry", regexp.MustCompile(`‹ claude ›`)); err != nil {
			return err
		}
		if err := keys("Enter"); err != nil {
			return err
		}
		idle := regexp.MustCompile(fmt.Sprintf(`(^|[^0-9])%d idle`, have+i+1))
		if err := waitScreen(tmux, target, fmt.Sprintf("session %d idle", have+i+1), idle); err != nil {
			return err
		}
	}
	return nil
}

// waitScreen reads the pane every 50 ms until it matches want, for at most
// 20 s.
func waitScreen(tmux func(args ...string) (string, error), target, what string, want *regexp.Regexp) error {
	var scr string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var err error
		if scr, err = tmux("capture-pane", "-p", "-t", target); err != nil {
			return err
		}
		if want.MatchString(scr) {
			return nil
		}
	}
	return fmt.Errorf("agents: waiting for %s, the screen stayed:\n%s", what, scr)
}

// Environ is the environment of process pid, which must be this user's (a
// child of the corral the benchmark started).
func Environ(pid int) (map[string]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		return nil, fmt.Errorf("agents: %w", err)
	}
	env := map[string]string{}
	for _, kv := range bytes.Split(b, []byte{0}) {
		if k, v, ok := strings.Cut(string(kv), "="); ok {
			env[k] = v
		}
	}
	return env, nil
}

// Named returns those of pids whose command name (/proc/<pid>/comm) is name.
func Named(pids []int, name string) []int {
	var out []int
	for _, p := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", p))
		if err == nil && strings.TrimSpace(string(b)) == name {
			out = append(out, p)
		}
	}
	return out
}
