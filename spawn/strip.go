package spawn

import (
	"encoding/binary"
	"sync/atomic"

	"corral/registry"
)

// stripper turns a child's terminal output into plain text, one read at a
// time, keeping its state across reads (a sequence or a UTF-8 character may
// be split between two). On the way it notes what the screen emulator needs
// to skip ahead safely: sync points (line starts in the ground state, with
// the alternate-screen mode in force there) and terminal queries, which must
// never be skipped unanswered. It also follows what the emulator may miss
// when it skips: the keyboard modes the child set and its window title,
// published in term for other goroutines. And it reports the signals the
// child gives its terminal (bells, notifications, progress, titles: see
// Signal) to sig's callback, as it meets them. The colours and other SGR
// styling it takes out are noted as changes of style at offsets of the
// plain text (marks, sgr.go), for the history's styled lines.
//
// write edits the bytes it is given in place where the emulator's parser
// would misread them: a 0x9C byte inside an OSC or DCS string (part of a
// UTF-8 character such as ✳, E2 9C B3) is not a string terminator in UTF-8,
// and bytes above 0x7F inside APC, PM and SOS strings end those strings in
// that parser.
type stripper struct {
	state   sstate
	seqLen  int      // bytes of the current sequence, to abandon runaway ones
	params  [64]byte // CSI parameter and intermediate bytes, truncated
	np      int
	prev    byte // previous byte of an OSC or string
	query   bool // the OSC or DCS string being read is a query
	strKind byte // introducer of the string being read: ']' OSC, 'P' DCS, '_' APC, '^' PM, 'X' SOS
	osc     []byte

	alt       bool  // alternate screen in force
	pos       int64 // absolute offset of the next byte
	lastSync  int64 // offset of the last sync point recorded
	lastQuery int64 // offset just past the last query seen, 0 if none

	appCursor, appKeypad bool
	kitty                [2]kittyStack // main and alternate screens

	term termState

	// pen is the style in force (sgr.go); marks are the changes of style
	// in the plain text of the last write, for the history's styled lines;
	// pens caches the sequences of the pens met, from the first.
	pen   pen
	marks []registry.SGR
	pens  *penCache

	// onSync is called with the offset and mode of each sync point.
	onSync func(pos int64, alt bool)
	// sig reports the bells, notifications, progress and titles the child
	// gives, if its callback is set (see Signal).
	sig signaler
}

// termState is what the reader learned of the child's terminal, safe to
// read from any goroutine.
type termState struct {
	keys        atomic.Uint32 // packed keyModes in force
	kittyAnswer atomic.Uint32 // kitty flags in force at the last CSI ? u
	title       atomic.Pointer[string]
}

// keyModes returns the keyboard modes in force.
func (t *termState) keyModes() keyModes {
	v := t.keys.Load()
	return keyModes{appCursor: v&1 != 0, appKeypad: v&2 != 0, kitty: int(v >> 8 & 0xff)}
}

// Title returns the last window title the child set (OSC 0 or 2).
func (t *termState) Title() string {
	if s := t.title.Load(); s != nil {
		return *s
	}
	return ""
}

// kittyStack is one screen's stack of kitty keyboard flags: entry 0 is the
// base, entries 1..n were pushed; the top is in force.
type kittyStack struct {
	flags [kittyDepth + 1]uint8
	n     int
}

// kittyDepth bounds the pushes kept; a push beyond it drops the oldest.
const kittyDepth = 16

func (k *kittyStack) current() uint8 { return k.flags[k.n] }

func (k *kittyStack) push(f uint8) {
	if k.n == kittyDepth {
		copy(k.flags[1:], k.flags[2:])
		k.n--
	}
	k.n++
	k.flags[k.n] = f
}

func (k *kittyStack) pop(count int) {
	k.n = max(k.n-count, 0)
	if k.n == 0 {
		k.flags[0] = 0 // a pop that empties the stack resets the flags
	}
}

// maxTitle bounds the OSC text that a title is taken from.
const maxTitle = 1024

type sstate uint8

const (
	sGround   sstate = iota
	sEsc             // after ESC
	sEscInter        // ESC followed by intermediate bytes
	sCSI             // ESC [ parameters
	sOSC             // ESC ] up to BEL or ST
	sStr             // DCS, APC, PM, SOS up to ST
	sStrEsc          // ESC seen inside a string: ST if '\' follows
)

const (
	// maxSeq bounds an escape sequence; an unterminated one is abandoned.
	maxSeq = 4096
	// maxOSCSeq bounds an OSC string instead: a long notification still
	// ends as one (its text cut at maxSignalText) rather than spilling its
	// tail into the plain text.
	maxOSCSeq = 64 << 10
	// syncEvery is the minimum distance between sync points.
	syncEvery = 2048
)

// write strips p, appending plain text to out, and returns out. The SGR
// sequences it takes out are left in s.marks as changes of style at offsets
// of out, replacing those of the last write.
func (s *stripper) write(p []byte, out []byte) []byte {
	if cap(s.marks) > maxMarksKept {
		s.marks = nil // a burst of colour: not kept by every idle run
	}
	s.marks = s.marks[:0]
	for i := 0; i < len(p); i++ {
		b := p[i]
		switch s.state {
		case sGround:
			// Fast path: a run of printable bytes (and UTF-8 continuation),
			// eight at a time, then one at a time.
			j := i
			for j+8 <= len(p) && printable8(binary.LittleEndian.Uint64(p[j:])) {
				j += 8
			}
			for j < len(p) && (p[j] >= 0x20 && p[j] != 0x7f) {
				j++
			}
			if j > i {
				out = append(out, p[i:j]...)
				i = j - 1
				continue
			}
			switch b {
			case '\n':
				out = append(out, '\n')
				if at := s.pos + int64(i) + 1; at-s.lastSync >= syncEvery {
					s.sync(at)
				}
			case '\r', '\t':
				out = append(out, b)
			case 0x07:
				s.sig.emit(Signal{Kind: SignalBell})
			case 0x1b:
				if at := s.pos + int64(i); at-s.lastSync >= syncEvery {
					s.sync(at) // an ESC in ground state is a safe place to start
				}
				s.begin(sEsc)
			}
			// Other C0 controls (backspace, shifts) carry no text.
		case sEsc:
			s.seqLen++
			switch {
			case b == '[':
				s.begin(sCSI)
			case b == ']':
				s.begin(sOSC)
				s.strKind, s.osc = b, s.osc[:0]
			case b == 'P' || b == '_' || b == '^' || b == 'X':
				s.begin(sStr)
				s.strKind = b
			case b == '=' || b == '>': // DECKPAM, DECKPNM
				s.appKeypad = b == '='
				s.publish()
				s.state = sGround
			case b >= 0x20 && b <= 0x2f:
				s.state = sEscInter
			case b == 0x1b:
				s.begin(sEsc)
			case b == 0x18 || b == 0x1a:
				s.state = sGround
			case b == 'c': // full reset leaves the alternate screen
				s.setPen(pen{}, len(out))
				s.alt = false
				s.appCursor, s.appKeypad = false, false
				s.kitty = [2]kittyStack{}
				s.publish()
				s.state = sGround
			default:
				s.state = sGround
			}
		case sEscInter:
			s.seqLen++
			if b >= 0x30 && b <= 0x7e || b == 0x18 || b == 0x1a || s.seqLen > maxSeq {
				s.state = sGround
			}
		case sCSI:
			s.seqLen++
			switch {
			case b == 'm':
				s.sgr(len(out))
				s.state = sGround
			case b >= 0x40 && b <= 0x7e:
				s.csiDone(b, s.pos+int64(i)+1)
				s.state = sGround
			case b == 0x18 || b == 0x1a:
				s.state = sGround
			case b == 0x1b:
				s.begin(sEsc)
			case s.seqLen > maxSeq:
				s.state = sGround
			default:
				if s.np < len(s.params) {
					s.params[s.np] = b
					s.np++
				}
			}
		case sOSC, sStr:
			s.seqLen++
			if b >= 0x80 {
				switch {
				case s.strKind != ']' && s.strKind != 'P':
					p[i] = '?'
				case b == 0x9c:
					p[i] = 0x9d
				}
			}
			if s.state == sOSC && b >= 0x20 && len(s.osc) < maxSignalText {
				s.osc = append(s.osc, b)
			}
			switch {
			case b == 0x07 && s.state == sOSC:
				s.stringDone(s.pos + int64(i) + 1)
				s.state = sGround
			case b == 0x1b:
				s.state = sStrEsc
			case b == 0x18 || b == 0x1a || s.seqLen > maxSeq && (s.state == sStr || s.seqLen > maxOSCSeq):
				s.state = sGround
			case s.state == sOSC && b == '?' && s.prev == ';':
				s.query = true // OSC 4/10/11/12/52 asking for a value
			case s.state == sStr && s.seqLen == 2 && b == 'q' && (s.prev == '+' || s.prev == '$'):
				s.query = true // XTGETTCAP, DECRQSS
			}
			s.prev = b
		case sStrEsc:
			if b == '\\' {
				s.stringDone(s.pos + int64(i) + 1)
				s.state = sGround
			} else {
				// Not ST: the ESC starts a new sequence.
				s.begin(sEsc)
				i--
			}
		}
	}
	s.pos += int64(len(p))
	return out
}

// printable8 reports whether none of the eight bytes in x is a C0 control
// (below 0x20) or DEL: the bytes the ground state passes through as text.
func printable8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	control := (x - 0x20*ones) &^ x & highs // some byte < 0x20 (exact for a bound ≤ 0x80)
	del := x ^ 0x7f*ones
	del = (del - ones) &^ del & highs // some byte == 0x7f
	return control|del == 0
}

func (s *stripper) begin(st sstate) {
	s.state, s.seqLen, s.np, s.prev, s.query = st, 0, 0, 0, false
}

func (s *stripper) sync(at int64) {
	s.lastSync = at
	if s.onSync != nil {
		s.onSync(at, s.alt)
	}
}

// csiDone handles a complete CSI sequence: mode changes that the replay
// prelude must restore, and queries that need an answer.
func (s *stripper) csiDone(final byte, end int64) {
	p := s.params[:s.np]
	switch final {
	case 'h', 'l':
		if len(p) > 0 && p[0] == '?' {
			set := final == 'h'
			for _, m := range splitParams(p[1:]) {
				switch m {
				case "1049", "47", "1047":
					if set && !s.alt {
						s.kitty[1] = kittyStack{} // a fresh alternate screen
					}
					s.alt = set
				case "1":
					s.appCursor = set
				case "66":
					s.appKeypad = set
				}
			}
			s.publish()
		}
	case 'n', 'c': // device status / cursor position report, device attributes
		s.lastQuery = end
	case 'p': // DECRQM: CSI ? Ps $ p
		if len(p) > 0 && p[len(p)-1] == '$' {
			s.lastQuery = end
		}
		if string(p) == "!" { // DECSTR, soft reset
			s.appCursor, s.appKeypad = false, false
			s.publish()
		}
	case 'u':
		s.kittyKeys(p, end)
	case 'q': // XTVERSION: CSI > q
		if len(p) > 0 && p[0] == '>' {
			s.lastQuery = end
		}
	}
}

// kittyKeys handles the kitty keyboard protocol: CSI ? u queries the flags,
// CSI > f u pushes, CSI < n u pops, CSI = f ; mode u sets them.
func (s *stripper) kittyKeys(p []byte, end int64) {
	if len(p) == 0 {
		return // SCORC, restore the cursor
	}
	k := &s.kitty[0]
	if s.alt {
		k = &s.kitty[1]
	}
	args := splitParams(p[1:])
	arg := func(i, def int) int {
		if i >= len(args) || args[i] == "" {
			return def
		}
		n := 0
		for _, c := range args[i] {
			if c < '0' || c > '9' {
				return def
			}
			n = min(n*10+int(c-'0'), 1<<16)
		}
		return n
	}
	switch p[0] {
	case '?':
		if len(p) == 1 {
			s.lastQuery = end
			s.term.kittyAnswer.Store(uint32(k.current()))
		}
		return
	case '>':
		k.push(uint8(arg(0, 0) & kittyAllFlags))
	case '<':
		k.pop(arg(0, 1))
	case '=':
		f := uint8(arg(0, 0) & kittyAllFlags)
		switch arg(1, 1) {
		case 1:
			k.flags[k.n] = f
		case 2:
			k.flags[k.n] |= f
		case 3:
			k.flags[k.n] &^= f
		}
	default:
		return
	}
	s.publish()
}

// publish makes the keyboard modes in force visible to senders of keys.
func (s *stripper) publish() {
	var v uint32
	if s.appCursor {
		v |= 1
	}
	if s.appKeypad {
		v |= 2
	}
	k := &s.kitty[0]
	if s.alt {
		k = &s.kitty[1]
	}
	v |= uint32(k.current()) << 8
	s.term.keys.Store(v)
}

// stringDone handles the end of an OSC or DCS string.
func (s *stripper) stringDone(end int64) {
	if s.query {
		s.lastQuery = end
	}
	if s.strKind == ']' {
		// OSC 0 and 2 set the window title (1 is the icon name).
		osc := s.osc[:min(len(s.osc), maxTitle)]
		if t, ok := cutPrefix(osc, "0;"); ok {
			s.setTitle(t)
		} else if t, ok := cutPrefix(osc, "2;"); ok {
			s.setTitle(t)
		} else if s.sig.on != nil {
			s.sig.osc(s.osc)
		}
	}
}

func (s *stripper) setTitle(t []byte) {
	if old := s.term.title.Load(); old == nil || *old != string(t) {
		str := string(t)
		s.term.title.Store(&str)
		if s.sig.on != nil {
			text, cut := str, len(s.osc) >= maxTitle
			if cut || !cleanText(t) {
				text = signalText(t, cut)
			}
			s.sig.emit(Signal{Kind: SignalTitle, Text: text})
		}
	}
}

func cutPrefix(b []byte, prefix string) ([]byte, bool) {
	if len(b) >= len(prefix) && string(b[:len(prefix)]) == prefix {
		return b[len(prefix):], true
	}
	return nil, false
}

func splitParams(p []byte) []string {
	var out []string
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == ';' {
			out = append(out, string(p[start:i]))
			start = i + 1
		}
	}
	return out
}
