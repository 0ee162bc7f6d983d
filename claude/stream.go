// Package claude reads what Claude Code writes: the stream-json lines of a
// one-shot run (`claude -p … --output-format stream-json --verbose`) and the
// JSONL transcripts of sessions under ~/.claude/projects, and turns them
// into lines a person reads.
package claude

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// Line is what one stream or transcript line says.
type Line struct {
	// Text is the line rendered for a person; empty lines render nothing.
	Text []string
	// SessionID is set by the line that names the session (init, result,
	// and every transcript entry).
	SessionID string
	// Init is set by the system init line of a stream.
	Init bool
	// Result is set by the final result line; IsError by a failed result.
	Result, IsError bool
	// Usage is set by a result line that states the run's usage or cost:
	// the whole run's.
	Usage *Usage
}

// message is the union of the fields corral reads from stream-json and
// transcript lines.
type message struct {
	Type       string    `json:"type"`
	Subtype    string    `json:"subtype"`
	SessionID  string    `json:"session_id"`
	SessionID2 string    `json:"sessionId"` // transcripts spell it so
	Model      string    `json:"model"`
	Cwd        string    `json:"cwd"`
	IsError    bool      `json:"is_error"`
	Result     string    `json:"result"`
	DurationMS float64   `json:"duration_ms"`
	CostUSD    *float64  `json:"total_cost_usd"`
	NumTurns   int       `json:"num_turns"`
	Usage      *apiUsage `json:"usage"`
	Message    struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"message"`
}

type block struct {
	Type    string          `json:"type"`
	Text    string          `json:"text"`
	Name    string          `json:"name"`
	Input   json.RawMessage `json:"input"`
	Content json.RawMessage `json:"content"`
	IsError bool            `json:"is_error"`
}

// Parse renders one line of a stream or transcript. A line that is not JSON
// (an error printed by the CLI) is shown as it is.
func Parse(raw string) Line {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return Line{}
	}
	var m message
	if raw[0] != '{' || json.Unmarshal([]byte(raw), &m) != nil {
		return Line{Text: []string{raw}}
	}
	sid := m.SessionID
	if sid == "" {
		sid = m.SessionID2
	}
	l := Line{SessionID: sid}
	switch m.Type {
	case "system":
		if m.Subtype == "init" {
			l.Init = true
			l.Text = []string{fmt.Sprintf("● session %s · model %s · %s", sid, or(m.Model, "default"), m.Cwd)}
		}
	case "assistant":
		l.Text = renderContent(m.Message.Content, "")
	case "user":
		l.Text = renderContent(m.Message.Content, "› ")
	case "result":
		l.Result, l.IsError = true, m.IsError || strings.HasPrefix(m.Subtype, "error")
		l.Usage = resultUsage(&m)
		parts := []string{fmt.Sprintf("%.1fs", m.DurationMS/1000)}
		if m.CostUSD != nil {
			parts = append(parts, fmt.Sprintf("$%.4f", *m.CostUSD))
		}
		if m.NumTurns > 0 {
			parts = append(parts, fmt.Sprintf("%d turn%s", m.NumTurns, map[bool]string{true: "", false: "s"}[m.NumTurns == 1]))
		}
		head := "✓ done"
		if l.IsError {
			head = "✗ failed"
		}
		l.Text = []string{head + " in " + strings.Join(parts, " · ")}
		if m.Result != "" {
			for _, s := range strings.Split(strings.TrimSpace(m.Result), "\n") {
				l.Text = append(l.Text, "  "+s)
			}
		}
	}
	return l
}

// renderContent renders message content: text, tool calls (one line each)
// and tool results (one line each).
func renderContent(raw json.RawMessage, userPrefix string) []string {
	if len(raw) == 0 {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil { // a user prompt in a transcript
		return prefixLines(s, userPrefix)
	}
	var blocks []block
	if json.Unmarshal(raw, &blocks) != nil {
		return nil
	}
	var out []string
	for _, b := range blocks {
		switch b.Type {
		case "text":
			out = append(out, prefixLines(b.Text, userPrefix)...)
		case "tool_use":
			out = append(out, "⚙ "+b.Name+summary(b.Input))
		case "tool_result":
			n := len(strings.Split(strings.TrimSpace(resultText(b.Content)), "\n"))
			mark := "↳"
			if b.IsError {
				mark = "↳ error:"
			}
			out = append(out, fmt.Sprintf("  %s %d line%s", mark, n, map[bool]string{true: "", false: "s"}[n == 1]))
		}
	}
	return out
}

func prefixLines(s, prefix string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return lines
}

func resultText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var blocks []block
	if json.Unmarshal(raw, &blocks) == nil {
		var b strings.Builder
		for _, x := range blocks {
			b.WriteString(x.Text)
		}
		return b.String()
	}
	return string(raw)
}

// summary is a short form of a tool's input: its command, path or pattern,
// else its fields.
func summary(raw json.RawMessage) string {
	var in map[string]any
	if json.Unmarshal(raw, &in) != nil || len(in) == 0 {
		return ""
	}
	for _, k := range []string{"command", "file_path", "path", "pattern", "url", "query", "description"} {
		if v, ok := in[k].(string); ok && v != "" {
			return ": " + oneLine(v)
		}
	}
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return " (" + strings.Join(keys, ", ") + ")"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ProjectDir is where Claude Code keeps the transcripts of sessions started
// in project: ~/.claude/projects/ and the path with every character that is
// not a letter or digit replaced by '-'.
func ProjectDir(home, project string) string {
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
