//go:build !linux && !darwin

package ipc

import (
	"net"
	"os"
)

// sunPathLen is the smallest sun_path among the BSDs, its NUL included.
const sunPathLen = 104

// peerUID is not implemented here: such systems rely on the 0700 directory
// and the 0600 socket alone (see peerAllowed).
func peerUID(net.Conn) (int, error) { return 0, errNoPeerCheck }

// pidAlive says every pid is alive, so only a socket that refuses a
// connection counts as stale.
func pidAlive(int) bool { return true }

// fileOwner is unknown here; checkDir then checks the mode alone.
func fileOwner(os.FileInfo) (int, bool) { return 0, false }
