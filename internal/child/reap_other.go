//go:build !linux

package child

// Reap does nothing outside Linux, where corral is no child subreaper and
// has no orphans to collect.
func Reap() {}
