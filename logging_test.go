package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHelpNamesTheLogFile(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	var out bytes.Buffer
	if code := run([]string{"--help"}, nil, &out, &out); code != 0 {
		t.Fatalf("--help exited %d", code)
	}
	if want := filepath.Join(state, "corral", "corral.log"); !strings.Contains(out.String(), want) ||
		!strings.Contains(out.String(), "--log-level") {
		t.Fatalf("--help does not name --log-level and %s:\n%s", want, out.String())
	}
}

func TestLogLevelFlag(t *testing.T) {
	tests := []struct {
		args []string
		want slog.Level
		ok   bool
	}{
		{nil, slog.LevelInfo, true},
		{[]string{"--log-level", "debug"}, slog.LevelDebug, true},
		{[]string{"--log-level=ERROR"}, slog.LevelError, true},
		{[]string{"--log-level", "loud"}, 0, false},
	}
	for _, tt := range tests {
		o, err := parseArgs(tt.args)
		if (err == nil) != tt.ok || (tt.ok && o.logLevel != tt.want) {
			t.Errorf("parseArgs(%q) = level %v, %v", tt.args, o.logLevel, err)
		}
	}
	var stderr bytes.Buffer
	if code := run([]string{"--log-level", "loud"}, nil, &stderr, &stderr); code != 2 ||
		!strings.Contains(stderr.String(), `log level "loud"`) {
		t.Fatalf("--log-level loud: exit %d, %q", code, stderr.String())
	}
}

func TestOpenLog(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	var stderr bytes.Buffer
	log, closeLog := openLog(slog.LevelWarn, &stderr)
	log.Warn("claude: open transcript", "run", 1_000_001)
	closeLog()
	b, err := os.ReadFile(filepath.Join(state, "corral", "corral.log"))
	if err != nil || !strings.Contains(string(b), `msg="claude: open transcript" run=1000001`) || stderr.Len() > 0 {
		t.Fatalf("log %q, %v; stderr %q", b, err, stderr.String())
	}

	// A state directory that cannot hold the log: corral says so and runs on.
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_STATE_HOME", blocker)
	stderr.Reset()
	log, closeLog = openLog(slog.LevelWarn, &stderr)
	log.Warn("dropped")
	closeLog()
	if !strings.Contains(stderr.String(), "corral: no log:") {
		t.Fatalf("stderr %q, want the reason there is no log", stderr.String())
	}
}
