//go:build !linux

package proc

import (
	"errors"

	"golang.org/x/sys/unix"
)

// errUnsupported: without /proc, only liveness is known.
var errUnsupported = errors.New("process details are read from /proc, which this system lacks")

// Read returns what can be known without /proc: the pid, whether it lives
// (ErrNoProcess otherwise), and the parent of corral itself.
func Read(pid int) (Stat, error) {
	if err := unix.Kill(pid, 0); err != nil && !errors.Is(err, unix.EPERM) {
		return Stat{}, ErrNoProcess
	}
	st := Stat{PID: pid, State: 'S'}
	if pgid, err := unix.Getpgid(pid); err == nil {
		st.Pgrp = pgid
	}
	if sid, err := unix.Getsid(pid); err == nil {
		st.Session = sid
	}
	return st, nil
}

// Parse is not available without /proc.
func Parse([]byte) (Stat, error) { return Stat{}, errUnsupported }

// All returns nothing without /proc.
func All() []Stat { return nil }

// Cmdline is not known without /proc.
func Cmdline(int) ([]string, error) { return nil, errUnsupported }

// Name is not known without /proc.
func Name(int) (string, error) { return "", errUnsupported }

// Cwd is not known without /proc.
func Cwd(int) string { return "" }

// Env is not known without /proc.
func Env(int, string) (string, bool) { return "", false }

// HasEnv is not known without /proc.
func HasEnv(int, string) bool { return false }

// Pids lists nothing without /proc.
func Pids() []int { return nil }

// Children lists nothing without /proc.
func Children(int) []int { return nil }
