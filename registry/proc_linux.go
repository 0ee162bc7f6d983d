package registry

import (
	"errors"
	"fmt"
	"os"
	"time"

	"corral/internal/proc"

	"golang.org/x/sys/unix"
)

// processStartTime returns the start time of a live process, which with its
// pid names it uniquely: a reused pid has a later start time.
func processStartTime(pid int) (uint64, error) {
	st, err := proc.Read(pid)
	if err != nil {
		return 0, err
	}
	if st.Gone() {
		return 0, fmt.Errorf("process %d has exited", pid)
	}
	return st.Start, nil
}

// treeOf returns the live processes a kill of pid must reach. With
// sessionWide (a child corral started, leading its own session) that is every
// process in its session or group plus all their descendants, which covers
// descendants that started a session of their own. Otherwise (an adopted
// process) it is pid and its descendants only. Without includeLeader (pid
// failed its identity check, or has exited) pid itself is left out. A
// non-empty marker adds every descendant of corral whose environment
// carries it, and their descendants: what a run orphaned (a double-forked
// daemon) is reparented to corral, its subreaper, and found there. Corral
// and its ancestors are never part of a tree.
func treeOf(pid int, sessionWide, includeLeader bool, marker string) []proc.Stat {
	procs := proc.All()
	children := map[int][]int{}
	byPid := map[int]proc.Stat{}
	for _, p := range procs {
		children[p.PPID] = append(children[p.PPID], p.PID)
		byPid[p.PID] = p
	}
	never := lineage()
	seen := map[int]bool{}
	var queue []int
	add := func(q int) {
		if _, live := byPid[q]; live && !seen[q] && !never[q] {
			seen[q] = true
			queue = append(queue, q)
		}
	}
	if includeLeader {
		add(pid)
	}
	if sessionWide {
		for _, p := range procs {
			if p.PID != pid && (p.Session == pid || p.Pgrp == pid) {
				add(p.PID)
			}
		}
	}
	if marker != "" {
		self := os.Getpid()
		mine := children[self]
		for i := 0; i < len(mine); i++ {
			q := mine[i]
			if !seen[q] && q != pid && proc.HasEnv(q, marker) {
				add(q)
			}
			mine = append(mine, children[q]...)
		}
	}
	for i := 0; i < len(queue); i++ {
		for _, c := range children[queue[i]] {
			add(c)
		}
	}
	out := make([]proc.Stat, 0, len(queue))
	for _, q := range queue {
		out = append(out, byPid[q])
	}
	return out
}

// target is one process of a tree being killed, held by a pidfd so that a
// signal can never reach a process that later took its pid.
type target struct {
	pid int
	fd  int
}

// openTarget opens a pidfd on pid and checks, after opening, that the
// process still has the start time seen before; otherwise it is gone (or
// the pid was reused) and ok is false.
func openTarget(pid int, start uint64) (target, bool) {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return target{}, false
	}
	if st, err := processStartTime(pid); err != nil || (start != 0 && st != start) {
		unix.Close(fd)
		return target{}, false
	}
	return target{pid: pid, fd: fd}, true
}

func (t target) signal(sig unix.Signal) error {
	err := unix.PidfdSendSignal(t.fd, sig, nil, 0)
	if errors.Is(err, unix.ESRCH) {
		return nil // already gone
	}
	return err
}

func (t target) close() { unix.Close(t.fd) }

// waitTargets blocks until every target has exited, deadline passes, or
// cancel is closed. It reports whether all exited. A pidfd becomes readable
// when its process exits, so the exit is seen at once.
func waitTargets(ts []target, deadline time.Time, cancel <-chan struct{}) bool {
	fds := make([]unix.PollFd, 0, len(ts))
	for _, t := range ts {
		fds = append(fds, unix.PollFd{Fd: int32(t.fd), Events: unix.POLLIN})
	}
	for {
		live := fds[:0]
		for _, f := range fds {
			if f.Revents == 0 {
				live = append(live, f)
			}
		}
		fds = live
		if len(fds) == 0 {
			return true
		}
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		select {
		case <-cancel:
			return false
		default:
		}
		// Slices of 50 ms only bound how soon cancel is noticed; an exit
		// wakes poll at once.
		ms := int(min(left, 50*time.Millisecond) / time.Millisecond)
		if _, err := unix.Poll(fds, max(ms, 1)); err != nil && !errors.Is(err, unix.EINTR) {
			return false
		}
	}
}

// waitGone blocks until the process pid (with the given start time) has
// exited, reporting true, or until stop is closed, reporting false.
func waitGone(pid int, start uint64, stop <-chan struct{}) bool {
	t, ok := openTarget(pid, start)
	if !ok {
		return true
	}
	defer t.close()
	for {
		if waitTargets([]target{t}, time.Now().Add(time.Hour), stop) {
			return true
		}
		select {
		case <-stop:
			return false
		default:
		}
	}
}

// waitAny returns once one target has exited, at deadline, or when cancel
// is closed (noticed within 50 ms).
func waitAny(ts []target, deadline time.Time, cancel <-chan struct{}) {
	fds := make([]unix.PollFd, 0, len(ts))
	for _, t := range ts {
		fds = append(fds, unix.PollFd{Fd: int32(t.fd), Events: unix.POLLIN})
	}
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return
		}
		select {
		case <-cancel:
			return
		default:
		}
		ms := int(min(left, 50*time.Millisecond) / time.Millisecond)
		n, err := unix.Poll(fds, max(ms, 1))
		if n > 0 || err != nil && !errors.Is(err, unix.EINTR) {
			return
		}
	}
}
