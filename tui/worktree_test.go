package tui

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// fakeWS is a Workspaces over worktrees the tests set: it records what the
// interface asks, and never runs git.
type fakeWS struct {
	mu        sync.Mutex
	repos     map[string]string // directory → repository; absent: none
	wts       map[int64]Worktree
	measured  []int64 // RefreshWorktree's runs, in order
	diffs     int     // Diff's calls
	next      map[int64]Worktree
	diff      string
	losses    map[int64]string
	lossAsked []string
	removed   []string // "id force=… branch=…"
	repoAsked []string
	removeErr error
}

func newFakeWS() *fakeWS {
	return &fakeWS{repos: map[string]string{"": "/src/app", "/src/app": "/src/app"}, wts: map[int64]Worktree{},
		next: map[int64]Worktree{}, losses: map[int64]string{}}
}

func (f *fakeWS) Repository(dir string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.repoAsked = append(f.repoAsked, dir)
	if r, ok := f.repos[dir]; ok {
		return r, nil
	}
	return "", errors.New("not a git repository")
}

func (f *fakeWS) Worktree(id int64) (Worktree, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, ok := f.wts[id]
	return w, ok
}

func (f *fakeWS) RefreshWorktree(id int64) (Worktree, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.measured = append(f.measured, id)
	if w, ok := f.next[id]; ok {
		f.wts[id] = w
	}
	w, ok := f.wts[id]
	if !ok {
		return w, errors.New("no worktree")
	}
	return w, nil
}

// Diff returns the diff set, and measures as RefreshWorktree does, as
// the launcher's does from the same git pass.
func (f *fakeWS) Diff(id int64) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.diffs++
	if w, ok := f.next[id]; ok {
		f.wts[id] = w
	}
	return f.diff, nil
}

func (f *fakeWS) WorktreeLoss(id int64, deleteBranch bool) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lossAsked = append(f.lossAsked, fmt.Sprintf("%d branch=%v", id, deleteBranch))
	return f.losses[id], nil
}

func (f *fakeWS) RemoveWorktree(id int64, force, deleteBranch bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.removeErr != nil {
		return f.removeErr
	}
	if f.losses[id] != "" && !force {
		return fmt.Errorf("run %d: would lose %s", id, f.losses[id])
	}
	f.removed = append(f.removed, fmt.Sprintf("%d force=%v branch=%v", id, force, deleteBranch))
	delete(f.wts, id)
	return nil
}

func (f *fakeWS) measuredCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.measured)
}

// newWTModel is newTestModel with worktrees: run 1000000 (running) and
// run 1000003 (failed) each have one.
func newWTModel(t *testing.T, w, h int) (*Model, *fakeReg, *fakeLauncher, *fakeWS) {
	t.Helper()
	reg := newFakeReg(sampleRuns()...)
	l := newFakeLauncher()
	for _, r := range reg.runs {
		if r.HasHandle {
			l.screens[r.RunID] = &fakeScreen{text: fmt.Sprintf("$ screen of run %d\nsecond line", r.RunID)}
		}
	}
	ws := newFakeWS()
	ws.wts[1000000] = Worktree{Path: "/state/worktrees/app-1000000", Branch: "corral/claude-1000000", Base: "main",
		Repo: "/src/app", Files: 3, Added: 12, Removed: 4, Dirty: true}
	ws.wts[1000003] = Worktree{Path: "/state/worktrees/app-1000003", Branch: "corral/go-1000003", Base: "main",
		Repo: "/src/app", Files: 1, Added: 1}
	m := New(reg, l, Options{Keys: DefaultKeyMap(), Theme: plainTheme(), Now: func() time.Time { return epoch },
		Dir: "/src/app", Workspaces: ws})
	update(m, tea.WindowSizeMsg{Width: w, Height: h})
	return m, reg, l, ws
}

// selectRunID moves the selection to a run by its id.
func selectRunID(t *testing.T, m *Model, id int64) {
	t.Helper()
	m.selectRun(id)
	if m.selected != id {
		t.Fatalf("selected %d, not %d", m.selected, id)
	}
	m.updateKeyStates()
}

func TestFormOffersAWorktreeOnlyInARepository(t *testing.T) {
	m, _, l, ws := newWTModel(t, 120, 40)
	cmd := press(m, "n")
	if strings.Contains(screenText(m), "Workspace") {
		t.Fatal("the workspace field shows before the repository is known")
	}
	settle(m, cmd) // the check of corral's own directory, off the UI loop
	if got := strings.Join(ws.repoAsked, ","); got != "" {
		t.Fatalf("asked for %q, want corral's directory (\"\")", got)
	}
	scr := screenText(m)
	if !strings.Contains(scr, "Workspace  ‹ this directory › new worktree  repository: /src/app") {
		t.Fatalf("no workspace field in a repository:\n%s", scr)
	}
	if strings.Contains(scr, " Base ") {
		t.Fatalf("a base field for this directory:\n%s", scr)
	}

	// A directory out of any repository: the field goes once typing rests.
	press(m, "tab", "tab") // command, directory
	typeText(m, "/tmp/plain")
	// Each key put the check off: only the tick of the last one checks.
	if cmd := update(m, repoCheckMsg{gen: m.form.repoGen - 1}); cmd != nil {
		t.Fatal("the tick of an earlier key checks the directory")
	}
	feed(m, update(m, repoCheckMsg{gen: m.form.repoGen}))
	if got := ws.repoAsked[len(ws.repoAsked)-1]; got != "/tmp/plain" || len(ws.repoAsked) != 2 {
		t.Fatalf("checked %v, want one more check, of /tmp/plain", ws.repoAsked)
	}
	if strings.Contains(screenText(m), "Workspace") {
		t.Fatalf("a workspace field outside a repository:\n%s", screenText(m))
	}
	typeTextAt(m, fieldCommand, "make")
	feed(m, press(m, "enter"))
	if len(l.reqs) != 1 || l.reqs[0].Worktree || l.reqs[0].Dir != "/tmp/plain" {
		t.Fatalf("requests %+v", l.reqs)
	}
}

// typeTextAt types into a field of the form, focusing it first.
func typeTextAt(m *Model, field int, s string) {
	m.form.focus = field
	m.form.focusCmd()
	typeText(m, s)
}

func TestFormLaunchesInANewWorktreeFromABase(t *testing.T) {
	m, _, l, _ := newWTModel(t, 120, 40)
	settle(m, press(m, "n"))
	typeText(m, "sh -c 'echo x >> README'")
	press(m, "tab", "tab") // the directory, then the workspace
	if m.form.focus != fieldWorkspace {
		t.Fatalf("focus on field %d, not the workspace", m.form.focus)
	}
	typeText(m, "x") // the chooser takes no text
	press(m, "right")
	scr := screenText(m)
	if !strings.Contains(scr, "›Workspace  this directory ‹ new worktree ›") || !strings.Contains(scr, " Base ") {
		t.Fatalf("new worktree not chosen, or no base field:\n%s", scr)
	}
	if !strings.Contains(scr, "←/→ on Run/Workspace choose") {
		t.Fatalf("the hint does not say that ←/→ choose the workspace:\n%s", scr)
	}
	press(m, "tab")
	typeText(m, "dev")
	feed(m, press(m, "enter"))
	if len(l.reqs) != 1 || !l.reqs[0].Worktree || l.reqs[0].Base != "dev" || l.reqs[0].Command != "sh -c 'echo x >> README'" {
		t.Fatalf("requests %+v", l.reqs)
	}
	if m.mode != modeNormal {
		t.Fatalf("the form stays after a launch: mode %v", m.mode)
	}

	// Launch's error shows in the form, which stays open.
	settle(m, press(m, "n"))
	typeText(m, "true")
	press(m, "tab", "tab", "right")
	l.err = errors.New("new worktree: the branch corral/true-2002 already exists")
	feed(m, press(m, "enter"))
	if m.mode != modeForm || !strings.Contains(screenText(m), "✗ new worktree: the branch corral/true-2002 already exists") {
		t.Fatalf("the error is not in the form:\n%s", screenText(m))
	}
}

func TestFormPreselectsTheEntrysWorktree(t *testing.T) {
	m, _, l, _ := newWTModel(t, 120, 40)
	l.agents = append(l.agents, Agent{Name: "isolated", Available: true, Worktree: true})
	settle(m, press(m, "n"))
	for m.form.agent().Name != "isolated" {
		press(m, "right")
	}
	if !strings.Contains(screenText(m), "Workspace  this directory ‹ new worktree ›") {
		t.Fatalf("the entry's worktree = true is not preselected:\n%s", screenText(m))
	}
	feed(m, press(m, "enter"))
	if len(l.reqs) != 1 || !l.reqs[0].Worktree || l.reqs[0].Agent != "isolated" || l.reqs[0].Base != "" {
		t.Fatalf("requests %+v", l.reqs)
	}
	// Back on a plain command, the default is this directory.
	settle(m, press(m, "n"))
	typeText(m, "true")
	feed(m, press(m, "enter"))
	if len(l.reqs) != 2 || l.reqs[1].Worktree {
		t.Fatalf("requests %+v", l.reqs)
	}
}

func TestRowShowsBranchAndChange(t *testing.T) {
	m, _, _, _ := newWTModel(t, 120, 40)
	scr := screenText(m)
	hdr := lineWith(scr, "ID ")
	if !strings.Contains(hdr, "BRANCH") || !strings.Contains(hdr, "CHANGE") {
		t.Fatalf("header %q", hdr)
	}
	if row := lineWith(scr, "…000 "); !strings.Contains(row, "corral/claude-1000000") || !strings.Contains(row, "3 files +12 −4 *") {
		t.Fatalf("row %q", row)
	}
	if row := lineWith(scr, "…003 "); !strings.Contains(row, "corral/go-1000003") || !strings.Contains(row, "1 file +1 −0 ") ||
		strings.Contains(row, "*") {
		t.Fatalf("row %q", row)
	}
	if row := lineWith(scr, "…002 "); strings.Contains(row, "file") {
		t.Fatalf("a run without a worktree shows a change: %q", row)
	}
	if title := lineWith(scr, "── 1000000"); !strings.Contains(title, "· corral/claude-1000000 3 files +12 −4 *") {
		t.Fatalf("pane title %q", title)
	}
	// At 80 columns the change stays; the branch is in the pane's title.
	update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	scr = screenText(m)
	if row := lineWith(scr, "…000 "); !strings.Contains(row, "3 files +12 −4 *") {
		t.Fatalf("row at 80 columns %q", row)
	}
	// Without any worktree, neither column.
	m2, _, _ := newTestModel(t, 120, 40)
	if hdr := lineWith(screenText(m2), "ID "); strings.Contains(hdr, "BRANCH") || strings.Contains(hdr, "CHANGE") {
		t.Fatalf("header without worktrees %q", hdr)
	}
	m3, reg3, _, ws3 := newWTModel(t, 120, 40)
	ws3.wts = map[int64]Worktree{}
	_ = reg3
	if hdr := lineWith(screenText(m3), "ID "); strings.Contains(hdr, "BRANCH") || strings.Contains(hdr, "CHANGE") {
		t.Fatalf("header when no run has a worktree %q", hdr)
	}
}

// inState is a run's info in an activity state.
func inState(m *Model, id int64, s registry.State) registry.ProcessInfo {
	for _, r := range m.runs {
		if r.RunID == id {
			r.Activity = registry.Activity{State: s, Since: epoch}
			return r
		}
	}
	panic("no run")
}

func TestWorktreesAreMeasuredOnlyWhileTheirRunWorks(t *testing.T) {
	m, _, _, ws := newWTModel(t, 120, 40)
	feed(m, m.measureWorktrees()) // at start, once each; nobody works
	if got := fmt.Sprint(ws.measured); got != "[1000000 1000003]" || m.wtPoll.ticking {
		t.Fatalf("measured %s at start, ticking %v", got, m.wtPoll.ticking)
	}
	ws.measured = nil
	// Output and frames measure nothing.
	for range 100 {
		update(m, outputMsg{id: 1000000})
		update(m, frameMsg{})
	}
	if ws.measuredCount() != 0 || m.wtPoll.ticking {
		t.Fatalf("measured %v on output", ws.measured)
	}

	// The run starts working: a tick, whose measuring is off the UI loop.
	cmd := update(m, runEventMsg{ev: registry.Event{Kind: registry.EventActivity, RunID: 1000000,
		Info: inState(m, 1000000, registry.StateWorking)}})
	if !m.wtPoll.ticking || ws.measuredCount() != 0 {
		t.Fatalf("working: ticking %v, measured %v", m.wtPoll.ticking, ws.measured)
	}
	_ = cmd
	ws.next[1000000] = Worktree{Path: "/state/worktrees/app-1000000", Branch: "corral/claude-1000000", Files: 4, Added: 20, Removed: 4}
	measure := update(m, wtTickMsg{})
	if ws.measuredCount() != 0 || measure == nil {
		t.Fatal("the tick measured in Update, or not at all")
	}
	if again := update(m, wtTickMsg{}); again != nil && m.wtPoll.measuring && len(run(again)) > 0 {
		// a stray tick while measuring is in flight starts nothing new
		for _, msg := range run(again) {
			if _, ok := msg.(wtMeasuredMsg); ok {
				t.Fatal("a second measuring while one is in flight")
			}
		}
	}
	next := update(m, run(measure)[0])
	if got := fmt.Sprint(ws.measured); got != "[1000000]" || next == nil || !m.wtPoll.ticking {
		t.Fatalf("measured %s; the next tick %v", got, m.wtPoll.ticking)
	}
	if row := lineWith(screenText(m), "…000 "); !strings.Contains(row, "4 files +20 −4") {
		t.Fatalf("row %q after measuring", row)
	}

	// Its turn ends: measured once more, then the tick stops.
	ws.measured = nil
	feed(m, update(m, runEventMsg{ev: registry.Event{Kind: registry.EventActivity, RunID: 1000000,
		Info: inState(m, 1000000, registry.StateIdle)}}))
	if got := fmt.Sprint(ws.measured); got != "[1000000]" {
		t.Fatalf("measured %s when the turn ended", got)
	}
	if cmd := update(m, wtTickMsg{}); cmd != nil || m.wtPoll.ticking {
		t.Fatal("still ticking with nobody working")
	}
	// A quiet run that ends is measured once.
	ws.measured = nil
	ended := inState(m, 1000000, registry.StateIdle)
	ended.Status, ended.EndedAt = registry.StatusExited, epoch
	feed(m, update(m, runEventMsg{ev: registry.Event{Kind: registry.EventExited, RunID: 1000000, Info: ended}}))
	if got := fmt.Sprint(ws.measured); got != "[1000000]" {
		t.Fatalf("measured %s when the run ended", got)
	}
}

const sampleDiff = "\x1b[1mdiff --git a/README b/README\x1b[m\n\x1b[1m--- a/README\x1b[m\n\x1b[1m+++ b/README\x1b[m\n" +
	"\x1b[36m@@ -1 +1,2 @@\x1b[m\n hello\n\x1b[32m+x\x1b[m\n" +
	"\x1b[1mdiff --git a/new.txt b/new.txt\x1b[m\n\x1b[1mnew file mode 100644\x1b[m\n\x1b[32m+a new\tfile \x1b]52;c;aGk=\x07line\x1b[m\n"

func TestDiffViewShowsTheWorktreesDiffAndGoesBack(t *testing.T) {
	m, _, _, ws := newWTModel(t, 120, 40)
	ws.diff = sampleDiff
	cmd := press(m, "d")
	if m.mode != modeDiff || !strings.Contains(screenText(m), "reading the diff…") {
		t.Fatalf("d: mode %v\n%s", m.mode, screenText(m))
	}
	feed(m, cmd)
	scr := screenText(m)
	for _, want := range []string{"diff of run 1000000 · corral/claude-1000000", "file 1 of 2: README", "+x",
		"diff --git a/new.txt b/new.txt", "+a new  file line"} {
		if !strings.Contains(scr, want) {
			t.Fatalf("no %q in the diff view:\n%s", want, scr)
		}
	}
	if strings.Contains(m.Render(), "\x1b]52") || !strings.Contains(m.Render(), "\x1b[32m+x") {
		t.Fatal("an OSC sequence of a file reached the screen, or git's colours did not")
	}
	press(m, "]")
	if m.diff.top != 6 || !strings.Contains(screenText(m), "file 2 of 2: new.txt") {
		t.Fatalf("] went to row %d\n%s", m.diff.top, screenText(m))
	}
	press(m, "[")
	if m.diff.top != 0 {
		t.Fatalf("[ went to row %d", m.diff.top)
	}
	press(m, "d")
	if m.mode != modeNormal || !strings.Contains(screenText(m), "$ screen of run 1000000") {
		t.Fatalf("d did not go back to the run:\n%s", screenText(m))
	}
	feed(m, press(m, "d"))
	press(m, "esc")
	if m.mode != modeNormal {
		t.Fatal("esc did not leave the diff")
	}
	// A run without a worktree has no diff, and says so.
	selectRunID(t, m, 1000002)
	press(m, "d")
	if m.mode != modeNormal || !strings.Contains(m.status, "no worktree") {
		t.Fatalf("d on a run without a worktree: mode %v, status %q", m.mode, m.status)
	}
}

// The diff view asks for the diff only: the workspace measures the row
// from the same git pass, and the view runs no second measure.
func TestDiffViewAsksForOneGitPass(t *testing.T) {
	m, _, _, ws := newWTModel(t, 120, 40)
	ws.diff = sampleDiff
	w := ws.wts[1000000]
	w.Files, w.Added = 4, 20
	ws.next[1000000] = w
	before := ws.measuredCount()
	feed(m, press(m, "d"))
	if ws.diffs != 1 || ws.measuredCount() != before {
		t.Fatalf("the diff view asked for %d diffs and %d measures; want 1 and none", ws.diffs, ws.measuredCount()-before)
	}
	if scr := screenText(m); !strings.Contains(scr, "corral/claude-1000000 4 files +20 −4 *") {
		t.Fatalf("the title does not show the diff's measure:\n%s", scr)
	}
}

func TestDiffViewScrollsAndWrapsLongLines(t *testing.T) {
	m, _, _, ws := newWTModel(t, 40, 12)
	var b strings.Builder
	for f := range 3 {
		fmt.Fprintf(&b, "diff --git a/f%d b/f%d\n", f, f)
		for i := range 20 {
			fmt.Fprintf(&b, "\x1b[32m+line %d of file %d, long enough to wrap at forty columns\x1b[m\n", i, f)
		}
	}
	ws.diff = b.String()
	feed(m, press(m, "d"))
	if len(m.diff.rows) != 3*(1+40) {
		t.Fatalf("%d rows, want each added line wrapped in two", len(m.diff.rows))
	}
	if r := m.diff.rows[2]; !strings.HasPrefix(r, "\x1b[32m") {
		t.Fatalf("a wrapped row lost its colour: %q", r)
	}
	press(m, "pgdown")
	if m.diff.top == 0 {
		t.Fatal("pgdown did not scroll")
	}
	press(m, "end")
	if m.diff.top != len(m.diff.rows)-m.layout.paneH {
		t.Fatalf("end: top %d of %d rows, pane %d", m.diff.top, len(m.diff.rows), m.layout.paneH)
	}
	press(m, "[")
	if !strings.Contains(screenText(m), "file 3 of 3") || m.diff.top != m.diff.starts[2] {
		t.Fatalf("[ from the end: top %d\n%s", m.diff.top, screenText(m))
	}
	// A wider window wraps again, off the UI loop, keeping the file in sight.
	feed(m, update(m, tea.WindowSizeMsg{Width: 120, Height: 12}))
	if len(m.diff.rows) != 3*21 || m.diff.top != m.diff.starts[2] {
		t.Fatalf("after a resize: %d rows, top %d", len(m.diff.rows), m.diff.top)
	}
}

func TestUnregisterAsksWhatBecomesOfTheWorktree(t *testing.T) {
	m, reg, _, ws := newWTModel(t, 120, 40)
	selectRunID(t, m, 1000003)
	// Keep, the default.
	press(m, "u")
	if m.mode != modeWorktreeAsk || !strings.Contains(strings.Join(m.finishLines(), " "), "‹ keep it › · remove it · remove it and its branch") {
		t.Fatalf("u on an ended run in a worktree:\n%s", screenText(m))
	}
	feed(m, press(m, "enter"))
	if fmt.Sprint(reg.dropped) != "[1000003]" || len(ws.removed) != 0 || len(ws.lossAsked) != 0 {
		t.Fatalf("keep: dropped %v, removed %v, asked %v", reg.dropped, ws.removed, ws.lossAsked)
	}

	// Remove a clean one: no second question, no force.
	reg.dropped = nil
	press(m, "u", "right")
	settle(m, press(m, "enter"))
	if fmt.Sprint(ws.removed) != "[1000003 force=false branch=false]" || fmt.Sprint(reg.dropped) != "[1000003]" {
		t.Fatalf("remove clean: removed %v, dropped %v", ws.removed, reg.dropped)
	}
	if !strings.Contains(m.status, "run 1000003 removed, and its worktree (its branch kept)") {
		t.Fatalf("status %q", m.status)
	}
}

func TestRemovingWorkNeedsASecondYesThatNamesIt(t *testing.T) {
	m, reg, _, ws := newWTModel(t, 120, 40)
	selectRunID(t, m, 1000003)
	ws.losses[1000003] = "1 file with uncommitted changes"
	press(m, "u", "right", "right") // remove it and its branch
	settle(m, press(m, "enter"))
	if m.mode != modeConfirm ||
		!strings.Contains(m.question(), "Remove the worktree of run 1000003 and its branch and lose 1 file with uncommitted changes? (y/n)") {
		t.Fatalf("no second question:\n%s", screenText(m))
	}
	if fmt.Sprint(ws.lossAsked) != "[1000003 branch=true]" || len(ws.removed) != 0 {
		t.Fatalf("asked %v, removed %v before the second yes", ws.lossAsked, ws.removed)
	}
	settle(m, press(m, "n"))
	if len(ws.removed) != 0 || len(reg.dropped) != 0 || m.mode != modeNormal {
		t.Fatalf("no: removed %v, dropped %v", ws.removed, reg.dropped)
	}
	// Cancelling the first question does nothing either.
	press(m, "u", "right")
	settle(m, press(m, "esc"))
	if len(ws.removed) != 0 || len(reg.dropped) != 0 || m.mode != modeNormal || !strings.Contains(m.status, "nothing removed") {
		t.Fatalf("esc: removed %v, dropped %v, status %q", ws.removed, reg.dropped, m.status)
	}
	// Only the second yes removes, by force.
	press(m, "u", "right")
	settle(m, press(m, "enter"))
	settle(m, press(m, "y"))
	if fmt.Sprint(ws.removed) != "[1000003 force=true branch=false]" || fmt.Sprint(reg.dropped) != "[1000003]" {
		t.Fatalf("yes: removed %v, dropped %v", ws.removed, reg.dropped)
	}
}

func TestALiveRunsWorktreeStaysOnUnregister(t *testing.T) {
	m, reg, _, ws := newWTModel(t, 120, 40)
	press(m, "u") // run 1000000 runs
	if m.mode != modeConfirm || !strings.Contains(m.confirm.question, "Its worktree stays at /state/worktrees/app-1000000") {
		t.Fatalf("question %q", m.confirm.question)
	}
	feed(m, press(m, "y"))
	if fmt.Sprint(reg.dropped) != "[1000000]" || len(ws.lossAsked)+len(ws.removed) != 0 {
		t.Fatalf("dropped %v, asked %v, removed %v", reg.dropped, ws.lossAsked, ws.removed)
	}
}

func TestCleanupAsksOnceForEveryWorktree(t *testing.T) {
	m, reg, _, ws := newWTModel(t, 120, 40)
	ws.wts[1000002] = Worktree{Path: "/state/worktrees/web-1000002", Branch: "corral/npm-1000002"}
	ws.losses[1000002] = "2 commits that no other branch or remote has"
	press(m, "c")
	scr := strings.Join(m.finishLines(), " ")
	if m.mode != modeWorktreeAsk ||
		!strings.Contains(scr, "Clean up 3 ended runs. 2 have worktrees: corral/npm-1000002, corral/go-1000003") ||
		!strings.Contains(scr, "‹ keep them › · remove them") {
		t.Fatalf("c:\n%s", scr)
	}
	press(m, "right", "right")
	settle(m, press(m, "enter"))
	if !strings.Contains(m.question(), "Remove 2 worktrees and their branches and lose run 1000002's 2 commits that no other branch or remote has?") {
		t.Fatalf("second question:\n%s", screenText(m))
	}
	if len(ws.removed) != 0 {
		t.Fatalf("removed %v before the yes", ws.removed)
	}
	settle(m, press(m, "y"))
	if got := strings.Join(ws.removed, ", "); got != "1000002 force=true branch=true, 1000003 force=false branch=true" {
		t.Fatalf("removed %s", got)
	}
	if !strings.Contains(m.status, "cleaned up 1 ended run; removed 2 worktrees") { // the fake cleans up run 7
		t.Fatalf("status %q", m.status)
	}
	_ = reg
}

func TestCleanupStopsAtAWorktreeThatCannotGo(t *testing.T) {
	m, _, _, ws := newWTModel(t, 120, 40)
	ws.removeErr = errors.New("remove the worktree of run 1000003: stop it first")
	press(m, "c", "right")
	settle(m, press(m, "enter"))
	if !m.statusErr || !strings.Contains(m.status, "nothing removed: remove the worktree of run 1000003") {
		t.Fatalf("status %q", m.status)
	}
}

// The worktree screens at 80×24 and 40×12: the table with its columns,
// the form with the workspace, the diff, the question.
func TestGoldenWorktrees(t *testing.T) {
	states := []struct {
		name string
		do   func(m *Model, ws *fakeWS)
	}{
		{"table", func(*Model, *fakeWS) {}},
		{"form", func(m *Model, _ *fakeWS) {
			settle(m, press(m, "n"))
			typeText(m, "make")
			press(m, "tab", "tab", "right")
		}},
		{"form-name", func(m *Model, _ *fakeWS) { // the Name field below the Base
			settle(m, press(m, "n"))
			typeText(m, "make")
			press(m, "tab", "tab", "right", "tab", "tab")
			typeText(m, "web")
		}},
		{"form-error", func(m *Model, _ *fakeWS) { // the error in a short pane
			settle(m, press(m, "n"))
			press(m, "tab", "tab", "tab", "right", "enter")
		}},
		{"diff", func(m *Model, ws *fakeWS) {
			ws.diff = sampleDiff
			feed(m, press(m, "d"))
		}},
		{"diff-empty", func(m *Model, _ *fakeWS) { feed(m, press(m, "d")) }},
		{"question", func(m *Model, _ *fakeWS) {
			m.selectRun(1000003)
			press(m, "u", "right")
		}},
	}
	for _, size := range [][2]int{{80, 24}, {40, 12}} {
		for _, st := range states {
			t.Run(fmt.Sprintf("%s-%dx%d", st.name, size[0], size[1]), func(t *testing.T) {
				m, _, _, ws := newWTModel(t, size[0], size[1])
				st.do(m, ws)
				golden.RequireEqual(t, screenText(m))
			})
		}
	}
}

// At 40×12 an agent's form in a new worktree has more fields than the
// pane has lines: the chooser stays, and the focused field is in sight,
// from the first field to the last and back.
func TestShortFormKeepsTheFocusedFieldInSight(t *testing.T) {
	m, _, _, _ := newWTModel(t, 40, 12)
	settle(m, press(m, "n"))
	press(m, "right", "right", "right") // writer: a task and a model
	press(m, "tab", "tab", "tab", "tab", "right")
	if m.form.agent().Name != "writer" || m.form.focus != fieldWorkspace || !m.form.worktree {
		t.Fatalf("entry %q, focus %d, worktree %v", m.form.agent().Name, m.form.focus, m.form.worktree)
	}
	check := func(field string) {
		t.Helper()
		s := screenText(m)
		if !strings.Contains(s, "›"+field) || !strings.Contains(s, "Run        ") {
			t.Errorf("%s has the focus, yet the screen does not show it and the chooser:\n%s", field, s)
		}
		for _, l := range strings.Split(s, "\n") {
			if ansi.StringWidth(l) > 40 {
				t.Errorf("line %q is wider than 40", l)
			}
		}
		if n := strings.Count(s, "\n") + 1; n != 12 {
			t.Errorf("%d lines, want 12:\n%s", n, s)
		}
	}
	press(m, "tab", "tab")
	check("Name")
	press(m, "tab")
	if m.form.focus != -1 {
		t.Fatalf("focus %d, want the chooser", m.form.focus)
	}
	check("Run")
	if s := screenText(m); !strings.Contains(s, " Task ") || !strings.Contains(s, "‹ writer ›") {
		t.Errorf("the chooser has the focus, yet the chosen entry or the first field is not shown:\n%s", s)
	}
}
