package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyMap holds every key binding of the interface. Plain j/k are not
// navigation: k kills. Each binding's help names its own keys only, so a
// remap of one never leaves another's label wrong; the model enables and
// disables them with its state (Model.updateKeyStates), so the help shows
// only what works now.
type KeyMap struct {
	Up, Down         key.Binding // select the previous / next run
	First, Last      key.Binding // select the first / last run
	PageUp, PageDown key.Binding // scroll the pane's history a page
	LineUp, LineDown key.Binding // scroll the pane's history a line
	Top, Bottom      key.Binding // oldest history / back to live output
	Kill             key.Binding
	Unregister       key.Binding
	New              key.Binding
	Restart          key.Binding // restart in place: the same row, its output kept
	Stop             key.Binding // stop a run corral started; its row stays
	Start            key.Binding // start an ended run again in its row
	Zoom             key.Binding // the pane takes the whole window, and back
	KillShown        key.Binding // kill every live run the table shows
	Focus            key.Binding // type into the selected run
	Unfocus          key.Binding // leave focus (the only key not sent on)
	Cleanup          key.Binding
	Filter           key.Binding
	Adopt            key.Binding
	Raw              key.Binding // raw stream lines of an agent run
	Attention        key.Binding // the next run that needs you, or is idle
	History          key.Binding // the history view of past runs, and back
	Resume           key.Binding // resume an ended Claude session as a new run
	Delete           key.Binding // delete a past run from the history
	Help             key.Binding
	Quit             key.Binding
	Yes, No          key.Binding // answer a confirmation
	Submit, Cancel   key.Binding // forms, the adopt list and the filter
	NextField        key.Binding
	PrevField        key.Binding
	NextChoice       key.Binding // the agent chooser of the new-run form
	PrevChoice       key.Binding
	// Search and copy (issue 17).
	Search      key.Binding // the search line of the selected run's history
	SearchAll   key.Binding // search every run's history
	PrevMatch   key.Binding // in the search line: the match before (older)
	NextMatch   key.Binding // in the search line: the match after (newer)
	SearchRegex key.Binding // in the search line: regular expression or plain text
	Select      key.Binding // select lines of the pane to copy
	Copy        key.Binding // copy the selected lines
	CopyScreen  key.Binding // copy what the pane shows of the selected run
	Save        key.Binding // save the selected run's history to a file
	// Worktrees (issue 18).
	Diff     key.Binding // the diff of the selected run's worktree in the pane, and back
	NextFile key.Binding // in the diff: the next file
	PrevFile key.Binding // in the diff: the file before
}

// Action names a binding of KeyMap: Name is what the [keys] table of the
// configuration calls it.
type Action struct {
	Name    string
	Binding func(*KeyMap) *key.Binding
}

// Actions is the one table of the bindings' names: the configuration
// accepts exactly these, and every field of KeyMap has one.
var Actions = []Action{
	{"up", func(k *KeyMap) *key.Binding { return &k.Up }},
	{"down", func(k *KeyMap) *key.Binding { return &k.Down }},
	{"first", func(k *KeyMap) *key.Binding { return &k.First }},
	{"last", func(k *KeyMap) *key.Binding { return &k.Last }},
	{"page_up", func(k *KeyMap) *key.Binding { return &k.PageUp }},
	{"page_down", func(k *KeyMap) *key.Binding { return &k.PageDown }},
	{"line_up", func(k *KeyMap) *key.Binding { return &k.LineUp }},
	{"line_down", func(k *KeyMap) *key.Binding { return &k.LineDown }},
	{"top", func(k *KeyMap) *key.Binding { return &k.Top }},
	{"bottom", func(k *KeyMap) *key.Binding { return &k.Bottom }},
	{"kill", func(k *KeyMap) *key.Binding { return &k.Kill }},
	{"unregister", func(k *KeyMap) *key.Binding { return &k.Unregister }},
	{"new", func(k *KeyMap) *key.Binding { return &k.New }},
	{"restart", func(k *KeyMap) *key.Binding { return &k.Restart }},
	{"stop", func(k *KeyMap) *key.Binding { return &k.Stop }},
	{"start", func(k *KeyMap) *key.Binding { return &k.Start }},
	{"zoom", func(k *KeyMap) *key.Binding { return &k.Zoom }},
	{"kill_shown", func(k *KeyMap) *key.Binding { return &k.KillShown }},
	{"focus", func(k *KeyMap) *key.Binding { return &k.Focus }},
	{"unfocus", func(k *KeyMap) *key.Binding { return &k.Unfocus }},
	{"cleanup", func(k *KeyMap) *key.Binding { return &k.Cleanup }},
	{"filter", func(k *KeyMap) *key.Binding { return &k.Filter }},
	{"adopt", func(k *KeyMap) *key.Binding { return &k.Adopt }},
	{"raw", func(k *KeyMap) *key.Binding { return &k.Raw }},
	{"attention", func(k *KeyMap) *key.Binding { return &k.Attention }},
	{"history", func(k *KeyMap) *key.Binding { return &k.History }},
	{"resume", func(k *KeyMap) *key.Binding { return &k.Resume }},
	{"delete", func(k *KeyMap) *key.Binding { return &k.Delete }},
	{"help", func(k *KeyMap) *key.Binding { return &k.Help }},
	{"quit", func(k *KeyMap) *key.Binding { return &k.Quit }},
	{"yes", func(k *KeyMap) *key.Binding { return &k.Yes }},
	{"no", func(k *KeyMap) *key.Binding { return &k.No }},
	{"submit", func(k *KeyMap) *key.Binding { return &k.Submit }},
	{"cancel", func(k *KeyMap) *key.Binding { return &k.Cancel }},
	{"next_field", func(k *KeyMap) *key.Binding { return &k.NextField }},
	{"prev_field", func(k *KeyMap) *key.Binding { return &k.PrevField }},
	{"next_choice", func(k *KeyMap) *key.Binding { return &k.NextChoice }},
	{"prev_choice", func(k *KeyMap) *key.Binding { return &k.PrevChoice }},
	{"search", func(k *KeyMap) *key.Binding { return &k.Search }},
	{"search_all", func(k *KeyMap) *key.Binding { return &k.SearchAll }},
	{"prev_match", func(k *KeyMap) *key.Binding { return &k.PrevMatch }},
	{"next_match", func(k *KeyMap) *key.Binding { return &k.NextMatch }},
	{"search_regex", func(k *KeyMap) *key.Binding { return &k.SearchRegex }},
	{"select", func(k *KeyMap) *key.Binding { return &k.Select }},
	{"copy", func(k *KeyMap) *key.Binding { return &k.Copy }},
	{"copy_screen", func(k *KeyMap) *key.Binding { return &k.CopyScreen }},
	{"save", func(k *KeyMap) *key.Binding { return &k.Save }},
	{"diff", func(k *KeyMap) *key.Binding { return &k.Diff }},
	{"next_file", func(k *KeyMap) *key.Binding { return &k.NextFile }},
	{"prev_file", func(k *KeyMap) *key.Binding { return &k.PrevFile }},
}

// ActionNames returns the names of Actions, in order.
func ActionNames() []string {
	names := make([]string, len(Actions))
	for i, a := range Actions {
		names[i] = a.Name
	}
	return names
}

// Binding returns the binding the action name stands for, or nil when no
// action has that name.
func (k *KeyMap) Binding(name string) *key.Binding {
	for _, a := range Actions {
		if a.Name == name {
			return a.Binding(k)
		}
	}
	return nil
}

// Rebind gives b the keys and a help label naming them (KeyLabel),
// keeping what it does; no keys leave it unbound, out of the help too.
func Rebind(b *key.Binding, keys []string) {
	if len(keys) == 0 {
		b.Unbind()
		return
	}
	desc := b.Help().Desc
	b.SetKeys(keys...)
	b.SetHelp(KeyLabel(keys), desc)
}

// keySymbols are the short forms the help writes for some key names.
var keySymbols = map[string]string{"up": "↑", "down": "↓", "left": "←", "right": "→", "pgdown": "pgdn"}

// KeyLabel is how the help writes a binding's keys: "↑/k", "shift+↓".
func KeyLabel(keys []string) string {
	labels := make([]string, len(keys))
	for i, k := range keys {
		mods, base := "", k
		if len(k) > 1 {
			if j := strings.LastIndex(k[:len(k)-1], "+"); j >= 0 { // "ctrl++" is ctrl and +
				mods, base = k[:j+1], k[j+1:]
			}
		}
		if sym, ok := keySymbols[base]; ok {
			base = sym
		}
		labels[i] = mods + base
	}
	return strings.Join(labels, "/")
}

// DefaultKeyMap returns a new KeyMap with corral's default bindings.
func DefaultKeyMap() KeyMap {
	// b labels a binding with all its keys; l with the ones given, for
	// bindings whose other keys are aliases not worth the room.
	b := func(keys []string, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(KeyLabel(keys), desc))
	}
	l := func(keys []string, label []string, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(KeyLabel(label), desc))
	}
	return KeyMap{
		Up:         b([]string{"up"}, "up"),
		Down:       b([]string{"down"}, "down"),
		First:      b([]string{"g"}, "first run"),
		Last:       b([]string{"G"}, "last run"),
		PageUp:     b([]string{"pgup"}, "page up"),
		PageDown:   b([]string{"pgdown"}, "page down"),
		LineUp:     b([]string{"shift+up"}, "line up"),
		LineDown:   b([]string{"shift+down"}, "line down"),
		Top:        b([]string{"home"}, "oldest output"),
		Bottom:     b([]string{"end"}, "live output"),
		Kill:       b([]string{"k"}, "kill"),
		Unregister: b([]string{"u"}, "unregister"),
		New:        b([]string{"n"}, "new run"),
		Restart:    b([]string{"r"}, "restart"),
		Stop:       b([]string{"x"}, "stop"),
		Start:      b([]string{"s"}, "start"),
		Zoom:       b([]string{"z"}, "zoom"),
		KillShown:  b([]string{"ctrl+k"}, "kill shown"),
		Focus:      b([]string{"enter"}, "type into run"),
		Unfocus:    b([]string{"ctrl+]"}, "leave focus"),
		Cleanup:    b([]string{"c"}, "clean up ended"),
		Filter:     b([]string{"/"}, "filter"),
		Adopt:      b([]string{"a"}, "adopt"),
		Raw:        b([]string{"v"}, "raw/rendered"),
		Attention:  b([]string{"tab"}, "next waiting"),
		History:    b([]string{"H"}, "history"),
		Resume:     b([]string{"R"}, "resume session"),
		Delete:     b([]string{"d"}, "delete"),
		Help:       b([]string{"?"}, "help"),
		Quit:       l([]string{"q", "ctrl+c"}, []string{"q"}, "quit"),
		Yes:        l([]string{"y", "Y"}, []string{"y"}, "yes"),
		No:         l([]string{"n", "N", "esc"}, []string{"n"}, "no"),
		Submit:     b([]string{"enter"}, "confirm"),
		Cancel:     b([]string{"esc"}, "cancel"),
		NextField:  l([]string{"tab", "down"}, []string{"tab"}, "next field"),
		PrevField:  l([]string{"shift+tab", "up"}, []string{"shift+tab"}, "previous field"),
		NextChoice: b([]string{"right"}, "next agent"),
		PrevChoice: b([]string{"left"}, "previous agent"),
		// The newest match is found first: enter goes on back in time.
		Search:    b([]string{"ctrl+f"}, "search"),
		SearchAll: b([]string{"F"}, "search all runs"),
		PrevMatch: b([]string{"up", "enter"}, "older match"),
		// shift+enter, which the issue asks for too, reaches a program as
		// enter in most terminals (config refuses it): down only.
		NextMatch:   b([]string{"down"}, "newer match"),
		SearchRegex: b([]string{"ctrl+r"}, "regex/plain"),
		Select:      b([]string{"V"}, "select lines"),
		Copy:        b([]string{"y"}, "copy"),
		CopyScreen:  b([]string{"Y"}, "copy screen"),
		Save:        b([]string{"ctrl+s"}, "save output"),
		Diff:        b([]string{"d"}, "worktree diff"),
		NextFile:    b([]string{"]"}, "next file"),
		PrevFile:    b([]string{"["}, "previous file"),
	}
}

// ShortHelp is the one-line help of the main screen.
// The actions come first and help and quit before navigation, so that a
// narrow screen, which cuts the line short, still shows how to get help.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.New, k.Focus, k.Help, k.Quit, k.Stop, k.Start, k.Restart, k.Kill, k.Zoom, k.Attention,
		k.Diff, k.Filter, k.Unregister, k.Resume, k.History, k.KillShown, k.Up, k.Down}
}

// FullHelp is the help that the help key shows, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.First, k.Last, k.Help, k.Quit},
		{k.PageUp, k.PageDown, k.LineUp, k.LineDown, k.Top, k.Bottom},
		{k.New, k.Stop, k.Start, k.Restart, k.Kill, k.Unregister, k.Resume},
		{k.Cleanup, k.Adopt, k.History, k.Zoom, k.Raw, k.Diff},
		{k.Focus, k.Unfocus, k.Filter, k.Attention, k.KillShown},
		{k.Search, k.SearchAll, k.Select, k.CopyScreen, k.Save},
	}
}

// helpKeys adapts a fixed list of bindings to help.KeyMap.
type helpKeys []key.Binding

func (h helpKeys) ShortHelp() []key.Binding  { return h }
func (h helpKeys) FullHelp() [][]key.Binding { return [][]key.Binding{h} }

// hint is the key of b as the help writes it, for hints in sentences;
// "" when b has no key.
func hint(b key.Binding) string { return b.Help().Key }

// keyHint is a clause of a hint on screen: keys (keysOf) and what they do.
type keyHint struct{ keys, does string }

// hints writes clauses such as "k kills it, u drops it", leaving out those
// whose bindings have no key.
func hints(sep string, hs ...keyHint) string {
	var parts []string
	for _, h := range hs {
		if h.keys != "" {
			parts = append(parts, h.keys+" "+h.does)
		}
	}
	return strings.Join(parts, sep)
}

// keysOf writes the keys of bindings as the help does, "y/n", leaving out
// bindings without a key.
func keysOf(bs ...key.Binding) string {
	var ks []string
	for _, b := range bs {
		if h := hint(b); h != "" {
			ks = append(ks, h)
		}
	}
	return strings.Join(ks, "/")
}

// pressed reports whether msg is one of b's keys, enabled or not: a key
// whose action does not apply now still gets a word on why.
func pressed(msg interface{ String() string }, bs ...key.Binding) bool {
	for _, b := range bs {
		for _, k := range b.Keys() {
			if k == msg.String() {
				return true
			}
		}
	}
	return false
}

// updateKeyStates enables the bindings that act in the state the model is
// now in and disables the others, so that the help lists only what works.
// Update calls it after every message; it is the only place that does.
func (m *Model) updateKeyStates() {
	k := &m.keys
	sel, hasSel := m.selectedRun()
	normal := m.mode == modeNormal && !m.quitting
	runs := len(m.visibleRuns())
	ended := false
	for _, r := range m.runs {
		ended = ended || !r.Status.Live()
	}
	hasOutput := normal && hasSel && m.paneOutput() != nil
	hist := m.mode == modeHistory && !m.quitting
	pastRuns := 0
	past, hasPast := PastRun{}, false
	if hist {
		pastRuns = len(m.visiblePast())
		past, hasPast = m.selectedPast()
	}
	logOpen := hist && m.past.logRun != 0
	logBack := logOpen && m.past.scroll > 0
	pastNav := hist && pastRuns > 1
	nav := normal && runs > 1 || m.mode == modeAdopt || pastNav // the adopt list moves with up and down too
	_, hasWorktree := m.worktreeOf(sel.RunID)
	diff := m.mode == modeDiff && len(m.diff.rows) > 0
	diffUp, diffDown := diff && m.diff.top > 0, diff && m.diff.top+m.layout.paneH < len(m.diff.rows)

	for _, s := range []struct {
		b  *key.Binding
		on bool
	}{
		{&k.Up, nav || diffUp}, {&k.Down, nav || diffDown},
		{&k.First, normal && runs > 1 || pastNav}, {&k.Last, normal && runs > 1 || pastNav},
		// In the history the page keys move in the list, or scroll its
		// log once one is open.
		{&k.PageUp, hasOutput || logOpen || pastNav || diffUp}, {&k.LineUp, hasOutput || logOpen || diffUp},
		{&k.Top, hasOutput || logOpen || pastNav || diffUp},
		{&k.PageDown, hasOutput && m.scroll > 0 || logBack || pastNav && !logOpen || diffDown},
		{&k.LineDown, hasOutput && m.scroll > 0 || logBack || diffDown},
		{&k.Bottom, hasOutput && m.scroll > 0 || logBack || pastNav && !logOpen || diffDown},
		// An ended run is killed only for what it left running.
		{&k.Kill, normal && hasSel && (sel.Status.Live() || sel.Leftover > 0)},
		{&k.Unregister, normal && hasSel},
		{&k.Restart, normal && hasSel || hasPast && restartable(past)},
		{&k.Stop, normal && hasSel && sel.Status.Live() && m.ours(sel.RunID)},
		{&k.Start, normal && hasSel && !sel.Status.Live() && m.ours(sel.RunID)},
		{&k.Zoom, normal && (hasSel || m.zoomed)},
		{&k.KillShown, normal && len(m.killable()) > 0},
		{&k.Resume, normal && hasSel && resumable(sel.Kind, sel.SessionID, sel.Status.Live()) ||
			hasPast && resumable(past.Kind, past.SessionID, false)},
		{&k.Delete, hasPast},
		{&k.Submit, m.mode != modeHistory || hasPast},
		{&k.History, (normal || hist) && m.history != nil},
		{&k.Cancel, m.mode != modeNormal || m.banner() != "" || m.showHelp || m.filter.Value() != ""},
		{&k.Focus, normal && hasSel && sel.Status.Live() && m.launch.Screen(sel.RunID) != nil},
		{&k.Raw, normal && hasSel},
		{&k.Cleanup, normal && ended},
		{&k.Attention, normal && m.anyWaiting()},
		{&k.New, normal}, {&k.Filter, normal || hist}, {&k.Adopt, normal}, {&k.Help, normal || hist},
		{&k.NextChoice, m.mode == modeForm && m.form.chooses() || m.mode == modeWorktreeAsk},
		{&k.PrevChoice, m.mode == modeForm && m.form.chooses() || m.mode == modeWorktreeAsk},
		{&k.Diff, normal && hasSel && hasWorktree || m.mode == modeDiff},
		{&k.NextFile, m.mode == modeDiff && len(m.diff.starts) > 1},
		{&k.PrevFile, m.mode == modeDiff && len(m.diff.starts) > 1},
	} {
		s.b.SetEnabled(s.on)
	}
	m.updateTakeKeys(normal, hasSel) // search, copy and save (search.go)
}
