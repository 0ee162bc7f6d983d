package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// migration is one step of the schema: its SQL runs in the transaction that
// records it in schema_version.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations is the schema's history, oldest first, numbered from 1 without
// gaps. A released step is never edited: a change is a new step.
var migrations = []migration{
	{1, "runs, agent states and the run id counter", `
CREATE TABLE runs (
	id             INTEGER PRIMARY KEY,
	kind           TEXT    NOT NULL DEFAULT '',
	agent          TEXT    NOT NULL DEFAULT '',
	name           TEXT    NOT NULL DEFAULT '',
	argv           TEXT    NOT NULL DEFAULT '[]',
	dir            TEXT    NOT NULL DEFAULT '',
	pid            INTEGER NOT NULL DEFAULT 0,
	start_time     INTEGER NOT NULL DEFAULT 0,
	started_at     INTEGER NOT NULL,
	ended_at       INTEGER,
	status         TEXT    NOT NULL,
	exit_code      INTEGER NOT NULL DEFAULT 0,
	signal         TEXT    NOT NULL DEFAULT '',
	session_id     TEXT    NOT NULL DEFAULT '',
	model          TEXT    NOT NULL DEFAULT '',
	task           TEXT    NOT NULL DEFAULT '',
	tokens         INTEGER NOT NULL DEFAULT 0,
	cost_usd       REAL    NOT NULL DEFAULT 0,
	turns          INTEGER NOT NULL DEFAULT 0,
	log_pruned     INTEGER NOT NULL DEFAULT 0,
	instance       INTEGER NOT NULL DEFAULT 0,
	instance_start INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX runs_started ON runs(started_at);
CREATE INDEX runs_agent ON runs(agent, started_at);
CREATE INDEX runs_status ON runs(status);
CREATE TABLE states (
	run_id INTEGER NOT NULL,
	at     INTEGER NOT NULL,
	state  TEXT    NOT NULL,
	detail TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX states_run ON states(run_id, at);
CREATE TABLE counter (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
);
`},
	{2, "the git worktrees made for runs", `
CREATE TABLE worktrees (
	run_id     INTEGER PRIMARY KEY,
	repo       TEXT    NOT NULL,
	path       TEXT    NOT NULL,
	branch     TEXT    NOT NULL,
	base       TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	removed_at INTEGER
);
`},
	{3, "the variables a run's entry added to its environment", `
ALTER TABLE runs ADD COLUMN env TEXT NOT NULL DEFAULT '[]';
`},
}

// check tells a usable index (ours, or empty) from one Open must move
// aside: not SQLite, damaged, or without our schema_version but with other
// tables. Other errors (permissions, IO) are returned as they are.
func check(db *sql.DB) error {
	var res string
	if err := db.QueryRow("PRAGMA quick_check").Scan(&res); err != nil {
		if corrupt(err) {
			return &badIndexError{err}
		}
		return fmt.Errorf("history: check index: %w", err)
	}
	if res != "ok" {
		return &badIndexError{fmt.Errorf("damaged: %s", res)}
	}
	var ours, tables int
	err := db.QueryRow(`SELECT count(*) FILTER (WHERE name = 'schema_version'), count(*)
		FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).Scan(&ours, &tables)
	if err != nil {
		if corrupt(err) {
			return &badIndexError{err}
		}
		return fmt.Errorf("history: check index: %w", err)
	}
	if ours == 0 && tables > 0 {
		return &badIndexError{fmt.Errorf("another program's database (%d tables, none of them corral's)", tables)}
	}
	return nil
}

// corrupt reports whether err is SQLite saying the file is not a database
// or is damaged.
func corrupt(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code() & 0xff
	return c == sqlite3.SQLITE_NOTADB || c == sqlite3.SQLITE_CORRUPT
}

// migrate brings db to the last of steps: in one immediate transaction it
// reads the version from schema_version (creating it: 0 for a new file) and
// applies every later step in order, recording each. Another process
// migrating at the same time waits for the lock and then finds nothing to
// do. An index newer than steps is left alone: ErrNewerSchema.
func migrate(ctx context.Context, db *sql.DB, steps []migration, now time.Time) error {
	for i, m := range steps {
		if m.version != i+1 {
			return fmt.Errorf("migration %q is numbered %d, want %d", m.name, m.version, i+1)
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL)`)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&have); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if have > len(steps) {
		return fmt.Errorf("schema version %d, this corral knows up to %d: %w", have, len(steps), ErrNewerSchema)
	}
	for _, m := range steps[have:] {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("migrate to %d (%s): %w", m.version, m.name, err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO schema_version(version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, now.UnixMilli())
		if err != nil {
			return fmt.Errorf("migrate to %d: %w", m.version, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}
