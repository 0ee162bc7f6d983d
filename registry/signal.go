package registry

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// signalName names a signal as the system does ("SIGTERM"), or "signal 99"
// for a number the system has no name for.
func signalName(s unix.Signal) string {
	if n := unix.SignalName(s); n != "" {
		return n
	}
	return "signal " + strconv.Itoa(int(s))
}
