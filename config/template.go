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
			return fmt.Errorf("command: %w", err)
		}
		words = w
	} else {
		w, err := stringList(v)
		if err != nil {
			return fmt.Errorf("command: %w", err)
		}
		words = w
	}
	if len(words) == 0 || strings.TrimSpace(words[0]) == "" {
		return fmt.Errorf("command: the program is missing")
	}
	for _, w := range words {
		for _, p := range placeholderRE.FindAllString(w, -1) {
			if !slices.Contains(placeholders, p) {
				return fmt.Errorf("command: unknown placeholder %s (use %s)", p, strings.Join(placeholders, ", "))
			}
		}
	}
	*t = words
	return nil
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

// Vars are the values of the placeholders.
type Vars struct {
	Task, Model, Project, SessionID, Shell string
}

// Expand returns argv: each placeholder replaced inside its word, so a
// value with spaces, quotes, `;`, `$(…)` or newlines stays one argument and
// never meets a shell. A word that is only a placeholder whose value is
// empty is dropped, and with it a flag word ("-m", "--model") just before.
func (t Template) Expand(v Vars) []string {
	values := map[string]string{"{task}": v.Task, "{model}": v.Model, "{project}": v.Project,
		"{session_id}": v.SessionID, "{shell}": v.Shell}
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
