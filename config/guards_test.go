package config

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// wantError checks that text is refused at line with a message holding want.
func wantError(t *testing.T, text string, line int, want string) {
	t.Helper()
	_, err := parse("/home/u/corral.toml", text)
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("%q: error %v (%T), want %q", text, err, err, want)
	}
	if ce.Line != line || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "/home/u/corral.toml:") {
		t.Fatalf("%q: error %q (line %d), want line %d and %q", text, err, ce.Line, line, want)
	}
}

func TestNumericSettingsAreBounded(t *testing.T) {
	const graceBound = "settings.kill_grace: must be at most 1h (the wait from SIGTERM to SIGKILL; 0 or absent: 5s)"
	const linesBound = "settings.scrollback_lines: must be between 1 and 1,000,000"
	refused := []struct{ name, value, want string }{
		{"kill_grace", "9999999999", graceBound}, // overflowed to a negative duration before
		{"kill_grace", "9223372037", graceBound},
		{"kill_grace", `"99999999999h"`, graceBound},
		{"kill_grace", `"2562048h"`, graceBound},
		{"kill_grace", "1e300", graceBound},
		{"kill_grace", "inf", graceBound},
		{"kill_grace", "3601", graceBound},
		{"kill_grace", `"1h0m1s"`, graceBound},
		{"kill_grace", "-5", "a duration cannot be negative"},
		{"kill_grace", "-9999999999", "a duration cannot be negative"},
		{"kill_grace", `"-99999999999h"`, "a duration cannot be negative"},
		{"kill_grace", "-inf", "a duration cannot be negative"},
		{"kill_grace", "nan", "settings.kill_grace: must be a duration such as \"5s\" (or a number of seconds), not nan"},
		{"kill_grace", `"5 seconds"`, `must be a duration such as "5s" or "500ms" (or a number of seconds), not "5 seconds"`},
		{"scrollback_lines", "9999999999", linesBound},
		{"scrollback_lines", "1000001", linesBound},
		{"scrollback_lines", "-1", linesBound},
		{"scrollback_lines", "99999999999999999999", "scrollback_lines"}, // beyond int64: TOML's own error
	}
	for _, tt := range refused {
		wantError(t, "# corral\n[settings]\n"+tt.name+" = "+tt.value+"\n", 3, tt.want)
	}
	accepted := []struct {
		text  string
		grace time.Duration
		lines int
	}{
		{"kill_grace = 3600", time.Hour, 10_000},
		{`kill_grace = "1h"`, time.Hour, 10_000},
		{"kill_grace = 0.25", 250 * time.Millisecond, 10_000},
		{"kill_grace = 0", 5 * time.Second, 10_000},
		{"scrollback_lines = 1000000", 5 * time.Second, 1_000_000},
		{"scrollback_lines = 1", 5 * time.Second, 1},
	}
	for _, tt := range accepted {
		c := mustParse(t, "[settings]\n"+tt.text+"\n")
		if c.Settings.KillGrace.Duration != tt.grace || c.Settings.ScrollbackLines != tt.lines {
			t.Errorf("%s: %+v", tt.text, c.Settings)
		}
	}
}

// hostile are task values that a shell would run something for.
var hostile = []string{"$(touch PWNED)", "`touch PWNED`", "x; touch PWNED", "x && touch PWNED", "x | touch PWNED",
	"$(touch PWNED)`touch PWNED`", "'; touch PWNED; '", "\"; touch PWNED; \"", "x\ntouch PWNED"}

func TestPlaceholderInAShellScriptIsRefused(t *testing.T) {
	tests := []struct{ command, shell, placeholder string }{
		{`["sh", "-c", "echo {task}"]`, "sh", "{task}"},
		{`["bash", "-c", "{task}"]`, "bash", "{task}"},
		{`["/bin/sh", "-c", "echo '{task}'"]`, "/bin/sh", "{task}"},
		{`["/usr/bin/zsh", "-lc", "claude -p \"{task}\""]`, "/usr/bin/zsh", "{task}"},
		{`["dash", "-e", "-c", "run {model}"]`, "dash", "{model}"},
		{`["ksh", "-o", "errexit", "-c", "cd {project} && make"]`, "ksh", "{project}"},
		{`["fish", "-c", "echo {task}"]`, "fish", "{task}"},
		{`["fish", "--command=echo {task}"]`, "fish", "{task}"},
		{`["fish", "-C", "echo {task}"]`, "fish", "{task}"},
		{`["{shell}", "-c", "echo {task}"]`, "{shell}", "{task}"},
		{`["$SHELL", "-ic", "echo {task}"]`, "$SHELL", "{task}"},
		{`["env", "FOO=1", "sh", "-c", "echo {task}"]`, "sh", "{task}"},
		{`["/usr/bin/env", "-i", "bash", "--norc", "-c", "x {session_id}"]`, "bash", "{session_id}"},
		{`["docker", "exec", "box", "sh", "-c", "-x", "-", "echo {task}"]`, "sh", "{task}"},
		{`["bash", "-c", "--", "echo {task}"]`, "bash", "{task}"},
		{`"sh -c 'echo {task}'"`, "sh", "{task}"}, // a template written as a string
	}
	for _, tt := range tests {
		text := "[[agent]]\nname = \"a\"\nkind = \"agent\"\ncommand = " + tt.command + "\n"
		wantError(t, text, 4, tt.placeholder+" inside the script of \""+tt.shell[strings.LastIndexByte(tt.shell, '/')+1:]+
			" -c\" runs its value through the shell ($(…), backquotes, ; and && in it would run): "+
			"pass it as its own word after the script and use \"$1\", e.g. [\""+tt.shell+
			"\", \"-c\", \"echo \\\"$1\\\"\", \"_\", \""+tt.placeholder+"\"]")
	}
}

func TestPlaceholderAfterTheScriptIsAllowed(t *testing.T) {
	for _, command := range []string{
		`["sh", "-c", "echo \"$1\"", "_", "{task}"]`,
		`["bash", "-c", "cd \"$1\" && make", "_", "{project}"]`,
		`["sh", "-c", "printf %s \"$1\"", "sh", "--task={task}"]`,
		`["sh", "./run.sh", "{task}"]`, // a script file: its arguments are not parsed
		`["sh", "-s", "{task}"]`,
		`["ssh-agent", "-c", "{task}"]`,
		`["claude", "-p", "{task}", "--model", "{model}"]`,
		`["{shell}"]`,
	} {
		mustParse(t, "[[agent]]\nname = \"a\"\nkind = \"agent\"\ncommand = "+command+"\n")
	}
	if _, err := parse("", DefaultTOML()); err != nil {
		t.Fatalf("the default config: %v", err)
	}
}

// The safe form, run by a real sh, prints every hostile task as it is and
// runs none of it.
func TestSafeShellFormPassesTheTaskAsOneArgument(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	c := mustParse(t, "[[agent]]\nname = \"a\"\nkind = \"agent\"\ncommand = [\"sh\", \"-c\", \"printf %s \\\"$1\\\"\", \"_\", \"{task}\"]\n")
	tmpl := c.Agents[0].Command
	dir := t.TempDir()
	for _, task := range hostile {
		argv := tmpl.Expand(Vars{Task: task})
		if len(argv) != 5 || argv[4] != task {
			t.Fatalf("task %q: argv %q", task, argv)
		}
		cmd := exec.Command(sh, argv[1:]...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("task %q: %v", task, err)
		}
		if string(out) != task {
			t.Errorf("task %q: sh printed %q", task, out)
		}
		if _, err := os.Stat(filepath.Join(dir, "PWNED")); err == nil {
			t.Fatalf("task %q ran a command", task)
		}
	}
	// The refused form, ["sh", "-c", "echo {task}"], runs $(…), backquotes,
	// ; and &&: what the refusal prevents.
	unsafe := Template{"sh", "-c", "echo {task}"}
	for _, task := range hostile[:4] {
		dir := t.TempDir()
		argv := unsafe.Expand(Vars{Task: task})
		cmd := exec.Command(sh, argv[1:]...)
		cmd.Dir = dir
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "PWNED")); err != nil {
			t.Errorf("task %q: the unsafe form did not run it either: %v", task, err)
		}
	}
}

func TestKeysATerminalCannotSendAreRefused(t *testing.T) {
	tests := []struct{ action, value, want string }{
		{"quit", `"ctrl+shift+hyper+q"`, `keys.quit: "ctrl+shift+hyper+q": the hyper modifier does not reach programs in a terminal: use ctrl, alt or shift`},
		{"kill", `"super+k"`, `the super modifier does not reach programs`},
		{"kill", `["k", "meta+k"]`, `the meta modifier does not reach programs`},
		{"kill", `"cmd+k"`, `the cmd modifier does not reach programs`},
		{"kill", `"ctrl+shift+k"`, `keys.kill: "ctrl+shift+k": terminals cannot send this combination as itself`},
		{"new", `"shift+enter"`, `"shift+enter": terminals cannot send this combination as itself`},
		{"new", `"ctrl+enter"`, `"ctrl+enter": terminals cannot send this combination as itself`},
		{"new", `"ctrl+1"`, `"ctrl+1": terminals cannot send this combination as itself`},
		{"new", `"shift+space"`, `"shift+space": terminals cannot send this combination as itself`},
		{"kill", `"ctrl+i"`, `"ctrl+i" arrives as "tab" (terminals send the same byte): write "tab"`},
		{"kill", `"ctrl+["`, `"ctrl+[" arrives as "esc"`},
		{"kill", `"shift+k"`, `"shift+k" never matches: write the character shift types, e.g. "K" or "?"`},
		{"kill", `"shift+ctrl+up"`, `"shift+ctrl+up" never matches: write "ctrl+shift+up"`},
		{"kill", `"Ctrl+k"`, `"Ctrl+k" never matches: write "ctrl+k"`},
		{"kill", `"ctrl+K"`, `"ctrl+K": terminals cannot send this combination as itself`},
		{"kill", `"ENTER"`, `"ENTER" never matches: write "enter"`},
		{"kill", `"escape"`, `"escape": "escape" is not a key name (keys are a character`},
		{"kill", `"pageup"`, `"pageup" is not a key name`},
		{"kill", `"f13"`, `"f13" is not a key name`},
		{"kill", `"kk"`, `"kk" is not a key name`},
		{"kill", `"ctrl+"`, `"" is not a key name`},
		{"kill", `"fn+k"`, `"fn" is not a modifier: use ctrl, alt or shift`},
		{"kill", `""`, `keys.kill: an empty key name`},
		{"quit", `[]`, `keys.quit: needs a key: without one there is no way to quit`},
		{"unfocus", `[]`, `keys.unfocus: needs a key: without one there is no way out of a run in focus`},
		{"unfocus", `"ctrl+c"`, `keys.unfocus: "ctrl+c" interrupts (SIGINT) in the run in focus, which could no longer get it; ` +
			`unfocus takes a key programs rarely need, such as "ctrl+]" (the default) or "f12"`},
		{"unfocus", `["ctrl+]", "ctrl+d"]`, `"ctrl+d" ends input (EOF) in the run in focus`},
		{"unfocus", `"ctrl+z"`, `"ctrl+z" suspends (SIGTSTP)`},
		{"unfocus", `'ctrl+\'`, `"ctrl+\\" quits (SIGQUIT)`},
		{"unfocus", `"esc"`, `"esc" cancels`},
		{"unfocus", `"enter"`, `"enter" submits a line`},
		{"unfocus", `"up"`, `"up" recalls history`},
		{"unfocus", `"q"`, `"q" types a character in the run in focus`},
		{"unfocus", `"Q"`, `"Q" types a character`},
		{"unfocus", `"é"`, `"é" types a character`},
	}
	for _, tt := range tests {
		wantError(t, "[settings]\nkill_grace = 2\n\n[keys]\nhelp = \"?\"\n"+tt.action+" = "+tt.value+"\n", 6, tt.want)
	}
}

func TestKeysATerminalSendsAreAccepted(t *testing.T) {
	for _, k := range []string{"k", "K", "?", "/", "+", "~", "é", "space", "enter", "tab", "shift+tab", "esc",
		"backspace", "delete", "insert", "home", "end", "pgup", "pgdown", "up", "shift+up", "ctrl+alt+shift+left",
		"ctrl+k", "ctrl+]", `ctrl+\`, "ctrl+_", "ctrl+space", "alt+k", "alt+shift+k", "alt++", "alt+enter", "alt+é",
		"f1", "f3", "ctrl+f3", "f12", "ctrl+shift+f12", "ctrl+alt+x"} {
		if err := checkKey(k); err != nil {
			t.Errorf("%q: %v", k, err)
		}
	}
	for _, k := range []string{"ctrl+]", "f12", "ctrl+g", "alt+q", "ctrl+up", "insert"} {
		if err := checkUnfocus(k); err != nil {
			t.Errorf("unfocus %q: %v", k, err)
		}
	}
	c := mustParse(t, "[keys]\nkill = []\nquit = [\"q\", \"ctrl+q\"]\nunfocus = \"f12\"\n")
	if len(c.Keys["kill"]) != 0 || len(c.Keys["quit"]) != 2 {
		t.Fatalf("keys %v", c.Keys)
	}
}

func TestKeyErrorNamesTheLineOfTheAction(t *testing.T) {
	c := mustParse(t, "[settings]\nkill_grace = 1\n\n[keys]\nnew = \"x\"\nkill = [\"K\"]\n")
	err := c.KeyError("kill", "%q clashes", "K")
	if err.Error() != `test.toml:6: keys.kill: "K" clashes` {
		t.Fatalf("%q", err)
	}
}
