// Package spawn runs commands under pseudo-terminals for corral: it starts
// them, drains their output into the registry and an emulated screen without
// ever slowing them down, forwards resizes and keystrokes, and provides the
// process handle the registry follows and kills.
package spawn

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"corral/internal/child"

	"corral/registry"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

const (
	// drainAfterExit bounds how long output is awaited after the child exits
	// while a descendant still holds the terminal open.
	drainAfterExit = 200 * time.Millisecond
	// resizeQuiet is how long a burst of resizes must pause before the last
	// size is applied (Claude Code redraws on every resize).
	resizeQuiet = 80 * time.Millisecond
)

// Spec says what to run and how to register it.
type Spec struct {
	// Argv is the program and its arguments; Argv[0] is looked up in PATH.
	Argv []string
	// Dir is the working directory; empty means corral's own.
	Dir string
	// Env is added to corral's environment (KEY=value).
	Env []string
	// Cols and Rows are the initial terminal size (default 80×24).
	Cols, Rows int
	// Run is what the registry records; a zero RunID is generated, PID is
	// filled in.
	Run registry.RegistrationConfig
	// Log, if set, receives the run's plain text as the registry's history
	// does. Its Write must not block (it is called on the reader's path)
	// and its errors are ignored. Start owns it: it is closed when the
	// reader ends, or at once if the run does not start.
	Log io.WriteCloser
}

// Spawner starts processes and keeps their handles by run id.
type Spawner struct {
	reg *registry.Registry

	mu    sync.Mutex // guards procs and detached
	procs map[int64]*Proc
	host  hostColors // the outer terminal's colours (SetHostColors)
	// detached holds runs unregistered while alive: their terminal stays
	// open until they exit or corral does (which hangs them up).
	detached map[int64]*Proc

	cancel func()
	done   chan struct{}
	// forgot, when set (tests), receives each run id once its handle is dropped.
	forgot chan int64
	free   *freer // gives memory back after runs are dropped
	// onSignal receives the runs' signals (OnSignal); set before any Start.
	onSignal func(runID int64, sig Signal)
}

// New returns a Spawner that registers what it starts in reg, and forgets a
// run's handle once reg drops the run.
func New(reg *registry.Registry) *Spawner { return newSpawner(reg, nil) }

func newSpawner(reg *registry.Registry, forgot chan int64) *Spawner {
	s := &Spawner{reg: reg, procs: map[int64]*Proc{}, detached: map[int64]*Proc{}, done: make(chan struct{}), forgot: forgot,
		free: newFreer()}
	_, events, cancel := reg.Subscribe()
	s.cancel = cancel
	go func() {
		defer close(s.done)
		for e := range events {
			if e.Kind == registry.EventUnregistered {
				s.mu.Lock()
				s.pruneDetachedLocked()
				if p := s.procs[e.RunID]; p != nil && !p.ended() {
					s.detached[e.RunID] = p
				}
				delete(s.procs, e.RunID)
				s.mu.Unlock()
				s.free.forgot()
				if s.forgot != nil {
					s.forgot <- e.RunID
				}
			}
		}
	}()
	return s
}

// Proc returns the handle of a run this Spawner started, or nil.
func (s *Spawner) Proc(runID int64) *Proc {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.procs[runID]
}

// Held returns how many handles the Spawner holds: registered runs it
// started, and runs unregistered while alive that have not ended.
func (s *Spawner) Held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneDetachedLocked()
	return len(s.procs) + len(s.detached)
}

// Detached returns the pids of runs that were unregistered while alive and
// still run: their terminal closes when corral quits, which hangs them up.
func (s *Spawner) Detached() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneDetachedLocked()
	pids := make([]int, 0, len(s.detached))
	for _, p := range s.detached {
		pids = append(pids, p.Pid())
	}
	return pids
}

// pruneDetachedLocked drops detached runs that have ended.
func (s *Spawner) pruneDetachedLocked() {
	for id, p := range s.detached {
		if p.ended() {
			delete(s.detached, id)
		}
	}
}

// Close releases every handle: terminals are closed, which hangs up children
// still running (kill them first). It waits for the goroutines to end.
func (s *Spawner) Close() {
	s.cancel()
	<-s.done
	s.free.close()
	s.mu.Lock()
	procs := make([]*Proc, 0, len(s.procs)+len(s.detached))
	for _, p := range s.procs {
		procs = append(procs, p)
	}
	for _, p := range s.detached {
		procs = append(procs, p)
	}
	s.procs, s.detached = map[int64]*Proc{}, map[int64]*Proc{}
	s.mu.Unlock()
	for _, p := range procs {
		p.Close()
	}
}

// Start runs spec under a new PTY and registers it before reading its first
// byte. A program not found or a directory that does not exist is an error,
// and then nothing is registered and nothing left running.
func (s *Spawner) Start(spec Spec) (p *Proc, err error) { return s.start(spec, nil) }

// start is Start, or with re set Restart's start of a process in an ended
// run (registry.Reopen instead of RegisterProcess).
func (s *Spawner) start(spec Spec, re *reopening) (p *Proc, err error) {
	if spec.Log != nil {
		defer func() {
			if err != nil {
				_ = spec.Log.Close()
			}
		}()
	}
	if len(spec.Argv) == 0 || strings.TrimSpace(spec.Argv[0]) == "" {
		return nil, errors.New("nothing to run: the command is empty")
	}
	if spec.Dir != "" {
		st, err := os.Stat(spec.Dir)
		if err != nil {
			return nil, fmt.Errorf("directory %q does not exist", spec.Dir)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("%q is not a directory", spec.Dir)
		}
	}
	path, err := lookPath(spec.Argv[0], spec.Dir)
	if err != nil {
		return nil, err
	}
	cols, rows := spec.Cols, spec.Rows
	if cols <= 0 || rows <= 0 {
		cols, rows = 80, 24
	}

	master, tty, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("open a terminal: %w", err)
	}
	// pty.Open switched the master to blocking mode; reads then ignore Close.
	if err := control(master, func(fd int) error {
		if err := unix.SetNonblock(fd, true); err != nil {
			return err
		}
		return unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Col: uint16(cols), Row: uint16(rows)})
	}); err != nil {
		master.Close()
		tty.Close()
		return nil, fmt.Errorf("set up the terminal: %w", err)
	}

	cfg := spec.Run
	if cfg.RunID == 0 {
		cfg.RunID = s.reg.GenerateID()
	}
	cmd := exec.Command(path, spec.Argv[1:]...)
	cmd.Args[0] = spec.Argv[0]
	cmd.Dir = spec.Dir
	// The marker lets a kill find what the run orphans (see Subreaper).
	cmd.Env = append(childEnv(spec.Dir, spec.Env), s.reg.Marker(cfg.RunID))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	// No signal corral ignores stays ignored in the child.
	err = withDefaultSignals(func() error { return child.Start(cmd) })
	tty.Close()
	if err != nil {
		master.Close()
		return nil, fmt.Errorf("start %s: %w", spec.Argv[0], err)
	}

	p = &Proc{cmd: cmd, pty: master, reg: s.reg, inReady: make(chan struct{}, 1),
		done: make(chan struct{}), drained: make(chan struct{}), readerDone: make(chan struct{}),
		closed: make(chan struct{}), cols: cols, rows: rows, wantCols: cols, wantRows: rows}
	p.scr = newScreen(cols, rows, p.notify, func(b []byte) { p.input(b) }, &p.strip.term, &s.host)

	cfg.PID = cmd.Process.Pid
	if cfg.Command == "" {
		cfg.Command = strings.Join(spec.Argv, " ")
	}
	p.runID = cfg.RunID
	// The handle is stored before the registry announces the run, so that
	// a subscriber that asks for it on EventRegistered finds it.
	// A restart's handle replaces the ended one's.
	s.mu.Lock()
	old, dup := s.procs[p.runID]
	if !dup || re != nil {
		s.procs[p.runID] = p
	}
	s.mu.Unlock()
	// Every kind goes through RegisterProcess (or Reopen), which refuses a
	// duplicate run or Claude session id and keeps the command line.
	regErr := fmt.Errorf("register run %d: %w", p.runID, registry.ErrDuplicateRun)
	switch {
	case re != nil:
		regErr = s.reg.Reopen(cfg, p)
	case !dup:
		regErr = s.reg.RegisterProcess(cfg, p)
	}
	if regErr != nil {
		s.mu.Lock()
		if s.procs[p.runID] == p {
			if old != nil {
				s.procs[p.runID] = old
			} else {
				delete(s.procs, p.runID)
			}
		}
		s.mu.Unlock()
		_ = unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
		_ = cmd.Wait()
		child.Done(cmd.Process.Pid)
		master.Close()
		return nil, regErr
	}
	p.out = s.reg.Output(p.runID)
	p.log = spec.Log
	if re != nil {
		re.started(p)
	}

	if fn, id := s.onSignal, p.runID; fn != nil {
		p.strip.sig.on = func(sig Signal) { fn(id, sig) }
	}
	go p.read()
	go p.wait()
	return p, nil
}

// lookPath finds a program as exec would, with a clear error.
func lookPath(name, dir string) (string, error) {
	if strings.Contains(name, "/") {
		full := name
		if dir != "" && !strings.HasPrefix(name, "/") {
			full = dir + "/" + name
		}
		st, err := os.Stat(full)
		if err != nil {
			return "", fmt.Errorf("%s: no such file", name)
		}
		if st.IsDir() || st.Mode()&0o111 == 0 {
			return "", fmt.Errorf("%s: not an executable file", name)
		}
		return name, nil
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s: command not found", name)
	}
	return path, nil
}

// childEnv is corral's environment for a child: a colour terminal, PWD set
// to its directory, and without the variables that describe corral's own
// terminal.
func childEnv(dir string, extra []string) []string {
	// A marker inherited from a corral that runs this one is replaced by
	// this corral's own (nested corrals are found through the tree).
	drop := map[string]bool{registry.MarkerVar: true, "TERM": true, "COLORTERM": true, "TMUX": true, "TMUX_PANE": true,
		"LINES": true, "COLUMNS": true, "TERM_PROGRAM": true, "TERM_PROGRAM_VERSION": true}
	if dir != "" {
		drop["PWD"] = true
		if abs, err := filepath.Abs(dir); err == nil {
			extra = append([]string{"PWD=" + abs}, extra...)
		}
	}
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !drop[k] {
			env = append(env, kv)
		}
	}
	env = append(env, "TERM=xterm-256color", "COLORTERM=truecolor")
	return append(env, extra...)
}

// control runs f on the file's descriptor without switching it to blocking
// mode (File.Fd would).
func control(f *os.File, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// Proc is a running child under a PTY. It implements registry.Child.
type Proc struct {
	runID int64
	cmd   *exec.Cmd
	pty   *os.File
	reg   *registry.Registry
	out   *registry.Output
	log   io.WriteCloser // Spec.Log, or nil
	scr   *screen
	strip stripper

	inMu    sync.Mutex // guards inQ
	inQ     [][]byte   // input not yet written, oldest first; at most maxInput
	inReady chan struct{}
	writer  sync.Once // starts writeInput with the first input

	exit       registry.Exit
	done       chan struct{} // exited, reaped, output drained
	drained    chan struct{} // the reader found no more output (or EIO)
	drainOnce  sync.Once
	readerDone chan struct{}
	closed     chan struct{}
	closeOnce  sync.Once

	sizeMu             sync.Mutex // guards the sizes and the timer
	cols, rows         int
	wantCols, wantRows int
	lastResize         time.Time
	timer              *time.Timer
}

var _ registry.Child = (*Proc)(nil)

// RunID returns the id the run was registered under.
func (p *Proc) RunID() int64 { return p.runID }

// Pid returns the child's process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Done is closed once the child has exited and been reaped and the output it
// wrote has reached the registry.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Exit returns how the child ended; valid once Done is closed.
func (p *Proc) Exit() registry.Exit { return p.exit }

func (p *Proc) ended() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// readSize is the reader's buffer, and the starting size of its plain-text
// one.
const readSize = 32 << 10

// readBuffers returns the reader's buffers, on the heap: on its stack they
// would grow every run's reader to 128 KiB from its start.
func readBuffers() (buf, plain []byte) {
	return make([]byte, readSize), make([]byte, 0, readSize)
}

func (p *Proc) read() {
	defer close(p.readerDone)
	if p.log != nil {
		defer p.log.Close()
	}
	// The first read waits with a small buffer; the full ones come with the
	// first output, so that a child that writes nothing costs none.
	var first [512]byte
	buf, plain := first[:], []byte(nil)
	var syncs []syncPoint
	var lastNotify time.Time
	p.strip.onSync = func(pos int64, alt bool) { syncs = append(syncs, syncPoint{pos, alt}) }
	for {
		n, err := p.pty.Read(buf)
		if n > 0 {
			syncs = syncs[:0]
			plain = p.strip.write(buf[:n], plain[:0])
			_, _ = p.out.WriteStyled(plain, p.strip.marks)
			if p.log != nil {
				_, _ = p.log.Write(plain)
			}
			p.scr.write(buf[:n], syncs, p.strip.alt, p.strip.lastQuery)
			if len(buf) < readSize {
				buf, plain = readBuffers()
			}
			if p.scr.hidden.Load() {
				// No frame-paced screen notifies for this run: tell the
				// registry's readers (a follower of its stream) soon,
				// at most every couple of milliseconds.
				if now := time.Now(); now.Sub(lastNotify) > 2*time.Millisecond {
					lastNotify = now
					p.notify()
				}
			}
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				// The child has exited and nothing more came: a
				// descendant holds the terminal. Keep reading its output.
				p.drainOnce.Do(func() { close(p.drained) })
				_ = p.pty.SetReadDeadline(time.Time{})
				continue
			}
			break // EIO: every holder of the terminal is gone; or closed
		}
	}
	p.drainOnce.Do(func() { close(p.drained) })
	p.scr.end()
}

func (p *Proc) wait() {
	awaitExit(p.cmd.Process.Pid) // no thread held while the child lives
	p.exit = exitOf(p.cmd.Wait())
	child.Done(p.cmd.Process.Pid)
	_ = p.pty.SetReadDeadline(time.Now().Add(drainAfterExit))
	<-p.drained
	close(p.done)
	<-p.readerDone
	<-p.scr.done // the final screen is drawn
	p.shutdown()
}

func exitOf(err error) registry.Exit {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return registry.Exit{Code: -1, Signal: ws.Signal()}
		}
		return registry.Exit{Code: ee.ExitCode()}
	}
	if err != nil {
		return registry.Exit{Code: -1}
	}
	return registry.Exit{}
}

// shutdown releases the terminal and stops the goroutines; idempotent.
func (p *Proc) shutdown() {
	p.closeOnce.Do(func() {
		close(p.closed)
		p.sizeMu.Lock()
		if p.timer != nil {
			p.timer.Stop()
		}
		p.sizeMu.Unlock()
		p.pty.Close()
		p.scr.close()
	})
}

// Close releases the terminal now, which hangs up the child if it still
// runs, and waits until the reader has stopped.
func (p *Proc) Close() {
	p.shutdown()
	<-p.readerDone
}

// maxInput is how many writes may wait for a child that does not read its
// input before more are refused (ErrInputFull).
const maxInput = 1024

// writeInput writes queued input to the child in order. The queue is a
// slice that exists only while input waits, not a channel of maxInput slots
// made for every run: a run no one types into costs nothing here.
func (p *Proc) writeInput() {
	for {
		select {
		case <-p.inReady:
		case <-p.closed:
			return
		}
		for {
			p.inMu.Lock()
			if len(p.inQ) == 0 {
				p.inQ = nil
				p.inMu.Unlock()
				break
			}
			b := p.inQ[0]
			p.inQ[0] = nil
			p.inQ = p.inQ[1:]
			p.inMu.Unlock()
			// Taken off the queue before it is written, as the channel did:
			// a child blocked reading leaves room for maxInput more.
			if _, err := p.pty.Write(b); err != nil {
				return
			}
		}
	}
}

// input queues bytes for the child without blocking; it reports false when
// the child has stopped reading its input and the queue is full.
func (p *Proc) input(b []byte) bool {
	select {
	case <-p.closed:
		return false
	default:
	}
	p.inMu.Lock()
	if len(p.inQ) >= maxInput {
		p.inMu.Unlock()
		return false
	}
	p.inQ = append(p.inQ, b)
	p.inMu.Unlock()
	p.writer.Do(func() { go p.writeInput() })
	select {
	case p.inReady <- struct{}{}:
	default:
	}
	return true
}

// notify tells the registry's subscribers that the screen changed.
func (p *Proc) notify() { p.reg.NotifyOutput(p.runID) }

// ErrInputFull is returned when a child does not read its input.
var ErrInputFull = errors.New("the process is not reading its input")

// Write sends bytes to the child as typed input. Keys and pastes go through
// the emulator (SendKey, Paste) and keep their order among themselves;
// Write goes straight to the child.
func (p *Proc) Write(b []byte) (int, error) {
	if !p.input(append([]byte(nil), b...)) {
		return 0, ErrInputFull
	}
	return len(b), nil
}

// SendKey sends a key encoded as the child asked: xterm's encoding with its
// application cursor and keypad modes, or the kitty keyboard protocol once
// it enabled it (see encodeKey; in the legacy encoding Shift+Enter goes out
// as Alt+Enter, which agents read as "new line").
func (p *Proc) SendKey(k uv.KeyPressEvent) { p.scr.sendKey(k) }

// SetVisible tells the run whether its screen is on display: a hidden
// screen is emulated a few times a second instead of at the frame rate
// (its child's queries are still answered at once).
func (p *Proc) SetVisible(v bool) { p.scr.setVisible(v) }

// Paste sends text as a paste (bracketed if the child asked for it).
func (p *Proc) Paste(text string) { p.scr.paste(text) }

// Resize asks for a new terminal size. Same-size calls are ignored; a burst
// is applied once it pauses (the first of a quiet spell at once).
func (p *Proc) Resize(cols, rows int) {
	if cols < 1 || rows < 1 {
		return
	}
	p.sizeMu.Lock()
	defer p.sizeMu.Unlock()
	if cols == p.wantCols && rows == p.wantRows {
		return
	}
	p.wantCols, p.wantRows = cols, rows
	if p.timer == nil && time.Since(p.lastResize) > resizeQuiet {
		p.applySizeLocked()
		return
	}
	if p.timer == nil {
		p.timer = time.AfterFunc(resizeQuiet, func() {
			p.sizeMu.Lock()
			defer p.sizeMu.Unlock()
			p.timer = nil
			p.applySizeLocked()
		})
	} else {
		p.timer.Reset(resizeQuiet)
	}
}

func (p *Proc) applySizeLocked() {
	p.lastResize = time.Now()
	if p.wantCols == p.cols && p.wantRows == p.rows {
		return
	}
	select {
	case <-p.closed:
		return
	default:
	}
	p.cols, p.rows = p.wantCols, p.wantRows
	p.scr.resize(p.cols, p.rows)
	_ = control(p.pty, func(fd int) error {
		return unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Col: uint16(p.cols), Row: uint16(p.rows)})
	})
}

// Size returns the terminal size in force.
func (p *Proc) Size() (cols, rows int) {
	p.sizeMu.Lock()
	defer p.sizeMu.Unlock()
	return p.cols, p.rows
}

// View calls f with the emulated screen locked (read it, do not keep it)
// and reports true; it makes the emulator if the run had none yet (a run
// that has written nothing has none: Render, Text, AltScreen and Cursor
// then read a blank screen of its size). Once the run has ended and its
// output is all on screen
// the emulator is released: View then reports false without calling f, and
// Render, Text, AltScreen and Cursor return the final screen.
func (p *Proc) View(f func(e *vt.Emulator)) bool { return p.scr.view(f) }

// Render returns the emulated screen with its colours as ANSI text.
func (p *Proc) Render() (s string) {
	p.scr.look(func(e *vt.Emulator) { s = e.Render() }, func(f *finalScreen) { s = f.render })
	return s
}

// Text returns the emulated screen as plain text.
func (p *Proc) Text() (s string) {
	p.scr.look(func(e *vt.Emulator) { s = e.String() }, func(f *finalScreen) { s = f.text })
	return s
}

// AltScreen reports whether the child has the alternate screen up.
func (p *Proc) AltScreen() (alt bool) {
	p.scr.look(func(e *vt.Emulator) { alt = e.IsAltScreen() }, func(f *finalScreen) { alt = f.alt })
	return alt
}
