//go:build !linux

package spawn

// withDefaultSignals runs start. Outside Linux, children inherit the signals
// corral ignores (corral cannot list them there without cgo).
func withDefaultSignals(start func() error) error { return start() }
