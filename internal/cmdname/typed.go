package cmdname

import "path/filepath"

// Typed is argv shown as a person would have typed it. A line that needs a
// shell runs as `$SHELL -c line` (spawn.ParseCommand), so argv of exactly a
// shell named by its absolute path, -c and a script is shown as the script;
// any other argv is Line(argv). A shell named without a path (`sh -c …`)
// was typed so, and stays whole. Only for showing: argv is what runs.
func Typed(argv []string) string {
	if len(argv) == 3 && filepath.IsAbs(argv[0]) && shells[filepath.Base(argv[0])] && argv[1] == "-c" {
		return argv[2]
	}
	return Line(argv)
}

// TypedLine is Typed for a command line that Line wrote: line itself,
// unless its words are a shell's -c script, then the script.
func TypedLine(line string) string {
	ts := lex(line)
	if len(ts) != 3 {
		return line
	}
	argv := make([]string, len(ts))
	for i, t := range ts {
		if t.op {
			return line
		}
		argv[i] = t.s
	}
	if Line(argv) != line { // not Line's quoting: lex may have read it otherwise
		return line
	}
	return Typed(argv)
}
