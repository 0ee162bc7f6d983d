// Command latency measures keystroke echo in the whole corral binary as a
// person feels it: a key goes to the outer terminal (tmux), corral hands it
// to a `cat` in focus, the child's terminal echoes it, and corral draws it.
// The time runs from the key sent to tmux to the echoed character in what
// the pane writes to tmux, read through a tmux control-mode client (no
// screen polling). The same is measured for `cat` in a bare tmux pane as the
// baseline, idle and while another run floods its terminal.
//
//	go run ./bench/latency [-keys 200] [-bin path/to/corral]
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	keys := flag.Int("keys", 200, "keystrokes measured per case")
	bin := flag.String("bin", "", "corral binary to measure (default: build this tree)")
	floodMB := flag.Int("flood-mb", 20, "size of the file the flooding run writes over and over")
	flag.Parse()
	if err := run(*keys, *bin, *floodMB); err != nil {
		fmt.Fprintln(os.Stderr, "latency:", err)
		os.Exit(1)
	}
}

func run(keys int, bin string, floodMB int) error {
	if _, err := exec.LookPath("tmux"); err != nil {
		return fmt.Errorf("tmux is needed: apt-get install -y tmux")
	}
	dir, err := os.MkdirTemp("", "corral-latency")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		bin = filepath.Join(dir, "corral")
		build := exec.Command("go", "build", "-o", bin, ".")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	text := filepath.Join(dir, "flood.txt")
	if err := writeText(text, floodMB); err != nil {
		return err
	}
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte("[settings]\nkill_grace = \"1s\"\n"), 0o644); err != nil {
		return err
	}
	flood := fmt.Sprintf("while :; do cat %s; done", text)

	type result struct {
		name string
		ms   []float64
	}
	var results []result
	for _, c := range []struct {
		name  string
		setup func(*session) error
	}{
		{"bare tmux pane, idle", func(s *session) error { return s.start("cat") }},
		{"corral, idle", func(s *session) error {
			return s.startCorral(bin, cfg, "cat")
		}},
		{"bare tmux pane, another pane flooding", func(s *session) error {
			if err := s.start("cat"); err != nil {
				return err
			}
			return s.other(flood)
		}},
		{"corral, another run flooding", func(s *session) error {
			return s.startCorral(bin, cfg, "cat", "sh -c '"+flood+"'")
		}},
	} {
		s := &session{sock: fmt.Sprintf("corral-latency-%d-%d", os.Getpid(), len(results))}
		err := c.setup(s)
		var ms []float64
		if err == nil {
			ms, err = s.measure(keys)
		}
		s.stop()
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		results = append(results, result{c.name, ms})
	}

	fmt.Printf("keystroke echo latency, %d keys per case, 120×40, %s\n\n", keys, time.Now().Format("2006-01-02 15:04"))
	fmt.Printf("%-40s %8s %8s %8s %8s\n", "case", "median", "p90", "p99", "max")
	for _, r := range results {
		sort.Float64s(r.ms)
		fmt.Printf("%-40s %6.1fms %6.1fms %6.1fms %6.1fms\n", r.name, pct(r.ms, 50), pct(r.ms, 90), pct(r.ms, 99), r.ms[len(r.ms)-1])
	}
	return nil
}

func pct(sorted []float64, p float64) float64 {
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}

// session is a private tmux server with a control-mode client attached to
// the measured session "s".
type session struct {
	sock   string
	ctl    *exec.Cmd
	ctlIn  io.WriteCloser
	lines  chan line
	pids   []int // processes started in panes, ended by pid
	paneID string
}

type line struct {
	at   time.Time
	text string
}

func (s *session) tmux(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-L", s.sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("tmux %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// start runs argv (a shell command) in session s at 120×40 and attaches
// the control client.
func (s *session) start(command string) error {
	if _, err := s.tmux("new-session", "-d", "-s", "s", "-x", "120", "-y", "40", command); err != nil {
		return err
	}
	s.remember("s")
	id, err := s.tmux("display-message", "-p", "-t", "s", "#{pane_id}")
	if err != nil {
		return err
	}
	s.paneID = id
	return s.attach()
}

// other runs a command in a second session of the same server: it shares
// the terminal server but is not on the measured screen.
func (s *session) other(command string) error {
	if _, err := s.tmux("new-session", "-d", "-s", "f", "-x", "120", "-y", "40", command); err != nil {
		return err
	}
	s.remember("f")
	return nil
}

func (s *session) remember(target string) {
	if out, err := s.tmux("display-message", "-p", "-t", target, "#{pane_pid}"); err == nil {
		if pid, err := strconv.Atoi(out); err == nil {
			s.pids = append(s.pids, pid)
		}
	}
}

// startCorral runs corral with commands, waits for its table, and puts the
// first run in focus.
func (s *session) startCorral(bin, cfg string, commands ...string) error {
	parts := []string{shellQuote(bin), "--config", shellQuote(cfg)}
	for _, c := range commands {
		parts = append(parts, shellQuote(c))
	}
	if err := s.start(strings.Join(parts, " ")); err != nil {
		return err
	}
	if err := s.waitScreen("TYPING INTO RUN", func() error { _, err := s.tmux("send-keys", "-t", "s", "Enter"); return err }); err != nil {
		return err
	}
	return nil
}

// waitScreen repeats act every half second until the screen shows want.
func (s *session) waitScreen(want string, act func() error) error {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		scr, err := s.tmux("capture-pane", "-p", "-t", "s")
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

func (s *session) attach() error {
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
	s.lines = make(chan line, 1<<16)
	go func() {
		defer close(s.lines)
		r := bufio.NewReaderSize(out, 1<<20)
		prefix := "%output " + s.paneID + " "
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if strings.HasPrefix(l, prefix) {
				s.lines <- line{time.Now(), unescape(strings.TrimSuffix(l[len(prefix):], "\n"))}
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

// measure types keys at irregular intervals and times each echo.
func (s *session) measure(n int) ([]float64, error) {
	const alphabet = "xzwvjxzwvj"
	s.drain(300 * time.Millisecond)
	var ms []float64
	for i := range n {
		if i > 0 && i%50 == 0 {
			// A new line keeps the echo on screen; its output is not measured.
			if _, err := fmt.Fprintf(s.ctlIn, "send-keys -t s C-u\n"); err != nil {
				return nil, err
			}
			s.drain(200 * time.Millisecond)
		}
		c := alphabet[i%len(alphabet)]
		sent := time.Now()
		if _, err := fmt.Fprintf(s.ctlIn, "send-keys -t s -l %c\n", c); err != nil {
			return nil, err
		}
		got, err := s.await(c, 5*time.Second)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		ms = append(ms, float64(got.Sub(sent).Microseconds())/1000)
		// Irregular pauses so that keys fall at every phase of any frame clock.
		s.drain(time.Duration(20+rand.IntN(40)) * time.Millisecond)
	}
	return ms, nil
}

// await returns when the pane writes c.
func (s *session) await(c byte, timeout time.Duration) (time.Time, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				return time.Time{}, fmt.Errorf("the control client ended")
			}
			if strings.IndexByte(l.text, c) >= 0 {
				return l.at, nil
			}
		case <-t.C:
			return time.Time{}, fmt.Errorf("no echo of %q within %v", c, timeout)
		}
	}
}

// drain discards pane output for d.
func (s *session) drain(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-s.lines:
		case <-t.C:
			return
		}
	}
}

func (s *session) stop() {
	if s.ctlIn != nil {
		_ = s.ctlIn.Close()
	}
	for _, pid := range s.pids {
		for _, d := range descendants(pid) {
			_ = exec.Command("kill", "-KILL", strconv.Itoa(d)).Run()
		}
		_ = exec.Command("kill", "-KILL", strconv.Itoa(pid)).Run()
	}
	_ = exec.Command("tmux", "-L", s.sock, "kill-server").Run()
	if s.ctl != nil {
		_ = s.ctl.Wait()
	}
}

// descendants lists the processes under pid, from /proc.
func descendants(pid int) []int {
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

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func writeText(path string, mb int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	for i, n := 0, 0; n < mb<<20; i++ {
		k, _ := fmt.Fprintf(w, "line %9d the quick brown fox jumps over the lazy dog, again and again and again!\n", i)
		n += k
	}
	return w.Flush()
}
