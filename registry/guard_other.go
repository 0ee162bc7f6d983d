//go:build !linux

package registry

import "os"

// lineage returns corral's pid and its parent's: outside Linux no further
// ancestry is read.
func lineage() map[int]bool { return map[int]bool{os.Getpid(): true, os.Getppid(): true} }

func checkAdoptable(pid int) error {
	if lineage()[pid] {
		return refuse(pid, "is an ancestor of corral: its tree holds corral")
	}
	if _, err := processStartTime(pid); err != nil {
		return refuse(pid, "names no running process")
	}
	return nil
}
