package spawn

import (
	"os/exec"
	"sync"
)

// direct holds the pids of the children corral started and whose exit
// os/exec still has to collect: the reaper leaves those alone. Its lock is
// held across a start, so a child that exits at once is never mistaken for
// an orphan.
var direct = struct {
	sync.Mutex
	pids map[int]bool
}{pids: map[int]bool{}}

// startChild starts cmd and records it as a direct child.
func startChild(cmd *exec.Cmd) error {
	direct.Lock()
	defer direct.Unlock()
	if err := cmd.Start(); err != nil {
		return err
	}
	direct.pids[cmd.Process.Pid] = true
	return nil
}

// waited forgets a direct child once os/exec has collected its exit.
func waited(pid int) {
	direct.Lock()
	delete(direct.pids, pid)
	direct.Unlock()
}
