package main

import (
	"unicode/utf8"

	"corral/config"
	"corral/tui"

	"charm.land/bubbles/v2/key"
)

// keyModes mirror tui's Model.onKey: the bindings looked up in each mode of
// the interface, in the order they are tried. A key can serve two of them
// only in different modes. The run list's cancel, which closes the help,
// clears an applied filter or hides the orphans' banner, is left out: a key
// of another action there (quit = "esc") wins, and each of those has another
// way (the help key, the filter's own cancel, adopting). Focus is not here: there every key but unfocus
// goes to the run, which config checks (unfocus takes no key a run needs).
// Where a text field takes keys (field names it), the bindings are tried
// before the field, so they may not take a key that types.
var keyModes = []struct {
	where    string
	bindings []string
	field    string
}{
	{"in the run list", []string{"quit", "help", "up", "down", "first", "last", "page_up", "page_down",
		"line_up", "line_down", "top", "bottom", "new", "filter", "cleanup", "history", "adopt", "kill",
		"unregister", "restart", "stop", "start", "zoom", "kill_shown", "focus", "raw", "attention", "resume",
		"search", "search_all", "select", "copy_screen", "save", "diff"}, ""},
	{"in a confirmation", []string{"yes", "no", "quit"}, ""},
	{"in the new-run form", []string{"cancel", "submit", "next_field", "prev_field", "next_choice", "prev_choice"}, ""},
	{"in the new-run form", []string{"cancel", "submit", "next_field", "prev_field"}, "the form's text fields"},
	{"in the filter", []string{"submit", "cancel"}, "the filter"},
	{"in the adopt list", []string{"cancel", "up", "down", "submit", typingPid}, ""},
	{"in the history", []string{"quit", "help", "history", "cancel", "filter", "up", "down", "first", "last",
		"page_up", "page_down", "line_up", "line_down", "top", "bottom", "submit", "restart", "resume", "delete"}, ""},
	{"in the search line", []string{"cancel", "prev_match", "next_match", "search_regex"}, "the search line"},
	{"in the search of every run", []string{"cancel", "submit", "up", "down", "page_up", "page_down", "search_regex"},
		"the search line"},
	{"in a selection", []string{"cancel", "copy", "up", "down", "page_up", "page_down", "top", "bottom"}, ""},
	{"in the save prompt", []string{"cancel", "submit"}, "the file name"},
	{"in the diff view", []string{"diff", "cancel", "quit", "up", "down", "line_up", "line_down", "page_up",
		"page_down", "top", "bottom", "next_file", "prev_file"}, ""},
	{"in the worktree question", []string{"cancel", "quit", "next_choice", "prev_choice", "submit"}, ""},
}

// sameEffect are pairs of bindings that do the same thing where they meet:
// in a confirmation the quit key cancels, as no does; in the history it
// goes back, as cancel does.
var sameEffect = map[[2]string]bool{{"no", "quit"}: true, {"quit", "no"}: true,
	{"quit", "cancel"}: true, {"cancel", "quit"}: true}

// typingPid stands for the keys the adopt list's pid field takes.
const typingPid = "typing a pid"

// keyMap returns corral's default bindings with the user's overrides from
// the [keys] table applied: each overridden binding gets the user's keys
// and a help label naming them. The names were checked against tui.Actions
// by checkKeys, which run calls first. An action given an empty list has no
// key.
func keyMap(overrides map[string]config.Keys) tui.KeyMap {
	km := tui.DefaultKeyMap()
	for name, keys := range overrides {
		if b := km.Binding(name); b != nil {
			tui.Rebind(b, keys)
		}
	}
	return km
}

// typesText reports whether a key types into a text field.
func typesText(k string) bool {
	return utf8.RuneCountInString(k) == 1 || k == "space" || k == "backspace"
}

// checkKeys checks what config cannot know alone: the names of the [keys]
// and [theme] entries against the interface's tables (tui.Actions,
// tui.PaletteSlots), then refuses, at the line of its [keys] entry, a key
// that the user's bindings would give to two actions in the same mode,
// where the one tried second could never be reached, or to an action tried
// before a text field, which could never get it.
func checkKeys(cfg *config.Config) error {
	if err := cfg.CheckNames(tui.ActionNames(), tui.PaletteSlotNames()); err != nil {
		return err
	}
	km := keyMap(cfg.Keys)
	pid := key.NewBinding(key.WithKeys("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "backspace"))
	binding := func(name string) *key.Binding {
		if name == typingPid {
			return &pid
		}
		return km.Binding(name)
	}

	for _, mode := range keyModes {
		owner := map[string]string{} // key → the binding tried first
		for _, name := range mode.bindings {
			for _, k := range binding(name).Keys() {
				if mode.field != "" && typesText(k) {
					return cfg.KeyError(name, "%q types into %s, which could no longer get it: "+
						"give %s a key that does not type", k, mode.field, name)
				}
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
				if other == typingPid {
					what = "typed into the pid field"
				}
				return cfg.KeyError(blame, "%q is also %s %s; a key does one thing there: "+
					"give one of them another key", k, what, mode.where)
			}
		}
	}
	return nil
}
