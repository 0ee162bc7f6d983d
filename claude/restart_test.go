package claude

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"corral/registry"
)

// sleeper is a registry.Child over a real process of the test's own.
type sleeper struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func startSleeper(t *testing.T) *sleeper {
	t.Helper()
	s := &sleeper{cmd: exec.Command("sleep", "4419"), done: make(chan struct{})}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { _ = s.cmd.Process.Kill(); <-s.done })
	return s
}

func (s *sleeper) Pid() int              { return s.cmd.Process.Pid }
func (s *sleeper) Done() <-chan struct{} { return s.done }
func (s *sleeper) Exit() registry.Exit   { return registry.Exit{Code: 0} }

// A stream-json run restarted in place is followed for its new life: its
// earlier error result does not mark the new life failed, its earlier
// rendering stays with the marker below it, and the new lines render.
// (The child's Exit says 0 whatever ended it.)
func TestAStreamRestartedInPlaceIsFollowedAfresh(t *testing.T) {
	reg := registry.New()
	defer reg.Close()
	f := NewFollower(reg, t.TempDir())
	defer f.Close()
	id := failedRun(t, reg, "")
	if err := reg.AppendLiveOutput(id, `{"type":"assistant","message":{"content":[{"type":"text","text":"first life"}]}}`+"\n"+
		`{"type":"result","subtype":"error_during_execution","is_error":true}`+"\n"); err != nil {
		t.Fatal(err)
	}
	f.FollowStream(id)

	child := startSleeper(t)
	if err := reg.Reopen(registry.RegistrationConfig{RunID: id, PID: child.Pid()}, child); err != nil {
		t.Fatal(err)
	}
	f.FollowStream(id)
	_, events, cancel := reg.Subscribe()
	defer cancel()
	if err := reg.AppendLiveOutput(id, `{"type":"assistant","message":{"content":[{"type":"text","text":"second life"}]}}`+"\n"); err != nil {
		t.Fatal(err)
	}
	// The follower renders on the output event, then tells of it with one.
	timeout := time.After(10 * time.Second)
	for !strings.Contains(f.Rendered(id).String(), "second life") {
		select {
		case <-events:
		case <-timeout:
			t.Fatalf("the new life is not rendered: %q", f.Rendered(id).String())
		}
	}
	got := f.Rendered(id).Tail(10)
	if len(got) != 4 || got[0] != "first life" || !registry.IsRestartMarker(got[2]) || got[3] != "second life" {
		t.Fatalf("rendered %q", got)
	}
	// The new life ends well: exited, not failed by the earlier result.
	_ = child.cmd.Process.Kill()
	for {
		select {
		case e := <-events:
			if e.Kind == registry.EventExited && e.RunID == id {
				if e.Info.Status != registry.StatusExited {
					t.Fatalf("the new life ended %v, want exited", e.Info.Status)
				}
				return
			}
		case <-timeout:
			t.Fatal("the new life's end never came")
		}
	}
}
