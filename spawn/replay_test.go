package spawn

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// A flood's screen is rebuilt from two screens' worth of its last lines on
// the main screen (the replays are most of a flood's emulation), and from
// about replayBytes in the alternate screen, where lines mean little.
func TestReplayStartsTwoScreensBeforeTheEnd(t *testing.T) {
	for _, c := range []struct {
		rows int
		alt  bool
	}{{10, false}, {40, false}, {200, false}, {40, true}} {
		t.Run(fmt.Sprintf("rows=%d,alt=%v", c.rows, c.alt), func(t *testing.T) {
			sc := newScreen(80, c.rows, func() {}, func([]byte) {}, nil, nil)
			defer sc.close()
			var out []byte
			var syncs []syncPoint
			for i := range 3000 {
				if len(syncs) == 0 || int64(len(out))-syncs[len(syncs)-1].pos >= syncEvery {
					syncs = append(syncs, syncPoint{pos: int64(len(out)), alt: c.alt})
				}
				out = fmt.Appendf(out, "line %05d\n", i)
			}
			sc.write(out, syncs, c.alt, 0)
			total := int64(len(out))
			linesAfter := func(pos int64) int { return bytes.Count(out[pos:], []byte("\n")) }

			sc.rawMu.Lock()
			sp := sc.replayPoint(total, c.rows, 80)
			sc.rawMu.Unlock()
			at := -1
			for i, s := range syncs {
				if s == sp {
					at = i
				}
			}
			if at < 0 {
				t.Fatalf("replay from %+v, not a sync point", sp)
			}
			if c.alt {
				if sp.pos < total-replayBytes || at > 0 && syncs[at-1].pos >= total-replayBytes {
					t.Fatalf("alternate screen: replay of %d bytes, want the earliest sync point in the last %d", total-sp.pos, replayBytes)
				}
				return
			}
			if n := linesAfter(sp.pos); n < 2*c.rows && total-sp.pos < replayBytes {
				t.Fatalf("replay of %d lines, want at least %d", n, 2*c.rows)
			}
			if at+1 < len(syncs) && linesAfter(syncs[at+1].pos) >= 2*c.rows {
				t.Fatalf("replay of %d lines where %d would do", linesAfter(sp.pos), linesAfter(syncs[at+1].pos))
			}
		})
	}
}

// A line too long to hold sync points, followed by fewer lines than the
// screen has, still shows its tail above them, wrapped as a terminal wraps
// it: the rows start where the line's rows start.
func TestFloodOfOneLongLineEndsWithItsTailOnScreen(t *testing.T) {
	r := newRig(t)
	p, err := r.sp.Start(Spec{Argv: []string{"sh", "-c",
		`yes 0123456789 | tr -d '\n' | head -c 200000; echo; seq 1 4; echo END`}, Cols: 40, Rows: 10})
	if err != nil {
		t.Fatal(err)
	}
	r.screenHas(t, p, "END")
	row := strings.Repeat("0123456789", 4)
	want := []string{row, row, row, row, "1", "2", "3", "4", "END", ""}
	if got := strings.Split(p.Text(), "\n"); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("screen after a 200 KB line and five short ones:\n%q\nwant\n%q", got, want)
	}
}
