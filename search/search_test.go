package search

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync/atomic"
	"testing"
	"unicode"

	"corral/registry"
)

func mustCompile(t testing.TB, text string, mode Mode) *Query {
	t.Helper()
	q, err := Compile(text, mode)
	if err != nil {
		t.Fatalf("Compile(%q): %v", text, err)
	}
	return q
}

func TestSmartCase(t *testing.T) {
	tests := []struct {
		query string
		mode  Mode
		line  string
		want  bool
	}{
		{"fail", Plain, "--- FAIL: TestX", true},
		{"fail", Plain, "Failed to start", true},
		{"fail", Plain, "all passed", false},
		{"FAIL", Plain, "--- FAIL: TestX", true},
		{"FAIL", Plain, "failed", false},
		{"Fail", Plain, "FAIL", false},
		{"Fail", Plain, "Failed", true},
		{"été", Plain, "L'ÉTÉ", true},          // a non-ASCII needle folds too
		{"Été", Plain, "L'ÉTÉ", false},         // and a non-ASCII capital makes it exact
		{"kelvin", Plain, "\u212aelvin", true}, // k folds to the Kelvin sign
		{"fail.*go", Regex, "FAIL auth.go", true},
		{"FAIL.*go", Regex, "fail auth.go", false},
		{`\Sail`, Regex, "FAIL", true},          // \S is no capital
		{`\pLail`, Regex, "FAIL", true},         // nor \pL
		{`\p{Greek}x`, Regex, "αX", true},       // nor \p{Greek}
		{`(?P<Word>fail)`, Regex, "FAIL", true}, // nor a group's name
		{`(?U)fa.+`, Regex, "FAIL", true},       // nor a flag
		{`[A-Z]ail`, Regex, "fail", false},      // a capital in a class counts
		{`\QFAIL\E`, Regex, "fail", false},      // and in quoted text
		{`(?i)FAIL`, Regex, "fail", true},       // (?i) in the pattern wins
		{"", Plain, "anything", false},          // an empty query matches nothing
		{"", Regex, "anything", false},
	}
	for _, tt := range tests {
		q := mustCompile(t, tt.query, tt.mode)
		if got := q.Match(tt.line); got != tt.want {
			t.Errorf("Compile(%q, %d).Match(%q) = %v, want %v", tt.query, tt.mode, tt.line, got, tt.want)
		}
		if got := len(q.Find([]string{tt.line})) == 1; got != tt.want {
			t.Errorf("Compile(%q, %d).Find(%q) found %v, want %v", tt.query, tt.mode, tt.line, got, tt.want)
		}
	}
}

func TestRegexErrors(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{"(abc", "bad pattern: missing closing ): `(abc`"},
		{"a**", "bad pattern: invalid nested repetition operator: `**`"},
		{"[z-a]", "bad pattern: invalid character class range: `z-a`"},
		{`x\`, "bad pattern: trailing backslash at end of expression"},
		{"FAIL)", "bad pattern: unexpected ): `FAIL)`"}, // case-sensitive patterns too
	}
	for _, tt := range tests {
		q, err := Compile(tt.pattern, Regex)
		var pe *PatternError
		if q != nil || !errors.As(err, &pe) {
			t.Fatalf("Compile(%q) = %v, %v; want a *PatternError", tt.pattern, q, err)
		}
		if err.Error() != tt.want {
			t.Errorf("Compile(%q) error = %q, want %q", tt.pattern, err, tt.want)
		}
		var se *syntax.Error
		if !errors.As(err, &se) {
			t.Errorf("Compile(%q) error does not wrap the *syntax.Error", tt.pattern)
		}
	}
	// The same text is fine as plain text.
	if _, err := Compile("(abc", Plain); err != nil {
		t.Errorf("Compile(%q, Plain): %v", "(abc", err)
	}
}

func TestRanges(t *testing.T) {
	tests := []struct {
		query string
		mode  Mode
		line  string
		want  []Range
	}{
		{"go", Plain, "auth.go, main.go and GO", []Range{{5, 7}, {14, 16}, {21, 23}}},
		{"aa", Plain, "aaaaa", []Range{{0, 2}, {2, 4}}}, // not overlapping
		{"auth", Plain, "no match here", nil},
		{"a", Plain, "", nil},
		{"é", Plain, "café CAFÉ", []Range{{3, 5}, {9, 11}}},
		{"k", Plain, "\u212a k", []Range{{0, 3}, {4, 5}}}, // the Kelvin sign is 3 bytes
		{"ss", Plain, "ſs Ss", []Range{{0, 3}, {4, 6}}},   // the long s is 2 bytes
		{"session", Plain, "ſession SESSION", []Range{{0, 8}, {9, 16}}},
		{"ask", Plain, "a\u017f\u212a ASK", []Range{{0, 6}, {7, 10}}},
		{"xs", Plain, "xs xſ", []Range{{0, 2}, {3, 6}}},
		{"日本", Plain, "x日本語 日本", []Range{{1, 7}, {11, 17}}},                // no case at all
		{"σ", Plain, "ΣΑΣ σ ς", []Range{{0, 2}, {4, 6}, {7, 9}, {10, 12}}}, // Σ, σ and ς fold together
		{`\d+ms`, Regex, "took 12ms, then 7ms", []Range{{5, 9}, {16, 19}}},
		{`x*`, Regex, "abc", nil}, // empty matches are not ranges
		{`^`, Regex, "abc", nil},
	}
	for _, tt := range tests {
		q := mustCompile(t, tt.query, tt.mode)
		if got := q.Ranges(tt.line, nil); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Compile(%q).Ranges(%q) = %v, want %v", tt.query, tt.line, got, tt.want)
		}
	}
	// A line that a regular expression matches only emptily still matches.
	if ms := mustCompile(t, `^$`, Regex).Find([]string{"a", "", "b"}); len(ms) != 1 || ms[0].Line != 1 {
		t.Errorf("^$ found %v, want the empty line 1", ms)
	}
}

// TestFoldAgainstRegexp checks the finder against regexp, whose (?i) folds
// the same way, on random lines of characters that fold in awkward ways,
// ignoring case and not.
func TestFoldAgainstRegexp(t *testing.T) {
	alphabet := []rune("aAbBkKsSeE \u212aſéÉσΣς.日")
	rnd := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteRune(alphabet[rnd.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 20000 {
		needle := strings.ToLower(word(1 + rnd.IntN(3)))
		line := word(rnd.IntN(30))
		exact := word(1 + rnd.IntN(3))
		if q := mustCompile(t, exact, Plain); !q.IgnoresCase() {
			var want []Range
			for _, m := range regexp.MustCompile(regexp.QuoteMeta(exact)).FindAllStringIndex(line, -1) {
				want = append(want, Range{m[0], m[1]})
			}
			if got := q.Ranges(line, nil); !reflect.DeepEqual(got, want) {
				t.Fatalf("Compile(%q).Ranges(%q) = %v, regexp says %v", exact, line, got, want)
			}
		}
		q := mustCompile(t, needle, Plain)
		if !q.IgnoresCase() {
			continue // a capital that lowers to itself (the Kelvin sign lowers to k)
		}
		var want []Range
		for _, m := range regexp.MustCompile("(?i)"+regexp.QuoteMeta(needle)).FindAllStringIndex(line, -1) {
			want = append(want, Range{m[0], m[1]})
		}
		if got := q.Ranges(line, nil); !reflect.DeepEqual(got, want) {
			t.Fatalf("Compile(%q).Ranges(%q) = %v, regexp says %v", needle, line, got, want)
		}
	}
}

// TestPrefilter checks that skipping lines without a regular expression's
// literals never skips a line it matches.
func TestPrefilter(t *testing.T) {
	patterns := []string{`FAIL.*auth`, `(a|b\d)x`, `x(y|z)+w{0,2}v`, `deadlock|data race|segfault`,
		`(?i)(ask|sk|é|\.go)`, `(?i:kk)|SS|(?i)ſx`, `(FAIL|panic)`, `panic: .*nil`, `(foo|bar)baz`, `(?i)Err(or)?s?`, `a+b{2,}c`,
		`x|y?`, `(ab|cd)+ef`, `\d+ms`, `se(ss)?ion`, `[Ff]ail`, `(?i)k`, `café|thé`}
	lines := []string{"FAIL in auth.go", "fail auth", "panic: x is nil", "PANIC: NIL", "foobaz", "barbaz",
		"bazbar", "errors", "ERR", "abbc", "abc", "y", "", "cdabef", "12ms", "session", "seion", "Fail",
		"\u212a", "CAFÉ", "THÉ", "ax", "b1x", "bx", "xzv", "xyzwwv", "xwv", "a DEADLOCK", "DATA RACE!",
		"seg\u212afault", "segfault", "SEGFAULT in worker", "ASK", "a\u017f\u212a", "\u017fk", "\u212a\u212a",
		"kK", "ss", "SS", "sx", "SX", "x.GO", "É", "FAIL", "fail", "panic", "PANIC", "0123456789abcdef.go"}
	for _, p := range patterns {
		q := mustCompile(t, p, Regex)
		for _, line := range lines {
			if got, want := q.Match(line), q.re.MatchString(line); got != want {
				t.Errorf("Compile(%q).Match(%q) = %v, the regexp alone says %v (prefilter %d literals)",
					p, line, got, want, len(q.pre))
			}
		}
	}
	// The literals are found where they help.
	for _, tt := range []struct {
		pattern string
		want    [][]string
	}{
		{`FAIL.*auth`, [][]string{{"fail"}, {"auth"}}}, // both needed
		{`(foo|bar)baz`, [][]string{{"baz"}, {"foo", "bar"}}},
		{`se(ss)?ion`, [][]string{{"ion"}, {"se"}}}, // the longer first
		{`(a|b\d)x`, [][]string{{"x"}, {"a", "b"}}},
		{`\d+ms|x*`, nil},
	} {
		var got [][]string
		for _, g := range mustCompile(t, tt.pattern, Regex).pre {
			var ss []string
			for _, f := range g {
				ss = append(ss, strings.ToLower(f.needle)) // folding literals are kept in capitals
			}
			got = append(got, ss)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: prefilter %q, want %q", tt.pattern, got, tt.want)
		}
	}
}

func TestOrbitsFit(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if n := len(orbit(r)); n > maxCases {
			t.Fatalf("%U folds to %d characters, more than maxCases %d", r, n, maxCases)
		}
	}
}

func TestNavigation(t *testing.T) {
	ms := mustCompile(t, "x", Plain).Find([]string{"x", "", "", "x", "x", "", "x"}) // lines 0, 3, 4, 6
	if len(ms) != 4 {
		t.Fatalf("found %d matches, want 4", len(ms))
	}
	tests := []struct {
		name string
		got  int
		want int
	}{
		{"Next(0)", ms.Next(0), 1},
		{"Next(3) wraps", ms.Next(3), 0},
		{"Next(-1)", ms.Next(-1), 0},
		{"Prev(1)", ms.Prev(1), 0},
		{"Prev(0) wraps", ms.Prev(0), 3},
		{"Prev(-1)", ms.Prev(-1), 3},
		{"After(0)", ms.After(0), 1},
		{"After(1)", ms.After(1), 1},
		{"After(4)", ms.After(4), 3},
		{"After(6) wraps", ms.After(6), 0},
		{"Before(6)", ms.Before(6), 2},
		{"Before(4)", ms.Before(4), 1},
		{"Before(2)", ms.Before(2), 0},
		{"Before(0) wraps", ms.Before(0), 3},
		{"Index(4)", ms.Index(4), 2},
		{"Index(5)", ms.Index(5), -1},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
	if got := ms.On(3); !reflect.DeepEqual(got, []Range{{0, 1}}) {
		t.Errorf("On(3) = %v", got)
	}
	if got := ms.On(2); got != nil {
		t.Errorf("On(2) = %v, want nil", got)
	}
	var none Matches
	for _, got := range []int{none.Next(0), none.Prev(0), none.After(0), none.Before(0), none.Index(0)} {
		if got != -1 {
			t.Errorf("no matches: got %d, want -1", got)
		}
	}
}

func TestInRunOutput(t *testing.T) {
	out := registry.NewOutput(3, 1024)
	_, _ = out.Write([]byte("one FAIL\ntwo\nthree fail\nfour fail\nfive fai"))
	_, _ = out.Write([]byte("l so far")) // unfinished: searched too
	ms := InRun(mustCompile(t, "fail", Plain), out)
	var lines []int
	for _, m := range ms {
		lines = append(lines, m.Line)
	}
	// The ring holds "two", "three fail", "four fail" and the unfinished line.
	if want := []int{1, 2, 3}; !reflect.DeepEqual(lines, want) {
		t.Errorf("InRun found lines %v, want %v", lines, want)
	}
	if got := ms.On(3); !reflect.DeepEqual(got, []Range{{5, 9}}) {
		t.Errorf("unfinished line ranges %v", got)
	}
}

func lines(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s %d", prefix, i)
	}
	return out
}

func sliceSource(id int64, ls []string) Source {
	return Source{RunID: id, Name: fmt.Sprint("run", id), Lines: ReadFunc(func() ([]string, error) { return ls, nil })}
}

type hitKey struct {
	run  int64
	line int
}

func keys(hs []Hit) []hitKey {
	var k []hitKey
	for _, h := range hs {
		k = append(k, hitKey{h.RunID, h.Line})
	}
	return k
}

func TestAllOrderAndLimit(t *testing.T) {
	out := registry.NewOutput(100, 1024)
	for _, l := range []string{"match a", "no", "match b"} {
		out.AppendLine(l)
	}
	sources := []Source{
		{RunID: 9, Name: "live", Lines: Live(out)},
		sliceSource(7, []string{"match x", "match y", "nothing"}),
		{RunID: 5, Name: "broken", Lines: ReadFunc(func() ([]string, error) { return nil, errors.New("disk gone") })},
		{RunID: 4, Name: "nothing"},
		sliceSource(3, []string{"match z"}),
	}
	q := mustCompile(t, "match", Plain)
	all := []hitKey{{9, 2}, {9, 0}, {7, 1}, {7, 0}, {3, 0}}
	for _, workers := range []int{1, 2, 4} {
		for _, tt := range []struct {
			limit int
			want  []hitKey
			more  bool
		}{
			{0, all, false},
			{5, all, false},
			{6, all, false},
			{4, all[:4], true},
			{3, all[:3], true},
			{1, all[:1], true},
		} {
			res, err := all_(t, q, sources, tt.limit, workers)
			if err != nil {
				t.Fatal(err)
			}
			if got := keys(res.Hits); !reflect.DeepEqual(got, tt.want) || res.More != tt.more {
				t.Errorf("workers %d limit %d: hits %v more %v, want %v more %v", workers, tt.limit, got,
					res.More, tt.want, tt.more)
			}
			if tt.limit == 0 && (len(res.Errs) != 1 || !strings.Contains(res.Errs[0].Error(), "run 5 (broken): disk gone")) {
				t.Errorf("workers %d: errors %v, want run 5's", workers, res.Errs)
			}
		}
	}
	res, _ := All(context.Background(), q, sources, 0)
	if h := res.Hits[0]; h.Text != "match b" || h.Name != "live" || !reflect.DeepEqual(h.Ranges, []Range{{0, 5}}) {
		t.Errorf("first hit %+v", h)
	}
}

func all_(t *testing.T, q *Query, sources []Source, limit, workers int) (Results, error) {
	t.Helper()
	return all(context.Background(), q, sources, limit, workers)
}

// bigSources returns n sources of 10,000 lines that a query for "zebra"
// searches to the end, counting the sources read.
func bigSources(n int, read *atomic.Int64) []Source {
	ls := lines("nothing to see on this line of output, just words and numbers", 10000)
	sources := make([]Source, n)
	for i := range sources {
		sources[i] = Source{RunID: int64(i), Lines: ReadFunc(func() ([]string, error) {
			read.Add(1)
			return ls, nil
		})}
	}
	return sources
}

func TestAllCancelled(t *testing.T) {
	q := mustCompile(t, "zebra", Plain)
	for _, workers := range []int{1, 2} {
		// Cancelled before it starts: no source is read.
		var read atomic.Int64
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := all(ctx, q, bigSources(50, &read), 100, workers); !errors.Is(err, context.Canceled) {
			t.Errorf("workers %d: cancelled search returned %v, want context.Canceled", workers, err)
		}
		if read.Load() != 0 {
			t.Errorf("workers %d: %d sources read after cancel", workers, read.Load())
		}

		// Cancelled while it reads its first source: it stops there.
		read.Store(0)
		ctx, cancel = context.WithCancel(context.Background())
		sources := bigSources(50, &read)
		sources[0].Lines = ReadFunc(func() ([]string, error) {
			cancel()
			return []string{"zebra"}, nil
		})
		res, err := all(ctx, q, sources, 100, workers)
		if !errors.Is(err, context.Canceled) || res.Hits != nil {
			t.Errorf("workers %d: search cancelled midway returned %d hits, %v; want context.Canceled",
				workers, len(res.Hits), err)
		}
		// The other workers may each have taken a source before the cancel.
		if n := read.Load(); n > int64(workers-1) {
			t.Errorf("workers %d: %d sources read after cancel", workers, n)
		}
		cancel()
	}
}

func TestAllEmptyQuery(t *testing.T) {
	var read atomic.Int64
	res, err := All(context.Background(), mustCompile(t, "", Plain), bigSources(3, &read), 10)
	if err != nil || len(res.Hits) != 0 || read.Load() != 0 {
		t.Errorf("empty query: %v, %v, %d sources read", res, err, read.Load())
	}
}

// TestPrefilterRandom checks the search for a regular expression's
// alternatives against the regexp alone, on random alternatives and lines
// of characters that fold in awkward ways.
func TestPrefilterRandom(t *testing.T) {
	alphabet := []rune("aAkKsSxX.é\u212aſ ")
	rnd := rand.New(rand.NewPCG(3, 4))
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteRune(alphabet[rnd.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 3000 {
		var alts []string
		for range 2 + rnd.IntN(3) {
			alts = append(alts, regexp.QuoteMeta(word(1+rnd.IntN(3))))
		}
		q := mustCompile(t, strings.Join(alts, "|"), Regex)
		for range 20 {
			line := word(rnd.IntN(40))
			if got, want := q.Match(line), q.re.MatchString(line); got != want {
				t.Fatalf("Compile(%q).Match(%q) = %v, the regexp alone says %v", q, line, got, want)
			}
		}
	}
}
