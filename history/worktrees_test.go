package history

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

// utc gives a listing's times in UTC, as the test clock's are.
func utc(ws []Worktree) []Worktree {
	for i := range ws {
		ws[i].CreatedAt = ws[i].CreatedAt.UTC()
		if !ws[i].RemovedAt.IsZero() {
			ws[i].RemovedAt = ws[i].RemovedAt.UTC()
		}
	}
	return ws
}

func TestWorktrees(t *testing.T) {
	c := newClock()
	s := open(t, "", WithClock(c.now))
	a := Worktree{RunID: 1000001, Repo: "/r", Path: "/w/r-1000001", Branch: "corral/claude-1000001", Base: "main"}
	b := Worktree{RunID: 1000002, Repo: "/r", Path: "/w/r-1000002", Branch: "corral/sh-1000002", Base: "dev",
		CreatedAt: c.now().Add(time.Minute)}
	for _, w := range []Worktree{a, b} {
		if err := s.AddWorktree(w); err != nil {
			t.Fatal(err)
		}
	}
	a.CreatedAt = c.now()
	got, err := s.Worktrees(false)
	if err != nil || !reflect.DeepEqual(utc(got), []Worktree{a, b}) {
		t.Fatalf("Worktrees = %+v, %v", got, err)
	}
	if err := s.WorktreeRemoved(a.RunID, c.now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Worktrees(false); err != nil || !reflect.DeepEqual(utc(got), []Worktree{b}) {
		t.Fatalf("Worktrees after a removal = %+v, %v", got, err)
	}
	all, err := s.Worktrees(true)
	if err != nil || len(all) != 2 || !all[0].RemovedAt.Equal(c.now().Add(time.Hour)) {
		t.Fatalf("Worktrees(true) = %+v, %v", all, err)
	}
	if w, err := s.Worktree(b.RunID); err != nil || !reflect.DeepEqual(utc([]Worktree{w})[0], b) {
		t.Fatalf("Worktree = %+v, %v", w, err)
	}
	if _, err := s.Worktree(5); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Worktree of no run: %v", err)
	}
	if err := s.WorktreeRemoved(5, c.now()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("WorktreeRemoved of no run: %v", err)
	}
}

// An index of schema 1 (before worktrees) gains the table and keeps its
// runs.
func TestMigrateToWorktrees(t *testing.T) {
	db := rawDB(t)
	ctx := context.Background()
	if err := migrate(ctx, db, migrations[:1], time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO runs(id, started_at, status) VALUES (1000000, 1, 'exited')`); err != nil {
		t.Fatal(err)
	}
	if cols := columns(t, db, "worktrees"); len(cols) != 0 {
		t.Fatalf("schema 1 has worktrees: %v", cols)
	}
	if err := migrate(ctx, db, migrations[:2], time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := versions(t, db); !reflect.DeepEqual(got, []int{1, 2}) {
		t.Fatalf("versions %v", got)
	}
	want := []string{"run_id", "repo", "path", "branch", "base", "created_at", "removed_at"}
	if got := columns(t, db, "worktrees"); !reflect.DeepEqual(got, want) {
		t.Fatalf("worktrees columns %v, want %v", got, want)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM runs WHERE id = 1000000`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the run of schema 1: %d %v", n, err)
	}
}
