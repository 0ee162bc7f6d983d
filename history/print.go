package history

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"corral/internal/cmdname"
)

// FollowPoll is how often Follow looks for more of a log.
const FollowPoll = 200 * time.Millisecond

// PrintHistory writes runs for `corral history`: as JSON lines (one Run
// object a line) when asJSON, otherwise as a table with a header.
func PrintHistory(w io.Writer, runs []Run, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, r := range runs {
			if err := enc.Encode(r); err != nil {
				return fmt.Errorf("history: print: %w", err)
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAGENT\tNAME\tSTARTED\tDURATION\tOUTCOME\tTOKENS\tCOST\tCOMMAND")
	for _, r := range runs {
		agent := r.Agent
		if agent == "" {
			agent = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, agent, oneLine(r.Name),
			r.StartedAt.Format("2006-01-02 15:04"), duration(r), Outcome(r), Tokens(r.Tokens), cost(r), oneLine(command(r)))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("history: print: %w", err)
	}
	return nil
}

// Outcome says how a run ended, for a person: "running", "exited 0",
// "failed 2", "killed TERM", "lost".
func Outcome(r Run) string {
	switch {
	case !r.Ended() || r.Status == StatusLost || r.Status == StatusAdopted:
		return r.Status
	case r.Signal != "":
		return r.Status + " " + strings.TrimPrefix(r.Signal, "SIG") // "killed TERM", as the table says
	}
	return r.Status + " " + strconv.Itoa(r.ExitCode)
}

func duration(r Run) string {
	if r.EndedAt.IsZero() {
		return "-"
	}
	d := r.EndedAt.Sub(r.StartedAt).Round(time.Second)
	h, m, sec := int(d/time.Hour), int(d/time.Minute)%60, int(d/time.Second)%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, sec)
	}
	return fmt.Sprintf("%ds", sec)
}

// Tokens is a token count for a person: "950", "24.7k", "1.2M"; "-" for
// 0 (not known).
func Tokens(n int64) string {
	switch {
	case n <= 0:
		return "-"
	case n < 1000:
		return strconv.FormatInt(n, 10)
	case n < 999_950:
		return strconv.FormatFloat(float64(n)/1e3, 'f', 1, 64) + "k"
	}
	return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + "M"
}

func cost(r Run) string {
	if r.CostUSD == 0 {
		return "-"
	}
	return fmt.Sprintf("$%.2f", r.CostUSD)
}

// command is what the table shows of a run: its task, or its command line
// as typed (a line that ran as $SHELL -c line shows as line), which can be
// pasted into a shell; --json keeps the argv that ran.
func command(r Run) string {
	if r.Task != "" {
		return r.Task
	}
	return cmdname.Typed(r.Argv)
}

// oneLine keeps a table cell on one line: control characters become spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// Follow copies run id's log to w as it grows, for `corral logs --follow`,
// while this or another process writes it: it polls every FollowPoll, moves
// on to a new segment when the writer starts one, and returns nil once the
// run has ended in the index and its log is read to the end, or ctx's error
// when ctx is done first. The error wraps ErrNotFound for an unknown run,
// and ErrLogPruned for an ended run whose log was pruned.
func Follow(ctx context.Context, s *Store, id int64, w io.Writer) error {
	var (
		f   *os.File
		seg = -1 // the segment f reads
	)
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	for {
		// Read the status before the log: a run that had ended then has
		// its whole log on disk by the time the read reaches its end.
		r, err := s.Get(id)
		if err != nil {
			return err
		}
		if r.LogPruned && f == nil {
			return fmt.Errorf("history: log of run %d: %w", id, ErrLogPruned)
		}
		for {
			if f == nil {
				next, err := s.segmentAfter(id, seg)
				if err != nil {
					return err
				}
				if next < 0 {
					break
				}
				if f, err = os.Open(s.segmentPath(id, next)); errors.Is(err, os.ErrNotExist) {
					continue // dropped for the cap since the listing: look again
				} else if err != nil {
					return fmt.Errorf("history: follow run %d: %w", id, err)
				}
				if seg == -1 && next > 0 {
					if _, err := io.WriteString(w, droppedLine); err != nil {
						return err
					}
				}
				seg = next
			}
			if _, err := io.Copy(w, f); err != nil {
				return fmt.Errorf("history: follow run %d: %w", id, err)
			}
			// The writer starts the next segment only after it finished
			// this one: if the next exists, what is left here is all.
			if _, err := os.Stat(s.segmentPath(id, seg+1)); err != nil {
				break
			}
			if _, err := io.Copy(w, f); err != nil {
				return fmt.Errorf("history: follow run %d: %w", id, err)
			}
			f.Close()
			f = nil
		}
		if r.Ended() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(FollowPoll):
		}
	}
}

// segmentAfter returns the first existing segment of run id's log after
// seg, or -1.
func (s *Store) segmentAfter(id int64, seg int) (int, error) {
	segs, err := s.segments(id)
	if err != nil {
		return 0, fmt.Errorf("history: follow run %d: %w", id, err)
	}
	for _, n := range segs {
		if n > seg {
			return n, nil
		}
	}
	return -1, nil
}
