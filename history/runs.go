package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// StatusRunning is the status of a run that has begun and not ended.
const StatusRunning = "running"

// StatusLost is the status Recover gives a run whose corral died and whose
// process is gone: how it ended is not known.
const StatusLost = "lost"

// StatusAdopted is the status of a run whose corral died and whose process
// a later corral adopted as a run of its own.
const StatusAdopted = "adopted"

// FirstID is the least id NextID gives.
const FirstID = 1_000_000

// Run is one row of the index. Times are kept to the millisecond.
type Run struct {
	ID    int64    `json:"id"`
	Kind  string   `json:"kind"`
	Agent string   `json:"agent,omitempty"`
	Name  string   `json:"name"`
	Argv  []string `json:"argv"`
	Dir   string   `json:"dir"`
	// PID and StartTime (clock ticks since boot, 0 if unknown) identify the
	// process even after its pid is reused.
	PID       int       `json:"pid"`
	StartTime uint64    `json:"start_time,omitempty"`
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at,omitzero"` // zero while running
	// Status is StatusRunning, StatusLost, or what End was given ("exited",
	// "failed", "killed"…).
	Status    string  `json:"status"`
	ExitCode  int     `json:"exit_code"`
	Signal    string  `json:"signal,omitempty"`
	SessionID string  `json:"session_id,omitempty"`
	Model     string  `json:"model,omitempty"`
	Task      string  `json:"task,omitempty"`
	Tokens    int64   `json:"tokens,omitempty"`
	CostUSD   float64 `json:"cost_usd,omitempty"`
	Turns     int     `json:"turns,omitempty"`
	// LogPruned: the log was deleted to keep the total cap.
	LogPruned bool `json:"log_pruned,omitempty"`
	// Instance and InstanceStart identify the corral process that ran it.
	Instance      int    `json:"instance"`
	InstanceStart uint64 `json:"instance_start,omitempty"`
	// Env is what the run's request added to the environment it inherited
	// (a project file's env), NAME=value each, for starting it again;
	// never the inherited environment. Not printed by PrintHistory: its
	// values may be secrets.
	Env []string `json:"-"`
}

// Ended reports whether the run has an end: it is not StatusRunning.
func (r Run) Ended() bool { return r.Status != StatusRunning }

// StateChange is one agent-state transition of a run.
type StateChange struct {
	At     time.Time `json:"at"`
	State  string    `json:"state"`
	Detail string    `json:"detail,omitempty"`
}

// Query selects runs for List.
type Query struct {
	Limit int    // at most this many, newest first; 0: all
	Agent string // only this agent's runs, when not empty
}

const runColumns = `id, kind, agent, name, argv, dir, pid, start_time, started_at, ended_at, status,
	exit_code, signal, session_id, model, task, tokens, cost_usd, turns, log_pruned, instance, instance_start, env`

// NextID returns a run id that no process sharing the store has been given
// before: one more than both the last id given and the highest id in the
// index, and never below FirstID. The counter row is updated in one
// statement, which holds the write lock, so concurrent callers in any
// number of processes get distinct ids.
func (s *Store) NextID() (int64, error) {
	var id int64
	err := s.db.QueryRow(`INSERT INTO counter(name, value)
		VALUES ('run_id', max(?, (SELECT coalesce(max(id), 0) + 1 FROM runs)))
		ON CONFLICT(name) DO UPDATE SET value = max(value + 1, (SELECT coalesce(max(id), 0) + 1 FROM runs))
		RETURNING value`, FirstID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("history: next id: %w", err)
	}
	return id, nil
}

// Begin records that a run started. Its Status defaults to StatusRunning,
// StartedAt to now, and Instance to this store's instance (WithInstance).
func (s *Store) Begin(r Run) error {
	if r.ID <= 0 {
		return fmt.Errorf("history: begin run %d: the id must be positive (NextID)", r.ID)
	}
	if r.Status == "" {
		r.Status = StatusRunning
	}
	if r.StartedAt.IsZero() {
		r.StartedAt = s.opts.now()
	}
	if r.Instance == 0 {
		r.Instance, r.InstanceStart = s.opts.instance, s.opts.instanceStart
	}
	args, err := r.values()
	if err != nil {
		return fmt.Errorf("history: begin run %d: %w", r.ID, err)
	}
	_, err = s.db.Exec(`INSERT INTO runs(`+runColumns+`) VALUES (?`+strings.Repeat(", ?", len(args)-1)+`)`, args...)
	if err != nil {
		return fmt.Errorf("history: begin run %d: %w", r.ID, err)
	}
	return nil
}

// values are r's columns in the order of runColumns.
func (r *Run) values() ([]any, error) {
	argv, err := jsonList(r.Argv)
	if err != nil {
		return nil, err
	}
	env, err := jsonList(r.Env)
	if err != nil {
		return nil, err
	}
	return []any{r.ID, r.Kind, r.Agent, r.Name, argv, r.Dir, r.PID, int64(r.StartTime),
		r.StartedAt.UnixMilli(), millis(r.EndedAt), r.Status, r.ExitCode, r.Signal, r.SessionID,
		r.Model, r.Task, r.Tokens, r.CostUSD, r.Turns, r.LogPruned, r.Instance, int64(r.InstanceStart), env}, nil
}

// jsonList is l as a JSON array, [] for nil.
func jsonList(l []string) (string, error) {
	if l == nil {
		l = []string{}
	}
	js, err := json.Marshal(l)
	return string(js), err
}

// millis is t in Unix milliseconds, NULL for the zero time.
func millis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

type scanner interface{ Scan(...any) error }

func scanRun(sc scanner) (Run, error) {
	var (
		r                 Run
		argv, env         string
		startTime, iStart int64
		started           int64
		ended             sql.NullInt64
	)
	err := sc.Scan(&r.ID, &r.Kind, &r.Agent, &r.Name, &argv, &r.Dir, &r.PID, &startTime, &started, &ended,
		&r.Status, &r.ExitCode, &r.Signal, &r.SessionID, &r.Model, &r.Task, &r.Tokens, &r.CostUSD, &r.Turns,
		&r.LogPruned, &r.Instance, &iStart, &env)
	if err != nil {
		return Run{}, err
	}
	if err := json.Unmarshal([]byte(argv), &r.Argv); err != nil {
		return Run{}, fmt.Errorf("run %d: argv: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(env), &r.Env); err != nil {
		return Run{}, fmt.Errorf("run %d: env: %w", r.ID, err)
	}
	if len(r.Env) == 0 {
		r.Env = nil
	}
	r.StartTime, r.InstanceStart = uint64(startTime), uint64(iStart)
	r.StartedAt = time.UnixMilli(started)
	if ended.Valid {
		r.EndedAt = time.UnixMilli(ended.Int64)
	}
	return r, nil
}

// End records how a run ended. It returns an error wrapping ErrNotFound for
// an id the index does not hold.
func (s *Store) End(id int64, status string, exitCode int, signal string, ended time.Time) error {
	res, err := s.db.Exec(`UPDATE runs SET status = ?, exit_code = ?, signal = ?, ended_at = ? WHERE id = ?`,
		status, exitCode, signal, millis(ended), id)
	return affected(res, err, "end", id)
}

// affected turns an Exec's result into the error of method op on run id:
// ErrNotFound when no row was touched.
func affected(res sql.Result, err error, op string, id int64) error {
	if err != nil {
		return fmt.Errorf("history: %s run %d: %w", op, id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("history: %s run %d: %w", op, id, err)
	} else if n == 0 {
		return fmt.Errorf("history: %s run %d: %w", op, id, ErrNotFound)
	}
	return nil
}

// Update changes a run's row with f, in one transaction: f gets the row as
// it is and may change any field but ID (session id, model, tokens, cost…).
func (s *Store) Update(id int64, f func(*Run)) error {
	tx, err := s.db.Begin()
	if err != nil {
		return fmt.Errorf("history: update run %d: %w", id, err)
	}
	defer tx.Rollback()
	r, err := scanRun(tx.QueryRow(`SELECT `+runColumns+` FROM runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("history: update run %d: %w", id, ErrNotFound)
	} else if err != nil {
		return fmt.Errorf("history: update run %d: %w", id, err)
	}
	f(&r)
	r.ID = id
	args, err := r.values()
	if err != nil {
		return fmt.Errorf("history: update run %d: %w", id, err)
	}
	cols := strings.Split(runColumns, ",")
	sets := make([]string, 0, len(cols)-1)
	for _, c := range cols[1:] {
		sets = append(sets, strings.TrimSpace(c)+" = ?")
	}
	_, err = tx.Exec(`UPDATE runs SET `+strings.Join(sets, ", ")+` WHERE id = ?`, append(args[1:], id)...)
	if err != nil {
		return fmt.Errorf("history: update run %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("history: update run %d: %w", id, err)
	}
	return nil
}

// State records an agent-state transition of a run.
func (s *Store) State(id int64, state, detail string, at time.Time) error {
	res, err := s.db.Exec(`INSERT INTO states(run_id, at, state, detail)
		SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM runs WHERE id = ?)`, id, at.UnixMilli(), state, detail, id)
	return affected(res, err, "record state of", id)
}

// States returns a run's agent-state transitions, oldest first.
func (s *Store) States(id int64) ([]StateChange, error) {
	return queryAll(s, fmt.Sprintf("states of run %d", id), func(sc scanner) (StateChange, error) {
		var c StateChange
		var at int64
		err := sc.Scan(&at, &c.State, &c.Detail)
		c.At = time.UnixMilli(at)
		return c, err
	}, `SELECT at, state, detail FROM states WHERE run_id = ? ORDER BY at, rowid`, id)
}

// Get returns one run; the error wraps ErrNotFound for an unknown id.
func (s *Store) Get(id int64) (Run, error) {
	r, err := scanRun(s.db.QueryRow(`SELECT `+runColumns+` FROM runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("history: run %d: %w", id, ErrNotFound)
	} else if err != nil {
		return Run{}, fmt.Errorf("history: run %d: %w", id, err)
	}
	return r, nil
}

// List returns the runs q selects, newest first.
func (s *Store) List(q Query) ([]Run, error) {
	var (
		where string
		args  []any
	)
	if q.Agent != "" {
		where, args = ` WHERE agent = ?`, append(args, q.Agent)
	}
	limit := ""
	if q.Limit > 0 {
		limit, args = ` LIMIT ?`, append(args, q.Limit)
	}
	return s.query(`SELECT `+runColumns+` FROM runs`+where+` ORDER BY started_at DESC, id DESC`+limit, args...)
}

func (s *Store) query(q string, args ...any) ([]Run, error) {
	return queryAll(s, "list", scanRun, q, args...)
}

// queryAll runs the query q and returns its rows, each read by scan; its
// errors say "history: what: …".
func queryAll[T any](s *Store, what string, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := s.db.Query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("history: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("history: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: %s: %w", what, err)
	}
	return out, nil
}

// Delete removes a run: its row, its states and its log (closing its
// LogWriter in this store if one is open). The error wraps ErrNotFound for
// an unknown id.
func (s *Store) Delete(id int64) error {
	s.mu.Lock()
	w := s.writers[id]
	s.mu.Unlock()
	if w != nil {
		_ = w.Close() // its errors went to the error handler; the log goes anyway
	}
	tx, err := s.db.Begin()
	if err != nil {
		return fmt.Errorf("history: delete run %d: %w", id, err)
	}
	defer tx.Rollback()
	res, err := tx.Exec(`DELETE FROM runs WHERE id = ?`, id)
	if err := affected(res, err, "delete", id); err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM states WHERE run_id = ?`, id); err != nil {
		return fmt.Errorf("history: delete run %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("history: delete run %d: %w", id, err)
	}
	if err := s.removeLog(id); err != nil {
		return fmt.Errorf("history: delete run %d: %w", id, err)
	}
	return nil
}

// Recover settles the runs the index still calls running that belong to a
// corral that is gone, as a new corral must at start. alive reports whether
// pid still names the process that started at start (clock ticks since
// boot; 0 means unknown, then the pid alone decides). Runs of a live
// corral, this one included, are left alone. A run whose process is gone,
// or whose pid now names another process, becomes StatusLost, ended now;
// a run whose process still lives is returned as an orphan, unchanged, for
// the caller to adopt (Update its Instance) or leave.
func (s *Store) Recover(alive func(pid int, start uint64) bool) (orphans []Run, err error) {
	running, err := s.query(`SELECT `+runColumns+` FROM runs WHERE status = ? ORDER BY id`, StatusRunning)
	if err != nil {
		return nil, fmt.Errorf("history: recover: %w", err)
	}
	now := s.opts.now()
	for _, r := range running {
		if r.Instance == s.opts.instance && r.InstanceStart == s.opts.instanceStart {
			continue
		}
		if r.Instance > 0 && alive(r.Instance, r.InstanceStart) {
			continue
		}
		if r.PID > 0 && alive(r.PID, r.StartTime) {
			orphans = append(orphans, r)
			continue
		}
		// Another corral may be recovering too: only a row still running changes.
		_, err := s.db.ExecContext(context.Background(), `UPDATE runs SET status = ?, ended_at = ? WHERE id = ? AND status = ?`,
			StatusLost, now.UnixMilli(), r.ID, StatusRunning)
		if err != nil {
			return orphans, fmt.Errorf("history: recover run %d: %w", r.ID, err)
		}
	}
	return orphans, nil
}
