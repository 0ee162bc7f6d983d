//go:build linux

package spawn

import (
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Children must start with every signal at its default disposition, as in a
// terminal. exec keeps ignored signals ignored, and Go resets in a child only
// the signals its runtime handles; it leaves job-control signals as
// inherited, so under tmux, which leaves SIGTTIN and SIGTTOU ignored in its
// panes, every run had them ignored too (and a run of a program started with
// `&` from a script had SIGINT ignored: ^C did nothing).
//
// While children are being started, the signals corral ignores are handed to
// Go's handler (signal.Notify), which the runtime resets to the default in
// each child before exec; afterwards they are ignored again. Meanwhile corral
// catches and drops them, which for corral is the same as ignoring them, so
// no signal arriving then stops or ends it (setting SIG_DFL in corral itself
// would). A signal.Notify made for one of these signals by other code while
// a start is under way would be undone; corral notifies the signals it
// handles before it starts anything.
var sigdfl struct {
	sync.Mutex
	starts int         // starts under way
	sigs   []os.Signal // ignored by corral, handed to Go for the starts
	drop   chan os.Signal
}

// withDefaultSignals runs start, which forks and execs a child, so that the
// child begins with no signal ignored.
func withDefaultSignals(start func() error) error {
	sigdfl.Lock()
	if sigdfl.starts == 0 {
		sigdfl.sigs = ignoredSignals()
		if len(sigdfl.sigs) > 0 {
			if sigdfl.drop == nil {
				sigdfl.drop = make(chan os.Signal, 1)
			}
			signal.Notify(sigdfl.drop, sigdfl.sigs...)
		}
	}
	sigdfl.starts++
	sigdfl.Unlock()

	defer func() {
		sigdfl.Lock()
		defer sigdfl.Unlock()
		if sigdfl.starts--; sigdfl.starts == 0 && len(sigdfl.sigs) > 0 {
			signal.Ignore(sigdfl.sigs...)
			sigdfl.sigs = nil
		}
	}()
	return start()
}

// ignoredSignals lists the signals this process ignores (SigIgn in
// /proc/self/status), but SIGPROF, which Go cannot hand to its handler.
func ignoredSignals() []os.Signal {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nil
	}
	var mask uint64
	for l := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(l, "SigIgn:"); ok {
			mask, _ = strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			break
		}
	}
	var sigs []os.Signal
	for i := range 64 {
		if sig := syscall.Signal(i + 1); mask&(1<<i) != 0 && sig != syscall.SIGPROF {
			sigs = append(sigs, sig)
		}
	}
	return sigs
}
