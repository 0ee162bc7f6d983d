package spawn

// stripper turns a child's terminal output into plain text, one read at a
// time, keeping its state across reads (a sequence or a UTF-8 character may
// be split between two). On the way it notes what the screen emulator needs
// to skip ahead safely: sync points (line starts in the ground state, with
// the alternate-screen mode in force there) and terminal queries, which must
// never be skipped unanswered.
type stripper struct {
	state  sstate
	seqLen int      // bytes of the current sequence, to abandon runaway ones
	params [32]byte // CSI parameter and intermediate bytes, truncated
	np     int
	prev   byte // previous byte of an OSC or string
	query  bool // the OSC or DCS string being read is a query

	alt       bool  // alternate screen in force
	pos       int64 // absolute offset of the next byte
	lastSync  int64 // offset of the last sync point recorded
	lastQuery int64 // offset just past the last query seen, 0 if none

	// onSync is called with the offset and mode of each sync point.
	onSync func(pos int64, alt bool)
}

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
	// syncEvery is the minimum distance between sync points.
	syncEvery = 2048
)

// write strips p, appending plain text to out, and returns out.
func (s *stripper) write(p []byte, out []byte) []byte {
	for i := 0; i < len(p); i++ {
		b := p[i]
		switch s.state {
		case sGround:
			// Fast path: a run of printable bytes (and UTF-8 continuation).
			j := i
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
			case 0x1b:
				if at := s.pos + int64(i); at-s.lastSync >= syncEvery {
					s.sync(at) // an ESC in ground state is a safe place to start
				}
				s.begin(sEsc)
			}
			// Other C0 controls (bell, backspace, shifts) carry no text.
		case sEsc:
			s.seqLen++
			switch {
			case b == '[':
				s.begin(sCSI)
			case b == ']':
				s.begin(sOSC)
			case b == 'P' || b == '_' || b == '^' || b == 'X':
				s.begin(sStr)
			case b >= 0x20 && b <= 0x2f:
				s.state = sEscInter
			case b == 0x1b:
				s.begin(sEsc)
			case b == 0x18 || b == 0x1a:
				s.state = sGround
			case b == 'c': // full reset leaves the alternate screen
				s.alt = false
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
			switch {
			case b == 0x07 && s.state == sOSC:
				s.stringDone(s.pos + int64(i) + 1)
				s.state = sGround
			case b == 0x1b:
				s.state = sStrEsc
			case b == 0x18 || b == 0x1a || s.seqLen > maxSeq:
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
			for _, m := range splitParams(p[1:]) {
				if m == "1049" || m == "47" || m == "1047" {
					s.alt = final == 'h'
				}
			}
		}
	case 'n', 'c': // device status / cursor position report, device attributes
		s.lastQuery = end
	case 'p': // DECRQM: CSI ? Ps $ p
		if len(p) > 0 && p[len(p)-1] == '$' {
			s.lastQuery = end
		}
	case 'u': // kitty keyboard query: CSI ? u
		if len(p) == 1 && p[0] == '?' {
			s.lastQuery = end
		}
	case 'q': // XTVERSION: CSI > q
		if len(p) > 0 && p[0] == '>' {
			s.lastQuery = end
		}
	}
}

// stringDone handles the end of an OSC or DCS string.
func (s *stripper) stringDone(end int64) {
	if s.query {
		s.lastQuery = end
	}
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
