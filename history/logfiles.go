package history

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ErrLogPruned is wrapped by OpenLog's error for a run whose log was deleted
// to keep the total cap.
var ErrLogPruned = errors.New("log pruned")

// segmentPath names segment n of run id's log: <id>.log, then <id>.<n>.log.
func (s *Store) segmentPath(id int64, n int) string {
	if n == 0 {
		return filepath.Join(s.logDir, strconv.FormatInt(id, 10)+".log")
	}
	return filepath.Join(s.logDir, strconv.FormatInt(id, 10)+"."+strconv.Itoa(n)+".log")
}

// parseSegment reads a log file's name: its run id and segment.
func parseSegment(name string) (id int64, n int, ok bool) {
	base, found := strings.CutSuffix(name, ".log")
	if !found {
		return 0, 0, false
	}
	idPart, nPart, two := strings.Cut(base, ".")
	id, err := strconv.ParseInt(idPart, 10, 64)
	if err != nil || id < 0 {
		return 0, 0, false
	}
	if !two {
		return id, 0, true
	}
	n, err = strconv.Atoi(nPart)
	if err != nil || n < 1 {
		return 0, 0, false
	}
	return id, n, true
}

// segments returns the segments of run id's log that exist, in order.
func (s *Store) segments(id int64) ([]int, error) {
	names, err := filepath.Glob(filepath.Join(s.logDir, strconv.FormatInt(id, 10)+".*log"))
	if err != nil {
		return nil, err
	}
	var segs []int
	for _, name := range names {
		if got, n, ok := parseSegment(filepath.Base(name)); ok && got == id {
			segs = append(segs, n)
		}
	}
	slices.Sort(segs)
	return segs, nil
}

// openSegment opens segment n of run id's log for appending, creating it
// 0600, and returns its size.
func (s *Store) openSegment(id int64, n int) (*os.File, int64, error) {
	f, err := os.OpenFile(s.segmentPath(id, n), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, 0, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, info.Size(), nil
}

// removeLog deletes every segment of run id's log.
func (s *Store) removeLog(id int64) error {
	segs, err := s.segments(id)
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range segs {
		if err := os.Remove(s.segmentPath(id, n)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// LogPaths returns the files of run id's log that exist, oldest first.
func (s *Store) LogPaths(id int64) ([]string, error) {
	segs, err := s.segments(id)
	if err != nil {
		return nil, fmt.Errorf("history: log of run %d: %w", id, err)
	}
	paths := make([]string, len(segs))
	for i, n := range segs {
		paths[i] = s.segmentPath(id, n)
	}
	return paths, nil
}

// droppedLine starts a log whose first segments were deleted to keep the
// per-run cap.
const droppedLine = "[corral: earlier output not kept: the log reached its cap]\n"

// OpenLog returns a reader of run id's whole log as it is now: its segments
// in order, after a line saying so when the oldest were dropped for the
// per-run cap. A run with no output reads empty. The error wraps ErrNotFound
// for an unknown run and ErrLogPruned for a run whose log was pruned.
func (s *Store) OpenLog(id int64) (io.ReadCloser, error) {
	r, err := s.Get(id)
	if err != nil {
		return nil, err
	}
	if r.LogPruned {
		return nil, fmt.Errorf("history: log of run %d: %w", id, ErrLogPruned)
	}
	segs, err := s.segments(id)
	if err != nil {
		return nil, fmt.Errorf("history: log of run %d: %w", id, err)
	}
	var (
		readers []io.Reader
		files   multiCloser
	)
	if len(segs) > 0 && segs[0] > 0 {
		readers = append(readers, strings.NewReader(droppedLine))
	}
	for _, n := range segs {
		f, err := os.Open(s.segmentPath(id, n))
		if errors.Is(err, os.ErrNotExist) {
			continue // dropped by its writer since we listed it
		} else if err != nil {
			files.Close()
			return nil, fmt.Errorf("history: log of run %d: %w", id, err)
		}
		files = append(files, f)
		readers = append(readers, f)
	}
	return struct {
		io.Reader
		io.Closer
	}{io.MultiReader(readers...), files}, nil
}

type multiCloser []*os.File

func (m multiCloser) Close() error {
	var errs []error
	for _, f := range m {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}
