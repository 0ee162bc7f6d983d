package spawn

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// awaitExit returns once the child pid has exited, waiting on a pidfd
// through the runtime's poller. exec.Cmd.Wait blocks an OS thread in
// waitid for as long as the child lives: one thread per run, ~100 KB of
// resident memory each for runs that may idle for hours. After awaitExit,
// Wait returns at once. On any error it returns early and Wait waits as it
// would have.
func awaitExit(pid int) {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	// A pidfd is readable once its process has exited. RawConn.Read parks
	// until then when the poller took the descriptor, else it fails at once.
	_ = rc.Read(func(fd uintptr) bool {
		n, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, 0)
		return n > 0 || err != nil && !errors.Is(err, unix.EINTR)
	})
}
