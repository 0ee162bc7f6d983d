package proc

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Read returns the stat of a process; ErrNoProcess when there is none.
func Read(pid int) (Stat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, errors.ErrUnsupported) {
			return Stat{}, ErrNoProcess
		}
		return Stat{}, err
	}
	return Parse(b)
}

// Parse parses a /proc/PID/stat line. The command name sits between the
// first '(' and the last ')' and may itself hold spaces and parentheses.
func Parse(b []byte) (Stat, error) {
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return Stat{}, errors.New("malformed stat")
	}
	var st Stat
	var err error
	if st.PID, err = strconv.Atoi(string(bytes.TrimSpace(b[:open]))); err != nil {
		return Stat{}, err
	}
	f := bytes.Fields(b[end+1:])
	// f[0] is field 3 (state); field N is f[N-3].
	if len(f) < 20 || len(f[0]) == 0 {
		return Stat{}, errors.New("short stat")
	}
	st.State = f[0][0]
	for i, p := range []*int{&st.PPID, &st.Pgrp, &st.Session, &st.TTY} {
		if *p, err = strconv.Atoi(string(f[1+i])); err != nil {
			return Stat{}, err
		}
	}
	if st.Flags, err = strconv.ParseUint(string(f[6]), 10, 64); err != nil {
		return Stat{}, err
	}
	if st.Start, err = strconv.ParseUint(string(f[19]), 10, 64); err != nil {
		return Stat{}, err
	}
	return st, nil
}

// All returns the stat of every live (not exited) process on the machine.
func All() []Stat {
	pids := Pids()
	out := make([]Stat, 0, len(pids))
	for _, pid := range pids {
		if st, err := Read(pid); err == nil && !st.Gone() {
			out = append(out, st)
		}
	}
	return out
}

// Cmdline returns a process's arguments; empty for a kernel thread or a
// zombie.
func Cmdline(pid int) ([]string, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, ErrNoProcess
		}
		return nil, err
	}
	b = bytes.TrimRight(b, "\x00")
	if len(b) == 0 {
		return nil, nil
	}
	var argv []string
	for _, a := range bytes.Split(b, []byte{0}) {
		argv = append(argv, string(a))
	}
	return argv, nil
}

// Name returns the kernel's short name of a process (the stat comm field).
func Name(pid int) (string, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", ErrNoProcess
	}
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return "", errors.New("malformed stat")
	}
	return string(b[open+1 : end]), nil
}

// Cwd returns a process's working directory, empty when unreadable.
func Cwd(pid int) string {
	d, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/cwd")
	return d
}

// Env returns the value of key in the process's initial environment.
func Env(pid int, key string) (string, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return "", false
	}
	for _, kv := range bytes.Split(b, []byte{0}) {
		if k, v, ok := bytes.Cut(kv, []byte{'='}); ok && string(k) == key {
			return string(v), true
		}
	}
	return "", false
}

// HasEnv reports whether the process's initial environment holds the
// KEY=value entry.
func HasEnv(pid int, entry string) bool {
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

// Pids lists the pids of every process on the machine.
func Pids() []int {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	out := make([]int, 0, len(names))
	for _, n := range names {
		if pid, err := strconv.Atoi(n); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// Children lists the children of pid, from each of its threads' children
// file (a thread lists the children it started or was given).
func Children(pid int) []int {
	files, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	var out []int
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, w := range strings.Fields(string(b)) {
			if c, err := strconv.Atoi(w); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}
