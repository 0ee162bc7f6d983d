package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"corral/ipc"
)

// hookRun is one `corral hook` of the real binary.
type hookRun struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

// runHookBinary runs bin as `corral hook` with stdin and the CORRAL_*
// variables in vars (any inherited ones removed first).
func runHookBinary(t *testing.T, bin string, stdin []byte, vars map[string]string, args ...string) hookRun {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"hook"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CORRAL_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := hookRun{stdout: out.String(), stderr: errb.String(), took: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

// quiet checks the promises `corral hook` keeps in every case: exit 0,
// nothing printed, back within 1 s (a hard product limit: Claude Code waits).
func (r hookRun) quiet(t *testing.T) {
	t.Helper()
	if r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0 and nothing printed", r.code, r.stdout, r.stderr)
	}
	if r.took >= time.Second {
		t.Errorf("took %v, the limit is 1 s", r.took)
	}
}

func TestHookCommand(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "corral")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	sockDir, err := os.MkdirTemp("", "hook") // short: sun_path is 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(sockDir)
	got := make(chan ipc.Message, 10)
	srv, err := ipc.Listen(sockDir, func(m ipc.Message) ipc.Reply { got <- m; return ipc.Reply{OK: true} })
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env := func(overrides ...string) map[string]string {
		vars := map[string]string{"CORRAL_SOCKET": srv.Path(), "CORRAL_RUN_ID": "42", "CORRAL_RUN": "inst-1"}
		for i := 0; i+1 < len(overrides); i += 2 {
			if overrides[i+1] == "" {
				delete(vars, overrides[i])
			} else {
				vars[overrides[i]] = overrides[i+1]
			}
		}
		return vars
	}
	received := func(t *testing.T) (ipc.Message, bool) {
		t.Helper()
		select {
		case m := <-got:
			return m, true
		default: // the hook has exited: whatever it sent was handled
			return ipc.Message{}, false
		}
	}

	t.Run("forwards the payload exactly", func(t *testing.T) {
		payload := `{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"a <b && c > d","note":"é ✓ \u2028"}}`
		runHookBinary(t, bin, []byte(payload+"\n"), env()).quiet(t)
		m, ok := received(t)
		if !ok {
			t.Fatal("the server received nothing")
		}
		if m.Op != ipc.OpHook || m.RunID != 42 || m.Instance != "inst-1" || string(m.Payload) != payload {
			t.Errorf("received %+v (payload %s), want op hook, run 42, instance inst-1, payload %s", m, m.Payload, payload)
		}
	})

	t.Run("takes Codex's JSON argument instead of stdin", func(t *testing.T) {
		arg := `{"type":"agent-turn-complete","turn-id":"7","last-assistant-message":"done"}`
		// Stdin holds other JSON: with an argument it is not read.
		runHookBinary(t, bin, []byte(`{"not":"this"}`), env(), arg).quiet(t)
		m, ok := received(t)
		if !ok {
			t.Fatal("the server received nothing")
		}
		if string(m.Payload) != arg {
			t.Errorf("payload %s, want %s", m.Payload, arg)
		}
	})

	t.Run("compacts a pretty-printed payload onto one line", func(t *testing.T) {
		pretty := "{\n  \"hook_event_name\": \"Stop\",\n  \"stop_hook_active\": false\n}\n"
		runHookBinary(t, bin, []byte(pretty), env()).quiet(t)
		m, ok := received(t)
		if !ok {
			t.Fatal("the server received nothing")
		}
		if want := `{"hook_event_name":"Stop","stop_hook_active":false}`; string(m.Payload) != want {
			t.Errorf("payload %s, want %s", m.Payload, want)
		}
	})

	huge, _ := json.Marshal(map[string]string{"tool_response": strings.Repeat("x", 2<<20)})
	for _, tc := range []struct {
		name  string
		stdin string
		env   map[string]string
	}{
		{"garbage stdin", "this is not json {", env()},
		{"empty stdin", "", env()},
		{"stdin over 1 MiB", string(huge), env()},
		{"no CORRAL_RUN_ID", `{}`, env("CORRAL_RUN_ID", "")},
		{"a malformed CORRAL_RUN_ID", `{}`, env("CORRAL_RUN_ID", "4x2")},
		{"a negative CORRAL_RUN_ID", `{}`, env("CORRAL_RUN_ID", "-1")},
		{"no CORRAL_RUN", `{}`, env("CORRAL_RUN", "")},
		{"no CORRAL_SOCKET", `{}`, env("CORRAL_SOCKET", "")},
		{"no corral listening", `{}`, env("CORRAL_SOCKET", filepath.Join(sockDir, "1.sock"))},
		{"a socket path too long", `{}`, env("CORRAL_SOCKET", "/tmp/"+strings.Repeat("s", 200)+".sock")},
	} {
		t.Run("drops: "+tc.name, func(t *testing.T) {
			runHookBinary(t, bin, []byte(tc.stdin), tc.env).quiet(t)
			if m, ok := received(t); ok {
				t.Errorf("the server received %+v", m)
			}
		})
	}

	t.Run("gives up on a server that never answers", func(t *testing.T) {
		path := filepath.Join(sockDir, "stall.sock")
		ln, err := net.Listen("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		held := make(chan net.Conn, 1)
		go func() {
			if c, err := ln.Accept(); err == nil {
				held <- c // accepted, never read, never answered
			}
		}()
		r := runHookBinary(t, bin, []byte(`{}`), env("CORRAL_SOCKET", path))
		r.quiet(t)
		if r.took < hookBudget/2 {
			t.Errorf("returned after %v: it did not wait for the stalled server at all", r.took)
		}
		select {
		case c := <-held:
			c.Close()
		case <-time.After(time.Second):
			t.Error("the hook never connected to the stalled server")
		}
	})

	t.Run("gives up on stdin that never ends", func(t *testing.T) {
		cmd := exec.Command(bin, "hook")
		cmd.Env = append(os.Environ(), "CORRAL_SOCKET="+srv.Path(), "CORRAL_RUN_ID=42", "CORRAL_RUN=inst-1")
		w, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(`{"hook_event_name":"Pre`)) // and then nothing, pipe left open
		err = cmd.Wait()
		if d := time.Since(start); d >= time.Second {
			t.Errorf("took %v, the limit is 1 s", d)
		}
		if err != nil || out.Len() > 0 {
			t.Errorf("err %v, output %q; want exit 0 and nothing", err, out.String())
		}
		if m, ok := received(t); ok {
			t.Errorf("the server received %+v", m)
		}
	})
}
