//go:build linux || darwin

package ipc

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// fileOwner is the uid that owns the file fi describes.
func fileOwner(fi os.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}

// peerUID is the uid of the process at the other end of c, as the kernel
// recorded it when c was connected (credUID, per system).
func peerUID(c net.Conn) (int, error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return 0, fmt.Errorf("peer uid: %T is not a Unix connection", c)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("peer uid: %w", err)
	}
	var uid int
	var credErr error
	if err := raw.Control(func(fd uintptr) { uid, credErr = credUID(int(fd)) }); err != nil {
		return 0, fmt.Errorf("peer uid: %w", err)
	}
	if credErr != nil {
		return 0, fmt.Errorf("peer uid: %s: %w", credOption, credErr)
	}
	return uid, nil
}
