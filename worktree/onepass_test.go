package worktree

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"corral/internal/gittest"
)

// counting counts the git calls made until the test ends, by their first
// argument and by whether they walk the remote-tracking branches.
func counting(t *testing.T) map[string]int {
	t.Helper()
	calls := map[string]int{}
	gitCalled = func(args []string) {
		calls[args[0]]++
		if slices.Contains(args, "--remotes") {
			calls["--remotes"]++
		}
	}
	t.Cleanup(func() { gitCalled = nil })
	return calls
}

// changed is a worktree with a commit of its own, an uncommitted change
// and an untracked file, whose base has moved on.
func changed(t *testing.T) Worktree {
	t.Helper()
	repo, w := made(t)
	write(t, filepath.Join(w.Path, "sub", "b.txt"), "b\nc\n")
	gittest.Git(t, w.Path, "commit", "-q", "-am", "more b")
	write(t, filepath.Join(w.Path, "a.txt"), "one\nTWO\nthree\n")
	write(t, filepath.Join(w.Path, "new.txt"), "x\ny\n")
	write(t, filepath.Join(repo, "c.txt"), "c\n")
	gittest.Git(t, repo, "add", "c.txt")
	gittest.Git(t, repo, "commit", "-q", "-m", "on main")
	return w
}

// The diff view's git pass finds the merge base and lists the untracked
// files once, and says what Diff and DiffStats each say.
func TestDiffAndStatsLooksOnce(t *testing.T) {
	w := changed(t)
	ctx := context.Background()
	wantDiff, err := Diff(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	wantStats, err := DiffStats(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	calls := counting(t)
	d, s, err := DiffAndStats(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	if calls["merge-base"] != 1 || calls["ls-files"] != 1 {
		t.Fatalf("git merge-base ran %d times, ls-files %d times: want once each (%v)",
			calls["merge-base"], calls["ls-files"], calls)
	}
	if calls["diff"] != 2 { // the numstat and the coloured diff
		t.Fatalf("git diff ran %d times (%v)", calls["diff"], calls)
	}
	if d != wantDiff || s != wantStats {
		t.Fatalf("DiffAndStats = %+v\n%q\nwant %+v\n%q", s, d, wantStats, wantDiff)
	}
	if want := (Stats{Files: 3, Added: 4, Removed: 1, Untracked: 1}); s != want {
		t.Fatalf("stats %+v, want %+v", s, want)
	}
}

// QuickStatus is StatusOf without the walk that counts Unpushed.
func TestQuickStatusSkipsUnpushed(t *testing.T) {
	w := changed(t)
	calls := counting(t)
	quick, err := QuickStatus(context.Background(), w)
	if err != nil || calls["--remotes"] != 0 {
		t.Fatalf("QuickStatus walked the remotes (%v): %v", calls, err)
	}
	full, err := StatusOf(context.Background(), w)
	if err != nil || full.Unpushed != 1 {
		t.Fatalf("StatusOf = %+v, %v: want 1 unpushed commit", full, err)
	}
	want := full
	want.Unpushed = 0
	if quick != want {
		t.Fatalf("QuickStatus = %+v, want %+v", quick, want)
	}
}
