package registry

import (
	"os"
	"strconv"
	"strings"
	"syscall"

	"corral/internal/proc"
)

// lineage returns corral's pid and its ancestors' pids: nothing a kill
// signals may be among them.
func lineage() map[int]bool {
	out := map[int]bool{}
	for pid := os.Getpid(); pid > 0 && !out[pid]; {
		out[pid] = true
		st, err := proc.Read(pid)
		if err != nil {
			break
		}
		pid = st.PPID
	}
	return out
}

func checkAdoptable(pid int) error {
	st, err := proc.Read(pid)
	if err != nil || st.Gone() {
		return refuse(pid, "names no running process")
	}
	if st.IsKernelThread() {
		return refuse(pid, "is a kernel thread")
	}
	if lineage()[pid] {
		return refuse(pid, "is an ancestor of corral: its tree holds corral")
	}
	fi, err := os.Stat("/proc/" + strconv.Itoa(pid))
	if err != nil {
		return refuse(pid, "names no running process")
	}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok && int(sys.Uid) != os.Geteuid() {
		return refuse(pid, "belongs to another user")
	}
	if v, ok := proc.Env(pid, MarkerVar); ok {
		// A run of a corral that is gone (an orphan) may be adopted.
		owner, _, _ := strings.Cut(v, ".")
		n, err := strconv.Atoi(owner)
		if owner != strconv.Itoa(os.Getpid()) {
			if err != nil || n <= 0 {
				return refuse(pid, "carries a corral marker naming no corral ("+v+"): not adoptable")
			}
			if o, err := proc.Read(n); err == nil && !o.Gone() {
				return refuse(pid, "is a run of another corral (pid "+owner+"): stop or unregister it there")
			}
		}
	}
	if self, err := proc.Read(os.Getpid()); err == nil && self.TTY != 0 && st.TTY == self.TTY &&
		(st.PID == st.Session || st.PID == st.Pgrp) {
		return refuse(pid, "leads a session or job on corral's own terminal")
	}
	return nil
}
