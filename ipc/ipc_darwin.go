package ipc

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// sunPathLen is the size of sockaddr_un's sun_path, its NUL included.
const sunPathLen = 104

// peerUID is the uid of the process at the other end of c (LOCAL_PEERCRED,
// what getpeereid(3) reads).
func peerUID(c net.Conn) (int, error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return 0, fmt.Errorf("peer uid: %T is not a Unix connection", c)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("peer uid: %w", err)
	}
	var cred *unix.Xucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptXucred(int(fd), unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	}); err != nil {
		return 0, fmt.Errorf("peer uid: %w", err)
	}
	if credErr != nil {
		return 0, fmt.Errorf("peer uid: LOCAL_PEERCRED: %w", credErr)
	}
	return int(cred.Uid), nil
}

// pidAlive reports whether a process pid exists: kill(2) with signal 0 sends
// nothing, it only checks. EPERM means it exists under another user.
func pidAlive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
