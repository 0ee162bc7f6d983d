package registry

import (
	"encoding/binary"
	"sort"
	"strings"
	"unicode/utf8"
)

// SGR marks where the style of a run's text changes: from byte Off of the
// plain text written with it on, the text is drawn in the style Seq, a
// complete SGR sequence that first resets every attribute and then sets
// those in force ("\x1b[0;1;31m"), or "" for the default style. Because each
// Seq stands alone, a line's style never depends on a line dropped before
// it. Output keeps Seq as given: a producer that reuses its sequences'
// strings costs no allocation per mark.
type SGR struct {
	Off int
	Seq string
}

// sgrReset ends a styled line whose last style is not the default, so that
// no style bleeds into what is drawn after it.
const sgrReset = "\x1b[m"

// styles is what Output keeps of the styling of a run's text: the styled
// forms of the lines held that had any, and the style of the unfinished
// line. An Output has none until its first mark, so a run without colour
// costs nothing more.
type styles struct {
	active string     // the style in force at the end of the text written
	start  string     // the style in force where the unfinished line begins
	marks  []lineMark // style changes within the unfinished line, in order
	buf    []byte     // where a styled line is built before it is interned

	// lines are the style changes of the lines held that have any, a ring
	// of n from the oldest at lines[head]: sparse, so that plain lines
	// between coloured ones cost nothing, and of changes alone, so that a
	// coloured line costs its sequences and not its text again.
	lines   []styledLine
	head, n int
}

// lineMark is a style change at byte off of the unfinished line.
type lineMark struct {
	off int
	seq string
}

// styledLine is the style changes of the line numbered n (the n-th line
// ever completed, from 0), encoded (see encode).
type styledLine struct {
	n int64
	s string
}

// WriteStyled is Write for text whose SGR sequences were taken out: marks,
// in order of Off, say where the style changes in p. The plain lines are
// those Write(p) keeps; a line that has text in a style other than the
// default also keeps its style changes, for StyledLines. WriteStyled never
// fails.
func (o *Output) WriteStyled(p []byte, marks []SGR) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(marks) == 0 {
		o.write(p)
		return len(p), nil
	}
	if o.st == nil {
		o.st = &styles{}
	}
	i := 0
	for _, m := range marks {
		off := min(max(m.Off, i), len(p))
		o.write(p[i:off])
		i = off
		o.mark(m.Seq)
	}
	o.write(p[i:])
	return len(p), nil
}

// mark changes the style in force to seq from the end of the text written.
func (o *Output) mark(seq string) {
	st := o.st
	st.active = seq
	if o.cr {
		return // the text that follows replaces the line, starting in this style
	}
	off := len(o.cur)
	if k := len(st.marks); k > 0 && st.marks[k-1].off == off {
		st.marks = st.marks[:k-1] // overridden before any text
	}
	if off == 0 {
		st.start = seq // the line has no text yet: it starts in this style
		return
	}
	prev := st.start
	if k := len(st.marks); k > 0 {
		prev = st.marks[k-1].seq
	}
	if seq != prev {
		st.marks = append(st.marks, lineMark{off, seq})
	}
}

// restartLine begins the unfinished line again in the style in force: at a
// line end, and where a carriage return's text replaces the line.
func (st *styles) restartLine() {
	st.start = st.active
	if cap(st.marks) > 256 || cap(st.buf) > 4096 {
		st.marks, st.buf = nil, nil // a line of many changes: not kept for every run
		return
	}
	clear(st.marks) // let the strings go
	st.marks = st.marks[:0]
}

// encode returns the style changes of cur, the unfinished line, as a held
// line keeps them (built in st.buf): for each change, its offset in the
// line and the length of its sequence as uvarints, then the sequence; the
// style the line starts in is a change at 0. It returns nil for a line whose
// text is all in the default style, and for one that is not valid UTF-8
// (its plain line has U+FFFD for the bad bytes, so offsets would not match).
func (st *styles) encode(cur []byte) []byte {
	n := 0 // changes before the end of the text: later ones style nothing
	for n < len(st.marks) && st.marks[n].off < len(cur) {
		n++
	}
	if len(cur) == 0 || st.start == "" && n == 0 || !utf8.Valid(cur) {
		return nil
	}
	b := st.buf[:0]
	if st.start != "" {
		b = appendChange(b, 0, st.start)
	}
	for _, m := range st.marks[:n] {
		b = appendChange(b, m.off, m.seq)
	}
	st.buf = b
	return b
}

func appendChange(b []byte, off int, seq string) []byte {
	b = binary.AppendUvarint(b, uint64(off))
	b = binary.AppendUvarint(b, uint64(len(seq)))
	return append(b, seq...)
}

// styledForm returns line with the style changes enc (see encode) put back
// as SGR sequences, ending in the default style.
func styledForm(line, enc string) string {
	var b strings.Builder
	b.Grow(len(line) + len(enc) + len(sgrReset))
	at, last := 0, ""
	for len(enc) > 0 {
		off, k := uvarint(enc)
		enc = enc[k:]
		n, k := uvarint(enc)
		enc = enc[k:]
		n = min(n, len(enc))
		seq := enc[:n]
		enc = enc[n:]
		off = min(max(off, at), len(line))
		b.WriteString(line[at:off])
		if seq == "" {
			b.WriteString(sgrReset)
		} else {
			b.WriteString(seq)
		}
		at, last = off, seq
	}
	b.WriteString(line[at:])
	if last != "" {
		b.WriteString(sgrReset)
	}
	return b.String()
}

// uvarint decodes a uvarint at the start of s, returning it and its length
// (at least 1, so that a damaged encoding still ends).
func uvarint(s string) (int, int) {
	var v uint64
	for i := 0; i < len(s) && i < 4; i++ {
		v |= uint64(s[i]&0x7f) << (7 * i)
		if s[i] < 0x80 {
			return int(v), i + 1
		}
	}
	return int(v), max(min(len(s), 4), 1)
}

// add keeps the style changes of line n, the newest line; max is the most
// lines the output holds, and so the most the ring needs.
func (st *styles) add(n int64, s string, max int) {
	if st.n == len(st.lines) {
		lines := make([]styledLine, min(2*len(st.lines)+16, max))
		for i := range st.n {
			lines[i] = st.at(i)
		}
		st.lines, st.head = lines, 0
	}
	st.lines[(st.head+st.n)%len(st.lines)] = styledLine{n, s}
	st.n++
}

// at returns the i-th style changes held, 0 being the oldest.
func (st *styles) at(i int) styledLine { return st.lines[(st.head+i)%len(st.lines)] }

// drop lets go of the style changes of line n, the oldest line held, and
// returns their length (0 if it had none).
func (st *styles) drop(n int64) int {
	if st.n == 0 || st.lines[st.head].n != n {
		return 0
	}
	l := len(st.lines[st.head].s)
	st.lines[st.head] = styledLine{}
	st.head = (st.head + 1) % len(st.lines)
	st.n--
	return l
}

// StyledLines is Lines with each line that has text in a style other than
// the default in its styled form: the text with SGR sequences, starting in
// the style in force where the line starts (a style set on an earlier line
// included) and ending in the default style. Other lines are the plain
// lines of Lines. The plain text of a styled line is exactly the line of
// Lines, so widths and byte ranges of the text are the same in both.
func (o *Output) StyledLines(from, n int) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := o.linesLocked(from, n)
	st := o.st
	if st == nil || len(out) == 0 {
		return out
	}
	from = max(from, 0)
	first := o.total - int64(o.n) // number of the oldest line held
	k := sort.Search(st.n, func(j int) bool { return st.at(j).n >= first+int64(from) })
	for ; k < st.n && st.at(k).n < first+int64(from+len(out)); k++ {
		l := st.at(k)
		i := l.n - first - int64(from)
		out[i] = styledForm(out[i], l.s)
	}
	if from+len(out) > o.n { // the unfinished line is the last one given
		if b := st.encode(o.cur); b != nil {
			out[len(out)-1] = styledForm(out[len(out)-1], string(b))
		}
	}
	return out
}
