package main

import (
	"fmt"
	"io"
	"log/slog"

	"corral/internal/logfile"
)

// logPath names corral's log for the help text, even when it cannot be
// resolved (no home directory).
func logPath() string {
	if p, err := logfile.Path(); err == nil {
		return p
	}
	return "$XDG_STATE_HOME/corral/" + logfile.Name
}

// openLog opens corral's log at level. Without one corral still runs: it
// says why on stderr, before the UI starts, and logs nothing.
func openLog(level slog.Level, stderr io.Writer) (*slog.Logger, func()) {
	path, err := logfile.Path()
	var log *slog.Logger
	var c io.Closer
	if err == nil {
		log, c, err = logfile.New(path, level)
	}
	if err != nil {
		fmt.Fprintln(stderr, "corral: no log:", err)
		return slog.New(slog.DiscardHandler), func() {}
	}
	return log, func() { _ = c.Close() }
}
