package exec

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/planner"
)

// Options configure an Engine.
type Options struct {
	// MemoryBudget bounds the bytes of blocks, partial results and buffers
	// held at once, across all runs of the engine. 0 means a quarter of the
	// memory available to the process (see AvailableMemory).
	MemoryBudget int64
	// Workers is the number of tasks run at once. 0 means the CPUs this
	// process may really use (see AvailableCPUs).
	Workers int
	// SpillDir holds spilled blocks while a run needs them. "" means the
	// system's temporary directory.
	SpillDir string
	// TileElems overrides the fused evaluation's tile size.
	TileElems int
	// Progress, when set, receives progress events from a single goroutine,
	// at most every ProgressInterval and once more when a run ends.
	Progress func(Event)
	// ProgressInterval defaults to 200ms.
	ProgressInterval time.Duration
	// KeepGoMemoryLimit leaves the Go runtime's soft memory limit alone. By
	// default, when no limit is set (GOMEMLIMIT unset), the engine sets one
	// just above its budget: Go's collector otherwise lets the heap grow to
	// twice the live bytes before collecting, and the budget is a promise
	// about the process's memory, not only about live blocks.
	KeepGoMemoryLimit bool
}

// Engine evaluates lazy arrays on a local goroutine pool under a memory
// budget. An Engine is safe for concurrent use; concurrent runs share its
// budget and workers settings.
type Engine struct {
	opts  Options
	alloc *chunk.Allocator

	mu   sync.Mutex
	last Report
}

// goLimitMu guards the process-wide Go memory limit.
var goLimitMu sync.Mutex

// New returns an Engine.
func New(opts Options) *Engine {
	if opts.MemoryBudget <= 0 {
		opts.MemoryBudget = max(AvailableMemory()/4, 64<<20)
	}
	if opts.Workers <= 0 {
		opts.Workers = AvailableCPUs()
	}
	if opts.SpillDir == "" {
		opts.SpillDir = os.TempDir()
	}
	if opts.ProgressInterval <= 0 {
		opts.ProgressInterval = 200 * time.Millisecond
	}
	e := &Engine{opts: opts, alloc: chunk.NewAllocator(opts.MemoryBudget)}
	if !opts.KeepGoMemoryLimit {
		goLimitMu.Lock()
		if debug.SetMemoryLimit(-1) == math.MaxInt64 {
			ownLimit = true
		}
		goLimitMu.Unlock()
		e.raiseGoLimit()
	}
	return e
}

// ownLimit records that no one else set the Go memory limit, so engines
// may manage it.
var ownLimit bool

// raiseGoLimit makes the Go runtime's soft memory limit at least the heap
// already live (the caller's own arrays, which the budget does not cover)
// plus the budget and room for the runtime, so the collector keeps the
// engine's garbage near the budget without thrashing over data it does not
// own. The limit only ever rises.
func (e *Engine) raiseGoLimit() {
	goLimitMu.Lock()
	defer goLimitMu.Unlock()
	if !ownLimit || e.opts.KeepGoMemoryLimit {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	var live int64
	if sample[0].Value.Kind() == metrics.KindUint64 {
		live = int64(sample[0].Value.Uint64())
	}
	want := live + e.opts.MemoryBudget + e.opts.MemoryBudget/8 + 64<<20
	cur := debug.SetMemoryLimit(-1)
	if cur == math.MaxInt64 || cur < want {
		debug.SetMemoryLimit(want)
	}
}

// Budget returns the memory budget in bytes.
func (e *Engine) Budget() int64 { return e.opts.MemoryBudget }

// Workers returns the number of workers.
func (e *Engine) Workers() int { return e.opts.Workers }

// Allocator returns the engine's budget-aware allocator, for tests and
// drivers that want their buffers counted.
func (e *Engine) Allocator() *chunk.Allocator { return e.alloc }

// LastReport returns the report of the most recently finished run.
func (e *Engine) LastReport() Report {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last
}

// Plan builds the plan the engine would run for arrays, without running
// it; reserved is memory held for results during the run.
func (e *Engine) Plan(reserved int64, arrays ...ndarray.Array) (*planner.Plan, error) {
	return planner.Build(arrays, planner.Options{Budget: e.opts.MemoryBudget, Workers: e.opts.Workers, TileElems: e.opts.TileElems, ReservedBytes: reserved})
}

// Compute evaluates a and returns it in memory. It fails with an error
// wrapping chunk.ErrOverBudget, before any work, if the result (or any
// task) cannot fit the budget.
func (e *Engine) Compute(ctx context.Context, a ndarray.Array) (*chunk.Dense, error) {
	res, err := e.ComputeMany(ctx, a)
	if err != nil {
		return nil, err
	}
	return res[0], nil
}

// ComputeMany evaluates several arrays in one run, sharing common work.
func (e *Engine) ComputeMany(ctx context.Context, arrays ...ndarray.Array) ([]*chunk.Dense, error) {
	var reserved int64
	for _, a := range arrays {
		if err := a.Err(); err != nil {
			return nil, err
		}
		reserved += a.NBytes()
	}
	if reserved > e.opts.MemoryBudget {
		return nil, fmt.Errorf("exec: the result needs %s, more than the %s budget (store it to a file instead): %w", chunk.FormatBytes(reserved), chunk.FormatBytes(e.opts.MemoryBudget), chunk.ErrOverBudget)
	}
	start := time.Now()
	plan, err := e.Plan(reserved, arrays...)
	if err != nil {
		return nil, err
	}
	planTime := time.Since(start)
	if err := e.alloc.Reserve(ctx, reserved); err != nil {
		return nil, err
	}
	defer e.alloc.Unreserve(reserved)
	results := make([]*chunk.Dense, len(arrays))
	for i, out := range plan.Outputs {
		results[i] = chunk.NewDense(out.DType, out.Grid.Shape())
	}
	deliver := func(_ context.Context, out int, region chunk.Region, b *chunk.Block) error {
		r := results[out]
		copyInto(r, region, b)
		return nil
	}
	rep, err := e.run(ctx, plan, deliver)
	rep.PlanTime = planTime
	rep.ResultBytes = reserved
	e.setLast(rep)
	if err != nil {
		return nil, err
	}
	return results, nil
}

// Store evaluates a and streams its blocks into sink, then commits it. On
// any error or cancellation the sink is aborted and the error returned.
func (e *Engine) Store(ctx context.Context, a ndarray.Array, sink Sink) error {
	return e.StoreMany(ctx, []ndarray.Array{a}, []Sink{sink})
}

// StoreMany evaluates several arrays in one pass, sharing common work
// (inputs read once for all of them), streams each into its sink and
// commits every sink once all succeeded. On any error every sink is aborted.
func (e *Engine) StoreMany(ctx context.Context, arrays []ndarray.Array, sinks []Sink) (err error) {
	defer func() {
		if err != nil {
			for _, s := range sinks {
				if aerr := s.Abort(); aerr != nil {
					err = fmt.Errorf("%w (and abort failed: %v)", err, aerr)
				}
			}
		}
	}()
	if len(arrays) != len(sinks) {
		return fmt.Errorf("exec: store %d arrays into %d sinks: %w", len(arrays), len(sinks), chunk.ErrShape)
	}
	for i, a := range arrays {
		if err := a.Err(); err != nil {
			return err
		}
		s := sinks[i]
		if !chunk.EqualInts(a.Shape(), s.Shape()) || a.DType() != s.DType() {
			return fmt.Errorf("exec: store %s%v into a sink of %s%v: %w", a.DType(), a.Shape(), s.DType(), s.Shape(), chunk.ErrShape)
		}
	}
	start := time.Now()
	// The writers' own buffers are held back from the blocks (see
	// BufferedSink): planned for, and reserved for the whole run.
	buffers := SinkBuffers(sinks, e.opts.Workers)
	plan, err := e.Plan(buffers, arrays...)
	if err != nil {
		return err
	}
	if err := e.alloc.Reserve(ctx, buffers); err != nil {
		return err
	}
	defer e.alloc.Unreserve(buffers)
	planTime := time.Since(start)
	deliver := func(ctx context.Context, out int, region chunk.Region, b *chunk.Block) error {
		return sinks[out].WriteRegion(ctx, region, b.Bytes())
	}
	rep, err := e.run(ctx, plan, deliver)
	rep.PlanTime = planTime
	e.setLast(rep)
	if err != nil {
		return err
	}
	for _, s := range sinks {
		if err := s.Commit(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) setLast(r Report) {
	e.mu.Lock()
	e.last = r
	e.mu.Unlock()
}
