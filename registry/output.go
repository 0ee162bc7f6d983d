package registry

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// Output is the bounded plain-text history of one run: a ring of the last
// complete lines plus the line being written. The ring holds at most N lines
// (WithOutputLines) and at most B bytes of their text (WithOutputBytes); the
// oldest lines go first when either limit is reached. Appends never wait on
// readers for longer than a copy of slice headers; lines are immutable
// strings, so readers share them without copying text.
type Output struct {
	mu        sync.Mutex
	ring      []string // storage, grown up to max; the lines held are ring[head], ring[head+1], … (mod len)
	head      int      // index of the oldest line held
	n         int      // lines held
	max       int      // lines held at most
	maxBytes  int      // bytes of complete lines held at most (the newest line is always kept)
	bytes     int      // bytes of the complete lines held, kept as lines come and go
	lineBytes int
	cur       []byte // the unfinished last line
	arena     []byte // the block complete lines are copied into (see intern)
	cr        bool   // a carriage return is pending: the next text overwrites cur
	total     int64  // lines ever completed, for readers tracking position
	written   int64  // bytes ever written, a line finished or not
	restarted int64  // written, just after the last restart marker (AppendRestart)

	// st is the styling of the lines that had SGR sequences (styled.go),
	// nil until the first.
	st *styles
}

// NewOutput returns an empty history of at most maxLines lines of at most
// lineBytes bytes each, and at most DefaultOutputBytes of text. Runs get
// theirs from the registry; this is for readers' tests and other producers.
func NewOutput(maxLines, lineBytes int) *Output {
	return NewOutputBudget(maxLines, lineBytes, DefaultOutputBytes)
}

// NewOutputBudget is NewOutput with a byte budget: the complete lines held
// never add up to more than maxBytes bytes, except that the newest is always
// kept.
func NewOutputBudget(maxLines, lineBytes, maxBytes int) *Output {
	maxLines = max(maxLines, 1)
	return &Output{max: maxLines, lineBytes: max(lineBytes, 16), maxBytes: max(maxBytes, 1),
		ring: make([]string, min(maxLines, 256))}
}

// Write appends text. '\n' ends a line, '\r' makes the following text
// overwrite the line (as a progress bar expects), a line longer than the
// byte cap is wrapped. Write never fails.
func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.write(p)
	return len(p), nil
}

// AppendLine adds text as a line of its own, as the original
// append_live_output did: an unfinished line is ended first, and the text is
// ended with a line end unless it already ends with one ("x\n" adds the one
// line "x", "a\nb" adds two, "" adds an empty line). The text is in the
// default style, and so is the text written after it (see WriteStyled).
func (o *Output) AppendLine(text string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.appendLine(text)
}

// appendLine is AppendLine with o.mu held.
func (o *Output) appendLine(text string) {
	text = strings.TrimSuffix(text, "\n")
	text = strings.TrimSuffix(text, "\r")
	if len(o.cur) > 0 {
		o.endLine()
	}
	o.cr = false
	if o.st != nil {
		// A line of ours (a restart's marker), not in the child's colours;
		// what follows it comes from a new terminal, in the default style.
		o.st.restartLine()
		o.st.start, o.st.active = "", ""
	}
	o.write([]byte(text))
	o.cr = false
	o.endLine()
}

func (o *Output) write(p []byte) {
	o.written += int64(len(p))
	// The next line feed and carriage return at or after i, found with
	// the vectorised IndexByte; each is searched again only once passed,
	// so a chunk of many \r (a progress bar) is scanned once.
	nl, cr := -1, -1
	for i := 0; i < len(p); {
		if nl < i {
			nl = indexFrom(p, i, '\n')
		}
		if cr < i {
			cr = indexFrom(p, i, '\r')
		}
		j := min(nl, cr)
		if j > i {
			if o.cr {
				o.cur, o.cr = o.cur[:0], false
				if o.st != nil {
					o.st.restartLine()
				}
			}
			o.appendCur(p[i:j])
		}
		if j == len(p) {
			break
		}
		if p[j] == '\n' {
			o.cr = false
			o.endLine()
		} else {
			o.cr = true
		}
		i = j + 1
	}
}

// indexFrom returns the index of the first c in p at or after i, or len(p).
func indexFrom(p []byte, i int, c byte) int {
	if k := bytes.IndexByte(p[i:], c); k >= 0 {
		return i + k
	}
	return len(p)
}

func (o *Output) appendCur(b []byte) {
	for len(b) > 0 {
		room := o.lineBytes - len(o.cur)
		if room <= 0 {
			o.endLine()
			continue
		}
		n := min(room, len(b))
		o.cur = append(o.cur, b[:n]...)
		b = b[n:]
	}
}

func (o *Output) endLine() {
	styled := ""
	if o.st != nil {
		if b := o.st.encode(o.cur); b != nil {
			styled = o.internRaw(b)
		}
		o.st.restartLine()
	}
	o.push(o.intern(o.cur), styled)
	if cap(o.cur) > 4*o.lineBytes/3 && cap(o.cur) > 1024 {
		o.cur = nil // let a huge buffer go
	} else {
		o.cur = o.cur[:0]
	}
}

// push adds a complete line and its style changes, if it has any (see
// styles.encode), first dropping the oldest lines while either limit would
// be passed (the changes' bytes count with their line's). Each line is dropped once, so a push
// costs O(1) amortised.
func (o *Output) push(s, styled string) {
	o.total++
	for o.n > 0 && (o.n == o.max || o.bytes+len(s)+len(styled) > o.maxBytes) {
		o.bytes -= len(o.ring[o.head])
		if o.st != nil {
			o.bytes -= o.st.drop(o.total - 1 - int64(o.n))
		}
		o.ring[o.head] = "" // let the text go
		o.head = (o.head + 1) % len(o.ring)
		o.n--
	}
	if o.n == len(o.ring) {
		o.grow()
	}
	o.ring[(o.head+o.n)%len(o.ring)] = s
	o.n++
	o.bytes += len(s)
	if styled != "" {
		o.st.add(o.total-1, styled, o.max)
		o.bytes += len(styled)
	}
}

// grow doubles the ring's storage, up to max lines, keeping the lines in order.
func (o *Output) grow() {
	ring := make([]string, min(max(2*len(o.ring), 1), o.max))
	for i := range o.n {
		ring[i] = o.ring[(o.head+i)%len(o.ring)]
	}
	o.ring, o.head = ring, 0
}

// at returns the i-th complete line held, 0 being the oldest.
func (o *Output) at(i int) string { return o.ring[(o.head+i)%len(o.ring)] }

// arenaBlock is the size of the blocks that hold the ring's lines: a line
// is a string over a block, so a flood of short lines costs one allocation
// per block instead of one per line. A block is never written where a line
// already lies, so the strings stay immutable; it is freed once no line
// held refers to it.
const arenaBlock = 64 << 10

// intern returns b as a string, as visible does, kept in the ring's current
// block.
func (o *Output) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > arenaBlock/8 || !utf8.Valid(b) {
		return visible(b) // long lines, and the rare garbage, on their own
	}
	return o.internRaw(b)
}

// internRaw is intern for bytes that are not text (a line's style changes,
// see styles.encode): kept as they are.
func (o *Output) internRaw(b []byte) string {
	if len(b) > arenaBlock/8 {
		return string(b)
	}
	if cap(o.arena)-len(o.arena) < len(b) {
		o.arena = make([]byte, 0, arenaBlock)
	}
	start := len(o.arena)
	o.arena = append(o.arena, b...)
	return unsafe.String(&o.arena[start], len(b))
}

// visible returns b as a string with each invalid UTF-8 byte shown as U+FFFD,
// so garbage from a child stays visible instead of corrupting the screen.
func visible(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			sb.WriteRune(utf8.RuneError)
		} else {
			sb.Write(b[:n])
		}
		b = b[n:]
	}
	return sb.String()
}

// Total returns the number of lines ever completed, including those the
// ring has dropped: a reader compares two totals to learn how many lines
// arrived in between.
func (o *Output) Total() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.total
}

// Since returns the complete lines that followed the first `after` lines
// ever completed (as many of them as the ring still holds) and the new
// total, for a reader that follows the output line by line.
func (o *Output) Since(after int64) ([]string, int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := int(min(o.total-after, int64(o.n)))
	if n <= 0 {
		return nil, o.total
	}
	out := make([]string, 0, n)
	for i := o.n - n; i < o.n; i++ {
		out = append(out, o.at(i))
	}
	return out, o.total
}

// AppendRestart appends a restart's marker line (AppendLine) and notes
// where it ends: what the run's new process writes comes after it.
func (o *Output) AppendRestart(marker string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.appendLine(marker)
	o.restarted = o.written
}

// WrittenAtRestart returns Written as it was just after the last restart
// marker, 0 for a run never restarted: a count of the new process's own
// output starts there.
func (o *Output) WrittenAtRestart() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.restarted
}

// Written returns how many bytes of text were ever written: it grows with
// every write, whether or not it ends a line (a progress bar's \r).
func (o *Output) Written() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.written
}

// Unfinished reports whether the last line written has not ended yet (no
// line feed after it): a writer that adds a line of its own elsewhere, such
// as the restart marker in a run's log, ends that line first.
func (o *Output) Unfinished() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.cur) > 0
}

// Len returns the number of lines held, counting an unfinished last line.
func (o *Output) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := o.n
	if len(o.cur) > 0 {
		n++
	}
	return n
}

// Lines returns up to n lines starting at index from (0 is the oldest line
// held), the unfinished last line included. The strings are shared, not copied.
func (o *Output) Lines(from, n int) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.linesLocked(from, n)
}

func (o *Output) linesLocked(from, n int) []string {
	held := o.n
	total := held
	if len(o.cur) > 0 {
		total++
	}
	if from < 0 {
		from = 0
	}
	if from >= total || n <= 0 {
		return nil
	}
	n = min(n, total-from)
	out := make([]string, 0, n)
	for i := from; i < from+n; i++ {
		if i == held {
			out = append(out, visible(o.cur))
			break
		}
		out = append(out, o.at(i))
	}
	return out
}

// Tail returns the last n lines, the unfinished one included.
func (o *Output) Tail(n int) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	l := o.n
	if len(o.cur) > 0 {
		l++
	}
	return o.linesLocked(l-n, n)
}

// String returns the whole history joined with newlines, as the original's
// get_live_output did.
func (o *Output) String() string {
	return strings.Join(o.Tail(o.max+1), "\n")
}

// Output returns the output history of a run, for readers that keep it (the
// UI) and writers that feed it (spawn's reader), or nil for an unknown run.
func (r *Registry) Output(runID int64) *Output {
	ru := r.lookup(runID)
	if ru == nil {
		return nil
	}
	return ru.out
}

// AppendOutput appends p to a run's output as a byte stream (what spawn's
// reader hands over per read: a line may end in a later call, see
// Output.Write) and notifies subscribers. AppendLiveOutput adds whole lines.
func (r *Registry) AppendOutput(runID int64, p []byte) error {
	ru := r.lookup(runID)
	if ru == nil {
		return fmt.Errorf("append output to run %d: %w", runID, ErrNotFound)
	}
	_, _ = ru.out.Write(p)
	r.NotifyOutput(runID)
	return nil
}
