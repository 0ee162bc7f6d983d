//go:build !linux

package launch

import (
	"corral/tui"
)

type procInfo struct {
	argv []string
	cwd  string
}

// processInfo is Linux-only for now: outside Linux a pid is adopted with no
// command line or directory shown.
func processInfo(pid int) (procInfo, error) { return procInfo{argv: []string{"pid"}}, nil }

// agentProcesses finds nothing outside Linux yet: adopt by typing the pid.
func agentProcesses() []tui.Candidate { return nil }
