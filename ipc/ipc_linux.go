package ipc

import (
	"fmt"
	"net"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// sunPathLen is the size of sockaddr_un's sun_path, its NUL included.
const sunPathLen = 108

// peerUID is the uid of the process at the other end of c (SO_PEERCRED).
func peerUID(c net.Conn) (int, error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return 0, fmt.Errorf("peer uid: %T is not a Unix connection", c)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("peer uid: %w", err)
	}
	var cred *unix.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return 0, fmt.Errorf("peer uid: %w", err)
	}
	if credErr != nil {
		return 0, fmt.Errorf("peer uid: SO_PEERCRED: %w", credErr)
	}
	return int(cred.Uid), nil
}

// pidAlive reports whether a process pid exists. It looks in /proc rather
// than sending signal 0: nothing is sent to a process corral did not start.
func pidAlive(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return err == nil
}
