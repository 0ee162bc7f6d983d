package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"corral/internal/gittest"
)

// corral --worktree starts a command-line run in a new worktree of the
// repository of its directory: the run's pwd is the worktree, the
// repository is untouched, and `corral worktrees --json` lists it with
// its branch and its untracked file; prune keeps it for that file.
func TestWorktreeFlagStartsARunInANewWorktree(t *testing.T) {
	repo := gittest.Repo(t, "wtproj", nil)
	tm := startIn(t, 140, 30, "sh", "-c", "cd "+shellQuote(repo)+" && exec "+shellQuote(binary)+
		" --worktree 'echo wt-e2e > made.txt; pwd; exec sleep 7502'")
	scr := tm.waitText("/corral/worktrees/wtproj-")
	tm.keys("q")
	tm.waitText("still alive")
	tm.keys("y")
	tm.waitText("[exit 0]")
	if es, _ := os.ReadDir(repo); len(es) != 1 { // .git only
		t.Fatalf("the run wrote into the repository: %v\n%s", es, scr)
	}

	cmd := exec.Command(binary, "worktrees", "--json")
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+filepath.Join(tm.home, ".local", "state"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("corral worktrees --json: %v", err)
	}
	var w struct {
		Run       int64  `json:"run"`
		RunStatus string `json:"run_status"`
		Branch    string `json:"branch"`
		Path      string `json:"path"`
		Untracked int    `json:"untracked"`
	}
	if err := json.Unmarshal(out, &w); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	root := filepath.Join(tm.home, ".local", "state", "corral", "worktrees")
	if filepath.Dir(w.Path) != root || !strings.HasPrefix(filepath.Base(w.Path), "wtproj-") ||
		!strings.HasPrefix(w.Branch, "corral/") || w.Untracked != 1 || strings.HasPrefix(w.RunStatus, "running") {
		t.Fatalf("listed %+v (from %q)", w, out)
	}
	if b, err := os.ReadFile(filepath.Join(w.Path, "made.txt")); err != nil || string(b) != "wt-e2e\n" {
		t.Fatalf("made.txt in the worktree: %q %v", b, err)
	}
	cmd = exec.Command(binary, "worktrees", "prune")
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+filepath.Join(tm.home, ".local", "state"))
	if out, err := cmd.Output(); err != nil || !strings.Contains(string(out), "kept") || !strings.Contains(string(out), "1 untracked file") {
		t.Fatalf("corral worktrees prune: %q %v", out, err)
	}
}
