package registry

import (
	"testing"
)

// Every String method of the registry's enums names every value, in range
// or not, without panicking.
func TestEnumStringsAreTotal(t *testing.T) {
	for _, c := range []struct {
		v    interface{ String() string }
		want string
	}{
		{EventRegistered, "registered"},
		{EventUpdated, "updated"},
		{EventRestarted, "restarted"},
		{EventWarning, "warning"},
		{EventKind(42), "EventKind(42)"},
		{EventKind(-1), "EventKind(-1)"},
		{KindSidecar, "sidecar"},
		{Kind(9), "Kind(9)"},
		{Kind(-1), "Kind(-1)"},
		{StatusKilled, "killed"},
		{StatusNotStarted, "not started"},
		{Status(9), "Status(9)"},
		{Status(-1), "Status(-1)"},
		{Exit{Code: -1, Signal: 15}, "SIGTERM"},
		{Exit{Code: -1, Signal: 99}, "signal 99"},
		{Exit{Code: -1}, "?"},
	} {
		if got := c.v.String(); got != c.want {
			t.Errorf("%#v: %q, want %q", c.v, got, c.want)
		}
	}
}
