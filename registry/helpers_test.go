package registry

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"corral/internal/proc"

	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

// helperEnv makes the test binary act as a small helper process instead of
// running tests: "pgid" moves to its own process group, "setsid" starts its
// own session; both then say "ready <pid>" and block.
const helperEnv = "CORRAL_REGISTRY_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		goleak.VerifyTestMain(m)
		return
	case "pgid":
		_ = syscall.Setpgid(0, 0)
	case "setsid":
		_, _ = syscall.Setsid()
	case "tty":
		os.Exit(adoptOnTerminal())
	}
	fmt.Printf("ready %d\n", os.Getpid())
	for { // not select{}: with no other goroutine, the runtime calls that a deadlock and exits
		time.Sleep(time.Hour)
	}
}

// execChild is a Child started with os/exec as the leader of a new session,
// the way spawn starts children under a PTY.
type execChild struct {
	cmd   *exec.Cmd
	done  chan struct{}
	exit  Exit
	lines *bufio.Reader
	out   io.Closer
	// readies holds the ready lines, in the order they came.
	readies []string
}

func (c *execChild) Pid() int              { return c.cmd.Process.Pid }
func (c *execChild) Done() <-chan struct{} { return c.done }
func (c *execChild) Exit() Exit            { return c.exit }

// startChild runs script under sh in a new session and waits until it has
// printed `ready` lines (one per process told to report).
func startChild(t testing.TB, script string, readies int) *execChild {
	t.Helper()
	return startChildEnv(t, script, readies)
}

// startChildEnv is startChild with entries added to the environment.
func startChildEnv(t testing.TB, script string, readies int, env ...string) *execChild {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", script)
	cmd.Env = append(append(os.Environ(), "HELPER="+self), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	c := &execChild{cmd: cmd, done: make(chan struct{}), lines: bufio.NewReader(pr), out: pr}
	go func() {
		err := cmd.Wait()
		c.exit = exitOf(err)
		close(c.done)
	}()
	t.Cleanup(func() {
		_ = unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
		<-c.done
		pr.Close()
	})
	for range readies {
		line, err := c.lines.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "ready") {
			t.Fatalf("child did not get ready: %q %v", line, err)
		}
		c.readies = append(c.readies, strings.TrimSpace(line))
	}
	return c
}

func exitOf(err error) Exit {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return Exit{Code: -1, Signal: ws.Signal()}
		}
		return Exit{Code: ee.ExitCode()}
	}
	return Exit{}
}

// liveInSession lists the live (not zombie) processes whose session is sid.
func liveInSession(sid int) []int {
	var pids []int
	for _, p := range proc.All() {
		if p.Session == sid {
			pids = append(pids, p.PID)
		}
	}
	return pids
}

// isLive reports whether pid names a process that has not exited.
func isLive(pid int) bool {
	_, err := processStartTime(pid)
	return err == nil
}

// nextEvent returns the next event or fails after a generous timeout (a
// guard against a hang, not a synchronisation).
func nextEvent(t testing.TB, c <-chan Event) Event {
	t.Helper()
	select {
	case e, ok := <-c:
		if !ok {
			t.Fatal("event channel closed")
		}
		return e
	case <-time.After(20 * time.Second):
		t.Fatal("no event within 20 s")
	}
	return Event{}
}

// waitFor reads events until one matches.
func waitFor(t testing.TB, c <-chan Event, match func(Event) bool) Event {
	t.Helper()
	for {
		if e := nextEvent(t, c); match(e) {
			return e
		}
	}
}
