package child

import (
	"errors"
	"os"

	"corral/internal/proc"

	"golang.org/x/sys/unix"
)

// Reap collects the exit of every child of corral that has exited and is
// not a direct child started with Start: the orphans corral adopted as the
// child subreaper.
func Reap() {
	direct.Lock()
	defer direct.Unlock()
	for _, pid := range proc.Children(os.Getpid()) {
		if direct.pids[pid] {
			continue
		}
		var ws unix.WaitStatus
		for {
			_, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil)
			if !errors.Is(err, unix.EINTR) {
				break
			}
		}
	}
}
