package history

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Prune applies the store's limits now. Runs that ended more than the
// maximum age ago are deleted with their logs, as are log files of runs the
// index does not hold once they are that old. Then, while all logs
// together exceed the total cap, the logs of the oldest ended runs are
// deleted and their rows marked LogPruned. Running runs are left alone.
// Several processes may prune at once.
func (s *Store) Prune() error {
	now := s.opts.now()
	var errs []error
	if s.opts.maxAge > 0 {
		cut := now.Add(-s.opts.maxAge)
		old, err := s.query(`SELECT `+runColumns+` FROM runs
			WHERE status != ? AND coalesce(ended_at, started_at) < ?`, StatusRunning, cut.UnixMilli())
		if err != nil {
			return fmt.Errorf("history: prune: %w", err)
		}
		for _, r := range old {
			if err := s.Delete(r.ID); err != nil && !errors.Is(err, ErrNotFound) {
				errs = append(errs, err)
			}
		}
	}

	files, err := s.logFiles()
	if err != nil {
		return fmt.Errorf("history: prune: %w", err)
	}
	known, err := s.runTimes()
	if err != nil {
		return fmt.Errorf("history: prune: %w", err)
	}
	var total int64
	var ids []int64 // runs with files, ended, oldest first below
	seen := map[int64]bool{}
	for _, f := range files {
		r, ok := known[f.id]
		if !ok {
			if s.opts.maxAge > 0 && now.Sub(f.mod) > s.opts.maxAge && !s.writing(f.id) {
				if err := os.Remove(f.path); err != nil && !errors.Is(err, os.ErrNotExist) {
					errs = append(errs, fmt.Errorf("history: prune: %w", err))
				}
				continue
			}
		} else if r.ended && !seen[f.id] {
			seen[f.id] = true
			ids = append(ids, f.id)
		}
		total += f.size
	}
	if total <= s.opts.totalCap {
		return errors.Join(errs...)
	}
	slices.SortFunc(ids, func(a, b int64) int {
		return cmp.Or(cmp.Compare(known[a].started, known[b].started), cmp.Compare(a, b))
	})
	sizes := map[int64]int64{}
	for _, f := range files {
		sizes[f.id] += f.size
	}
	for _, id := range ids {
		if total <= s.opts.totalCap {
			break
		}
		if s.writing(id) {
			continue
		}
		if _, err := s.db.Exec(`UPDATE runs SET log_pruned = 1 WHERE id = ?`, id); err != nil {
			errs = append(errs, fmt.Errorf("history: prune run %d: %w", id, err))
			continue
		}
		if err := s.removeLog(id); err != nil {
			errs = append(errs, fmt.Errorf("history: prune run %d: %w", id, err))
			continue
		}
		total -= sizes[id]
	}
	return errors.Join(errs...)
}

// writing reports whether this store has run id's log open.
func (s *Store) writing(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writers[id] != nil
}

type logFile struct {
	path string
	id   int64
	size int64
	mod  time.Time
}

// logFiles lists the files of the logs directory that are run logs.
func (s *Store) logFiles() ([]logFile, error) {
	entries, err := os.ReadDir(s.logDir)
	if err != nil {
		return nil, err
	}
	var out []logFile
	for _, e := range entries {
		id, _, ok := parseSegment(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed since the listing
		}
		out = append(out, logFile{filepath.Join(s.logDir, e.Name()), id, info.Size(), info.ModTime()})
	}
	return out, nil
}

type runTime struct {
	started int64
	ended   bool
}

// runTimes returns every run's start and whether it has ended, by id.
func (s *Store) runTimes() (map[int64]runTime, error) {
	rows, err := s.db.Query(`SELECT id, started_at, status != ? FROM runs`, StatusRunning)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]runTime{}
	for rows.Next() {
		var id int64
		var t runTime
		if err := rows.Scan(&id, &t.started, &t.ended); err != nil {
			return nil, err
		}
		out[id] = t
	}
	return out, rows.Err()
}
