package main

import (
	"runtime/debug"
	"testing"
)

func TestBuildVersion(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: "2026-11-27T07:13:33Z"}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "4b079ef7d600aa11bb22cc33dd44ee55ff667788"
	cases := []struct {
		name    string
		version string
		set     []debug.BuildSetting
		want    string
	}{
		{"go install of a release", "v1.2.3", nil, "v1.2.3"},
		{"release built from a changed checkout", "v1.2.3+dirty", vcs(rev, "true"), "v1.2.3 (modified)"},
		{"go install of a commit after a tag", "v1.2.4-0.20261127071333-4b079ef7d600", nil,
			"v1.2.4-0.20261127071333-4b079ef7d600"},
		{"go build of a clean checkout", "v0.0.0-20261127071333-4b079ef7d600", vcs(rev, "false"), "dev 4b079ef"},
		{"go build of a changed checkout", "v0.0.0-20261127071333-4b079ef7d600+dirty", vcs(rev, "true"),
			"dev 4b079ef (modified)"},
		{"go install of an untagged commit", "v0.0.0-20261127071333-4b079ef7d600", nil, "dev 4b079ef"},
		{"older go: (devel) with vcs settings", "(devel)", vcs(rev, "true"), "dev 4b079ef (modified)"},
		{"go run: (devel) and nothing else", "(devel)", nil, "dev"},
		{"no version at all", "", nil, "dev"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			info := &debug.BuildInfo{Main: debug.Module{Path: "corral", Version: tc.version}, Settings: tc.set}
			if got := buildVersion(info, true); got != tc.want {
				t.Fatalf("buildVersion = %q, want %q", got, tc.want)
			}
		})
	}
	if got := buildVersion(nil, false); got != "dev" {
		t.Fatalf("without build info: %q, want dev", got)
	}
}
