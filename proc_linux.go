package main

import (
	"bytes"
	"os"
	"strconv"
	"strings"

	"corral/tui"
)

// procInfo is what adopting a process reads about it.
type procInfo struct {
	argv []string
	cwd  string
}

// processInfo reads a process's command line and working directory.
func processInfo(pid int) (procInfo, error) {
	dir := "/proc/" + strconv.Itoa(pid)
	b, err := os.ReadFile(dir + "/cmdline")
	if err != nil {
		if os.IsNotExist(err) {
			return procInfo{}, errNoProcess
		}
		return procInfo{}, err
	}
	var info procInfo
	for _, a := range bytes.Split(bytes.TrimRight(b, "\x00"), []byte{0}) {
		info.argv = append(info.argv, string(a))
	}
	if len(b) == 0 {
		// A zombie, a kernel thread, or a process between fork and exec:
		// fall back on its name, if it is alive.
		stat, err := os.ReadFile(dir + "/stat")
		open, end := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
		if err != nil || open < 0 || end < open || end+2 >= len(stat) || stat[end+2] == 'Z' {
			return procInfo{}, errNoProcess
		}
		info.argv = []string{string(stat[open+1 : end])}
	}
	info.cwd, _ = os.Readlink(dir + "/cwd")
	return info, nil
}

// agentProcesses lists running claude, codex, aider and gemini processes.
func agentProcesses() []tui.Candidate {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []tui.Candidate
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		info, err := processInfo(pid)
		if err != nil || len(info.argv) == 0 {
			continue
		}
		switch agentName(info.argv) {
		case "claude", "codex", "aider", "gemini":
			out = append(out, tui.Candidate{PID: pid, Command: strings.Join(info.argv, " "), Dir: info.cwd})
		}
	}
	return out
}
