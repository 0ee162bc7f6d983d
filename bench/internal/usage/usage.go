// Package usage reads what a benchmarked process costs from /proc: its CPU
// time and the fields of its status file (Linux only, like the benches).
package usage

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// CPUSeconds is utime + stime of pid, 0 when it cannot be read.
func CPUSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // clock ticks at USER_HZ = 100
}

// Status is the number of a /proc/<pid>/status field (kB for sizes), 0 when
// absent.
func Status(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			v, _ := strconv.ParseFloat(strings.Fields(l)[1], 64)
			return v
		}
	}
	return 0
}

// Children counts pid's children. Each thread lists those it started, so
// the lists of all its threads are added up.
func Children(pid int) int {
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	n := 0
	for _, t := range tasks {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, t.Name()))
		n += len(strings.Fields(string(b)))
	}
	return n
}

// Started is when pid started, in clock ticks after boot, 0 when it cannot
// be read: with the pid, it names one process, whatever reuses the pid later.
func Started(pid int) uint64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	v, _ := strconv.ParseUint(f[19], 10, 64)
	return v
}

// Switches is the number of context switches of all of pid's threads so
// far, voluntary and not: each is a thread going to sleep or being put off
// a CPU, so their rate over a quiet period counts the wakeups.
func Switches(pid int) float64 {
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	n := 0.0
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		n += Status(tid, "voluntary_ctxt_switches") + Status(tid, "nonvoluntary_ctxt_switches")
	}
	return n
}

// Alive reports whether pid names a process (its /proc entry exists).
func Alive(pid int) bool {
	_, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
	return err == nil
}

// Spread is the lowest, the median and the highest of v (not empty).
func Spread(v []float64) (lo, med, hi float64) {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[0], s[len(s)/2], s[len(s)-1]
}
