package spawn

import (
	"context"
	"testing"
	"time"

	"corral/registry"
)

func TestDetachedListsRunsUnregisteredWhileAlive(t *testing.T) {
	reg := registry.New()
	forgot := make(chan int64, 4)
	sp := newSpawner(reg, forgot)
	defer func() { sp.Close(); reg.Close() }()
	start := func(script string) *Proc {
		p, err := sp.Start(Spec{Argv: []string{"sh", "-c", script}})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p, ended := start("exec sleep 7421"), start("echo bye")
	waitDone(t, ended)
	for _, id := range []int64{p.RunID(), ended.RunID()} {
		if err := reg.UnregisterProcess(id); err != nil {
			t.Fatal(err)
		}
		select {
		case <-forgot:
		case <-time.After(20 * time.Second):
			t.Fatal("the spawner never forgot an unregistered run")
		}
	}
	if got := sp.Detached(); len(got) != 1 || got[0] != p.Pid() {
		t.Fatalf("detached %v, want [%d] (the ended run is not detached)", got, p.Pid())
	}
	// The run is no longer registered: stop it by pid, as corral's own.
	if gone, err := reg.KillProcessByPID(context.Background(), 0, p.Pid()); !gone || err != nil {
		t.Fatalf("kill: %v %v", gone, err)
	}
	waitDone(t, p)
	if got := sp.Detached(); len(got) != 0 {
		t.Fatalf("an ended run is still detached: %v", got)
	}
}
