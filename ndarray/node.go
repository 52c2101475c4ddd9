package ndarray

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ops"
)

// Node is one vertex of the expression graph an Array stands for. Nodes are
// immutable once built; the planner reads them through the accessors and
// switches on the concrete Op type.
type Node struct {
	id     int64
	op     Op
	inputs []*Node
	dtype  chunk.DType
	grid   chunk.Grid
}

var nodeIDs atomic.Int64

// ID is a process-unique number, increasing in creation order.
func (n *Node) ID() int64 { return n.id }

// Op returns the operation the node applies.
func (n *Node) Op() Op { return n.op }

// Inputs returns the operand nodes (do not modify).
func (n *Node) Inputs() []*Node { return n.inputs }

// DType returns the element type of the node's array.
func (n *Node) DType() chunk.DType { return n.dtype }

// Grid returns the chunk grid of the node's array.
func (n *Node) Grid() chunk.Grid { return n.grid }

// Shape returns the shape of the node's array (do not modify).
func (n *Node) Shape() []int { return n.grid.Shape() }

// Op is the operation a Node applies to its inputs. The concrete types are
// the Op* structs of this package.
type Op interface {
	// Name is a short lower-case name for plans and errors ("sin", "sum").
	Name() string
	// Key identifies the operation's parameters for common-subexpression
	// elimination; two nodes with equal op keys and identical inputs compute
	// the same array.
	Key() string
}

// Source is an array stored outside ndchunk's memory, read region by region:
// the file drivers implement it. ReadRegion fills dst with the elements of
// region r in row-major order, converted to DType; it must not retain dst
// and may be called from several goroutines at once.
type Source interface {
	DType() chunk.DType
	Shape() []int
	ReadRegion(ctx context.Context, r chunk.Region, dst []byte) error
}

// StorageChunker is implemented by Sources stored in chunks; automatic
// chunking then picks multiples of StorageChunks.
type StorageChunker interface {
	StorageChunks() []int
}

// ConcurrentSource is implemented by Sources whose ReadRegion calls run in
// parallel without serialising on a library lock (files read with plain
// preads, in-memory data). The planner then reads such a source tile by
// tile inside the task that uses it, while the data is hot in cache,
// instead of in read tasks of their own that overlap a serialised library
// with compute.
type ConcurrentSource interface {
	ConcurrentReads() bool
}

// Namer is implemented by Sources with a name for plans and errors (for a
// file variable, "file.nc:t2m").
type Namer interface {
	Name() string
}

// OpRandom generates counter-based random numbers: element values depend on
// Seed, Dist and the global index only, never on the chunking.
type OpRandom struct {
	Seed uint64
	Dist ops.Dist
}

// Name implements Op.
func (o *OpRandom) Name() string {
	if o.Dist == ops.Normal {
		return "random_normal"
	}
	return "random_uniform"
}

// Key implements Op.
func (o *OpRandom) Key() string { return fmt.Sprintf("random(%d,%d)", o.Seed, o.Dist) }

// OpLinear generates start + step*i over the global flat index i (arange,
// linspace). Int selects exact integer arithmetic with IntStart/IntStep.
type OpLinear struct {
	Start, Step       float64
	Int               bool
	IntStart, IntStep int64
	// Last, when HasLast, replaces the final element (linspace's endpoint).
	Last    float64
	HasLast bool
}

// Name implements Op.
func (o *OpLinear) Name() string { return "arange" }

// Key implements Op.
func (o *OpLinear) Key() string {
	return fmt.Sprintf("linear(%v,%v,%v,%d,%d,%v,%v)", o.Start, o.Step, o.Int, o.IntStart, o.IntStep, o.Last, o.HasLast)
}

// OpConst is an array with every element equal to one value. Raw holds the
// element exactly, in the node's dtype and native byte order (so int64 and
// uint64 constants keep every bit); Value is it as float64, for display.
type OpConst struct {
	Value float64
	Raw   []byte
}

// Name implements Op.
func (o *OpConst) Name() string { return fmt.Sprintf("full(%g)", o.Value) }

// Key implements Op.
func (o *OpConst) Key() string { return fmt.Sprintf("const(%x)", o.Raw) }

// newConst returns the OpConst holding v (an element of dtype dt).
func newConst(dt chunk.DType, raw []byte) *OpConst {
	raw = append([]byte(nil), raw[:dt.Size()]...)
	return &OpConst{Value: chunk.LoadFloat64(dt, raw, 0), Raw: raw}
}

// OpDense is an array held in memory by the caller.
type OpDense struct{ Data *chunk.Dense }

// Name implements Op.
func (o *OpDense) Name() string { return "array" }

// Key implements Op.
func (o *OpDense) Key() string { return fmt.Sprintf("dense(%p)", o.Data) }

// OpSource reads an external Source.
type OpSource struct{ Src Source }

// Name implements Op.
func (o *OpSource) Name() string {
	if n, ok := o.Src.(Namer); ok {
		return n.Name()
	}
	return "source"
}

// Key implements Op.
func (o *OpSource) Key() string { return fmt.Sprintf("source(%p)", o.Src) }

// OpUnary applies an elementwise function; its input already has the
// function's loop dtype.
type OpUnary struct{ Fn ops.UnaryOp }

// Name implements Op.
func (o *OpUnary) Name() string { return o.Fn.String() }

// Key implements Op.
func (o *OpUnary) Key() string { return "u:" + o.Fn.String() }

// OpBinary applies an elementwise function of two inputs of the same shape
// and loop dtype.
type OpBinary struct{ Fn ops.BinaryOp }

// Name implements Op.
func (o *OpBinary) Name() string { return o.Fn.String() }

// Key implements Op.
func (o *OpBinary) Key() string { return "b:" + o.Fn.String() }

// OpWhere selects from inputs 1 and 2 where input 0 (bool) is true.
type OpWhere struct{}

// Name implements Op.
func (o *OpWhere) Name() string { return "where" }

// Key implements Op.
func (o *OpWhere) Key() string { return "where" }

// OpCast converts its input to the node's dtype.
type OpCast struct{}

// Name implements Op.
func (o *OpCast) Name() string { return "astype" }

// Key implements Op.
func (o *OpCast) Key() string { return "astype" }

// OpBroadcast expands its input to the node's shape with NumPy's rules
// (new leading axes, length-1 axes stretched).
type OpBroadcast struct{}

// Name implements Op.
func (o *OpBroadcast) Name() string { return "broadcast_to" }

// Key implements Op.
func (o *OpBroadcast) Key() string { return "broadcast" }

// OpTranspose permutes axes: axis i of the result is axis Perm[i] of the
// input.
type OpTranspose struct{ Perm []int }

// Name implements Op.
func (o *OpTranspose) Name() string { return "transpose" }

// Key implements Op.
func (o *OpTranspose) Key() string { return fmt.Sprint("transpose", o.Perm) }

// OpSlice selects, on each input axis a, Count[a] elements starting at
// Start[a] with stride Step[a] (never 0, may be negative). Axes with Drop[a]
// (integer indexing) have Count 1 and are removed from the result.
type OpSlice struct {
	Start, Step, Count []int
	Drop               []bool
}

// Name implements Op.
func (o *OpSlice) Name() string { return "getitem" }

// Key implements Op.
func (o *OpSlice) Key() string { return fmt.Sprint("slice", o.Start, o.Step, o.Count, o.Drop) }

// OpReshape gives the input's elements, in row-major order, a new shape.
type OpReshape struct{}

// Name implements Op.
func (o *OpReshape) Name() string { return "reshape" }

// Key implements Op.
func (o *OpReshape) Key() string { return "reshape" }

// OpConcat joins its inputs along Axis.
type OpConcat struct{ Axis int }

// Name implements Op.
func (o *OpConcat) Name() string { return "concatenate" }

// Key implements Op.
func (o *OpConcat) Key() string { return fmt.Sprintf("concat(%d)", o.Axis) }

// OpRechunk changes only the chunk grid.
type OpRechunk struct{}

// Name implements Op.
func (o *OpRechunk) Name() string { return "rechunk" }

// Key implements Op.
func (o *OpRechunk) Key() string { return "rechunk" }

// OpPersist materialises its input: its blocks are computed once and kept
// (or spilled) for every consumer, instead of being fused into each. It is
// how a rechunk stages data: blocks read aligned with the source, then
// read back in the target's shape.
type OpPersist struct{}

// Name implements Op.
func (o *OpPersist) Name() string { return "persist" }

// Key implements Op.
func (o *OpPersist) Key() string { return "persist" }

// OpReduce reduces the axes marked in Axes (one flag per input axis).
type OpReduce struct {
	Fn         ops.ReduceOp
	Axes       []bool
	KeepDims   bool
	Ddof       int
	SplitEvery int
}

// Name implements Op.
func (o *OpReduce) Name() string { return o.Fn.String() }

// Key implements Op.
func (o *OpReduce) Key() string {
	return fmt.Sprint("reduce", o.Fn, o.Axes, o.KeepDims, o.Ddof, o.SplitEvery)
}

// OpScan is a cumulative operation along Axis.
type OpScan struct {
	Fn   ops.ScanOp
	Axis int
}

// Name implements Op.
func (o *OpScan) Name() string { return o.Fn.String() }

// Key implements Op.
func (o *OpScan) Key() string { return fmt.Sprint("scan", o.Fn, o.Axis) }

// OpContract is a tensor contraction of inputs A (0) and B (1), generalising
// matmul, dot and tensordot. ABatch[i] and BBatch[i] are paired batch axes,
// AContract[i] and BContract[i] paired summed axes, AFree and BFree the
// remaining axes. The result's axes are batch, then A's free, then B's free.
type OpContract struct {
	ABatch, BBatch       []int
	AContract, BContract []int
	AFree, BFree         []int
	SplitEvery           int
}

// Name implements Op.
func (o *OpContract) Name() string { return "tensordot" }

// Key implements Op.
func (o *OpContract) Key() string {
	return fmt.Sprint("contract", o.ABatch, o.BBatch, o.AContract, o.BContract, o.AFree, o.BFree, o.SplitEvery)
}

// BlockInfo tells a BlockFunc where its block lies.
type BlockInfo struct {
	// Index is the block's index in the output grid.
	Index []int
	// Region is the block's region in the output array.
	Region chunk.Region
}

// BlockFunc computes one output block of MapBlocks from the input blocks
// aligned with it. out has the declared dtype and the block's shape, and
// unspecified contents; the function must fill all of it and must not keep
// out or in after it returns.
type BlockFunc func(ctx context.Context, out *chunk.Dense, in []*chunk.Dense, info BlockInfo) error

// OpMapBlocks applies a user function per block.
type OpMapBlocks struct {
	Fn    BlockFunc
	Label string
	// InGrid is the grid the inputs are cut along: input block k of every
	// input feeds output block k.
	InGrid chunk.Grid
}

// Name implements Op.
func (o *OpMapBlocks) Name() string { return "map_blocks(" + o.Label + ")" }

// Key implements Op.
func (o *OpMapBlocks) Key() string { return fmt.Sprintf("map_blocks(%p)", o) }

// Describe renders the expression under n as text, e.g.
// "sum(add(sin(random_uniform), cos(transpose(random_uniform))))", cut to
// about limit bytes.
func Describe(n *Node, limit int) string {
	var b strings.Builder
	var rec func(n *Node)
	rec = func(n *Node) {
		if b.Len() > limit {
			return
		}
		b.WriteString(n.op.Name())
		if len(n.inputs) == 0 {
			return
		}
		b.WriteByte('(')
		for i, in := range n.inputs {
			if i > 0 {
				b.WriteString(", ")
			}
			rec(in)
		}
		b.WriteByte(')')
	}
	rec(n)
	s := b.String()
	if len(s) > limit {
		s = s[:limit] + "..."
	}
	return s
}
