//go:build linux

package spawn

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"corral/internal/proc"
)

// orphans lists the live and zombie children of the test process that it
// did not start itself (they were reparented to it).
func orphans(t *testing.T, started map[int]bool) (live, zombies int) {
	for _, p := range proc.Children(os.Getpid()) {
		if started[p] {
			continue
		}
		for _, q := range procs(t) {
			if q.pid == p {
				if q.state == 'Z' {
					zombies++
				} else {
					live++
				}
			}
		}
	}
	return live, zombies
}

func TestSubreaperReapsOrphansAndKeepsExitCodes(t *testing.T) {
	stop, err := Subreaper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop) // after the rig's cleanup: what it kills is reaped
	r := newRig(t)
	// Each run orphans a process that ends a moment later; each run's own
	// exit status must still reach os/exec, not the reaper.
	const n = 40
	var wg sync.WaitGroup
	procs := make([]*Proc, n)
	for i := range procs {
		procs[i] = r.sh(t, `( (sleep 0.05; exit 0) & ); exit 3`)
	}
	for _, p := range procs {
		wg.Add(1)
		go func() { defer wg.Done(); <-p.Done() }()
	}
	wg.Wait()
	for i, p := range procs {
		if p.Exit().Code != 3 {
			t.Fatalf("run %d: exit %+v, want code 3 (its status was taken by the reaper?)", i, p.Exit())
		}
	}
	// The orphans end by themselves; none is left a zombie.
	deadline := time.Now().Add(20 * time.Second)
	for {
		live, zombies := orphans(t, nil)
		if live == 0 && zombies == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d orphans alive, %d zombies not reaped", live, zombies)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestOrphanOfARunIsReparentedToCorral(t *testing.T) {
	stop, err := Subreaper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop) // after the rig's cleanup: what it kills is reaped
	r := newRig(t)
	p := r.sh(t, `( setsid sh -c 'echo daemon $$; exec sleep 7412' & ); exec sleep 7413`)
	r.outputHas(t, p, "daemon ")
	var daemon int
	for _, l := range strings.Split(r.reg.LiveOutput(p.RunID()), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "daemon" {
			daemon, _ = strconv.Atoi(f[1])
		}
	}
	// Reparenting happens when the subshell exits: wait for that fact.
	deadline := time.Now().Add(10 * time.Second)
	for !isChild(daemon) {
		if time.Now().After(deadline) {
			t.Fatalf("daemon %d was not reparented to corral", daemon)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if gone, err := r.reg.KillProcess(context.Background(), p.RunID()); !gone || err != nil {
		t.Fatalf("kill: %v %v", gone, err)
	}
	if isLive(t, daemon) {
		t.Fatal("the daemon outlived the kill of its run")
	}
}

func isChild(pid int) bool {
	for _, c := range proc.Children(os.Getpid()) {
		if c == pid {
			return true
		}
	}
	return false
}
