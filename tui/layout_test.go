package tui

import (
	"reflect"
	"testing"
	"time"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
)

// The layout is kept, not recomputed by View: after every message that
// moves the table or the pane, the kept layout is the one the state gives,
// and the selection is on screen.
func TestLayoutFollowsEveryChange(t *testing.T) {
	m, _, _ := newTestModel(t, 100, 20)
	added := registry.ProcessInfo{RunID: 1000009, Kind: registry.KindCommand, Command: "make watch", PID: 4109,
		StartedAt: epoch.Add(-time.Minute), Status: registry.StatusRunning}
	for _, step := range []struct {
		name string
		msgs []tea.Msg
	}{
		{"resize", []tea.Msg{tea.WindowSizeMsg{Width: 90, Height: 30}}},
		{"help on", []tea.Msg{keyMsg("?")}},
		{"select the last", []tea.Msg{keyMsg("G")}},
		{"help off", []tea.Msg{keyMsg("?")}},
		{"shrink", []tea.Msg{tea.WindowSizeMsg{Width: 90, Height: 16}}},
		{"form", []tea.Msg{keyMsg("n")}},
		{"form closed", []tea.Msg{keyMsg("esc")}},
		{"adopt list", []tea.Msg{keyMsg("a")}},
		{"adopt closed", []tea.Msg{keyMsg("esc")}},
		{"filter", []tea.Msg{keyMsg("/"), keyMsg("n"), keyMsg("p"), keyMsg("m")}},
		{"filter cleared", []tea.Msg{keyMsg("esc")}},
		{"run added", []tea.Msg{runEventMsg{ev: registry.Event{Kind: registry.EventRegistered, RunID: added.RunID, Info: added}}}},
		{"run dropped", []tea.Msg{runEventMsg{ev: registry.Event{Kind: registry.EventUnregistered, RunID: 1000000}}}},
		{"tiny", []tea.Msg{tea.WindowSizeMsg{Width: 40, Height: 3}}},
		{"back", []tea.Msg{tea.WindowSizeMsg{Width: 120, Height: 40}}},
	} {
		for _, msg := range step.msgs {
			update(m, msg)
		}
		kept := m.layout
		m.relayout()
		if !reflect.DeepEqual(kept, m.layout) {
			t.Fatalf("%s: kept layout %+v, the state gives %+v", step.name, kept, m.layout)
		}
		rows := m.visibleRuns()
		if i := m.rowOf(rows); i >= 0 && m.layout.tableH > 1 && (i < m.tableTop || i >= m.tableTop+m.layout.tableH-1) {
			t.Errorf("%s: the selection (row %d) is off the table (rows %d to %d)", step.name, i, m.tableTop,
				m.tableTop+m.layout.tableH-2)
		}
	}
}
