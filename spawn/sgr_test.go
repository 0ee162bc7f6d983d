package spawn

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"corral/registry"
)

// colourText is n bytes of 80-column lines, each with four colour changes,
// as compilers and test runners colour their output.
func colourText(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "\x1b[1;3%dmline\x1b[0m %9d \x1b[32mthe quick brown fox\x1b[0m jumps over the lazy dog, again and again!\n", i%8, i)
	}
	return b.Bytes()[:n]
}

// BenchmarkStripperColour strips coloured text in 4 KiB reads, noting its
// changes of style.
func BenchmarkStripperColour(b *testing.B) { benchStrip(b, colourText(1<<20)) }

func TestPenSequences(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"31", "\x1b[0;31m"},
		{"", ""},
		{"0", ""},
		{"1;31", "\x1b[0;1;31m"},
		{"01;34", "\x1b[0;1;34m"},
		{"91;44", "\x1b[0;91;44m"},
		{"103", "\x1b[0;103m"},
		{"38;5;208", "\x1b[0;38;5;208m"},
		{"38:5:208", "\x1b[0;38;5;208m"},
		{"48;2;10;20;30", "\x1b[0;48;2;10;20;30m"},
		{"48:2::10:20:30", "\x1b[0;48;2;10;20;30m"},
		{"38:2:10:20:30", "\x1b[0;38;2;10;20;30m"},
		{"38;5;1;1", "\x1b[0;1;38;5;1m"}, // the colour's values are not codes
		{"4:3;58;5;9", "\x1b[0;4:3;58;5;9m"},
		{"4", "\x1b[0;4m"},
		{"1;2;3;5;7;8;9;53", "\x1b[0;1;2;3;5;7;8;9;53m"},
		{"1;31;22;39", ""},
		{"7;27", ""},
		{"31;0;32", "\x1b[0;32m"},
		{"31;39;42;49", ""},
		{"999;31", "\x1b[0;31m"}, // unknown codes are ignored
	} {
		var pn pen
		pn.apply([]byte(tc.in))
		if got := pn.sequence(); got != tc.want {
			t.Errorf("CSI %s m: %q, want %q", tc.in, got, tc.want)
		}
	}
}

// styleMarks strips text in the reads given, and returns the plain text
// and the changes of style at offsets of all of it.
func styleMarks(reads ...string) (string, []registry.SGR) {
	var s stripper
	var plain []byte
	var marks []registry.SGR
	for _, r := range reads {
		out := s.write([]byte(r), nil)
		for _, m := range s.marks {
			marks = append(marks, registry.SGR{Off: len(plain) + m.Off, Seq: m.Seq})
		}
		plain = append(plain, out...)
	}
	return string(plain), marks
}

func TestStripperNotesStyleChanges(t *testing.T) {
	red, boldRed := "\x1b[0;31m", "\x1b[0;1;31m"
	for _, tc := range []struct {
		name  string
		reads []string
		plain string
		marks []registry.SGR
	}{
		{"a coloured word", []string{"ok \x1b[31mFAIL\x1b[0m x\n"},
			"ok FAIL x\n", []registry.SGR{{Off: 3, Seq: red}, {Off: 7, Seq: ""}}},
		{"a sequence cut between two reads", []string{"ab\x1b[3", "1mcd\x1b[", "0me\n"},
			"abcde\n", []registry.SGR{{Off: 2, Seq: red}, {Off: 4, Seq: ""}}},
		{"cut after the ESC", []string{"ab\x1b", "[1;31mc"},
			"abc", []registry.SGR{{Off: 2, Seq: boldRed}}},
		{"changes with no text between are one", []string{"\x1b[0m\x1b[1m\x1b[31mx"},
			"x", []registry.SGR{{Off: 0, Seq: boldRed}}},
		{"a reset in the default style is no change", []string{"\x1b[0mplain\x1b[m\n"},
			"plain\n", nil},
		{"the style holds across reads", []string{"\x1b[31ma\n", "b\n", "\x1b[1mc"},
			"a\nb\nc", []registry.SGR{{Off: 0, Seq: red}, {Off: 4, Seq: boldRed}}},
		{"not SGR: XTMODKEYS and a private mode", []string{"a\x1b[>4;1mb\x1b[?1mc"},
			"abc", nil},
		{"a full reset", []string{"\x1b[31ma\x1bcb"},
			"ab", []registry.SGR{{Off: 0, Seq: red}, {Off: 1, Seq: ""}}},
		{"a sequence too long to keep is left alone",
			[]string{"a\x1b[" + strings.Repeat("1;", 40) + "31mb"}, "ab", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plain, marks := styleMarks(tc.reads...)
			if plain != tc.plain {
				t.Errorf("plain %q, want %q", plain, tc.plain)
			}
			if !slices.Equal(marks, tc.marks) {
				t.Errorf("marks %+v, want %+v", marks, tc.marks)
			}
		})
	}
}

// TestStyleMarksAtEveryCut strips coloured text cut in two at every byte
// and checks the text and its changes of style are those of the whole.
func TestStyleMarksAtEveryCut(t *testing.T) {
	text := string(colourText(400))
	wantPlain, wantMarks := styleMarks(text)
	if len(wantMarks) < 8 {
		t.Fatalf("only %d marks in the whole text", len(wantMarks))
	}
	for cut := range len(text) {
		plain, marks := styleMarks(text[:cut], text[cut:])
		if plain != wantPlain || !slices.Equal(marks, wantMarks) {
			t.Fatalf("cut at %d: plain %q, marks %+v, want %+v", cut, plain, marks, wantMarks)
		}
	}
}

// A child's red lines reach the history red (its styled lines) and plain
// (its lines and its run log); a plain run's lines have no styled form.
func TestHistoryKeepsTheChildsColours(t *testing.T) {
	r := newRig(t)
	sink := &logSink{closed: make(chan struct{})}
	p, err := r.sp.Start(Spec{Argv: []string{"sh", "-c",
		`printf 'plain\n\033[31mred one\nred two\033[0m back\n\033[1;32mok\033[m\n'`}, Log: sink})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, p)
	<-sink.closed
	out := r.reg.Output(p.RunID())
	wantPlain := []string{"plain", "red one", "red two back", "ok"}
	if got := out.Lines(0, 10); !slices.Equal(got, wantPlain) {
		t.Errorf("lines %q, want %q", got, wantPlain)
	}
	wantStyled := []string{"plain", "\x1b[0;31mred one\x1b[m", "\x1b[0;31mred two\x1b[m back", "\x1b[0;1;32mok\x1b[m"}
	if got := out.StyledLines(0, 10); !slices.Equal(got, wantStyled) {
		t.Errorf("styled lines %q, want %q", got, wantStyled)
	}
	if got, want := sink.buf.String(), "plain\r\nred one\r\nred two back\r\nok\r\n"; got != want {
		t.Errorf("log %q, want %q", got, want)
	}
}
