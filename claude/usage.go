package claude

import (
	"bytes"
	"encoding/json"
	"time"
)

// Usage is what a Claude run used, as far as Claude Code says: tokens by
// kind, cost and turns.
type Usage struct {
	// The tokens of the run's model calls: fresh input, output, input
	// written to the prompt cache, input read from it.
	InputTokens, OutputTokens, CacheCreationTokens, CacheReadTokens int64
	// CostUSD is the cost in US dollars the run's stream-json result states
	// (total_cost_usd). A session's transcript states none, and corral
	// prices no tokens itself: 0 there, which means unknown.
	CostUSD float64
	// Turns counts the run's model calls: a stream's num_turns, or a
	// transcript's model messages (see tally).
	Turns int
}

// Tokens is the sum of the four counts: input, output, cache creation and
// cache reads. Cache reads are billed at a tenth of fresh input, yet they
// are tokens the model read, and usually most of a session's: the sum is
// what the run put through the model, not what it cost (CostUSD).
func (u Usage) Tokens() int64 {
	return u.InputTokens + u.OutputTokens + u.CacheCreationTokens + u.CacheReadTokens
}

// apiUsage is the usage object of the Messages API, which Claude Code
// passes on in stream-json results and in transcripts' model messages.
type apiUsage struct {
	InputTokens         int64 `json:"input_tokens"`
	OutputTokens        int64 `json:"output_tokens"`
	CacheCreationTokens int64 `json:"cache_creation_input_tokens"`
	CacheReadTokens     int64 `json:"cache_read_input_tokens"`
}

func (a apiUsage) plus(b apiUsage, sign int64) apiUsage {
	return apiUsage{a.InputTokens + sign*b.InputTokens, a.OutputTokens + sign*b.OutputTokens,
		a.CacheCreationTokens + sign*b.CacheCreationTokens, a.CacheReadTokens + sign*b.CacheReadTokens}
}

// resultUsage is the Usage a stream's result line states, nil when it
// states neither usage nor cost (an older CLI).
func resultUsage(m *message) *Usage {
	if m.Usage == nil && m.CostUSD == nil {
		return nil
	}
	u := &Usage{Turns: m.NumTurns}
	if m.Usage != nil {
		u.InputTokens, u.OutputTokens = m.Usage.InputTokens, m.Usage.OutputTokens
		u.CacheCreationTokens, u.CacheReadTokens = m.Usage.CacheCreationTokens, m.Usage.CacheReadTokens
	}
	if m.CostUSD != nil {
		u.CostUSD = *m.CostUSD
	}
	return u
}

// syntheticModel is the model Claude Code names in the messages it makes
// up itself (an API error, an interruption): no model call, no usage.
const syntheticModel = "<synthetic>"

// tally sums the usage of the model messages in a transcript or a stream,
// fed in pieces of any size (Write) or by whole lines (line).
//
// Claude Code writes one line per content block of a model message (a
// thought, a text, each tool call), each with the message's id and usage:
// a message counts once, with the usage of its latest line (the counts of
// a message still streaming only grow). Turns are the model messages,
// each one call to the model, which is what a stream's num_turns counts;
// messages of subagents (isSidechain) add their tokens but no turn, and
// messages Claude Code makes up itself (model "<synthetic>") count not at
// all. Lines stamped before since are skipped: a resumed session's
// transcript may begin with the messages of the runs before.
//
// A tally is not safe for concurrent use.
type tally struct {
	since   time.Time
	partial []byte              // a line whose end has not been written yet
	msgs    map[string]apiUsage // the latest usage of each message id
	sum     apiUsage
	turns   int
}

func newTally(since time.Time) *tally {
	return &tally{since: since, msgs: map[string]apiUsage{}}
}

// Write adds the complete lines of p, and of what came before it without
// a line end, to the tally; a line not ended yet waits for its end. It
// never fails.
func (t *tally) Write(p []byte) (int, error) {
	n := len(p)
	if len(t.partial) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			t.partial = append(t.partial, p...)
			return n, nil
		}
		t.line(append(t.partial, p[:i]...))
		t.partial, p = t.partial[:0], p[i+1:]
	}
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			break
		}
		t.line(p[:i])
		p = p[i+1:]
	}
	t.partial = append(t.partial, p...)
	return n, nil
}

// dropPartial forgets a line whose end never came: its file was left for
// another.
func (t *tally) dropPartial() { t.partial = t.partial[:0] }

// usageLine is what a tally reads of a line.
type usageLine struct {
	Type      string `json:"type"`
	Timestamp string `json:"timestamp"`
	Sidechain bool   `json:"isSidechain"`
	Message   struct {
		ID    string    `json:"id"`
		Model string    `json:"model"`
		Usage *apiUsage `json:"usage"`
	} `json:"message"`
}

// usageKey is in every line that can count; the others are not decoded.
var usageKey = []byte(`"usage"`)

// line adds one line. It reports whether the sum or the turns changed.
func (t *tally) line(raw []byte) bool {
	if !bytes.Contains(raw, usageKey) {
		return false
	}
	var l usageLine
	if json.Unmarshal(raw, &l) != nil || l.Type != "assistant" || l.Message.Usage == nil ||
		l.Message.Model == syntheticModel {
		return false
	}
	if !t.since.IsZero() && l.Timestamp != "" {
		if at, err := time.Parse(time.RFC3339Nano, l.Timestamp); err == nil && at.Before(t.since) {
			return false
		}
	}
	u := *l.Message.Usage
	id := l.Message.ID
	if old, ok := t.msgs[id]; ok && id != "" {
		if old == u {
			return false
		}
		t.sum = t.sum.plus(old, -1).plus(u, 1)
		t.msgs[id] = u
		return true
	}
	if id != "" {
		t.msgs[id] = u
	}
	t.sum = t.sum.plus(u, 1)
	if !l.Sidechain {
		t.turns++
	}
	return true
}

// usage is the tally so far; its CostUSD is 0 (unknown).
func (t *tally) usage() Usage {
	return Usage{InputTokens: t.sum.InputTokens, OutputTokens: t.sum.OutputTokens,
		CacheCreationTokens: t.sum.CacheCreationTokens, CacheReadTokens: t.sum.CacheReadTokens, Turns: t.turns}
}
