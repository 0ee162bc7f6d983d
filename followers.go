package main

import (
	"corral/config"
	"corral/registry"
)

// followers watch Claude runs and sessions for what their output and
// transcripts say (session ids, results).
type followers struct {
	reg *registry.Registry
}

func newFollowers(reg *registry.Registry) *followers { return &followers{reg: reg} }

func (f *followers) start(runID int64, a config.Agent, sessionID, project string) {}

func (f *followers) stop() {}
