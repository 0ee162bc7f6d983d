package claude

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"corral/registry"
)

// recorder is a slog.Handler that hands every record to a channel, so a
// test awaits a log line as an event.
type recorder chan slog.Record

func (recorder) Enabled(context.Context, slog.Level) bool { return true }
func (h recorder) Handle(_ context.Context, r slog.Record) error {
	h <- r.Clone()
	return nil
}
func (h recorder) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h recorder) WithGroup(string) slog.Handler      { return h }

// next returns the next record, failing after a generous timeout (a guard
// against a hang, not a synchronisation).
func (h recorder) next(t *testing.T) (slog.Record, map[string]slog.Value) {
	t.Helper()
	select {
	case r := <-h:
		m := map[string]slog.Value{}
		r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value; return true })
		return r, m
	case <-time.After(10 * time.Second):
		t.Fatal("nothing logged within 10 s")
	}
	return slog.Record{}, nil
}

// failedRun lists a run with no process (RecordFailure), whose output a
// test then writes.
func failedRun(t *testing.T, reg *registry.Registry, sessionID string) int64 {
	t.Helper()
	id, err := reg.RecordFailure(registry.RegistrationConfig{SessionID: sessionID}, registry.Exit{Code: 1}, "")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A transcript that cannot be opened was skipped in silence: it is logged,
// with the run id, once however many scans meet it.
func TestFollowTranscriptLogsAnUnreadableTranscript(t *testing.T) {
	home := t.TempDir()
	dir := ProjectDir(home, "/work/app")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A dangling link: unreadable even by root, whom permissions do not stop.
	if err := os.Symlink(filepath.Join(home, "gone"), filepath.Join(dir, "s1.jsonl")); err != nil {
		t.Fatal(err)
	}
	rec := make(recorder, 16)
	reg := registry.New()
	defer reg.Close()
	f := NewFollower(reg, home, WithLogger(slog.New(rec)))
	id := failedRun(t, reg, "")
	f.FollowTranscript(id, "/work/app")

	r, a := rec.next(t)
	if r.Level != slog.LevelWarn || r.Message != "claude: open transcript" || a["run"].Int64() != id ||
		!errors.Is(a["err"].Any().(error), os.ErrNotExist) {
		t.Fatalf("logged %v %q %v, want the open error of run %d", r.Level, r.Message, a, id)
	}
	f.Close() // the watcher has scanned again meanwhile, or not: either way it logs no more
	select {
	case r := <-rec:
		t.Fatalf("logged again: %q", r.Message)
	default:
	}
}

// A session id the registry refuses (another run holds it) was dropped in
// silence: it is logged with the run id and the session id.
func TestFollowStreamLogsARefusedSessionID(t *testing.T) {
	rec := make(recorder, 16)
	reg := registry.New()
	defer reg.Close()
	f := NewFollower(reg, t.TempDir(), WithLogger(slog.New(rec)))
	defer f.Close()
	failedRun(t, reg, "taken")
	id := failedRun(t, reg, "")
	if err := reg.AppendLiveOutput(id, `{"type":"system","subtype":"init","session_id":"taken"}`+"\n"); err != nil {
		t.Fatal(err)
	}
	f.FollowStream(id)

	r, a := rec.next(t)
	if r.Level != slog.LevelWarn || r.Message != "claude: record session id" || a["run"].Int64() != id ||
		a["session"].String() != "taken" || !errors.Is(a["err"].Any().(error), registry.ErrDuplicateSession) {
		t.Fatalf("logged %v %q %v, want the refused session of run %d", r.Level, r.Message, a, id)
	}
}

// The rendered stream keeps as many lines as the registry keeps of a run's
// output (scrollback_lines), not a fixed 10,000.
func TestRenderedKeepsTheRegistrysLines(t *testing.T) {
	reg := registry.New(registry.WithOutputLines(3))
	defer reg.Close()
	f := NewFollower(reg, t.TempDir())
	defer f.Close()
	id := failedRun(t, reg, "")
	// One stream line that renders as five.
	line := `{"type":"assistant","message":{"content":[{"type":"text","text":"one\ntwo\nthree\nfour\nfive"}]}}`
	if err := reg.AppendLiveOutput(id, line+"\n"); err != nil {
		t.Fatal(err)
	}
	f.FollowStream(id) // renders what came before the call, before it returns
	if got := strings.Join(f.Rendered(id).Tail(10), "|"); got != "three|four|five" {
		t.Fatalf("rendered %q, want the last 3 lines", got)
	}
}
