// Command idle measures what idle runs cost the whole corral binary: it
// starts corral in a private tmux at 200×50 with N runs of a child that
// writes nothing (sleep), and reports corral's resident memory 10 s after
// the last child started, and its CPU use and the context switches of its
// threads (how often they wake) over the next -cpu seconds, from
// /proc/<pid>/status, /proc/<pid>/stat (utime + stime) and each thread's
// status. A baseline with one run is measured in the same rounds.
//
// With -agents N, a case of N idle agents joins them: N Claude sessions of
// the fake Claude Code (corral/internal/fakeclaude) opened from the catalog,
// each idle at its prompt after its SessionStart hook. Every case then runs
// with the fake's catalog config and throwaway home, so that the agents
// differ from the sleeps in nothing else.
//
// Each round measures every case once, in order, so that the cases of a
// round share the machine's load.
//
//	go run ./bench/idle [-n 50,200] [-agents 20] [-rounds 3] [-cpu 30s]
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"corral/bench/internal/agents"
	"corral/bench/internal/tmuxctl"
	"corral/bench/internal/usage"
)

// A benchmark case: n runs of `sleep 600` given on corral's command line,
// or n catalog Claude sessions.
type idleCase struct {
	n      int
	agents bool
}

func (c idleCase) String() string {
	if c.agents {
		return fmt.Sprintf("%d agents", c.n)
	}
	return strconv.Itoa(c.n)
}

func main() {
	ns := flag.String("n", "50,200", "numbers of idle runs, comma-separated")
	nAgents := flag.Int("agents", 0, "also measure this many idle Claude sessions (the fake), 0: none")
	rounds := flag.Int("rounds", 3, "rounds of each measurement")
	cpuFor := flag.Duration("cpu", 30*time.Second, "how long CPU use is measured")
	settle := flag.Duration("settle", 10*time.Second, "wait after the last child started before reading memory")
	flag.Parse()
	if err := run(*ns, *nAgents, *rounds, *cpuFor, *settle); err != nil {
		fmt.Fprintln(os.Stderr, "idle:", err)
		os.Exit(1)
	}
}

func run(ns string, nAgents, rounds int, cpuFor, settle time.Duration) error {
	dir, bin, err := tmuxctl.Prepare("corral-idle")
	if dir != "" {
		defer os.RemoveAll(dir)
	}
	if err != nil {
		return err
	}
	env := agents.Env{Config: filepath.Join(dir, "config.toml"),
		Vars: []string{"HOME=" + dir, "XDG_STATE_HOME=" + filepath.Join(dir, "state")}}
	if err := os.WriteFile(env.Config, []byte("[settings]\nkill_grace = \"1s\"\n"), 0o644); err != nil {
		return err
	}
	if nAgents > 0 {
		if env, err = agents.Setup(filepath.Join(dir, "home")); err != nil {
			return err
		}
	}
	cases := []idleCase{{n: 1}}
	for _, f := range strings.Split(ns, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return fmt.Errorf("-n: %q is not a number of runs", f)
		}
		cases = append(cases, idleCase{n: n})
	}
	if nAgents > 0 {
		cases = append(cases, idleCase{n: nAgents, agents: true})
	}
	fmt.Printf("corral idle runs: 200×50 tmux, RSS %v after the last start, CPU over %v, %d rounds, %s\n\n",
		settle, cpuFor, rounds, time.Now().Format("2006-01-02"))
	rss := make([][]float64, len(cases))
	cpu := make([][]float64, len(cases))
	wakes := make([][]float64, len(cases))
	threads := make([]int, len(cases))
	for range rounds {
		for i, c := range cases {
			m, err := measure(bin, env, c, settle, cpuFor)
			if err != nil {
				return fmt.Errorf("%v idle runs: %w", c, err)
			}
			rss[i], cpu[i], wakes[i], threads[i] = append(rss[i], m.rss), append(cpu[i], m.cpu), append(wakes[i], m.switches), m.threads
		}
	}
	fmt.Printf("%-10s %-30s %-30s %-7s %s\n", "idle runs", "RSS MB median (min–max)", "CPU % median (min–max)", "threads",
		"context switches/s median (min–max)")
	for i, c := range cases {
		rl, rm, rh := usage.Spread(rss[i])
		cl, cm, ch := usage.Spread(cpu[i])
		wl, wm, wh := usage.Spread(wakes[i])
		fmt.Printf("%-10v %6.1f (%5.1f–%5.1f)%13s %6.3f (%5.3f–%5.3f)%10s %-7d %6.0f (%.0f–%.0f)\n",
			c, rm, rl, rh, "", cm, cl, ch, "", threads[i], wm, wl, wh)
	}
	if len(cases) > 1 {
		fmt.Println("\nCPU % per round, cases in the order above:")
		for r := range rounds {
			fmt.Printf("  round %d:", r+1)
			for i := range cases {
				fmt.Printf(" %6.3f", cpu[i][r])
			}
			fmt.Println()
		}
	}
	return nil
}

// result is what one corral with idle children cost.
type result struct {
	rss      float64 // MB, settle after the last child started
	cpu      float64 // % of one core over the next cpuFor
	switches float64 // context switches a second of all its threads, over cpuFor
	threads  int
}

// measure runs corral with the idle children of c and returns its RSS
// after settle, its CPU and context switches over cpuFor and its thread
// count.
func measure(bin string, env agents.Env, c idleCase, settle, cpuFor time.Duration) (m result, err error) {
	sock := fmt.Sprintf("corral-idle-%d-%d", os.Getpid(), time.Now().UnixNano())
	tmux := func(args ...string) (string, error) {
		out, err := exec.Command("tmux", append([]string{"-L", sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("tmux %v: %v: %s", args, err, out)
		}
		return strings.TrimSpace(string(out)), nil
	}
	args := append([]string{"new-session", "-d", "-s", "s", "-x", "200", "-y", "50", "env"}, env.Vars...)
	args = append(args, bin, "--config", env.Config)
	if !c.agents {
		for range c.n {
			args = append(args, "sleep 600")
		}
	}
	if _, err := tmux(args...); err != nil {
		return m, err
	}
	var pid int
	defer func() {
		if pid > 0 {
			left := map[int]uint64{}
			for _, p := range tmuxctl.Descendants(pid) {
				left[p] = usage.Started(p)
			}
			_ = exec.Command("kill", "-TERM", strconv.Itoa(pid)).Run()
			for i := 0; i < 500 && usage.Alive(pid); i++ {
				time.Sleep(10 * time.Millisecond)
			}
			// corral stops its children; any it could not are ended here.
			for p, started := range left {
				if started != 0 && usage.Started(p) == started {
					_ = exec.Command("kill", "-KILL", strconv.Itoa(p)).Run()
				}
			}
		}
		_, _ = tmux("kill-server")
	}()
	out, err := tmux("display-message", "-p", "-t", "s", "#{pane_pid}")
	if err != nil {
		return m, err
	}
	pid, _ = strconv.Atoi(out)
	// env execs corral: the pane's pid is corral's.
	if c.agents {
		if err := agents.Open(tmux, "s", 0, c.n); err != nil {
			return m, err
		}
	}
	for deadline := time.Now().Add(30 * time.Second); usage.Children(pid) < c.n; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			return m, fmt.Errorf("%d of %d children started", usage.Children(pid), c.n)
		}
	}
	time.Sleep(settle)
	m.rss = usage.Status(pid, "VmRSS") / 1024
	m.threads = int(usage.Status(pid, "Threads"))
	c0, s0, t0 := usage.CPUSeconds(pid), usage.Switches(pid), time.Now()
	time.Sleep(cpuFor)
	secs := time.Since(t0).Seconds()
	m.cpu = (usage.CPUSeconds(pid) - c0) / secs * 100
	m.switches = (usage.Switches(pid) - s0) / secs
	return m, nil
}
