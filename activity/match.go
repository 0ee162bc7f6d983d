package activity

import (
	"bytes"
	"encoding/binary"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// matcher finds a screen pattern in a screen's text. Go's regexp scans a
// 10 KB screen with a case-insensitive alternation at ~80 ns a byte (no
// literal prefix to skip with): most of a millisecond per screen change.
// The patterns agents need are nearly always a few phrases ("esc to
// interrupt", "Do you want to proceed\?|Esc to cancel"), so a pattern whose
// language is a small set of ASCII strings is matched with strings.Index
// instead, on an ASCII-lowercased copy when it ignores case. Any other
// pattern goes to the regexp.
type matcher struct {
	re    *regexp.Regexp
	lits  []string // non-nil: re matches exactly these strings
	blits [][]byte // lits as bytes, for the lowercased text
	fold  bool     // lits are lowercase and compared with the lowercased text
}

// maxLiterals bounds the strings a pattern may expand to for the fast path.
const maxLiterals = 64

func newMatcher(re *regexp.Regexp) *matcher {
	if re == nil {
		return nil
	}
	m := &matcher{re: re}
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return m
	}
	tree = tree.Simplify()
	folds := map[bool]bool{}
	lits, ok := language(tree, folds)
	if !ok || len(folds) > 1 || len(lits) == 0 {
		return m
	}
	for _, l := range lits {
		if l == "" {
			return m // matches everywhere: leave it to the regexp
		}
	}
	m.fold = folds[true]
	for _, l := range lits {
		if m.fold {
			l = strings.ToLower(l)
		}
		if !slices.Contains(m.lits, l) {
			m.lits = append(m.lits, l)
		}
	}
	for _, l := range m.lits {
		m.blits = append(m.blits, []byte(l))
	}
	return m
}

// language lists the strings tree matches, if it matches only a few ASCII
// strings; folds records whether its literals ignore case (both kinds:
// mixed, which the fast path does not do).
func language(tree *syntax.Regexp, folds map[bool]bool) ([]string, bool) {
	switch tree.Op {
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpLiteral:
		fold := tree.Flags&syntax.FoldCase != 0
		s := string(tree.Rune)
		if !ascii(s) {
			return nil, false
		}
		letters := 0
		for _, r := range s {
			if unicode.SimpleFold(r) != r {
				letters++
			}
		}
		if fold && letters == 1 {
			// [Yy] comes as a folded one-letter literal: both cases, exact,
			// suit either comparison.
			return slices.Compact([]string{strings.ToLower(s), strings.ToUpper(s)}), true
		}
		if letters > 0 {
			folds[fold] = true
		}
		return []string{s}, true
	case syntax.OpCharClass:
		// A folded single letter, or one-character alternatives, make a
		// class: [Ee], [NYny]. Small ASCII classes only.
		var members []rune
		for i := 0; i+1 < len(tree.Rune); i += 2 {
			lo, hi := tree.Rune[i], tree.Rune[i+1]
			if lo == hi && (lo == 'ſ' || lo == 'K') {
				continue // the fold partners of s and k; see find
			}
			if hi >= utf8.RuneSelf || hi-lo >= 16 {
				return nil, false
			}
			for r := lo; r <= hi; r++ {
				members = append(members, r)
			}
		}
		return classLanguage(members, folds)
	case syntax.OpCapture:
		return language(tree.Sub[0], folds)
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range tree.Sub {
			l, ok := language(sub, folds)
			if !ok || len(out)*len(l) > maxLiterals {
				return nil, false
			}
			next := make([]string, 0, len(out)*len(l))
			for _, a := range out {
				for _, b := range l {
					next = append(next, a+b)
				}
			}
			out = next
		}
		return out, true
	case syntax.OpAlternate:
		var out []string
		for _, sub := range tree.Sub {
			l, ok := language(sub, folds)
			if !ok || len(out)+len(l) > maxLiterals {
				return nil, false
			}
			out = append(out, l...)
		}
		return out, true
	}
	return nil, false
}

// classLanguage is a small ASCII class as strings, matched exactly. A
// class holding both cases of each of its letters ([Yy], (?i)y) suits
// either comparison (lowercased with the text when folding); any other
// needs the exact one.
func classLanguage(members []rune, folds map[bool]bool) ([]string, bool) {
	if len(members) == 0 || len(members) > 16 {
		return nil, false
	}
	out := make([]string, 0, len(members))
	for _, r := range members {
		if o := unicode.SimpleFold(r); o != r && !slices.Contains(members, o) {
			folds[false] = true
		}
		out = append(out, string(r))
	}
	return out, true
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// screenText is a screen's text and, made on first need, its
// ASCII-lowercased copy, shared by the matchers of one screen.
type screenText struct {
	text  string
	lower []byte // kept between screens, to reuse its array
	ok    bool   // lower holds text's
}

func (s *screenText) set(text string) { s.text, s.ok = text, false }

func (s *screenText) lowered() []byte {
	if !s.ok {
		s.lower, s.ok = lowerASCII(append(s.lower[:0], s.text...)), true
	}
	return s.lower
}

// lowerASCII lowercases A-Z in b in place, eight bytes at a time: a byte
// is an upper-case letter when it is ASCII, at least 'A' and not above 'Z',
// each found with one addition per word (no carry crosses a byte: the high
// bits are masked off first).
func lowerASCII(b []byte) []byte {
	const (
		lows  = 0x7f7f7f7f7f7f7f7f
		highs = 0x8080808080808080
		ones  = 0x0101010101010101
	)
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		h := w & lows
		geA := h + (0x80-'A')*ones // high bit set where the byte is >= 'A'
		gtZ := h + (0x7f-'Z')*ones // high bit set where the byte is > 'Z'
		upper := (geA ^ gtZ) &^ w & highs
		binary.LittleEndian.PutUint64(b[i:], w|upper>>2)
	}
	for ; i < len(b); i++ {
		if c := b[i]; 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return b
}

// find returns the leftmost match in the screen's text, or ok false. (The folding
// comparison lowercases ASCII only: the exotic fold partners of s and k,
// U+017F and U+212A, which the regexp would match, are not.)
func (m *matcher) find(s *screenText) (start, end int, ok bool) {
	if m == nil {
		return 0, 0, false
	}
	text := s.text
	if m.lits == nil {
		loc := m.re.FindStringIndex(text)
		if loc == nil {
			return 0, 0, false
		}
		return loc[0], loc[1], true
	}
	var lower []byte
	if m.fold {
		lower = s.lowered()
	}
	start = -1
	for k, l := range m.lits {
		var i int
		if m.fold {
			i = bytes.Index(lower, m.blits[k])
		} else {
			i = strings.Index(text, l)
		}
		if i >= 0 && (start < 0 || i < start || i == start && i+len(l) > end) {
			start, end = i, i+len(l)
		}
	}
	return start, end, start >= 0
}
