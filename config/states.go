package config

import (
	"fmt"
	"regexp"
	"strings"
)

// States are a catalog entry's screen patterns, regular expressions
// matched without regard to case against the text of its emulated screen:
// Working is its busy marker, Waiting the text it shows when it waits for
// the person (a permission prompt, a question).
type States struct {
	Working string `toml:"working"`
	Waiting string `toml:"waiting"`

	working, waiting *regexp.Regexp // compiled at load
}

// The hook integrations HookKind names.
const (
	// HookClaude: Claude Code's hooks, through --settings.
	HookClaude = "claude"
	// HookCodex: Codex's notify program, through -c.
	HookCodex = "codex"
)

// defaultStates are the built-in patterns by program name, for entries
// that give none. The strings are the agents' own (Claude Code 2.1, Codex
// CLI, Gemini CLI, aider); a changed UI is taught with [agent.states].
var defaultStates = map[string]States{
	"claude": {
		Working: `esc to interrupt`,
		// The permission prompt, a question's list, and the dialogs that
		// end in "Esc to cancel".
		Waiting: `Do you want to proceed\?|Would you like to proceed|Do you want to make this edit|` +
			`Do you want to create|Enter to select|Esc to cancel`,
	},
	"codex": {
		Working: `esc to interrupt`,
		Waiting: `Would you like to run the following command\?|Would you like to make the following edits\?|` +
			`Would you like to grant these permissions\?|Allow command\?|Press enter to confirm or esc to cancel`,
	},
	"gemini": {
		Working: `esc to cancel`,
		Waiting: `Allow execution|Apply this change|Waiting for user confirmation`,
	},
	"aider": {
		Waiting: `\(Y\)es/\(N\)o`,
	},
}

// defaultPatterns are defaultStates compiled.
var defaultPatterns = func() map[string][2]*regexp.Regexp {
	m := map[string][2]*regexp.Regexp{}
	for prog, st := range defaultStates {
		var p [2]*regexp.Regexp
		for i, s := range []string{st.Working, st.Waiting} {
			if s == "" {
				continue
			}
			re, err := compileState(s)
			if err != nil {
				panic(fmt.Sprintf("built-in %s pattern %q: %v", prog, s, err)) // a build defect, caught by tests
			}
			p[i] = re
		}
		m[prog] = p
	}
	return m
}()

// compileState compiles a screen pattern, without regard to case. A
// pattern that matches an empty screen would match every screen, and is
// refused.
func compileState(pattern string) (*regexp.Regexp, error) {
	re, err := regexp.Compile("(?i)" + pattern)
	if err != nil {
		return nil, fmt.Errorf("%q is not a regular expression: %w", pattern, err)
	}
	if re.MatchString("") {
		return nil, fmt.Errorf("%q matches an empty screen, so it would match every screen", pattern)
	}
	return re, nil
}

// Program is the base name of the entry's program ("claude" for
// ["/usr/local/bin/claude", …]).
func (a Agent) Program() string {
	if len(a.Command) == 0 {
		return ""
	}
	p := a.Command[0]
	return p[strings.LastIndexByte(p, '/')+1:]
}

// HookKind is the hook integration corral adds to the entry's runs:
// HookClaude for an entry whose program is claude, HookCodex for codex,
// "" for any other or when its hooks are "off".
func (a Agent) HookKind() string {
	if a.Hooks == HooksOff {
		return ""
	}
	switch a.Program() {
	case "claude":
		return HookClaude
	case "codex":
		return HookCodex
	}
	return ""
}

// StatePatterns are the entry's screen patterns, each its own when it
// gives one, else the built-in default of its program (claude, codex,
// gemini, aider); nil where there is neither. They match without regard to
// case.
func (a Agent) StatePatterns() (working, waiting *regexp.Regexp) {
	def := defaultPatterns[a.Program()]
	working = pattern(a.States.working, a.States.Working, def[0])
	waiting = pattern(a.States.waiting, a.States.Waiting, def[1])
	return working, waiting
}

// pattern is the compiled pattern, else source compiled (an Agent made
// in code rather than loaded; a bad one gives none), else the default.
func pattern(compiled *regexp.Regexp, source string, def *regexp.Regexp) *regexp.Regexp {
	switch {
	case compiled != nil:
		return compiled
	case source != "":
		if re, err := compileState(source); err == nil {
			return re
		}
		return nil
	}
	return def
}
