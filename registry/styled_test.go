package registry

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const (
	red   = "\x1b[0;31m"
	green = "\x1b[0;32m"
	bold  = "\x1b[0;1m"
)

// styledWrite writes text in which {r}, {g}, {b} and {0} stand for a change
// to red, green, bold and the default style, as a stripper hands it over:
// the plain text and the marks.
func styledWrite(o *Output, text string) {
	var plain []byte
	var marks []SGR
	for len(text) > 0 {
		if len(text) >= 3 && text[0] == '{' && text[2] == '}' {
			seq := map[byte]string{'r': red, 'g': green, 'b': bold, '0': ""}[text[1]]
			marks = append(marks, SGR{Off: len(plain), Seq: seq})
			text = text[3:]
			continue
		}
		plain = append(plain, text[0])
		text = text[1:]
	}
	_, _ = o.WriteStyled(plain, marks)
}

func TestStyledLines(t *testing.T) {
	for _, tc := range []struct {
		name   string
		writes []string
		plain  []string
		styled []string
	}{
		{"a coloured word", []string{"ok {r}FAIL{0} x\nplain\n"},
			[]string{"ok FAIL x", "plain"},
			[]string{"ok " + red + "FAIL" + sgrReset + " x", "plain"}},
		{"colour to the line's end is reset there", []string{"{r}error\n"},
			[]string{"error"}, []string{red + "error" + sgrReset}},
		{"colour carried over lines", []string{"{r}one\ntwo\n{0}three\n"},
			[]string{"one", "two", "three"},
			[]string{red + "one" + sgrReset, red + "two" + sgrReset, "three"}},
		{"a mark split from its text between writes", []string{"a{g}", "b{0}", "c\n"},
			[]string{"abc"}, []string{"a" + green + "b" + sgrReset + "c"}},
		{"changes with no text between keep the last", []string{"{r}{b}x{g}{0}y\n"},
			[]string{"xy"}, []string{bold + "x" + sgrReset + "y"}},
		{"a reset to the style in force is no change", []string{"{0}plain {0}text\n"},
			[]string{"plain text"}, []string{"plain text"}},
		{"a style set at the end styles nothing on that line", []string{"a{r}\nb\n"},
			[]string{"a", "b"}, []string{"a", red + "b" + sgrReset}},
		{"carriage return: the new text starts in the style in force", []string{"{r}10%\r{g}50%\n"},
			[]string{"50%"}, []string{green + "50%" + sgrReset}},
		{"carriage return then a line end keeps the line", []string{"{r}10%{0}\r\n"},
			[]string{"10%"}, []string{red + "10%" + sgrReset}},
		{"the unfinished line", []string{"done\n{b}work"},
			[]string{"done", "work"}, []string{"done", bold + "work" + sgrReset}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := NewOutput(100, 1024)
			for _, w := range tc.writes {
				styledWrite(o, w)
			}
			if got := o.Lines(0, 100); !slices.Equal(got, tc.plain) {
				t.Errorf("Lines = %q, want %q", got, tc.plain)
			}
			if got := o.StyledLines(0, 100); !slices.Equal(got, tc.styled) {
				t.Errorf("StyledLines = %q, want %q", got, tc.styled)
			}
		})
	}
}

func TestStyledLinesRange(t *testing.T) {
	o := NewOutput(100, 1024)
	for i := range 10 {
		if i%3 == 0 {
			styledWrite(o, fmt.Sprintf("{r}%d{0}\n", i))
		} else {
			styledWrite(o, fmt.Sprintf("%d\n", i))
		}
	}
	for from := -1; from <= 11; from++ {
		for n := 0; n <= 11; n++ {
			plain, styled := o.Lines(from, n), o.StyledLines(from, n)
			if len(plain) != len(styled) {
				t.Fatalf("(%d, %d): %d lines, styled %d", from, n, len(plain), len(styled))
			}
			for i, s := range styled {
				want := plain[i]
				if want[0]%3 == 0 {
					want = red + want + sgrReset
				}
				if s != want {
					t.Errorf("(%d, %d) line %d = %q, want %q", from, n, i, s, want)
				}
			}
		}
	}
}

// A restart's marker is not in the colour the last life left, and the next
// life (a new terminal) starts in the default style.
func TestAppendLineIsNotInTheChildsColour(t *testing.T) {
	o := NewOutput(100, 1024)
	styledWrite(o, "{r}red\nstill red")
	o.AppendLine("[marker]")
	styledWrite(o, "plain again\n{g}green\n")
	want := []string{red + "red" + sgrReset, red + "still red" + sgrReset, "[marker]", "plain again", green + "green" + sgrReset}
	if got := o.StyledLines(0, 10); !slices.Equal(got, want) {
		t.Errorf("StyledLines = %q, want %q", got, want)
	}
}

func TestPlainOutputHasNoStyles(t *testing.T) {
	o := NewOutput(100, 1024)
	_, _ = o.WriteStyled([]byte("a\nb\n"), nil)
	_, _ = o.Write([]byte("c\n"))
	if o.st != nil {
		t.Error("an output without marks made its styles")
	}
	if got, want := o.StyledLines(0, 10), []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("StyledLines = %q, want %q", got, want)
	}
}

// TestStylesGoWithTheirLines fills rings past their limits of lines and of
// bytes, with every third line coloured, and checks that each line held has
// its own styled form, that no styled form outlives its line, and that the
// bytes counted are those held.
func TestStylesGoWithTheirLines(t *testing.T) {
	for _, tc := range []struct {
		name            string
		lines, maxBytes int
	}{
		{"line limit", 50, 1 << 20},
		{"byte limit", 10_000, 2000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := NewOutputBudget(tc.lines, 1024, tc.maxBytes)
			for i := range 1000 {
				if i%3 == 0 {
					styledWrite(o, fmt.Sprintf("{r}line %d{0} end\n", i))
				} else {
					styledWrite(o, fmt.Sprintf("line %d end\n", i))
				}
			}
			plain, styled := o.Lines(0, 1<<20), o.StyledLines(0, 1<<20)
			if len(plain) == 1000 || len(plain) == 0 {
				t.Fatalf("%d lines held: the ring did not wrap", len(plain))
			}
			held, bytes := 0, 0
			for i := range o.st.n {
				bytes += len(o.st.at(i).s)
			}
			for i, s := range plain {
				var n int
				if _, err := fmt.Sscanf(s, "line %d end", &n); err != nil {
					t.Fatalf("line %q: %v", s, err)
				}
				want := s
				if n%3 == 0 {
					want = red + fmt.Sprintf("line %d", n) + sgrReset + " end"
					held++
				}
				if styled[i] != want {
					t.Errorf("line %d: styled %q, want %q", n, styled[i], want)
				}
				bytes += len(s)
			}
			if got := o.st.n; got != held {
				t.Errorf("%d styled forms kept for %d styled lines held", got, held)
			}
			if o.bytes != bytes || bytes > tc.maxBytes {
				t.Errorf("bytes counted %d, held %d, budget %d", o.bytes, bytes, tc.maxBytes)
			}
		})
	}
}

// colourLine is an 80-column line of text with four colour changes, as a
// compiler or a test runner colours it.
func colourLine(i int) string {
	return fmt.Sprintf("{b}src/main.go:%d:{0} {r}error:{0} undefined: foo (the quick brown fox jumps over)\n", i%1000)
}

// heapOf returns the live heap that fill's result holds, after collections.
func heapOf(fill func() *Output) (uint64, *Output) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	o := fill()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return after.HeapAlloc - before.HeapAlloc, o
}

// BenchmarkStyledBytesPerLine reports the live heap of a full ring of
// 10,000 lines of 80 columns with four colour changes each, per line, beside
// the same lines without colour (styled-B/line is the difference).
func BenchmarkStyledBytesPerLine(b *testing.B) {
	plainLine := func(i int) string {
		r := strings.NewReplacer("{b}", "", "{r}", "", "{0}", "")
		return r.Replace(colourLine(i))
	}
	var plain, colour uint64
	for b.Loop() {
		p, o1 := heapOf(func() *Output {
			o := NewOutput(10_000, 8<<10)
			for i := range 20_000 {
				styledWrite(o, plainLine(i))
			}
			return o
		})
		c, o2 := heapOf(func() *Output {
			o := NewOutput(10_000, 8<<10)
			for i := range 20_000 {
				styledWrite(o, colourLine(i))
			}
			return o
		})
		runtime.KeepAlive(o1)
		runtime.KeepAlive(o2)
		plain += p
		colour += c
	}
	n := float64(b.N) * 10_000
	b.ReportMetric(float64(plain)/n, "plain-B/line")
	b.ReportMetric(float64(colour)/n, "colour-B/line")
	b.ReportMetric(float64(colour-plain)/n, "styled-B/line")
}

// TestStyledLineCost bounds what a coloured line costs beyond its plain
// line: its style changes (4 here, 23 bytes) and its slot in the sparse list
// (24 bytes).
func TestStyledLineCost(t *testing.T) {
	if testing.Short() {
		t.Skip("fills two rings")
	}
	fill := func(colour bool) func() *Output {
		return func() *Output {
			o := NewOutput(10_000, 8<<10)
			r := strings.NewReplacer("{b}", "", "{r}", "", "{0}", "")
			for i := range 20_000 {
				if colour {
					styledWrite(o, colourLine(i))
				} else {
					styledWrite(o, r.Replace(colourLine(i)))
				}
			}
			return o
		}
	}
	p, o1 := heapOf(fill(false))
	c, o2 := heapOf(fill(true))
	runtime.KeepAlive(o1)
	runtime.KeepAlive(o2)
	extra := (float64(c) - float64(p)) / 10_000
	t.Logf("plain %.1f B/line, coloured %.1f B/line, %.1f B more", float64(p)/10_000, float64(c)/10_000, extra)
	if extra > 80 {
		t.Errorf("a coloured line costs %.1f B more than a plain one, want ≤ 80", extra)
	}
	if o1.st != nil {
		t.Error("plain lines made styles")
	}
}

// BenchmarkWriteStyled appends 4 KiB reads of 80-column lines to a full
// ring, plain (Write) and with four style changes a line (WriteStyled, as
// spawn's reader hands them over).
func BenchmarkWriteStyled(b *testing.B) {
	var plain []byte
	var marks []SGR
	for i := 0; len(plain)+82 <= 4096; i++ {
		line := colourLine(i)
		for len(line) > 0 {
			if line[0] == '{' {
				seq := map[byte]string{'r': red, 'b': bold, '0': ""}[line[1]]
				marks = append(marks, SGR{Off: len(plain), Seq: seq})
				line = line[3:]
				continue
			}
			plain = append(plain, line[0])
			line = line[1:]
		}
	}
	for _, tc := range []struct {
		name  string
		marks []SGR
	}{{"plain", nil}, {"colour", marks}} {
		b.Run(tc.name, func(b *testing.B) {
			o := NewOutput(10_000, 8<<10)
			b.SetBytes(int64(len(plain)))
			b.ReportAllocs()
			for b.Loop() {
				_, _ = o.WriteStyled(plain, tc.marks)
			}
		})
	}
}
