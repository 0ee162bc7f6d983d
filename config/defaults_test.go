package config

import (
	"testing"

	"corral/registry"
)

// The defaults are the registry's (one place); the default configuration
// file documents the same values, and an empty file gets them.
func TestDefaultsAreTheRegistrys(t *testing.T) {
	for name, c := range map[string]*Config{"default.toml": Default(), "empty file": mustParse(t, "")} {
		if got := c.Settings.ScrollbackLines; got != registry.DefaultOutputLines {
			t.Errorf("%s: scrollback_lines = %d, want registry.DefaultOutputLines %d", name, got, registry.DefaultOutputLines)
		}
		if got := c.Settings.KillGrace.Duration; got != registry.DefaultGracePeriod {
			t.Errorf("%s: kill_grace = %v, want registry.DefaultGracePeriod %v", name, got, registry.DefaultGracePeriod)
		}
	}
}
