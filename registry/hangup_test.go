package registry

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// onTTY is a child that says it runs under a terminal corral holds, as
// spawn's do (their real PTYs are tested in spawn).
type onTTY struct {
	*execChild
	tty bool
}

func (c onTTY) OnTerminal() bool { return c.tty }

// A TERM-ignoring tree under a terminal ends by the SIGHUP that comes with
// SIGTERM, long before the grace period's SIGKILL; without a terminal, and
// for an adopted process, the kill stays TERM, grace, KILL.
func TestKillHangsUpOnlyRunsUnderATerminal(t *testing.T) {
	const script = "trap '' TERM; echo ready; exec sleep 7341"
	cases := []struct {
		name    string
		grace   time.Duration
		child   func(c *execChild) Child // nil: adopted by pid
		wantSig syscall.Signal
	}{
		// With a grace of an hour, only SIGHUP can end it before the test's
		// own timeout.
		{"under a terminal", time.Hour, func(c *execChild) Child { return onTTY{c, true} }, syscall.SIGHUP},
		{"terminal child that says no", 200 * time.Millisecond, func(c *execChild) Child { return onTTY{c, false} }, syscall.SIGKILL},
		{"no terminal", 200 * time.Millisecond, func(c *execChild) Child { return c }, syscall.SIGKILL},
		{"adopted", 200 * time.Millisecond, nil, syscall.SIGKILL},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := New(WithGracePeriod(tc.grace), WithPIDGracePeriod(tc.grace))
			defer r.Close()
			c := startChild(t, script, 1)
			id := r.GenerateID()
			var err error
			if tc.child == nil {
				err = r.RegisterSidecarProcess(RegistrationConfig{RunID: id, PID: c.Pid()})
			} else {
				err = r.RegisterProcess(RegistrationConfig{RunID: id}, tc.child(c))
			}
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if gone, err := r.KillProcess(ctx, id); !gone || err != nil {
				t.Fatalf("KillProcess = %v, %v", gone, err)
			}
			<-c.Done()
			if got := c.Exit().Signal; got != tc.wantSig {
				t.Fatalf("child ended by %v, want %v", got, tc.wantSig)
			}
			if info, _ := r.Process(id); info.Status != StatusKilled {
				t.Fatalf("status %v, want killed", info.Status)
			}
		})
	}
}
