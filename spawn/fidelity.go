package spawn

import (
	"bytes"
	"image/color"
	"io"
	"strconv"
	"sync"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
)

// Version is what corral reports after its name when a child asks the
// terminal for its name and version (XTVERSION, CSI > 0 q); main sets it.
var Version = ""

// hostColors are the outer terminal's default colours, which the children's
// colour queries (OSC 10, OSC 11) are answered with; nil while unknown.
type hostColors struct {
	mu     sync.Mutex
	fg, bg color.Color
}

func (h *hostColors) get(fg bool) color.Color {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if fg {
		return h.fg
	}
	return h.bg
}

// SetHostColors tells the Spawner the outer terminal's default foreground
// and background colours; a nil colour leaves that one as it was. Children
// asking for them (OSC 10/11 queries) get these answers, on every screen, in
// place of the emulator's white on black; while a colour is unknown its
// query is not answered, as a terminal that does not know would.
func (s *Spawner) SetHostColors(fg, bg color.Color) {
	s.host.mu.Lock()
	defer s.host.mu.Unlock()
	if fg != nil {
		s.host.fg = fg
	}
	if bg != nil {
		s.host.bg = bg
	}
}

// Title returns the window title the child set last (OSC 0 or 2), or "".
func (p *Proc) Title() string { return p.strip.term.Title() }

// registerAnswers installs corral's answers to the queries x/vt leaves
// unanswered or answers wrongly. Handlers run inside emu.Write, with sc.mu
// held; what they write goes through the reply pipe in order with the
// emulator's other answers.
func (sc *screen) registerAnswers() {
	e := sc.emu
	pipe := e.InputPipe()
	// XTVERSION: the terminal's name and version.
	e.RegisterCsiHandler(ansi.Command('>', 0, 'q'), func(params ansi.Params) bool {
		if n, _, _ := params.Param(0, 0); n != 0 {
			return false
		}
		name := "corral"
		if Version != "" {
			name += " " + Version
		}
		_, _ = io.WriteString(pipe, "\x1bP>|"+name+"\x1b\\")
		return true
	})
	// Kitty keyboard protocol query: the flags in force when it was asked,
	// which the reader tracks (it sees every byte; the emulator may skip).
	e.RegisterCsiHandler(ansi.Command('?', 0, 'u'), func(ansi.Params) bool {
		if sc.term == nil {
			return false
		}
		_, _ = io.WriteString(pipe, "\x1b[?"+strconv.Itoa(int(sc.term.kittyAnswer.Load()))+"u")
		return true
	})
	for _, cmd := range []int{10, 11} {
		fg := cmd == 10
		e.RegisterOscHandler(cmd, func(data []byte) bool { return sc.colorQuery(fg, data, e) })
		// OSC 110/111 reset the colour the child set.
		e.RegisterOscHandler(cmd+100, func([]byte) bool {
			sc.childColor[cmd-10] = false
			return false
		})
	}
}

// colorQuery answers OSC 10/11 queries with the outer terminal's colour,
// unless the child set its own (then the emulator answers with it). It
// reports whether it handled the sequence.
func (sc *screen) colorQuery(fg bool, data []byte, e *vt.Emulator) bool {
	i := 1
	if fg {
		i = 0
	}
	_, arg, ok := bytes.Cut(data, []byte{';'})
	if !ok || bytes.IndexByte(arg, ';') >= 0 {
		return false // OSC 10 setting several colours: the emulator's
	}
	if string(arg) != "?" {
		sc.childColor[i] = true
		return false
	}
	if sc.childColor[i] {
		return false
	}
	c := sc.host.get(fg)
	if c == nil {
		return true // unknown: no answer, rather than a wrong one
	}
	xc := ansi.XRGBColor{Color: c}
	reply := ansi.SetBackgroundColor(xc.String())
	if fg {
		reply = ansi.SetForegroundColor(xc.String())
	}
	_, _ = io.WriteString(e.InputPipe(), reply)
	return true
}
