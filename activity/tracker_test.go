package activity

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"corral/registry"
)

var (
	claudeWorking = regexp.MustCompile(`(?i)esc to interrupt`)
	claudeWaiting = regexp.MustCompile(`(?i)Do you want to proceed\?|Enter to select|Esc to cancel`)
)

// Screens as Claude Code draws them (fakeapi.md's markers).
const (
	busyScreen    = "> run ls\n\n✻ Thinking… (3s · ↓ 12 tokens · esc to interrupt)\n"
	busyScreen2   = "> run ls\n\n✢ Thinking… (4s · ↓ 40 tokens · esc to interrupt)\n"
	promptScreen  = "Bash command\n  ls /\nDo you want to proceed?\n❯ 1. Yes\n  2. No\nEsc to cancel\n"
	idleScreen    = "> run ls\n⎿  Interrupted · What should Claude do instead?\n\n>\n? for shortcuts\n"
	idleScreen2   = "> run ls\n⎿  Interrupted · What should Claude do instead?\n\n> a\n? for shortcuts\n"
	doneScreen    = "● hello\n✻ Brewed for 2s · done\n\n>\n? for shortcuts\n"
	questionPanel = "Which colour?\n❯ 1. Red\n  2. Blue\nEnter to select · ↑/↓ to navigate · Esc to cancel\n"
)

// clock is an injected time, in steps from a fixed start.
type clock struct{ t0, now time.Time }

func newClock() *clock {
	t0 := time.Unix(1_800_000_000, 0)
	return &clock{t0, t0}
}

func (c *clock) at(d time.Duration) time.Time { c.now = c.t0.Add(d); return c.now }

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// want checks the state, its detail and (unless zero) its Since offset.
func want(t *testing.T, tr *Tracker, c *clock, state registry.State, detail string, since time.Duration) {
	t.Helper()
	a := tr.Activity()
	if a.State != state || a.Detail != detail || (since >= 0 && !a.Since.Equal(c.t0.Add(since))) {
		t.Fatalf("at +%v: %v %q since +%v; want %v %q since +%v", c.now.Sub(c.t0), a.State, a.Detail, a.Since.Sub(c.t0),
			state, detail, since)
	}
}

// wantNext checks Next as an offset from the start; -1: no timer.
func wantNext(t *testing.T, tr *Tracker, c *clock, next time.Duration) {
	t.Helper()
	got := tr.Next()
	switch {
	case next < 0 && !got.IsZero():
		t.Fatalf("at +%v: Next = +%v, want no timer", c.now.Sub(c.t0), got.Sub(c.t0))
	case next >= 0 && !got.Equal(c.t0.Add(next)):
		if got.IsZero() {
			t.Fatalf("at +%v: no timer, want Next = +%v", c.now.Sub(c.t0), next)
		}
		t.Fatalf("at +%v: Next = +%v, want +%v", c.now.Sub(c.t0), got.Sub(c.t0), next)
	}
}

func claudeTracker(c *clock) *Tracker {
	return NewTracker(Config{Agent: true, Hooks: true, Working: claudeWorking, Waiting: claudeWaiting}, c.now)
}

func TestNewTracker(t *testing.T) {
	c := newClock()
	agent := claudeTracker(c)
	want(t, agent, c, registry.StateStarting, "", 0)
	wantNext(t, agent, c, -1)
	cmd := NewTracker(Config{}, c.now)
	want(t, cmd, c, registry.StateQuiet, "", 0)
	wantNext(t, cmd, c, -1)
}

// Esc during a turn fires no hook: the busy marker goes, the screen holds
// still for 1.5 s, and the run is idle.
func TestEscGapEndsAWorkingTurn(t *testing.T) {
	c := newClock()
	tr := claudeTracker(c)
	tr.Hook(Hook{Event: EventUserPromptSubmit}, c.at(0))
	tr.Screen(busyScreen, c.at(ms(100)))
	wantNext(t, tr, c, -1) // the marker shows: nothing to wait for
	tr.Screen(busyScreen2, c.at(ms(1100)))
	wantNext(t, tr, c, -1)
	tr.Screen(idleScreen, c.at(ms(2000))) // Esc
	want(t, tr, c, registry.StateWorking, "thinking", 0)
	wantNext(t, tr, c, ms(3500))
	tr.Screen(idleScreen2, c.at(ms(3000))) // a key typed: the wait starts again
	wantNext(t, tr, c, ms(4500))
	tr.Tick(c.at(ms(4499)))
	want(t, tr, c, registry.StateWorking, "thinking", 0)
	tr.Tick(c.at(ms(4500)))
	want(t, tr, c, registry.StateIdle, "", ms(4500))
	wantNext(t, tr, c, -1)
	// Idle from hooks stays idle whatever the screen does, with no timer.
	tr.Screen(idleScreen, c.at(ms(5000)))
	want(t, tr, c, registry.StateIdle, "", ms(4500))
	wantNext(t, tr, c, -1)
}

// A permission prompt is a static screen without the busy marker: it must
// not decay while its Waiting text shows; Esc at it (the prompt goes) does.
func TestEscGapKeepsAPermissionPrompt(t *testing.T) {
	c := newClock()
	tr := claudeTracker(c)
	tr.Hook(Hook{Event: EventUserPromptSubmit}, c.at(0))
	tr.Screen(busyScreen, c.at(ms(10)))
	tr.Hook(Hook{Event: EventPreToolUse, ToolName: "Bash", ToolInput: []byte(`{"command":"ls /"}`)}, c.at(ms(20)))
	tr.Hook(Hook{Event: EventPermissionRequest, ToolName: "Bash", ToolInput: []byte(`{"command":"ls /"}`)}, c.at(ms(30)))
	tr.Screen(promptScreen, c.at(ms(40)))
	wantNext(t, tr, c, -1)
	tr.Tick(c.at(10 * time.Minute))
	want(t, tr, c, registry.StateNeedsYou, "permission: Bash `ls /`", ms(30))
	tr.Hook(hook(t, `{"hook_event_name":"Notification","notification_type":"permission_prompt"}`), c.at(10*time.Minute))
	want(t, tr, c, registry.StateNeedsYou, "permission: Bash `ls /`", ms(30))
	// Esc at the prompt: no hook; the prompt leaves the screen.
	tr.Screen(idleScreen, c.at(11*time.Minute))
	wantNext(t, tr, c, 11*time.Minute+Settle)
	tr.Tick(c.at(11*time.Minute + Settle))
	want(t, tr, c, registry.StateIdle, "", 11*time.Minute+Settle)
}

// A question's panel is Waiting text too; without a Waiting pattern a
// needs-you whose screen shows no busy marker decays like working.
func TestEscGapNeedsTheWorkingPattern(t *testing.T) {
	c := newClock()
	tr := claudeTracker(c)
	tr.Hook(hook(t, `{"hook_event_name":"PreToolUse","tool_name":"AskUserQuestion","tool_input":{"questions":[{"question":"Red or blue?"}]}}`), c.at(0))
	tr.Screen(questionPanel, c.at(ms(50)))
	wantNext(t, tr, c, -1)

	noWaiting := NewTracker(Config{Agent: true, Hooks: true, Working: claudeWorking}, c.at(0))
	noWaiting.Hook(Hook{Event: EventPermissionRequest, ToolName: "Bash"}, c.at(0))
	noWaiting.Screen(promptScreen, c.at(ms(50)))
	wantNext(t, noWaiting, c, ms(1550))

	// No busy marker configured: the rule is off.
	noMarker := NewTracker(Config{Agent: true, Hooks: true}, c.at(0))
	noMarker.Hook(Hook{Event: EventUserPromptSubmit}, c.at(0))
	noMarker.Screen(idleScreen, c.at(ms(50)))
	wantNext(t, noMarker, c, -1)
	noMarker.Tick(c.at(time.Hour))
	want(t, noMarker, c, registry.StateWorking, "thinking", 0)
}

// A hook that arrives before the screen redraws is not undone by the old,
// still screen: the 1.5 s count from the hook.
func TestEscGapCountsFromTheHook(t *testing.T) {
	c := newClock()
	tr := claudeTracker(c)
	tr.Hook(Hook{Event: EventSessionStart}, c.at(0))
	tr.Screen(doneScreen, c.at(ms(100)))
	tr.Hook(Hook{Event: EventUserPromptSubmit}, c.at(10*time.Second))
	wantNext(t, tr, c, 10*time.Second+Settle)
	tr.Tick(c.at(10*time.Second + ms(1)))
	want(t, tr, c, registry.StateWorking, "thinking", 10*time.Second)
	tr.Screen(busyScreen, c.at(10*time.Second+ms(200)))
	wantNext(t, tr, c, -1)
	tr.Tick(c.at(20 * time.Second))
	want(t, tr, c, registry.StateWorking, "thinking", 10*time.Second)
	// A later hook of the same state also restarts the count.
	tr.Screen(idleScreen, c.at(30*time.Second))
	tr.Hook(Hook{Event: EventPostToolUse}, c.at(31*time.Second))
	wantNext(t, tr, c, 31*time.Second+Settle)
}

// Agents without hooks: the busy marker means working, the waiting text
// needs you, neither on a still screen idle; each must hold 1 s.
func TestHeuristics(t *testing.T) {
	c := newClock()
	tr := NewTracker(Config{Agent: true, Working: claudeWorking, Waiting: claudeWaiting}, c.now)
	tr.Screen("Welcome\n>", c.at(ms(300)))
	wantNext(t, tr, c, ms(300)+Settle+Hold)
	tr.Tick(c.at(ms(300) + Settle + Hold - 1))
	want(t, tr, c, registry.StateStarting, "", 0)
	tr.Tick(c.at(ms(300) + Settle + Hold))
	want(t, tr, c, registry.StateIdle, "", ms(300)) // idle since the screen went still
	wantNext(t, tr, c, -1)

	tr.Screen(busyScreen, c.at(5*time.Second))
	want(t, tr, c, registry.StateIdle, "", ms(300))
	wantNext(t, tr, c, 6*time.Second)
	tr.Screen(busyScreen2, c.at(ms(5500)))
	wantNext(t, tr, c, 6*time.Second) // the candidate holds from its start
	tr.Tick(c.at(6 * time.Second))
	want(t, tr, c, registry.StateWorking, "", 5*time.Second)
	wantNext(t, tr, c, -1)

	tr.Screen(promptScreen, c.at(8*time.Second))
	tr.Tick(c.at(9 * time.Second))
	want(t, tr, c, registry.StateNeedsYou, "Do you want to proceed?", 8*time.Second)
	wantNext(t, tr, c, -1)
	tr.Tick(c.at(time.Hour))
	want(t, tr, c, registry.StateNeedsYou, "Do you want to proceed?", 8*time.Second)

	// A flicker shorter than the hold does not show: the marker comes
	// back, goes, and the screen keeps changing.
	tr.Screen(busyScreen, c.at(20*time.Second))
	tr.Screen(promptScreen, c.at(20*time.Second+ms(500)))
	tr.Tick(c.at(21 * time.Second))
	want(t, tr, c, registry.StateNeedsYou, "Do you want to proceed?", 8*time.Second)
	wantNext(t, tr, c, -1)

	// Neither marker, still changing: nothing yet; then still → idle.
	tr.Screen(idleScreen, c.at(30*time.Second))
	tr.Screen(idleScreen2, c.at(31*time.Second))
	want(t, tr, c, registry.StateNeedsYou, "Do you want to proceed?", 8*time.Second)
	wantNext(t, tr, c, 31*time.Second+Settle+Hold)
	tr.Tick(c.at(31*time.Second + Settle + Hold))
	want(t, tr, c, registry.StateIdle, "", 31*time.Second)
}

// A hook state older than 5 minutes over a changing screen gives way to
// the heuristics; a younger one does not.
func TestStaleHookFallsBackToHeuristics(t *testing.T) {
	c := newClock()
	tr := claudeTracker(c)
	tr.Hook(Hook{Event: EventUserPromptSubmit}, c.at(0))
	tr.Screen(busyScreen, c.at(ms(100)))
	// Within 5 minutes the waiting text on screen does not override the hook.
	tr.Screen(promptScreen, c.at(4*time.Minute))
	tr.Tick(c.at(4*time.Minute + 2*time.Second))
	want(t, tr, c, registry.StateWorking, "thinking", 0)
	// Past 5 minutes, a change of screen hands over.
	tr.Screen(busyScreen, c.at(5*time.Minute+time.Second))
	tr.Screen(promptScreen, c.at(6*time.Minute))
	wantNext(t, tr, c, 6*time.Minute+Hold)
	tr.Tick(c.at(6*time.Minute + Hold))
	want(t, tr, c, registry.StateNeedsYou, "Do you want to proceed?", 6*time.Minute)
	// The next hook is trusted again.
	tr.Hook(Hook{Event: EventPostToolUse}, c.at(7*time.Minute))
	want(t, tr, c, registry.StateWorking, "thinking", 7*time.Minute)
	tr.Screen(promptScreen+" ", c.at(7*time.Minute+time.Second))
	tr.Tick(c.at(7*time.Minute + 3*time.Second))
	want(t, tr, c, registry.StateWorking, "thinking", 7*time.Minute)

	// A stale working state whose screen shows the marker keeps its detail.
	tr = claudeTracker(c)
	tr.Hook(Hook{Event: EventPreToolUse, ToolName: "Bash", ToolInput: []byte(`{"command":"make"}`)}, c.at(0))
	tr.Screen(busyScreen, c.at(ms(10)))
	tr.Screen(busyScreen2, c.at(10*time.Minute))
	tr.Tick(c.at(11 * time.Minute))
	want(t, tr, c, registry.StateWorking, "Bash `make`", 0)
}

// Until the first hook of a hooked run arrives, the heuristics decide.
func TestHeuristicsBeforeTheFirstHook(t *testing.T) {
	c := newClock()
	tr := claudeTracker(c)
	tr.Screen("Do you trust the files in this folder?", c.at(0))
	tr.Tick(c.at(Settle + Hold))
	want(t, tr, c, registry.StateIdle, "", 0)
	tr.Hook(Hook{Event: EventSessionStart, SessionID: "s"}, c.at(3*time.Second))
	want(t, tr, c, registry.StateIdle, "", 0)
	wantNext(t, tr, c, -1)
}

func TestPlainCommandActiveAndQuiet(t *testing.T) {
	c := newClock()
	tr := NewTracker(Config{ActiveWindow: 3 * time.Second}, c.now)
	tr.Screen("ignored", c.at(0))
	want(t, tr, c, registry.StateQuiet, "", 0)
	tr.Output(c.at(time.Second))
	want(t, tr, c, registry.StateActive, "", time.Second)
	wantNext(t, tr, c, 4*time.Second)
	tr.Output(c.at(2 * time.Second))
	want(t, tr, c, registry.StateActive, "", time.Second)
	wantNext(t, tr, c, 5*time.Second)
	tr.Tick(c.at(4 * time.Second)) // an old timer: harmless
	want(t, tr, c, registry.StateActive, "", time.Second)
	tr.Tick(c.at(5*time.Second + ms(7))) // a late one: quiet since the window ended
	want(t, tr, c, registry.StateQuiet, "", 5*time.Second)
	wantNext(t, tr, c, -1)

	def := NewTracker(Config{}, c.at(0))
	def.Output(c.at(0))
	wantNext(t, def, c, DefaultActiveWindow)
}

// A bell or notification makes a plain command need you until the person
// types into it or it writes again (output in the same second is the same
// write).
func TestCommandBellAndNotify(t *testing.T) {
	c := newClock()
	tr := NewTracker(Config{}, c.now)
	tr.Output(c.at(0))
	tr.Bell(c.at(ms(10)))
	want(t, tr, c, registry.StateNeedsYou, "bell", ms(10))
	wantNext(t, tr, c, -1)
	tr.Output(c.at(ms(20))) // the rest of the line the bell came in
	want(t, tr, c, registry.StateNeedsYou, "bell", ms(10))
	tr.Tick(c.at(time.Minute))
	want(t, tr, c, registry.StateNeedsYou, "bell", ms(10))
	tr.Output(c.at(2 * time.Minute))
	want(t, tr, c, registry.StateActive, "", 2*time.Minute)

	tr.Notify("build \x1b[1mdone\x1b[0m\n", c.at(3*time.Minute))
	want(t, tr, c, registry.StateNeedsYou, "build [1mdone[0m", 3*time.Minute)
	tr.Bell(c.at(3*time.Minute + ms(1))) // the BEL ending the OSC adds nothing
	want(t, tr, c, registry.StateNeedsYou, "build [1mdone[0m", 3*time.Minute)
	tr.Notify("", c.at(3*time.Minute+ms(2)))
	want(t, tr, c, registry.StateNeedsYou, "notification", 3*time.Minute)
	tr.Input(c.at(4 * time.Minute))
	want(t, tr, c, registry.StateQuiet, "", 4*time.Minute)
	tr.Input(c.at(5 * time.Minute)) // nothing to answer
	want(t, tr, c, registry.StateQuiet, "", 4*time.Minute)
}

// For an agent without hooks a bell needs you until the person types, a
// hook arrives or the busy marker shows; a still screen does not end it.
func TestAgentBell(t *testing.T) {
	c := newClock()
	tr := NewTracker(Config{Agent: true, Working: claudeWorking}, c.now)
	tr.Screen(doneScreen, c.at(0))
	tr.Tick(c.at(Settle + Hold))
	want(t, tr, c, registry.StateIdle, "", 0)
	tr.Bell(c.at(10 * time.Second))
	tr.Screen(doneScreen+"\a", c.at(10*time.Second+ms(1)))
	want(t, tr, c, registry.StateNeedsYou, "bell", 10*time.Second)
	wantNext(t, tr, c, -1)
	tr.Tick(c.at(time.Hour))
	want(t, tr, c, registry.StateNeedsYou, "bell", 10*time.Second)
	tr.Input(c.at(2 * time.Hour))
	want(t, tr, c, registry.StateIdle, "", 2*time.Hour)

	tr.Notify("Task finished", c.at(3*time.Hour))
	tr.Screen(busyScreen, c.at(3*time.Hour+time.Second))
	tr.Tick(c.at(3*time.Hour + 2*time.Second))
	want(t, tr, c, registry.StateWorking, "", 3*time.Hour+time.Second)
}

// While a hook state is in force, and for good once a hooked run sent a
// hook, the child's own bells, notifications and progress change nothing.
func TestSignalsDoNotOverrideHooks(t *testing.T) {
	c := newClock()
	tr := claudeTracker(c)
	tr.Bell(c.at(0)) // before any hook: a bell counts
	want(t, tr, c, registry.StateNeedsYou, "bell", 0)
	tr.Hook(Hook{Event: EventStop}, c.at(time.Second))
	tr.Bell(c.at(2 * time.Second))
	tr.Notify("Claude is waiting for your input", c.at(2*time.Second))
	tr.Progress(true, c.at(2*time.Second))
	want(t, tr, c, registry.StateIdle, "", time.Second)
	tr.Hook(Hook{Event: EventPermissionRequest, ToolName: "Bash", ToolInput: []byte(`{"command":"ls"}`)}, c.at(3*time.Second))
	tr.Notify("Claude needs your permission to use Bash", c.at(3*time.Second))
	tr.Progress(false, c.at(3*time.Second))
	want(t, tr, c, registry.StateNeedsYou, "permission: Bash `ls`", 3*time.Second)
	tr.Input(c.at(4 * time.Second))
	want(t, tr, c, registry.StateNeedsYou, "permission: Bash `ls`", 3*time.Second)
	// Stale, with the heuristics in charge: still ignored, hooks were seen.
	tr.Screen(idleScreen, c.at(10*time.Minute))
	tr.Tick(c.at(10*time.Minute + Settle + Hold))
	want(t, tr, c, registry.StateIdle, "", 10*time.Minute)
	tr.Bell(c.at(11 * time.Minute))
	want(t, tr, c, registry.StateIdle, "", 10*time.Minute)
}

func TestProgress(t *testing.T) {
	c := newClock()
	agent := NewTracker(Config{Agent: true}, c.now)
	agent.Progress(true, c.at(time.Second))
	want(t, agent, c, registry.StateWorking, "", time.Second)
	agent.Screen("still", c.at(2*time.Second))
	agent.Tick(c.at(time.Minute)) // a still screen does not end progress
	want(t, agent, c, registry.StateWorking, "", time.Second)
	agent.Progress(false, c.at(2*time.Minute))
	want(t, agent, c, registry.StateIdle, "", 2*time.Minute)
	agent.Progress(false, c.at(3*time.Minute))
	want(t, agent, c, registry.StateIdle, "", 2*time.Minute)

	cmd := NewTracker(Config{}, c.at(0))
	cmd.Progress(true, c.at(time.Second))
	want(t, cmd, c, registry.StateWorking, "", time.Second)
	cmd.Output(c.at(2 * time.Second))
	want(t, cmd, c, registry.StateWorking, "", time.Second)
	wantNext(t, cmd, c, -1)
	cmd.Progress(false, c.at(3*time.Second))
	want(t, cmd, c, registry.StateQuiet, "", 3*time.Second)
	cmd.Output(c.at(4 * time.Second))
	want(t, cmd, c, registry.StateActive, "", 4*time.Second)
	cmd.Progress(false, c.at(5*time.Second)) // not working: nothing to end
	want(t, cmd, c, registry.StateActive, "", 4*time.Second)
}

func TestTitleIsTheDetailOfLastResort(t *testing.T) {
	c := newClock()
	cmd := NewTracker(Config{}, c.now)
	cmd.Title("vim main.go", c.at(0))
	want(t, cmd, c, registry.StateQuiet, "vim main.go", 0)
	cmd.Output(c.at(time.Second))
	want(t, cmd, c, registry.StateActive, "vim main.go", time.Second)
	cmd.Bell(c.at(2 * time.Second))
	want(t, cmd, c, registry.StateNeedsYou, "bell", 2*time.Second)

	agent := claudeTracker(c)
	agent.Title("⠂ Fix the build", c.at(0))
	agent.Hook(Hook{Event: EventUserPromptSubmit}, c.at(0))
	want(t, agent, c, registry.StateWorking, "thinking", 0)
	agent.Hook(Hook{Event: EventStop}, c.at(time.Second))
	want(t, agent, c, registry.StateIdle, "Fix the build", time.Second)
	agent.Title("✳ Fix the build", c.at(2*time.Second)) // the spinner frame changes nothing
	want(t, agent, c, registry.StateIdle, "Fix the build", time.Second)
	agent.Title("", c.at(3*time.Second))
	want(t, agent, c, registry.StateIdle, "", time.Second)
}

// A run that changes nothing needs no timer: the idle-cost goal (0 % CPU
// with 20 idle agents) depends on it.
func TestQuiescentRunsNeedNoTimer(t *testing.T) {
	c := newClock()
	runs := map[string]*Tracker{}
	hooked := claudeTracker(c)
	hooked.Hook(Hook{Event: EventStop}, c.at(0))
	hooked.Screen(doneScreen, c.at(ms(5)))
	runs["hook idle"] = hooked
	asking := claudeTracker(c)
	asking.Hook(Hook{Event: EventPermissionRequest, ToolName: "Bash"}, c.at(0))
	asking.Screen(promptScreen, c.at(ms(5)))
	runs["hook needs you"] = asking
	heur := NewTracker(Config{Agent: true, Working: claudeWorking, Waiting: claudeWaiting}, c.at(0))
	heur.Screen(doneScreen, c.at(0))
	heur.Tick(c.at(Settle + Hold))
	runs["heuristic idle"] = heur
	cmd := NewTracker(Config{}, c.at(0))
	cmd.Output(c.at(0))
	cmd.Tick(c.at(DefaultActiveWindow))
	runs["quiet command"] = cmd
	runs["started command"] = NewTracker(Config{}, c.at(0))
	runs["agent with no screen yet"] = claudeTracker(c)
	for name, tr := range runs {
		if n := tr.Next(); !n.IsZero() {
			t.Errorf("%s (%v): Next = +%v, want no timer", name, tr.Activity().State, n.Sub(c.t0))
		}
	}
}

// Driven the way the driver drives it — random events, a Tick whenever
// Next passes — a tracker never asks for a timer in the past twice (no busy
// loop), its Since is never in the future, and its detail stays short.
func TestRandomDrivingNeverSpins(t *testing.T) {
	screens := []string{busyScreen, busyScreen2, promptScreen, idleScreen, idleScreen2, doneScreen, questionPanel, ""}
	for seed := uint64(1); seed <= 200; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		c := newClock()
		cfg := Config{Agent: rng.IntN(3) > 0, Hooks: rng.IntN(2) == 0, ActiveWindow: time.Duration(rng.IntN(5)) * time.Second}
		if rng.IntN(3) > 0 {
			cfg.Working, cfg.Waiting = claudeWorking, claudeWaiting
		}
		tr := NewTracker(cfg, c.now)
		hooks := []string{EventUserPromptSubmit, EventPreToolUse, EventPermissionRequest, EventPostToolUse, EventStop,
			EventStopFailure, EventNotification, EventSessionStart, EventSessionEnd, EventSubagentStop}
		elapsed := time.Duration(0)
		for step := 0; step < 300; step++ {
			elapsed += time.Duration(rng.IntN(4000)) * time.Millisecond
			now := c.at(elapsed)
			// Timers due by now fire first, in order.
			for n := 0; ; n++ {
				next := tr.Next()
				if next.IsZero() || next.After(now) {
					break
				}
				if n > 3 {
					t.Fatalf("seed %d step %d: Next stays at +%v after Tick (%v)", seed, step, next.Sub(c.t0), tr.Activity())
				}
				tr.Tick(next)
			}
			switch rng.IntN(9) {
			case 0:
				tr.Hook(Hook{Event: hooks[rng.IntN(len(hooks))], ToolName: "Bash", NotificationType: NotifyPermissionPrompt}, now)
			case 1:
				tr.Output(now)
			case 2, 3:
				tr.Screen(screens[rng.IntN(len(screens))], now)
			case 4:
				tr.Bell(now)
			case 5:
				tr.Notify(strings.Repeat("msg ", rng.IntN(40)), now)
			case 6:
				tr.Progress(rng.IntN(2) == 0, now)
			case 7:
				tr.Title(fmt.Sprintf("title %d", rng.IntN(3)), now)
			case 8:
				tr.Input(now)
			}
			a := tr.Activity()
			if a.Since.After(now) {
				t.Fatalf("seed %d step %d: Since +%v after now +%v", seed, step, a.Since.Sub(c.t0), elapsed)
			}
			if len([]rune(a.Detail)) > DetailRunes {
				t.Fatalf("seed %d: detail %q", seed, a.Detail)
			}
			if !cfg.Agent && (a.State == registry.StateStarting || a.State == registry.StateIdle) {
				t.Fatalf("seed %d: a plain command is %v", seed, a.State)
			}
		}
	}
}

// BenchmarkTrackerScreen measures one screen change of a 200×50 agent
// screen: the comparison with the last one and both patterns.
func BenchmarkTrackerScreen(b *testing.B) {
	var s1, s2 strings.Builder
	for row := 0; row < 50; row++ {
		line := fmt.Sprintf("%-200s", fmt.Sprintf("%3d  some output of a tool, a diff line, a test result: ok  corral/activity 0.%03ds", row, row))
		s1.WriteString(line + "\n")
		s2.WriteString(line + "\n")
	}
	s1.WriteString("✻ Thinking… (3s · ↓ 12 tokens · esc to interrupt)")
	s2.WriteString("✢ Thinking… (4s · ↓ 40 tokens · esc to interrupt)")
	screens := [2]string{s1.String(), s2.String()}
	c := newClock()
	tr := claudeTracker(c)
	tr.Hook(Hook{Event: EventUserPromptSubmit}, c.now)
	b.SetBytes(int64(len(screens[0])))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tr.Screen(screens[i&1], c.at(time.Duration(i)*time.Millisecond))
	}
}

// No hook fires when the person approves a permission: the tool runs, with
// the busy marker on screen, until PostToolUse. A needs you whose prompt
// gave way to the busy marker for Hold is working again (the QA run saw
// `sleep 9` shown as needs you for its 9 s); a screen from before the
// question, or a marker that shows for less than Hold, changes nothing.
func TestAnsweredPermissionIsWorkingAgain(t *testing.T) {
	c := newClock()
	tr := claudeTracker(c)
	tr.Screen(busyScreen, c.at(0))
	tr.Hook(Hook{Event: EventPermissionRequest, ToolName: "Bash", ToolInput: []byte(`{"command":"sleep 9"}`)}, c.at(ms(100)))
	tr.Tick(c.at(ms(1500))) // the screen of before the hook still shows the marker
	want(t, tr, c, registry.StateNeedsYou, "permission: Bash `sleep 9`", ms(100))
	tr.Screen(promptScreen, c.at(ms(1600)))
	wantNext(t, tr, c, -1)
	// A flash of the marker shorter than Hold: still asking.
	tr.Screen(busyScreen, c.at(ms(3000)))
	wantNext(t, tr, c, ms(4000))
	tr.Screen(promptScreen, c.at(ms(3500)))
	wantNext(t, tr, c, -1)
	// Approved: the marker stays.
	tr.Screen(busyScreen, c.at(ms(5000)))
	tr.Screen(busyScreen2, c.at(ms(5500)))
	want(t, tr, c, registry.StateNeedsYou, "permission: Bash `sleep 9`", ms(100))
	tr.Tick(c.at(ms(6000)))
	want(t, tr, c, registry.StateWorking, "Bash `sleep 9`", ms(5000))
	tr.Hook(Hook{Event: EventPostToolUse, ToolName: "Bash"}, c.at(ms(14000)))
	want(t, tr, c, registry.StateWorking, "thinking", ms(5000))
}

// A one-shot run (claude -p) has no prompt: its SessionStart means work.
func TestOneShotSessionStartIsWorking(t *testing.T) {
	c := newClock()
	tr := NewTracker(Config{Agent: true, Hooks: true, OneShot: true}, c.now)
	tr.Hook(Hook{Event: EventSessionStart, Source: "startup"}, c.at(ms(10)))
	want(t, tr, c, registry.StateWorking, "thinking", ms(10))
	tr.Hook(Hook{Event: EventStop}, c.at(ms(900)))
	want(t, tr, c, registry.StateIdle, "", ms(900))
}
