package main

import (
	"strings"

	"corral/config"
	"corral/tui"

	"charm.land/bubbles/v2/key"
)

// keyModes mirror tui's Model.onKey: the bindings looked up in each mode of
// the interface, in the order they are tried. A key can serve two of them
// only in different modes. Focus is not here: there every key but unfocus
// goes to the run, which config checks (unfocus takes no key a run needs).
var keyModes = []struct {
	where    string
	bindings []string
}{
	{"in the run list", []string{"quit", "help", "up", "down", "first", "last", "page_up", "page_down",
		"line_up", "line_down", "top", "bottom", "new", "filter", "cleanup", "adopt", "kill", "unregister",
		"restart", "focus", "raw"}},
	{"in a confirmation", []string{"yes", "no", "quit"}},
	{"in the adopt list", []string{"cancel", "up", "down", "submit", "typing a pid"}},
}

// sameEffect are pairs of bindings that do the same thing where they meet:
// in a confirmation the quit key cancels, as no does.
var sameEffect = map[[2]string]bool{{"no", "quit"}: true, {"quit", "no"}: true}

// fixed are the bindings the [keys] table cannot set.
var fixed = map[string]bool{"yes": true, "no": true, "cancel": true, "submit": true, "typing a pid": true}

// keyMap returns corral's default bindings with the user's overrides from
// the [keys] table applied (config checked the action and key names, and
// checkKeys the collisions). An action given an empty list has no key.
func keyMap(overrides map[string]config.Keys) tui.KeyMap {
	km := tui.DefaultKeyMap()
	for name, keys := range overrides {
		b, ok := bindings(&km)[name]
		switch {
		case !ok:
		case len(keys) == 0:
			b.Unbind() // not in the help either
		default:
			b.SetKeys(keys...)
			b.SetHelp(strings.Join(keys, "/"), b.Help().Desc)
		}
	}
	return km
}

// bindings names the bindings of km the [keys] table sets.
func bindings(km *tui.KeyMap) map[string]*key.Binding {
	return map[string]*key.Binding{
		"up": &km.Up, "down": &km.Down, "first": &km.First, "last": &km.Last,
		"page_up": &km.PageUp, "page_down": &km.PageDown, "line_up": &km.LineUp, "line_down": &km.LineDown,
		"top": &km.Top, "bottom": &km.Bottom, "kill": &km.Kill, "unregister": &km.Unregister, "new": &km.New,
		"restart": &km.Restart, "focus": &km.Focus, "unfocus": &km.Unfocus, "cleanup": &km.Cleanup,
		"filter": &km.Filter, "adopt": &km.Adopt, "raw": &km.Raw, "help": &km.Help, "quit": &km.Quit,
	}
}

// checkKeys refuses, at the line of its [keys] entry, a key that the
// user's bindings would give to two actions in the same mode, where the
// one tried second could never be reached.
func checkKeys(cfg *config.Config) error {
	km := keyMap(cfg.Keys)
	byName := bindings(&km)
	pid := key.NewBinding(key.WithKeys("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "backspace"))
	byName["yes"], byName["no"], byName["cancel"], byName["submit"], byName["typing a pid"] =
		&km.Yes, &km.No, &km.Cancel, &km.Submit, &pid

	for _, mode := range keyModes {
		owner := map[string]string{} // key → the binding tried first
		for _, name := range mode.bindings {
			for _, k := range byName[name].Keys() {
				prev, taken := owner[k]
				if !taken {
					owner[k] = name
					continue
				}
				if prev == name || sameEffect[[2]string{prev, name}] {
					continue
				}
				// Blame the entry the user wrote last of the two.
				blame, other := name, prev
				if cfg.KeyLine(prev) > cfg.KeyLine(name) {
					blame, other = prev, name
				}
				what := "the key of " + other
				switch {
				case other == "typing a pid":
					what = "typed into the pid field"
				case fixed[other]:
					what += ", which cannot be rebound,"
				}
				return cfg.KeyError(blame, "%q is also %s %s; a key does one thing there: "+
					"give one of them another key", k, what, mode.where)
			}
		}
	}
	return nil
}
