package spawn

import (
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/vt"
)

// Cursor returns the child's cursor on its emulated screen: its position,
// whether the child hid it (DECTCEM, CSI ?25l) and the shape and blinking
// it asked for (DECSCUSR, CSI n SP q). A child that never set a shape has a
// blinking block.
func (p *Proc) Cursor() (c uv.Cursor) {
	p.View(func(e *vt.Emulator) {
		c.Position = e.CursorPosition()
		c.Hidden = e.CursorHidden()
		style, blink := e.CursorStyle()
		c.Shape, c.Blink = uv.CursorShape(style), blink
	})
	return c
}
