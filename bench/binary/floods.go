package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"corral/bench/internal/tmuxctl"
	"corral/bench/internal/usage"
)

// floodResult is what rounds of n children flooding at once measured.
type floodResult struct {
	n, mb, rounds int
	rawMBs        []float64 // each child's MB/s under a raw drain, all rounds
	corralMBs     []float64 // each child's MB/s under corral, all rounds
	ratios        []float64 // each child's MB/s under corral over the raw children's mean in the same round
	slowest       []float64 // per round: the slowest child's ratio
	cpu           []float64 // per round: manager CPU seconds per 100 MB of output
	hwm           []float64 // per round: manager VmHWM in MB
}

// measureFloods runs rounds of n children each writing text (mb MB): first
// all n under PTYs drained into io.Discard, then all n under corral in tmux
// with the first run's pane shown.
func measureFloods(bin, cfg, dir, text string, n, mb, rounds int) (floodResult, error) {
	res := floodResult{n: n, mb: mb, rounds: rounds}
	for r := range rounds {
		walls := make([]string, n)
		for i := range walls {
			walls[i] = filepath.Join(dir, fmt.Sprintf("wall-%d-%d-%d", n, r, i))
		}
		raw := make([]float64, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { raw[i], errs[i] = rawDrain(timedCat(text, walls[i]), walls[i]) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return res, fmt.Errorf("raw drain: %w", err)
			}
		}
		scripts := make([]string, n)
		for i := range scripts {
			walls[i] += "c"
			scripts[i] = timedCat(text, walls[i])
		}
		m, err := underCorralN(bin, cfg, scripts, walls)
		if err != nil {
			return res, err
		}
		var rawMean float64
		for _, w := range raw {
			rawMean += w / float64(n)
			res.rawMBs = append(res.rawMBs, float64(mb)/w)
		}
		slow := 0.0
		for _, w := range m.walls {
			res.corralMBs = append(res.corralMBs, float64(mb)/w)
			res.ratios = append(res.ratios, rawMean/w)
			slow = max(slow, w)
		}
		res.slowest = append(res.slowest, rawMean/slow)
		res.cpu = append(res.cpu, m.cpu*100/float64(n*mb))
		res.hwm = append(res.hwm, m.hwmMB)
	}
	return res, nil
}

type measuredN struct {
	walls      []float64
	cpu, hwmMB float64
}

// underCorralN runs scripts as the first runs of one corral in tmux and
// returns each one's wall time, the manager's CPU seconds while they ran and
// its peak resident memory.
func underCorralN(bin, cfg string, scripts, walls []string) (measuredN, error) {
	cmds := make([]string, len(scripts))
	for i, s := range scripts {
		cmds[i] = "sh -c '" + s + "'"
	}
	stop, pid, err := tmuxSession(bin, cfg, cmds...)
	if err != nil {
		return measuredN{}, err
	}
	defer stop()
	cpu0 := usage.CPUSeconds(pid)
	var m measuredN
	for _, w := range walls {
		s, err := readWall(w, 5*time.Minute)
		if err != nil {
			return measuredN{}, err
		}
		m.walls = append(m.walls, s)
	}
	time.Sleep(300 * time.Millisecond) // let the manager finish drawing the end of the floods
	m.cpu = usage.CPUSeconds(pid) - cpu0
	m.hwmMB = usage.Status(pid, "VmHWM") / 1024
	return m, nil
}

// print writes the rows of r with the goals of issue 13 for its n.
func (r floodResult) print() {
	what := "1 child"
	ratio, cpu, peak := target{"≥ 0.85", atLeast(0.85)}, target{"≤ 1.0", atMost(1.0)}, target{"≤ 40", atMost(40)}
	if r.n > 1 {
		what = fmt.Sprintf("%d children", r.n)
		ratio, cpu, peak = target{"≥ 0.80 each", atLeast(0.80)}, target{}, target{"≤ 50", atMost(50)}
	}
	fmt.Printf("\n%s flooding %d MB each, first pane shown, %d rounds\n", what, r.mb, r.rounds)
	printRow("child MB/s, raw drain", r.rawMBs, "", target{})
	printRow("child MB/s, under corral", r.corralMBs, "", target{})
	printRow("ratio corral / raw, every child", r.ratios, "", target{})
	printRow("ratio of the slowest child of a round", r.slowest, "", ratio)
	printRow("manager CPU per 100 MB", r.cpu, "s", cpu)
	printRow("manager peak RSS (VmHWM)", r.hwm, "MB", peak)
}

// target is a goal as printed and the test of a median against it.
type target struct {
	text string
	met  func(float64) bool
}

func atLeast(x float64) func(float64) bool { return func(v float64) bool { return v >= x } }
func atMost(x float64) func(float64) bool  { return func(v float64) bool { return v <= x } }

// printRow prints the median and range of v and, if it has a target,
// whether the median meets it.
func printRow(name string, v []float64, unit string, t target) {
	if len(v) == 0 {
		fmt.Printf("%-44s %11s\n", name, "no data")
		return
	}
	lo, med, hi := usage.Spread(v)
	verdict := ""
	if t.met != nil {
		verdict = "not met"
		if t.met(med) {
			verdict = "met"
		}
	}
	fmt.Printf("%-44s %8.2f %-2s %8.2f–%-8.2f  %-12s %s\n", name, med, unit, lo, hi, t.text, verdict)
}

// tag is the sentence of run k's lines: no spaces and no repeated letters,
// and at every position it differs from the other runs' tags, so that a
// redraw from one run's screen to another writes it whole.
func tag(k int) string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 40)
	for j := range b {
		b[j] = alphabet[(j+k*11)%len(alphabet)]
	}
	return string(b)
}

// floodKeys starts corral with n runs each writing its own text over and
// over, and times keys that move the selection between the first two runs:
// from the key sent to tmux to the first output of corral that draws the
// newly selected run's lines, read through a tmux control-mode client.
func floodKeys(bin, cfg, dir string, n, keys int) ([]float64, error) {
	cmds := make([]string, n)
	for k := range n {
		file := filepath.Join(dir, fmt.Sprintf("keys-flood-%d.txt", k))
		if err := tmuxctl.WriteText(file, 20, tag(k)); err != nil {
			return nil, err
		}
		cmds[k] = fmt.Sprintf("sh -c 'while :; do cat %s; done'", file)
	}
	s := tmuxctl.New("corral-bench-keys")
	defer s.Stop()
	if err := s.StartCorral(bin, cfg, cmds...); err != nil {
		return nil, err
	}
	if err := s.WaitScreen(tag(0), func() error { return nil }); err != nil {
		return nil, err
	}
	s.Drain(300 * time.Millisecond)
	var ms []float64
	for i := range keys {
		key, want := "Down", tag(1)
		if i%2 == 1 {
			key, want = "Up", tag(0)
		}
		sent := time.Now()
		if err := s.Send("send-keys -t s " + key); err != nil {
			return nil, err
		}
		got, err := s.Await(want[:24], 5*time.Second)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		ms = append(ms, float64(got.Sub(sent).Microseconds())/1000)
		s.Drain(time.Duration(20+rand.IntN(40)) * time.Millisecond)
	}
	if scr, err := s.Screen(); err == nil && !strings.Contains(scr, fmt.Sprintf("%d running", n)) {
		return ms, fmt.Errorf("the floods were not all running at the end:\n%s", scr)
	}
	return ms, nil
}

// bareKeys is the baseline of floodKeys: the same n floods run in another
// tmux session of the same server, outside any corral, while keys typed
// into a `cat` in a bare pane are timed to their echo. It shows how late
// the machine itself draws a key under that load.
func bareKeys(dir string, n, keys int) ([]float64, error) {
	var loops []string
	for k := range n {
		loops = append(loops, fmt.Sprintf("(while :; do cat %s; done) &", filepath.Join(dir, fmt.Sprintf("keys-flood-%d.txt", k))))
	}
	s := tmuxctl.New("corral-bench-bare")
	defer s.Stop()
	if err := s.Start("cat"); err != nil {
		return nil, err
	}
	if err := s.Other(strings.Join(loops, " ") + " wait"); err != nil {
		return nil, err
	}
	s.Drain(300 * time.Millisecond)
	var ms []float64
	for i := range keys {
		took, err := s.Type("xzwvj"[i%5])
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		ms = append(ms, float64(took.Microseconds())/1000)
		s.Drain(time.Duration(20+rand.IntN(40)) * time.Millisecond)
	}
	return ms, nil
}

var (
	floodCounts = flag.String("floods", "1,4", "numbers of children flooding at once, comma-separated (empty: none)")
	floodKeyN   = flag.Int("keys", 30, "keys timed during the floods of the largest count (0: none)")
	showN       = flag.Int("show", 20, "times a hidden run is shown (0: none)")
)

// floodScenarios measures the floods of -floods, keys during the largest,
// and showing a hidden run; report prints the figures with their targets.
func floodScenarios(bin, cfg, dir, text string, mb, rounds int) (report func(), err error) {
	var results []floodResult
	most := 0
	for _, f := range strings.Split(*floodCounts, ",") {
		if strings.TrimSpace(f) == "" {
			continue // -floods "": none
		}
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-floods %q: not a list of counts", *floodCounts)
		}
		r, err := measureFloods(bin, cfg, dir, text, n, mb, rounds)
		if err != nil {
			return nil, fmt.Errorf("%d floods: %w", n, err)
		}
		results = append(results, r)
		most = max(most, n)
	}
	var keys, bare, show []float64
	ok := 0
	if *floodKeyN > 0 && most > 1 {
		if keys, err = floodKeys(bin, cfg, dir, most, *floodKeyN); err != nil {
			return nil, fmt.Errorf("keys during %d floods: %w", most, err)
		}
		if bare, err = bareKeys(dir, most, *floodKeyN); err != nil {
			return nil, fmt.Errorf("keys in a bare pane during %d floods: %w", most, err)
		}
	}
	if *showN > 0 {
		if show, ok, err = showHidden(bin, cfg, dir, *showN); err != nil {
			return nil, fmt.Errorf("show a hidden run: %w", err)
		}
	}
	return func() {
		for _, r := range results {
			r.print()
		}
		if len(keys) > 0 {
			fmt.Printf("\nkeys moving the selection during %d floods (%d keys; every key ≤ 50 ms is the goal)\n", most, len(keys))
			printRow("key to the newly selected run on screen", keys, "ms", target{})
			printRow("slowest key", []float64{slices.Max(keys)}, "ms", target{"≤ 50", atMost(50)})
			printRow("90th percentile", []float64{percentile(keys, 90)}, "ms", target{})
			printRow("baseline: echo in a bare pane, same floods", bare, "ms", target{})
			printRow("baseline: slowest echo", []float64{slices.Max(bare)}, "ms", target{})
		}
		if len(show) > 0 {
			fmt.Printf("\nshowing a hidden run whose screen came from %d lines (%.1f KiB) of output (%d keys)\n",
				showLines, float64(showLines*(len(screenLine(0, 0))+1))/1024, len(show))
			printRow("key to the last line of its screen drawn", show, "ms", target{"≤ 16", atMost(16)})
			printRow("slowest", []float64{slices.Max(show)}, "ms", target{})
			fmt.Printf("%-44s %8d of %d\n", "screens right (capture-pane after the key)", ok, len(show))
		}
	}, nil
}

func percentile(v []float64, p float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p/100)]
}
