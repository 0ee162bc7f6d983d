// Command hook measures `corral hook`, which Claude Code runs (and waits for)
// on every tool call: it builds corral, serves a socket with ipc.Listen, and
// times -n invocations, start to exit, with a real PreToolUse payload on
// stdin. The cases: a corral listening (the usual one); no corral, its
// socket missing; no corral, a stale socket file nobody listens on; the
// floor, this program doing the same work (read stdin, ipc.Send) without
// corral's imports, so that the cost of the binary's size and package init
// shows as the difference; and /bin/true, the cost of starting any process.
//
//	go run ./bench/hook [-n 300]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"corral/ipc"
)

// payload is what Claude Code sends a PreToolUse hook.
const payload = `{"session_id":"0f6c1c5e-3f43-4d1e-9d0e-6a8f1b2c3d4e",` +
	`"transcript_path":"/home/dev/.claude/projects/-home-dev-src-app/0f6c1c5e-3f43-4d1e-9d0e-6a8f1b2c3d4e.jsonl",` +
	`"cwd":"/home/dev/src/app","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Bash",` +
	`"tool_input":{"command":"go test ./... 2>&1 | tail -20","description":"Run the tests"},` +
	`"tool_use_id":"toolu_01ABCDEFGHJKLMNPQRSTUVWX"}`

func main() {
	n := flag.Int("n", 300, "invocations per case")
	asFloor := flag.Bool("floor", false, "be the floor case: forward stdin to CORRAL_SOCKET and exit")
	flag.Parse()
	if *asFloor {
		floor()
		return
	}
	if err := run(*n); err != nil {
		fmt.Fprintln(os.Stderr, "hook:", err)
		os.Exit(1)
	}
}

// floor is the least a hook can do: forward stdin to the socket.
func floor() {
	in, _ := io.ReadAll(io.LimitReader(os.Stdin, ipc.MaxLine))
	id, _ := strconv.ParseInt(os.Getenv("CORRAL_RUN_ID"), 10, 64)
	ipc.Send(os.Getenv("CORRAL_SOCKET"), ipc.Message{Op: ipc.OpHook, Instance: os.Getenv("CORRAL_RUN"), RunID: id, Payload: in}, 800*time.Millisecond)
}

func run(n int) error {
	dir, err := os.MkdirTemp("", "corral-hook")
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
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var got, wrong atomic.Int64
	srv, err := ipc.Listen(dir, func(m ipc.Message) ipc.Reply {
		if m.Op == ipc.OpHook && m.RunID == 42 && m.Instance == "bench" && string(m.Payload) == payload {
			got.Add(1)
		} else {
			wrong.Add(1)
		}
		return ipc.Reply{OK: true}
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	stale := filepath.Join(dir, "stale.sock")
	if err := leaveSocket(stale); err != nil {
		return err
	}

	fi, err := os.Stat(bin)
	if err != nil {
		return err
	}
	fmt.Printf("corral hook: %d invocations per case, %d-byte PreToolUse payload, binary %.1f MB, %s\n\n",
		n, len(payload), float64(fi.Size())/1e6, time.Now().Format("2006-01-02"))
	fmt.Printf("%-34s %8s %8s %8s %8s %9s\n", "case", "median", "p90", "p99", "max", "received")
	for _, c := range []struct {
		name   string
		argv   []string
		socket string
		count  bool
	}{
		{"listening (corral hook)", []string{bin, "hook"}, srv.Path(), true},
		{"no corral: socket missing", []string{bin, "hook"}, filepath.Join(dir, "gone.sock"), false},
		{"no corral: stale socket", []string{bin, "hook"}, stale, false},
		{"floor: same send, no corral imports", []string{self, "-floor"}, srv.Path(), true},
		{"exec only: /bin/true", []string{"/bin/true"}, srv.Path(), false},
	} {
		before := got.Load()
		times, err := measure(c.argv, c.socket, n)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		recv := "-"
		if c.count {
			recv = fmt.Sprintf("%d/%d", got.Load()-before, n+5)
		}
		fmt.Printf("%-34s %8.2f %8.2f %8.2f %8.2f %9s\n", c.name,
			pct(times, 50), pct(times, 90), pct(times, 99), times[len(times)-1], recv)
	}
	if wrong.Load() > 0 {
		return fmt.Errorf("%d messages arrived with the wrong op, run, instance or payload", wrong.Load())
	}
	fmt.Println("\n(ms, process start to exit; the goal is a median under 15 ms and every case under 1 s)")
	return nil
}

// measure runs argv n times (after 5 untimed warm-up runs) with the payload
// on stdin and returns the sorted durations in ms. Any output is an error:
// Claude Code would put it in the model's context.
func measure(argv []string, socket string, n int) ([]float64, error) {
	env := append(os.Environ(), "CORRAL_SOCKET="+socket, "CORRAL_RUN_ID=42", "CORRAL_RUN=bench")
	var times []float64
	for i := range n + 5 {
		var out bytes.Buffer
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = env
		cmd.Stdin = bytes.NewReader([]byte(payload))
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return nil, err
		}
		d := time.Since(start)
		if out.Len() > 0 {
			return nil, fmt.Errorf("printed %q", out.String())
		}
		if i >= 5 {
			times = append(times, float64(d.Microseconds())/1000)
		}
	}
	slices.Sort(times)
	return times, nil
}

func pct(sorted []float64, p int) float64 {
	i := (len(sorted)*p+99)/100 - 1
	return sorted[max(i, 0)]
}

// leaveSocket makes a socket file nobody listens on, as a crashed corral
// leaves it.
func leaveSocket(path string) error {
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return err
	}
	ln.SetUnlinkOnClose(false)
	return ln.Close()
}
