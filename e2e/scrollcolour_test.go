package e2e

import (
	"regexp"
	"strings"
	"testing"
)

// screenColours returns what the terminal shows with its colours, as tmux
// writes them (capture-pane -e).
func (tm *term) screenColours() string { return tm.tmux("capture-pane", "-p", "-e", "-t", "s") }

// colouredLine returns the line of s whose text (escapes left out) holds text.
func colouredLine(t *testing.T, s, text string) string {
	t.Helper()
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(stripEsc(l), text) {
			return l
		}
	}
	t.Fatalf("no line with %q in:\n%s", text, s)
	return ""
}

// stripEsc drops the CSI sequences tmux writes in a captured line.
func stripEsc(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Red lines scrolled back are still red: a child writes a red line, a red
// colour that spans two lines, and bold green, then enough plain lines to
// push them off its screen; PgUp shows them from the history, in colour,
// and the plain lines around them without.
func TestScrolledBackOutputKeepsItsColours(t *testing.T) {
	script := `printf 'top plain\n\033[31mRED-ONE\nRED-TWO\033[0m after\n\033[1;32mGREEN-BOLD\033[0m\nbottom plain\n'; ` +
		`for i in $(seq 1 60); do echo "filler $i"; done; exec sleep 7353`
	tm := startCorral(t, 100, 30, "sh -c '"+strings.ReplaceAll(script, "'", `'\''`)+"'")
	tm.waitText("filler 60")
	for i := 0; ; i++ {
		if strings.Contains(tm.screen(), "RED-ONE") {
			break
		}
		if i == 10 {
			t.Fatalf("PgUp never showed the red lines:\n%s", tm.screen())
		}
		tm.keys("PPage")
		tm.waitText("lines up")
	}
	s := tm.screenColours()
	red := func(line, text string) {
		t.Helper()
		k := strings.Index(line, text)
		if k < 0 || !strings.Contains(line[:k], "31m") {
			t.Errorf("%s is not red: %q", text, line)
		}
	}
	red(colouredLine(t, s, "RED-ONE"), "RED-ONE")
	two := colouredLine(t, s, "RED-TWO")
	red(two, "RED-TWO")
	if k := strings.Index(two, " after"); k < 0 || !strings.Contains(two[strings.Index(two, "RED-TWO"):k], "\x1b[") {
		t.Errorf("the colour does not end before ' after': %q", two)
	}
	green := colouredLine(t, s, "GREEN-BOLD")
	if k := strings.Index(green, "GREEN-BOLD"); k < 0 || !strings.Contains(green[:k], "32m") || !strings.Contains(green[:k], "1m") && !strings.Contains(green[:k], "[1;") {
		t.Errorf("GREEN-BOLD is not bold green: %q", green)
	}
	for _, plain := range []string{"top plain", "bottom plain", "filler 1"} {
		if l := colouredLine(t, s, plain); colour.MatchString(l) {
			t.Errorf("%q is coloured: %q", plain, l)
		}
	}
	if t.Failed() {
		t.Logf("the screen:\n%q", s)
	}
}

// colour matches a foreground colour or bold in tmux's SGR.
var colour = regexp.MustCompile(`\x1b\[([0-9;]*;)?(3[0-7]|9[0-7]|38|1)[m;]`)
