package worktree

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"corral/internal/logfile"
)

// DefaultPrefix starts the name of every branch corral makes.
const DefaultPrefix = "corral/"

// DefaultRoot returns where worktrees go by default:
// $XDG_STATE_HOME/corral/worktrees (~/.local/state/corral/worktrees).
func DefaultRoot() (string, error) {
	p, err := logfile.Path()
	if err != nil {
		return "", fmt.Errorf("worktree dir: %w", err)
	}
	return filepath.Join(filepath.Dir(p), "worktrees"), nil
}

// Repo is the git repository a directory is in.
type Repo struct {
	// Root is the top level of the working tree the directory is in (a
	// linked worktree's own, when it is in one).
	Root string
	// Main is the top level of the repository's main working tree, from
	// which its worktrees are added and removed.
	Main string
	// Name is the base name of the main working tree: it names the
	// directories of new worktrees.
	Name string
	// Branch is the branch HEAD is on; "" when HEAD is detached.
	Branch string
}

// Find returns the repository of dir. It fails with an error wrapping
// ErrGitMissing, ErrNotRepo or ErrBare, or a *GitError.
func Find(ctx context.Context, dir string) (Repo, error) {
	if _, err := gitPath(); err != nil {
		return Repo{}, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Repo{}, fmt.Errorf("%s: %w", dir, err)
	}
	if fi, err := os.Stat(abs); err != nil {
		return Repo{}, fmt.Errorf("%s: %w", abs, err)
	} else if !fi.IsDir() {
		return Repo{}, fmt.Errorf("%s: not a directory", abs)
	}
	out, code, err := gitCode(ctx, abs, nil, "rev-parse", "--is-bare-repository", "--is-inside-work-tree")
	switch {
	case err != nil:
		return Repo{}, err
	case code != 0 && strings.Contains(out.stderr, "not a git repository"):
		return Repo{}, fmt.Errorf("%s: %w", abs, ErrNotRepo)
	case code != 0:
		return Repo{}, code2err(abs, []string{"rev-parse"}, code, out)
	}
	f := lines(out.stdout)
	if len(f) < 2 {
		return Repo{}, fmt.Errorf("%s: git rev-parse said %q", abs, out.stdout)
	}
	if f[0] == "true" || f[1] != "true" {
		return Repo{}, fmt.Errorf("%s: %w", abs, ErrBare)
	}
	top, err := git(ctx, abs, "rev-parse", "--show-toplevel")
	if err != nil {
		return Repo{}, err
	}
	r := Repo{Root: strings.TrimRight(top, "\n")}
	r.Main = r.Root
	if list, err := List(ctx, abs); err == nil && len(list) > 0 && !list[0].Bare {
		r.Main = list[0].Path // git lists the main working tree first
	}
	r.Name = filepath.Base(r.Main)
	br, code, err := gitCode(ctx, abs, nil, "symbolic-ref", "-q", "--short", "HEAD")
	switch {
	case err != nil:
		return Repo{}, err
	case code == 0:
		r.Branch = strings.TrimSpace(br.stdout)
	case code != 1: // 1: detached
		return Repo{}, code2err(abs, []string{"symbolic-ref", "-q", "--short", "HEAD"}, code, br)
	}
	return r, nil
}

// Options say where and how Create makes a worktree.
type Options struct {
	// Root is the directory the worktree's directory is made in;
	// "": DefaultRoot.
	Root string
	// Prefix starts the branch name; "": DefaultPrefix.
	Prefix string
	// Agent is the catalog entry or program the run is of: the branch is
	// <Prefix><Agent>-<RunID>.
	Agent string
	RunID int64
	// Base is the branch (or commit) to start from; "": the branch HEAD
	// is on, which a detached HEAD does not have (ErrDetached).
	Base string
}

// Worktree is a worktree corral made for a run.
type Worktree struct {
	Path   string // its top level
	Branch string // the branch checked out in it, made for it
	// Base is what it was made from and is compared with: a branch name
	// (the diff is against where the branch and it last met) or a commit.
	Base string
	Repo string // the repository's main working tree
	// Dir is where the run starts: the directory Create was given, at the
	// same place below the top level in the new worktree (Path itself when
	// that place is not in it).
	Dir string
	// Submodules: the repository has submodules, left uninitialised in the
	// worktree (git submodule update --init there fetches them).
	Submodules bool
}

// BranchName is the branch Create makes for a run: prefix, the agent's
// name with what a branch name cannot hold replaced by "-", and the run
// id.
func BranchName(prefix, agent string, runID int64) string {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return prefix + refWord(agent) + "-" + strconv.FormatInt(runID, 10)
}

// refWord keeps letters, digits, '.', '_' and '-' of s, the rest becoming
// '-' (one for a run of them), and never starts or ends with '.' or '-'
// or holds "..": safe in a branch
// name. An empty result is "run".
func refWord(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	w := b.String()
	for strings.Contains(w, "--") {
		w = strings.ReplaceAll(w, "--", "-")
	}
	for strings.Contains(w, "..") {
		w = strings.ReplaceAll(w, "..", ".")
	}
	w = strings.TrimLeft(w, ".-")
	w = strings.TrimSuffix(w, ".lock")
	w = strings.TrimRight(w, ".-")
	if w == "" {
		return "run"
	}
	return w
}

// CheckPrefix reports what makes prefix unusable at the start of a branch
// name, by git's rules for ref names (git check-ref-format), or nil.
func CheckPrefix(prefix string) error {
	name := prefix + "x-1"
	switch {
	case strings.HasPrefix(prefix, "-"):
		return errors.New("a branch name cannot start with \"-\"")
	case strings.HasPrefix(prefix, "/"):
		return errors.New("a branch name cannot start with \"/\"")
	case strings.Contains(name, "//"):
		return errors.New("a branch name cannot hold \"//\"")
	case strings.Contains(name, ".."):
		return errors.New("a branch name cannot hold \"..\"")
	case strings.Contains(name, "@{"):
		return errors.New("a branch name cannot hold \"@{\"")
	}
	for _, r := range prefix {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(" ~^:?*[\\", r) {
			return fmt.Errorf("a branch name cannot hold %q", r)
		}
	}
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") {
			return errors.New("no part of a branch name (between slashes) can start with \".\"")
		}
		if strings.HasSuffix(part, ".lock") {
			return errors.New("no part of a branch name (between slashes) can end with \".lock\"")
		}
	}
	return nil
}

// Create makes a new worktree of the repository of dir, on a new branch
// (BranchName) from o.Base or the branch HEAD is on, in
// <o.Root>/<repository name>-<run id>. It refuses (errors wrapping
// ErrGitMissing, ErrNotRepo, ErrBare, ErrDetached, ErrNoCommits, ErrNoBase,
// ErrBranchExists, ErrPathExists) rather than reuse anything, and when a
// step fails it removes what it made: the directory, git's record of the
// worktree and the branch. The new branch tracks nothing; submodules are
// left uninitialised.
func Create(ctx context.Context, dir string, o Options) (Worktree, error) {
	r, err := Find(ctx, dir)
	if err != nil {
		return Worktree{}, err
	}
	base := o.Base
	if base == "" {
		if r.Branch == "" {
			return Worktree{}, fmt.Errorf("%s: %w", r.Root, ErrDetached)
		}
		base = r.Branch
	}
	if _, code, err := gitCode(ctx, r.Root, nil, "rev-parse", "-q", "--verify", "--end-of-options", base+"^{commit}"); err != nil {
		return Worktree{}, err
	} else if code != 0 {
		if o.Base == "" {
			return Worktree{}, fmt.Errorf("%s: %w (branch %s has none)", r.Root, ErrNoCommits, base)
		}
		return Worktree{}, fmt.Errorf("base %q: %w in %s", base, ErrNoBase, r.Root)
	}
	if err := CheckPrefix(o.Prefix); err != nil {
		return Worktree{}, fmt.Errorf("branch prefix %q: %w", o.Prefix, err)
	}
	branch := BranchName(o.Prefix, o.Agent, o.RunID)
	if _, code, err := gitCode(ctx, r.Root, nil, "check-ref-format", "--branch", branch); err != nil {
		return Worktree{}, err
	} else if code != 0 {
		return Worktree{}, fmt.Errorf("branch %q: not a valid branch name", branch)
	}
	if _, code, err := gitCode(ctx, r.Root, nil, "show-ref", "--verify", "--quiet", "refs/heads/"+branch); err != nil {
		return Worktree{}, err
	} else if code == 0 {
		return Worktree{}, fmt.Errorf("branch %s: %w in %s", branch, ErrBranchExists, r.Main)
	}
	root := o.Root
	if root == "" {
		if root, err = DefaultRoot(); err != nil {
			return Worktree{}, err
		}
	}
	if root, err = filepath.Abs(root); err != nil {
		return Worktree{}, fmt.Errorf("worktree dir: %w", err)
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return Worktree{}, fmt.Errorf("worktree dir: %w", err)
	}
	path := filepath.Join(root, r.Name+"-"+strconv.FormatInt(o.RunID, 10))
	// Made here, not by git: the directory is claimed at once, and what is
	// in it on a failure is ours to remove.
	if err := os.Mkdir(path, 0o755); err != nil {
		if errors.Is(err, os.ErrExist) {
			return Worktree{}, fmt.Errorf("%s: %w", path, ErrPathExists)
		}
		return Worktree{}, fmt.Errorf("worktree: %w", err)
	}
	w := Worktree{Path: path, Branch: branch, Base: base, Repo: r.Main, Dir: path}
	if _, err := git(ctx, r.Main, "worktree", "add", "--no-track", "-b", branch, "--", path, base); err != nil {
		// A branch git says exists is not ours to delete.
		var ge *GitError
		undo(w, !(errors.As(err, &ge) && strings.Contains(ge.Stderr, "already exists")))
		return Worktree{}, fmt.Errorf("make worktree %s: %w", path, err)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		if rel, err := filepath.Rel(r.Root, abs); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			if fi, err := os.Stat(filepath.Join(path, rel)); err == nil && fi.IsDir() {
				w.Dir = filepath.Join(path, rel)
			}
		}
	}
	if _, err := os.Lstat(filepath.Join(path, ".gitmodules")); err == nil {
		w.Submodules = true
	}
	return w, nil
}

// undo removes what a failed Create made: the worktree git may have
// recorded, the branch it may have made, and the directory Create made.
// It has its own time, so that a cancelled Create still cleans up. The
// branch is deleted only when branch is true.
func undo(w Worktree, branch bool) {
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	_, _, _ = gitCode(ctx, w.Repo, nil, "worktree", "remove", "--force", "--", w.Path)
	_ = os.RemoveAll(w.Path)
	_, _, _ = gitCode(ctx, w.Repo, nil, "worktree", "prune")
	if branch {
		// The branch did not exist before Create: if it does now, Create's
		// git made it.
		_, _, _ = gitCode(ctx, w.Repo, nil, "branch", "-D", "--", w.Branch)
	}
}

// Discard removes a worktree Create just made, before anything ran in it
// (the run could not start): its directory, whatever is in it, and its
// branch, without asking.
func Discard(w Worktree) { undo(w, true) }

// Listed is a worktree as `git worktree list --porcelain` shows it.
type Listed struct {
	Path     string
	Head     string // commit id
	Branch   string // short name; "" when detached or bare
	Bare     bool
	Detached bool
	Locked   bool
	Prunable bool // its directory is gone
}

// List returns the worktrees of the repository of dir, the main working
// tree first.
func List(ctx context.Context, dir string) ([]Listed, error) {
	out, err := git(ctx, dir, "worktree", "list", "--porcelain")
	if err != nil {
		return nil, err
	}
	var all []Listed
	var cur *Listed
	for _, l := range strings.Split(out, "\n") {
		key, val, _ := strings.Cut(l, " ")
		if key == "worktree" {
			all = append(all, Listed{Path: val})
			cur = &all[len(all)-1]
			continue
		}
		if cur == nil {
			continue // a line before the first worktree
		}
		switch key {
		case "HEAD":
			cur.Head = val
		case "branch":
			cur.Branch = strings.TrimPrefix(val, "refs/heads/")
		case "bare":
			cur.Bare = true
		case "detached":
			cur.Detached = true
		case "locked":
			cur.Locked = true
		case "prunable":
			cur.Prunable = true
		}
	}
	return all, nil
}
