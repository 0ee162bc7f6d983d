// Command idle measures what idle runs cost the whole corral binary: it
// starts corral in a private tmux at 200×50 with N runs of a child that
// writes nothing (sleep), and reports corral's resident memory 10 s after
// the last child started and its CPU use over the next -cpu seconds, from
// /proc/<pid>/status and /proc/<pid>/stat (utime + stime). A baseline with
// one run is measured in the same rounds.
//
//	go run ./bench/idle [-n 50,200] [-rounds 3] [-cpu 30s]
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"corral/bench/internal/usage"
)

func main() {
	ns := flag.String("n", "50,200", "numbers of idle runs, comma-separated")
	rounds := flag.Int("rounds", 3, "rounds of each measurement")
	cpuFor := flag.Duration("cpu", 30*time.Second, "how long CPU use is measured")
	settle := flag.Duration("settle", 10*time.Second, "wait after the last child started before reading memory")
	flag.Parse()
	if err := run(*ns, *rounds, *cpuFor, *settle); err != nil {
		fmt.Fprintln(os.Stderr, "idle:", err)
		os.Exit(1)
	}
}

func run(ns string, rounds int, cpuFor, settle time.Duration) error {
	if _, err := exec.LookPath("tmux"); err != nil {
		return fmt.Errorf("tmux is needed: apt-get install -y tmux")
	}
	dir, err := os.MkdirTemp("", "corral-idle")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "corral")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte("[settings]\nkill_grace = \"1s\"\n"), 0o644); err != nil {
		return err
	}
	counts := []int{1}
	for _, f := range strings.Split(ns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("-n: %q is not a number of runs", f)
		}
		counts = append(counts, n)
	}
	fmt.Printf("corral idle runs: 200×50 tmux, RSS %v after the last start, CPU over %v, %d rounds, %s\n\n",
		settle, cpuFor, rounds, time.Now().Format("2006-01-02"))
	fmt.Printf("%-10s %-30s %-30s %s\n", "idle runs", "RSS MB median (min–max)", "CPU % median (min–max)", "threads")
	for _, n := range counts {
		var rss, cpu []float64
		threads := 0
		for range rounds {
			r, c, th, err := measure(bin, cfg, dir, n, settle, cpuFor)
			if err != nil {
				return err
			}
			rss, cpu, threads = append(rss, r), append(cpu, c), th
		}
		rl, rm, rh := stats(rss)
		cl, cm, ch := stats(cpu)
		fmt.Printf("%-10d %6.1f (%5.1f–%5.1f)%13s %6.3f (%5.3f–%5.3f)%10s %d\n", n, rm, rl, rh, "", cm, cl, ch, "", threads)
	}
	return nil
}

// measure runs corral with n idle children and returns its RSS in MB after
// settle, its CPU % over cpuFor and its thread count.
func measure(bin, cfg, dir string, n int, settle, cpuFor time.Duration) (rss, cpu float64, threads int, err error) {
	sock := fmt.Sprintf("corral-idle-%d-%d", os.Getpid(), time.Now().UnixNano())
	args := []string{"-L", sock, "-f", "/dev/null", "new-session", "-d", "-x", "200", "-y", "50",
		"env", "HOME=" + dir, "XDG_STATE_HOME=" + filepath.Join(dir, "state"), bin, "--config", cfg}
	for range n {
		args = append(args, "sleep 600")
	}
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		return 0, 0, 0, fmt.Errorf("tmux: %v: %s", err, out)
	}
	var pid int
	defer func() {
		if pid > 0 {
			_ = exec.Command("kill", "-TERM", strconv.Itoa(pid)).Run()
			for i := 0; i < 500 && alive(pid); i++ {
				time.Sleep(10 * time.Millisecond)
			}
		}
		_ = exec.Command("tmux", "-L", sock, "kill-server").Run()
	}()
	out, err := exec.Command("tmux", "-L", sock, "display-message", "-p", "#{pane_pid}").Output()
	if err != nil {
		return 0, 0, 0, fmt.Errorf("tmux: %w", err)
	}
	pid, _ = strconv.Atoi(strings.TrimSpace(string(out)))
	// env execs corral: the pane's pid is corral's.
	for deadline := time.Now().Add(30 * time.Second); usage.Children(pid) < n; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			return 0, 0, 0, fmt.Errorf("%d of %d children started", usage.Children(pid), n)
		}
	}
	time.Sleep(settle)
	rss = usage.Status(pid, "VmRSS") / 1024
	threads = int(usage.Status(pid, "Threads"))
	c0, t0 := usage.CPUSeconds(pid), time.Now()
	time.Sleep(cpuFor)
	cpu = (usage.CPUSeconds(pid) - c0) / time.Since(t0).Seconds() * 100
	return rss, cpu, threads, nil
}

func alive(pid int) bool {
	_, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
	return err == nil
}

func stats(v []float64) (lo, med, hi float64) {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[0], s[len(s)/2], s[len(s)-1]
}
