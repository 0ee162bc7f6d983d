package spawn

import "corral/registry"

var _ registry.TerminalChild = (*Proc)(nil)

// OnTerminal is true: every child runs under its own PTY, so a kill hangs
// it up with SIGHUP before SIGTERM, as closing a terminal would.
func (p *Proc) OnTerminal() bool { return true }
