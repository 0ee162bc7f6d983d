package tui

import (
	"image/color"

	tea "charm.land/bubbletea/v2"
)

// HostColors is implemented by a Launcher whose runs may ask the terminal
// for its colours (OSC 10/11): the model asks its own terminal at start and
// passes the answers on.
type HostColors interface {
	// SetHostColors records the outer terminal's default colours; a nil
	// colour is left as it was.
	SetHostColors(fg, bg color.Color)
}

// requestHostColors asks the outer terminal for its default colours.
func requestHostColors() tea.Cmd {
	return tea.Batch(tea.RequestForegroundColor, tea.RequestBackgroundColor)
}

// onHostColor passes a colour the outer terminal reported on to the
// launcher, when it takes them.
func (m *Model) onHostColor(msg tea.Msg) {
	h, ok := m.launch.(HostColors)
	if !ok {
		return
	}
	switch c := msg.(type) {
	case tea.ForegroundColorMsg:
		h.SetHostColors(c.Color, nil)
	case tea.BackgroundColorMsg:
		h.SetHostColors(nil, c.Color)
	}
}
