package tui

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
)

// The golden files hold View() without colours at fixed sizes; regenerate
// them with: go test ./tui -run TestGolden -update
func TestGolden(t *testing.T) {
	states := []struct {
		name string
		keys []string
	}{
		{"table", nil},
		{"confirm-kill", []string{"k"}},
		{"form", []string{"n"}},
		{"help", []string{"?"}},
		{"focus", []string{"enter"}},
		{"filter", []string{"/", "c", "l", "a"}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, st := range states {
			t.Run(fmt.Sprintf("%s-%dx%d", st.name, size[0], size[1]), func(t *testing.T) {
				m, _, _ := newTestModel(t, size[0], size[1])
				for _, k := range st.keys {
					press(m, k)
				}
				golden.RequireEqual(t, screenText(m))
			})
		}
	}
}

func TestGoldenScrolledHistory(t *testing.T) {
	m, reg, _ := newTestModel(t, 80, 24)
	out := reg.outputs[1000000]
	for i := range 100 {
		fmt.Fprintf(out, "history line %d\twith a tab\n", i)
	}
	press(m, "pgup")
	golden.RequireEqual(t, screenText(m))
}

func TestNoColorThemeHasNoColours(t *testing.T) {
	m, _, _ := newTestModel(t, 120, 40)
	m.theme = NewTheme(Palette{}, true)
	m.help.Styles = m.theme.Help
	m.relayout() // the layout keeps the help it rendered
	for _, keys := range [][]string{nil, {"?"}, {"?", "k"}} {
		press(m, keys...)
		for _, sgr := range sgrRE.FindAllStringSubmatch(m.Render(), -1) {
			for _, p := range strings.Split(sgr[1], ";") {
				if n, err := strconv.Atoi(p); err == nil && (n >= 30 && n <= 49 || n >= 90 && n <= 107) {
					t.Fatalf("colour parameter %d in %q with NO_COLOR", n, sgr[0])
				}
			}
		}
	}
}

var sgrRE = regexp.MustCompile("\x1b\\[([0-9;:]*)m")

func TestLinesUpCountsInWords(t *testing.T) {
	for n, want := range map[int]string{1: " 1 line up ", 2: " 2 lines up ", 10000: " 10000 lines up "} {
		if got := linesUp(n); got != want {
			t.Errorf("linesUp(%d) = %q, want %q", n, got, want)
		}
	}
}

// pendingRuns are a live run, a failed one with a restart pending in 6 s
// and one whose policy has made all its 3 restarts.
func pendingRuns() []registry.ProcessInfo {
	term := registry.Exit{Code: -1, Signal: 15}
	return []registry.ProcessInfo{
		{RunID: 1, Command: "npm run dev", PID: 4301, StartedAt: epoch.Add(-time.Minute), Status: registry.StatusRunning,
			HasHandle: true},
		{RunID: 2, Name: "web", Command: "node server.js", PID: 4302, StartedAt: epoch.Add(-time.Minute),
			EndedAt: epoch, Status: registry.StatusFailed, Exit: term, HasHandle: true, Restarts: 1,
			Pending: registry.Pending{At: epoch.Add(6 * time.Second)}},
		{RunID: 3, Name: "worker", Command: "make worker", PID: 4303, StartedAt: epoch.Add(-time.Minute),
			EndedAt: epoch, Status: registry.StatusFailed, Exit: registry.Exit{Code: -1, Signal: 9}, HasHandle: true,
			Restarts: 3, Pending: registry.Pending{Spent: 3}},
	}
}

// A restart pending shows in the row and the pane title, counting down;
// a policy out of restarts says so.
func TestGoldenPendingRestart(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {40, 12}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			l := newFakeLauncher()
			for _, r := range pendingRuns() {
				l.screens[r.RunID] = &fakeScreen{text: "$ " + r.Command}
			}
			m := New(newFakeReg(pendingRuns()...), l, Options{Keys: DefaultKeyMap(), Theme: plainTheme(),
				Now: func() time.Time { return epoch }})
			update(m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			m.selectRun(2)
			pending := screenText(m)
			m.selectRun(3)
			golden.RequireEqual(t, pending+"\n\n"+screenText(m))
		})
	}
}

// The countdown follows the model's tick, which runs while a restart is
// pending even with nothing alive, and goes when the restart is cancelled.
func TestPendingRestartCountsDownAndGoes(t *testing.T) {
	run := pendingRuns()[1]
	c := &clock{t: epoch}
	m := New(newFakeReg(run), newFakeLauncher(), Options{Keys: DefaultKeyMap(), Theme: plainTheme(), Now: c.now})
	update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if m.Init() == nil || !m.ticking || m.tickEvery != ageTick {
		t.Fatalf("no tick for a pending restart (ticking %v every %v)", m.ticking, m.tickEvery)
	}
	for _, want := range []string{"restart in 6s", "restart in 5s", "restart in 1s", "restarting"} {
		if row := lineWith(screenText(m), "web"); !strings.Contains(row, "failed TERM · "+want) {
			t.Fatalf("at %s: row %q, want %q", c.t.Sub(epoch), row, want)
		}
		if c.t.Equal(epoch) {
			c.advance(time.Second)
		} else {
			c.advance(4 * time.Second)
		}
		update(m, tickMsg{gen: m.tickGen})
	}
	run.Pending = registry.Pending{} // cancelled (x)
	update(m, runEventMsg{ev: registry.Event{Kind: registry.EventUpdated, RunID: run.RunID, Info: run}})
	if row := lineWith(screenText(m), "web"); strings.Contains(row, "restart") || !strings.Contains(row, "failed TERM") {
		t.Fatalf("after the cancel: row %q", row)
	}
	if cmd := update(m, tickMsg{gen: m.tickGen}); cmd != nil || m.ticking {
		t.Fatal("still ticking with no restart pending")
	}
}

func TestOneLineKeepsSpacesWithinALine(t *testing.T) {
	for in, want := range map[string]string{
		`echo  'a   b'  "q  x"`:      `echo  'a   b'  "q  x"`,
		"fix the\n\ttests\r\n  now ": "fix the tests now",
		"  \n \n ":                   "",
	} {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}
