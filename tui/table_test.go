package tui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
)

// At 80 columns ids are cut to the last digits that tell the runs apart,
// the pane's title keeps the whole id, and a column no run fills is left
// out, giving TASK its room; at 120 the ids are whole.
func TestTableFitsEightyColumns(t *testing.T) {
	m, _, _ := newTestModel(t, 80, 24)
	s := screenText(m)
	if row := lineWith(s, "claude-run"); !strings.HasPrefix(row, "…001 ") {
		t.Fatalf("short id: %q", row)
	}
	if !strings.Contains(s, "── 1000000 claude") {
		t.Fatalf("the pane title lost the whole id:\n%s", s)
	}
	if row := lineWith(s, "claude-run"); !strings.Contains(row, "fix the flaky test") {
		t.Fatalf("TASK too narrow: %q", row)
	}
	m, _, _ = newTestModel(t, 120, 40)
	if row := lineWith(screenText(m), "claude-run"); !strings.HasPrefix(row, "1000001 ") {
		t.Fatalf("120 columns: %q", row)
	}

	// No run has a model: no MODEL column.
	var runs []registry.ProcessInfo
	for _, r := range sampleRuns() {
		r.Model = ""
		runs = append(runs, r)
	}
	m = New(newFakeReg(runs...), newFakeLauncher(), Options{Keys: DefaultKeyMap(), Theme: plainTheme(),
		Now: func() time.Time { return epoch }})
	update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if hdr := lineWith(screenText(m), "STATUS"); strings.Contains(hdr, "MODEL") {
		t.Fatalf("an empty MODEL column: %q", hdr)
	}
}

// Ids shorten only as far as they stay apart.
func TestIDDigits(t *testing.T) {
	for _, c := range []struct {
		ids  []int64
		want int
	}{
		{[]int64{1000000, 1000001}, 3},
		{[]int64{1004417, 1014417}, 5},
		{[]int64{1234567, 2234567}, 0}, // 7 digits to tell apart: whole
		{[]int64{12, 13}, 0},           // short already
	} {
		m := &Model{}
		for _, id := range c.ids {
			m.runs = append(m.runs, registry.ProcessInfo{RunID: id})
		}
		if got := m.idDigits(); got != c.want {
			t.Errorf("%v: %d digits, want %d", c.ids, got, c.want)
		}
	}
}

// The selected row is drawn on the selection's colours, but its STATUS
// keeps the colour of the status.
func TestSelectedRowKeepsItsStatusColour(t *testing.T) {
	m, _, _ := newTestModel(t, 80, 24)
	press(m, "down", "down", "down") // 1000003, failed: red (1)
	row := ""
	for _, l := range strings.Split(m.Render(), "\n") {
		if strings.Contains(stripANSI(l), "failed 1") {
			row = l
			break
		}
	}
	if !regexp.MustCompile("\x1b\\[([0-9]+;)*31(;[0-9]+)*m[^\x1b]*failed 1").MatchString(row) {
		t.Fatalf("the selected failed row's status is not red: %q", row)
	}
	if !regexp.MustCompile("\x1b\\[([0-9]+;)*45(;[0-9]+)*m[^\x1b]*failed 1").MatchString(row) {
		t.Fatalf("the selected row is not on the selection's colour: %q", row)
	}
}

func TestCleanupOfNothing(t *testing.T) {
	m, _, _ := newTestModel(t, 80, 24)
	update(m, cleanedMsg{})
	if m.status != "nothing to clean up" {
		t.Fatalf("status %q", m.status)
	}
}

func TestKeepInView(t *testing.T) {
	for _, c := range []struct {
		name                string
		sel, top, height, n int
		want                int
	}{
		{"empty list", -1, 3, 5, 0, 0},
		{"empty list, no height", -1, 0, 1, 0, 0},
		{"no selection keeps top", -1, 2, 3, 10, 2},
		{"no selection, top past the end", -1, 9, 3, 10, 7},
		{"selection in the window", 4, 2, 5, 10, 2},
		{"selection above the window", 1, 5, 3, 10, 1},
		{"selection below the window", 8, 0, 3, 10, 6},
		{"selection at the window's last row", 4, 2, 3, 10, 2},
		{"selection just below", 5, 2, 3, 10, 3},
		{"last row selected", 9, 0, 4, 10, 6},
		{"height larger than n", 3, 2, 20, 5, 0},
		{"height equal to n", 4, 1, 5, 5, 0},
		{"top past the end shrinks to the last window", 6, 8, 3, 7, 4},
	} {
		if got := keepInView(c.sel, c.top, c.height, c.n); got != c.want {
			t.Errorf("%s: keepInView(%d, %d, %d, %d) = %d, want %d", c.name, c.sel, c.top, c.height, c.n, got, c.want)
		}
	}
}
