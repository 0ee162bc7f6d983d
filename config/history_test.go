package config

import (
	"testing"
	"time"
)

// The run history's settings: on by default with its limits, each limit
// checked at its line.
func TestHistorySettings(t *testing.T) {
	d := mustParse(t, "[settings]\n").Settings
	if !d.HistoryOn() || d.HistoryLogCap != DefaultHistoryLogCap || d.HistoryTotalCap != DefaultHistoryTotalCap ||
		d.HistoryMaxAge.Duration != DefaultHistoryMaxAge {
		t.Fatalf("defaults %+v", d)
	}
	s := mustParse(t, "[settings]\nhistory = false\nhistory_log_cap = 1048576\nhistory_total_cap = 2097152\nhistory_max_age = \"48h\"\n").Settings
	if s.HistoryOn() || s.HistoryLogCap != 1<<20 || s.HistoryTotalCap != 2<<20 || s.HistoryMaxAge.Duration != 48*time.Hour {
		t.Fatalf("set %+v", s)
	}
	wantError(t, "[settings]\nhistory_log_cap = 1000\n", 2, "settings.history_log_cap: must be between 1048576 (1 MiB)")
	wantError(t, "[settings]\n\nhistory_total_cap = -5\n", 3, "settings.history_total_cap: must be between")
	wantError(t, "[settings]\nhistory_max_age = \"10m\"\n", 2, "settings.history_max_age: must be between 1h and 87600h")
	wantError(t, "[settings]\nhistory = \"yes\"\n", 2, "settings.history")
	if Default().Settings.HistoryOn() != true {
		t.Fatal("the default configuration has no history")
	}
}
