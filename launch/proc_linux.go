package launch

import (
	"strings"

	"corral/internal/proc"
	"corral/tui"
)

// procInfo is what adopting a process reads about it.
type procInfo struct {
	argv []string
	cwd  string
}

// processInfo reads a process's command line and working directory.
func processInfo(pid int) (procInfo, error) {
	st, err := proc.Read(pid)
	if err != nil || st.Gone() {
		return procInfo{}, proc.ErrNoProcess
	}
	argv, err := proc.Cmdline(pid)
	if err != nil {
		return procInfo{}, err
	}
	if len(argv) == 0 {
		// A kernel thread, or a process between fork and exec: its name.
		name, err := proc.Name(pid)
		if err != nil {
			return procInfo{}, err
		}
		argv = []string{name}
	}
	return procInfo{argv: argv, cwd: proc.Cwd(pid)}, nil
}

// agentProcesses lists running claude, codex, aider and gemini processes.
func agentProcesses() []tui.Candidate {
	var out []tui.Candidate
	for _, pid := range proc.Pids() {
		argv, err := proc.Cmdline(pid)
		if err != nil || len(argv) == 0 {
			continue
		}
		switch agentName(argv) {
		case "claude", "codex", "aider", "gemini":
			out = append(out, tui.Candidate{PID: pid, Command: strings.Join(argv, " "), Dir: proc.Cwd(pid)})
		}
	}
	return out
}
