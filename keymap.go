package main

import (
	"strings"

	"corral/config"
	"corral/tui"

	"charm.land/bubbles/v2/key"
)

// keyMap returns corral's default bindings with the user's overrides from
// the [keys] table applied (names were checked when the config loaded).
func keyMap(overrides map[string]config.Keys) tui.KeyMap {
	km := tui.DefaultKeyMap()
	byName := map[string]*key.Binding{
		"up": &km.Up, "down": &km.Down, "first": &km.First, "last": &km.Last,
		"page_up": &km.PageUp, "page_down": &km.PageDown, "line_up": &km.LineUp, "line_down": &km.LineDown,
		"top": &km.Top, "bottom": &km.Bottom, "kill": &km.Kill, "unregister": &km.Unregister, "new": &km.New,
		"restart": &km.Restart, "focus": &km.Focus, "unfocus": &km.Unfocus, "cleanup": &km.Cleanup,
		"filter": &km.Filter, "adopt": &km.Adopt, "raw": &km.Raw, "help": &km.Help, "quit": &km.Quit,
	}
	for name, keys := range overrides {
		if b, ok := byName[name]; ok && len(keys) > 0 {
			b.SetKeys(keys...)
			b.SetHelp(strings.Join(keys, "/"), b.Help().Desc)
		}
	}
	return km
}
