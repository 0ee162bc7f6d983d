package spawn

import (
	"os/exec"

	"corral/internal/child"
)

// startChild starts cmd and records it as a direct child, which the reaper
// of orphans leaves to os/exec.
func startChild(cmd *exec.Cmd) error { return child.Start(cmd) }

// waited forgets a direct child once os/exec has collected its exit.
func waited(pid int) { child.Done(pid) }
