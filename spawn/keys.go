package spawn

import (
	"strconv"
	"unicode"
	"unicode/utf8"

	uv "github.com/charmbracelet/ultraviolet"
)

// keyModes is what a child asked of the keyboard: the modes that change the
// bytes a key sends.
type keyModes struct {
	appCursor bool // DECCKM: unmodified cursor keys as SS3
	appKeypad bool // DECKPAM: keypad keys as SS3
	kitty     int  // kitty keyboard protocol enhancement flags in force
}

// Kitty keyboard protocol progressive enhancement flags.
const (
	kittyDisambiguate = 1 << iota
	kittyEventTypes
	kittyAlternateKeys
	kittyAllKeys
	kittyAssociatedText
	kittyAllFlags = 1<<iota - 1
)

// Modifier bits of the kitty protocol; xterm's modifier parameter uses the
// first three and 8 for Meta.
const (
	kShift = 1 << iota
	kAlt
	kCtrl
	kSuper
	kHyper
	kMeta

	xMeta = kSuper // Meta in xterm's modifier parameter
)

// fkey is how a functional key is encoded: CSI num final, or CSI 1;m final
// and SS3 final for the letter forms.
type fkey struct {
	num    int
	final  byte
	ss3    bool // unmodified: SS3 final (F1-F4)
	cursor bool // unmodified in application cursor mode: SS3 final
}

// legacyKeys are xterm's encodings (TERM=xterm-256color, which children get).
var legacyKeys = map[rune]fkey{
	uv.KeyUp: {1, 'A', false, true}, uv.KeyDown: {1, 'B', false, true},
	uv.KeyRight: {1, 'C', false, true}, uv.KeyLeft: {1, 'D', false, true},
	uv.KeyBegin: {1, 'E', false, true}, uv.KeyHome: {1, 'H', false, true}, uv.KeyEnd: {1, 'F', false, true},
	uv.KeyInsert: {2, '~', false, false}, uv.KeyDelete: {3, '~', false, false},
	uv.KeyPgUp: {5, '~', false, false}, uv.KeyPgDown: {6, '~', false, false},
	uv.KeyF1: {1, 'P', true, false}, uv.KeyF2: {1, 'Q', true, false},
	uv.KeyF3: {1, 'R', true, false}, uv.KeyF4: {1, 'S', true, false},
	uv.KeyF5: {15, '~', false, false}, uv.KeyF6: {17, '~', false, false},
	uv.KeyF7: {18, '~', false, false}, uv.KeyF8: {19, '~', false, false},
	uv.KeyF9: {20, '~', false, false}, uv.KeyF10: {21, '~', false, false},
	uv.KeyF11: {23, '~', false, false}, uv.KeyF12: {24, '~', false, false},
}

// kittyKeys are the functional keys of the kitty protocol that keep a
// legacy form; F3 is CSI 13 ~ because CSI 1;m R is a cursor position report.
var kittyKeys = map[rune]fkey{
	uv.KeyEscape: {27, 'u', false, false}, uv.KeyEnter: {13, 'u', false, false},
	uv.KeyTab: {9, 'u', false, false}, uv.KeyBackspace: {127, 'u', false, false},
	uv.KeyUp: {1, 'A', false, true}, uv.KeyDown: {1, 'B', false, true},
	uv.KeyRight: {1, 'C', false, true}, uv.KeyLeft: {1, 'D', false, true},
	uv.KeyBegin: {1, 'E', false, false}, uv.KeyKpBegin: {1, 'E', false, false},
	uv.KeyHome: {1, 'H', false, true}, uv.KeyEnd: {1, 'F', false, true},
	uv.KeyInsert: {2, '~', false, false}, uv.KeyDelete: {3, '~', false, false},
	uv.KeyPgUp: {5, '~', false, false}, uv.KeyPgDown: {6, '~', false, false},
	uv.KeyF1: {1, 'P', false, true}, uv.KeyF2: {1, 'Q', false, true},
	uv.KeyF3: {13, '~', false, false}, uv.KeyF4: {1, 'S', false, true},
	uv.KeyF5: {15, '~', false, false}, uv.KeyF6: {17, '~', false, false},
	uv.KeyF7: {18, '~', false, false}, uv.KeyF8: {19, '~', false, false},
	uv.KeyF9: {20, '~', false, false}, uv.KeyF10: {21, '~', false, false},
	uv.KeyF11: {23, '~', false, false}, uv.KeyF12: {24, '~', false, false},
	uv.KeyKpDecimal: {57409, 'u', false, false}, uv.KeyKpDivide: {57410, 'u', false, false},
	uv.KeyKpMultiply: {57411, 'u', false, false}, uv.KeyKpMinus: {57412, 'u', false, false},
	uv.KeyKpPlus: {57413, 'u', false, false}, uv.KeyKpEnter: {57414, 'u', false, false},
	uv.KeyKpEqual: {57415, 'u', false, false}, uv.KeyKpSep: {57416, 'u', false, false},
	uv.KeyKpComma: {57416, 'u', false, false},
	uv.KeyKpLeft:  {57417, 'u', false, false}, uv.KeyKpRight: {57418, 'u', false, false},
	uv.KeyKpUp: {57419, 'u', false, false}, uv.KeyKpDown: {57420, 'u', false, false},
	uv.KeyKpPgUp: {57421, 'u', false, false}, uv.KeyKpPgDown: {57422, 'u', false, false},
	uv.KeyKpHome: {57423, 'u', false, false}, uv.KeyKpEnd: {57424, 'u', false, false},
	uv.KeyKpInsert: {57425, 'u', false, false}, uv.KeyKpDelete: {57426, 'u', false, false},
	uv.KeyLeftShift: {57441, 'u', false, false}, uv.KeyLeftCtrl: {57442, 'u', false, false},
	uv.KeyLeftAlt: {57443, 'u', false, false}, uv.KeyLeftSuper: {57444, 'u', false, false},
	uv.KeyLeftHyper: {57445, 'u', false, false}, uv.KeyLeftMeta: {57446, 'u', false, false},
	uv.KeyRightShift: {57447, 'u', false, false}, uv.KeyRightCtrl: {57448, 'u', false, false},
	uv.KeyRightAlt: {57449, 'u', false, false}, uv.KeyRightSuper: {57450, 'u', false, false},
	uv.KeyRightHyper: {57451, 'u', false, false}, uv.KeyRightMeta: {57452, 'u', false, false},
	uv.KeyIsoLevel3Shift: {57453, 'u', false, false}, uv.KeyIsoLevel5Shift: {57454, 'u', false, false},
}

// kittyKey returns the kitty encoding of a functional key, including the
// ranges numbered in order (F13-F35, keypad digits, locks, media).
func kittyKey(code rune) (fkey, bool) {
	if f, ok := kittyKeys[code]; ok {
		return f, true
	}
	var base, first rune
	switch {
	case code >= uv.KeyF13 && code <= uv.KeyF35:
		base, first = 57376, uv.KeyF13
	case code >= uv.KeyKp0 && code <= uv.KeyKp9:
		base, first = 57399, uv.KeyKp0
	case code >= uv.KeyCapsLock && code <= uv.KeyMenu:
		base, first = 57358, uv.KeyCapsLock
	case code >= uv.KeyMediaPlay && code <= uv.KeyMediaRecord:
		base, first = 57428, uv.KeyMediaPlay
	case code >= uv.KeyLowerVol && code <= uv.KeyMute:
		base, first = 57438, uv.KeyLowerVol
	default:
		return fkey{}, false
	}
	return fkey{num: int(base + code - first), final: 'u'}, true
}

// keypadApp is the SS3 final of keypad keys in application keypad mode.
var keypadApp = map[rune]byte{
	uv.KeyKp0: 'p', uv.KeyKp1: 'q', uv.KeyKp2: 'r', uv.KeyKp3: 's', uv.KeyKp4: 't',
	uv.KeyKp5: 'u', uv.KeyKp6: 'v', uv.KeyKp7: 'w', uv.KeyKp8: 'x', uv.KeyKp9: 'y',
	uv.KeyKpDecimal: 'n', uv.KeyKpMinus: 'm', uv.KeyKpPlus: 'k', uv.KeyKpMultiply: 'j',
	uv.KeyKpDivide: 'o', uv.KeyKpEnter: 'M', uv.KeyKpEqual: 'X', uv.KeyKpComma: 'l', uv.KeyKpSep: 'l',
}

// keypadPlain maps a keypad key to the key it stands for outside the
// application keypad mode.
var keypadPlain = map[rune]rune{
	uv.KeyKpDecimal: '.', uv.KeyKpMinus: '-', uv.KeyKpPlus: '+', uv.KeyKpMultiply: '*',
	uv.KeyKpDivide: '/', uv.KeyKpEqual: '=', uv.KeyKpComma: ',', uv.KeyKpSep: ',',
	uv.KeyKpEnter: uv.KeyEnter, uv.KeyKpUp: uv.KeyUp, uv.KeyKpDown: uv.KeyDown,
	uv.KeyKpLeft: uv.KeyLeft, uv.KeyKpRight: uv.KeyRight, uv.KeyKpHome: uv.KeyHome,
	uv.KeyKpEnd: uv.KeyEnd, uv.KeyKpPgUp: uv.KeyPgUp, uv.KeyKpPgDown: uv.KeyPgDown,
	uv.KeyKpInsert: uv.KeyInsert, uv.KeyKpDelete: uv.KeyDelete, uv.KeyKpBegin: uv.KeyBegin,
}

func plainKeypad(code rune) rune {
	if code >= uv.KeyKp0 && code <= uv.KeyKp9 {
		return '0' + code - uv.KeyKp0
	}
	if c, ok := keypadPlain[code]; ok {
		return c
	}
	return code
}

// encodeKey returns the bytes a terminal sends for k with the child's
// modes: xterm's encoding (modifier parameters on CSI keys, SS3 for
// application cursor keys and keypad, ESC prefix for Alt, C0 for Ctrl), or
// the kitty keyboard protocol once the child enabled it. Shift+Enter, which
// xterm sends as a plain CR, goes out as Alt+Enter (ESC CR) in the legacy
// encoding: agents such as Claude Code read that as "new line". nil means
// the key has no encoding (a lone modifier, a media key).
func encodeKey(k uv.KeyPressEvent, m keyModes) []byte {
	if m.kitty&kittyAllFlags != 0 {
		return encodeKitty(k, m)
	}
	return encodeLegacy(k, m)
}

func encodeLegacy(k uv.KeyPressEvent, m keyModes) []byte {
	mods := legacyMods(k.Mod)
	code := k.Code
	if code >= uv.KeyKpEnter && code <= uv.KeyKpBegin {
		if f, ok := keypadApp[code]; ok && m.appKeypad && mods == 0 {
			return []byte{0x1b, 'O', f}
		}
		code = plainKeypad(code)
		if code < uv.KeyExtended {
			k.Code, k.Text = code, ""
		}
	}
	alt := mods&(kAlt|xMeta) != 0
	var out []byte
	esc := func(b ...byte) []byte {
		if alt {
			out = append(out, 0x1b)
		}
		return append(out, b...)
	}
	switch code {
	case uv.KeyEnter:
		if mods&(kShift|kAlt|xMeta) != 0 {
			return []byte("\x1b\r")
		}
		return []byte("\r")
	case uv.KeyTab:
		if mods&kShift != 0 {
			return esc(0x1b, '[', 'Z')
		}
		return esc('\t')
	case uv.KeyBackspace:
		if mods&kCtrl != 0 {
			return esc(0x08)
		}
		return esc(0x7f)
	case uv.KeyEscape:
		return esc(0x1b)
	}
	if code >= uv.KeyF13 && code <= uv.KeyF63 {
		// xterm's terminfo: F13-F24 are Shift+F1-F12, then Ctrl,
		// Ctrl+Shift, Alt, Alt+Shift.
		n := int(code - uv.KeyF1)
		code = uv.KeyF1 + rune(n%12)
		mods |= []int{0, kShift, kCtrl, kCtrl | kShift, kAlt, kAlt | kShift}[n/12]
	}
	if f, ok := legacyKeys[code]; ok {
		if mods == 0 && (f.ss3 || f.cursor && m.appCursor) {
			return []byte{0x1b, 'O', f.final}
		}
		return csiKey(f, mods, 0, "", "")
	}
	if code >= uv.KeyExtended {
		if code == uv.KeyExtended && k.Text != "" {
			return esc([]byte(k.Text)...)
		}
		return nil // lone modifiers, media keys: nothing in xterm's encoding
	}
	if mods&kCtrl != 0 {
		if c, ok := ctrlByte(code); ok {
			return esc(c)
		}
	}
	return esc([]byte(textOf(k, mods))...)
}

// encodeKitty follows the kitty keyboard protocol (and kitty's own encoder)
// for the flags in force.
func encodeKitty(k uv.KeyPressEvent, m keyModes) []byte {
	flags := m.kitty
	dis := flags&kittyDisambiguate != 0
	all := flags&kittyAllKeys != 0
	mods := kittyMods(k.Mod)
	code := k.Code
	event := 0
	if flags&kittyEventTypes != 0 && k.IsRepeat {
		event = 2
	}
	if code >= uv.KeyLeftShift && code <= uv.KeyIsoLevel5Shift && !all {
		return nil
	}
	text := ""
	if mods&^kShift == 0 {
		text = textOf(k, mods)
	}
	if !all && text != "" {
		return []byte(text) // keys that type text send the text
	}
	if !dis && code >= uv.KeyKpEnter && code <= uv.KeyKpBegin {
		code = plainKeypad(code)
	}
	if f, ok := kittyKey(code); ok {
		if m.appCursor && f.cursor && !dis && mods == 0 && event == 0 {
			return []byte{0x1b, 'O', f.final}
		}
		if !all {
			switch {
			case mods == 0 && code == uv.KeyEscape && !dis:
				return []byte{0x1b}
			case mods == 0 && code == uv.KeyEnter:
				return []byte{'\r'}
			case mods == 0 && code == uv.KeyTab:
				return []byte{'\t'}
			case mods == 0 && code == uv.KeyBackspace:
				return []byte{0x7f}
			case mods == kAlt && !dis && (code == uv.KeyEnter || code == uv.KeyTab || code == uv.KeyBackspace):
				return []byte{0x1b, byte(code)}
			case mods == kShift && !dis && code == uv.KeyTab:
				return []byte("\x1b[Z")
			case mods == kCtrl && !dis && code == uv.KeyBackspace:
				return []byte{0x08}
			}
		}
		return csiKey(f, mods, event, "", "")
	}
	if code > unicode.MaxRune {
		if text != "" {
			return []byte(text)
		}
		return nil
	}
	if !dis && !all && flags&kittyAssociatedText == 0 && event == 0 {
		// No disambiguation asked: the legacy text encoding.
		return encodeLegacy(k, keyModes{appCursor: m.appCursor, appKeypad: m.appKeypad})
	}
	base := unicode.ToLower(code)
	alts := ""
	if flags&kittyAlternateKeys != 0 {
		shifted := rune(0)
		if mods&kShift != 0 {
			shifted = k.ShiftedCode
			if shifted == 0 && unicode.IsLower(base) {
				shifted = unicode.ToUpper(base)
			}
		}
		if shifted != 0 {
			alts = ":" + strconv.Itoa(int(shifted))
		}
		if k.BaseCode != 0 && k.BaseCode != base {
			if alts == "" {
				alts = ":"
			}
			alts += ":" + strconv.Itoa(int(k.BaseCode))
		}
	}
	assoc := ""
	if flags&kittyAssociatedText != 0 && text != "" {
		for i, r := range text {
			if i > 0 {
				assoc += ":"
			}
			assoc += strconv.Itoa(int(r))
		}
	}
	return csiKey(fkey{num: int(base), final: 'u'}, mods, event, alts, assoc)
}

// csiKey writes CSI num[alts][;mods[:event]][;text] final; the number 1 of
// the letter forms is left out when nothing follows it.
func csiKey(f fkey, mods, event int, alts, text string) []byte {
	b := []byte{0x1b, '['}
	second := mods != 0 || event != 0
	if f.num != 1 || alts != "" || second || text != "" {
		b = strconv.AppendInt(b, int64(f.num), 10)
	}
	b = append(b, alts...)
	if second || text != "" {
		b = append(b, ';')
		if second {
			b = strconv.AppendInt(b, int64(mods+1), 10)
			if event != 0 {
				b = append(b, ':')
				b = strconv.AppendInt(b, int64(event), 10)
			}
		}
	}
	if text != "" {
		b = append(b, ';')
		b = append(b, text...)
	}
	return append(b, f.final)
}

// legacyMods is xterm's modifier bits (Super and Hyper have none).
func legacyMods(m uv.KeyMod) int {
	v := 0
	if m&uv.ModShift != 0 {
		v |= kShift
	}
	if m&uv.ModAlt != 0 {
		v |= kAlt
	}
	if m&uv.ModCtrl != 0 {
		v |= kCtrl
	}
	if m&uv.ModMeta != 0 {
		v |= xMeta
	}
	return v
}

// kittyMods is the kitty protocol's modifier bits; lock keys are left out.
func kittyMods(m uv.KeyMod) int {
	v := legacyMods(m) &^ xMeta
	if m&uv.ModSuper != 0 {
		v |= kSuper
	}
	if m&uv.ModHyper != 0 {
		v |= kHyper
	}
	if m&uv.ModMeta != 0 {
		v |= kMeta
	}
	return v
}

// textOf is the text a key types: its Text, else its code, shifted when
// Shift is held.
func textOf(k uv.KeyPressEvent, mods int) string {
	if t := k.Text; t != "" && (len(t) > 1 || t[0] >= 0x20 && t[0] != 0x7f) {
		return t
	}
	c := k.Code
	if c > unicode.MaxRune || c < 0x20 || c == 0x7f || !utf8.ValidRune(c) {
		return ""
	}
	if mods&kShift != 0 {
		if k.ShiftedCode != 0 {
			c = k.ShiftedCode
		} else {
			c = unicode.ToUpper(c)
		}
	}
	return string(c)
}

// ctrlByte is the C0 byte Ctrl makes of a key (the VT100 table that xterm
// and kitty extend); keys without one are sent as themselves.
func ctrlByte(c rune) (byte, bool) {
	switch {
	case c >= 'a' && c <= 'z':
		return byte(c - 'a' + 1), true
	case c >= 'A' && c <= 'Z':
		return byte(c - 'A' + 1), true
	}
	switch c {
	case ' ', '@', '2':
		return 0, true
	case '[', '3':
		return 0x1b, true
	case '\\', '4':
		return 0x1c, true
	case ']', '5':
		return 0x1d, true
	case '^', '~', '6':
		return 0x1e, true
	case '_', '/', '7':
		return 0x1f, true
	case '?', '8':
		return 0x7f, true
	}
	return 0, false
}
