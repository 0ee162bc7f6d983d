// Package tui is corral's terminal interface: a table of runs, the live
// screen of the selected one, and keys that become registry and launcher
// calls whose results come back as messages.
package tui

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"corral/registry"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"
)

// Registry is what the interface needs from the run registry.
type Registry interface {
	Subscribe() ([]registry.ProcessInfo, <-chan registry.Event, func())
	KillProcess(ctx context.Context, runID int64) (bool, error)
	KillAll(ctx context.Context) error
	UnregisterProcess(runID int64) error
	CleanupFinishedProcesses() []int64
	Output(runID int64) *registry.Output
}

// Screen is the emulated terminal of a run.
type Screen interface {
	// Render returns the screen as lines of ANSI-styled text.
	Render() string
	// AltScreen reports whether a full-screen program has the screen.
	AltScreen() bool
	// SendKey types a key into the run, encoded as it asked.
	SendKey(k uv.KeyPressEvent)
	// Paste sends pasted text.
	Paste(text string)
	// Resize sets the terminal size of the run.
	Resize(cols, rows int)
	// SetVisible says whether the pane shows this screen, so that hidden
	// runs are emulated at a lower rate.
	SetVisible(bool)
	// Cursor returns the child's cursor on its screen: position, whether
	// the child hid it (DECTCEM) and the shape it asked for (DECSCUSR).
	Cursor() uv.Cursor
}

// Agent is an entry of the catalog offered by the new-run form.
type Agent struct {
	Name        string
	Kind        registry.Kind
	Description string
	// Available is false when the program is missing; Reason says why.
	Available bool
	Reason    string
	// NeedsTask is set for one-shot agents, which run a task.
	NeedsTask    bool
	DefaultModel string
	DefaultTask  string
	// UsesTask and UsesModel say that the entry's command takes a task
	// ({task}) or a model ({model}): the form shows those fields only
	// then (also when NeedsTask, DefaultTask or DefaultModel is set).
	UsesTask  bool
	UsesModel bool
	// Dir is the entry's own directory, as the catalog writes it (~ and
	// $VARs allowed), or "": runs start in the current directory.
	Dir string
	// Worktree: the entry's runs start in a new git worktree by default
	// (the catalog's worktree = true); the form preselects it.
	Worktree bool
}

// Request asks for a run: an agent of the catalog, or a command line.
type Request struct {
	Agent   string // catalog entry; empty for Command
	Command string // a command line, when Agent is empty
	Task    string
	Model   string
	Dir     string // project directory; empty for corral's own
	Cols    int
	Rows    int
	// Name names the run; empty: a name derived from the agent or command.
	Name string
	// Env is added to the run's environment: NAME=value pairs, each ended
	// by a NUL byte (which no variable holds), so that a Request compares.
	Env string
	// Resume is the session id of a Claude conversation to resume (the
	// catalog's --session-id becomes --resume), and Resumes the id of the
	// run that had it; both empty for a new conversation.
	Resume  string
	Resumes int64
	// Worktree starts the run in a new git worktree of the repository of
	// Dir, on a new branch from Base, or from the branch HEAD is on when
	// Base is empty.
	Worktree bool
	Base     string
}

// Worktree is the git worktree a run was started in, and its change
// against its base as last measured.
type Worktree struct {
	Path   string // the worktree's directory
	Branch string // the branch made for the run
	Base   string // the branch or commit it was made from
	Repo   string // the repository's main working tree
	// Files, Added and Removed measure the change against the base:
	// committed, uncommitted and untracked files together.
	Files   int
	Added   int
	Removed int
	// Dirty: uncommitted changes or untracked files.
	Dirty bool
	// Ahead is how many commits the branch has that the base has not.
	Ahead int
	// Submodules: the repository has submodules, not initialised in the
	// worktree.
	Submodules bool
}

// Candidate is a running process that may be adopted.
type Candidate struct {
	PID     int
	Command string
	Dir     string
	// Run is the history's id of the run this process was in a corral
	// that is gone (an orphan), or 0.
	Run int64
}

// PastRun is a run of the history: of this corral or an earlier one.
type PastRun struct {
	ID        int64
	Kind      registry.Kind
	Agent     string // catalog entry, or ""
	Name      string
	Command   string // the command line, quoted for a shell
	Dir       string
	Task      string
	Model     string
	SessionID string // a Claude session's id, for resuming it
	StartedAt time.Time
	EndedAt   time.Time // zero while it runs (in another corral) or when lost
	Status    string    // "running", "exited", "failed", "killed", "lost"…
	// Outcome says how it ended in a few words ("exit 0", "SIGTERM", "lost").
	Outcome string
	CostUSD float64 // 0 when not known
	Tokens  int64
	Turns   int
	// LogPruned: the log was deleted to keep the history's size cap.
	LogPruned bool
	// Env is what the run's request added to its environment (a project
	// file's env), as Request.Env: starting it again adds it again.
	Env string
}

// History is the durable record of runs, for the history view.
type History interface {
	// Past lists recorded runs, newest first, at most limit (0: all).
	Past(limit int) ([]PastRun, error)
	// Log returns the end of a run's recorded output as plain lines, at
	// most about maxBytes of it; omitted says how many bytes before them
	// were left out.
	Log(runID int64, maxBytes int) (lines []string, omitted int64, err error)
	// Forget deletes a run and its log from the history.
	Forget(runID int64) error
}

// ErrNotRunning is wrapped by Launcher.Stop's error for a run that had
// ended with nothing to stop.
var ErrNotRunning = errors.New("not running")

// Launcher starts and adopts runs and gives access to their screens.
type Launcher interface {
	// Launch starts a run and returns its id.
	Launch(req Request) (int64, error)
	// Request returns what a run was launched with, for a restart; false
	// for a run corral did not start (adopted), which it cannot restart.
	Request(runID int64) (Request, bool)
	// Stop stops a run corral started (the registry's kill sequence) and
	// waits for it; the run stays listed. Called from a command.
	Stop(runID int64) error
	// Restart starts a run again in place: the same id, row and name, its
	// earlier output kept above a marker line; a live run is stopped
	// first. Called from a command.
	Restart(runID int64) error
	// Screen returns the screen of a run, or nil (an adopted process).
	Screen(runID int64) Screen
	// Rendered returns a run's output rendered for a person (a Claude
	// stream or transcript), or nil; v switches to the raw output.
	Rendered(runID int64) *registry.Output
	// Agents lists the catalog for the form.
	Agents() []Agent
	// Adopt registers a running process by pid.
	Adopt(pid int) (int64, error)
	// Candidates lists agent processes not yet registered.
	Candidates() []Candidate
	// Detached returns the pids of runs unregistered while alive that
	// still run: their terminal closes when corral quits.
	Detached() []int
}

// Options configure a Model.
type Options struct {
	Keys    KeyMap
	Theme   Theme
	Now     func() time.Time // clock, for tests; time.Now by default
	Version string
	// Dir is the directory new runs start in by default, shown in the form.
	Dir string
	// AttentionFirst lists the runs that need the person first, then the
	// idle and failed ones, then the rest; by run id within each group.
	AttentionFirst bool
	// Notify is what corral writes to its terminal when a run starts to
	// need the person or ends its turn while its pane is not shown or the
	// terminal is not focused: NotifyOSC (the default, also for ""),
	// NotifyBell or NotifyOff.
	Notify string
	// NotifyCommand, when set, builds the argv of a program run on the
	// same occasions (no shell; output discarded; killed after 10 s).
	NotifyCommand func(name, state, detail string) []string
	// TermProgram names the terminal corral runs in (TerminalName): it
	// picks the desktop notification's sequence.
	TermProgram string
	// InTmux says corral runs inside tmux ($TMUX is set): notifications
	// are wrapped for tmux to pass them to the outer terminal.
	InTmux bool
	// Logger receives what the interface cannot show (a notify command
	// that failed); nil discards it.
	Logger *slog.Logger
	// History is the run history for the history view; nil when it is
	// off or could not be opened.
	History History
	// Warning is shown in the status line at start (the history could not
	// be opened, …).
	Warning string
	// Orphans are processes of runs of an earlier corral that still run:
	// a banner offers to adopt them.
	Orphans []Candidate
	// Workspaces gives the git worktrees of runs (the form's "new
	// worktree", the row's change, the diff view, their removal); nil:
	// worktrees are not offered.
	Workspaces Workspaces
}

type mode int

const (
	modeNormal mode = iota
	modeConfirm
	modeForm
	modeFocus
	modeFilter
	modeAdopt
	modeHistory       // the history view's list of past runs
	modeHistoryFilter // typing the history view's filter
	modeFind          // typing the search line of the selected run's history (search.go)
	modeFindAll       // the search of every run and its results (findall.go)
	modeSelect        // selecting lines of the pane to copy (copy.go)
	modeSave          // typing the path to save a run's history to (save.go)
	modeDiff          // the pane shows the diff of the selected run's worktree (diffview.go)
	modeWorktreeAsk   // keep or remove the worktrees of runs going away (worktree.go)
)

// frameInterval bounds redraws caused by output to about 60 a second, and
// floodInterval to 30 a second while it keeps coming: no one reads a flood,
// and each frame of one costs the child's speed on a small machine.
const (
	frameInterval = time.Second / 60
	floodInterval = time.Second / 30
)

// FPS is the frame rate the program should run Bubble Tea's renderer at
// (tea.WithFPS). The renderer writes a frame on its own clock; at the
// default 60 a second it adds 8 ms on average to every keystroke echo, at
// 120 half that. It only writes frames that changed, so an idle screen costs
// nothing more.
const FPS = 120

// keysPause is how long keys are held back from corral after focus ends
// because the run exited: keys typed for the child must not act on corral.
const keysPause = time.Second

// Model is the root model of the interface.
type Model struct {
	reg    Registry
	launch Launcher
	keys   KeyMap
	theme  Theme
	help   help.Model
	now    func() time.Time
	title  string
	cwd    string

	events <-chan registry.Event
	cancel func()

	width, height int
	runs          []registry.ProcessInfo // every run, by id
	selected      int64                  // run id of the selection
	selIndex      int                    // its row, to fall back on when it goes
	tableTop      int                    // first row shown

	mode      mode
	confirm   confirmation
	form      form
	adopt     adoptList
	filter    textinput.Model
	history   History  // nil: the history is off
	past      pastView // the history view, open or not
	showHelp  bool
	helpTop   int    // first line of the full help shown, when it scrolls
	zoomed    bool   // the pane has the whole window (zoom.go)
	layout    layout // set by relayout; View only reads it
	status    string
	statusErr bool
	// Plain status messages expire after statusTTL (0: never): statusSet
	// counts setStatus calls, statusGen the expiry tick in flight.
	statusTTL  time.Duration
	statusSet  int
	statusSeen int
	statusGen  int

	// Processes of runs of an earlier corral that still run, until adopted;
	// the banner that offers them goes on esc (bannerOff).
	orphans   []Candidate
	bannerOff bool

	// The pane: a cache of its lines, refreshed at most once a frame.
	pane        []string
	paneCursor  uv.Cursor // the child's cursor, read with the pane
	paneDirty   bool
	frameQueued bool
	lastFrame   time.Time // when output last redrew the pane
	shown       Screen    // the screen last marked visible (syncVisibility)
	scroll      int       // lines above live output; 0 follows
	scrollSub   subRows   // rows of the bottom line hidden too (wrap.go)
	seenTotal   int64     // output lines seen, to keep a scrolled view still
	newBelow    bool      // output arrived while scrolled back
	raw         map[int64]bool

	// Input for the run in focus: queued, with one send in flight.
	pending []input
	sending bool

	ticking   bool // a tick is in flight: the table changes with time
	tickEvery time.Duration
	tickGen   int // the tick in flight; older ones are ignored
	quitting  bool
	quitStop  context.CancelFunc

	// keysPausedUntil holds keys back after focus ended because its run
	// exited; pausedRun is that run.
	keysPausedUntil time.Time
	pausedRun       int64

	// view is the last View, kept while nothing on screen changed (output
	// of runs that are not shown arrives hundreds of times a second).
	view      tea.View
	viewValid bool

	attentionFirst bool
	// Notifications: the mode, the sequence the terminal takes, and when
	// each run was last the subject of one (dropped with the run).
	notify        string
	osc           oscKind
	inTmux        bool
	notifyCommand func(name, state, detail string) []string
	notifyTimeout time.Duration
	notified      map[notice]time.Time
	blurred       bool // the terminal reported that it lost the focus
	log           *slog.Logger

	// Issue 17: the pane's search, the search of every run, the pane held
	// still while they or a selection show it, the clipboard, the save
	// prompt (search.go, findall.go, copy.go, save.go).
	find    paneFind
	findAll findAll
	snap    snapshot
	clip    clipboard
	save    savePrompt

	// Issue 18: the worktrees of runs (worktree.go, diffview.go): nil
	// without; the refresh tick, the diff view, the keep/remove question.
	ws     Workspaces
	wtPoll wtPoll
	diff   diffView
	finish finishAsk
}

// confirmation is a question waiting for yes or no, and the mode the
// answer returns to.
type confirmation struct {
	question string
	detail   string // said after the question when the screen is wide enough
	yes      tea.Cmd
	back     mode // the mode asked from
}

// New returns the root model, subscribed to reg.
func New(reg Registry, launch Launcher, opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := help.New()
	h.Styles = opts.Theme.Help
	f := textinput.New()
	f.Prompt = "/"
	f.Placeholder = "filter runs"
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Model{reg: reg, launch: launch, keys: opts.Keys, theme: opts.Theme, help: h, now: opts.Now,
		filter: f, title: "corral", raw: map[int64]bool{}, cwd: opts.Dir,
		attentionFirst: opts.AttentionFirst, notify: opts.Notify, osc: oscFor(opts.TermProgram),
		inTmux: opts.InTmux, notifyCommand: opts.NotifyCommand, notifyTimeout: notifyCommandTimeout,
		notified: map[notice]time.Time{}, log: opts.Logger, history: opts.History,
		orphans: append([]Candidate(nil), opts.Orphans...), statusTTL: defaultStatusTTL, ws: opts.Workspaces}
	if opts.Warning != "" {
		m.status, m.statusErr = opts.Warning, true
	}
	if opts.Version != "" {
		m.title += " " + opts.Version
	}
	snap, events, cancel := reg.Subscribe()
	m.runs, m.events, m.cancel = snap, events, cancel
	if rows := m.visibleRuns(); len(rows) > 0 {
		m.selected = rows[0].RunID
	}
	// Every screen starts hidden; the first message (the window's size)
	// shows the selected one.
	m.relayout()
	m.paneDirty = true
	m.updateKeyStates()
	return m
}

// Close ends the model's subscription.
func (m *Model) Close() { m.cancel() }

// Init starts waiting for registry events and asks the terminal for its
// colours (runs may ask for them).
func (m *Model) Init() tea.Cmd {
	return tea.Batch(waitEvent(m.events), m.tickIfNeeded(), requestHostColors(), m.measureWorktrees())
}
