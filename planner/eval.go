package planner

import (
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/ops"
)

// view is an evaluated region: row-major elements, or one element standing
// for all of them when scalar. Its data may belong to the evaluator, to an
// input block or to the caller's in-memory array: it is read-only and valid
// until the end of the current tile.
type view struct {
	data   []byte
	scalar bool
}

// slot is one evaluated region of a node within a tile.
type slot struct {
	epoch int
	start []int
	shape []int
	v     view
	buf   *chunk.Block
}

// nodeState is a node's evaluation state within one task.
type nodeState struct {
	slots []slot
}

// evaluator runs one bound program for one task.
type evaluator struct {
	tc     *TaskContext
	b      *binding
	states []nodeState
	// epoch is the current evaluation scope; active lists the scopes whose
	// views are still in use (the tile's, then nested transient ones).
	epoch   int
	counter int
	active  []int
	scratch *chunk.Block
}

func newEvaluator(tc *TaskContext, b *binding) (*evaluator, error) {
	return &evaluator{tc: tc, b: b, states: make([]nodeState, len(b.prog.nodes))}, nil
}

// release returns every buffer the evaluator holds.
func (ev *evaluator) release() {
	for _, st := range ev.states {
		for _, s := range st.slots {
			if s.buf != nil {
				s.buf.Release()
			}
		}
	}
	ev.states = nil
	if ev.scratch != nil {
		ev.scratch.Release()
		ev.scratch = nil
	}
}

// nextTile starts a new tile: views of the previous tile become invalid.
func (ev *evaluator) nextTile() {
	ev.counter++
	ev.epoch = ev.counter
	ev.active = append(ev.active[:0], ev.epoch)
}

// transient runs fn in a nested scope whose views die when fn returns, so
// evaluations consumed at once (gathered pieces, reshape runs) reuse their
// buffers instead of piling up within a tile.
func (ev *evaluator) transient(fn func() error) error {
	saved := ev.epoch
	ev.counter++
	ev.epoch = ev.counter
	ev.active = append(ev.active, ev.epoch)
	err := fn()
	ev.active = ev.active[:len(ev.active)-1]
	ev.epoch = saved
	return err
}

func (ev *evaluator) live(epoch int) bool {
	for _, a := range ev.active {
		if a == epoch {
			return true
		}
	}
	return false
}

// lookup returns a cached view of e at r from this tile.
func (ev *evaluator) lookup(e *exprNode, r chunk.Region) (view, bool) {
	for i := range ev.states[e.idx].slots {
		s := &ev.states[e.idx].slots[i]
		if ev.live(s.epoch) && chunk.EqualInts(s.start, r.Start) && chunk.EqualInts(s.shape, r.Shape) {
			return s.v, true
		}
	}
	return view{}, false
}

// claim returns a slot of e not used in this tile, with a buffer of at
// least n elements of dtype dt, and records r as its region.
func (ev *evaluator) claim(e *exprNode, r chunk.Region, n int, dt chunk.DType) *slot {
	st := &ev.states[e.idx]
	var s *slot
	for i := range st.slots {
		if !ev.live(st.slots[i].epoch) {
			s = &st.slots[i]
			break
		}
	}
	if s == nil {
		st.slots = append(st.slots, slot{})
		s = &st.slots[len(st.slots)-1]
	}
	s.epoch = ev.epoch
	s.start = append(s.start[:0], r.Start...)
	s.shape = append(s.shape[:0], r.Shape...)
	need := n * dt.Size()
	if s.buf == nil || len(s.buf.Bytes()) < need || s.buf.DType() != dt {
		if s.buf != nil {
			s.buf.Release()
		}
		s.buf = ev.tc.Alloc.Alloc(dt, []int{max(n, 1)})
	}
	return s
}

// out records v as the result of slot s and returns it.
func (s *slot) out(v view) view { s.v = v; return v }

// eval computes region r of node e.
func (ev *evaluator) eval(e *exprNode, r chunk.Region) (view, error) {
	if v, ok := ev.lookup(e, r); ok {
		return v, nil
	}
	n := r.Size()
	switch e.kind {
	case exConst:
		return ev.claim(e, r, 0, e.dtype).out(view{data: e.constVal, scalar: true}), nil
	case exRandom:
		s := ev.claim(e, r, n, e.dtype)
		op := e.n.Op().(*ndarray.OpRandom)
		d := s.buf.Bytes()[:n*e.size]
		ops.FillRandom(d, e.dtype, op.Dist, op.Seed, e.shape, r)
		return s.out(view{data: d}), nil
	case exLinear:
		s := ev.claim(e, r, n, e.dtype)
		d := s.buf.Bytes()[:n*e.size]
		fillLinear(e, d, r)
		return s.out(view{data: d}), nil
	case exDense:
		data := e.n.Op().(*ndarray.OpDense).Data.Bytes()
		if off, ok := contiguousOffset(e.shape, r); ok {
			return ev.claim(e, r, 0, e.dtype).out(view{data: data[off*e.size : (off+n)*e.size]}), nil
		}
		s := ev.claim(e, r, n, e.dtype)
		d := s.buf.Bytes()[:n*e.size]
		ops.CopyRegion(d, r.Shape, make([]int, len(r.Shape)), data, e.shape, r.Start, r.Shape, e.size)
		return s.out(view{data: d}), nil
	case exSource:
		if !e.tileRead {
			return ev.evalRef(e, r)
		}
		s := ev.claim(e, r, n, e.dtype)
		d := s.buf.Bytes()[:n*e.size]
		if err := e.n.Op().(*ndarray.OpSource).Src.ReadRegion(ev.tc.Ctx, r, d); err != nil {
			return view{}, fmt.Errorf("planner: read %s region %v: %w", e.n.Op().Name(), r, err)
		}
		return s.out(view{data: d}), nil
	case exRef:
		return ev.evalRef(e, r)
	case exUnary:
		in, err := ev.eval(e.inputs[0], r)
		if err != nil {
			return view{}, err
		}
		if in.scalar {
			s := ev.claim(e, r, 1, e.dtype)
			d := s.buf.Bytes()[:e.size]
			e.unary(d, in.data)
			return s.out(view{data: d, scalar: true}), nil
		}
		s := ev.claim(e, r, n, e.dtype)
		d := s.buf.Bytes()[:n*e.size]
		e.unary(d, in.data)
		return s.out(view{data: d}), nil
	case exCast:
		in, err := ev.eval(e.inputs[0], r)
		if err != nil {
			return view{}, err
		}
		m := n
		if in.scalar {
			m = 1
		}
		s := ev.claim(e, r, m, e.dtype)
		d := s.buf.Bytes()[:m*e.size]
		e.cast(d, in.data)
		return s.out(view{data: d, scalar: in.scalar}), nil
	case exBinary:
		a, err := ev.eval(e.inputs[0], r)
		if err != nil {
			return view{}, err
		}
		b, err := ev.eval(e.inputs[1], r)
		if err != nil {
			return view{}, err
		}
		m := n
		if a.scalar && b.scalar {
			m = 1
		}
		s := ev.claim(e, r, m, e.dtype)
		d := s.buf.Bytes()[:m*e.size]
		e.binary(d, a.data, b.data)
		return s.out(view{data: d, scalar: m == 1 && a.scalar && b.scalar}), nil
	case exWhere:
		c, err := ev.eval(e.inputs[0], r)
		if err != nil {
			return view{}, err
		}
		a, err := ev.eval(e.inputs[1], r)
		if err != nil {
			return view{}, err
		}
		b, err := ev.eval(e.inputs[2], r)
		if err != nil {
			return view{}, err
		}
		sc := c.scalar && a.scalar && b.scalar
		m := n
		if sc {
			m = 1
		}
		s := ev.claim(e, r, m, e.dtype)
		d := s.buf.Bytes()[:m*e.size]
		e.where(d, c.data, a.data, b.data)
		return s.out(view{data: d, scalar: sc}), nil
	case exPass:
		v, err := ev.eval(e.inputs[0], r)
		if err != nil {
			return view{}, err
		}
		return ev.claim(e, r, 0, e.dtype).out(v), nil
	case exBroadcast:
		in := e.inputs[0]
		ir := broadcastInput(in.shape, e.shape, r)
		v, err := ev.eval(in, ir)
		if err != nil {
			return view{}, err
		}
		if v.scalar || ir.Size() == 1 {
			return ev.claim(e, r, 0, e.dtype).out(view{data: v.data[:e.size], scalar: true}), nil
		}
		s := ev.claim(e, r, n, e.dtype)
		d := s.buf.Bytes()[:n*e.size]
		src := make([]int, len(e.shape))
		off := len(e.shape) - len(in.shape)
		for i := range src {
			src[i] = 1
			if i >= off {
				src[i] = ir.Shape[i-off]
			}
		}
		ops.BroadcastTo(d, r.Shape, v.data, src, e.size)
		return s.out(view{data: d}), nil
	case exTranspose:
		perm := e.n.Op().(*ndarray.OpTranspose).Perm
		regs, _ := e.inputRegions(r)
		v, err := ev.eval(e.inputs[0], regs[0])
		if err != nil {
			return view{}, err
		}
		if v.scalar || movesOnlyUnitAxes(perm, regs[0].Shape) {
			return ev.claim(e, r, 0, e.dtype).out(v), nil
		}
		s := ev.claim(e, r, n, e.dtype)
		d := s.buf.Bytes()[:n*e.size]
		ops.Transpose(d, v.data, regs[0].Shape, perm, e.size)
		return s.out(view{data: d}), nil
	case exSqueeze:
		v, err := ev.eval(e.inputs[0], squeezeInput(e.keep, e.inputs[0].shape, r))
		if err != nil {
			return view{}, err
		}
		return ev.claim(e, r, 0, e.dtype).out(v), nil
	case exSlice:
		return ev.evalSlice(e, r)
	case exReshape:
		return ev.evalReshape(e, r)
	case exConcat:
		return ev.evalConcat(e, r)
	}
	return view{}, fmt.Errorf("planner: evaluate %s: %w", e.n.Op().Name(), chunk.ErrUnsupported)
}

// movesOnlyUnitAxes reports whether permuting axes of shape by perm keeps
// the row-major order of the elements (only length-1 axes move).
func movesOnlyUnitAxes(perm, shape []int) bool {
	last := -1
	for _, p := range perm {
		if shape[p] == 1 {
			continue
		}
		if p < last {
			return false
		}
		last = p
	}
	return true
}

// tileContiguous reports whether tile t of region r is one contiguous run
// of r's row-major layout: after the first axis where t is longer than 1,
// t covers r whole.
func tileContiguous(r, t chunk.Region) bool {
	i := 0
	for i < len(t.Shape) && t.Shape[i] == 1 {
		i++
	}
	for k := i + 1; k < len(t.Shape); k++ {
		if t.Shape[k] != r.Shape[k] {
			return false
		}
	}
	return true
}

// contiguousOffset reports whether region r of a row-major array of shape
// is one contiguous run of elements, and its element offset.
func contiguousOffset(shape []int, r chunk.Region) (int, bool) {
	st := chunk.Strides(shape)
	off := 0
	for i := range shape {
		off += r.Start[i] * st[i]
	}
	// Find the first axis (from the left) with length > 1; every later
	// axis must be whole.
	i := 0
	for i < len(shape) && r.Shape[i] == 1 {
		i++
	}
	for k := i + 1; k < len(shape); k++ {
		if r.Shape[k] != shape[k] {
			return 0, r.Size() == 0
		}
	}
	return off, true
}

// evalRef reads region r of a materialised array, or of a source, from
// the blocks its producer (or read) tasks made.
func (ev *evaluator) evalRef(e *exprNode, r chunk.Region) (view, error) {
	n := r.Size()
	refs := ev.b.refs[e.leaf]
	for _, rb := range refs {
		if rb.region.Contains(r) {
			blk := ev.tc.Inputs[rb.dep].Block
			rel := r.Relative(rb.region)
			if off, ok := contiguousOffset(rb.region.Shape, rel); ok {
				return ev.claim(e, r, 0, e.dtype).out(view{data: blk.Bytes()[off*e.size : (off+n)*e.size]}), nil
			}
			s := ev.claim(e, r, n, e.dtype)
			d := s.buf.Bytes()[:n*e.size]
			ops.CopyRegion(d, r.Shape, make([]int, len(r.Shape)), blk.Bytes(), rb.region.Shape, rel.Start, r.Shape, e.size)
			return s.out(view{data: d}), nil
		}
	}
	s := ev.claim(e, r, n, e.dtype)
	d := s.buf.Bytes()[:n*e.size]
	covered := 0
	for _, rb := range refs {
		part, ok := rb.region.Intersect(r)
		if !ok {
			continue
		}
		blk := ev.tc.Inputs[rb.dep].Block
		ops.CopyRegion(d, r.Shape, part.Relative(r).Start, blk.Bytes(), rb.region.Shape, part.Relative(rb.region).Start, part.Shape, e.size)
		covered += part.Size()
	}
	if covered != n {
		return view{}, fmt.Errorf("planner: %s: region %v covered by %d of %d elements", e.n.Op().Name(), r, covered, n)
	}
	return s.out(view{data: d}), nil
}

// evalConcat assembles region r from the inputs it spans.
func (ev *evaluator) evalConcat(e *exprNode, r chunk.Region) (view, error) {
	regs, ok := e.inputRegions(r)
	for i, in := range e.inputs {
		if ok[i] && regs[i].Shape[e.axis] == r.Shape[e.axis] {
			// One input covers the whole region.
			v, err := ev.eval(in, regs[i])
			if err != nil {
				return view{}, err
			}
			return ev.claim(e, r, 0, e.dtype).out(v), nil
		}
	}
	n := r.Size()
	s := ev.claim(e, r, n, e.dtype)
	d := s.buf.Bytes()[:n*e.size]
	for i, in := range e.inputs {
		if !ok[i] {
			continue
		}
		err := ev.transient(func() error {
			v, err := ev.eval(in, regs[i])
			if err != nil {
				return err
			}
			dst := make([]int, len(r.Shape))
			dst[e.axis] = regs[i].Start[e.axis] + e.offsets[i] - r.Start[e.axis]
			ops.CopyRegion(d, r.Shape, dst, ev.expand(v, regs[i].Size(), e.dtype), regs[i].Shape, make([]int, len(r.Shape)), regs[i].Shape, e.size)
			return nil
		})
		if err != nil {
			return view{}, err
		}
	}
	return s.out(view{data: d}), nil
}

// expand returns the n elements a view stands for: the view's own data, or
// a scalar repeated into the evaluator's scratch buffer, valid until the
// next expand.
func (ev *evaluator) expand(v view, n int, dt chunk.DType) []byte {
	if !v.scalar {
		return v.data
	}
	sz := dt.Size()
	if ev.scratch == nil || len(ev.scratch.Bytes()) < n*sz || ev.scratch.DType() != dt {
		if ev.scratch != nil {
			ev.scratch.Release()
		}
		ev.scratch = ev.tc.Alloc.Alloc(dt, []int{max(n, 1)})
	}
	d := ev.scratch.Bytes()[:n*sz]
	repeat(d, v.data[:sz])
	return d
}

// repeat fills d with copies of the element elem.
func repeat(d, elem []byte) {
	sz := len(elem)
	if len(d) == 0 {
		return
	}
	copy(d, elem)
	for filled := sz; filled < len(d); filled *= 2 {
		copy(d[filled:], d[:filled])
	}
}

// maxGatherFactor bounds how much larger than the result a strided slice's
// bounding box may be before it is gathered piece by piece.
const maxGatherFactor = 4

// evalSlice evaluates a slice: a pass-through for unit steps, a strided
// gather from the bounding box otherwise, split into pieces along the most
// stretched axis when the bounding box is much larger than the result.
func (ev *evaluator) evalSlice(e *exprNode, r chunk.Region) (view, error) {
	op := e.n.Op().(*ndarray.OpSlice)
	n := r.Size()
	in := e.inputs[0]
	inStart := make([]int, len(op.Start))
	inStep := make([]int, len(op.Start))
	inCount := make([]int, len(op.Start))
	j := 0
	unit := true
	for a := range op.Start {
		if op.Drop[a] {
			inStart[a], inStep[a], inCount[a] = op.Start[a], 1, 1
			continue
		}
		inStart[a], inStep[a], inCount[a] = op.Start[a]+op.Step[a]*r.Start[j], op.Step[a], r.Shape[j]
		if inCount[a] > 1 && inStep[a] != 1 {
			unit = false
		}
		j++
	}
	if n == 0 {
		return ev.claim(e, r, 0, e.dtype).out(view{data: []byte{}}), nil
	}
	if unit {
		// Unit positive steps read the region as is.
		v, err := ev.eval(in, chunk.Region{Start: inStart, Shape: inCount})
		if err != nil {
			return view{}, err
		}
		return ev.claim(e, r, 0, e.dtype).out(v), nil
	}
	s := ev.claim(e, r, n, e.dtype)
	d := s.buf.Bytes()[:n*e.size]
	if err := ev.transient(func() error { return ev.gather(in, d, inStart, inStep, inCount, e.size) }); err != nil {
		return view{}, err
	}
	return s.out(view{data: d}), nil
}

// gather writes the strided selection (start, step, count per input axis)
// of node in, row-major, into dst.
func (ev *evaluator) gather(in *exprNode, dst []byte, start, step, count []int, size int) error {
	bound := chunk.Region{Start: make([]int, len(start)), Shape: make([]int, len(start))}
	for a := range start {
		last := start[a] + step[a]*(count[a]-1)
		bound.Start[a] = min(start[a], last)
		bound.Shape[a] = max(start[a], last) - bound.Start[a] + 1
	}
	want := chunk.Size(count)
	if bound.Size() <= maxGatherFactor*want+DefaultTileElems {
		v, err := ev.eval(in, bound)
		if err != nil {
			return err
		}
		if v.scalar {
			repeat(dst[:want*size], v.data[:size])
			return nil
		}
		rel := make([]int, len(start))
		for a := range start {
			rel[a] = start[a] - bound.Start[a]
		}
		ops.CopyStrided(dst, v.data, bound.Shape, rel, step, count, size)
		return nil
	}
	// Split along the axis that stretches the bounding box most.
	best, ratio := -1, 0.0
	for a := range start {
		if count[a] > 1 {
			if f := float64(bound.Shape[a]) / float64(count[a]); f > ratio {
				best, ratio = a, f
			}
		}
	}
	inner := want / count[best]
	outer := 1
	for a := 0; a < best; a++ {
		outer *= count[a]
	}
	// Gather each index along best into a temporary, then interleave.
	piece := ev.tc.Alloc.Alloc(in.dtype, []int{inner})
	defer piece.Release()
	subCount := append([]int{}, count...)
	subCount[best] = 1
	subStart := append([]int{}, start...)
	after := inner / max(outer, 1)
	for k := 0; k < count[best]; k++ {
		subStart[best] = start[best] + step[best]*k
		if err := ev.transient(func() error {
			return ev.gather(in, piece.Bytes()[:inner*size], subStart, step, subCount, size)
		}); err != nil {
			return err
		}
		// piece is (outer, 1, after); place it at index k of axis best.
		for o := 0; o < outer; o++ {
			src := piece.Bytes()[o*after*size : (o+1)*after*size]
			off := ((o*count[best] + k) * after) * size
			copy(dst[off:off+after*size], src)
		}
	}
	return nil
}

// evalReshape evaluates a general reshape: region r is cut into runs that
// are contiguous in row-major order, and each run is read from the input as
// the few rectangles its flat range covers there.
func (ev *evaluator) evalReshape(e *exprNode, r chunk.Region) (view, error) {
	n := r.Size()
	s := ev.claim(e, r, n, e.dtype)
	d := s.buf.Bytes()[:n*e.size]
	if n == 0 {
		return s.out(view{data: d}), nil
	}
	in := e.inputs[0]
	// k: the first axis from which r covers whole trailing axes.
	rank := len(e.shape)
	k := rank - 1
	for k > 0 && r.Shape[k] == e.shape[k] {
		k--
	}
	run := 1
	for i := k; i < rank; i++ {
		run *= r.Shape[i]
	}
	st := chunk.Strides(e.shape)
	pos := 0
	var err error
	lo := append([]int{}, r.Start[:k]...)
	hi := make([]int, k)
	for i := 0; i < k; i++ {
		hi[i] = r.Start[i] + r.Shape[i]
	}
	forEachIndex(lo, hi, func(idx []int) {
		if err != nil {
			return
		}
		f := 0
		for i := 0; i < k; i++ {
			f += idx[i] * st[i]
		}
		for i := k; i < rank; i++ {
			f += r.Start[i] * st[i]
		}
		for _, rect := range flatRects(in.shape, f, f+run) {
			err = ev.transient(func() error {
				v, err := ev.eval(in, rect)
				if err != nil {
					return err
				}
				m := rect.Size() * e.size
				if v.scalar {
					repeat(d[pos:pos+m], v.data[:e.size])
				} else {
					copy(d[pos:pos+m], v.data[:m])
				}
				pos += m
				return nil
			})
			if err != nil {
				return
			}
		}
	})
	if err != nil {
		return view{}, err
	}
	return s.out(view{data: d}), nil
}

// flatRects splits the flat index range [f0, f1) of a row-major array of
// the given shape into rectangles, each contiguous in row-major order, in
// order.
func flatRects(shape []int, f0, f1 int) []chunk.Region {
	var out []chunk.Region
	rank := len(shape)
	if rank == 0 {
		if f1 > f0 {
			out = append(out, chunk.Region{Start: []int{}, Shape: []int{}})
		}
		return out
	}
	st := chunk.Strides(shape)
	for f0 < f1 {
		idx := unravel(f0, shape)
		// Largest k such that idx is aligned on axes > k (zeros) and the
		// rectangle of whole trailing axes fits before f1.
		k := rank - 1
		for k > 0 && idx[k] == 0 && f0+st[k-1] <= f1 {
			k--
		}
		// Along axis k take as many steps as fit in the axis and the range.
		steps := min(shape[k]-idx[k], (f1-f0)/st[k])
		if steps < 1 {
			steps = 1
		}
		reg := chunk.Region{Start: make([]int, rank), Shape: make([]int, rank)}
		for i := 0; i < rank; i++ {
			switch {
			case i < k:
				reg.Start[i], reg.Shape[i] = idx[i], 1
			case i == k:
				reg.Start[i], reg.Shape[i] = idx[i], steps
			default:
				reg.Start[i], reg.Shape[i] = 0, shape[i]
			}
		}
		out = append(out, reg)
		f0 += steps * st[k]
	}
	return out
}

// fillLinear computes an arange/linspace region.
func fillLinear(e *exprNode, d []byte, r chunk.Region) {
	op := e.n.Op().(*ndarray.OpLinear)
	if op.Int {
		ops.FillLinearInt(d, e.dtype, op.IntStart, op.IntStep, e.shape, r)
	} else {
		ops.FillLinear(d, e.dtype, op.Start, op.Step, e.shape, r)
	}
	if op.HasLast && len(e.shape) == 1 && r.Size() > 0 && r.Stop(0) == e.shape[0] {
		chunk.StoreFloat64(e.dtype, d, r.Shape[0]-1, op.Last)
	}
}

// tiling says how a task's region is cut into tiles.
type tiling uint8

const (
	// tileSlabs: consecutive slabs of whole trailing axes, contiguous in
	// the region's row-major layout (the default).
	tileSlabs tiling = iota
	// tileRows: one run of the last axis per tile, so every tile is
	// contiguous in any row-major array it is read from (in-memory arrays,
	// prefetched file regions, materialised blocks of another grid).
	tileRows
	// tileSquares: square tiles over the last two axes, so a transposed
	// read touches as many rows as columns.
	tileSquares
)

// chooseTiling picks the tiling for a program: squares when it transposes
// the last axis, rows when it reads row-major data whose rows are long
// enough, slabs otherwise.
func chooseTiling(p *program, region chunk.Region, maxElems int) tiling {
	rank := len(region.Shape)
	for _, e := range p.nodes {
		if e.kind == exTranspose && rank >= 2 {
			perm := e.n.Op().(*ndarray.OpTranspose).Perm
			if perm[len(perm)-1] != len(perm)-1 {
				return tileSquares
			}
		}
	}
	if rank >= 2 && region.Shape[rank-1] >= maxElems/8 {
		for _, e := range p.nodes {
			if e.kind == exDense || e.kind == exSource || e.kind == exRef {
				return tileRows
			}
		}
	}
	return tileSlabs
}

// forTiles calls fn for the tiles of region r, each at most maxElems
// elements, in row-major order of their starts. off is the tile's element
// offset within r when the tile is contiguous in r's row-major layout, or
// -1. fn must not keep the tile region.
func forTiles(r chunk.Region, maxElems int, how tiling, fn func(t chunk.Region, off int) error) error {
	rank := len(r.Shape)
	if rank == 0 {
		return fn(r, 0)
	}
	if r.Size() == 0 {
		return nil
	}
	if r.Size() <= maxElems {
		return fn(r, 0)
	}
	// Tile lengths per axis: steps[i] elements along axis i.
	steps := make([]int, rank)
	for i := range steps {
		steps[i] = 1
	}
	switch {
	case how == tileSquares && rank >= 2:
		a, b := r.Shape[rank-2], r.Shape[rank-1]
		side := 1
		for (side+1)*(side+1) <= maxElems {
			side++
		}
		tb := min(b, side)
		ta := min(a, max(1, maxElems/tb))
		steps[rank-2], steps[rank-1] = ta, tb
	case how == tileRows:
		steps[rank-1] = min(r.Shape[rank-1], maxElems)
	default:
		k := rank - 1
		inner := 1
		for k > 0 && inner*r.Shape[k] <= maxElems {
			inner *= r.Shape[k]
			steps[k] = r.Shape[k]
			k--
		}
		steps[k] = max(1, min(r.Shape[k], maxElems/inner))
	}
	// contiguous: the tile spans whole axes after the first one it cuts.
	counts := make([]int, rank)
	for i := range counts {
		counts[i] = (r.Shape[i] + steps[i] - 1) / steps[i]
	}
	st := chunk.Strides(r.Shape)
	t := chunk.Region{Start: make([]int, rank), Shape: make([]int, rank)}
	lo := make([]int, rank)
	var err error
	forEachIndex(lo, counts, func(idx []int) {
		if err != nil {
			return
		}
		off := 0
		for i := range idx {
			p := idx[i] * steps[i]
			t.Start[i] = r.Start[i] + p
			t.Shape[i] = min(steps[i], r.Shape[i]-p)
			off += p * st[i]
		}
		if !tileContiguous(r, t) {
			off = -1
		}
		err = fn(t, off)
	})
	return err
}

// fill evaluates region r of the program's root into dst (row-major).
func (ev *evaluator) fill(r chunk.Region, dst []byte, tileElems int) error {
	root := ev.b.prog.root
	sz := root.size
	zero := make([]int, len(r.Shape))
	return forTiles(r, tileElems, chooseTiling(ev.b.prog, r, tileElems), func(t chunk.Region, off int) error {
		if err := ev.tc.Ctx.Err(); err != nil {
			return err
		}
		ev.nextTile()
		v, err := ev.eval(root, t)
		if err != nil {
			return err
		}
		m := t.Size() * sz
		src := v.data
		if v.scalar {
			if off >= 0 {
				repeat(dst[off*sz:off*sz+m], v.data[:sz])
				return nil
			}
			src = ev.expand(v, t.Size(), root.dtype)
		}
		if off >= 0 {
			copy(dst[off*sz:off*sz+m], src[:m])
			return nil
		}
		rel := t.Relative(r)
		ops.CopyRegion(dst, r.Shape, rel.Start, src, t.Shape, zero, t.Shape, sz)
		return nil
	})
}
