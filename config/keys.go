package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	uv "github.com/charmbracelet/ultraviolet"
)

// keyNames is the set of key names a binding can match in any terminal:
// what Bubble Tea calls each key press (its String, which key.Matches
// compares) that xterm's legacy encoding can deliver, found by decoding
// every such byte sequence with Bubble Tea's own decoder. Combinations that
// only the kitty protocol or modifyOtherKeys can tell apart (ctrl+shift+q,
// shift+enter) are not in it: most terminals, and tmux by default, send them
// as another key.
var keyNames = sync.OnceValue(func() map[string]bool {
	var seqs []string
	for b := range 0x80 {
		seqs = append(seqs, string(rune(b)), "\x1b"+string(rune(b))) // the key, alt+the key
	}
	for _, final := range "ABCDHFPQRS" { // arrows, home, end, f1-f4
		seqs = append(seqs, "\x1b["+string(final), "\x1bO"+string(final))
		for mod := 2; mod <= 8; mod++ {
			seqs = append(seqs, fmt.Sprintf("\x1b[1;%d%c", mod, final))
		}
	}
	// insert, delete, pgup, pgdown, f5-f12
	for _, n := range []int{2, 3, 5, 6, 15, 17, 18, 19, 20, 21, 23, 24} {
		seqs = append(seqs, fmt.Sprintf("\x1b[%d~", n))
		for mod := 2; mod <= 8; mod++ {
			seqs = append(seqs, fmt.Sprintf("\x1b[%d;%d~", n, mod))
		}
	}
	seqs = append(seqs, "\x1b[Z") // shift+tab
	names := map[string]bool{}
	var d uv.EventDecoder
	add := func(ev uv.Event) {
		if k, ok := ev.(uv.KeyPressEvent); ok {
			names[k.String()] = true
		}
	}
	for _, s := range seqs {
		n, ev := d.Decode([]byte(s))
		if n != len(s) {
			continue
		}
		add(ev)
		if multi, ok := ev.(uv.MultiEvent); ok { // f3 with modifiers, like a cursor report
			for _, e := range multi {
				add(e)
			}
		}
	}
	return names
})

// namedKeys are the keys with a name rather than a character.
var namedKeys = []string{"enter", "tab", "esc", "space", "backspace", "up", "down", "left", "right", "home", "end",
	"pgup", "pgdown", "insert", "delete", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12"}

// sameByte are ctrl keys that terminals send as the byte of another key.
var sameByte = map[string]string{"ctrl+i": "tab", "ctrl+m": "enter", "ctrl+[": "esc", "ctrl+@": "ctrl+space",
	"ctrl+?": "backspace"}

// keyHelp says which key names there are.
const keyHelp = `keys are a character ("k", "K", "?"), ctrl+ a letter, alt+ either, or ` +
	`enter, tab, shift+tab, esc, space, backspace, up, down, left, right, home, end, pgup, pgdown, ` +
	`insert, delete, f1-f12, these with ctrl+, alt+ or shift+ in that order`

// checkKey says why a key name can never match a key press, or returns nil.
func checkKey(name string) error {
	if keyNames()[name] {
		return nil
	}
	if r, size := utf8.DecodeRuneInString(strings.TrimPrefix(name, "alt+")); size > 0 && size == len(strings.TrimPrefix(name, "alt+")) &&
		r != utf8.RuneError && unicode.IsPrint(r) && !unicode.IsSpace(r) {
		return nil // a character beyond ASCII, typed as itself
	}
	if same, ok := sameByte[name]; ok {
		return fmt.Errorf("%q arrives as %q (terminals send the same byte): write %q", name, same, same)
	}
	if name == "" {
		return fmt.Errorf("an empty key name (%s)", keyHelp)
	}
	mods, base := splitKey(name)
	for _, m := range mods {
		switch strings.ToLower(m) {
		case "ctrl", "alt", "shift":
		case "meta", "super", "hyper", "cmd", "command", "win", "option", "opt":
			return fmt.Errorf("%q: the %s modifier does not reach programs in a terminal: use ctrl, alt or shift", name, m)
		default:
			return fmt.Errorf("%q: %q is not a modifier: use ctrl, alt or shift", name, m)
		}
	}
	if canon := canonicalKey(mods, base); canon != name && keyNames()[canon] {
		return fmt.Errorf("%q never matches: write %q (modifiers in the order ctrl, alt, shift, lower case)", name, canon)
	}
	if len(mods) == 1 && strings.EqualFold(mods[0], "shift") && utf8.RuneCountInString(base) == 1 {
		return fmt.Errorf("%q never matches: write the character shift types, e.g. \"K\" or \"?\"", name)
	}
	if utf8.RuneCountInString(base) != 1 && !slices.Contains(namedKeys, strings.ToLower(base)) {
		return fmt.Errorf("%q: %q is not a key name (%s)", name, base, keyHelp)
	}
	return fmt.Errorf("%q: terminals cannot send this combination as itself (most send ctrl+shift+letter as "+
		"ctrl+letter, shift+enter as enter); %s", name, keyHelp)
}

// splitKey splits "ctrl+alt++" into its modifiers and its key.
func splitKey(name string) (mods []string, base string) {
	if name == "+" || strings.HasSuffix(name, "++") {
		rest := strings.TrimSuffix(strings.TrimSuffix(name, "+"), "+")
		if rest == "" {
			return nil, "+"
		}
		return strings.Split(rest, "+"), "+"
	}
	parts := strings.Split(name, "+")
	return parts[:len(parts)-1], parts[len(parts)-1]
}

// canonicalKey writes a key the way Bubble Tea names it: lower-case
// modifiers in the order ctrl, alt, shift, and a lower-case key name.
func canonicalKey(mods []string, base string) string {
	var sb strings.Builder
	for _, want := range []string{"ctrl", "alt", "shift"} {
		for _, m := range mods {
			if strings.EqualFold(m, want) {
				sb.WriteString(want + "+")
				break
			}
		}
	}
	if utf8.RuneCountInString(base) > 1 {
		base = strings.ToLower(base)
	}
	return sb.String() + base
}

// childKeys are keys a run in focus needs, so unfocus may not take them,
// with what they do there. Characters, which unfocus may not take either,
// are checked apart.
var childKeys = map[string]string{
	"ctrl+c": "interrupts (SIGINT)", "ctrl+d": "ends input (EOF)", "ctrl+z": "suspends (SIGTSTP)",
	`ctrl+\`: "quits (SIGQUIT)", "enter": "submits a line", "tab": "completes", "shift+tab": "moves back",
	"esc": "cancels (and starts every Alt and arrow sequence)", "space": "types a space",
	"backspace": "erases", "delete": "erases", "up": "recalls history", "down": "recalls history",
	"left": "moves the cursor", "right": "moves the cursor", "home": "moves the cursor", "end": "moves the cursor",
}

// checkUnfocus says why a key may not leave focus, or returns nil: while a
// run is in focus every key except unfocus goes to it, so unfocus must be
// one that programs rarely need.
func checkUnfocus(name string) error {
	const pick = `; unfocus takes a key programs rarely need, such as "ctrl+]" (the default) or "f12"`
	if what, ok := childKeys[name]; ok {
		return fmt.Errorf("%q %s in the run in focus, which could no longer get it%s", name, what, pick)
	}
	if utf8.RuneCountInString(name) == 1 {
		return fmt.Errorf("%q types a character in the run in focus, which could no longer get it%s", name, pick)
	}
	return nil
}

// KeyError returns a configuration error at the line of the [keys] entry
// for action, for the checks made where the default bindings are known
// (which keys collide in the interface).
func (c *Config) KeyError(action, format string, args ...any) error {
	key := toml.Key{"keys", action}
	return &Error{Path: c.Path, Line: c.KeyLine(action), Key: key.String(), Msg: fmt.Sprintf(format, args...)}
}

// KeyLine is the line of the [keys] entry for action, 0 when it has none.
func (c *Config) KeyLine(action string) int {
	if _, ok := c.Keys[action]; !ok {
		return 0
	}
	return lineOf(c.text, toml.Key{"keys", action})
}

// needKey says why an action may not be left without a key.
var needKey = map[string]string{
	"quit":    "without one there is no way to quit",
	"unfocus": "without one there is no way out of a run in focus",
	"yes":     "without one no confirmation can be answered yes",
	"submit":  "without one the new-run form and the adopt list can do nothing",
	"cancel":  "without one there is no way out of the new-run form or the adopt list",
}

// checkKeys checks the [keys] table: key names a terminal can send, a key
// for the actions that need one, and no key a focused run needs on
// unfocus. The action names are checked by CheckNames and collisions
// between actions by the binary, which knows the names and the defaults.
func (c *Config) checkKeys(bad func(toml.Key, string, ...any)) {
	for _, name := range slices.Sorted(maps.Keys(c.Keys)) {
		keys := c.Keys[name]
		at := toml.Key{"keys", name}
		if why, ok := needKey[name]; ok && len(keys) == 0 {
			bad(at, "needs a key: %s", why)
		}
		for _, k := range keys {
			err := checkKey(k)
			if err == nil && name == "unfocus" {
				err = checkUnfocus(k)
			}
			if err != nil {
				bad(at, "%v", err) // one error per entry: the first key that cannot be
				break
			}
		}
	}
}
