package tui

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

var homeDir, _ = os.UserHomeDir()

// The fields of the new-run form after the agent chooser.
const (
	fieldCommand = iota
	fieldTask
	fieldModel
	fieldDir
	fieldWorkspace // a chooser: this directory or a new worktree
	fieldBase      // the branch a new worktree starts from
	fieldName
	nFields
)

var fieldNames = [nFields]string{"Command", "Task", "Model", "Directory", "Workspace", "Base", "Name"}

// repoCheckDelay is how long the directory field must rest before the form
// asks whether it is in a git repository.
const repoCheckDelay = 250 * time.Millisecond

// formLabelWidth is the width of the form's label column (" Directory  ").
const formLabelWidth = 12

// commandChoice is the chooser entry for a plain command line.
var commandChoice = Agent{Name: "command", Available: true, Description: "any command line"}

// form is the new-run form: an agent chooser and the text fields that the
// chosen entry uses.
type form struct {
	agents []Agent
	choice int
	inputs [nFields]textinput.Model
	focus  int // -1: the chooser; else a field
	err    string
	cwd    string // the directory runs start in by default

	// The workspace: offered (ws) when the directory is in a git
	// repository, as last found for repoDir (repo; "" for none); worktree
	// is the choice of a new worktree. repoGen names the check in flight.
	ws       bool
	worktree bool
	repo     string
	repoDir  string
	repoSeen bool // some check has answered
	repoGen  int
}

func (m *Model) openForm() {
	// The form opens on the chooser, which decides the fields below it;
	// typing there starts the command line (formKey).
	f := form{agents: append([]Agent{commandChoice}, m.launch.Agents()...), focus: -1}
	for i := range f.inputs {
		in := textinput.New()
		in.Prompt = ""
		in.SetWidth(max(m.width-formLabelWidth-1, 10)) // the rest of the line after the label
		f.inputs[i] = in
	}
	f.inputs[fieldCommand].Placeholder = "e.g. npm run dev, or sh -c 'make test; sleep 1'"
	f.inputs[fieldTask].Placeholder = "what the agent should do"
	f.inputs[fieldModel].Placeholder = "the agent's default"
	f.inputs[fieldName].Placeholder = "named after the program"
	f.inputs[fieldBase].Placeholder = "the branch HEAD is on, or a branch to start from"
	f.cwd = m.cwd
	f.ws = m.ws != nil
	f.setHints()
	m.form = f
	m.mode = modeForm
	m.status = ""
}

// dir is the directory the run would start in, as the launcher is given
// it: the field's, else the chosen entry's own, else "" (corral's).
func (f *form) dir() string {
	d := strings.TrimSpace(f.inputs[fieldDir].Value())
	if strings.HasPrefix(d, "~/") && homeDir != "" {
		d = homeDir + d[1:]
	}
	if d == "" && f.choice != 0 {
		d = f.agent().Dir
	}
	return d
}

// checkRepo asks, in a command, whether the form's directory is in a git
// repository; the answer for a directory since changed is dropped.
func (m *Model) checkRepo() tea.Cmd {
	f := &m.form
	if !f.ws {
		return nil
	}
	f.repoGen++
	gen, dir, ws := f.repoGen, f.dir(), m.ws
	return func() tea.Msg {
		root, err := ws.Repository(dir)
		if err != nil {
			root = ""
		}
		return repoFoundMsg{gen: gen, dir: dir, root: root}
	}
}

// checkRepoLater checks the directory once typing in it rests.
func (m *Model) checkRepoLater() tea.Cmd {
	f := &m.form
	if !f.ws {
		return nil
	}
	f.repoGen++
	gen := f.repoGen
	return tea.Tick(repoCheckDelay, func(time.Time) tea.Msg { return repoCheckMsg{gen: gen} })
}

func (m *Model) onRepoCheck(msg repoCheckMsg) tea.Cmd {
	if m.mode != modeForm || msg.gen != m.form.repoGen {
		return nil
	}
	return m.checkRepo()
}

func (m *Model) onRepoFound(msg repoFoundMsg) tea.Cmd {
	f := &m.form
	if m.mode != modeForm || msg.gen != f.repoGen {
		return nil
	}
	f.repo, f.repoDir, f.repoSeen = msg.root, msg.dir, true
	if f.focus >= 0 && !f.enabled(f.focus) { // the workspace fields went
		f.focus = fieldDir
		return f.focusCmd()
	}
	return nil
}

// chooses reports whether the left and right keys choose in the form now:
// on the Run chooser and on the Workspace field.
func (f *form) chooses() bool { return f.focus == -1 || f.focus == fieldWorkspace }

func (f *form) agent() Agent { return f.agents[f.choice] }

// enabled reports whether a field applies to the chosen entry: the
// command line to a command, the task and the model to the entries whose
// command takes them.
func (f *form) enabled(field int) bool {
	a := f.agent()
	switch field {
	case fieldCommand:
		return f.choice == 0
	case fieldTask:
		return f.choice != 0 && (a.UsesTask || a.NeedsTask || a.DefaultTask != "")
	case fieldModel:
		return f.choice != 0 && (a.UsesModel || a.DefaultModel != "")
	case fieldWorkspace:
		return f.ws && f.repo != ""
	case fieldBase:
		return f.ws && f.repo != "" && f.worktree
	}
	return true
}

func (f *form) focusCmd() tea.Cmd {
	for i := range f.inputs {
		f.inputs[i].Blur()
	}
	if f.focus >= 0 && f.focus != fieldWorkspace {
		return f.inputs[f.focus].Focus()
	}
	return nil
}

func (f *form) move(delta int) tea.Cmd {
	for range nFields + 1 {
		f.focus += delta
		if f.focus >= nFields {
			f.focus = -1
		}
		if f.focus < -1 {
			f.focus = nFields - 1
		}
		if f.focus == -1 || f.enabled(f.focus) {
			break
		}
	}
	return f.focusCmd()
}

func (f *form) setError(err error) { f.err = err.Error() }

func (f *form) updateInput(msg tea.Msg) tea.Cmd {
	if f.focus < 0 || f.focus == fieldWorkspace {
		return nil
	}
	var cmd tea.Cmd
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
	return cmd
}

// request validates the form without IO; the launcher checks the rest
// (program on PATH, directory) and its error comes back to the form.
func (f *form) request(cols, rows int) (Request, error) {
	// A field the entry does not use sends nothing, even if it was typed
	// into for another entry.
	val := func(i int) string {
		if !f.enabled(i) {
			return ""
		}
		return strings.TrimSpace(f.inputs[i].Value())
	}
	a := f.agent()
	req := Request{Task: val(fieldTask), Model: val(fieldModel), Dir: val(fieldDir), Name: val(fieldName),
		Cols: cols, Rows: rows}
	// A new worktree where the directory is known to be in a repository;
	// while its check is in flight, the choice stands and Launch says
	// whether it can be made.
	if f.worktree && f.ws && (f.repo != "" || !f.repoSeen || f.repoDir != f.dir()) {
		req.Worktree = true
		req.Base = strings.TrimSpace(f.inputs[fieldBase].Value())
	}
	if strings.HasPrefix(req.Dir, "~/") && homeDir != "" {
		req.Dir = homeDir + req.Dir[1:]
	}
	if f.choice == 0 {
		req.Command = val(fieldCommand)
		if req.Command == "" {
			return req, fmt.Errorf("enter a command to run")
		}
		return req, nil
	}
	if !a.Available {
		return req, fmt.Errorf("%s is not available: %s", a.Name, a.Reason)
	}
	if a.NeedsTask && req.Task == "" && a.DefaultTask == "" {
		return req, fmt.Errorf("%s runs a task: enter one", a.Name)
	}
	req.Agent = a.Name
	return req, nil
}

func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	f := &m.form
	k := m.keys
	switch {
	case key.Matches(msg, k.Cancel):
		m.mode = modeNormal
		m.setStatus("new run cancelled")
		return nil
	case key.Matches(msg, k.Submit):
		w, h := m.paneSize()
		req, err := f.request(w, h)
		if err != nil {
			f.err = err.Error()
			return nil
		}
		f.err = ""
		return launchCmd(m.launch, req, true)
	case key.Matches(msg, k.NextField):
		return f.move(1)
	case key.Matches(msg, k.PrevField):
		return f.move(-1)
	case f.focus == fieldWorkspace && key.Matches(msg, k.NextChoice, k.PrevChoice):
		f.worktree = key.Matches(msg, k.NextChoice)
		f.err = ""
		return nil
	case f.focus == -1 && key.Matches(msg, k.NextChoice, k.PrevChoice):
		d := 1
		if key.Matches(msg, k.PrevChoice) {
			d = -1
		}
		dir := f.dir()
		f.choice = (f.choice + d + len(f.agents)) % len(f.agents)
		f.worktree = f.agent().Worktree
		f.setHints()
		f.err = ""
		if f.dir() != dir { // the entry's own directory
			return m.checkRepo()
		}
		return nil
	}
	if f.focus == -1 && f.choice == 0 && msg.Text != "" {
		// Typing on the chooser's "command" is typing the command line.
		cmd := f.move(1)
		return tea.Batch(cmd, f.updateInput(msg))
	}
	dir := f.dir()
	cmd := f.updateInput(msg)
	if f.dir() != dir {
		cmd = tea.Batch(cmd, m.checkRepoLater())
	}
	return cmd
}

// formParts are the form's lines by part, for formLines to join and
// formView to fit into a short pane.
type formParts struct {
	run, desc string   // the chooser and the chosen entry's description
	fields    []string // the fields and their hints
	focus     int      // the line of fields the focused field is on, or -1
	err       string   // the error, or ""
	hint      string   // what the keys do
}

func (m *Model) formParts() formParts {
	f := &m.form
	t := m.theme
	label := func(name string, active bool) string {
		s := fmt.Sprintf(" %-10s ", name)
		if active {
			return t.FormActive.Render("›" + s[1:])
		}
		return t.FormLabel.Render(s)
	}
	var names []string
	for i, a := range f.agents {
		n := a.Name
		if !a.Available {
			n += "✗"
		}
		if i == f.choice {
			n = t.FormActive.Render("‹ " + n + " ›")
		} else {
			n = t.Subtle.Render(n)
		}
		names = append(names, n)
	}
	// On a narrow screen the entries before the chosen one give way to "…"
	// until it is in sight.
	shown := names
	for first := 1; first <= f.choice && ansi.StringWidth(strings.Join(shown, " ")) > m.width-formLabelWidth; first++ {
		shown = append([]string{t.Subtle.Render("…")}, names[first:]...)
	}
	p := formParts{run: label("Run", f.focus == -1) + strings.Join(shown, " "), focus: -1}
	a := f.agent()
	desc := a.Description
	if !a.Available {
		desc = "not available: " + a.Reason
	}
	p.desc = t.FormHint.Render(strings.Repeat(" ", 12) + desc)
	for i := range f.inputs {
		if !f.enabled(i) {
			continue
		}
		if i == f.focus {
			p.focus = len(p.fields)
		}
		if i == fieldWorkspace {
			p.fields = append(p.fields, label(fieldNames[i], f.focus == i)+m.workspaceChoice())
			continue
		}
		p.fields = append(p.fields, label(fieldNames[i], f.focus == i)+f.inputs[i].View())
		if i == fieldDir && f.ws && f.worktree && f.repoSeen && f.repo == "" && f.repoDir == f.dir() {
			p.fields = append(p.fields, t.FormHint.Render(strings.Repeat(" ", formLabelWidth)+
				"not in a git repository: the run starts in this directory, not a new worktree"))
		}
	}
	if f.err != "" {
		p.err = t.FormError.Render(" ✗ " + f.err)
	}
	k := m.keys
	choosesOn := "on Run chooses"
	if f.enabled(fieldWorkspace) {
		choosesOn = "on Run/Workspace choose"
	}
	h := hints(" · ", keyHint{keysOf(k.Submit), "starts"}, keyHint{keysOf(k.NextField, k.PrevField), "move"},
		keyHint{keysOf(k.PrevChoice, k.NextChoice), choosesOn}, keyHint{keysOf(k.Cancel), "cancels"})
	p.hint = t.FormHint.Render(" " + h)
	return p
}

// formLines is the whole form: the chooser and its description, the
// fields, an error and the key hints, a blank line before each of these
// two.
func (m *Model) formLines() []string { return m.formParts().lines() }

// lines joins the parts into the whole form (formLines).
func (p formParts) lines() []string {
	lines := append([]string{p.run, p.desc}, p.fields...)
	if p.err != "" {
		lines = append(lines, "", p.err)
	}
	return append(lines, "", p.hint)
}

// formView is the form in a pane of h lines. A short pane leaves out,
// in turn, the key hints (the help line has the keys), the blank line
// before an error, and the description of the chosen entry; if the
// fields are still too many, it shows those around the focused one. The
// chooser, the fields and an error are what matter.
func (m *Model) formView(h int) []string {
	p := m.formParts()
	if lines := p.lines(); len(lines) <= h {
		return fit(lines, h)
	}
	var tail []string
	if p.err != "" {
		tail = []string{p.err}
	}
	head := []string{p.run}
	if 2+len(p.fields)+len(tail) <= h {
		head = append(head, p.desc)
	}
	fields := p.fields
	if room := max(h-len(head)-len(tail), 0); len(fields) > room {
		// The window of room lines that shows the focused field, from the
		// first field while the chooser has the focus.
		start := min(max(p.focus-room+1, 0), len(fields)-room)
		fields = fields[start : start+room]
	}
	lines := append(append(head, fields...), tail...)
	return fit(lines, h)
}

// workspaceChoice is the Workspace field: this directory or a new
// worktree, the choice between ‹ ›, and the repository. On a narrow
// screen the repository goes, then "this directory" shortens to "this
// dir", so that both choices stay in sight.
func (m *Model) workspaceChoice() string {
	f := &m.form
	t := m.theme
	room := m.width - formLabelWidth
	repo := t.FormHint.Render("  repository: " + shortPath(f.repo))
	s := m.workspaceChoices("this directory")
	switch {
	case ansi.StringWidth(s+repo) <= room:
		return s + repo
	case ansi.StringWidth(s) <= room:
		return s
	}
	return m.workspaceChoices("this dir")
}

// workspaceChoices are the two choices of the Workspace field, the chosen
// one between ‹ ›.
func (m *Model) workspaceChoices(here string) string {
	t := m.theme
	choices := []string{here, "new worktree"}
	sel := 0
	if m.form.worktree {
		sel = 1
	}
	for i, c := range choices {
		if i == sel {
			choices[i] = t.FormActive.Render("‹ " + c + " ›")
		} else {
			choices[i] = t.Subtle.Render(c)
		}
	}
	return strings.Join(choices, " ")
}

// adoptList picks a running process to adopt: typed pid or a candidate.
type adoptList struct {
	input      textinput.Model
	candidates []Candidate
	sel        int
	loaded     bool
	err        string
}

func newAdoptList(k KeyMap, width int) adoptList {
	in := textinput.New()
	in.Prompt = " PID: "
	// Without a width the input shows one character of its placeholder;
	// with the width left of the prompt, the hint reads in full, in a
	// shorter form on a narrow screen.
	w := max(width-ansi.StringWidth(in.Prompt)-1, 10)
	in.SetWidth(w)
	in.Placeholder = "type a pid"
	if pick := keysOf(k.Up, k.Down); pick != "" {
		in.Placeholder += ", or pick one below with " + pick
		if ansi.StringWidth(in.Placeholder) > w {
			in.Placeholder = "a pid, or " + pick + " picks"
		}
	}
	return adoptList{input: in}
}

func (a *adoptList) setCandidates(c []Candidate) { a.candidates, a.loaded, a.sel = c, true, 0 }

func (m *Model) adoptKey(msg tea.KeyPressMsg) tea.Cmd {
	a := &m.adopt
	switch {
	case key.Matches(msg, m.keys.Cancel):
		m.mode = modeNormal
		m.setStatus("adopt cancelled")
		return nil
	case key.Matches(msg, m.keys.Up):
		a.sel = max(a.sel-1, 0)
		return nil
	case key.Matches(msg, m.keys.Down):
		a.sel = min(a.sel+1, max(len(a.candidates)-1, 0))
		return nil
	case key.Matches(msg, m.keys.Submit):
		if s := strings.TrimSpace(a.input.Value()); s != "" {
			pid, err := strconv.Atoi(s)
			if err != nil || pid <= 0 {
				a.err = fmt.Sprintf("%q is not a pid", s)
				return nil
			}
			return adoptCmd(m.launch, pid)
		}
		if len(a.candidates) == 0 {
			a.err = "type the pid of the process to adopt"
			return nil
		}
		return adoptCmd(m.launch, a.candidates[a.sel].PID)
	}
	var cmd tea.Cmd
	a.input, cmd = a.input.Update(msg)
	return cmd
}

func (m *Model) adoptLines() []string {
	a := &m.adopt
	t := m.theme
	lines := []string{a.input.View(), ""}
	switch {
	case !a.loaded:
		lines = append(lines, t.Subtle.Render(" looking for running agents…"))
	case len(a.candidates) == 0:
		lines = append(lines, t.Subtle.Render(" no unregistered claude, codex, aider or gemini process found"))
	default:
		lines = append(lines, t.FormLabel.Render(" running outside corral:"))
		for i, c := range a.candidates {
			s := fmt.Sprintf("   %-8d %s  %s", c.PID, oneLine(c.Command), t.Subtle.Render(shortPath(c.Dir)))
			if c.Run != 0 {
				s += t.Warn.Render(fmt.Sprintf("  run %d of an earlier corral", c.Run))
			}
			if i == a.sel {
				s = t.FormActive.Render(" › ") + s[3:]
			}
			lines = append(lines, s)
		}
	}
	if a.err != "" {
		lines = append(lines, "", t.FormError.Render(" ✗ "+a.err))
	}
	return lines
}

// setHints sets the placeholders that depend on the chosen entry: its
// default model and task, and the directory it starts in — its own, as
// the launcher expands it, else the current one.
func (f *form) setHints() {
	a := f.agent()
	f.inputs[fieldModel].Placeholder = "the agent's default"
	if a.DefaultModel != "" {
		f.inputs[fieldModel].Placeholder = a.DefaultModel
	}
	f.inputs[fieldTask].Placeholder = "what the agent should do"
	if a.DefaultTask != "" {
		f.inputs[fieldTask].Placeholder = a.DefaultTask
	}
	switch {
	case a.Dir != "":
		f.inputs[fieldDir].Placeholder = expandDir(a.Dir) + " (" + a.Name + "'s directory)"
	case f.cwd != "":
		f.inputs[fieldDir].Placeholder = shortPath(f.cwd) + " (current directory)"
	default:
		f.inputs[fieldDir].Placeholder = ""
	}
}

// expandDir expands a leading ~ in a catalog entry's directory, as the
// launcher does.
func expandDir(p string) string {
	if (p == "~" || strings.HasPrefix(p, "~/")) && homeDir != "" {
		return homeDir + p[1:]
	}
	return p
}
