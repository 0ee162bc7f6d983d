// Command corral starts, watches and stops AI coding agents and other
// long-running commands from one terminal screen.
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
	"strconv"
	"strings"
	"syscall"
	"time"

	"corral/claude"
	"corral/config"
	"corral/internal/logfile"
	"corral/launch"
	"corral/project"
	"corral/registry"
	"corral/spawn"
	"corral/tui"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
)

// Checked at compile time: the packages fit the interfaces tui declares.
var (
	_ tui.Registry = (*registry.Registry)(nil)
	_ tui.Screen   = (*spawn.Proc)(nil)
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "hook" {
		os.Exit(runHook(os.Args[2:], os.Stdin, os.Getenv))
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// usageError is a bad command line: it is printed with a line on where to
// read the usage, and the status is 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

type options struct {
	configPath     string
	explicitConfig bool
	adopt          []int
	commands       []string
	names          []string // names[i] names the run of commands[i], or ""
	version        bool
	help           bool
	defaultConfig  bool
	logLevel       slog.Level
	projectPath    string // --project; "": corral.toml if there is one
	procfile       string
	worktree       bool // --worktree: each command's run in a new git worktree
}

func parseArgs(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("corral", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.configPath, "config", config.DefaultPath(), "")
	fs.Func("adopt", "", func(s string) error {
		pid, err := strconv.Atoi(s)
		if err != nil || pid <= 0 {
			return fmt.Errorf("--adopt takes a pid, not %q", s)
		}
		o.adopt = append(o.adopt, pid)
		return nil
	})
	fs.BoolVar(&o.version, "version", false, "")
	fs.BoolVar(&o.help, "help", false, "")
	fs.BoolVar(&o.help, "h", false, "")
	fs.BoolVar(&o.defaultConfig, "default-config", false, "")
	fs.StringVar(&o.projectPath, "project", "", "")
	fs.StringVar(&o.procfile, "procfile", "", "")
	fs.BoolVar(&o.worktree, "worktree", false, "")
	fs.Func("log-level", "", func(s string) (err error) {
		o.logLevel, err = logfile.ParseLevel(s)
		return err
	})
	var name runName
	fs.Var(&name, "name", "")
	if err := fs.Parse(args); err != nil {
		return o, usageError{flagError(err, args)}
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "config" {
			o.explicitConfig = true
		}
	})
	var err error
	if o.commands, o.names, err = splitCommands(args, fs.Args(), name); err != nil {
		return o, usageError{err.Error()}
	}
	return o, nil
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `usage: corral [flags] [command ...]

Each command is a command line started as a run at launch, e.g.
  corral "npm run dev" "claude"
  corral --name web "npm run dev" --name db "postgres -D data"

  corral history [--json] [--limit N] [--agent NAME]   past runs, newest first
  corral logs ID [--follow]                            a run's output
  corral worktrees [--json]                            the git worktrees corral made for runs
  corral worktrees prune                               remove those of ended runs that are clean

flags:
  --config PATH     configuration file (default %s)
  --adopt PID       register a running process as a sidecar run (repeatable)
  --project FILE    a project file of runs to start (default: corral.toml here, if there is one)
  --procfile FILE   a Procfile: its processes start as runs too
  --name NAME       name the run of the command that follows (before each command)
  --worktree        start each command in a new git worktree of this directory's repository
  --default-config  print the default configuration, which documents every setting
  --log-level LEVEL debug, info, warn or error (default info), for corral's log:
                    %s
  --version         print the version
  --help            this help

default keys (a config may change them; ? in corral shows the keys in force):
      ↑/↓ select · n new run · k kill · u unregister · r restart · enter type into a run
      (ctrl+] leaves) · pgup/pgdn/home/end scroll output · c clean up · / filter · a adopt
      ? help · q quit (stops the runs corral started; adopted runs keep running)
`, config.DefaultPath(), logPath())
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if code, ok := historyCommand(args, stdout, stderr); ok {
		return code
	}
	if code, ok := worktreesCommand(args, stdout, stderr); ok {
		return code
	}
	o, err := parseArgs(args)
	if err != nil {
		// The message and where to read more, as GNU tools do: thirty
		// lines of usage would push the message off a small terminal.
		fmt.Fprintln(stderr, "corral:", err)
		fmt.Fprintln(stderr, "usage: corral [flags] [command ...]; corral --help lists them")
		return 2
	}
	switch {
	case o.help:
		usage(stdout)
		return 0
	case o.version:
		fmt.Fprintln(stdout, "corral", version)
		return 0
	case o.defaultConfig:
		fmt.Fprint(stdout, config.DefaultTOML())
		return 0
	}
	cfg, err := config.Load(o.configPath, o.explicitConfig)
	if err == nil {
		err = checkKeys(cfg)
	}
	var runs []project.Run
	if err == nil {
		runs, err = projectRuns(o, cfg)
	}
	if err != nil {
		fmt.Fprintln(stderr, "corral:", err)
		return 2
	}
	// Nothing is started or adopted without a terminal to show it on: the
	// UI could not start, and nothing should run unseen.
	if !isTerminal(stdin) || !isTerminal(stdout) {
		fmt.Fprintln(stderr, "corral needs a terminal (stdin and stdout must be a TTY)")
		return 2
	}
	if err := checkAdopts(o.adopt); err != nil {
		fmt.Fprintln(stderr, "corral:", err)
		return 2
	}
	cwd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(stderr, "corral:", err)
		return 1
	}

	// Signals are caught from here until every run is stopped: a second
	// one during the stop skips the grace period, never corral's own end.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer func() { signal.Stop(sigs); close(sigs) }()
	stopReaping, err := spawn.Subreaper()
	if err != nil {
		fmt.Fprintln(stderr, "corral:", err)
	}
	defer stopReaping()
	logger, closeLog := openLog(o.logLevel, stderr)
	defer closeLog() // last: the stop below still logs
	logger.Info("corral started", "version", version, "pid", os.Getpid())

	regOpts := []registry.Option{registry.WithGracePeriod(cfg.Settings.KillGrace.Duration),
		registry.WithOutputLines(cfg.Settings.ScrollbackLines), registry.WithOutputBytes(cfg.Settings.ScrollbackBytes),
		registry.WithLogger(logger)}
	var reg *registry.Registry // set before any run starts, so before any log fails
	store, orphans, warning := startHistory(cfg.Settings, logger, func(id int64, err error) {
		reg.Warn(id, fmt.Sprintf("history: the log of run %d is not written from here on: %v", id, err))
	})
	if store != nil {
		defer store.Close() // after the launcher has written the last ends
		regOpts = append(regOpts, registry.WithIDs(store.NextID))
	}
	reg = registry.New(regOpts...)
	spawn.Version = version // answered to XTVERSION
	sp := spawn.New(reg)
	home, _ := os.UserHomeDir()
	follower := claude.NewFollower(reg, home, claude.WithLogger(logger))
	l := launch.New(reg, sp, follower, cfg, cwd)
	var past tui.History
	if store != nil {
		l.EnableHistory(store)
		l.SetOrphans(orphans)
		past = l
	}
	closeSocket := serveHooks(l, logger)
	sh := newSignals(sigs)
	// Whatever happens from here on, no child corral started outlives it,
	// and nothing it adopted is signalled.
	defer func() {
		closeSocket()
		follower.Close()
		stopAll(reg, sp, cfg.Settings.KillGrace.Duration, sh, stderr)
		l.Close() // after the stop: the history records how the runs ended
		sp.Close()
		reg.Close()
	}()

	// Runs start at the size of the pane they will show in, not 80×24.
	var cols, rows int
	if f, ok := stdout.(*os.File); ok {
		if w, h, err := term.GetSize(f.Fd()); err == nil {
			cols, rows = tui.PaneSize(w, h, len(o.commands)+len(o.adopt)+len(runs))
		}
	}
	for i, c := range o.commands {
		req := tui.Request{Command: c, Name: o.names[i], Cols: cols, Rows: rows, Worktree: o.worktree}
		if _, err := l.Launch(req); err != nil {
			l.Fail(req, err) // listed as a failed row: the others start
		}
	}
	stopProject := startProject(reg, l, runs, cols, rows)
	defer stopProject() // before the runs are stopped: no restart races the quit
	for _, pid := range o.adopt {
		if _, err := l.Adopt(pid); err != nil {
			fmt.Fprintln(stderr, "corral:", err)
			return 2
		}
	}

	m := tui.New(reg, l, tui.Options{Keys: keyMap(cfg.Keys), Theme: theme(cfg.Theme), Version: version, Dir: cwd,
		TermProgram: tui.TerminalName(os.Getenv), InTmux: os.Getenv("TMUX") != "", Logger: logger,
		Notify: cfg.Settings.Notify, NotifyCommand: notifyCommand(cfg.Settings.NotifyCommand),
		AttentionFirst: cfg.Settings.AttentionFirst, History: past, Warning: warning, Orphans: l.Orphans(), Workspaces: l})
	defer m.Close()
	p := tea.NewProgram(m, tea.WithInput(stdin), tea.WithOutput(stdout), tea.WithFPS(tui.FPS))
	sh.onFirst(p.Quit) // a signal ends the UI; the runs are stopped after it
	_, err = p.Run()
	if code := sh.code(); code != 0 {
		return code
	}
	if err != nil && (errors.Is(err, tea.ErrProgramPanic) ||
		!errors.Is(err, tea.ErrInterrupted) && !errors.Is(err, tea.ErrProgramKilled)) {
		fmt.Fprintln(stderr, "corral:", err)
		return 1
	}
	return 0
}

// isTerminal reports whether f is a terminal.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(file.Fd())
}

// checkAdopts refuses, before anything starts, a list of pids to adopt
// that holds a pid twice or one that may not be adopted.
func checkAdopts(pids []int) error {
	seen := map[int]bool{}
	for _, pid := range pids {
		if seen[pid] {
			return fmt.Errorf("--adopt %d is given twice", pid)
		}
		seen[pid] = true
		if err := registry.CheckAdoptable(pid); err != nil {
			return fmt.Errorf("--adopt: %w", err)
		}
	}
	return nil
}

// stopAll stops every run corral started that is still active: HUP and
// TERM, the grace period, KILL; a signal meanwhile skips the rest of the grace. It
// then says what it leaves running: adopted runs, released untouched, and
// runs unregistered while alive, whose terminal closes with corral.
func stopAll(reg *registry.Registry, sp *spawn.Spawner, grace time.Duration, sh *signals, stderr io.Writer) {
	if live := reg.Owned(); len(live) > 0 {
		fmt.Fprintf(stderr, "corral: stopping %d run(s): SIGHUP and SIGTERM now, SIGKILL in %s (a second signal or ctrl+c: at once)…\n",
			len(live), grace)
		ctx, cancel := context.WithTimeout(context.Background(), grace+5*time.Second)
		defer cancel()
		stop := sh.onNext(cancel)
		err := reg.KillAll(ctx)
		stop()
		if err != nil {
			fmt.Fprintln(stderr, "corral:", err)
		}
	}
	if kept := reg.Released(); len(kept) > 0 {
		pids := make([]string, len(kept))
		for i, p := range kept {
			pids[i] = strconv.Itoa(p.PID)
		}
		fmt.Fprintf(stderr, "corral: %d adopted run(s) keep running (pid %s)\n", len(kept), strings.Join(pids, ", "))
	}
	if gone := sp.Detached(); len(gone) > 0 {
		fmt.Fprintf(stderr, "corral: %d unregistered run(s) hung up as corral's terminal closes\n", len(gone))
	}
}
