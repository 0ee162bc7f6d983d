package history

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Worktree is a git worktree corral made for a run (package worktree), as
// the index records it: the record `corral worktrees` lists and prunes.
type Worktree struct {
	RunID     int64     `json:"run"`
	Repo      string    `json:"repo"`   // the repository's main working tree
	Path      string    `json:"path"`   // the worktree's directory
	Branch    string    `json:"branch"` // the branch made for it
	Base      string    `json:"base"`   // what it was made from
	CreatedAt time.Time `json:"created_at"`
	// RemovedAt is when corral removed it; zero while it is kept.
	RemovedAt time.Time `json:"removed_at,omitzero"`
}

const worktreeColumns = `run_id, repo, path, branch, base, created_at, removed_at`

// AddWorktree records a worktree made for a run. CreatedAt defaults to
// now. A run has one worktree: a second record for it replaces the first.
func (s *Store) AddWorktree(w Worktree) error {
	if w.CreatedAt.IsZero() {
		w.CreatedAt = s.opts.now()
	}
	_, err := s.db.Exec(`INSERT OR REPLACE INTO worktrees(`+worktreeColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		w.RunID, w.Repo, w.Path, w.Branch, w.Base, w.CreatedAt.UnixMilli(), millis(w.RemovedAt))
	if err != nil {
		return fmt.Errorf("history: record the worktree of run %d: %w", w.RunID, err)
	}
	return nil
}

// WorktreeRemoved records that a run's worktree was removed, at at. The
// error wraps ErrNotFound when the run has no worktree recorded.
func (s *Store) WorktreeRemoved(runID int64, at time.Time) error {
	res, err := s.db.Exec(`UPDATE worktrees SET removed_at = ? WHERE run_id = ?`, at.UnixMilli(), runID)
	return affected(res, err, "record the removed worktree of", runID)
}

// Worktree returns the worktree recorded for a run; the error wraps
// ErrNotFound when there is none.
func (s *Store) Worktree(runID int64) (Worktree, error) {
	w, err := scanWorktree(s.db.QueryRow(`SELECT `+worktreeColumns+` FROM worktrees WHERE run_id = ?`, runID))
	if errors.Is(err, sql.ErrNoRows) {
		return Worktree{}, fmt.Errorf("history: the worktree of run %d: %w", runID, ErrNotFound)
	} else if err != nil {
		return Worktree{}, fmt.Errorf("history: the worktree of run %d: %w", runID, err)
	}
	return w, nil
}

// Worktrees returns the recorded worktrees, oldest first: those not
// removed, or all of them with removed.
func (s *Store) Worktrees(removed bool) ([]Worktree, error) {
	q := `SELECT ` + worktreeColumns + ` FROM worktrees`
	if !removed {
		q += ` WHERE removed_at IS NULL`
	}
	return queryAll(s, "worktrees", scanWorktree, q+` ORDER BY created_at, run_id`)
}

func scanWorktree(sc scanner) (Worktree, error) {
	var (
		w       Worktree
		created int64
		removed sql.NullInt64
	)
	if err := sc.Scan(&w.RunID, &w.Repo, &w.Path, &w.Branch, &w.Base, &created, &removed); err != nil {
		return Worktree{}, err
	}
	w.CreatedAt = time.UnixMilli(created)
	if removed.Valid {
		w.RemovedAt = time.UnixMilli(removed.Int64)
	}
	return w, nil
}
