package spawn

import (
	"testing"

	uv "github.com/charmbracelet/ultraviolet"
)

func TestCursorIsTheChildsWithItsShapeAndVisibility(t *testing.T) {
	for _, c := range []struct {
		name, script string
		want         uv.Cursor
	}{
		{"default", `printf 'ab\ncd'`, uv.Cursor{Position: uv.Pos(2, 1), Shape: uv.CursorBlock, Blink: true}},
		{"steady bar", `printf 'abc\033[6 q'`, uv.Cursor{Position: uv.Pos(3, 0), Shape: uv.CursorBar}},
		{"blinking underline", `printf '\033[3 q\033[5;7H'`, uv.Cursor{Position: uv.Pos(6, 4), Shape: uv.CursorUnderline, Blink: true}},
		{"hidden", `printf 'x\033[?25l'`, uv.Cursor{Position: uv.Pos(1, 0), Hidden: true, Blink: true}},
		{"hidden and shown", `printf 'x\033[?25l\033[?25h'`, uv.Cursor{Position: uv.Pos(1, 0), Blink: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			// The marker is printed last: once it shows, the rest is in.
			p := r.sh(t, c.script+`; printf '\0337\033[24;1Hdone\0338'; exec sleep 7345`)
			r.screenHas(t, p, "done")
			if got := p.Cursor(); got != c.want {
				t.Fatalf("cursor %+v, want %+v", got, c.want)
			}
		})
	}
}
