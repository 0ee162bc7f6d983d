package e2e

import (
	"strings"
	"testing"
)

// panePart returns the rows of the pane in a capture, from below its title
// line ("── …") to above the status line; false when the capture holds no
// whole frame (tmux may capture while a frame is being drawn).
func panePart(s string) ([]string, bool) {
	lines := strings.Split(s, "\n")
	first, last := -1, -1
	for i, l := range lines {
		if strings.HasPrefix(l, "── ") {
			first = i + 1
		}
	}
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], "n new run") {
			last = i - 1 // the status line is above the help line
			break
		}
	}
	if first < 0 || last < first {
		return nil, false
	}
	return lines[first:last], true
}

// paneLines is panePart for a capture that must hold a whole frame.
func paneLines(t *testing.T, s string) []string {
	t.Helper()
	pane, ok := panePart(s)
	if !ok {
		t.Fatalf("pane not found:\n%s", s)
	}
	return pane
}

// Issue 10 item 8: a window title holding 0x9C inside a UTF-8 character
// ("✳ Claude Code", ✳ = E2 9C B3) must not spill its rest on the screen:
// the first row the child draws reads as it drew it.
func TestTitleWithStarLeavesTheFirstRowIntact(t *testing.T) {
	tm := startCorral(t, 100, 30, `sh -c 'printf "\033]0;✳ Claude Code\007"; printf " * Welcome to the logo row\n"; printf "\033]0;✻ Working\007second row\n"; sleep 300'`)
	s := tm.waitText("second row")
	pane := paneLines(t, s)
	if len(pane) < 2 || strings.TrimRight(pane[0], " ") != " * Welcome to the logo row" ||
		strings.TrimRight(pane[1], " ") != "second row" {
		t.Fatalf("first rows of the pane %q; screen:\n%s", pane[:min(2, len(pane))], s)
	}
	// A title is never drawn among the child's rows; it may be the run's
	// detail in the pane's title line (issue 14), cleaned.
	if rows := strings.Join(pane, "\n"); strings.Contains(rows, "Claude Code") || strings.Contains(rows, "Working") {
		t.Fatalf("a title reached the child's rows:\n%s", s)
	}
}

// Issue 10 item 7: when the window shrinks, the pane keeps the newest lines
// and the child's cursor line, never the stale top.
func TestShrinkingWindowKeepsTheNewestLines(t *testing.T) {
	tm := startCorral(t, 160, 45, `sh -c 'i=0; while [ $i -lt 80 ]; do i=$((i+1)); echo "line $i"; done; printf "the newest"; sleep 300'`)
	tm.waitText("the newest")
	tm.tmux("resize-window", "-t", "s", "-x", "40", "-y", "16")
	tm.waitFor("a frame at 40x16", func(s string) bool {
		return len(strings.Split(strings.TrimRight(s, "\n"), "\n")) <= 16 && strings.Contains(s, "n new run")
	})
	s := tm.waitFor("the newest lines in the pane", func(s string) bool {
		pane, ok := panePart(s)
		if !ok {
			return false // a frame half drawn: capture again
		}
		var rows []string
		for _, l := range pane {
			if l = strings.TrimRight(l, " "); l != "" {
				rows = append(rows, l)
			}
		}
		return len(rows) >= 2 && rows[len(rows)-1] == "the newest" && rows[len(rows)-2] == "line 80"
	})
	if strings.Contains(s, "line 1\n") || strings.Contains(s, "line 2\n") {
		t.Fatalf("stale rows in the pane:\n%s", s)
	}
}
