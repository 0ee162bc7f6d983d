package config

import "testing"

// The worktree settings: defaults, values, and each mistake at its line.
func TestWorktreeSettings(t *testing.T) {
	for name, c := range map[string]*Config{"default.toml": Default(), "empty file": mustParse(t, "")} {
		if s := c.Settings; s.WorktreePrefix != "corral/" || s.WorktreeRoot() != "" {
			t.Errorf("%s: worktree_prefix %q, worktree_dir %q", name, s.WorktreePrefix, s.WorktreeDir)
		}
	}
	t.Setenv("HOME", "/home/u")
	t.Setenv("WT", "/var/wt")
	for _, c := range []struct{ dir, want string }{
		{"/srv/wt", "/srv/wt"}, {"~/wt", "/home/u/wt"}, {"$WT/x", "/var/wt/x"}, {"", ""},
	} {
		s := mustParse(t, "[settings]\nworktree_prefix = \"agents/\"\nworktree_dir = \""+c.dir+"\"\n").Settings
		if s.WorktreePrefix != "agents/" || s.WorktreeRoot() != c.want {
			t.Errorf("worktree_dir %q: prefix %q, root %q, want %q", c.dir, s.WorktreePrefix, s.WorktreeRoot(), c.want)
		}
	}
	wantError(t, "[settings]\nworktree_prefix = \"a b/\"\n", 2, "settings.worktree_prefix: \"a b/\" cannot start a branch name")
	wantError(t, "[settings]\n\nworktree_prefix = \"-x\"\n", 3, "settings.worktree_prefix")
	wantError(t, "[settings]\nworktree_dir = \"rel/dir\"\n", 2, "settings.worktree_dir: must be an absolute path")
	wantError(t, "[settings]\nworktree_dir = 5\n", 2, "settings.worktree_dir")

	c := mustParse(t, "[[agent]]\nname = \"iso\"\nkind = \"session\"\ncommand = [\"sh\"]\nworktree = true\n")
	if a, ok := c.Agent("iso"); !ok || !a.Worktree {
		t.Fatalf("worktree = true: %+v", a)
	}
	if a, _ := Default().Agent("claude"); a.Worktree {
		t.Fatal("a built-in entry defaults to a worktree")
	}
	wantError(t, "[[agent]]\nname = \"iso\"\nkind = \"session\"\ncommand = [\"sh\"]\nworktree = \"yes\"\n", 5, "agent \"iso\" worktree")
}
