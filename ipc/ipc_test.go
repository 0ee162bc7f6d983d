package ipc

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if path := os.Getenv("IPC_TEST_CLIENT"); path != "" {
		os.Exit(helperClient(path))
	}
	goleak.VerifyTestMain(m)
}

// helperClient is the test binary run as another process (another user): it
// sends one hook message and prints the reply, or the error.
func helperClient(path string) int {
	r, err := Send(path, Message{Op: OpHook, RunID: 7, Payload: json.RawMessage(`{}`)}, 2*time.Second)
	if err != nil {
		fmt.Println("error:", err)
		return 0
	}
	fmt.Printf("reply: ok=%v error=%q\n", r.OK, r.Error)
	return 0
}

// sockDir is a fresh directory with a short path (t.TempDir's long names can
// overflow sun_path), removed after the test.
func sockDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ipc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// echo answers a hook message with its run id.
func echo(m Message) Reply {
	return Reply{OK: true, Payload: json.RawMessage(strconv.FormatInt(m.RunID, 10))}
}

func serve(t *testing.T, h Handler, lim limits) *Server {
	t.Helper()
	s, err := listen(sockDir(t), h, lim)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func hook(id int64) Message {
	return Message{Op: OpHook, Instance: "i1", RunID: id, Payload: json.RawMessage(`{"hook_event_name":"Stop"}`)}
}

// rawConn is a client that writes lines as given and reads reply lines.
type rawConn struct {
	net.Conn
	r *bufio.Reader
}

func dialRaw(t *testing.T, path string) *rawConn {
	t.Helper()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return &rawConn{c, bufio.NewReader(c)}
}

func (c *rawConn) reply(t *testing.T) Reply {
	t.Helper()
	line, err := c.r.ReadBytes('\n')
	if err != nil {
		t.Fatalf("read reply: %v (got %q)", err, line)
	}
	var r Reply
	if err := json.Unmarshal(line, &r); err != nil {
		t.Fatalf("reply %q: %v", line, err)
	}
	return r
}

func TestDirIsCreatedPrivate(t *testing.T) {
	rt := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", rt)
	dir, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(rt, "corral"); dir != want {
		t.Errorf("Dir() = %s, want %s", dir, want)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 || !fi.IsDir() {
		t.Errorf("mode %v, want drwx------", fi.Mode())
	}
	if again, err := Dir(); err != nil || again != dir {
		t.Errorf("second Dir() = %q, %v", again, err)
	}
}

func TestDirFallsBackToTempDir(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("TMPDIR", tmp)
	dir, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(tmp, "corral-"+strconv.Itoa(os.Getuid())); dir != want {
		t.Errorf("Dir() = %s, want %s", dir, want)
	}
}

func TestDirRefusesWhatOthersCouldReach(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"group and other bits", func(t *testing.T, dir string) { mkdir(t, dir, 0o755) }, "mode"},
		{"group write only", func(t *testing.T, dir string) { mkdir(t, dir, 0o720) }, "mode"},
		{"a symlink to a private dir", func(t *testing.T, dir string) {
			target := dir + "-target"
			mkdir(t, target, 0o700)
			if err := os.Symlink(target, dir); err != nil {
				t.Fatal(err)
			}
		}, "not a directory"},
		{"a file", func(t *testing.T, dir string) {
			if err := os.WriteFile(dir, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "not a directory"},
		{"another user's", func(t *testing.T, dir string) {
			if os.Getuid() != 0 {
				t.Skip("chown to another uid needs root")
			}
			mkdir(t, dir, 0o700)
			if err := os.Chown(dir, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, "owned by uid 65534"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := t.TempDir()
			t.Setenv("XDG_RUNTIME_DIR", rt)
			tc.setup(t, filepath.Join(rt, "corral"))
			_, err := Dir()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Dir() error = %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func mkdir(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.Mkdir(dir, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil { // past the umask
		t.Fatal(err)
	}
}

func TestCheckDirComparesOwnerWithUid(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkDir(fi, os.Getuid()); err != nil {
		t.Errorf("own 0700 dir refused: %v", err)
	}
	if err := checkDir(fi, os.Getuid()+1000); err == nil || !strings.Contains(err.Error(), "owned by") {
		t.Errorf("dir of another uid: err = %v, want refused as owned by another", err)
	}
}

func TestListenCreatesPrivateSocketAndCloseRemovesIt(t *testing.T) {
	dir := sockDir(t)
	s, err := Listen(dir, echo)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, strconv.Itoa(os.Getpid())+".sock"); s.Path() != want {
		t.Errorf("Path() = %s, want %s", s.Path(), want)
	}
	fi, err := os.Lstat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want Srw-------", fi.Mode())
	}
	r, err := Send(s.Path(), hook(3), time.Second)
	if err != nil || !r.OK || string(r.Payload) != "3" {
		t.Fatalf("Send = %+v, %v", r, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(s.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket still there after Close: %v", err)
	}
	if _, err := Send(s.Path(), hook(3), time.Second); err == nil {
		t.Error("Send after Close succeeded")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// deadPid is the pid of a child that has exited and been reaped.
func deadPid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// livePid is the pid of a child (sleep 7343) killed, by pid, after the test.
func livePid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("sleep", "7343")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd.Process.Pid
}

// leftSocket creates a socket file at path that nobody listens on, as a
// crashed instance leaves it.
func leftSocket(t *testing.T, path string) {
	t.Helper()
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
}

func TestListenRemovesStaleSocketsOnly(t *testing.T) {
	dir := sockDir(t)
	sock := func(pid int) string { return filepath.Join(dir, strconv.Itoa(pid)+".sock") }

	dead := sock(deadPid(t))
	leftSocket(t, dead)

	reused := sock(livePid(t)) // its pid lives, but nobody listens
	leftSocket(t, reused)

	live := sock(livePid(t)) // a running instance
	ln, err := net.Listen("unix", live)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()

	notSocket := sock(deadPid(t))
	if err := os.WriteFile(notSocket, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "notes.sock")
	leftSocket(t, other)

	s, err := Listen(dir, echo)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for path, want := range map[string]bool{dead: false, reused: false, live: true, notSocket: true, other: true} {
		_, err := os.Lstat(path)
		if exists := err == nil; exists != want {
			t.Errorf("%s: exists = %v, want %v", filepath.Base(path), exists, want)
		}
	}
}

func TestListenRefusesALongPath(t *testing.T) {
	dir := filepath.Join(sockDir(t), strings.Repeat("d", 120))
	_, err := Listen(dir, echo)
	if !errors.Is(err, ErrPathTooLong) {
		t.Fatalf("Listen in a long dir: err = %v, want ErrPathTooLong", err)
	}
	if _, err := Send(filepath.Join(dir, "1.sock"), hook(1), time.Second); !errors.Is(err, ErrPathTooLong) {
		t.Errorf("Send to a long path: err = %v, want ErrPathTooLong", err)
	}
}

func TestGarbageIsAnsweredAndTheConnectionStaysUsable(t *testing.T) {
	var calls atomic.Int32
	s := serve(t, func(m Message) Reply { calls.Add(1); return echo(m) }, defaultLimits)
	c := dialRaw(t, s.Path())
	for _, line := range []string{"not json at all", "{\"op\":", "[1,2,3]", "\x00\xff\xfe", "", `{"op":"launch_missiles"}`, `{"op":""}`} {
		fmt.Fprintf(c, "%s\n", line)
		if r := c.reply(t); r.OK || r.Error == "" {
			t.Errorf("%q answered %+v, want an error", line, r)
		}
	}
	fmt.Fprintf(c, `{"op":"hook","run_id":9}`+"\n")
	if r := c.reply(t); !r.OK || string(r.Payload) != "9" {
		t.Errorf("hook after garbage: %+v", r)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("handler called %d times, want 1 (only for the hook)", n)
	}
}

func TestUnknownOpIsAnErrorAndNeverReachesTheHandler(t *testing.T) {
	var calls atomic.Int32
	s := serve(t, func(m Message) Reply { calls.Add(1); return echo(m) }, defaultLimits)
	r, err := Send(s.Path(), Message{Op: "kill", RunID: 1}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK || !strings.Contains(r.Error, `unknown op "kill"`) {
		t.Errorf("reply %+v, want unknown op", r)
	}
	if calls.Load() != 0 {
		t.Error("handler was called for an unknown op")
	}
}

func TestHugeLineIsRefusedWithBoundedMemory(t *testing.T) {
	s := serve(t, echo, defaultLimits)
	c := dialRaw(t, s.Path())
	const huge = 16 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	done := make(chan error, 1)
	go func() {
		chunk := []byte(strings.Repeat("a", 64<<10))
		var err error
		for n := 0; n < huge && err == nil; n += len(chunk) {
			_, err = c.Write(chunk)
		}
		done <- err
	}()
	r := c.reply(t)
	if r.OK || !strings.Contains(r.Error, "longer than") {
		t.Errorf("reply %+v, want line too long", r)
	}
	// Closed with the rest of the line unread: EOF or a reset.
	if _, err := c.r.ReadByte(); err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("after the refusal: read err = %v, want the connection closed", err)
	}
	if err := <-done; err == nil {
		t.Error("the server took all 16 MiB; it should have closed the connection at 1 MiB")
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 6<<20 {
		t.Errorf("allocated %d MiB for a 16 MiB line, want at most 6 (the line is bounded at 1 MiB)", got>>20)
	}
	if r, err := Send(s.Path(), hook(4), time.Second); err != nil || !r.OK {
		t.Errorf("server after a huge line: %+v, %v", r, err)
	}
}

func TestHandlerPanicIsAnErrorReply(t *testing.T) {
	s := serve(t, func(m Message) Reply {
		if m.RunID == 13 {
			panic("unlucky")
		}
		return echo(m)
	}, defaultLimits)
	r, err := Send(s.Path(), hook(13), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK || !strings.Contains(r.Error, "unlucky") {
		t.Errorf("reply %+v, want the panic as an error", r)
	}
	if r, err := Send(s.Path(), hook(12), time.Second); err != nil || !r.OK {
		t.Errorf("server after a panic: %+v, %v", r, err)
	}
}

func TestSeveralMessagesOnOneConnection(t *testing.T) {
	s := serve(t, echo, defaultLimits)
	c := dialRaw(t, s.Path())
	var batch strings.Builder
	for i := 1; i <= 50; i++ {
		line, _ := encodeLine(hook(int64(i)))
		batch.Write(line)
	}
	io.WriteString(c, batch.String())
	for i := 1; i <= 50; i++ {
		if r := c.reply(t); !r.OK || string(r.Payload) != strconv.Itoa(i) {
			t.Fatalf("reply %d: %+v", i, r)
		}
	}
}

func TestThousandConcurrentClients(t *testing.T) {
	var calls atomic.Int64
	s := serve(t, func(m Message) Reply { calls.Add(1); return echo(m) }, defaultLimits)
	const n = 1000
	var ok, busy atomic.Int64
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id := int64(i + 1)
			r, err := Send(s.Path(), hook(id), 10*time.Second)
			switch {
			case err != nil:
				errs <- err
			case r.OK && string(r.Payload) == strconv.FormatInt(id, 10):
				ok.Add(1)
			case r.Error == ErrBusy:
				busy.Add(1)
			default:
				errs <- fmt.Errorf("run %d: reply %+v", id, r)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if ok.Load()+busy.Load() != n || calls.Load() != ok.Load() || ok.Load() == 0 {
		t.Errorf("%d ok + %d busy of %d, handler called %d times", ok.Load(), busy.Load(), n, calls.Load())
	}
	t.Logf("%d answered, %d refused as busy", ok.Load(), busy.Load())
}

func TestConnectionsBeyondTheCapAreRefusedAtOnce(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	s := serve(t, func(m Message) Reply {
		if m.RunID <= 2 {
			entered <- struct{}{}
			<-release
		}
		return echo(m)
	},
		limits{maxConns: 2, idle: 5 * time.Second, write: 5 * time.Second})
	results := make(chan error, 2)
	for i := range 2 {
		go func() {
			r, err := Send(s.Path(), hook(int64(i+1)), 10*time.Second)
			if err == nil && !r.OK {
				err = errors.New(r.Error)
			}
			results <- err
		}()
		<-entered
	}
	start := time.Now()
	r, err := Send(s.Path(), hook(3), 5*time.Second)
	if err != nil || r.Error != ErrBusy {
		t.Errorf("third client: %+v, %v; want %q", r, err, ErrBusy)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the refusal took %v", d)
	}
	close(release)
	for range 2 {
		if err := <-results; err != nil {
			t.Error(err)
		}
	}
	waitServed(t, s.Path())
}

// waitServed waits until a hook message to path is answered OK: the slots of
// ended connections come back as the server's goroutines finish, just after
// their clients saw the last reply.
func waitServed(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, err := Send(path, hook(100), time.Second)
		if err == nil && r.OK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not served again: %+v, %v", r, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestIdleConnectionsAreClosed(t *testing.T) {
	s := serve(t, echo, limits{maxConns: 8, idle: 200 * time.Millisecond, write: time.Second})
	var conns []*rawConn
	for range 8 { // the whole cap, doing nothing
		conns = append(conns, dialRaw(t, s.Path()))
	}
	fmt.Fprintf(conns[0], "{\"op\":\"hook\",\"run_id\":1}\n{\"op\":") // one message, then half of one
	if r := conns[0].reply(t); !r.OK {
		t.Errorf("reply %+v", r)
	}
	for i, c := range conns {
		start := time.Now()
		if _, err := c.r.ReadByte(); err != io.EOF {
			t.Errorf("idle connection %d: read err = %v, want EOF", i, err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("idle connection %d closed after %v", i, d)
		}
	}
	waitServed(t, s.Path())
}

func TestCloseEndsIdleConnectionsAtOnce(t *testing.T) {
	s, err := listen(sockDir(t), echo, limits{maxConns: 8, idle: time.Hour, write: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c := dialRaw(t, s.Path())
	fmt.Fprintf(c, "{\"op\":\"hook\",\"run_id\":1}\n")
	c.reply(t) // served, so tracked
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v with an idle connection", d)
	}
	if _, err := c.r.ReadByte(); err != io.EOF {
		t.Errorf("client after Close: %v, want EOF", err)
	}
}

func TestSendToAMissingSocketFailsFast(t *testing.T) {
	dir := sockDir(t)
	missing := filepath.Join(dir, "1.sock")
	leftover := filepath.Join(dir, "2.sock")
	leftSocket(t, leftover)
	for _, path := range []string{missing, leftover} {
		start := time.Now()
		_, err := Send(path, hook(1), 800*time.Millisecond)
		if err == nil {
			t.Errorf("Send to %s succeeded", path)
		}
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Errorf("Send to %s took %v", path, d)
		}
	}
}

func TestSendToAStalledServerTimesOut(t *testing.T) {
	path := filepath.Join(sockDir(t), "1.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c // holds it open, never answers
		}
	}()
	start := time.Now()
	_, err = Send(path, hook(1), 300*time.Millisecond)
	if d := time.Since(start); d < 250*time.Millisecond || d > time.Second {
		t.Errorf("Send returned after %v, want about its 300ms timeout", d)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("err = %v, want a timeout", err)
	}
	(<-accepted).Close()
}

func TestPeerAllowed(t *testing.T) {
	const self = 1000
	for _, tc := range []struct {
		name string
		uid  int
		err  error
		want bool
	}{
		{"same user", self, nil, true},
		{"another user", 1001, nil, false},
		{"root is another user too", 0, nil, false},
		{"uid unreadable", self, syscall.EBADF, false},
		{"no peer credentials on this system", 0, errNoPeerCheck, true},
	} {
		if got := peerAllowed(tc.uid, tc.err, self); got != tc.want {
			t.Errorf("%s: peerAllowed(%d, %v, %d) = %v, want %v", tc.name, tc.uid, tc.err, self, got, tc.want)
		}
	}
}

// TestAnotherUserIsRefused runs a client as uid 65534 against a socket it is
// allowed to open (the directory and the socket opened up for the test): the
// peer check alone must turn it away.
func TestAnotherUserIsRefused(t *testing.T) {
	if runtime.GOOS != "linux" || os.Getuid() != 0 {
		t.Skip("needs root on Linux to run a client as another uid")
	}
	dir := sockDir(t)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	s := serve2(t, dir, func(m Message) Reply { calls.Add(1); return echo(m) })
	if err := os.Chmod(s.Path(), 0o666); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "client")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	client := func(uid uint32) string {
		cmd := exec.Command(bin, "-test.run=^$")
		cmd.Env = append(os.Environ(), "IPC_TEST_CLIENT="+s.Path())
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("client as uid %d: %v\n%s", uid, err, out)
		}
		return string(out)
	}
	if out := client(65534); !strings.HasPrefix(out, "error:") {
		t.Errorf("client as uid 65534 got %q, want no reply", out)
	}
	if calls.Load() != 0 {
		t.Errorf("handler called %d times for another user", calls.Load())
	}
	if out := client(0); !strings.HasPrefix(out, "reply: ok=true") {
		t.Errorf("client as our uid got %q, want ok", out)
	}
}

func serve2(t *testing.T, dir string, h Handler) *Server {
	t.Helper()
	s, err := Listen(dir, h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
