package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultCatalog(t *testing.T) {
	c := Default()
	want := []string{"shell", "claude", "claude-run", "codex", "aider", "gemini"}
	if len(c.Agents) != len(want) {
		t.Fatalf("%d agents", len(c.Agents))
	}
	for i, name := range want {
		if c.Agents[i].Name != name {
			t.Fatalf("agent %d = %q, want %q", i, c.Agents[i].Name, name)
		}
	}
	if c.Settings.ScrollbackLines != 10_000 || c.Settings.KillGrace.Duration != 5*time.Second {
		t.Fatalf("settings %+v", c.Settings)
	}
	run, _ := c.Agent("claude-run")
	got := run.Command.Expand(Vars{Task: "hi", Model: "opus"})
	if strings.Join(got, " ") != "claude -p hi --model opus --output-format stream-json --verbose" ||
		run.Format != FormatStreamJSON || run.Kind != KindAgent {
		t.Fatalf("claude-run: %q %v %v", got, run.Format, run.Kind)
	}
	sess, _ := c.Agent("claude")
	if !sess.Command.Uses("{session_id}") || sess.Kind != KindSession {
		t.Fatal("the claude session does not pass a session id")
	}
}

func TestMissingDefaultFileGivesTheDefault(t *testing.T) {
	c, err := Load(filepath.Join(t.TempDir(), "none.toml"), false)
	if err != nil || len(c.Agents) != 6 || c.Path != "" {
		t.Fatalf("Load of a missing default file: %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.toml"), true); err == nil {
		t.Fatal("a missing --config file was accepted")
	}
}

func TestDefaultPathFollowsXDG(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/x/cfg")
	if got := DefaultPath(); got != "/x/cfg/corral/config.toml" {
		t.Fatal(got)
	}
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("HOME", "/home/u")
	if got := DefaultPath(); got != "/home/u/.config/corral/config.toml" {
		t.Fatal(got)
	}
}

func TestHostileTasksStayOneArgvWord(t *testing.T) {
	tmpl := Template{"agent", "--task", "{task}", "--in={project}", "-m", "{model}"}
	for _, task := range []string{
		`it's "quoted"`, "a; rm -rf /", "$(touch /tmp/pwned)", "`id`", "line one\nline two", "$HOME ${PATH}",
		"--model=evil", "  spaces  ", "{model}", "* ? [a]", "\x00nul",
	} {
		got := tmpl.Expand(Vars{Task: task, Project: "/p q", Model: "m"})
		want := []string{"agent", "--task", task, "--in=/p q", "-m", "m"}
		if strings.Join(got, "\x01") != strings.Join(want, "\x01") {
			t.Errorf("task %q: argv %q", task, got)
		}
	}
}

func TestEmptyPlaceholderDropsItsFlag(t *testing.T) {
	tmpl := Template{"claude", "-p", "{task}", "--model", "{model}", "--x={model}", "--verbose"}
	got := tmpl.Expand(Vars{Task: "t"})
	if strings.Join(got, " ") != "claude -p t --x= --verbose" {
		t.Fatalf("%q", got)
	}
}

func TestTemplateWrittenAsAString(t *testing.T) {
	c := mustParse(t, `[[agent]]
name = "x"
kind = "agent"
command = "run --task {task} 'two words' \"q\""
`)
	got := c.Agents[0].Command.Expand(Vars{Task: "a b"})
	if strings.Join(got, "|") != "run|--task|a b|two words|q" {
		t.Fatalf("%q", got)
	}
	_, err := parse("t.toml", "[[agent]]\nname = \"x\"\nkind = \"agent\"\ncommand = \"run $HOME\"\n")
	if err == nil || !strings.Contains(err.Error(), "t.toml:4") || !strings.Contains(err.Error(), "array of words") {
		t.Fatalf("a string template with $: %v", err)
	}
}

func mustParse(t *testing.T, text string) *Config {
	t.Helper()
	c, err := parse("test.toml", text)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConfigErrorsNameFileLineAndField(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
		want       string
	}{
		{"syntax", "[settings]\nscrollback_lines = = 3\n", 2, "scrollback_lines"},
		{"bad kind", "[[agent]]\nname = \"a\"\nkind = \"command\"\ncommand = [\"x\"]\n[[agent]]\nname = \"b\"\nkind = \"agnet\"\ncommand = [\"x\"]\n",
			7, `agent "b" kind: must be "agent", "session" or "command", not "agnet"`},
		{"missing kind", "[[agent]]\nname = \"a\"\ncommand = [\"x\"]\n", 1, `agent "a" kind: missing`},
		{"unknown placeholder", "[[agent]]\nname = \"a\"\nkind = \"agent\"\ncommand = [\"x\", \"{taks}\"]\n", 4,
			"unknown placeholder {taks}"},
		{"bad duration", "[settings]\nkill_grace = \"5 seconds\"\n", 2, `settings.kill_grace: must be a duration such as "5s" or "500ms" (or a number of seconds), not "5 seconds"`},
		{"unknown field", "[settings]\nscrolback_lines = 5\n", 2, "settings.scrolback_lines: unknown field"},
		{"bad colour", "[theme]\naccent = \"purple\"\n", 2, `"purple" is not a colour`},
		{"duplicate agent", "[[agent]]\nname = \"a\"\nkind = \"agent\"\ncommand = \"x\"\n[[agent]]\nname = \"a\"\nkind = \"agent\"\ncommand = \"x\"\n",
			6, `"a" is defined twice`},
		{"wrong type", "[settings]\nscrollback_lines = \"many\"\n", 2, "scrollback_lines"},
		{"empty command", "[[agent]]\nname = \"a\"\nkind = \"agent\"\ncommand = []\n", 4, "the program is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse("/etc/corral.toml", tt.text)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T)", err, err)
			}
			if ce.Line != tt.line || ce.Path != "/etc/corral.toml" || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q (line %d), want line %d and %q", err, ce.Line, tt.line, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "/etc/corral.toml:") {
				t.Fatalf("error %q does not start with the file and line", err)
			}
		})
	}
}

func TestLoadAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	text := "[settings]\nkill_grace = 2\n\n[keys]\nkill = [\"K\", \"delete\"]\n\n[theme]\naccent = \"#ff0000\"\n\n" +
		"[[agent]]\nname = \"build\"\nkind = \"command\"\ncommand = [\"make\", \"-C\", \"{project}\"]\nenv = { CI = \"1\" }\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, true)
	if err != nil {
		t.Fatal(err)
	}
	if c.Settings.KillGrace.Duration != 2*time.Second || c.Settings.ScrollbackLines != 10_000 {
		t.Fatalf("settings %+v", c.Settings)
	}
	if strings.Join(c.Keys["kill"], ",") != "K,delete" || c.Theme["accent"] != "#ff0000" {
		t.Fatalf("keys %v theme %v", c.Keys, c.Theme)
	}
	if a, ok := c.Agent("build"); !ok || a.Env["CI"] != "1" || a.Command.Expand(Vars{Project: "/p"})[2] != "/p" {
		t.Fatalf("agent %+v", a)
	}
}
