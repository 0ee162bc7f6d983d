package worktree

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"corral/internal/gittest"
)

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newRepo makes a repository named name with one commit on main: a.txt
// (three lines) and sub/b.txt.
func newRepo(t *testing.T, name string) string {
	t.Helper()
	return gittest.Repo(t, name, map[string]string{"a.txt": "one\ntwo\nthree\n", "sub/b.txt": "b\n"})
}

// entries lists a directory's names.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func branches(t *testing.T, repo string) []string {
	t.Helper()
	return strings.Fields(gittest.Git(t, repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/"))
}

func TestCreate(t *testing.T) {
	repo := newRepo(t, "proj")
	root := t.TempDir()
	ctx := context.Background()
	w, err := Create(ctx, filepath.Join(repo, "sub"), Options{Root: root, Agent: "claude", RunID: 1000005})
	if err != nil {
		t.Fatal(err)
	}
	want := Worktree{Path: filepath.Join(root, "proj-1000005"), Branch: "corral/claude-1000005", Base: "main",
		Repo: repo, Dir: filepath.Join(root, "proj-1000005", "sub")}
	if w != want {
		t.Fatalf("Create = %+v, want %+v", w, want)
	}
	if got := gittest.Git(t, w.Path, "symbolic-ref", "--short", "HEAD"); got != w.Branch {
		t.Fatalf("the worktree is on %q", got)
	}
	if b, err := os.ReadFile(filepath.Join(w.Path, "a.txt")); err != nil || string(b) != "one\ntwo\nthree\n" {
		t.Fatalf("a.txt in the worktree: %q %v", b, err)
	}
	// The new branch tracks nothing: its commits count as unpushed.
	if up, err := exec.Command("git", "-C", w.Path, "rev-parse", "--abbrev-ref", "@{upstream}").Output(); err == nil {
		t.Fatalf("the branch tracks %s", up)
	}
	list, err := List(ctx, repo)
	if err != nil || len(list) != 2 || list[0].Path != repo || list[1].Path != w.Path || list[1].Branch != w.Branch {
		t.Fatalf("List = %+v, %v", list, err)
	}
	// Made from inside the new worktree, the next one still belongs to the
	// main working tree and is named after it.
	w2, err := Create(ctx, w.Path, Options{Root: root, Prefix: "agents/", Agent: "npm run", RunID: 7})
	if err != nil {
		t.Fatal(err)
	}
	if w2.Repo != repo || w2.Path != filepath.Join(root, "proj-7") || w2.Branch != "agents/npm-run-7" || w2.Base != w.Branch {
		t.Fatalf("a worktree made from a worktree: %+v", w2)
	}
}

func TestFindRepo(t *testing.T) {
	repo := newRepo(t, "proj")
	r, err := Find(context.Background(), filepath.Join(repo, "sub"))
	if err != nil {
		t.Fatal(err)
	}
	if r != (Repo{Root: repo, Main: repo, Name: "proj", Branch: "main"}) {
		t.Fatalf("Find = %+v", r)
	}
}

// Every refusal says why, leaves no directory and no branch behind.
func TestCreateRefuses(t *testing.T) {
	ctx := context.Background()
	repo := newRepo(t, "proj")

	bare := filepath.Join(t.TempDir(), "bare.git")
	gittest.Git(t, repo, "clone", "-q", "--bare", repo, bare)

	detached := newRepo(t, "det")
	gittest.Git(t, detached, "checkout", "-q", "--detach")

	empty := filepath.Join(t.TempDir(), "empty")
	gittest.Git(t, filepath.Dir(empty), "init", "-q", "-b", "main", empty)

	taken := newRepo(t, "taken")
	gittest.Git(t, taken, "branch", "corral/claude-5")

	notRepo := t.TempDir()

	cases := []struct {
		name string
		dir  string
		o    Options
		want error
		// path is a directory that exists before Create and must be there
		// after, untouched
		path string
	}{
		{"not a repository", notRepo, Options{Agent: "claude", RunID: 1}, ErrNotRepo, ""},
		{"bare repository", bare, Options{Agent: "claude", RunID: 2}, ErrBare, ""},
		{"inside .git", filepath.Join(repo, ".git"), Options{Agent: "claude", RunID: 3}, ErrBare, ""},
		{"detached HEAD", detached, Options{Agent: "claude", RunID: 4}, ErrDetached, ""},
		{"branch exists", taken, Options{Agent: "claude", RunID: 5}, ErrBranchExists, ""},
		{"path exists", repo, Options{Agent: "claude", RunID: 6}, ErrPathExists, "proj-6"},
		{"no commits", empty, Options{Agent: "claude", RunID: 7}, ErrNoCommits, ""},
		{"no such base", repo, Options{Agent: "claude", RunID: 8, Base: "nosuch"}, ErrNoBase, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			if c.path != "" {
				write(t, filepath.Join(root, c.path, "mine.txt"), "keep me\n")
			}
			before := branches(t, taken)
			_, err := Create(ctx, c.dir, Options{Root: root, Agent: c.o.Agent, RunID: c.o.RunID, Base: c.o.Base})
			if !errors.Is(err, c.want) {
				t.Fatalf("Create: %v, want %v", err, c.want)
			}
			if got := entries(t, root); (c.path == "" && len(got) > 0) || (c.path != "" && !slices.Equal(got, []string{c.path})) {
				t.Fatalf("left in the worktree dir: %v", got)
			}
			if c.path != "" {
				if b, err := os.ReadFile(filepath.Join(root, c.path, "mine.txt")); err != nil || string(b) != "keep me\n" {
					t.Fatalf("the existing directory was touched: %q %v", b, err)
				}
			}
			if after := branches(t, taken); !slices.Equal(before, after) {
				t.Fatalf("branches %v became %v", before, after)
			}
		})
	}
	for _, dir := range []string{repo, detached, taken} {
		if list, err := List(ctx, dir); err != nil || len(list) != 1 {
			t.Fatalf("worktrees of %s after the refusals: %+v %v", dir, list, err)
		}
	}
	if got := branches(t, repo); !slices.Equal(got, []string{"main"}) {
		t.Fatalf("branches of %s after the refusals: %v", repo, got)
	}

	// With a base branch, a detached HEAD is no obstacle.
	w, err := Create(ctx, detached, Options{Root: t.TempDir(), Agent: "claude", RunID: 9, Base: "main"})
	if err != nil || w.Base != "main" {
		t.Fatalf("detached HEAD with a base: %+v %v", w, err)
	}
}

func TestCreateWithoutGit(t *testing.T) {
	repo := newRepo(t, "proj")
	t.Setenv("PATH", t.TempDir()) // a PATH without git
	root := t.TempDir()
	_, err := Create(context.Background(), repo, Options{Root: root, Agent: "claude", RunID: 1})
	if !errors.Is(err, ErrGitMissing) {
		t.Fatalf("Create without git: %v", err)
	}
	if _, err := Find(context.Background(), repo); !errors.Is(err, ErrGitMissing) {
		t.Fatalf("Find without git: %v", err)
	}
	if got := entries(t, root); len(got) > 0 {
		t.Fatalf("left behind: %v", got)
	}
}

// A step of git's that fails after the directory is made (here the
// repository's post-checkout hook) leaves nothing: no directory, no
// worktree record, no branch.
func TestCreateFailureUndone(t *testing.T) {
	repo := newRepo(t, "proj")
	write(t, filepath.Join(repo, ".git", "hooks", "post-checkout"), "#!/bin/sh\necho hook refuses >&2\nexit 3\n")
	if err := os.Chmod(filepath.Join(repo, ".git", "hooks", "post-checkout"), 0o755); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	_, err := Create(context.Background(), repo, Options{Root: root, Agent: "claude", RunID: 1})
	var ge *GitError
	if !errors.As(err, &ge) {
		t.Fatalf("Create with a failing hook: %v", err)
	}
	if got := entries(t, root); len(got) > 0 {
		t.Fatalf("left behind: %v", got)
	}
	if list, err := List(context.Background(), repo); err != nil || len(list) != 1 {
		t.Fatalf("worktrees after the failure: %+v %v", list, err)
	}
	if got := branches(t, repo); !slices.Equal(got, []string{"main"}) {
		t.Fatalf("branches after the failure: %v", got)
	}
}

// Submodules are left uninitialised, and said so.
func TestCreateWithSubmodule(t *testing.T) {
	lib := newRepo(t, "lib")
	repo := newRepo(t, "app")
	gittest.Git(t, repo, "submodule", "add", "-q", lib, "lib")
	gittest.Git(t, repo, "commit", "-q", "-m", "lib")
	w, err := Create(context.Background(), repo, Options{Root: t.TempDir(), Agent: "claude", RunID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !w.Submodules {
		t.Fatal("Submodules not set")
	}
	if got := entries(t, filepath.Join(w.Path, "lib")); len(got) != 0 {
		t.Fatalf("the submodule was initialised: %v", got)
	}
	st, err := StatusOf(context.Background(), w)
	if err != nil || st.Dirty() {
		t.Fatalf("an uninitialised submodule makes the worktree dirty: %+v %v", st, err)
	}
	if err := Remove(context.Background(), w, false, true); err != nil {
		t.Fatalf("remove a worktree with an uninitialised submodule: %v", err)
	}
}

func TestBranchNameAndPrefix(t *testing.T) {
	for _, c := range []struct{ prefix, agent, want string }{
		{"", "claude", "corral/claude-42"},
		{"corral/", "claude-run", "corral/claude-run-42"},
		{"x-", "npm run dev", "x-npm-run-dev-42"},
		{"corral/", "../.hidden..x.lock", "corral/hidden.x-42"},
		{"corral/", "", "corral/run-42"},
		{"corral/", "ünï", "corral/n-42"},
		{"corral/", "ü", "corral/run-42"},
	} {
		if got := BranchName(c.prefix, c.agent, 42); got != c.want {
			t.Errorf("BranchName(%q, %q) = %q, want %q", c.prefix, c.agent, got, c.want)
		}
	}
	for _, p := range []string{"corral/", "agents/x/", "wt-", ""} {
		if err := CheckPrefix(p); err != nil {
			t.Errorf("CheckPrefix(%q): %v", p, err)
		}
	}
	for _, p := range []string{"-x/", "/x", "a//", "a..b/", "a b/", "x~/", "a:", "a?", "a*", "a[", "a\\", ".x/", "x.lock/", "a@{", "a\x01"} {
		if err := CheckPrefix(p); err == nil {
			t.Errorf("CheckPrefix(%q) accepted", p)
		}
	}
}
