package registry

// This file holds the calls kept from the API of the original
// ProcessRegistry (bamboo_agent) for its callers. Corral's own code calls
// none of them: the package doc names the calls it uses instead.

import (
	"context"
	"fmt"
)

// RegisterClaudeSession registers an interactive Claude Code session under a
// newly generated run id, which it returns. child may be nil for a session
// started elsewhere. A session id already registered is refused
// (ErrDuplicateSession).
func (r *Registry) RegisterClaudeSession(sessionID string, pid int, projectPath, task, model string, child Child) (int64, error) {
	cfg := RegistrationConfig{RunID: r.GenerateID(), Kind: KindClaudeSession, SessionID: sessionID,
		PID: pid, ProjectPath: projectPath, Task: task, Model: model, AgentName: "claude"}
	if child != nil && cfg.PID == 0 {
		cfg.PID = child.Pid()
	}
	if child == nil && cfg.PID <= 0 {
		return 0, fmt.Errorf("register claude session %q: %w %d", sessionID, ErrInvalidPID, pid)
	}
	return r.register(cfg, child)
}

// RunningAgentProcesses returns the live runs that are not Claude sessions.
func (r *Registry) RunningAgentProcesses() []ProcessInfo {
	return r.list(func(ru *run) bool { return ru.info.Status.Live() && ru.info.Kind != KindClaudeSession })
}

// RunningClaudeSessions returns the live Claude sessions.
func (r *Registry) RunningClaudeSessions() []ProcessInfo {
	return r.list(func(ru *run) bool { return ru.info.Status.Live() && ru.info.Kind == KindClaudeSession })
}

// ClaudeSessionByID returns the run that holds the given Claude session id,
// whatever its kind (an agent run learns its session id from its stream).
func (r *Registry) ClaudeSessionByID(sessionID string) (ProcessInfo, bool) {
	if sessionID == "" {
		return ProcessInfo{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ru := range r.runs {
		if ru.info.SessionID == sessionID {
			return ru.info, true
		}
	}
	return ProcessInfo{}, false
}

// KillProcessByPID stops the process pid and its descendants (SIGTERM, the
// PID grace period, SIGKILL), for runs without a process handle. When runID
// names a registered run with that pid, the start time recorded at
// registration must still match, so a reused pid is never signalled; the
// run is then marked killed.
func (r *Registry) KillProcessByPID(ctx context.Context, runID int64, pid int) (bool, error) {
	if pid <= 0 {
		return false, fmt.Errorf("kill pid %d: %w", pid, ErrInvalidPID)
	}
	ru := r.lookup(runID)
	if ru != nil && ru.info.PID != pid {
		ru = nil
	}
	var start uint64
	if ru != nil {
		start = ru.start
	} else {
		st, err := processStartTime(pid)
		if err != nil {
			return true, nil // nothing by that pid is alive
		}
		start = st
	}
	return r.kill(ctx, ru, pid, start, false, r.opts.pidGrace)
}

// AppendLiveOutput adds text to a run's output as a line of its own, as the
// original "adds a line of output to the process's output buffer", and
// notifies subscribers: AppendLiveOutput(id, "a") then (id, "b") gives the
// lines "a" and "b"; a trailing line end is not doubled ("x\n" adds one
// line) and inner ones split the text into several lines (Output.AppendLine).
// The byte stream of a child goes through AppendOutput.
func (r *Registry) AppendLiveOutput(runID int64, text string) error {
	ru := r.lookup(runID)
	if ru == nil {
		return fmt.Errorf("append live output to run %d: %w", runID, ErrNotFound)
	}
	ru.out.AppendLine(text)
	r.NotifyOutput(runID)
	return nil
}

// LiveOutput returns a run's whole output history, or "" for an unknown run.
func (r *Registry) LiveOutput(runID int64) string {
	out := r.Output(runID)
	if out == nil {
		return ""
	}
	return out.String()
}
