// Command binary measures the whole corral binary as a person runs it: in a
// tmux terminal with a flooding child's pane on screen, against the same
// child with its terminal drained into io.Discard, in alternating rounds;
// then the manager's memory with idle children and full scrollbacks. With
// -floods it runs several children at once (floods.go), times keys during
// them, and times showing a hidden run (show.go). With -logging it runs one
// flood with the run history on and with history = false, each beside a raw
// drain, and checks the log holds the whole flood (logging.go).
//
//	go run ./bench/binary [-mb 100] [-rounds 5] [-floods 1,4] [-keys 30] [-show 20] [-logging 3] [-memory=false]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"corral/bench/internal/tmuxctl"
	"corral/bench/internal/usage"

	"github.com/creack/pty"
)

func main() {
	mb := flag.Int("mb", 100, "megabytes the flooding child writes")
	rounds := flag.Int("rounds", 5, "alternating rounds of raw drain and corral")
	flag.BoolVar(&measureMemory, "memory", true, "measure the manager's memory with idle children and full scrollbacks")
	flag.Parse()
	if err := run(*mb, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// measureMemory is -memory.
var measureMemory bool

func run(mb, rounds int) error {
	if _, err := exec.LookPath("tmux"); err != nil {
		return fmt.Errorf("tmux is needed: apt-get install -y tmux")
	}
	dir, err := os.MkdirTemp("", "corral-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	tmuxctl.PrivateState(dir)
	bin := filepath.Join(dir, "corral")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	text := filepath.Join(dir, "flood.txt")
	if err := tmuxctl.WriteText(text, mb, ""); err != nil {
		return err
	}
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte("[settings]\nkill_grace = \"1s\"\n"), 0o644); err != nil {
		return err
	}

	floodReport, err := floodScenarios(bin, cfg, dir, text, mb, rounds)
	if err != nil {
		return err
	}
	loggingReport, err := runLogging(bin, dir, text, mb)
	if err != nil {
		return err
	}
	fmt.Printf("corral whole-binary benchmark: %d MB floods at 120×40, %s (each case gives its rounds)\n\n", mb, time.Now().Format("2006-01-02 15:04"))
	fmt.Printf("%-44s %10s %19s  %s\n", "measure", "median", "min–max", "target")
	floodReport()
	loggingReport()
	if !measureMemory {
		return nil
	}

	idle50, err := memory(bin, cfg, 50, "exec sleep 1000")
	if err != nil {
		return err
	}
	idle10, err := memory(bin, cfg, 10, "exec sleep 1000")
	if err != nil {
		return err
	}
	line := strings.Repeat("x", 70)
	full10, err := memory(bin, cfg, 10, fmt.Sprintf("yes %s | head -n 12000; exec sleep 1000", line))
	if err != nil {
		return err
	}
	perLine := (full10 - idle10) * (1 << 20) / (10 * 10_000)

	fmt.Println()
	fmt.Printf("%-44s %8.1f MB\n", "manager RSS, 50 idle children", idle50)
	fmt.Printf("%-44s %8.1f MB\n", "manager RSS, 10 idle children", idle10)
	fmt.Printf("%-44s %8.1f MB\n", "manager RSS, 10 children with full scrollback", full10)
	fmt.Printf("%-44s %8.0f B   (10 × 10,000 lines of 70 characters)\n", "bytes per scrollback line", perLine)
	return nil
}

// timedCat is a child that writes the file and records, from inside, how
// long that took.
func timedCat(text, wallFile string) string {
	return fmt.Sprintf(`s=$(date +%%s%%N); cat %s; e=$(date +%%s%%N); echo $((e-s)) > %s.tmp; mv %s.tmp %s`,
		text, wallFile, wallFile, wallFile)
}

// rawDrain runs script under a 120×40 PTY copied to io.Discard.
func rawDrain(script, wallFile string) (float64, error) {
	cmd := exec.Command("sh", "-c", script)
	master, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 120, Rows: 40})
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, master)
	_ = cmd.Wait()
	master.Close()
	return readWall(wallFile, time.Minute)
}

func readWall(path string, timeout time.Duration) (float64, error) {
	deadline := time.Now().Add(timeout)
	for {
		if b, err := os.ReadFile(path); err == nil {
			ns, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
			return ns / 1e9, err
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("no wall time in %s", path)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// tmuxSession runs corral with commands in a private tmux at 120×40 and
// returns a function to end it and corral's pid.
func tmuxSession(bin, cfg string, commands ...string) (stop func(), pid int, err error) {
	sock := fmt.Sprintf("corral-bench-%d-%d", os.Getpid(), time.Now().UnixNano())
	args := []string{"-L", sock, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", bin, "--config", cfg}
	args = append(args, commands...)
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		return nil, 0, fmt.Errorf("tmux: %v: %s", err, out)
	}
	stop = func() {
		if pid > 0 {
			_ = exec.Command("kill", "-TERM", strconv.Itoa(pid)).Run()
			for i := 0; i < 500 && usage.Alive(pid); i++ {
				time.Sleep(10 * time.Millisecond)
			}
		}
		_ = exec.Command("tmux", "-L", sock, "kill-server").Run()
	}
	out, err := exec.Command("tmux", "-L", sock, "display-message", "-p", "#{pane_pid}").Output()
	if err != nil {
		stop()
		return nil, 0, err
	}
	pid, _ = strconv.Atoi(strings.TrimSpace(string(out)))
	return stop, pid, nil
}

// memory starts n copies of script under corral, waits until their output
// has settled, and returns corral's resident memory in MB.
func memory(bin, cfg string, n int, script string) (float64, error) {
	cmds := make([]string, n)
	for i := range cmds {
		cmds[i] = "sh -c '" + script + "'"
	}
	stop, pid, err := tmuxSession(bin, cfg, cmds...)
	if err != nil {
		return 0, err
	}
	defer stop()
	// Settled: every child started and resident memory stopped growing.
	last := -1.0
	for i := 0; i < 100; i++ {
		time.Sleep(200 * time.Millisecond)
		rss := usage.Status(pid, "VmRSS") / 1024
		if usage.Children(pid) >= n && rss == last {
			return rss, nil
		}
		last = rss
	}
	return last, nil
}
