package spawn

import (
	"bytes"
	"encoding/base64"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SignalKind is what a child signalled to its terminal.
type SignalKind int

const (
	// SignalBell is a BEL (0x07) outside any escape sequence; the BEL that
	// ends an OSC string is not one.
	SignalBell SignalKind = iota + 1
	// SignalNotify is a desktop notification; Text is its message (it may
	// be empty). Forms: OSC 9 ; text (iTerm2; also ConEmu's message box,
	// OSC 9 ; 2 ; text), OSC 777 ; notify ; title ; body (urxvt), and
	// OSC 99 (kitty), whose chunks (d=0) are joined until the last one.
	// A notification with a title and a body reads "title: body".
	SignalNotify
	// SignalProgress is a ConEmu / Windows Terminal progress report,
	// OSC 9 ; 4 ; state ; progress. Busy is true for the states 1 (a
	// value), 2 (error) and 3 (indeterminate), false for 0 (removed, also
	// when the state is left out) and 4 (paused); other states give no
	// signal. The progress value is not reported.
	SignalProgress
	// SignalTitle is a new window title (OSC 0 or 2); Text is the title.
	// It is given only when the title differs from the last one.
	SignalTitle
)

// String returns the kind's name in lower case.
func (k SignalKind) String() string {
	switch k {
	case SignalBell:
		return "bell"
	case SignalNotify:
		return "notify"
	case SignalProgress:
		return "progress"
	case SignalTitle:
		return "title"
	}
	return "unknown"
}

// Signal is one signal from a child's output.
type Signal struct {
	Kind SignalKind
	// Text is the message of a notification or the title: valid UTF-8
	// without control characters, at most maxSignalText bytes of the
	// child's text (a longer one is cut).
	Text string
	// Busy is a progress report's: whether the child is at work.
	Busy bool
}

// OnSignal sets fn to be called for every signal any run gives, with the
// run's id. Call it before the first Start. fn is called from the run's
// reader goroutine, in the order the child gave the signals, as the reader
// meets them (before the text of the same read reaches the registry): it
// must not block (hand the signal to a channel without waiting).
func (s *Spawner) OnSignal(fn func(runID int64, sig Signal)) { s.onSignal = fn }

// maxSignalText bounds the OSC payload kept, and so a signal's text.
const maxSignalText = 4096

// signaler turns what the stripper finds into signals.
type signaler struct {
	on    func(Signal) // nil: no signals are wanted, none are parsed
	kitty kittyNote    // an OSC 99 notification still being sent in chunks
}

// kittyNote is an OSC 99 notification whose chunks have not all come.
type kittyNote struct {
	open        bool
	id          string
	title, body []byte
}

func (g *signaler) emit(sig Signal) {
	if g.on != nil {
		g.on(sig)
	}
}

// osc gives the signal of a finished OSC string, if it is one. osc is its
// text (bytes from 0x20 up), cut at maxSignalText bytes.
func (g *signaler) osc(osc []byte) {
	cut := len(osc) >= maxSignalText
	num, rest, ok := bytes.Cut(osc, []byte{';'})
	if !ok {
		return
	}
	switch string(num) {
	case "9":
		g.osc9(rest, cut)
	case "777":
		if sub, rest, _ := bytes.Cut(rest, []byte{';'}); string(sub) == "notify" {
			title, body, _ := bytes.Cut(rest, []byte{';'})
			g.emit(Signal{Kind: SignalNotify, Text: joinNote(title, body, cut)})
		}
	case "99":
		g.osc99(rest, cut)
	}
}

// osc9 handles OSC 9: an iTerm2 notification unless it is one of ConEmu's
// commands (https://conemu.github.io/en/AnsiEscapeCodes.html), which begin
// with their number (a semicolon before any argument): 4 is the progress
// report, 2 a message box (a notification too); the others (sleep, tab
// title, macro, run, environment, directory, comment, prompt mark, …) give
// no signal.
func (g *signaler) osc9(p []byte, cut bool) {
	head, tail, semi := bytes.Cut(p, []byte{';'})
	switch string(head) {
	case "4":
		if semi {
			g.progress(tail)
			return
		}
	case "2":
		if semi {
			g.emit(Signal{Kind: SignalNotify, Text: signalText(tail, cut)})
			return
		}
	case "1", "3", "6", "7", "8", "9", "11":
		if semi {
			return
		}
	case "5", "10", "12": // their arguments are optional
		return
	}
	g.emit(Signal{Kind: SignalNotify, Text: signalText(p, cut)})
}

// progress handles OSC 9 ; 4 ; state ; progress.
func (g *signaler) progress(p []byte) {
	st, _, _ := bytes.Cut(p, []byte{';'})
	state := 0
	if len(st) > 0 {
		n, ok := smallNumber(st)
		if !ok {
			return
		}
		state = n
	}
	switch state {
	case 0, 4:
		g.emit(Signal{Kind: SignalProgress, Busy: false})
	case 1, 2, 3:
		g.emit(Signal{Kind: SignalProgress, Busy: true})
	}
}

// smallNumber parses a decimal number of at most three digits.
func smallNumber(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 3 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// osc99 handles kitty's notifications, OSC 99 ; metadata ; payload
// (https://sw.kovidgoyal.net/kitty/desktop-notifications/). The metadata
// is key=value pairs separated by colons: i is the notification's id, d=0
// says more chunks follow (the notification is shown with the last one),
// p what the payload is (title, the default, or body; the other kinds add
// no text, and queries, close and alive are not notifications), e=1 that
// it is base64. Chunks of another id than the open one drop the open one.
func (g *signaler) osc99(p []byte, cut bool) {
	meta, payload, ok := bytes.Cut(p, []byte{';'})
	if !ok {
		return // both semicolons are always there
	}
	id, done, kind, b64 := "", true, "title", false
	for len(meta) > 0 {
		var kv []byte
		kv, meta, _ = bytes.Cut(meta, []byte{':'})
		k, v, _ := bytes.Cut(kv, []byte{'='})
		switch string(k) {
		case "i":
			id = string(v)
		case "d":
			done = string(v) != "0"
		case "p":
			kind = string(v)
		case "e":
			b64 = string(v) == "1"
		}
	}
	switch kind {
	case "?", "close", "alive":
		return
	}
	n := &g.kitty
	if n.open && n.id != id {
		*n = kittyNote{title: n.title[:0], body: n.body[:0]}
	}
	n.open, n.id = true, id
	if kind == "title" || kind == "body" {
		if b64 {
			dec, err := base64.StdEncoding.DecodeString(string(payload))
			if err != nil {
				dec, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(string(payload), "="))
			}
			if err != nil {
				dec = nil // an unreadable chunk adds nothing
			}
			payload, cut = dec, false
		}
		dst := &n.title
		if kind == "body" {
			dst = &n.body
		}
		room := maxSignalText - len(n.title) - len(n.body)
		if len(payload) > room {
			payload, cut = payload[:max(room, 0)], true
		}
		*dst = append(*dst, payload...)
	}
	if !done {
		return
	}
	full := len(n.title)+len(n.body) >= maxSignalText
	text := joinNote(n.title, n.body, cut || full)
	*n = kittyNote{title: n.title[:0], body: n.body[:0]}
	g.emit(Signal{Kind: SignalNotify, Text: text})
}

// joinNote is a notification's text from its title and body: "title: body",
// or whichever is not empty. cut says the text was cut at its end.
func joinNote(title, body []byte, cut bool) string {
	t, b := signalText(title, cut && len(body) == 0), signalText(body, cut)
	switch {
	case t == "":
		return b
	case b == "":
		return t
	}
	return t + ": " + b
}

// signalText returns b as valid UTF-8 without control characters, invalid
// bytes replaced by U+FFFD, at most maxSignalText bytes of b. cut says b was
// cut at its end: a character left incomplete there is dropped, not
// replaced.
func signalText(b []byte, cut bool) string {
	if len(b) > maxSignalText {
		b, cut = b[:maxSignalText], true
	}
	if cut {
		// Drop a last character that the cut left incomplete.
		start := len(b) - 1
		for start > 0 && start > len(b)-utf8.UTFMax && !utf8.RuneStart(b[start]) {
			start--
		}
		if start >= 0 && !utf8.FullRune(b[start:]) {
			b = b[:start]
		}
	}
	if cleanText(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b))
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		b = b[n:]
		if r == utf8.RuneError && n == 1 || !unicode.IsControl(r) {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// cleanText reports whether b is valid UTF-8 without control characters
// (C0, DEL, and C1, which UTF-8 encodes as C2 80 to C2 9F).
func cleanText(b []byte) bool {
	for i, c := range b {
		if c < 0x20 || c == 0x7f || c == 0xc2 && i+1 < len(b) && b[i+1] < 0xa0 {
			return false
		}
	}
	return utf8.Valid(b)
}
