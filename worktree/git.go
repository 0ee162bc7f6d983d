// Package worktree makes and inspects the git worktrees corral runs agents in.
//
// Every git call is an argv (never a shell) run as `git -C dir …` with a
// timeout, GIT_TERMINAL_PROMPT=0 (a credential prompt fails instead of
// hanging), LC_ALL=C (git's messages are parsed), GIT_OPTIONAL_LOCKS=0 (a
// status does not rewrite the user's index) and without the GIT_DIR family
// of variables, which would override -C.
//
// A worktree is made on a new branch <prefix><agent>-<run id> (prefix
// [DefaultPrefix]) from the branch HEAD is on or a given base, in
// <root>/<repository name>-<run id> (root [DefaultRoot]). Submodules are
// left uninitialised in it ([Worktree.Submodules] says the repository has
// some): initialising them may clone over the network, which a form must
// not wait for; `git submodule update --init` in the worktree does it.
package worktree

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"corral/internal/child"
)

// Timeout bounds one git call when the caller's context has no earlier
// deadline.
const Timeout = 30 * time.Second

// The errors callers branch on, wrapped with the directory or name they
// concern; test them with errors.Is.
var (
	// ErrGitMissing: no git program on PATH.
	ErrGitMissing = errors.New("git is not installed (no git on PATH)")
	// ErrNotRepo: the directory is not inside a git working tree.
	ErrNotRepo = errors.New("not inside a git repository")
	// ErrBare: the repository is bare (or the directory is inside .git):
	// there is no working tree to branch from.
	ErrBare = errors.New("a bare repository (no working tree): corral makes worktrees of a repository with one")
	// ErrDetached: HEAD is on no branch and no base was given.
	ErrDetached = errors.New("HEAD is detached (on no branch): choose a base branch")
	// ErrNoCommits: the repository has no commit to branch from.
	ErrNoCommits = errors.New("the repository has no commits yet")
	// ErrNoBase: the base names no branch or commit.
	ErrNoBase = errors.New("no such branch or commit")
	// ErrBranchExists: the new branch's name is taken.
	ErrBranchExists = errors.New("the branch already exists")
	// ErrPathExists: the new worktree's directory is taken.
	ErrPathExists = errors.New("the directory already exists")
)

// GitError is a git command that failed: its arguments, exit code and
// what it wrote to stderr.
type GitError struct {
	Dir    string
	Args   []string
	Code   int    // exit code; -1 when it did not exit (timeout, not started)
	Stderr string // trimmed
	Err    error
}

func (e *GitError) Error() string {
	msg := e.Stderr
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if msg == "" {
		msg = e.Err.Error()
	}
	return fmt.Sprintf("git %s: %s", strings.Join(e.Args, " "), msg)
}

func (e *GitError) Unwrap() error { return e.Err }

// unsetVars are variables that would point git elsewhere than -C dir.
var unsetVars = []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
	"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_PREFIX",
	"GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_PAGER", "PAGER"}

// environ is the environment of every git call.
func environ() []string {
	env := make([]string, 0, len(os.Environ())+4)
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name == "LC_ALL" || name == "LANG" || name == "GIT_TERMINAL_PROMPT" || name == "GIT_OPTIONAL_LOCKS" {
			continue
		}
		skip := false
		for _, u := range unsetVars {
			if name == u {
				skip = true
				break
			}
		}
		if !skip {
			env = append(env, kv)
		}
	}
	return append(env, "LC_ALL=C", "GIT_TERMINAL_PROMPT=0", "GIT_OPTIONAL_LOCKS=0")
}

// gitPath finds git, or says it is missing.
func gitPath() (string, error) {
	p, err := exec.LookPath("git")
	if err != nil {
		return "", ErrGitMissing
	}
	return p, nil
}

// git runs `git -C dir args…` and returns its stdout; any exit code but 0
// is a *GitError.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	out, code, err := gitCode(ctx, dir, nil, args...)
	if err == nil && code != 0 {
		err = code2err(dir, args, code, out)
	}
	if err != nil {
		return "", err
	}
	return out.stdout, nil
}

// output is what a git call wrote.
type output struct{ stdout, stderr string }

func code2err(dir string, args []string, code int, out output) error {
	return &GitError{Dir: dir, Args: args, Code: code, Stderr: strings.TrimSpace(out.stderr),
		Err: fmt.Errorf("exit status %d", code)}
}

// gitCode runs `git -C dir args…` and returns what it wrote and its exit
// code; err is for a git that did not run to its end (missing, timed out).
// stdout, when not nil, receives the output instead of the returned
// string.
func gitCode(ctx context.Context, dir string, stdout *capped, args ...string) (output, int, error) {
	return gitCall(ctx, dir, call{stdout: stdout}, args...)
}

// call is what a git call gets besides its arguments.
type call struct {
	env    []string  // added to the environment (after what environ removes)
	stdin  io.Reader // nil: none
	stdout *capped   // nil: returned in output
}

// gitCalled, when a test sets it, is given the arguments of every git
// call before it runs: a test counts them.
var gitCalled func(args []string)

// gitCall is gitCode with an environment and input of the call's own.
func gitCall(ctx context.Context, dir string, c call, args ...string) (output, int, error) {
	if gitCalled != nil {
		gitCalled(args)
	}
	stdout := c.stdout
	path, err := gitPath()
	if err != nil {
		return output{}, -1, err
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, append([]string{"-C", dir}, args...)...)
	cmd.Env = append(environ(), c.env...)
	cmd.Stdin = c.stdin
	cmd.WaitDelay = time.Second // a child of git holding the pipes does not hold us
	var so, se bytes.Buffer
	if stdout != nil {
		cmd.Stdout = stdout
	} else {
		cmd.Stdout = &so
	}
	cmd.Stderr = &capped{max: 64 << 10, buf: &se}
	err = child.Run(cmd) // a direct child: corral's reaper of orphans leaves it to Wait
	out := output{stdout: so.String(), stderr: se.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out, 0, nil
	case ctx.Err() != nil:
		return out, -1, &GitError{Dir: dir, Args: args, Code: -1, Stderr: strings.TrimSpace(out.stderr),
			Err: fmt.Errorf("no answer within %s: %w", Timeout, ctx.Err())}
	case errors.As(err, &exit) && exit.Exited():
		return out, exit.ExitCode(), nil
	case errors.Is(err, exec.ErrNotFound):
		return out, -1, ErrGitMissing
	}
	return out, -1, &GitError{Dir: dir, Args: args, Code: -1, Stderr: strings.TrimSpace(out.stderr), Err: err}
}

// capped keeps the first max bytes written to it and counts the rest: a
// diff of a huge file neither fills the memory nor stops git half-way.
type capped struct {
	max     int
	buf     *bytes.Buffer
	dropped int64
}

func (c *capped) Write(p []byte) (int, error) {
	room := c.max - c.buf.Len()
	if room >= len(p) {
		return c.buf.Write(p)
	}
	if room > 0 {
		c.buf.Write(p[:room])
	}
	c.dropped += int64(len(p) - max(room, 0))
	return len(p), nil
}

// lines splits git's newline-ended output into its lines.
func lines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
