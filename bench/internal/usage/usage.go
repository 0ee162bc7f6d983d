// Package usage reads what a benchmarked process costs from /proc: its CPU
// time and the fields of its status file (Linux only, like the benches).
package usage

import (
	"fmt"
	"os"
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

// Children counts pid's children: each thread lists those it started.
func Children(pid int) int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	return len(strings.Fields(string(b)))
}
