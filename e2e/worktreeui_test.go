package e2e

import (
	"os"
	"strings"
	"testing"

	"corral/internal/gittest"
)

// From the keyboard: n, a command, the Workspace field set to a new
// worktree; the row shows the run's branch and its change (1 file, one
// line added), d shows the diff and goes back, and u on the ended run
// asks keep or remove: removing a clean worktree removes its directory
// and keeps its branch.
func TestWorktreeFromTheFormToTheDiffAndRemoval(t *testing.T) {
	repo := gittest.Repo(t, "uiproj", map[string]string{"README": "hello\n"})
	tm := startIn(t, 140, 30, "sh", "-c", "cd "+shellQuote(repo)+" && exec "+shellQuote(binary))
	tm.waitText("no runs yet")

	tm.keys("n")
	tm.waitText("new run")
	// The edit is committed, so that the worktree is clean when it goes;
	// the output keeps the run active, which is when it is measured.
	tm.text(`sh -c 'echo x >> README; git commit -qam edit; echo edited; exec sleep 7391'`)
	tm.keys("Tab") // the directory
	tm.waitText("Workspace")
	tm.keys("Tab", "Right")
	tm.waitText("‹ new worktree ›")
	tm.keys("Enter")

	scr := tm.waitFor("the row's branch and change", func(s string) bool {
		r := row(s, "corral/")
		return strings.Contains(r, "1 file +1 −0") && strings.Contains(r, "command")
	})
	if r := row(scr, "corral/"); strings.Contains(r, "*") {
		t.Fatalf("a clean worktree is marked dirty: %q", r)
	}
	wt := ""
	for _, l := range strings.Split(gittest.Git(t, repo, "worktree", "list", "--porcelain"), "\n") {
		if p, ok := strings.CutPrefix(l, "worktree "); ok && p != repo {
			wt = p
		}
	}
	if wt == "" || !strings.Contains(wt, "/corral/worktrees/uiproj-") {
		t.Fatalf("no worktree of corral's in %s: %q", repo, wt)
	}
	if b, _ := os.ReadFile(repo + "/README"); string(b) != "hello\n" {
		t.Fatalf("the repository's README changed: %q", b)
	}

	tm.keys("d")
	scr = tm.waitText("file 1 of 1: README")
	if !strings.Contains(scr, "+x") || !strings.Contains(scr, "diff --git a/README b/README") {
		t.Fatalf("the diff view:\n%s", scr)
	}
	tm.keys("d")
	tm.waitFor("the run's screen again", func(s string) bool {
		return strings.Contains(s, "edited") && !strings.Contains(s, "diff --git")
	})

	tm.keys("k")
	tm.waitText("Kill run")
	tm.keys("y")
	tm.waitFor("the run killed", func(s string) bool { return strings.Contains(row(s, "corral/"), "killed") })
	tm.keys("u")
	tm.waitText("‹ keep it › · remove it · remove it and its branch")
	tm.keys("Right")
	tm.waitText("keep it · ‹ remove it ›")
	tm.keys("Enter")
	tm.waitText("and its worktree (its branch kept)")
	if _, err := os.Stat(wt); !os.IsNotExist(err) {
		t.Fatalf("the worktree %s is still there: %v", wt, err)
	}
	if br := gittest.Git(t, repo, "branch", "--list", "corral/*"); !strings.Contains(br, "corral/") {
		t.Fatalf("the branch went too: %q", br)
	}
}
