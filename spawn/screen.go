package spawn

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/vt"
)

// Tuning of the screen emulation. x/vt emulates scrolling text at only a
// few MB/s while a PTY delivers ~100 MB/s, so the emulator runs beside the
// reader, never in its way: it catches up with small gaps, and rebuilds the
// screen from the tail of the output when far behind.
const (
	rawSize     = 4 << 20  // raw output kept for the emulator
	catchUp     = 32 << 10 // a gap up to this is fed whole
	replayBytes = 16 << 10 // when skipping, replay about this much tail
	altBudget   = 64 << 10 // per wake, in the alternate screen (not skipped)
	minInterval = 16 * time.Millisecond
	// floodInterval paces a screen whose output comes faster than it is
	// shown (each step rebuilds it from the tail): 30 frames a second, what
	// the interface draws a flood at.
	floodInterval = 33 * time.Millisecond
	// hiddenInterval paces a screen no one is looking at: it keeps up, at
	// a fraction of the cost (the selected run's pane is the one shown).
	hiddenInterval = 250 * time.Millisecond
	maxSyncs       = 4096
)

// Sentinels written into the emulator's reply pipe so that the reply copier,
// which owns the mute state, switches it in order with the replies.
var (
	muteOn  = []byte("\x00corral:mute\x00")
	muteOff = []byte("\x00corral:unmute\x00")
)

type syncPoint struct {
	pos int64
	alt bool
}

// screen is the emulated terminal of one child.
//
// Its emulator (~5 MB: two cell buffers and an eager 4 MiB parser buffer) is
// made only when first needed: when the child has written something, or
// when keys, a paste or View need it. A child that writes nothing costs no
// emulator, however long it runs; until it has one, its screen is blank at
// its size.
type screen struct {
	mu  sync.Mutex   // guards emu, final, cols, rows and repliesDone
	emu *vt.Emulator // nil until made (ensureLocked), and again once released
	// final is the screen as the emulator left it, kept once it is released
	// (blank if it was never made); non-nil means released.
	final      *finalScreen
	cols, rows int // the screen's size, kept while there is no emulator
	// repliesDone is closed when copyReplies has returned (made with the
	// emulator).
	repliesDone chan struct{}

	rawMu     sync.Mutex  // guards the fields up to eof
	raw       []byte      // the last rawSize bytes: grows to rawSize, then a ring
	total     int64       // bytes ever written
	syncs     []syncPoint // a ring of maxSyncs, allocated on first use
	sHead, sN int
	alt       bool  // alternate screen in force at total
	lastQuery int64 // offset just past the last query
	eof       bool

	hidden atomic.Bool   // no pane shows this screen; set by newScreen
	nudge  chan struct{} // shown again: stop waiting
	fed    int64         // bytes the emulator has consumed (emulator goroutine only)
	buf    []byte        // the emulator goroutine's copy buffer
	wake   chan struct{}
	// started runs the emulator goroutine on the first kick (or stands for
	// it, closing done, if the screen is closed first): a child that writes
	// nothing and is never shown has none.
	started sync.Once
	done    chan struct{} // closed when the emulator goroutine ends
	stop    chan struct{}
	notify  func() // the screen changed
	reply   func([]byte)

	term       *termState  // the reader's view of the child's modes
	host       *hostColors // the outer terminal's colours
	childColor [2]bool     // the child set its foreground, background (under mu)

	// stats, read by benchmarks and tests (emulator goroutine writes).
	statMu   sync.Mutex
	replays  int
	fedBytes int64
}

// newScreen returns the screen of a child: term is what the reader learns
// of its modes (keys are encoded with them), host the outer terminal's
// colours; either may be nil.
func newScreen(cols, rows int, notify func(), reply func([]byte), term *termState, host *hostColors) *screen {
	sc := &screen{cols: cols, rows: rows, wake: make(chan struct{}, 1), nudge: make(chan struct{}, 1),
		done: make(chan struct{}), stop: make(chan struct{}), notify: notify, reply: reply,
		term: term, host: host}
	// A screen starts hidden: the interface shows one run at a time and
	// marks that one visible, so every other run is emulated at the low
	// rate from its first byte.
	sc.hidden.Store(true)
	return sc
}

// ensureLocked returns the emulator, making it at the screen's size (with
// its reply goroutine) if there is none yet; nil once released. sc.mu held.
// A new emulator is fed from the start of what the raw ring holds: the
// emulator goroutine's fed offset is where it left off (0 at first), and a
// gap too large to feed whole is replayed from a sync point in its tail.
func (sc *screen) ensureLocked() *vt.Emulator {
	if sc.emu != nil || sc.final != nil {
		return sc.emu
	}
	emu := vt.NewEmulator(sc.cols, sc.rows)
	emu.SetScrollbackSize(1) // history is the registry's plain-text ring
	sc.emu = emu
	sc.registerAnswers()
	done := make(chan struct{})
	sc.repliesDone = done
	go func() {
		defer close(done)
		sc.copyReplies(emu)
	}()
	return emu
}

// write records a read of raw output with the sync points and state the
// reader's stripper found in it. Called by the reader only.
func (sc *screen) write(p []byte, syncs []syncPoint, alt bool, lastQuery int64) {
	sc.rawMu.Lock()
	if need := sc.total + int64(len(p)); need > int64(len(sc.raw)) && len(sc.raw) < rawSize {
		// Until the ring wraps, offset o sits at raw[o], so growing is a copy.
		grown := make([]byte, min(rawSize, max(2*need, 64<<10)))
		copy(grown, sc.raw)
		sc.raw = grown
	}
	for len(p) > 0 {
		at := int(sc.total % rawSize)
		n := copy(sc.raw[at:], p)
		p = p[n:]
		sc.total += int64(n)
	}
	if len(syncs) > 0 && sc.syncs == nil {
		sc.syncs = make([]syncPoint, maxSyncs)
	}
	for _, s := range syncs {
		sc.syncs[(sc.sHead+sc.sN)%maxSyncs] = s
		if sc.sN < maxSyncs {
			sc.sN++
		} else {
			sc.sHead = (sc.sHead + 1) % maxSyncs
		}
	}
	asked := lastQuery > sc.lastQuery
	sc.alt, sc.lastQuery = alt, lastQuery
	sc.rawMu.Unlock()
	if asked {
		// The child waits for an answer: no hidden-screen pause.
		select {
		case sc.nudge <- struct{}{}:
		default:
		}
	}
	sc.kick()
}

// end marks the end of output: the emulator takes in the rest and stops.
func (sc *screen) end() {
	sc.rawMu.Lock()
	sc.eof = true
	sc.rawMu.Unlock()
	sc.kick()
}

func (sc *screen) kick() {
	sc.started.Do(func() { go sc.loop() })
	select {
	case sc.wake <- struct{}{}:
	default:
	}
}

// close stops the goroutines without waiting for the rest of the output.
func (sc *screen) close() {
	sc.started.Do(func() { close(sc.done) }) // never started: nothing to stop
	select {
	case <-sc.stop:
	default:
		close(sc.stop)
	}
	<-sc.done
	sc.release()
}

func (sc *screen) loop() {
	defer close(sc.done)
	interval := minInterval
	var last time.Time
	skipping := false // the last step replayed: the output floods
	for {
		select {
		case <-sc.wake:
		case <-sc.stop:
			return
		}
		base := minInterval
		if !sc.queryPending() { // a child waiting for an answer never waits longer
			switch {
			case sc.hidden.Load():
				base = hiddenInterval
			case skipping:
				base = floodInterval
			}
		}
		if wait := max(interval, base) - time.Since(last); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-sc.nudge:
				t.Stop()
			case <-sc.stop:
				t.Stop()
				return
			}
		}
		began := time.Now()
		more, finished, replayed := sc.step()
		skipping = replayed
		last = time.Now()
		// Keep the emulator under about a quarter of a core.
		interval = 3 * last.Sub(began)
		if finished {
			return
		}
		if more {
			sc.kick()
		}
	}
}

// queryPending reports whether the child asked the terminal something the
// emulator has not read yet.
func (sc *screen) queryPending() bool {
	sc.rawMu.Lock()
	defer sc.rawMu.Unlock()
	return sc.lastQuery > sc.fed
}

// step feeds the emulator once. more reports bytes left for another step;
// finished that the output has ended and all of it is on screen.
func (sc *screen) step() (more, finished, replayed bool) {
	sc.mu.Lock()
	rows, cols := sc.rows, sc.cols
	sc.mu.Unlock()
	sc.rawMu.Lock()
	total, gap := sc.total, sc.total-sc.fed
	if gap == 0 {
		sc.rawMu.Unlock()
		return false, sc.ended(), false
	}
	query := sc.lastQuery > sc.fed
	var replay *syncPoint
	switch {
	case gap <= catchUp || query && gap <= rawSize:
		sc.buf = sc.copyRange(sc.buf[:0], sc.fed, total)
	case sc.alt && gap <= rawSize:
		// Full-screen programs redraw only what changed: feed every byte.
		total = sc.fed + min(gap, altBudget)
		sc.buf = sc.copyRange(sc.buf[:0], sc.fed, total)
		more = gap > altBudget
	default:
		sp := sc.replayPoint(total, rows, cols)
		replay = &sp
		sc.buf = sc.copyRange(sc.buf[:0], sp.pos, total)
	}
	sc.rawMu.Unlock()

	sc.mu.Lock()
	switch emu := sc.ensureLocked(); {
	case emu == nil: // released by close: nothing more is shown
	case replay != nil:
		sc.replayLocked(*replay, sc.buf)
	default:
		_, _ = emu.Write(sc.buf)
	}
	sc.mu.Unlock()
	sc.fed = total
	sc.statMu.Lock()
	sc.fedBytes += int64(len(sc.buf))
	if replay != nil {
		sc.replays++
	}
	sc.statMu.Unlock()
	if len(sc.buf) > 4*catchUp {
		sc.buf = nil
	}
	if sc.notify != nil {
		sc.notify()
	}
	// The end of output may have come with these bytes, and one wake-up
	// stood for both: report it now, or the loop would wait for a wake-up
	// that never comes.
	return more, sc.ended(), replay != nil
}

// ended reports whether the output has ended and all of it is on screen;
// then the emulator is released, its final screen kept.
func (sc *screen) ended() bool {
	sc.rawMu.Lock()
	end := sc.eof && sc.total == sc.fed
	sc.rawMu.Unlock()
	if end {
		sc.release()
	}
	return end
}

// finalScreen is what the screen showed when its emulator was released: an
// ended run's pane keeps showing it, at a few KB instead of the emulator's
// ~5 MB.
type finalScreen struct {
	render, text string
	alt          bool
	cursor       uv.Cursor
}

// blankScreen is what a new emulator of cols×rows shows: rows of spaces,
// the cursor at the top left, a blinking block.
func blankScreen(cols, rows int) *finalScreen {
	line := strings.Repeat(" ", cols)
	return &finalScreen{
		render: strings.Repeat(line+"\n", rows-1) + line,
		text:   strings.Repeat("\n", rows-1),
		cursor: uv.Cursor{Shape: uv.CursorBlock, Blink: true},
	}
}

// cursorOf is the child's cursor on e: its position, whether the child hid
// it (DECTCEM) and the shape and blinking it asked for (DECSCUSR).
func cursorOf(e *vt.Emulator) (c uv.Cursor) {
	c.Position = e.CursorPosition()
	c.Hidden = e.CursorHidden()
	style, blink := e.CursorStyle()
	c.Shape, c.Blink = uv.CursorShape(style), blink
	return c
}

// release gives the emulator back, keeping its final screen, and the raw
// ring with it once the reader has written its last. Called by the emulator
// goroutine when the output has ended, and by close; idempotent.
func (sc *screen) release() {
	sc.mu.Lock()
	if sc.final != nil {
		sc.mu.Unlock()
		return
	}
	emu, repliesDone := sc.emu, sc.repliesDone
	if emu == nil {
		// Never made: the child wrote nothing anyone saw.
		sc.final = blankScreen(sc.cols, sc.rows)
		sc.mu.Unlock()
	} else {
		sc.mu.Unlock()
		// Ends copyReplies, which reads emu; the writer side is safe to
		// close concurrently.
		_ = emu.InputPipe().(io.Closer).Close()
		<-repliesDone
		sc.mu.Lock()
		sc.final = &finalScreen{render: emu.Render(), text: emu.String(), alt: emu.IsAltScreen(), cursor: cursorOf(emu)}
		sc.emu = nil
		sc.mu.Unlock()
	}
	sc.rawMu.Lock()
	if sc.eof {
		sc.raw, sc.syncs, sc.sN = nil, nil, 0
	}
	sc.rawMu.Unlock()
	sc.buf = nil // the emulator goroutine's; it has stopped feeding
}

// replayPoint picks where to rebuild the screen from. On the main screen,
// the latest sync point with two screens' worth of lines after it (rows is
// the screen's height): enough that a tail which moves the cursor up to
// redraw (an agent's interface) finds the lines it redraws, and no more, as
// the replays are most of a flood's emulation. Else the earliest sync point
// in the last replayBytes, else the latest one within reach, else a raw
// cut; a line too long to have sync points in it is cut (longLineCut).
// sc.rawMu is held.
func (sc *screen) replayPoint(total int64, rows, cols int) syncPoint {
	oldest := max(total-rawSize, 0)
	var best, before *syncPoint // before: the one before best, out of reach
	lines, upTo := 0, total     // newlines in [sp.pos, total), counted up to upTo
	for i := sc.sN - 1; i >= 0; i-- {
		sp := &sc.syncs[(sc.sHead+i)%maxSyncs]
		if sp.pos < oldest || sp.pos > total {
			break
		}
		if sp.pos < total-replayBytes {
			if best == nil && total-sp.pos <= 4*replayBytes {
				best = sp
			} else {
				before = sp
			}
			break
		}
		best = sp
		if !sp.alt && !sc.alt {
			lines += sc.countRange('\n', sp.pos, upTo)
			upTo = sp.pos
			if lines >= 2*rows {
				return *sp
			}
		}
	}
	if best != nil && (best.alt || sc.alt || lines >= rows) {
		return *best
	}
	// Not a screen of lines: a long line may fill the rows above, from its
	// start (before, or where the output or the ring starts) to best, or to
	// the end while it is still being written.
	from, end := syncPoint{pos: oldest}, syncPoint{pos: total, alt: sc.alt}
	if before != nil {
		from = *before
	}
	if best != nil {
		end = *best
	}
	if !end.alt && end.pos-from.pos > replayBytes {
		return sc.longLineCut(from, end, rows, cols)
	}
	if best != nil {
		return *best
	}
	return syncPoint{pos: max(total-replayBytes, oldest), alt: sc.alt}
}

// longLineCut is where to replay from when the lines after the sync point
// at end do not fill the screen and the one before it, from, is far back:
// what lies between is one long line (a line start or an ESC after
// syncEvery bytes would have been a sync point), whose tail fills the rows
// above. The cut is a whole number of screen widths into the line, so that
// it wraps as it did (exact for single-width text; from may be a line start
// or an ESC in it), past any ESC near from, and on a character's first
// byte. sc.rawMu is held.
func (sc *screen) longLineCut(from, end syncPoint, rows, cols int) syncPoint {
	cols = max(cols, 1)
	cut := end.pos - int64(2*rows*cols) // two screens of the line's tail: wide characters take more bytes
	cut = from.pos + (cut-from.pos)/int64(cols)*int64(cols)
	if cut < from.pos+syncEvery {
		return from // not long after all: from is near enough
	}
	for n := 0; n < utf8.UTFMax && cut < end.pos && !utf8.RuneStart(sc.raw[cut%rawSize]); n++ {
		cut++
	}
	return syncPoint{pos: cut}
}

// countRange counts c in the raw output from from to to. sc.rawMu is held.
func (sc *screen) countRange(c byte, from, to int64) (n int) {
	sc.eachRange(from, to, func(b []byte) { n += bytes.Count(b, []byte{c}) })
	return n
}

// copyRange appends the raw output from from to to to dst. sc.rawMu is held.
func (sc *screen) copyRange(dst []byte, from, to int64) []byte {
	sc.eachRange(from, to, func(b []byte) { dst = append(dst, b...) })
	return dst
}

// eachRange calls f with the raw ring's pieces of the output from from to
// to, in order. sc.rawMu is held.
func (sc *screen) eachRange(from, to int64, f func([]byte)) {
	for from < to {
		at := int(from % rawSize)
		n := min(int64(rawSize-at), to-from)
		f(sc.raw[at : at+int(n)])
		from += n
	}
}

// replayLocked resets the emulator and rebuilds the screen from a sync
// point, with the emulator's replies muted (the child had its answers, or the
// query is in bytes fed whole).
func (sc *screen) replayLocked(sp syncPoint, tail []byte) {
	pw := sc.emu.InputPipe()
	_, _ = pw.Write(muteOn)
	// CAN aborts a half-read sequence; leave the alternate screen; RIS.
	_, _ = sc.emu.Write([]byte("\x18\x1b[?1049l\x1bc"))
	sc.emu.ClearScrollback()
	if sp.alt {
		_, _ = sc.emu.Write([]byte("\x1b[?1049h"))
	}
	_, _ = sc.emu.Write(tail)
	_, _ = pw.Write(muteOff)
}

// copyReplies forwards what the emulator writes for the child (answers to
// its queries, encoded keys) to the child, except while muted.
func (sc *screen) copyReplies(emu *vt.Emulator) {
	buf := make([]byte, 4096)
	muted := false
	for {
		n, err := emu.Read(buf)
		if err != nil {
			return
		}
		switch {
		case bytes.Equal(buf[:n], muteOn):
			muted = true
		case bytes.Equal(buf[:n], muteOff):
			muted = false
		case !muted:
			sc.reply(bytes.Clone(buf[:n]))
		}
	}
}

// Visible reports whether the screen is marked as shown (SetVisible); a
// screen starts hidden.
func (p *Proc) Visible() bool { return !p.scr.hidden.Load() }

// setVisible says whether a pane shows this screen; a screen shown again
// catches up at once.
func (sc *screen) setVisible(v bool) {
	if sc.hidden.Swap(!v) && v {
		select {
		case sc.nudge <- struct{}{}:
		default:
		}
		sc.kick()
	}
}

// resize changes the emulated screen's size. With fewer rows the screen
// keeps the cursor's line and the lines above it, as xterm and tmux do: the
// top scrolls off (x/vt alone would cut the bottom, the newest output).
func (sc *screen) resize(cols, rows int) {
	sc.mu.Lock()
	if sc.final != nil {
		sc.mu.Unlock()
		return // released: the run has ended
	}
	sc.cols, sc.rows = cols, rows
	// Without an emulator yet, the screen is blank at the new size, and the
	// emulator is made at it when needed.
	if sc.emu != nil {
		if n := sc.emu.CursorPosition().Y + 1 - rows; n > 0 && rows < sc.emu.Height() {
			scrollUp(sc.emu, n)
		}
		// The cursor, clamped to the last row, stays on its line.
		sc.emu.Resize(cols, rows)
	}
	sc.mu.Unlock()
	// A pane showing this screen redraws it at its new size, even if the
	// child prints nothing more.
	if sc.notify != nil {
		sc.notify()
	}
}

// scrollUp moves the active screen's lines up by n, blanking the bottom n,
// through the cell API: writing sequences into the parser could land in the
// middle of a sequence the child has not finished.
func scrollUp(e *vt.Emulator, n int) {
	w, h := e.Width(), e.Height()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			e.SetCell(x, y, nil) // blank first: a wide cell never half-overlaps
		}
		if y+n >= h {
			continue
		}
		for x := 0; x < w; x++ {
			if c := e.CellAt(x, y+n); c != nil && c.Width > 0 {
				e.SetCell(x, y, c.Clone())
			}
		}
	}
}

// view calls f with the emulator locked (made if there was none yet), for
// reading the screen, and reports true; once the emulator is released it
// reports false without calling f.
func (sc *screen) view(f func(e *vt.Emulator)) bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	emu := sc.ensureLocked()
	if emu == nil {
		return false
	}
	f(emu)
	return true
}

// look calls live with the emulator locked while there is one, else still
// with the final screen: the blank screen at its size before the emulator is
// made, what the emulator left once it is released. It never makes one.
func (sc *screen) look(live func(e *vt.Emulator), still func(f *finalScreen)) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	switch {
	case sc.emu != nil:
		live(sc.emu)
	case sc.final != nil:
		still(sc.final)
	default:
		still(blankScreen(sc.cols, sc.rows))
	}
}

// sendKey encodes a key the way the child asked for (application cursor
// keys and keypad, the kitty keyboard protocol) and sends it through the
// emulator's reply pipe, in order with pastes and the emulator's answers.
func (sc *screen) sendKey(k uv.KeyPressEvent) {
	var m keyModes
	if sc.term != nil {
		m = sc.term.keyModes()
	}
	b := encodeKey(k, m)
	if len(b) == 0 {
		return
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	emu := sc.ensureLocked()
	if emu == nil {
		return // released: the run has ended
	}
	_, _ = emu.InputPipe().Write(b)
}

// paste sends text, bracketed if the child enabled bracketed paste.
func (sc *screen) paste(s string) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	emu := sc.ensureLocked()
	if emu == nil {
		return // released: the run has ended
	}
	emu.Paste(s)
}
