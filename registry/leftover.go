package registry

import "time"

// leftoverRescan bounds how long a fork among a run's leftovers goes
// uncounted; an exit among them is seen at once.
const leftoverRescan = time.Second

// followLeftovers follows what a run corral started left running after its
// leader pid ended: the rest of its session and group, and descendants of
// corral that carry the run's marker. It keeps ProcessInfo.Leftover up to
// date until they are all gone or the run is dropped.
func (r *Registry) followLeftovers(ru *run, pid int) {
	r.mu.Lock()
	kill := ru.killDone
	if !ru.killing {
		kill = nil
	}
	r.mu.Unlock()
	if kill != nil {
		// A kill under way stops the tree and says what survived.
		select {
		case <-kill:
		case <-ru.stop:
			return
		}
	}
	marker := r.Marker(ru.info.RunID)
	for {
		tree := treeOf(pid, true, false, marker)
		more := r.setLeftover(ru, len(tree))
		ru.doneCounting()
		if !more || len(tree) == 0 {
			return
		}
		ts := make([]target, 0, len(tree))
		for _, p := range tree {
			if t, ok := openTarget(p.PID, p.Start); ok {
				ts = append(ts, t)
			}
		}
		waitAny(ts, time.Now().Add(leftoverRescan), ru.stop)
		for _, t := range ts {
			t.close()
		}
		select {
		case <-ru.stop:
			return
		default:
		}
	}
}

// setLeftover records how many processes a run left running, publishing a
// change. It reports false once the run is no longer registered.
func (r *Registry) setLeftover(ru *run, n int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.runs[ru.info.RunID] != ru {
		return false
	}
	if ru.info.Leftover != n {
		ru.info.Leftover = n
		r.publishLocked(Event{Kind: EventUpdated, RunID: ru.info.RunID, Info: ru.info})
	}
	return true
}
