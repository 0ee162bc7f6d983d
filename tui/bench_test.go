package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
)

// benchModel is a model over n runs at 200×60, the first selected, its pane
// full of coloured text.
func benchModel(b *testing.B, n int) *Model {
	runs := make([]registry.ProcessInfo, n)
	for i := range runs {
		runs[i] = registry.ProcessInfo{RunID: int64(1_000_000 + i), Kind: registry.KindCommand, PID: 10_000 + i,
			Command: fmt.Sprintf("sh -c 'make target-%d'", i), Task: "build the thing", Model: "opus",
			ProjectPath: "/src/project", StartedAt: epoch.Add(-time.Hour), Status: registry.Status(i % 5),
			KillDeadline: epoch.Add(time.Second)}
	}
	reg := newFakeReg(runs...)
	l := newFakeLauncher()
	var screen strings.Builder
	for i := range 60 {
		fmt.Fprintf(&screen, "\x1b[3%dmline %d of the screen\x1b[0m %s\n", i%8, i, strings.Repeat("x", 150))
	}
	l.screens[runs[0].RunID] = &fakeScreen{text: screen.String()}
	m := New(reg, l, Options{Keys: DefaultKeyMap(), Theme: plainTheme(), Now: func() time.Time { return epoch }})
	update(m, tea.WindowSizeMsg{Width: 200, Height: 60})
	return m
}

// BenchmarkView renders a whole frame with 500 runs and a full pane
// (target < 2 ms).
func BenchmarkView(b *testing.B) {
	m := benchModel(b, 500)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkUpdateOutput is the cost of an output notification for the run
// on screen: it only marks the pane for the next frame.
func BenchmarkUpdateOutput(b *testing.B) {
	m := benchModel(b, 500)
	b.ReportAllocs()
	for b.Loop() {
		m.Update(outputMsg{id: 1_000_000})
	}
}

// BenchmarkFrame is a frame tick that redraws the pane from the screen.
func BenchmarkFrame(b *testing.B) {
	m := benchModel(b, 500)
	b.ReportAllocs()
	for b.Loop() {
		m.paneDirty = true
		m.Update(frameMsg{})
	}
}
