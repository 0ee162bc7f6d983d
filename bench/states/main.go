// Command states measures how fast a Claude Code hook event reaches corral's
// screen: corral runs in a private tmux (120×40) with one catalog Claude
// session of the fake Claude Code (corral/internal/fakeclaude), idle at its
// prompt, and the benchmark sends the session's hook events itself,
// alternating PermissionRequest and Stop so that its row flips between
// "needs you" and "idle". Each event is timed from its send to the tmux
// control-mode %output chunk that carries the new state word.
//
// Two ways of sending: straight to corral's socket with ipc.Send (the
// socket, run and instance read from the session's /proc/<pid>/environ),
// which is corral's own part; and by running `corral hook` with the event's
// JSON on stdin and the session's environment, as Claude Code does, which
// adds a process start. The socket's reply time is shown beside the first.
//
//	go run ./bench/states [-n 200] [-hooks 50]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"corral/bench/internal/agents"
	"corral/bench/internal/tmuxctl"
	"corral/ipc"
)

// The two events and the word each one puts in the row (and the header):
// "▲ needs you 0s", "○ idle 0s". No letter of either word lines up with the
// other's, so tmux gets each word whole whatever the renderer skips.
const (
	permission = `{"session_id":"0f6c1c5e-3f43-4d1e-9d0e-6a8f1b2c3d4e","hook_event_name":"PermissionRequest",` +
		`"tool_name":"Bash","tool_input":{"command":"rm -rf build","description":"Clean the build"}}`
	stop = `{"session_id":"0f6c1c5e-3f43-4d1e-9d0e-6a8f1b2c3d4e","hook_event_name":"Stop","stop_hook_active":false}`
)

func main() {
	n := flag.Int("n", 200, "events sent straight to the socket")
	hooks := flag.Int("hooks", 50, "events sent by running `corral hook`")
	flag.Parse()
	if err := run(*n, *hooks); err != nil {
		fmt.Fprintln(os.Stderr, "states:", err)
		os.Exit(1)
	}
}

func run(n, hooks int) error {
	dir, bin, err := tmuxctl.Prepare("corral-states")
	if dir != "" {
		defer os.RemoveAll(dir)
	}
	if err != nil {
		return err
	}
	env, err := agents.Setup(dir)
	if err != nil {
		return err
	}

	s := tmuxctl.New("corral-states")
	defer s.Stop()
	cmd := "exec env"
	for _, v := range env.Vars {
		cmd += " " + tmuxctl.ShellQuote(v)
	}
	cmd += " " + tmuxctl.ShellQuote(bin) + " --config " + tmuxctl.ShellQuote(env.Config)
	if err := s.Start(cmd); err != nil {
		return err
	}
	if err := s.WaitScreen("no runs yet", func() error { return nil }); err != nil {
		return err
	}
	if err := agents.Open(s.Tmux, "s", 0, 1); err != nil {
		return err
	}
	claude := agents.Named(tmuxctl.Descendants(s.PID()), "claude")
	if len(claude) != 1 {
		return fmt.Errorf("%d claude processes under corral, want 1", len(claude))
	}
	vars, err := agents.Environ(claude[0])
	if err != nil {
		return err
	}
	socket, instance := vars["CORRAL_SOCKET"], vars["CORRAL_RUN"]
	id, err := strconv.ParseInt(vars["CORRAL_RUN_ID"], 10, 64)
	if socket == "" || instance == "" || err != nil {
		return fmt.Errorf("the session's environment lacks corral's variables: %q %q %q",
			socket, instance, vars["CORRAL_RUN_ID"])
	}
	hookEnv := append(os.Environ(), "CORRAL_SOCKET="+socket, "CORRAL_RUN="+instance, "CORRAL_RUN_ID="+vars["CORRAL_RUN_ID"])

	direct := func(payload string) error {
		r, err := ipc.Send(socket, ipc.Message{Op: ipc.OpHook, Instance: instance, RunID: id, Payload: []byte(payload)}, time.Second)
		if err == nil && !r.OK {
			err = fmt.Errorf("corral refused the event: %s", r.Error)
		}
		return err
	}
	viaHook := func(payload string) error {
		var out bytes.Buffer
		c := exec.Command(bin, "hook")
		c.Env = hookEnv
		c.Stdin = bytes.NewReader([]byte(payload))
		c.Stdout, c.Stderr = &out, &out
		if err := c.Run(); err != nil {
			return fmt.Errorf("corral hook: %w", err)
		}
		if out.Len() > 0 {
			return fmt.Errorf("corral hook printed %q", out.String())
		}
		return nil
	}

	fmt.Printf("hook event → row updated: one fake Claude session in corral (tmux 120×40), events alternating\n"+
		"PermissionRequest (→ needs you) and Stop (→ idle), send to the %%output with the new word; %s\n\n",
		time.Now().Format("2006-01-02"))
	fmt.Printf("%-40s %7s %7s %7s %7s %7s\n", "ms", "p50", "p90", "p99", "max", "events")
	s.Drain(500 * time.Millisecond)
	lat, rtt, err := flip(s, n, direct)
	if err != nil {
		return err
	}
	row("socket (ipc.Send) → row", lat)
	row("  of which the socket's reply", rtt)
	if hooks > 0 {
		lat, _, err := flip(s, hooks, viaHook)
		if err != nil {
			return err
		}
		row("`corral hook` started → row", lat)
	}
	fmt.Println("\n(goal: socket → row p50 < 20 ms, p99 < 50 ms; tui.FPS 120 is a frame every 8.3 ms)")
	return nil
}

// flip sends n events with send, alternating PermissionRequest and Stop, and
// returns the sorted times from each send to the %output with its state
// word, and the sorted times send itself took. After each event the screen
// must show the new state and not the old one. A pause of 20–60 ms between
// events lets the frame settle and keeps the sends out of step with the
// renderer's ticker.
func flip(s *tmuxctl.Session, n int, send func(payload string) error) (lat, took []float64, err error) {
	for i := range n {
		payload, word, other := permission, "needs", "idle"
		if i%2 == 1 {
			payload, word, other = stop, "idle", "needs"
		}
		start := time.Now()
		if err := send(payload); err != nil {
			return nil, nil, err
		}
		sent := time.Since(start)
		at, err := s.Await(word, 2*time.Second)
		if err != nil {
			return nil, nil, fmt.Errorf("event %d: %w", i, err)
		}
		lat = append(lat, ms(at.Sub(start)))
		took = append(took, ms(sent))
		// The word came in a frame: the screen must now show that state
		// alone, or the match was another text's.
		if scr, err := s.Screen(); err != nil {
			return nil, nil, err
		} else if !strings.Contains(scr, word) || strings.Contains(scr, other) {
			return nil, nil, fmt.Errorf("event %d: %q arrived but the screen is:\n%s", i, word, scr)
		}
		s.Drain(time.Duration(20+rand.IntN(41)) * time.Millisecond)
	}
	slices.Sort(lat)
	slices.Sort(took)
	return lat, took, nil
}

func row(name string, sorted []float64) {
	fmt.Printf("%-40s %7.2f %7.2f %7.2f %7.2f %7d\n", name,
		pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), sorted[len(sorted)-1], len(sorted))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func pct(sorted []float64, p int) float64 {
	i := (len(sorted)*p+99)/100 - 1
	return sorted[max(i, 0)]
}
