// Package ipc serves and calls a corral instance's Unix socket: one socket
// per instance, newline-delimited JSON requests (Message) and answers (Reply),
// reachable only by the user who runs corral.
package ipc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// MaxLine is the longest line, newline excluded, that either side reads. A
// longer request is answered with an error and its connection closed.
const MaxLine = 1 << 20

// OpHook forwards the JSON a Claude Code hook received on stdin (Payload)
// from the run RunID of the instance Instance.
const OpHook = "hook"

// knownOps are the ops the server passes to its Handler; any other op is
// answered with an error without calling it. A new op is added here.
var knownOps = map[string]bool{OpHook: true}

// Message is one request, a line of JSON. Op says what is asked; the other
// fields are its arguments, so that later requests (list runs, send input,
// kill) share the same envelope.
type Message struct {
	Op       string          `json:"op"`
	Instance string          `json:"instance,omitempty"` // the CORRAL_RUN marker value of the run that sent it
	RunID    int64           `json:"run_id,omitempty"`
	Payload  json.RawMessage `json:"payload,omitempty"` // for OpHook: the hook's JSON from stdin
}

// Reply answers one Message, a line of JSON. OK is false when Error says why.
type Reply struct {
	OK      bool            `json:"ok"`
	Error   string          `json:"error,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// ErrPathTooLong is returned (wrapped) by Listen and Send when a socket path
// does not fit in a sockaddr_un (107 bytes on Linux, 103 on macOS).
var ErrPathTooLong = errors.New("socket path too long")

// ErrBusy is the Error of the Reply a server sends, before closing the
// connection, to a client beyond its cap of concurrent connections.
const ErrBusy = "busy: too many connections"

// Dir returns the directory for corral's sockets: $XDG_RUNTIME_DIR/corral, or
// (no XDG_RUNTIME_DIR) a directory corral-<uid> under os.TempDir(). It is
// created 0700 if missing; an existing one that is not a directory, is owned
// by another user or has group or other permissions is refused.
func Dir() (string, error) {
	var dir string
	if rt := os.Getenv("XDG_RUNTIME_DIR"); rt != "" {
		dir = filepath.Join(rt, "corral")
	} else {
		dir = filepath.Join(os.TempDir(), "corral-"+strconv.Itoa(os.Getuid()))
	}
	if err := os.Mkdir(dir, 0o700); err == nil {
		// Mkdir's mode passes through the umask; make it exactly 0700.
		if err := os.Chmod(dir, 0o700); err != nil {
			return "", fmt.Errorf("socket dir %s: %w", dir, err)
		}
	} else if !errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("socket dir: %w", err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return "", fmt.Errorf("socket dir: %w", err)
	}
	if err := checkDir(fi, os.Getuid()); err != nil {
		return "", fmt.Errorf("socket dir %s: %w", dir, err)
	}
	return dir, nil
}

// checkDir refuses a socket directory that another user could reach or
// replace: a symlink or other non-directory, one owned by a uid other than
// uid, or one with any group or other permission bit.
func checkDir(fi os.FileInfo, uid int) error {
	if !fi.IsDir() {
		return errors.New("not a directory")
	}
	if owner, ok := fileOwner(fi); ok && owner != uid {
		return fmt.Errorf("owned by uid %d, not %d", owner, uid)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("mode %#o lets other users in (want 0700)", perm)
	}
	return nil
}

// checkPath refuses a socket path the kernel cannot take.
func checkPath(path string) error {
	if len(path) >= sunPathLen {
		return fmt.Errorf("%w: %s is %d bytes, the limit is %d", ErrPathTooLong, path, len(path), sunPathLen-1)
	}
	return nil
}

// Send dials the socket at path, writes m, and reads one Reply, all within
// timeout. An error means no Reply was read; a Reply with OK false is the
// server's refusal.
func Send(path string, m Message, timeout time.Duration) (Reply, error) {
	if err := checkPath(path); err != nil {
		return Reply{}, err
	}
	deadline := time.Now().Add(timeout)
	c, err := net.DialTimeout("unix", path, timeout)
	if err != nil {
		return Reply{}, fmt.Errorf("ipc: %w", err)
	}
	defer c.Close()
	if err := c.SetDeadline(deadline); err != nil {
		return Reply{}, fmt.Errorf("ipc %s: %w", path, err)
	}
	line, err := encodeLine(m)
	if err != nil {
		return Reply{}, fmt.Errorf("ipc %s: encode: %w", path, err)
	}
	_, werr := c.Write(line)
	// A server that refuses (busy) answers and closes without reading: its
	// reply may be waiting even though the write failed.
	reply, err := readLine(bufio.NewReader(c), nil)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		if werr != nil {
			return Reply{}, fmt.Errorf("ipc %s: write: %w", path, werr)
		}
		return Reply{}, fmt.Errorf("ipc %s: read reply: %w", path, err)
	}
	var r Reply
	if err := json.Unmarshal(reply, &r); err != nil {
		return Reply{}, fmt.Errorf("ipc %s: bad reply: %w", path, err)
	}
	return r, nil
}

// errLineTooLong is readLine's error for a line over MaxLine.
var errLineTooLong = fmt.Errorf("line longer than %d bytes", MaxLine)

// readLine reads one line of at most MaxLine bytes from r into buf's storage
// and returns it without its '\n'. It never holds more than MaxLine+1 bytes
// of a line: a longer one is errLineTooLong, its rest left unread. A last
// line ended by EOF rather than '\n' counts; one cut by an error (a
// deadline) does not.
func readLine(r *bufio.Reader, buf []byte) ([]byte, error) {
	buf = buf[:0]
	for {
		frag, err := r.ReadSlice('\n')
		if len(buf)+len(frag) > MaxLine+1 || (err != nil && len(buf)+len(frag) > MaxLine) {
			return nil, errLineTooLong
		}
		buf = append(buf, frag...)
		switch {
		case err == nil:
			return buf[:len(buf)-1], nil
		case err == io.EOF && len(buf) > 0:
			return buf, nil
		case err != bufio.ErrBufferFull:
			return nil, err
		}
	}
}

// encodeLine is v as one line of JSON. HTML characters are not escaped, so a
// RawMessage payload that is already compact arrives byte for byte.
func encodeLine(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // Encode ends the line with '\n'
		return nil, err
	}
	return b.Bytes(), nil
}
