package main

import (
	"os"
	"sync"
	"syscall"
)

// signals watches the signals corral catches (INT, TERM, HUP) until their
// channel is closed: the first asks the UI to end, each later one calls whatever
// is registered then (skip the grace period of the stop under way). The
// exit status after a signal is 128 plus its number.
type signals struct {
	mu    sync.Mutex // guards the fields below
	first os.Signal
	quit  func()
	next  func()
}

func newSignals(c <-chan os.Signal) *signals {
	s := &signals{}
	go func() {
		for sig := range c {
			s.mu.Lock()
			var f func()
			if s.first == nil {
				s.first, f = sig, s.quit
			} else {
				f = s.next
			}
			s.mu.Unlock()
			if f != nil {
				f()
			}
		}
	}()
	return s
}

// onFirst registers what the first signal does; if one came already, f runs now.
func (s *signals) onFirst(f func()) {
	s.mu.Lock()
	s.quit = f
	came := s.first != nil
	s.mu.Unlock()
	if came {
		f()
	}
}

// onNext registers what a later signal does from now on, returning the
// call that unregisters it.
func (s *signals) onNext(f func()) (stop func()) {
	s.mu.Lock()
	s.next = f
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.next = nil
		s.mu.Unlock()
	}
}

// code is the exit status a signal asks for, or 0 when none came.
func (s *signals) code() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sig, ok := s.first.(syscall.Signal); ok {
		return 128 + int(sig)
	}
	return 0
}
