package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"corral/search"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
)

// ctrl is the key ctrl+<r>.
func ctrl(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl} }

// newTakeModel is newTestModel whose status messages do not expire (no
// tick to wait for) and whose first run wrote 60 lines, "FAIL" on lines
// 10, 30 and 50 (1-based 11, 31, 51).
func newTakeModel(t *testing.T) (*Model, *fakeReg, *fakeLauncher) {
	t.Helper()
	m, reg, l := newTestModel(t, 80, 24)
	m.statusTTL = 0
	out := reg.outputs[1000000]
	for i := range 60 {
		if i%20 == 10 {
			fmt.Fprintf(out, "line %d: FAIL auth.go\tat step %d\n", i, i)
		} else {
			fmt.Fprintf(out, "line %d: ok\n", i)
		}
	}
	return m, reg, l
}

// do feeds a message and the messages of the commands it returns, as the
// program would, until none come.
func do(m *Model, msg tea.Msg) { settle(m, update(m, msg)) }

// typeIn types text, one key at a time, each key's commands run.
func typeIn(m *Model, text string) {
	for _, r := range text {
		do(m, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func TestSearchHighlightsAndStepsThroughMatches(t *testing.T) {
	m, _, _ := newTakeModel(t)
	do(m, ctrl('f'))
	if m.mode != modeFind {
		t.Fatalf("ctrl+f: mode %v", m.mode)
	}
	typeIn(m, "fail")
	// Smart case: "fail" finds FAIL; the newest match is current and in
	// sight, highlighted as such, the others as matches.
	if s := m.findStatus(); !strings.Contains(stripANSI(s), "3 of 3") {
		t.Fatalf("status %q, want 3 of 3", stripANSI(s))
	}
	golden.RequireEqual(t, screenText(m))
	view := m.Render()
	if !strings.Contains(view, m.theme.CurrentMatch.Render("FAIL")) {
		t.Fatalf("the current match is not highlighted:\n%q", view)
	}
	if other := m.snapLine(30); !strings.Contains(other, m.theme.Match.Render("FAIL")) {
		t.Fatalf("another match is not highlighted as one: %q", other)
	}
	steps := []struct {
		key  tea.KeyPressMsg
		want string
		line string
	}{
		{keyMsg("up"), "2 of 3", "line 30: FAIL"},
		{keyMsg("enter"), "1 of 3", "line 10: FAIL"},
		{keyMsg("enter"), "3 of 3", "line 50: FAIL"}, // round to the newest
		{keyMsg("down"), "1 of 3", "line 10: FAIL"},  // and from the newest to the oldest
	}
	for _, st := range steps {
		do(m, st.key)
		if s := stripANSI(m.findStatus()); !strings.Contains(s, st.want) {
			t.Fatalf("after %s: status %q, want %q", st.key, s, st.want)
		}
		if cur := m.find.matches[m.find.cur]; !strings.HasPrefix(m.snap.lines[cur.Line], st.line) {
			t.Fatalf("after %s: current match on %q", st.key, m.snap.lines[cur.Line])
		}
		if !strings.Contains(screenText(m), st.line) {
			t.Fatalf("after %s: %q out of sight:\n%s", st.key, st.line, screenText(m))
		}
	}
	// Esc ends the search: live output again.
	do(m, keyMsg("esc"))
	if m.mode != modeNormal || m.snap.on || m.scroll != 0 {
		t.Fatalf("esc: mode %v, snapshot %v, scroll %d", m.mode, m.snap.on, m.scroll)
	}
	if !strings.Contains(screenText(m), "$ screen of run 1000000") {
		t.Fatalf("esc did not return to the live screen:\n%s", screenText(m))
	}
}

func TestSearchCaseRegexAndBadPattern(t *testing.T) {
	m, reg, _ := newTakeModel(t)
	fmt.Fprintln(reg.outputs[1000000], "a fail in lower case")
	do(m, ctrl('f'))
	typeIn(m, "fail")
	if n := len(m.find.matches); n != 4 {
		t.Fatalf("fail (no capital) found %d lines, want 4", n)
	}
	do(m, keyMsg("backspace"))
	do(m, keyMsg("backspace"))
	do(m, keyMsg("backspace"))
	do(m, keyMsg("backspace"))
	typeIn(m, "FAIL")
	if n := len(m.find.matches); n != 3 {
		t.Fatalf("FAIL (a capital) found %d lines, want 3", n)
	}
	// A regex: ctrl+r, then a pattern that does not parse says why and
	// keeps the last matches; fixing it searches again.
	do(m, ctrl('r'))
	typeIn(m, "|line 1[0-9]: o(k")
	status := stripANSI(m.findStatus())
	if !strings.Contains(status, "bad pattern: missing closing )") || !strings.Contains(status, "find regex:") {
		t.Fatalf("bad pattern: status %q", status)
	}
	if !strings.Contains(stripANSI(m.Render()), "bad pattern") {
		t.Fatalf("the error is not on screen:\n%s", screenText(m))
	}
	typeIn(m, ")")
	if m.find.err != "" {
		t.Fatalf("fixed pattern: %s", m.find.err)
	}
	// FAIL|line 1[0-9]: o(k): lines 10–19 but 10 (a FAIL line) are ok, and
	// the three FAIL lines; no capital-free fold (FAIL has capitals).
	if n := len(m.find.matches); n != 12 {
		t.Fatalf("regex found %d lines, want 12", n)
	}
}

// A search is a command; a newer query cancels an older one, whose result,
// if it comes at all, is dropped.
func TestPaneSearchNewerQueryWins(t *testing.T) {
	m, _, _ := newTakeModel(t)
	do(m, ctrl('f'))
	older := update(m, keyMsg("o")) // "o": every line
	newer := update(m, keyMsg("k")) // "ok": the 57 without FAIL
	settle(m, newer)
	if n := len(m.find.matches); n != 57 {
		t.Fatalf("ok: %d matches, want 57", n)
	}
	settle(m, older)
	if n := len(m.find.matches); n != 57 || m.find.shown.String() != "ok" {
		t.Fatalf("the older query's result replaced the newer's: %d matches of %q", n, m.find.shown)
	}
}

func TestSearchFollowsOutputThatArrives(t *testing.T) {
	m, reg, _ := newTakeModel(t)
	do(m, ctrl('f'))
	typeIn(m, "FAIL")
	do(m, keyMsg("up")) // 2 of 3
	fmt.Fprintln(reg.outputs[1000000], "line 60: FAIL again")
	do(m, outputMsg{id: 1000000})
	if s := stripANSI(m.findStatus()); !strings.Contains(s, "2 of 4") {
		t.Fatalf("after output: %q, want 2 of 4 (the same match current)", s)
	}
}

func TestSearchAllNewerQueryWinsAndCancelsTheOlder(t *testing.T) {
	m, reg, _ := newTakeModel(t)
	fmt.Fprintln(reg.outputs[1000003], "--- FAIL: TestAuth (0.01s)")
	do(m, keyMsg("F"))
	if m.mode != modeFindAll {
		t.Fatalf("F: mode %v", m.mode)
	}
	older := update(m, keyMsg("F"))
	newer := update(m, keyMsg("A"))
	msgs := run(older)
	var got *foundAllMsg
	for _, msg := range msgs {
		if f, ok := msg.(foundAllMsg); ok {
			got = &f
		}
	}
	if got == nil || !errors.Is(got.err, context.Canceled) {
		t.Fatalf("the older search was not cancelled: %+v", got)
	}
	settle(m, newer)
	update(m, *got) // late: dropped
	hits := m.findAll.res.Hits
	if len(hits) != 4 || m.findAll.query.String() != "FA" {
		t.Fatalf("hits of %q: %+v", m.findAll.query, hits)
	}
	// Newest first: run 1000003 started after 1000000.
	if hits[0].RunID != 1000003 || hits[1].RunID != 1000000 || hits[1].Line != 50 {
		t.Fatalf("order: %+v", hits)
	}
	golden.RequireEqual(t, screenText(m))
}

func TestSearchAllListsMore(t *testing.T) {
	m, reg, _ := newTakeModel(t)
	for i := range findAllLimit + 10 {
		fmt.Fprintf(reg.outputs[1000002], "needle %d\n", i)
	}
	do(m, keyMsg("F"))
	typeIn(m, "needle")
	if !m.findAll.res.More || len(m.findAll.res.Hits) != findAllLimit {
		t.Fatalf("more: %v, %d hits", m.findAll.res.More, len(m.findAll.res.Hits))
	}
	if !strings.Contains(screenText(m), "more…") {
		t.Fatalf("no more… on screen:\n%s", screenText(m))
	}
}

func TestSearchAllEnterOpensTheRunAtTheLine(t *testing.T) {
	m, _, _ := newTakeModel(t)
	do(m, keyMsg("F"))
	typeIn(m, "FAIL")
	do(m, keyMsg("down")) // the second newest: line 30 of run 1000000
	do(m, keyMsg("enter"))
	if m.mode != modeFind || m.selected != 1000000 {
		t.Fatalf("enter: mode %v, run %d", m.mode, m.selected)
	}
	if s := stripANSI(m.findStatus()); !strings.Contains(s, "2 of 3") || !strings.Contains(s, "FAIL") {
		t.Fatalf("status %q, want the query and 2 of 3", s)
	}
	if !strings.Contains(m.Render(), m.theme.CurrentMatch.Render("FAIL")) ||
		!strings.Contains(lineWith(screenText(m), "line 30:"), "FAIL") {
		t.Fatalf("line 30 not shown as the current match:\n%s", screenText(m))
	}
}

func TestSearchAllFindsPastRunsAndOpensTheirLog(t *testing.T) {
	m, hist, _ := newHistoryModel(t, 80, 24, Options{})
	m.statusTTL = 0
	do(m, keyMsg("F"))
	typeIn(m, "left-pad")
	hits := m.findAll.res.Hits
	if len(hits) != 1 || hits[0].RunID != 1000011 || hits[0].Line != 2 {
		t.Fatalf("hits %+v (logs read: %v)", hits, hist.logCalls)
	}
	if !strings.Contains(screenText(m), "1000011 build (past)") {
		t.Fatalf("the past run is not listed:\n%s", screenText(m))
	}
	do(m, keyMsg("enter"))
	if m.mode != modeHistory || m.past.logRun != 1000011 || !m.past.logLoaded {
		t.Fatalf("enter: mode %v, log of %d (loaded %v)", m.mode, m.past.logRun, m.past.logLoaded)
	}
	if !strings.Contains(screenText(m), "cannot find module 'left-pad'") {
		t.Fatalf("the line is not in sight:\n%s", screenText(m))
	}
}

func TestSearchAllSearchesNoPastRunWithoutHistory(t *testing.T) {
	m, _, _ := newTakeModel(t)
	do(m, keyMsg("F"))
	typeIn(m, "zzz")
	if len(m.findAll.res.Hits) != 0 || !strings.Contains(screenText(m), "no run's output matches") {
		t.Fatalf("%+v\n%s", m.findAll.res, screenText(m))
	}
	do(m, keyMsg("esc"))
	if m.mode != modeNormal {
		t.Fatalf("esc: mode %v", m.mode)
	}
}

var _ search.Reader = liveSource{}

func TestWheelScrollsTheSearchedHistory(t *testing.T) {
	m, _, _ := newTakeModel(t)
	do(m, ctrl('f'))
	typeIn(m, "FAIL")
	end := m.snap.end
	do(m, tea.MouseWheelMsg{Button: tea.MouseWheelUp, Y: m.layout.paneY + 1})
	if m.snap.end != end-3 || m.scroll != 0 {
		t.Fatalf("wheel up: end %d (was %d), scroll %d", m.snap.end, end, m.scroll)
	}
	if !strings.Contains(screenText(m), "3 lines up") {
		t.Fatalf("no position marker:\n%s", screenText(m))
	}
}

func TestSearchAllScrollsAPastRunsLogToTheLine(t *testing.T) {
	m, hist, _ := newHistoryModel(t, 80, 24, Options{})
	m.statusTTL = 0
	var log []string
	for i := range 200 {
		log = append(log, fmt.Sprintf("log line %d", i))
	}
	log[40] = "log line 40: the needle"
	hist.logs[1000012] = log
	do(m, keyMsg("F"))
	typeIn(m, "needle")
	do(m, keyMsg("enter"))
	if m.past.logRun != 1000012 || m.past.scroll == 0 {
		t.Fatalf("log of %d, scroll %d", m.past.logRun, m.past.scroll)
	}
	if !strings.Contains(screenText(m), "log line 40: the needle") {
		t.Fatalf("the line is not in sight:\n%s", screenText(m))
	}
}
