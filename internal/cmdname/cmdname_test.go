package cmdname

import (
	"slices"
	"testing"
)

func TestName(t *testing.T) {
	for _, c := range []struct{ command, want string }{
		// Issue 16's lines.
		{"sh -c 'while true; do date; done'", "date"},
		{"cd /tmp && ls", "ls"},
		{"FOO=bar env", "env"},
		{"sh -c 'claude; echo x'", "claude"},
		// Plain programs, by base name.
		{"npm run dev", "npm"},
		{"/usr/bin/python3 -m http.server", "python3"},
		{"./build.sh --fast", "build.sh"},
		// Shell scripts, read in their turn.
		{"sh -c 'make test; sleep 1'", "make"},
		{`bash -c "./build.sh"`, "build.sh"},
		{"/bin/zsh -c cargo", "cargo"},
		{"fish -c 'ls'", "ls"},
		{"bash -lc 'cd ~/src/app && npm start'", "npm"},
		{"bash --norc -o pipefail -c 'go test ./... | tee log'", "go"},
		{`sh -c "bash -c 'exec claude --resume'"`, "claude"},
		{"sh -c", "sh"},
		{"bash --norc -i", "bash"},
		{"sh script.sh", "sh"},
		// Not shells, though their names end in "sh": -c means something else.
		{"ssh -c aes128-ctr build-host", "ssh"},
		{"/usr/local/bin/mosh -c x host", "mosh"},
		// Assignments, setup builtins, keywords.
		{"FOO=bar BAZ='a b' make -j4", "make"},
		{"export PATH=$PATH:/x; cd src; cargo run", "cargo"},
		{". venv/bin/activate && python app.py", "python"},
		{"if make; then echo ok; fi", "make"},
		{"for f in *.go; do gofmt -l $f; done", "gofmt"},
		{"until curl -s localhost:8080; do sleep 1; done", "curl"},
		{"! grep -q x file", "grep"},
		{"{ make; make test; }", "make"},
		{"(cd web && yarn dev)", "yarn"},
		{"[ -f .env ] && node server.js", "node"},
		{"[[ -n $CI ]] || npm test", "npm"},
		// Wrappers are looked through, with their options.
		{"exec claude", "claude"},
		{"exec -a name /usr/bin/top", "top"},
		{"env -i HOME=/tmp -u LANG PATH=/bin python3 x.py", "python3"},
		{"env", "env"},
		{"nohup python -u worker.py &", "python"},
		{"sudo -u postgres psql", "psql"},
		{"nice -n 10 make", "make"},
		{"time make -j8", "make"},
		{"time -p make", "make"},
		{"timeout -s KILL 30s ./test.sh", "test.sh"},
		{"command -p ls", "ls"},
		{"nohup", "nohup"},
		// Operators, redirections, comments, quotes.
		{"make 2>&1 | tee log", "make"},
		{">log 2>&1 make", "make"},
		{"> log make", "make"},
		{"cat <in >out", "cat"},
		{"# a comment\nmake", "make"},
		{`"/opt/my app/bin/server" --port 1`, "server"},
		{`my\ tool arg`, "my tool"},
		{"echo $(date) && make", "echo"},
		// Nothing real: the first command word.
		{"cd /tmp", "cd"},
		{"true", "true"},
		{"dash -c true", "true"},
		{"while :; do :; done", ":"},
		{"FOO=bar", ""},
		{"", ""},
		{"   ", ""},
	} {
		if got := Name(c.command); got != c.want {
			t.Errorf("Name(%q) = %q, want %q", c.command, got, c.want)
		}
	}
}

func TestArgv(t *testing.T) {
	for _, c := range []struct {
		argv []string
		want string
	}{
		{[]string{"/usr/bin/node", "/usr/lib/node_modules/x/cli.js"}, "node"},
		{[]string{"bash", "-c", "cd /srv && exec ./run"}, "run"},
		{[]string{"env", "A=1", "claude", "--model", "opus"}, "claude"},
		// Words of an argv are never operators.
		{[]string{"echo", ";", "make"}, "echo"},
		{[]string{"FOO=bar"}, ""},
		{nil, ""},
	} {
		if got := Argv(c.argv); got != c.want {
			t.Errorf("Argv(%q) = %q, want %q", c.argv, got, c.want)
		}
	}
}

func TestLex(t *testing.T) {
	words := func(ts []token) []string {
		var out []string
		for _, tk := range ts {
			if tk.op {
				out = append(out, "<"+tk.s+">")
			} else {
				out = append(out, tk.s)
			}
		}
		return out
	}
	for _, c := range []struct {
		line string
		want []string
	}{
		{`a 'b c' "d \"e\"" f\ g`, []string{"a", "b c", `d "e"`, "f g"}},
		{"a&&b||c|d&e;f\ng", []string{"a", "<&>", "b", "<|>", "c", "<|>", "d", "<&>", "e", "<;>", "f", "<\n>", "g"}},
		{"a 2>&1 &>x", []string{"a", "2>&1", "&>x"}},
		{"a $(b; c) `d; e` f", []string{"a", "$(b; c)", "`d; e`", "f"}},
		{"a # b; c\nd", []string{"a", "<\n>", "d"}},
		{"a#b", []string{"a#b"}},
		{"'unclosed", []string{"unclosed"}},
	} {
		if got := words(lex(c.line)); !slices.Equal(got, c.want) {
			t.Errorf("lex(%q) = %q, want %q", c.line, got, c.want)
		}
	}
}

// FuzzName: any line is named without a panic, and never with more than
// the line holds.
func FuzzName(f *testing.F) {
	for _, s := range []string{"sh -c 'while true; do date; done'", `a "b\`, "a $(b", "x `y", "2>", "#", "\\", "env -u", "timeout"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if n := Name(line); len(n) > len(line) {
			t.Fatalf("Name(%q) = %q, longer than the line", line, n)
		}
	})
}
