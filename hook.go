package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"corral/ipc"
)

// hookBudget bounds all of `corral hook`: reading stdin, dialling, writing
// and reading the reply. Claude Code waits for the hook on every tool call,
// and the product promises it returns within 1 s whatever happens.
const hookBudget = 600 * time.Millisecond

// maxHookInput is the most of stdin a hook forwards, leaving room in the
// socket's ipc.MaxLine for the message around it.
const maxHookInput = ipc.MaxLine - 4096

// runHook is `corral hook`, the command every Claude Code hook that corral
// adds runs: it forwards the hook's JSON (stdin) to the corral instance at
// CORRAL_SOCKET as an ipc.OpHook message from the run CORRAL_RUN_ID of the
// instance CORRAL_RUN. It prints nothing (on SessionStart and
// UserPromptSubmit Claude Code puts a hook's stdout into the model's
// context) and returns 0 in every case: a missing or malformed variable,
// stdin that is not JSON or longer than maxHookInput, no corral, a refusal or
// a timeout each drop the message silently.
//
// Codex runs its notify program with the JSON as its last argument instead:
// with an argument, stdin is not read (it may be the agent's terminal).
func runHook(args []string, stdin io.Reader, getenv func(string) string) int {
	if len(args) > 0 {
		stdin = strings.NewReader(args[len(args)-1])
	}
	deadline := time.Now().Add(hookBudget)
	path, instance := getenv("CORRAL_SOCKET"), getenv("CORRAL_RUN")
	id, err := strconv.ParseInt(getenv("CORRAL_RUN_ID"), 10, 64)
	if path == "" || instance == "" || err != nil || id <= 0 {
		return 0
	}
	payload, ok := readHookInput(stdin, deadline)
	if !ok {
		return 0
	}
	// The reply does not matter: there is nothing useful to do on failure.
	ipc.Send(path, ipc.Message{Op: ipc.OpHook, Instance: instance, RunID: id, Payload: payload}, time.Until(deadline))
	return 0
}

// readHookInput reads the one JSON value on stdin, compacted onto one line,
// giving up at deadline (a writer that never finishes) or past maxHookInput.
// It returns as soon as the value is complete, without waiting for EOF.
func readHookInput(stdin io.Reader, deadline time.Time) (json.RawMessage, bool) {
	done := make(chan json.RawMessage, 1)
	go func() {
		// Left blocked on stdin if the deadline passes; the process exits.
		var raw json.RawMessage
		if err := json.NewDecoder(io.LimitReader(stdin, maxHookInput)).Decode(&raw); err != nil {
			done <- nil
			return
		}
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			done <- nil
			return
		}
		done <- b.Bytes()
	}()
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case p := <-done:
		return p, p != nil
	case <-t.C:
		return nil, false
	}
}
