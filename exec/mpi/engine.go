package mpi

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/ops"
	"github.com/ndchunk/ndchunk/planner"
)

// Options configure an Engine: the local engine's options, per rank, and
// what MPI adds.
type Options struct {
	// Options are the local engine's options for each rank. MemoryBudget
	// is per rank; 0 means the local engine's default shared among the
	// ranks on the node. Ranks agree on the smallest budget given, since
	// every rank must build the same plan. Workers is per rank; 0 means the
	// CPUs this rank may use (those it is bound to, or its share of the
	// node's). Progress is called on rank 0 only, for the whole job.
	exec.Options
	// NoStealing turns dynamic load balancing off: every task then runs on
	// the rank the static placement chose.
	NoStealing bool
}

// Engine runs computations across the ranks of an MPI job with the same
// calls as the local engine (exec.Engine): every rank runs the same
// program, builds the same lazy arrays and calls the same methods in the
// same order; each call is collective. Tasks are spread over the ranks
// (see placement), each rank runs its share on its own goroutine pool
// under its own memory budget, and values cross ranks point to point.
// Results are bit-identical to the local engine's for the same chunking.
//
// In a process not started by an MPI launcher, or in a job of one rank,
// the Engine is the local engine.
//
// An Engine runs one computation at a time; concurrent calls wait.
type Engine struct {
	opts  Options
	local *exec.Engine
	rank  int
	size  int
	multi bool // more than one rank: communicate

	runMu sync.Mutex
	mu    sync.Mutex
	last  Report
}

// surface is what a caller may use of either engine; the two checks
// below keep the MPI engine a drop-in for the local one.
type surface interface {
	Compute(ctx context.Context, a ndarray.Array) (*chunk.Dense, error)
	ComputeMany(ctx context.Context, arrays ...ndarray.Array) ([]*chunk.Dense, error)
	Store(ctx context.Context, a ndarray.Array, sink exec.Sink) error
	StoreMany(ctx context.Context, arrays []ndarray.Array, sinks []exec.Sink) error
	Plan(reserved int64, arrays ...ndarray.Array) (*planner.Plan, error)
	LastReport() exec.Report
	Budget() int64
	Workers() int
	Allocator() *chunk.Allocator
}

var (
	_ surface = (*Engine)(nil)
	_ surface = (*exec.Engine)(nil)
)

// New returns an Engine, initialising MPI when the process was launched by
// mpirun or srun. With MPI it is collective: every rank must call it.
func New(opts Options) (*Engine, error) {
	if err := initWorld(); err != nil {
		return nil, err
	}
	e := &Engine{rank: world.rank, size: world.size, multi: active()}
	if opts.MemoryBudget <= 0 {
		opts.MemoryBudget = defaultBudget()
	}
	if opts.Workers <= 0 {
		opts.Workers = defaultWorkers()
	}
	if opts.SpillDir == "" {
		opts.SpillDir = os.TempDir()
	}
	if opts.ProgressInterval <= 0 {
		opts.ProgressInterval = 200 * time.Millisecond
	}
	if e.multi {
		// Every rank must plan with the same budget and tile size.
		_, v := agreeStatus(nil, false, []int64{opts.MemoryBudget, int64(opts.TileElems), -int64(opts.TileElems)})
		opts.MemoryBudget = v[0]
		if v[1] != -v[2] {
			return nil, fmt.Errorf("mpi: ranks were given different TileElems (%d to %d): every rank must plan alike", v[1], -v[2])
		}
	}
	e.local = exec.New(opts.Options)
	opts.MemoryBudget = e.local.Budget()
	e.opts = opts
	return e, nil
}

// Rank returns this rank's number, Size the number of ranks.
func (e *Engine) Rank() int { return e.rank }

// Size returns the number of ranks of the job (1 without MPI).
func (e *Engine) Size() int { return e.size }

// IsWriter reports whether this rank writes the outputs: only its sinks
// are used by Store, and Compute's results are gathered there first.
func (e *Engine) IsWriter() bool { return e.rank == writerRank }

// Budget returns the memory budget of each rank, in bytes.
func (e *Engine) Budget() int64 { return e.opts.MemoryBudget }

// Workers returns the number of workers of this rank.
func (e *Engine) Workers() int { return e.opts.Workers }

// Allocator returns this rank's budget-aware allocator.
func (e *Engine) Allocator() *chunk.Allocator { return e.local.Allocator() }

// Local returns the local engine the ranks run their tasks with; use it
// for work that must not be collective.
func (e *Engine) Local() *exec.Engine { return e.local }

// Plan builds the plan the engine would run for arrays, without running
// it; reserved is memory held for results during the run. Every rank
// builds the same plan.
func (e *Engine) Plan(reserved int64, arrays ...ndarray.Array) (*planner.Plan, error) {
	return planner.Build(arrays, planner.Options{Budget: e.opts.MemoryBudget, Workers: e.opts.Workers, TileElems: e.opts.TileElems, ReservedBytes: reserved})
}

// Agree is collective: every rank passes its own outcome of some step
// (nil for success), and every rank gets nil if all succeeded, else the
// same *Error naming the lowest failing rank. Use it around work the
// ranks do on their own, such as the writer rank creating or committing an
// output file, so that all ranks go on or stop together.
func (e *Engine) Agree(err error) error {
	if !e.multi {
		return err
	}
	e.runMu.Lock()
	defer e.runMu.Unlock()
	return agree(err)
}

// LastReport returns the job-wide report of the most recently finished
// run (see Report for how ranks are combined), in the local engine's
// shape.
func (e *Engine) LastReport() exec.Report {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last.Report
}

// LastMPIReport returns the report of the most recently finished run
// with what MPI adds: messages, bytes moved, tasks per rank, stolen tasks.
func (e *Engine) LastMPIReport() Report {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last
}

// Compute evaluates a and returns it in memory on every rank. It fails
// with an error wrapping chunk.ErrOverBudget, on every rank and before any
// work, if the result (or any task) cannot fit a rank's budget.
func (e *Engine) Compute(ctx context.Context, a ndarray.Array) (*chunk.Dense, error) {
	res, err := e.ComputeMany(ctx, a)
	if err != nil {
		return nil, err
	}
	return res[0], nil
}

// ComputeMany evaluates several arrays in one run, sharing common work,
// and returns them on every rank: the output blocks are gathered on the
// writer rank (rank 0) as they are computed, then broadcast. Results are
// therefore held on every rank and count against every rank's budget.
// On failure every rank returns the same *Error.
func (e *Engine) ComputeMany(ctx context.Context, arrays ...ndarray.Array) ([]*chunk.Dense, error) {
	if !e.multi {
		res, err := e.local.ComputeMany(ctx, arrays...)
		e.setLocal()
		return res, err
	}
	e.runMu.Lock()
	defer e.runMu.Unlock()
	start := time.Now()
	var reserved int64
	var err error
	for _, a := range arrays {
		if err = a.Err(); err != nil {
			break
		}
		reserved += a.NBytes()
	}
	if err == nil && reserved > e.opts.MemoryBudget {
		err = fmt.Errorf("exec: the result needs %s, more than the %s budget (store it to a file instead): %w", chunk.FormatBytes(reserved), chunk.FormatBytes(e.opts.MemoryBudget), chunk.ErrOverBudget)
	}
	var plan *planner.Plan
	if err == nil {
		plan, err = e.Plan(reserved, arrays...)
	}
	planTime := time.Since(start)
	if err := e.agreePlan(err, plan); err != nil {
		return nil, err
	}
	alloc := e.local.Allocator()
	rerr := alloc.Reserve(ctx, reserved)
	if err := e.agreeRun(rerr); err != nil {
		if rerr == nil {
			alloc.Unreserve(reserved)
		}
		return nil, err
	}
	defer alloc.Unreserve(reserved)
	results := make([]*chunk.Dense, len(arrays))
	for i, out := range plan.Outputs {
		results[i] = chunk.NewDense(out.DType, out.Grid.Shape())
	}
	deliver := func(_ context.Context, out int, region chunk.Region, b *chunk.Block) error {
		r := results[out]
		ops.CopyRegion(r.Bytes(), r.Shape(), region.Start, b.Bytes(), b.Shape(), make([]int, len(region.Start)), region.Shape, r.DType().Size())
		return nil
	}
	rep, err := e.execute(ctx, plan, deliver, planTime)
	if err == nil {
		for _, r := range results {
			mustMPI(cBcast(r.Bytes(), writerRank))
		}
	}
	rep.ResultBytes = reserved
	e.setLast(rep)
	if err != nil {
		return nil, err
	}
	return results, nil
}

// Store evaluates a and streams its blocks into sink on the writer rank,
// then commits it (see StoreMany).
func (e *Engine) Store(ctx context.Context, a ndarray.Array, sink exec.Sink) error {
	return e.StoreMany(ctx, []ndarray.Array{a}, []exec.Sink{sink})
}

// StoreMany evaluates several arrays in one pass and streams each into
// its sink. Serial HDF5 and NetCDF allow one writer per file, so every
// output block is sent to the writer rank (rank 0), which alone calls the
// sinks; the other ranks may pass nil sinks (a non-nil sink on another
// rank is aborted unused, so a program may create its outputs on rank 0
// only, see IsWriter). The sinks are committed, by the writer, only after
// every rank has succeeded; on any failure, on any rank, every sink is
// aborted and every rank returns the same *Error.
func (e *Engine) StoreMany(ctx context.Context, arrays []ndarray.Array, sinks []exec.Sink) (err error) {
	if !e.multi {
		err := e.local.StoreMany(ctx, arrays, sinks)
		e.setLocal()
		return err
	}
	e.runMu.Lock()
	defer e.runMu.Unlock()
	writer := e.IsWriter()
	defer func() {
		if err != nil || !writer {
			for _, s := range sinks {
				if s == nil {
					continue
				}
				if aerr := s.Abort(); aerr != nil && writer {
					err = fmt.Errorf("%w (and abort failed: %v)", err, aerr)
				}
			}
		}
	}()
	start := time.Now()
	err = checkStore(arrays, sinks, writer)
	// The writer's sinks hold buffers of their own (exec.BufferedSink):
	// every rank plans with them held back, so that the plans agree, and
	// the writer reserves them for the run.
	var buffers int64
	if writer {
		buffers = exec.SinkBuffers(sinks, e.opts.Workers)
	}
	_, most := agreeStatus(nil, false, []int64{-buffers})
	buffers = -most[0]
	var plan *planner.Plan
	if err == nil {
		plan, err = e.Plan(buffers, arrays...)
	}
	planTime := time.Since(start)
	if err := e.agreePlan(err, plan); err != nil {
		return err
	}
	if writer {
		// Nothing else is reserved before the run, and the plan fits
		// beside the buffers, so this does not wait.
		if err := e.local.Allocator().Reserve(ctx, buffers); err != nil {
			return err
		}
		defer e.local.Allocator().Unreserve(buffers)
	}
	deliver := func(ctx context.Context, out int, region chunk.Region, b *chunk.Block) error {
		return sinks[out].WriteRegion(ctx, region, b.Bytes())
	}
	rep, err := e.execute(ctx, plan, deliver, planTime)
	e.setLast(rep)
	if err != nil {
		return err
	}
	var cerr error
	if writer {
		for _, s := range sinks {
			if cerr = s.Commit(ctx); cerr != nil {
				break
			}
		}
	}
	return agree(cerr)
}

// checkStore checks the arrays against the sinks on the writer, and the
// arrays alone elsewhere.
func checkStore(arrays []ndarray.Array, sinks []exec.Sink, writer bool) error {
	for _, a := range arrays {
		if err := a.Err(); err != nil {
			return err
		}
	}
	if !writer {
		return nil
	}
	if len(arrays) != len(sinks) {
		return fmt.Errorf("exec: store %d arrays into %d sinks: %w", len(arrays), len(sinks), chunk.ErrShape)
	}
	for i, a := range arrays {
		s := sinks[i]
		if s == nil {
			return fmt.Errorf("exec: store %s%v into a nil sink on the writer rank: %w", a.DType(), a.Shape(), chunk.ErrShape)
		}
		if !chunk.EqualInts(a.Shape(), s.Shape()) || a.DType() != s.DType() {
			return fmt.Errorf("exec: store %s%v into a sink of %s%v: %w", a.DType(), a.Shape(), s.DType(), s.Shape(), chunk.ErrShape)
		}
	}
	return nil
}

// agreePlan agrees on the outcome of planning and checks that every rank
// built the same plan.
func (e *Engine) agreePlan(err error, plan *planner.Plan) error {
	var fp uint64
	if plan != nil {
		fp = fingerprint(plan)
		// Each task's value travels under its own tag.
		if err == nil && int64(tagData)+int64(len(plan.Tasks)) > int64(world.tagUB) {
			err = fmt.Errorf("mpi: a plan of %d tasks needs more message tags than the MPI library's %d: use larger chunks", len(plan.Tasks), world.tagUB)
		}
	}
	aerr, v := agreeStatus(err, false, []int64{int64(fp), int64(^fp)})
	if aerr != nil {
		return aerr
	}
	if uint64(v[0]) != ^uint64(v[1]) {
		return fmt.Errorf("mpi: the ranks built different plans: every rank must build the same arrays, in the same order, with the same options")
	}
	return nil
}

// agreeRun agrees on a rank's failure outside the task run.
func (e *Engine) agreeRun(err error) error {
	aerr, _ := agreeStatus(err, errors.Is(err, ErrPeerFailed), nil)
	return aerr
}

// execute runs plan across the ranks and agrees on the outcome.
func (e *Engine) execute(ctx context.Context, plan *planner.Plan, deliver deliverFunc, planTime time.Duration) (Report, error) {
	start := time.Now()
	alloc := e.local.Allocator()
	alloc.ResetPeaks()
	pl := place(plan, e.size)
	r := newRunner(e, plan, pl, deliver)
	r.comm = newComm(r, !e.opts.NoStealing)
	var progressWG sync.WaitGroup
	stopProgress := make(chan struct{})
	if e.opts.Progress != nil && e.IsWriter() {
		progressWG.Add(1)
		go func() {
			defer progressWG.Done()
			r.reportProgress(start, stopProgress)
		}()
	}
	own := r.run(ctx)
	close(stopProgress)
	progressWG.Wait()
	err := e.agreeRun(own)
	stats := alloc.Stats()
	c := r.comm
	var msgs, bytes int64
	for _, n := range c.sentMsgs {
		msgs += n
	}
	bytes = c.bytesSent
	sums := []int64{r.done.Load(), r.bytesDone.Load(), r.spilledB.Load(), r.taskNanos.Load(), msgs, bytes, r.stolenRun.Load(), int64(e.opts.Workers), c.pieces, c.subBoxes}
	perRank := make([]int64, 2*e.size)
	perRank[e.rank], perRank[e.size+e.rank] = r.done.Load(), bytes
	sum, cerr := cAllreduce(append(sums, perRank...), opSum)
	mustMPI(cerr)
	peaks, cerr := cAllreduce([]int64{stats.PeakLive, stats.PeakReserved}, opMax)
	mustMPI(cerr)
	rep := Report{
		Report: exec.Report{
			Tasks: len(plan.Tasks), TasksDone: int(sum[0]), Stages: len(plan.Stages), Workers: int(sum[7]),
			Budget: e.opts.MemoryBudget, ProjectedPeakBytes: plan.PeakBytes,
			PeakLiveBytes: peaks[0], PeakReservedBytes: peaks[1],
			BytesComputed: sum[1], BytesSpilled: sum[2],
			Wall: time.Since(start), PlanTime: planTime, TaskTime: time.Duration(sum[3]),
		},
		Ranks: e.size, Messages: sum[4], BytesMoved: sum[5], Stolen: sum[6], Pieces: sum[8], StridedPieces: sum[9],
		TasksPerRank: sum[10 : 10+e.size], BytesSentPerRank: sum[10+e.size:],
	}
	if e.opts.Progress != nil && e.IsWriter() {
		e.opts.Progress(exec.Event{TasksDone: rep.TasksDone, TasksTotal: rep.Tasks, BytesDone: rep.BytesComputed, Elapsed: rep.Wall, Done: true})
	}
	return rep, err
}

func (e *Engine) setLast(r Report) {
	e.mu.Lock()
	e.last = r
	e.mu.Unlock()
}

// setLocal records the local engine's report as the last one.
func (e *Engine) setLocal() {
	rep := e.local.LastReport()
	e.setLast(Report{Report: rep, Ranks: 1, TasksPerRank: []int64{int64(rep.TasksDone)}, BytesSentPerRank: []int64{0}})
}

// Report describes a finished run across ranks. The embedded local report
// is job-wide: task counts, bytes computed and spilled, task time and
// workers are summed over the ranks; the peaks are the largest of any
// rank (each rank has its own budget, Budget); Wall is this rank's, from
// the end of planning to the agreement on the outcome.
type Report struct {
	exec.Report
	// Ranks is the number of ranks.
	Ranks int
	// Messages and BytesMoved count the point-to-point messages sent and
	// their bytes (values with their headers, and control messages),
	// summed over the ranks.
	Messages, BytesMoved int64
	// Stolen counts the tasks that ran on another rank than the one the
	// static placement chose (dynamic load balancing).
	Stolen int64
	// Pieces counts the values sent in part (rechunk pieces, see
	// placement.piece), StridedPieces those of them sent as strided boxes
	// through an MPI subarray datatype rather than as contiguous bytes.
	Pieces, StridedPieces int64
	// TasksPerRank and BytesSentPerRank break the work and the traffic
	// down by rank.
	TasksPerRank, BytesSentPerRank []int64
}

// String formats the report on one line.
func (r Report) String() string {
	return fmt.Sprintf("%v; %d ranks, tasks per rank %v, %d stolen, %d messages, %s moved, %d pieces (%d strided)",
		r.Report, r.Ranks, r.TasksPerRank, r.Stolen, r.Messages, chunk.FormatBytes(r.BytesMoved), r.Pieces, r.StridedPieces)
}
