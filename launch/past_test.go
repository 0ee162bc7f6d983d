package launch

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"corral/history"
	"corral/internal/proc"
	"corral/registry"
	"corral/spawn"
	"corral/tui"
)

// withHistory gives the rig's launcher a history of its own.
func (r *rig) withHistory(t *testing.T) *history.Store {
	t.Helper()
	store := openStore(t, t.TempDir())
	r.l.EnableHistory(store)
	return store
}

// A finished run is listed with its outcome, and its log's end comes back
// in whole lines, saying how much was left out before them.
func TestPastRunsAndTheirLogs(t *testing.T) {
	r := newRig(t)
	store := r.withHistory(t)
	id, err := r.l.Launch(tui.Request{Command: `sh -c 'seq 1 20000; echo "past-4417 done"'`, Name: "counting"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the end in the history", func() bool { run, _ := store.Get(id); return run.Ended() })
	eventually(t, "the whole log", func() bool {
		lines, _, err := r.l.Log(id, 1<<20)
		return err == nil && len(lines) > 0 && lines[len(lines)-1] == "past-4417 done"
	})

	p := pastOf(t, r.l, id)
	if p.Name != "counting" || p.Outcome != "exited 0" || p.Kind != registry.KindCommand || p.EndedAt.IsZero() {
		t.Fatalf("listed as %+v", p)
	}
	if argv, err := spawn.ParseCommand(p.Command); err != nil || !slices.Equal(argv,
		[]string{"sh", "-c", `seq 1 20000; echo "past-4417 done"`}) {
		t.Fatalf("the command %q does not start the same run again: %q %v", p.Command, argv, err)
	}

	all, omitted, err := r.l.Log(id, 1<<20)
	if err != nil || omitted != 0 || len(all) != 20001 || all[0] != "1" {
		t.Fatalf("whole log: %d lines from %q, %d left out, %v", len(all), all[0], omitted, err)
	}
	end, omitted, err := r.l.Log(id, 1000)
	if err != nil || len(end) == 0 || omitted == 0 {
		t.Fatalf("the end: %d lines, %d left out, %v", len(end), omitted, err)
	}
	// Whole lines only: the first is the number after the last left out.
	first, err := strconv.Atoi(end[0])
	if err != nil || first < 19000 || !slices.Equal(end, all[first-1:]) {
		t.Fatalf("the end starts at %q (%v)", end[0], err)
	}
	size := 0
	for _, ln := range all[:first-1] {
		size += len(ln) + len("\r\n") // as the terminal ends lines
	}
	if omitted != int64(size) {
		t.Fatalf("%d bytes said left out, the lines before %d are %d", omitted, first, size)
	}
}

// A run still in the table cannot be forgotten; once unregistered it can,
// and with it its log.
func TestForgetARun(t *testing.T) {
	r := newRig(t)
	store := r.withHistory(t)
	id, err := r.l.Launch(tui.Request{Command: "echo forget-4417"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the end in the history", func() bool { run, _ := store.Get(id); return run.Ended() })
	if err := r.l.Forget(id); err == nil || !strings.Contains(err.Error(), "still in the table") {
		t.Fatalf("forgot a run in the table: %v", err)
	}
	if err := r.reg.UnregisterProcess(id); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the log closed", func() bool {
		err := r.l.Forget(id)
		return err == nil
	})
	if _, err := store.Get(id); !errors.Is(err, history.ErrNotFound) {
		t.Fatalf("still in the history: %v", err)
	}
	if paths, _ := store.LogPaths(id); len(paths) != 0 {
		t.Fatalf("its log is still there: %v", paths)
	}
}

// Resuming a Claude session starts the catalog's session command with
// --resume and the old id instead of a new id, and says which run it
// resumes; an entry without a session id cannot resume.
func TestResumeAClaudeSession(t *testing.T) {
	r := newRig(t)
	id, err := r.l.Launch(tui.Request{Agent: "claude", Resume: "5e55-4417", Resumes: 1000007})
	if err != nil {
		t.Fatal(err)
	}
	info, _ := r.reg.Process(id)
	if info.SessionID != "5e55-4417" || info.Resumes != 1000007 || !strings.Contains(info.Command, "--resume 5e55-4417") ||
		strings.Contains(info.Command, "--session-id") {
		t.Fatalf("resumed as %+v", info)
	}
	if _, err := r.l.Launch(tui.Request{Agent: "shell", Resume: "5e55-4417"}); err == nil ||
		!strings.Contains(err.Error(), "--session-id") {
		t.Fatalf("a shell resumed a session: %v", err)
	}
}

// The process of a run whose corral died is offered first for adoption;
// adopting it ends its old history row as adopted.
func TestAdoptingAnOrphanEndsItsOldRow(t *testing.T) {
	r := newRig(t)
	store := r.withHistory(t)
	cmd := exec.Command("sh", "-c", "exec sleep 4417 ") // recorded as sh, runs sleep
	startOutside(t, cmd, "sleep\x004417")
	old := history.Run{ID: 1000001, Kind: "command", Name: "sleep", Argv: []string{"sh", "-c", "exec sleep 4417 "},
		PID: cmd.Process.Pid, StartedAt: time.Now(), Status: history.StatusRunning, Instance: 1}
	if err := store.Begin(old); err != nil {
		t.Fatal(err)
	}
	r.l.SetOrphans([]history.Run{old})
	if c := r.l.Candidates(); len(c) == 0 || c[0].PID != cmd.Process.Pid || c[0].Run != old.ID ||
		c[0].Command != "sleep 4417" {
		t.Fatalf("candidates %+v", c)
	}
	if _, err := r.l.Adopt(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the old row ended", func() bool { run, _ := store.Get(old.ID); return run.Status == history.StatusAdopted })
	if o := r.l.Orphans(); len(o) != 0 {
		t.Fatalf("still offered: %+v", o)
	}
}

// A process of one of corral's own runs, or of a run of another corral
// that still runs, is neither offered nor adopted; one of a corral that is
// gone is (an orphan).
func TestCorralsOwnProcessesAreNotAdopted(t *testing.T) {
	r := newRig(t)
	t.Setenv("FAKE_CLAUDE_ID", "own-4418")
	id, err := r.l.Launch(tui.Request{Command: `sh -c 'claude; true'`})
	if err != nil {
		t.Fatal(err)
	}
	info, _ := r.reg.Process(id)
	var child int
	eventually(t, "the claude under the shell", func() bool {
		for _, pid := range proc.Children(info.PID) {
			if argv, _ := proc.Cmdline(pid); len(argv) > 0 && filepath.Base(argv[0]) == "claude" {
				child = pid
			}
		}
		return child != 0
	})
	for _, c := range r.l.Candidates() {
		if c.PID == child {
			t.Fatalf("offered its own run's claude: %+v", c)
		}
	}
	if _, err := r.l.Adopt(child); err == nil || !strings.Contains(err.Error(), "of this corral") {
		t.Fatalf("adopted its own run's process: %v", err)
	}

	// Markers of another corral: one alive (this test's parent), one gone.
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		owner int
		want  string
	}{{os.Getppid(), "another corral (pid"}, {gone.Process.Pid, ""}} {
		cmd := exec.Command("sleep", "4418")
		cmd.Env = append(os.Environ(), registry.MarkerVar+"="+strconv.Itoa(c.owner)+".0123456789abcdef:1000042")
		done := startOutside(t, cmd, "sleep")
		_, err := r.l.Adopt(cmd.Process.Pid)
		_ = cmd.Process.Kill()
		<-done
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("marker of pid %d: adopt said %v, want %q", c.owner, err, c.want)
		}
	}
}

// The form learns from the catalog which fields an entry's command takes
// and the entry's own directory.
func TestAgentsSayWhatTheirCommandsTake(t *testing.T) {
	r := newRig(t)
	by := map[string]tui.Agent{}
	for _, a := range r.l.Agents() {
		by[a.Name] = a
	}
	if a := by["claude-run"]; !a.UsesTask || !a.UsesModel {
		t.Errorf("claude-run: %+v", a)
	}
	if a := by["shell"]; a.UsesTask || a.UsesModel {
		t.Errorf("shell: %+v", a)
	}
}

// A run's own variables (a project file's env) are kept in the history, and
// starting it again from there, as the history view's r does, in a corral
// of another directory, runs it with them; the inherited environment and
// corral's own variables are not kept.
func TestStartingAPastRunAgainKeepsItsEnv(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(t.TempDir(), "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	store := openStore(t, dir)
	first := newRig(t, registry.WithIDs(store.NextID)) // as main wires them
	first.l.EnableHistory(store)
	id, err := first.l.Launch(tui.Request{Command: `sh -c 'echo FOO=$FOO; pwd'`, Dir: sub, Name: "envy",
		Env: "FOO=bar\x00"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the first run's end", func() bool { run, _ := store.Get(id); return run.Ended() })
	if run, _ := store.Get(id); !slices.Equal(run.Env, []string{"FOO=bar"}) {
		t.Fatalf("recorded env %q, want only the run's own FOO=bar", run.Env)
	}

	// Another corral, started elsewhere, over the same history.
	other := openStore(t, dir)
	again := newRig(t, registry.WithIDs(other.NextID))
	again.l.EnableHistory(other)
	p := pastOf(t, again.l, id)
	// As the history view's r asks (tui's startAgain).
	req := tui.Request{Agent: p.Agent, Task: p.Task, Model: p.Model, Dir: p.Dir, Name: p.Name, Env: p.Env}
	if p.Agent == "" {
		req.Command = p.Command
	}
	id2, err := again.l.Launch(req)
	if err != nil || id2 == id {
		t.Fatalf("started again as run %d (the first was %d): %v", id2, id, err)
	}
	eventually(t, "the second run's output", func() bool {
		log, ok := storedLog(store, id2)
		return ok && strings.Contains(log, sub)
	})
	log, _ := storedLog(store, id2)
	if !strings.Contains(log, "FOO=bar\r\n") {
		t.Fatalf("started again without its env:\n%s", log)
	}
	if info, _ := again.reg.Process(id2); info.Name != "envy" || info.ProjectPath != sub {
		t.Fatalf("started again as %+v", info)
	}

	// A run that could not start keeps its variables too, for r.
	bad := first.l.Fail(tui.Request{Command: "missing-4419", Env: "A=1\x00B=2\x00"}, io.ErrUnexpectedEOF)
	eventually(t, "the failed start", func() bool {
		run, _ := store.Get(bad)
		return slices.Equal(run.Env, []string{"A=1", "B=2"})
	})
}

// pastOf is run id as l's Past lists it.
func pastOf(t *testing.T, l *Launcher, id int64) tui.PastRun {
	t.Helper()
	past, err := l.Past(0)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(past, func(p tui.PastRun) bool { return p.ID == id })
	if i < 0 {
		t.Fatalf("run %d not in %+v", id, past)
	}
	return past[i]
}

// openStore opens a history in dir, closed when the test ends.
func openStore(t *testing.T, dir string) *history.Store {
	t.Helper()
	store, err := history.Open(dir, history.WithPruneInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}
