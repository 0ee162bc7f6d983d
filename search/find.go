package search

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// finder finds a fixed string in a line, with or without case folding,
// without allocating or copying the line.
//
// It looks for an anchor, the needle's rarest byte or character, with the
// vectorised strings.IndexByte/Index and compares the rest of the needle
// around each one found: searching for the needle's first byte, as
// strings.Index does, stops at every "a" or "e" of a line.
//
// Case folding is Unicode simple folding (what strings.EqualFold and a
// regular expression's (?i) do). An ASCII needle is compared byte by byte
// with a lowering table whatever the line holds (a byte of a non-ASCII
// character never equals an ASCII one), except in the rare line that holds
// the Kelvin sign or the long s when the needle has a k or an s, the only
// ASCII letters that fold to a non-ASCII character: those lines, and every
// line for a non-ASCII needle, are searched character by character. A line
// is only looked at for those two characters when it could match: when it
// holds the anchor, which is not a k or an s if the needle has another
// letter, or before a match found byte by byte.
type finder struct {
	needle string
	fold   bool

	// bytewise: the needle (lowered when folding) is cmp, compared byte
	// by byte; aoff is the byte offset of the anchor, a0 and a1 its two
	// cases. special are the non-ASCII characters the needle's k and s
	// fold to: a line with one is searched by the characters; anchorSpec
	// says the anchor is a k or an s (the needle has no other letter).
	bytewise   bool
	cmp        string
	aoff       int
	a0, a1     byte
	special    []string
	anchorSpec bool

	// Otherwise, and for the lines with a special character: the needle's
	// characters, compared one by one; anchor is the index of the anchor
	// among them, cases its encodings in every case.
	runes  []rune
	cases  []string
	anchor int
}

// maxCases bounds the cases of an anchor (the largest simple-folding
// orbit has 4 characters; the test checks every character).
const maxCases = 4

func newFinder(needle string, fold bool) *finder {
	f := &finder{needle: needle, fold: fold}
	if needle == "" {
		return f
	}
	if !fold || isASCII(needle) {
		f.bytewise = true
		b := []byte(needle)
		best, bestCost := 0, math.MaxInt
		for i, c := range b {
			cost := int(freq[c])
			if fold {
				b[i] = lowerASCII[c]
				cost = byteCost(b[i])
				if b[i] == 'k' || b[i] == 's' {
					// A line where it is found is also searched for the
					// Kelvin sign or the long s: about one scan more.
					cost += 50
				}
			}
			if cost < bestCost {
				best, bestCost = i, cost
			}
		}
		f.cmp, f.aoff = string(b), best
		f.a0, f.a1 = b[best], b[best]
		if !fold {
			return f
		}
		if 'a' <= f.a0 && f.a0 <= 'z' {
			f.a1 = f.a0 - 'a' + 'A'
		}
		if strings.IndexByte(f.cmp, 'k') >= 0 {
			f.special = append(f.special, "\u212a")
		}
		if strings.IndexByte(f.cmp, 's') >= 0 {
			f.special = append(f.special, "\u017f")
		}
		f.anchorSpec = f.a0 == 'k' || f.a0 == 's'
		if f.special == nil {
			return f
		}
	}
	f.runes = []rune(needle)
	bestCost := math.MaxInt
	for i, r := range f.runes {
		cost := 0
		for _, c := range orbit(r) {
			cost += int(freq[string(c)[0]])
		}
		if cost < bestCost {
			f.anchor, bestCost = i, cost
		}
	}
	for _, c := range orbit(f.runes[f.anchor]) {
		f.cases = append(f.cases, string(c))
	}
	return f
}

// orbit returns r and every character it folds to.
func orbit(r rune) []rune {
	o := []rune{r}
	for c := unicode.SimpleFold(r); c != r; c = unicode.SimpleFold(c) {
		o = append(o, c)
	}
	return o
}

// byteCost is how often the anchor byte c (lowered) is expected to be
// found, each of a letter's two cases counting.
func byteCost(c byte) int {
	if 'a' <= c && c <= 'z' {
		return int(freq[c]) + int(freq[c-'a'+'A'])
	}
	return int(freq[c])
}

// index returns the first match of the needle in s at or after from, as
// s[start:end]; start is -1 when there is none.
func (f *finder) index(s string, from int) (start, end int) {
	switch {
	case f.needle == "" || from > len(s):
		return -1, -1
	case !f.bytewise:
		return f.indexFold(s, from)
	}
	start, end, seen := f.indexBytes(s, from)
	switch {
	case f.special == nil:
		return start, end
	case start >= 0:
		// A match with a special character that starts earlier has it
		// before this one: the two would have as many characters.
		if !hasAny(s[from:start], f.special) {
			return start, end
		}
	case !seen && !f.anchorSpec:
		return -1, -1 // every match has the anchor, in one of its two cases
	case !hasAny(s[from:], f.special):
		return -1, -1
	}
	return f.indexFold(s, from)
}

// indexBytes is index for a needle compared byte by byte; seen reports
// whether the anchor was found at all.
func (f *finder) indexBytes(s string, from int) (start, end int, seen bool) {
	n := len(f.cmp)
	last := len(s) - n + f.aoff // the last place the anchor can be
	// next0 and next1: the next a0 and a1 at or after pos, found again
	// only once passed.
	pos := from + f.aoff
	next0, next1 := -1, -1
	for pos <= last {
		if next0 < pos {
			next0 = indexByteIn(s, pos, last, f.a0)
		}
		if next1 < pos {
			next1 = next0
			if f.a1 != f.a0 {
				next1 = indexByteIn(s, pos, last, f.a1)
			}
		}
		c := min(next0, next1)
		if c > last {
			break
		}
		seen = true
		start := c - f.aoff
		if f.fold && equalLower(s[start:start+n], f.cmp) || !f.fold && s[start:start+n] == f.cmp {
			return start, start + n, true
		}
		pos = c + 1
	}
	return -1, -1, seen
}

// indexByteIn returns the index of the first c in s[from:last+1], or
// math.MaxInt.
func indexByteIn(s string, from, last int, c byte) int {
	if i := strings.IndexByte(s[from:last+1], c); i >= 0 {
		return from + i
	}
	return math.MaxInt
}

// equalLower reports whether s lowered is lower (ASCII only).
func equalLower(s, lower string) bool {
	for i := 0; i < len(lower); i++ {
		if lowerASCII[s[i]] != lower[i] {
			return false
		}
	}
	return true
}

func (f *finder) indexFold(s string, from int) (int, int) {
	var next [maxCases]int
	for k := range next {
		next[k] = -1
	}
	for pos := from; pos < len(s); {
		c := math.MaxInt
		for k, enc := range f.cases {
			if next[k] < pos {
				next[k] = math.MaxInt
				if i := strings.Index(s[pos:], enc); i >= 0 {
					next[k] = pos + i
				}
			}
			c = min(c, next[k])
		}
		if c == math.MaxInt {
			break
		}
		if start, end, ok := f.verify(s, from, c); ok {
			return start, end
		}
		pos = c + 1
	}
	return -1, -1
}

// verify reports whether the needle matches s with its anchor at c and
// its start at or after from, and where.
func (f *finder) verify(s string, from, c int) (start, end int, ok bool) {
	p := c
	for _, want := range f.runes[f.anchor:] {
		if p >= len(s) {
			return 0, 0, false
		}
		r, w := utf8.DecodeRuneInString(s[p:])
		if !foldEqual(r, want) {
			return 0, 0, false
		}
		p += w
	}
	end, p = p, c
	for k := f.anchor - 1; k >= 0; k-- {
		if p <= from {
			return 0, 0, false
		}
		r, w := utf8.DecodeLastRuneInString(s[from:p])
		if !foldEqual(r, f.runes[k]) {
			return 0, 0, false
		}
		p -= w
	}
	return p, end, true
}

// foldEqual reports whether r and want are equal under simple folding.
func foldEqual(r, want rune) bool {
	if r == want {
		return true
	}
	if r < utf8.RuneSelf && want < utf8.RuneSelf {
		return lowerASCII[r] == lowerASCII[want]
	}
	for c := unicode.SimpleFold(want); c != want; c = unicode.SimpleFold(c) {
		if c == r {
			return true
		}
	}
	return false
}

// hasAny reports whether s holds one of subs.
func hasAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lowerASCII maps A–Z to a–z and every other byte to itself.
var lowerASCII = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = byte(c - 'A' + 'a')
	}
	return t
}()

// freq is a rough rank of how common a byte is in program output (English
// words, code, paths, numbers), for picking the rarest character of a
// needle as its anchor. Only the order matters.
var freq = func() (t [256]uint8) {
	for i := range t {
		t[i] = 30 // punctuation and control bytes
	}
	for i := utf8.RuneSelf; i < 256; i++ {
		t[i] = 20 // the bytes of non-ASCII characters
	}
	for i, c := range "etaoinsrhldcumfpgwybvkxjqz" {
		t[c] = uint8(200 - 5*i)
		t[c-'a'+'A'] = uint8(60 - 2*i)
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = 110
	}
	for _, c := range " " {
		t[c] = 255
	}
	for _, c := range ".,-_/:=()\"'\t" {
		t[c] = 90
	}
	return t
}()
