package cmdname

import "strings"

// lex splits a shell command line into words and control operators, as far
// as naming needs: quotes ('…', "…", \x) are removed from words, $(…) and
// `…` stay inside the word they are in, and a # that starts a word comments
// out the rest of its line.
func lex(line string) []token {
	var ts []token
	var w strings.Builder
	inWord := false
	word := func() {
		if inWord {
			ts = append(ts, token{s: w.String()})
			w.Reset()
			inWord = false
		}
	}
	op := func(s string) {
		word()
		ts = append(ts, token{s: s, op: true})
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			word()
		case c == '\n' || c == ';' || c == '(' || c == ')':
			op(string(c))
		case c == '&' || c == '|':
			// &&, ||, |&, & and |; but &> and >& are redirections.
			if c == '&' && i+1 < len(line) && line[i+1] == '>' || inWord && strings.HasSuffix(w.String(), ">") {
				w.WriteByte(c)
				inWord = true
				continue
			}
			if i+1 < len(line) && (line[i+1] == '&' || line[i+1] == '|') {
				i++
			}
			op(string(c))
		case c == '#' && !inWord:
			for i < len(line) && line[i] != '\n' {
				i++
			}
			i-- // the newline ends the command
		case c == '\\':
			inWord = true
			if i+1 < len(line) {
				i++
				if line[i] != '\n' { // a backslash-newline continues the line
					w.WriteByte(line[i])
				}
			}
		case c == '\'':
			inWord = true
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				end = len(line) - i - 1
			}
			w.WriteString(line[i+1 : i+1+end])
			i += end + 1
		case c == '"':
			inWord = true
			for i++; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) && strings.IndexByte("\"\\$`\n", line[i+1]) >= 0 {
					i++
				}
				w.WriteByte(line[i])
			}
		case c == '$' && i+1 < len(line) && line[i+1] == '(' || c == '`':
			// A command substitution is part of the word: copy it to its
			// closing ) or `, nesting counted.
			inWord = true
			j := skipSubstitution(line, i)
			w.WriteString(line[i:j])
			i = j - 1
		default:
			inWord = true
			w.WriteByte(c)
		}
	}
	word()
	return ts
}

// skipSubstitution returns the index just past the $(…) or `…` that starts
// at i, or len(line) if it is not closed.
func skipSubstitution(line string, i int) int {
	if line[i] == '`' {
		if end := strings.IndexByte(line[i+1:], '`'); end >= 0 {
			return i + 2 + end
		}
		return len(line)
	}
	depth := 0
	for j := i + 1; j < len(line); j++ {
		switch line[j] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j + 1
			}
		case '\'':
			if end := strings.IndexByte(line[j+1:], '\''); end >= 0 {
				j += end + 1
			}
		}
	}
	return len(line)
}
