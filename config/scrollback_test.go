package config

import (
	"testing"

	"corral/registry"
)

// scrollback_bytes caps each run's history besides scrollback_lines: bounded
// like the other numeric settings, refused at its line, and the registry's
// default when absent or 0.
func TestScrollbackBytes(t *testing.T) {
	const bound = "settings.scrollback_bytes: must be between 65536 (64 KiB) and 1073741824 (1 GiB)"
	for _, value := range []string{"65535", "1073741825", "-1", "9999999999999", "1", "8192"} {
		wantError(t, "# corral\n[settings]\nscrollback_bytes = "+value+"\n", 3, bound)
	}
	wantError(t, "[settings]\nscrollback_bytes = \"8MB\"\n", 2, "scrollback_bytes") // TOML's own type error
	for text, want := range map[string]int{
		"":                                     registry.DefaultOutputBytes,
		"scrollback_bytes = 0":                 registry.DefaultOutputBytes,
		"scrollback_bytes = 65536":             65536,
		"scrollback_bytes = 1073741824":        1 << 30,
		"scrollback_bytes = 16_777_216":        16 << 20,
		"scrollback_lines = 5\nkill_grace = 1": registry.DefaultOutputBytes,
	} {
		if got := mustParse(t, "[settings]\n"+text+"\n").Settings.ScrollbackBytes; got != want {
			t.Errorf("%q: scrollback_bytes = %d, want %d", text, got, want)
		}
	}
	if got := Default().Settings.ScrollbackBytes; got != registry.DefaultOutputBytes {
		t.Errorf("default.toml: scrollback_bytes = %d, want registry.DefaultOutputBytes %d", got, registry.DefaultOutputBytes)
	}
}
