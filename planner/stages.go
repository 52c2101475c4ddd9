package planner

import (
	"context"
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/ops"
)

// reduceInfo is what the tasks of a reduction share.
type reduceInfo struct {
	op       *ndarray.OpReduce
	in       chunk.DType
	inShape  []int
	outDType chunk.DType
	final    map[*Task][]int // finalising tasks -> output block shape
	partial  map[*Task][]int // task -> partial shape
	// red is built once when the stage is planned and shared by its
	// tasks (a Reducer is safe for concurrent use, each task with its own
	// Partial): building one per task cost an allocation burst per block.
	red *ops.Reducer
}

func (ri *reduceInfo) reducer() (*ops.Reducer, error) {
	if ri.red != nil {
		return ri.red, nil
	}
	return ops.NewReducer(ri.op.Fn, ri.in, ri.op.Axes, ri.inShape, ri.op.Ddof)
}

// reduceStages plans a reduction: a partial task per input block (fusing
// the input expression), then a combination tree of fan-in SplitEvery per
// output block, in a fixed order so results do not depend on scheduling.
func (b *builder) reduceStages(n *ndarray.Node) (*matNode, error) {
	op := n.Op().(*ndarray.OpReduce)
	in := b.inputs(n)[0]
	p, err := b.compile(in, nil)
	if err != nil {
		return nil, err
	}
	ri := &reduceInfo{op: op, in: in.DType(), inShape: in.Shape(), outDType: n.DType(), final: map[*Task][]int{}, partial: map[*Task][]int{}}
	if ri.red, err = ri.reducer(); err != nil {
		return nil, fmt.Errorf("planner: %s: %w", op.Fn, err)
	}
	m := &matNode{n: n}
	b.mats[n] = m
	desc := fmt.Sprintf("%s of %s", op.Fn, p.describe(60))
	ps := b.newStage(KindReducePartial, desc+" (partial)", n, in.Grid(), n.DType(), ri.runPartial)
	ps.Notes = fusedNote(p)
	scratch := b.scratchBytes(p, in.Grid().MaxBlockSize())
	ig := in.Grid()
	og := n.Grid()
	groups := make([][]*Task, og.Len())
	for f := 0; f < ig.Len(); f++ {
		idx := ig.BlockIndex(f)
		reg := ig.BlockRegion(idx)
		pshape := append([]int{}, reg.Shape...)
		var oidx []int
		for a, red := range op.Axes {
			switch {
			case red:
				pshape[a] = 1
				if op.KeepDims {
					oidx = append(oidx, 0)
				}
			default:
				oidx = append(oidx, idx[a])
			}
		}
		deps := &depSet{}
		bd := b.bind(p, reg, deps)
		pb := ops.PartialBytes(op.Fn, in.DType(), chunk.Size(pshape))
		out := bytesOf(n.DType(), pshape)
		t := b.newTask(ps, idx, deps, []*binding{bd}, pb+out+scratch, pb)
		ri.partial[t] = pshape
		o := og.FlatIndex(oidx)
		groups[o] = append(groups[o], t)
	}
	m.stage = ps
	m.blockTasks = make([]*Task, og.Len())
	var cs *Stage
	for o, g := range groups {
		oshape := og.BlockShape(og.BlockIndex(o))
		out := bytesOf(n.DType(), oshape)
		pshape := ri.partial[g[0]]
		pb := ops.PartialBytes(op.Fn, in.DType(), chunk.Size(pshape))
		level := g
		for len(level) > 1 {
			var next []*Task
			for i := 0; i < len(level); i += op.SplitEvery {
				kids := level[i:min(i+op.SplitEvery, len(level))]
				if len(kids) == 1 {
					next = append(next, kids[0])
					continue
				}
				if cs == nil {
					cs = b.newStage(KindReduceCombine, desc+" (combine)", n, og, n.DType(), ri.runCombine)
					m.stage = cs
				}
				deps := &depSet{}
				for _, k := range kids {
					deps.add(k)
				}
				t := b.newTask(cs, og.BlockIndex(o), deps, nil, pb+out, pb)
				t.children = kids
				ri.partial[t] = pshape
				next = append(next, t)
			}
			level = next
		}
		last := level[0]
		ri.final[last] = oshape
		last.OutBytes = out
		m.blockTasks[o] = last
	}
	return m, nil
}

// runPartial folds one input block into a partial reduction.
func (ri *reduceInfo) runPartial(tc *TaskContext, t *Task) (Value, error) {
	red, err := ri.reducer()
	if err != nil {
		return Value{}, err
	}
	bd := t.exprs[0]
	ev, err := newEvaluator(tc, bd)
	if err != nil {
		return Value{}, err
	}
	defer ev.release()
	part := red.NewPartial(tc.Alloc, ri.partial[t])
	root := bd.prog.root
	offset := make([]int, len(bd.region.Start))
	te := bd.prog.tileElems(tileElems(tc))
	err = forTiles(bd.region, te, chooseTiling(bd.prog, bd.region, te), func(tile chunk.Region, _ int) error {
		if err := tc.Ctx.Err(); err != nil {
			return err
		}
		ev.nextTile()
		v, err := ev.eval(root, tile)
		if err != nil {
			return err
		}
		for i := range offset {
			offset[i] = tile.Start[i] - bd.region.Start[i]
		}
		red.Accumulate(part, ev.expand(v, tile.Size(), root.dtype), ops.Tile{Shape: tile.Shape, Offset: offset, Global: tile.Start})
		return nil
	})
	if err != nil {
		part.Release()
		return Value{}, err
	}
	return ri.finish(tc, t, red, part)
}

// runCombine merges partials in their fixed order.
func (ri *reduceInfo) runCombine(tc *TaskContext, t *Task) (Value, error) {
	red, err := ri.reducer()
	if err != nil {
		return Value{}, err
	}
	part := red.NewPartial(tc.Alloc, ri.partial[t])
	for _, in := range tc.Inputs {
		red.Merge(part, in.Partial)
	}
	return ri.finish(tc, t, red, part)
}

// finish finalises a partial into an output block when t is the last task
// of its tree.
func (ri *reduceInfo) finish(tc *TaskContext, t *Task, red *ops.Reducer, part *ops.Partial) (Value, error) {
	oshape, final := ri.final[t]
	if !final {
		return Value{Partial: part}, nil
	}
	out := tc.Alloc.Alloc(ri.outDType, oshape)
	red.Finalize(out.Bytes(), part)
	part.Release()
	return Value{Block: out}, nil
}

// scanInfo is what the tasks of a cumulative operation share.
type scanInfo struct {
	op    *ndarray.OpScan
	dtype chunk.DType
	carry map[*Task]int // scan task -> index of its carry dep, or -1
}

// scanStages plans a cumulative operation along an axis: each block's total
// (a local scan), carries chained along the axis, then each block scanned
// from its carry. The input expression is evaluated twice (recomputed, not
// stored).
func (b *builder) scanStages(n *ndarray.Node) (*matNode, error) {
	op := n.Op().(*ndarray.OpScan)
	in := b.inputs(n)[0]
	p, err := b.compile(in, nil)
	if err != nil {
		return nil, err
	}
	si := &scanInfo{op: op, dtype: n.DType(), carry: map[*Task]int{}}
	m := &matNode{n: n}
	b.mats[n] = m
	g := n.Grid()
	ax := op.Axis
	nb := len(g.AxisChunks(ax))
	desc := fmt.Sprintf("%s of %s", op.Fn, p.describe(60))
	scratch := b.scratchBytes(p, g.MaxBlockSize())
	totals := map[int]*Task{}
	carries := map[int]*Task{}
	if nb > 1 {
		ts := b.newStage(KindScanTotal, desc+" (block totals)", n, g, n.DType(), si.runTotal)
		ts.Notes = append(fusedNote(p), "input recomputed by the scan stage rather than stored")
		cs := b.newStage(KindScanCarry, desc+" (carries)", n, g, n.DType(), si.runCarry)
		for f := 0; f < g.Len(); f++ {
			idx := g.BlockIndex(f)
			if idx[ax] == nb-1 {
				continue
			}
			reg := g.BlockRegion(idx)
			deps := &depSet{}
			bd := b.bind(p, reg, deps)
			tshape := append([]int{}, reg.Shape...)
			tshape[ax] = 1
			tb := bytesOf(n.DType(), tshape)
			totals[f] = b.newTask(ts, idx, deps, []*binding{bd}, bytesOf(n.DType(), reg.Shape)+tb+scratch, tb)
		}
		// Carries in order along the axis: carry(k) = carry(k-1) (op) total(k-1).
		for f := 0; f < g.Len(); f++ {
			idx := g.BlockIndex(f)
			if idx[ax] == 0 {
				continue
			}
			prev := append([]int{}, idx...)
			prev[ax]--
			pf := g.FlatIndex(prev)
			deps := &depSet{}
			deps.add(totals[pf])
			if c, ok := carries[pf]; ok {
				deps.add(c)
			}
			tshape := g.BlockShape(idx)
			tshape[ax] = 1
			tb := bytesOf(n.DType(), tshape)
			carries[f] = b.newTask(cs, idx, deps, nil, tb, tb)
		}
	}
	ss := b.newStage(KindScan, desc, n, g, n.DType(), si.runScan)
	if nb <= 1 {
		ss.Notes = fusedNote(p)
	}
	m.stage = ss
	m.blockTasks = make([]*Task, g.Len())
	for f := 0; f < g.Len(); f++ {
		idx := g.BlockIndex(f)
		reg := g.BlockRegion(idx)
		deps := &depSet{}
		bd := b.bind(p, reg, deps)
		ci := -1
		if c, ok := carries[f]; ok {
			ci = deps.add(c)
		}
		out := bytesOf(n.DType(), reg.Shape)
		t := b.newTask(ss, idx, deps, []*binding{bd}, out+scratch, out)
		si.carry[t] = ci
		m.blockTasks[f] = t
	}
	return m, nil
}

// runTotal scans a block locally and keeps its last slice along the axis.
func (si *scanInfo) runTotal(tc *TaskContext, t *Task) (Value, error) {
	bd := t.exprs[0]
	shape := bd.region.Shape
	buf := tc.Alloc.Alloc(si.dtype, shape)
	defer buf.Release()
	if err := fillBinding(tc, bd, buf.Bytes()); err != nil {
		return Value{}, err
	}
	ops.Scan(si.op.Fn, si.dtype, buf.Bytes(), buf.Bytes(), shape, si.op.Axis, nil)
	tshape := append([]int{}, shape...)
	tshape[si.op.Axis] = 1
	out := tc.Alloc.Alloc(si.dtype, tshape)
	start := make([]int, len(shape))
	start[si.op.Axis] = shape[si.op.Axis] - 1
	ops.CopyRegion(out.Bytes(), tshape, make([]int, len(shape)), buf.Bytes(), shape, start, tshape, si.dtype.Size())
	return Value{Block: out}, nil
}

// runCarry combines the previous carry with the previous block's total.
func (si *scanInfo) runCarry(tc *TaskContext, t *Task) (Value, error) {
	total := tc.Inputs[0].Block
	out := tc.Alloc.Alloc(si.dtype, total.Shape())
	if len(tc.Inputs) == 1 {
		copy(out.Bytes(), total.Bytes())
		return Value{Block: out}, nil
	}
	fn := ops.Add
	if si.op.Fn == ops.CumProd {
		fn = ops.Mul
	}
	ops.Binary(fn, si.dtype)(out.Bytes(), tc.Inputs[1].Block.Bytes(), total.Bytes())
	return Value{Block: out}, nil
}

// runScan computes one block of the scan from its carry.
func (si *scanInfo) runScan(tc *TaskContext, t *Task) (Value, error) {
	bd := t.exprs[0]
	out := tc.Alloc.Alloc(si.dtype, bd.region.Shape)
	if err := fillBinding(tc, bd, out.Bytes()); err != nil {
		out.Release()
		return Value{}, err
	}
	var carry []byte
	if ci := si.carry[t]; ci >= 0 {
		carry = tc.Inputs[ci].Block.Bytes()
	}
	ops.Scan(si.op.Fn, si.dtype, out.Bytes(), out.Bytes(), bd.region.Shape, si.op.Axis, carry)
	return Value{Block: out}, nil
}

// contractInfo is what the tasks of a contraction share.
type contractInfo struct {
	op     *ndarray.OpContract
	dtype  chunk.DType
	permA  []int // A's axes in (batch, free, contracted) order
	permB  []int // B's axes in (batch, contracted, free) order
	final  map[*Task]bool
	nBatch int
}

// contractStages plans a tensor contraction: a task per output block and
// block of the contracted axes multiplies the two input blocks (fused
// expressions, evaluated into block buffers) with BLAS; the partial
// products along the contracted axes are summed in a fixed tree.
func (b *builder) contractStages(n *ndarray.Node) (*matNode, error) {
	op := n.Op().(*ndarray.OpContract)
	ins := b.inputs(n)
	pa, err := b.compile(ins[0], nil)
	if err != nil {
		return nil, err
	}
	pb, err := b.compile(ins[1], nil)
	if err != nil {
		return nil, err
	}
	ci := &contractInfo{op: op, dtype: n.DType(), final: map[*Task]bool{}, nBatch: len(op.ABatch)}
	ci.permA = append(append(append([]int{}, op.ABatch...), op.AFree...), op.AContract...)
	ci.permB = append(append(append([]int{}, op.BBatch...), op.BContract...), op.BFree...)
	m := &matNode{n: n}
	b.mats[n] = m
	// The grid of the contracted axes: common refinement of both inputs.
	kshape := make([]int, len(op.AContract))
	kchunks := make([][]int, len(op.AContract))
	for i := range op.AContract {
		kshape[i] = ins[0].Shape()[op.AContract[i]]
		kchunks[i] = chunk.UnifyChunks(ins[0].Grid().AxisChunks(op.AContract[i]), ins[1].Grid().AxisChunks(op.BContract[i]))
	}
	kg, err := chunk.NewGrid(kshape, kchunks)
	if err != nil {
		return nil, fmt.Errorf("planner: %s: %w", op.Name(), err)
	}
	og := n.Grid()
	desc := fmt.Sprintf("%s(%s, %s)", op.Name(), pa.describe(30), pb.describe(30))
	ps := b.newStage(KindContract, desc+" (block products)", n, og, n.DType(), ci.runProduct)
	ps.Notes = append(fusedNote(pa), fusedNote(pb)...)
	if kg.Len() > 1 {
		ps.Notes = append(ps.Notes, "each input block is recomputed for every output block that needs it")
	}
	scratch := b.scratchBytes(pa, ins[0].Grid().MaxBlockSize()) + b.scratchBytes(pb, ins[1].Grid().MaxBlockSize())
	m.stage = ps
	m.blockTasks = make([]*Task, og.Len())
	var cs *Stage
	nFreeA := len(op.AFree)
	for o := 0; o < og.Len(); o++ {
		oidx := og.BlockIndex(o)
		oreg := og.BlockRegion(oidx)
		out := bytesOf(n.DType(), oreg.Shape)
		var level []*Task
		for k := 0; k < kg.Len(); k++ {
			kreg := kg.BlockRegion(kg.BlockIndex(k))
			ra := chunk.Region{Start: make([]int, len(ins[0].Shape())), Shape: make([]int, len(ins[0].Shape()))}
			rb := chunk.Region{Start: make([]int, len(ins[1].Shape())), Shape: make([]int, len(ins[1].Shape()))}
			for i, ax := range op.ABatch {
				ra.Start[ax], ra.Shape[ax] = oreg.Start[i], oreg.Shape[i]
				rb.Start[op.BBatch[i]], rb.Shape[op.BBatch[i]] = oreg.Start[i], oreg.Shape[i]
			}
			for j, ax := range op.AFree {
				o := ci.nBatch + j
				ra.Start[ax], ra.Shape[ax] = oreg.Start[o], oreg.Shape[o]
			}
			for j, ax := range op.BFree {
				o := ci.nBatch + nFreeA + j
				rb.Start[ax], rb.Shape[ax] = oreg.Start[o], oreg.Shape[o]
			}
			for i := range op.AContract {
				ra.Start[op.AContract[i]], ra.Shape[op.AContract[i]] = kreg.Start[i], kreg.Shape[i]
				rb.Start[op.BContract[i]], rb.Shape[op.BContract[i]] = kreg.Start[i], kreg.Shape[i]
			}
			deps := &depSet{}
			ba := b.bind(pa, ra, deps)
			bb := b.bind(pb, rb, deps)
			work := 2*(bytesOf(n.DType(), ra.Shape)+bytesOf(n.DType(), rb.Shape)) + out + scratch
			t := b.newTask(ps, oidx, deps, []*binding{ba, bb}, work, out)
			t.aux = k
			level = append(level, t)
		}
		for len(level) > 1 {
			var next []*Task
			for i := 0; i < len(level); i += op.SplitEvery {
				kids := level[i:min(i+op.SplitEvery, len(level))]
				if len(kids) == 1 {
					next = append(next, kids[0])
					continue
				}
				if cs == nil {
					cs = b.newStage(KindContractCombine, desc+" (sum of products)", n, og, n.DType(), ci.runCombine)
					m.stage = cs
				}
				deps := &depSet{}
				for _, kd := range kids {
					deps.add(kd)
				}
				t := b.newTask(cs, oidx, deps, nil, out, out)
				t.children = kids
				next = append(next, t)
			}
			level = next
		}
		m.blockTasks[o] = level[0]
	}
	return m, nil
}

// runProduct multiplies one pair of blocks.
func (ci *contractInfo) runProduct(tc *TaskContext, t *Task) (Value, error) {
	dt := ci.dtype
	sz := dt.Size()
	load := func(bd *binding, perm []int) (*chunk.Block, []int, error) {
		blk := tc.Alloc.Alloc(dt, bd.region.Shape)
		if err := fillBinding(tc, bd, blk.Bytes()); err != nil {
			blk.Release()
			return nil, nil, err
		}
		pshape := make([]int, len(perm))
		identity := true
		for i, p := range perm {
			pshape[i] = bd.region.Shape[p]
			identity = identity && p == i
		}
		if identity {
			return blk, pshape, nil
		}
		tr := tc.Alloc.Alloc(dt, pshape)
		ops.Transpose(tr.Bytes(), blk.Bytes(), bd.region.Shape, perm, sz)
		blk.Release()
		return tr, pshape, nil
	}
	a, ashape, err := load(t.exprs[0], ci.permA)
	if err != nil {
		return Value{}, err
	}
	defer a.Release()
	b, bshape, err := load(t.exprs[1], ci.permB)
	if err != nil {
		return Value{}, err
	}
	defer b.Release()
	nb := ci.nBatch
	batch := chunk.Size(ashape[:nb])
	mm := chunk.Size(ashape[nb : nb+len(ci.op.AFree)])
	kk := chunk.Size(ashape[nb+len(ci.op.AFree):])
	nn := chunk.Size(bshape[nb+len(ci.op.BContract):])
	oshape := append(append(append([]int{}, ashape[:nb]...), ashape[nb:nb+len(ci.op.AFree)]...), bshape[nb+len(ci.op.BContract):]...)
	out := tc.Alloc.Alloc(dt, oshape)
	ab, bb, ob := a.Bytes(), b.Bytes(), out.Bytes()
	for i := 0; i < batch; i++ {
		ops.Gemm(dt, mm, nn, kk, ab[i*mm*kk*sz:(i+1)*mm*kk*sz], bb[i*kk*nn*sz:(i+1)*kk*nn*sz], ob[i*mm*nn*sz:(i+1)*mm*nn*sz], false)
	}
	return Value{Block: out}, nil
}

// runCombine sums partial products in order.
func (ci *contractInfo) runCombine(tc *TaskContext, t *Task) (Value, error) {
	first := tc.Inputs[0].Block
	out := tc.Alloc.Alloc(ci.dtype, first.Shape())
	copy(out.Bytes(), first.Bytes())
	add := ops.Binary(ops.Add, ci.dtype)
	for _, in := range tc.Inputs[1:] {
		add(out.Bytes(), out.Bytes(), in.Block.Bytes())
	}
	return Value{Block: out}, nil
}

// mapInfo is what the tasks of a map_blocks share.
type mapInfo struct {
	op    *ndarray.OpMapBlocks
	dtype chunk.DType
	grid  chunk.Grid
}

// mapBlocksStage plans a user function per block.
func (b *builder) mapBlocksStage(n *ndarray.Node) (*matNode, error) {
	op := n.Op().(*ndarray.OpMapBlocks)
	ins := b.inputs(n)
	progs := make([]*program, len(ins))
	var scratch int64
	for i, in := range ins {
		p, err := b.compile(in, nil)
		if err != nil {
			return nil, err
		}
		progs[i] = p
		scratch = max(scratch, b.scratchBytes(p, op.InGrid.MaxBlockSize()))
	}
	mi := &mapInfo{op: op, dtype: n.DType(), grid: n.Grid()}
	m := &matNode{n: n}
	b.mats[n] = m
	s := b.newStage(KindMapBlocks, op.Name(), n, n.Grid(), n.DType(), mi.run)
	for _, p := range progs {
		s.Notes = append(s.Notes, fusedNote(p)...)
	}
	m.stage = s
	g := n.Grid()
	m.blockTasks = make([]*Task, g.Len())
	for f := 0; f < g.Len(); f++ {
		idx := g.BlockIndex(f)
		ireg := op.InGrid.BlockRegion(idx)
		deps := &depSet{}
		var bds []*binding
		work := scratch
		for i, p := range progs {
			bd := b.bind(p, ireg, deps)
			bds = append(bds, bd)
			work += bytesOf(ins[i].DType(), ireg.Shape)
		}
		out := bytesOf(n.DType(), g.BlockShape(idx))
		m.blockTasks[f] = b.newTask(s, idx, deps, bds, work+out, out)
	}
	return m, nil
}

// run evaluates the inputs of one block and calls the user function.
func (mi *mapInfo) run(tc *TaskContext, t *Task) (Value, error) {
	ins := make([]*chunk.Dense, len(t.exprs))
	var blocks []*chunk.Block
	defer func() {
		for _, b := range blocks {
			b.Release()
		}
	}()
	for i, bd := range t.exprs {
		blk := tc.Alloc.Alloc(bd.prog.root.dtype, bd.region.Shape)
		blocks = append(blocks, blk)
		if err := fillBinding(tc, bd, blk.Bytes()); err != nil {
			return Value{}, err
		}
		ins[i] = &blk.Dense
	}
	out := tc.Alloc.Alloc(mi.dtype, mi.grid.BlockShape(t.Block))
	info := ndarray.BlockInfo{Index: append([]int{}, t.Block...), Region: mi.grid.BlockRegion(t.Block)}
	if err := callBlockFunc(tc.Ctx, mi.op, &out.Dense, ins, info); err != nil {
		out.Release()
		return Value{}, err
	}
	return Value{Block: out}, nil
}

// callBlockFunc runs a user function, turning a panic into an error that
// names the function and the block.
func callBlockFunc(ctx context.Context, op *ndarray.OpMapBlocks, out *chunk.Dense, in []*chunk.Dense, info ndarray.BlockInfo) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("planner: map_blocks(%s) block %v: panic: %v (at %s): %w", op.Label, info.Index, r, panicSite(), ErrPanic)
		}
	}()
	if err := op.Fn(ctx, out, in, info); err != nil {
		return fmt.Errorf("planner: map_blocks(%s) block %v: %w", op.Label, info.Index, err)
	}
	return nil
}
