// Package history keeps a durable record of corral's runs: an SQLite index of
// every run and its outcome, and a plain-text log of each run's output, both
// outliving the corral that made them.
//
// # Where things are kept
//
// Everything lives in one directory, by default $XDG_STATE_HOME/corral
// (~/.local/state/corral when XDG_STATE_HOME is unset; see [DefaultDir]),
// made 0700, its files 0600:
//
//	index.db, index.db-wal, index.db-shm   the index (SQLite, WAL mode)
//	logs/<id>.log                          a run's output
//	logs/<id>.<n>.log                      its later segments once it outgrew half its cap
//	index.db.corrupt-<time>                an index that could not be read, moved aside
//
// The index is opened with modernc.org/sqlite (pure Go, no cgo) in WAL mode
// with a 5 s busy timeout and immediate write transactions, so several
// corral processes can share it: run ids come from a counter row and never
// collide. A file that is not SQLite, is damaged, or is some other program's
// database is moved aside and a new index started; [Store.Warnings] names
// both paths. An index written by a newer corral is left alone and Open
// fails with [ErrNewerSchema].
//
// # Limits
//
// A run's log takes at most [DefaultLogCap] bytes (see [WithLogCap]): it is
// written in segments of half that size, and when a third segment starts the
// oldest is deleted, so the newest output is kept. All logs together take at
// most [DefaultTotalCap] bytes ([WithTotalCap]): beyond it the logs of the
// oldest finished runs are deleted and their rows marked LogPruned. Runs that
// ended more than [DefaultMaxAge] ago ([WithMaxAge]) are deleted with their
// logs. Pruning runs when the store opens and then every ten minutes
// ([WithPruneInterval]), and on demand with [Store.Prune]; running runs are
// never pruned.
//
// Logs are written off the caller's path by [LogWriter]: its Write copies
// into a bounded queue and returns; a goroutine writes the queue out at least
// once a second, so a corral killed with SIGKILL leaves a log that holds
// everything up to about a second before. When the disk cannot keep up the
// queue's overflow is dropped, counted, and marked in the log with a line
// "[corral: N bytes not logged]". Logs are not fsynced: they survive a crash
// of corral, not of the machine.
//
// # Schema
//
// Migrations run at Open, all pending ones in one transaction, each recorded
// in schema_version(version, name, applied_at). Version 1:
//
//	runs(id INTEGER PRIMARY KEY, kind, agent, name, argv (JSON array), dir,
//	     pid, start_time (process start, clock ticks since boot),
//	     started_at, ended_at (Unix milliseconds; ended_at NULL while running),
//	     status, exit_code, signal, session_id, model, task,
//	     tokens, cost_usd, turns, log_pruned (0/1),
//	     instance, instance_start (pid and start time of the corral that ran it))
//	states(run_id, at (Unix milliseconds), state, detail)   agent-state transitions
//	counter(name PRIMARY KEY, value)                         'run_id': the last id given
//
// Version 2 adds the git worktrees corral made for runs (package worktree),
// which `corral worktrees` lists and prunes; pruning the runs leaves them:
//
//	worktrees(run_id INTEGER PRIMARY KEY, repo (the main working tree),
//	          path, branch, base, created_at, removed_at (Unix
//	          milliseconds; removed_at NULL while it is kept))
package history
