package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"corral/registry"

	"github.com/charmbracelet/x/ansi"
)

// The table of runs made to fit 80 columns: ids shortened to the last
// digits that tell the runs apart, columns nobody fills left out, and the
// selected row keeping its status colour.

// minIDDigits is the fewest last digits a shortened id keeps.
const minIDDigits = 3

// idDigits is how many last digits of the run ids tell every run apart
// (at least minIDDigits); 0 when the ids are shown whole.
func (m *Model) idDigits() int {
	longest := 0
	for _, r := range m.runs {
		longest = max(longest, len(strconv.FormatInt(r.RunID, 10)))
	}
	for n := minIDDigits; n < longest; n++ {
		seen := make(map[string]bool, len(m.runs))
		unique := true
		for _, r := range m.runs {
			s := idTail(r.RunID, n)
			if seen[s] {
				unique = false
				break
			}
			seen[s] = true
		}
		// The ellipsis takes a cell: shortening by one digit gains nothing.
		if unique && n+1 < longest {
			return n
		}
	}
	return 0
}

// idTail is the last n digits of an id.
func idTail(id int64, n int) string {
	s := strconv.FormatInt(id, 10)
	return s[max(len(s)-n, 0):]
}

// tableColumns are the table's columns fitted to the width: those some run
// fills, with whole ids when all of them fit, else with short ones.
func (m *Model) tableColumns() []runColumn {
	cols := m.dropEmpty(m.columns())
	w := 0
	for _, c := range cols {
		w += c.min + 1
	}
	if w > m.width {
		for i, c := range cols {
			if c.title == "ID" {
				cols[i] = m.idColumn(true)
			}
		}
	}
	return fitColumns(cols, m.width)
}

// idColumn is the ID column: whole ids, or with short their last digits
// after "…" when that tells them apart (the pane's title has the whole id
// of the selected run).
func (m *Model) idColumn(short bool) runColumn {
	n := 0
	if short {
		n = m.idDigits()
	}
	if n == 0 {
		w := 2
		for _, r := range m.runs {
			w = max(w, len(strconv.FormatInt(r.RunID, 10)))
		}
		return runColumn{"ID", w, 0, 2, func(r registry.ProcessInfo, _ time.Time) string { return fmt.Sprint(r.RunID) }}
	}
	return runColumn{"ID", n + 1, 0, 2, func(r registry.ProcessInfo, _ time.Time) string {
		s := strconv.FormatInt(r.RunID, 10)
		if len(s) <= n {
			return s
		}
		return "…" + idTail(r.RunID, n)
	}}
}

// optionalColumns are the columns left out when no run has a value in them.
var optionalColumns = map[string]bool{"MODEL": true, "TASK": true, "PROJECT": true, "BRANCH": true, "CHANGE": true}

// dropEmpty leaves out the optional columns that every run leaves empty.
func (m *Model) dropEmpty(cols []runColumn) []runColumn {
	now := m.now()
	var out []runColumn
	for _, c := range cols {
		if optionalColumns[c.title] && len(m.runs) > 0 {
			empty := true
			for _, r := range m.runs {
				if strings.TrimSpace(c.value(r, now)) != "" {
					empty = false
					break
				}
			}
			if empty {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// selectedRow renders the selected run's row on the selection's colours,
// its STATUS and STATE cells keeping their own colours.
func (m *Model) selectedRow(r registry.ProcessInfo, cols []runColumn, now time.Time) string {
	sel := m.theme.Selected
	var b strings.Builder
	for _, c := range cols {
		v := cell(c.value(r, now), c.min)
		switch c.title {
		case "STATUS":
			v = m.statusStyle(r.Status).Inherit(sel).Render(v)
		case "STATE":
			v = m.stateStyle(r.Activity.State).Inherit(sel).Render(v)
		default:
			v = sel.Render(v)
		}
		b.WriteString(v + sel.Render(" "))
	}
	row := b.String()
	return row + sel.Render(strings.Repeat(" ", max(m.width-ansi.StringWidth(row), 0)))
}

// shownCount is "9 of 25" while the filter hides runs, else "".
func (m *Model) shownCount() string {
	if strings.TrimSpace(m.filter.Value()) == "" {
		return ""
	}
	return fmt.Sprintf("%d of %d", len(m.visibleRuns()), len(m.runs))
}

// keepInView is the first row to show of a list of n rows scrolled to top
// in a window height rows high, so that row sel shows: top moves as little
// as it can, and no further than the last full window, so that no room is
// left empty below the list. A negative sel (no selection) only keeps top
// in range.
func keepInView(sel, top, height, n int) int {
	if sel >= 0 {
		top = min(top, sel)
		if sel >= top+height {
			top = sel - height + 1
		}
	}
	return max(min(top, n-height), 0)
}
