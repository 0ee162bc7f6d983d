package tui

import (
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Every field of KeyMap has exactly one action name and every field of
// Palette exactly one slot name, so the tables the configuration is checked
// against cover all there is to set.
func TestNameTablesCoverKeyMapAndPalette(t *testing.T) {
	var km KeyMap
	fields := map[uintptr]string{}
	v := reflect.ValueOf(&km).Elem()
	for i := range v.NumField() {
		fields[v.Field(i).Addr().Pointer()] = v.Type().Field(i).Name
	}
	named := map[string]string{}
	for _, a := range Actions {
		p := reflect.ValueOf(a.Binding(&km)).Pointer()
		f, ok := fields[p]
		if !ok {
			t.Fatalf("action %q is no field of KeyMap", a.Name)
		}
		if prev, dup := named[f]; dup {
			t.Fatalf("KeyMap.%s is named both %q and %q", f, prev, a.Name)
		}
		named[f] = a.Name
		if km.Binding(a.Name) != a.Binding(&km) {
			t.Fatalf("Binding(%q) is not its action's field", a.Name)
		}
	}
	for _, f := range fields {
		if _, ok := named[f]; !ok {
			t.Errorf("KeyMap.%s has no action name", f)
		}
	}
	if len(named) != len(Actions) || km.Binding("kil") != nil {
		t.Errorf("%d actions for %d fields; Binding(\"kil\") = %v", len(Actions), len(named), km.Binding("kil"))
	}

	var p Palette
	pv := reflect.ValueOf(&p).Elem()
	colours := map[uintptr]string{}
	for i := range pv.NumField() {
		colours[pv.Field(i).Addr().Pointer()] = pv.Type().Field(i).Name
	}
	slotted := map[string]string{}
	for _, s := range PaletteSlots {
		f, ok := colours[reflect.ValueOf(s.Colour(&p)).Pointer()]
		if !ok {
			t.Fatalf("slot %q is no field of Palette", s.Name)
		}
		if prev, dup := slotted[f]; dup {
			t.Fatalf("Palette.%s is named both %q and %q", f, prev, s.Name)
		}
		slotted[f] = s.Name
		if p.Slot(s.Name) != s.Colour(&p) {
			t.Fatalf("Slot(%q) is not its field", s.Name)
		}
	}
	for _, f := range colours {
		if _, ok := slotted[f]; !ok {
			t.Errorf("Palette.%s has no slot name", f)
		}
	}
	if p.Slot("purple") != nil {
		t.Error("Slot of an unknown name")
	}
}

// Each default binding's label names its own keys, so remapping one
// binding cannot make another's label wrong: the label's keys are all
// keys of the binding.
func TestDefaultLabelsNameOnlyTheirOwnKeys(t *testing.T) {
	km := DefaultKeyMap()
	for _, a := range Actions {
		b := a.Binding(&km)
		ok := false
		for n := 1; n <= len(b.Keys()); n++ {
			ok = ok || b.Help().Key == KeyLabel(b.Keys()[:n])
		}
		if !ok {
			t.Errorf("%s: label %q is not a label of its keys %v", a.Name, b.Help().Key, b.Keys())
		}
	}
	if got := KeyLabel([]string{"up", "k", "shift+down", "pgdown", "pgup", "ctrl++", "+"}); got != "↑/k/shift+↓/pgdn/pgup/ctrl++/+" {
		t.Errorf("KeyLabel: %q", got)
	}
}

// remapped is the KeyMap a [keys] table with these entries gives (the
// binary's keyMap does exactly this).
func remapped(overrides map[string][]string) KeyMap {
	km := DefaultKeyMap()
	for name, keys := range overrides {
		Rebind(km.Binding(name), keys)
	}
	return km
}

// With kill = ["K"] (the README's example) every hint and the help say K,
// and k does nothing; remapped answers show in the confirmation, and the
// other hints follow their bindings too.
func TestHintsFollowTheBindingsInForce(t *testing.T) {
	km := remapped(map[string][]string{"kill": {"K"}, "yes": {"o"}, "no": {"x"}, "unregister": {"U"},
		"new": {"N"}, "adopt": {"A"}, "bottom": {"ctrl+e"}, "filter": {"f"}, "cancel": {"ctrl+g"},
		"submit": {"ctrl+s"}, "next_field": {"ctrl+n"}, "prev_field": {"ctrl+p"}, "up": {"ctrl+k"}, "down": {"ctrl+j"},
		"kill_shown": {"ctrl+x"}})
	reg := newFakeReg(sampleRuns()...)
	l := newFakeLauncher()
	for _, r := range reg.runs {
		if r.HasHandle {
			l.screens[r.RunID] = &fakeScreen{text: "$ screen"}
		}
	}
	m := New(reg, l, Options{Keys: km, Theme: plainTheme(), Now: func() time.Time { return epoch }})
	update(m, tea.WindowSizeMsg{Width: 160, Height: 40})
	mustShow := func(what string, want ...string) {
		t.Helper()
		s := screenText(m)
		for _, w := range want {
			if !strings.Contains(s, w) {
				t.Fatalf("%s: no %q in\n%s", what, w, s)
			}
		}
		for _, stale := range []string{"k kill", "(y/n)", "press n", "u drops", "(end)", "esc in /", "enter starts", "esc cancels"} {
			if strings.Contains(s, stale) {
				t.Fatalf("%s: %q, a default key, in\n%s", what, stale, s)
			}
		}
	}
	mustShow("short help", "K kill", "U unregister", "N new run", "ctrl+k up", "ctrl+j down")
	press(m, "?")
	mustShow("full help", "K kill", "A adopt", "f      filter")
	press(m, "?")

	press(m, "k")
	if m.mode != modeNormal || len(reg.killed) != 0 || m.confirm.question != "" {
		t.Fatalf("k acted: mode %v, question %q", m.mode, m.confirm.question)
	}
	press(m, "K")
	if m.mode != modeConfirm {
		t.Fatal("K asked nothing")
	}
	mustShow("confirmation", "Kill run 1000000", "(o/x)", "o yes", "x no")
	press(m, "y", "n")
	if m.mode != modeConfirm {
		t.Fatal("y or n answered a confirmation whose keys are o and x")
	}
	feed(m, press(m, "o"))
	if len(reg.killed) != 1 {
		t.Fatalf("o did not confirm: killed %v", reg.killed)
	}

	// An adopted process, with no output to show.
	update(m, keyMsg("ctrl+j"))
	press(m, "ctrl+j", "ctrl+j", "ctrl+j")
	if m.selected != 1000004 {
		t.Fatalf("ctrl+j moved to %d", m.selected)
	}
	mustShow("adopted pane", "K kills it, U drops it.")

	// Scrolled back while output arrives.
	update(m, keyMsg("ctrl+k"))
	update(m, keyMsg("ctrl+k"))
	update(m, keyMsg("ctrl+k"))
	update(m, keyMsg("ctrl+k"))
	out := reg.outputs[m.selected]
	for range 100 {
		out.Write([]byte("line\n"))
	}
	press(m, "pgup")
	out.Write([]byte("more\n"))
	update(m, outputMsg{id: m.selected})
	mustShow("scrolled pane", "new output (ctrl+e)")
	update(m, tea.KeyPressMsg{Code: 'e', Mod: tea.ModCtrl})
	if m.scroll != 0 {
		t.Fatalf("ctrl+e left the pane %d lines up", m.scroll)
	}

	press(m, "N")
	mustShow("form", "ctrl+s starts", "ctrl+n/ctrl+p move", "ctrl+g cancels", "ctrl+s confirm")
	update(m, tea.KeyPressMsg{Code: 'g', Mod: tea.ModCtrl})
	press(m, "f")
	typeText(m, "zzz")
	update(m, tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	mustShow("filter", "no run matches the filter (ctrl+g in f clears it)")
}

// The help lists only what works now: nothing about the selection with no
// run, no kill for a run that ended without leftovers, no focus for a run
// that takes no input, no way down before scrolling up.
func TestHelpShowsOnlyWhatWorksNow(t *testing.T) {
	m := New(newFakeReg(), newFakeLauncher(), Options{Keys: DefaultKeyMap(), Theme: plainTheme()})
	update(m, tea.WindowSizeMsg{Width: 200, Height: 40})
	press(m, "?")
	full := screenText(m)
	for _, gone := range []string{"kill", "unregister", "restart", "type into run", "first run", "page up", "clean up"} {
		if strings.Contains(full, gone) {
			t.Errorf("no runs, yet the help has %q:\n%s", gone, full)
		}
	}
	for _, there := range []string{"n new run", "a adopt", "q quit", "ctrl+] leave focus"} {
		if !strings.Contains(full, there) {
			t.Errorf("no runs: the help lacks %q:\n%s", there, full)
		}
	}

	m, _, _ = newTestModel(t, 200, 40)
	has := func(b string) bool {
		return strings.Contains(" "+stripANSI(m.help.ShortHelpView(m.keys.ShortHelp())), " "+b)
	}
	if !has("k kill") || !has("enter type into run") {
		t.Fatalf("a running run: %s", m.help.ShortHelpView(m.keys.ShortHelp()))
	}
	press(m, "G") // killed, adopted: nothing left, no screen
	if has("k kill") || has("enter type into run") || !has("u unregister") {
		t.Fatalf("an ended run: %s", m.help.ShortHelpView(m.keys.ShortHelp()))
	}
	press(m, "k")
	if m.mode != modeNormal || !strings.Contains(m.status, "already ended") {
		t.Fatalf("k on an ended run: mode %v, status %q", m.mode, m.status)
	}
	if full := stripANSI(m.help.FullHelpView(m.keys.FullHelp())); strings.Contains(full, "live output") ||
		!strings.Contains(full, "oldest output") {
		t.Fatalf("end offered while following the live output, or home not offered:\n%s", full)
	}
}
