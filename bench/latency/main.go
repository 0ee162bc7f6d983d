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
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"

	"corral/bench/internal/tmuxctl"
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
	tmuxctl.PrivateState(dir)
	if bin == "" {
		bin = filepath.Join(dir, "corral")
		build := exec.Command("go", "build", "-o", bin, ".")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	text := filepath.Join(dir, "flood.txt")
	if err := tmuxctl.WriteText(text, floodMB, ""); err != nil {
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
		setup func(*tmuxctl.Session) error
	}{
		{"bare tmux pane, idle", func(s *tmuxctl.Session) error { return s.Start("cat") }},
		{"corral, idle", func(s *tmuxctl.Session) error {
			return startCorral(s, bin, cfg, "cat")
		}},
		{"bare tmux pane, another pane flooding", func(s *tmuxctl.Session) error {
			if err := s.Start("cat"); err != nil {
				return err
			}
			return s.Other(flood)
		}},
		{"corral, another run flooding", func(s *tmuxctl.Session) error {
			return startCorral(s, bin, cfg, "cat", "sh -c '"+flood+"'")
		}},
	} {
		s := tmuxctl.New("corral-latency")
		err := c.setup(s)
		var ms []float64
		if err == nil {
			ms, err = measure(s, keys)
		}
		s.Stop()
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

// startCorral runs corral with commands in s and puts the first run in
// focus.
func startCorral(s *tmuxctl.Session, bin, cfg string, commands ...string) error {
	if err := s.StartCorral(bin, cfg, commands...); err != nil {
		return err
	}
	return s.WaitScreen("TYPING INTO RUN", func() error { _, err := s.Tmux("send-keys", "-t", "s", "Enter"); return err })
}

func pct(sorted []float64, p float64) float64 {
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}

// measure types keys at irregular intervals and times each echo.
func measure(s *tmuxctl.Session, n int) ([]float64, error) {
	const alphabet = "xzwvjxzwvj"
	s.Drain(300 * time.Millisecond)
	var ms []float64
	for i := range n {
		if i > 0 && i%50 == 0 {
			// A new line keeps the echo on screen; its output is not measured.
			if err := s.Send("send-keys -t s C-u"); err != nil {
				return nil, err
			}
			s.Drain(200 * time.Millisecond)
		}
		took, err := s.Type(alphabet[i%len(alphabet)])
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		ms = append(ms, float64(took.Microseconds())/1000)
		// Irregular pauses so that keys fall at every phase of any frame clock.
		s.Drain(time.Duration(20+rand.IntN(40)) * time.Millisecond)
	}
	return ms, nil
}
