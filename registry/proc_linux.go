package registry

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// procStat is what the kill path needs from /proc/PID/stat.
type procStat struct {
	pid, ppid, pgrp, session int
	tty                      int // field 7: the controlling terminal's device number, 0 for none
	state                    byte
	flags                    uint64 // field 9: the kernel's PF_* flags
	start                    uint64 // field 22: start time in clock ticks since boot
}

// pfKthread is the kernel's PF_KTHREAD flag: the process is a kernel thread.
const pfKthread = 0x00200000

func readStat(pid int) (procStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	return parseStat(b)
}

// parseStat parses a /proc/PID/stat line. The command name sits between the
// first '(' and the last ')' and may itself hold spaces and parentheses.
func parseStat(b []byte) (procStat, error) {
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return procStat{}, errors.New("malformed stat")
	}
	var st procStat
	var err error
	if st.pid, err = strconv.Atoi(string(bytes.TrimSpace(b[:open]))); err != nil {
		return procStat{}, err
	}
	f := bytes.Fields(b[end+1:])
	// f[0] is field 3 (state); field N is f[N-3].
	if len(f) < 20 {
		return procStat{}, errors.New("short stat")
	}
	st.state = f[0][0]
	ints := []*int{&st.ppid, &st.pgrp, &st.session}
	for i, p := range ints {
		if *p, err = strconv.Atoi(string(f[1+i])); err != nil {
			return procStat{}, err
		}
	}
	if st.tty, err = strconv.Atoi(string(f[4])); err != nil {
		return procStat{}, err
	}
	if st.flags, err = strconv.ParseUint(string(f[6]), 10, 64); err != nil {
		return procStat{}, err
	}
	if st.start, err = strconv.ParseUint(string(f[19]), 10, 64); err != nil {
		return procStat{}, err
	}
	return st, nil
}

// processStartTime returns the start time of a live process, which with its
// pid names it uniquely: a reused pid has a later start time.
func processStartTime(pid int) (uint64, error) {
	st, err := readStat(pid)
	if err != nil {
		return 0, err
	}
	if st.state == 'Z' || st.state == 'X' {
		return 0, fmt.Errorf("process %d has exited", pid)
	}
	return st.start, nil
}

// allProcs reads every live (not zombie) process on the machine.
func allProcs() []procStat {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	out := make([]procStat, 0, len(names))
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		st, err := readStat(pid)
		if err != nil || st.state == 'Z' || st.state == 'X' {
			continue
		}
		out = append(out, st)
	}
	return out
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
func treeOf(pid int, sessionWide, includeLeader bool, marker string) []procStat {
	procs := allProcs()
	children := map[int][]int{}
	byPid := map[int]procStat{}
	for _, p := range procs {
		children[p.ppid] = append(children[p.ppid], p.pid)
		byPid[p.pid] = p
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
			if p.pid != pid && (p.session == pid || p.pgrp == pid) {
				add(p.pid)
			}
		}
	}
	if marker != "" {
		self := os.Getpid()
		mine := children[self]
		for i := 0; i < len(mine); i++ {
			q := mine[i]
			if !seen[q] && q != pid && carries(q, marker) {
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
	out := make([]procStat, 0, len(queue))
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
