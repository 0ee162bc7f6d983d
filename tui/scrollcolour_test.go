package tui

import (
	"fmt"
	"strings"
	"testing"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

const redSGR = "\x1b[0;31m" // as spawn's stripper reports red (registry.SGR)

// writeRed writes a line in red to out as spawn's reader does: the plain
// text and where its style changes.
func writeRed(out *registry.Output, text string) {
	_, _ = out.WriteStyled([]byte(text+"\n"), []registry.SGR{{Off: 0, Seq: redSGR}, {Off: len(text), Seq: ""}})
}

// Scrolled back, a red line of the history shows red, in the pane and in
// the view, and its colour ends with it: the plain line below is drawn
// after a reset. A long red line wraps into rows that are each red and
// each closed, and counts the rows the plain line would. A search shows
// the plain lines.
func TestScrolledBackLinesKeepTheirColours(t *testing.T) {
	m, reg, _ := newTestModel(t, 80, 24)
	out := registry.NewOutput(1000, 8<<10)
	reg.outputs[1000000] = out
	for i := range 30 {
		fmt.Fprintf(out, "plain %d\n", i)
	}
	writeRed(out, "FAIL red line")
	fmt.Fprintf(out, "plain after\n")
	long := strings.Repeat("r", 200)
	writeRed(out, long)
	for i := range 3 {
		fmt.Fprintf(out, "tail %d\n", i)
	}
	// Row by row back until the red lines and the plain lines around them
	// show (the pane is 14 rows here).
	for i := 0; !strings.Contains(ansi.Strip(strings.Join(m.pane, "\n")), "plain 29"); i++ {
		if i == 20 {
			t.Fatalf("never scrolled back to the red lines: %q", m.pane)
		}
		update(m, tea.KeyPressMsg{Code: tea.KeyUp, Mod: tea.ModShift})
	}
	row := func(sub string) (int, string) {
		for i, r := range m.pane {
			if strings.Contains(ansi.Strip(r), sub) {
				return i, r
			}
		}
		t.Fatalf("no row with %q in %q", sub, m.pane)
		return 0, ""
	}
	_, red := row("FAIL red line")
	if red != redSGR+"FAIL red line\x1b[m" {
		t.Errorf("the red line's row is %q", red)
	}
	if _, r := row("plain after"); r != "plain after" {
		t.Errorf("the plain line below it is %q", r)
	}
	if _, r := row("plain 29"); r != "plain 29" {
		t.Errorf("the plain line above it is %q", r)
	}
	view := m.Render()
	if !strings.Contains(view, "31mFAIL red line") {
		t.Errorf("the view does not draw the line red:\n%q", view)
	}
	if k := strings.Index(view, "plain after"); k < 0 || strings.LastIndex(view[:k], "\x1b[m") < strings.LastIndex(view[:k], "31m") {
		t.Errorf("the red line's colour is not reset before the next line")
	}

	// The long red line: 3 rows at 80 columns, each red and closed.
	var rows []string
	for _, r := range m.pane {
		if strings.Contains(ansi.Strip(r), "rrrr") {
			rows = append(rows, r)
		}
	}
	if len(rows) != 3 {
		t.Fatalf("the 200-character red line shows in %d rows: %q", len(rows), rows)
	}
	for _, r := range rows {
		if !strings.HasPrefix(r, redSGR) || !strings.HasSuffix(r, "\x1b[m") || ansi.StringWidth(r) > 80 {
			t.Errorf("a row of the long red line: %q", r)
		}
	}
	if got, want := len(wrapRows(out.StyledLines(32, 1)[0], 80)), len(wrapRows(long, 80)); got != want {
		t.Errorf("the styled line wraps into %d rows, the plain one %d", got, want)
	}

	// A search marks its matches by byte ranges of the plain lines: it
	// shows the plain lines, the red one too.
	do(m, ctrl('f'))
	typeIn(m, "red")
	joined := strings.Join(m.pane, "\n")
	if !strings.Contains(ansi.Strip(joined), "FAIL red line") {
		t.Fatalf("the search does not show the line:\n%s", ansi.Strip(joined))
	}
	if strings.Contains(joined, redSGR) {
		t.Errorf("the search shows the child's colours over its matches: %q", joined)
	}
}
