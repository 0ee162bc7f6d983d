package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"corral/bench/internal/tmuxctl"
)

// showLines is how many lines each run of the show benchmark prints: with
// the last line, about 12.5 KiB, so that its screen is built from less
// than 16 KiB of tail.
const showLines = 250

// showHidden starts corral with two runs that each print a known screen and
// then sleep, and times keys that move the selection from one to the other:
// from the key sent to tmux to the output of corral that draws the last line
// of the newly shown run's screen (the renderer writes rows top to bottom),
// read through a tmux control-mode client. After each key it checks with
// capture-pane that the pane shows the run's last lines; ok counts the
// screens that were right.
func showHidden(bin, cfg, dir string, samples int) (ms []float64, ok int, err error) {
	var cmds, last [2]string
	for k := range 2 {
		file := filepath.Join(dir, fmt.Sprintf("show-%d.txt", k))
		last[k] = tag(k + 2) // its last line: different from the other run's in every column
		if err := writeScreen(file, k, last[k]); err != nil {
			return nil, 0, err
		}
		cmds[k] = fmt.Sprintf("sh -c 'cat %s; exec sleep %d'", file, 7340+k)
	}
	s := tmuxctl.New("corral-bench-show")
	defer s.Stop()
	if err := s.StartCorral(bin, cfg, cmds[:]...); err != nil {
		return nil, 0, err
	}
	if err := s.WaitScreen(last[0], func() error { return nil }); err != nil {
		return nil, 0, err
	}
	if err := awaitSleep(s.PID(), "sleep 7341"); err != nil {
		return nil, 0, err
	}
	s.Drain(500 * time.Millisecond)
	for i := range samples {
		key, k := "Down", 1
		if i%2 == 1 {
			key, k = "Up", 0
		}
		sent := time.Now()
		if err := s.Send("send-keys -t s " + key); err != nil {
			return nil, 0, err
		}
		got, err := s.Await(last[k], 5*time.Second)
		if err != nil {
			return nil, 0, fmt.Errorf("sample %d: %w", i, err)
		}
		ms = append(ms, float64(got.Sub(sent).Microseconds())/1000)
		if scr, err := s.Screen(); err == nil && showsEnd(scr, k, last[k]) {
			ok++
		}
		// The other run stays hidden for an irregular while.
		s.Drain(time.Duration(200+rand.IntN(500)) * time.Millisecond)
	}
	return ms, ok, nil
}

// screenLine is line i of run k's screen.
func screenLine(k, i int) string { return fmt.Sprintf("%c%05d %s", 'p'+k, i, tag(k)) }

func writeScreen(path string, k int, last string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	for i := range showLines - 1 {
		fmt.Fprintln(w, screenLine(k, i))
	}
	fmt.Fprintln(w, last)
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// showsEnd reports whether scr shows the last lines run k printed, in order.
func showsEnd(scr string, k int, last string) bool {
	want := []string{screenLine(k, showLines-4), screenLine(k, showLines-3), screenLine(k, showLines-2), last}
	at := 0
	for _, l := range strings.Split(scr, "\n") {
		if at < len(want) && strings.TrimSpace(l) == want[at] {
			at++
		}
	}
	return at == len(want)
}

// awaitSleep waits until a process under pid runs the command line cmd.
func awaitSleep(pid int, cmd string) error {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, d := range tmuxctl.Descendants(pid) {
			b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", d))
			if strings.ReplaceAll(strings.TrimRight(string(b), "\x00"), "\x00", " ") == cmd {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no %q under pid %d", cmd, pid)
}
