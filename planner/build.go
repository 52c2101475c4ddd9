package planner

import (
	"fmt"
	"strings"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
)

// builder turns an expression graph into stages and tasks.
type builder struct {
	opts       Options
	canonOf    map[*ndarray.Node]*ndarray.Node
	byKey      map[string]*ndarray.Node
	mats       map[*ndarray.Node]*matNode
	stages     []*Stage
	tasks      []*Task
	reads      map[string]*Task
	readStages map[*ndarray.Node]*Stage
	// maxBlock tracks the largest block of any array in the plan.
	maxBlock     int64
	maxBlockNode *ndarray.Node
}

// Build plans the computation of arrays: common subexpressions are merged,
// elementwise and shape operations fused into the tasks that consume them,
// every task's memory projected, and the tasks ordered depth-first. A plan
// that cannot fit opts.Budget is refused with an error wrapping
// chunk.ErrOverBudget that names the operation and suggests chunks.
func Build(arrays []ndarray.Array, opts Options) (*Plan, error) {
	if len(arrays) == 0 {
		return nil, fmt.Errorf("planner: nothing to compute: %w", chunk.ErrShape)
	}
	for _, a := range arrays {
		if err := a.Err(); err != nil {
			return nil, err
		}
	}
	if opts.Workers < 1 {
		opts.Workers = 1
	}
	if opts.TileElems <= 0 {
		opts.TileElems = DefaultTileElems
	}
	b := &builder{opts: opts, canonOf: map[*ndarray.Node]*ndarray.Node{}, byKey: map[string]*ndarray.Node{}, mats: map[*ndarray.Node]*matNode{},
		reads: map[string]*Task{}, readStages: map[*ndarray.Node]*Stage{}}
	plan := &Plan{Options: opts}
	for i, a := range arrays {
		out, err := b.output(a.Node())
		if err != nil {
			return nil, err
		}
		for _, t := range out.Tasks {
			if t.Output < 0 {
				t.Output = i
			}
		}
		plan.Outputs = append(plan.Outputs, out)
	}
	plan.Stages = b.stages
	for _, t := range b.tasks {
		for _, d := range t.Deps {
			d.Consumers++
		}
	}
	plan.Tasks = orderTasks(plan.Outputs, len(b.tasks))
	plan.MaxBlockBytes = b.maxBlock
	if err := b.fit(plan); err != nil {
		return nil, err
	}
	return plan, nil
}

// canon returns the representative of n's equivalence class: nodes with the
// same operation, parameters, dtype, grid and (canonical) inputs compute
// the same values and are planned once.
func (b *builder) canon(n *ndarray.Node) *ndarray.Node {
	if c, ok := b.canonOf[n]; ok {
		return c
	}
	var key strings.Builder
	fmt.Fprintf(&key, "%s|%s|%s|", n.Op().Key(), n.DType(), n.Grid())
	for _, in := range n.Inputs() {
		fmt.Fprintf(&key, "%d,", b.canon(in).ID())
	}
	k := key.String()
	c, ok := b.byKey[k]
	if !ok {
		c = n
		b.byKey[k] = n
	}
	b.canonOf[n] = c
	return c
}

// inputs returns the canonical inputs of n.
func (b *builder) inputs(n *ndarray.Node) []*ndarray.Node {
	ins := make([]*ndarray.Node, len(n.Inputs()))
	for i, in := range n.Inputs() {
		ins[i] = b.canon(in)
	}
	return ins
}

// compile builds the fused program computing root, treating materialised
// nodes other than self as leaves read from their blocks.
func (b *builder) compile(root, self *ndarray.Node) (*program, error) {
	var err error
	p, cerr := compile(b.canon(root), func(n *ndarray.Node) *matNode {
		if n == self || !isMaterialised(n) || err != nil {
			return nil
		}
		m, e := b.materialise(n)
		if e != nil {
			err = e
		}
		return m
	}, b.inputs)
	if err != nil {
		return nil, err
	}
	if cerr != nil {
		return nil, cerr
	}
	for _, e := range p.nodes {
		b.noteBlock(e.n)
	}
	return p, nil
}

// noteBlock records the block size of n for the largest-block check.
func (b *builder) noteBlock(n *ndarray.Node) {
	sz := bytesOf(n.DType(), n.Grid().MaxBlockShape())
	if sz > b.maxBlock {
		b.maxBlock, b.maxBlockNode = sz, n
	}
}

// output plans one requested array.
func (b *builder) output(n *ndarray.Node) (Output, error) {
	n = b.canon(n)
	var m *matNode
	var err error
	if isMaterialised(n) {
		m, err = b.materialise(n)
	} else {
		if m = b.mats[n]; m == nil {
			m, err = b.blocksStage(n)
		}
	}
	if err != nil {
		return Output{}, err
	}
	b.noteBlock(n)
	return Output{Node: n, Grid: n.Grid(), DType: n.DType(), Tasks: m.blockTasks}, nil
}

// materialise plans the stages producing a materialised node's blocks
// (once per node).
func (b *builder) materialise(n *ndarray.Node) (*matNode, error) {
	if m, ok := b.mats[n]; ok {
		return m, nil
	}
	var m *matNode
	var err error
	switch n.Op().(type) {
	case *ndarray.OpReduce:
		m, err = b.reduceStages(n)
	case *ndarray.OpScan:
		m, err = b.scanStages(n)
	case *ndarray.OpContract:
		m, err = b.contractStages(n)
	case *ndarray.OpMapBlocks:
		m, err = b.mapBlocksStage(n)
	case *ndarray.OpPersist:
		m, err = b.blocksOf(n, b.inputs(n)[0])
	default:
		m, err = b.blocksStage(n)
	}
	if err != nil {
		return nil, err
	}
	b.noteBlock(n)
	return m, nil
}

// newStage registers a stage.
func (b *builder) newStage(kind StageKind, name string, n *ndarray.Node, g chunk.Grid, dt chunk.DType, run func(*TaskContext, *Task) (Value, error)) *Stage {
	s := &Stage{ID: len(b.stages) + 1, Kind: kind, Name: name, Node: n, Grid: g, DType: dt, run: run}
	b.stages = append(b.stages, s)
	return s
}

// newTask registers a task of stage s.
func (b *builder) newTask(s *Stage, block []int, deps *depSet, exprs []*binding, bytes, out int64) *Task {
	t := &Task{ID: len(b.tasks), Stage: s, Block: append([]int{}, block...), Bytes: bytes, OutBytes: out, Output: -1, exprs: exprs}
	if deps != nil {
		t.Deps = deps.tasks
	}
	s.Tasks = append(s.Tasks, t)
	s.MaxTaskBytes = max(s.MaxTaskBytes, bytes)
	s.MaxOutBytes = max(s.MaxOutBytes, out)
	b.tasks = append(b.tasks, t)
	for _, d := range t.Deps {
		addInput(s, d.Stage)
	}
	return t
}

func addInput(s, in *Stage) {
	for _, x := range s.Inputs {
		if x == in {
			return
		}
	}
	s.Inputs = append(s.Inputs, in)
}

// bytesOf is the allocator's size for a block of dtype dt and shape.
func bytesOf(dt chunk.DType, shape []int) int64 {
	return (int64(chunk.Size(shape))*int64(dt.Size()) + 7) &^ 7
}

// scratchBytes projects the buffers an evaluator of p allocates: for each
// node, one slot per distinct region it can be asked for within a tile (the
// number of paths from the root to it), each as large as the largest region
// it can be asked for (a tile, or a strided slice's bounding box), plus the
// gather pieces and the scratch for expanding scalars.
func (b *builder) scratchBytes(p *program, regionElems int) int64 {
	tile := min(int64(p.tileElems(b.opts.TileElems)), int64(max(regionElems, 1)))
	paths := make([]int64, len(p.nodes))
	elems := make([]int64, len(p.nodes))
	paths[p.root.idx], elems[p.root.idx] = 1, tile
	for k := len(p.nodes) - 1; k >= 0; k-- {
		e := p.nodes[k]
		in := elems[e.idx]
		if e.kind == exSlice {
			in = maxGatherFactor*elems[e.idx] + tile
		}
		for _, ie := range e.inputs {
			paths[ie.idx] += paths[e.idx]
			elems[ie.idx] = max(elems[ie.idx], in)
		}
	}
	total := tile * 8 // expand scratch
	tile = int64(p.tileElems(b.opts.TileElems))
	for _, e := range p.nodes {
		n := paths[e.idx] * elems[e.idx] * int64(e.size)
		if e.kind == exSlice {
			n *= 2 // the gather's piece buffer
		}
		total += n
	}
	return total
}

// readTask returns the task reading region reg of source node n, one per
// distinct region: consumers of the same region share it. Reads are tasks
// of their own so the engine runs the next read (serialised inside the C
// library) while other workers compute on blocks already read.
func (b *builder) readTask(n *ndarray.Node, reg chunk.Region) *Task {
	key := fmt.Sprintf("%d|%v|%v", n.ID(), reg.Start, reg.Shape)
	if t, ok := b.reads[key]; ok {
		return t
	}
	s := b.readStages[n]
	if s == nil {
		src := n.Op().(*ndarray.OpSource).Src
		s = b.newStage(KindRead, "read "+n.Op().Name(), n, n.Grid(), n.DType(), func(tc *TaskContext, t *Task) (Value, error) {
			reg := t.exprs[0].region
			blk := tc.Alloc.Alloc(t.Stage.DType, reg.Shape)
			if err := src.ReadRegion(tc.Ctx, reg, blk.Bytes()); err != nil {
				blk.Release()
				return Value{}, fmt.Errorf("planner: read %s region %v: %w", n.Op().Name(), reg, err)
			}
			return Value{Block: blk}, nil
		})
		s.Notes = []string{"reads run as their own tasks, ahead of the tasks that use them, so I/O overlaps compute"}
		b.readStages[n] = s
	}
	out := bytesOf(n.DType(), reg.Shape)
	t := b.newTask(s, []int{len(s.Tasks)}, nil, []*binding{{region: reg}}, out, out)
	b.reads[key] = t
	return t
}

// fusedNote describes what a program fuses and recomputes, for Explain.
func fusedNote(p *program) []string {
	var ops, recompute []string
	for i, e := range p.nodes {
		if e.kind == exRef {
			continue
		}
		ops = append(ops, e.n.Op().Name())
		if p.uses[i] > 1 && e.kind != exConst {
			recompute = append(recompute, e.n.Op().Name())
		}
	}
	var notes []string
	if len(ops) > 1 {
		notes = append(notes, "fused, never materialised: "+strings.Join(ops, ", "))
	}
	if len(recompute) > 0 {
		notes = append(notes, "shared within a task, evaluated once per distinct region of each tile: "+strings.Join(recompute, ", "))
	}
	return notes
}

// blocksStage plans a fusable node computed into blocks of its own grid.
func (b *builder) blocksStage(n *ndarray.Node) (*matNode, error) {
	return b.blocksOf(n, n)
}

// blocksOf plans node n's blocks (in n's grid) as the evaluation of the
// expression expr: n itself for a fusable node, its input for a persist.
func (b *builder) blocksOf(n, expr *ndarray.Node) (*matNode, error) {
	p, err := b.compile(expr, n)
	if err != nil {
		return nil, err
	}
	m := &matNode{n: n}
	b.mats[n] = m
	g := n.Grid()
	s := b.newStage(KindBlocks, ndarray.Describe(n, 60), n, g, n.DType(), runBlocks)
	s.Notes = fusedNote(p)
	m.stage = s
	scratch := b.scratchBytes(p, g.MaxBlockSize())
	m.blockTasks = make([]*Task, g.Len())
	for f := 0; f < g.Len(); f++ {
		idx := g.BlockIndex(f)
		reg := g.BlockRegion(idx)
		deps := &depSet{}
		bd := b.bind(p, reg, deps)
		out := bytesOf(n.DType(), reg.Shape)
		m.blockTasks[f] = b.newTask(s, idx, deps, []*binding{bd}, out+scratch, out)
	}
	return m, nil
}

// runBlocks evaluates a task's fused expression into a new block.
func runBlocks(tc *TaskContext, t *Task) (Value, error) {
	bd := t.exprs[0]
	out := tc.Alloc.Alloc(t.Stage.DType, bd.region.Shape)
	if err := fillBinding(tc, bd, out.Bytes()); err != nil {
		out.Release()
		return Value{}, err
	}
	return Value{Block: out}, nil
}

// fillBinding evaluates a bound program over its whole region into dst.
func fillBinding(tc *TaskContext, bd *binding, dst []byte) error {
	ev, err := newEvaluator(tc, bd)
	if err != nil {
		return err
	}
	defer ev.release()
	return ev.fill(bd.region, dst, bd.prog.tileElems(tileElems(tc)))
}

// tileElems returns the tile size for a running task.
// readTileFactor enlarges the tiles of programs that read a concurrent
// source tile by tile: each read is then a few hundred kilobytes (a pread
// costs a system call; this amortises it), still small enough to stay in
// cache while the tile is computed.
const readTileFactor = 16

// tileElems returns the tile size for program p given the base size.
func (p *program) tileElems(base int) int {
	for _, l := range p.leaves {
		if l.tileRead {
			return base * readTileFactor
		}
	}
	return base
}

func tileElems(tc *TaskContext) int {
	if tc.TileElems > 0 {
		return tc.TileElems
	}
	return DefaultTileElems
}
