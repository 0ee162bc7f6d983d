package registry

import (
	"context"
	"log/slog"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// recorder is a slog.Handler that hands every record to a channel, so a
// test awaits a log line as an event.
type recorder chan slog.Record

func (recorder) Enabled(context.Context, slog.Level) bool { return true }
func (h recorder) Handle(_ context.Context, r slog.Record) error {
	h <- r.Clone()
	return nil
}
func (h recorder) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h recorder) WithGroup(string) slog.Handler      { return h }

// attrs returns a record's attributes by key.
func attrs(r slog.Record) map[string]slog.Value {
	m := map[string]slog.Value{}
	r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value; return true })
	return m
}

// doneChild is a Child whose Done the test closes.
type doneChild struct {
	pid  int
	done chan struct{}
	exit Exit
}

func (c *doneChild) Pid() int              { return c.pid }
func (c *doneChild) Done() <-chan struct{} { return c.done }
func (c *doneChild) Exit() Exit            { return c.exit }

// A process that exits before it is registered (a short run: spawn starts
// it, then registers it) has no start time to read. It is still registered,
// and the fallback, pids checked without a start time, is logged with the
// run id instead of passing silently; a live process logs nothing.
func TestRegisterLogsUnknownStartTime(t *testing.T) {
	rec := make(recorder, 16)
	r := New(WithLogger(slog.New(rec)))
	defer r.Close()
	_, events, cancel := r.Subscribe()
	defer cancel()

	live := startChild(t, "echo ready; exec sleep 7391", 1)
	if err := r.RegisterProcess(RegistrationConfig{RunID: r.GenerateID()}, live); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-rec:
		t.Fatalf("a live child logged %q %v", got.Message, attrs(got))
	default: // register logs before it returns
	}

	cmd := exec.Command("sh", "-c", "exit 3")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	for deadline := time.Now().Add(10 * time.Second); isLive(pid); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("sh -c 'exit 3' still running after 10 s")
		}
	}
	// pid is a zombie now, not yet reaped: its start time cannot be read.
	c := &doneChild{pid: pid, done: make(chan struct{})}
	id := r.GenerateID()
	if err := r.RegisterProcess(RegistrationConfig{RunID: id}, c); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-rec:
		a := attrs(got)
		if got.Level != slog.LevelWarn || a["run"].Int64() != id || a["pid"].Int64() != int64(pid) || a["err"].String() == "" {
			t.Fatalf("logged %v %q %v, want a warning for run %d pid %d with its error", got.Level, got.Message, a, id, pid)
		}
	default:
		t.Fatal("the unknown start time was not logged")
	}
	_ = cmd.Wait()
	c.exit = Exit{Code: 3}
	close(c.done)
	e := waitFor(t, events, func(e Event) bool { return e.RunID == id && e.Kind == EventExited })
	if e.Info.Status != StatusFailed || e.Info.ExitCode != 3 {
		t.Fatalf("run without a start time ended as %v (%v), want failed with 3", e.Info.Status, e.Info.Exit)
	}
}
