package config

import (
	"strings"
	"testing"
	"time"

	"corral/activity"
)

// The settings of agent states: defaults in the default file and in an
// empty one, and the default file documents each.
func TestStateSettingsDefaults(t *testing.T) {
	for name, c := range map[string]*Config{"default.toml": Default(), "empty file": mustParse(t, "")} {
		s := c.Settings
		if s.Notify != NotifyOSC || s.ActiveWindow.Duration != activity.DefaultActiveWindow || s.AttentionFirst ||
			s.NotifyCommand != nil {
			t.Errorf("%s: %+v", name, s)
		}
	}
	for _, key := range []string{"notify =", "# notify_command =", "active_window =", "attention_first =",
		"hooks = \"off\"", "[agent.states]", "working =", "waiting ="} {
		if !strings.Contains(DefaultTOML(), key) {
			t.Errorf("default.toml does not document %q", key)
		}
	}
}

func TestNotifySettings(t *testing.T) {
	for _, v := range []string{NotifyOSC, NotifyBell, NotifyOff} {
		if got := mustParse(t, "[settings]\nnotify = \""+v+"\"\n").Settings.Notify; got != v {
			t.Errorf("notify = %q: %q", v, got)
		}
	}
	for _, v := range []string{`"Bell"`, `"none"`, `"on"`, `" osc"`} {
		wantError(t, "# x\n[settings]\nnotify = "+v+"\n", 3, `settings.notify: must be "osc", "bell" or "off", not `)
	}
	wantError(t, "[settings]\nnotify = true\n", 2, "notify") // TOML's own type error

	c := mustParse(t, "[settings]\nattention_first = true\nnotify_command = [\"notify-send\", \"corral: {name}\", \"{state}: {detail}\", \"{detail}\"]\n")
	if !c.Settings.AttentionFirst {
		t.Error("attention_first = true not read")
	}
	for _, detail := range append([]string{"permission: Bash `rm -rf build`"}, hostile...) {
		argv := c.Settings.NotifyCommand.Expand(Vars{Name: "claude 2", State: "needs you", Detail: detail})
		want := []string{"notify-send", "corral: claude 2", "needs you: " + detail, detail}
		if strings.Join(argv, "\x01") != strings.Join(want, "\x01") {
			t.Errorf("detail %q: argv %q", detail, argv)
		}
	}
	// An empty detail drops its word, as an agent's empty placeholder does.
	if argv := c.Settings.NotifyCommand.Expand(Vars{Name: "x", State: "idle"}); len(argv) != 3 {
		t.Errorf("empty detail: %q", argv)
	}
	c = mustParse(t, "[settings]\nnotify_command = \"notify-send {name} '{state} now'\"\n")
	if got := c.Settings.NotifyCommand.Expand(Vars{Name: "a b", State: "idle"}); strings.Join(got, "|") != "notify-send|a b|idle now" {
		t.Errorf("string form: %q", got)
	}

	wantError(t, "[settings]\n\nnotify_command = [\"notify-send\", \"{task}\"]\n", 3,
		"settings.notify_command: unknown placeholder {task} (use {name}, {state}, {detail})")
	wantError(t, "[settings]\nnotify_command = [\"sh\", \"-c\", \"notify-send {detail}\"]\n", 2,
		`{detail} inside the script of "sh -c" runs its value through the shell`)
	mustParse(t, "[settings]\nnotify_command = [\"sh\", \"-c\", \"notify-send \\\"$1\\\"\", \"_\", \"{detail}\"]\n")
	wantError(t, "[settings]\nnotify_command = []\n", 2, "the program is missing")
	// The agents' placeholders and notify_command's do not mix.
	wantError(t, "[[agent]]\nname = \"a\"\nkind = \"agent\"\ncommand = [\"x\", \"{name}\"]\n", 4,
		"agent \"a\" command: unknown placeholder {name} (use {task}, {model}, {project}, {session_id}, {shell})")
}

func TestActiveWindow(t *testing.T) {
	for text, want := range map[string]time.Duration{
		`active_window = "1s"`:  time.Second,
		`active_window = "1h"`:  time.Hour,
		`active_window = 30`:    30 * time.Second,
		`active_window = 2.5`:   2500 * time.Millisecond,
		`active_window = 0`:     activity.DefaultActiveWindow,
		`active_window = "90s"`: 90 * time.Second,
	} {
		if got := mustParse(t, "[settings]\n"+text+"\n").Settings.ActiveWindow.Duration; got != want {
			t.Errorf("%s: %v, want %v", text, got, want)
		}
	}
	const bound = "settings.active_window: must be between 1s and 1h"
	for _, v := range []string{`"999ms"`, "0.5", `"1h0m1s"`, "3601", "9999999999", `"2562048h"`} {
		wantError(t, "# x\n[settings]\nactive_window = "+v+"\n", 3, bound)
	}
	wantError(t, "[settings]\nactive_window = -1\n", 2, "a duration cannot be negative")
	wantError(t, "[settings]\nactive_window = \"soon\"\n", 2, `settings.active_window: must be a duration such as "5s"`)
}

func TestAgentHooks(t *testing.T) {
	c := mustParse(t, `[[agent]]
name = "c"
kind = "session"
command = ["/opt/bin/claude"]

[[agent]]
name = "c-off"
kind = "session"
command = ["claude"]
hooks = "off"

[[agent]]
name = "x"
kind = "session"
command = ["codex", "--model", "{model}"]

[[agent]]
name = "g"
kind = "session"
command = ["gemini"]
hooks = ""
`)
	for name, want := range map[string]string{"c": HookClaude, "c-off": "", "x": HookCodex, "g": ""} {
		a, _ := c.Agent(name)
		if got := a.HookKind(); got != want {
			t.Errorf("%s: HookKind %q, want %q", name, got, want)
		}
	}
	if a, _ := c.Agent("c"); a.Program() != "claude" {
		t.Errorf("Program of /opt/bin/claude: %q", a.Program())
	}
	for _, v := range []string{`"on"`, `"Off"`, `"claude"`, `"auto"`} {
		wantError(t, "[[agent]]\nname = \"a\"\nkind = \"session\"\ncommand = [\"claude\"]\n\nhooks = "+v+"\n", 6,
			`agent "a" hooks: must be "off" or absent`)
	}
	d := Default()
	for name, want := range map[string]string{"claude": HookClaude, "claude-run": HookClaude, "codex": HookCodex,
		"shell": "", "aider": "", "gemini": ""} {
		if a, _ := d.Agent(name); a.HookKind() != want {
			t.Errorf("default %s: HookKind %q, want %q", name, a.HookKind(), want)
		}
	}
}

// The screens the built-in patterns are for (Claude Code's from
// fakeapi.md; the others' from their sources).
func TestBuiltInStatePatterns(t *testing.T) {
	tests := []struct {
		agent            string
		working, waiting []string // screens each must match
		neither          []string // screens neither may match
	}{
		{"claude",
			[]string{"✻ Thinking… (3s · ↓ 12 tokens · esc to interrupt)", "ESC TO INTERRUPT"},
			[]string{"Bash command\n  ls /\nDo you want to proceed?\n❯ 1. Yes", "Enter to select · ↑/↓ to navigate · Esc to cancel",
				"Do you want to make this edit to main.go?"},
			[]string{"✻ Brewed for 2s · done\n>\n? for shortcuts", "⎿  Interrupted · What should Claude do instead?"}},
		{"claude-run", []string{"esc to interrupt"}, []string{"Do you want to proceed?"}, nil},
		{"codex",
			[]string{"• Working (12s • esc to interrupt)"},
			[]string{"Would you like to run the following command?\n$ ls", "Would you like to make the following edits?"},
			[]string{"▌ Find and fix a bug in @filename\n⏎ send ⇧⏎ newline ⌃T transcript ⌃C quit"}},
		{"gemini",
			[]string{"⠏ Thinking (esc to cancel, 3s)"},
			[]string{"Allow execution of: 'ls'?", "Apply this change?"},
			[]string{"> Type your message or @path/to/file"}},
		{"aider", nil, []string{"Add file to the chat? (Y)es/(N)o [Yes]:"}, []string{"> "}},
	}
	d := Default()
	for _, tt := range tests {
		a, ok := d.Agent(tt.agent)
		if !ok {
			t.Fatalf("no %s in the default catalog", tt.agent)
		}
		working, waiting := a.StatePatterns()
		if (working == nil) != (tt.working == nil) || waiting == nil {
			t.Fatalf("%s: working %v, waiting %v", tt.agent, working, waiting)
		}
		for _, s := range tt.working {
			if !working.MatchString(s) {
				t.Errorf("%s: working does not match %q", tt.agent, s)
			}
		}
		for _, s := range tt.waiting {
			if !waiting.MatchString(s) {
				t.Errorf("%s: waiting does not match %q", tt.agent, s)
			}
		}
		for _, s := range tt.neither {
			if working != nil && working.MatchString(s) || waiting.MatchString(s) {
				t.Errorf("%s: a pattern matches %q", tt.agent, s)
			}
		}
	}
	if a, _ := d.Agent("shell"); func() bool { w, x := a.StatePatterns(); return w != nil || x != nil }() {
		t.Error("the shell has screen patterns")
	}
}

func TestCatalogStatePatterns(t *testing.T) {
	c := mustParse(t, `[[agent]]
name = "mine"
kind = "session"
command = ["my-agent"]

[agent.states]
working = "thinking\\.\\.\\."
waiting = "approve\\? \\[y/n\\]"

[[agent]]
name = "claude-new-ui"
kind = "session"
command = ["claude"]
states = { working = "press esc to stop" }

[[agent]]
name = "plain"
kind = "session"
command = ["other"]
`)
	mine, _ := c.Agent("mine")
	w, x := mine.StatePatterns()
	if w == nil || x == nil || !w.MatchString("THINKING...") || w.MatchString("thinking..") || !x.MatchString("Approve? [Y/n]") {
		t.Fatalf("mine: %v %v", w, x)
	}
	// Only working given: waiting is claude's built-in one.
	cl, _ := c.Agent("claude-new-ui")
	w, x = cl.StatePatterns()
	if !w.MatchString("Press Esc to stop") || w.MatchString("esc to interrupt") || !x.MatchString("Do you want to proceed?") {
		t.Fatalf("claude-new-ui: %v %v", w, x)
	}
	if p, _ := c.Agent("plain"); func() bool { w, x := p.StatePatterns(); return w != nil || x != nil }() {
		t.Error("an unknown program has patterns")
	}
	// An Agent made in code compiles its patterns when asked.
	made := Agent{Name: "m", Command: Template{"aider"}, States: States{Working: "busy"}}
	w, x = made.StatePatterns()
	if w == nil || !w.MatchString("BUSY") || x == nil || !x.MatchString("(Y)es/(N)o") {
		t.Fatalf("made in code: %v %v", w, x)
	}
	if w, _ := (Agent{Command: Template{"claude"}, States: States{Working: "("}}).StatePatterns(); w != nil {
		t.Fatalf("a bad pattern made in code: %v", w)
	}

	const entry = "[[agent]]\nname = \"a\"\nkind = \"session\"\ncommand = [\"x\"]\n"
	wantError(t, entry+strings.Replace(entry, `"a"`, `"b"`, 1)+"\n[agent.states]\nwaiting = \"ok\"\nworking = \"esc to (interrupt\"\n", 12,
		"agent \"b\" states.working: \"esc to (interrupt\" is not a regular expression: error parsing regexp: missing closing )")
	wantError(t, entry+"states = { working = \"x\", waiting = \"[\" }\n", 5, "agent \"a\" states.waiting: \"[\" is not a regular expression")
	wantError(t, entry+"[agent.states]\nwaiting = \"y*\"\n", 6,
		`agent "a" states.waiting: "y*" matches an empty screen, so it would match every screen`)
	wantError(t, entry+"[agent.states]\nworking = \"a|\"\n", 6, `"a|" matches an empty screen`)
	wantError(t, entry+"[agent.states]\nwrking = \"x\"\n", 6, "agent \"a\" states.wrking: unknown field (the fields here: working, waiting)")
	wantError(t, entry+"[agent.states]\nworking = 5\n", 6, "working")
}
