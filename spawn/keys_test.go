package spawn

import (
	"testing"

	uv "github.com/charmbracelet/ultraviolet"
)

func key(code rune, mod uv.KeyMod) uv.KeyPressEvent { return uv.KeyPressEvent{Code: code, Mod: mod} }

func text(s string) uv.KeyPressEvent {
	r := []rune(s)[0]
	return uv.KeyPressEvent{Code: r, Text: s}
}

const (
	shift = uv.ModShift
	alt   = uv.ModAlt
	ctrl  = uv.ModCtrl
	meta  = uv.ModMeta
)

// The bytes xterm (TERM=xterm-256color, its default resources) sends for
// each key, and kitty's for the kitty protocol, checked against the
// protocol's spec tables.
func TestEncodeKey(t *testing.T) {
	legacy := keyModes{}
	app := keyModes{appCursor: true, appKeypad: true}
	k1 := keyModes{kitty: kittyDisambiguate}
	k1app := keyModes{kitty: kittyDisambiguate, appCursor: true}
	kAll := keyModes{kitty: kittyDisambiguate | kittyAllKeys}
	kAlt := keyModes{kitty: kittyDisambiguate | kittyAlternateKeys}
	kText := keyModes{kitty: kittyDisambiguate | kittyAllKeys | kittyAssociatedText}
	kEvents := keyModes{kitty: kittyDisambiguate | kittyEventTypes}
	kNoDis := keyModes{kitty: kittyEventTypes}
	for _, c := range []struct {
		name string
		k    uv.KeyPressEvent
		m    keyModes
		want string
	}{
		// Legacy: cursor and editing keys carry xterm's modifier parameter.
		{"left", key(uv.KeyLeft, 0), legacy, "\x1b[D"},
		{"C-left", key(uv.KeyLeft, ctrl), legacy, "\x1b[1;5D"},
		{"M-left", key(uv.KeyLeft, alt), legacy, "\x1b[1;3D"},
		{"S-up", key(uv.KeyUp, shift), legacy, "\x1b[1;2A"},
		{"C-S-right", key(uv.KeyRight, ctrl|shift), legacy, "\x1b[1;6C"},
		{"C-M-down", key(uv.KeyDown, ctrl|alt), legacy, "\x1b[1;7B"},
		{"meta-left", key(uv.KeyLeft, meta), legacy, "\x1b[1;9D"},
		{"home", key(uv.KeyHome, 0), legacy, "\x1b[H"},
		{"end", key(uv.KeyEnd, 0), legacy, "\x1b[F"},
		{"C-home", key(uv.KeyHome, ctrl), legacy, "\x1b[1;5H"},
		{"S-end", key(uv.KeyEnd, shift), legacy, "\x1b[1;2F"},
		{"insert", key(uv.KeyInsert, 0), legacy, "\x1b[2~"},
		{"delete", key(uv.KeyDelete, 0), legacy, "\x1b[3~"},
		{"C-delete", key(uv.KeyDelete, ctrl), legacy, "\x1b[3;5~"},
		{"M-delete", key(uv.KeyDelete, alt), legacy, "\x1b[3;3~"},
		{"pgup", key(uv.KeyPgUp, 0), legacy, "\x1b[5~"},
		{"S-pgdown", key(uv.KeyPgDown, shift), legacy, "\x1b[6;2~"},
		{"C-pgup", key(uv.KeyPgUp, ctrl), legacy, "\x1b[5;5~"},
		// Function keys: SS3 for F1-F4 unmodified, CSI 1;m P with modifiers.
		{"F1", key(uv.KeyF1, 0), legacy, "\x1bOP"},
		{"F4", key(uv.KeyF4, 0), legacy, "\x1bOS"},
		{"S-F1", key(uv.KeyF1, shift), legacy, "\x1b[1;2P"},
		{"C-F3", key(uv.KeyF3, ctrl), legacy, "\x1b[1;5R"},
		{"F5", key(uv.KeyF5, 0), legacy, "\x1b[15~"},
		{"S-F5", key(uv.KeyF5, shift), legacy, "\x1b[15;2~"},
		{"F6", key(uv.KeyF6, 0), legacy, "\x1b[17~"},
		{"C-F8", key(uv.KeyF8, ctrl), legacy, "\x1b[19;5~"},
		{"F10", key(uv.KeyF10, 0), legacy, "\x1b[21~"},
		{"F11", key(uv.KeyF11, 0), legacy, "\x1b[23~"},
		{"M-F12", key(uv.KeyF12, alt), legacy, "\x1b[24;3~"},
		{"F13 is S-F1 (terminfo kf13)", key(uv.KeyF13, 0), legacy, "\x1b[1;2P"},
		{"F29 is C-F5 (terminfo kf29)", key(uv.KeyF29, 0), legacy, "\x1b[15;5~"},
		// Application cursor keys (DECCKM) only when unmodified.
		{"app up", key(uv.KeyUp, 0), app, "\x1bOA"},
		{"app home", key(uv.KeyHome, 0), app, "\x1bOH"},
		{"app C-up", key(uv.KeyUp, ctrl), app, "\x1b[1;5A"},
		{"app delete", key(uv.KeyDelete, 0), app, "\x1b[3~"},
		{"app F1", key(uv.KeyF1, 0), app, "\x1bOP"},
		// Keypad: SS3 in application keypad mode, its character otherwise.
		{"app kp1", key(uv.KeyKp1, 0), app, "\x1bOq"},
		{"app kp enter", key(uv.KeyKpEnter, 0), app, "\x1bOM"},
		{"app kp minus", key(uv.KeyKpMinus, 0), app, "\x1bOm"},
		{"kp1", key(uv.KeyKp1, 0), legacy, "1"},
		{"kp enter", key(uv.KeyKpEnter, 0), legacy, "\r"},
		{"kp up", key(uv.KeyKpUp, 0), legacy, "\x1b[A"},
		{"kp C-up", key(uv.KeyKpUp, ctrl), legacy, "\x1b[1;5A"},
		// C0 keys.
		{"enter", key(uv.KeyEnter, 0), legacy, "\r"},
		{"S-enter as M-enter (agents' new line)", key(uv.KeyEnter, shift), legacy, "\x1b\r"},
		{"M-enter", key(uv.KeyEnter, alt), legacy, "\x1b\r"},
		{"C-enter", key(uv.KeyEnter, ctrl), legacy, "\r"},
		{"tab", key(uv.KeyTab, 0), legacy, "\t"},
		{"S-tab", key(uv.KeyTab, shift), legacy, "\x1b[Z"},
		{"M-tab", key(uv.KeyTab, alt), legacy, "\x1b\t"},
		{"M-S-tab", key(uv.KeyTab, alt|shift), legacy, "\x1b\x1b[Z"},
		{"backspace", key(uv.KeyBackspace, 0), legacy, "\x7f"},
		{"C-backspace", key(uv.KeyBackspace, ctrl), legacy, "\x08"},
		{"M-backspace", key(uv.KeyBackspace, alt), legacy, "\x1b\x7f"},
		{"escape", key(uv.KeyEscape, 0), legacy, "\x1b"},
		{"M-escape", key(uv.KeyEscape, alt), legacy, "\x1b\x1b"},
		{"space", text(" "), legacy, " "},
		{"C-space", key(uv.KeySpace, ctrl), legacy, "\x00"},
		{"M-space", key(uv.KeySpace, alt), legacy, "\x1b "},
		// Text, Ctrl and Alt.
		{"a", text("a"), legacy, "a"},
		{"A", uv.KeyPressEvent{Code: 'a', ShiftedCode: 'A', Text: "A", Mod: shift}, legacy, "A"},
		{"é", text("é"), legacy, "é"},
		{"emoji", uv.KeyPressEvent{Code: uv.KeyExtended, Text: "👍🏽"}, legacy, "👍🏽"},
		{"C-a", key('a', ctrl), legacy, "\x01"},
		{"C-c", key('c', ctrl), legacy, "\x03"},
		{"C-S-a", key('a', ctrl|shift), legacy, "\x01"},
		{"C-[", key('[', ctrl), legacy, "\x1b"},
		{"C-]", key(']', ctrl), legacy, "\x1d"},
		{"C-_", key('_', ctrl), legacy, "\x1f"},
		{"C-/", key('/', ctrl), legacy, "\x1f"},
		{"C-@", key('@', ctrl), legacy, "\x00"},
		{"C-1 (no C0)", key('1', ctrl), legacy, "1"},
		{"M-a", key('a', alt), legacy, "\x1ba"},
		{"M-A", uv.KeyPressEvent{Code: 'a', ShiftedCode: 'A', Mod: alt | shift}, legacy, "\x1bA"},
		{"M-S-a without shifted code", key('a', alt|shift), legacy, "\x1bA"},
		{"C-M-a", key('a', ctrl|alt), legacy, "\x1b\x01"},
		{"meta-b as alt", key('b', meta), legacy, "\x1bb"},
		{"lone shift", key(uv.KeyLeftShift, shift), legacy, ""},
		{"caps lock held", uv.KeyPressEvent{Code: uv.KeyLeft, Mod: ctrl | uv.ModCapsLock}, legacy, "\x1b[1;5D"},

		// Kitty, disambiguate: text stays text, every other key is CSI.
		{"k a", text("a"), k1, "a"},
		{"k A", uv.KeyPressEvent{Code: 'a', ShiftedCode: 'A', Text: "A", Mod: shift}, k1, "A"},
		{"k S-enter", key(uv.KeyEnter, shift), k1, "\x1b[13;2u"},
		{"k enter", key(uv.KeyEnter, 0), k1, "\r"},
		{"k M-enter", key(uv.KeyEnter, alt), k1, "\x1b[13;3u"},
		{"k C-enter", key(uv.KeyEnter, ctrl), k1, "\x1b[13;5u"},
		{"k tab", key(uv.KeyTab, 0), k1, "\t"},
		{"k S-tab", key(uv.KeyTab, shift), k1, "\x1b[9;2u"},
		{"k backspace", key(uv.KeyBackspace, 0), k1, "\x7f"},
		{"k C-backspace", key(uv.KeyBackspace, ctrl), k1, "\x1b[127;5u"},
		{"k escape", key(uv.KeyEscape, 0), k1, "\x1b[27u"},
		{"k C-a", key('a', ctrl), k1, "\x1b[97;5u"},
		{"k C-c", key('c', ctrl), k1, "\x1b[99;5u"},
		{"k C-S-a", key('a', ctrl|shift), k1, "\x1b[97;6u"},
		{"k M-a", key('a', alt), k1, "\x1b[97;3u"},
		{"k M-S-a", uv.KeyPressEvent{Code: 'a', ShiftedCode: 'A', Mod: alt | shift}, k1, "\x1b[97;4u"},
		{"k C-M-a", key('a', ctrl|alt), k1, "\x1b[97;7u"},
		{"k C-space", key(uv.KeySpace, ctrl), k1, "\x1b[32;5u"},
		{"k left", key(uv.KeyLeft, 0), k1, "\x1b[D"},
		{"k C-left", key(uv.KeyLeft, ctrl), k1, "\x1b[1;5D"},
		{"k up in DECCKM (CSI: disambiguated)", key(uv.KeyUp, 0), k1app, "\x1b[A"},
		{"k home", key(uv.KeyHome, 0), k1, "\x1b[H"},
		{"k C-delete", key(uv.KeyDelete, ctrl), k1, "\x1b[3;5~"},
		{"k F1", key(uv.KeyF1, 0), k1, "\x1b[P"},
		{"k S-F1", key(uv.KeyF1, shift), k1, "\x1b[1;2P"},
		{"k F3 (not CSI R, a cursor report)", key(uv.KeyF3, 0), k1, "\x1b[13~"},
		{"k F5", key(uv.KeyF5, 0), k1, "\x1b[15~"},
		{"k F13", key(uv.KeyF13, 0), k1, "\x1b[57376u"},
		{"k kp1", key(uv.KeyKp1, 0), k1, "\x1b[57400u"},
		{"k kp enter", key(uv.KeyKpEnter, 0), k1, "\x1b[57414u"},
		{"k super-a", key('a', uv.ModSuper), k1, "\x1b[97;9u"},
		{"k meta-a", key('a', meta), k1, "\x1b[97;33u"},
		{"k lone shift", key(uv.KeyLeftShift, shift), k1, ""},
		{"k caps lock", key(uv.KeyCapsLock, 0), k1, "\x1b[57358u"},
		// All keys as escape codes, alternates, associated text, events.
		{"k8 a", text("a"), kAll, "\x1b[97u"},
		{"k8 A", uv.KeyPressEvent{Code: 'a', ShiftedCode: 'A', Text: "A", Mod: shift}, kAll, "\x1b[97;2u"},
		{"k8 enter", key(uv.KeyEnter, 0), kAll, "\x1b[13u"},
		{"k8 lone shift", key(uv.KeyLeftShift, shift), kAll, "\x1b[57441;2u"},
		{"k4 C-S-a", uv.KeyPressEvent{Code: 'a', ShiftedCode: 'A', Mod: ctrl | shift}, kAlt, "\x1b[97:65;6u"},
		{"k4 C-a base layout", uv.KeyPressEvent{Code: 'ф', BaseCode: 'a', Mod: ctrl}, kAlt, "\x1b[1092::97;5u"},
		{"k16 A", uv.KeyPressEvent{Code: 'a', ShiftedCode: 'A', Text: "A", Mod: shift}, kText, "\x1b[97;2;65u"},
		{"k16 a", text("a"), kText, "\x1b[97;;97u"},
		{"k2 repeat C-a", uv.KeyPressEvent{Code: 'a', Mod: ctrl, IsRepeat: true}, kEvents, "\x1b[97;5:2u"},
		{"k2 repeat left", uv.KeyPressEvent{Code: uv.KeyLeft, IsRepeat: true}, kEvents, "\x1b[1;1:2D"},
		// Flags without disambiguation keep the legacy text encoding.
		{"k2 C-a", key('a', ctrl), kNoDis, "\x01"},
		{"k2 M-enter", key(uv.KeyEnter, alt), kNoDis, "\x1b\r"},
		{"k2 S-enter", key(uv.KeyEnter, shift), kNoDis, "\x1b[13;2u"},
		{"k2 escape", key(uv.KeyEscape, 0), kNoDis, "\x1b"},
	} {
		if got := string(encodeKey(c.k, c.m)); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// The reader follows the modes as the child sets them: DECCKM, DECKPAM,
// the kitty stacks of both screens, resets.
func TestStripperTracksKeyModes(t *testing.T) {
	var s stripper
	feed := func(in string) keyModes {
		s.write([]byte(in), nil)
		return s.term.keyModes()
	}
	steps := []struct {
		in   string
		want keyModes
	}{
		{"\x1b[?1h", keyModes{appCursor: true}},
		{"\x1b=", keyModes{appCursor: true, appKeypad: true}},
		{"\x1b[?1;66l", keyModes{}},
		{"\x1b[?66h\x1b>", keyModes{}},
		{"\x1b[>1u", keyModes{kitty: 1}},
		{"\x1b[>", keyModes{kitty: 1}}, // split across reads
		{"3u", keyModes{kitty: 3}},
		{"\x1b[=8;2u", keyModes{kitty: 11}},
		{"\x1b[=1;3u", keyModes{kitty: 10}},
		{"\x1b[?1049h", keyModes{}}, // the alternate screen has its own stack
		{"\x1b[>5u", keyModes{kitty: 5}},
		{"\x1b[?1049l", keyModes{kitty: 10}},
		{"\x1b[<u", keyModes{kitty: 1}},
		{"\x1b[<5u", keyModes{}}, // popping everything resets
		{"\x1b[=1u", keyModes{kitty: 1}},
		{"\x1b[?1h\x1b[>3u\x1bc", keyModes{}}, // RIS
		{"\x1b[?1h\x1b[!p", keyModes{}},       // DECSTR
		{"\x1b[u", keyModes{}},                // SCORC, not kitty
	}
	for i, st := range steps {
		if got := feed(st.in); got != st.want {
			t.Fatalf("step %d %q: %+v, want %+v", i, st.in, got, st.want)
		}
	}
	// A full stack drops its oldest entry: after 2 and then kittyDepth
	// pushes of 1, popping all but one leaves a 1, and one more empties it.
	feed("\x1b[>2u")
	for range kittyDepth {
		feed("\x1b[>1u")
	}
	if got := feed("\x1b[<15u"); got.kitty != 1 {
		t.Fatalf("after popping 15 of a full stack: %+v", got)
	}
	if got := feed("\x1b[<u"); got.kitty != 0 {
		t.Fatalf("the oldest push was kept: %+v", got)
	}
}

// Modified keys reach a child in raw mode as xterm sends them.
func TestModifiedKeysReachTheChild(t *testing.T) {
	r := newRig(t)
	p := r.sh(t, `stty raw -echo; echo ready; head -c 30 | od -An -c | tr -s ' \n' '  '; echo; exec sleep 1000`)
	r.outputHas(t, p, "ready")
	for _, k := range []uv.KeyPressEvent{key(uv.KeyLeft, ctrl), key(uv.KeyLeft, alt), key(uv.KeyDelete, ctrl),
		key(uv.KeyF5, shift), key(uv.KeyHome, 0), key('a', ctrl|alt)} {
		p.SendKey(k)
	}
	r.outputHas(t, p, ` 033 [ 1 ; 5 D 033 [ 1 ; 3 D 033 [ 3 ; 5 ~ 033 [ 1 5 ; 2 ~ 033 [ H 033 001`)
}

// A child that enables the kitty keyboard protocol is told its flags and
// gets kitty's encoding (Shift+Enter as itself); after it pops them, the
// legacy encoding again (Shift+Enter as Alt+Enter).
func TestKittyKeyboardProtocol(t *testing.T) {
	r := newRig(t)
	p := r.sh(t, `stty raw -echo
printf '\033[?u'; a=$(head -c 5 | tr '\033' E)
printf '\033[>1u\033[?u'; b=$(head -c 5 | tr '\033' E)
echo "q:$a:$b"
k=$(head -c 19 | tr '\033' E); echo "kitty:$k"
printf '\033[<u'; echo popped
head -c 2 | od -An -c; exec sleep 1000`)
	r.outputHas(t, p, "q:E[?0u:E[?1u")
	p.SendKey(key(uv.KeyEnter, shift))
	p.SendKey(key('c', ctrl))
	p.SendKey(key(uv.KeyEscape, 0))
	r.outputHas(t, p, "kitty:E[13;2uE[99;5uE[27u")
	r.outputHas(t, p, "popped")
	p.SendKey(key(uv.KeyEnter, shift))
	r.outputHas(t, p, `033  \r`)
}
