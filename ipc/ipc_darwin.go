package ipc

import (
	"errors"
	"syscall"

	"golang.org/x/sys/unix"
)

// sunPathLen is the size of sockaddr_un's sun_path, its NUL included.
const sunPathLen = 104

// credOption names the socket option credUID reads (what getpeereid(3)
// reads).
const credOption = "LOCAL_PEERCRED"

// credUID reads the peer's uid of the socket fd (LOCAL_PEERCRED).
func credUID(fd int) (int, error) {
	cred, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil {
		return 0, err
	}
	return int(cred.Uid), nil
}

// pidAlive reports whether a process pid exists: kill(2) with signal 0 sends
// nothing, it only checks. EPERM means it exists under another user.
func pidAlive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
