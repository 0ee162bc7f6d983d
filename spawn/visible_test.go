package spawn

import (
	"testing"
)

// A screen is hidden from the start, before the first byte of its child
// reaches it: only the interface marks the one run it shows as visible, so
// a run started beside it is emulated at the low rate from its first byte.
func TestScreenStartsHidden(t *testing.T) {
	sc := newScreen(80, 24, func() {}, func([]byte) {}, nil, nil)
	if !sc.hidden.Load() {
		t.Fatal("a new screen is visible before anyone showed it")
	}

	r := newRig(t)
	p := r.sh(t, `echo first; exec sleep 7341`)
	if p.Visible() {
		t.Fatal("a started run is visible before anyone showed it")
	}
	r.screenHas(t, p, "first")
	if p.Visible() {
		t.Fatal("output made a hidden run visible")
	}
	p.SetVisible(true)
	if !p.Visible() {
		t.Fatal("SetVisible(true) did not show the run")
	}
	p.SetVisible(false)
	if p.Visible() {
		t.Fatal("SetVisible(false) did not hide the run")
	}
}
