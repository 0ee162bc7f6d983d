package tui

import (
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"time"

	"corral/internal/child"

	"corral/registry"

	tea "charm.land/bubbletea/v2"
)

// The values of Options.Notify: what corral writes to its own terminal when
// a run starts waiting for the person.
const (
	// NotifyOSC rings the bell and asks the terminal for a desktop
	// notification (OSC 9 or OSC 777, see TerminalName). The default.
	NotifyOSC = "osc"
	// NotifyBell only rings the bell.
	NotifyBell = "bell"
	// NotifyOff writes nothing (Options.NotifyCommand still runs).
	NotifyOff = "off"
)

const (
	// notifyEvery allows one notification per run and state in this time:
	// an agent that asks, is answered and asks again at once rings once,
	// but a question right after a turn's end is told.
	notifyEvery = 30 * time.Second
	// notifyCommandTimeout bounds a notify command: it is killed after it.
	notifyCommandTimeout = 10 * time.Second
	// maxNoticeRunes bounds the text of a desktop notification.
	maxNoticeRunes = 200
)

// oscKind is the desktop notification sequence a terminal understands.
type oscKind int

const (
	// osc9 is iTerm2's ESC ] 9 ; text BEL, which iTerm2, WezTerm, ghostty,
	// kitty and others show; terminals that do not know it ignore it.
	osc9 oscKind = iota
	// osc777 is urxvt's ESC ] 777 ; notify ; title ; body BEL, which foot,
	// urxvt (its notify extension) and VTE terminals with Fedora's patch
	// (GNOME Terminal, Tilix) show.
	osc777
)

// oscFor picks the sequence for a terminal named as TerminalName does. A
// terminal not known to want OSC 777 gets OSC 9, the one most understand.
func oscFor(terminal string) oscKind {
	t := strings.ToLower(terminal)
	for _, p := range []string{"foot", "rxvt", "urxvt", "vte"} {
		if strings.HasPrefix(t, p) {
			return osc777
		}
	}
	return osc9
}

// TerminalName names the terminal corral runs in, for Options.TermProgram,
// from its environment (getenv is os.Getenv; main calls this once at
// start): TERM_PROGRAM (iTerm.app, WezTerm, ghostty, vscode…), else a
// variable the terminal sets in its children (kitty, VTE, iTerm2, WezTerm,
// ghostty), else TERM (foot, rxvt-unicode). Inside tmux, whose TERM_PROGRAM
// is tmux, only the variables the tmux server inherited are left: the
// answer is the terminal the server was started from, or "".
func TerminalName(getenv func(string) string) string {
	if p := getenv("TERM_PROGRAM"); p != "" && p != "tmux" && p != "screen" {
		return p
	}
	for _, v := range []struct{ env, name string }{
		{"KITTY_WINDOW_ID", "kitty"}, {"ITERM_SESSION_ID", "iTerm.app"}, {"WEZTERM_PANE", "WezTerm"},
		{"GHOSTTY_RESOURCES_DIR", "ghostty"}, {"VTE_VERSION", "vte"},
	} {
		if getenv(v.env) != "" {
			return v.name
		}
	}
	switch t := getenv("TERM"); {
	case strings.HasPrefix(t, "foot"):
		return "foot"
	case strings.HasPrefix(t, "rxvt"):
		return "urxvt"
	}
	return ""
}

// turnsToPerson reports whether a run going from one state to another
// starts to wait for the person: it asks (needs you), its turn failed, or
// its turn ended (idle after working or asking; an agent idle at its first
// prompt has done nothing to report).
func turnsToPerson(from, to registry.State) bool {
	switch to {
	case registry.StateNeedsYou, registry.StateError:
		return from != to
	case registry.StateIdle:
		return from == registry.StateWorking || from == registry.StateNeedsYou
	}
	return false
}

// paneShows reports whether the pane shows run id now.
func (m *Model) paneShows(id int64) bool {
	return id == m.selected && m.layout.paneH > 0 && m.mode != modeForm && m.mode != modeAdopt
}

// notice is what a notification told: a run entered a state.
type notice struct {
	run   int64
	state registry.State
}

// forgetNotices drops what was told of a run.
func (m *Model) forgetNotices(id int64) {
	for _, s := range []registry.State{registry.StateNeedsYou, registry.StateIdle, registry.StateError} {
		delete(m.notified, notice{id, s})
	}
}

// noticeFor returns the commands that tell the person a run waits for
// them, when it went from old to cur: the terminal's notification and the
// notify command. Nothing when the person already sees that run (its pane
// shown in a focused terminal) or when the run was the subject of a
// notification of the same state less than notifyEvery ago.
func (m *Model) noticeFor(old, cur registry.ProcessInfo) tea.Cmd {
	if !cur.Status.Live() || !turnsToPerson(old.Activity.State, cur.Activity.State) {
		return nil
	}
	if m.paneShows(cur.RunID) && !m.blurred {
		return nil
	}
	now := m.now()
	key := notice{cur.RunID, cur.Activity.State}
	if last, ok := m.notified[key]; ok && now.Sub(last) < notifyEvery {
		return nil
	}
	m.notified[key] = now
	name, state, detail := cleanText(runName(cur)), cur.Activity.State.String(), cleanText(cur.Activity.Detail)
	var cmds []tea.Cmd
	if seq := m.noticeSequence(cur.RunID, name, state, detail); seq != "" {
		cmds = append(cmds, tea.Raw(seq))
	}
	if m.notifyCommand != nil {
		cmds = append(cmds, notifyCommandCmd(m.notifyCommand, name, state, detail, m.notifyTimeout, m.log, cur.RunID))
	}
	return tea.Batch(cmds...)
}

// noticeSequence is what the terminal is sent: BEL, then (NotifyOSC) the
// desktop notification, passed through tmux to the outer terminal when
// corral runs inside tmux. BEL is not wrapped: tmux itself sees it and
// flags the window (#{window_bell_flag}), as it does for any program.
func (m *Model) noticeSequence(id int64, name, state, detail string) string {
	switch m.notify {
	case NotifyOff:
		return ""
	case NotifyBell:
		return "\a"
	}
	body := state
	if detail != "" {
		body += ": " + detail
	}
	title := fmt.Sprintf("corral: %s (run %d)", name, id)
	var seq string
	switch m.osc {
	case osc777:
		// Its fields are separated by ';': none may hold one.
		seq = "\x1b]777;notify;" + noSemicolons(title) + ";" + noSemicolons(clip(body)) + "\a"
	default:
		seq = "\x1b]9;" + clip(title+" "+body) + "\a"
	}
	if m.inTmux {
		seq = tmuxPassthrough(seq)
	}
	return "\a" + seq
}

// tmuxPassthrough wraps a sequence for tmux to hand to the terminal it runs
// in (DCS tmux; with every ESC doubled, then ST). tmux passes it on only
// with `set -g allow-passthrough on`; otherwise it drops it.
func tmuxPassthrough(seq string) string {
	return "\x1bPtmux;" + strings.ReplaceAll(seq, "\x1b", "\x1b\x1b") + "\x1b\\"
}

func noSemicolons(s string) string { return strings.ReplaceAll(s, ";", ",") }

// clip cuts s to maxNoticeRunes runes.
func clip(s string) string {
	if r := []rune(s); len(r) > maxNoticeRunes {
		return string(r[:maxNoticeRunes-1]) + "…"
	}
	return s
}

// notifyCommandCmd runs the user's notify command for a run: the argv that
// command builds from the run's name, state and detail, no shell, no
// input, its output discarded, killed after timeout. A failure goes to the
// log; the interface waits for nothing.
func notifyCommandCmd(build func(name, state, detail string) []string, name, state, detail string,
	timeout time.Duration, log *slog.Logger, id int64) tea.Cmd {
	return func() tea.Msg {
		argv := build(name, state, detail)
		if len(argv) == 0 {
			return nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		c := exec.CommandContext(ctx, argv[0], argv[1:]...)
		c.WaitDelay = time.Second // bounds the wait once the timeout killed it
		if err := child.Run(c); err != nil {
			log.Warn("notify command", "run", id, "argv", argv, "err", err)
		}
		return nil
	}
}
