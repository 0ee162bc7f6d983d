package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// flagError words an error of the flag package with the flag as it was
// typed: the package says "-bogus" for --bogus, which is not what the
// person wrote.
func flagError(err error, args []string) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return "unknown flag " + typed(name, args)
	}
	// "flag needs an argument: -config", `invalid value "x" for flag
	// -adopt: …`, `invalid boolean value "x" for -version: …`
	for _, before := range []string{"argument: -", "for flag -", "for -"} {
		i := strings.Index(msg, before)
		if i < 0 {
			continue
		}
		from := i + len(before)
		to := from + strings.IndexAny(msg[from:]+":", ": ")
		return msg[:from-1] + typed(msg[from:to], args) + msg[to:]
	}
	return msg
}

// parseSub parses a subcommand's flags (corral history, logs, worktrees):
// an error is said with the flag as typed, followed by the subcommand's
// usage and flags, on stderr.
func parseSub(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "corral:", flagError(err, args))
		}
		flags := 0
		fs.VisitAll(func(*flag.Flag) { flags++ })
		if flags > 0 {
			fmt.Fprintf(stderr, "usage: %s [flags]:\n", fs.Name())
		} else {
			fmt.Fprintf(stderr, "usage: %s\n", fs.Name())
		}
		printFlags(stderr, fs)
	}
	return err
}

// subExit is the exit status after parseSub's error: 0 for --help, which
// asked for what was printed, else 2.
func subExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

// printFlags lists fs's flags as people type them (--limit N, not the
// flag package's -limit int), with their usage and any default.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, use := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if arg != "" {
			name += " " + strings.ToUpper(arg)
		}
		if d := f.DefValue; d != "" && d != "false" && d != "0" {
			use += " (default " + d + ")"
		}
		fmt.Fprintf(w, "  %-16s %s\n", name, use)
	})
}

// typed returns the flag called name as args spell it (--name or -name),
// up to any "=value".
func typed(name string, args []string) string {
	for _, a := range args {
		if a == "--" {
			break
		}
		flag, _, _ := strings.Cut(a, "=")
		if strings.HasPrefix(flag, "-") && strings.TrimLeft(flag, "-") == name {
			return flag
		}
	}
	return "-" + name
}

// runName is the value of a --name given among the flags, before the first
// command: a flag.Value that refuses an empty name and a second one.
type runName string

func (n *runName) String() string { return string(*n) }

func (n *runName) Set(s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return fmt.Errorf("--name needs a name, not %q", s)
	case *n != "":
		return fmt.Errorf("--name %q and --name %q name the same command", string(*n), s)
	}
	*n = runName(s)
	return nil
}

// splitCommands reads the arguments after the flags (rest, the tail of
// args): command lines, each of which may be preceded by --name NAME (or
// --name=NAME), which names the next command's run only; name is a --name
// given among the flags before the first command. After a "--" every
// argument is a command line. names[i] is the name of commands[i], or "".
func splitCommands(args, rest []string, name runName) (commands, names []string, err error) {
	// The flag package stops at the first command, or after a "--".
	literal := len(rest) < len(args) && args[len(args)-len(rest)-1] == "--"
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if !literal && a == "--" {
			literal = true
			continue
		}
		if flag, value, hasValue := strings.Cut(a, "="); !literal && (flag == "--name" || flag == "-name") {
			if !hasValue {
				if i+1 == len(rest) {
					return nil, nil, fmt.Errorf("%s needs a name", flag)
				}
				i++
				value = rest[i]
			}
			if err := name.Set(value); err != nil {
				return nil, nil, err
			}
			continue
		}
		if strings.TrimSpace(a) == "" {
			return nil, nil, errors.New("an empty command was given")
		}
		commands, names = append(commands, a), append(names, string(name))
		name = ""
	}
	if name != "" {
		return nil, nil, fmt.Errorf("--name %q names no command: it goes before the command it names", string(name))
	}
	return commands, names, nil
}
