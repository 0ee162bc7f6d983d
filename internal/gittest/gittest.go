// Package gittest makes git repositories for tests, with git independent
// of the machine's configuration.
package gittest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// env makes git, for the length of the test, independent of the machine's
// configuration: no global or system config, a fixed identity, and local
// (file://) submodules allowed, which git refuses by default since 2.38.1.
// Without git it skips the test, or fails it under CI (CI=true), which
// must run it.
func env(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is not installed, and CI must run these tests")
		}
		t.Skip("git is not installed")
	}
	for k, v := range map[string]string{
		"GIT_CONFIG_GLOBAL": os.DevNull, "GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME": "corral test", "GIT_AUTHOR_EMAIL": "test@corral.invalid",
		"GIT_COMMITTER_NAME": "corral test", "GIT_COMMITTER_EMAIL": "test@corral.invalid",
		"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "protocol.file.allow", "GIT_CONFIG_VALUE_0": "always",
	} {
		t.Setenv(k, v)
	}
}

// Git runs `git -C dir args…` and returns its output without the
// surrounding white space; an error fails the test.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Repo makes a repository named name in a new temporary directory, with
// one commit "first" on main holding files (a path in the repository,
// slash-separated, to its content; with none the commit is empty), and
// returns its path. For the rest of the test git ignores the machine's
// configuration (see env); without git the test is skipped.
func Repo(t testing.TB, name string, files map[string]string) string {
	t.Helper()
	env(t)
	repo := filepath.Join(t.TempDir(), name)
	Git(t, filepath.Dir(repo), "init", "-q", "-b", "main", repo)
	for path, text := range files {
		p := filepath.Join(repo, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	Git(t, repo, "add", ".")
	Git(t, repo, "commit", "-q", "--allow-empty", "-m", "first")
	return repo
}
