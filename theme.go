package main

import (
	"os"

	"corral/tui"

	"charm.land/lipgloss/v2"
)

// defaultPalette is corral's palette: readable on dark and light terminals.
func defaultPalette() tui.Palette {
	return tui.Palette{
		Accent:  lipgloss.Color("#7D56F4"),
		Subtle:  lipgloss.Color("245"),
		Running: lipgloss.Color("#3FB950"),
		Exited:  lipgloss.Color("250"),
		Failed:  lipgloss.Color("#F85149"),
		Killed:  lipgloss.Color("#D29922"),
		Warn:    lipgloss.Color("#E3B341"),
		Text:    lipgloss.Color("#FFFFFF"),
		// A run that needs you stands out from everything else on screen.
		Attention: lipgloss.Color("#FF7B00"),
		Working:   lipgloss.Color("#58A6FF"),
		Idle:      lipgloss.Color("#39C5CF"),
	}
}

// theme builds the styles from the default palette with the user's [theme]
// overrides (their values checked when the config loaded, their names by
// checkKeys against tui.PaletteSlots). NO_COLOR turns colour off.
func theme(overrides map[string]string) tui.Theme {
	p := defaultPalette()
	for name, value := range overrides {
		if slot := p.Slot(name); slot != nil { // checkKeys refused any other name
			*slot = lipgloss.Color(value)
		}
	}
	return tui.NewTheme(p, os.Getenv("NO_COLOR") != "")
}
