package registry

import (
	"strings"
	"testing"
)

// A run listed as not started shows its note, survives a cleanup, and is
// started in its row by Reopen.
func TestNotStartedRunIsListedKeptAndStarted(t *testing.T) {
	r := New()
	defer r.Close()
	id, err := r.RecordNotStarted(RegistrationConfig{Kind: KindCommand, Command: "sleep 7376", Name: "later"},
		"not started (autostart = false)")
	if err != nil {
		t.Fatal(err)
	}
	info, _ := r.Process(id)
	if info.Status != StatusNotStarted || info.Status.Live() || info.Active() || info.Status.String() != "not started" {
		t.Fatalf("listed as %+v", info)
	}
	if got := r.Output(id).String(); !strings.Contains(got, "not started (autostart = false)") {
		t.Fatalf("output %q", got)
	}
	if ids := r.CleanupFinishedProcesses(); len(ids) != 0 {
		t.Fatalf("cleanup dropped %v", ids)
	}
	if err := r.Reopenable(id); err != nil {
		t.Fatal(err)
	}
	if err := r.Reopen(RegistrationConfig{RunID: id, PID: 4242}, fakeChild{4242}); err != nil {
		t.Fatal(err)
	}
	if info, _ := r.Process(id); info.Status != StatusRunning || info.Name != "later" {
		t.Fatalf("after the start %+v", info)
	}
}
