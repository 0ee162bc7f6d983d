package spawn

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"corral/internal/child"

	"golang.org/x/sys/unix"
)

// Subreaper makes corral the child subreaper of everything it starts
// (PR_SET_CHILD_SUBREAPER): a process a run orphans, such as a daemon that
// double-forked into a session of its own, is reparented to corral instead
// of init, so the registry still finds it (it carries its run's marker) and
// a kill of the run stops it. Such orphans are reaped when they exit. Call
// it before starting anything; stop ends both (orphans adopted until then
// stay children, and are reaped one last time).
func Subreaper() (stop func(), err error) {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return func() {}, fmt.Errorf("become a subreaper: %w", err)
	}
	sig := make(chan os.Signal, 16)
	signal.Notify(sig, syscall.SIGCHLD)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			child.Reap()
			select {
			case <-sig:
			case <-quit:
				return
			}
		}
	}()
	return func() {
		_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
		signal.Stop(sig)
		close(quit)
		<-done
		child.Reap()
	}, nil
}
