package cmdname

import "testing"

// A line wrapped in $SHELL -c shows as typed; any other argv as Line
// writes it, and a line Line wrote reads back the same.
func TestTyped(t *testing.T) {
	for _, c := range []struct {
		argv []string
		want string
	}{
		{[]string{"/bin/bash", "-c", "cd /tmp && ls"}, "cd /tmp && ls"},
		{[]string{"/usr/bin/zsh", "-c", "echo 'it' | wc -l\ndate"}, "echo 'it' | wc -l\ndate"},
		{[]string{"sh", "-c", "cd /tmp && ls"}, `sh -c 'cd /tmp && ls'`}, // typed so
		{[]string{"/bin/bash", "-lc", "ls"}, "/bin/bash -lc ls"},
		{[]string{"/bin/bash", "-c", "ls", "arg0"}, "/bin/bash -c ls arg0"},
		{[]string{"/usr/bin/python3", "-c", "print(1)"}, `/usr/bin/python3 -c 'print(1)'`},
		{[]string{"npm", "run", "dev"}, "npm run dev"},
		{nil, ""},
	} {
		if got := Typed(c.argv); got != c.want {
			t.Errorf("Typed(%q) = %q, want %q", c.argv, got, c.want)
		}
		if got := TypedLine(Line(c.argv)); got != c.want {
			t.Errorf("TypedLine(%q) = %q, want %q", Line(c.argv), got, c.want)
		}
	}
	for _, line := range []string{"/bin/sh -c ls; date", `/bin/sh -c "ls"`, "ls -l"} {
		if got := TypedLine(line); got != line {
			t.Errorf("TypedLine(%q) = %q, want it unchanged", line, got)
		}
	}
}
