package tui

import (
	"context"
	"testing"
	"time"

	"corral/registry"
	"corral/spawn"

	tea "charm.land/bubbletea/v2"
)

// spawnLauncher is a Launcher over the real spawner: argv runs, as
// `corral "cmd1" "cmd2"` starts them.
type spawnLauncher struct {
	fakeLauncher
	sp *spawn.Spawner
}

func (l *spawnLauncher) Screen(id int64) Screen {
	if p := l.sp.Proc(id); p != nil {
		return p
	}
	return nil
}

var _ Screen = (*spawn.Proc)(nil)

// spawnRig is a model over a real registry and spawner.
type spawnRig struct {
	reg *registry.Registry
	sp  *spawn.Spawner
}

func newSpawnRig(t *testing.T) *spawnRig {
	t.Helper()
	reg := registry.New(registry.WithGracePeriod(time.Second))
	sp := spawn.New(reg)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := reg.KillAll(ctx); err != nil { // our runs only, by pid
			t.Errorf("cleanup kill: %v", err)
		}
		sp.Close()
		reg.Close()
	})
	return &spawnRig{reg: reg, sp: sp}
}

func (r *spawnRig) model(t *testing.T) *Model {
	t.Helper()
	m := New(r.reg, &spawnLauncher{fakeLauncher: *newFakeLauncher(), sp: r.sp},
		Options{Keys: DefaultKeyMap(), Theme: plainTheme(), Now: func() time.Time { return epoch }})
	t.Cleanup(m.Close)
	return m
}

// start starts an argv run that writes at once and then waits (the sleep
// is the test's marker); it returns the run's process.
func (r *spawnRig) start(t *testing.T, script string) *spawn.Proc {
	t.Helper()
	p, err := r.sp.Start(spawn.Spec{Argv: []string{"sh", "-c", script}, Cols: 80, Rows: 10})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// untilRuns feeds the model the registry's events until it lists n runs.
func untilRuns(t *testing.T, m *Model, n int) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for len(m.runs) < n {
		msgs := make(chan tea.Msg, 1)
		go func() { msgs <- waitEvent(m.events)() }()
		select {
		case msg := <-msgs:
			update(m, msg)
		case <-deadline:
			t.Fatalf("the model lists %d runs, want %d", len(m.runs), n)
		}
	}
}

// With two argv runs, the one not selected is hidden from its first byte,
// and visibility follows the selection. The runs start after the model
// (as main starts them) and before it (a snapshot).
func TestUnselectedArgvRunIsHiddenFromTheStart(t *testing.T) {
	for _, before := range []bool{false, true} {
		name := map[bool]string{false: "started after the model", true: "started before the model"}[before]
		t.Run(name, func(t *testing.T) {
			r := newSpawnRig(t)
			var m *Model
			if !before {
				m = r.model(t)
				update(m, tea.WindowSizeMsg{Width: 100, Height: 30})
			}
			first := r.start(t, `echo first run; exec sleep 7342`)
			second := r.start(t, `echo second run; exec sleep 7343`)
			// Screens are created hidden: no byte of either child reached a
			// visible screen before the interface chose one.
			if first.Visible() || second.Visible() {
				t.Fatalf("started runs are visible before the interface saw them: %v, %v",
					first.Visible(), second.Visible())
			}
			if before {
				m = r.model(t)
				update(m, tea.WindowSizeMsg{Width: 100, Height: 30})
			}
			untilRuns(t, m, 2)
			if m.selected != first.RunID() {
				t.Fatalf("selected run %d, want the first, %d", m.selected, first.RunID())
			}
			if !first.Visible() || second.Visible() {
				t.Fatalf("selected run visible %v, the other %v; want true, false", first.Visible(), second.Visible())
			}
			press(m, "down")
			if first.Visible() || !second.Visible() {
				t.Fatalf("after down: first visible %v, second %v; want false, true", first.Visible(), second.Visible())
			}
		})
	}
}

// A screen the launcher hands out only after its run's registration event
// (the spawner may publish first) is shown once it exists, on the next
// message.
func TestScreenThatAppearsLateIsShown(t *testing.T) {
	reg := newFakeReg()
	l := newFakeLauncher()
	m := New(reg, l, Options{Keys: DefaultKeyMap(), Theme: plainTheme(), Now: func() time.Time { return epoch }})
	update(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	info := registry.ProcessInfo{RunID: 5, Kind: registry.KindCommand, Command: "npm run dev", PID: 4242,
		StartedAt: epoch, Status: registry.StatusRunning, HasHandle: true}
	reg.outputs[5] = registry.NewOutput(100, 1024)
	update(m, runEventMsg{ev: registry.Event{Kind: registry.EventRegistered, RunID: 5, Info: info}})
	scr := &fakeScreen{}
	l.screens[5] = scr
	update(m, outputMsg{id: 5})
	if !scr.visible {
		t.Fatal("the selected run's screen, there since its first output, is not visible")
	}
}

// The selected run's screen is hidden while the pane shows something else
// (the new-run form, the adopt list, the raw output) and shown again after.
func TestScreenHiddenWhileThePaneShowsSomethingElse(t *testing.T) {
	m, _, l := newTestModel(t, 120, 40)
	scr := l.screens[1000000]
	for _, c := range []struct{ open, close string }{{"n", "esc"}, {"a", "esc"}, {"v", "v"}} {
		press(m, c.open)
		if scr.visible {
			t.Errorf("%s: the screen stays visible while the pane shows something else", c.open)
		}
		press(m, c.close)
		if !scr.visible {
			t.Errorf("%s then %s: the screen is not visible again", c.open, c.close)
		}
	}
}
