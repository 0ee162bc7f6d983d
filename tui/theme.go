package tui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Palette is the small set of semantic colours every style is built from.
// A nil colour means the terminal's default.
type Palette struct {
	Accent  color.Color // titles, the selection, keys
	Subtle  color.Color // borders, help, secondary text
	Running color.Color
	Exited  color.Color
	Failed  color.Color
	Killed  color.Color
	Warn    color.Color // stopping, confirmations
	Text    color.Color // text on the selection bar
	// Agent states: a run that needs you, one at work, one idle at its
	// prompt (a failed turn takes Failed, a busy command Running).
	Attention color.Color
	Working   color.Color
	Idle      color.Color
}

// PaletteSlot names a colour of Palette: Name is what the [theme] table of
// the configuration calls it.
type PaletteSlot struct {
	Name   string
	Colour func(*Palette) *color.Color
}

// PaletteSlots is the one table of the colours' names: the configuration
// accepts exactly these, and every field of Palette has one.
var PaletteSlots = []PaletteSlot{
	{"accent", func(p *Palette) *color.Color { return &p.Accent }},
	{"subtle", func(p *Palette) *color.Color { return &p.Subtle }},
	{"running", func(p *Palette) *color.Color { return &p.Running }},
	{"exited", func(p *Palette) *color.Color { return &p.Exited }},
	{"failed", func(p *Palette) *color.Color { return &p.Failed }},
	{"killed", func(p *Palette) *color.Color { return &p.Killed }},
	{"warn", func(p *Palette) *color.Color { return &p.Warn }},
	{"text", func(p *Palette) *color.Color { return &p.Text }},
	{"attention", func(p *Palette) *color.Color { return &p.Attention }},
	{"working", func(p *Palette) *color.Color { return &p.Working }},
	{"idle", func(p *Palette) *color.Color { return &p.Idle }},
}

// PaletteSlotNames returns the names of PaletteSlots, in order.
func PaletteSlotNames() []string {
	names := make([]string, len(PaletteSlots))
	for i, s := range PaletteSlots {
		names[i] = s.Name
	}
	return names
}

// Slot returns the colour the slot name stands for, or nil when no slot
// has that name.
func (p *Palette) Slot(name string) *color.Color {
	for _, s := range PaletteSlots {
		if s.Name == name {
			return s.Colour(p)
		}
	}
	return nil
}

// Theme holds every style the views use, built once from a Palette.
type Theme struct {
	Title, Header, Subtle, Status, Error, Warn lipgloss.Style
	TableHeader, Row, Selected, Cell           lipgloss.Style
	Running, Stopping, Exited, Failed, Killed  lipgloss.Style
	PaneTitle, PaneBorder, Marker              lipgloss.Style
	FormLabel, FormActive, FormError, FormHint lipgloss.Style
	Focused                                    lipgloss.Style
	Attention, Working, Idle                   lipgloss.Style // agent states
	// Search and copy: a match in the pane, the current one, and lines
	// selected to copy.
	Match, CurrentMatch, Selection lipgloss.Style
	Help                           help.Styles
}

// NewTheme builds the styles from a palette. With noColor, styles keep
// their emphasis (bold, reverse) but carry no colour.
func NewTheme(p Palette, noColor bool) Theme {
	fg := func(c color.Color) lipgloss.Style {
		s := lipgloss.NewStyle()
		if !noColor && c != nil {
			s = s.Foreground(c)
		}
		return s
	}
	selected := lipgloss.NewStyle().Reverse(true)
	if !noColor && p.Accent != nil {
		selected = lipgloss.NewStyle().Background(p.Accent)
		if p.Text != nil {
			selected = selected.Foreground(p.Text)
		}
	}
	t := Theme{
		Title:       fg(p.Accent).Bold(true),
		Header:      fg(nil),
		Subtle:      fg(p.Subtle),
		Status:      fg(nil),
		Error:       fg(p.Failed).Bold(true),
		Warn:        fg(p.Warn).Bold(true),
		TableHeader: fg(p.Subtle).Bold(true),
		Row:         fg(nil),
		Selected:    selected,
		Cell:        fg(nil),
		Running:     fg(p.Running),
		Stopping:    fg(p.Warn).Bold(true),
		Exited:      fg(p.Exited),
		Failed:      fg(p.Failed).Bold(true),
		Killed:      fg(p.Killed),
		PaneTitle:   fg(p.Accent).Bold(true),
		PaneBorder:  fg(p.Subtle),
		Marker:      fg(p.Warn).Bold(true),
		FormLabel:   fg(p.Subtle),
		FormActive:  fg(p.Accent).Bold(true),
		FormError:   fg(p.Failed),
		FormHint:    fg(p.Subtle).Italic(true),
		Focused:     fg(p.Warn).Bold(true),
		Attention:   fg(p.Attention).Bold(true),
		Working:     fg(p.Working),
		Idle:        fg(p.Idle),
		// Reversed, so that the colour marks the cell, not the letters; the
		// current match also bold, and without colour still told apart.
		Match:        fg(p.Warn).Reverse(true),
		CurrentMatch: fg(p.Accent).Reverse(true).Bold(true),
		Selection:    fg(p.Subtle).Reverse(true),
	}
	t.Help = help.Styles{
		ShortKey: fg(p.Accent), ShortDesc: fg(p.Subtle), ShortSeparator: fg(p.Subtle),
		FullKey: fg(p.Accent), FullDesc: fg(p.Subtle), FullSeparator: fg(p.Subtle), Ellipsis: fg(p.Subtle),
	}
	return t
}
