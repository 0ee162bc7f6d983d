package project

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"corral/config"
	"corral/spawn"
)

func TestParseRuns(t *testing.T) {
	cfg := config.Default()
	dir := t.TempDir()
	path := filepath.Join(dir, "corral.toml")
	home, _ := os.UserHomeDir()
	tests := []struct {
		name, text string
		want       Run
	}{
		{"a command line", "[[run]]\nname = \"web\"\ncommand = \"npm run dev\"\n",
			Run{Name: "web", Command: "npm run dev", Dir: dir, Autostart: true, Restart: RestartNo, Backoff: time.Second,
				Where: path + ":2"}},
		{"argv words", "[[run]]\nname = \"x\"\ncommand = [\"sh\", \"-c\", \"echo $HOME; ls\", \"it's\"]\n",
			Run{Name: "x", Command: `sh -c 'echo $HOME; ls' "it's"`, Dir: dir, Autostart: true, Restart: RestartNo,
				Backoff: time.Second, Where: path + ":2"}},
		{"every field", "# a project\n[[run]]\nname = \"api\"\ncommand = \"go run .\"\ndir = \"srv\"\n" +
			"env = { PORT = \"8080\", A_B = \"x y\" }\nautostart = false\nrestart = \"on-failure\"\nbackoff = \"250ms\"\nlimit = 3\n",
			Run{Name: "api", Command: "go run .", Dir: filepath.Join(dir, "srv"), Env: []string{"A_B=x y", "PORT=8080"},
				Restart: RestartOnFailure, Backoff: 250 * time.Millisecond, Limit: 3, Where: path + ":3"}},
		{"an agent", "[[run]]\nname = \"review\"\nagent = \"claude-run\"\ntask = \"review the diff\"\nmodel = \"opus\"\n" +
			"dir = \"/tmp\"\nrestart = \"always\"\n",
			Run{Name: "review", Agent: "claude-run", Task: "review the diff", Model: "opus", Dir: "/tmp", Autostart: true,
				Restart: RestartAlways, Backoff: time.Second, Where: path + ":2"}},
		{"no name, ~ dir", "[[run]]\ncommand = \"top\"\ndir = \"~/src\"\n",
			Run{Command: "top", Dir: filepath.Join(home, "src"), Autostart: true, Restart: RestartNo, Backoff: time.Second,
				Where: path + ":1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs, err := Parse(path, tt.text, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(runs) != 1 {
				t.Fatalf("%d runs", len(runs))
			}
			got := runs[0]
			if got.Name != tt.want.Name || got.Command != tt.want.Command || got.Dir != tt.want.Dir ||
				!slices.Equal(got.Env, tt.want.Env) || got.Agent != tt.want.Agent || got.Task != tt.want.Task ||
				got.Model != tt.want.Model || got.Autostart != tt.want.Autostart || got.Restart != tt.want.Restart ||
				got.Backoff != tt.want.Backoff || got.Limit != tt.want.Limit || got.Where != tt.want.Where {
				t.Fatalf("run\n %+v, want\n %+v", got, tt.want)
			}
		})
	}
}

// An argv array becomes a command line that corral splits back into the
// same words, without a shell.
func TestArgvSurvivesTheCommandLine(t *testing.T) {
	words := []string{"printf", "%s|", "a b", "$(touch PWNED)", "it's", `"q"`, "*", "~", "x;y", ""}
	var c command
	arr := make([]any, len(words))
	for i, w := range words {
		arr[i] = w
	}
	if err := c.UnmarshalTOML(arr); err != nil {
		t.Fatal(err)
	}
	argv, err := spawn.ParseCommand(c.line)
	if err != nil || !slices.Equal(argv, words) {
		t.Fatalf("line %q splits into %q (%v), want %q", c.line, argv, err, words)
	}
}

// Every error of a project file at once, each at its line with the run
// named as the file names it.
func TestProjectErrors(t *testing.T) {
	cfg := config.Default()
	tests := []struct {
		name, text string
		want       []string // "line: text", in order
	}{
		{"syntax", "[[run]]\nname = = 1\n", []string{"2: run.name: expected value"}},
		{"everything wrong", `[[run]]
name = "web"
command = "npm start"

[[run]]
name = "web"
command = []
restart = "sometimes"
backoff = "soon"

[[run]]
name = "ai"
agent = "clod"

[[run]]
name = "both"
command = "x"
agent = "claude"
limit = -1

[[run]]
name = "neither"
env = { "1X" = "y", OK = 2 }
autostart = "yes"
cmd = "x"
`, []string{
			`6: run "web" name: "web" is defined twice (first at line 2)`,
			`7: run "web" command: the program is missing: the array is empty`,
			`8: run "web" restart: must be "no", "on-failure" or "always", not "sometimes"`,
			`9: run "web" backoff: must be a duration such as "5s" or "500ms" (or a number of seconds), not "soon"`,
			`13: run "ai" agent: "clod" is not in the catalog (shell, claude, claude-run, codex, aider, gemini)`,
			`18: run "both" agent: a run has a command or an agent, not both`,
			`19: run "both" limit: must be 0 (no limit) or more, not -1`,
			`21: run "neither" command: missing: give a command`,
			`23: run "neither" env: OK: must be a string, not 2`,
			`24: run "neither" autostart: must be true or false, not "yes"`,
			`25: run "neither" cmd: unknown field (the fields here: name, command, dir, env, agent, task, model, autostart, restart, backoff, limit)`,
		}},
		{"bad env name", "[[run]]\ncommand = \"x\"\nenv = { \"1X\" = \"y\" }\n",
			[]string{`3: run #1 env: "1X" is not a variable name`}},
		{"task for a command", "[[run]]\nname = \"t\"\ncommand = \"x\"\ntask = \"y\"\n",
			[]string{`4: run "t" task: is for an agent's run`}},
		{"one-shot agent without a task", "[[run]]\nname = \"r\"\nagent = \"claude-run\"\n",
			[]string{`1: run "r" task: missing: "claude-run" is a one-shot agent that needs a task`}},
		{"command type", "[[run]]\ncommand = 5\n", []string{`2: run #1 command: must be a command line such as "npm run dev"`}},
		{"unknown table", "[[runs]]\ncommand = \"x\"\n", []string{`1: runs: unknown (a project file has [[run]] entries)`}},
		{"run as a table", "[run]\ncommand = \"x\"\n", []string{`1: run: must be [[run]] entries (with two brackets), not a table`}},
		{"backoff bound", "[[run]]\ncommand = \"x\"\nrestart = \"always\"\nbackoff = \"2h\"\n",
			[]string{`4: run #1 backoff: must be at most 1h`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("/p/corral.toml", tt.text, cfg)
			var errs config.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error %v (%T)", err, err)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("%d errors, want %d:\n%v", len(lines), len(tt.want), err)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(lines[i], "/p/corral.toml:"+w) {
					t.Errorf("error %d: %q, want /p/corral.toml:%s…", i, lines[i], w)
				}
			}
		})
	}
}

// A missing directory is no error of the file: the run reports it when it
// is to start, so it becomes a failed row.
func TestMissingDirIsARunFailure(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	runs, err := Parse(filepath.Join(dir, "corral.toml"),
		"[[run]]\nname = \"gone\"\ncommand = \"x\"\ndir = \"nope\"\n[[run]]\nname = \"file\"\ncommand = \"x\"\ndir = \"f\"\n"+
			"[[run]]\nname = \"ok\"\ncommand = \"x\"\n", config.Default())
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{
		filepath.Join(dir, "corral.toml") + `:2: run "gone": dir ` + filepath.Join(dir, "nope") + " does not exist",
		filepath.Join(dir, "corral.toml") + `:6: run "file": dir ` + file + " is not a directory",
		"",
	} {
		err := runs[i].CheckDir()
		if (err == nil) != (want == "") || err != nil && err.Error() != want {
			t.Errorf("run %d: %v, want %q", i, err, want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if runs, err := Load(filepath.Join(dir, FileName), false, config.Default()); runs != nil || err != nil {
		t.Fatalf("no corral.toml: %v %v", runs, err)
	}
	if _, err := Load(filepath.Join(dir, FileName), true, config.Default()); err == nil ||
		!strings.Contains(err.Error(), "no such file") {
		t.Fatalf("a missing --project file: %v", err)
	}
	if _, err := Load(dir, true, config.Default()); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("a directory: %v", err)
	}
	// An agent the user's config adds is known.
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte("[[agent]]\nname = \"tests\"\nkind = \"command\"\ncommand = \"make test\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse("c.toml", "[[run]]\nagent = \"tests\"\n[[run]]\nagent = \"shell\"\n", cfg); err != nil {
		t.Fatal(err)
	}
}

func TestProcfile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Procfile")
	runs, err := ParseProcfile(path, "# services\nweb: bundle exec rails s -p $PORT\n\n  worker:python w.py && echo done\r\nrelease.1: ./r\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []Run{
		{Name: "web", Command: "bundle exec rails s -p $PORT", Where: path + ":2"},
		{Name: "worker", Command: "python w.py && echo done", Where: path + ":4"},
		{Name: "release.1", Command: "./r", Where: path + ":5"},
	}
	if len(runs) != len(want) {
		t.Fatalf("%d runs: %+v", len(runs), runs)
	}
	for i, w := range want {
		r := runs[i]
		if r.Name != w.Name || r.Command != w.Command || r.Where != w.Where || r.Dir != dir || !r.Autostart || r.Restart != RestartNo {
			t.Errorf("run %d: %+v, want %+v", i, r, w)
		}
	}
	_, err = ParseProcfile("Procfile", "web: a\nno colon here\nweb: b\nempty:\n: x\n")
	var errs config.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("%v", err)
	}
	wantErrs := []string{
		"Procfile:2: not a process: write name: command",
		`Procfile:3: web: "web" is defined twice (first at line 1)`,
		"Procfile:4: empty: the command is missing",
		"Procfile:5: not a process",
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(wantErrs) {
		t.Fatalf("errors:\n%v", err)
	}
	for i, w := range wantErrs {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("error %d: %q, want %q…", i, lines[i], w)
		}
	}
}

func TestJoinRefusesANameInBoth(t *testing.T) {
	a := []Run{{Name: "web", Where: "corral.toml:2"}, {Where: "corral.toml:5"}}
	b := []Run{{Name: "worker", Where: "Procfile:1"}, {Where: "Procfile:3"}}
	if got, err := Join(a, b); err != nil || len(got) != 4 {
		t.Fatalf("%v %v", got, err)
	}
	_, err := Join(a, []Run{{Name: "web", Where: "Procfile:4"}})
	if err == nil || err.Error() != `Procfile:4: run "web" is also defined at corral.toml:2` {
		t.Fatalf("%v", err)
	}
}
