// Package clip copies text to the clipboard of the terminal a person looks
// at, with the OSC 52 escape sequence (which reaches it over SSH too), and
// saves a run's output to a file.
//
// Inside tmux an application's OSC 52 reaches the outer terminal in one of
// two ways. With `set -s set-clipboard on`, tmux takes the plain sequence
// itself: it keeps a paste buffer and sets the outer terminal's clipboard.
// With tmux's default, `external`, tmux ignores it; the sequence then has
// to be wrapped in tmux's passthrough (ESC P tmux; … ESC \), which tmux
// 3.3 and later forward only with `set -g allow-passthrough on`. With
// neither, nothing reaches the clipboard, and Target.Blocked says so.
package clip

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"corral/internal/child"
)

// MaxSequence is the longest sequence Copy and Sequence return, in bytes:
// terminals limit OSC 52 (Chromium's hterm and the osc52 scripts for vim
// and tmux use 100,000 bytes; some accept more, others cut or drop what is
// longer without a word), so a longer copy is refused with ErrTooLarge and
// the person can save the lines to a file instead. It holds MaxText bytes
// of text.
const MaxSequence = 100_000

// MaxText is the most text a sequence of MaxSequence bytes holds: 74,994
// bytes, base64 taking 4 bytes for 3.
const MaxText = (MaxSequence - len(osc52Prefix) - len(osc52End)) / 4 * 3

const (
	osc52Prefix = "\x1b]52;c;" // OSC 52 ; c(lipboard) ;
	osc52End    = "\a"         // BEL, which tmux and every terminal accept as the end
)

// ErrTooLarge is the error of a copy longer than MaxSequence allows.
var ErrTooLarge = errors.New("too large for the terminal's clipboard")

// Sequence returns the OSC 52 sequence that sets the system clipboard to
// text: ESC ] 52 ; c ; <text in base64> BEL. Text longer than MaxText
// gives ErrTooLarge and no sequence.
func Sequence(text string) (string, error) {
	seq := osc52Prefix + base64.StdEncoding.EncodeToString([]byte(text)) + osc52End
	if len(seq) > MaxSequence {
		return "", fmt.Errorf("copy %d bytes: %w (%d bytes at most)", len(text), ErrTooLarge, MaxText)
	}
	return seq, nil
}

// TmuxPassthrough wraps seq in tmux's passthrough, ESC P tmux; <seq with
// each ESC doubled> ESC \, for tmux to hand to the outer terminal as it is
// (with allow-passthrough on).
func TmuxPassthrough(seq string) string {
	return "\x1bPtmux;" + strings.ReplaceAll(seq, "\x1b", "\x1b\x1b") + "\x1b\\"
}

// Target is the terminal that copies go to: inside tmux or not, and how
// that tmux is set. The zero Target is a terminal outside tmux.
type Target struct {
	Tmux bool // inside tmux ($TMUX is set)
	// SetClipboard is tmux's set-clipboard option: "on", "external",
	// "off", or "" when it could not be asked.
	SetClipboard string
	// Passthrough reports that tmux's allow-passthrough is on (or all).
	Passthrough bool
}

// Detect returns the Target of this process's terminal, asking the tmux
// it runs in (if any) for its options with `tmux display-message`. It runs
// a process: call it from a command, not from Update. When tmux cannot be
// asked, the Target says so with an empty SetClipboard and the error
// tells why.
func Detect(ctx context.Context) (Target, error) {
	if os.Getenv("TMUX") == "" {
		return Target{}, nil
	}
	t := Target{Tmux: true}
	args := []string{"display-message", "-p"}
	if pane := os.Getenv("TMUX_PANE"); pane != "" {
		args = append(args, "-t", pane)
	}
	args = append(args, "#{set-clipboard}|#{allow-passthrough}")
	out, err := child.Output(exec.CommandContext(ctx, "tmux", args...))
	if err != nil {
		return t, fmt.Errorf("ask tmux for its clipboard options: %w", err)
	}
	setClipboard, passthrough, _ := strings.Cut(string(bytes.TrimSpace(out)), "|")
	t.SetClipboard = setClipboard
	switch passthrough {
	case "1", "on", "all": // a flag before tmux 3.4, a choice since
		t.Passthrough = true
	}
	return t, nil
}

// Copy returns what to write to the terminal to copy text: Sequence's,
// wrapped in TmuxPassthrough inside a tmux whose set-clipboard is not on
// but whose allow-passthrough is. When tmux's options are not known both
// are written, one after the other: each tmux setting lets one of them
// through, and the clipboard is set to the same text either way. Text
// longer than MaxText gives ErrTooLarge (the limit is the outer
// terminal's, which receives the sequence unwrapped).
func (t Target) Copy(text string) (string, error) {
	seq, err := Sequence(text)
	switch {
	case err != nil || !t.Tmux || t.SetClipboard == "on":
		return seq, err
	case t.Passthrough:
		seq = TmuxPassthrough(seq)
	case t.SetClipboard == "":
		seq += TmuxPassthrough(seq)
	}
	return seq, nil
}

// Blocked returns why a copy cannot reach the clipboard, for the status
// line ("" when it can, as far as corral can tell): inside a tmux with
// neither set-clipboard on nor allow-passthrough on.
func (t Target) Blocked() string {
	if !t.Tmux || t.SetClipboard == "on" || t.SetClipboard == "" || t.Passthrough {
		return ""
	}
	return "tmux needs set-clipboard on" // the README says where
}
