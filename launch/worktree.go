package launch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"corral/history"
	"corral/internal/cmdname"
	"corral/registry"
	"corral/tui"
	"corral/worktree"
)

// worktreeTimeout bounds the making of a worktree, and each measuring,
// diff or removal of one.
const worktreeTimeout = time.Minute

// workspace is the git worktree a run started in, part of its record
// (guarded by Launcher.mu): the worktree, and what the interface is shown
// of it, with its change as last measured.
type workspace struct {
	wt    worktree.Worktree
	shown tui.Worktree
}

// ErrNoWorktree is wrapped by the errors of the worktree methods given a
// run that was not started in a worktree, or whose worktree was removed.
var ErrNoWorktree = errors.New("no worktree")

// newWorktree makes the worktree a request asks for (req.Worktree) for the
// run id, and returns the request the run then starts with: in the
// worktree (at the place below the repository's top where req's directory
// is), with Worktree and Base cleared, so that a restart starts there
// again. Without req.Worktree it returns req and a nil workspace. The
// worktree is recorded in the history, for `corral worktrees`.
func (l *Launcher) newWorktree(req tui.Request, id int64) (tui.Request, *workspace, error) {
	if !req.Worktree {
		return req, nil, nil
	}
	dir, name := expandHome(req.Dir), cmdname.Name(req.Command)
	if req.Agent != "" {
		a, ok := l.cfg.Agent(req.Agent)
		if !ok {
			return req, nil, fmt.Errorf("no agent named %q in the catalog", req.Agent)
		}
		if dir == "" {
			dir = expandHome(a.Dir)
		}
		name = a.Name
	}
	ctx, cancel := context.WithTimeout(context.Background(), worktreeTimeout)
	defer cancel()
	wt, err := worktree.Create(ctx, l.projectOf(dir), worktree.Options{Root: l.cfg.Settings.WorktreeRoot(),
		Prefix: l.cfg.Settings.WorktreePrefix, Agent: name, RunID: id, Base: req.Base})
	if err != nil {
		return req, nil, fmt.Errorf("new worktree: %w", err)
	}
	if h := l.recorderOf(); h != nil {
		err := h.store.AddWorktree(history.Worktree{RunID: id, Repo: wt.Repo, Path: wt.Path, Branch: wt.Branch, Base: wt.Base})
		if err != nil {
			l.reg.Logger().Warn("history: the worktree of a run is not recorded", "run", id, "path", wt.Path, "err", err)
		}
	}
	req.Dir, req.Worktree, req.Base = wt.Dir, false, ""
	return req, &workspace{wt: wt, shown: shownOf(wt)}, nil
}

// discardWorktree removes the worktree made for a run that did not start,
// and its branch: nothing ran in it.
func (l *Launcher) discardWorktree(id int64, ws *workspace) {
	if ws == nil {
		return
	}
	worktree.Discard(ws.wt)
	if h := l.recorderOf(); h != nil {
		_ = h.store.WorktreeRemoved(id, time.Now())
	}
}

// shownOf is what the interface is shown of a worktree before it is
// measured.
func shownOf(wt worktree.Worktree) tui.Worktree {
	return tui.Worktree{Path: wt.Path, Branch: wt.Branch, Base: wt.Base, Repo: wt.Repo, Submodules: wt.Submodules}
}

// Worktree returns the git worktree a run was started in, with its change
// as last measured by RefreshWorktree (zero until then); false for a run
// started without one, or whose worktree was removed. It runs no git.
func (l *Launcher) Worktree(runID int64) (tui.Worktree, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r := l.runs[runID]; r != nil && r.ws != nil {
		return r.ws.shown, true
	}
	return tui.Worktree{}, false
}

// worktreeOf returns a run's worktree: from its record, or, for a run no
// longer registered, from the history.
func (l *Launcher) worktreeOf(runID int64) (worktree.Worktree, error) {
	l.mu.Lock()
	r := l.runs[runID]
	var ws *workspace
	if r != nil {
		ws = r.ws
	}
	l.mu.Unlock()
	if ws != nil {
		return ws.wt, nil
	}
	if h := l.recorderOf(); h != nil && r == nil {
		if w, err := h.store.Worktree(runID); err == nil && w.RemovedAt.IsZero() {
			return worktree.Worktree{Path: w.Path, Branch: w.Branch, Base: w.Base, Repo: w.Repo, Dir: w.Path}, nil
		}
	}
	return worktree.Worktree{}, fmt.Errorf("run %d: %w", runID, ErrNoWorktree)
}

// RefreshWorktree measures a run's worktree against its base again (files
// changed, lines added and removed, uncommitted work, commits ahead) and
// keeps the result for Worktree. It runs git, which may take a while on a
// large tree: call it from a command, never from Update.
func (l *Launcher) RefreshWorktree(runID int64) (tui.Worktree, error) {
	wt, err := l.worktreeOf(runID)
	if err != nil {
		return tui.Worktree{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), worktreeTimeout)
	defer cancel()
	stats, err := worktree.DiffStats(ctx, wt)
	if err != nil {
		return tui.Worktree{}, fmt.Errorf("measure the worktree of run %d: %w", runID, err)
	}
	return l.keepMeasure(ctx, runID, wt, stats)
}

// keepMeasure completes a worktree's measure with its status (the row
// shows no unpushed count: QuickStatus spares it) and keeps it for
// Worktree.
func (l *Launcher) keepMeasure(ctx context.Context, runID int64, wt worktree.Worktree, stats worktree.Stats) (tui.Worktree, error) {
	st, err := worktree.QuickStatus(ctx, wt)
	if err != nil {
		return tui.Worktree{}, fmt.Errorf("measure the worktree of run %d: %w", runID, err)
	}
	shown := shownOf(wt)
	shown.Files, shown.Added, shown.Removed = stats.Files, stats.Added, stats.Removed
	shown.Dirty, shown.Ahead = st.Dirty(), st.Ahead
	l.mu.Lock()
	if r := l.runs[runID]; r != nil && r.ws != nil && r.ws.wt == wt {
		r.ws.shown = shown
	}
	l.mu.Unlock()
	return shown, nil
}

// Diff returns the change of a run's worktree against its base, coloured
// as git shows it (committed and uncommitted changes, then each untracked
// file as added), at most worktree.MaxDiff bytes, and measures the
// worktree again as RefreshWorktree does, from the same look at it (one
// merge base, one list of untracked files). A measure that fails is
// logged: the diff is what was asked for. It runs git: call it from a
// command.
func (l *Launcher) Diff(runID int64) (string, error) {
	wt, err := l.worktreeOf(runID)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), worktreeTimeout)
	defer cancel()
	d, stats, err := worktree.DiffAndStats(ctx, wt)
	if err != nil {
		return "", fmt.Errorf("the diff of run %d: %w", runID, err)
	}
	if _, err := l.keepMeasure(ctx, runID, wt, stats); err != nil {
		l.reg.Logger().Warn("worktree not measured", "run", runID, "err", err)
	}
	return d, nil
}

// WorktreeLoss names what removing a run's worktree (and, with
// deleteBranch, its branch) would lose — "2 files with uncommitted
// changes, 1 untracked file, 3 commits that no other branch or remote
// has" — or "" when nothing would: the second question's words. It runs
// git: call it from a command.
func (l *Launcher) WorktreeLoss(runID int64, deleteBranch bool) (string, error) {
	st, err := onWorktree(l, runID, "the worktree", worktree.StatusOf)
	if err != nil {
		return "", err
	}
	return st.Loss(deleteBranch), nil
}

// onWorktree calls ask on a run's worktree, within worktreeTimeout, and
// wraps its error as what of the run ("the diff of run 3: …").
func onWorktree[T any](l *Launcher, runID int64, what string, ask func(context.Context, worktree.Worktree) (T, error)) (T, error) {
	var zero T
	wt, err := l.worktreeOf(runID)
	if err != nil {
		return zero, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), worktreeTimeout)
	defer cancel()
	v, err := ask(ctx, wt)
	if err != nil {
		return zero, fmt.Errorf("%s of run %d: %w", what, runID, err)
	}
	return v, nil
}

// RemoveWorktree removes a run's worktree, and its branch when
// deleteBranch. Without force it refuses, with an error wrapping a
// *worktree.LossError that names the loss, when uncommitted or untracked
// files (or, with deleteBranch, commits nothing else holds) would be lost;
// force is the person's second, explicit yes. A run still running is
// refused whatever force says: its worktree is its working directory. The
// run's record keeps no worktree afterwards, and the history records the
// removal. It also serves a run already unregistered, from the history.
// It runs git: call it from a command.
func (l *Launcher) RemoveWorktree(runID int64, force, deleteBranch bool) error {
	wt, err := l.worktreeOf(runID)
	if err != nil {
		return err
	}
	if info, ok := l.reg.Process(runID); ok && info.Active() {
		return fmt.Errorf("remove the worktree of run %d: %w: stop it first", runID, registry.ErrActive)
	}
	ctx, cancel := context.WithTimeout(context.Background(), worktreeTimeout)
	defer cancel()
	if err := worktree.Remove(ctx, wt, force, deleteBranch); err != nil {
		return fmt.Errorf("run %d: %w", runID, err)
	}
	l.mu.Lock()
	if r := l.runs[runID]; r != nil && r.ws != nil && r.ws.wt == wt {
		r.ws = nil
	}
	l.mu.Unlock()
	if h := l.recorderOf(); h != nil {
		if err := h.store.WorktreeRemoved(runID, time.Now()); err != nil && !errors.Is(err, history.ErrNotFound) {
			l.reg.Logger().Warn("history: a removed worktree is not recorded as removed", "run", runID, "err", err)
		}
	}
	return nil
}

// Repository returns the top level of the git working tree dir is in
// (corral's own directory for ""), or why there is none (an error wrapping
// worktree.ErrNotRepo, ErrBare or ErrGitMissing): the form offers a new
// worktree only where it can be made. It runs git: call it from a command.
func (l *Launcher) Repository(dir string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), worktreeTimeout)
	defer cancel()
	r, err := worktree.Find(ctx, l.projectOf(expandHome(dir)))
	if err != nil {
		return "", err
	}
	return r.Root, nil
}
