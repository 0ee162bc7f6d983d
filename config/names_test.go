package config

import (
	"errors"
	"strings"
	"testing"
)

// Names the interface does not know are refused at their line, with the
// names it does know.
func TestCheckNamesRefusesUnknownActionsAndColours(t *testing.T) {
	actions, colours := []string{"kill", "quit"}, []string{"accent", "warn"}
	for _, tt := range []struct {
		name, text string
		line       int
		want       string
	}{
		{"action", "[keys]\nkill = \"K\"\nkil = \"x\"\n", 3, "keys.kil: unknown action (one of kill, quit)"},
		{"colour", "[theme]\naccent = \"1\"\n\nwarning = \"2\"\n", 4, "theme.warning: unknown colour (one of accent, warn)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parse("/etc/corral.toml", tt.text)
			if err != nil {
				t.Fatal(err)
			}
			err = c.CheckNames(actions, colours)
			var ce *Error
			if !errors.As(err, &ce) || ce.Line != tt.line || !strings.HasPrefix(err.Error(), "/etc/corral.toml:") ||
				!strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want line %d and %q", err, tt.line, tt.want)
			}
		})
	}
	c, err := parse("/etc/corral.toml", "[keys]\nquit = \"Q\"\n[theme]\nwarn = \"3\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckNames(actions, colours); err != nil {
		t.Fatalf("known names refused: %v", err)
	}
}

// Yes, submit and cancel are remappable but, like quit and unfocus, need a
// key: without one a confirmation or a form could never be left or used.
func TestActionsThatNeedAKey(t *testing.T) {
	for _, name := range []string{"quit", "unfocus", "yes", "submit", "cancel"} {
		_, err := parse("c.toml", "[keys]\n"+name+" = []\n")
		if err == nil || !strings.Contains(err.Error(), "keys."+name+": needs a key") {
			t.Errorf("%s = []: %v", name, err)
		}
	}
	for _, name := range []string{"no", "kill", "next_field"} {
		if _, err := parse("c.toml", "[keys]\n"+name+" = []\n"); err != nil {
			t.Errorf("%s = []: %v", name, err)
		}
	}
}
