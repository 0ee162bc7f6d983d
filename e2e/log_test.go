package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corral keeps its own log in the XDG state directory (here under the
// test's home), readable by its owner only, and says where in --help.
func TestCorralKeepsALog(t *testing.T) {
	tm := startCorral(t, 120, 30, "--log-level", "debug", "sh -c 'echo log-e2e; exec sleep 7423'")
	tm.waitText("log-e2e")
	path := filepath.Join(tm.home, ".local", "state", "corral", "corral.log")
	for p, want := range map[string]os.FileMode{filepath.Dir(path): 0o700, path: 0o600} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", p, got, want)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), `msg="corral started"`) {
		t.Fatalf("log %q, %v", b, err)
	}
}
