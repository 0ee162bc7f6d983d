package claude

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, line string
		text       string
		sid        string
		init       bool
		result     bool
		isErr      bool
	}{
		{"init", `{"type":"system","subtype":"init","session_id":"s1","model":"opus","cwd":"/p"}`,
			"● session s1 · model opus · /p", "s1", true, false, false},
		{"assistant text and tools", `{"type":"assistant","message":{"content":[{"type":"text","text":"a\nb"},{"type":"tool_use","name":"Edit","input":{"file_path":"/x.go","old":"1"}},{"type":"tool_use","name":"Task","input":{"b":1,"a":2}}]},"session_id":"s1"}`,
			"a|b|⚙ Edit: /x.go|⚙ Task (a, b)", "s1", false, false, false},
		{"tool result error", `{"type":"user","message":{"content":[{"type":"tool_result","content":[{"type":"text","text":"x\ny"}],"is_error":true}]}}`,
			"  ↳ error: 2 lines", "", false, false, false},
		{"error result", `{"type":"result","subtype":"success","is_error":true,"duration_ms":500,"result":"Invalid API key","session_id":"s1"}`,
			"✗ failed in 0.5s|  Invalid API key", "s1", false, true, true},
		{"error subtype", `{"type":"result","subtype":"error_max_turns","duration_ms":1000,"num_turns":1}`,
			"✗ failed in 1.0s · 1 turn", "", false, true, true},
		{"transcript prompt", `{"type":"user","message":{"role":"user","content":"hello\nthere"},"sessionId":"t9"}`,
			"› hello|› there", "t9", false, false, false},
		{"not json", `Error: something broke`, "Error: something broke", "", false, false, false},
		{"broken json", `{"type":"assistant",`, `{"type":"assistant",`, "", false, false, false},
		{"unknown type", `{"type":"stream_event"}`, "", "", false, false, false},
		{"blank", "   ", "", "", false, false, false},
	}
	for _, tt := range tests {
		l := Parse(tt.line)
		if got := strings.Join(l.Text, "|"); got != tt.text || l.SessionID != tt.sid || l.Init != tt.init ||
			l.Result != tt.result || l.IsError != tt.isErr {
			t.Errorf("%s: %q sid %q init %v result %v err %v", tt.name, got, l.SessionID, l.Init, l.Result, l.IsError)
		}
	}
}

func TestProjectDir(t *testing.T) {
	if got := ProjectDir("/home/u", "/home/u/src/my.app_2"); got != "/home/u/.claude/projects/-home-u-src-my-app-2" {
		t.Fatal(got)
	}
}
