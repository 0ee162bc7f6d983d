package config

import (
	"cmp"
	"encoding"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// File is a TOML file being read: its values are decoded one field at a
// time, and every problem found is kept at its line, so that all of them
// are reported at once rather than the first only. The project file is
// read the same way.
type File struct {
	// Path is the file's name in errors; empty for the embedded default.
	Path string
	text string
	errs Errors
	bad  map[string]bool // keys that have an error: one error per key
}

// ParseFile parses text as TOML into its top-level values: tables as
// map[string]any, arrays of tables as []map[string]any. A syntax error
// ends the parse (the parser cannot go on past one) and is returned as
// Errors at its line.
func ParseFile(path, text string) (*File, map[string]any, error) {
	f := &File{Path: path, text: text, bad: map[string]bool{}}
	raw := map[string]any{}
	if _, err := toml.Decode(text, &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			f.errs = append(f.errs, &Error{Path: path, Line: pe.Position.Line, Key: pe.LastKey, Msg: pe.Message})
		} else {
			f.errs = append(f.errs, &Error{Path: path, Msg: err.Error()})
		}
		return f, nil, f.errs
	}
	return f, raw, nil
}

// Line is the line of key in the file (see lineOf), 0 when not found.
func (f *File) Line(key toml.Key) int { return lineOf(f.text, key) }

// Errorf records an error at the line of key, about the field people know
// as name (e.g. `settings.kill_grace`, `agent "codex" kind`). A key that
// already has an error gets no second one.
func (f *File) Errorf(key toml.Key, name, format string, args ...any) {
	if f.bad[key.String()] {
		return
	}
	f.bad[key.String()] = true
	f.errs = append(f.errs, &Error{Path: f.Path, Line: f.Line(key), Key: name, Msg: fmt.Sprintf(format, args...)})
}

// Failed reports whether key has an error already.
func (f *File) Failed(key toml.Key) bool { return f.bad[key.String()] }

// Err returns every error recorded, in the order of their lines, or nil.
func (f *File) Err() error {
	if len(f.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(f.errs, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	return f.errs
}

// Table returns v as a table, or records that the value at key, named
// name, must be one.
func (f *File) Table(v any, key toml.Key, name string) (map[string]any, bool) {
	t, ok := v.(map[string]any)
	if !ok {
		f.Errorf(key, name, "%v", MustBe("a table", v))
	}
	return t, ok
}

// Decode sets the fields of the struct dst points to from table, by their
// toml tags. A value of the wrong type and a key that is no field are
// recorded at key's line under prefix+field, and the field is left as it
// was. A field holding a struct is decoded from a sub-table the same way.
// Fields may be strings, bools, ints, *bool, map[string]string, or types
// that implement toml.Unmarshaler or encoding.TextUnmarshaler.
func (f *File) Decode(table map[string]any, key toml.Key, prefix string, dst any) {
	rv := reflect.ValueOf(dst).Elem()
	rt := rv.Type()
	fields := map[string]int{}
	var names []string
	for i := range rt.NumField() {
		tag := rt.Field(i).Tag.Get("toml")
		if tag == "" || tag == "-" || !rt.Field(i).IsExported() {
			continue
		}
		fields[tag] = i
		names = append(names, tag)
	}
	for _, k := range slices.Sorted(maps.Keys(table)) {
		at := append(slices.Clone(key), k)
		i, ok := fields[k]
		if !ok {
			f.Errorf(at, prefix+k, "unknown field (the fields here: %s)", strings.Join(names, ", "))
			continue
		}
		field := rv.Field(i)
		if field.Kind() == reflect.Struct && !isUnmarshaler(field.Addr().Interface()) {
			if sub, ok := f.Table(table[k], at, prefix+k); ok {
				f.Decode(sub, at, prefix+k+".", field.Addr().Interface())
			}
			continue
		}
		if err := decodeValue(table[k], field.Addr().Interface()); err != nil {
			f.Errorf(at, prefix+k, "%v", err)
		}
	}
}

func isUnmarshaler(p any) bool {
	switch p.(type) {
	case toml.Unmarshaler, encoding.TextUnmarshaler:
		return true
	}
	return false
}

// decodeValue sets *p from a TOML value, saying in words what was wanted
// when the value has another type.
func decodeValue(v any, p any) error {
	switch p := p.(type) {
	case toml.Unmarshaler:
		return p.UnmarshalTOML(v)
	case encoding.TextUnmarshaler:
		s, ok := v.(string)
		if !ok {
			return MustBe("a string", v)
		}
		return p.UnmarshalText([]byte(s))
	case *string:
		s, ok := v.(string)
		if !ok {
			return MustBe("a string", v)
		}
		*p = s
	case *int:
		n, ok := v.(int64)
		if !ok {
			return MustBe("a whole number", v)
		}
		*p = int(n)
	case *int64:
		n, ok := v.(int64)
		if !ok {
			return MustBe("a whole number", v)
		}
		*p = n
	case *bool:
		b, ok := v.(bool)
		if !ok {
			return MustBe("true or false", v)
		}
		*p = b
	case **bool:
		b, ok := v.(bool)
		if !ok {
			return MustBe("true or false", v)
		}
		*p = &b
	case *map[string]string:
		t, ok := v.(map[string]any)
		if !ok {
			return MustBe(`a table of strings such as { NAME = "value" }`, v)
		}
		m := make(map[string]string, len(t))
		for k, tv := range t {
			s, ok := tv.(string)
			if !ok {
				return fmt.Errorf("%s: %w", k, MustBe("a string", tv))
			}
			m[k] = s
		}
		*p = m
	default:
		return fmt.Errorf("cannot be read into %T", p) // a field type Decode does not know: a defect
	}
	return nil
}

// MustBe is the error of a value that is not what was wanted:
// `must be a whole number, not "many"`.
func MustBe(want string, v any) error {
	return fmt.Errorf("must be %s, not %s", want, Describe(v))
}

// Describe writes a TOML value as a person would read it in an error.
func Describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case int64, float64, bool:
		return fmt.Sprint(v)
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "an array of tables"
	case time.Time:
		return "a date"
	}
	return fmt.Sprintf("%v", v)
}

// Errors are all the errors of one file, in the order of their lines.
type Errors []*Error

// Error writes one error a line.
func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, err := range e {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the errors, for errors.As and errors.Is.
func (e Errors) Unwrap() []error {
	out := make([]error, len(e))
	for i, err := range e {
		out[i] = err
	}
	return out
}
