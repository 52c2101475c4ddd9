package exec

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec/internal/spill"
	"github.com/ndchunk/ndchunk/ops"
	"github.com/ndchunk/ndchunk/planner"
)

// deliverFunc receives a block of requested output out, covering region.
// It must not keep b.
type deliverFunc func(ctx context.Context, out int, region chunk.Region, b *chunk.Block) error

// copyInto copies a block into the matching region of a result.
func copyInto(dst *chunk.Dense, region chunk.Region, b *chunk.Block) {
	ops.CopyRegion(dst.Bytes(), dst.Shape(), region.Start, b.Bytes(), b.Shape(), make([]int, len(region.Start)), region.Shape, dst.DType().Size())
}

// finalRef locates a task's block among the requested outputs.
type finalRef struct {
	out    int
	region chunk.Region
}

// taskState is the scheduler's view of one task.
type taskState struct {
	pending    int // dependencies not yet finished
	admitted   bool
	consumers  int // consumers not yet finished
	value      planner.Value
	spilled    *spill.Ref
	dependents []int
	finals     []finalRef
}

// runner executes one plan.
type runner struct {
	e       *Engine
	plan    *planner.Plan
	deliver deliverFunc
	ctx     context.Context
	cancel  context.CancelCauseFunc
	window  int

	// mu guards states and the scheduling counters. Separate conditions
	// wake only who can proceed: workers when a task is queued, admission
	// when a task finishes, drain when the run may be over.
	mu        sync.Mutex
	workCond  *sync.Cond
	admitCond *sync.Cond
	drainCond *sync.Cond
	states    []taskState
	queue     []int // admitted tasks whose dependencies are done
	closed    bool
	inFlight  int // admitted and not finished
	running   int
	finished  int
	spill     *spill.File

	done      atomic.Int64
	bytesDone atomic.Int64
	spilledB  atomic.Int64
	taskNanos atomic.Int64
	firstErr  error
	errOnce   sync.Once
}

// run executes a plan: tasks are admitted strictly in plan order, each
// after reserving its projected bytes from the budget (so the budget is
// never oversubscribed and, because the plan's one-at-a-time peak fits,
// admission can always proceed); admitted tasks run on the worker pool as
// soon as their dependencies finish; outputs are kept, reference counted,
// until their last consumer finishes. The first error cancels the run and
// every goroutine exits before run returns.
func (e *Engine) run(parent context.Context, plan *planner.Plan, deliver deliverFunc) (Report, error) {
	start := time.Now()
	e.raiseGoLimit()
	e.alloc.ResetPeaks()
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	workers := e.opts.Workers
	r := &runner{e: e, plan: plan, deliver: deliver, ctx: ctx, cancel: cancel, window: 16 * workers,
		states: make([]taskState, len(plan.Tasks))}
	r.workCond = sync.NewCond(&r.mu)
	r.admitCond = sync.NewCond(&r.mu)
	r.drainCond = sync.NewCond(&r.mu)
	stopWake := context.AfterFunc(ctx, func() {
		r.mu.Lock()
		r.workCond.Broadcast()
		r.admitCond.Broadcast()
		r.drainCond.Broadcast()
		r.mu.Unlock()
	})
	defer stopWake()
	for i, t := range plan.Tasks {
		st := &r.states[i]
		st.pending = len(t.Deps)
		st.consumers = t.Consumers
		for _, d := range t.Deps {
			r.states[d.Order].dependents = append(r.states[d.Order].dependents, i)
		}
	}
	for o, out := range plan.Outputs {
		for f, t := range out.Tasks {
			st := &r.states[t.Order]
			st.finals = append(st.finals, finalRef{out: o, region: out.Grid.BlockRegion(out.Grid.BlockIndex(f))})
		}
	}
	for _, s := range plan.Stages {
		if s.Spill {
			sf, err := spill.New(e.opts.SpillDir)
			if err != nil {
				return Report{}, err
			}
			r.spill = sf
			defer sf.Close()
			break
		}
	}

	var progressWG sync.WaitGroup
	stopProgress := make(chan struct{})
	if e.opts.Progress != nil {
		progressWG.Add(1)
		go func() {
			defer progressWG.Done()
			r.reportProgress(start, stopProgress)
		}()
	}

	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.work()
		}()
	}
	r.admit()
	r.drain()
	wg.Wait()
	close(stopProgress)
	progressWG.Wait()

	// Release whatever a failed run left behind.
	for i := range r.states {
		st := &r.states[i]
		if st.value != (planner.Value{}) {
			st.value.Release()
			st.value = planner.Value{}
			e.alloc.Unreserve(plan.Tasks[i].OutBytes)
		}
	}
	stats := e.alloc.Stats()
	rep := Report{
		Tasks: len(plan.Tasks), TasksDone: int(r.done.Load()), Stages: len(plan.Stages), Workers: workers,
		Budget: e.opts.MemoryBudget, ProjectedPeakBytes: plan.PeakBytes,
		PeakLiveBytes: stats.PeakLive, PeakReservedBytes: stats.PeakReserved,
		BytesComputed: r.bytesDone.Load(), BytesSpilled: r.spilledB.Load(),
		Wall: time.Since(start), TaskTime: time.Duration(r.taskNanos.Load()),
	}
	if e.opts.Progress != nil {
		e.opts.Progress(Event{TasksDone: rep.TasksDone, TasksTotal: rep.Tasks, BytesDone: rep.BytesComputed, Elapsed: rep.Wall, Done: true})
	}
	if r.firstErr != nil {
		return rep, r.firstErr
	}
	if err := parent.Err(); err != nil {
		return rep, err
	}
	return rep, nil
}

// fail records the first error and cancels the run.
func (r *runner) fail(err error) {
	r.errOnce.Do(func() {
		r.firstErr = err
		r.cancel(err)
	})
}

// admit reserves memory for each task in plan order and queues it once
// its dependencies are done. At most window tasks are admitted and not
// finished at once.
func (r *runner) admit() {
	for i, t := range r.plan.Tasks {
		r.mu.Lock()
		for r.inFlight >= r.window && r.ctx.Err() == nil {
			r.admitCond.Wait()
		}
		r.mu.Unlock()
		if r.ctx.Err() != nil {
			r.failCtx()
			return
		}
		if err := r.e.alloc.Reserve(r.ctx, t.Bytes); err != nil {
			if r.ctx.Err() != nil {
				r.failCtx()
			} else {
				r.fail(fmt.Errorf("exec: %s: %w", t, err))
			}
			return
		}
		r.mu.Lock()
		st := &r.states[i]
		st.admitted = true
		r.inFlight++
		if st.pending == 0 {
			r.queue = append(r.queue, i)
			r.workCond.Signal()
		}
		r.mu.Unlock()
	}
}

// drain waits until every admitted task has finished, or, after a failure,
// until nothing runs any more; then it gives back the reservations of
// admitted tasks that will never run and stops the workers.
func (r *runner) drain() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		if r.ctx.Err() == nil && r.inFlight == 0 {
			break
		}
		if r.ctx.Err() != nil && r.running == 0 && len(r.queue) == 0 {
			break
		}
		r.drainCond.Wait()
	}
	for i := range r.states {
		st := &r.states[i]
		if st.admitted && st.pending > 0 {
			st.admitted = false
			r.inFlight--
			r.e.alloc.Unreserve(r.plan.Tasks[i].Bytes)
		}
	}
	r.closed = true
	r.workCond.Broadcast()
}

// failCtx records the context's cause as the error.
func (r *runner) failCtx() {
	if err := context.Cause(r.ctx); err != nil {
		r.fail(err)
	}
}

// work runs queued tasks until the run is drained.
func (r *runner) work() {
	for {
		r.mu.Lock()
		for len(r.queue) == 0 && !r.closed {
			r.workCond.Wait()
		}
		if len(r.queue) == 0 {
			r.mu.Unlock()
			return
		}
		i := r.queue[0]
		r.queue = r.queue[1:]
		r.running++
		r.mu.Unlock()
		if r.ctx.Err() != nil {
			r.finish(i, true)
			continue
		}
		if err := r.runTask(i); err != nil {
			r.fail(err)
			r.finish(i, true)
		}
	}
}

// finish marks task i done; abandoned tasks give back their reservation.
func (r *runner) finish(i int, abandoned bool) {
	if abandoned {
		r.e.alloc.Unreserve(r.plan.Tasks[i].Bytes)
	}
	r.mu.Lock()
	r.running--
	r.inFlight--
	r.finished++
	r.admitCond.Signal()
	r.drainCond.Signal()
	r.mu.Unlock()
}

// runTask runs task i and publishes its output.
func (r *runner) runTask(i int) error {
	t := r.plan.Tasks[i]
	inputs := make([]planner.Value, len(t.Deps))
	var loaded []planner.Value
	defer func() {
		for _, v := range loaded {
			v.Release()
		}
	}()
	r.mu.Lock()
	for k, d := range t.Deps {
		inputs[k] = r.states[d.Order].value
	}
	r.mu.Unlock()
	for k, d := range t.Deps {
		if ref := r.states[d.Order].spilled; ref != nil {
			blk, err := r.spill.Load(ref, r.e.alloc)
			if err != nil {
				return fmt.Errorf("exec: %s: read spilled %s: %w", t, d, err)
			}
			inputs[k] = planner.Value{Block: blk}
			loaded = append(loaded, inputs[k])
		}
	}
	began := time.Now()
	v, err := t.Run(&planner.TaskContext{Ctx: r.ctx, Alloc: r.e.alloc, Inputs: inputs, TileElems: r.e.opts.TileElems})
	r.taskNanos.Add(int64(time.Since(began)))
	if err != nil {
		return err
	}
	st := &r.states[i]
	for _, f := range st.finals {
		if err := r.deliver(r.ctx, f.out, f.region, v.Block); err != nil {
			v.Release()
			return fmt.Errorf("exec: write %v: %w", f.region, err)
		}
	}
	r.bytesDone.Add(v.Size())
	keep := int64(0)
	var ref *spill.Ref
	switch {
	case t.Consumers == 0:
		v.Release()
		v = planner.Value{}
	case t.Stage.Spill && v.Block != nil:
		var n int64
		ref, n, err = r.spill.Store(v.Block)
		v.Release()
		v = planner.Value{}
		if err != nil {
			return fmt.Errorf("exec: %s: spill: %w", t, err)
		}
		r.spilledB.Add(n)
	default:
		keep = t.OutBytes
	}
	for _, ld := range loaded {
		ld.Release()
	}
	loaded = nil
	r.e.alloc.Unreserve(t.Bytes - keep)
	// Publish the output, release inputs whose last consumer this was, and
	// queue dependents that are now ready.
	var free []planner.Value
	var freeBytes int64
	r.mu.Lock()
	st.value, st.spilled = v, ref
	for _, d := range t.Deps {
		ds := &r.states[d.Order]
		ds.consumers--
		if ds.consumers == 0 {
			if ds.spilled == nil {
				free = append(free, ds.value)
				freeBytes += d.OutBytes
			}
			ds.value, ds.spilled = planner.Value{}, nil
		}
	}
	for _, k := range st.dependents {
		ks := &r.states[k]
		ks.pending--
		if ks.pending == 0 && ks.admitted {
			r.queue = append(r.queue, k)
			r.workCond.Signal()
		}
	}
	r.running--
	r.inFlight--
	r.finished++
	r.admitCond.Signal()
	r.drainCond.Signal()
	r.mu.Unlock()
	for _, v := range free {
		v.Release()
	}
	r.e.alloc.Unreserve(freeBytes)
	r.done.Add(1)
	return nil
}

// reportProgress sends periodic progress events until stop closes.
func (r *runner) reportProgress(start time.Time, stop <-chan struct{}) {
	tick := time.NewTicker(r.e.opts.ProgressInterval)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			r.e.opts.Progress(Event{TasksDone: int(r.done.Load()), TasksTotal: len(r.plan.Tasks), BytesDone: r.bytesDone.Load(), Elapsed: time.Since(start)})
		}
	}
}
