package launch

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"corral/internal/cmdname"
	"corral/internal/proc"
	"corral/registry"
	"corral/tui"
)

// Adopt registers a running process by pid as a sidecar. What
// registry.CheckAdoptable refuses (init, kernel threads, corral and its
// ancestors, the user's shell and jobs on corral's terminal, other users'
// processes) is refused with its reason.
func (l *Launcher) Adopt(pid int) (int64, error) {
	if err := l.checkAdopt(pid); err != nil {
		return 0, err
	}
	info, err := processInfo(pid)
	if err != nil {
		return 0, fmt.Errorf("adopt pid %d: %w", pid, err)
	}
	id := l.reg.GenerateID()
	name := ""
	if len(info.argv) > 0 {
		name = agentName(info.argv)
	}
	l.remember(id, &record{adopted: true})
	err = l.reg.RegisterSidecarProcess(registry.RegistrationConfig{RunID: id, Kind: registry.KindSidecar, PID: pid,
		AgentName: name, Command: strings.Join(info.argv, " "), ProjectPath: info.cwd})
	if err != nil {
		l.drop(id)
		return 0, err
	}
	if name == "claude" {
		l.follower.FollowTranscript(id, info.cwd)
	}
	l.adoptedOrphan(pid)
	return id, nil
}

// checkAdopt says why pid may not be adopted, or nil.
func (l *Launcher) checkAdopt(pid int) error {
	for _, p := range l.reg.Processes() {
		if p.PID == pid && p.Active() {
			return fmt.Errorf("pid %d is already run %d", pid, p.RunID)
		}
	}
	if err := registry.CheckAdoptable(pid); err != nil {
		return fmt.Errorf("adopt: %w", err)
	}
	if err := l.corrals(pid); err != nil {
		return fmt.Errorf("adopt: %w", err)
	}
	return nil
}

// corrals says why pid is a corral's own, or nil: a corral process, or
// part of a run of this corral still registered. (registry.CheckAdoptable
// refuses the runs of other corrals that still run; a run of this corral
// that was unregistered while alive may be adopted back.)
func (l *Launcher) corrals(pid int) error {
	if name, err := proc.Name(pid); err == nil && name == "corral" {
		return fmt.Errorf("pid %d is a corral", pid)
	}
	if id, ok := l.ownRun(pid); ok {
		if p, ok := l.reg.Process(id); ok && p.Active() {
			return fmt.Errorf("pid %d is part of run %d of this corral", pid, id)
		}
	}
	return nil
}

// ownRun returns the run of this corral whose marker pid carries.
func (l *Launcher) ownRun(pid int) (int64, bool) {
	v, ok := proc.Env(pid, registry.MarkerVar)
	if !ok {
		return 0, false
	}
	// A marker is "<corral pid>.<token>:<run id>".
	tag, run, _ := strings.Cut(v, ":")
	own, _, _ := strings.Cut(strings.TrimPrefix(l.reg.Marker(0), registry.MarkerVar+"="), ":")
	id, err := strconv.ParseInt(run, 10, 64)
	return id, tag == own && err == nil
}

// Candidates lists agent processes running outside corral.
func (l *Launcher) Candidates() []tui.Candidate {
	known := map[int]bool{}
	for _, p := range l.reg.RunningProcesses() {
		known[p.PID] = true
	}
	out := l.Orphans() // first: runs of a corral that is gone
	for _, c := range out {
		known[c.PID] = true
	}
	for _, c := range agentProcesses() {
		if _, own := l.ownRun(c.PID); !own && !known[c.PID] && registry.CheckAdoptable(c.PID) == nil &&
			l.corrals(c.PID) == nil {
			out = append(out, c)
		}
	}
	return out
}

// agentMarkers tell an agent by what its command line holds: the program's
// name, or the npm package a node script runs from (Claude Code and Gemini
// CLI run as `node …/cli.js`).
var agentMarkers = []struct{ name, marker string }{
	{"claude", "@anthropic-ai/claude-code"}, {"codex", "@openai/codex"}, {"gemini", "@google/gemini-cli"},
	{"aider", "/aider-"},
}

// agentName recognises the agent behind a command line, else names its
// first real program (cmdname).
func agentName(argv []string) string {
	for _, a := range argv[:min(len(argv), 2)] {
		for _, m := range agentMarkers {
			if filepath.Base(a) == m.name || strings.Contains(a, m.marker) || strings.Contains(a, "/"+m.name+"-") {
				return m.name
			}
		}
	}
	return cmdname.Argv(argv)
}
