//go:build !linux

package registry

import (
	"errors"
	"time"

	"corral/internal/proc"

	"golang.org/x/sys/unix"
)

// Outside Linux there is no /proc: a process is named by its pid alone, a
// kill reaches the process group of a child corral started (or the adopted
// process alone), and exits are noticed by polling.

func processStartTime(pid int) (uint64, error) {
	if err := unix.Kill(pid, 0); err != nil && !errors.Is(err, unix.EPERM) {
		return 0, err
	}
	return 0, nil
}

func treeOf(pid int, sessionWide, includeLeader bool, _ string) []proc.Stat {
	if !includeLeader {
		return nil
	}
	return []proc.Stat{{PID: pid}}
}

type target struct {
	pid   int
	group bool
}

func openTarget(pid int, _ uint64) (target, bool) {
	if _, err := processStartTime(pid); err != nil {
		return target{}, false
	}
	// A child corral started leads its own group: signal the group too.
	pgid, err := unix.Getpgid(pid)
	return target{pid: pid, group: err == nil && pgid == pid}, true
}

func (t target) signal(sig unix.Signal) error {
	if t.group {
		_ = unix.Kill(-t.pid, sig)
	}
	if err := unix.Kill(t.pid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
		return err
	}
	return nil
}

func (t target) close() {}

func alive(pid int) bool { return unix.Kill(pid, 0) == nil }

func waitTargets(ts []target, deadline time.Time, cancel <-chan struct{}) bool {
	for {
		all := true
		for _, t := range ts {
			if alive(t.pid) {
				all = false
			}
		}
		if all {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-cancel:
			return false
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func waitGone(pid int, _ uint64, stop <-chan struct{}) bool {
	for alive(pid) {
		select {
		case <-stop:
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
	return true
}

// waitAny returns once one target has exited, at deadline, or when cancel
// is closed. Without pidfds the exit is polled.
func waitAny(ts []target, deadline time.Time, cancel <-chan struct{}) {
	for time.Now().Before(deadline) {
		for _, t := range ts {
			if !alive(t.pid) {
				return
			}
		}
		select {
		case <-cancel:
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}
