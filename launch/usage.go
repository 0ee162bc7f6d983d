package launch

import (
	"corral/claude"
	"corral/history"
)

// usage records what a Claude run used, as the follower tells it: each
// report holds the run's totals so far and replaces the row's. Tokens are
// the sum of the four counts (claude.Usage.Tokens); a session's cost stays
// 0, unknown.
func (r *recorder) usage(id int64, u claude.Usage) {
	r.queue(func(s *history.Store) error {
		return s.Update(id, func(h *history.Run) { h.Tokens, h.CostUSD, h.Turns = u.Tokens(), u.CostUSD, u.Turns })
	})
}
