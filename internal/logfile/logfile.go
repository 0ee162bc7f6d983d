// Package logfile opens corral's own log: a log/slog logger that writes to
// a file in the XDG state directory, rotated by size, so that errors no
// goroutine can show on screen are kept somewhere a person can read them.
package logfile

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
)

// MaxSize is the size at which Open's file is rotated: the log moves to
// Path+".1" (replacing the previous one) and a new one starts.
const MaxSize = 4 << 20

// Name is the file name of the log in its directory.
const Name = "corral.log"

// Path returns where corral's log lives: $XDG_STATE_HOME/corral/corral.log,
// or ~/.local/state/corral/corral.log when XDG_STATE_HOME is unset or not
// an absolute path (the XDG spec says to ignore a relative one).
func Path() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "corral", Name), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("log path: %w", err)
	}
	return filepath.Join(home, ".local", "state", "corral", Name), nil
}

// File is an append-only log file that rotates itself once it would grow
// past its maximum size, keeping one old file (path+".1"). It is safe for
// concurrent use.
type File struct {
	path string
	max  int64

	mu   sync.Mutex // guards f and size
	f    *os.File
	size int64
}

// Open opens (creating them as needed) the log file at path and its
// directory, readable by its owner only: the directory is made 0700 and
// the file 0600, also when they already existed with wider permissions.
// The file rotates when a write would take it past maxSize bytes.
func Open(path string, maxSize int64) (*File, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	l := &File{path: path, max: maxSize}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

// open opens l.path for appending; l.mu is held or l is not yet shared.
func (l *File) open() error {
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	info, err := f.Stat()
	if err == nil && info.Mode().Perm() != 0o600 {
		err = f.Chmod(0o600)
	}
	if err != nil {
		f.Close()
		return fmt.Errorf("open log %s: %w", l.path, err)
	}
	l.f, l.size = f, info.Size()
	return nil
}

// Path returns the path of the file being written.
func (l *File) Path() string { return l.path }

// Write appends p, rotating first when p would take the file past its
// maximum size (a single write larger than that is written whole).
func (l *File) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return 0, errors.New("write log: closed")
	}
	if l.size > 0 && l.size+int64(len(p)) > l.max {
		if err := l.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := l.f.Write(p)
	l.size += int64(n)
	if err != nil {
		return n, fmt.Errorf("write log: %w", err)
	}
	return n, nil
}

// rotate moves the full file to path+".1" and starts a new one; l.mu is held.
func (l *File) rotate() error {
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("rotate log: %w", err)
	}
	l.f = nil
	if err := os.Rename(l.path, l.path+".1"); err != nil {
		return fmt.Errorf("rotate log: %w", err)
	}
	return l.open()
}

// Close closes the file; later writes fail.
func (l *File) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// New opens the log at path (see Open, with MaxSize) and returns a logger
// writing text records of level and above to it, and the file to close when
// corral ends.
func New(path string, level slog.Level) (*slog.Logger, io.Closer, error) {
	f, err := Open(path, MaxSize)
	if err != nil {
		return nil, nil, err
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: level})), f, nil
}

// ParseLevel reads a level name as given to --log-level: debug, info, warn
// or error (any case), or one of those with an offset such as "warn+2".
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("log level %q: want debug, info, warn or error", s)
	}
	return l, nil
}
