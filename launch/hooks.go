package launch

import (
	"encoding/json"
	"strconv"
	"strings"

	"corral/activity"
	"corral/config"
	"corral/ipc"
	"corral/registry"
)

// Environment variables of every run corral starts: `corral hook`, run by
// an agent's hooks, finds the instance's socket and its run by them.
const (
	SocketVar = "CORRAL_SOCKET"
	RunIDVar  = "CORRAL_RUN_ID"
)

// claudeHookEvents are the Claude Code hook events corral listens to.
var claudeHookEvents = []string{"SessionStart", "UserPromptSubmit", "PreToolUse", "PermissionRequest",
	"PostToolUse", "PostToolUseFailure", "Notification", "Stop", "StopFailure", "SubagentStop", "SessionEnd"}

// claudeMatched are the events whose hooks take a matcher (a tool name or
// a notification type); "*" matches every one.
var claudeMatched = map[string]bool{"PreToolUse": true, "PermissionRequest": true, "PostToolUse": true,
	"PostToolUseFailure": true, "Notification": true}

// EnableHooks makes the runs started from now on report to corral: every
// run gets the socket's path and its run id in its environment, and
// Claude Code runs from the catalog get command hooks that run
// `<exe> hook`. exe is the absolute path of the running corral binary.
// Without a call (no socket), runs start as before.
func (l *Launcher) EnableHooks(exe, socket string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.exe, l.socket = exe, socket
}

// hooksOf returns what corral adds to a catalog run so that it reports its
// state: extra argv words after the program, and the tracker's settings.
func (l *Launcher) hooksOf(a config.Agent, argv []string) ([]string, activity.Config) {
	l.mu.Lock()
	exe, socket := l.exe, l.socket
	l.mu.Unlock()
	c := l.activityOf(false)
	c.Agent = a.Kind != config.KindCommand
	c.OneShot = a.Kind == config.KindAgent
	if a.Format != config.FormatStreamJSON {
		// A stream-json run's screen is its JSON, which shows no marker:
		// only its hooks and signals say what it does.
		c.Working, c.Waiting = a.StatePatterns()
	}
	if socket == "" || len(argv) == 0 {
		return argv, c
	}
	switch a.HookKind() {
	case "claude":
		c.Hooks = true
		return append([]string{argv[0], "--settings", claudeSettings(exe)}, argv[1:]...), c
	case "codex":
		// Codex runs its notify program with a JSON argument when a turn
		// completes; the rest of its state comes from its screen.
		return append([]string{argv[0], "-c", codexNotify(exe)}, argv[1:]...), c
	}
	return argv, c
}

// codexNotify is the -c override that makes Codex run `<exe> hook <json>`
// at the end of each turn. A JSON array of strings is a TOML array.
func codexNotify(exe string) string {
	b, _ := json.Marshal([]string{exe, "hook"}) // strings: cannot fail
	return "notify=" + string(b)
}

// codexTurnDone is the type of the JSON Codex gives its notify program
// when a turn completes.
const codexTurnDone = "agent-turn-complete"

// parseHook reads a hook event: Claude Code's JSON, or Codex's notify
// JSON, which says a turn completed (a Stop).
func parseHook(payload []byte) (activity.Hook, error) {
	var codex struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(payload, &codex) == nil && codex.Type == codexTurnDone {
		return activity.Hook{Event: "Stop"}, nil
	}
	return activity.ParseHook(payload)
}

// activityOf returns the tracker settings of a run: an agent's or a
// command's, with the configured window of activity.
func (l *Launcher) activityOf(agent bool) activity.Config {
	w := l.cfg.Settings.ActiveWindow.Duration
	if w <= 0 {
		w = activity.DefaultActiveWindow
	}
	return activity.Config{Agent: agent, ActiveWindow: w}
}

// claudeSettings returns the inline --settings JSON with a command hook
// for each event corral listens to. Claude Code adds these to the user's
// and the project's hooks, which still run; no file is written.
func claudeSettings(exe string) string {
	hook := []map[string]any{{"type": "command", "command": shellQuote(exe) + " hook", "timeout": 5}}
	hooks := map[string]any{}
	for _, ev := range claudeHookEvents {
		entry := map[string]any{"hooks": hook}
		if claudeMatched[ev] {
			entry["matcher"] = "*"
		}
		hooks[ev] = []any{entry}
	}
	b, _ := json.Marshal(map[string]any{"hooks": hooks}) // maps of strings: cannot fail
	return string(b)
}

// shellQuote quotes s for sh: Claude Code runs a hook's command through a
// shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// hookEnv is the environment that lets `corral hook` reach this instance.
func (l *Launcher) hookEnv(id int64) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.socket == "" {
		return nil
	}
	return []string{SocketVar + "=" + l.socket, RunIDVar + "=" + strconv.FormatInt(id, 10)}
}

// Handle answers a message on corral's socket: a hook event of one of this
// instance's runs goes to the run's tracker. A message of another instance
// (its marker does not match) or of an unknown run is refused. It never
// blocks: a full queue refuses the event.
func (l *Launcher) Handle(m ipc.Message) ipc.Reply {
	if m.Op != ipc.OpHook {
		return ipc.Reply{Error: "unknown op " + strconv.Quote(m.Op)}
	}
	if registry.MarkerVar+"="+m.Instance != l.reg.Marker(m.RunID) {
		return ipc.Reply{Error: "not a run of this corral"}
	}
	if _, ok := l.reg.Process(m.RunID); !ok {
		return ipc.Reply{Error: "no run " + strconv.FormatInt(m.RunID, 10)}
	}
	h, err := parseHook(m.Payload)
	if err != nil {
		return ipc.Reply{Error: err.Error()}
	}
	if !l.offer(stateInput{runID: m.RunID, hook: &h}) {
		return ipc.Reply{Error: "busy"}
	}
	return ipc.Reply{OK: true}
}
