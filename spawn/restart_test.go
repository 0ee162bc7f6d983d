package spawn

import (
	"context"
	"errors"
	"strings"
	"testing"

	"corral/registry"
)

// ended waits until the registry has recorded the run's end.
func (r *rig) ended(t *testing.T, id int64) registry.ProcessInfo {
	t.Helper()
	r.until(t, "the run to end", func() bool {
		info, ok := r.reg.Process(id)
		return ok && !info.Active()
	})
	info, _ := r.reg.Process(id)
	return info
}

// A restart in place runs the command again in the same run: the output
// holds both lives with the marker line between, the handle and screen are
// the new process's, and the run's log gets the marker too.
func TestRestartRunsAgainInTheSameRun(t *testing.T) {
	r := newRig(t)
	log1 := &logSink{closed: make(chan struct{})}
	// Each life waits for a line, so that the test resizes a live terminal.
	spec := Spec{Argv: []string{"sh", "-c", "echo first-7311; read x"}, Cols: 80, Rows: 24, Log: log1}
	p1, err := r.sp.Start(spec)
	if err != nil {
		t.Fatal(err)
	}
	id := p1.RunID()
	p1.SetVisible(true)
	p1.Resize(100, 30)
	r.screenHas(t, p1, "first-7311")
	if _, err := p1.Write([]byte("\n")); err != nil {
		t.Fatal(err)
	}
	waitDone(t, p1)
	before := r.ended(t, id)
	<-log1.closed

	log2 := &logSink{closed: make(chan struct{})}
	spec.Run.RunID, spec.Log = id, log2
	p2, err := r.sp.Restart(spec)
	if err != nil {
		t.Fatal(err)
	}
	if p2 == p1 || p2.RunID() != id || p2.Pid() == p1.Pid() {
		t.Fatalf("restart gave run %d pid %d; the first was run %d pid %d", p2.RunID(), p2.Pid(), id, p1.Pid())
	}
	if r.sp.Proc(id) != p2 {
		t.Fatal("Proc(id) is not the new process's handle")
	}
	if !p2.Visible() {
		t.Fatal("the shown run's new screen is hidden")
	}
	if c, rows := p2.Size(); c != 100 || rows != 30 {
		t.Fatalf("new terminal %d×%d, want the old one's last size 100×30", c, rows)
	}
	r.screenHas(t, p2, "first-7311")
	// The new screen is the new process's alone.
	if n := strings.Count(p2.Text(), "first-7311"); n != 1 {
		t.Fatalf("the new screen shows first-7311 %d times:\n%s", n, p2.Text())
	}
	if _, err := p2.Write([]byte("\n")); err != nil {
		t.Fatal(err)
	}
	waitDone(t, p2)
	after := r.ended(t, id)
	if after.Restarts != 1 || after.PID != p2.Pid() || after.Status != registry.StatusExited ||
		!after.StartedAt.After(before.StartedAt) {
		t.Fatalf("run after the restart: %+v", after)
	}
	if n := len(r.reg.Processes()); n != 1 {
		t.Fatalf("%d runs listed, want the one", n)
	}
	var lines []string
	for _, l := range r.reg.Output(id).Tail(10) {
		if l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) != 3 || lines[0] != "first-7311" || !strings.HasPrefix(lines[1], "── restarted ") || lines[2] != "first-7311" {
		t.Fatalf("output %q, want first-7311, the marker, first-7311", lines)
	}
	<-log2.closed
	if got, want := log2.buf.String(), lines[1]+"\r\nfirst-7311\r\n\r\n"; got != want { // the typed line's echo
		t.Fatalf("second log %q, want %q", got, want)
	}
}

// A run that ended in the middle of a line gets the marker on a line of its
// own, in its output and its log.
func TestRestartAfterAnUnfinishedLine(t *testing.T) {
	r := newRig(t)
	p1 := r.sh(t, "printf no-newline-7312")
	waitDone(t, p1)
	r.ended(t, p1.RunID())
	log := &logSink{closed: make(chan struct{})}
	p2, err := r.sp.Restart(Spec{Argv: []string{"sh", "-c", "exit 0"}, Run: registry.RegistrationConfig{RunID: p1.RunID()}, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, p2)
	<-log.closed
	lines := r.reg.Output(p1.RunID()).Tail(5)
	if len(lines) != 2 || lines[0] != "no-newline-7312" || !strings.HasPrefix(lines[1], "── restarted ") {
		t.Fatalf("output %q", lines)
	}
	if got := log.buf.String(); got != "\r\n"+lines[1]+"\r\n" {
		t.Fatalf("log %q", got)
	}
}

// A live run is refused and left alone; so is an unknown one; the log given
// is closed either way. The restarted process is killed as any run's.
func TestRestartRefusesALiveRunAndKillsTheNewOne(t *testing.T) {
	r := newRig(t)
	p1 := r.sh(t, "exec sleep 7313")
	log := &logSink{closed: make(chan struct{})}
	spec := Spec{Argv: []string{"sh", "-c", "exec sleep 7314"}, Run: registry.RegistrationConfig{RunID: p1.RunID()}, Log: log}
	if _, err := r.sp.Restart(spec); !errors.Is(err, registry.ErrActive) {
		t.Fatalf("restart of a live run: %v, want ErrActive", err)
	}
	<-log.closed
	if r.sp.Proc(p1.RunID()) != p1 || !isLive(t, p1.Pid()) {
		t.Fatal("the refused restart touched the live run")
	}
	if _, err := r.sp.Restart(Spec{Argv: []string{"true"}, Run: registry.RegistrationConfig{RunID: 999}}); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("restart of an unknown run: %v, want ErrNotFound", err)
	}
	if gone, err := r.reg.KillProcess(context.Background(), p1.RunID()); !gone || err != nil {
		t.Fatalf("kill: %v %v", gone, err)
	}
	spec.Log = nil
	p2, err := r.sp.Restart(spec)
	if err != nil {
		t.Fatal(err)
	}
	if gone, err := r.reg.KillProcess(context.Background(), p2.RunID()); !gone || err != nil {
		t.Fatalf("kill of the restarted process: %v %v", gone, err)
	}
	if isLive(t, p2.Pid()) {
		t.Fatal("the restarted process survived its kill")
	}
	if info, _ := r.reg.Process(p1.RunID()); info.Status != registry.StatusKilled || info.Restarts != 1 {
		t.Fatalf("after the kill: %+v", info)
	}
}
