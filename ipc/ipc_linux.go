package ipc

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// sunPathLen is the size of sockaddr_un's sun_path, its NUL included.
const sunPathLen = 108

// credOption names the socket option credUID reads.
const credOption = "SO_PEERCRED"

// credUID reads the peer's uid of the socket fd (SO_PEERCRED).
func credUID(fd int) (int, error) {
	cred, err := unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		return 0, err
	}
	return int(cred.Uid), nil
}

// pidAlive reports whether a process pid exists. It looks in /proc rather
// than sending signal 0: nothing is sent to a process corral did not start.
func pidAlive(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return err == nil
}
