package worktree

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Limits of the work DiffStats and Diff do for files git does not track:
// beyond them the files are counted but not read (Stats.Partial), or not
// shown.
const (
	// MaxUntracked is how many untracked files have their lines counted.
	MaxUntracked = 2000
	// MaxUntrackedBytes is how many bytes of untracked files are read in
	// all to count their lines.
	MaxUntrackedBytes = 32 << 20
	// MaxDiff is how many bytes of diff Diff returns.
	MaxDiff = 8 << 20
)

// Stats is the change of a worktree against its base: committed,
// uncommitted and untracked files together.
type Stats struct {
	// Files is how many files differ: changed, added (untracked ones
	// included) or deleted; binary files count here only.
	Files   int
	Added   int // lines
	Removed int // lines
	// Untracked is how many of Files git does not track yet.
	Untracked int
	// Partial: there were more untracked files than MaxUntracked or more
	// bytes than MaxUntrackedBytes; the lines of the rest are not counted.
	Partial bool
}

// mergeBase is the commit a worktree's changes are measured from: where
// its HEAD and its base last met, so that commits made on the base since
// do not count as changes of the worktree.
func mergeBase(ctx context.Context, w Worktree) (string, error) {
	out, err := git(ctx, w.Path, "merge-base", "--end-of-options", w.Base, "HEAD")
	if err != nil {
		if _, verr := git(ctx, w.Path, "rev-parse", "-q", "--verify", "--end-of-options", w.Base+"^{commit}"); verr != nil {
			return "", fmt.Errorf("base %q: %w", w.Base, ErrNoBase)
		}
		return "", err
	}
	return strings.TrimSpace(out), nil
}

// basis is what a worktree's measure and its diff both start from: the
// merge base, and the files git does not track. Found once, it serves
// both (DiffAndStats).
type basis struct {
	mergeBase string
	untracked []string
}

// lookAt finds a worktree's basis: its merge base, then its untracked
// files.
func lookAt(ctx context.Context, w Worktree) (basis, error) {
	mb, err := mergeBase(ctx, w)
	if err != nil {
		return basis{}, err
	}
	untracked, err := untrackedFiles(ctx, w.Path)
	if err != nil {
		return basis{}, err
	}
	return basis{mergeBase: mb, untracked: untracked}, nil
}

// DiffStats measures a worktree's change against its base, from
// `git diff --numstat` of the merge base and the working tree (committed
// and uncommitted changes) and the untracked files' lines, read here
// within MaxUntracked and MaxUntrackedBytes. It does not touch the index.
func DiffStats(ctx context.Context, w Worktree) (Stats, error) {
	b, err := lookAt(ctx, w)
	if err != nil {
		return Stats{}, err
	}
	return b.stats(ctx, w)
}

// DiffAndStats returns what Diff and DiffStats return, from one look at
// the worktree: its merge base is found and its untracked files listed
// once for both.
func DiffAndStats(ctx context.Context, w Worktree) (string, Stats, error) {
	b, err := lookAt(ctx, w)
	if err != nil {
		return "", Stats{}, err
	}
	s, err := b.stats(ctx, w)
	if err != nil {
		return "", Stats{}, err
	}
	d, err := b.diff(ctx, w)
	if err != nil {
		return "", Stats{}, err
	}
	return d, s, nil
}

// stats is DiffStats from the basis found.
func (b basis) stats(ctx context.Context, w Worktree) (Stats, error) {
	out, err := git(ctx, w.Path, "diff", "--numstat", "-z", "--no-renames", "--no-ext-diff", b.mergeBase, "--")
	if err != nil {
		return Stats{}, err
	}
	var s Stats
	for _, rec := range strings.Split(out, "\x00") {
		add, rest, ok := strings.Cut(rec, "\t")
		if !ok {
			continue
		}
		del, _, _ := strings.Cut(rest, "\t")
		s.Files++
		a, aerr := strconv.Atoi(add)
		d, derr := strconv.Atoi(del)
		if aerr == nil && derr == nil { // "-" "-": binary
			s.Added += a
			s.Removed += d
		}
	}
	budget := int64(MaxUntrackedBytes)
	for i, name := range b.untracked {
		s.Files++
		s.Untracked++
		if i >= MaxUntracked || budget <= 0 {
			s.Partial = true
			continue
		}
		n, read, full := countLines(filepath.Join(w.Path, name), budget)
		budget -= read
		s.Added += n
		if !full {
			s.Partial = true
		}
	}
	return s, nil
}

// untrackedFiles lists the files of a worktree that git does not track
// and does not ignore, relative to its top.
func untrackedFiles(ctx context.Context, dir string) ([]string, error) {
	out, err := git(ctx, dir, "ls-files", "--others", "--exclude-standard", "-z", "--full-name", ":/")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, n := range strings.Split(out, "\x00") {
		if n != "" && !strings.HasSuffix(n, "/") { // a nested repository is listed as dir/
			names = append(names, n)
		}
	}
	return names, nil
}

// countLines counts the lines of a file as git's diff would add them:
// none for a binary file (a NUL in its first 8000 bytes), one for a
// symbolic link, and a last line without a newline counted. It reads at
// most budget bytes; read says how many it did, full whether it read the
// whole file.
func countLines(path string, budget int64) (n int, read int64, full bool) {
	fi, err := os.Lstat(path)
	if err != nil {
		return 0, 0, true // gone meanwhile
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		return 1, 0, true
	}
	if !fi.Mode().IsRegular() {
		return 0, 0, true
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, true
	}
	defer f.Close()
	buf := make([]byte, 32<<10)
	var last byte
	first := true
	for read < budget {
		k, err := f.Read(buf[:min(int64(len(buf)), budget-read)])
		if first && k > 0 {
			first = false
			if bytes.IndexByte(buf[:min(k, 8000)], 0) >= 0 {
				return 0, int64(k), true // binary
			}
		}
		if k > 0 {
			n += bytes.Count(buf[:k], []byte{'\n'})
			last = buf[k-1]
			read += int64(k)
		}
		if err == io.EOF || (err == nil && k == 0) {
			if read > 0 && last != '\n' {
				n++
			}
			return n, read, true
		}
		if err != nil {
			return n, read, false
		}
	}
	// The budget ran out: is there more?
	if k, _ := f.Read(buf[:1]); k == 0 {
		if read > 0 && last != '\n' {
			n++
		}
		return n, read, true
	}
	return n, read, false
}

// Status is what would be lost with a worktree and its branch.
type Status struct {
	// Gone: the worktree's directory no longer exists; nothing
	// uncommitted can be lost.
	Gone bool
	// Changed is how many tracked files have uncommitted changes (staged
	// or not), Untracked how many files git does not track (ignored ones
	// not counted: they go with the worktree).
	Changed   int
	Untracked int
	// Ahead is how many commits the branch has that its base has not;
	// Behind how many the base has that the branch has not.
	Ahead  int
	Behind int
	// Unpushed is how many commits of the branch no other branch and no
	// remote-tracking branch holds: deleting the branch loses them.
	Unpushed int
}

// Dirty reports uncommitted changes or untracked files.
func (s Status) Dirty() bool { return s.Changed > 0 || s.Untracked > 0 }

// Loss names what removing the worktree (and, with branch, deleting its
// branch) would lose, "" when nothing.
func (s Status) Loss(branch bool) string {
	var parts []string
	if s.Changed > 0 {
		parts = append(parts, plural(s.Changed, "file")+" with uncommitted changes")
	}
	if s.Untracked > 0 {
		parts = append(parts, plural(s.Untracked, "untracked file"))
	}
	if branch && s.Unpushed > 0 {
		parts = append(parts, plural(s.Unpushed, "commit")+" that no other branch or remote has")
	}
	return strings.Join(parts, ", ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// StatusOf returns what removing a worktree and its branch would lose. A
// worktree whose directory is gone has only its branch to lose.
func StatusOf(ctx context.Context, w Worktree) (Status, error) {
	return statusOf(ctx, w, true)
}

// QuickStatus is StatusOf without Unpushed, which it leaves 0: it spares
// the walk of every branch and remote-tracking branch that counting it
// takes, for a measure that shows only Dirty and Ahead (a run's row).
func QuickStatus(ctx context.Context, w Worktree) (Status, error) {
	return statusOf(ctx, w, false)
}

// statusOf is StatusOf, with Unpushed counted only when unpushed.
func statusOf(ctx context.Context, w Worktree, unpushed bool) (Status, error) {
	var s Status
	if _, err := os.Stat(w.Path); errors.Is(err, os.ErrNotExist) {
		s.Gone = true
	} else {
		out, err := git(ctx, w.Path, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignore-submodules=none")
		if err != nil {
			return Status{}, err
		}
		recs := strings.Split(out, "\x00")
		for i := 0; i < len(recs); i++ {
			r := recs[i]
			if len(r) < 3 {
				continue
			}
			switch {
			case r[:2] == "??":
				s.Untracked++
			default:
				s.Changed++
				if r[0] == 'R' || r[0] == 'C' {
					i++ // the name it came from follows
				}
			}
		}
	}
	dir := w.Repo
	if s.Gone {
		if _, err := os.Stat(dir); err != nil {
			return s, fmt.Errorf("repository %s: %w", dir, err)
		}
	} else {
		dir = w.Path
	}
	ref := "refs/heads/" + w.Branch
	if _, code, err := gitCode(ctx, dir, nil, "show-ref", "--verify", "--quiet", ref); err != nil {
		return Status{}, err
	} else if code != 0 {
		return s, nil // no branch: no commits to lose
	}
	out, err := git(ctx, dir, "rev-list", "--left-right", "--count", "--end-of-options", w.Base+"..."+ref)
	if err == nil {
		f := strings.Fields(out)
		if len(f) == 2 {
			s.Behind, _ = strconv.Atoi(f[0])
			s.Ahead, _ = strconv.Atoi(f[1])
		}
	}
	if !unpushed {
		return s, nil
	}
	out, err = git(ctx, dir, "rev-list", "--count", ref, "--not", "--exclude="+w.Branch, "--branches", "--remotes")
	if err != nil {
		return Status{}, err
	}
	s.Unpushed, _ = strconv.Atoi(strings.TrimSpace(out))
	return s, nil
}

// LossError is Remove's refusal: the worktree holds work that removing it
// (or deleting its branch) would lose, and force was not given.
type LossError struct {
	Worktree Worktree
	Status   Status
	Branch   bool // the branch was to be deleted too
}

func (e *LossError) Error() string {
	return fmt.Sprintf("worktree %s holds %s: removing it needs a confirmation", e.Worktree.Path, e.Status.Loss(e.Branch))
}

// Remove removes a worktree (git worktree remove), and its branch too when
// deleteBranch (git branch -D). Without force it first checks what would
// be lost and refuses with a *LossError if anything would: uncommitted or
// untracked files, or, with deleteBranch, commits no other branch or
// remote holds. With force they are lost. Ignored files (build output)
// go with the worktree either way. A worktree whose directory is already
// gone is pruned from git's records.
func Remove(ctx context.Context, w Worktree, force, deleteBranch bool) error {
	var st Status
	if force {
		// What would be lost was asked (and accepted) before: only
		// whether the directory is still there matters now.
		_, err := os.Stat(w.Path)
		st.Gone = errors.Is(err, os.ErrNotExist)
	} else {
		var err error
		if st, err = StatusOf(ctx, w); err != nil {
			return fmt.Errorf("remove worktree %s: %w", w.Path, err)
		}
		if st.Dirty() || (deleteBranch && st.Unpushed > 0) {
			return &LossError{Worktree: w, Status: st, Branch: deleteBranch}
		}
	}
	dir := w.Repo
	if _, err := os.Stat(dir); err != nil {
		dir = w.Path
	}
	if st.Gone {
		if _, err := git(ctx, dir, "worktree", "prune"); err != nil {
			return fmt.Errorf("remove worktree %s: %w", w.Path, err)
		}
	} else {
		args := []string{"worktree", "remove"}
		if force {
			args = append(args, "--force")
		}
		if _, err := git(ctx, dir, append(args, "--", w.Path)...); err != nil {
			return fmt.Errorf("remove worktree %s: %w", w.Path, err)
		}
	}
	if deleteBranch {
		if dir == w.Path { // the worktree is gone now
			dir = w.Repo
		}
		_, code, err := gitCode(ctx, dir, nil, "show-ref", "--verify", "--quiet", "refs/heads/"+w.Branch)
		if err == nil && code == 0 {
			if _, err := git(ctx, dir, "branch", "-D", "--", w.Branch); err != nil {
				return fmt.Errorf("delete branch %s: %w", w.Branch, err)
			}
		}
	}
	return nil
}

// Diff returns the change of a worktree against its base as git shows it,
// coloured (--color=always): from the merge base to the working tree,
// untracked files (at most MaxUntracked of them) included as added ones.
// It returns at most MaxDiff bytes, ending with a line that says what was
// left out. The untracked files are marked intent-to-add (git add -N) in a
// copy of the worktree's index, which git is given for this one diff: the
// worktree's own index is not touched.
func Diff(ctx context.Context, w Worktree) (string, error) {
	b, err := lookAt(ctx, w)
	if err != nil {
		return "", err
	}
	return b.diff(ctx, w)
}

// diff is Diff from the basis found.
func (b basis) diff(ctx context.Context, w Worktree) (string, error) {
	untracked := b.untracked
	left := max(len(untracked)-MaxUntracked, 0)
	untracked = untracked[:len(untracked)-left]
	var env []string
	if len(untracked) > 0 {
		idx, err := indexCopy(ctx, w.Path)
		if err != nil {
			return "", err
		}
		defer os.Remove(idx)
		env = []string{"GIT_INDEX_FILE=" + idx}
		list := strings.Join(untracked, "\x00") + "\x00"
		args := []string{"add", "--intent-to-add", "--pathspec-from-file=-", "--pathspec-file-nul"}
		out, code, err := gitCall(ctx, w.Path, call{env: env, stdin: strings.NewReader(list)}, args...)
		if err == nil && code != 0 {
			err = code2err(w.Path, args, code, out)
		}
		if err != nil {
			return "", err
		}
	}
	var buf bytes.Buffer
	c := &capped{max: MaxDiff, buf: &buf}
	args := []string{"diff", "--color=always", "--no-ext-diff", "--no-renames", b.mergeBase, "--"}
	out, code, err := gitCall(ctx, w.Path, call{env: env, stdout: c}, args...)
	if err == nil && code != 0 {
		err = code2err(w.Path, args, code, out)
	}
	if err != nil {
		return "", err
	}
	switch {
	case c.dropped > 0:
		fmt.Fprintf(&buf, "\n[corral: the diff goes on: %d more bytes not shown]\n", c.dropped)
	case left > 0:
		fmt.Fprintf(&buf, "\n[corral: %d more untracked files not shown]\n", left)
	}
	return buf.String(), nil
}

// indexCopy copies the index of the worktree at dir to a temporary file,
// for a git call to change instead of it; the caller removes the copy.
func indexCopy(ctx context.Context, dir string) (string, error) {
	p, err := git(ctx, dir, "rev-parse", "--git-path", "index")
	if err != nil {
		return "", err
	}
	p = strings.TrimSpace(p)
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	src, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("the worktree's index: %w", err)
	}
	defer src.Close()
	dst, err := os.CreateTemp("", "corral-index-*")
	if err != nil {
		return "", fmt.Errorf("a copy of the index: %w", err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		os.Remove(dst.Name())
		return "", fmt.Errorf("a copy of the index: %w", err)
	}
	if err := dst.Close(); err != nil {
		os.Remove(dst.Name())
		return "", fmt.Errorf("a copy of the index: %w", err)
	}
	return dst.Name(), nil
}
