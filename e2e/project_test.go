package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// startHere runs corral with args in dir, as a person who cd'd there would.
func startHere(t *testing.T, dir string, args ...string) *term {
	t.Helper()
	line := "cd " + shellQuote(dir) + " && exec " + shellQuote(binary)
	for _, a := range args {
		line += " " + shellQuote(a)
	}
	return startIn(t, 120, 30, "sh", "-c", line)
}

// dirWith makes a directory holding one file, name, with text.
func dirWith(t *testing.T, name, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// corral.toml in the current directory starts its runs at launch, each
// named, in its dir with its env; one whose dir is missing is a failed row
// and the others start; one with autostart = false is listed, not started,
// until s starts it.
func TestProjectFileStartsNamedRuns(t *testing.T) {
	toml := `[[run]]
name = "alpha"
command = ["sh", "-c", "echo out-alpha-7371 $GREETING_7371; exec sleep 7371"]
env = { GREETING_7371 = "hello-7371" }

[[run]]
name = "beta"
command = "sh -c 'echo out-beta-7372 in $(basename $(pwd)); exec sleep 7372'"
dir = "sub-7372"

[[run]]
name = "gamma"
command = "sleep 7373"
dir = "missing-7373"

[[run]]
name = "later"
command = "sleep 7374"
autostart = false
`
	dir := dirWith(t, "corral.toml", toml)
	if err := os.Mkdir(filepath.Join(dir, "sub-7372"), 0o755); err != nil {
		t.Fatal(err)
	}
	tm := startHere(t, dir)
	s := tm.waitFor("the four rows", func(s string) bool {
		return row(s, "alpha") != "" && row(s, "beta") != "" && row(s, "gamma") != "" && row(s, "later") != ""
	})
	if !strings.Contains(row(s, "later"), "not started") {
		t.Fatalf("the run with autostart = false is not listed as not started:\n%s", s)
	}
	if !strings.Contains(row(s, "gamma"), "failed") {
		t.Fatalf("the run with a missing dir is not a failed row:\n%s", s)
	}
	// The selected first row shows its output; then the second's.
	tm.waitText("out-alpha-7371 hello-7371")
	tm.keys("Down")
	tm.waitText("out-beta-7372 in sub-7372")
	tm.keys("Down")
	tm.waitText(`corral: could not start: corral.toml:12: run "gamma": dir /`)
	// s starts the run that was not, in its row.
	tm.keys("Down")
	tm.waitText("not started (autostart = false): s starts it")
	tm.keys("s")
	tm.waitFor("the held run started", func(s string) bool { return strings.Contains(row(s, "later"), "running") })
}

// A project file with errors stops corral before the UI, with status 2 and
// every error at its line.
func TestProjectFileErrorsStopCorral(t *testing.T) {
	toml := "[[run]]\nname = \"a\"\ncommand = \"x\"\n\n[[run]]\nname = \"a\"\nrestart = \"sometimes\"\n"
	tm := startHere(t, dirWith(t, "p.toml", toml), "--project", "p.toml")
	s := tm.waitText("[exit 2]")
	for _, want := range []string{
		`corral: p.toml:5: run "a" command: missing`,
		`p.toml:6: run "a" name: "a" is defined twice (first at line 2)`,
		`p.toml:7: run "a" restart: must be "no", "on-failure" or "always", not "sometimes"`,
	} {
		if !strings.Contains(strings.ReplaceAll(s, "\n", ""), want) {
			t.Errorf("the screen lacks %q:\n%s", want, s)
		}
	}
}

// --procfile starts a Procfile's processes as named runs.
func TestProcfileStartsItsProcesses(t *testing.T) {
	procfile := "# services\nweb7375: sh -c 'echo out-web-7375 && exec sleep 7375'\n\nworker7376: sleep 7376\n"
	tm := startHere(t, dirWith(t, "Procfile", procfile), "--procfile", "Procfile")
	tm.waitFor("both rows", func(s string) bool { return row(s, "web7375") != "" && row(s, "worker7376") != "" })
	tm.waitText("out-web-7375")
}
