//go:build !linux

package spawn

// awaitExit does nothing here: exec.Cmd.Wait waits.
func awaitExit(int) {}
