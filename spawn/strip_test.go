package spawn

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// floodText is n bytes of the benchmarks' 80-column lines.
func floodText(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "line %9d the quick brown fox jumps over the lazy dog, again and again and again!\n", i)
	}
	return b.Bytes()[:n]
}

// BenchmarkStripper strips plain text in 4 KiB reads, as a PTY delivers it.
func BenchmarkStripper(b *testing.B) { benchStrip(b, floodText(1<<20)) }

// benchStrip strips text in 4 KiB reads, as a PTY delivers it.
func benchStrip(b *testing.B, text []byte) {
	var s stripper
	out := make([]byte, 0, 8192)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		for i := 0; i < len(text); i += 4096 {
			out = s.write(text[i:min(i+4096, len(text))], out[:0])
		}
	}
}

// printableByte is the ground state's test for a byte of text.
func printableByte(b byte) bool { return b >= 0x20 && b != 0x7f }

func TestPrintable8MatchesBytes(t *testing.T) {
	// Every byte value at every position among printable neighbours, and
	// among neighbours that would borrow (0x00, 0x20, 0x80, 0xff).
	for _, fill := range []byte{'a', 0x20, 0x80, 0xff, 0x7e, 0x00} {
		for pos := range 8 {
			for v := range 256 {
				var w [8]byte
				for i := range w {
					w[i] = fill
				}
				w[pos] = byte(v)
				want := true
				for _, b := range w {
					want = want && printableByte(b)
				}
				if got := printable8(binary.LittleEndian.Uint64(w[:])); got != want {
					t.Fatalf("printable8(% x) = %v, want %v", w, got, want)
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1_000_000 {
		x := r.Uint64()
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], x)
		want := true
		for _, b := range w {
			want = want && printableByte(b)
		}
		if got := printable8(x); got != want {
			t.Fatalf("printable8(% x) = %v, want %v", w, got, want)
		}
	}
}

// TestStripperSameTextInAnyReads feeds the same output, text with controls,
// escape sequences, UTF-8 and strings, once whole and once in reads of
// random sizes down to one byte: the text, the sync points and the state
// must be the same.
func TestStripperSameTextInAnyReads(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	pieces := []string{
		"plain text of some length, more than eight bytes", "✳ héllo wörld", "\r\n", "\n", "\t", "\x07", "\x08",
		"\x1b[31m", "\x1b[0m", "\x1b[?1049h", "\x1b[?1049l", "\x1b]0;title ✳\x07", "\x1b]2;t\x1b\\", "\x1bP+q5463\x1b\\",
		"\x1b[6n", "\x7f", "\x1b_apc \xe2\x9c\xb3\x1b\\", "\x1b(B", "abcdefgh", "\x1b[>1u", "\x1b[?u",
	}
	var in []byte
	for range 20_000 {
		in = append(in, pieces[r.IntN(len(pieces))]...)
	}
	type sync struct {
		pos int64
		alt bool
	}
	type state struct {
		keys      keyModes
		title     string
		lastQuery int64
	}
	run := func(split func() int) ([]byte, []sync, state) {
		var syncs []sync
		s := stripper{onSync: func(pos int64, alt bool) { syncs = append(syncs, sync{pos, alt}) }}
		buf := bytes.Clone(in) // write edits string bytes in place
		var out []byte
		for i := 0; i < len(buf); {
			n := min(split(), len(buf)-i)
			out = s.write(buf[i:i+n], out)
			i += n
		}
		return out, syncs, state{s.term.keyModes(), s.term.Title(), s.lastQuery}
	}
	wantOut, wantSyncs, want := run(func() int { return len(in) })
	for _, maxRead := range []int{1, 7, 64, 4096} {
		out, syncs, s := run(func() int { return 1 + r.IntN(maxRead) })
		if !bytes.Equal(out, wantOut) {
			t.Fatalf("reads up to %d bytes: text differs from one read (%d vs %d bytes)", maxRead, len(out), len(wantOut))
		}
		if !slices.Equal(syncs, wantSyncs) {
			t.Fatalf("reads up to %d bytes: %d sync points, one read %d", maxRead, len(syncs), len(wantSyncs))
		}
		if s != want {
			t.Fatalf("reads up to %d bytes: state %+v, one read %+v", maxRead, s, want)
		}
	}
	if !bytes.Contains(wantOut, []byte("plain text of some length")) || len(wantSyncs) == 0 {
		t.Fatalf("the stripped text lost its text (%d bytes) or has no sync points (%d)", len(wantOut), len(wantSyncs))
	}
}
