package main

import (
	"os"
	"strings"

	"corral/config"
	"corral/launch"
	"corral/project"
	"corral/registry"
	"corral/tui"
)

// projectRuns reads the runs corral starts at launch besides the command
// line's: the project file (--project, or corral.toml in the current
// directory when there is one) and the Procfile (--procfile). An error in
// either stops corral, with every error of the file.
func projectRuns(o options, cfg *config.Config) ([]project.Run, error) {
	path, explicit := o.projectPath, o.projectPath != ""
	if !explicit {
		path = project.FileName
		if sameFile(path, o.configPath) {
			path = "" // a configuration kept as ./corral.toml (--config corral.toml) is not a project
		}
	}
	var runs []project.Run
	var err error
	if path != "" {
		runs, err = project.Load(path, explicit, cfg)
	}
	if err != nil || o.procfile == "" {
		return runs, err
	}
	procs, err := project.LoadProcfile(o.procfile)
	if err != nil {
		return nil, err
	}
	return project.Join(runs, procs)
}

// sameFile reports whether a and b name one existing file.
func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// startProject launches the project's runs that start at launch, each with
// its name, directory and environment, and lists the others as not started
// (s starts them); one that cannot start (its directory is missing, its
// command does not parse) is listed as a failed row, and the others start. Runs with a restart policy are watched by a
// launch.Supervisor, which restarts them in their rows; the returned func
// stops it, and must run before the runs are stopped at quit.
func startProject(reg *registry.Registry, l *launch.Launcher, runs []project.Run, cols, rows int) (stop func()) {
	var sup *launch.Supervisor
	for _, r := range runs {
		req := tui.Request{Name: r.Name, Command: r.Command, Agent: r.Agent, Task: r.Task, Model: r.Model, Dir: r.Dir,
			Cols: cols, Rows: rows}
		if len(r.Env) > 0 {
			req.Env = strings.Join(r.Env, "\x00") + "\x00"
		}
		var id int64
		switch err := r.CheckDir(); {
		case err != nil:
			l.Fail(req, err)
			continue
		case !r.Autostart:
			id = l.Hold(req, "not started (autostart = false): s starts it")
		default:
			if id, err = l.Launch(req); err != nil {
				l.Fail(req, err)
				continue
			}
		}
		if p := policyOf(r); p.When != launch.Never {
			if sup == nil {
				sup = launch.NewSupervisor(reg, l.Restart)
				l.Supervise(sup)
			}
			sup.Watch(id, p)
		}
	}
	return func() {
		if sup != nil {
			sup.Close()
		}
	}
}

// policyOf is a project run's restart policy for the supervisor.
func policyOf(r project.Run) launch.Policy {
	p := launch.Policy{Backoff: r.Backoff, MaxBackoff: max(r.Backoff, project.MaxBackoff), Limit: r.Limit}
	switch r.Restart {
	case project.RestartOnFailure:
		p.When = launch.OnFailure
	case project.RestartAlways:
		p.When = launch.Always
	}
	return p
}
