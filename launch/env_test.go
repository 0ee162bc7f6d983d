package launch

import (
	"strings"
	"testing"

	"corral/tui"
)

// A request's variables reach the run (a project file's env); a value may
// hold spaces and =.
func TestRequestEnvReachesTheRun(t *testing.T) {
	r := newRig(t)
	id, err := r.l.Launch(tui.Request{Command: `sh -c 'echo "env-7363 <$FOO_7363> <$BAR_7363>"'`,
		Env: "FOO_7363=a b\x00BAR_7363=x=y\x00"})
	if err != nil {
		t.Fatal(err)
	}
	r.until(t, "the output", func() bool { return strings.Contains(r.reg.LiveOutput(id), "env-7363 <a b> <x=y>") })
}
