package tui

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// The golden files hold View() without colours at fixed sizes; regenerate
// them with: go test ./tui -run TestGolden -update
func TestGolden(t *testing.T) {
	states := []struct {
		name string
		keys []string
	}{
		{"table", nil},
		{"confirm-kill", []string{"k"}},
		{"form", []string{"n"}},
		{"help", []string{"?"}},
		{"focus", []string{"enter"}},
		{"filter", []string{"/", "c", "l", "a"}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, st := range states {
			t.Run(fmt.Sprintf("%s-%dx%d", st.name, size[0], size[1]), func(t *testing.T) {
				m, _, _ := newTestModel(t, size[0], size[1])
				for _, k := range st.keys {
					press(m, k)
				}
				golden.RequireEqual(t, screenText(m))
			})
		}
	}
}

func TestGoldenScrolledHistory(t *testing.T) {
	m, reg, _ := newTestModel(t, 80, 24)
	out := reg.outputs[1000000]
	for i := range 100 {
		fmt.Fprintf(out, "history line %d\twith a tab\n", i)
	}
	press(m, "pgup")
	golden.RequireEqual(t, screenText(m))
}

func TestNoColorThemeHasNoColours(t *testing.T) {
	m, _, _ := newTestModel(t, 120, 40)
	m.theme = NewTheme(Palette{}, true)
	m.help.Styles = m.theme.Help
	m.relayout() // the layout keeps the help it rendered
	for _, keys := range [][]string{nil, {"?"}, {"?", "k"}} {
		press(m, keys...)
		for _, sgr := range sgrRE.FindAllStringSubmatch(m.Render(), -1) {
			for _, p := range strings.Split(sgr[1], ";") {
				if n, err := strconv.Atoi(p); err == nil && (n >= 30 && n <= 49 || n >= 90 && n <= 107) {
					t.Fatalf("colour parameter %d in %q with NO_COLOR", n, sgr[0])
				}
			}
		}
	}
}

var sgrRE = regexp.MustCompile("\x1b\\[([0-9;:]*)m")

func TestLinesUpCountsInWords(t *testing.T) {
	for n, want := range map[int]string{1: " 1 line up ", 2: " 2 lines up ", 10000: " 10000 lines up "} {
		if got := linesUp(n); got != want {
			t.Errorf("linesUp(%d) = %q, want %q", n, got, want)
		}
	}
}
