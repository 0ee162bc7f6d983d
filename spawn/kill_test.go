package spawn

import (
	"context"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"corral/internal/proc"
	"corral/registry"
)

// An interactive shell ignores SIGTERM; under its PTY, a kill's SIGHUP ends
// it (and a job it runs) at once, as closing its terminal would. The grace
// period is an hour, so an exit by SIGKILL would mean the test's own
// timeout had cancelled the kill.
func TestKillHangsUpInteractiveShells(t *testing.T) {
	cases := []struct {
		name string
		argv []string
		job  string // typed at the prompt before the kill, if any
	}{
		{"bash at its prompt", []string{"bash", "--norc", "--noprofile", "-i"}, ""},
		{"bash running a job", []string{"bash", "--norc", "--noprofile", "-i"}, "sleep 7343"},
		{"sh at its prompt", []string{"sh", "-i"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := exec.LookPath(tc.argv[0]); err != nil {
				t.Skip(tc.argv[0], "not installed")
			}
			r := newRig(t, registry.WithGracePeriod(time.Hour))
			p, err := r.sp.Start(Spec{Argv: tc.argv, Env: []string{"PS1=prompt> "}, Cols: 80, Rows: 24})
			if err != nil {
				t.Fatal(err)
			}
			r.screenHas(t, p, "prompt>")
			job := 0
			if tc.job != "" {
				if _, err := p.Write([]byte(tc.job + "\r")); err != nil {
					t.Fatal(err)
				}
				// A process starting publishes no event: poll for it.
				for deadline := time.Now().Add(10 * time.Second); job == 0; time.Sleep(10 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("%q did not start", tc.job)
					}
					job = jobOf(t, p.Pid(), tc.job)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if gone, err := r.reg.KillProcess(ctx, p.RunID()); !gone || err != nil {
				t.Fatalf("KillProcess = %v, %v", gone, err)
			}
			waitDone(t, p)
			if sig := p.Exit().Signal; sig != syscall.SIGHUP {
				t.Fatalf("%s ended by %v (exit %v), want SIGHUP", tc.argv[0], sig, p.Exit())
			}
			if job != 0 && isLive(t, job) {
				t.Fatalf("the job %d survived its shell", job)
			}
			if left := liveInSession(t, p.Pid()); len(left) > 0 {
				t.Fatalf("session still has %v", left)
			}
		})
	}
}

// A child that ignores SIGHUP and SIGTERM still dies by SIGKILL once the
// grace period is over.
func TestKillOfHangupIgnoringChildEndsBySIGKILL(t *testing.T) {
	r := newRig(t, registry.WithGracePeriod(300*time.Millisecond))
	// Ignored signals stay ignored across exec: sleep ignores both.
	p := r.sh(t, "trap '' HUP TERM; echo ready; exec sleep 7344")
	r.screenHas(t, p, "ready") // the traps are set
	if gone, err := r.reg.KillProcess(context.Background(), p.RunID()); !gone || err != nil {
		t.Fatalf("KillProcess = %v, %v", gone, err)
	}
	waitDone(t, p)
	if sig := p.Exit().Signal; sig != syscall.SIGKILL {
		t.Fatalf("ended by %v, want SIGKILL", sig)
	}
	if info, _ := r.reg.Process(p.RunID()); info.Status != registry.StatusKilled {
		t.Fatalf("status %v, want killed", info.Status)
	}
}

// jobOf returns the pid of the process in sid's session whose command line
// is cmdline, or 0.
func jobOf(t testing.TB, sid int, cmdline string) int {
	for _, q := range procs(t) {
		if q.session != sid || q.state == 'Z' {
			continue
		}
		if argv, err := proc.Cmdline(q.pid); err == nil && strings.Join(argv, " ") == cmdline {
			return q.pid
		}
	}
	return 0
}
