package tui

import (
	"testing"

	"corral/registry"
)

// A warning beside a run shows in the status line and leaves the run's
// row as it was (the event carries no run info).
func TestWarningEventShowsAndKeepsTheRow(t *testing.T) {
	m, _, _ := newTestModel(t, 100, 24)
	id, before := m.runs[0].RunID, m.runs[0]
	update(m, runEventMsg{ev: registry.Event{Kind: registry.EventWarning, RunID: id,
		Message: "history: the log of run 1 is not written from here on: no space left on device"}})
	if !m.statusErr || lineWith(screenText(m), "no space left on device") == "" {
		t.Fatalf("warning not shown: %q\n%s", m.status, screenText(m))
	}
	if m.runs[0] != before {
		t.Fatalf("the row changed: %+v", m.runs[0])
	}
}
