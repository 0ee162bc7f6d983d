package clip

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrExists is the error of a Save that would replace a file without
// being told to: the interface asks the person, then saves again with
// overwrite set.
var ErrExists = errors.New("file exists")

// FileMode is the permission of a file Save creates: readable by others,
// like a file saved from an editor or with the shell's > under the usual
// umask. The person chose to put the output there, to read it with other
// tools or hand it on; the run history it comes from stays private in
// corral's state directory. A file that is replaced keeps its own mode.
const FileMode fs.FileMode = 0o644

// Save writes lines to path, each ended with a newline, and returns the
// bytes written. It writes a temporary file in the same directory and
// moves it into place, so the path holds either the old file or the whole
// new one, never a part. An existing path gives ErrExists unless overwrite
// is set; the check and the move are one step (a hard link, which fails if
// the name is taken), so a file created meanwhile is not replaced either.
// Overwriting a symbolic link replaces the file it points to.
func Save(path string, lines []string, overwrite bool) (written int64, err error) {
	if path == "" {
		return 0, errors.New("save: no file name")
	}
	mode := FileMode
	if overwrite {
		if real, err := filepath.EvalSymlinks(path); err == nil {
			path = real
		}
		if fi, err := os.Stat(path); err == nil {
			if fi.IsDir() {
				return 0, fmt.Errorf("save %s: is a directory", path)
			}
			mode = fi.Mode().Perm()
		}
	} else if _, err := os.Lstat(path); err == nil {
		return 0, fmt.Errorf("save %s: %w", path, ErrExists)
	}

	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("save %s: %w", path, bare(err))
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriterSize(tmp, 64<<10)
	for _, line := range lines {
		n, _ := w.WriteString(line)
		_ = w.WriteByte('\n')
		written += int64(n) + 1
	}
	if err := w.Flush(); err != nil {
		return 0, fmt.Errorf("save %s: %w", path, bare(err))
	}
	if err := tmp.Chmod(mode); err != nil {
		return 0, fmt.Errorf("save %s: %w", path, bare(err))
	}
	if err := tmp.Sync(); err != nil {
		return 0, fmt.Errorf("save %s: %w", path, bare(err))
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("save %s: %w", path, bare(err))
	}
	if err := place(tmp.Name(), path, overwrite); err != nil {
		return 0, fmt.Errorf("save %s: %w", path, bare(err))
	}
	syncDir(dir)
	return written, nil
}

// place moves the temporary file tmp to path: a rename, which replaces
// what is there, or, without overwrite, a hard link, which fails if path
// exists, and the temporary name removed. Where hard links cannot be made
// (some network and FAT file systems) it checks and renames.
func place(tmp, path string, overwrite bool) error {
	if overwrite {
		return os.Rename(tmp, path)
	}
	err := os.Link(tmp, path)
	switch {
	case err == nil:
		_ = os.Remove(tmp) // saved: a temporary name left behind is no failure
		return nil
	case errors.Is(err, fs.ErrExist):
		return ErrExists
	}
	if _, err := os.Lstat(path); err == nil {
		return ErrExists
	}
	return os.Rename(tmp, path)
}

// syncDir makes a rename in dir durable, as far as the system allows.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// maxNameBytes bounds the part of a default file name taken from a run's
// name.
const maxNameBytes = 64

// DefaultName returns the file name a run's output is offered to be saved
// under: <name>-<run id>.log, with the name made safe for a file name on
// any system (letters, digits, '.', '_', '+' and '-' kept, anything else a
// '-', no leading dot or dash, at most 64 bytes), "run" when nothing is
// left of it.
func DefaultName(name string, runID int64) string {
	var b strings.Builder
	dash := false
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._+", r) {
			if b.Len()+utf8.RuneLen(r) > maxNameBytes {
				break
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 && b.Len() < maxNameBytes {
			b.WriteByte('-')
			dash = true
		}
	}
	safe := strings.TrimLeft(strings.TrimRight(b.String(), "-."), ".-")
	if safe == "" {
		safe = "run"
	}
	return safe + "-" + strconv.FormatInt(runID, 10) + ".log"
}

// bare is err without the name of the file it is about, when that is the
// temporary file (a hidden name the user never chose): "permission
// denied", "no space left on device".
func bare(err error) error {
	var pe *os.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return pe.Err
	case errors.As(err, &le):
		return le.Err
	}
	return err
}
