package spawn

import (
	"image/color"
	"strings"
	"testing"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/vt"
)

// A window title holding the byte 0x9C inside a UTF-8 character (✳ is E2 9C
// B3, Ü is C3 9C) must not end the title early: the rest would be printed
// on the screen. Non-ASCII bytes in APC strings likewise.
func TestTitlesWithC1BytesLeaveTheScreenAlone(t *testing.T) {
	r := newRig(t)
	p := r.sh(t, `printf '\033]0;✳ Claude Code\007first row\r\n'
printf '\033]2;Ü ✳ folder\033\\second\r\n'
printf '\033_Gé payload\033\\third\r\n'; exec sleep 1000`)
	r.screenHas(t, p, "third")
	lines := strings.Split(p.Text(), "\n")
	want := []string{"first row", "second", "third"}
	for i, w := range want {
		if i >= len(lines) || strings.TrimRight(lines[i], " ") != w {
			t.Fatalf("row %d: %q, want %q; screen:\n%s", i, lines[min(i, len(lines)-1)], w, p.Text())
		}
	}
	if got := p.Title(); got != "Ü ✳ folder" {
		t.Fatalf("title %q", got)
	}
}

// XTVERSION (CSI > 0 q) is answered as corral.
func TestXTVersionIsAnswered(t *testing.T) {
	r := newRig(t)
	p := r.sh(t, `stty raw -echo; printf '\033[>0q'; a=$(head -c 12 | tr '\033' E); echo "got:$a"; exec sleep 1000`)
	r.outputHas(t, p, `got:EP>|corralE\`)
}

// Without the outer terminal's colours, OSC 10/11 queries get no answer
// (the device attributes asked after them come first).
func TestColourQueriesUnansweredWhileUnknown(t *testing.T) {
	r := newRig(t)
	p := r.sh(t, `stty raw -echo; printf '\033]11;?\007\033]10;?\033\\\033[c'; a=$(head -c 13 | tr '\033' E); echo "got:$a"; exec sleep 1000`)
	r.outputHas(t, p, "got:E[?62;1;6;22c")
}

// Once the outer terminal's colours are known, every screen, including one
// started before, answers with them; a colour the child set is its own.
func TestColourQueriesAnsweredWithTheHostColours(t *testing.T) {
	r := newRig(t)
	p := r.sh(t, `stty raw -echo; echo ready; head -c 1 >/dev/null
printf '\033]10;?\007\033]11;?\033\\'; a=$(head -c 48 | tr '\033\007' EB); echo "got:$a"
printf '\033]11;rgb:1111/2222/3333\007\033]11;?\007'; a=$(head -c 24 | tr '\033\007' EB); echo "set:$a"
exec sleep 1000`)
	r.outputHas(t, p, "ready")
	r.sp.SetHostColors(color.RGBA{0x10, 0x20, 0x30, 0xff}, nil)
	r.sp.SetHostColors(nil, color.RGBA{0xfa, 0xfb, 0xfc, 0xff})
	if _, err := p.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	r.outputHas(t, p, "got:E]10;rgb:1010/2020/3030BE]11;rgb:fafa/fbfb/fcfcB")
	r.outputHas(t, p, "set:E]11;rgb:1111/2222/3333B")
}

// With fewer rows the screen keeps the cursor's line and those above it:
// the top scrolls off, the newest output stays (a date loop resized from
// 160x45 to 40x12 lost its newest lines).
func TestShrinkKeepsTheNewestLines(t *testing.T) {
	r := newRig(t)
	p := r.sh(t, `i=0; while [ $i -lt 30 ]; do i=$((i+1)); echo line$i; done; printf last; exec sleep 1000`)
	r.screenHas(t, p, "last")
	p.Resize(40, 10)
	got := strings.Split(p.Text(), "\n")
	want := []string{"line22", "line23", "line24", "line25", "line26", "line27", "line28", "line29", "line30", "last"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("after shrinking to 10 rows:\n%s", p.Text())
	}
	var c uv.Position
	p.View(func(e *vt.Emulator) { c = e.CursorPosition() })
	if c.Y != 9 || c.X != 4 {
		t.Fatalf("cursor at %v, want (4,9)", c)
	}
	// Room below the cursor is given up first: nothing scrolls.
	q := r.sh(t, `echo one; echo two; printf three; exec sleep 1000`)
	r.screenHas(t, q, "three")
	q.Resize(80, 5)
	if got := strings.TrimRight(q.Text(), "\n"); got != "one\ntwo\nthree" {
		t.Fatalf("a short screen shrunk: %q", got)
	}
}
