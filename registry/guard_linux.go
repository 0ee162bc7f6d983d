package registry

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// lineage returns corral's pid and its ancestors' pids: nothing a kill
// signals may be among them.
func lineage() map[int]bool {
	out := map[int]bool{}
	for pid := os.Getpid(); pid > 0 && !out[pid]; {
		out[pid] = true
		st, err := readStat(pid)
		if err != nil {
			break
		}
		pid = st.ppid
	}
	return out
}

func checkAdoptable(pid int) error {
	st, err := readStat(pid)
	if err != nil || st.state == 'Z' || st.state == 'X' {
		return refuse(pid, "names no running process")
	}
	if st.flags&pfKthread != 0 || st.ppid == 2 || pid == 2 {
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
	if self, err := readStat(os.Getpid()); err == nil && self.tty != 0 && st.tty == self.tty &&
		(st.pid == st.session || st.pid == st.pgrp) {
		return refuse(pid, "leads a session or job on corral's own terminal")
	}
	return nil
}

// carries reports whether the process's initial environment holds entry.
func carries(pid int, entry string) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return false
	}
	for _, kv := range bytes.Split(b, []byte{0}) {
		if string(kv) == entry {
			return true
		}
	}
	return false
}
