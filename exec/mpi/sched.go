package mpi

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/exec/internal/spill"
	"github.com/ndchunk/ndchunk/planner"
)

// This file is one rank's scheduler. It follows the local engine's
// (exec/run.go): admission strictly in plan order on the allocator's byte
// semaphore, a worker pool running admitted tasks whose inputs are ready,
// outputs reference counted and freed (or spilled) when their last local
// consumer is done. What differs is that a rank sees only part of the plan:
//
//   - its sequence is, in plan order, the tasks placed on it ("own") and
//     the tasks placed elsewhere whose values it needs ("imports");
//   - admitting an import reserves its output bytes and posts its receive;
//     its arrival counts as the task finishing;
//   - an own task whose value other ranks need keeps its bytes reserved
//     until every send has completed.
//
// Why this cannot deadlock, although ranks wait for each other: take the
// rank whose admission is furthest behind, at plan position p. Every rank
// has admitted every task before p, so every import before p has a posted
// receive and every value before p, once computed, is delivered; by
// induction over plan order every task before p finishes. What that rank
// then holds is part of what the one-at-a-time simulation holds at p (the
// values before p still needed at or after p), which the planner checked
// fits the budget together with task p: so it admits p, and the furthest
// behind moves on. Work stealing keeps this true by letting only a rank
// that has admitted its whole sequence take more work.

// deliverFunc receives a block of requested output out, covering region,
// on the writer rank. It must not keep b.
type deliverFunc func(ctx context.Context, out int, region chunk.Region, b *chunk.Block) error

// Roles of a task on a rank.
const (
	roleNone   = iota // neither run nor needed here
	roleOwn           // run here
	roleImport        // run elsewhere, value needed here
)

// Kinds of worker jobs.
const (
	jobRun    = iota + 1 // run an own task
	jobSettle            // deliver or spill an arrived import
	jobStolen            // run a task given by another rank
)

// finalRef locates a task's block among the requested outputs.
type finalRef struct {
	out    int
	region chunk.Region
}

// taskState is a rank's view of one task.
type taskState struct {
	role       uint8
	claimed    bool // taken by admission: no longer stealable
	admitted   bool
	avail      bool // value produced or received
	sending    bool
	pending    int   // dependencies not yet available (own tasks)
	consumers  int   // local consumers not yet finished
	res        int64 // bytes reserved for the task now
	value      planner.Value
	spilled    *spill.Ref
	dependents []int32
	finals     []finalRef
}

type job struct {
	task int
	kind int
}

// stolenTask is a task this rank runs for another rank: its value goes to
// every rank that needs it (this one included, through its import).
type stolenTask struct {
	res   int64
	value planner.Value
}

// runner executes one plan on one rank.
type runner struct {
	e       *Engine
	plan    *planner.Plan
	pl      *placement
	rank    int
	size    int
	alloc   *chunk.Allocator
	deliver deliverFunc
	ctx     context.Context
	cancel  context.CancelCauseFunc
	window  int
	workers int
	comm    *comm

	progressEvery time.Duration
	maxLeafBytes  int64

	mu          sync.Mutex
	workCond    *sync.Cond
	admitCond   *sync.Cond
	states      []taskState
	seq         []int32
	urgent      []job
	queue       []job
	inFlight    int
	running     int
	closed      bool
	admitDone   bool // the whole sequence is admitted
	admitExited bool
	ownLeft     int // own tasks not yet finished (given-away ones excluded)
	importsLeft int // imports not yet settled
	stolenLeft  int // stolen tasks not yet finished
	sendsLeft   int // values whose sends are not complete
	stealable   int // own leaf tasks not yet claimed
	stealTail   int // the sequence is searched for stealable tasks below this
	spill       *spill.File
	stolen      map[int]*stolenTask

	failed    bool // this run failed (here or elsewhere)
	failHere  bool // the failure happened on this rank
	firstErr  error
	peerTasks atomic.Int64 // tasks done by the other ranks (writer only)
	peerBytes atomic.Int64

	done       atomic.Int64
	bytesDone  atomic.Int64
	spilledB   atomic.Int64
	taskNanos  atomic.Int64
	stolenRun  atomic.Int64
	givenAway  atomic.Int64
	importsGot atomic.Int64
}

// newRunner prepares the states of plan on this rank.
func newRunner(e *Engine, plan *planner.Plan, pl *placement, deliver deliverFunc) *runner {
	r := &runner{e: e, plan: plan, pl: pl, rank: e.rank, size: e.size, alloc: e.local.Allocator(), deliver: deliver,
		workers: e.opts.Workers, progressEvery: e.opts.ProgressInterval, states: make([]taskState, len(plan.Tasks)),
		stolen: map[int]*stolenTask{}}
	r.window = 16*r.workers + 32*r.size
	r.workCond = sync.NewCond(&r.mu)
	r.admitCond = sync.NewCond(&r.mu)
	for i, t := range plan.Tasks {
		st := &r.states[i]
		switch {
		case int(pl.owner[i]) == r.rank:
			st.role = roleOwn
			st.pending = len(t.Deps)
			r.ownLeft++
			if pl.leaf[i] {
				r.stealable++
			}
			for _, d := range t.Deps {
				r.states[d.Order].consumers++
				r.states[d.Order].dependents = append(r.states[d.Order].dependents, int32(i))
			}
		case pl.needed(i, r.rank):
			st.role = roleImport
			r.importsLeft++
		}
		if st.role != roleNone {
			r.seq = append(r.seq, int32(i))
		}
		if pl.leaf[i] {
			r.maxLeafBytes = max(r.maxLeafBytes, t.Bytes)
		}
	}
	r.stealTail = len(r.seq)
	if r.rank == writerRank {
		for o, out := range plan.Outputs {
			for f, t := range out.Tasks {
				st := &r.states[t.Order]
				st.finals = append(st.finals, finalRef{out: o, region: out.Grid.BlockRegion(out.Grid.BlockIndex(f))})
			}
		}
	}
	return r
}

// run executes the rank's part of the plan and returns this rank's own
// error (nil if it succeeded; ErrPeerFailed if it stopped because another
// rank failed).
func (r *runner) run(parent context.Context) error {
	r.ctx, r.cancel = context.WithCancelCause(parent)
	defer r.cancel(nil)
	stopWake := context.AfterFunc(r.ctx, func() {
		r.mu.Lock()
		r.workCond.Broadcast()
		r.admitCond.Broadcast()
		r.mu.Unlock()
		r.comm.poke()
	})
	defer stopWake()
	stopParent := context.AfterFunc(parent, func() { r.fail(context.Cause(parent)) })
	defer stopParent()
	for _, s := range r.plan.Stages {
		if s.Spill {
			sf, err := spill.New(r.e.opts.SpillDir)
			if err != nil {
				r.fail(err)
				break
			}
			r.spill = sf
			defer sf.Close()
			break
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < r.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.work()
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.admit()
	}()
	r.comm.loop()
	r.mu.Lock()
	r.closed = true
	r.workCond.Broadcast()
	r.mu.Unlock()
	wg.Wait()
	// Give back what a failed run left behind.
	for i := range r.states {
		st := &r.states[i]
		st.value.Release()
		st.value = planner.Value{}
		r.alloc.Unreserve(st.res)
		st.res = 0
	}
	for _, s := range r.stolen {
		s.value.Release()
		r.alloc.Unreserve(s.res)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failHere {
		return r.firstErr
	}
	if r.failed {
		return ErrPeerFailed
	}
	return nil
}

// fail records this rank's first error and cancels the run; the comm
// goroutine tells the other ranks.
func (r *runner) fail(err error) {
	r.mu.Lock()
	first := !r.failed
	if first {
		r.failed, r.failHere, r.firstErr = true, true, err
	}
	r.mu.Unlock()
	if first {
		r.cancel(err)
	}
}

// peerFailed cancels the run because rank from failed.
func (r *runner) peerFailed(from int) {
	r.mu.Lock()
	first := !r.failed
	r.failed = true
	r.mu.Unlock()
	if first {
		r.cancel(fmt.Errorf("rank %d failed: %w", from, ErrPeerFailed))
	}
}

// failedHere reports whether this rank failed (and must tell the others).
func (r *runner) failedHere() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failHere
}

// taskError names the task in an error it raised (the rank is added when
// the ranks agree on the error).
func (r *runner) taskError(i int, err error) error {
	return fmt.Errorf("task %s: %w", r.plan.Tasks[i], err)
}

// admit walks the sequence in plan order: an own task reserves its working
// set and is queued once its inputs are available; an import reserves its
// value's bytes and has its receive posted. At most window entries are
// admitted and not finished at once.
func (r *runner) admit() {
	defer func() {
		r.mu.Lock()
		r.admitExited = true
		r.mu.Unlock()
		r.comm.poke()
	}()
	for _, i32 := range r.seq {
		i := int(i32)
		t := r.plan.Tasks[i]
		r.mu.Lock()
		for r.inFlight >= r.window && r.ctx.Err() == nil {
			r.admitCond.Wait()
		}
		st := &r.states[i]
		if r.ctx.Err() != nil {
			r.mu.Unlock()
			return
		}
		role := st.role
		if role == roleOwn {
			st.claimed = true
			if r.pl.leaf[i] {
				r.stealable--
			}
		}
		r.mu.Unlock()
		n := t.OutBytes
		switch role {
		case roleNone:
			continue
		case roleOwn:
			n = t.Bytes
		}
		if err := r.alloc.Reserve(r.ctx, n); err != nil {
			if r.ctx.Err() == nil {
				r.fail(fmt.Errorf("task %s: %w", t, err))
			}
			return
		}
		r.mu.Lock()
		st.res = n
		st.admitted = true
		r.inFlight++
		if role == roleOwn && st.pending == 0 {
			r.queue = append(r.queue, job{task: i, kind: jobRun})
			r.workCond.Signal()
		}
		r.mu.Unlock()
		if role == roleImport {
			r.comm.expect(i)
		}
	}
	r.mu.Lock()
	r.admitDone = true
	r.mu.Unlock()
}

// work runs jobs until the run is closed.
func (r *runner) work() {
	for {
		r.mu.Lock()
		for len(r.urgent) == 0 && len(r.queue) == 0 && !r.closed {
			r.workCond.Wait()
		}
		var j job
		switch {
		case len(r.urgent) > 0:
			j, r.urgent = r.urgent[0], r.urgent[1:]
		case len(r.queue) > 0:
			j, r.queue = r.queue[0], r.queue[1:]
		default:
			r.mu.Unlock()
			return
		}
		r.running++
		r.mu.Unlock()
		var err error
		if r.ctx.Err() == nil {
			switch j.kind {
			case jobRun:
				err = r.runTask(j.task)
			case jobSettle:
				err = r.settle(j.task)
			case jobStolen:
				err = r.runStolenTask(j.task)
			}
		}
		if err != nil {
			r.fail(err)
		}
		r.mu.Lock()
		r.running--
		r.mu.Unlock()
		r.comm.poke()
	}
}

// execute runs task i on the values of its dependencies.
func (r *runner) execute(i int) (planner.Value, error) {
	t := r.plan.Tasks[i]
	inputs := make([]planner.Value, len(t.Deps))
	var loaded []planner.Value
	defer func() {
		for _, v := range loaded {
			v.Release()
		}
	}()
	refs := make([]*spill.Ref, len(t.Deps))
	r.mu.Lock()
	for k, d := range t.Deps {
		inputs[k], refs[k] = r.states[d.Order].value, r.states[d.Order].spilled
	}
	r.mu.Unlock()
	for k, d := range t.Deps {
		if ref := refs[k]; ref != nil {
			blk, err := r.spill.Load(ref, r.alloc)
			if err != nil {
				return planner.Value{}, r.taskError(i, fmt.Errorf("read spilled %s: %w", d, err))
			}
			inputs[k] = planner.Value{Block: blk}
			loaded = append(loaded, inputs[k])
		}
	}
	began := time.Now()
	v, err := t.Run(&planner.TaskContext{Ctx: r.ctx, Alloc: r.alloc, Inputs: inputs, TileElems: r.e.opts.TileElems})
	r.taskNanos.Add(int64(time.Since(began)))
	if err != nil {
		if r.ctx.Err() != nil {
			// Cancelled: the error that caused it is already recorded.
			return planner.Value{}, nil
		}
		return planner.Value{}, r.taskError(i, err)
	}
	r.bytesDone.Add(v.Size())
	r.done.Add(1)
	return v, nil
}

// runTask runs own task i and publishes its value: delivered if it is an
// output block on the writer, sent to the ranks that need it, kept (or
// spilled) for local consumers.
func (r *runner) runTask(i int) error {
	t := r.plan.Tasks[i]
	st := &r.states[i]
	v, err := r.execute(i)
	if err != nil || v == (planner.Value{}) {
		return err
	}
	if v.Size() > t.OutBytes {
		v.Release()
		return r.taskError(i, fmt.Errorf("made %d bytes, %d planned", v.Size(), t.OutBytes))
	}
	for _, f := range st.finals {
		if err := r.deliver(r.ctx, f.out, f.region, v.Block); err != nil {
			v.Release()
			return r.taskError(i, fmt.Errorf("write %v: %w", f.region, err))
		}
	}
	dests := r.pl.dests(i, r.rank, false)
	var ref *spill.Ref
	if st.consumers > 0 && t.Stage.Spill && v.Block != nil {
		var n int64
		ref, n, err = r.spill.Store(v.Block)
		if err != nil {
			v.Release()
			return r.taskError(i, fmt.Errorf("spill: %w", err))
		}
		r.spilledB.Add(n)
	}
	keep := int64(0)
	if len(dests) > 0 || (st.consumers > 0 && ref == nil) {
		keep = t.OutBytes
	}
	var free []planner.Value
	var freeBytes int64
	r.mu.Lock()
	giveBack := st.res - keep
	st.res = keep
	st.value, st.spilled, st.avail = v, ref, true
	st.sending = len(dests) > 0
	if st.sending {
		r.sendsLeft++
	}
	for _, d := range t.Deps {
		r.states[d.Order].consumers--
		if fv, fb := r.maybeFreeLocked(d.Order); fb >= 0 {
			free = append(free, fv)
			freeBytes += fb
		}
	}
	if fv, fb := r.maybeFreeLocked(i); fb >= 0 {
		free = append(free, fv)
		freeBytes += fb
	}
	r.readyLocked(i)
	r.ownLeft--
	if !st.sending {
		// A value being sent stays in the window until every receiver
		// has it (see comm.startSend).
		r.inFlight--
		r.admitCond.Signal()
	}
	r.mu.Unlock()
	for _, fv := range free {
		fv.Release()
	}
	r.alloc.Unreserve(giveBack + freeBytes)
	if len(dests) > 0 {
		r.comm.send(i, v, dests)
	}
	return nil
}

// runStolenTask runs task i for the rank that gave it and sends its value
// to every rank that needs it.
func (r *runner) runStolenTask(i int) error {
	t := r.plan.Tasks[i]
	v, err := r.execute(i)
	if err != nil || v == (planner.Value{}) {
		return err
	}
	if v.Size() > t.OutBytes {
		v.Release()
		return r.taskError(i, fmt.Errorf("made %d bytes, %d planned", v.Size(), t.OutBytes))
	}
	dests := r.pl.dests(i, r.rank, true)
	r.mu.Lock()
	s := r.stolen[i]
	giveBack := s.res - t.OutBytes
	s.res, s.value = t.OutBytes, v
	r.stolenLeft--
	r.sendsLeft++
	r.mu.Unlock()
	r.alloc.Unreserve(giveBack)
	r.stolenRun.Add(1)
	r.comm.send(i, v, dests)
	return nil
}

// maybeFreeLocked takes task i's value out of the state once nothing
// needs it in memory any more: no send pending and no local consumer left
// (or the consumers read it from the spill file). It returns the value to
// release and the reservation to give back, or -1 bytes if nothing is
// freed. r.mu must be held.
func (r *runner) maybeFreeLocked(i int) (planner.Value, int64) {
	st := &r.states[i]
	if !st.avail || st.sending || (st.consumers > 0 && st.spilled == nil) {
		return planner.Value{}, -1
	}
	if st.consumers == 0 {
		st.spilled = nil
	}
	if st.value == (planner.Value{}) {
		return planner.Value{}, -1
	}
	v, n := st.value, st.res
	st.value, st.res = planner.Value{}, 0
	return v, n
}

// readyLocked queues the local dependents of task i whose inputs are now
// all available. r.mu must be held.
func (r *runner) readyLocked(i int) {
	for _, k := range r.states[i].dependents {
		ks := &r.states[k]
		ks.pending--
		if ks.pending == 0 && ks.admitted {
			r.queue = append(r.queue, job{task: int(k), kind: jobRun})
			r.workCond.Signal()
		}
	}
}

// importLimit is the bytes reserved for import task i's value.
func (r *runner) importLimit(i int) int64 { return r.plan.Tasks[i].OutBytes }

// arrived is called by the comm goroutine when import task i's value has
// been received. Values that must be delivered or spilled are settled by
// a worker (first, before other queued work, as they free memory); the
// others are published at once.
func (r *runner) arrived(i int, v planner.Value) {
	r.importsGot.Add(1)
	t := r.plan.Tasks[i]
	r.mu.Lock()
	st := &r.states[i]
	st.value = v
	if len(st.finals) > 0 || (t.Stage.Spill && v.Block != nil && st.consumers > 0) {
		r.urgent = append(r.urgent, job{task: i, kind: jobSettle})
		r.workCond.Signal()
		r.mu.Unlock()
		return
	}
	fv, fb := r.publishImportLocked(i)
	r.mu.Unlock()
	if fb >= 0 {
		fv.Release()
		r.alloc.Unreserve(fb)
	}
	r.comm.poke()
}

// publishImportLocked marks an arrived import available to its local
// consumers. r.mu must be held.
func (r *runner) publishImportLocked(i int) (planner.Value, int64) {
	st := &r.states[i]
	st.avail = true
	r.importsLeft--
	r.inFlight--
	r.admitCond.Signal()
	r.readyLocked(i)
	return r.maybeFreeLocked(i)
}

// settle delivers an arrived import's output blocks (on the writer) and
// spills it when its stage is spilled, then publishes it.
func (r *runner) settle(i int) error {
	t := r.plan.Tasks[i]
	st := &r.states[i]
	r.mu.Lock()
	v := st.value
	r.mu.Unlock()
	for _, f := range st.finals {
		if err := r.deliver(r.ctx, f.out, f.region, v.Block); err != nil {
			return r.taskError(i, fmt.Errorf("write %v: %w", f.region, err))
		}
	}
	if t.Stage.Spill && v.Block != nil && st.consumers > 0 {
		ref, n, err := r.spill.Store(v.Block)
		if err != nil {
			return r.taskError(i, fmt.Errorf("spill: %w", err))
		}
		r.spilledB.Add(n)
		r.mu.Lock()
		st.spilled = ref
		r.mu.Unlock()
	}
	r.mu.Lock()
	fv, fb := r.publishImportLocked(i)
	r.mu.Unlock()
	if fb >= 0 {
		fv.Release()
		r.alloc.Unreserve(fb)
	}
	return nil
}

// sent is called by the comm goroutine when every send of task i's value
// has completed.
func (r *runner) sent(i int) {
	r.mu.Lock()
	r.sendsLeft--
	var fv planner.Value
	var fb int64
	if s, ok := r.stolen[i]; ok {
		fv, fb = s.value, s.res
		delete(r.stolen, i)
	} else {
		r.states[i].sending = false
		r.inFlight--
		r.admitCond.Signal()
		fv, fb = r.maybeFreeLocked(i)
	}
	r.mu.Unlock()
	if fb >= 0 {
		fv.Release()
		r.alloc.Unreserve(fb)
	}
}

// canSteal reports whether this rank may take work from others: it has
// admitted its whole sequence (see the deadlock argument above), nothing
// is queued, a worker is free and no stolen batch is still running.
func (r *runner) canSteal() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.failed && r.admitDone && len(r.queue) == 0 && len(r.urgent) == 0 && r.running < r.workers && r.stolenLeft == 0
}

// reserveForSteal reserves memory for tasks to be stolen: room for two
// tasks per worker, as large as the largest that could be given, within
// half the budget left, and at least one. It returns how many tasks to ask
// for and the bytes reserved (0 when even one task does not fit now).
func (r *runner) reserveForSteal() (int, int64) {
	st := r.alloc.Stats()
	free := st.Limit - st.Reserved
	want := 2 * r.workers
	bytes := max(min(free/2, int64(want)*r.maxLeafBytes), r.maxLeafBytes)
	if bytes > free || r.maxLeafBytes <= 0 || !r.alloc.TryReserve(bytes) {
		return 0, 0
	}
	return want, bytes
}

// giveAway hands up to want not yet admitted own leaf tasks, at most half
// of those left and at most bytes of working set, to rank thief. It takes
// them from the end of the sequence, which this rank would reach last. A
// task given away becomes an import when this rank needs its value.
func (r *runner) giveAway(want int, bytes int64, thief int) []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failed || r.e.opts.NoStealing {
		return nil
	}
	n := min(want, (r.stealable+1)/2)
	var out []int
	for p := r.stealTail - 1; p >= 0 && len(out) < n; p-- {
		i := int(r.seq[p])
		st := &r.states[i]
		if st.claimed || st.role != roleOwn || !r.pl.leaf[i] {
			if st.claimed {
				break // admission got this far: nothing below is free
			}
			continue
		}
		tb := r.plan.Tasks[i].Bytes
		if tb > bytes {
			continue
		}
		bytes -= tb
		out = append(out, i)
		r.stealable--
		r.ownLeft--
		if r.pl.needed(i, r.rank) {
			st.role = roleImport
			r.importsLeft++
		} else {
			st.role = roleNone
		}
		r.stealTail = p
	}
	r.givenAway.Add(int64(len(out)))
	return out
}

// runStolen queues tasks given by another rank, within the bytes reserved
// for them when asking, and gives back the rest of the reservation.
func (r *runner) runStolen(tasks []int, reserved int64) {
	r.mu.Lock()
	for _, i := range tasks {
		s := &stolenTask{res: r.plan.Tasks[i].Bytes}
		r.stolen[i] = s
		reserved -= s.res
		r.stolenLeft++
		r.queue = append(r.queue, job{task: i, kind: jobStolen})
		r.workCond.Signal()
	}
	r.mu.Unlock()
	r.alloc.Unreserve(reserved)
}

// quiet reports whether this rank will start no more work: after a
// failure, once nothing runs; otherwise once its sequence is done, every
// value it sent has arrived and no more work can be stolen (stealOver).
func (r *runner) quiet(stealOver bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failed {
		return r.admitExited && r.running == 0 && len(r.queue) == 0 && len(r.urgent) == 0
	}
	return stealOver && r.admitDone && r.ownLeft == 0 && r.importsLeft == 0 && r.stolenLeft == 0 &&
		r.sendsLeft == 0 && r.running == 0
}

// progressHere returns the tasks and bytes this rank has computed.
func (r *runner) progressHere() (int64, int64) { return r.done.Load(), r.bytesDone.Load() }

// peerProgress records the other ranks' progress (on the writer).
func (r *runner) peerProgress(done, bytes []int64) {
	var n, b int64
	for k := range done {
		if k != r.rank {
			n += done[k]
			b += bytes[k]
		}
	}
	r.peerTasks.Store(n)
	r.peerBytes.Store(b)
}

// reportProgress sends the job's progress to opts.Progress (on the writer
// rank) until stop closes.
func (r *runner) reportProgress(start time.Time, stop <-chan struct{}) {
	tick := time.NewTicker(r.progressEvery)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			r.e.opts.Progress(exec.Event{TasksDone: int(r.done.Load() + r.peerTasks.Load()), TasksTotal: len(r.plan.Tasks),
				BytesDone: r.bytesDone.Load() + r.peerBytes.Load(), Elapsed: time.Since(start)})
		}
	}
}
