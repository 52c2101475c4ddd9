package planner

import (
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/ops"
)

// exprKind is how a node of a fused expression is evaluated.
type exprKind uint8

const (
	exRandom exprKind = iota + 1
	exLinear
	exConst
	exDense
	exSource
	exRef // a materialised array, read from its producer tasks' blocks
	exUnary
	exBinary
	exWhere
	exCast
	exBroadcast
	exTranspose
	exSlice
	exReshape
	exSqueeze // a reshape that only adds or removes length-1 axes
	exConcat
	exPass // rechunk: values unchanged
)

// exprNode is one node of a compiled fused expression.
type exprNode struct {
	idx    int
	n      *ndarray.Node
	kind   exprKind
	inputs []*exprNode
	shape  []int
	dtype  chunk.DType
	size   int // element size

	leaf int // index among program leaves, for exSource and exRef
	// tileRead marks a source read tile by tile inside the consuming task
	// (an ndarray.ConcurrentSource), not by read tasks.
	tileRead bool
	ref      *matNode
	constVal []byte

	unary  ops.UnaryKernel
	binary ops.BinaryKernel
	where  ops.WhereKernel
	cast   ops.CastKernel

	// exSqueeze: keep[i] maps output axis i to input axis (or -1 for an
	// inserted length-1 axis); inAxes lists input axes of length > 1.
	keep []int
	// exConcat: start of each input along the axis.
	offsets []int
	axis    int
}

// program is a fused expression: a DAG of exprNodes whose leaves are
// generated values, in-memory arrays, external sources and materialised
// arrays.
type program struct {
	root   *exprNode
	nodes  []*exprNode // post-order: inputs before users
	leaves []*exprNode
	// uses counts references from other nodes of the program.
	uses []int
}

// matNode is a materialised array: produced block by block by a stage and
// read by region.
type matNode struct {
	n          *ndarray.Node
	stage      *Stage
	blockTasks []*Task // by flat block index of n's grid
}

// isMaterialised reports whether a node must be computed into blocks
// rather than fused into its consumers.
func isMaterialised(n *ndarray.Node) bool {
	switch n.Op().(type) {
	case *ndarray.OpReduce, *ndarray.OpScan, *ndarray.OpContract, *ndarray.OpMapBlocks, *ndarray.OpPersist:
		return true
	}
	return false
}

// compile builds the fused program computing root: nodes for which mat
// returns a matNode become exRef leaves; inputs gives a node's (canonical)
// inputs.
func compile(root *ndarray.Node, mat func(*ndarray.Node) *matNode, inputs func(*ndarray.Node) []*ndarray.Node) (*program, error) {
	p := &program{}
	memo := map[*ndarray.Node]*exprNode{}
	var rec func(n *ndarray.Node) (*exprNode, error)
	rec = func(n *ndarray.Node) (*exprNode, error) {
		if e, ok := memo[n]; ok {
			p.uses[e.idx]++
			return e, nil
		}
		e := &exprNode{n: n, shape: n.Shape(), dtype: n.DType(), size: n.DType().Size(), leaf: -1}
		if m := mat(n); m != nil {
			e.kind, e.ref = exRef, m
		} else {
			for _, in := range inputs(n) {
				ie, err := rec(in)
				if err != nil {
					return nil, err
				}
				e.inputs = append(e.inputs, ie)
			}
			if err := e.setup(); err != nil {
				return nil, err
			}
		}
		e.idx = len(p.nodes)
		p.nodes = append(p.nodes, e)
		p.uses = append(p.uses, 1)
		if e.kind == exSource || e.kind == exRef {
			e.leaf = len(p.leaves)
			p.leaves = append(p.leaves, e)
		}
		memo[n] = e
		return e, nil
	}
	r, err := rec(root)
	if err != nil {
		return nil, err
	}
	p.uses[r.idx]--
	p.root = r
	return p, nil
}

// setup chooses the evaluation kind and kernels of a non-materialised node.
func (e *exprNode) setup() error {
	n := e.n
	switch op := n.Op().(type) {
	case *ndarray.OpRandom:
		e.kind = exRandom
	case *ndarray.OpLinear:
		e.kind = exLinear
	case *ndarray.OpConst:
		e.kind = exConst
		e.constVal = op.Raw
	case *ndarray.OpDense:
		e.kind = exDense
	case *ndarray.OpSource:
		e.kind = exSource
		if cs, ok := op.Src.(ndarray.ConcurrentSource); ok && cs.ConcurrentReads() {
			e.tileRead = true
		}
	case *ndarray.OpUnary:
		e.kind, e.unary = exUnary, ops.Unary(op.Fn, e.inputs[0].dtype)
	case *ndarray.OpBinary:
		e.kind, e.binary = exBinary, ops.Binary(op.Fn, e.inputs[0].dtype)
	case *ndarray.OpWhere:
		e.kind, e.where = exWhere, ops.Where(n.DType())
	case *ndarray.OpCast:
		e.kind, e.cast = exCast, ops.Cast(e.inputs[0].dtype, n.DType())
	case *ndarray.OpBroadcast:
		e.kind = exBroadcast
	case *ndarray.OpTranspose:
		e.kind = exTranspose
	case *ndarray.OpSlice:
		e.kind = exSlice
	case *ndarray.OpReshape:
		e.kind = exReshape
		if keep, ok := squeezeMap(e.inputs[0].shape, e.shape); ok {
			e.kind, e.keep = exSqueeze, keep
		}
	case *ndarray.OpConcat:
		e.kind, e.axis = exConcat, op.Axis
		off := 0
		for _, in := range e.inputs {
			e.offsets = append(e.offsets, off)
			off += in.shape[op.Axis]
		}
		e.offsets = append(e.offsets, off)
	case *ndarray.OpRechunk:
		e.kind = exPass
	default:
		return fmt.Errorf("planner: cannot fuse %s: %w", n.Op().Name(), chunk.ErrUnsupported)
	}
	return nil
}

// squeezeMap reports whether reshaping in to out only inserts or removes
// length-1 axes, and maps each output axis to its input axis (-1: new).
func squeezeMap(in, out []int) ([]int, bool) {
	keep := make([]int, len(out))
	i := 0
	for o, n := range out {
		for i < len(in) && in[i] == 1 && n != 1 {
			i++
		}
		switch {
		case n == 1 && (i >= len(in) || in[i] != 1):
			keep[o] = -1
		case i < len(in) && in[i] == n:
			keep[o] = i
			i++
		default:
			return nil, false
		}
	}
	for ; i < len(in); i++ {
		if in[i] != 1 {
			return nil, false
		}
	}
	return keep, true
}

// regionOf builds a Region from start and shape slices (copied).
func regionOf(start, shape []int) chunk.Region {
	return chunk.Region{Start: append([]int{}, start...), Shape: append([]int{}, shape...)}
}

// inputRegions returns, for a region r of e, the region of each input it
// reads (ok false for inputs it does not read). For slices and general
// reshapes these are bounding boxes.
func (e *exprNode) inputRegions(r chunk.Region) (regs []chunk.Region, ok []bool) {
	regs = make([]chunk.Region, len(e.inputs))
	ok = make([]bool, len(e.inputs))
	if r.Size() == 0 {
		return regs, ok
	}
	switch e.kind {
	case exUnary, exBinary, exWhere, exCast, exPass:
		for i := range e.inputs {
			regs[i], ok[i] = r.Clone(), true
		}
	case exBroadcast:
		regs[0], ok[0] = broadcastInput(e.inputs[0].shape, e.shape, r), true
	case exTranspose:
		perm := e.n.Op().(*ndarray.OpTranspose).Perm
		in := chunk.Region{Start: make([]int, len(perm)), Shape: make([]int, len(perm))}
		for i, p := range perm {
			in.Start[p], in.Shape[p] = r.Start[i], r.Shape[i]
		}
		regs[0], ok[0] = in, true
	case exSlice:
		regs[0], ok[0] = sliceBounds(e.n.Op().(*ndarray.OpSlice), r), true
	case exSqueeze:
		regs[0], ok[0] = squeezeInput(e.keep, e.inputs[0].shape, r), true
	case exReshape:
		regs[0], ok[0] = flatBounds(e.inputs[0].shape, e.shape, r), true
	case exConcat:
		for i := range e.inputs {
			lo, hi := e.offsets[i], e.offsets[i+1]
			s, t := max(lo, r.Start[e.axis]), min(hi, r.Stop(e.axis))
			if t <= s {
				continue
			}
			in := r.Clone()
			in.Start[e.axis], in.Shape[e.axis] = s-lo, t-s
			regs[i], ok[i] = in, true
		}
	}
	return regs, ok
}

// broadcastInput maps region r of the broadcast result to the input region:
// new leading axes dropped, stretched axes collapsed to index 0.
func broadcastInput(in, out []int, r chunk.Region) chunk.Region {
	off := len(out) - len(in)
	reg := chunk.Region{Start: make([]int, len(in)), Shape: make([]int, len(in))}
	for i := range in {
		if in[i] == out[i+off] {
			reg.Start[i], reg.Shape[i] = r.Start[i+off], r.Shape[i+off]
		} else {
			reg.Start[i], reg.Shape[i] = 0, 1
		}
	}
	return reg
}

// sliceBounds returns the bounding input region of output region r.
func sliceBounds(op *ndarray.OpSlice, r chunk.Region) chunk.Region {
	n := len(op.Start)
	reg := chunk.Region{Start: make([]int, n), Shape: make([]int, n)}
	j := 0
	for a := 0; a < n; a++ {
		if op.Drop[a] {
			reg.Start[a], reg.Shape[a] = op.Start[a], 1
			continue
		}
		first := op.Start[a] + op.Step[a]*r.Start[j]
		last := op.Start[a] + op.Step[a]*(r.Start[j]+r.Shape[j]-1)
		if r.Shape[j] == 0 {
			reg.Start[a], reg.Shape[a] = 0, 0
		} else {
			reg.Start[a], reg.Shape[a] = min(first, last), max(first, last)-min(first, last)+1
		}
		j++
	}
	return reg
}

// squeezeInput maps a region through a reshape that only adds or removes
// length-1 axes.
func squeezeInput(keep []int, in []int, r chunk.Region) chunk.Region {
	reg := chunk.Region{Start: make([]int, len(in)), Shape: make([]int, len(in))}
	for i := range in {
		reg.Shape[i] = 1
	}
	for o, i := range keep {
		if i >= 0 {
			reg.Start[i], reg.Shape[i] = r.Start[o], r.Shape[o]
		}
	}
	return reg
}

// flatBounds returns the bounding box, in an array of shape in, of the
// elements whose row-major flat indices fall in region r of an array of
// shape out with the same size.
func flatBounds(in, out []int, r chunk.Region) chunk.Region {
	ost := chunk.Strides(out)
	first, last := 0, 0
	for i := range out {
		first += r.Start[i] * ost[i]
		last += (r.Start[i] + r.Shape[i] - 1) * ost[i]
	}
	a, b := unravel(first, in), unravel(last, in)
	reg := chunk.Region{Start: make([]int, len(in)), Shape: make([]int, len(in))}
	diff := false
	for i := range in {
		switch {
		case diff:
			reg.Start[i], reg.Shape[i] = 0, in[i]
		case a[i] == b[i]:
			reg.Start[i], reg.Shape[i] = a[i], 1
		default:
			reg.Start[i], reg.Shape[i] = a[i], b[i]-a[i]+1
			diff = true
		}
	}
	return reg
}

func unravel(f int, shape []int) []int {
	idx := make([]int, len(shape))
	for i := len(shape) - 1; i >= 0; i-- {
		if shape[i] > 0 {
			idx[i] = f % shape[i]
			f /= shape[i]
		}
	}
	return idx
}

// union returns the bounding box of two regions of the same rank.
func union(a, b chunk.Region) chunk.Region {
	out := chunk.Region{Start: make([]int, len(a.Start)), Shape: make([]int, len(a.Start))}
	for i := range a.Start {
		lo := min(a.Start[i], b.Start[i])
		hi := max(a.Stop(i), b.Stop(i))
		out.Start[i], out.Shape[i] = lo, hi-lo
	}
	return out
}

// refBlock is one block of a materialised array a task reads.
type refBlock struct {
	dep    int          // index into the task's Deps
	region chunk.Region // the block's region in the array
}

// binding is a program bound to one task: the region it evaluates and,
// per leaf, the regions read and the blocks holding them (a materialised
// array's blocks, or the blocks read tasks fetched from a source).
type binding struct {
	prog   *program
	region chunk.Region
	bounds [][]chunk.Region // per leaf: the regions read (a few, or their union)
	refs   [][]refBlock     // per leaf: the input blocks it reads
}

// maxRegionsPerNode bounds how many separate regions bind tracks for a node
// before it keeps only their bounding box.
const maxRegionsPerNode = 8

// addRegion adds r to a list of regions, skipping regions already covered
// and collapsing the list to its bounding box when it grows too long.
func addRegion(list []chunk.Region, r chunk.Region) []chunk.Region {
	for _, x := range list {
		if x.Contains(r) {
			return list
		}
	}
	list = append(list, r)
	if len(list) > maxRegionsPerNode {
		u := list[0]
		for _, x := range list[1:] {
			u = union(u, x)
		}
		list = []chunk.Region{u}
	}
	return list
}

// bind computes a program's leaf regions for region r and appends to deps
// the producer tasks of the materialised blocks it reads and the read
// tasks of the source regions it needs. Regions are tracked per use, not
// merged into one box, so x + x.T reads two blocks of x, not the square
// spanning them.
func (bl *builder) bind(p *program, r chunk.Region, deps *depSet) *binding {
	b := &binding{prog: p, region: r, bounds: make([][]chunk.Region, len(p.leaves)), refs: make([][]refBlock, len(p.leaves))}
	if len(p.leaves) == 0 {
		// Generated and in-memory leaves need no regions or dependencies.
		return b
	}
	regs := make([][]chunk.Region, len(p.nodes))
	if r.Size() > 0 {
		regs[p.root.idx] = []chunk.Region{r}
	}
	for k := len(p.nodes) - 1; k >= 0; k-- {
		e := p.nodes[k]
		for _, reg := range regs[e.idx] {
			in, ok := e.inputRegions(reg)
			for i, ie := range e.inputs {
				if ok[i] && in[i].Size() > 0 {
					regs[ie.idx] = addRegion(regs[ie.idx], in[i])
				}
			}
		}
	}
	for _, l := range p.leaves {
		b.bounds[l.leaf] = regs[l.idx]
		if l.kind == exSource {
			if l.tileRead {
				continue
			}
			for _, reg := range regs[l.idx] {
				b.refs[l.leaf] = append(b.refs[l.leaf], refBlock{dep: deps.add(bl.readTask(l.n, reg)), region: reg})
			}
			continue
		}
		g := l.ref.n.Grid()
		seen := map[int]bool{}
		for _, reg := range regs[l.idx] {
			lo, hi := g.Overlapping(reg)
			forEachIndex(lo, hi, func(idx []int) {
				f := g.FlatIndex(idx)
				if seen[f] {
					return
				}
				seen[f] = true
				t := l.ref.blockTasks[f]
				b.refs[l.leaf] = append(b.refs[l.leaf], refBlock{dep: deps.add(t), region: g.BlockRegion(idx)})
			})
		}
	}
	return b
}

// depSet collects a task's dependencies without duplicates.
type depSet struct {
	tasks []*Task
	index map[*Task]int
}

func (d *depSet) add(t *Task) int {
	if i, ok := d.index[t]; ok {
		return i
	}
	if d.index == nil {
		d.index = map[*Task]int{}
	}
	d.index[t] = len(d.tasks)
	d.tasks = append(d.tasks, t)
	return len(d.tasks) - 1
}

// forEachIndex calls fn for every index in the box [lo, hi), row-major. fn
// must not keep idx.
func forEachIndex(lo, hi []int, fn func(idx []int)) {
	for i := range lo {
		if hi[i] <= lo[i] {
			return
		}
	}
	idx := append([]int{}, lo...)
	for {
		fn(idx)
		k := len(idx) - 1
		for ; k >= 0; k-- {
			idx[k]++
			if idx[k] < hi[k] {
				break
			}
			idx[k] = lo[k]
		}
		if k < 0 {
			return
		}
	}
}

// describe renders a program compactly for plans.
func (p *program) describe(limit int) string {
	return ndarray.Describe(p.root.n, limit)
}
