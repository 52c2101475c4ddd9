package planner

import (
	"context"
	"fmt"
	"runtime"
	"strings"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/ops"
)

// DefaultTileElems is how many elements a fused expression evaluates at a
// time: small enough that every intermediate of a tile stays in the L2 cache,
// large enough that dispatch costs vanish against the kernels.
const DefaultTileElems = 8192

// Options tune planning.
type Options struct {
	// Budget is the memory budget in bytes (0: unlimited). A plan whose
	// projected peak exceeds it is refused.
	Budget int64
	// Workers is the number of tasks the engine runs at once; it enters the
	// projection of concurrent working sets.
	Workers int
	// TileElems overrides DefaultTileElems.
	TileElems int
	// ReservedBytes is memory the caller holds for the whole run (such as a
	// Compute result, or the buffers of the sinks a Store writes to); the
	// plan must fit in Budget minus this.
	ReservedBytes int64
}

// Value is what a task produces: a block of an array or a reduction's
// partial state.
type Value struct {
	Block   *chunk.Block
	Partial *ops.Partial
}

// Release returns the value's buffers to their allocator.
func (v Value) Release() {
	if v.Block != nil {
		v.Block.Release()
	}
	if v.Partial != nil {
		v.Partial.Release()
	}
}

// Size returns the bytes the value holds.
func (v Value) Size() int64 {
	var n int64
	if v.Block != nil {
		n += int64(len(v.Block.Bytes()))
	}
	if v.Partial != nil {
		n += v.Partial.Bytes()
	}
	return n
}

// StageKind says what a stage's tasks do.
type StageKind uint8

// The kinds of stages.
const (
	// KindBlocks evaluates a fused expression into blocks.
	KindBlocks StageKind = iota + 1
	// KindReducePartial folds input blocks into partial reductions.
	KindReducePartial
	// KindReduceCombine merges partial reductions in a tree.
	KindReduceCombine
	// KindScanTotal computes each block's total along the scan axis.
	KindScanTotal
	// KindScanCarry chains block totals into carries.
	KindScanCarry
	// KindScan computes scanned blocks from a carry.
	KindScan
	// KindContract multiplies block pairs.
	KindContract
	// KindContractCombine sums partial products in a tree.
	KindContractCombine
	// KindMapBlocks runs a user function per block.
	KindMapBlocks
	// KindRead reads a region of an external source.
	KindRead
)

var kindNames = map[StageKind]string{
	KindBlocks: "blocks", KindReducePartial: "reduce-partial", KindReduceCombine: "reduce-combine",
	KindScanTotal: "scan-total", KindScanCarry: "scan-carry", KindScan: "scan",
	KindContract: "contract", KindContractCombine: "contract-combine", KindMapBlocks: "map-blocks", KindRead: "read",
}

// String names the kind.
func (k StageKind) String() string { return kindNames[k] }

// Stage is a set of tasks of one kind over one grid: a fused expression per
// output block, one level of a reduction tree, and so on.
type Stage struct {
	ID   int
	Kind StageKind
	// Name describes the work, e.g. "sum partial of add(sin(random_uniform), ...)".
	Name string
	// Node is the array node whose blocks (or partials) the stage produces.
	Node *ndarray.Node
	// Grid is the grid of the stage's task outputs.
	Grid chunk.Grid
	// DType is the dtype of the outputs.
	DType chunk.DType
	// Tasks in block order.
	Tasks []*Task
	// MaxTaskBytes is the largest projected working set of a task.
	MaxTaskBytes int64
	// MaxOutBytes is the largest task output.
	MaxOutBytes int64
	// Spill marks a stage whose outputs are written, compressed, to the spill
	// directory and read back by their consumers, because keeping them
	// resident would exceed the budget.
	Spill bool
	// Notes lists planning decisions (fusion, recomputation) for Explain.
	Notes []string
	// Inputs lists the stages whose outputs this stage's tasks read.
	Inputs []*Stage

	run func(tc *TaskContext, t *Task) (Value, error)
}

// Task is one unit of scheduling: it reads the outputs of Deps and produces
// one Value.
type Task struct {
	ID    int
	Stage *Stage
	// Block is the task's block index in Stage.Grid.
	Block []int
	// Deps are the tasks whose outputs this task reads, in the order Run
	// expects them.
	Deps []*Task
	// Bytes is the projected working set while the task runs, including its
	// output and any spilled inputs it loads.
	Bytes int64
	// OutBytes is the projected size of the output.
	OutBytes int64
	// Consumers counts the tasks that read the output.
	Consumers int
	// Output, when >= 0, is the index of the plan output this task's block
	// belongs to.
	Output int
	// Order is the task's position in Plan.Tasks.
	Order int

	exprs    []*binding
	children []*Task // combine inputs, in combination order
	aux      int     // stage-specific (contraction block number)
}

// TaskContext is what a running task sees.
type TaskContext struct {
	Ctx   context.Context
	Alloc *chunk.Allocator
	// Inputs holds the outputs of the task's Deps, in order.
	Inputs []Value
	// TileElems is the fused evaluation's tile size (0: DefaultTileElems).
	TileElems int
}

// Run executes the task. It must not retain or release Inputs; the
// engine owns them. A panic inside becomes an error naming the block.
func (t *Task) Run(tc *TaskContext) (v Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			v = Value{}
			err = fmt.Errorf("planner: %s block %v: panic: %v (at %s): %w", t.Stage.Name, t.Block, r, panicSite(), ErrPanic)
		}
	}()
	return t.Stage.run(tc, t)
}

// String names the task for errors and traces.
func (t *Task) String() string {
	return fmt.Sprintf("%s[%v]", t.Stage.Name, t.Block)
}

// Output is one requested array: its node and the tasks producing its
// blocks, in flat block order of Grid.
type Output struct {
	Node  *ndarray.Node
	Grid  chunk.Grid
	DType chunk.DType
	Tasks []*Task
}

// Plan is a schedule of tasks computing some arrays.
type Plan struct {
	// Tasks in execution order: depth-first from the outputs, so each
	// reduction branch finishes before the next starts and blocks are freed
	// early.
	Tasks   []*Task
	Stages  []*Stage
	Outputs []Output
	Options Options
	// PeakBytes is the projected peak of memory held when tasks run one at a
	// time in Tasks order; ConcurrentPeakBytes adds the working sets of
	// Workers-1 more tasks.
	PeakBytes           int64
	ConcurrentPeakBytes int64
	// MaxBlockBytes is the largest block of any array in the plan.
	MaxBlockBytes int64
	// SpilledBytes is the projected volume written to the spill directory.
	SpilledBytes int64
}

// panicSite returns the file:line where the panic being recovered began:
// the first frame below the runtime's panic machinery.
func panicSite() string {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "runtime.") {
			return fmt.Sprintf("%s:%d", f.File, f.Line)
		}
		if !more {
			return "unknown"
		}
	}
}

// ErrPanic marks an error converted from a panic inside a task.
var ErrPanic = fmt.Errorf("panic in task")
