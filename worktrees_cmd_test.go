package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"corral/history"
	"corral/internal/gittest"
	"corral/worktree"
)

// The worktrees of five runs: ended and clean (1), ended with an untracked
// file (2), running in a live corral (3), forgotten by the history with a
// commit of its own (4), and one whose directory was deleted (5).
func TestWorktreesListAndPrune(t *testing.T) {
	repo := gittest.Repo(t, "proj", map[string]string{"a.txt": "a\n"})
	t.Setenv("XDG_STATE_HOME", t.TempDir())

	dir, err := history.DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	s, err := history.Open(dir, history.WithPruneInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	root, _ := worktree.DefaultRoot()
	wts := map[int64]worktree.Worktree{}
	for id := int64(1); id <= 5; id++ {
		w, err := worktree.Create(context.Background(), repo, worktree.Options{Agent: "sh", RunID: id})
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(w.Path) != root {
			t.Fatalf("made in %s, not in the default %s", w.Path, root)
		}
		wts[id] = w
		if err := s.AddWorktree(history.Worktree{RunID: id, Repo: w.Repo, Path: w.Path, Branch: w.Branch, Base: w.Base}); err != nil {
			t.Fatal(err)
		}
		if id == 4 {
			continue // the history forgot the run
		}
		r := history.Run{ID: id, Kind: "command", Argv: []string{"sh"}, Dir: w.Path, Status: "exited"}
		if id == 3 {
			r.Status, r.Instance = history.StatusRunning, os.Getpid() // this process is the corral it runs in
		}
		if err := s.Begin(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(wts[2].Path, "new.txt"), []byte("n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(wts[4].Path, "a.txt"), []byte("b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gittest.Git(t, wts[4].Path, "commit", "-q", "-am", "work")
	if err := os.RemoveAll(wts[5].Path); err != nil {
		t.Fatal(err)
	}
	s.Close()

	var out, errOut bytes.Buffer
	if code := run([]string{"worktrees", "--json"}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("worktrees --json: %d %s", code, errOut.String())
	}
	var lines []worktreeLine
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var w worktreeLine
		if err := json.Unmarshal([]byte(l), &w); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		lines = append(lines, w)
	}
	want := []worktreeLine{
		{Run: 1, RunStatus: "exited 0", Exists: true},
		{Run: 2, RunStatus: "exited 0", Exists: true, Dirty: true, Untracked: 1},
		{Run: 3, RunStatus: "running", Exists: true},
		{Run: 4, RunStatus: "gone", Exists: true, Ahead: 1, Unpushed: 1},
		{Run: 5, RunStatus: "exited 0"},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d worktrees listed: %+v", len(lines), lines)
	}
	for i, w := range want {
		wt := wts[w.Run]
		w.Branch, w.Path, w.Base, w.Repo = wt.Branch, wt.Path, "main", repo
		if lines[i] != w {
			t.Errorf("listed %+v,\nwant   %+v", lines[i], w)
		}
	}

	out.Reset()
	if code := run([]string{"worktrees"}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("worktrees: %d %s", code, errOut.String())
	}
	table := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(table) != 6 || !strings.HasPrefix(table[0], "RUN") || !strings.Contains(table[2], "1 untracked file") ||
		!strings.Contains(table[1], "clean") || !strings.Contains(table[5], "directory gone") ||
		!strings.Contains(table[3], wts[3].Branch) || !strings.Contains(table[3], wts[3].Path) {
		t.Fatalf("the table:\n%s", out.String())
	}

	out.Reset()
	if code := run([]string{"worktrees", "prune"}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("worktrees prune: %d %s", code, errOut.String())
	}
	said := out.String()
	for _, w := range []string{
		"removed  run 1 " + wts[1].Path + " (branch " + wts[1].Branch + " kept)",
		"kept     run 2 " + wts[2].Path + ": 1 untracked file",
		"kept     run 3 " + wts[3].Path + ": its run is still running (running)",
		"removed  run 4 " + wts[4].Path + " (branch " + wts[4].Branch + " kept, with 1 commit(s) no other branch has)",
		"removed  run 5 " + wts[5].Path + " (its directory was already gone; branch " + wts[5].Branch + " kept)",
		"3 removed, 2 kept",
	} {
		if !strings.Contains(said, w+"\n") {
			t.Errorf("prune did not say %q:\n%s", w, said)
		}
	}
	for id, gone := range map[int64]bool{1: true, 2: false, 3: false, 4: true, 5: true} {
		if _, err := os.Stat(wts[id].Path); errors.Is(err, os.ErrNotExist) != gone {
			t.Errorf("run %d's worktree: gone %v, want %v", id, !gone, gone)
		}
		if b := gittest.Git(t, repo, "branch", "--list", wts[id].Branch); b == "" {
			t.Errorf("run %d's branch was deleted", id)
		}
	}
	if got := strings.Count(gittest.Git(t, repo, "worktree", "list", "--porcelain"), "worktree "); got != 3 {
		t.Errorf("git lists %d worktrees, want the repository and 2 kept", got)
	}
	out.Reset()
	run([]string{"worktrees", "--json"}, strings.NewReader(""), &out, &errOut)
	if n := strings.Count(out.String(), "\n"); n != 2 {
		t.Errorf("listed after the prune: %s", out.String())
	}
}

func TestWorktreesBadArguments(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	for _, args := range [][]string{{"worktrees", "--bogus"}, {"worktrees", "x"}, {"worktrees", "prune", "x"},
		{"worktrees", "prune", "--json"}} {
		var out, errOut bytes.Buffer
		if code := run(args, strings.NewReader(""), &out, &errOut); code != 2 || errOut.Len() == 0 {
			t.Errorf("%q: status %d, stderr %q; want 2 and a message", args, code, errOut.String())
		}
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"worktrees"}, strings.NewReader(""), &out, &errOut); code != 0 ||
		strings.TrimSpace(out.String()) != "RUN  RUN STATUS  BRANCH  CHANGES  AHEAD  BEHIND  PATH" {
		t.Errorf("no worktrees: %d %q %q", code, out.String(), errOut.String())
	}
}

func TestWorktreeFlag(t *testing.T) {
	o, err := parseArgs([]string{"--worktree", "--name", "a", "make test", "npm run dev"})
	if err != nil || !o.worktree || len(o.commands) != 2 {
		t.Fatalf("--worktree: %+v %v", o, err)
	}
	if o, _ := parseArgs([]string{"x"}); o.worktree {
		t.Fatal("a worktree without --worktree")
	}
}
