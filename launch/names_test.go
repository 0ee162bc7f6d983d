package launch

import (
	"testing"

	"corral/tui"
)

// The history names a run after the first real program of its command line,
// not after the shell or wrapper that starts it.
func TestHistoryNamesRunsAfterTheirProgram(t *testing.T) {
	r := newRig(t)
	store := r.withHistory(t)
	for _, c := range []struct{ command, name, want string }{
		{`sh -c 'cd / && exec env A=1 echo hi'`, "", "echo"},
		{"env FOO=bar echo hi", "", "echo"},
		{"true", "mine", "mine"},
	} {
		id, err := r.l.Launch(tui.Request{Command: c.command, Name: c.name})
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, "the end in the history", func() bool { run, _ := store.Get(id); return run.Ended() })
		if run, _ := store.Get(id); run.Name != c.want {
			t.Errorf("%q is named %q in the history, want %q", c.command, run.Name, c.want)
		}
	}
}

func TestAgentNameOfAdoptedProcesses(t *testing.T) {
	for _, c := range []struct {
		argv []string
		want string
	}{
		{[]string{"node", "/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js"}, "claude"},
		{[]string{"/usr/bin/aider-chat"}, "aider"},
		{[]string{"sh", "-c", "cd /srv && exec ./server --port 1"}, "server"},
		{[]string{"env", "PORT=1", "/usr/bin/python3", "app.py"}, "python3"},
		{[]string{"bash"}, "bash"},
	} {
		if got := agentName(c.argv); got != c.want {
			t.Errorf("agentName(%q) = %q, want %q", c.argv, got, c.want)
		}
	}
}
