package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// The one teatest smoke test: the model runs in a real Program over a real
// registry, takes keys and quits. Flows are tested through Update.
func TestSmokeProgram(t *testing.T) {
	reg := registry.New()
	defer reg.Close()
	m := New(reg, newFakeLauncher(), Options{Keys: DefaultKeyMap(), Theme: plainTheme()})
	defer m.Close()
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("no runs yet")) },
		teatest.WithDuration(10*time.Second))
	tm.Send(tea.KeyPressMsg{Code: '?', Text: "?"})
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if out := stripANSI(final.Render()); !strings.Contains(out, "leave focus") || !strings.Contains(out, "no runs yet") {
		t.Fatalf("final screen:\n%s", out)
	}
}
