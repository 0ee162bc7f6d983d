package launch

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"corral/internal/gittest"
	"corral/registry"
	"corral/tui"
	"corral/worktree"
)

// gitRepo makes a repository "proj" with one commit on main (a.txt), git
// configured by the environment only, and worktrees going to a state
// directory of the test's; it returns the repository and that directory.
func gitRepo(t *testing.T) (repo, root string) {
	t.Helper()
	repo = gittest.Repo(t, "proj", map[string]string{"a.txt": "one\n"})
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	return repo, filepath.Join(state, "corral", "worktrees")
}

func (r *rig) ended(t *testing.T, id int64, restarts int) {
	t.Helper()
	r.until(t, "the run's end", func() bool {
		info, _ := r.reg.Process(id)
		return info.Restarts == restarts && !info.Active()
	})
}

// A command run in a new worktree edits a file and adds one there, not in
// the repository; its change is measured, shown as a diff, kept across a
// restart, and the worktree is removed only with the second yes.
func TestRunInANewWorktree(t *testing.T) {
	repo, root := gitRepo(t)
	r := newRig(t)
	store := r.withHistory(t)
	id, err := r.l.Launch(tui.Request{Command: `printf 'two\n' >> a.txt; printf '1\n2\n' > new.txt; pwd`, Dir: repo,
		Worktree: true})
	if err != nil {
		t.Fatal(err)
	}
	r.ended(t, id, 0)
	path := filepath.Join(root, "proj-"+strconv.FormatInt(id, 10))
	wt, ok := r.l.Worktree(id)
	if !ok || wt.Path != path || wt.Branch != "corral/printf-"+strconv.FormatInt(id, 10) || wt.Base != "main" || wt.Repo != repo {
		t.Fatalf("Worktree = %+v, %v", wt, ok)
	}
	if out := r.reg.Output(id).String(); !strings.Contains(out, path) {
		t.Fatalf("the run did not start in the worktree: %q", out)
	}
	if b, _ := os.ReadFile(filepath.Join(repo, "a.txt")); string(b) != "one\n" {
		t.Fatalf("the repository's a.txt changed: %q", b)
	}
	if req, ok := r.l.Request(id); !ok || req.Dir != path || req.Worktree {
		t.Fatalf("the request a restart starts from: %+v", req)
	}
	got, err := r.l.RefreshWorktree(id)
	if err != nil {
		t.Fatal(err)
	}
	want := wt
	want.Files, want.Added, want.Dirty = 2, 3, true
	if got != want {
		t.Fatalf("RefreshWorktree = %+v, want %+v", got, want)
	}
	if again, _ := r.l.Worktree(id); again != want {
		t.Fatalf("Worktree after the refresh = %+v", again)
	}
	// The diff measures the worktree again, from the same git pass.
	if err := os.WriteFile(filepath.Join(path, "more.txt"), []byte("m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := r.l.Diff(id)
	if err != nil || !strings.Contains(d, "two") || !strings.Contains(d, "new.txt") || !strings.Contains(d, "more.txt") {
		t.Fatalf("Diff = %q, %v", d, err)
	}
	want.Files, want.Added = 3, 4
	if again, _ := r.l.Worktree(id); again != want {
		t.Fatalf("Worktree after the diff = %+v, want %+v", again, want)
	}
	if err := os.Remove(filepath.Join(path, "more.txt")); err != nil {
		t.Fatal(err)
	}
	if recs, err := store.Worktrees(false); err != nil || len(recs) != 1 || recs[0].RunID != id || recs[0].Path != path {
		t.Fatalf("the history's worktrees: %+v %v", recs, err)
	}

	// A restart runs in the same worktree, and makes no other.
	if err := r.l.Restart(id); err != nil {
		t.Fatal(err)
	}
	r.ended(t, id, 1)
	if n := strings.Count(r.reg.Output(id).String(), path); n != 2 {
		t.Fatalf("the restarted run's directory (%d times %s): %q", n, path, r.reg.Output(id).String())
	}
	if es, _ := os.ReadDir(root); len(es) != 1 {
		t.Fatalf("worktrees after the restart: %v", es)
	}

	if loss, err := r.l.WorktreeLoss(id, false); err != nil || loss != "1 file with uncommitted changes, 1 untracked file" {
		t.Fatalf("WorktreeLoss = %q, %v", loss, err)
	}
	var le *worktree.LossError
	if err := r.l.RemoveWorktree(id, false, false); !errors.As(err, &le) {
		t.Fatalf("RemoveWorktree without force: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("refused, yet removed: %v", err)
	}
	if err := r.l.RemoveWorktree(id, true, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the worktree is still there: %v", err)
	}
	if _, ok := r.l.Worktree(id); ok {
		t.Fatal("the record still has the removed worktree")
	}
	if err := r.l.RemoveWorktree(id, true, false); !errors.Is(err, ErrNoWorktree) {
		t.Fatalf("a second removal: %v", err)
	}
	if recs, _ := store.Worktrees(false); len(recs) != 0 {
		t.Fatalf("the history still keeps it: %+v", recs)
	}
	if out, _ := exec.Command("git", "-C", repo, "branch", "--list", wt.Branch).Output(); !strings.Contains(string(out), wt.Branch) {
		t.Fatalf("the branch went with the worktree: %q", out)
	}
}

// A worktree that cannot be made is Launch's error and leaves nothing; one
// made for a run that then cannot start is removed with its branch; the
// failed row's restart says it has no worktree rather than run elsewhere.
func TestWorktreeFailuresLeaveNothing(t *testing.T) {
	repo, root := gitRepo(t)
	r := newRig(t)
	notRepo := t.TempDir()
	req := tui.Request{Command: "true", Dir: notRepo, Worktree: true}
	_, err := r.l.Launch(req)
	if !errors.Is(err, worktree.ErrNotRepo) || !strings.Contains(err.Error(), "new worktree") {
		t.Fatalf("Launch outside a repository: %v", err)
	}
	failed := r.l.Fail(req, err)
	if err := r.l.Restart(failed); err == nil || !strings.Contains(err.Error(), "worktree was never made") {
		t.Fatalf("restart of the failed row: %v", err)
	}
	if _, err := r.l.Launch(tui.Request{Command: "nonexistent-prog-7405", Dir: repo, Worktree: true}); err == nil {
		t.Fatal("a missing program started")
	}
	if _, err := r.l.Launch(tui.Request{Command: "true", Dir: repo, Worktree: true, Base: "nosuch"}); !errors.Is(err, worktree.ErrNoBase) {
		t.Fatalf("Launch from a missing base: %v", err)
	}
	if es, _ := os.ReadDir(root); len(es) != 0 {
		t.Fatalf("left in the worktree dir: %v", es)
	}
	out, err := exec.Command("git", "-C", repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/").Output()
	if err != nil || strings.TrimSpace(string(out)) != "main" {
		t.Fatalf("branches: %q %v", out, err)
	}
}

// A running run's worktree is not removed, whatever force says; once the
// run is unregistered, its worktree is still found through the history.
func TestRemoveWorktreeOfALiveAndAnUnregisteredRun(t *testing.T) {
	repo, _ := gitRepo(t)
	r := newRig(t)
	store := r.withHistory(t)
	id, err := r.l.Launch(tui.Request{Command: "sleep 7345", Dir: repo, Worktree: true})
	if err != nil {
		t.Fatal(err)
	}
	wt, _ := r.l.Worktree(id)
	if err := r.l.RemoveWorktree(id, true, true); !errors.Is(err, registry.ErrActive) {
		t.Fatalf("RemoveWorktree of a live run: %v", err)
	}
	if _, err := os.Stat(wt.Path); err != nil {
		t.Fatalf("a live run's worktree was removed: %v", err)
	}
	if err := r.l.Stop(id); err != nil {
		t.Fatal(err)
	}
	if err := r.reg.UnregisterProcess(id); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the record's drop", func() bool { _, ok := r.l.Worktree(id); return !ok })
	if err := r.l.RemoveWorktree(id, false, true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(wt.Path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("still there: %v", err)
	}
	if w, err := store.Worktree(id); err != nil || w.RemovedAt.IsZero() {
		t.Fatalf("the history's record: %+v %v", w, err)
	}
	if out, _ := exec.Command("git", "-C", repo, "branch", "--list", wt.Branch).Output(); len(out) != 0 {
		t.Fatalf("the clean branch was kept though its deletion was asked: %q", out)
	}
}
