package worktree

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"corral/internal/gittest"
)

// made is a worktree of a new repository.
func made(t *testing.T) (repo string, w Worktree) {
	t.Helper()
	repo = newRepo(t, "proj")
	w, err := Create(context.Background(), repo, Options{Root: t.TempDir(), Agent: "claude", RunID: 1})
	if err != nil {
		t.Fatal(err)
	}
	return repo, w
}

func TestDiffStats(t *testing.T) {
	repo, w := made(t)
	ctx := context.Background()
	if s, err := DiffStats(ctx, w); err != nil || s != (Stats{}) {
		t.Fatalf("a new worktree's stats: %+v %v", s, err)
	}
	index := filepath.Join(repo, ".git", "worktrees", filepath.Base(w.Path), "index")
	// A commit: sub/b.txt gets a line. Uncommitted: a.txt's "two" becomes
	// two lines. Untracked: new.txt (2 lines, the last without a newline),
	// deep/x.txt (1 line) and a binary file.
	write(t, filepath.Join(w.Path, "sub", "b.txt"), "b\nc\n")
	gittest.Git(t, w.Path, "commit", "-q", "-am", "more b")
	write(t, filepath.Join(w.Path, "a.txt"), "one\nTWO\n2\nthree\n")
	write(t, filepath.Join(w.Path, "new.txt"), "x\ny")
	write(t, filepath.Join(w.Path, "deep", "x.txt"), "x\n")
	write(t, filepath.Join(w.Path, "bin.dat"), "a\x00b\nc\n")
	write(t, filepath.Join(w.Path, ".gitignore"), "*.log\n")
	write(t, filepath.Join(w.Path, "ignored.log"), "1\n2\n3\n")
	// The base moves on meanwhile: its new commit is no change of the
	// worktree's.
	write(t, filepath.Join(repo, "c.txt"), "c\n")
	gittest.Git(t, repo, "add", "c.txt")
	gittest.Git(t, repo, "commit", "-q", "-m", "on main")

	before, err := os.ReadFile(index) // after the worktree's commit, which writes it
	if err != nil {
		t.Fatal(err)
	}
	s, err := DiffStats(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	// Files: b.txt, a.txt, new.txt, deep/x.txt, bin.dat, .gitignore.
	// Added: 1 + 2 + 2 + 1 + 0 + 1; removed: 1.
	want := Stats{Files: 6, Added: 7, Removed: 1, Untracked: 4}
	if s != want {
		t.Fatalf("DiffStats = %+v, want %+v", s, want)
	}
	after, err := os.ReadFile(index)
	if err != nil || string(after) != string(before) {
		t.Fatalf("the worktree's index changed (%v)", err)
	}
	if got := gittest.Git(t, w.Path, "ls-files", "--others", "--exclude-standard"); !strings.Contains(got, "new.txt") {
		t.Fatalf("new.txt is no longer untracked: %q", got)
	}

	st, err := StatusOf(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Status{Changed: 1, Untracked: 4, Ahead: 1, Behind: 1, Unpushed: 1}); st != want {
		t.Fatalf("StatusOf = %+v, want %+v", st, want)
	}
	if got := st.Loss(true); got != "1 file with uncommitted changes, 4 untracked files, 1 commit that no other branch or remote has" {
		t.Fatalf("Loss = %q", got)
	}

	d, err := Diff(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	if after, err := os.ReadFile(index); err != nil || string(after) != string(before) {
		t.Fatalf("Diff changed the worktree's index (%v)", err)
	}
	if got := gittest.Git(t, w.Path, "status", "--porcelain"); strings.Contains(got, "A ") || !strings.Contains(got, "?? new.txt") {
		t.Fatalf("after Diff, git status says %q", got)
	}
	if !strings.Contains(d, "\x1b[") {
		t.Errorf("the diff is not coloured:\n%s", d)
	}
	d = regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(d, "")
	for _, want := range []string{"+TWO", "-two", "+c", "new.txt", "+y", "deep/x.txt", "bin.dat", "Binary"} {
		if !strings.Contains(d, want) {
			t.Errorf("the diff has no %q:\n%s", want, d)
		}
	}
	if strings.Contains(d, "ignored.log") || strings.Contains(d, "c.txt") {
		t.Errorf("the diff shows an ignored file or the base's own commit:\n%s", d)
	}
}

// Untracked files beyond the limits are counted as files, not read.
func TestDiffStatsPartial(t *testing.T) {
	_, w := made(t)
	for i := range MaxUntracked + 3 {
		write(t, filepath.Join(w.Path, "many", strings.Repeat("f", 1+i%7)+string(rune('a'+i%26))+
			strings.Repeat("0", i/182)+".txt"), "1\n")
	}
	names, err := untrackedFiles(context.Background(), w.Path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := DiffStats(context.Background(), w)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Partial || s.Files != len(names) || s.Added != MaxUntracked {
		t.Fatalf("DiffStats of %d untracked files = %+v", len(names), s)
	}
	d, err := Diff(context.Background(), w)
	if err != nil || !strings.HasSuffix(d, "\n[corral: 3 more untracked files not shown]\n") {
		t.Fatalf("Diff of %d untracked files ends %q, %v", len(names), d[max(len(d)-200, 0):], err)
	}
}

func TestCountLines(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		text  string
		n     int
		full  bool
		limit int64
	}{
		{"", 0, true, 100}, {"a", 1, true, 100}, {"a\n", 1, true, 100}, {"a\nb", 2, true, 100},
		{"a\x00\nb\n", 0, true, 100}, {"a\nb\nc\n", 2, false, 4}, {"a\nb\n", 2, true, 4},
	} {
		p := filepath.Join(dir, "f")
		write(t, p, c.text)
		if n, _, full := countLines(p, c.limit); n != c.n || full != c.full {
			t.Errorf("countLines(%q, %d) = %d, %v; want %d, %v", c.text, c.limit, n, full, c.n, c.full)
		}
	}
	if err := os.Symlink("a.txt", filepath.Join(dir, "l")); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := countLines(filepath.Join(dir, "l"), 100); n != 1 {
		t.Errorf("a symbolic link counts %d lines", n)
	}
}

func TestRemoveClean(t *testing.T) {
	repo, w := made(t)
	ctx := context.Background()
	if err := Remove(ctx, w, false, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(w.Path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the worktree's directory is still there: %v", err)
	}
	if list, _ := List(ctx, repo); len(list) != 1 {
		t.Fatalf("git still lists it: %+v", list)
	}
	if got := branches(t, repo); !slices.Equal(got, []string{w.Branch, "main"}) {
		t.Fatalf("the branch was not kept: %v", got)
	}
}

func TestRemoveRefusesDirty(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		dirty func(t *testing.T, w Worktree)
		loss  string
	}{
		{"changed", func(t *testing.T, w Worktree) { write(t, filepath.Join(w.Path, "a.txt"), "x\n") },
			"1 file with uncommitted changes"},
		{"staged", func(t *testing.T, w Worktree) {
			write(t, filepath.Join(w.Path, "a.txt"), "x\n")
			gittest.Git(t, w.Path, "add", "a.txt")
		}, "1 file with uncommitted changes"},
		{"untracked", func(t *testing.T, w Worktree) { write(t, filepath.Join(w.Path, "n", "new.txt"), "x\n") },
			"1 untracked file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			repo, w := made(t)
			c.dirty(t, w)
			err := Remove(ctx, w, false, false)
			var le *LossError
			if !errors.As(err, &le) || le.Status.Loss(false) != c.loss || !strings.Contains(err.Error(), c.loss) {
				t.Fatalf("Remove of a dirty worktree: %v", err)
			}
			if _, err := os.Stat(w.Path); err != nil {
				t.Fatalf("the refused worktree is gone: %v", err)
			}
			if err := Remove(ctx, w, true, false); err != nil {
				t.Fatalf("Remove with force: %v", err)
			}
			if _, err := os.Stat(w.Path); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("still there after force: %v", err)
			}
			if got := branches(t, repo); !slices.Contains(got, w.Branch) {
				t.Fatalf("the branch went without being asked: %v", got)
			}
		})
	}
}

// The branch goes only when asked; its commits that nothing else holds
// need force.
func TestRemoveBranch(t *testing.T) {
	repo, w := made(t)
	ctx := context.Background()
	write(t, filepath.Join(w.Path, "a.txt"), "x\n")
	gittest.Git(t, w.Path, "commit", "-q", "-am", "work")
	err := Remove(ctx, w, false, true)
	var le *LossError
	if !errors.As(err, &le) || le.Status.Unpushed != 1 || le.Status.Dirty() {
		t.Fatalf("Remove with an unmerged commit and the branch: %v", err)
	}
	if _, err := os.Stat(w.Path); err != nil {
		t.Fatalf("refused, yet removed: %v", err)
	}
	// Without the branch nothing is lost: the worktree goes, the commit
	// stays on the branch.
	if err := Remove(ctx, w, false, false); err != nil {
		t.Fatal(err)
	}
	// The directory is gone now; the branch's commit still needs force.
	if err := Remove(ctx, w, false, true); !errors.As(err, &le) || !le.Status.Gone {
		t.Fatalf("deleting an unmerged branch of a removed worktree: %v", err)
	}
	// Once main has it, nothing is lost.
	gittest.Git(t, repo, "merge", "-q", "--ff-only", w.Branch)
	if err := Remove(ctx, w, false, true); err != nil {
		t.Fatal(err)
	}
	if got := branches(t, repo); !slices.Equal(got, []string{"main"}) {
		t.Fatalf("branches: %v", got)
	}
}

// A worktree whose directory someone deleted is pruned from git's records.
func TestRemoveGone(t *testing.T) {
	repo, w := made(t)
	if err := os.RemoveAll(w.Path); err != nil {
		t.Fatal(err)
	}
	if err := Remove(context.Background(), w, false, true); err != nil {
		t.Fatal(err)
	}
	if list, _ := List(context.Background(), repo); len(list) != 1 {
		t.Fatalf("git still lists it: %+v", list)
	}
	if got := branches(t, repo); !slices.Equal(got, []string{"main"}) {
		t.Fatalf("branches: %v", got)
	}
}
