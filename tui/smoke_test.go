package tui

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// The one teatest smoke test: the model runs in a real Program over a real
// registry, takes keys, writes a notification and quits. Flows are tested
// through Update.
func TestSmokeProgram(t *testing.T) {
	reg := registry.New()
	defer reg.Close()
	m := New(reg, newFakeLauncher(), Options{Keys: DefaultKeyMap(), Theme: plainTheme()})
	defer m.Close()
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("no runs yet")) },
		teatest.WithDuration(10*time.Second))
	// A run that starts to need you while the terminal is in the background
	// rings the bell and asks for a desktop notification, through the
	// program's output. The run is a process of ours, adopted: corral's
	// quit releases it, and the test ends it by pid.
	sleep := exec.Command("sleep", "7347")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sleep.Process.Kill(); _ = sleep.Wait() }()
	id := reg.GenerateID()
	if err := reg.RegisterSidecarProcess(registry.RegistrationConfig{RunID: id, PID: sleep.Process.Pid,
		Command: "sleep 7347"}); err != nil {
		t.Fatal(err)
	}
	tm.Send(tea.BlurMsg{})
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("sleep 7347")) },
		teatest.WithDuration(10*time.Second))
	if err := reg.SetActivity(id, registry.Activity{State: registry.StateNeedsYou, Detail: "question: go?"}); err != nil {
		t.Fatal(err)
	}
	notice := fmt.Sprintf("\a\x1b]9;corral: sleep (run %d) needs you: question: go?\a", id)
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(notice)) },
		teatest.WithDuration(10*time.Second))
	tm.Send(tea.KeyPressMsg{Code: '?', Text: "?"})
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if out := stripANSI(final.Render()); !strings.Contains(out, "leave focus") || !strings.Contains(out, "▲ needs you") {
		t.Fatalf("final screen:\n%s", out)
	}
}
