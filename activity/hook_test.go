package activity

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"corral/registry"
)

// hook builds an event as Claude Code sends it on a hook's stdin.
func hook(t *testing.T, json string) Hook {
	t.Helper()
	h, err := ParseHook([]byte(json))
	if err != nil {
		t.Fatalf("ParseHook(%s): %v", json, err)
	}
	return h
}

func TestParseHook(t *testing.T) {
	h := hook(t, `{"session_id":"abc-123","transcript_path":"/h/.claude/projects/p/abc-123.jsonl","cwd":"/p",
		"permission_mode":"default","hook_event_name":"PermissionRequest","tool_name":"Bash",
		"tool_input":{"command":"rm -rf build","description":"clean"},"permission_suggestions":[]}`)
	if h.Event != EventPermissionRequest || h.SessionID != "abc-123" || h.TranscriptPath != "/h/.claude/projects/p/abc-123.jsonl" ||
		h.ToolName != "Bash" || !strings.Contains(string(h.ToolInput), `"rm -rf build"`) {
		t.Fatalf("%+v", h)
	}
	h = hook(t, `{"hook_event_name":"StopFailure","session_id":"s","error":"authentication_failed",
		"error_details":"Invalid API key","last_assistant_message":"API Error: 401"}`)
	if h.Error != "authentication_failed" || h.ErrorDetails != "Invalid API key" {
		t.Fatalf("StopFailure: %+v", h)
	}
	// An error given as an object (another version) still gives a detail.
	h = hook(t, `{"hook_event_name":"StopFailure","error":{"type":"server_error"},"error_details":null}`)
	if h.Error != `{"type":"server_error"}` || h.ErrorDetails != "" {
		t.Fatalf("StopFailure with an object: %+v", h)
	}
	h = hook(t, `{"hook_event_name":"Notification","notification_type":"idle_prompt","message":"Claude is waiting for your input"}`)
	if h.NotificationType != NotifyIdlePrompt || h.Message != "Claude is waiting for your input" {
		t.Fatalf("Notification: %+v", h)
	}
	h = hook(t, `{"hook_event_name":"SessionStart","source":"startup","session_id":"s1","transcript_path":"/t"}`)
	if h.Source != "startup" || h.SessionID != "s1" {
		t.Fatalf("SessionStart: %+v", h)
	}
	for _, bad := range []string{``, `garbage`, `[]`, `{"session_id":"x"}`, `{"hook_event_name":""}`, `{"hook_event_name":5}`} {
		if _, err := ParseHook([]byte(bad)); err == nil {
			t.Errorf("ParseHook(%q) accepted it", bad)
		}
	}
}

// The mapping of every event, each applied at once (Since is the hook's
// time), in the order a real session sends them.
func TestHookMapping(t *testing.T) {
	const (
		bashRm   = `"tool_name":"Bash","tool_input":{"command":"rm -rf build"}`
		question = `"tool_name":"AskUserQuestion","tool_input":{"questions":[{"question":"Which colour?","header":"Colour","options":[{"label":"Red"},{"label":"Blue"}],"multiSelect":false}]}`
	)
	steps := []struct {
		json   string
		state  registry.State
		detail string
		moved  bool // Since moved to this step's time
	}{
		{`{"hook_event_name":"SessionStart","source":"startup","session_id":"s"}`, registry.StateIdle, "", true},
		{`{"hook_event_name":"UserPromptSubmit","prompt":"run ls"}`, registry.StateWorking, "thinking", true},
		{`{"hook_event_name":"PreToolUse",` + bashRm + `}`, registry.StateWorking, "Bash `rm -rf build`", false},
		{`{"hook_event_name":"PermissionRequest",` + bashRm + `}`, registry.StateNeedsYou, "permission: Bash `rm -rf build`", true},
		// ~6.4 s later: the more specific detail is kept, and so is Since.
		{`{"hook_event_name":"Notification","notification_type":"permission_prompt","message":"Claude needs your permission to use Bash"}`,
			registry.StateNeedsYou, "permission: Bash `rm -rf build`", false},
		{`{"hook_event_name":"PostToolUse",` + bashRm + `,"tool_response":{}}`, registry.StateWorking, "thinking", true},
		{`{"hook_event_name":"SubagentStop"}`, registry.StateWorking, "thinking", false},
		{`{"hook_event_name":"PreCompact"}`, registry.StateWorking, "thinking", false},
		{`{"hook_event_name":"SessionStart","source":"compact"}`, registry.StateWorking, "thinking", false},
		{`{"hook_event_name":"PostToolUseFailure","tool_name":"Bash","error":"exit 1"}`, registry.StateWorking, "thinking", false},
		{`{"hook_event_name":"Stop","stop_hook_active":false}`, registry.StateIdle, "", true},
		{`{"hook_event_name":"Notification","notification_type":"idle_prompt","message":"Claude is waiting for your input"}`,
			registry.StateIdle, "", false},
		{`{"hook_event_name":"UserPromptSubmit","prompt":"ask me"}`, registry.StateWorking, "thinking", true},
		{`{"hook_event_name":"PreToolUse",` + question + `}`, registry.StateNeedsYou, "question: Which colour?", true},
		{`{"hook_event_name":"PermissionRequest",` + question + `}`, registry.StateNeedsYou, "question: Which colour?", false},
		// idle_prompt does not hide a question still open.
		{`{"hook_event_name":"Notification","notification_type":"idle_prompt","message":"Claude is waiting for your input"}`,
			registry.StateNeedsYou, "question: Which colour?", false},
		{`{"hook_event_name":"PostToolUse",` + question + `}`, registry.StateWorking, "thinking", true},
		{`{"hook_event_name":"Notification","notification_type":"permission_prompt","message":"Claude needs your permission to use Write"}`,
			registry.StateNeedsYou, "permission: Claude needs your permission to use Write", true},
		{`{"hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"/p/main.go","content":"package main"}}`,
			registry.StateWorking, "Write `/p/main.go`", true},
		{`{"hook_event_name":"Notification","notification_type":"elicitation_dialog","message":""}`, registry.StateNeedsYou, "elicitation", true},
		{`{"hook_event_name":"PostToolUse","tool_name":"mcp__x__y"}`, registry.StateWorking, "thinking", true},
		{`{"hook_event_name":"Elicitation","mcp_server_name":"x","message":"Your GitHub token?"}`,
			registry.StateNeedsYou, "elicitation: Your GitHub token?", true},
		{`{"hook_event_name":"Notification","notification_type":"something_new"}`, registry.StateNeedsYou, "elicitation: Your GitHub token?", false},
		{`{"hook_event_name":"UserPromptSubmit"}`, registry.StateWorking, "thinking", true},
		{`{"hook_event_name":"StopFailure","error":"authentication_failed"}`, registry.StateError, "authentication_failed", true},
		{`{"hook_event_name":"UserPromptSubmit"}`, registry.StateWorking, "thinking", true},
		{`{"hook_event_name":"StopFailure","error":"server_error","error_details":"API Error: 500 Internal"}`,
			registry.StateError, "server_error: API Error: 500 Internal", true},
		{`{"hook_event_name":"StopFailure"}`, registry.StateError, "the turn failed", false},
		{`{"hook_event_name":"SessionStart","source":"resume"}`, registry.StateIdle, "", true},
		{`{"hook_event_name":"SessionEnd","reason":"prompt_input_exit"}`, registry.StateEnding, "", true},
	}
	t0 := time.Unix(1_800_000_000, 0)
	tr := NewTracker(Config{Agent: true, Hooks: true}, t0)
	since := t0
	for i, s := range steps {
		now := t0.Add(time.Duration(i+1) * time.Second)
		tr.Hook(hook(t, s.json), now)
		if s.moved {
			since = now
		}
		a := tr.Activity()
		if a.State != s.state || a.Detail != s.detail || !a.Since.Equal(since) {
			t.Fatalf("step %d %s: %v %q since +%v, want %v %q since +%v", i, s.json, a.State, a.Detail,
				a.Since.Sub(t0), s.state, s.detail, since.Sub(t0))
		}
		if !tr.Next().IsZero() {
			t.Fatalf("step %d: a hook state with no screen asks for a timer at %v", i, tr.Next())
		}
	}
}

func TestToolDetails(t *testing.T) {
	long := strings.Repeat("x", 200)
	tests := []struct{ tool, input, want string }{
		{"Bash", `{"command":"go test ./...","timeout":60000}`, "Bash `go test ./...`"},
		{"Bash", `{"command":"printf 'a\nb'\t; echo \u001b[31mred\u0007"}`, "Bash `printf 'a b' ; echo [31mred`"},
		{"Bash", `{"command":"` + long + `"}`, "Bash `" + strings.Repeat("x", 59) + "…`"},
		{"Edit", `{"file_path":"/p/main.go","old_string":"a","new_string":"b"}`, "Edit `/p/main.go`"},
		{"Read", `{"file_path":"/very/long/` + strings.Repeat("d/", 40) + `file.go"}`, "Read `…" + strings.Repeat("d/", 26) + "file.go`"},
		{"NotebookEdit", `{"notebook_path":"/p/a.ipynb"}`, "NotebookEdit `/p/a.ipynb`"},
		{"Grep", `{"pattern":"func main","path":"."}`, "Grep `func main`"},
		{"WebFetch", `{"url":"https://example.com/x","prompt":"p"}`, "WebFetch `https://example.com/x`"},
		{"mcp__github__create_issue", `{"title": "bug",  "body": "x"}`, "mcp__github__create_issue `{\"title\":\"bug\",\"body\":\"x\"}`"},
		{"TodoWrite", `{}`, "TodoWrite"},
		{"Bash", ``, "Bash"},
		{"Bash", `{"command":"\u202e evil"}`, "Bash `evil`"},
		{"", `{"a":1}`, "tool `{\"a\":1}`"},
	}
	for _, tt := range tests {
		got := toolDetail(tt.tool, []byte(tt.input))
		if got != tt.want {
			t.Errorf("%s %s:\n got %q\nwant %q", tt.tool, tt.input, got, tt.want)
		}
	}
}

// Every detail is one line of at most DetailRunes runes with no control
// characters, whatever the agent or child sends.
func TestDetailsAreOneShortCleanLine(t *testing.T) {
	nasty := "a\x1b[2J\x00b\r\nc\u0085d\u202ee\u2028f\x7f" + strings.Repeat("é—", 100) + "\xff\xfe"
	check := func(what, d string) {
		t.Helper()
		if n := utf8.RuneCountInString(d); n > DetailRunes {
			t.Errorf("%s: %d runes: %q", what, n, d)
		}
		if !utf8.ValidString(d) {
			t.Errorf("%s: invalid UTF-8 %q", what, d)
		}
		for _, r := range d {
			if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' {
				t.Errorf("%s: control %U in %q", what, r, d)
			}
		}
	}
	t0 := time.Unix(0, 0)
	for _, json := range []string{
		`{"hook_event_name":"PermissionRequest","tool_name":"Bash` + strings.Repeat("B", 100) + `","tool_input":{"command":"x"}}`,
		`{"hook_event_name":"PreToolUse","tool_name":"AskUserQuestion","tool_input":{"questions":[{"question":"` + strings.Repeat("why ", 50) + `"}]}}`,
		`{"hook_event_name":"StopFailure","error":"` + strings.Repeat("e", 300) + `"}`,
		`{"hook_event_name":"Elicitation","message":"line1\nline2\u0007"}`,
		`{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"` + strings.Repeat("\\u0001\\n", 200) + `"}}`,
	} {
		tr := NewTracker(Config{Agent: true, Hooks: true}, t0)
		tr.Hook(hook(t, json), t0)
		check(json[:40], tr.Activity().Detail)
	}
	tr := NewTracker(Config{}, t0)
	tr.Notify(nasty, t0)
	check("notify", tr.Activity().Detail)
	tr = NewTracker(Config{}, t0)
	tr.Title(nasty, t0)
	check("title", tr.Activity().Detail)
	if got := clean("  a \t b\n\nc  ", 80); got != "a b c" {
		t.Errorf("clean collapses spaces: %q", got)
	}
	if got := clean(strings.Repeat("ab ", 40), 10); got != "ab ab ab…" && utf8.RuneCountInString(got) > 10 {
		t.Errorf("clean truncates: %q", got)
	}
	if got := clean("0123456789abc", 10); got != "012345678…" {
		t.Errorf("clean truncates to 10 runes with the ellipsis: %q", got)
	}
	if got := clean("0123456789", 10); got != "0123456789" {
		t.Errorf("clean keeps a text of exactly 10 runes: %q", got)
	}
}
