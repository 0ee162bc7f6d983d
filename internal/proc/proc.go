// Package proc reads what corral needs to know of a process from the
// operating system: its parent, group, session, terminal, flags, start time,
// command line and directory. On Linux it reads /proc; elsewhere it knows
// less (see the functions' docs).
package proc

import "errors"

// ErrNoProcess is returned for a pid that names no process.
var ErrNoProcess = errors.New("no such process")

// Stat is what /proc/PID/stat says of a process.
type Stat struct {
	PID, PPID, Pgrp, Session int
	// TTY is the controlling terminal's device number, 0 for none.
	TTY int
	// State is the one-letter state: R, S, D, Z (zombie), X (dead), …
	State byte
	// Flags are the kernel's PF_* flags.
	Flags uint64
	// Start is the start time in clock ticks since boot: with the pid it
	// names a process uniquely (a reused pid has a later start time).
	Start uint64
}

// KernelThread is the kernel's PF_KTHREAD flag.
const KernelThread = 0x00200000

// Gone reports whether the process has exited (a zombie or dead).
func (s Stat) Gone() bool { return s.State == 'Z' || s.State == 'X' }

// IsKernelThread reports whether the process is a kernel thread.
func (s Stat) IsKernelThread() bool { return s.Flags&KernelThread != 0 || s.PPID == 2 || s.PID == 2 }
