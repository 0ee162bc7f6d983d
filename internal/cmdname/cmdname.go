// Package cmdname names a run after the first real program of its command
// line.
//
// The name is the base name of the first program the line runs, read the
// way a shell would read it: environment assignments (FOO=bar), builtins that
// only set up (cd, export, source, true, …) and keywords (while, do, if, …)
// are passed over; wrappers that run the rest of their arguments (exec, env,
// nohup, sudo, nice, time, timeout, …) are looked through, with their
// options; a shell's -c script is read in its turn. The line is read one
// simple command at a time (the parts between ;, &&, ||, |, & and newlines),
// so in a loop such as `while true; do date; done` the name is that of the
// first program of the body, "date". When nothing on the line is a real
// program (`cd /tmp`, `true`), the first command word names it; a wrapper
// with nothing to run names itself (`FOO=bar env` is "env").
//
// It does not expand variables, aliases or functions, nor read `case`
// patterns: those lines are named after a word that looks like a program.
package cmdname

import (
	"path/filepath"
	"strings"
)

// Name returns the name of the first real program of the shell command line
// command, or "" when the line holds no command word.
func Name(command string) string {
	n, _ := name(lex(command), 0)
	return n
}

// Argv is Name for a command already split into its arguments, as exec runs
// it or /proc/PID/cmdline holds it: no argument is a shell operator, but a
// shell's -c script is still read.
func Argv(argv []string) string {
	ts := make([]token, len(argv))
	for i, a := range argv {
		ts[i] = token{s: a}
	}
	n, _ := name(ts, 0)
	return n
}

// token is a word of a command line, or a control operator (op) that ends a
// simple command.
type token struct {
	s  string
	op bool
}

// maxDepth bounds how many shells' -c scripts inside one another are read.
const maxDepth = 4

// name names the command line ts: the first real program and true, or a
// stand-in (the first command word) and false.
func name(ts []token, depth int) (string, bool) {
	fallback := ""
	for len(ts) > 0 {
		end := 0
		for end < len(ts) && !ts[end].op {
			end++
		}
		words := make([]string, end)
		for i := range words {
			words[i] = ts[i].s
		}
		if n, real := simple(words, depth); real {
			return n, true
		} else if fallback == "" {
			fallback = n
		}
		if end < len(ts) {
			end++ // the operator
		}
		ts = ts[end:]
	}
	return fallback, false
}

// simple names one simple command, as name does.
func simple(w []string, depth int) (string, bool) {
	for i := 0; i < len(w); i++ {
		word := w[i]
		switch {
		case isAssignment(word):
			continue
		case isRedirection(word):
			if strings.HasSuffix(word, ">") || strings.HasSuffix(word, "<") {
				i++ // the target is the next word: `> log`
			}
			continue
		case listKeywords[word]:
			// for NAME in WORDS, case WORD in, function NAME: no program
			// runs on this part of the line.
			return "", false
		case keywords[word]:
			continue
		case setup[word]:
			return word, false
		}
		base := filepath.Base(word)
		if word == "" {
			base = ""
		}
		if wr, ok := wrappers[base]; ok {
			next := wr.skip(w, i+1)
			if next >= len(w) {
				return base, true // nothing to run: the wrapper itself
			}
			i = next - 1
			continue
		}
		if shells[base] && depth < maxDepth {
			if script, ok := shellScript(w[i+1:]); ok {
				if n, real := name(lex(script), depth+1); n != "" {
					return n, real
				}
			}
		}
		return base, base != ""
	}
	return "", false
}

// shellScript returns the script a shell's arguments give with -c (also
// within grouped options such as -lc or -ec), if they give one.
func shellScript(args []string) (string, bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-o" || a == "-O" || a == "+o" || a == "+O":
			i++ // -o pipefail
		case strings.HasPrefix(a, "--") && a != "--":
			// --norc, --login
		case strings.HasPrefix(a, "-") && len(a) > 1:
			if strings.ContainsRune(a[1:], 'c') {
				if i+1 < len(args) {
					return args[i+1], true
				}
				return "", false
			}
		default:
			return "", false // a script file, or "--": no -c
		}
	}
	return "", false
}

func isAssignment(w string) bool {
	n, _, ok := strings.Cut(w, "=")
	if !ok || n == "" {
		return false
	}
	for i, r := range n {
		if r != '_' && !('a' <= r && r <= 'z') && !('A' <= r && r <= 'Z') && (i == 0 || !('0' <= r && r <= '9')) {
			return false
		}
	}
	return true
}

// isRedirection reports whether w is a redirection: >log, 2>&1, < in, &>x.
func isRedirection(w string) bool {
	t := strings.TrimLeft(w, "0123456789")
	return strings.HasPrefix(t, ">") || strings.HasPrefix(t, "<") || strings.HasPrefix(t, "&>")
}

// keywords are the shell's reserved words that may come before a command.
// (time is one too, but with options: it is read as a wrapper.)
var keywords = set("if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}")

// listKeywords begin a part of a line that runs no program.
var listKeywords = set("for", "select", "case", "esac", "function", "in", "[[", "]]", "((", "))")

// setup are builtins (and no-op programs) that set up or test rather than
// do the work: a line is not named after them while a program follows.
var setup = set("cd", "pushd", "popd", "export", "set", "unset", "shopt", "umask", "ulimit", "alias",
	"unalias", "source", ".", "true", "false", ":", "trap", "wait", "read", "local", "declare", "typeset",
	"readonly", "eval", "test", "[", "hash", "type", "return", "exit", "break", "continue", "shift")

// shells are the programs whose -c runs a script, by name. A suffix would
// not do: `ssh -c aes128-ctr host` names a cipher.
var shells = set("sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "csh", "tcsh", "yash", "elvish",
	"nu")

// wrapper is a program that runs the rest of its arguments as a command.
type wrapper struct {
	// withArg are its options that take the next word as their value.
	withArg map[string]bool
	// assignments: it takes NAME=value words before the command (env).
	assignments bool
	// positional is how many words after the options are its own
	// (timeout's duration).
	positional int
}

// skip returns the index of the command the wrapper's arguments w[i:] run.
func (wr wrapper) skip(w []string, i int) int {
	for ; i < len(w); i++ {
		a := w[i]
		switch {
		case a == "--":
			return i + 1 + wr.positional
		case strings.HasPrefix(a, "-") && a != "-":
			if wr.withArg[a] {
				i++
			}
		case wr.assignments && isAssignment(a):
		default:
			return i + wr.positional
		}
	}
	return i
}

var wrappers = map[string]wrapper{
	"exec":    {withArg: set("-a")},
	"env":     {withArg: set("-u", "-C", "-S", "--unset", "--chdir", "--split-string"), assignments: true},
	"nohup":   {},
	"sudo":    {withArg: set("-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "--user", "--group")},
	"doas":    {withArg: set("-u", "-C")},
	"nice":    {withArg: set("-n", "--adjustment")},
	"ionice":  {withArg: set("-c", "-n", "-p", "-P", "-u")},
	"command": {},
	"builtin": {},
	"time":    {withArg: set("-f", "-o", "--format", "--output")},
	"setsid":  {},
	"stdbuf":  {withArg: set("-i", "-o", "-e")},
	"timeout": {withArg: set("-s", "-k", "--signal", "--kill-after"), positional: 1},
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
