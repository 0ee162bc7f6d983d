// Command fakeclaude stands in for Claude Code in corral's tests. Built as
// "claude" and put first on PATH, it runs the way the real CLI does as far
// as corral can see: the stream-json output of a one-shot run, the
// transcript of an interactive session, the screen markers of a turn, and
// the command hooks configured with --settings (and the user's and the
// project's settings files), run through sh -c with the event's JSON on
// stdin and Claude Code's environment, before the session goes on.
//
//	claude -p TASK [--model M] --output-format stream-json --verbose
//	    the stream of a run: init, text, a Bash call, its result, the result
//	    (with its cost, turns and usage). FAKE_CLAUDE_FAIL=1 makes the
//	    result an error and the exit status 1.
//	claude [--session-id ID] [--resume ID] [--model M] [--permission-mode P]
//	    an interactive session. Its transcript is written under
//	    $HOME/.claude/projects/<project>/<id>.jsonl (FAKE_CLAUDE_ID overrides
//	    the id): the prompts, and the model's messages with their usage, a
//	    line per content block. Each line typed is a turn; see session.go
//	    for the script.
//
// Other environment: FAKE_CLAUDE_WORK (a duration, default 500ms) is how
// long each working step of a turn lasts; FAKE_CLAUDE_NOTIFY_AFTER (a
// duration) fires Notification permission_prompt when a dialog has waited
// that long, and Notification idle_prompt when the prompt has; and
// FAKE_CLAUDE_HOOK_LOG names a file that gets a JSON line for every hook
// run: event, command, exit status, stdout, stderr, milliseconds.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// defaultSessionID is the id of a run given none, as the old script had it.
const defaultSessionID = "11111111-2222-3333-4444-555555555555"

// options are the command line flags the fake understands.
type options struct {
	task, model, sessionID, permissionMode string
	print, resume                          bool
	settings                               []string
}

func parseArgs(args []string) options {
	o := options{model: "default", permissionMode: "default"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		val := func() string {
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		name, inline, hasInline := strings.Cut(a, "=")
		if hasInline && strings.HasPrefix(a, "--") {
			a = name
			val = func() string { return inline }
		}
		switch a {
		case "-p", "--print":
			o.print = true
			o.task = val()
		case "--model":
			o.model = val()
		case "--session-id":
			o.sessionID = val()
		case "-r", "--resume":
			o.resume = true
			o.sessionID = val()
		case "--settings":
			o.settings = append(o.settings, val())
		case "--permission-mode":
			o.permissionMode = val()
		case "--dangerously-skip-permissions":
			o.permissionMode = "bypassPermissions"
		}
	}
	if id := os.Getenv("FAKE_CLAUDE_ID"); id != "" {
		o.sessionID = id
	}
	if o.sessionID == "" {
		o.sessionID = defaultSessionID
	}
	return o
}

// projectDir is the directory Claude Code keeps a project's transcripts in:
// every character but a letter or a digit becomes '-'.
func projectDir(home, project string) string {
	var b strings.Builder
	for _, r := range project {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return filepath.Join(home, ".claude", "projects", b.String())
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func run() error {
	o := parseArgs(os.Args[1:])
	home, _ := os.UserHomeDir()
	project, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("working directory: %w", err)
	}
	// What Claude Code puts in its own environment, which hooks inherit.
	os.Setenv("CLAUDECODE", "1")
	os.Setenv("CLAUDE_CODE_ENTRYPOINT", "cli")
	h := &hookRunner{
		sources: userSettings(home, project),
		project: project,
		log:     os.Getenv("FAKE_CLAUDE_HOOK_LOG"),
	}
	for _, v := range o.settings {
		s, err := loadSettings(v)
		if err != nil {
			return err
		}
		h.sources = append(h.sources, s)
	}
	transcript := filepath.Join(projectDir(home, project), o.sessionID+".jsonl")
	h.common = map[string]any{
		"session_id":      o.sessionID,
		"transcript_path": transcript,
		"cwd":             project,
		"permission_mode": o.permissionMode,
	}
	if o.print {
		return printRun(o, h, project)
	}
	envDir := filepath.Join(home, ".claude", "session-env", o.sessionID)
	if os.MkdirAll(envDir, 0o700) == nil {
		h.envFile = filepath.Join(envDir, "sessionstart-hook-0.sh")
	}
	return newSession(o, h, transcript).run()
}

// printRun is claude -p: the stream-json lines of a turn that lists a
// directory, with the hooks of a one-shot run between them.
func printRun(o options, h *hookRunner, project string) error {
	sid := o.sessionID
	emit := func(v map[string]any) {
		v["session_id"] = sid
		b, _ := json.Marshal(v)
		os.Stdout.Write(append(b, '\n'))
	}
	content := func(c ...map[string]any) map[string]any { return map[string]any{"content": c} }
	h.fire("SessionStart", map[string]any{"source": "startup", "model": o.model})
	emit(map[string]any{"type": "system", "subtype": "init", "model": o.model, "cwd": project, "tools": []string{"Bash"}})
	h.fire("UserPromptSubmit", map[string]any{"prompt": o.task})
	// One model message in two lines (a text block, a tool call), as the
	// real CLI writes them: the same message id and usage on each.
	emit(map[string]any{"type": "assistant", "message": assistant("msg_fake_run_1", map[string]any{"type": "text", "text": "Working on the task."})})
	input := map[string]any{"command": "ls -la"}
	h.fire("PreToolUse", map[string]any{"tool_name": "Bash", "tool_input": input, "tool_use_id": "t1"})
	emit(map[string]any{"type": "assistant", "message": assistant("msg_fake_run_1", map[string]any{"type": "tool_use", "id": "t1", "name": "Bash", "input": input})})
	h.fire("PostToolUse", map[string]any{"tool_name": "Bash", "tool_input": input, "tool_use_id": "t1",
		"tool_response": map[string]any{"stdout": "a\nb\nc", "stderr": "", "interrupted": false}})
	emit(map[string]any{"type": "user", "message": content(map[string]any{"type": "tool_result", "tool_use_id": "t1", "content": "a\nb\nc"})})
	if os.Getenv("FAKE_CLAUDE_FAIL") != "" {
		h.fire("StopFailure", map[string]any{"error": "authentication_failed", "error_details": "Invalid API key",
			"last_assistant_message": "Invalid API key"})
		emit(map[string]any{"type": "result", "subtype": "success", "is_error": true, "duration_ms": 1234,
			"total_cost_usd": 0, "num_turns": 1, "result": "Invalid API key", "usage": tokens(0, 0, 0, 0)})
		h.fire("SessionEnd", map[string]any{"reason": "other"})
		os.Exit(1)
	}
	h.fire("Stop", map[string]any{"stop_hook_active": false, "last_assistant_message": "Done: " + o.task})
	emit(map[string]any{"type": "result", "subtype": "success", "is_error": false, "duration_ms": 2500,
		"total_cost_usd": 0.0123, "num_turns": 2, "result": "Done: " + o.task, "usage": runUsage})
	h.fire("SessionEnd", map[string]any{"reason": "other"})
	return nil
}

// runUsage is the usage a successful claude -p reports in its result: the
// sum of its two model calls (runTokens in all).
var runUsage = tokens(6, 95, 1300, 16000)

// runTokens is the sum of runUsage's four counts.
const runTokens = 6 + 95 + 1300 + 16000

// messageUsage is the usage of each model message of a session's
// transcript (messageTokens in all).
var messageUsage = tokens(4, 60, 300, 12000)

// messageTokens is the sum of messageUsage's four counts.
const messageTokens = 4 + 60 + 300 + 12000

// tokens is a usage object of the Messages API.
func tokens(input, output, cacheCreation, cacheRead int) map[string]any {
	return map[string]any{"input_tokens": input, "output_tokens": output,
		"cache_creation_input_tokens": cacheCreation, "cache_read_input_tokens": cacheRead, "service_tier": "standard"}
}

// assistant is the message of an assistant line: one content block of the
// model message id, with the message's usage.
func assistant(id string, block map[string]any) map[string]any {
	return map[string]any{"id": id, "type": "message", "role": "assistant", "model": "claude-fake",
		"content": []any{block}, "stop_reason": nil, "usage": messageUsage}
}

// workStep is how long a working step of a turn lasts.
func workStep() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("FAKE_CLAUDE_WORK")); err == nil {
		return d
	}
	return 500 * time.Millisecond
}

// notifyAfter is how long a dialog or the prompt waits before a
// Notification hook; 0 is never.
func notifyAfter() time.Duration {
	d, _ := time.ParseDuration(os.Getenv("FAKE_CLAUDE_NOTIFY_AFTER"))
	return d
}
