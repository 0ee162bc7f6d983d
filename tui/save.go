package tui

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"

	osc52 "corral/clip"
	"corral/registry"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// savePrompt asks where to save a run's history (KeyMap.Save).
type savePrompt struct {
	input textinput.Model
	run   int64
	out   *registry.Output
}

// savedMsg says how saving a run's history went.
type savedMsg struct {
	run   int64
	path  string
	lines int
	bytes int64
	err   error
	out   *registry.Output // to save again over the file, when asked
}

// saveCmd writes the lines an output holds to path, refusing to replace
// a file unless overwrite is set (clip.ErrExists).
func saveCmd(run int64, out *registry.Output, path string, overwrite bool) tea.Cmd {
	return func() tea.Msg {
		lines := out.Lines(0, math.MaxInt)
		n, err := osc52.Save(path, lines, overwrite)
		return savedMsg{run: run, path: path, lines: len(lines), bytes: n, err: err, out: out}
	}
}

// openSave asks for the file to save the selected run's history to,
// offering <name>-<run id>.log in corral's directory.
func (m *Model) openSave() tea.Cmd {
	sel, ok := m.selectedRun()
	out := m.paneOutput()
	if !ok || out == nil {
		m.setStatus("no run selected: nothing to save")
		return nil
	}
	in := lineInput("save to: ", "file name")
	in.SetValue(osc52.DefaultName(runName(sel), sel.RunID))
	in.CursorEnd()
	m.save = savePrompt{input: in, run: sel.RunID, out: out}
	m.mode = modeSave
	m.setStatus("")
	return m.save.input.Focus()
}

// savePath resolves what was typed: ~ is the home directory, a relative
// path is taken from corral's directory (Options.Dir).
func (m *Model) savePath(typed string) string {
	p := strings.TrimSpace(typed)
	if q := expandDir(p); q != p {
		p = filepath.Clean(q) // the home directory, read once (form.go)
	}
	if !filepath.IsAbs(p) && m.cwd != "" {
		p = filepath.Join(m.cwd, p)
	}
	return p
}

func (m *Model) saveKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Cancel):
		m.mode = modeNormal
		m.setStatus("not saved")
		return nil
	case key.Matches(msg, m.keys.Submit):
		if strings.TrimSpace(m.save.input.Value()) == "" {
			return nil
		}
		m.mode = modeNormal
		m.setStatus("saving…")
		return saveCmd(m.save.run, m.save.out, m.savePath(m.save.input.Value()), false)
	}
	var cmd tea.Cmd
	m.save.input, cmd = m.save.input.Update(msg)
	return cmd
}

// onSaved reports the path and size saved, or asks before replacing a
// file that is there.
func (m *Model) onSaved(msg savedMsg) {
	switch {
	case errors.Is(msg.err, osc52.ErrExists):
		if m.mode != modeNormal {
			m.setError(fmt.Errorf("not saved: %s exists", msg.path))
			return
		}
		m.ask(fmt.Sprintf("%s exists: replace it with run %d's output?", msg.path, msg.run),
			saveCmd(msg.run, msg.out, msg.path, true))
	case msg.err != nil:
		m.setError(msg.err)
	default:
		m.setStatus(fmt.Sprintf("saved run %d's %d line%s (%s) to %s", msg.run, msg.lines, noun(msg.lines, "", "s"),
			byteSize(msg.bytes), msg.path))
	}
}
