// Package activity finds what a run is doing — working, waiting for the
// person, idle at its prompt, active or quiet — from the signals its driver
// feeds it: Claude Code hook events, the emulated screen, output, bells,
// notifications, progress and title sequences.
//
// A Tracker is a pure state machine: it starts no goroutine and arms no
// timer, and every method takes the time. Its driver calls a method, then
// publishes Activity if it changed, and arms one timer for Next (none when
// Next is zero), calling Tick when it fires. A run that changes nothing
// needs no timer: idle runs cost nothing.
//
// # How the state is found
//
// Hook events are exact and apply at once (see Tracker.Hook for the
// mapping). Screen heuristics, for agents without hooks or while no hook
// has arrived, read the agent's busy marker (Config.Working) and its "needs
// you" text (Config.Waiting): a marker on screen means working or needs
// you, neither on a screen unchanged for 1.5 s means idle, and a heuristic
// state must hold 1 s before it shows.
//
// Two rules join them. The Esc gap: Claude Code fires no hook when the
// person presses Esc, so a hook state of working or needs you whose screen
// shows neither marker and has not changed for 1.5 s (counted from when the
// state began, too) becomes idle. Needs you is kept while the Waiting text
// is on screen: a permission prompt is static and has no busy marker, and
// must not decay. And a hook state older than 5 minutes whose screen keeps
// changing is no longer trusted: the heuristics take over until the next
// hook.
//
// Generic signals work for any run: a bell or a notification (OSC 9, OSC
// 777, OSC 99) means needs you, OSC 9;4 progress means working and its end
// idle (quiet for a plain command). While a hook state is in force, and for
// good once a run expected to send hooks (Config.Hooks) has sent one, they
// change nothing: Claude Code's own bells, notifications and progress repeat
// what its hooks already said, less precisely. A signal's needs you
// lasts until the person types into the run, a hook arrives, progress
// starts, or the agent's busy marker shows; a plain command's lasts until
// that or its next output more than a second later.
//
// A plain command is active while it wrote within Config.ActiveWindow and
// quiet otherwise. The window title (OSC 0/2) is the detail of a state that
// has none of its own.
package activity

import (
	"regexp"
	"strings"
	"time"
	"unicode"

	"corral/registry"
)

// Timing of the rules.
const (
	// Settle is how long a screen must stay unchanged, showing no marker,
	// before the run counts as idle (the Esc gap and the heuristics).
	Settle = 1500 * time.Millisecond
	// Hold is how long a heuristic state must hold before it shows.
	Hold = time.Second
	// HookTrust is how long a hook state is trusted over a changing screen.
	HookTrust = 5 * time.Minute
	// SignalGrace is how long after a bell or notification a plain
	// command's output still counts as part of the same write.
	SignalGrace = time.Second
	// DefaultActiveWindow is how long a plain command counts as active
	// after it wrote.
	DefaultActiveWindow = 10 * time.Second
)

// Config says how a run's state is found.
type Config struct {
	// Agent is true for an agent (it has turns), false for a plain command.
	Agent bool
	// Hooks is true when hook events are expected (Claude Code from the
	// catalog). Until the first one arrives, the heuristics apply; once one
	// has, bells, notifications and progress no longer change the state.
	Hooks bool
	// Working is the agent's busy marker on screen (Claude Code: "esc to
	// interrupt"); nil: none. The Esc-gap rule needs it.
	Working *regexp.Regexp
	// Waiting is the agent's "needs you" text on screen; nil: none.
	Waiting *regexp.Regexp
	// OneShot is true for a run that does one task and ends (claude -p): it
	// has no prompt to wait at, so its SessionStart means work begins.
	OneShot bool
	// ActiveWindow is how long a plain command's output keeps it active;
	// zero: DefaultActiveWindow.
	ActiveWindow time.Duration
}

// source is what set the current state.
type source int

const (
	fromStart     source = iota // NewTracker
	fromHook                    // a hook event (or the Esc gap after one)
	fromHeuristic               // the screen heuristics
	fromSignal                  // a bell, notification or progress sequence
	fromOutput                  // a plain command's output, or its silence
)

// Tracker follows one run's activity state. It is not safe for concurrent
// use: its driver owns it.
type Tracker struct {
	cfg              Config
	working, waiting *matcher
	text             screenText

	state  registry.State
	since  time.Time
	detail string
	src    source
	title  string

	// Hooks.
	hookSeen bool
	hookAt   time.Time // the last hook event

	// The screen (agents).
	screenSeen bool
	screenAt   time.Time // when it last changed
	onWorking  bool      // Working matches it
	onWaiting  bool      // Waiting matches it
	waitText   string    // what it matched, the detail of a heuristic needs you

	// A heuristic state waiting out Hold.
	cand      registry.State // StateNone: none
	candSince time.Time

	// approving is when the screen began to show the busy marker without
	// the waiting text while a hook said needs you: the person answered
	// (no hook says so until the tool ends). Zero: not seen.
	approving time.Time

	// Signals and output.
	signalAt   time.Time // the last bell or notification that set needs you
	progress   bool      // OSC 9;4 progress is set
	lastOutput time.Time
}

// NewTracker starts tracking a run started at now: an agent is starting, a
// plain command quiet until it writes.
func NewTracker(c Config, now time.Time) *Tracker {
	if c.ActiveWindow <= 0 {
		c.ActiveWindow = DefaultActiveWindow
	}
	t := &Tracker{cfg: c, since: now, src: fromStart, state: registry.StateQuiet}
	if c.Agent {
		t.state = registry.StateStarting
		t.working, t.waiting = newMatcher(c.Working), newMatcher(c.Waiting)
	}
	return t
}

// Activity is the current state, when it began and its detail (the window
// title when the state has none of its own).
func (t *Tracker) Activity() registry.Activity {
	d := t.detail
	if d == "" {
		d = t.title
	}
	return registry.Activity{State: t.state, Since: t.since, Detail: d}
}

// set enters a state; Since moves only when the state changes.
func (t *Tracker) set(s registry.State, detail string, src source, since time.Time) {
	if s != t.state {
		t.since = since
	}
	t.state, t.detail, t.src = s, detail, src
	t.cand = registry.StateNone
	t.approving = time.Time{}
}

// signalsIgnored reports whether the generic signals leave the state alone:
// while a hook state is in force, and for good once a run that was expected
// to send hooks has sent one (Claude Code's own bells, notifications and
// progress repeat its hooks, less precisely).
func (t *Tracker) signalsIgnored() bool {
	return t.src == fromHook || (t.cfg.Hooks && t.hookSeen)
}

// Hook applies a hook event at once. The mapping: UserPromptSubmit,
// PostToolUse and PostToolUseFailure → working ("thinking"); PreToolUse →
// working (the tool and what it acts on); PermissionRequest → needs you
// ("permission: Bash `…`"); PreToolUse or PermissionRequest of
// AskUserQuestion → needs you ("question: …"); Notification
// permission_prompt → needs you (a more specific detail already shown is
// kept); Notification elicitation_dialog and Elicitation → needs you
// ("elicitation"); Notification idle_prompt → idle unless the run needs you;
// Stop → idle; StopFailure → error (the agent's reason); SessionStart →
// idle (a compaction's SessionStart changes nothing); SessionEnd → ending.
// SubagentStop and other events change nothing. Any event renews the trust
// in hooks. A plain command has no turns: hooks are ignored.
func (t *Tracker) Hook(h Hook, now time.Time) {
	if !t.cfg.Agent {
		return
	}
	t.hookSeen = true
	t.hookAt = now
	s, detail, ok := t.mapHook(h)
	if !ok {
		return
	}
	t.set(s, detail, fromHook, now)
	t.signalAt = time.Time{}
}

func (t *Tracker) mapHook(h Hook) (registry.State, string, bool) {
	switch h.Event {
	case EventUserPromptSubmit, EventPostToolUse, EventPostToolUseFailure:
		return registry.StateWorking, "thinking", true
	case EventPreToolUse:
		if h.ToolName == toolAskUserQuestion {
			return registry.StateNeedsYou, prefixed("question", firstQuestion(h.ToolInput)), true
		}
		return registry.StateWorking, clean(toolDetail(h.ToolName, h.ToolInput), DetailRunes), true
	case EventPermissionRequest:
		if h.ToolName == toolAskUserQuestion {
			return registry.StateNeedsYou, prefixed("question", firstQuestion(h.ToolInput)), true
		}
		return registry.StateNeedsYou, prefixed("permission", toolDetail(h.ToolName, h.ToolInput)), true
	case EventNotification:
		switch h.NotificationType {
		case NotifyPermissionPrompt:
			if t.state == registry.StateNeedsYou && t.detail != "" {
				return t.state, t.detail, true
			}
			return registry.StateNeedsYou, prefixed("permission", h.Message), true
		case NotifyIdlePrompt:
			if t.state == registry.StateNeedsYou {
				return t.state, t.detail, true
			}
			return registry.StateIdle, t.keptDetail(registry.StateIdle), true
		case NotifyElicitationDialog:
			return registry.StateNeedsYou, prefixed("elicitation", h.Message), true
		}
		return 0, "", false
	case EventElicitation:
		return registry.StateNeedsYou, prefixed("elicitation", h.Message), true
	case EventStop:
		return registry.StateIdle, "", true
	case EventStopFailure:
		reason := h.Error
		if h.ErrorDetails != "" && h.ErrorDetails != reason {
			if reason == "" {
				reason = h.ErrorDetails
			} else {
				reason += ": " + h.ErrorDetails
			}
		}
		if strings.TrimSpace(reason) == "" {
			reason = "the turn failed"
		}
		return registry.StateError, clean(reason, DetailRunes), true
	case EventSessionStart:
		if h.Source == "compact" {
			return 0, "", false
		}
		if t.cfg.OneShot {
			return registry.StateWorking, "thinking", true
		}
		return registry.StateIdle, "", true
	case EventSessionEnd:
		return registry.StateEnding, "", true
	}
	return 0, "", false
}

// keptDetail is the current detail if the state stays s, else "".
func (t *Tracker) keptDetail(s registry.State) string {
	if t.state == s {
		return t.detail
	}
	return ""
}

// Output records that the run wrote. A plain command becomes active (a
// needs you from a signal ends, unless the output is within SignalGrace of
// it: the same write); an agent's state comes from its screen instead.
func (t *Tracker) Output(now time.Time) {
	t.lastOutput = now
	if t.cfg.Agent {
		return
	}
	switch {
	case t.state == registry.StateWorking && t.progress:
		// Progress says busy; output does not change that.
	case t.state == registry.StateNeedsYou && now.Sub(t.signalAt) < SignalGrace:
	case t.state != registry.StateActive:
		t.set(registry.StateActive, "", fromOutput, now)
	}
}

// Input records that the person typed or pasted into the run: a needs you
// that a bell or notification set is answered. (Hook and screen states know
// better and are kept.)
func (t *Tracker) Input(now time.Time) {
	if t.state != registry.StateNeedsYou || t.src != fromSignal {
		return
	}
	t.signalAt = time.Time{}
	if !t.cfg.Agent {
		t.set(t.commandState(now), "", fromOutput, now)
		return
	}
	t.set(registry.StateIdle, "", fromHeuristic, now)
	t.evaluate(now)
}

// commandState is active or quiet from the last output.
func (t *Tracker) commandState(now time.Time) registry.State {
	if !t.lastOutput.IsZero() && now.Sub(t.lastOutput) < t.cfg.ActiveWindow {
		return registry.StateActive
	}
	return registry.StateQuiet
}

// Screen takes the agent's emulated screen text after it changed. A plain
// command's screen is not read.
func (t *Tracker) Screen(text string, now time.Time) {
	if !t.cfg.Agent {
		return
	}
	if t.screenSeen && text == t.text.text {
		t.evaluate(now)
		return
	}
	t.screenSeen = true
	t.screenAt = now
	t.text.set(text)
	_, _, t.onWorking = t.working.find(&t.text)
	t.onWaiting, t.waitText = false, ""
	if i, j, ok := t.waiting.find(&t.text); ok {
		t.onWaiting, t.waitText = true, clean(text[i:j], DetailRunes)
	}
	if t.src == fromHook && now.Sub(t.hookAt) > HookTrust {
		// A hook state this old over a changing screen may have missed its
		// end: the screen decides until the next hook.
		t.src = fromHeuristic
	}
	t.evaluate(now)
}

// Bell records a BEL from the child: needs you ("bell").
func (t *Tracker) Bell(now time.Time) { t.signal("bell", now) }

// Notify records a notification from the child (OSC 9, OSC 777 notify, OSC
// 99): needs you, with its message as the detail.
func (t *Tracker) Notify(msg string, now time.Time) {
	msg = clean(msg, DetailRunes)
	if msg == "" {
		msg = "notification"
	}
	t.signal(msg, now)
}

func (t *Tracker) signal(detail string, now time.Time) {
	if t.signalsIgnored() {
		return
	}
	if t.state == registry.StateNeedsYou && t.src != fromSignal {
		return // the screen's reason is kept
	}
	if t.state == registry.StateNeedsYou && detail == "bell" && t.detail != "" {
		detail = t.detail // a bell adds nothing to a notification's message
	}
	t.set(registry.StateNeedsYou, detail, fromSignal, now)
	t.signalAt = now
}

// Progress records OSC 9;4: progress set (busy) means working; cleared, an
// agent is idle and a plain command quiet.
func (t *Tracker) Progress(busy bool, now time.Time) {
	t.progress = busy
	if t.signalsIgnored() {
		return
	}
	switch {
	case busy:
		t.set(registry.StateWorking, t.keptDetail(registry.StateWorking), fromSignal, now)
	case t.state != registry.StateWorking:
		// Only the progress's own working ends with it.
	case t.cfg.Agent:
		t.set(registry.StateIdle, "", fromSignal, now)
	default:
		t.set(registry.StateQuiet, "", fromOutput, now)
	}
	t.signalAt = time.Time{}
}

// Title records the window title (OSC 0/2): the detail of a state without
// one. A leading spinner glyph is dropped, so an animated title does not
// change the detail on every frame.
func (t *Tracker) Title(title string, now time.Time) {
	title = strings.TrimLeftFunc(title, func(r rune) bool {
		return unicode.IsSpace(r) || (r >= 0x2800 && r <= 0x28FF) || strings.ContainsRune(spinnerGlyphs, r)
	})
	t.title = clean(title, DetailRunes)
}

// spinnerGlyphs are the symbols agents animate at the start of a title.
const spinnerGlyphs = "·✢✳✶✻✽*◐◓◑◒|/-\\"

// Tick evaluates the timed rules at now; the driver calls it when Next has
// passed. A call at any other time is harmless.
func (t *Tracker) Tick(now time.Time) {
	if !t.cfg.Agent {
		if t.state == registry.StateActive && now.Sub(t.lastOutput) >= t.cfg.ActiveWindow {
			t.set(registry.StateQuiet, "", fromOutput, t.lastOutput.Add(t.cfg.ActiveWindow))
		}
		return
	}
	t.evaluate(now)
}

// evaluate applies the screen rules at now.
func (t *Tracker) evaluate(now time.Time) {
	if !t.screenSeen {
		return
	}
	if t.src == fromHook {
		switch {
		case t.answered():
			if t.approving.IsZero() {
				t.approving = now
			}
			if now.Sub(t.approving) >= Hold {
				detail := strings.TrimPrefix(strings.TrimPrefix(t.detail, "permission: "), "question: ")
				t.set(registry.StateWorking, detail, fromHook, t.approving)
			}
		case t.escGap() && !now.Before(t.escDeadline()):
			t.approving = time.Time{}
			t.set(registry.StateIdle, "", fromHook, t.escDeadline())
		default:
			t.approving = time.Time{}
		}
		return
	}
	target, at := t.heuristic()
	switch {
	case target == registry.StateNone:
		t.cand = registry.StateNone
		return
	case target == t.state:
		t.cand = registry.StateNone
		return
	case target == registry.StateIdle && now.Before(at):
		t.cand = registry.StateNone // not settled yet
		return
	}
	if t.cand != target {
		t.cand, t.candSince = target, now
		if target == registry.StateIdle {
			t.candSince = at // the candidate began when the screen settled
		}
	}
	if now.Sub(t.candSince) < Hold {
		return
	}
	since, detail := t.candSince, ""
	switch target {
	case registry.StateWorking:
		detail = t.keptDetail(registry.StateWorking)
	case registry.StateNeedsYou:
		detail = t.waitText
	case registry.StateIdle:
		since = t.screenAt // idle since the screen went still
	}
	t.set(target, detail, fromHeuristic, since)
	t.signalAt = time.Time{}
}

// heuristic is the state the screen shows: working on the busy marker,
// needs you on the waiting text, idle when neither shows and the screen
// has settled (from at on). StateNone: the screen says nothing yet. A
// signal's state is not ended by a settled screen, only by a marker.
func (t *Tracker) heuristic() (registry.State, time.Time) {
	switch {
	case t.onWorking:
		return registry.StateWorking, time.Time{}
	case t.onWaiting:
		return registry.StateNeedsYou, time.Time{}
	case t.src == fromSignal:
		return registry.StateNone, time.Time{}
	}
	return registry.StateIdle, t.screenAt.Add(Settle)
}

// answered reports whether a hook's needs you has been answered on screen:
// the busy marker shows, the waiting text does not, and the screen changed
// after the hook (a screen from before the question does not count).
func (t *Tracker) answered() bool {
	return t.state == registry.StateNeedsYou && t.onWorking && !t.onWaiting && t.screenAt.After(t.hookAt)
}

// escGap reports whether the Esc-gap rule is armed: a hook's working or
// needs you, a busy marker configured, and neither marker on screen.
func (t *Tracker) escGap() bool {
	return t.screenSeen && t.cfg.Working != nil && !t.onWorking && !t.onWaiting &&
		(t.state == registry.StateWorking || t.state == registry.StateNeedsYou)
}

// escDeadline is when the Esc gap turns into idle: the screen unchanged for
// Settle, counted from the latest of its last change, the state's start and
// the last hook, so a fresh hook is not undone by a screen that has not
// redrawn yet.
func (t *Tracker) escDeadline() time.Time {
	from := t.screenAt
	for _, at := range []time.Time{t.since, t.hookAt} {
		if at.After(from) {
			from = at
		}
	}
	return from.Add(Settle)
}

// Next is when Tick must next be called; zero when no rule waits on time.
func (t *Tracker) Next() time.Time {
	if !t.cfg.Agent {
		if t.state == registry.StateActive {
			return t.lastOutput.Add(t.cfg.ActiveWindow)
		}
		return time.Time{}
	}
	if !t.screenSeen {
		return time.Time{}
	}
	if t.src == fromHook {
		switch {
		case !t.approving.IsZero():
			return t.approving.Add(Hold)
		case t.escGap():
			return t.escDeadline()
		}
		return time.Time{}
	}
	if t.cand != registry.StateNone {
		return t.candSince.Add(Hold)
	}
	if target, at := t.heuristic(); target == registry.StateIdle && t.state != registry.StateIdle {
		return at.Add(Hold) // settled, then held
	}
	return time.Time{}
}
