package tui

import (
	"strings"
	"testing"
)

// The form shows the fields the chosen entry uses, sends a name, sends no
// task typed for another entry, and hints the entry's own directory.
func TestFormFieldsFollowTheEntry(t *testing.T) {
	m, _, l := newTestModel(t, 100, 40)
	l.agents = []Agent{
		{Name: "shell", Available: true, Description: "your shell", Dir: "~/src/dots"},
		{Name: "writer", Available: true, NeedsTask: true, DefaultModel: "opus"},
		{Name: "reviewer", Available: true, UsesTask: true},
	}
	press(m, "n")
	labels := func() string {
		var out []string
		for _, f := range []string{"Command", "Task", "Model", "Directory", "Name"} {
			if strings.Contains(screenText(m), " "+f+" ") || strings.Contains(screenText(m), "›"+f+" ") {
				out = append(out, f)
			}
		}
		return strings.Join(out, ",")
	}
	if got := labels(); got != "Command,Directory,Name" {
		t.Fatalf("a command: fields %s", got)
	}
	if !strings.Contains(screenText(m), "/src/app (current directory)") {
		t.Fatalf("a command's directory hint:\n%s", screenText(m))
	}
	press(m, "right", "right") // writer: the form opens on the chooser
	if got := labels(); got != "Task,Model,Directory,Name" {
		t.Fatalf("writer: fields %s", got)
	}
	press(m, "tab")
	typeText(m, "write the docs")
	press(m, "tab", "tab", "tab")
	typeText(m, "docs")
	press(m, "tab")  // the chooser, after the last field
	press(m, "left") // shell: no task, no model
	if got := labels(); got != "Directory,Name" {
		t.Fatalf("shell: fields %s", got)
	}
	if home := homeDir; home != "" && !strings.Contains(screenText(m), home+"/src/dots (shell's directory)") {
		t.Fatalf("shell's directory hint:\n%s", screenText(m))
	}
	feed(m, press(m, "enter"))
	if len(l.reqs) != 1 {
		t.Fatalf("requests %+v", l.reqs)
	}
	if r := l.reqs[0]; r.Agent != "shell" || r.Task != "" || r.Model != "" || r.Name != "docs" {
		t.Fatalf("request %+v", r)
	}

	press(m, "n")
	press(m, "left") // reviewer: a task, no model
	if got := labels(); got != "Task,Directory,Name" {
		t.Fatalf("reviewer: fields %s", got)
	}
}

// The form opens on the chooser; typing there on "command" types the
// command line.
func TestFormOpensOnTheChooser(t *testing.T) {
	m, _, l := newTestModel(t, 100, 40)
	press(m, "n")
	if m.form.focus != -1 || !strings.Contains(screenText(m), "›Run ") {
		t.Fatalf("focus %d:\n%s", m.form.focus, screenText(m))
	}
	typeText(m, "make test")
	feed(m, press(m, "enter"))
	if len(l.reqs) != 1 || l.reqs[0].Command != "make test" {
		t.Fatalf("requests %+v", l.reqs)
	}
}
