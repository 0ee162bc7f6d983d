package spawn

import (
	"bytes"
	"sync"
	"testing"
)

// logSink records what a run's log receives and whether it was closed.
type logSink struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	closed chan struct{}
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logSink) Close() error { close(l.closed); return nil }

// A run's log gets its plain text, as the history does, and is closed when
// the reader ends; a run that cannot start closes it at once.
func TestRunLogGetsThePlainTextAndIsClosed(t *testing.T) {
	r := newRig(t)
	sink := &logSink{closed: make(chan struct{})}
	p, err := r.sp.Start(Spec{Argv: []string{"sh", "-c", `printf 'one \033[31mred\033[0m\ntwo\n'`}, Log: sink})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, p)
	<-sink.closed
	if got := sink.buf.String(); got != "one red\r\ntwo\r\n" { // the terminal's line ends, as received
		t.Fatalf("log %q", got)
	}
	bad := &logSink{closed: make(chan struct{})}
	if _, err := r.sp.Start(Spec{Argv: []string{"/nonexistent/program-7357"}, Log: bad}); err == nil {
		t.Fatal("a missing program started")
	}
	select {
	case <-bad.closed:
	default:
		t.Fatal("the log of a run that did not start is left open")
	}
}
