package e2e

// Issue 14: agent states seen in a real terminal. A fake Claude Code
// (corral/internal/fakeclaude, on PATH as "claude") runs the hooks corral
// gives it and plays scripted turns typed into it: "perm" asks permission
// for Bash `rm -rf build`, "slow" works until Esc.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// claudeCatalog is a config whose catalog has one Claude Code session.
const claudeCatalog = `[[agent]]
name = "claude"
kind = "session"
command = ["claude", "--session-id", "{session_id}"]
`

// withFakeClaude builds the fake Claude Code and puts it first on PATH for
// the tmux server the test starts next (it passes its environment on to
// corral). Each working step of a turn lasts work; each hook run is logged
// to the file returned.
func withFakeClaude(t *testing.T, work time.Duration) (hookLog string) {
	t.Helper()
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "claude"), "corral/internal/fakeclaude")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the fake claude: %v\n%s", err, out)
	}
	hookLog = filepath.Join(dir, "hooks.jsonl")
	t.Setenv("PATH", dir+":"+os.Getenv("PATH"))
	t.Setenv("FAKE_CLAUDE_WORK", work.String())
	t.Setenv("FAKE_CLAUDE_HOOK_LOG", hookLog)
	return hookLog
}

// hookEvents lists the events of the hooks the fake ran, in order, and
// fails the test if a hook printed anything or did not exit 0: corral's
// hook command must do neither.
func hookEvents(t *testing.T, hookLog string) []string {
	t.Helper()
	b, err := os.ReadFile(hookLog)
	if err != nil {
		return nil
	}
	var events []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r struct {
			Event, Stdout, Stderr string
			Exit                  int
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("hook log line %q: %v", line, err)
		}
		if r.Exit != 0 || r.Stdout != "" || r.Stderr != "" {
			t.Errorf("the %s hook exited %d, printed %q, %q", r.Event, r.Exit, r.Stdout, r.Stderr)
		}
		events = append(events, r.Event)
	}
	return events
}

// newClaude starts the catalog's claude from the new-run form and waits
// for its prompt; the new run is the selected one.
func (tm *term) newClaude() {
	tm.t.Helper()
	tm.keys("n")
	tm.waitText("── new run ")
	tm.waitText("›Run ")
	// The form opens on the chooser at "command"; then shell, then claude.
	tm.keys("Right", "Right")
	tm.waitText("‹ claude ›")
	tm.keys("Enter")
	tm.waitText("fake claude session")
}

// startSession starts corral with the fake's catalog and one Claude
// session from the new-run form, and waits for it to be idle at its prompt.
func startSession(t *testing.T, id string) *term {
	t.Helper()
	tm := startCorral(t, 130, 30, "--config", writeConfig(t, claudeCatalog))
	tm.waitText("no runs yet")
	tm.newClaude()
	tm.waitState(id, "idle")
	return tm
}

// say types a line into the selected run, in focus.
func (tm *term) say(line string) {
	tm.t.Helper()
	tm.keys("Enter")
	tm.waitText("TYPING INTO RUN")
	tm.text(line)
	tm.keys("Enter")
}

// stateOf is the table row of run id.
func stateOf(screen, id string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(l, id+" ") {
			return l
		}
	}
	return ""
}

// waitState waits for the row of run id to show state.
func (tm *term) waitState(id, state string) string {
	tm.t.Helper()
	return tm.waitFor("run "+id+" "+state, func(s string) bool { return strings.Contains(stateOf(s, id), state) })
}

// A Claude session from the catalog: idle at its prompt (SessionStart),
// needs you at a permission prompt (row, header and pane title), working
// once allowed, idle when the turn ends. The hooks corral configures ran,
// printing nothing.
func TestClaudeSessionStatesFromHooks(t *testing.T) {
	hookLog := withFakeClaude(t, time.Second)
	const claudeID = "1000000"
	tm := startSession(t, claudeID)

	tm.say("perm")
	tm.waitState(claudeID, "needs you")
	tm.waitText("Do you want to proceed?")
	s := tm.waitText("1 needs you")
	if !strings.Contains(s, "permission: Bash") {
		t.Errorf("the pane title lacks the permission asked:\n%s", s)
	}
	tm.text("1")
	tm.waitState(claudeID, "working")
	tm.waitState(claudeID, "idle")

	// The fake logs a hook once it has exited, which may be just after
	// corral has the event and shows it.
	want := "SessionStart UserPromptSubmit PreToolUse PermissionRequest PostToolUse Stop"
	got := strings.Join(hookEvents(t, hookLog), " ")
	for deadline := time.Now().Add(10 * time.Second); got != want && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		got = strings.Join(hookEvents(t, hookLog), " ")
	}
	if got != want {
		t.Fatalf("hooks run: %q, want %q", got, want)
	}
}

// The attention key (tab) moves the selection from another run to the one
// that needs you.
func TestAttentionKeyJumpsToTheRunThatNeedsYou(t *testing.T) {
	withFakeClaude(t, 500*time.Millisecond)
	const claudeID = "1000001"
	tm := startCorral(t, 130, 30, "--config", writeConfig(t, claudeCatalog), "sh -c 'echo other-run; exec sleep 7361'")
	tm.waitText("other-run")
	tm.newClaude()
	tm.say("perm")
	tm.waitText("Do you want to proceed?")
	tm.keys("C-]")
	tm.waitText("left focus")
	tm.keys("Up") // the sh run, shown in the pane
	tm.waitFor("the other run shown", func(s string) bool {
		return strings.Contains(s, "other-run") && !strings.Contains(s, "Do you want to proceed?")
	})
	tm.waitState(claudeID, "needs you")
	tm.keys("Tab")
	tm.waitText("Do you want to proceed?")
}

// A bell in a run that is not shown reaches the terminal corral runs in.
func TestBellInAnUnshownRunRingsTheTerminal(t *testing.T) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "ring")
	tm := startCorral(t, 130, 30,
		"sh -c 'echo bell-run; while [ ! -e "+ring+" ]; do sleep 0.02; done; printf \"\\a\"; exec sleep 7362'",
		"sh -c 'echo shown-run; exec sleep 7363'")
	tm.waitText("bell-run")
	tm.keys("Down") // the second run is shown, the first is not
	tm.waitText("shown-run")
	bell := func() string { return strings.TrimSpace(tm.tmux("display", "-p", "-t", "s", "#{window_bell_flag}")) }
	if b := bell(); b != "0" {
		t.Fatalf("a bell before any: %q", b)
	}
	if err := os.WriteFile(ring, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for bell() != "1" {
		if time.Now().After(deadline) {
			t.Fatalf("tmux saw no bell; the screen:\n%s", tm.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
	tm.waitState("1000000", "needs you")
}

// A plain command's OSC 9 notification is its detail: needs you, with the
// message in the pane title; the sequence itself is not passed through.
func TestOSC9NotificationIsTheDetail(t *testing.T) {
	tm := startCorral(t, 130, 30, `sh -c 'echo started; printf "\033]9;build done\007"; exec sleep 7364'`)
	tm.waitText("started")
	s := tm.waitText("build done")
	if !strings.Contains(stateOf(s, "1000000"), "needs you") {
		t.Errorf("the row does not need you:\n%s", s)
	}
	if !strings.Contains(s, "needs you: build done") {
		t.Errorf("the pane title lacks the message:\n%s", s)
	}
}

// Esc during a turn fires no hook in Claude Code: the run is working, its
// busy marker goes, and within a few seconds it is idle all the same.
func TestEscMidTurnGoesIdleWithoutAHook(t *testing.T) {
	hookLog := withFakeClaude(t, 200*time.Millisecond)
	const claudeID = "1000000"
	tm := startSession(t, claudeID)
	tm.say("slow")
	tm.waitText("esc to interrupt")
	tm.waitState(claudeID, "working")
	tm.keys("Escape")
	tm.waitText("Interrupted")
	began := time.Now()
	tm.waitState(claudeID, "idle")
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("idle %v after Esc", took)
	}
	if got := strings.Join(hookEvents(t, hookLog), " "); got != "SessionStart UserPromptSubmit" {
		t.Fatalf("hooks run: %q", got)
	}
}

// The real Claude Code CLI, offline against ../shared/tools/fakeapi.py:
// its hooks drive the states as the fake's do. It needs the CLI (set
// CORRAL_E2E_CLAUDE to its path, e.g. after `npm install --prefix DIR
// @anthropic-ai/claude-code`, DIR/node_modules/.bin/claude) and python3;
// without them it skips, in CI too (installing it needs the npm registry).
func TestRealClaudeCodeStates(t *testing.T) {
	cli := os.Getenv("CORRAL_E2E_CLAUDE")
	if cli == "" {
		t.Skip("the real Claude Code is not installed: set CORRAL_E2E_CLAUDE to its claude (see ../shared/tools/fakeapi.md)")
	}
	wd, _ := os.Getwd()
	fakeAPI := filepath.Join(wd, "..", "..", "shared", "tools", "fakeapi.py")
	if _, err := os.Stat(fakeAPI); err != nil {
		t.Skipf("no fakeapi.py: %v", err)
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 for fakeapi.py")
	}
	// The scripted API, killed by its pid at the end.
	api := exec.Command(python, fakeAPI)
	stdout, _ := api.StdoutPipe()
	if err := api.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = api.Process.Kill(); _ = api.Wait() })
	var port string
	if _, err := fmt.Fscanln(stdout, &port); err != nil {
		t.Fatalf("fakeapi.py gave no port: %v", err)
	}
	project, scratch := t.TempDir(), t.TempDir()
	cfg := writeConfig(t, fmt.Sprintf(`[[agent]]
name = "claude"
kind = "session"
command = ["claude", "--session-id", "{session_id}", "--permission-mode", "default"]
env = { ANTHROPIC_API_KEY = "sk-ant-fake", ANTHROPIC_BASE_URL = "http://127.0.0.1:%s", DISABLE_AUTOUPDATER = "1", NPM_CONFIG_PREFIX = %q, TMPDIR = %q }
`, port, filepath.Join(scratch, "npm"), scratch))
	t.Setenv("PATH", filepath.Dir(cli)+":"+os.Getenv("PATH"))
	tm := startCorral(t, 150, 45, "--config", cfg)
	// Onboarding done, the key approved, the project trusted.
	state := fmt.Sprintf(`{"hasCompletedOnboarding":true,"hasSeenAutoDefaultNotice":true,"autoModeClassifierBillingNoticeAcknowledgedAt":%d,
"customApiKeyResponses":{"approved":["sk-ant-fake"],"rejected":[]},"projects":{%q:{"hasTrustDialogAccepted":true}}}`,
		time.Now().UnixMilli(), project)
	if err := os.WriteFile(filepath.Join(tm.home, ".claude.json"), []byte(state), 0o600); err != nil {
		t.Fatal(err)
	}
	tm.waitText("no runs yet")
	tm.keys("n")
	tm.waitText("── new run ")
	tm.waitText("›Run ")
	tm.keys("Right", "Right") // command, shell, claude
	tm.waitText("‹ claude ›")
	tm.keys("Tab") // the directory: the entry uses no task or model
	tm.text(project)
	tm.keys("Enter")
	const id = "1000000"
	seen := func(what string) {
		t.Logf("real Claude Code: %s: %s", what, strings.Join(strings.Fields(stateOf(tm.screen(), id)), " "))
	}
	tm.waitState(id, "idle")
	seen("started")
	tm.keys("Enter")
	tm.waitText("TYPING INTO RUN")
	turn := func(prompt string) {
		t.Helper()
		tm.text(prompt)
		tm.keys("Enter")
	}
	turn("run ls")
	s := tm.waitState(id, "needs you")
	seen("run ls")
	if !strings.Contains(s, "permission: Bash") {
		t.Errorf("no permission in the title:\n%s", s)
	}
	tm.text("1")
	tm.waitState(id, "idle")
	seen("allowed")
	turn("ask me")
	s = tm.waitState(id, "needs you")
	seen("ask me")
	if !strings.Contains(s, "question: ") {
		t.Errorf("no question in the title:\n%s", s)
	}
	tm.text("2")
	tm.waitState(id, "idle")
	seen("answered")
	turn("work slowly 8")
	tm.waitState(id, "working")
	seen("work slowly")
	tm.keys("Escape")
	began := time.Now()
	tm.waitState(id, "idle")
	seen(fmt.Sprintf("Esc (idle after %v)", time.Since(began).Round(100*time.Millisecond)))
	tm.keys("C-u") // the CLI puts the interrupted prompt back
	turn("fail 500")
	tm.waitState(id, "error")
	seen("fail 500")
}
