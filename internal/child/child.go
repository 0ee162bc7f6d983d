// Package child starts the programs corral runs for itself (git, tmux, a
// notify command) and its runs' processes so that corral's reaper of
// orphans (spawn.Subreaper) leaves their exits to os/exec: as the child
// subreaper, corral is the parent of every orphan of its runs and reaps
// them, but a child os/exec waits for must not be reaped by anyone else, or
// its Wait fails with "waitid: no child processes".
package child

import (
	"bytes"
	"os/exec"
	"sync"
)

// direct holds the pids of the children started here whose exit os/exec
// still has to collect. Its lock is held across a start and across a reap,
// so a child that exits at once is never mistaken for an orphan.
var direct = struct {
	sync.Mutex
	pids map[int]bool
}{pids: map[int]bool{}}

// Start starts cmd and records it as a direct child, which Reap leaves
// alone until Done is called with its pid after cmd.Wait.
func Start(cmd *exec.Cmd) error {
	direct.Lock()
	defer direct.Unlock()
	if err := cmd.Start(); err != nil {
		return err
	}
	direct.pids[cmd.Process.Pid] = true
	return nil
}

// Done forgets a direct child once os/exec has collected its exit.
func Done(pid int) {
	direct.Lock()
	delete(direct.pids, pid)
	direct.Unlock()
}

// Run is cmd.Run, with cmd a direct child while it runs.
func Run(cmd *exec.Cmd) error {
	if err := Start(cmd); err != nil {
		return err
	}
	defer Done(cmd.Process.Pid)
	return cmd.Wait()
}

// Output is cmd.Output, with cmd a direct child while it runs; its standard
// output must not be set. The error of a failed run is os/exec's, without
// the standard error that cmd.Output keeps in it.
func Output(cmd *exec.Cmd) ([]byte, error) {
	var out bytes.Buffer
	cmd.Stdout = &out
	err := Run(cmd)
	return out.Bytes(), err
}
