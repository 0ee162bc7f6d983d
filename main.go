// Command corral starts, watches and stops AI coding agents and other
// long-running commands from one terminal screen.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"corral/claude"
	"corral/config"
	"corral/registry"
	"corral/spawn"
	"corral/tui"

	tea "charm.land/bubbletea/v2"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// Checked at compile time: the packages fit the interfaces tui declares.
var (
	_ tui.Registry = (*registry.Registry)(nil)
	_ tui.Screen   = (*spawn.Proc)(nil)
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

// usageError is a bad command line: usage is printed and the status is 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

type options struct {
	configPath     string
	explicitConfig bool
	adopt          []int
	commands       []string
	version        bool
	help           bool
	defaultConfig  bool
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
	if err := fs.Parse(args); err != nil {
		return o, usageError{err.Error()}
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "config" {
			o.explicitConfig = true
		}
	})
	for _, c := range fs.Args() {
		if strings.TrimSpace(c) == "" {
			return o, usageError{"an empty command was given"}
		}
		o.commands = append(o.commands, c)
	}
	return o, nil
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `usage: corral [flags] [command ...]

Each command is a command line started as a run at launch, e.g.
  corral "npm run dev" "claude"

flags:
  --config PATH     configuration file (default %s)
  --adopt PID       register a running process as a sidecar run (repeatable)
  --default-config  print the default configuration, which documents every setting
  --version         print the version
  --help            this help

keys: ↑/↓ select · n new run · k kill · u unregister · r restart · enter type into a run
      (ctrl+] leaves) · pgup/pgdn/home/end scroll output · c clean up · / filter · a adopt
      ? help · q quit (stops every run first)
`, config.DefaultPath())
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	if err != nil {
		fmt.Fprintln(stderr, "corral:", err)
		usage(stderr)
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
	if err != nil {
		fmt.Fprintln(stderr, "corral:", err)
		return 2
	}
	cwd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(stderr, "corral:", err)
		return 1
	}

	reg := registry.New(registry.WithGracePeriod(cfg.Settings.KillGrace.Duration),
		registry.WithOutputLines(cfg.Settings.ScrollbackLines))
	sp := spawn.New(reg)
	home, _ := os.UserHomeDir()
	follower := claude.NewFollower(reg, home)
	l := newLauncher(reg, sp, follower, cfg, cwd)
	// Whatever happens from here on, no child outlives corral.
	defer func() {
		follower.Close()
		stopAll(reg, cfg.Settings.KillGrace.Duration, stderr)
		sp.Close()
		reg.Close()
	}()

	for _, c := range o.commands {
		if _, err := l.Launch(tui.Request{Command: c}); err != nil {
			fmt.Fprintf(stderr, "corral: %q: %v\n", c, err)
			return 2
		}
	}
	for _, pid := range o.adopt {
		if _, err := l.Adopt(pid); err != nil {
			fmt.Fprintln(stderr, "corral:", err)
			return 2
		}
	}

	m := tui.New(reg, l, tui.Options{Keys: keyMap(cfg.Keys), Theme: theme(cfg.Theme), Version: version, Dir: cwd})
	defer m.Close()
	p := tea.NewProgram(m, tea.WithInput(stdin), tea.WithOutput(stdout))
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		if _, ok := <-hup; ok {
			p.Quit() // the terminal is gone: stop the runs and leave
		}
	}()
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrInterrupted) {
		fmt.Fprintln(stderr, "corral:", err)
		return 1
	}
	return 0
}

// stopAll stops every run still alive: TERM, the grace period, KILL.
func stopAll(reg *registry.Registry, grace time.Duration, stderr io.Writer) {
	live := reg.RunningProcesses()
	if len(live) == 0 {
		return
	}
	fmt.Fprintf(stderr, "corral: stopping %d run(s)…\n", len(live))
	ctx, cancel := context.WithTimeout(context.Background(), grace+5*time.Second)
	defer cancel()
	if err := reg.KillAll(ctx); err != nil {
		fmt.Fprintln(stderr, "corral:", err)
	}
}
