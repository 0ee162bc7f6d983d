package main

import (
	"io"
	"os"

	"github.com/charmbracelet/x/term"
)

// keyKind is what a keystroke is to the fake.
type keyKind int

const (
	keyByte keyKind = iota // a byte of text, Enter, backspace, a control character
	keyEsc                 // Esc alone, not the start of a sequence
	keyEOF                 // stdin ended
)

// key is one keystroke read from stdin.
type key struct {
	kind keyKind
	b    byte
}

// rawTerminal puts stdin, when it is a terminal, in raw mode, so that a lone
// Esc is read at once and echo is the fake's own as in the real CLI. It
// returns the function that restores the terminal and whether raw mode is
// on.
func rawTerminal() (restore func(), raw bool) {
	fd := os.Stdin.Fd()
	if !term.IsTerminal(fd) {
		return func() {}, false
	}
	old, err := term.MakeRaw(fd)
	if err != nil {
		return func() {}, false
	}
	return func() { _ = term.Restore(fd, old) }, true
}

// readKeys sends the keystrokes read from r to keys until r ends. A read
// that ends with ESC is Esc pressed alone (a terminal writes a sequence in
// one piece); ESC [ … and ESC O x sequences (arrows, function keys) are
// dropped.
func readKeys(r io.Reader, keys chan<- key) {
	buf := make([]byte, 256)
	for {
		n, err := r.Read(buf)
		b := buf[:n]
		for i := 0; i < len(b); i++ {
			if b[i] != 0x1b {
				keys <- key{kind: keyByte, b: b[i]}
				continue
			}
			switch {
			case i+1 == len(b):
				keys <- key{kind: keyEsc}
			case b[i+1] == '[':
				i += 2
				for i < len(b) && (b[i] < 0x40 || b[i] > 0x7e) {
					i++
				}
			case b[i+1] == 'O':
				i += 2
			default: // alt+key: Esc, then the key
				keys <- key{kind: keyEsc}
			}
		}
		if err != nil {
			keys <- key{kind: keyEOF}
			return
		}
	}
}
