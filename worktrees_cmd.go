package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"corral/history"
	"corral/worktree"
)

// worktreesCommand runs `corral worktrees [--json]` and `corral worktrees
// prune`, and reports whether args named them. They read the worktrees
// the run history recorded; prune removes some.
func worktreesCommand(args []string, stdout, stderr io.Writer) (int, bool) {
	if len(args) == 0 || args[0] != "worktrees" {
		return 0, false
	}
	if len(args) > 1 && args[1] == "prune" {
		return runPruneWorktrees(args[2:], stdout, stderr), true
	}
	return runWorktrees(args[1:], stdout, stderr), true
}

const worktreesUsage = "usage: corral worktrees [--json]   |   corral worktrees prune"

// worktreeLine is one worktree as `corral worktrees` shows it.
type worktreeLine struct {
	Run int64 `json:"run"`
	// RunStatus is how the run is: "running" (in a corral that is still
	// there), "orphan" (its corral is gone, its process is not), how it
	// ended ("exited 0", "killed SIGTERM", "lost"), or "gone" when the
	// history no longer has it.
	RunStatus string `json:"run_status"`
	Branch    string `json:"branch"`
	Path      string `json:"path"`
	Base      string `json:"base"`
	Repo      string `json:"repo"`
	// Exists: the worktree's directory is there.
	Exists    bool `json:"exists"`
	Dirty     bool `json:"dirty"`
	Changed   int  `json:"changed"`
	Untracked int  `json:"untracked"`
	Ahead     int  `json:"ahead"`
	Behind    int  `json:"behind"`
	// Unpushed is how many commits of the branch no other branch or
	// remote has.
	Unpushed int `json:"unpushed"`
	// Error says why the worktree could not be looked at (git missing, the
	// repository moved…).
	Error string `json:"error,omitempty"`
}

// live reports whether the run still runs somewhere.
func (w worktreeLine) live() bool { return w.RunStatus == "running" || w.RunStatus == "orphan" }

// runWorktrees is `corral worktrees [--json]`.
func runWorktrees(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("corral worktrees", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "one JSON object per line")
	s, code := openWorktrees(fs, args, stderr)
	if s == nil {
		return code
	}
	defer s.Close()
	lines, err := worktreeLines(s)
	if err == nil {
		err = printWorktrees(stdout, lines, *asJSON)
	}
	if err != nil {
		fmt.Fprintln(stderr, "corral:", err)
		return 1
	}
	return 0
}

// openWorktrees parses args with fs, refuses an argument left over and
// opens the run history for a worktrees command. When it cannot, it has
// said why on stderr and returns a nil store and the exit status.
func openWorktrees(fs *flag.FlagSet, args []string, stderr io.Writer) (*history.Store, int) {
	if err := parseSub(fs, args, stderr); err != nil {
		return nil, subExit(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, worktreesUsage)
		return nil, 2
	}
	s, ok := readHistory(stderr)
	if !ok {
		return nil, 1
	}
	return s, 0
}

// worktreeLines looks at every worktree the history records as kept.
func worktreeLines(s *history.Store) ([]worktreeLine, error) {
	recs, err := s.Worktrees(false)
	if err != nil {
		return nil, err
	}
	lines := make([]worktreeLine, 0, len(recs))
	for _, w := range recs {
		lines = append(lines, lookAt(s, w))
	}
	return lines, nil
}

// lookAt reads how a recorded worktree and its run are.
func lookAt(s *history.Store, w history.Worktree) worktreeLine {
	l := worktreeLine{Run: w.RunID, Branch: w.Branch, Path: w.Path, Base: w.Base, Repo: w.Repo, RunStatus: "gone"}
	if r, err := s.Get(w.RunID); err == nil {
		l.RunStatus = history.Outcome(r)
		if !r.Ended() {
			switch {
			case r.Instance > 0 && alive(r.Instance, r.InstanceStart):
			case r.PID > 0 && alive(r.PID, r.StartTime):
				l.RunStatus = "orphan"
			default:
				l.RunStatus = history.StatusLost // its corral and its process are gone
			}
		}
	}
	if _, err := os.Stat(w.Path); err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			l.Error = err.Error()
		}
		return l
	}
	l.Exists = true
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := worktree.StatusOf(ctx, worktreeOf(w))
	if err != nil {
		l.Error = err.Error()
		return l
	}
	l.Dirty, l.Changed, l.Untracked = st.Dirty(), st.Changed, st.Untracked
	l.Ahead, l.Behind, l.Unpushed = st.Ahead, st.Behind, st.Unpushed
	return l
}

func worktreeOf(w history.Worktree) worktree.Worktree {
	return worktree.Worktree{Path: w.Path, Branch: w.Branch, Base: w.Base, Repo: w.Repo, Dir: w.Path}
}

// printWorktrees writes the worktrees as JSON lines or as a table.
func printWorktrees(w io.Writer, lines []worktreeLine, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, l := range lines {
			if err := enc.Encode(l); err != nil {
				return fmt.Errorf("print worktrees: %w", err)
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tRUN STATUS\tBRANCH\tCHANGES\tAHEAD\tBEHIND\tPATH")
	for _, l := range lines {
		changes := "clean"
		switch {
		case l.Error != "":
			changes = "? " + l.Error
		case !l.Exists:
			changes = "directory gone"
		case l.Dirty:
			changes = worktree.Status{Changed: l.Changed, Untracked: l.Untracked}.Loss(false)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%s\n", l.Run, l.RunStatus, l.Branch, changes, l.Ahead, l.Behind, l.Path)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("print worktrees: %w", err)
	}
	return nil
}

// runPruneWorktrees is `corral worktrees prune`: it removes the worktrees
// whose runs run nowhere and which hold no uncommitted or untracked work,
// keeping their branches, and says of each what it did and why.
func runPruneWorktrees(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("corral worktrees prune", flag.ContinueOnError)
	s, code := openWorktrees(fs, args, stderr)
	if s == nil {
		return code
	}
	defer s.Close()
	recs, err := s.Worktrees(false)
	if err != nil {
		fmt.Fprintln(stderr, "corral:", err)
		return 1
	}
	code, removed, kept := 0, 0, 0
	for _, w := range recs {
		l := lookAt(s, w)
		what := fmt.Sprintf("run %d %s", l.Run, l.Path)
		why := ""
		switch {
		case l.live():
			why = "its run is still running (" + l.RunStatus + ")"
		case l.Error != "":
			why = l.Error
		case l.Dirty:
			why = worktree.Status{Changed: l.Changed, Untracked: l.Untracked}.Loss(false)
		}
		if why != "" {
			kept++
			fmt.Fprintf(stdout, "kept     %s: %s\n", what, why)
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := worktree.Remove(ctx, worktreeOf(w), false, false)
		cancel()
		if err == nil {
			err = s.WorktreeRemoved(w.RunID, time.Now())
		}
		if err != nil {
			kept++
			code = 1
			fmt.Fprintf(stdout, "kept     %s: %v\n", what, err)
			continue
		}
		removed++
		note := "branch " + l.Branch + " kept"
		switch {
		case !l.Exists:
			note = "its directory was already gone; " + note
		case l.Unpushed > 0:
			note += ", with " + strconv.Itoa(l.Unpushed) + " commit(s) no other branch has"
		}
		fmt.Fprintf(stdout, "removed  %s (%s)\n", what, note)
	}
	fmt.Fprintf(stdout, "%d removed, %d kept\n", removed, kept)
	return code
}
