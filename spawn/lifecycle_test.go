package spawn

import (
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"corral/registry"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/vt"
	"go.uber.org/goleak"
)

// Short runs with output, started and cleaned up as the interface does,
// must release everything: their terminal, their goroutines and their
// emulator. The reader's last bytes and the end of output used to share one
// wake-up of the emulator goroutine, which then fed the bytes and parked for
// good: about a quarter of `echo` runs never released anything.
func TestShortRunsWithOutputLeaveNothing(t *testing.T) {
	r := newRig(t)
	warm := r.sh(t, "echo warm")
	waitDone(t, warm)
	warm.Close()
	r.reg.CleanupFinishedProcesses()
	fds := openFDs(t)
	base := goleak.IgnoreCurrent()

	const runs, workers = 1000, 4
	procs := make([]*Proc, runs)
	next := make(chan int)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range workers {
		wg.Go(func() {
			for i := range next {
				p, err := r.sp.Start(Spec{Argv: []string{"echo", "hello", strconv.Itoa(i)}, Cols: 80, Rows: 24})
				if err != nil {
					t.Error(err)
					failed.Add(1)
					continue
				}
				select {
				case <-p.Done():
				case <-time.After(30 * time.Second):
					t.Errorf("run %d: Done never closed", i)
					failed.Add(1)
				}
				procs[i] = p
				if i%2 == 0 {
					// Half are dropped one by one (u), half in bulk (c).
					if err := r.reg.UnregisterProcess(p.RunID()); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	for i := range runs {
		if failed.Load() > 0 {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	r.reg.CleanupFinishedProcesses()

	// Every emulator finishes soon after its run ends; a lost wake-up
	// leaves it parked for ever.
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	expired, stuck := false, 0
	for _, p := range procs {
		if !expired {
			select {
			case <-p.scr.done:
				continue
			case <-deadline.C:
				expired = true
			}
		}
		select {
		case <-p.scr.done:
		default:
			stuck++
		}
	}
	if stuck > 0 {
		t.Errorf("%d of %d ended runs never finished emulating their output", stuck, runs)
	}
	got := openFDs(t)
	for end := time.Now().Add(5 * time.Second); got != fds && time.Now().Before(end); got = openFDs(t) {
		time.Sleep(10 * time.Millisecond) // fds are closed by each run's own goroutine
	}
	if got != fds {
		t.Errorf("fds %d → %d after %d short runs", fds, got, runs)
	}
	if err := goleak.Find(base); err != nil {
		t.Errorf("goroutines left after %d short runs: %v", runs, err)
	}
}

// An ended run gives its emulator back and keeps its final screen, with its
// colours, alternate screen and cursor, exactly as the live one showed it.
func TestEndedRunReleasesItsEmulatorAndKeepsItsScreen(t *testing.T) {
	tests := []struct {
		name, script, shows string
		alt                 bool
	}{
		{"main screen", `printf 'plain line\n\033[31mred\033[0m\033[3;5Hat 3,5'`, "at 3,5", false},
		{"alternate screen, cursor hidden", `printf '\033[?1049h\033[?25l\033[2;3H\033[1;32mfull screen'`, "full screen", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			// The child draws, then waits for a line without echoing it and
			// ends without writing anything more.
			p := r.sh(t, "stty -echo; "+tt.script+"; read x")
			r.screenHas(t, p, tt.shows)
			render, text, alt, cursor := p.Render(), p.Text(), p.AltScreen(), p.Cursor()
			if _, err := p.Write([]byte("\n")); err != nil {
				t.Fatal(err)
			}
			waitDone(t, p)
			select {
			case <-p.scr.done:
			case <-time.After(10 * time.Second):
				t.Fatal("the emulator never finished")
			}
			p.scr.mu.Lock()
			emu := p.scr.emu
			p.scr.mu.Unlock()
			if emu != nil {
				t.Fatal("an ended run keeps its emulator")
			}
			if got := p.Render(); got != render || !strings.Contains(got, "\x1b[") {
				t.Errorf("final render\n%q\nwant the live one\n%q", got, render)
			}
			if got := p.Text(); got != text {
				t.Errorf("final text %q, want %q", got, text)
			}
			if got := p.AltScreen(); got != alt || alt != tt.alt {
				t.Errorf("final alternate screen %v, live %v, want %v", got, alt, tt.alt)
			}
			if got := p.Cursor(); got != cursor {
				t.Errorf("final cursor %+v, want %+v", got, cursor)
			}
			// Keys, pastes and resizes of an ended run go nowhere and harm
			// nothing; View has no emulator to show.
			p.SetVisible(false)
			p.SetVisible(true)
			p.SendKey(uv.KeyPressEvent{Code: 'a', Text: "a"})
			p.Paste("x")
			p.Resize(100, 30)
			if p.View(func(*vt.Emulator) { t.Error("View called f without an emulator") }) {
				t.Error("View reports a live emulator for an ended run")
			}
			if p.Text() != text {
				t.Error("the final screen changed after the run ended")
			}
		})
	}
}

// Dropping ended runs in bulk gives their memory back to the system once
// the batch is over, and not again before the rate limit allows.
func TestForgettingRunsInBulkGivesMemoryBack(t *testing.T) {
	reg := registry.New()
	defer reg.Close()
	forgot := make(chan int64, 4*freeMin)
	sp := newSpawner(reg, forgot)
	defer sp.Close()
	freed := make(chan struct{}, 10)
	// Set before any run is dropped: the spawner reads them on that event.
	sp.free.delay, sp.free.every = 20*time.Millisecond, time.Hour
	sp.free.free = func() { freed <- struct{}{} }
	_, events, cancel := reg.Subscribe()
	defer cancel()
	var procs []*Proc
	for range 2 * freeMin {
		p, err := sp.Start(Spec{Argv: []string{"true"}})
		if err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
	}
	// The registry records an end after the handle's Done closes: wait for
	// the registry, which is what the cleanup below asks.
	for ended := 0; ended < len(procs); {
		select {
		case e := <-events:
			if e.Kind == registry.EventExited {
				ended++
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%d of %d runs recorded as ended", ended, len(procs))
		}
	}
	forget := func(n int) {
		t.Helper()
		for range n {
			select {
			case <-forgot:
			case <-time.After(20 * time.Second):
				t.Fatal("a handle was never dropped")
			}
		}
	}
	// Fewer than a batch: nothing is scheduled.
	for _, p := range procs[:freeMin-1] {
		if err := reg.UnregisterProcess(p.RunID()); err != nil {
			t.Fatal(err)
		}
	}
	forget(freeMin - 1)
	sp.free.mu.Lock()
	scheduled := sp.free.timer != nil
	sp.free.mu.Unlock()
	if scheduled {
		t.Fatalf("memory given back after %d runs, fewer than a batch of %d", freeMin-1, freeMin)
	}
	if ids := reg.CleanupFinishedProcesses(); len(ids) != len(procs)-freeMin+1 {
		t.Fatalf("cleaned up %d runs", len(ids))
	}
	forget(len(procs) - freeMin + 1)
	select {
	case <-freed:
	case <-time.After(10 * time.Second):
		t.Fatal("memory never given back after a cleanup")
	}
	// Another batch within the rate limit waits for it; Close cancels it.
	for range freeMin {
		sp.free.forgot()
	}
	sp.free.close()
	if n := len(freed); n != 0 {
		t.Fatalf("%d more frees within the rate limit", n)
	}
}

// Children start with every signal at its default disposition, even when
// corral's own parent left some ignored (tmux leaves SIGTTIN and SIGTTOU
// ignored in its panes, and Go keeps such job-control signals as
// inherited), so job control in a shell under corral works as in a
// terminal. corral's own dispositions stay as they were.
func TestChildrenStartWithDefaultSignalDispositions(t *testing.T) {
	if _, err := os.ReadFile("/proc/self/status"); err != nil {
		t.Skip("no /proc/self/status")
	}
	// As under tmux. There is no way back through os/signal (Reset leaves
	// these ignored); the rest of the suite does not care.
	signal.Ignore(syscall.SIGTTIN, syscall.SIGTTOU)
	const ttinTtou = 1<<(syscall.SIGTTIN-1) | 1<<(syscall.SIGTTOU-1)
	if ign := sigIgnOf(t, "/proc/self/status"); ign&ttinTtou != ttinTtou {
		t.Fatalf("setup: SigIgn %016x has not SIGTTIN and SIGTTOU", ign)
	}
	r := newRig(t)
	var wg sync.WaitGroup
	for i := range 4 { // concurrent starts share the reset
		wg.Go(func() {
			p, err := r.sp.Start(Spec{Argv: []string{"sh", "-c", "grep ^SigIgn /proc/self/status; echo " + strconv.Itoa(i)}})
			if err != nil {
				t.Error(err)
				return
			}
			waitDone(t, p)
			if got := r.reg.LiveOutput(p.RunID()); !strings.HasPrefix(got, "SigIgn:\t0000000000000000\n") {
				t.Errorf("child %d: %q, want SigIgn 0000000000000000", i, got)
			}
		})
	}
	wg.Wait()
	if ign := sigIgnOf(t, "/proc/self/status"); ign&ttinTtou != ttinTtou {
		t.Fatalf("corral's own SigIgn changed to %016x", ign)
	}
}

func sigIgnOf(t *testing.T, path string) uint64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for l := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(l, "SigIgn:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no SigIgn in %s", path)
	return 0
}
