package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"corral/registry"

	"charm.land/lipgloss/v2"
)

// stateLook is how the table writes an activity state: a symbol before its
// word, and whether the time spent in it follows ("▲ needs you 12s").
type stateLook struct {
	symbol   string
	showTime bool
}

// stateLooks holds a look for every state but StateNone, which shows
// nothing. A failed turn and a busy command say nothing of how long: the
// first is read as an event, the second changes every few seconds.
var stateLooks = map[registry.State]stateLook{
	registry.StateStarting: {"◌", true},
	registry.StateWorking:  {"●", true},
	registry.StateNeedsYou: {"▲", true},
	registry.StateIdle:     {"○", true},
	registry.StateError:    {"✗", false},
	registry.StateEnding:   {"◌", false},
	registry.StateActive:   {"●", false},
	registry.StateQuiet:    {"·", true},
}

// stateShown reports whether the table shows r's activity state: a live run
// in a known state. An ended run shows how it ended instead.
func stateShown(r registry.ProcessInfo) bool {
	_, ok := stateLooks[r.Activity.State]
	return ok && r.Status.Live()
}

// stateText is the STATE cell: symbol, word and time in the state, or ""
// when stateShown is false.
func stateText(r registry.ProcessInfo, now time.Time) string {
	if !stateShown(r) {
		return ""
	}
	a := r.Activity
	look := stateLooks[a.State]
	s := look.symbol + " " + a.State.String()
	if look.showTime && !a.Since.IsZero() {
		s += " " + shortDuration(now.Sub(a.Since))
	}
	return s
}

// stateWidth is the widest STATE cell the state can have: its time at most
// three cells ("59m", "23h").
func stateWidth(s registry.State) int {
	look, ok := stateLooks[s]
	if !ok {
		return 0
	}
	w := utf8.RuneCountInString(look.symbol) + 1 + len(s.String())
	if look.showTime {
		w += 4
	}
	return w
}

// stateColumnWidth is the STATE column's width: enough for every state of
// the kinds of run the table has (an agent's, widest "▲ needs you 59m"; a
// command's, "· quiet 59m"), so that the column does not shift as states
// come and go; 0 when no run is in a known state, and the table then has
// no STATE column at all.
func (m *Model) stateColumnWidth() int {
	w := 0
	for _, r := range m.runs {
		if !stateShown(r) {
			continue
		}
		command := isCommandState(r.Activity.State)
		for s := range stateLooks {
			if isCommandState(s) == command {
				w = max(w, stateWidth(s), len("STATE"))
			}
		}
	}
	return w
}

// isCommandState reports whether a state is one of a plain command's.
func isCommandState(s registry.State) bool {
	return s == registry.StateActive || s == registry.StateQuiet
}

// stateStyle is the colour of a state: attention for needs you, failed for
// an error, working, idle, running for a busy command, subtle for the rest.
func (m *Model) stateStyle(s registry.State) lipgloss.Style {
	switch s {
	case registry.StateNeedsYou:
		return m.theme.Attention
	case registry.StateWorking:
		return m.theme.Working
	case registry.StateIdle:
		return m.theme.Idle
	case registry.StateError:
		return m.theme.Failed
	case registry.StateActive:
		return m.theme.Running
	}
	return m.theme.Subtle
}

// stateCounts are the parts of the header that count live runs by state:
// "2 need you · 3 working · 1 idle", only those that are not zero.
func (m *Model) stateCounts() []string {
	counts := map[registry.State]int{}
	for _, r := range m.runs {
		if r.Status.Live() {
			counts[r.Activity.State]++
		}
	}
	var parts []string
	for _, c := range []struct {
		s         registry.State
		one, many string
	}{
		{registry.StateNeedsYou, "needs you", "need you"},
		{registry.StateWorking, "working", "working"},
		{registry.StateIdle, "idle", "idle"},
		{registry.StateError, "error", "errors"},
	} {
		if n := counts[c.s]; n > 0 {
			parts = append(parts, m.stateStyle(c.s).Render(fmt.Sprintf("%d %s", n, noun(n, c.one, c.many))))
		}
	}
	return parts
}

// attentionRank orders runs by how much they ask for the person: 0 needs
// you, 1 idle at its prompt or failed, 2 anything else (ended runs too).
func attentionRank(r registry.ProcessInfo) int {
	if !r.Status.Live() {
		return 2
	}
	switch s := r.Activity.State; {
	case s == registry.StateNeedsYou:
		return 0
	case s.Attention():
		return 1
	}
	return 2
}

// attentionOrder returns runs (in id order) with those that need the person
// first, then the idle and failed ones, then the rest, by id within each.
func attentionOrder(runs []registry.ProcessInfo) []registry.ProcessInfo {
	out := append([]registry.ProcessInfo(nil), runs...)
	sort.SliceStable(out, func(i, j int) bool { return attentionRank(out[i]) < attentionRank(out[j]) })
	return out
}

// nextWaiting returns the run the attention key goes to: the next one in
// table order after the selection, cycling, that needs the person; if none
// does, the next idle or failed one. The selection itself comes last.
func (m *Model) nextWaiting() (registry.ProcessInfo, bool) {
	rows := m.visibleRuns()
	start := m.rowOf(rows) // -1: from the top
	for rank := 0; rank <= 1; rank++ {
		for k := 1; k <= len(rows); k++ {
			r := rows[((start+k)%len(rows)+len(rows))%len(rows)]
			if attentionRank(r) == rank {
				return r, true
			}
		}
	}
	return registry.ProcessInfo{}, false
}

// jumpToWaiting selects the next run that waits for the person.
func (m *Model) jumpToWaiting() {
	r, ok := m.nextWaiting()
	if !ok {
		m.setStatus("no run needs you, and none is idle or failed")
		return
	}
	m.selectRun(r.RunID)
}

// anyWaiting reports whether the attention key has somewhere to go.
func (m *Model) anyWaiting() bool {
	for _, r := range m.visibleRuns() {
		if attentionRank(r) < 2 {
			return true
		}
	}
	return false
}

// stateTitle is the pane title's part about the activity: the state and
// its detail, "needs you: permission: Bash `rm -rf build`"; "" when the
// table shows no state for the run.
func stateTitle(r registry.ProcessInfo) string {
	if !stateShown(r) {
		return ""
	}
	s := r.Activity.State.String()
	if d := cleanText(r.Activity.Detail); d != "" {
		s += ": " + d
	}
	return s
}

// cleanText makes a detail safe to draw and to send in a notification: one
// line, no control characters (C0, DEL, C1), so that a child's text can
// carry no escape sequence to the outer terminal.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == utf8.RuneError:
			return -1
		}
		return r
	}, s)
	return oneLine(s)
}

// shortDuration writes a duration as the table does: 12s, 4m, 3h, 2d.
func shortDuration(d time.Duration) string {
	d = max(d, 0)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
