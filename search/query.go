package search

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mode says how a query's text is read.
type Mode int

const (
	// Plain finds the text as typed.
	Plain Mode = iota
	// Regex reads the text as a regular expression (Go's RE2 syntax).
	Regex
)

// Range is where a match lies in a line: line[Start:End], in bytes.
type Range struct{ Start, End int }

// Query is what a person typed, compiled for matching lines of plain text
// (no escape sequences). It is immutable, so goroutines may share it.
//
// Case follows smart case, as in vim and less: a query without a capital
// letter ignores case ("fail" finds "FAIL" and "Fail"); one with a capital
// matches case exactly ("FAIL" finds only "FAIL"). In a regular expression
// the letters of escapes (\S, \W, \pL, \p{Greek}) and of groups' names and
// flags ((?P<Name>…), (?U)) do not count as capitals.
type Query struct {
	text string
	mode Mode
	fold bool

	plain *finder        // Plain
	re    *regexp.Regexp // Regex
	// pre holds groups of literals: every match of re contains one of
	// each group, so a line without is skipped without running re.
	pre [][]*finder
}

// PatternError says why the text of a Regex query is not a regular
// expression. Its message reads well on a status line as it is:
// "bad pattern: missing closing ): `(abc`".
type PatternError struct {
	Pattern string
	Err     error // the *syntax.Error
}

// Error returns "bad pattern: " and what is wrong where.
func (e *PatternError) Error() string {
	var se *syntax.Error
	if errors.As(e.Err, &se) {
		if se.Expr == "" {
			return "bad pattern: " + se.Code.String()
		}
		return fmt.Sprintf("bad pattern: %s: `%s`", se.Code, se.Expr)
	}
	return "bad pattern: " + e.Err.Error()
}

// Unwrap returns the parser's error.
func (e *PatternError) Unwrap() error { return e.Err }

// Compile reads text as a query of the given mode. An empty text is a
// query that matches nothing (Empty). A Regex text that does not parse
// gives a *PatternError.
func Compile(text string, mode Mode) (*Query, error) {
	q := &Query{text: text, mode: mode}
	switch mode {
	case Plain:
		q.fold = !hasUpper(text)
		q.plain = newFinder(text, q.fold)
	case Regex:
		q.fold = !patternHasUpper(text)
		if text == "" {
			return q, nil
		}
		flags := syntax.Perl // what regexp.Compile parses with
		if q.fold {
			flags |= syntax.FoldCase
		}
		tree, err := syntax.Parse(text, flags)
		if err != nil {
			return nil, &PatternError{Pattern: text, Err: err}
		}
		expr := text
		if q.fold {
			expr = "(?i)" + text
		}
		if q.re, err = regexp.Compile(expr); err != nil {
			return nil, &PatternError{Pattern: text, Err: err}
		}
		for _, g := range literals(tree) {
			fs := make([]*finder, len(g))
			for i, l := range g {
				fs[i] = newFinder(l.s, l.fold)
			}
			q.pre = append(q.pre, fs)
		}
	default:
		return nil, fmt.Errorf("compile %q: unknown search mode %d", text, mode)
	}
	return q, nil
}

// String returns the text the query was compiled from.
func (q *Query) String() string { return q.text }

// Mode returns how the query's text is read.
func (q *Query) Mode() Mode { return q.mode }

// Empty reports whether the query is empty: it matches nothing.
func (q *Query) Empty() bool { return q.text == "" }

// IgnoresCase reports whether the query ignores case (it has no capital).
func (q *Query) IgnoresCase() bool { return q.fold }

// Match reports whether line matches. It does not allocate.
func (q *Query) Match(line string) bool {
	switch {
	case q.text == "":
		return false
	case q.mode == Plain:
		start, _ := q.plain.index(line, 0)
		return start >= 0
	case !q.maybe(line):
		return false
	}
	return q.re.MatchString(line)
}

// maybe reports whether line holds a literal of each group of a regular
// expression's (true when none are known).
func (q *Query) maybe(line string) bool {
	for _, g := range q.pre {
		if !anyIn(g, line) {
			return false
		}
	}
	return true
}

func anyIn(fs []*finder, line string) bool {
	for _, f := range fs {
		if start, _ := f.index(line, 0); start >= 0 {
			return true
		}
	}
	return false
}

// Ranges appends where the query matches in line to dst, in order and not
// overlapping, and returns it: for highlighting. A regular expression's
// empty matches (of `^` or `x*`) are left out, though the line matches.
func (q *Query) Ranges(line string, dst []Range) []Range {
	dst, _ = q.ranges(line, dst)
	return dst
}

// ranges is Ranges that also reports whether the line matches, empty
// matches included.
func (q *Query) ranges(line string, dst []Range) ([]Range, bool) {
	switch {
	case q.text == "":
		return dst, false
	case q.mode == Plain:
		matched := false
		for from := 0; ; {
			start, end := q.plain.index(line, from)
			if start < 0 {
				return dst, matched
			}
			dst, matched = append(dst, Range{start, end}), true
			from = end
		}
	case !q.maybe(line):
		return dst, false
	}
	all := q.re.FindAllStringIndex(line, -1)
	for _, m := range all {
		if m[1] > m[0] {
			dst = append(dst, Range{m[0], m[1]})
		}
	}
	return dst, len(all) > 0
}

// hasUpper reports whether s has a capital letter.
func hasUpper(s string) bool {
	return strings.IndexFunc(s, unicode.IsUpper) >= 0
}

// patternHasUpper reports whether a regular expression has a capital
// letter outside escapes (\S, \pL, \p{Greek}), groups' names ((?P<Name>)
// and flags ((?U)).
func patternHasUpper(p string) bool {
	for i := 0; i < len(p); {
		r, w := utf8.DecodeRuneInString(p[i:])
		switch {
		case r == '\\' && i+1 < len(p):
			i++ // the escaped character
			c := p[i]
			i++
			if (c == 'p' || c == 'P') && i < len(p) {
				if p[i] == '{' {
					if j := strings.IndexByte(p[i:], '}'); j >= 0 {
						i += j + 1
						continue
					}
				}
				i++ // a one-letter class: \pL
			}
			continue
		case strings.HasPrefix(p[i:], "(?"):
			// Flags up to ':' or ')', or a group's name up to '>'.
			j := strings.IndexAny(p[i+2:], ":)>")
			if j >= 0 {
				i += 2 + j + 1
				continue
			}
		case unicode.IsUpper(r):
			return true
		}
		i += w
	}
	return false
}

// lit is a literal string of a regular expression, matched ignoring case
// or not.
type lit struct {
	s    string
	fold bool
}

// A group is literals one of which is in every match; a prefilter is
// groups that all are.
type group []lit

const (
	maxLiterals = 8 // in a group
	maxGroups   = 3 // in a prefilter
)

// literals returns the groups of literals that every match of re
// contains (none: nothing is known), the most selective first.
func literals(re *syntax.Regexp) []group {
	switch re.Op {
	case syntax.OpLiteral:
		return []group{{{string(re.Rune), re.Flags&syntax.FoldCase != 0}}}
	case syntax.OpCapture, syntax.OpPlus:
		return literals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return literals(re.Sub[0])
		}
	case syntax.OpConcat:
		// Each factor's groups are needed.
		var all []group
		for _, sub := range re.Sub {
			all = append(all, literals(sub)...)
		}
		sort.SliceStable(all, func(i, j int) bool { return better(all[i], all[j]) })
		return all[:min(len(all), maxGroups)]
	case syntax.OpAlternate:
		// One branch's: the best group of each, together.
		var g group
		for _, sub := range re.Sub {
			gs := literals(sub)
			if len(gs) == 0 || len(g)+len(gs[0]) > maxLiterals {
				return nil
			}
			g = append(g, gs[0]...)
		}
		return []group{g}
	}
	return nil
}

// better reports whether a narrows lines down more than b: its shortest
// literal is longer, or as long and it has fewer.
func better(a, b group) bool {
	ma, mb := a.shortest(), b.shortest()
	return ma > mb || ma == mb && len(a) < len(b)
}

func (g group) shortest() int {
	n := -1
	for _, l := range g {
		if n < 0 || len(l.s) < n {
			n = len(l.s)
		}
	}
	return n
}
