package ipc

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Handler answers a message. It is called from connection goroutines,
// concurrently; it must not block long (Close waits for it).
type Handler func(Message) Reply

// Server serves one instance's socket. Its zero value is not usable; Listen
// makes one.
type Server struct {
	ln      *net.UnixListener
	path    string
	h       Handler
	uid     int
	lim     limits
	slots   chan struct{} // one token per connection being served
	wg      sync.WaitGroup
	mu      sync.Mutex
	conns   map[net.Conn]struct{} // guarded by mu; closed by Close
	closed  bool                  // guarded by mu
	closing sync.Once
	err     error
}

// limits bound what clients can make the server hold.
type limits struct {
	maxConns int           // connections served at once; more are refused at once
	idle     time.Duration // a connection with no complete line for this long is closed
	write    time.Duration // a reply not taken by the client within this is dropped with its connection
}

var defaultLimits = limits{maxConns: 256, idle: 5 * time.Second, write: 5 * time.Second}

// Listen creates the instance's socket in dir, named <pid>.sock (mode 0600),
// after removing stale sockets there (a <pid>.sock whose pid is not alive, or
// that refuses a connection), and serves it until Close. A path too long for
// a Unix socket fails with ErrPathTooLong.
func Listen(dir string, h Handler) (*Server, error) {
	return listen(dir, h, defaultLimits)
}

func listen(dir string, h Handler, lim limits) (*Server, error) {
	path := filepath.Join(dir, strconv.Itoa(os.Getpid())+".sock")
	if err := checkPath(path); err != nil {
		return nil, err
	}
	removeStale(dir)
	// The socket is created with the umask's mode before the chmod below; the
	// directory (0700, see Dir) is what keeps other users out meanwhile.
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("ipc listen: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("ipc listen: %w", err)
	}
	s := &Server{
		ln:    ln,
		path:  path,
		h:     h,
		uid:   os.Getuid(),
		lim:   lim,
		slots: make(chan struct{}, lim.maxConns),
		conns: make(map[net.Conn]struct{}),
	}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Path is the socket's path, for CORRAL_SOCKET.
func (s *Server) Path() string { return s.path }

// Close stops serving, closes every connection, waits for the connection
// goroutines (and so for handlers in progress), and removes the socket file.
func (s *Server) Close() error {
	s.closing.Do(func() {
		s.mu.Lock()
		s.closed = true
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.ln.SetUnlinkOnClose(false)
		err := s.ln.Close()
		s.wg.Wait()
		if rerr := os.Remove(s.path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
			err = rerr
		}
		if err != nil {
			s.err = fmt.Errorf("ipc close %s: %w", s.path, err)
		}
	})
	return s.err
}

func (s *Server) accept() {
	defer s.wg.Done()
	var backoff time.Duration
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: wait rather than spin.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		select {
		case s.slots <- struct{}{}:
		default:
			s.refuse(c, ErrBusy)
			continue
		}
		if !s.track(c) {
			<-s.slots
			c.Close()
			return
		}
		s.wg.Add(1)
		go s.serve(c)
	}
}

// track registers c so that Close can close it; false once closed.
func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

// refuse answers a connection that will not be served and closes it. The
// reply fits in the new connection's empty buffer, so the write does not
// wait; the deadline is only a guard, as long as a served reply's: a short
// one (100 ms was tried) expires before the write is even tried when the
// machine is loaded, and the client then reads a reset instead of "busy".
func (s *Server) refuse(c net.Conn, why string) {
	c.SetWriteDeadline(time.Now().Add(s.lim.write))
	if line, err := encodeLine(Reply{Error: why}); err == nil {
		c.Write(line)
	}
	c.Close()
}

func (s *Server) serve(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
		<-s.slots
	}()
	uid, err := peerUID(c)
	if !peerAllowed(uid, err, s.uid) {
		return
	}
	r := bufio.NewReader(c)
	var buf []byte
	for {
		c.SetReadDeadline(time.Now().Add(s.lim.idle))
		line, err := readLine(r, buf)
		if errors.Is(err, errLineTooLong) {
			s.write(c, Reply{Error: err.Error()})
		}
		if err != nil {
			return
		}
		if !s.write(c, s.handle(line)) {
			return
		}
		if cap(line) <= 64<<10 { // keep a small buffer for the next line, not a huge one
			buf = line
		}
	}
}

// handle answers one line; it never panics.
func (s *Server) handle(line []byte) (r Reply) {
	var m Message
	if err := json.Unmarshal(line, &m); err != nil {
		return Reply{Error: "bad message: " + err.Error()}
	}
	if !knownOps[m.Op] {
		return Reply{Error: fmt.Sprintf("unknown op %q", m.Op)}
	}
	defer func() {
		if p := recover(); p != nil {
			r = Reply{Error: fmt.Sprintf("op %q failed: internal error: %v", m.Op, p)}
		}
	}()
	return s.h(m)
}

// write sends r as a line; false if the connection is no longer usable.
func (s *Server) write(c net.Conn, r Reply) bool {
	line, err := encodeLine(r)
	if err != nil { // a handler's Payload that is not JSON
		line, _ = encodeLine(Reply{Error: "bad reply: " + err.Error()})
	}
	c.SetWriteDeadline(time.Now().Add(s.lim.write))
	_, err = c.Write(line)
	return err == nil
}

// peerAllowed decides whether a connection whose peer has uid (as peerUID
// read it, with err) may talk to a server running as self: only the same
// user, and nobody when the uid could not be read, except on systems where
// it cannot be read at all (errNoPeerCheck), which rely on the 0700
// directory and the 0600 socket alone.
func peerAllowed(uid int, err error, self int) bool {
	if errors.Is(err, errNoPeerCheck) {
		return true
	}
	return err == nil && uid == self
}

// errNoPeerCheck is peerUID's answer where the system gives no peer uid.
var errNoPeerCheck = errors.New("peer credentials not available on this system")

// removeStale removes the sockets in dir left by instances that are gone:
// <pid>.sock whose pid is not alive, or whose socket refuses a connection
// (the pid was reused). Anything else is left alone.
func removeStale(dir string) {
	names, err := filepath.Glob(filepath.Join(dir, "*.sock"))
	if err != nil {
		return
	}
	for _, path := range names {
		pid, err := strconv.Atoi(strings.TrimSuffix(filepath.Base(path), ".sock"))
		if err != nil || pid <= 0 {
			continue
		}
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode().Type() != os.ModeSocket {
			continue
		}
		if pidAlive(pid) && !refuses(path) {
			continue
		}
		os.Remove(path)
	}
}

// refuses reports whether nobody listens on the socket at path. A socket
// that is merely slow (a full backlog) is not refused.
func refuses(path string) bool {
	c, err := net.DialTimeout("unix", path, 200*time.Millisecond)
	if err == nil {
		c.Close()
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, os.ErrNotExist)
}
