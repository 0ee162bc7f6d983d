package spawn

import (
	"strconv"

	"corral/registry"
)

// pen is the style SGR sequences set (colours, bold, underline …): what
// the stripper follows so that each style change it reports to the history
// stands alone, whatever was set before it (registry.SGR).
type pen struct {
	attrs     uint16 // penBold … penOverline
	underline uint8  // 0 none, 1 single, 2 double, 3 curly, 4 dotted, 5 dashed
	fg, bg    colour
	ulColour  colour
}

const (
	penBold uint16 = 1 << iota
	penFaint
	penItalic
	penBlink
	penRapidBlink
	penReverse
	penConceal
	penStrike
	penOverline
)

// penAttrs are the attributes in the order their SGR codes are written.
var penAttrs = [...]struct {
	bit  uint16
	code string
}{
	{penBold, "1"}, {penFaint, "2"}, {penItalic, "3"}, {penBlink, "5"}, {penRapidBlink, "6"},
	{penReverse, "7"}, {penConceal, "8"}, {penStrike, "9"}, {penOverline, "53"},
}

// colour is a colour of a pen: 0 the default, else its kind in the top
// byte (colourBasic: one of the 16 named colours, colour256: an index of
// the 256-colour palette, colourRGB) and its value below.
type colour uint32

const (
	colourBasic colour = (iota + 1) << 24
	colour256
	colourRGB
)

// maxMarksKept bounds the slice of style changes a stripper keeps between
// reads (a 32 KiB read of coloured text has ~1,600).
const maxMarksKept = 2048

// penCache maps pens to their sequences, so that the pens a child uses
// again and again (a handful, typically) cost no allocation: 16 sets of 4,
// a pen replacing the oldest of its set. A map was slower (hashing the pen
// was a third of the stripper's time on coloured text).
type penCache struct {
	sets [16]struct {
		ways [4]struct {
			pen pen
			seq string
		}
		next uint8 // the way to replace next
	}
}

// sequence returns pn.sequence(), cached.
func (c *penCache) sequence(pn pen) string {
	if pn == (pen{}) {
		return ""
	}
	x := (uint64(pn.fg)<<32 | uint64(pn.bg)) * 0x9e3779b97f4a7c15
	x ^= uint64(pn.ulColour)<<32 | uint64(pn.attrs) | uint64(pn.underline)<<16
	set := &c.sets[(x*0xbf58476d1ce4e5b9)>>60]
	for i := range set.ways {
		if w := &set.ways[i]; w.seq != "" && w.pen == pn {
			return w.seq
		}
	}
	w := &set.ways[set.next%4]
	set.next++
	w.pen, w.seq = pn, pn.sequence()
	return w.seq
}

// sgr applies an SGR sequence's parameters to the stripper's pen and, if
// the style changed, notes the new style at offset off of the plain text.
// Sequences that are not SGR but end in 'm' (a private marker such as
// XTMODKEYS' CSI > 4 ; 1 m) and ones cut short in s.params are left alone.
func (s *stripper) sgr(off int) {
	p := s.params[:s.np]
	if s.seqLen-1 > s.np {
		return // longer than s.params keeps
	}
	for _, c := range p {
		if (c < '0' || c > '9') && c != ';' && c != ':' {
			return
		}
	}
	pn := s.pen
	pn.apply(p)
	s.setPen(pn, off)
}

// setPen makes pn the stripper's pen from offset off of the plain text on,
// noting the change for the history if it is one.
func (s *stripper) setPen(pn pen, off int) {
	if pn == s.pen {
		return
	}
	s.pen = pn
	if s.pens == nil {
		s.pens = new(penCache)
	}
	seq := s.pens.sequence(pn)
	if k := len(s.marks); k > 0 && s.marks[k-1].Off == off {
		s.marks[k-1].Seq = seq // replaced before any text
		return
	}
	s.marks = append(s.marks, registry.SGR{Off: off, Seq: seq})
}

// apply changes the pen as the SGR parameters p say (ECMA-48 and the
// common extensions: 38/48/58 colours in ';' and ':' forms, 4:n underline
// styles). Unknown codes are ignored, as terminals do.
func (pn *pen) apply(p []byte) {
	if len(p) == 0 {
		*pn = pen{}
		return
	}
	for len(p) > 0 {
		var field []byte
		field, p = cut(p, ';')
		code, sub := cut(field, ':')
		switch n := number(code); {
		case n == 0:
			*pn = pen{}
		case n == 1 || n == 2 || n == 3 || n == 5 || n == 6 || n == 7 || n == 8 || n == 9:
			pn.attrs |= penAttrs[attrIndex(n)].bit
		case n == 53:
			pn.attrs |= penOverline
		case n == 4:
			pn.underline = 1
			if len(sub) > 0 {
				pn.underline = uint8(min(number(sub), 5))
			}
		case n == 21:
			pn.underline = 2
		case n == 22:
			pn.attrs &^= penBold | penFaint
		case n == 23:
			pn.attrs &^= penItalic
		case n == 24:
			pn.underline = 0
		case n == 25:
			pn.attrs &^= penBlink | penRapidBlink
		case n == 27:
			pn.attrs &^= penReverse
		case n == 28:
			pn.attrs &^= penConceal
		case n == 29:
			pn.attrs &^= penStrike
		case n == 55:
			pn.attrs &^= penOverline
		case n >= 30 && n <= 37:
			pn.fg = colourBasic | colour(n-30)
		case n >= 90 && n <= 97:
			pn.fg = colourBasic | colour(n-90+8)
		case n >= 40 && n <= 47:
			pn.bg = colourBasic | colour(n-40)
		case n >= 100 && n <= 107:
			pn.bg = colourBasic | colour(n-100+8)
		case n == 39:
			pn.fg = 0
		case n == 49:
			pn.bg = 0
		case n == 59:
			pn.ulColour = 0
		case n == 38 || n == 48 || n == 58:
			var c colour
			var ok bool
			if len(field) > len(code) { // 38:5:n, 38:2::r:g:b, 38:2:r:g:b
				c, ok = extendedColour(splitSub(sub))
			} else { // 38;5;n, 38;2;r;g;b: the values are the next fields
				c, ok, p = extendedColourFields(p)
			}
			if ok {
				switch n {
				case 38:
					pn.fg = c
				case 48:
					pn.bg = c
				default:
					pn.ulColour = c
				}
			}
		}
	}
}

// attrIndex returns the index in penAttrs of the attribute of SGR code n
// (1–9 but 4).
func attrIndex(n int) int {
	if n < 4 {
		return n - 1
	}
	return n - 2
}

// extendedColour reads the sub-parameters of a 38/48/58 colour in the ':'
// form: 5:n, or 2:r:g:b with or without a colour space id before r.
func extendedColour(sub [6][]byte, n int) (colour, bool) {
	switch {
	case n >= 2 && number(sub[0]) == 5:
		return colour256 | colour(min(number(sub[1]), 255)), true
	case n >= 4 && number(sub[0]) == 2:
		rgb := sub[1:4]
		if n >= 5 {
			rgb = sub[2:5]
		}
		return rgbColour(number(rgb[0]), number(rgb[1]), number(rgb[2])), true
	}
	return 0, false
}

// extendedColourFields reads a 38/48/58 colour in the ';' form from the
// fields that follow it, returning the fields left.
func extendedColourFields(p []byte) (colour, bool, []byte) {
	var kind []byte
	kind, p = cut(p, ';')
	switch number(kind) {
	case 5:
		var v []byte
		v, p = cut(p, ';')
		return colour256 | colour(min(number(v), 255)), true, p
	case 2:
		var r, g, b []byte
		r, p = cut(p, ';')
		g, p = cut(p, ';')
		b, p = cut(p, ';')
		return rgbColour(number(r), number(g), number(b)), true, p
	}
	return 0, false, p
}

func rgbColour(r, g, b int) colour {
	return colourRGB | colour(min(r, 255))<<16 | colour(min(g, 255))<<8 | colour(min(b, 255))
}

// splitSub splits ':' sub-parameters, at most six, and returns their count.
func splitSub(p []byte) ([6][]byte, int) {
	var out [6][]byte
	n := 0
	for n < len(out) {
		out[n], p = cut(p, ':')
		n++
		if len(p) == 0 {
			break
		}
	}
	return out, n
}

// cut returns p up to the first sep and what follows it.
func cut(p []byte, sep byte) (before, after []byte) {
	for i, c := range p {
		if c == sep {
			return p[:i], p[i+1:]
		}
	}
	return p, nil
}

// number parses a parameter's decimal digits (empty is 0), capped.
func number(p []byte) int {
	n := 0
	for _, c := range p {
		if c >= '0' && c <= '9' {
			n = min(n*10+int(c-'0'), 1<<16)
		}
	}
	return n
}

// sequence returns the SGR sequence that sets the pen from any other: a
// reset, then what the pen has; "" for the default pen.
func (pn pen) sequence() string {
	if pn == (pen{}) {
		return ""
	}
	b := []byte("\x1b[0")
	for _, a := range penAttrs {
		if pn.attrs&a.bit != 0 {
			b = append(b, ';')
			b = append(b, a.code...)
		}
	}
	switch pn.underline {
	case 0:
	case 1:
		b = append(b, ";4"...)
	default:
		b = append(b, ";4:"...)
		b = strconv.AppendInt(b, int64(pn.underline), 10)
	}
	b = pn.fg.append(b, 30, 90, "38")
	b = pn.bg.append(b, 40, 100, "48")
	b = pn.ulColour.append(b, -1, -1, "58")
	return string(append(b, 'm'))
}

// append writes the colour's parameters: base+i or bright+i-8 for a named
// colour (the 256-colour form where there is no base), else ext;5;n or
// ext;2;r;g;b.
func (c colour) append(b []byte, base, bright int, ext string) []byte {
	v := int(c & 0xffffff)
	switch c &^ 0xffffff {
	case colourBasic:
		b = append(b, ';')
		switch {
		case base < 0:
			b = append(b, ext...)
			b = append(b, ";5;"...)
			return strconv.AppendInt(b, int64(v), 10)
		case v < 8:
			return strconv.AppendInt(b, int64(base+v), 10)
		default:
			return strconv.AppendInt(b, int64(bright+v-8), 10)
		}
	case colour256:
		b = append(b, ';')
		b = append(b, ext...)
		b = append(b, ";5;"...)
		return strconv.AppendInt(b, int64(v), 10)
	case colourRGB:
		b = append(b, ';')
		b = append(b, ext...)
		b = append(b, ";2;"...)
		b = strconv.AppendInt(b, int64(v>>16), 10)
		b = append(b, ';')
		b = strconv.AppendInt(b, int64(v>>8&0xff), 10)
		b = append(b, ';')
		return strconv.AppendInt(b, int64(v&0xff), 10)
	}
	return b
}
