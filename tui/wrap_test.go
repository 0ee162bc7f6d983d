package tui

import (
	"fmt"
	"strings"
	"testing"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// A line of 20,000 characters in the history wraps into rows of the pane's
// width, and scrolling back reaches every part of it, its start included;
// the view stays still while output arrives, and a row up then a row down
// returns where it was.
func TestLongHistoryLinesWrap(t *testing.T) {
	m, reg, _ := newTestModel(t, 80, 24)
	out := registry.NewOutput(1000, 32<<10) // runs cut lines at 8 KiB: one line here
	reg.outputs[1000000] = out
	for i := range 30 {
		fmt.Fprintf(out, "before %d\n", i)
	}
	long := "BEGIN" + strings.Repeat("0123456789", 1999) + "END!!"
	fmt.Fprintf(out, "%s\n", long)
	for i := range 5 {
		fmt.Fprintf(out, "after %d\n", i)
	}
	pane := func() string { return strings.Join(m.pane, "\n") }
	var seen strings.Builder
	for i := range 200 {
		if i < 6 { // row by row past the short lines after it
			update(m, tea.KeyPressMsg{Code: tea.KeyUp, Mod: tea.ModShift})
		} else {
			press(m, "pgup")
		}
		for _, r := range m.pane {
			if w := ansi.StringWidth(r); w > 80 {
				t.Fatalf("a row of %d cells", w)
			}
		}
		seen.WriteString(pane() + "\n")
		if strings.Contains(pane(), "before 0") {
			break
		}
	}
	s := seen.String()
	if !strings.Contains(s, "\nBEGIN0123456789") || !strings.Contains(s, "END!!") || !strings.Contains(s, "before 0") {
		t.Fatalf("the long line's start, its end or the first line never showed")
	}
	if got := len(wrapRows(long, 80)); got != 250 {
		t.Fatalf("%d rows for 20,000 characters at 80", got)
	}

	// In the middle of the long line: a row up and down, output below.
	press(m, "end")
	for i := 0; !strings.Contains(pane(), "0123456789012") || strings.Contains(pane(), "after") ||
		strings.Contains(pane(), "BEGIN"); i++ {
		if i == 300 {
			t.Fatal("never in the middle of the long line")
		}
		press(m, "pgup")
	}
	at, pos := pane(), [2]int{m.scroll, m.sub()}
	update(m, tea.KeyPressMsg{Code: tea.KeyUp, Mod: tea.ModShift})
	if (m.scroll != pos[0] || m.sub() != pos[1]+1) && pos[1] > 0 {
		t.Fatalf("shift+up inside the long line: at %d+%d, was %v", m.scroll, m.sub(), pos)
	}
	update(m, tea.KeyPressMsg{Code: tea.KeyDown, Mod: tea.ModShift})
	if pane() != at || m.scroll != pos[0] || m.sub() != pos[1] {
		t.Fatalf("a row up and down moved the view to %d+%d from %v", m.scroll, m.sub(), pos)
	}
	fmt.Fprintf(out, "new output\n")
	update(m, outputMsg{id: 1000000})
	if pane() != at || m.scroll != pos[0]+1 || m.sub() != pos[1] {
		t.Fatalf("output below moved the view: at %d+%d, was %v", m.scroll, m.sub(), pos)
	}
	press(m, "end")
	if m.scroll != 0 || !strings.Contains(pane(), "$ screen of run 1000000") {
		t.Fatalf("end: scroll %d\n%s", m.scroll, pane())
	}
}

// A history shorter than the pane scrolls back once, to show it whole: a
// run restarted in place has a new screen, its earlier life only there.
func TestShortHistoryScrollsBackOnce(t *testing.T) {
	m, reg, _ := newTestModel(t, 80, 24)
	fmt.Fprintf(reg.outputs[1000000], "first life\n── restarted 12:00:00 ──\nsecond life\n")
	press(m, "pgup")
	if m.scroll != 1 || strings.Join(m.pane, "\n") != "first life\n── restarted 12:00:00 ──" {
		t.Fatalf("scroll %d, pane %q", m.scroll, m.pane)
	}
	press(m, "pgup")
	if m.scroll != 1 {
		t.Fatalf("scrolled on to %d", m.scroll)
	}
}
