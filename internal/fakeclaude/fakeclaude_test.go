package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

var binary string // the fake, built once for the package's tests

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fakeclaude")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "claude")
	build := exec.Command("go", "build", "-o", binary, "corral/internal/fakeclaude")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestMatcher(t *testing.T) {
	for _, c := range []struct {
		matcher, value string
		want           bool
	}{
		{"", "Bash", true},
		{"*", "Bash", true},
		{"Bash", "Bash", true},
		{"Bash", "BashOutput", false}, // exact, not a prefix
		{"Edit|Write", "Write", true},
		{"Edit|Write", "Bash", false},
		{"Edit|Bash", "Bash", true},
		{"^Ba.h$", "Bash", true},
		{"mcp__.*", "mcp__memory__read", true},
		{"Notebook.*", "Bash", false},
		{"ash", "Bash", false}, // letters only: exact
		{"as.", "Bash", true},  // a regexp is searched, unanchored
		{"permission_prompt", "permission_prompt", true},
		{"(", "(", false}, // a broken regexp matches nothing
	} {
		if got := matches(c.matcher, c.value); got != c.want {
			t.Errorf("matches(%q, %q) = %v, want %v", c.matcher, c.value, got, c.want)
		}
	}
}

func TestSettingsInlineOrFile(t *testing.T) {
	inline := `{"hooks":{"Stop":[{"hooks":[{"type":"command","command":"x","timeout":3}]}]}}`
	path := filepath.Join(t.TempDir(), "s.json")
	if err := os.WriteFile(path, []byte(inline), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{inline, "  " + inline, path} {
		s, err := loadSettings(v)
		if err != nil {
			t.Fatalf("%.20q: %v", v, err)
		}
		if g := s.Hooks["Stop"]; len(g) != 1 || g[0].Hooks[0].Command != "x" || g[0].Hooks[0].Timeout != 3 {
			t.Fatalf("%.20q read as %+v", v, s)
		}
	}
	for _, v := range []string{`{"hooks":`, filepath.Join(t.TempDir(), "missing.json")} {
		if _, err := loadSettings(v); err == nil {
			t.Errorf("%q loaded", v)
		}
	}
}

// allEvents are the events corral configures.
var allEvents = []string{"SessionStart", "UserPromptSubmit", "PreToolUse", "PermissionRequest", "PostToolUse",
	"PostToolUseFailure", "Notification", "Stop", "StopFailure", "SubagentStop", "SessionEnd"}

// recorder returns --settings JSON whose hooks append each event's stdin,
// then a tab and the hook's CLAUDE_PROJECT_DIR, working directory and
// CORRAL_RUN_ID, as a line of the file it returns. A Bash-only and an
// Edit|Write-only hook add lines of their own.
func recorder(t *testing.T) (settingsJSON, out string) {
	out = filepath.Join(t.TempDir(), "hooks.log")
	// One printf, one write: hooks of an event run at once.
	rec := fmt.Sprintf(`in=$(cat); printf '%%s\t%%s\t%%s\t%%s\n' "$in" "$CLAUDE_PROJECT_DIR" "$PWD" "$CORRAL_RUN_ID" >> '%s'`, out)
	hooks := map[string]any{}
	for _, e := range allEvents {
		hooks[e] = []any{map[string]any{"matcher": "*", "hooks": []any{map[string]any{"type": "command", "command": rec}}}}
	}
	only := func(matcher, tag string) any {
		return map[string]any{"matcher": matcher, "hooks": []any{map[string]any{"type": "command",
			"command": fmt.Sprintf(`cat > /dev/null; printf '%s\n' >> '%s'`, tag, out)}}}
	}
	hooks["PreToolUse"] = append(hooks["PreToolUse"].([]any), only("Bash", "BASH-ONLY"), only("Edit|Write", "EDIT-ONLY"))
	b, err := json.Marshal(map[string]any{"hooks": hooks})
	if err != nil {
		t.Fatal(err)
	}
	return string(b), out
}

// hookCall is one recorded hook run.
type hookCall struct {
	in                     map[string]any
	projectDir, pwd, runID string
}

func (c hookCall) event() string { e, _ := c.in["hook_event_name"].(string); return e }

func readCalls(t *testing.T, path string) (calls []hookCall, tags []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			tags = append(tags, line)
			continue
		}
		var c hookCall
		if err := json.Unmarshal([]byte(f[0]), &c.in); err != nil {
			t.Fatalf("hook stdin %q: %v\n%s", f[0], err, b)
		}
		c.projectDir, c.pwd, c.runID = f[1], f[2], f[3]
		calls = append(calls, c)
	}
	return calls, tags
}

func names(calls []hookCall) string {
	var s []string
	for _, c := range calls {
		s = append(s, c.event())
	}
	return strings.Join(s, " ")
}

// fake is the fake running under a real PTY, its screen emulated.
type fake struct {
	t       *testing.T
	cmd     *exec.Cmd
	tty     *os.File
	mu      sync.Mutex
	emu     *vt.Emulator
	done    chan struct{} // closed when the PTY has no more output
	home    string
	project string
}

func startFake(t *testing.T, env []string, args ...string) *fake {
	t.Helper()
	f := &fake{t: t, emu: vt.NewEmulator(100, 200), done: make(chan struct{}), home: t.TempDir()}
	project, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f.project = project
	f.cmd = exec.Command(binary, args...)
	f.cmd.Dir = project
	f.cmd.Env = append(os.Environ(), append([]string{"HOME=" + f.home, "FAKE_CLAUDE_WORK=50ms"}, env...)...)
	f.tty, err = pty.StartWithSize(f.cmd, &pty.Winsize{Cols: 100, Rows: 200})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(f.done)
		buf := make([]byte, 4096)
		for {
			n, err := f.tty.Read(buf)
			f.mu.Lock()
			_, _ = f.emu.Write(buf[:n])
			f.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = f.cmd.Process.Kill()
		_ = f.cmd.Wait()
		f.tty.Close()
		<-f.done
	})
	return f
}

func (f *fake) screen() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.emu.String()
}

// waitScreen polls the emulated screen until cond holds.
func (f *fake) waitScreen(what string, cond func(string) bool) string {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := f.screen()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("timed out waiting for %s; the screen:\n%s", what, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (f *fake) waitText(text string) string {
	f.t.Helper()
	return f.waitScreen(strconv.Quote(text), func(s string) bool { return strings.Contains(s, text) })
}

func (f *fake) typeText(s string) {
	f.t.Helper()
	if _, err := f.tty.Write([]byte(s)); err != nil {
		f.t.Fatal(err)
	}
}

// exit waits for the fake to end after its last turn.
func (f *fake) exit() {
	f.t.Helper()
	select {
	case <-f.done:
	case <-time.After(10 * time.Second):
		f.t.Fatalf("the fake did not exit; the screen:\n%s", f.screen())
	}
	if err := f.cmd.Wait(); err != nil {
		f.t.Fatalf("exit: %v", err)
	}
}

// prompts counts the prompts drawn: a turn is over when one more shows.
func prompts(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "> ") || l == ">" {
			n++
		}
	}
	return n
}

// A session through a real PTY: each scripted turn fires its hooks in the
// real CLI's order, with its fields, and draws the markers screen
// heuristics read; Esc fires nothing.
func TestSessionTurnsFireTheirHooks(t *testing.T) {
	settings, out := recorder(t)
	f := startFake(t, []string{"CORRAL_RUN_ID=1000007"}, "--session-id", "sess-1", "--settings", settings)
	f.waitText("fake claude session (default)")
	f.waitScreen("the prompt", func(s string) bool { return prompts(s) == 1 })
	seen := 0
	turn := func(want string) []hookCall {
		t.Helper()
		calls, _ := readCalls(t, out)
		if got := names(calls[seen:]); got != want {
			t.Fatalf("hooks %q, want %q", got, want)
		}
		defer func() { seen = len(calls) }()
		return calls[seen:]
	}
	start := turn("SessionStart")[0]
	if start.in["source"] != "startup" || start.in["model"] != "default" {
		t.Errorf("SessionStart: %v", start.in)
	}

	// perm, approved: the dialog while it waits, the busy marker before and
	// after it, neither once the turn is over.
	f.typeText("perm\r")
	s := f.waitText("Do you want to proceed?")
	if strings.Contains(s, "esc to interrupt") || !strings.Contains(s, "❯ 1. Yes") || !strings.Contains(s, "rm -rf build") {
		t.Fatalf("the permission dialog:\n%s", s)
	}
	asked := turn("UserPromptSubmit PreToolUse PermissionRequest")
	f.typeText("1")
	s = f.waitScreen("the turn's end", func(s string) bool { return prompts(s) == 2 })
	if strings.Contains(s, "Do you want to proceed?") || strings.Contains(s, "esc to interrupt") ||
		!strings.Contains(s, "Removed build.") {
		t.Fatalf("after the turn:\n%s", s)
	}
	done := turn("PostToolUse Stop")
	pre, perm, post := asked[1].in, asked[2].in, done[0].in
	if asked[0].in["prompt"] != "perm" {
		t.Errorf("UserPromptSubmit: %v", asked[0].in)
	}
	for _, in := range []map[string]any{pre, perm, post} {
		if in["tool_name"] != "Bash" || in["tool_input"].(map[string]any)["command"] != "rm -rf build" {
			t.Errorf("%s: %v", in["hook_event_name"], in)
		}
	}
	if pre["tool_use_id"] == nil || pre["tool_use_id"] != post["tool_use_id"] {
		t.Errorf("tool_use_id %v then %v", pre["tool_use_id"], post["tool_use_id"])
	}
	if _, ok := perm["permission_suggestions"].([]any); !ok {
		t.Errorf("PermissionRequest without permission_suggestions: %v", perm)
	}
	if done[1].in["stop_hook_active"] != false {
		t.Errorf("Stop: %v", done[1].in)
	}

	// perm, refused: no PostToolUse.
	f.typeText("perm\r")
	f.waitText("Do you want to proceed?")
	turn("UserPromptSubmit PreToolUse PermissionRequest")
	f.typeText("n")
	f.waitScreen("the turn's end", func(s string) bool { return prompts(s) == 3 })
	turn("Stop")

	// ask: the question goes through PermissionRequest too.
	f.typeText("ask\r")
	s = f.waitText("Which color?")
	if !strings.Contains(s, "Enter to select") {
		t.Fatalf("the question:\n%s", s)
	}
	q := turn("UserPromptSubmit PreToolUse PermissionRequest")
	for _, c := range q[1:] {
		qs, _ := c.in["tool_input"].(map[string]any)["questions"].([]any)
		if c.in["tool_name"] != "AskUserQuestion" || len(qs) != 1 || qs[0].(map[string]any)["question"] != "Which color?" {
			t.Errorf("%s: %v", c.event(), c.in)
		}
	}
	f.typeText("2")
	f.waitScreen("the turn's end", func(s string) bool { return prompts(s) == 4 })
	answered := turn("PostToolUse Stop")
	if a := answered[0].in["tool_response"].(map[string]any)["answers"]; a.(map[string]any)["Which color?"] != "Blue" {
		t.Errorf("the answer: %v", answered[0].in)
	}

	// fail: StopFailure instead of Stop.
	f.typeText("fail\r")
	f.waitText("API Error: 401")
	f.waitScreen("the turn's end", func(s string) bool { return prompts(s) == 5 })
	failed := turn("UserPromptSubmit StopFailure")
	if failed[1].in["error"] != "authentication_failed" {
		t.Errorf("StopFailure: %v", failed[1].in)
	}

	// work: a tool that needs no permission.
	f.typeText("work\r")
	f.waitScreen("the turn's end", func(s string) bool { return prompts(s) == 6 })
	turn("UserPromptSubmit PreToolUse PostToolUse Stop")

	// slow, then Esc: the marker goes, no hook fires.
	f.typeText("slow\r")
	f.waitText("esc to interrupt")
	turn("UserPromptSubmit")
	f.typeText("\x1b")
	s = f.waitText("Interrupted")
	if strings.Contains(s, "esc to interrupt") {
		t.Fatalf("the marker outlived Esc:\n%s", s)
	}
	f.waitScreen("the prompt", func(s string) bool { return prompts(s) == 7 })

	f.typeText("bye\r")
	f.exit()
	end := turn("SessionEnd") // nothing came between Esc and bye
	if end[0].in["reason"] != "prompt_input_exit" {
		t.Errorf("SessionEnd: %v", end[0].in)
	}

	// The common fields and the environment of every hook.
	calls, tags := readCalls(t, out)
	transcript := filepath.Join(projectDir(f.home, f.project), "sess-1.jsonl")
	if _, err := os.Stat(transcript); err != nil {
		t.Errorf("no transcript: %v", err)
	}
	for _, c := range calls {
		mode, hasMode := c.in["permission_mode"]
		if c.in["session_id"] != "sess-1" || c.in["transcript_path"] != transcript || c.in["cwd"] != f.project ||
			hasMode == noPermissionMode[c.event()] || hasMode && mode != "default" {
			t.Errorf("%s: common fields %v", c.event(), c.in)
		}
		if _, ok := c.in["prompt_id"]; ok == (c.event() == "SessionStart") {
			t.Errorf("%s: prompt_id %v", c.event(), c.in["prompt_id"])
		}
		if c.projectDir != f.project || c.pwd != f.project || c.runID != "1000007" {
			t.Errorf("%s: CLAUDE_PROJECT_DIR %q, cwd %q, CORRAL_RUN_ID %q", c.event(), c.projectDir, c.pwd, c.runID)
		}
	}
	// Matchers: three Bash calls (both perms, work), no Edit or Write.
	if got := strings.Join(tags, " "); got != "BASH-ONLY BASH-ONLY BASH-ONLY" {
		t.Errorf("matcher-only hooks ran as %q", got)
	}
}

// claude -p keeps its stream, with the hooks of a one-shot run; the user's
// settings file adds its hooks to --settings', and an identical command
// runs once.
func TestPrintRunFiresHooks(t *testing.T) {
	settings, out := recorder(t)
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".claude"), 0o755); err != nil {
		t.Fatal(err)
	}
	// The same Stop command as --settings' (run once) and one of the user's own.
	var s map[string]map[string][]any
	_ = json.Unmarshal([]byte(settings), &s)
	user, _ := json.Marshal(map[string]any{"hooks": map[string]any{
		"Stop":         s["hooks"]["Stop"],
		"SessionStart": []any{map[string]any{"hooks": []any{map[string]any{"type": "command", "command": "echo USER >> '" + out + "'"}}}},
	}})
	if err := os.WriteFile(filepath.Join(home, ".claude", "settings.json"), user, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, fail := range []bool{false, true} {
		os.Remove(out)
		cmd := exec.Command(binary, "-p", "fix it", "--output-format", "stream-json", "--verbose", "--settings", settings)
		cmd.Dir = t.TempDir()
		cmd.Env = append(os.Environ(), "HOME="+home)
		if fail {
			cmd.Env = append(cmd.Env, "FAKE_CLAUDE_FAIL=1")
		}
		stream, err := cmd.Output()
		var exit *exec.ExitError
		if fail != errors.As(err, &exit) || !fail && err != nil {
			t.Fatalf("fail=%v: %v", fail, err)
		}
		for _, want := range []string{`"subtype":"init"`, `"name":"Bash"`, `"type":"result"`, `"result":"Done: fix it"`} {
			if fail && strings.Contains(want, "Done") {
				want = `"is_error":true`
			}
			if !strings.Contains(string(stream), want) {
				t.Errorf("fail=%v: the stream lacks %s:\n%s", fail, want, stream)
			}
		}
		calls, tags := readCalls(t, out)
		want := "SessionStart UserPromptSubmit PreToolUse PostToolUse Stop SessionEnd"
		if fail {
			want = "SessionStart UserPromptSubmit PreToolUse PostToolUse StopFailure SessionEnd"
		}
		if got := names(calls); got != want {
			t.Errorf("fail=%v: hooks %q, want %q", fail, got, want)
		}
		if got := strings.Join(tags, " "); got != "USER BASH-ONLY" {
			t.Errorf("fail=%v: other hooks %q", fail, got)
		}
	}
}

// A hook that hangs is killed at its timeout, and the session goes on; a
// failing hook shows on the screen; FAKE_CLAUDE_HOOK_LOG records each.
func TestHookTimeoutAndLog(t *testing.T) {
	dir := t.TempDir()
	pidFile, logFile := filepath.Join(dir, "pid"), filepath.Join(dir, "log")
	settings, _ := json.Marshal(map[string]any{"hooks": map[string]any{
		"SessionStart": []any{map[string]any{"hooks": []any{map[string]any{"type": "command", "timeout": 1,
			"command": "echo $$ > '" + pidFile + "'; exec sleep 7351"}}}},
		"UserPromptSubmit": []any{map[string]any{"hooks": []any{map[string]any{"type": "command",
			"command": "echo broken >&2; exit 1"}}}},
	}})
	began := time.Now()
	f := startFake(t, []string{"FAKE_CLAUDE_HOOK_LOG=" + logFile}, "--settings", string(settings))
	// The hook writes its pid as it starts; the file exists, empty, a moment
	// before the pid is in it.
	var pid int
	var b []byte
	var err error
	for time.Since(began) < 10*time.Second {
		if b, err = os.ReadFile(pidFile); err == nil {
			if pid, _ = strconv.Atoi(strings.TrimSpace(string(b))); pid > 0 {
				break
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	if pid <= 0 {
		t.Fatalf("no pid from the hook: %q %v", b, err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	f.waitText("fake claude session")
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("the session started %v after a hook with a 1 s timeout", took)
	}
	f.typeText("hi\r")
	f.waitText("UserPromptSubmit hook error: broken")
	f.waitText("you said: hi")
	f.typeText("bye\r")
	f.exit()
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("the timed-out hook %d still runs", pid)
	}
	lines, _ := os.ReadFile(logFile)
	var recs []hookRecord
	for _, l := range strings.Split(strings.TrimSpace(string(lines)), "\n") {
		var r hookRecord
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		recs = append(recs, r)
	}
	if len(recs) != 2 || recs[0].Event != "SessionStart" || !recs[0].TimedOut ||
		recs[1].Event != "UserPromptSubmit" || recs[1].Exit != 1 || recs[1].Stderr != "broken\n" {
		t.Fatalf("log: %+v", recs)
	}
}

// FAKE_CLAUDE_NOTIFY_AFTER: Notification idle_prompt at a prompt left
// waiting, permission_prompt at a dialog left waiting, after the
// PermissionRequest as in the real CLI.
func TestNotificationsAfterAWait(t *testing.T) {
	settings, out := recorder(t)
	f := startFake(t, []string{"FAKE_CLAUDE_NOTIFY_AFTER=300ms"}, "--settings", settings)
	until := func(want string) []hookCall {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			calls, _ := readCalls(t, out)
			if names(calls) == want {
				return calls
			}
			if time.Now().After(deadline) {
				t.Fatalf("hooks %q, want %q", names(calls), want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	calls := until("SessionStart Notification")
	if n := calls[1].in; n["notification_type"] != "idle_prompt" || n["message"] == nil {
		t.Errorf("idle notification: %v", n)
	}
	f.typeText("perm\r")
	calls = until("SessionStart Notification UserPromptSubmit PreToolUse PermissionRequest Notification")
	if n := calls[5].in; n["notification_type"] != "permission_prompt" || n["message"] != "Claude needs your permission" {
		t.Errorf("permission notification: %v", n)
	}
	if !strings.Contains(f.screen(), "Do you want to proceed?") {
		t.Errorf("the dialog went:\n%s", f.screen())
	}
	f.typeText("y")
	until("SessionStart Notification UserPromptSubmit PreToolUse PermissionRequest Notification PostToolUse Stop Notification")
}
