package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// defaultHookTimeout is Claude Code's timeout for a command hook that sets
// none.
const defaultHookTimeout = 60 * time.Second

// settings is the part of a Claude Code settings file the fake reads.
type settings struct {
	Hooks map[string][]matcherGroup `json:"hooks"`
}

// matcherGroup is one entry of an event's list: the hooks run when matcher
// matches.
type matcherGroup struct {
	Matcher string    `json:"matcher"`
	Hooks   []hookCmd `json:"hooks"`
}

// hookCmd is one hook handler. Only "command" handlers are run.
type hookCmd struct {
	Type    string  `json:"type"`
	Command string  `json:"command"`
	Timeout float64 `json:"timeout"` // seconds
}

// loadSettings reads --settings as Claude Code does: a value that is a JSON
// object is the settings themselves, anything else is the path of a file.
func loadSettings(v string) (settings, error) {
	var s settings
	data := []byte(v)
	if t := strings.TrimSpace(v); !strings.HasPrefix(t, "{") {
		b, err := os.ReadFile(v)
		if err != nil {
			return s, fmt.Errorf("settings file: %w", err)
		}
		data = b
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("settings %.40q: %w", v, err)
	}
	return s, nil
}

// userSettings reads the settings files Claude Code merges under --settings:
// the user's and the project's. A missing or broken file adds nothing.
func userSettings(home, project string) []settings {
	var out []settings
	for _, p := range []string{
		filepath.Join(home, ".claude", "settings.json"),
		filepath.Join(project, ".claude", "settings.json"),
		filepath.Join(project, ".claude", "settings.local.json"),
	} {
		if b, err := os.ReadFile(p); err == nil {
			var s settings
			if json.Unmarshal(b, &s) == nil {
				out = append(out, s)
			}
		}
	}
	return out
}

// exactList is a matcher Claude Code compares as an exact name or a
// |-separated list of names; anything else is an unanchored regular
// expression.
var exactList = regexp.MustCompile(`^[A-Za-z0-9_|]+$`)

// matches reports whether matcher selects value: "*", "" (or no matcher)
// match everything, "Bash" and "Edit|Write" are exact names, other text is
// a regular expression searched in the value.
func matches(matcher, value string) bool {
	if matcher == "" || matcher == "*" {
		return true
	}
	if exactList.MatchString(matcher) {
		for _, name := range strings.Split(matcher, "|") {
			if name == value {
				return true
			}
		}
		return false
	}
	re, err := regexp.Compile(matcher)
	return err == nil && re.MatchString(value)
}

// matchField names the input field an event's matcher is compared with;
// events absent here ignore their matcher.
var matchField = map[string]string{
	"PreToolUse":         "tool_name",
	"PostToolUse":        "tool_name",
	"PostToolUseFailure": "tool_name",
	"PermissionRequest":  "tool_name",
	"Notification":       "notification_type",
	"SessionStart":       "source",
	"SessionEnd":         "reason",
	"StopFailure":        "error",
	"PreCompact":         "trigger",
	"SubagentStop":       "agent_type",
}

// noPermissionMode are the events whose input has no permission_mode (seen
// with Claude Code 2.1.197).
var noPermissionMode = map[string]bool{"SessionStart": true, "Notification": true, "SessionEnd": true}

// hookRunner runs the configured hooks of a session.
type hookRunner struct {
	sources []settings
	project string            // CLAUDE_PROJECT_DIR and the hooks' directory
	common  map[string]any    // the fields every event carries (prompt_id once there is a prompt)
	envFile string            // CLAUDE_ENV_FILE for SessionStart
	log     string            // FAKE_CLAUDE_HOOK_LOG: a JSON line per hook run
	errs    func(line string) // shows a failed hook on the session's screen, after the event's hooks
}

// commands lists the distinct commands configured for event whose matcher
// selects input, in settings order (Claude Code runs an identical command
// once).
func (h *hookRunner) commands(event string, input map[string]any) []hookCmd {
	value, _ := input[matchField[event]].(string)
	seen := map[string]bool{}
	var out []hookCmd
	for _, s := range h.sources {
		for _, g := range s.Hooks[event] {
			if _, ok := matchField[event]; ok && !matches(g.Matcher, value) {
				continue
			}
			for _, c := range g.Hooks {
				if c.Type != "command" || c.Command == "" || seen[c.Command] {
					continue
				}
				seen[c.Command] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// fire runs every hook of event with the event's JSON on stdin, all at once
// as Claude Code does, and returns when each has ended or timed out.
func (h *hookRunner) fire(event string, fields map[string]any) {
	input := map[string]any{}
	for k, v := range h.common {
		input[k] = v
	}
	for k, v := range fields {
		input[k] = v
	}
	input["hook_event_name"] = event
	if noPermissionMode[event] {
		delete(input, "permission_mode")
	}
	cmds := h.commands(event, input)
	if len(cmds) == 0 {
		return
	}
	stdin, err := json.Marshal(input)
	if err != nil {
		panic(err) // the fields are the fake's own maps of plain values
	}
	errs := make([]string, len(cmds))
	var wg sync.WaitGroup
	for i, c := range cmds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = h.run(event, c, stdin)
		}()
	}
	wg.Wait()
	for _, e := range errs {
		if e != "" && h.errs != nil {
			h.errs(e)
		}
	}
}

// hookRecord is a line of FAKE_CLAUDE_HOOK_LOG.
type hookRecord struct {
	Event    string `json:"event"`
	Command  string `json:"command"`
	Exit     int    `json:"exit"`
	TimedOut bool   `json:"timed_out,omitempty"`
	Stdout   string `json:"stdout"`
	Stderr   string `json:"stderr"`
	Millis   int64  `json:"ms"`
}

var logMu sync.Mutex

// run runs one hook command through sh -c in the project directory, in a
// process group of its own so a timeout ends all of it. It returns the line
// the real CLI shows when a hook fails, or "".
func (h *hookRunner) run(event string, c hookCmd, stdin []byte) (failed string) {
	timeout := defaultHookTimeout
	if c.Timeout > 0 {
		timeout = time.Duration(c.Timeout * float64(time.Second))
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", c.Command)
	cmd.Dir = h.project
	cmd.Env = append(os.Environ(), "CLAUDE_PROJECT_DIR="+h.project)
	if event == "SessionStart" && h.envFile != "" {
		cmd.Env = append(cmd.Env, "CLAUDE_ENV_FILE="+h.envFile)
	}
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	began := time.Now()
	err := cmd.Run()
	rec := hookRecord{Event: event, Command: c.Command, Stdout: stdout.String(), Stderr: stderr.String(),
		Millis: time.Since(began).Milliseconds(), TimedOut: ctx.Err() != nil}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		rec.Exit = exit.ExitCode()
	case err != nil:
		rec.Exit = -1
		rec.Stderr += err.Error()
	}
	if rec.Exit != 0 {
		msg, _, _ := strings.Cut(strings.TrimSpace(rec.Stderr), "\n")
		failed = fmt.Sprintf("  ⎿  %s hook error: %s", event, msg)
	}
	if h.log == "" {
		return failed
	}
	line, _ := json.Marshal(rec)
	logMu.Lock()
	defer logMu.Unlock()
	f, err := os.OpenFile(h.log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return failed
	}
	defer f.Close()
	_, _ = f.Write(append(line, '\n'))
	return failed
}
