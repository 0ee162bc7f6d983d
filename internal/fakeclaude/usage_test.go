package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// usage is the four counts of an API usage object.
type usage struct {
	Input         int `json:"input_tokens"`
	Output        int `json:"output_tokens"`
	CacheCreation int `json:"cache_creation_input_tokens"`
	CacheRead     int `json:"cache_read_input_tokens"`
}

func (u usage) sum() int { return u.Input + u.Output + u.CacheCreation + u.CacheRead }

// The transcript records each model message with its usage, a line per
// content block, as Claude Code does: the "work" turn is a message of a
// text and a tool call (two lines, one id), the tool's result, and the
// answer.
func TestTranscriptRecordsUsage(t *testing.T) {
	f := startFake(t, nil, "--session-id", "sess-u")
	f.waitText("fake claude session")
	f.typeText("work\r")
	f.waitText("Listed the files.")
	f.typeText("bye\r")
	f.exit()
	b, err := os.ReadFile(filepath.Join(projectDir(f.home, f.project), "sess-u.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var l struct {
			Type      string `json:"type"`
			Timestamp string `json:"timestamp"`
			Message   struct {
				ID    string `json:"id"`
				Usage usage  `json:"usage"`
			} `json:"message"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if l.Timestamp == "" {
			t.Errorf("no timestamp: %s", line)
		}
		if l.Type == "assistant" {
			if u := l.Message.Usage; u.sum() != messageTokens {
				t.Errorf("usage %v in %s", u, line)
			}
		}
		got = append(got, l.Type+":"+l.Message.ID)
	}
	want := "user: user: assistant:msg_fake0001 assistant:msg_fake0001 user: assistant:msg_fake0002 user:"
	if strings.Join(got, " ") != want {
		t.Fatalf("transcript lines %q, want %q", strings.Join(got, " "), want)
	}
}

// claude -p's result states the run's usage.
func TestPrintRunResultHasUsage(t *testing.T) {
	cmd := exec.Command(binary, "-p", "fix it", "--output-format", "stream-json", "--verbose")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var result struct {
		Type  string  `json:"type"`
		Turns int     `json:"num_turns"`
		Cost  float64 `json:"total_cost_usd"`
		Usage usage   `json:"usage"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &result); err != nil {
		t.Fatal(err)
	}
	if result.Type != "result" || result.Usage.sum() != runTokens || result.Turns != 2 || result.Cost != 0.0123 {
		t.Fatalf("result %+v", result)
	}
}
