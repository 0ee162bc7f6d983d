package cmdname

import (
	"slices"
	"testing"

	"mvdan.cc/sh/v3/shell"
)

// Line quotes only what needs it, and a shell splits it back into the
// same words.
func TestLineSplitsBack(t *testing.T) {
	for _, c := range []struct {
		argv []string
		want string
	}{
		{[]string{"npm", "run", "dev"}, "npm run dev"},
		{[]string{"sh", "-c", "cd /tmp && ls"}, `sh -c 'cd /tmp && ls'`},
		{[]string{"echo", "it's", ""}, `echo 'it'\''s' ''`},
		{[]string{"printf", "%s\n", "$HOME"}, `printf '%s` + "\n" + `' '$HOME'`},
	} {
		got := Line(c.argv)
		if got != c.want {
			t.Errorf("Line(%q) = %q, want %q", c.argv, got, c.want)
		}
		back, err := shell.Fields(got, func(string) string { return "" })
		if err != nil || !slices.Equal(back, c.argv) {
			t.Errorf("%q splits into %q (%v)", got, back, err)
		}
	}
}
