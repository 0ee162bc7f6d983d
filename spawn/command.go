package spawn

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"mvdan.cc/sh/v3/shell"
	"mvdan.cc/sh/v3/syntax"
)

// ParseCommand turns a command line typed by a person into argv. A line that
// is one simple command of literal or quoted words (`npm run dev`,
// `grep -r "a b" .`) is split into its words and run directly. A line that
// needs a shell (pipes, `;`, `&&`, redirections, `$VAR`, `$(…)`, globs, `~`)
// runs as `$SHELL -c line` (sh when SHELL is unset). A line that does not
// parse is an error that says where.
func ParseCommand(line string) ([]string, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return nil, errors.New("nothing to run: the command is empty")
	}
	f, err := syntax.NewParser().Parse(strings.NewReader(line), "")
	if err != nil {
		return nil, fmt.Errorf("command line: %w", err)
	}
	if simple(f) {
		argv, err := shell.Fields(line, func(string) string { return "" })
		if err == nil && len(argv) > 0 {
			return argv, nil
		}
	}
	sh := os.Getenv("SHELL")
	if sh == "" {
		sh = "/bin/sh"
	}
	return []string{sh, "-c", line}, nil
}

// simple reports whether f is one command of plain words, which splitting
// alone runs as a shell would.
func simple(f *syntax.File) bool {
	if len(f.Stmts) != 1 {
		return false
	}
	st := f.Stmts[0]
	if st.Negated || st.Background || st.Coprocess || st.Disown || len(st.Redirs) > 0 {
		return false
	}
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || len(call.Assigns) > 0 || len(call.Args) == 0 {
		return false
	}
	for _, w := range call.Args {
		for _, p := range w.Parts {
			if !plainPart(p) {
				return false
			}
		}
	}
	return true
}

func plainPart(p syntax.WordPart) bool {
	switch p := p.(type) {
	case *syntax.Lit:
		return !strings.ContainsAny(p.Value, "*?[~")
	case *syntax.SglQuoted:
		return !p.Dollar
	case *syntax.DblQuoted:
		if p.Dollar {
			return false
		}
		for _, q := range p.Parts {
			if _, ok := q.(*syntax.Lit); !ok {
				return false
			}
		}
		return true
	}
	return false
}
