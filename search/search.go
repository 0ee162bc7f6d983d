// Package search finds text in runs' output.
//
// A Query is compiled from what a person typed (Compile). Find and InRun
// search one run's lines and return its Matches, which the interface steps
// through ("3 of 17") and highlights; All searches many runs at once, live
// ones and past runs' logs, newest first, stopping at a limit or when its
// context is cancelled by a newer query.
package search

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
)

// Text is a run's output as a search reads it; *registry.Output is one.
type Text interface {
	// Lines returns up to n lines starting at index from (0 the oldest),
	// fewer when there are fewer: a search asks for all of them in one
	// call, with n = math.MaxInt, so they are taken under one lock.
	Lines(from, n int) []string
}

// Match is a line that matches a query.
type Match struct {
	Line   int     // the line's index among those searched, 0 the oldest
	Ranges []Range // where, in order; empty for a regular expression's empty match
}

// Matches are the matches in one run's lines, oldest first. Their indexes
// (0 to len-1) are what Next, Prev, After and Before return; "3 of 17" is
// index 2 of 17.
type Matches []Match

// Find returns the lines that match q, oldest first.
func (q *Query) Find(lines []string) Matches {
	var (
		ms     Matches
		ranges []Range // every match's ranges, sliced once complete
		ends   []int   // where each match's ranges end in ranges
	)
	for i, line := range lines {
		var ok bool
		if ranges, ok = q.ranges(line, ranges); ok {
			ms = append(ms, Match{Line: i})
			ends = append(ends, len(ranges))
		}
	}
	start := 0
	for k := range ms {
		ms[k].Ranges = ranges[start:ends[k]:ends[k]]
		start = ends[k]
	}
	return ms
}

// InRun returns the matches among the lines a run's output holds now. A
// caller following live output searches again when lines arrive (they
// shift the indexes once the output is full): 10,000 lines take well under
// a millisecond (BenchmarkInRun).
func InRun(q *Query, t Text) Matches {
	return q.Find(t.Lines(0, math.MaxInt))
}

// Next returns the index of the match after match i: the first after the
// last (and for an i out of range); -1 when there are none.
func (ms Matches) Next(i int) int {
	if len(ms) == 0 {
		return -1
	}
	if i < 0 || i >= len(ms)-1 {
		return 0
	}
	return i + 1
}

// Prev returns the index of the match before match i: the last before the
// first (and for an i out of range); -1 when there are none.
func (ms Matches) Prev(i int) int {
	if len(ms) == 0 {
		return -1
	}
	if i <= 0 || i > len(ms) {
		return len(ms) - 1
	}
	return i - 1
}

// After returns the index of the first match on a line after line, or of
// the first match when none is after it (wrapping round); -1 when there
// are none.
func (ms Matches) After(line int) int {
	if len(ms) == 0 {
		return -1
	}
	i := sort.Search(len(ms), func(i int) bool { return ms[i].Line > line })
	if i == len(ms) {
		return 0
	}
	return i
}

// Before returns the index of the last match on a line before line, or of
// the last match when none is before it (wrapping round); -1 when there
// are none.
func (ms Matches) Before(line int) int {
	if len(ms) == 0 {
		return -1
	}
	i := sort.Search(len(ms), func(i int) bool { return ms[i].Line >= line })
	if i == 0 {
		return len(ms) - 1
	}
	return i - 1
}

// Index returns the index of the match on line, or -1 when it does not
// match.
func (ms Matches) Index(line int) int {
	i := sort.Search(len(ms), func(i int) bool { return ms[i].Line >= line })
	if i < len(ms) && ms[i].Line == line {
		return i
	}
	return -1
}

// On returns the ranges matched on line, for highlighting it; nil when it
// does not match.
func (ms Matches) On(line int) []Range {
	if i := ms.Index(line); i >= 0 {
		return ms[i].Ranges
	}
	return nil
}

// Reader reads the lines of a source of All, oldest first.
type Reader interface {
	ReadLines() ([]string, error)
}

// Live returns a Reader of the lines a run's output holds when it is read.
func Live(t Text) Reader { return liveReader{t} }

type liveReader struct{ t Text }

func (l liveReader) ReadLines() ([]string, error) { return l.t.Lines(0, math.MaxInt), nil }

// ReadFunc is a Reader that calls a function: for a past run's log, read
// with the history's Log(id, maxBytes). The function is called on one of
// All's goroutines, never on the caller's.
type ReadFunc func() ([]string, error)

// ReadLines calls f.
func (f ReadFunc) ReadLines() ([]string, error) { return f() }

// Source is one run for All to search.
type Source struct {
	RunID int64
	Name  string
	Lines Reader // nil: nothing to search
}

// Hit is a line of a source that matches.
type Hit struct {
	RunID  int64
	Name   string
	Line   int    // index among the lines the source's Reader returned, 0 the oldest
	Text   string // the line
	Ranges []Range
}

// Results are what All found.
type Results struct {
	// Hits are newest first: the sources' in the order given, and each
	// source's last lines first.
	Hits []Hit
	// More reports that matches beyond the limit were left out.
	More bool
	// Errs are the sources that could not be read, each error naming its
	// run; the others were searched.
	Errs []error
}

// checkEvery is how many lines a search goes through between looks at its
// context: about 20–40 µs of work.
const checkEvery = 256

// workers is how many sources All searches at once: one core fewer than
// there are, so that the interface and the runs' output keep one (a search
// on every core would hold a keystroke back until the scheduler preempts
// it). On two cores that is one, and two measured no gain there
// (BenchmarkSearchAllWorkers on the shared machine: 15 % less wall time in
// one series, 77 % more in another, and more CPU when the limit stops a
// search early).
var workers = max(1, min(runtime.GOMAXPROCS(0)-1, 4))

// All searches sources, given newest first, for q: at most limit hits
// (limit <= 0: all of them), newest first. Sources are read and searched
// on a few goroutines of All's own, each source from its last line back,
// and no further than the limit needs. A cancelled ctx (a newer query)
// stops them within a few hundred lines and All returns ctx.Err(); its
// goroutines have ended when it returns.
func All(ctx context.Context, q *Query, sources []Source, limit int) (Results, error) {
	return all(ctx, q, sources, limit, workers)
}

func all(ctx context.Context, q *Query, sources []Source, limit, nworkers int) (Results, error) {
	if err := ctx.Err(); err != nil {
		return Results{}, err
	}
	if q.Empty() || len(sources) == 0 {
		return Results{}, nil
	}
	want := math.MaxInt // hits enough to know the answer: limit, and one more
	if limit > 0 {
		want = limit + 1
	}
	inner, stop := context.WithCancel(ctx)
	defer stop()

	type found struct {
		hits []Hit
		err  error
	}
	var (
		results = make([]found, len(sources))
		mu      sync.Mutex
		next    int // the next source to take
		done    = make([]bool, len(sources))
		prefix  int // sources [0, prefix) are done
		have    int // hits in sources [0, prefix)
		wg      sync.WaitGroup
	)
	work := func() {
		defer wg.Done()
		for {
			mu.Lock()
			if next == len(sources) || inner.Err() != nil {
				mu.Unlock()
				return
			}
			i, need := next, want-have
			next++
			mu.Unlock()

			hits, err := searchSource(inner, q, sources[i], need)

			mu.Lock()
			results[i] = found{hits, err}
			done[i] = true
			for prefix < len(sources) && done[prefix] {
				have += len(results[prefix].hits)
				prefix++
			}
			if have >= want {
				stop() // the sources before prefix hold enough
			}
			mu.Unlock()
		}
	}
	nworkers = max(1, min(nworkers, len(sources)))
	wg.Add(nworkers)
	for range nworkers - 1 {
		go work()
	}
	work()
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Results{}, err
	}

	var res Results
	for _, f := range results {
		if f.err != nil {
			res.Errs = append(res.Errs, f.err)
		}
		for _, h := range f.hits {
			if limit > 0 && len(res.Hits) == limit {
				res.More = true
				return res, nil
			}
			res.Hits = append(res.Hits, h)
		}
	}
	return res, nil
}

// searchSource returns up to need hits of a source, its last lines first.
func searchSource(ctx context.Context, q *Query, src Source, need int) ([]Hit, error) {
	if src.Lines == nil {
		return nil, nil // a source with nothing to read
	}
	lines, err := src.Lines.ReadLines()
	if err != nil {
		return nil, fmt.Errorf("search run %d (%s): %w", src.RunID, src.Name, err)
	}
	var hits []Hit
	for i := len(lines) - 1; i >= 0; i-- {
		if (len(lines)-1-i)%checkEvery == 0 && ctx.Err() != nil {
			return hits, nil // the caller tells a cancelled search from its context
		}
		if !q.Match(lines[i]) {
			continue
		}
		hits = append(hits, Hit{RunID: src.RunID, Name: src.Name, Line: i, Text: lines[i],
			Ranges: q.Ranges(lines[i], nil)})
		if len(hits) >= need {
			break
		}
	}
	return hits, nil
}
