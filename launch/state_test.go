package launch

import (
	"encoding/json"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"corral/internal/proc"
	"corral/ipc"
	"corral/registry"
	"corral/tui"
)

// activity waits until the run's activity is want, and returns it.
func (r *rig) activity(t *testing.T, id int64, want registry.State) registry.Activity {
	t.Helper()
	var a registry.Activity
	r.until(t, "state "+want.String(), func() bool {
		info, _ := r.reg.Process(id)
		a = info.Activity
		return a.State == want
	})
	return a
}

// A plain command is active while it writes and quiet after the window of
// activity, with no hook or poll: the window's one timer decides.
func TestCommandIsActiveThenQuiet(t *testing.T) {
	r := newRig(t)
	r.l.cfg.Settings.ActiveWindow.Duration = 300 * time.Millisecond
	id, err := r.l.Launch(tui.Request{Command: `sh -c 'echo hello; read x; echo again; exec sleep 7351'`})
	if err != nil {
		t.Fatal(err)
	}
	r.activity(t, id, registry.StateActive)
	quiet := r.activity(t, id, registry.StateQuiet)
	if _, err := r.l.sp.Proc(id).Write([]byte("\n")); err != nil {
		t.Fatal(err)
	}
	active := r.activity(t, id, registry.StateActive)
	if !active.Since.After(quiet.Since) {
		t.Fatalf("active again since %v, quiet since %v", active.Since, quiet.Since)
	}
}

// startSession starts the catalog's Claude session (the fake claude) with
// hooks enabled towards socket.
func (r *rig) startSession(t *testing.T, socket string) (int64, string) {
	t.Helper()
	r.l.EnableHooks("/opt/cor'ral/bin/corral", socket)
	id, err := r.l.Launch(tui.Request{Agent: "claude"})
	if err != nil {
		t.Fatal(err)
	}
	return id, strings.TrimPrefix(r.reg.Marker(id), registry.MarkerVar+"=")
}

// A Claude Code session from the catalog gets corral's hooks in an inline
// --settings (no file written), the environment that reaches the socket,
// and the command the table shows stays the catalog's.
func TestClaudeSessionGetsHookSettings(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	r := newRig(t)
	id, _ := r.startSession(t, "/run/user/1/corral/42.sock")
	info, _ := r.reg.Process(id)
	if strings.Contains(info.Command, "--settings") {
		t.Fatalf("the shown command carries corral's hooks: %s", info.Command)
	}
	// Between its fork and its exec the child's command line is empty.
	var argv []string
	eventually(t, "the session's exec", func() bool {
		argv, _ = proc.Cmdline(info.PID)
		return len(argv) > 0
	})
	i := indexOf(argv, "--settings")
	if i < 0 || i+1 >= len(argv) {
		t.Fatalf("no --settings in %q", argv)
	}
	var s struct {
		Hooks map[string][]struct {
			Matcher string `json:"matcher"`
			Hooks   []struct {
				Type, Command string
			} `json:"hooks"`
		} `json:"hooks"`
	}
	if err := json.Unmarshal([]byte(argv[i+1]), &s); err != nil {
		t.Fatalf("settings %q: %v", argv[i+1], err)
	}
	for _, ev := range claudeHookEvents {
		h := s.Hooks[ev]
		if len(h) != 1 || len(h[0].Hooks) != 1 || h[0].Hooks[0].Type != "command" ||
			h[0].Hooks[0].Command != `'/opt/cor'\''ral/bin/corral' hook` {
			t.Fatalf("%s hooks: %+v", ev, h)
		}
	}
	if len(s.Hooks) != len(claudeHookEvents) {
		t.Fatalf("%d events hooked, want %d", len(s.Hooks), len(claudeHookEvents))
	}
	if v, _ := proc.Env(info.PID, SocketVar); v != "/run/user/1/corral/42.sock" {
		t.Fatalf("%s=%q", SocketVar, v)
	}
	if v, _ := proc.Env(info.PID, RunIDVar); v != strconv.FormatInt(id, 10) {
		t.Fatalf("%s=%q", RunIDVar, v)
	}
}

func indexOf(ss []string, s string) int {
	for i, v := range ss {
		if v == s {
			return i
		}
	}
	return -1
}

// Hook events move a session's state at once; a message of another
// instance, of an unknown run, or garbage is refused and changes nothing.
func TestHookEventsDriveTheState(t *testing.T) {
	r := newRig(t)
	id, instance := r.startSession(t, "/nowhere.sock")
	hook := func(inst string, run int64, payload string) ipc.Reply {
		return r.l.Handle(ipc.Message{Op: ipc.OpHook, Instance: inst, RunID: run, Payload: json.RawMessage(payload)})
	}
	if rep := hook(instance, id, `{"hook_event_name":"PermissionRequest","session_id":"s-1","tool_name":"Bash","tool_input":{"command":"rm -rf build"}}`); !rep.OK {
		t.Fatalf("refused: %s", rep.Error)
	}
	a := r.activity(t, id, registry.StateNeedsYou)
	if !strings.Contains(a.Detail, "rm -rf build") {
		t.Fatalf("detail %q", a.Detail)
	}
	r.until(t, "the session id from the hook", func() bool {
		info, _ := r.reg.Process(id)
		return info.SessionID == "s-1"
	})
	for _, bad := range []struct {
		inst    string
		run     int64
		payload string
	}{
		{"1.deadbeef:" + strconv.FormatInt(id, 10), id, `{"hook_event_name":"Stop"}`}, // another corral
		{instance, id + 1000, `{"hook_event_name":"Stop"}`},                           // no such run
		{instance, id, `not json`},
	} {
		if rep := hook(bad.inst, bad.run, bad.payload); rep.OK || rep.Error == "" {
			t.Fatalf("%+v accepted", bad)
		}
	}
	if rep := r.l.Handle(ipc.Message{Op: "kill", Instance: instance, RunID: id}); rep.OK {
		t.Fatal("an unknown op was accepted")
	}
	if info, _ := r.reg.Process(id); info.Activity.State != registry.StateNeedsYou {
		t.Fatalf("a refused message changed the state: %+v", info.Activity)
	}
	if rep := hook(instance, id, `{"hook_event_name":"Stop","session_id":"s-1"}`); !rep.OK {
		t.Fatalf("refused: %s", rep.Error)
	}
	r.activity(t, id, registry.StateIdle)
	// Codex's notify JSON ends a turn too.
	_ = hook(instance, id, `{"hook_event_name":"UserPromptSubmit"}`)
	r.activity(t, id, registry.StateWorking)
	if rep := hook(instance, id, `{"type":"agent-turn-complete","turn-id":"1"}`); !rep.OK {
		t.Fatalf("codex notify refused: %s", rep.Error)
	}
	r.activity(t, id, registry.StateIdle)
}

// Any run's notification sequence says it needs you, with its message.
func TestNotificationFromAnyRun(t *testing.T) {
	r := newRig(t)
	id, err := r.l.Launch(tui.Request{Command: `sh -c 'printf "\033]9;build done\007"; exec sleep 7354'`})
	if err != nil {
		t.Fatal(err)
	}
	if a := r.activity(t, id, registry.StateNeedsYou); a.Detail != "build done" {
		t.Fatalf("detail %q", a.Detail)
	}
}

// A resize changes a quiet command's screen but is not output: the command
// stays quiet until it writes.
func TestResizeLeavesAQuietCommandQuiet(t *testing.T) {
	r := newRig(t)
	r.l.cfg.Settings.ActiveWindow.Duration = 300 * time.Millisecond
	id, err := r.l.Launch(tui.Request{Command: `sh -c 'echo hello; read x; echo again; exec sleep 7352'`})
	if err != nil {
		t.Fatal(err)
	}
	r.activity(t, id, registry.StateQuiet)
	p := r.l.sp.Proc(id)
	p.SetVisible(true)
	p.Resize(60, 10)
	p.Resize(100, 30)
	wrote := time.Now()
	if _, err := p.Write([]byte("\n")); err != nil {
		t.Fatal(err)
	}
	if active := r.activity(t, id, registry.StateActive); active.Since.Before(wrote) {
		t.Fatalf("active since %v, before the run wrote at %v: the resize counted as output", active.Since, wrote)
	}
}

// A run started again in place (r, s) is active only once its new process
// writes: the output of its earlier life and the restart's marker are not
// news, though the new tracker has seen none of them.
func TestRestartedRunIsQuietUntilItWrites(t *testing.T) {
	r := newRig(t)
	r.l.cfg.Settings.ActiveWindow.Duration = time.Minute // a false "active" lasts
	flag := t.TempDir() + "/again"
	id, err := r.l.Launch(tui.Request{Command: `sh -c '[ -e ` + flag + ` ] || { touch ` + flag + `; echo first; }; exec sleep 7397'`})
	if err != nil {
		t.Fatal(err)
	}
	r.until(t, "the first life's output", func() bool { return r.reg.Output(id).Written() > 0 })
	if err := r.l.Restart(id); err != nil { // the new process writes nothing
		t.Fatal(err)
	}
	r.until(t, "the second life", func() bool { info, _ := r.reg.Process(id); return info.Restarts == 1 && info.Active() })
	// The interface sizes the new screen: no output of the run's either.
	r.l.sp.Proc(id).Resize(60, 10)
	// The launcher takes the registry's events in order: once a run
	// started after these is tracked, the restart's are handled.
	other, err := r.l.Launch(tui.Request{Command: `sh -c 'exec sleep 7396'`})
	if err != nil {
		t.Fatal(err)
	}
	r.activity(t, other, registry.StateQuiet)
	if info, _ := r.reg.Process(id); info.Activity.State != registry.StateQuiet {
		t.Fatalf("the restarted run is %v, want quiet: its new process wrote nothing", info.Activity.State)
	}
}
