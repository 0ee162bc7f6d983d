package main

import (
	"log/slog"
	"os"
	"path/filepath"

	"corral/config"
	"corral/ipc"
	"corral/launch"
)

// serveHooks opens this instance's socket, where `corral hook` reports the
// hook events of agent runs, and tells the launcher to give runs the hooks
// and the environment that reach it. Without a socket (no directory for
// it, a path too long) runs start without hooks and corral says so in its
// log; their states then come from their screens and signals. It returns
// what closes the socket.
func serveHooks(l *launch.Launcher, log *slog.Logger) func() {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		log.Warn("hooks are off: the path of corral's binary is unknown", "err", err)
		return func() {}
	}
	dir, err := ipc.Dir()
	if err != nil {
		log.Warn("hooks are off: no directory for corral's socket", "err", err)
		return func() {}
	}
	srv, err := ipc.Listen(dir, l.Handle)
	if err != nil {
		log.Warn("hooks are off: corral's socket", "err", err)
		return func() {}
	}
	l.EnableHooks(exe, srv.Path())
	log.Info("listening for hooks", "socket", srv.Path())
	return func() {
		if err := srv.Close(); err != nil {
			log.Warn("close corral's socket", "err", err)
		}
	}
}

// notifyCommand returns what builds the argv of the configured notify
// command for a run that needs attention, or nil if none is configured.
func notifyCommand(t config.Template) func(name, state, detail string) []string {
	if len(t) == 0 {
		return nil
	}
	return func(name, state, detail string) []string {
		return t.Expand(config.Vars{Name: name, State: state, Detail: detail})
	}
}
