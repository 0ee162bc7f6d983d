// Package tmuxctl runs programs in a private tmux server for the whole-binary
// benchmarks and reads what a pane writes through a tmux control-mode client,
// each chunk stamped with the time it arrived (no screen polling).
package tmuxctl

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Size of every session's terminal.
const (
	Cols = 120
	Rows = 40
)

// Session is a private tmux server with a control-mode client attached to
// its measured session "s".
type Session struct {
	sock   string
	ctl    *exec.Cmd
	ctlIn  io.WriteCloser
	chunks chan chunk
	pids   []int // processes started in panes, ended by pid
	paneID string
	carry  string // the end of the last chunk Await read, for a text split between chunks
	state  string // the run history of the corral StartCorral started, removed by Stop
}

type chunk struct {
	at   time.Time
	text string
}

// New returns a session on a socket of its own; name tells whose it is.
func New(name string) *Session {
	return &Session{sock: fmt.Sprintf("%s-%d-%d", name, os.Getpid(), time.Now().UnixNano())}
}

// Tmux runs one tmux command against the session's server.
func (s *Session) Tmux(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-L", s.sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("tmux %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// Start runs command (a shell command line) in session s at Cols×Rows and
// attaches the control client.
func (s *Session) Start(command string) error {
	if _, err := s.Tmux("new-session", "-d", "-s", "s", "-x", strconv.Itoa(Cols), "-y", strconv.Itoa(Rows), command); err != nil {
		return err
	}
	s.remember("s")
	id, err := s.Tmux("display-message", "-p", "-t", "s", "#{pane_id}")
	if err != nil {
		return err
	}
	s.paneID = id
	return s.attach()
}

// Other runs a command in a second session of the same server: it shares
// the terminal server but is not on the measured screen.
func (s *Session) Other(command string) error {
	if _, err := s.Tmux("new-session", "-d", "-s", "f", "-x", strconv.Itoa(Cols), "-y", strconv.Itoa(Rows), command); err != nil {
		return err
	}
	s.remember("f")
	return nil
}

func (s *Session) remember(target string) {
	if out, err := s.Tmux("display-message", "-p", "-t", target, "#{pane_pid}"); err == nil {
		if pid, err := strconv.Atoi(out); err == nil {
			s.pids = append(s.pids, pid)
		}
	}
}

// PID is the pid of the program in the measured pane, 0 before Start.
func (s *Session) PID() int {
	if len(s.pids) == 0 {
		return 0
	}
	return s.pids[0]
}

// StartCorral runs the corral binary bin with config cfg and commands as its
// first runs, and waits for its run list.
func (s *Session) StartCorral(bin, cfg string, commands ...string) error {
	// A history of its own: its run ids start at 1000000 whatever ran before.
	state, err := os.MkdirTemp("", "corral-bench-state")
	if err != nil {
		return err
	}
	s.state = state
	parts := []string{"XDG_STATE_HOME=" + ShellQuote(state), "exec", ShellQuote(bin), "--config", ShellQuote(cfg)}
	for _, c := range commands {
		parts = append(parts, ShellQuote(c))
	}
	if err := s.Start(strings.Join(parts, " ")); err != nil {
		return err
	}
	return s.WaitScreen("1000000 ", func() error { return nil })
}

// Screen is what the measured pane shows now, as plain text.
func (s *Session) Screen() (string, error) {
	return s.Tmux("capture-pane", "-p", "-t", "s")
}

// WaitScreen repeats act every half second until the screen shows want,
// for at most 20 seconds.
func (s *Session) WaitScreen(want string, act func() error) error {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		scr, err := s.Screen()
		if err != nil {
			return err
		}
		if strings.Contains(scr, want) {
			return nil
		}
		if err := act(); err != nil {
			return err
		}
		time.Sleep(500 * time.Millisecond)
	}
	return fmt.Errorf("the screen never showed %q", want)
}

// Send writes one tmux command to the control client, e.g. "send-keys -t s
// Down"; it does not wait for tmux to run it.
func (s *Session) Send(command string) error {
	if _, err := fmt.Fprintln(s.ctlIn, command); err != nil {
		return fmt.Errorf("control client: %w", err)
	}
	return nil
}

func (s *Session) attach() error {
	s.ctl = exec.Command("tmux", "-L", s.sock, "-f", "/dev/null", "-C", "attach", "-t", "s")
	in, err := s.ctl.StdinPipe()
	if err != nil {
		return err
	}
	out, err := s.ctl.StdoutPipe()
	if err != nil {
		return err
	}
	if err := s.ctl.Start(); err != nil {
		return fmt.Errorf("control client: %w", err)
	}
	s.ctlIn = in
	s.chunks = make(chan chunk, 1<<16)
	go func() {
		defer close(s.chunks)
		r := bufio.NewReaderSize(out, 1<<20)
		prefix := "%output " + s.paneID + " "
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if strings.HasPrefix(l, prefix) {
				s.chunks <- chunk{time.Now(), unescape(strings.TrimSuffix(l[len(prefix):], "\n"))}
			}
		}
	}()
	return nil
}

// unescape decodes tmux's octal escapes of control characters and '\'.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b bytes.Buffer
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Await returns the arrival time of the output chunk in which the pane's
// output, read on from where the last Await or Drain stopped, contains want
// (which may be split between chunks).
func (s *Session) Await(want string, timeout time.Duration) (time.Time, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case c, ok := <-s.chunks:
			if !ok {
				return time.Time{}, fmt.Errorf("the control client ended")
			}
			text := s.carry + c.text
			if k := len(text) - len(want) + 1; k > 0 {
				s.carry = text[k:]
			} else {
				s.carry = text
			}
			if strings.Contains(text, want) {
				s.carry = ""
				return c.at, nil
			}
		case <-t.C:
			return time.Time{}, fmt.Errorf("the pane did not write %q within %v", want, timeout)
		}
	}
}

// Type types c into the session's pane and returns how long it took until
// tmux reported it on the screen (the child's echo).
func (s *Session) Type(c byte) (time.Duration, error) {
	sent := time.Now()
	if err := s.Send(fmt.Sprintf("send-keys -t s -l %c", c)); err != nil {
		return 0, err
	}
	got, err := s.Await(string(c), 5*time.Second)
	if err != nil {
		return 0, err
	}
	return got.Sub(sent), nil
}

// Drain discards pane output for d.
func (s *Session) Drain(d time.Duration) {
	s.carry = ""
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-s.chunks:
		case <-t.C:
			return
		}
	}
}

// Stop kills what the panes run (each process by pid, its descendants
// first) and the tmux server.
func (s *Session) Stop() {
	if s.ctlIn != nil {
		_ = s.ctlIn.Close()
	}
	for _, pid := range s.pids {
		for _, d := range Descendants(pid) {
			_ = exec.Command("kill", "-KILL", strconv.Itoa(d)).Run()
		}
		_ = exec.Command("kill", "-KILL", strconv.Itoa(pid)).Run()
	}
	_ = exec.Command("tmux", "-L", s.sock, "kill-server").Run()
	if s.ctl != nil {
		_ = s.ctl.Wait()
	}
	if s.state != "" {
		_ = os.RemoveAll(s.state)
	}
}

// Descendants lists the processes under pid, from /proc.
func Descendants(pid int) []int {
	parent := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
		pp, _ := strconv.Atoi(f[1])
		parent[pp] = append(parent[pp], p)
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range parent[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

// Prepare checks that tmux is installed, makes a temporary directory whose
// name starts with name, and builds the corral binary of the working
// directory (which must be the module's root) into it as dir/corral. The
// caller removes dir, also on an error after it was made.
func Prepare(name string) (dir, bin string, err error) {
	if _, err := exec.LookPath("tmux"); err != nil {
		return "", "", fmt.Errorf("tmux is needed: apt-get install -y tmux")
	}
	if dir, err = os.MkdirTemp("", name); err != nil {
		return "", "", err
	}
	PrivateState(dir)
	bin = filepath.Join(dir, "corral")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return dir, "", fmt.Errorf("build: %w", err)
	}
	return dir, bin, nil
}

// PrivateState points XDG_STATE_HOME, for this process and the tmux
// servers it starts, at dir/state: the corral under test keeps its run
// history and log there, not in the person's, and its run ids start at
// 1000000 as the harnesses expect.
func PrivateState(dir string) { os.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state")) }

// ShellQuote quotes s for sh.
func ShellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// WriteText writes mb megabytes of numbered 80-column lines to path; tag,
// if not empty, replaces the sentence in every line.
func WriteText(path string, mb int, tag string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if tag == "" {
		tag = "the quick brown fox jumps over the lazy dog, again and again and again!"
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for i, n := 0, 0; n < mb<<20; i++ {
		k, _ := fmt.Fprintf(w, "line %9d %s\n", i, tag)
		n += k
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
