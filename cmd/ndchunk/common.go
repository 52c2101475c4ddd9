package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/exec/mpi"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/planner"
)

// app holds the command line's common state.
type app struct {
	stdout, stderr io.Writer

	// Common flags.
	memory     string
	workers    int
	quiet      bool
	progress   string
	debug      bool
	reportJSON string
	cpuProfile string
	profFile   *os.File
	backend    string

	// mpi is the MPI engine once a session started one: run then agrees
	// on the outcome across ranks and finalizes MPI.
	mpi *mpi.Engine

	cmdName string
	// ran is set once a command starts: errors before it are cobra's
	// usage errors.
	ran bool
}

// checkCommon validates the common flags.
func (a *app) checkCommon() error {
	switch a.progress {
	case "auto", "bar", "plain", "none":
	default:
		return usagef("--progress %q: want auto, bar, plain or none", a.progress)
	}
	switch a.backend {
	case "auto", "local", "mpi":
	default:
		return usagef("--backend %q: want local, mpi or auto", a.backend)
	}
	if a.backend == "mpi" && !mpi.Launched() {
		return usagef("--backend mpi: this process was not started by mpirun or srun (run it as mpirun -np N ndchunk ...)")
	}
	if a.workers < 0 {
		return usagef("--workers %d: want a positive number (0: the CPUs this process may use)", a.workers)
	}
	if a.memory != "" {
		b, err := chunk.ParseBytes(a.memory)
		if err != nil {
			return usagef("--memory: %v", err)
		}
		if b <= 0 {
			return usagef("--memory %q: want a positive size", a.memory)
		}
	}
	return nil
}

// startProfile starts the hidden --cpuprofile.
func (a *app) startProfile() error {
	if a.cpuProfile == "" {
		return nil
	}
	f, err := os.Create(a.cpuProfile)
	if err != nil {
		return err
	}
	a.profFile = f
	return pprof.StartCPUProfile(f)
}

// stopProfile ends it (once).
func (a *app) stopProfile() {
	if a.profFile != nil {
		pprof.StopCPUProfile()
		a.profFile.Close()
		a.profFile = nil
	}
}

// budget returns the --memory budget in bytes.
func (a *app) budget() int64 {
	if a.memory == "" {
		return max(exec.AvailableMemory()/4, 64<<20)
	}
	b, _ := chunk.ParseBytes(a.memory)
	return b
}

// session is one command's run: the engine, the budget split between it and
// the C libraries' caches, the progress display and the byte counters.
type session struct {
	a     *app
	start time.Time
	// budget is --memory; engine gets what the caches leave.
	budget, engineBudget int64
	// readCache and writeCache are the library chunk caches: readCache is
	// shared by every open variable, writeCache by the file written.
	readCache, writeCache int64
	eng                   engine
	// local is the local engine: the session's, or the MPI engine's own
	// on a job of one rank; nil on a job of several ranks (the commands
	// that need it, such as Parquet output, refuse to run there).
	local *exec.Engine
	prog  *progress

	read, written atomic.Int64
	outFiles      []string
}

// maxCacheBytes caps the C libraries' chunk caches: ndchunk reads and
// writes whole chunks, so larger caches only cost memory (and HDF5's
// bookkeeping of big caches costs time).
const maxCacheBytes = 64 << 20

// residentOverhead is the least the process is taken to hold besides the
// Go heap and the C libraries' chunk caches: the program's code and the C
// libraries themselves, the runtime, thread stacks. newSession uses the
// resident size it measures when that is larger.
const residentOverhead = 56 << 20

// residentGrowth is what the process's resident set grows by, besides the
// Go heap and the chunk caches, once it reads and writes files: the C
// libraries' own allocations and the code pages they touch (measured: the
// demo's convert step peaked 12 MiB above its heap limit and caches; the
// rest is margin, since the Go heap limit is soft).
const residentGrowth = 24 << 20

// newSession sizes the budget and starts an engine. --memory bounds the
// whole process, so it is split: the C libraries' chunk caches get a
// sixteenth, at most maxCacheBytes (half for reading, half for writing;
// ndchunk reads and writes whole chunks wherever it can, so the caches
// matter little), the code and the libraries themselves what is resident
// at the start plus residentGrowth, and the Go heap the rest,
// enforced as the runtime's soft memory limit (unless GOMEMLIMIT is set).
// Of the heap, the engine's blocks get all but room for the compressors'
// and decoders' buffers and the garbage between collections.
func (a *app) newSession() (*session, error) {
	s := &session{a: a, start: time.Now(), budget: a.budget()}
	cache := min(s.budget/16, maxCacheBytes)
	s.readCache, s.writeCache = cache/2, cache/2
	// What is resident already (the runtime and the linked libraries:
	// HDF5, NetCDF, Open MPI, OpenBLAS; about 57 MiB on Debian 12) grows
	// by the libraries' working memory once files are open.
	resident := max(residentOverhead, exec.CurrentRSS()+residentGrowth)
	heap := max(s.budget-cache-resident, s.budget/2)
	workers := a.workers
	if workers <= 0 {
		workers = exec.AvailableCPUs()
	}
	// Besides the blocks, the heap holds the garbage between collections
	// and the decoders' buffers of reads; the writers' buffers are inside
	// the engine's budget (exec.BufferedSink).
	s.engineBudget = max(heap-int64(8+4*workers)<<20, heap*3/4)
	keep := os.Getenv("GOMEMLIMIT") != ""
	if !keep {
		// Below a few tens of MiB the collector would run without pause
		// over the runtime's own data.
		debug.SetMemoryLimit(max(heap, 32<<20))
	}
	mode := a.progress
	if a.quiet {
		mode = "none"
	}
	if mode == "auto" {
		mode = "plain"
		if f, ok := a.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			mode = "bar"
		}
	}
	s.prog = &progress{mode: mode, w: a.stderr, detail: func() string {
		return fmt.Sprintf("read %s, wrote %s", chunk.FormatBytes(s.read.Load()), chunk.FormatBytes(s.written.Load()))
	}}
	opts := exec.Options{MemoryBudget: s.engineBudget, Workers: workers, Progress: s.prog.event,
		ProgressInterval: 100 * time.Millisecond, KeepGoMemoryLimit: true}
	if a.useMPI() {
		// Every rank runs this; --memory and --workers are per rank, and
		// without --workers the ranks on a node share its CPUs.
		opts.Workers = a.workers
		me, err := mpi.New(mpi.Options{Options: opts})
		if err != nil {
			return nil, err
		}
		a.mpi = me
		s.eng = me
		if me.Size() == 1 {
			s.local = me.Local()
		}
		if me.Rank() != 0 {
			// Results, progress, warnings and errors are reported once,
			// by rank 0, for the whole job.
			s.prog.mode = "none"
		}
		return s, nil
	}
	s.local = exec.New(opts)
	s.eng = localEngine{s.local}
	return s, nil
}

// useMPI reports whether commands run on the MPI backend: asked for, or
// (auto) when the process was started by mpirun or srun.
func (a *app) useMPI() bool {
	return a.backend == "mpi" || a.backend == "auto" && mpi.Launched()
}

// silent reports whether this process keeps quiet: a rank other than 0 of
// an MPI job, where rank 0 reports for all.
func (a *app) silent() bool {
	return a.useMPI() && mpi.LaunchedRank() > 0
}

// engine is what the commands use of an engine: the local engine or the
// MPI backend's, whose calls are collective (every rank makes them, in the
// same order).
type engine interface {
	Plan(reserved int64, arrays ...ndarray.Array) (*planner.Plan, error)
	Compute(ctx context.Context, a ndarray.Array) (*chunk.Dense, error)
	StoreMany(ctx context.Context, arrays []ndarray.Array, sinks []exec.Sink) error
	Allocator() *chunk.Allocator
	Workers() int
	// IsWriter reports whether this process writes the outputs (the MPI
	// backend funnels them to one rank; other ranks pass nil sinks).
	IsWriter() bool
	// Agree combines the outcome of a step each process did on its own:
	// every rank gets nil if all succeeded, else the same error.
	Agree(err error) error
}

// localEngine is the local engine as an engine: the only process, so the
// writer, and agreeing with itself.
type localEngine struct{ *exec.Engine }

// IsWriter implements engine.
func (localEngine) IsWriter() bool { return true }

// Agree implements engine.
func (localEngine) Agree(err error) error { return err }

// requireLocal refuses a step that runs on one process only (what must
// gather a whole variable, such as Parquet output) on a job of several
// ranks.
func (s *session) requireLocal(what string) error {
	if s.local == nil {
		return usagef("%s runs on one process: run it without mpirun (or with --backend local)", what)
	}
	return nil
}

// writeBuffers is what the writers of spec's variables will hold back
// from the blocks while the engine stores them (exec.BufferedSink), so
// that a plan made before the output exists is the one that runs.
func (s *session) writeBuffers(spec dataset.Spec) int64 {
	var most int64
	for _, v := range spec.Vars {
		most = max(most, dataset.WriteBufferBytes(v.Chunks, v.DType, v.Deflate > 0 || v.Shuffle))
	}
	return most * int64(max(s.eng.Workers(), 1))
}

// overBudget explains a plan refused for the budget in terms of --memory.
func (s *session) overBudget(err error) error {
	if !errors.Is(err, chunk.ErrOverBudget) {
		return err
	}
	return fmt.Errorf("%w (--memory %s leaves %s for blocks; the rest holds the C libraries' caches and the program itself)",
		err, chunk.FormatBytes(s.budget), chunk.FormatBytes(s.engineBudget))
}

// cachePerVar splits the read cache over n open variables.
func (s *session) cachePerVar(n int) int64 {
	return s.readCache / int64(max(n, 1))
}

// warnf prints a warning on stderr (warnings are kept with --quiet: they
// say what was left out).
func (s *session) warnf(format string, args ...any) {
	s.prog.pause()
	fmt.Fprintf(s.a.stderr, "ndchunk %s: warning: %s\n", s.a.cmdName, fmt.Sprintf(format, args...))
}

// costs is what a run cost, for the final line and --report-json.
type costs struct {
	Command      string  `json:"command"`
	WallSeconds  float64 `json:"wall_s"`
	PeakRSS      int64   `json:"peak_rss_bytes"`
	PeakEngine   int64   `json:"peak_engine_bytes"`
	Budget       int64   `json:"budget_bytes"`
	BytesRead    int64   `json:"bytes_read"`
	BytesWritten int64   `json:"bytes_written"`
	FileBytes    int64   `json:"file_bytes,omitempty"`
}

// finish prints the final report line (unless --quiet) and appends it to
// --report-json.
func (s *session) finish() error {
	s.prog.done()
	c := costs{
		Command: s.a.cmdName, WallSeconds: time.Since(s.start).Seconds(), PeakRSS: exec.PeakRSS(),
		PeakEngine: s.eng.Allocator().Stats().PeakLive, Budget: s.budget,
		BytesRead: s.read.Load(), BytesWritten: s.written.Load(),
	}
	for _, f := range s.outFiles {
		if fi, err := os.Stat(f); err == nil {
			c.FileBytes += fi.Size()
		}
	}
	if !s.a.quiet {
		line := fmt.Sprintf("ndchunk %s: %.2f s; peak memory %s RSS, %s in blocks (budget %s); read %s, wrote %s",
			s.a.cmdName, c.WallSeconds, chunk.FormatBytes(c.PeakRSS), chunk.FormatBytes(c.PeakEngine), chunk.FormatBytes(c.Budget),
			chunk.FormatBytes(c.BytesRead), chunk.FormatBytes(c.BytesWritten))
		if len(s.outFiles) > 0 {
			line += fmt.Sprintf(" (%s on disk)", chunk.FormatBytes(c.FileBytes))
		}
		if me := s.a.mpi; me != nil && me.Size() > 1 {
			r := me.LastMPIReport()
			line += fmt.Sprintf("; %d MPI ranks (figures of rank 0): last run moved %s between ranks in %d messages, tasks per rank %v",
				r.Ranks, chunk.FormatBytes(r.BytesMoved), r.Messages, r.TasksPerRank)
		}
		fmt.Fprintln(s.a.stderr, line)
	}
	if s.a.reportJSON != "" {
		f, err := os.OpenFile(s.a.reportJSON, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		return json.NewEncoder(f).Encode(c)
	}
	return nil
}

// progress renders the engine's progress events on stderr: a bar, plain
// lines every two seconds, or nothing.
type progress struct {
	mode string // "bar", "plain" or "none"
	w    io.Writer
	// detail describes the bytes moved so far ("read 1.2 GiB, wrote ...").
	detail func() string

	mu        sync.Mutex
	label     string
	bar       *progressbar.ProgressBar
	lastPlain time.Time
	lastPct   int
}

// setLabel names the next run ("converting t2m").
func (p *progress) setLabel(label string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finishBarLocked()
	p.label = label
	p.lastPlain = time.Time{}
	p.lastPct = -1
}

// event receives the engine's progress events.
func (p *progress) event(e exec.Event) {
	if p.mode == "none" || e.TasksTotal == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch p.mode {
	case "bar":
		if p.bar == nil {
			p.bar = progressbar.NewOptions64(int64(e.TasksTotal),
				progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription(p.label),
				progressbar.OptionShowCount(),
				progressbar.OptionSetItsString("tasks"),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionSetElapsedTime(true),
				progressbar.OptionSetWidth(30),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionSetRenderBlankState(true),
			)
		}
		p.bar.Describe(fmt.Sprintf("%s (%s)", p.label, p.detail()))
		p.bar.Set64(int64(e.TasksDone))
		if e.Done {
			p.finishBarLocked()
		}
	case "plain":
		pct := 100 * e.TasksDone / e.TasksTotal
		now := time.Now()
		if !e.Done && pct == p.lastPct {
			return
		}
		if !e.Done && !p.lastPlain.IsZero() && now.Sub(p.lastPlain) < 2*time.Second {
			return
		}
		p.lastPlain, p.lastPct = now, pct
		label := p.label
		if label == "" {
			label = "running"
		}
		fmt.Fprintf(p.w, "%s: %3d%% (%d/%d tasks, %s, %.1f s)\n", label, pct, e.TasksDone, e.TasksTotal, p.detail(), e.Elapsed.Seconds())
	}
}

// finishBarLocked ends the current bar's line.
func (p *progress) finishBarLocked() {
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(p.w)
		p.bar = nil
	}
}

// pause ends the bar's line so a message can be printed under it.
func (p *progress) pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finishBarLocked()
}

// done ends the display.
func (p *progress) done() { p.pause() }

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
