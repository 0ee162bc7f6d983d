package spawn

import (
	"strings"
	"testing"
)

func TestParseCommand(t *testing.T) {
	t.Setenv("SHELL", "/bin/sh")
	tests := []struct {
		line string
		want []string
		err  string
	}{
		{line: "npm run dev", want: []string{"npm", "run", "dev"}},
		{line: `grep -r "a b" 'c d' e\ f`, want: []string{"grep", "-r", "a b", "c d", "e f"}},
		{line: "  sleep 100  ", want: []string{"sleep", "100"}},
		{line: "echo hi; sleep 1", want: []string{"/bin/sh", "-c", "echo hi; sleep 1"}},
		{line: "make | tee log", want: []string{"/bin/sh", "-c", "make | tee log"}},
		{line: "echo $HOME", want: []string{"/bin/sh", "-c", "echo $HOME"}},
		{line: "ls *.go", want: []string{"/bin/sh", "-c", "ls *.go"}},
		{line: "cat ~/x", want: []string{"/bin/sh", "-c", "cat ~/x"}},
		{line: "FOO=1 env", want: []string{"/bin/sh", "-c", "FOO=1 env"}},
		{line: "echo hi > f", want: []string{"/bin/sh", "-c", "echo hi > f"}},
		{line: "sh -c 'echo hi; sleep 100'", want: []string{"sh", "-c", "echo hi; sleep 100"}},
		{line: "", err: "empty"},
		{line: `echo "unterminated`, err: "command line"},
	}
	for _, tt := range tests {
		got, err := ParseCommand(tt.line)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.line, err, tt.err)
			}
			continue
		}
		if err != nil || strings.Join(got, "\x00") != strings.Join(tt.want, "\x00") {
			t.Errorf("%q: %q, %v; want %q", tt.line, got, err, tt.want)
		}
	}
}
