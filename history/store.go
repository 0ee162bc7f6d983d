package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"corral/internal/logfile"

	_ "modernc.org/sqlite" // registers the pure-Go driver "sqlite"
)

// The default limits; see the package documentation.
const (
	DefaultLogCap        = 64 << 20
	DefaultTotalCap      = 1 << 30
	DefaultMaxAge        = 30 * 24 * time.Hour
	DefaultLogQueue      = 8 << 20
	DefaultPruneInterval = 10 * time.Minute
)

// IndexName is the file name of the index in the store's directory.
const IndexName = "index.db"

// busyTimeout is how long a statement waits for another process's write
// transaction before it fails with SQLITE_BUSY.
const busyTimeout = 5 * time.Second

// ErrNotFound is wrapped by the errors of methods given an id the index does
// not hold.
var ErrNotFound = errors.New("no such run")

// ErrNewerSchema is returned by Open when the index was written by a newer
// corral, whose schema this one does not know; the index is left untouched.
var ErrNewerSchema = errors.New("index written by a newer corral")

// MovedAsideError is the warning Open gives when it found a database file it
// could not use (not SQLite, damaged, or another program's) and moved it
// aside to start a new one.
type MovedAsideError struct {
	Path    string // where the file was, and the new index now is
	MovedTo string // where the old file is now
	Err     error  // what was wrong with it
}

func (e *MovedAsideError) Error() string {
	return fmt.Sprintf("history: %s could not be used (%v): moved to %s, a new index started", e.Path, e.Err, e.MovedTo)
}

func (e *MovedAsideError) Unwrap() error { return e.Err }

// Option changes a default of Open.
type Option func(*options)

type options struct {
	logCap        int64
	totalCap      int64
	maxAge        time.Duration
	logQueue      int
	pruneInterval time.Duration
	flushInterval time.Duration
	now           func() time.Time
	onError       func(id int64, err error)
	instance      int
	instanceStart uint64
	beforeWrite   func() // tests: called by a LogWriter's goroutine before each batch
	afterWrite    func() // tests: called after a batch is written and its buffers free
}

// WithLogCap sets the most bytes one run's log keeps (default 64 MB): the
// log is written in segments of half that size and the oldest is deleted
// when a third starts. Values below 2 are taken as 2.
func WithLogCap(n int64) Option { return func(o *options) { o.logCap = max(n, 2) } }

// WithTotalCap sets the most bytes all logs together keep (default 1 GB)
// before the oldest finished runs' logs are deleted.
func WithTotalCap(n int64) Option { return func(o *options) { o.totalCap = n } }

// WithMaxAge sets the age after which finished runs are deleted with their
// logs (default 30 days); 0 or less keeps them forever.
func WithMaxAge(d time.Duration) Option { return func(o *options) { o.maxAge = d } }

// WithLogQueue sets how many bytes a LogWriter holds for the disk before it
// drops output (default 8 MiB: a flood of 70 MB/s for over 100 ms while the
// writer waits for a CPU), rounded up to whole 64 KiB buffers, allocated as
// a burst needs them and freed after it but for a few. A single Write
// larger than the queue is always dropped.
func WithLogQueue(n int) Option { return func(o *options) { o.logQueue = max(n, 1) } }

// WithPruneInterval sets how often the store prunes in the background
// (default ten minutes, and once at Open); 0 or less turns background
// pruning off, leaving it to Prune.
func WithPruneInterval(d time.Duration) Option { return func(o *options) { o.pruneInterval = d } }

// WithClock replaces time.Now, for tests of ages and default times.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithErrorHandler sets the function told about a log's write error, once
// per LogWriter, from the writer's goroutine; after it the writer discards
// what it is given. By default the error is only returned by
// LogWriter.Close.
func WithErrorHandler(f func(id int64, err error)) Option {
	return func(o *options) { o.onError = f }
}

// WithInstance sets the pid and process start time (clock ticks since boot,
// 0 when unknown) that Begin records as the corral running a run, and that
// Recover takes as its own; by default os.Getpid() and 0.
func WithInstance(pid int, start uint64) Option {
	return func(o *options) { o.instance, o.instanceStart = pid, start }
}

// Store is a run history in one directory. Its methods are safe for
// concurrent use, and several processes may open the same directory.
type Store struct {
	dir      string
	logDir   string
	db       *sql.DB
	opts     options
	warnings []error

	mu      sync.Mutex // guards writers
	writers map[int64]*LogWriter

	closeOnce sync.Once
	stop      chan struct{}
	pruned    chan struct{} // closed when the background pruner has stopped
}

// DefaultDir returns the store's default directory, $XDG_STATE_HOME/corral
// (~/.local/state/corral when XDG_STATE_HOME is unset or relative): the
// directory of corral's own log.
func DefaultDir() (string, error) {
	p, err := logfile.Path()
	if err != nil {
		return "", fmt.Errorf("history dir: %w", err)
	}
	return filepath.Dir(p), nil
}

// Open opens the store in dir, creating the directory (0700), the index and
// the logs directory as needed, and brings the index's schema up to date.
// An unusable index file is moved aside and reported by Warnings, not as an
// error; a directory that cannot be written is an error, and the caller
// should run without history.
func Open(dir string, opts ...Option) (*Store, error) {
	o := options{
		logCap:        DefaultLogCap,
		totalCap:      DefaultTotalCap,
		maxAge:        DefaultMaxAge,
		logQueue:      DefaultLogQueue,
		pruneInterval: DefaultPruneInterval,
		flushInterval: time.Second,
		now:           time.Now,
		instance:      os.Getpid(),
	}
	for _, f := range opts {
		f(&o)
	}
	s := &Store{
		dir:     dir,
		logDir:  filepath.Join(dir, "logs"),
		opts:    o,
		writers: make(map[int64]*LogWriter),
		stop:    make(chan struct{}),
		pruned:  make(chan struct{}),
	}
	if err := s.prepareDir(); err != nil {
		return nil, err
	}
	db, err := s.openIndex()
	if err != nil {
		return nil, err
	}
	s.db = db
	if o.pruneInterval > 0 {
		go s.pruneLoop()
	} else {
		close(s.pruned)
	}
	return s, nil
}

// prepareDir makes the directory and the logs directory, owner-only, and
// proves they can be written.
func (s *Store) prepareDir() error {
	for _, d := range []string{s.dir, s.logDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("history: %w", err)
		}
		if err := os.Chmod(d, 0o700); err != nil {
			return fmt.Errorf("history: %w", err)
		}
		f, err := os.CreateTemp(d, ".probe-*")
		if err != nil {
			return fmt.Errorf("history: %s is not writable: %w", d, err)
		}
		f.Close()
		os.Remove(f.Name())
	}
	return nil
}

// indexPath is the index's file name.
func (s *Store) indexPath() string { return filepath.Join(s.dir, IndexName) }

// openIndex opens the index, moving an unusable file aside once, and
// migrates it.
func (s *Store) openIndex() (*sql.DB, error) {
	path := s.indexPath()
	db, err := s.tryIndex(path)
	var bad *badIndexError
	if !errors.As(err, &bad) {
		return db, err
	}
	to, merr := s.moveAside(path)
	if merr != nil {
		return nil, fmt.Errorf("history: %s is unusable (%v) and could not be moved aside: %w", path, bad.err, merr)
	}
	s.warnings = append(s.warnings, &MovedAsideError{Path: path, MovedTo: to, Err: bad.err})
	db, err = s.tryIndex(path)
	if errors.As(err, &bad) {
		return nil, fmt.Errorf("history: new index %s: %w", path, bad.err)
	}
	return db, err
}

// badIndexError says the index file is not ours to use: Open moves it aside.
type badIndexError struct{ err error }

func (e *badIndexError) Error() string { return e.err.Error() }

// tryIndex opens, checks and migrates the index at path. It returns a
// *badIndexError for a file that is not a usable index of ours.
func (s *Store) tryIndex(path string) (*sql.DB, error) {
	// Create the file ourselves so that it, and the -wal and -shm files
	// SQLite gives the same mode, are the owner's only.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	err = f.Chmod(0o600)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	// Writers queue for the lock anyway; a few connections serve the
	// readers (List, Follow) beside them.
	db.SetMaxOpenConns(4)
	if err := check(db); err != nil {
		db.Close()
		return nil, err
	}
	// Only now that the file is known to be ours, or empty, change it:
	// WAL mode is kept in the file, for every connection.
	if _, err := db.Exec("PRAGMA journal_mode = WAL"); err != nil {
		db.Close()
		return nil, fmt.Errorf("history: %s: WAL mode: %w", path, err)
	}
	if err := migrate(context.Background(), db, migrations, s.opts.now()); err != nil {
		db.Close()
		return nil, fmt.Errorf("history: %s: %w", path, err)
	}
	return db, nil
}

// dsn names the index for the driver: a busy timeout, and write
// transactions that take the write lock at BEGIN (so a read that turns into
// a write never fails with SQLITE_BUSY_SNAPSHOT).
func dsn(path string) string {
	u := url.URL{Scheme: "file", Path: path, OmitHost: true}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return u.String() + "?" + q.Encode()
}

// moveAside renames the index and its -wal and -shm files to
// <name>.corrupt-<time>, returning the new name of the index.
func (s *Store) moveAside(path string) (string, error) {
	to := path + ".corrupt-" + s.opts.now().UTC().Format("20060102T150405.000Z")
	if err := os.Rename(path, to); err != nil {
		return "", err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Rename(path+suffix, to+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return to, err
		}
	}
	return to, nil
}

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

// Warnings returns what Open had to repair, each a *MovedAsideError naming
// the old file and where it went; nil when nothing was wrong.
func (s *Store) Warnings() []error { return append([]error(nil), s.warnings...) }

// Close flushes and closes every LogWriter still open, stops background
// pruning and closes the index. Later calls do nothing and return nil.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() { err = s.close() })
	return err
}

func (s *Store) close() error {
	close(s.stop)
	<-s.pruned
	s.mu.Lock()
	ws := make([]*LogWriter, 0, len(s.writers))
	for _, w := range s.writers {
		ws = append(ws, w)
	}
	s.mu.Unlock()
	var errs []error
	for _, w := range ws {
		if err := w.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.db.Close(); err != nil {
		errs = append(errs, fmt.Errorf("history: close index: %w", err))
	}
	return errors.Join(errs...)
}

// pruneLoop prunes at once and then every pruneInterval until Close.
// Its errors are not shown anywhere: the next round tries again.
func (s *Store) pruneLoop() {
	defer close(s.pruned)
	t := time.NewTicker(s.opts.pruneInterval)
	defer t.Stop()
	for {
		_ = s.Prune()
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}
