package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The interactive script. The session starts with SessionStart and draws
// the prompt "> ". Each line typed is a turn:
//
//	work  UserPromptSubmit, the busy marker, PreToolUse Bash, PostToolUse, Stop
//	perm  UserPromptSubmit, PreToolUse Bash `rm -rf build`, PermissionRequest,
//	      the dialog "Do you want to proceed?"; 1, y or Enter: PostToolUse,
//	      Stop; 2 or n: Stop
//	ask   UserPromptSubmit, PreToolUse AskUserQuestion, PermissionRequest
//	      AskUserQuestion, the question "Which color?"; 1 or Enter (Red), 2
//	      (Blue): PostToolUse, Stop
//	fail  UserPromptSubmit, then StopFailure authentication_failed
//	slow  UserPromptSubmit, the busy marker until Esc
//	bye, /exit, EOF, ctrl+c or ctrl+d at an empty prompt: SessionEnd, exit
//	other UserPromptSubmit, "you said: …", Stop
//
// Esc while the marker shows, or at a dialog, interrupts the turn without a
// hook, as in the real CLI. Each working step lasts FAKE_CLAUDE_WORK.

// busyMarker is the line the real CLI shows while a turn is under way; its
// "esc to interrupt" is what screen heuristics look for.
const busyMarker = "✻ Working… (esc to interrupt)"

// session is an interactive run.
type session struct {
	o          options
	h          *hookRunner
	transcript string
	raw        bool // stdin in raw mode: the fake echoes and writes \r\n
	keys       chan key
	busy       bool // the marker is the last line drawn
	work       time.Duration
	notify     time.Duration
	pending    []key // keys typed while the turn worked, for the next prompt
	toolN      int   // tool calls so far, for their ids
	prompts    int   // prompts so far, for their ids
	messages   int   // model messages so far, for their ids
}

func newSession(o options, h *hookRunner, transcript string) *session {
	s := &session{o: o, h: h, transcript: transcript, keys: make(chan key, 256), work: workStep(), notify: notifyAfter()}
	h.errs = s.say
	return s
}

// interrupted is panicked, and recovered by turn, when Esc ends a turn;
// eof is panicked, and recovered by run, when stdin ends. The script reads
// straight through this way, with no error check after every step.
type (
	interrupted struct{}
	eof         struct{}
)

func (s *session) run() (err error) {
	restore, raw := rawTerminal()
	defer restore()
	s.raw = raw
	if err := os.MkdirAll(filepath.Dir(s.transcript), 0o755); err != nil {
		return fmt.Errorf("transcript: %w", err)
	}
	if err := os.WriteFile(s.transcript, nil, 0o644); err != nil {
		return fmt.Errorf("transcript: %w", err)
	}
	s.record("hello")
	go readKeys(os.Stdin, s.keys)
	source := "startup"
	if s.o.resume {
		source = "resume"
	}
	s.h.fire("SessionStart", map[string]any{"source": source, "model": s.o.model})
	s.say(fmt.Sprintf("fake claude session (%s)", s.o.model))
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(eof); !ok {
				panic(r)
			}
		}
		s.setBusy(false)
		s.say("")
		s.h.fire("SessionEnd", map[string]any{"reason": "prompt_input_exit"})
	}()
	for {
		s.write("\n> ")
		line := s.readLine()
		if line == "" {
			continue
		}
		s.record(line)
		switch line {
		case "bye", "/exit":
			return nil
		}
		s.turn(line)
	}
}

// turn plays one prompt; Esc ends it early, with no hook.
func (s *session) turn(line string) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(interrupted); !ok {
				panic(r)
			}
			s.setBusy(false)
			s.say("  ⎿  Interrupted · What should Claude do instead?")
		}
	}()
	s.prompts++
	s.h.common["prompt_id"] = fmt.Sprintf("00000000-0000-4000-8000-%012d", s.prompts)
	s.h.fire("UserPromptSubmit", map[string]any{"prompt": line})
	switch line {
	case "work":
		s.setBusy(true)
		s.tool("Bash", map[string]any{"command": "ls -la", "description": "List files"}, false, "a\nb\nc")
		s.step()
		s.stop("Listed the files.")
	case "perm":
		s.setBusy(true)
		s.step()
		in := map[string]any{"command": "rm -rf build", "description": "Remove the build directory"}
		if s.tool("Bash", in, true, "") {
			s.step()
			s.stop("Removed build.")
		} else {
			s.stop("")
		}
	case "ask":
		s.setBusy(true)
		s.step()
		s.tool("AskUserQuestion", map[string]any{"questions": []any{map[string]any{
			"question": "Which color?", "header": "Color", "multiSelect": false,
			"options": []any{
				map[string]any{"label": "Red", "description": "The colour red"},
				map[string]any{"label": "Blue", "description": "The colour blue"},
			},
		}}}, true, "")
		s.step()
		s.stop("You chose.")
	case "fail":
		s.setBusy(true)
		s.step()
		s.setBusy(false)
		msg := `API Error: 401 {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`
		// What the real CLI records of a failed call: a message of its own
		// making, with no usage.
		s.log(map[string]any{"type": "assistant", "isApiErrorMessage": true, "message": map[string]any{
			"id": fmt.Sprintf("00000000-0000-4000-8000-%012d", s.prompts), "type": "message", "role": "assistant",
			"model": "<synthetic>", "content": []any{map[string]any{"type": "text", "text": msg}},
			"usage": tokens(0, 0, 0, 0)}})
		s.say("● " + msg + " · Please run /login")
		s.h.fire("StopFailure", map[string]any{"error": "authentication_failed", "error_details": msg,
			"last_assistant_message": msg})
	case "slow":
		s.setBusy(true)
		for {
			s.wait(time.Hour)
		}
	default:
		s.setBusy(true)
		s.step()
		s.stop("you said: " + line)
	}
}

// tool plays a tool call: PreToolUse, then with ask the permission dialog
// (PermissionRequest, the choice), then the tool's run and PostToolUse. It
// returns false when the call was refused.
func (s *session) tool(name string, input map[string]any, ask bool, output string) bool {
	s.toolN++
	id := fmt.Sprintf("toolu_fake%04d", s.toolN)
	s.h.fire("PreToolUse", map[string]any{"tool_name": name, "tool_input": input, "tool_use_id": id})
	s.reply(map[string]any{"type": "text", "text": "Using " + name + "."},
		map[string]any{"type": "tool_use", "id": id, "name": name, "input": input})
	summary, _ := input["command"].(string)
	s.say(fmt.Sprintf("● %s(%s)", name, summary))
	var response any = map[string]any{"stdout": output, "stderr": "", "interrupted": false, "isImage": false}
	if ask {
		suggestions := []any{}
		if name == "Bash" {
			suggestions = append(suggestions, map[string]any{"type": "addRules", "behavior": "allow",
				"destination": "localSettings", "rules": []any{map[string]any{"toolName": name, "ruleContent": summary}}})
		}
		s.h.fire("PermissionRequest", map[string]any{"tool_name": name, "tool_input": input,
			"permission_suggestions": suggestions})
		var choice int
		if name == "AskUserQuestion" {
			choice = s.dialog([]string{
				"☐ Color",
				"",
				"Which color?",
				"",
				"❯ 1. Red",
				"     The colour red",
				"  2. Blue",
				"     The colour blue",
				"",
				"Enter to select · ↑/↓ to navigate · Esc to cancel",
			}, 2)
			label := []string{"Red", "Blue"}[choice-1]
			response = map[string]any{"questions": input["questions"], "answers": map[string]any{"Which color?": label}}
			output = "User answered: " + label
		} else {
			choice = s.dialog([]string{
				"Bash command",
				"",
				"  " + summary,
				"  " + fmt.Sprint(input["description"]),
				"",
				"Do you want to proceed?",
				"❯ 1. Yes",
				"  2. No",
				"",
				"Esc to cancel",
			}, 2)
		}
		if choice == 2 && name != "AskUserQuestion" {
			s.say("  ⎿  User rejected the command")
			return false
		}
		s.setBusy(true)
	}
	s.step()
	s.h.fire("PostToolUse", map[string]any{"tool_name": name, "tool_input": input, "tool_use_id": id,
		"tool_response": response, "duration_ms": s.work.Milliseconds()})
	s.log(map[string]any{"type": "user", "message": map[string]any{"role": "user", "content": []any{
		map[string]any{"type": "tool_result", "tool_use_id": id, "content": output}}}})
	if output != "" {
		s.say("  ⎿  " + strings.ReplaceAll(output, "\n", " "))
	}
	return true
}

// stop ends a turn: the marker goes, the answer shows, Stop fires.
func (s *session) stop(answer string) {
	s.setBusy(false)
	if answer != "" {
		s.reply(map[string]any{"type": "text", "text": answer})
		s.say("● " + answer)
	}
	s.say("✻ Worked for 1s · done")
	s.h.fire("Stop", map[string]any{"stop_hook_active": false, "last_assistant_message": answer,
		"background_tasks": []any{}, "session_crons": []any{}})
}

// dialog draws a choice over the last lines and waits for it: a digit up
// to n picks at once ("y" and "n" are 1 and 2), Enter picks the first, Esc
// interrupts the turn. The dialog is erased once answered, as the real CLI
// does.
func (s *session) dialog(lines []string, n int) int {
	s.setBusy(false)
	s.say("╭" + strings.Repeat("─", 40))
	for _, l := range lines {
		s.say("│ " + l)
	}
	s.say("╰" + strings.Repeat("─", 40))
	var notified bool
	for {
		var k key
		if !notified && s.notify > 0 {
			var ok bool
			if k, ok = s.next(s.notify); !ok {
				notified = true
				s.h.fire("Notification", map[string]any{"notification_type": "permission_prompt",
					"message": "Claude needs your permission"})
				continue
			}
		} else {
			k, _ = s.next(0)
		}
		choice := 0
		switch {
		case k.kind == keyEOF:
			panic(eof{})
		case k.kind == keyEsc:
			s.erase(len(lines) + 2)
			panic(interrupted{})
		case k.b == '\r' || k.b == '\n' || k.b == 'y':
			choice = 1
		case k.b == 'n':
			choice = 2
		case k.b >= '1' && int(k.b-'0') <= n:
			choice = int(k.b - '0')
		}
		if choice > 0 {
			s.erase(len(lines) + 2)
			return choice
		}
	}
}

// step is one working step: FAKE_CLAUDE_WORK of time, cut short by Esc.
func (s *session) step() { s.wait(s.work) }

// wait lets d pass while working; Esc interrupts the turn. Keys typed
// meanwhile are kept for the next prompt, as the real CLI queues them.
func (s *session) wait(d time.Duration) {
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return
		}
		k, ok := s.next(left)
		if !ok {
			return
		}
		switch {
		case k.kind == keyEsc || k.kind == keyByte && k.b == 0x03:
			panic(interrupted{})
		case k.kind == keyEOF:
			panic(eof{})
		default:
			s.pending = append(s.pending, k)
		}
	}
}

// next returns the next key, waiting at most d (0: for ever); ok is false
// when d passed first.
func (s *session) next(d time.Duration) (key, bool) {
	if len(s.pending) > 0 {
		k := s.pending[0]
		s.pending = s.pending[1:]
		return k, true
	}
	if d <= 0 {
		return <-s.keys, true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case k := <-s.keys:
		return k, true
	case <-t.C:
		return key{}, false
	}
}

// readLine reads a prompt line, echoing it in raw mode. EOF, or ctrl+c or
// ctrl+d on an empty line, ends the session.
func (s *session) readLine() string {
	var line []byte
	notified := s.notify <= 0
	for {
		d := time.Duration(0)
		if !notified {
			d = s.notify
		}
		k, ok := s.next(d)
		if !ok {
			notified = true
			s.h.fire("Notification", map[string]any{"notification_type": "idle_prompt",
				"message": "Claude is waiting for your input"})
			continue
		}
		switch {
		case k.kind == keyEOF:
			panic(eof{})
		case k.kind == keyEsc:
		case k.b == '\r' || k.b == '\n':
			s.write("\n")
			return string(line)
		case k.b == 0x03 || k.b == 0x04:
			if len(line) == 0 {
				panic(eof{})
			}
			if k.b == 0x03 {
				s.write(strings.Repeat("\b \b", len([]rune(string(line)))))
				line = line[:0]
			}
		case k.b == 0x7f || k.b == 0x08:
			if len(line) > 0 {
				r := []rune(string(line))
				line = []byte(string(r[:len(r)-1]))
				s.write("\b \b")
			}
		case k.b >= 0x20 || k.b == '\t':
			line = append(line, k.b)
			if s.raw {
				os.Stdout.Write([]byte{k.b})
			}
		}
	}
}

// setBusy draws or erases the busy marker, kept as the last line.
func (s *session) setBusy(on bool) {
	switch {
	case on && !s.busy:
		s.write(busyMarker)
	case !on && s.busy:
		s.write("\r\x1b[2K")
	}
	s.busy = on
}

// say writes a line above the busy marker.
func (s *session) say(line string) {
	if s.busy {
		s.write("\r\x1b[2K" + line + "\n" + busyMarker)
		return
	}
	s.write(line + "\n")
}

// erase removes the last n lines written.
func (s *session) erase(n int) { s.write(fmt.Sprintf("\x1b[%dA\r\x1b[J", n)) }

// write writes to the terminal, with \r\n for \n in raw mode.
func (s *session) write(text string) {
	if s.raw {
		text = strings.ReplaceAll(text, "\n", "\r\n")
	}
	_, _ = os.Stdout.WriteString(text)
}

// record adds a user message to the transcript, as Claude Code does for
// each prompt.
func (s *session) record(text string) {
	s.log(map[string]any{"type": "user", "message": map[string]any{"role": "user", "content": text}})
}

// reply adds a model message to the transcript: a line for each content
// block, each with the message's id and usage (messageUsage), as Claude
// Code writes them.
func (s *session) reply(blocks ...map[string]any) {
	s.messages++
	id := fmt.Sprintf("msg_fake%04d", s.messages)
	for _, b := range blocks {
		s.log(map[string]any{"type": "assistant", "message": assistant(id, b)})
	}
}

// log appends a line to the transcript, with the session id and the time.
func (s *session) log(line map[string]any) {
	line["sessionId"] = s.o.sessionID
	line["timestamp"] = time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	b, _ := json.Marshal(line)
	f, err := os.OpenFile(s.transcript, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.Write(append(b, '\n'))
}
