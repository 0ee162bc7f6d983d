package cmdname

import "strings"

// Line writes argv as a command line that a POSIX shell (and
// spawn.ParseCommand) splits back into the same words: a word of plain
// characters as it is, any other in single quotes.
func Line(argv []string) string {
	words := make([]string, len(argv))
	for i, a := range argv {
		words[i] = a
		if a == "" || strings.ContainsFunc(a, needsQuote) {
			words[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(words, " ")
}

func needsQuote(r rune) bool { return !strings.ContainsRune(plainWordChars, r) }

// plainWordChars are the characters a shell word may hold unquoted.
const plainWordChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,"
