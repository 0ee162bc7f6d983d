package registry

import (
	"bytes"
	"fmt"
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
			o := newOutput(tt.max, 1024)
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
	o := newOutput(5, 1024)
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
	o := newOutput(100, lineCap)
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
	o := newOutput(1000, 1024)
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
