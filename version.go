package main

import (
	"regexp"
	"runtime/debug"
	"strings"
)

// version is what --version, the header and XTVERSION answers say. A build
// may set it with -ldflags "-X main.version=…", which wins; left empty, it
// is read from the build info (buildVersion).
var version string

func init() {
	if version == "" {
		version = buildVersion(debug.ReadBuildInfo())
	}
}

// untagged matches the pseudo-version the go command gives a commit of a
// module with no release tag below it (v0.0.0-20261127071333-4b079ef7d600):
// its only news is the revision.
var untagged = regexp.MustCompile(`^v0\.0\.0-(?:\d+\.)?\d{14}-([0-9a-f]{12})$`)

// buildVersion names the build from its build info: the module version of
// `go install corral@v1.2.3` ("v1.2.3"); for a build of a checkout (version
// "(devel)", or an untagged pseudo-version) "dev" and the commit, e.g.
// "dev 1a2b3c4 (modified)" when the tree had uncommitted changes; "dev"
// when nothing is known.
func buildVersion(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "dev"
	}
	var rev string
	var modified bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	v, dirty := strings.CutSuffix(info.Main.Version, "+dirty")
	modified = modified || dirty
	if m := untagged.FindStringSubmatch(v); m != nil {
		if rev == "" {
			rev = m[1]
		}
		v = ""
	}
	if v == "" || v == "(devel)" {
		v = "dev"
		if rev != "" {
			v += " " + rev[:min(len(rev), 7)]
		}
	}
	if modified {
		v += " (modified)"
	}
	return v
}
