package registry

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
)

// ErrNotAdoptable is wrapped by the error CheckAdoptable returns for a
// process corral must never adopt, and so never signal.
var ErrNotAdoptable = errors.New("not adoptable")

// refuse builds the error of a refused adoption.
func refuse(pid int, why string) error {
	return fmt.Errorf("pid %d %s: %w", pid, why, ErrNotAdoptable)
}

// CheckAdoptable returns nil when pid names a process corral may adopt: an
// error wrapping ErrNotAdoptable for pid 1 and below, kernel threads, corral
// itself, any ancestor of corral (whose tree holds corral), a session or
// process-group leader on corral's own terminal (the user's shell, its
// jobs) and processes of another user; an error for a pid that names no
// live process.
func CheckAdoptable(pid int) error {
	if pid <= 1 {
		return refuse(pid, "is the system's init (or no process): corral never adopts it")
	}
	if pid == os.Getpid() {
		return refuse(pid, "is corral itself")
	}
	return checkAdoptable(pid)
}

// MarkerVar is the environment variable that tags every process of a run
// corral started, so that a descendant which left the run's session (a
// daemon that double-forked) is still found and stopped with its run. Its
// value starts with the pid of the corral that started the run.
const MarkerVar = "CORRAL_RUN"

// newToken returns a random tag for one registry, so that markers of two
// registries (two corrals, or two in one test binary) never match.
func newToken() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Marker returns the KEY=value environment entry that a process of run
// runID carries; spawn adds it to the environment of what it starts, and a
// kill of the run reaches every descendant of corral that carries it.
func (r *Registry) Marker(runID int64) string {
	return MarkerVar + "=" + strconv.Itoa(os.Getpid()) + "." + r.token + ":" + strconv.FormatInt(runID, 10)
}
