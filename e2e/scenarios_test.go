package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// 1. Two commands on the command line: both rows with pids, output in the pane.
func TestTwoCommandsAtLaunch(t *testing.T) {
	// The first is the command line the README and issue 5 quote.
	tm := startCorral(t, 120, 30, "sh -c 'echo hi; sleep 100'", "sh -c 'echo beta-out; sleep 300'")
	s := tm.waitFor("hi in the pane", func(s string) bool {
		return strings.Contains(s, "\nhi\n") && strings.Contains(row(s, "1000000"), "running")
	})
	p1, p2 := rowPID(t, s, "1000000"), rowPID(t, s, "1000001")
	if !alive(p1) || !alive(p2) || p1 == p2 {
		t.Fatalf("pids %d %d not running:\n%s", p1, p2, s)
	}
	tm.keys("Down")
	tm.waitText("beta-out")
}

// 2. n, fill the form with a command, enter: a new row with live output.
func TestNewRunFromTheForm(t *testing.T) {
	tm := startCorral(t, 120, 30)
	tm.waitText("no runs yet")
	tm.keys("n")
	tm.waitText("Command")
	tm.text("sh -c 'for i in 1 2 3; do echo tick $i; sleep 0.2; done; sleep 300'")
	tm.keys("Enter")
	s := tm.waitText("tick 3")
	if !strings.Contains(s, "started run 1000000") || rowPID(t, s, "1000000") == 0 {
		t.Fatalf("no new row:\n%s", s)
	}
}

// 3. k on a tree that ignores HUP and TERM: the countdown shows, the row ends
// killed, and nothing of the tree is left.
func TestKillATreeLeavesNothing(t *testing.T) {
	cfg := writeConfig(t, "[settings]\nkill_grace = \"2s\"\n")
	tm := startCorral(t, 120, 30, "--config", cfg,
		"sh -c 'trap \"\" HUP TERM; sleep 1000 & sleep 1000 & echo tree-ready; wait'")
	s := tm.waitText("tree-ready")
	leader := rowPID(t, s, "1000000")
	tree := liveInSession(leader)
	if len(tree) < 3 {
		t.Fatalf("tree %v", tree)
	}
	tm.keys("k")
	tm.waitText("Kill run 1000000")
	tm.keys("y")
	tm.waitFor("the countdown", func(s string) bool { return strings.Contains(row(s, "1000000"), "stopping") })
	tm.waitFor("the row to end killed", func(s string) bool { return strings.Contains(row(s, "1000000"), "killed KILL") })
	for _, p := range tree {
		if alive(p) {
			t.Errorf("pid %d of the tree survived", p)
		}
	}
	if left := liveInSession(leader); len(left) > 0 {
		t.Fatalf("session %d still has %v", leader, left)
	}
}

// 4. k on a child that exits on the first signal (HUP, which comes with
// TERM): shown gone at once, not after the grace.
func TestKillOfATermObeyingChildShowsAtOnce(t *testing.T) {
	tm := startCorral(t, 120, 30, "sh -c 'echo obeys; exec sleep 1000'")
	s := tm.waitText("obeys")
	pid := rowPID(t, s, "1000000")
	tm.keys("k")
	tm.waitText("Kill run 1000000")
	began := time.Now()
	tm.keys("y")
	tm.waitFor("killed", func(s string) bool { return strings.Contains(row(s, "1000000"), "killed HUP") })
	took := time.Since(began)
	t.Logf("from y to the row showing killed: %v (grace 5 s)", took)
	if took > 2*time.Second {
		t.Fatalf("took %v: the kill waited instead of seeing the exit", took)
	}
	if alive(pid) {
		t.Fatal("still alive")
	}
}

// 5. u on a running child: the row goes, the process keeps running.
func TestUnregisterKeepsTheProcess(t *testing.T) {
	tm := startCorral(t, 120, 30, "sh -c 'echo keep-me; exec sleep 1000'")
	s := tm.waitText("keep-me")
	pid := rowPID(t, s, "1000000")
	tm.keys("u")
	tm.waitText("runs on until corral quits and hangs it up")
	tm.keys("y")
	tm.waitFor("the row to go", func(s string) bool { return !strings.Contains(s, "1000000") })
	if !alive(pid) {
		t.Fatal("unregister killed the process")
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
}

// 6. Focus a cat run, type a line, leave focus: the line echoed. Arrow keys
// reach a child in application cursor mode as ESC O A.
func TestFocusTypesIntoTheRun(t *testing.T) {
	tm := startCorral(t, 120, 30, "cat", `sh -c 'stty raw -echo; printf "\033[?1h"; echo app-mode; head -c 3 | od -An -c'`)
	tm.waitText("1000001")
	tm.keys("Enter")
	tm.waitText("TYPING INTO RUN")
	tm.text("hello corral")
	tm.keys("Enter", "C-]")
	s := tm.waitFor("the echo", func(s string) bool { return strings.Count(s, "hello corral") >= 2 })
	if strings.Contains(s, "TYPING INTO RUN") {
		t.Fatalf("focus not left:\n%s", s)
	}
	tm.keys("Down")
	tm.waitText("app-mode")
	tm.keys("Enter", "Up", "C-]")
	tm.waitText("033   O   A")
}

// 7. Resizing the window: the child sees it, the layout follows, no panic
// at 20×5 or 300×80.
func TestResizeReachesTheChild(t *testing.T) {
	tm := startCorral(t, 120, 30, `sh -c 'trap "stty size" WINCH; stty size; while :; do sleep 0.05; done'`)
	tm.waitText("1000000")
	tm.tmux("resize-window", "-t", "s", "-x", "100", "-y", "40")
	// The pane is the window's width; its height is what the layout leaves.
	tm.waitFor("the child to see 100 columns", func(s string) bool { return paneSizeShown(s, 100) })
	for _, size := range [][2]int{{20, 5}, {300, 80}, {120, 30}} {
		tm.tmux("resize-window", "-t", "s", "-x", strconv.Itoa(size[0]), "-y", strconv.Itoa(size[1]))
		tm.waitFor(fmt.Sprintf("a frame at %dx%d", size[0], size[1]), func(s string) bool {
			return strings.Contains(s, "corral") && !strings.Contains(s, "[exit")
		})
	}
	s := tm.waitFor("the last size", func(s string) bool { return paneSizeShown(s, 120) })
	if strings.Contains(s, "panic") || tm.corralPID() == 0 {
		t.Fatalf("corral died:\n%s", s)
	}
}

// paneSizeShown reports whether a `stty size` line "rows cols" with that
// width is on screen.
func paneSizeShown(s string, cols int) bool {
	for _, l := range strings.Split(s, "\n") {
		f := strings.Fields(l)
		if len(f) == 2 && f[1] == strconv.Itoa(cols) {
			if _, err := strconv.Atoi(f[0]); err == nil {
				return true
			}
		}
	}
	return false
}

// 8. Four children each flooding 50 MB: a keypress shows on screen quickly
// and the floods finish.
func TestKeysStayResponsiveDuringFloods(t *testing.T) {
	flood := `sh -c 'head -c 50000000 /dev/zero | tr "\0" "y" | fold -w 100; echo flood-done'`
	tm := startCorral(t, 120, 30, flood, flood, flood, flood)
	tm.waitText("1000003")
	var worst time.Duration
	for i := range 6 {
		key, want := "Down", "── 1000001 "
		if i%2 == 1 {
			key, want = "Up", "── 1000000 "
		}
		began := time.Now()
		tm.keys(key)
		tm.waitFor("the selection to move", func(s string) bool { return strings.Contains(s, want) })
		worst = max(worst, time.Since(began))
	}
	s := tm.screen()
	if !strings.Contains(s, "4 running") {
		t.Logf("floods ended before the keys were measured:\n%s", s)
	}
	t.Logf("slowest keypress to screen during four 50 MB floods: %v (includes tmux capture)", worst)
	tm.waitFor("all four floods to finish", func(s string) bool { return strings.Contains(s, "4 exited") })
	if worst > 2*time.Second {
		t.Fatalf("a keypress took %v to show", worst)
	}
}

// 9. A missing command, an empty command, a missing directory: a message in
// the status line, no row, the UI alive.
func TestBadInputInTheForm(t *testing.T) {
	tm := startCorral(t, 120, 30)
	tm.waitText("no runs yet")
	tm.keys("n")
	tm.text("corral-no-such-program --flag")
	tm.keys("Enter")
	tm.waitText("corral-no-such-program: command not found")
	for range 13 {
		tm.keys("BSpace")
	}
	tm.keys("C-u") // clear the field
	tm.keys("Enter")
	tm.waitText("enter a command to run")
	tm.text("sleep 100")
	tm.keys("Tab") // from the command to the directory
	tm.text("/no/such/project")
	tm.keys("Enter")
	tm.waitText(`directory "/no/such/project" does not exist`)
	tm.keys("Escape")
	s := tm.waitText("no runs yet")
	if tm.corralPID() == 0 || strings.Contains(s, "1000000") {
		t.Fatalf("a row appeared or corral died:\n%s", s)
	}
}

// 10. A bad config file: status 2 and the file and line, terminal untouched.
func TestBadConfig(t *testing.T) {
	cfg := writeConfig(t, "[settings]\nkill_grace = \"soon\"\n")
	tm := startCorral(t, 120, 30, "--config", cfg)
	s := tm.waitText("[exit 2]")
	if !strings.Contains(s, cfg+":2:") || !strings.Contains(s, "kill_grace") {
		t.Fatalf("error without file and line:\n%s", s)
	}
	tm.checkSaneTerminal(s)
}

// 11. SIGTERM, SIGHUP, or q and y with live children: every child gone, the
// shell back with a sane terminal.
func TestEveryWayOfLeavingStopsTheChildren(t *testing.T) {
	for _, how := range []string{"SIGTERM", "SIGHUP", "quit"} {
		t.Run(how, func(t *testing.T) {
			cfg := writeConfig(t, "[settings]\nkill_grace = \"1s\"\n")
			tm := startCorral(t, 120, 30, "--config", cfg, "sh -c 'echo one; sleep 1000'",
				"sh -c 'trap \"\" TERM HUP; echo two; sleep 1000 & wait'")
			s := tm.waitText("one")
			leaders := []int{rowPID(t, s, "1000000"), rowPID(t, s, "1000001")}
			tm.waitFor("the TERM-ignoring tree", func(string) bool { return len(liveInSession(leaders[1])) >= 2 })
			var all []int
			for _, l := range leaders {
				all = append(all, liveInSession(l)...)
			}
			switch how {
			case "SIGTERM":
				_ = syscall.Kill(tm.corralPID(), syscall.SIGTERM)
			case "SIGHUP":
				_ = syscall.Kill(tm.corralPID(), syscall.SIGHUP)
			case "quit":
				tm.keys("q")
				tm.waitText("2 runs still alive")
				tm.keys("y")
			}
			s = tm.waitText("[exit")
			for _, p := range all {
				if alive(p) {
					t.Errorf("pid %d outlived corral", p)
				}
			}
			tm.checkSaneTerminal(s)
		})
	}
}

// checkSaneTerminal: no alternate screen, cursor visible, echo on.
func (tm *term) checkSaneTerminal(string) {
	tm.t.Helper()
	s := tm.waitFor("the shell's stty line", func(s string) bool {
		_, after, ok := strings.Cut(s, "[exit")
		return ok && strings.Contains(after, "echo\n")
	})
	state := tm.tmux("display-message", "-p", "-t", "s", "#{alternate_on} #{cursor_flag}")
	if strings.TrimSpace(state) != "0 1" {
		tm.t.Fatalf("terminal left with alternate_on cursor_flag = %q", state)
	}
	if !strings.Contains(s, "\necho") || strings.Contains(s, "-echo") {
		tm.t.Fatalf("echo not on after corral:\n%s", s)
	}
}

// 12. Colours and a full-screen child: the pane shows what tmux itself shows
// for the same child at the same size.
func TestPaneMatchesTmuxForTheSameChild(t *testing.T) {
	script := `printf '\033[31mred\033[0m plain \033[1;32mbold green\033[0m\n'; for i in $(seq 1 30); do echo "line $i"; done; ` +
		`printf '\033[?1049h\033[2J\033[H+----------+\n|  in alt  |\n+----------+\033[6;20Hmoved here\033[8;1H\033[7mreverse\033[0m'; sleep 300`
	tm := startCorral(t, 100, 30, "sh -c '"+strings.ReplaceAll(script, "'", `'\''`)+"'")
	s := tm.waitText("moved here")
	lines := strings.Split(s, "\n")
	first, last := -1, -1
	for i, l := range lines {
		if strings.HasPrefix(l, "── ") {
			first = i + 1
		}
	}
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], "n new run") {
			last = i - 1 // the status line is above the help line
			break
		}
	}
	if first < 0 || last <= first {
		t.Fatalf("pane not found:\n%s", s)
	}
	pane := lines[first:last]
	ref := startIn(t, 100, len(pane), "sh", "-c", script)
	want := strings.Split(ref.waitText("moved here"), "\n")
	for i := range pane {
		var w string
		if i < len(want) {
			w = want[i]
		}
		if strings.TrimRight(pane[i], " ") != strings.TrimRight(w, " ") {
			t.Fatalf("pane line %d = %q, tmux shows %q\ncorral:\n%s\ntmux:\n%s", i, pane[i], w, s, strings.Join(want, "\n"))
		}
	}
	// Colours: the pane's cells carry the child's SGR, as tmux renders them.
	coloured := tm.tmux("capture-pane", "-p", "-e", "-t", "s")
	if !strings.Contains(coloured, "\x1b[7mreverse") {
		t.Fatalf("reverse video lost in the pane:\n%q", coloured)
	}
}

// 13. Fifty runs at once: all listed, the table scrolls, quitting stops all.
func TestFiftyRuns(t *testing.T) {
	var args []string
	for i := range 50 {
		args = append(args, fmt.Sprintf("sh -c 'echo run-%02d; exec sleep 1000'", i))
	}
	tm := startCorral(t, 120, 30, args...)
	tm.waitFor("fifty rows", func(s string) bool { return strings.Contains(s, "50 running") })
	var pids []int
	for _, p := range procs() {
		if p.ppid == tm.corralPID() && p.state != 'Z' {
			pids = append(pids, p.pid)
		}
	}
	if len(pids) != 50 {
		t.Fatalf("%d children of corral, want 50", len(pids))
	}
	tm.keys("G")
	s := tm.waitText("1000049")
	if strings.Contains(s, "1000000 ") {
		t.Fatalf("the table did not scroll:\n%s", s)
	}
	tm.waitText("run-49")
	tm.keys("g")
	tm.waitText("run-00")
	tm.keys("q")
	tm.waitText("50 runs still alive")
	tm.keys("y")
	tm.waitText("[exit 0]")
	for _, p := range pids {
		if alive(p) {
			t.Errorf("pid %d outlived corral", p)
		}
	}
}

func writeConfig(t testing.TB, text string) string {
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
