package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// Views of issue 16 at 80×24 and 40×12, without colours; regenerate with
// go test ./tui -run TestGoldenFit -update
func TestGoldenFit(t *testing.T) {
	states := []struct {
		name string
		keys []string
	}{
		{"table", nil},
		{"help", []string{"?"}},
		{"help-more", []string{"?", "pgdown"}},
		{"zoom", []string{"z"}},
		{"kill", []string{"k"}},
		{"kill-shown", []string{"ctrl+k"}},
		{"form", []string{"n"}},
		{"adopt", []string{"a"}},
	}
	for _, size := range [][2]int{{80, 24}, {40, 12}} {
		for _, st := range states {
			t.Run(fmt.Sprintf("%s-%dx%d", st.name, size[0], size[1]), func(t *testing.T) {
				m, _, _ := newTestModel(t, size[0], size[1])
				for _, k := range st.keys {
					if k == "ctrl+k" {
						update(m, ctrlKey('k'))
						continue
					}
					if cmd := update(m, fitKey(k)); k != "n" { // the form's cursor would blink
						feed(m, cmd)
					}
				}
				golden.RequireEqual(t, screenText(m))
			})
		}
	}
}

// fitKey is keyMsg with the page-down key.
func fitKey(k string) tea.KeyPressMsg {
	if k == "pgdown" {
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	}
	return keyMsg(k)
}

// The help line always shows the help and quit keys, and ends with an
// ellipsis when it leaves bindings out; it never passes the width.
func TestFooterKeepsHelpAndQuit(t *testing.T) {
	for _, w := range []int{24, 30, 40, 60, 80, 100, 200} {
		m, _, _ := newTestModel(t, w, 24)
		foot := stripANSI(m.layout.help[0])
		if !strings.Contains(foot, "? help") || !strings.Contains(foot, "q quit") {
			t.Errorf("%d columns: %q", w, foot)
		}
		if ansi.StringWidth(foot) > w {
			t.Errorf("%d columns: %d wide: %q", w, ansi.StringWidth(foot), foot)
		}
		m.help.SetWidth(0) // bubbles' help line, uncut: what the line would hold
		all := stripANSI(m.help.ShortHelpView(m.keys.ShortHelp()))
		if cut := ansi.StringWidth(all) > w; cut != strings.HasSuffix(foot, "…") {
			t.Errorf("%d columns: cut %v, yet %q", w, cut, foot)
		}
	}
}

// The full help fits 80×24 whole; at 40×12 it scrolls by pages, and every
// binding is on one of them; esc closes it.
func TestFullHelpFits(t *testing.T) {
	m, _, _ := newTestModel(t, 80, 24)
	press(m, "?")
	s := screenText(m)
	enabled := func() []string {
		var want []string
		for _, col := range m.keys.FullHelp() {
			for _, b := range col {
				if b.Enabled() {
					want = append(want, b.Help().Desc)
				}
			}
		}
		return want
	}
	for _, d := range enabled() {
		if !strings.Contains(s, d) {
			t.Errorf("80×24: %q not in the help:\n%s", d, s)
		}
	}
	if n := len(strings.Split(s, "\n")); n != 24 {
		t.Fatalf("%d lines", n)
	}

	m, _, _ = newTestModel(t, 40, 12)
	press(m, "?")
	want := enabled()
	seen := ""
	for range 30 {
		s := screenText(m)
		for _, l := range strings.Split(s, "\n") {
			if ansi.StringWidth(l) > 40 {
				t.Fatalf("a line wider than 40: %q", l)
			}
		}
		seen += s
		if !strings.Contains(s, "pgdn more") {
			break
		}
		update(m, fitKey("pgdown"))
	}
	for _, d := range want {
		if !strings.Contains(seen, d) {
			t.Errorf("40×12: %q on no page", d)
		}
	}
	press(m, "esc")
	if m.showHelp || len(m.layout.help) != 1 {
		t.Fatal("esc did not close the help")
	}
}

// Esc clears an applied filter; the header says how many runs it shows.
func TestEscClearsTheFilter(t *testing.T) {
	m, _, _ := newTestModel(t, 80, 24)
	press(m, "/")
	typeText(m, "cla")
	if h := strings.Split(screenText(m), "\n")[0]; !strings.Contains(h, "2 of 5") {
		t.Fatalf("typing: header %q", h)
	}
	press(m, "enter")
	if h := strings.Split(screenText(m), "\n")[0]; !strings.Contains(h, "2 of 5 · filter: cla") {
		t.Fatalf("applied: header %q", h)
	}
	press(m, "esc")
	if m.filter.Value() != "" || len(m.visibleRuns()) != 5 || m.status != "filter cleared" {
		t.Fatalf("after esc: filter %q, %d rows, %q", m.filter.Value(), len(m.visibleRuns()), m.status)
	}
}

// A plain status message goes after its time; an error stays, and a tick
// for a message that was replaced clears nothing.
func TestStatusExpires(t *testing.T) {
	m, _, _ := newTestModel(t, 80, 24)
	m.statusTTL = time.Millisecond
	press(m, "enter")
	cmd := press(m, "ctrl+]")
	if m.status != "left focus" {
		t.Fatalf("status %q", m.status)
	}
	var expired []tea.Msg
	for _, msg := range run(cmd) {
		if _, ok := msg.(statusExpiredMsg); ok {
			expired = append(expired, msg)
		}
	}
	if len(expired) != 1 {
		t.Fatalf("%d expiry ticks", len(expired))
	}
	press(m, "x") // a newer message: the old tick leaves it
	update(m, expired[0])
	if !strings.Contains(m.status, "stopping run") {
		t.Fatalf("an old tick cleared %q", m.status)
	}
	cmd = update(m, stoppedMsg{id: 1000000})
	for _, msg := range run(cmd) {
		if _, ok := msg.(statusExpiredMsg); ok {
			update(m, msg)
		}
	}
	if m.status != "" {
		t.Fatalf("not expired: %q", m.status)
	}
	update(m, stoppedMsg{id: 1000000, err: fmt.Errorf("stop run 1000000: boom")})
	if cmd := update(m, tea.FocusMsg{}); cmd != nil {
		t.Fatalf("an error got an expiry tick")
	}
}

// z gives the pane the whole window and the runs its size, and back.
func TestZoom(t *testing.T) {
	m, _, l := newTestModel(t, 80, 24)
	_, before := m.paneSize()
	run(press(m, "z"))
	if m.layout.tableH != 0 || m.layout.paneY != 2 || m.layout.paneH != 24-4 {
		t.Fatalf("zoomed layout %+v", m.layout)
	}
	s := screenText(m)
	if strings.Contains(s, "STATUS") || !strings.Contains(lineWith(s, "1000000 claude"), "zoomed · z back") {
		t.Fatalf("zoomed:\n%s", s)
	}
	for id, scr := range l.screens {
		r, _ := m.runByID(id)
		if !r.Status.Live() {
			continue
		}
		if got := scr.sizes[len(scr.sizes)-1]; got != [2]int{80, 20} {
			t.Fatalf("run %d sized %v zoomed", id, got)
		}
	}
	press(m, "down") // the selection still moves, the title says which
	if !strings.Contains(screenText(m), "── 1000001 claude-run") {
		t.Fatalf("after down:\n%s", screenText(m))
	}
	run(press(m, "z"))
	if m.layout.tableH == 0 || m.layout.paneH != before {
		t.Fatalf("unzoomed layout %+v, pane was %d", m.layout, before)
	}
	if got := l.screens[1000000].sizes; got[len(got)-1] != [2]int{80, before} {
		t.Fatalf("sized back to %v", got[len(got)-1])
	}
}

// runByID finds a run of the model.
func (m *Model) runByID(id int64) (registry.ProcessInfo, bool) {
	for _, r := range m.runs {
		if r.RunID == id {
			return r, true
		}
	}
	return registry.ProcessInfo{}, false
}
