package activity

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Hook is one Claude Code hook event, parsed from the JSON Claude Code gives
// a hook command on stdin. Fields an event does not carry are empty.
type Hook struct {
	// Event is hook_event_name: SessionStart, UserPromptSubmit, PreToolUse,
	// PermissionRequest, PostToolUse, PostToolUseFailure, Notification,
	// Stop, StopFailure, SubagentStop, SessionEnd, Elicitation, …
	Event string
	// SessionID is session_id; the driver records it for the run.
	SessionID string
	// TranscriptPath is transcript_path.
	TranscriptPath string
	// Source is SessionStart's source: startup, resume, clear or compact.
	Source string
	// ToolName is tool_name (PreToolUse, PermissionRequest, PostToolUse…).
	ToolName string
	// ToolInput is tool_input, as given.
	ToolInput json.RawMessage
	// NotificationType is Notification's notification_type:
	// permission_prompt, idle_prompt, elicitation_dialog, …
	NotificationType string
	// Message is message (Notification, Elicitation).
	Message string
	// Error is StopFailure's error: the kind of failure, such as
	// server_error, rate_limit or authentication_failed.
	Error string
	// ErrorDetails is StopFailure's error_details, the agent's own words.
	ErrorDetails string
}

// hookJSON is the wire form. error and error_details are documented as
// strings; they are read as raw JSON so that another shape (an object from a
// later version) still gives a detail instead of failing the whole event.
type hookJSON struct {
	Event            string          `json:"hook_event_name"`
	SessionID        string          `json:"session_id"`
	TranscriptPath   string          `json:"transcript_path"`
	Source           string          `json:"source"`
	ToolName         string          `json:"tool_name"`
	ToolInput        json.RawMessage `json:"tool_input"`
	NotificationType string          `json:"notification_type"`
	Message          string          `json:"message"`
	Error            json.RawMessage `json:"error"`
	ErrorDetails     json.RawMessage `json:"error_details"`
}

// ParseHook reads a hook event. It fails on input that is not a JSON object
// or names no event; unknown fields are ignored.
func ParseHook(data []byte) (Hook, error) {
	var w hookJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return Hook{}, fmt.Errorf("parse hook event: %w", err)
	}
	if w.Event == "" {
		return Hook{}, errors.New("parse hook event: no hook_event_name")
	}
	return Hook{
		Event:            w.Event,
		SessionID:        w.SessionID,
		TranscriptPath:   w.TranscriptPath,
		Source:           w.Source,
		ToolName:         w.ToolName,
		ToolInput:        w.ToolInput,
		NotificationType: w.NotificationType,
		Message:          w.Message,
		Error:            rawText(w.Error),
		ErrorDetails:     rawText(w.ErrorDetails),
	}, nil
}

// rawText is a JSON string's value, or the compact text of any other value
// ("" for null or nothing).
func rawText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) == nil {
		return b.String()
	}
	return string(raw)
}

// The hook events and notification types the tracker acts on.
const (
	EventSessionStart       = "SessionStart"
	EventUserPromptSubmit   = "UserPromptSubmit"
	EventPreToolUse         = "PreToolUse"
	EventPermissionRequest  = "PermissionRequest"
	EventPostToolUse        = "PostToolUse"
	EventPostToolUseFailure = "PostToolUseFailure"
	EventNotification       = "Notification"
	EventStop               = "Stop"
	EventStopFailure        = "StopFailure"
	EventSubagentStop       = "SubagentStop"
	EventSessionEnd         = "SessionEnd"
	EventElicitation        = "Elicitation"

	NotifyPermissionPrompt  = "permission_prompt"
	NotifyIdlePrompt        = "idle_prompt"
	NotifyElicitationDialog = "elicitation_dialog"
)

// toolAskUserQuestion is Claude Code's tool that asks the person a question.
const toolAskUserQuestion = "AskUserQuestion"

// summaryRunes bounds the summary of a tool's input within a detail.
const summaryRunes = 60

// toolDetail names a tool and what it acts on: "Bash `rm -rf build`",
// "Edit `…/pkg/main.go`", or the tool's name alone when its input says
// nothing short.
func toolDetail(name string, input json.RawMessage) string {
	name = clean(name, summaryRunes)
	if name == "" {
		name = "tool"
	}
	s := toolSummary(name, input)
	if s == "" {
		return name
	}
	return name + " `" + s + "`"
}

// toolSummary is one short line of a tool's input: the command for Bash,
// the path for the file tools, the pattern, URL or query for the search
// tools, else the input as compact JSON.
func toolSummary(tool string, input json.RawMessage) string {
	input = bytes.TrimSpace(input)
	if len(input) == 0 || string(input) == "null" || string(input) == "{}" {
		return ""
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(input, &fields) == nil {
		str := func(key string) string { return rawText(fields[key]) }
		switch tool {
		case "Bash", "BashOutput", "PowerShell":
			if c := str("command"); c != "" {
				return clean(c, summaryRunes)
			}
		case "Edit", "MultiEdit", "Write", "Read", "NotebookEdit", "NotebookRead":
			for _, k := range []string{"file_path", "notebook_path", "path"} {
				if p := str(k); p != "" {
					return cleanTail(p, summaryRunes)
				}
			}
		case "Glob", "Grep":
			if p := str("pattern"); p != "" {
				return clean(p, summaryRunes)
			}
		case "WebFetch":
			if u := str("url"); u != "" {
				return clean(u, summaryRunes)
			}
		case "WebSearch":
			if q := str("query"); q != "" {
				return clean(q, summaryRunes)
			}
		case "Task", "Agent":
			if d := str("description"); d != "" {
				return clean(d, summaryRunes)
			}
		}
	}
	var b bytes.Buffer
	if json.Compact(&b, input) != nil {
		return clean(string(input), summaryRunes)
	}
	return clean(b.String(), summaryRunes)
}

// firstQuestion is the text of AskUserQuestion's first question.
func firstQuestion(input json.RawMessage) string {
	var in struct {
		Questions []struct {
			Question string `json:"question"`
			Header   string `json:"header"`
		} `json:"questions"`
		Question string `json:"question"`
	}
	if json.Unmarshal(input, &in) != nil {
		return ""
	}
	if len(in.Questions) > 0 {
		if q := in.Questions[0].Question; strings.TrimSpace(q) != "" {
			return q
		}
		return in.Questions[0].Header
	}
	return in.Question
}

// prefixed is "what: text", or what alone when text is empty.
func prefixed(what, text string) string {
	if text = clean(text, DetailRunes); text == "" {
		return what
	}
	return clean(what+": "+text, DetailRunes)
}
