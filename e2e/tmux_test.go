// Package e2e drives the real corral binary in a real terminal (tmux) and
// checks what a person would see and what is left running on the machine.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	osproc "corral/internal/proc"
)

var (
	binary   string // the corral binary built for the suite
	raceLogs string // where a -race binary reports (CORRAL_E2E_RACE=1)
	sockN    atomic.Int64
)

func TestMain(m *testing.M) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "e2e: tmux is missing in CI (.ci/run installs it)")
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "e2e: tmux not installed: skipping the end-to-end suite (apt-get install -y tmux)")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "corral-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "corral")
	args := []string{"build", "-o", binary}
	if os.Getenv("CORRAL_E2E_RACE") != "" {
		// The binary itself under the race detector; reports go to files
		// (GORACE log_path), which the suite checks at the end.
		args = append(args, "-race")
		raceLogs = filepath.Join(dir, "race")
		os.Setenv("GORACE", "log_path="+raceLogs+" halt_on_error=0")
	}
	build := exec.Command("go", append(args, "..")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build failed:", err)
		os.Exit(1)
	}
	code := m.Run()
	if raceLogs != "" {
		if reports, _ := filepath.Glob(raceLogs + ".*"); len(reports) > 0 {
			for _, r := range reports {
				b, _ := os.ReadFile(r)
				fmt.Fprintf(os.Stderr, "e2e: data race in the corral binary (%s):\n%s\n", r, b)
			}
			code = 1
		}
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// term is corral running in a private tmux server.
type term struct {
	t    testing.TB
	sock string
	home string
}

// startCorral runs corral with args in a w×h terminal, with a private HOME
// and config directory. When corral exits, the shell around it prints its
// status and whether echo is on, then waits.
func startCorral(t testing.TB, w, h int, args ...string) *term {
	t.Helper()
	return startIn(t, w, h, append([]string{binary}, args...)...)
}

func startIn(t testing.TB, w, h int, argv ...string) *term {
	t.Helper()
	tm := &term{t: t, sock: fmt.Sprintf("corral-e2e-%d-%d", os.Getpid(), sockN.Add(1)), home: t.TempDir()}
	quoted := make([]string, len(argv))
	for i, a := range argv {
		quoted[i] = shellQuote(a)
	}
	script := fmt.Sprintf(`export HOME=%s XDG_CONFIG_HOME=%s/.config XDG_STATE_HOME=%s/.local/state; %s; echo "[exit $?]"; stty -a | tr ' ' '\n' | grep -x -- '-*echo'; exec sleep 600`,
		shellQuote(tm.home), shellQuote(tm.home), shellQuote(tm.home), strings.Join(quoted, " "))
	tm.tmux("new-session", "-d", "-s", "s", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), "sh", "-c", script)
	t.Cleanup(tm.close)
	return tm
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (tm *term) tmux(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// screen returns what the terminal shows.
func (tm *term) screen() string { return tm.tmux("capture-pane", "-p", "-t", "s") }

// keys sends tmux key names (Enter, Down, C-c, y).
func (tm *term) keys(keys ...string) { tm.tmux(append([]string{"send-keys", "-t", "s"}, keys...)...) }

// text types literal text.
func (tm *term) text(s string) { tm.tmux("send-keys", "-t", "s", "-l", s) }

// waitFor polls the screen until cond holds. tmux offers no event for a
// screen change, so observing means capturing; the timeout guards a hang.
func (tm *term) waitFor(what string, cond func(string) bool) string {
	tm.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := tm.screen()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("timed out waiting for %s; the screen:\n%s", what, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (tm *term) waitText(s string) string {
	tm.t.Helper()
	return tm.waitFor(strconv.Quote(s), func(scr string) bool { return strings.Contains(scr, s) })
}

// panePID is the pid of the shell running corral.
func (tm *term) panePID() int {
	pid, _ := strconv.Atoi(strings.TrimSpace(tm.tmux("display-message", "-p", "-t", "s", "#{pane_pid}")))
	return pid
}

// corralPID finds corral among the pane shell's children.
func (tm *term) corralPID() int {
	for _, p := range procs() {
		if p.ppid == tm.panePID() && p.comm == "corral" {
			return p.pid
		}
	}
	return 0
}

func (tm *term) close() {
	// End everything under the pane, by pid, then the server.
	if out, err := exec.Command("tmux", "-L", tm.sock, "list-panes", "-a", "-F", "#{pane_pid}").Output(); err == nil {
		for _, f := range strings.Fields(string(out)) {
			if pid, err := strconv.Atoi(f); err == nil {
				for _, d := range descendants(pid) {
					_ = syscall.Kill(d, syscall.SIGKILL)
				}
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	_ = exec.Command("tmux", "-L", tm.sock, "kill-server").Run()
}

// proc is a line of /proc/PID/stat.
type proc struct {
	pid, ppid, session int
	state              byte
	comm               string
}

func procs() []proc {
	var out []proc
	for _, pid := range osproc.Pids() {
		st, err := osproc.Read(pid)
		if err != nil {
			continue
		}
		name, _ := osproc.Name(pid)
		out = append(out, proc{pid: pid, ppid: st.PPID, session: st.Session, state: st.State, comm: name})
	}
	return out
}

// descendants lists the live descendants of pid.
func descendants(pid int) []int {
	all := procs()
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, q := range all {
			if q.ppid == p && q.state != 'Z' {
				out = append(out, q.pid)
				queue = append(queue, q.pid)
			}
		}
	}
	return out
}

func alive(pid int) bool {
	for _, p := range procs() {
		if p.pid == pid {
			return p.state != 'Z'
		}
	}
	return false
}

// liveInSession lists the live processes of a session.
func liveInSession(sid int) []int {
	var out []int
	for _, p := range procs() {
		if p.session == sid && p.state != 'Z' {
			out = append(out, p.pid)
		}
	}
	return out
}

// rowPID reads the PID column of the table row that contains text.
func rowPID(t testing.TB, screen, text string) int {
	t.Helper()
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, text) {
			f := strings.Fields(l)
			if len(f) >= 4 {
				if pid, err := strconv.Atoi(f[3]); err == nil {
					return pid
				}
			}
		}
	}
	t.Fatalf("no row with %q and a pid:\n%s", text, screen)
	return 0
}

func row(screen, text string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	return ""
}
