package registry

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

func TestOutputLines(t *testing.T) {
	tests := []struct {
		name   string
		max    int
		writes []string
		want   []string
	}{
		{"split across writes", 10, []string{"hel", "lo\nwor", "ld\n"}, []string{"hello", "world"}},
		{"unfinished last line", 10, []string{"a\nb"}, []string{"a", "b"}},
		{"ring keeps the newest", 2, []string{"1\n2\n3\n4\n"}, []string{"3", "4"}},
		{"carriage return overwrites", 10, []string{"10%\r20%\r", "30%\ndone\n"}, []string{"30%", "done"}},
		{"crlf is one line end", 10, []string{"a\r\nb\r\n"}, []string{"a", "b"}},
		{"cr split from lf", 10, []string{"a\r", "\nb\n"}, []string{"a", "b"}},
		{"empty lines kept", 10, []string{"\n\nx\n"}, []string{"", "", "x"}},
		{"invalid utf-8 stays visible", 10, []string{"ok\xff\xfeok\n"}, []string{"ok\uFFFD\uFFFDok"}},
		{"utf-8 split across writes", 10, []string{"caf\xc3", "\xa9\n"}, []string{"café"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOutput(tt.max, 1024)
			for _, w := range tt.writes {
				_, _ = o.Write([]byte(w))
			}
			got := o.Lines(0, 100)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("lines = %q, want %q", got, tt.want)
			}
			if o.Len() != len(tt.want) {
				t.Fatalf("Len = %d, want %d", o.Len(), len(tt.want))
			}
		})
	}
}

func TestOutputWindowsAndTail(t *testing.T) {
	o := NewOutput(5, 1024)
	for i := range 8 {
		fmt.Fprintf(o, "l%d\n", i)
	}
	if got := o.Lines(1, 2); strings.Join(got, ",") != "l4,l5" {
		t.Fatalf("Lines(1,2) = %v", got)
	}
	if got := o.Tail(2); strings.Join(got, ",") != "l6,l7" {
		t.Fatalf("Tail(2) = %v", got)
	}
	if got := o.Tail(50); len(got) != 5 {
		t.Fatalf("Tail(50) = %v", got)
	}
	if got := o.Lines(9, 3); got != nil {
		t.Fatalf("Lines past the end = %v", got)
	}
	if got := o.Lines(-3, 1); strings.Join(got, ",") != "l3" {
		t.Fatalf("Lines(-3,1) = %v", got)
	}
	if o.Total() != 8 {
		t.Fatalf("Total = %d, want 8", o.Total())
	}
	if got, total := o.Since(6); strings.Join(got, ",") != "l6,l7" || total != 8 {
		t.Fatalf("Since(6) = %v, %d", got, total)
	}
	if got, _ := o.Since(0); len(got) != 5 {
		t.Fatalf("Since(0) = %v: want what the ring holds", got)
	}
	if got, _ := o.Since(8); got != nil {
		t.Fatalf("Since(8) = %v", got)
	}
}

// Fix 6: the original kept one unbounded string. A 10 MB line without a
// newline is wrapped at the line cap and the ring stays bounded.
func TestOutputIsBoundedInLinesAndBytes(t *testing.T) {
	const lineCap = 8 << 10
	o := NewOutput(100, lineCap)
	chunk := bytes.Repeat([]byte("x"), 4096)
	for range (10 << 20) / len(chunk) {
		_, _ = o.Write(chunk)
	}
	// 100 complete lines and the unfinished one.
	if o.Len() != 101 {
		t.Fatalf("Len = %d, want 101", o.Len())
	}
	held := 0
	for _, l := range o.Lines(0, 101) {
		if len(l) > lineCap {
			t.Fatalf("a line of %d bytes, cap %d", len(l), lineCap)
		}
		held += len(l)
	}
	if held > 101*lineCap {
		t.Fatalf("holding %d bytes", held)
	}
	if cap(o.cur) > 2*lineCap {
		t.Fatalf("current-line buffer grew to %d", cap(o.cur))
	}
}

// Readers share the ring with a writer that never waits on them for more
// than a copy of slice headers (run under -race).
func TestOutputConcurrentReadersAndWriter(t *testing.T) {
	o := NewOutput(1000, 1024)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, l := range o.Tail(50) {
					if l != "" && !strings.HasPrefix(l, "line ") {
						t.Errorf("torn line %q", l)
						return
					}
				}
			}
		}()
	}
	for i := range 20000 {
		fmt.Fprintf(o, "line %d\n", i)
	}
	close(stop)
	wg.Wait()
	if got := o.Tail(1); got[0] != "line 19999" {
		t.Fatalf("last line %q", got[0])
	}
}

// The original append_live_output "adds a line of output to the process's
// output buffer": each call adds whole lines, a trailing line end is not
// doubled, and a line the byte stream left unfinished is ended first.
func TestAppendLiveOutputAddsLines(t *testing.T) {
	tests := []struct {
		name   string
		stream string // written first through AppendOutput, as spawn's reader would
		texts  []string
		want   []string
	}{
		{"two calls, two lines", "", []string{"a", "b"}, []string{"a", "b"}},
		{"trailing newline not doubled", "", []string{"x\n"}, []string{"x"}},
		{"inner newlines split", "", []string{"a\nb\nc"}, []string{"a", "b", "c"}},
		{"inner and trailing", "", []string{"a\nb\n", "c"}, []string{"a", "b", "c"}},
		{"empty text is an empty line", "", []string{"", "x", ""}, []string{"", "x", ""}},
		{"a lone newline is one empty line", "", []string{"\n"}, []string{""}},
		{"two newlines keep one empty line", "", []string{"x\n\n"}, []string{"x", ""}},
		{"crlf", "", []string{"a\r\nb\r\n", "c\r\n"}, []string{"a", "b", "c"}},
		{"carriage return overwrites within the text", "", []string{"10%\r20%", "done"}, []string{"20%", "done"}},
		{"trailing cr ends the line", "", []string{"a\r", "b"}, []string{"a", "b"}},
		{"an unfinished stream line is ended first", "partial", []string{"x"}, []string{"partial", "x"}},
		{"a finished stream line is not", "done\n", []string{"x"}, []string{"done", "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New()
			defer r.Close()
			if err := r.RegisterProcess(RegistrationConfig{RunID: 1, PID: 1}, fakeChild{1}); err != nil {
				t.Fatal(err)
			}
			if tt.stream != "" {
				if err := r.AppendOutput(1, []byte(tt.stream)); err != nil {
					t.Fatal(err)
				}
			}
			for _, s := range tt.texts {
				if err := r.AppendLiveOutput(1, s); err != nil {
					t.Fatal(err)
				}
			}
			out := r.Output(1)
			if got := out.Lines(0, 100); strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Fatalf("lines = %q, want %q", got, tt.want)
			}
			// Every line is complete: nothing is left for the next call to join.
			if out.Total() != int64(len(tt.want)) || out.Len() != len(tt.want) {
				t.Fatalf("Total = %d, Len = %d, want %d complete lines", out.Total(), out.Len(), len(tt.want))
			}
			checkOutput(t, out)
		})
	}
}

// checkOutput fails unless the running byte total is the sum of the lines
// held and both limits hold (the newest line is kept whatever its size).
func checkOutput(t *testing.T, o *Output) {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	sum := 0
	for i := range o.n {
		sum += len(o.at(i))
	}
	if sum != o.bytes {
		t.Fatalf("byte total %d, lines held add up to %d", o.bytes, sum)
	}
	if o.n > o.max || (o.bytes > o.maxBytes && o.n > 1) {
		t.Fatalf("%d lines of %d bytes held, limits %d lines and %d bytes", o.n, o.bytes, o.max, o.maxBytes)
	}
}

// The case: 200,000 calls of 100 bytes used to join into one
// unbounded stream of wrapped lines. With an 8 MB budget and no binding line
// count, the run keeps at most 8 MB and one line, and the newest lines.
func TestOutputByteBudget(t *testing.T) {
	const calls, budget = 200_000, 8 << 20
	r := New(WithOutputLines(1_000_000), WithOutputBytes(budget))
	defer r.Close()
	if err := r.RegisterProcess(RegistrationConfig{RunID: 1, PID: 1}, fakeChild{1}); err != nil {
		t.Fatal(err)
	}
	for i := range calls {
		if err := r.AppendLiveOutput(1, fmt.Sprintf("%0100d", i)); err != nil {
			t.Fatal(err)
		}
	}
	out := r.Output(1)
	checkOutput(t, out)
	lines := out.Lines(0, out.Len())
	held := 0
	for _, l := range lines {
		held += len(l)
	}
	if held > budget+100 {
		t.Fatalf("holding %d bytes, budget %d", held, budget)
	}
	if want := budget / 100; len(lines) != want {
		t.Fatalf("holding %d lines, want the %d that fit", len(lines), want)
	}
	for k, l := range lines { // the newest, in order
		if want := fmt.Sprintf("%0100d", calls-len(lines)+k); l != want {
			t.Fatalf("line %d = %q, want %q", k, l[:12], want[:12])
		}
	}
	if out.Total() != calls {
		t.Fatalf("Total = %d, want %d", out.Total(), calls)
	}
	if got, total := out.Since(calls - 2); len(got) != 2 || got[1] != fmt.Sprintf("%0100d", calls-1) || total != calls {
		t.Fatalf("Since(%d) = %d lines, total %d", calls-2, len(got), total)
	}
}

// Whichever limit is reached first drops the oldest lines; readers' positions
// (Total, Since) count every line ever completed, dropped or not.
func TestOutputBothLimits(t *testing.T) {
	tests := []struct {
		name             string
		lines, lineBytes int
		budget           int
		writes           []string
		want             []string
	}{
		{"line count binds", 3, 64, 1000, []string{"a\nb\nc\nd\ne\n"}, []string{"c", "d", "e"}},
		{"byte budget binds", 100, 64, 6, []string{"aa\nbb\ncc\ndd\n"}, []string{"bb", "cc", "dd"}},
		{"a long line drops several short ones", 100, 64, 10, []string{"a\nb\nc\nd\n", "0123456789\n"},
			[]string{"0123456789"}},
		{"the newest line is kept past the budget", 100, 64, 4, []string{"a\n0123456789\n"}, []string{"0123456789"}},
		{"short lines follow a long one", 100, 64, 12, []string{"0123456789\nab\nc\n"}, []string{"ab", "c"}},
		{"wrapped pieces count one by one", 100, 16, 40, []string{strings.Repeat("x", 50) + "\n"},
			[]string{strings.Repeat("x", 16), strings.Repeat("x", 16), "xx"}},
		{"unfinished line is outside the budget", 100, 64, 4, []string{"ab\ncd\nunfinished"},
			[]string{"ab", "cd", "unfinished"}},
		{"empty lines cost nothing but count", 2, 64, 1, []string{"\n\n\n"}, []string{"", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOutputBudget(tt.lines, tt.lineBytes, tt.budget)
			total := 0
			for _, w := range tt.writes {
				_, _ = o.Write([]byte(w))
				total += strings.Count(w, "\n")
			}
			checkOutput(t, o)
			if got := o.Lines(0, 100); strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("lines = %q, want %q", got, tt.want)
			}
			if got := o.Tail(len(tt.want)); strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("Tail = %q, want %q", got, tt.want)
			}
			if o.Len() != len(tt.want) {
				t.Fatalf("Len = %d, want %d", o.Len(), len(tt.want))
			}
			// A reader that saw nothing gets what is held of the complete lines.
			complete, t0 := o.Since(0)
			if t0 != o.Total() || len(complete) > len(tt.want) || t0 < int64(len(complete)) {
				t.Fatalf("Since(0) = %q, total %d, Total %d", complete, t0, o.Total())
			}
		})
	}
}

// Against a history that keeps everything, a bounded one always holds the
// longest run of newest complete lines within both limits: the running total
// and the ring's growth, wrap and drops agree over many random writes.
func TestOutputKeepsTheNewestWithinBothLimits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 20 {
		maxLines, lineBytes, budget := 1+rng.IntN(300), 16+rng.IntN(100), 1+rng.IntN(4000)
		bounded := NewOutputBudget(maxLines, lineBytes, budget)
		all := NewOutputBudget(1<<20, lineBytes, 1<<40)
		for range 2000 {
			var b []byte
			for range rng.IntN(8) {
				switch rng.IntN(10) {
				case 0:
					b = append(b, '\n')
				case 1:
					b = append(b, '\r')
				case 2:
					b = append(b, bytes.Repeat([]byte("w"), rng.IntN(3*lineBytes))...)
				default:
					b = append(b, "word "[:1+rng.IntN(5)]...)
				}
			}
			if rng.IntN(5) == 0 {
				bounded.AppendLine(string(b))
				all.AppendLine(string(b))
			} else {
				_, _ = bounded.Write(b)
				_, _ = all.Write(b)
			}
			checkOutput(t, bounded)
		}
		every, total := all.Since(0)
		// The expected window: newest first, while both limits allow (one line always).
		n, size := 0, 0
		for i := len(every) - 1; i >= 0; i-- {
			if n == maxLines || (n > 0 && size+len(every[i]) > budget) {
				break
			}
			n, size = n+1, size+len(every[i])
		}
		got, gotTotal := bounded.Since(0)
		if gotTotal != total || strings.Join(got, "\n") != strings.Join(every[len(every)-n:], "\n") {
			t.Fatalf("round %d (%d lines, %d B/line, %d B): holds %d lines, want %d; totals %d, %d",
				round, maxLines, lineBytes, budget, len(got), n, gotTotal, total)
		}
		if got, want := bounded.Tail(3), all.Tail(3); n >= 3 &&
			strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("round %d: Tail(3) = %q, want %q", round, got, want)
		}
		if after := total - int64(n/2); n > 0 {
			if got, _ := bounded.Since(after); strings.Join(got, "|") != strings.Join(every[len(every)-int(total-after):], "|") {
				t.Fatalf("round %d: Since(%d) = %d lines", round, after, len(got))
			}
		}
	}
}

// BenchmarkAppendBytesBound is BenchmarkAppend with the byte budget, not the
// line count, dropping lines: 80-column lines, a 256 KiB budget.
func BenchmarkAppendBytesBound(b *testing.B) {
	r := New(WithOutputBytes(256 << 10))
	defer r.Close()
	if err := r.RegisterProcess(RegistrationConfig{RunID: 1, PID: 1}, fakeChild{1}); err != nil {
		b.Fatal(err)
	}
	chunk := bytes.Repeat(append(bytes.Repeat([]byte("y"), 79), '\n'), 4096/80)
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		if err := r.AppendOutput(1, chunk); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendLiveOutput measures the seed API: one 80-column line a call.
func BenchmarkAppendLiveOutput(b *testing.B) {
	r := New()
	defer r.Close()
	if err := r.RegisterProcess(RegistrationConfig{RunID: 1, PID: 1}, fakeChild{1}); err != nil {
		b.Fatal(err)
	}
	line := strings.Repeat("y", 79) + "\n"
	b.ReportAllocs()
	for b.Loop() {
		if err := r.AppendLiveOutput(1, line); err != nil {
			b.Fatal(err)
		}
	}
}

// Lines are strings over shared blocks: a line a reader holds never
// changes, however much is written, overwritten (\r) or dropped after it.
func TestLinesReadStayUnchangedAsMoreIsWritten(t *testing.T) {
	o := NewOutputBudget(100, 8<<10, 1<<20)
	for i := range 50 {
		fmt.Fprintf(o, "line %d\n", i)
	}
	held := o.Lines(0, 50)
	want := append([]string(nil), held...)
	for i := range want {
		want[i] = strings.Clone(want[i])
	}
	for i := range 20_000 {
		fmt.Fprintf(o, "progress %d\rdone %d\n", i, i)
	}
	for i := range held {
		if held[i] != want[i] {
			t.Fatalf("line %d became %q, was %q", i, held[i], want[i])
		}
	}
	if got := o.Tail(1)[0]; got != "done 19999" {
		t.Fatalf("last line %q", got)
	}
}

// Written counts every byte written, an unfinished line's too.
func TestOutputWrittenCountsUnfinishedLines(t *testing.T) {
	o := NewOutput(10, 80)
	o.Write([]byte("50%\r"))
	o.Write([]byte("60%"))
	if o.Written() != 7 || o.Total() != 0 {
		t.Fatalf("written %d, total %d", o.Written(), o.Total())
	}
}
