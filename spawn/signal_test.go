package spawn

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// stripSignals strips in (cloned: write edits string bytes in place), in
// one write per element of reads, and returns the text and the signals.
func stripSignals(reads ...[]byte) (string, []Signal) {
	var sigs []Signal
	s := stripper{sig: signaler{on: func(sig Signal) { sigs = append(sigs, sig) }}}
	var out []byte
	for _, r := range reads {
		out = s.write(bytes.Clone(r), out)
	}
	return string(out), sigs
}

func bell() Signal                 { return Signal{Kind: SignalBell} }
func note(text string) Signal      { return Signal{Kind: SignalNotify, Text: text} }
func title(text string) Signal     { return Signal{Kind: SignalTitle, Text: text} }
func progress(busy bool) Signal    { return Signal{Kind: SignalProgress, Busy: busy} }
func osc(body, term string) string { return "\x1b]" + body + term }

// signalCases are OSC bodies (without ESC ] and terminator) and the signals
// they give.
var signalCases = []struct {
	body string
	want []Signal
}{
	{"9;hello", []Signal{note("hello")}},
	{"9;build done ✓", []Signal{note("build done ✓")}},
	{"9;", []Signal{note("")}},
	{"9;1 test failed; see log", []Signal{note("1 test failed; see log")}},
	{"9;4;1;50", []Signal{progress(true)}},
	{"9;4;2;10", []Signal{progress(true)}},
	{"9;4;3", []Signal{progress(true)}},
	{"9;4;3;", []Signal{progress(true)}},
	{"9;4;0", []Signal{progress(false)}},
	{"9;4;0;0", []Signal{progress(false)}},
	{"9;4;4;20", []Signal{progress(false)}},
	{"9;4;", []Signal{progress(false)}},
	{"9;4;7;1", nil},
	{"9;4;x", nil},
	{"9;4;1000", nil},
	{"9;2;a message box", []Signal{note("a message box")}},
	{"9;9;/home/someone", nil},
	{"9;3;tab title", nil},
	{"9;1;100", nil},
	{"9;12", nil},
	{"9", nil},
	{"777;notify;Build;finished in 3s", []Signal{note("Build: finished in 3s")}},
	{"777;notify;;only a body", []Signal{note("only a body")}},
	{"777;notify;only a title;", []Signal{note("only a title")}},
	{"777;notify;only a title", []Signal{note("only a title")}},
	{"777;notify;T;a;b", []Signal{note("T: a;b")}},
	{"777;preexec", nil},
	{"99;;Hello world", []Signal{note("Hello world")}},
	{"99;i=1:p=body;just a body", []Signal{note("just a body")}},
	{"99;e=1;" + base64.StdEncoding.EncodeToString([]byte("héllo")), []Signal{note("héllo")}},
	{"99;e=1;" + base64.RawStdEncoding.EncodeToString([]byte("héllo")), []Signal{note("héllo")}},
	{"99;i=1:p=?;", nil},
	{"99;i=1:p=close;", nil},
	{"99;i=1:p=alive;", nil},
	{"99;no second semicolon", nil},
	{"0;a title", []Signal{title("a title")}},
	{"2;✳ Claude Code", []Signal{title("✳ Claude Code")}},
	{"1;an icon name", nil},
	{"8;;https://example.com", nil},
	{"7;file:///tmp", nil},
	{"52;c;aGVsbG8=", nil},
	{"9;del\x7fand \xc2\x9bC1 and \xff invalid", []Signal{note("deland C1 and \ufffd invalid")}},
}

func TestSignalsOfEveryFormWithEitherTerminator(t *testing.T) {
	for _, c := range signalCases {
		for _, term := range []string{"\x07", "\x1b\\"} {
			in := "a" + osc(c.body, term) + "b"
			text, got := stripSignals([]byte(in))
			if !slices.Equal(got, c.want) {
				t.Errorf("%q: signals %+v, want %+v", in, got, c.want)
			}
			if text != "ab" {
				t.Errorf("%q: text %q, want %q", in, text, "ab")
			}
		}
	}
}

// TestSignalsSplitAtEveryByte writes each sequence, between text, in two
// reads split at every offset: the same single signal (or none), the same
// text.
func TestSignalsSplitAtEveryByte(t *testing.T) {
	extra := []string{"\x07", "x\x07y", "\x1b]99;i=1:d=0;Hello world\x1b\\\x1b]99;i=1:d=1:p=body;This is cool\x07"}
	var ins []string
	for _, c := range signalCases {
		ins = append(ins, "ab"+osc(c.body, "\x07")+"cd", "ab"+osc(c.body, "\x1b\\")+"cd")
	}
	ins = append(ins, extra...)
	for _, in := range ins {
		wantText, want := stripSignals([]byte(in))
		for i := 0; i <= len(in); i++ {
			text, got := stripSignals([]byte(in[:i]), []byte(in[i:]))
			if !slices.Equal(got, want) || text != wantText {
				t.Fatalf("%q split at %d: %q %+v, in one read %q %+v", in, i, text, got, wantText, want)
			}
		}
	}
}

func TestBellOutsideSequencesOnly(t *testing.T) {
	for _, c := range []struct {
		in    string
		bells int
	}{
		{"\x07", 1},
		{"a\x07b\x07\x07", 3},
		{"\x1b]0;t\x07", 0},     // the OSC's terminator
		{"\x1b]9;x\x07\x07", 1}, // a terminator, then a bell
		{"\x1bP+q5463\x07\x1b\\", 0},
		{"\x1b[31m\x07\x1b[0m", 1},
	} {
		_, sigs := stripSignals([]byte(c.in))
		n := 0
		for _, s := range sigs {
			if s.Kind == SignalBell {
				n++
			}
		}
		if n != c.bells {
			t.Errorf("%q: %d bells, want %d", c.in, n, c.bells)
		}
	}
}

func TestSignalsInOrderAndAbortedSequencesGiveNone(t *testing.T) {
	in := "\x07" + osc("0;one", "\x07") + osc("0;one", "\x07") + osc("9;note", "\x1b\\") + "\x07" +
		osc("0;two", "\x1b\\") +
		"\x1b]9;cancelled\x18" + // CAN aborts the OSC
		"\x1b]9;substituted\x1a" + // so does SUB
		"\x1b]9;interrupted\x1b[31m" + // an ESC that is not ST starts a new sequence
		osc("9;4;1;5", "\x07") + osc("9;4;0", "\x07") +
		"\x1b]99;i=1:d=0;first\x1b\\\x1b]99;i=2;second\x1b\\" // another id drops the open one
	_, got := stripSignals([]byte(in))
	want := []Signal{bell(), title("one"), note("note"), bell(), title("two"), progress(true), progress(false),
		note("second")}
	if !slices.Equal(got, want) {
		t.Fatalf("signals\n%+v\nwant\n%+v", got, want)
	}
}

func TestKittyNotificationInChunks(t *testing.T) {
	in := "\x1b]99;i=7:d=0;Hello \x1b\\\x1b]99;i=7:d=0;world\x1b\\" +
		"\x1b]99;i=7:d=0:p=body;This is \x1b\\\x1b]99;i=7:p=body;cool\x1b\\"
	_, got := stripSignals([]byte(in))
	if want := []Signal{note("Hello world: This is cool")}; !slices.Equal(got, want) {
		t.Fatalf("signals %+v, want %+v", got, want)
	}
	// Chunks never finished are bounded however many come.
	var b bytes.Buffer
	for range 100 {
		fmt.Fprintf(&b, "\x1b]99;i=1:d=0;%s\x1b\\", strings.Repeat("z", 1000))
	}
	b.WriteString("\x1b]99;i=1;end\x1b\\")
	_, got = stripSignals(b.Bytes())
	if len(got) != 1 || len(got[0].Text) > maxSignalText || !strings.HasPrefix(got[0].Text, "zzz") {
		t.Fatalf("100 chunks of 1000 bytes: %d signals, text of %d bytes", len(got), len(got[0].Text))
	}
}

func TestOversizePayloadIsCutNotKeptWhole(t *testing.T) {
	long := strings.Repeat("é", 10_000) // 20,000 bytes
	for _, body := range []string{"9;" + long, "777;notify;" + long + ";body", "99;;" + long, "0;" + long} {
		for _, term := range []string{"\x07", "\x1b\\"} {
			text, got := stripSignals([]byte("a" + osc(body, term) + "b"))
			if text != "ab" {
				t.Fatalf("%.12q…: text of %d bytes %.20q, want \"ab\"", body, len(text), text)
			}
			if len(got) != 1 {
				t.Fatalf("%.12q…: %d signals", body, len(got))
			}
			s := got[0].Text
			if len(s) == 0 || len(s) > maxSignalText || !utf8.ValidString(s) || strings.Trim(s, "é") != "" {
				t.Fatalf("%.12q…: text of %d bytes, valid %v: %.20q…", body, len(s), utf8.ValidString(s), s)
			}
		}
	}
	// Beyond maxOSCSeq an unterminated OSC is abandoned: no signal, and
	// the text after it is text again.
	in := "\x1b]9;" + strings.Repeat("q", maxOSCSeq+10) + "\x07" + "\nafter\n"
	text, got := stripSignals([]byte(in))
	if !strings.HasSuffix(text, "\nafter\n") || len(got) != 1 || got[0].Kind != SignalBell {
		t.Fatalf("runaway OSC: text ends %q, signals %+v", text[max(0, len(text)-10):], got)
	}
}

// TestSignalsLeaveTheTextAsItWas strips a random mix of text, controls,
// sequences and signals with and without a signal callback, in reads of
// random sizes: the text, sync points and state are the same.
func TestSignalsLeaveTheTextAsItWas(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	pieces := []string{
		"plain text of some length, more than eight bytes", "✳ héllo wörld", "\r\n", "\n", "\t", "\x07",
		"\x1b[31m", "\x1b[0m", "\x1b[?1049h", "\x1b[?1049l", "\x1b]0;title ✳\x07", "\x1b]2;t\x1b\\",
		"\x1b]9;note\x07", "\x1b]9;4;1;20\x1b\\", "\x1b]777;notify;a;b\x07", "\x1b]99;i=1:d=0;x\x1b\\",
		"\x1b]99;;y\x07", "\x1b]9;", "\x18", "\x1b[6n", "\x1b_apc \xe2\x9c\xb3\x1b\\", "abcdefgh",
	}
	var in []byte
	for range 20_000 {
		in = append(in, pieces[r.IntN(len(pieces))]...)
	}
	type result struct {
		text  string
		syncs []int64
		title string
		query int64
	}
	run := func(on func(Signal), maxRead int) result {
		var res result
		s := stripper{onSync: func(pos int64, alt bool) { res.syncs = append(res.syncs, pos) }}
		s.sig.on = on
		buf := bytes.Clone(in)
		var out []byte
		for i := 0; i < len(buf); {
			n := min(1+r.IntN(maxRead), len(buf)-i)
			out = s.write(buf[i:i+n], out)
			i += n
		}
		res.text, res.title, res.query = string(out), s.term.Title(), s.lastQuery
		return res
	}
	want := run(nil, len(in))
	n := 0
	for _, maxRead := range []int{1, 64, 4096, len(in)} {
		got := run(func(Signal) { n++ }, maxRead)
		if got.text != want.text || !slices.Equal(got.syncs, want.syncs) || got.title != want.title ||
			got.query != want.query {
			t.Fatalf("reads up to %d bytes with signals: the result differs from one without", maxRead)
		}
	}
	if n == 0 {
		t.Fatal("no signals in a mix full of them")
	}
}

// TestSpawnerReportsSignalsOfARealChild runs children under real PTYs that
// write every kind of signal: OnSignal gets them in order, with their run's
// id.
func TestSpawnerReportsSignalsOfARealChild(t *testing.T) {
	r := newRig(t)
	type got struct {
		id  int64
		sig Signal
	}
	ch := make(chan got, 64)
	r.sp.OnSignal(func(id int64, sig Signal) {
		select {
		case ch <- got{id, sig}:
		default:
			t.Errorf("signal channel full at %+v", sig)
		}
	})
	script := func(tag string) string {
		return `printf '\033]9;hello ` + tag + `\007'; printf '\a'; printf 'text\n'; ` +
			`printf '\033]0;title ` + tag + `\033\\'; printf '\033]777;notify;Build;` + tag + `\007'; ` +
			`printf '\033]9;4;3;\033\\'; printf '\033]99;;kitty ` + tag + `\033\\'; printf '\033]9;4;0\007'`
	}
	want := func(tag string) []Signal {
		return []Signal{note("hello " + tag), bell(), title("title " + tag), note("Build: " + tag), progress(true),
			note("kitty " + tag), progress(false)}
	}
	p1, p2 := r.sh(t, script("one")), r.sh(t, script("two"))
	byRun := map[int64][]Signal{}
	deadline := time.After(30 * time.Second)
	for len(byRun[p1.RunID()])+len(byRun[p2.RunID()]) < 14 {
		select {
		case g := <-ch:
			byRun[g.id] = append(byRun[g.id], g.sig)
		case <-deadline:
			t.Fatalf("signals so far: %+v", byRun)
		}
	}
	waitDone(t, p1)
	waitDone(t, p2)
	if len(byRun) != 2 {
		t.Fatalf("signals from %d runs: %+v", len(byRun), byRun)
	}
	for p, tag := range map[*Proc]string{p1: "one", p2: "two"} {
		if got := byRun[p.RunID()]; !slices.Equal(got, want(tag)) {
			t.Errorf("run %d: signals\n%+v\nwant\n%+v", p.RunID(), got, want(tag))
		}
	}
	select {
	case g := <-ch:
		t.Fatalf("an extra signal: %+v", g)
	default:
	}
}

// TestChildSignalsNeverReachTheViewRaw: a child's bells and notification
// sequences end in neither the emulated screen (which the interface draws
// on corral's terminal) nor the plain text: no BEL, no OSC, no payload.
func TestChildSignalsNeverReachTheViewRaw(t *testing.T) {
	r := newRig(t)
	p := r.sh(t, `printf 'before\a\n'; printf '\033]9;secret-9\007'; printf '\033]777;notify;secret;777\033\\'; `+
		`printf '\033]99;;secret-99\033\\'; printf '\033]9;4;1;50\007'; printf '\033]0;secret-title\007'; printf 'after\n'`)
	waitDone(t, p)
	r.screenHas(t, p, "after")
	r.outputHas(t, p, "after")
	for what, s := range map[string]string{"screen": p.Render(), "screen text": p.Text(),
		"plain text": r.reg.LiveOutput(p.RunID())} {
		if strings.ContainsAny(s, "\x07") || strings.Contains(s, "\x1b]") || strings.Contains(s, "secret") ||
			strings.Contains(s, "9;4") {
			t.Errorf("the %s holds what the child signalled: %q", what, s)
		}
	}
	if p.Title() != "secret-title" {
		t.Errorf("title %q", p.Title())
	}
}

// BenchmarkStripperSignals strips text in which every line sets the title
// (as agents' spinners do) and rings the bell, with a signal callback.
func BenchmarkStripperSignals(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; buf.Len() < 1<<20; i++ {
		fmt.Fprintf(&buf, "\x1b]0;%s working %d\x07line %9d the quick brown fox jumps over the lazy dog\a\n",
			[]string{"⠂", "⠐", "⠄", "⠠"}[i%4], i%10, i)
	}
	text := buf.Bytes()
	n := 0
	s := stripper{sig: signaler{on: func(Signal) { n++ }}}
	out := make([]byte, 0, 8192)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		for i := 0; i < len(text); i += 4096 {
			out = s.write(text[i:min(i+4096, len(text))], out[:0])
		}
	}
	if n == 0 {
		b.Fatal("no signals")
	}
}
