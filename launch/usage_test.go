package launch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"corral/claude"
	"corral/config"
	"corral/history"
	"corral/registry"
	"corral/spawn"
	"corral/tui"
)

// usageRig is the rig over cfg, with a history.
func usageRig(t *testing.T, cfg *config.Config) (*rig, *history.Store) {
	t.Helper()
	t.Setenv("PATH", fakeBin+":"+os.Getenv("PATH"))
	home := t.TempDir()
	t.Setenv("HOME", home)
	reg := registry.New(registry.WithGracePeriod(time.Second))
	sp := spawn.New(reg)
	f := claude.NewFollower(reg, home)
	l := New(reg, sp, f, cfg, t.TempDir())
	store, err := history.Open(t.TempDir(), history.WithPruneInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	l.EnableHistory(store)
	_, events, cancel := reg.Subscribe()
	t.Cleanup(func() {
		cancel()
		f.Close() // as main: the follower first, its last reports recorded
		l.Close()
		sp.Close()
		reg.Close()
		store.Close()
	})
	return &rig{reg: reg, l: l, home: home, events: events}, store
}

// A stream-json run's history row gets its result's tokens (the sum of the
// four counts), cost and turns; a run that ends without a result gets the
// tokens and turns of its messages, cost unknown.
func TestStreamRunUsageIsRecorded(t *testing.T) {
	dir := t.TempDir()
	// Claude Code 2.x's lines: a model message in two lines (the same id),
	// then the result.
	msg := `{"type":"assistant","message":{"id":"msg_01A","type":"message","role":"assistant","model":"claude-opus-4-1",` +
		`"content":[{"type":"text","text":"Looking."}],"stop_reason":null,"usage":{"input_tokens":3,` +
		`"cache_creation_input_tokens":1500,"cache_read_input_tokens":9000,"output_tokens":25,"service_tier":"standard"}},` +
		`"parent_tool_use_id":null,"session_id":"5e55-7351"}`
	lines := []string{
		`{"type":"system","subtype":"init","cwd":"/p","session_id":"5e55-7351","tools":["Bash"],"model":"claude-opus-4-1"}`,
		msg, strings.Replace(msg, `"text":"Looking."`, `"text":"Still looking."`, 1),
		`{"type":"result","subtype":"success","is_error":false,"duration_ms":9120,"duration_api_ms":8800,"num_turns":3,` +
			`"result":"Done.","session_id":"5e55-7351","total_cost_usd":0.08315,"usage":{"input_tokens":9,` +
			`"cache_creation_input_tokens":4106,"cache_read_input_tokens":41200,"output_tokens":512,` +
			`"server_tool_use":{"web_search_requests":0},"service_tier":"standard"},"permission_denials":[],"uuid":"r-7351"}`,
	}
	whole, cut := filepath.Join(dir, "whole.jsonl"), filepath.Join(dir, "cut.jsonl")
	if err := os.WriteFile(whole, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cut, []byte(strings.Join(lines[:3], "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Agents = append(cfg.Agents,
		config.Agent{Name: "replay", Kind: config.KindAgent, Format: config.FormatStreamJSON, Command: config.Template{"cat", whole}},
		config.Agent{Name: "cut", Kind: config.KindAgent, Format: config.FormatStreamJSON,
			Command: config.Template{"sh", "-c", "cat '" + cut + "'; exit 1"}})
	r, store := usageRig(t, cfg)

	for _, tt := range []struct {
		agent  string
		tokens int64
		cost   float64
		turns  int
	}{
		{"replay", 9 + 4106 + 41200 + 512, 0.08315, 3},
		{"cut", 3 + 1500 + 9000 + 25, 0, 1}, // msg_01A once
	} {
		id, err := r.l.Launch(tui.Request{Agent: tt.agent, Task: "t"})
		if err != nil {
			t.Fatal(err)
		}
		r.until(t, tt.agent+"'s exit", func() bool { p, _ := r.reg.Process(id); return !p.Status.Live() })
		var run history.Run
		eventually(t, tt.agent+"'s usage in the history", func() bool {
			run, _ = store.Get(id)
			return run.Ended() && run.Tokens != 0
		})
		if run.Tokens != tt.tokens || run.CostUSD != tt.cost || run.Turns != tt.turns {
			t.Errorf("%s: recorded %d tokens, $%v, %d turns; want %d, $%v, %d", tt.agent, run.Tokens, run.CostUSD,
				run.Turns, tt.tokens, tt.cost, tt.turns)
		}
	}
}

// An interactive session's row gets the usage its transcript records, read
// when the session ends: the fake's "work" turn is two model messages, the
// first written in two lines; no cost.
func TestSessionUsageIsRecorded(t *testing.T) {
	r, store := usageRig(t, config.Default())
	t.Setenv("FAKE_CLAUDE_WORK", "20ms")
	id, err := r.l.Launch(tui.Request{Agent: "claude"})
	if err != nil {
		t.Fatal(err)
	}
	scr := r.l.sp.Proc(id)
	r.until(t, "the banner", func() bool { return strings.Contains(scr.Text(), "fake claude session") })
	if _, err := scr.Write([]byte("work\r")); err != nil {
		t.Fatal(err)
	}
	r.until(t, "the turn's end", func() bool { return strings.Contains(scr.Text(), "Listed the files.") })
	if _, err := scr.Write([]byte("bye\r")); err != nil {
		t.Fatal(err)
	}
	r.until(t, "the exit", func() bool { p, _ := r.reg.Process(id); return !p.Status.Live() })
	// A turn's end may have recorded part of it before: the row is read
	// until it holds the whole session's.
	const perMessage = 4 + 60 + 300 + 12000 // the fake's messageUsage
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		run, err := store.Get(id)
		if err == nil && run.Tokens == 2*perMessage && run.Turns == 2 && run.CostUSD == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("recorded %d tokens, $%v, %d turns (%v); want %d, $0, 2", run.Tokens, run.CostUSD, run.Turns,
				err, 2*perMessage)
		}
	}
}
