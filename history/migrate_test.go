package history

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func rawDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(filepath.Join(t.TempDir(), "m.db")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func versions(t *testing.T, db *sql.DB) []int {
	t.Helper()
	rows, err := db.Query(`SELECT version FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		rows.Scan(&v)
		out = append(out, v)
	}
	return out
}

func columns(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		rows.Scan(&c)
		out = append(out, c)
	}
	return out
}

func TestMigrateFromEmptyFile(t *testing.T) {
	db := rawDB(t)
	if err := migrate(context.Background(), db, migrations, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := versions(t, db); len(got) != len(migrations) || got[len(got)-1] != len(migrations) {
		t.Fatalf("versions %v", got)
	}
	want := strings.Fields(strings.ReplaceAll(runColumns, ",", " "))
	if got := columns(t, db, "runs"); !reflect.DeepEqual(got, want) {
		t.Fatalf("runs columns %v, want %v", got, want)
	}
	for _, table := range []string{"states", "counter"} {
		if len(columns(t, db, table)) == 0 {
			t.Errorf("no table %s", table)
		}
	}
}

// The previous schema is simulated by a store at migrations' last version
// and a step after it, as the next release will add one.
func TestMigrateFromPreviousSchema(t *testing.T) {
	db := rawDB(t)
	ctx := context.Background()
	if err := migrate(ctx, db, migrations, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO runs(id, started_at, status) VALUES (1000000, 1, 'exited')`); err != nil {
		t.Fatal(err)
	}
	runs := 0
	next := append(append([]migration(nil), migrations...),
		migration{len(migrations) + 1, "labels", `ALTER TABLE runs ADD COLUMN label TEXT NOT NULL DEFAULT 'none'`},
		// Depends on the step before it: order matters.
		migration{len(migrations) + 2, "labels index", `CREATE INDEX runs_label ON runs(label)`})
	for range 2 { // the second time finds nothing to do
		if err := migrate(ctx, db, next, time.Now()); err != nil {
			t.Fatal(err)
		}
		runs++
	}
	if got := versions(t, db); len(got) != len(next) {
		t.Fatalf("versions %v after %d migrations, want 1..%d once each", got, runs, len(next))
	}
	var label string
	if err := db.QueryRow(`SELECT label FROM runs WHERE id = 1000000`).Scan(&label); err != nil || label != "none" {
		t.Fatalf("old row after migration: %q %v", label, err)
	}
}

func TestMigrateFailedStepRollsBackAll(t *testing.T) {
	db := rawDB(t)
	ctx := context.Background()
	if err := migrate(ctx, db, migrations, time.Now()); err != nil {
		t.Fatal(err)
	}
	next := append(append([]migration(nil), migrations...),
		migration{len(migrations) + 1, "good", `ALTER TABLE runs ADD COLUMN label TEXT`},
		migration{len(migrations) + 2, "bad", `ALTER TABLE nosuchtable ADD COLUMN x`})
	err := migrate(ctx, db, next, time.Now())
	if err == nil || !strings.Contains(err.Error(), "bad") {
		t.Fatalf("migrate with a failing step: %v", err)
	}
	if got := versions(t, db); len(got) != len(migrations) {
		t.Fatalf("versions %v after a failed migration, want unchanged", got)
	}
	for _, c := range columns(t, db, "runs") {
		if c == "label" {
			t.Fatal("the good step of a failed migration stayed")
		}
	}
}

func TestMigrateRejectsMisnumberedSteps(t *testing.T) {
	db := rawDB(t)
	steps := []migration{{1, "a", `CREATE TABLE a(x)`}, {3, "c", `CREATE TABLE c(x)`}}
	if err := migrate(context.Background(), db, steps, time.Now()); err == nil {
		t.Fatal("a gap in the steps was accepted")
	}
	if cols := columns(t, db, "a"); len(cols) != 0 {
		t.Fatal("a step ran before the numbering was checked")
	}
}

// An index of schema 2, before runs kept their env, opens: its rows have
// no env, and a run recorded after keeps its own.
func TestMigrateFromSchema2KeepsRunsAndAddsTheirEnv(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", dsn(filepath.Join(dir, IndexName)))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(context.Background(), db, migrations[:2], time.Now()); err != nil {
		t.Fatal(err)
	}
	// A row as corral wrote it with schema 2.
	_, err = db.Exec(`INSERT INTO runs(id, kind, name, argv, dir, started_at, ended_at, status, exit_code)
		VALUES (1000000, 'command', 'envy', '["sh","-c","echo FOO=$FOO"]', '/src/sub', 1000, 2000, 'exited', 0)`)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s := open(t, dir)
	old, err := s.Get(1000000)
	if err != nil {
		t.Fatal(err)
	}
	if old.Name != "envy" || old.Dir != "/src/sub" || !reflect.DeepEqual(old.Argv, []string{"sh", "-c", "echo FOO=$FOO"}) ||
		old.Env != nil || old.Status != "exited" {
		t.Fatalf("the old row after the migration: %+v", old)
	}
	if err := s.Update(old.ID, func(r *Run) { r.Env = []string{"FOO=bar"} }); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(old.ID); err != nil || !reflect.DeepEqual(got.Env, []string{"FOO=bar"}) {
		t.Fatalf("env after Update: %q %v", got.Env, err)
	}
	id, err := s.NextID()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Begin(Run{ID: id, Name: "new", Env: []string{"A=1", "B=2"}}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(id); err != nil || !reflect.DeepEqual(got.Env, []string{"A=1", "B=2"}) {
		t.Fatalf("env of a new run: %q %v", got.Env, err)
	}
	// The index stays the owner's alone: the env is kept there.
	if st, err := os.Stat(filepath.Join(dir, IndexName)); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("index mode: %v %v", st.Mode(), err)
	}
}
