package launch

import (
	"time"

	"corral/claude"
	"corral/config"
	"corral/registry"
)

// follow starts what a catalog run needs beyond its PTY: a stream-json
// run's rendering and result, an interactive Claude session's real id,
// and what either used.
func follow(f *claude.Follower, runID int64, a config.Agent, kind registry.Kind, project string, hooked bool) {
	switch {
	case a.Format == config.FormatStreamJSON:
		f.FollowStream(runID)
	case kind == registry.KindClaudeSession:
		// Without hooks, the session id is learnt from the transcript that
		// appears; with them, SessionStart reports it.
		f.FollowSession(runID, project, time.Now().Add(-time.Second), !hooked)
	}
}
