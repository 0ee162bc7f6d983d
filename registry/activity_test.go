package registry

import (
	"errors"
	"testing"
	"time"
)

func TestSetActivityPublishesChangesOnly(t *testing.T) {
	r := New()
	defer r.Close()
	id, err := r.RecordFailure(RegistrationConfig{Kind: KindCommand, Command: "x"}, Exit{Code: 1}, "no")
	if err != nil {
		t.Fatal(err)
	}
	_, events, cancel := r.Subscribe()
	defer cancel()
	since := time.Unix(1000, 0)
	if err := r.SetActivity(id, Activity{State: StateWorking, Detail: "Bash", Since: since}); err != nil {
		t.Fatal(err)
	}
	e := <-events
	if e.Kind != EventActivity || e.Info.Activity.State != StateWorking || !e.Info.Activity.Since.Equal(since) {
		t.Fatalf("event %v %+v", e.Kind, e.Info.Activity)
	}
	// The same state and detail again: no event, Since kept.
	if err := r.SetActivity(id, Activity{State: StateWorking, Detail: "Bash"}); err != nil {
		t.Fatal(err)
	}
	if err := r.SetActivity(id, Activity{State: StateNeedsYou, Detail: "permission: Bash"}); err != nil {
		t.Fatal(err)
	}
	e = <-events
	if e.Info.Activity.State != StateNeedsYou || e.Info.Activity.Since.IsZero() || e.Info.Activity.Since.Equal(since) {
		t.Fatalf("second event %+v", e.Info.Activity)
	}
	if info, _ := r.Process(id); info.Activity.State != StateNeedsYou || !info.Activity.State.Attention() {
		t.Fatalf("process %+v", info.Activity)
	}
	if err := r.SetActivity(id+100, Activity{State: StateIdle}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown run: %v", err)
	}
	if s := StateNeedsYou.String(); s != "needs you" {
		t.Fatalf("name %q", s)
	}
	if s := State(42).String(); s != "State(42)" {
		t.Fatalf("out of range %q", s)
	}
}
