package tui

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// An empty one-line input shows its whole placeholder, and a value shows
// without padding.
func TestLineViewShowsTheWholePlaceholder(t *testing.T) {
	in := lineInput("find: ", "text in the output")
	if got := ansi.Strip(lineView(in, lipgloss.NewStyle())); !strings.HasSuffix(strings.TrimRight(got, " "), "text in the output") {
		t.Fatalf("empty input %q", got)
	}
	var f textinput.Model = textinput.New()
	f.Prompt, f.Placeholder = "/", "filter runs"
	f.SetValue("npm")
	if got := ansi.Strip(lineView(f, lipgloss.NewStyle())); strings.Contains(got, "filter runs") || !strings.HasPrefix(got, "/npm") {
		t.Fatalf("with a value %q", got)
	}
}
