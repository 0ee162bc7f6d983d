package claude

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"corral/registry"
)

// resultLine is a stream-json result as Claude Code 2.x writes it.
const resultLine = `{"type":"result","subtype":"success","is_error":false,"duration_ms":12345,"duration_api_ms":11000,` +
	`"num_turns":3,"result":"Done.","session_id":"s-2","total_cost_usd":0.08315,"usage":{"input_tokens":9,` +
	`"cache_creation_input_tokens":4106,"cache_read_input_tokens":41200,"output_tokens":512,` +
	`"server_tool_use":{"web_search_requests":0},"service_tier":"standard"},"permission_denials":[],"uuid":"r1"}`

func TestParseResultUsage(t *testing.T) {
	tests := []struct {
		name, line string
		want       *Usage
	}{
		{"result", resultLine, &Usage{InputTokens: 9, OutputTokens: 512, CacheCreationTokens: 4106,
			CacheReadTokens: 41200, CostUSD: 0.08315, Turns: 3}},
		{"cost only", `{"type":"result","subtype":"success","total_cost_usd":0.5,"num_turns":1}`,
			&Usage{CostUSD: 0.5, Turns: 1}},
		{"neither", `{"type":"result","subtype":"success","num_turns":2}`, nil},
		{"not a result", `{"type":"assistant","message":{"id":"m","usage":{"input_tokens":5}}}`, nil},
	}
	for _, tt := range tests {
		got := Parse(tt.line).Usage
		if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
			t.Errorf("%s: usage %+v, want %+v", tt.name, got, tt.want)
		}
	}
	if u := Parse(resultLine).Usage; u.Tokens() != 9+512+4106+41200 {
		t.Errorf("tokens %d", u.Tokens())
	}
}

// transcriptLines are a session's transcript as Claude Code 2.x writes it:
// a prompt; message A in two lines (a thought, then a tool call: the same
// id, its output count grown); the tool's result; message B; a message
// Claude Code made up; a subagent's message; and, first, a message of an
// earlier run of the session (before the run's start).
var transcriptLines = []string{
	`{"parentUuid":null,"isSidechain":false,"userType":"external","cwd":"/home/u/app","sessionId":"s-1","version":"2.1.12","type":"assistant","message":{"id":"msg_00Z","type":"message","role":"assistant","model":"claude-opus-4-1","content":[{"type":"text","text":"old"}],"usage":{"input_tokens":1000,"cache_creation_input_tokens":1000,"cache_read_input_tokens":1000,"output_tokens":1000}},"uuid":"a0","timestamp":"2026-02-28T10:00:00.000Z"}`,
	`{"parentUuid":null,"isSidechain":false,"userType":"external","cwd":"/home/u/app","sessionId":"s-1","version":"2.1.12","gitBranch":"main","type":"user","message":{"role":"user","content":"fix the usage test"},"uuid":"u1","timestamp":"2026-03-01T10:00:00.000Z"}`,
	`{"parentUuid":"u1","isSidechain":false,"userType":"external","cwd":"/home/u/app","sessionId":"s-1","version":"2.1.12","gitBranch":"main","message":{"id":"msg_01A","type":"message","role":"assistant","model":"claude-opus-4-1","content":[{"type":"thinking","thinking":"Look at the usage.","signature":"x"}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":4,"cache_creation_input_tokens":2000,"cache_read_input_tokens":15000,"output_tokens":8,"service_tier":"standard"}},"requestId":"req_1","type":"assistant","uuid":"a1","timestamp":"2026-03-01T10:00:02.000Z"}`,
	`{"parentUuid":"a1","isSidechain":false,"userType":"external","cwd":"/home/u/app","sessionId":"s-1","version":"2.1.12","gitBranch":"main","message":{"id":"msg_01A","type":"message","role":"assistant","model":"claude-opus-4-1","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"go test"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":4,"cache_creation_input_tokens":2000,"cache_read_input_tokens":15000,"output_tokens":120,"service_tier":"standard"}},"requestId":"req_1","type":"assistant","uuid":"a2","timestamp":"2026-03-01T10:00:03.000Z"}`,
	`{"parentUuid":"a2","isSidechain":false,"userType":"external","cwd":"/home/u/app","sessionId":"s-1","version":"2.1.12","gitBranch":"main","type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_1","type":"tool_result","content":"ok  corral/claude (usage 0.1s)","is_error":false}]},"uuid":"u2","timestamp":"2026-03-01T10:00:05.000Z","toolUseResult":{"stdout":"ok","stderr":"","interrupted":false}}`,
	`{"parentUuid":"u2","isSidechain":false,"userType":"external","cwd":"/home/u/app","sessionId":"s-1","version":"2.1.12","gitBranch":"main","message":{"id":"msg_01B","type":"message","role":"assistant","model":"claude-opus-4-1","content":[{"type":"text","text":"Fixed."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":6,"cache_creation_input_tokens":300,"cache_read_input_tokens":17000,"output_tokens":40,"service_tier":"standard"}},"requestId":"req_2","type":"assistant","uuid":"a3","timestamp":"2026-03-01T10:00:07.000Z"}`,
	`{"parentUuid":"a3","isSidechain":false,"userType":"external","cwd":"/home/u/app","sessionId":"s-1","version":"2.1.12","gitBranch":"main","type":"assistant","message":{"id":"5f0c6f2e-1d2c-4e4a-9a38-0c1f2e3d4b5a","model":"<synthetic>","role":"assistant","stop_reason":"stop_sequence","type":"message","usage":{"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0},"content":[{"type":"text","text":"No response requested."}]},"isApiErrorMessage":false,"uuid":"a4","timestamp":"2026-03-01T10:00:08.000Z"}`,
	`{"parentUuid":"x1","isSidechain":true,"userType":"external","cwd":"/home/u/app","sessionId":"s-1","version":"2.1.12","gitBranch":"main","message":{"id":"msg_01C","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[{"type":"text","text":"Found 3 files."}],"stop_reason":"end_turn","usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":5000,"output_tokens":30}},"type":"assistant","uuid":"a5","timestamp":"2026-03-01T10:00:09.000Z"}`,
}

// transcriptUsage is what transcriptLines used from transcriptSince: A
// once with its last counts, B, and the subagent's tokens (not a turn).
var transcriptUsage = Usage{InputTokens: 4 + 6 + 10, OutputTokens: 120 + 40 + 30, CacheCreationTokens: 2000 + 300,
	CacheReadTokens: 15000 + 17000 + 5000, Turns: 2}

var transcriptSince = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// However the transcript's bytes are split between reads, the tally is
// the same: lines are only read whole, a message counts once.
func TestTallySplitReadsAndDuplicateIDs(t *testing.T) {
	text := strings.Join(transcriptLines, "\n") + "\n"
	for _, size := range []int{1, 2, 3, 7, 64, 1000, len(text)} {
		tl := newTally(transcriptSince)
		for p := text; p != ""; {
			n := min(size, len(p))
			if _, err := tl.Write([]byte(p[:n])); err != nil {
				t.Fatal(err)
			}
			p = p[n:]
		}
		if got := tl.usage(); got != transcriptUsage {
			t.Errorf("reads of %d bytes: %+v, want %+v", size, got, transcriptUsage)
		}
	}
	if transcriptUsage.Tokens() != 39510 {
		t.Errorf("tokens %d", transcriptUsage.Tokens())
	}
	// Without a start, the earlier run's message counts too.
	tl := newTally(time.Time{})
	_, _ = tl.Write([]byte(text))
	if got := tl.usage(); got.Turns != 3 || got.Tokens() != 39510+4000 {
		t.Errorf("with no start: %+v", got)
	}
}

// usages records what a Follower tells.
type usages chan Usage

// following returns a registry and a Follower of it that reads the
// transcripts under home and tells the usage it learns into told; both are
// closed when the test ends.
func following(t *testing.T, home string) (reg *registry.Registry, f *Follower, told usages) {
	t.Helper()
	reg = registry.New()
	t.Cleanup(reg.Close)
	f = NewFollower(reg, home)
	t.Cleanup(f.Close)
	told = make(usages, 8)
	f.OnUsage(func(id int64, u Usage) { told <- u })
	return reg, f, told
}

func (u usages) next(t *testing.T) Usage {
	t.Helper()
	select {
	case got := <-u:
		return got
	case <-time.After(10 * time.Second):
		t.Fatal("no usage told within 10 s")
	}
	return Usage{}
}

func (u usages) none(t *testing.T) {
	t.Helper()
	select {
	case got := <-u:
		t.Fatalf("told %+v", got)
	default:
	}
}

// A stream's result tells the whole run's usage, its cost and turns, once;
// the messages before it are not added.
func TestFollowStreamTellsTheResult(t *testing.T) {
	reg, f, told := following(t, t.TempDir())
	id := failedRun(t, reg, "")
	stream := []string{`{"type":"system","subtype":"init","session_id":"s-2","model":"opus","cwd":"/p"}`,
		`{"type":"assistant","message":{"id":"msg_1","model":"claude-opus-4-1","usage":{"input_tokens":5,"output_tokens":7},"content":[{"type":"text","text":"hi"}]},"session_id":"s-2"}`,
		resultLine}
	if err := reg.AppendLiveOutput(id, strings.Join(stream, "\n")+"\n"); err != nil {
		t.Fatal(err)
	}
	f.FollowStream(id)
	want := Usage{InputTokens: 9, OutputTokens: 512, CacheCreationTokens: 4106, CacheReadTokens: 41200, CostUSD: 0.08315, Turns: 3}
	if got := told.next(t); got != want {
		t.Fatalf("told %+v, want %+v", got, want)
	}
	told.none(t)
}

// A session's transcript is read when a turn ends and when the run is no
// longer followed: split lines wait for their end, a message counts once,
// and a new session id's transcript adds to the run's.
func TestFollowSessionTellsTheTranscriptAtEachTurn(t *testing.T) {
	home := t.TempDir()
	dir := ProjectDir(home, "/home/u/app")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	reg, f, told := following(t, home)
	id := failedRun(t, reg, "s-1")
	f.FollowSession(id, "/home/u/app", transcriptSince, false)

	file, err := os.Create(filepath.Join(dir, "s-1.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	write := func(s string) {
		t.Helper()
		if _, err := file.WriteString(s); err != nil {
			t.Fatal(err)
		}
	}
	turnEnds := func() {
		t.Helper()
		for _, s := range []registry.State{registry.StateWorking, registry.StateIdle} {
			if err := reg.SetActivity(id, registry.Activity{State: s}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Up to A's first line, and half of its second.
	first := strings.Join(transcriptLines[:3], "\n") + "\n" + transcriptLines[3][:100]
	write(first)
	turnEnds()
	want := Usage{InputTokens: 4, OutputTokens: 8, CacheCreationTokens: 2000, CacheReadTokens: 15000, Turns: 1}
	if got := told.next(t); got != want {
		t.Fatalf("after the first turn %+v, want %+v", got, want)
	}
	write(strings.TrimPrefix(strings.Join(transcriptLines, "\n")+"\n", first))
	turnEnds()
	if got := told.next(t); got != transcriptUsage {
		t.Fatalf("after the second turn %+v, want %+v", got, transcriptUsage)
	}

	// /clear: the session goes on under a new id, in a new file.
	line := `{"type":"assistant","sessionId":"s-2","timestamp":"2026-03-01T11:00:00.000Z","message":{"id":"msg_02A","model":"claude-opus-4-1","usage":{"input_tokens":1,"cache_creation_input_tokens":2,"cache_read_input_tokens":3,"output_tokens":4}}}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "s-2.jsonl"), []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := reg.SetSessionID(id, "s-2"); err != nil {
		t.Fatal(err)
	}
	turnEnds()
	want = transcriptUsage
	want.InputTokens, want.OutputTokens, want.CacheCreationTokens, want.CacheReadTokens, want.Turns =
		want.InputTokens+1, want.OutputTokens+4, want.CacheCreationTokens+2, want.CacheReadTokens+3, 3
	if got := told.next(t); got != want {
		t.Fatalf("after the new session's turn %+v, want %+v", got, want)
	}

	// The last turn's lines, read when the run goes.
	extra := strings.Replace(line, "msg_02A", "msg_02B", 1)
	f2, err := os.OpenFile(filepath.Join(dir, "s-2.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f2.WriteString(extra); err != nil {
		t.Fatal(err)
	}
	f2.Close()
	if err := reg.UnregisterProcess(id); err != nil {
		t.Fatal(err)
	}
	want.InputTokens, want.OutputTokens, want.CacheCreationTokens, want.CacheReadTokens, want.Turns =
		want.InputTokens+1, want.OutputTokens+4, want.CacheCreationTokens+2, want.CacheReadTokens+3, 4
	if got := told.next(t); got != want {
		t.Fatalf("at the end %+v, want %+v", got, want)
	}
	told.none(t)
}

// Once OnUsage(nil) has returned, nothing is told.
func TestOnUsageNilStopsTelling(t *testing.T) {
	reg, f, told := following(t, t.TempDir())
	f.OnUsage(nil)
	id := failedRun(t, reg, "")
	if err := reg.AppendLiveOutput(id, resultLine+"\n"); err != nil {
		t.Fatal(err)
	}
	f.FollowStream(id)
	told.none(t)
}
