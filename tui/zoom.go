package tui

import (
	tea "charm.land/bubbletea/v2"
)

// toggleZoom gives the pane the whole window, below the header line and
// above the status and help lines, or gives the table back; the runs'
// terminals follow the pane's new size.
func (m *Model) toggleZoom() tea.Cmd {
	if !m.zoomed && m.layout.paneH <= 0 {
		m.setStatus("no pane to zoom here")
		return nil
	}
	m.zoomed = !m.zoomed
	m.relayout()
	m.ensureVisible()
	m.refreshPane()
	if m.zoomed {
		s := "zoomed"
		if h := keysOf(m.keys.Zoom); h != "" {
			s += ": " + h + " shows the table again"
		}
		m.setStatus(s)
	} else {
		m.setStatus("")
	}
	return m.resizeAll()
}

// zoomActive reports whether the layout zooms the pane: zoomed, unless
// the history view, which has its own pane, is open.
func (m *Model) zoomActive() bool { return m.zoomed && !m.past.open }

// zoomLayout is the layout of a zoomed pane: the header line, no table,
// the pane's title and body, then the status and help lines of l.
func (m *Model) zoomLayout(l layout) layout {
	l.banner, l.tableY, l.tableH = "", 1, 0
	avail := m.height - 1 - len(l.status) - len(l.help)
	if avail < 2 { // a pane needs its title and one line
		l.paneY, l.paneH = m.height, 0
		return l
	}
	l.paneY, l.paneH = 2, avail-1
	return l
}

// zoomMarker is the pane title's mark of a zoomed pane, or "".
func (m *Model) zoomMarker() string {
	if !m.zoomActive() {
		return ""
	}
	s := " zoomed "
	if h := keysOf(m.keys.Zoom); h != "" {
		s += "· " + h + " back "
	}
	return m.theme.Marker.Render(s)
}
