package spawn

import (
	"testing"
	"time"

	"corral/registry"
)

func TestHandleIsStoredBeforeTheRunIsAnnounced(t *testing.T) {
	reg := registry.New()
	sp := New(reg)
	defer func() { sp.Close(); reg.Close() }()
	_, events, cancel := reg.Subscribe()
	defer cancel()
	p, err := sp.Start(Spec{Argv: []string{"sh", "-c", "exec sleep 7431"}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	select {
	case e := <-events:
		if e.Kind != registry.EventRegistered || sp.Proc(e.RunID) == nil {
			t.Fatalf("on %v of run %d the handle is %v", e.Kind, e.RunID, sp.Proc(e.RunID))
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no event")
	}
	// A run id already held is refused, and the first handle kept.
	if _, err := sp.Start(Spec{Argv: []string{"true"}, Run: registry.RegistrationConfig{RunID: p.RunID()}}); err == nil {
		t.Fatal("a duplicate run id was started")
	}
	if sp.Proc(p.RunID()) != p {
		t.Fatal("the duplicate replaced the first handle")
	}
	if err := reg.UnregisterProcess(p.RunID()); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Process.Kill()
	waitDone(t, p)
}
