package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"

	"corral/config"
	"corral/history"
	"corral/internal/proc"
)

// historyCommand runs `corral history` and `corral logs`, and reports
// whether args named one: they read the run history and start nothing.
func historyCommand(args []string, stdout, stderr io.Writer) (int, bool) {
	if len(args) == 0 {
		return 0, false
	}
	switch args[0] {
	case "history":
		return runHistory(args[1:], stdout, stderr), true
	case "logs":
		return runLogs(args[1:], stdout, stderr), true
	}
	return 0, false
}

// openHistory opens the run history in its default place.
func openHistory(opts ...history.Option) (*history.Store, error) {
	dir, err := history.DefaultDir()
	if err != nil {
		return nil, err
	}
	return history.Open(dir, opts...)
}

// readHistory opens the history for a command that reads it (no pruning
// meanwhile), or says why it cannot.
func readHistory(stderr io.Writer) (*history.Store, bool) {
	s, err := openHistory(history.WithPruneInterval(0))
	if err != nil {
		fmt.Fprintln(stderr, "corral:", err)
		return nil, false
	}
	return s, true
}

// runHistory is `corral history [--json] [--limit N] [--agent NAME]`.
func runHistory(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("corral history", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "one JSON object per line")
	limit := fs.Int("limit", 50, "at most `N` runs, newest first (0: all)")
	agent := fs.String("agent", "", "only the runs of the catalog entry `NAME`")
	if err := parseSub(fs, args, stderr); err != nil {
		return subExit(err)
	}
	if fs.NArg() > 0 || *limit < 0 {
		if fs.NArg() > 0 {
			fmt.Fprintf(stderr, "corral: history takes no arguments, not %q\n", fs.Arg(0))
		} else {
			fmt.Fprintf(stderr, "corral: --limit must be 0 (all) or more, not %d\n", *limit)
		}
		fmt.Fprintln(stderr, "usage: corral history [--json] [--limit N] [--agent NAME]")
		return 2
	}
	s, ok := readHistory(stderr)
	if !ok {
		return 1
	}
	defer s.Close()
	runs, err := s.List(history.Query{Limit: *limit, Agent: *agent})
	if err == nil {
		err = history.PrintHistory(stdout, runs, *asJSON)
	}
	if err != nil {
		fmt.Fprintln(stderr, "corral:", err)
		return 1
	}
	return 0
}

// runLogs is `corral logs ID [--follow]`.
func runLogs(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("corral logs ID", flag.ContinueOnError)
	follow := fs.Bool("follow", false, "keep printing while the run writes (ctrl+c ends)")
	// The id may come before or after the flag.
	var rest []string
	for len(args) > 0 {
		if err := parseSub(fs, args, stderr); err != nil {
			return subExit(err)
		}
		if fs.NArg() == 0 {
			break
		}
		rest, args = append(rest, fs.Arg(0)), fs.Args()[1:]
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "usage: corral logs ID [--follow]")
		return 2
	}
	id, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil || id <= 0 {
		fmt.Fprintf(stderr, "corral: %q is not a run id\n", rest[0])
		return 2
	}
	s, ok := readHistory(stderr)
	if !ok {
		return 1
	}
	defer s.Close()
	if _, err := s.Get(id); err != nil {
		if errors.Is(err, history.ErrNotFound) {
			fmt.Fprintf(stderr, "corral: no run %d in the history\n", id)
		} else {
			fmt.Fprintln(stderr, "corral:", err)
		}
		return 1
	}
	if *follow {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := history.Follow(ctx, s, id, stdout); err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintln(stderr, "corral:", err)
			return 1
		}
		return 0
	}
	r, err := s.OpenLog(id)
	if err == nil {
		_, err = io.Copy(stdout, r)
		r.Close()
	}
	if err != nil {
		fmt.Fprintln(stderr, "corral:", err)
		return 1
	}
	return 0
}

// startHistory opens the run history for this instance: runs that a dead
// corral left "running" are marked lost, or returned as orphans when still
// alive. Without a history (no state directory, a failing disk) corral
// runs on: warning says so, for the status line, and the log has it.
//
// logFailed is told when a run's log cannot be written (the disk is full),
// once per run, from the log's goroutine.
func startHistory(set config.Settings, log *slog.Logger, logFailed func(id int64, err error)) (s *history.Store,
	orphans []history.Run, warning string) {
	if !set.HistoryOn() {
		log.Info("history is off (history = false)")
		return nil, nil, ""
	}
	self, _ := proc.Read(os.Getpid())
	s, err := openHistory(history.WithInstance(os.Getpid(), self.Start), history.WithLogCap(set.HistoryLogCap),
		history.WithTotalCap(set.HistoryTotalCap), history.WithMaxAge(set.HistoryMaxAge.Duration),
		history.WithErrorHandler(logFailed))
	if err != nil {
		log.Warn("history is off", "err", err)
		return nil, nil, fmt.Sprintf("the run history is off: %v", err)
	}
	for _, w := range s.Warnings() {
		log.Warn("history", "warning", w)
		warning = w.Error()
	}
	orphans, err = s.Recover(alive)
	if err != nil {
		log.Warn("history: recover runs of an earlier corral", "err", err)
	}
	for _, r := range orphans {
		log.Info("history: a run of a corral that is gone still runs (adopt it with a, or --adopt)", "run", r.ID,
			"pid", r.PID, "command", r.Argv)
	}
	return s, orphans, warning
}

// alive reports whether pid still names the process that started at start
// (clock ticks since boot; 0: unknown). Where /proc is not there, a signal
// 0 (which sends nothing) says whether the pid is in use.
func alive(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	if runtime.GOOS != "linux" {
		err := syscall.Kill(pid, 0)
		return err == nil || errors.Is(err, syscall.EPERM)
	}
	st, err := proc.Read(pid)
	return err == nil && (start == 0 || st.Start == start) && !st.Gone()
}
