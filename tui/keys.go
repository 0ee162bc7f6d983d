package tui

import "charm.land/bubbles/v2/key"

// KeyMap holds every key binding of the interface. Plain j/k are not
// navigation: k kills.
type KeyMap struct {
	Up, Down         key.Binding // select the previous / next run
	First, Last      key.Binding // select the first / last run
	PageUp, PageDown key.Binding // scroll the pane's history a page
	LineUp, LineDown key.Binding // scroll the pane's history a line
	Top, Bottom      key.Binding // oldest history / back to live output
	Kill             key.Binding
	Unregister       key.Binding
	New              key.Binding
	Restart          key.Binding
	Focus            key.Binding // type into the selected run
	Unfocus          key.Binding // leave focus (the only key not sent on)
	Cleanup          key.Binding
	Filter           key.Binding
	Adopt            key.Binding
	Raw              key.Binding // raw stream lines of an agent run
	Help             key.Binding
	Quit             key.Binding
	Yes, No          key.Binding // confirmations
	Submit, Cancel   key.Binding // forms and the filter
	NextField        key.Binding
	PrevField        key.Binding
	NextChoice       key.Binding
	PrevChoice       key.Binding
}

// DefaultKeyMap returns a new KeyMap with corral's default bindings.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:         b([]string{"up"}, "↑/↓", "select"),
		Down:       b([]string{"down"}, "↓", "next run"),
		First:      b([]string{"g"}, "g/G", "first/last run"),
		Last:       b([]string{"G"}, "G", "last run"),
		PageUp:     b([]string{"pgup"}, "pgup/pgdn", "scroll output"),
		PageDown:   b([]string{"pgdown"}, "pgdn", "scroll down"),
		LineUp:     b([]string{"shift+up"}, "shift+↑/↓", "scroll a line"),
		LineDown:   b([]string{"shift+down"}, "shift+↓", "scroll a line down"),
		Top:        b([]string{"home"}, "home/end", "oldest/live output"),
		Bottom:     b([]string{"end"}, "end", "live output"),
		Kill:       b([]string{"k"}, "k", "kill"),
		Unregister: b([]string{"u"}, "u", "unregister"),
		New:        b([]string{"n"}, "n", "new run"),
		Restart:    b([]string{"r"}, "r", "restart"),
		Focus:      b([]string{"enter"}, "enter", "type into run"),
		Unfocus:    b([]string{"ctrl+]"}, "ctrl+]", "leave focus"),
		Cleanup:    b([]string{"c"}, "c", "clean up ended"),
		Filter:     b([]string{"/"}, "/", "filter"),
		Adopt:      b([]string{"a"}, "a", "adopt a process"),
		Raw:        b([]string{"v"}, "v", "raw/rendered stream"),
		Help:       b([]string{"?"}, "?", "help"),
		Quit:       b([]string{"q", "ctrl+c"}, "q", "quit"),
		Yes:        b([]string{"y", "Y"}, "y", "yes"),
		No:         b([]string{"n", "N", "esc"}, "n", "no"),
		Submit:     b([]string{"enter"}, "enter", "confirm"),
		Cancel:     b([]string{"esc"}, "esc", "cancel"),
		NextField:  b([]string{"tab", "down"}, "tab", "next field"),
		PrevField:  b([]string{"shift+tab", "up"}, "shift+tab", "previous field"),
		NextChoice: b([]string{"right"}, "←/→", "choose"),
		PrevChoice: b([]string{"left"}, "←", "previous choice"),
	}
}

// ShortHelp is the one-line help of the main screen.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.New, k.Kill, k.Unregister, k.Focus, k.Restart, k.Filter, k.Help, k.Quit}
}

// FullHelp is the help that '?' shows, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.First, k.PageUp, k.LineUp, k.Top},
		{k.New, k.Kill, k.Unregister, k.Restart, k.Cleanup},
		{k.Focus, k.Unfocus, k.Filter, k.Adopt, k.Raw},
		{k.Help, k.Quit},
	}
}

// helpKeys adapts a fixed list of bindings to help.KeyMap.
type helpKeys []key.Binding

func (h helpKeys) ShortHelp() []key.Binding  { return h }
func (h helpKeys) FullHelp() [][]key.Binding { return [][]key.Binding{h} }
