package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cursor is what tmux says of its pane's cursor.
type cursor struct{ x, y, flag int }

func (tm *term) cursor() cursor {
	tm.t.Helper()
	var c cursor
	out := tm.tmux("display-message", "-p", "-t", "s", "#{cursor_x} #{cursor_y} #{cursor_flag}")
	if _, err := fmt.Sscan(out, &c.x, &c.y, &c.flag); err != nil {
		tm.t.Fatalf("cursor %q: %v", out, err)
	}
	return c
}

// waitCursor polls tmux until the cursor is as wanted: tmux has no event
// for a cursor move.
func (tm *term) waitCursor(what string, ok func(cursor) bool) cursor {
	tm.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c := tm.cursor()
		if ok(c) {
			return c
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("cursor never %s: %+v; the screen:\n%s", what, c, tm.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lineOf returns the row of the screen that starts with prefix, or -1.
func lineOf(screen, prefix string) int {
	for i, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(l, prefix) {
			return i
		}
	}
	return -1
}

func TestCursorShowsWhereTheChildsIsInFocusOnly(t *testing.T) {
	tm := startCorral(t, 100, 30, `sh -c 'printf "abc\033[6 q"; exec sleep 7342'`)
	log := filepath.Join(t.TempDir(), "out")
	// Everything corral writes to its terminal, to see the cursor shape
	// (tmux 3.3 has no format for it).
	tm.tmux("pipe-pane", "-O", "-t", "s", "cat >> "+shellQuote(log))
	scr := tm.waitFor("the child's output in the pane", func(s string) bool { return lineOf(s, "abc") >= 0 })
	row := lineOf(scr, "abc")
	if c := tm.cursor(); c.flag != 0 {
		t.Fatalf("cursor shown outside focus: %+v", c)
	}
	tm.keys("Enter")
	tm.waitText("TYPING INTO RUN")
	tm.waitCursor(fmt.Sprintf("at (3,%d) and shown", row), func(c cursor) bool { return c == cursor{3, row, 1} })
	// The child asked for a steady bar (DECSCUSR 6): corral asks the same.
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(log)
		if strings.Contains(string(b), "\x1b[6 q") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("corral never set the cursor shape the child asked for; it wrote %q", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	tm.keys("C-]")
	tm.waitText("left focus")
	tm.waitCursor("hidden after focus left", func(c cursor) bool { return c.flag == 0 })
}

func TestCursorStaysHiddenWhenTheChildHidesIt(t *testing.T) {
	tm := startCorral(t, 100, 30, `sh -c 'printf "hidden\033[?25l"; read x; printf "shown\033[?25h"; exec sleep 7343'`)
	tm.waitFor("the child's output in the pane", func(s string) bool { return lineOf(s, "hidden") >= 0 })
	tm.keys("Enter")
	tm.waitText("TYPING INTO RUN")
	// The frame that shows focus decides the cursor too; watch a few more
	// to be sure nothing shows it.
	deadline := time.Now().Add(300 * time.Millisecond)
	for time.Now().Before(deadline) {
		if c := tm.cursor(); c.flag != 0 {
			t.Fatalf("the child hid its cursor, tmux shows it: %+v", c)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The child shows it again (after reading a line): so does corral.
	tm.keys("Enter")
	scr := tm.waitFor("the child's second output", func(s string) bool { return lineOf(s, "shown") >= 0 })
	row := lineOf(scr, "shown")
	tm.waitCursor(fmt.Sprintf("shown at (5,%d)", row), func(c cursor) bool { return c == cursor{5, row, 1} })
}
