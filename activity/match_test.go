package activity

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

func TestLowerASCII(t *testing.T) {
	// Every byte at every position of a word, and the tail.
	for pos := 0; pos < 11; pos++ {
		for c := 0; c < 256; c++ {
			b := []byte("xY@[`{\x80\xffzZ_")
			b[pos] = byte(c)
			want := []byte(string(b))
			for i, x := range want {
				if 'A' <= x && x <= 'Z' {
					want[i] = x + 32
				}
			}
			if got := lowerASCII(b); string(got) != string(want) {
				t.Fatalf("byte %#x at %d: %q, want %q", c, pos, got, want)
			}
		}
	}
}

// The literal fast path finds what the regexp finds, where the regexp
// finds it, for patterns of the shapes agents use; others keep the regexp.
func TestMatcherAgreesWithTheRegexp(t *testing.T) {
	patterns := []struct {
		re   string
		fast bool
	}{
		{`(?i)esc to interrupt`, true},
		{`(?i)Do you want to proceed\?|Would you like to proceed|Enter to select|Esc to cancel`, true},
		{`(?i)esc to cancel|esc to interrupt`, true},
		{`(?i)\(Y\)es/\(N\)o`, true},
		{`(?i)Allow (command|execution)\?`, true},
		{`(?i)a|b|x`, true},
		{`(?i)[yn]/[YN]`, true},
		{`Esc to cancel|Allow`, true},
		{`[Yy]es`, true},
		{`(?i)\?`, true},
		{`\?\?`, true},
		{`(?i)esc|Allow`, true},
		{`(?i)esc(?-i:Allow)`, false}, // mixed: the regexp
		{`(?i)esc to interrupt.*tokens`, false},
		{`(?i)^> `, false},
		{`(?i)\bidle\b`, false},
		{`(?i)[a-z]+ to cancel`, false},
		{`(?i)(a|b)(c|d)(e|f)(g|h)(i|j)(k|l)(m|n)`, false}, // 128 strings
		{`(?i)café`, false},
		{`(?i)x*`, false},
	}
	texts := []string{"", "ESC TO INTERRUPT", "… (3s · esc to interrupt)", "Esc to cancel  Do you want to proceed?",
		"(y)ES/(n)o", "allow execution? allow command?", "Allow", "ALLOW", "yes Yes YES", "y/N", "n/y", "b", "??",
		"\x80esc\xffESC", "eSc To InTeRrUpT", "café CAFÉ", "ſsc to interrupt", "x"}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"esc", " to ", "interrupt", "cancel", "ESC", "Allow", "(Y)es/(N)o", "?", "y", "N", "é", "\n", "A", "b"}
	for range 300 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		texts = append(texts, b.String())
	}
	for _, p := range patterns {
		re := regexp.MustCompile(p.re)
		m := newMatcher(re)
		if (m.lits != nil) != p.fast {
			t.Errorf("%s: fast path %v (%q), want %v", p.re, m.lits != nil, m.lits, p.fast)
		}
		for _, text := range texts {
			if strings.ContainsAny(text, "ſK") {
				continue // the documented difference
			}
			var s screenText
			s.set(text)
			i, j, ok := m.find(&s)
			loc := re.FindStringIndex(text)
			if ok != (loc != nil) || ok && (i != loc[0] || m.lits != nil && j <= i) {
				t.Errorf("%s in %q: %v %d:%d, regexp %v", p.re, text, ok, i, j, loc)
			}
		}
	}
	var nilMatcher *matcher
	if _, _, ok := nilMatcher.find(&screenText{text: "x"}); ok || newMatcher(nil) != nil {
		t.Error("no pattern matched")
	}
}
