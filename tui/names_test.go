package tui

import (
	"testing"

	"corral/registry"
)

func TestRunName(t *testing.T) {
	for _, c := range []struct {
		name, agent, command string
		want                 string
	}{
		// A name given wins; then the agent; then the command's program.
		{"web", "", "npm run dev", "web"},
		{"mine", "claude", "claude --resume", "mine"},
		// Issue 16: named after the first real program.
		{"", "", "sh -c 'while true; do date; done'", "date"},
		{"", "", "cd /tmp && ls", "ls"},
		{"", "", "FOO=bar env", "env"},
		{"", "", "sh -c 'claude; echo x'", "claude"},
		{"", "claude", "claude --resume", "claude"},
		{"", "", "npm run dev", "npm"},
		{"", "", "/usr/bin/python3 -m http.server", "python3"},
		{"", "", "sh -c 'make test; sleep 1'", "make"},
		{"", "", `bash -c "./build.sh"`, "build.sh"},
		{"", "", "/bin/zsh -c cargo", "cargo"},
		{"", "", "fish -c 'ls'", "ls"},
		{"", "", "dash -c true", "true"},
		// Not shells, though their names end in "sh": -c means something else.
		{"", "", "ssh -c aes128-ctr build-host", "ssh"},
		{"", "", "/usr/local/bin/mosh -c x host", "mosh"},
		{"", "", "sh -c", "sh"},
		{"", "", "", "pid 4242"},
	} {
		r := registry.ProcessInfo{Name: c.name, AgentName: c.agent, Command: c.command, PID: 4242}
		if got := runName(r); got != c.want {
			t.Errorf("runName(%q, %q, %q) = %q, want %q", c.name, c.agent, c.command, got, c.want)
		}
	}
}

func TestTildePath(t *testing.T) {
	for _, c := range []struct{ path, home, want string }{
		{"/home/al/src/app", "/home/al", "~/src/app"},
		{"/home/al", "/home/al", "~"},
		{"/home/al/", "/home/al", "~/"},
		{"/home/al/src", "/home/al/", "~/src"},
		// Only at a component boundary: another user's home stays whole.
		{"/home/alice", "/home/al", "/home/alice"},
		{"/home/alice/src", "/home/al", "/home/alice/src"},
		{"/src/app", "/home/al", "/src/app"},
		{"/etc", "/", "/etc"},
		{"/home/al/src", "", "/home/al/src"},
		{"", "/home/al", ""},
	} {
		if got := tildePath(c.path, c.home); got != c.want {
			t.Errorf("tildePath(%q, %q) = %q, want %q", c.path, c.home, got, c.want)
		}
	}
}
