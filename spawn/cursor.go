package spawn

import (
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/vt"
)

// Cursor returns the child's cursor on its emulated screen: its position,
// whether the child hid it (DECTCEM, CSI ?25l) and the shape and blinking
// it asked for (DECSCUSR, CSI n SP q). A child that never set a shape has a
// blinking block. An ended run's is where its final screen left it.
func (p *Proc) Cursor() (c uv.Cursor) {
	p.scr.look(func(e *vt.Emulator) { c = cursorOf(e) }, func(f *finalScreen) { c = f.cursor })
	return c
}
