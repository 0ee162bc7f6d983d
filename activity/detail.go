package activity

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// DetailRunes bounds a detail: it fits a row's STATE cell or a pane title.
const DetailRunes = 80

// clean makes text one line of at most max runes: line ends and tabs become
// spaces, other control characters (C0, DEL, C1), bidirectional controls
// and invalid UTF-8 are dropped, runs of spaces collapse, and a longer text
// ends in "…". Nothing the child wrote can move the cursor or reorder the
// row it is shown in.
func clean(text string, max int) string {
	var b strings.Builder
	b.Grow(min(len(text), 4*max+4))
	n := 0 // runes written
	space := false
	truncated := false
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1:
			continue
		case r == '\n' || r == '\r' || r == '\t' || r == '\v' || r == '\f' || unicode.IsSpace(r):
			space = n > 0
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029':
			continue
		}
		if space {
			if n+1 >= max {
				truncated = true
				break
			}
			b.WriteByte(' ')
			n++
			space = false
		}
		if n >= max {
			truncated = true
			break
		}
		b.WriteRune(r)
		n++
	}
	if !truncated {
		return b.String()
	}
	// Room for the ellipsis: drop the last rune written.
	s := strings.TrimRight(b.String(), " ")
	if _, size := utf8.DecodeLastRuneInString(s); n >= max && size > 0 {
		s = strings.TrimRight(s[:len(s)-size], " ")
	}
	return s + "…"
}

// cleanTail is clean for a path: when it is too long, its end (the file
// name) is kept and its start becomes "…".
func cleanTail(text string, max int) string {
	full := clean(text, len(text)+1)
	if utf8.RuneCountInString(full) <= max {
		return full
	}
	runes := []rune(full)
	return "…" + string(runes[len(runes)-(max-1):])
}
