package spawn

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
)

// A run that writes nothing has no emulator (the ~5 MB of x/vt are made
// when there is output to show), yet its screen reads as a new terminal's
// of its size, also after a resize.
func TestIdleRunHasNoEmulatorAndABlankScreen(t *testing.T) {
	r := newRig(t)
	p, err := r.sp.Start(Spec{Argv: []string{"sleep", "7343"}, Cols: 30, Rows: 7})
	if err != nil {
		t.Fatal(err)
	}
	p.SetVisible(true) // shown: still nothing to emulate
	check := func(cols, rows int) {
		t.Helper()
		p.scr.mu.Lock()
		made := p.scr.emu != nil
		p.scr.mu.Unlock()
		if made {
			t.Fatal("a run that wrote nothing has an emulator")
		}
		e := vt.NewEmulator(cols, rows)
		if got, want := p.Render(), e.Render(); got != want {
			t.Fatalf("Render of an idle %d×%d run = %q, a new emulator's %q", cols, rows, got, want)
		}
		if got, want := p.Text(), e.String(); got != want {
			t.Fatalf("Text = %q, want %q", got, want)
		}
		if got, want := p.Cursor(), cursorOf(e); got != want {
			t.Fatalf("Cursor = %+v, want %+v", got, want)
		}
		if p.AltScreen() {
			t.Fatal("AltScreen of an idle run")
		}
	}
	check(30, 7)
	p.Resize(41, 9) // the first of a quiet spell: applied at once
	if c, rw := p.Size(); c != 41 || rw != 9 {
		t.Fatalf("size %d×%d after Resize(41, 9)", c, rw)
	}
	check(41, 9)
	// Output makes the emulator, at the size in force, with what was written.
	p2 := r.sh(t, `echo one; exec sleep 7343`)
	r.screenHas(t, p2, "one")
	if got := strings.Count(p2.Render(), "\n") + 1; got != 24 {
		t.Fatalf("screen of a run that wrote has %d rows, want 24", got)
	}
}

// A hidden run that wrote nothing for a while, and so has no emulator, gets
// its answer to a cursor-position query as fast as any hidden run: the
// emulator is made and fed at once, not at the hidden screen's pace. The
// child is bash with builtins only, so that the time measured is corral's.
func TestQueryFromARunThatNeverWroteIsAnswered(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	r := newRig(t)
	ready := filepath.Join(t.TempDir(), "ready")
	p, err := r.sp.Start(Spec{Argv: []string{"bash", "-c", `stty -echo -icanon min 1; : > "$0"; read -r x; ` +
		`printf '\033[6n'; IFS= read -r -d R ans; printf 'got:%sR\n' "${ans#?}"; exec sleep 7345`, ready}, Cols: 80, Rows: 24})
	if err != nil {
		t.Fatal(err)
	}
	// An external fact (the child has set up its terminal): polled.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child never got ready")
		}
	}
	p.scr.mu.Lock()
	made := p.scr.emu != nil
	p.scr.mu.Unlock()
	if made || r.reg.LiveOutput(p.RunID()) != "" {
		t.Fatal("the run wrote something or has an emulator before its query")
	}
	began := time.Now()
	if _, err := p.Write([]byte("\n")); err != nil {
		t.Fatal(err)
	}
	r.outputHas(t, p, "got:[1;1R")
	took := time.Since(began)
	t.Logf("a hidden run without an emulator was answered in %v", took)
	// Issue 13 asks for 50 ms (measured: 2–15 ms, 33 ms under -race); the
	// test fails only where the answer waited for the hidden screen's pace,
	// so that a loaded 2-core machine does not make it flaky.
	if took > hiddenInterval {
		t.Fatalf("the answer took %v, a hidden screen's pace (%v) or more", took, hiddenInterval)
	}
}

// A child that does not read its input gets at most maxInput writes queued
// beyond what its terminal holds; then Write says so instead of blocking or
// growing without bound.
func TestInputQueueIsBounded(t *testing.T) {
	r := newRig(t)
	p, err := r.sp.Start(Spec{Argv: []string{"sleep", "7347"}, Cols: 80, Rows: 24})
	if err != nil {
		t.Fatal(err)
	}
	chunk := []byte(strings.Repeat("x", 63) + "\n")
	accepted := 0
	for range 20 * maxInput {
		if _, err := p.Write(chunk); err != nil {
			if err != ErrInputFull {
				t.Fatalf("Write: %v, want ErrInputFull", err)
			}
			break
		}
		accepted++
	}
	if accepted < maxInput || accepted >= 20*maxInput {
		t.Fatalf("%d writes accepted for a child that reads nothing, want maxInput (%d) plus what its terminal holds", accepted, maxInput)
	}
	p.inMu.Lock()
	queued := len(p.inQ)
	p.inMu.Unlock()
	if queued > maxInput {
		t.Fatalf("%d writes queued, more than %d", queued, maxInput)
	}
}
