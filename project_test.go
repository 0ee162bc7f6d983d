package main

import (
	"os"
	"strings"
	"testing"

	"corral/config"
)

// The project's runs: corral.toml here unless --project says otherwise, a
// config kept as ./corral.toml is not read as one, and --procfile adds its
// processes.
func TestProjectRuns(t *testing.T) {
	t.Chdir(t.TempDir())
	write := func(name, text string) {
		if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("corral.toml", "[[run]]\nname = \"here\"\ncommand = \"x\"\n")
	write("other.toml", "[[run]]\nname = \"other\"\ncommand = \"x\"\n")
	write("Procfile", "web: y\nhere: z\n")
	write("Procfile2", "web: y\n")
	write("config.toml", "[settings]\nkill_grace = 1\n")
	cfg := config.Default()
	tests := []struct {
		name string
		o    options
		want string // the runs' names, or the error's start
	}{
		{"corral.toml here", options{configPath: "config.toml"}, "here"},
		{"--project", options{configPath: "config.toml", projectPath: "other.toml"}, "other"},
		{"the config as ./corral.toml", options{configPath: "./corral.toml"}, ""},
		{"--procfile", options{configPath: "config.toml", procfile: "Procfile2"}, "here web"},
		{"a name in both", options{configPath: "config.toml", procfile: "Procfile"},
			`error: Procfile:2: run "here" is also defined at corral.toml:2`},
		{"a missing --project", options{configPath: "config.toml", projectPath: "none.toml"}, "error: project file none.toml:"},
		{"a missing --procfile", options{configPath: "config.toml", procfile: "none"}, "error: procfile none:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs, err := projectRuns(tt.o, cfg)
			var got []string
			for _, r := range runs {
				got = append(got, r.Name)
			}
			s := strings.Join(got, " ")
			if err != nil {
				s = "error: " + err.Error()
			}
			if !strings.HasPrefix(s, tt.want) || tt.want == "" && s != "" {
				t.Fatalf("got %q, want %q", s, tt.want)
			}
		})
	}
}
