package config

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/shell"
	"mvdan.cc/sh/v3/syntax"
)

// Template is a command template: argv words that may hold placeholders.
// Written as an array of words, or as one string split like a shell would
// split it (quotes group words; nothing is expanded).
type Template []string

var placeholderRE = regexp.MustCompile(`\{[a-z_]+\}`)

// UnmarshalTOML reads and checks a template.
func (t *Template) UnmarshalTOML(v any) error {
	var words []string
	if s, ok := v.(string); ok {
		w, err := splitWords(s)
		if err != nil {
			return err
		}
		words = w
	} else {
		w, err := stringList(v, `an array of words such as ["make", "-C", "{project}"], or a command line`)
		if err != nil {
			return err
		}
		words = w
	}
	if len(words) == 0 || strings.TrimSpace(words[0]) == "" {
		return errors.New("the program is missing")
	}
	// Which placeholders a template may hold depends on the field (an
	// agent's command, notify_command): Config.validate checks them.
	if err := checkShellScripts(words); err != nil {
		return err
	}
	*t = words
	return nil
}

// shells are the programs whose -c runs its argument as a script.
var shells = []string{"sh", "bash", "zsh", "dash", "ksh", "ksh93", "mksh", "pdksh", "ash", "yash", "posh", "fish",
	"csh", "tcsh", "{shell}", "$SHELL", "${SHELL}"}

// checkShellScripts refuses a placeholder inside the script of a shell's
// -c (sh -c, /bin/bash -lc, env … zsh -c, fish --command=…): the shell
// would parse the value, so a task holding $(…), backquotes, ; or && would
// run them. A placeholder given as its own word after the script reaches
// the script as "$1" and is never parsed.
func checkShellScripts(words []string) error {
	for i, w := range words {
		name := w[strings.LastIndexByte(w, '/')+1:]
		if !slices.Contains(shells, name) && !slices.Contains(shells, w) {
			continue
		}
		script, ok := shellScript(name, words[i+1:])
		if !ok {
			continue
		}
		if p := placeholderRE.FindString(script); p != "" {
			return fmt.Errorf("%s inside the script of %q runs its value through the shell "+
				"($(…), backquotes, ; and && in it would run): pass it as its own word after the script "+
				"and use \"$1\", e.g. [%q, \"-c\", \"echo \\\"$1\\\"\", \"_\", %q]", p, name+" -c", w, p)
		}
	}
	return nil
}

// shellScript finds the script among a shell's arguments: the word after
// the options once an option holds c (-c, -lc, -ec), or the value of fish's
// --command or --init-command (-C). ok is false when the shell runs no
// script given on its command line.
func shellScript(shell string, args []string) (script string, ok bool) {
	dashC := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() (string, bool) {
			if i+1 < len(args) {
				return args[i+1], true
			}
			return "", false
		}
		switch {
		case strings.HasPrefix(a, "--command="), strings.HasPrefix(a, "--init-command="):
			_, v, _ := strings.Cut(a, "=")
			return v, true
		case a == "--command":
			dashC = true
		case a == "--init-command", shell == "fish" && a == "-C":
			return next()
		case a == "--" || a == "-": // the end of the options
			if dashC {
				return next()
			}
			return "", false
		case a == "-o" || a == "+o" || a == "-O" || a == "+O" || a == "--rcfile" || a == "--init-file":
			i++ // the option's value
		case strings.HasPrefix(a, "--"):
		case len(a) > 1 && (a[0] == '-' || a[0] == '+'):
			if a[0] == '-' && strings.ContainsRune(a[1:], 'c') {
				dashC = true
			}
		default:
			if dashC {
				return a, true
			}
			return "", false // a script file: its arguments are not parsed
		}
	}
	return "", false
}

// splitWords splits a template string into words as a shell would split
// it, refusing anything a shell would expand: the template runs without one.
func splitWords(s string) ([]string, error) {
	f, err := syntax.NewParser().Parse(strings.NewReader(s), "")
	if err != nil {
		return nil, err
	}
	if len(f.Stmts) != 1 {
		return nil, errors.New("one command only (no ;, &&, | or newlines): write an array of words")
	}
	call, ok := f.Stmts[0].Cmd.(*syntax.CallExpr)
	if !ok || len(call.Assigns) > 0 || len(f.Stmts[0].Redirs) > 0 {
		return nil, errors.New("a plain command only: write an array of words")
	}
	for _, w := range call.Args {
		for _, p := range w.Parts {
			switch p := p.(type) {
			case *syntax.Lit, *syntax.SglQuoted:
			case *syntax.DblQuoted:
				for _, q := range p.Parts {
					if _, ok := q.(*syntax.Lit); !ok {
						return nil, errors.New("no $ or ` expansions: nothing runs through a shell; write an array of words")
					}
				}
			default:
				return nil, errors.New("no $ or ` expansions: nothing runs through a shell; write an array of words")
			}
		}
	}
	return shell.Fields(s, func(string) string { return "" })
}

// Uses reports whether the template holds a placeholder, e.g. "{session_id}".
func (t Template) Uses(placeholder string) bool {
	for _, w := range t {
		if strings.Contains(w, placeholder) {
			return true
		}
	}
	return false
}

// Vars are the values of the placeholders: an agent's command takes
// {task}, {model}, {project}, {session_id} and {shell}; notify_command
// takes {name}, {state} and {detail}.
type Vars struct {
	Task, Model, Project, SessionID, Shell string
	// Name, State and Detail are a run's name, activity state and detail.
	Name, State, Detail string
}

// Expand returns argv: each placeholder replaced inside its word, so a
// value with spaces, quotes, `;`, `$(…)` or newlines stays one argument and
// never meets a shell. A word that is only a placeholder whose value is
// empty is dropped, and with it a flag word ("-m", "--model") just before.
func (t Template) Expand(v Vars) []string {
	values := map[string]string{"{task}": v.Task, "{model}": v.Model, "{project}": v.Project,
		"{session_id}": v.SessionID, "{shell}": v.Shell, "{name}": v.Name, "{state}": v.State, "{detail}": v.Detail}
	out := make([]string, 0, len(t))
	for _, w := range t {
		if val, ok := values[w]; ok && val == "" {
			if n := len(out); n > 0 && strings.HasPrefix(out[n-1], "-") && !strings.Contains(out[n-1], "=") {
				out = out[:n-1]
			}
			continue
		}
		out = append(out, placeholderRE.ReplaceAllStringFunc(w, func(p string) string { return values[p] }))
	}
	return out
}
