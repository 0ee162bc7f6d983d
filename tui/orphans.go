package tui

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// banner is the line above the table that offers the orphans (processes
// of runs of an earlier corral that still run) for adoption, fitted to the
// width; "" when there is none left or the person hid it.
func (m *Model) banner() string {
	if len(m.orphans) == 0 || m.bannerOff || m.past.open || m.width < 1 {
		return ""
	}
	n := len(m.orphans)
	lead := fmt.Sprintf("%d run%s of an earlier corral still run%s", n, noun(n, "", "s"), noun(n, "s", ""))
	adopt := hints("", keyHint{keysOf(m.keys.Adopt), "adopts"})
	tail := hints(", ", keyHint{keysOf(m.keys.Adopt), "adopts"}, keyHint{keysOf(m.keys.Cancel), "hides"})
	items := make([]string, n)
	for i, c := range m.orphans {
		items[i] = fmt.Sprintf("pid %d %s", c.PID, programOf(c.Command))
	}
	line := func(lead, list, tail string) string {
		if tail != "" {
			tail = ": " + tail
		}
		return lead + list + tail
	}
	// As many of the processes as fit, then none, then fewer words.
	var tries []string
	for k := n; k >= 0; k-- {
		list := ""
		if k > 0 {
			more := ""
			if k < n {
				more = ", …"
			}
			list = " (" + strings.Join(items[:k], ", ") + more + ")"
		}
		tries = append(tries, line(lead, list, tail))
	}
	short := fmt.Sprintf("%d run%s of an earlier corral", n, noun(n, "", "s"))
	tries = append(tries, line(lead, "", adopt), line(short, "", adopt))
	for _, s := range tries {
		if ansi.StringWidth(s) <= m.width {
			return s
		}
	}
	return ansi.Truncate(tries[len(tries)-1], m.width, "…")
}

// programOf is the name of a command line's program.
func programOf(command string) string {
	f := strings.Fields(command)
	if len(f) == 0 {
		return "?"
	}
	return filepath.Base(strings.Trim(f[0], `'"`))
}

// adopted drops pid from the orphans once it is a run of this corral.
func (m *Model) adopted(pid int) {
	for i, c := range m.orphans {
		if c.PID == pid {
			m.orphans = append(m.orphans[:i:i], m.orphans[i+1:]...)
			return
		}
	}
}

// withOrphans is the adopt list: the orphans first, then the other
// candidates, each process once.
func (m *Model) withOrphans(list []Candidate) []Candidate {
	out := append([]Candidate(nil), m.orphans...)
	at := map[int]int{}
	for i, c := range out {
		at[c.PID] = i
	}
	for _, c := range list {
		if i, ok := at[c.PID]; ok {
			if c.Run != 0 {
				out[i] = c
			}
			continue
		}
		at[c.PID] = len(out)
		out = append(out, c)
	}
	return out
}
