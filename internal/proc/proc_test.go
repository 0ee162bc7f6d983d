//go:build linux

package proc

import (
	"os"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		line string
		want Stat
		bad  bool
	}{
		{line: "42 (sleep) S 1 42 42 34816 42 4194560 0 0 0 0 0 0 0 0 20 0 1 0 123456 0 0",
			want: Stat{PID: 42, PPID: 1, Pgrp: 42, Session: 42, TTY: 34816, State: 'S', Flags: 4194560, Start: 123456}},
		{line: "7 (a (b) c) Z 3 4 5 0 -1 2097152 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0",
			want: Stat{PID: 7, PPID: 3, Pgrp: 4, Session: 5, State: 'Z', Flags: 2097152, Start: 99}},
		{line: "garbage", bad: true},
		{line: "1 (x) S 1 2", bad: true},
	}
	for _, tt := range tests {
		got, err := Parse([]byte(tt.line))
		if tt.bad {
			if err == nil {
				t.Errorf("%q parsed", tt.line)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q: %+v %v, want %+v", tt.line, got, err, tt.want)
		}
	}
	if !(Stat{State: 'Z'}).Gone() || (Stat{State: 'S'}).Gone() {
		t.Error("Gone")
	}
	if !(Stat{Flags: KernelThread}).IsKernelThread() {
		t.Error("IsKernelThread")
	}
}

func TestReadSelf(t *testing.T) {
	st, err := Read(os.Getpid())
	if err != nil || st.PID != os.Getpid() || st.PPID != os.Getppid() || st.Start == 0 {
		t.Fatalf("%+v %v", st, err)
	}
	argv, err := Cmdline(os.Getpid())
	if err != nil || len(argv) == 0 || !strings.HasSuffix(argv[0], ".test") {
		t.Fatalf("cmdline %q %v", argv, err)
	}
	if wd, _ := os.Getwd(); Cwd(os.Getpid()) != wd {
		t.Fatalf("cwd %q", Cwd(os.Getpid()))
	}
	t.Setenv("PROC_TEST_MARK", "1") // not in the initial environment
	if HasEnv(os.Getpid(), "PROC_TEST_MARK=1") {
		t.Fatal("HasEnv saw a variable set after exec")
	}
	if _, err := Read(99999999); err != ErrNoProcess {
		t.Fatalf("missing pid: %v", err)
	}
	found := false
	for _, s := range All() {
		found = found || s.PID == os.Getpid()
	}
	if !found {
		t.Fatal("All lacks the test process")
	}
}
