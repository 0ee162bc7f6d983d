package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"corral/bench/internal/usage"
)

var loggingRounds = flag.Int("logging", 0, "rounds of one flood under corral with the run history on and with history = false, each beside a raw drain (0: none)")

// loggingResult is what the logging rounds measured: the flood under corral
// with its log written (on) and with history = false (off), each against
// the raw drain of the same round.
type loggingResult struct {
	mb, rounds         int
	raw, on, off       []float64 // child MB/s
	onRatio, offRatio  []float64 // raw wall time / corral wall time, same round
	onCPU, offCPU      []float64 // manager CPU seconds per 100 MB
	logged, written    []float64 // per on-round: bytes in the log (\r\n as \n), bytes the child wrote
	dropped            []float64 // per on-round: bytes the log says it did not keep
	complete           int       // on-rounds whose log equals the flood byte for byte
	loadBefore, loadAt string
}

// measureLogging runs rounds of three: the flood under a raw drain, under
// corral with the run history on (a log cap above the flood, so that the
// whole flood must be in the log), and under corral with history = false;
// the order turns each round so that neither corral case always follows
// the other. Each corral gets a state directory of its own.
func measureLogging(bin, dir, text string, mb, rounds int) (loggingResult, error) {
	res := loggingResult{mb: mb, rounds: rounds, loadBefore: loadAvg()}
	flood, err := os.ReadFile(text)
	if err != nil {
		return res, err
	}
	logCap := (4*mb + 16) << 20 // segments of half: the whole flood in the first
	onCfg := filepath.Join(dir, "logging-on.toml")
	offCfg := filepath.Join(dir, "logging-off.toml")
	if err := os.WriteFile(onCfg, fmt.Appendf(nil, "[settings]\nkill_grace = \"1s\"\nhistory_log_cap = %d\n", logCap), 0o644); err != nil {
		return res, err
	}
	if err := os.WriteFile(offCfg, []byte("[settings]\nkill_grace = \"1s\"\nhistory = false\n"), 0o644); err != nil {
		return res, err
	}
	cases := []string{"raw", "on", "off"}
	for r := range rounds {
		walls := map[string]float64{}
		for i := range cases {
			c := cases[(i+r)%len(cases)]
			wall := filepath.Join(dir, fmt.Sprintf("logging-%d-%s", r, c))
			script := timedCat(text, wall)
			switch c {
			case "raw":
				w, err := rawDrain(script, wall)
				if err != nil {
					return res, fmt.Errorf("raw drain: %w", err)
				}
				walls[c] = w
			case "on", "off":
				cfg := map[string]string{"on": onCfg, "off": offCfg}[c]
				state := filepath.Join(dir, fmt.Sprintf("logging-state-%d-%s", r, c))
				m, log, err := underCorralLogged(bin, cfg, state, script, wall, len(flood)+bytes.Count(flood, []byte("\n")))
				_ = os.RemoveAll(state) // a 100 MB log a round adds up
				if err != nil {
					return res, fmt.Errorf("history %s: %w", c, err)
				}
				walls[c] = m.walls[0]
				cpu := m.cpu * 100 / float64(mb)
				if c == "off" {
					res.offCPU = append(res.offCPU, cpu)
					if log != nil {
						return res, fmt.Errorf("history = false, and yet a log in %s", state)
					}
					continue
				}
				res.onCPU = append(res.onCPU, cpu)
				if log == nil {
					return res, fmt.Errorf("history on, and no log in %s", state)
				}
				plain := bytes.ReplaceAll(log, []byte("\r\n"), []byte("\n"))
				res.logged = append(res.logged, float64(len(plain)))
				res.written = append(res.written, float64(len(flood)))
				res.dropped = append(res.dropped, float64(droppedBytes(plain)))
				if bytes.Equal(plain, flood) {
					res.complete++
				}
			}
		}
		res.raw = append(res.raw, float64(mb)/walls["raw"])
		res.on = append(res.on, float64(mb)/walls["on"])
		res.off = append(res.off, float64(mb)/walls["off"])
		res.onRatio = append(res.onRatio, walls["raw"]/walls["on"])
		res.offRatio = append(res.offRatio, walls["raw"]/walls["off"])
	}
	res.loadAt = loadAvg()
	return res, nil
}

// underCorralLogged runs script as the only run of a corral in tmux whose
// state directory is state, and returns its wall time, the manager's CPU
// while it ran and the run's log as corral left it (nil when there is
// none). It waits for the log to reach want bytes (the flood with a \r
// before each \n), or to stop growing, before it stops corral.
func underCorralLogged(bin, cfg, state, script, wall string, want int) (measuredN, []byte, error) {
	if err := os.MkdirAll(state, 0o700); err != nil {
		return measuredN{}, nil, err
	}
	// The harness points XDG_STATE_HOME at its own directory for every tmux
	// server it starts (tmuxctl.PrivateState); this corral gets another.
	old := os.Getenv("XDG_STATE_HOME")
	os.Setenv("XDG_STATE_HOME", state)
	stop, pid, err := tmuxSession(bin, cfg, "sh -c '"+script+"'")
	os.Setenv("XDG_STATE_HOME", old)
	if err != nil {
		return measuredN{}, nil, err
	}
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()
	cpu0 := usage.CPUSeconds(pid)
	s, err := readWall(wall, 5*time.Minute)
	if err != nil {
		return measuredN{}, nil, err
	}
	m := measuredN{walls: []float64{s}}
	logs := filepath.Join(state, "corral", "logs")
	// The reader may still be behind the child, and the log's writer behind
	// the reader: wait for the whole flood, or for the log to stop growing.
	full := int64(want)
	var last int64 = -1
	still := time.Now()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		size := dirSize(logs)
		if size >= full {
			break
		}
		if size != last {
			last, still = size, time.Now()
		} else if time.Since(still) > 3*time.Second {
			break
		}
	}
	m.cpu = usage.CPUSeconds(pid) - cpu0
	stop() // SIGTERM: corral ends its runs and closes their logs
	stopped = true
	names, _ := filepath.Glob(filepath.Join(logs, "*.log"))
	if len(names) == 0 {
		return m, nil, nil
	}
	if len(names) > 1 {
		return m, nil, fmt.Errorf("%d log files for one run (the log cap was meant to hold the flood): %v", len(names), names)
	}
	log, err := os.ReadFile(names[0])
	return m, log, err
}

// dirSize adds up the sizes of the files in dir, 0 when it is absent.
func dirSize(dir string) int64 {
	ents, _ := os.ReadDir(dir)
	var n int64
	for _, e := range ents {
		if info, err := e.Info(); err == nil {
			n += info.Size()
		}
	}
	return n
}

var notLogged = regexp.MustCompile(`\[corral: (\d+) bytes not logged\]`)

// droppedBytes adds up the markers a log's writer left where its queue
// overflowed.
func droppedBytes(log []byte) int64 {
	var n int64
	for _, m := range notLogged.FindAllSubmatch(log, -1) {
		k, _ := strconv.ParseInt(string(m[1]), 10, 64)
		n += k
	}
	return n
}

// loadAvg is the first three fields of /proc/loadavg.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// print writes the rows of the logging rounds.
func (r loggingResult) print() {
	fmt.Printf("\n1 child flooding %d MB, pane shown, run history on and off, %d rounds (load %s → %s)\n",
		r.mb, r.rounds, r.loadBefore, r.loadAt)
	printRow("child MB/s, raw drain", r.raw, "", target{})
	printRow("child MB/s, corral, history on", r.on, "", target{})
	printRow("child MB/s, corral, history = false", r.off, "", target{})
	printRow("ratio corral / raw, history on", r.onRatio, "", target{"≥ 0.80", atLeast(0.80)})
	printRow("ratio corral / raw, history = false", r.offRatio, "", target{})
	on := make([]float64, len(r.onRatio))
	for i := range on {
		on[i] = r.onRatio[i] / r.offRatio[i]
	}
	printRow("history on / off, same round", on, "", target{})
	printRow("manager CPU per 100 MB, history on", r.onCPU, "s", target{})
	printRow("manager CPU per 100 MB, history = false", r.offCPU, "s", target{})
	for i := range r.logged {
		fmt.Printf("%-44s %d of %d bytes (\\r\\n as \\n), %d bytes marked not logged\n",
			fmt.Sprintf("log of round %d", i+1), int64(r.logged[i]), int64(r.written[i]), int64(r.dropped[i]))
	}
	fmt.Printf("%-44s %8d of %d\n", "logs equal to the flood, byte for byte", r.complete, len(r.logged))
}

// runLogging runs the -logging rounds, if any, and returns what prints
// their rows.
func runLogging(bin, dir, text string, mb int) (func(), error) {
	if *loggingRounds <= 0 {
		return func() {}, nil
	}
	r, err := measureLogging(bin, dir, text, mb, *loggingRounds)
	if err != nil {
		return nil, fmt.Errorf("logging: %w", err)
	}
	return r.print, nil
}
