package ndarray

import (
	"fmt"
	"math"

	"github.com/ndchunk/ndchunk/chunk"
)

// Transpose permutes the axes: axis i of the result is axis perm[i] of a.
// Without perm the axes are reversed (NumPy's default).
func (a Array) Transpose(perm ...int) Array {
	if err := a.Err(); err != nil {
		return fail(err)
	}
	rank := a.n.grid.Rank()
	if len(perm) == 0 {
		perm = make([]int, rank)
		for i := range perm {
			perm[i] = rank - 1 - i
		}
	}
	if len(perm) != rank {
		return fail(fmt.Errorf("ndarray: transpose: axes %v for rank %d: %w", perm, rank, chunk.ErrIndex))
	}
	seen := make([]bool, rank)
	p := make([]int, rank)
	identity := true
	for i, ax := range perm {
		v, err := normAxis(ax, rank, "transpose")
		if err != nil {
			return fail(err)
		}
		if seen[v] {
			return fail(fmt.Errorf("ndarray: transpose: repeated axis in %v: %w", perm, chunk.ErrIndex))
		}
		seen[v], p[i] = true, v
		identity = identity && v == i
	}
	if identity {
		return a
	}
	in := a.n
	if t, ok := in.op.(*OpTranspose); ok {
		// Compose with the inner transpose so x.T.T is x again.
		q := make([]int, rank)
		id := true
		for i := range p {
			q[i] = t.Perm[p[i]]
			id = id && q[i] == i
		}
		if id {
			return wrap(in.inputs[0])
		}
		in, p = in.inputs[0], q
	}
	return wrap(newNode(&OpTranspose{Perm: p}, in.dtype, in.grid.Transpose(p), in))
}

// T reverses the axes (NumPy's .T).
func (a Array) T() Array { return a.Transpose() }

// SwapAxes exchanges two axes.
func (a Array) SwapAxes(ax1, ax2 int) Array {
	if err := a.Err(); err != nil {
		return fail(err)
	}
	rank := a.n.grid.Rank()
	i, err := normAxis(ax1, rank, "swapaxes")
	if err != nil {
		return fail(err)
	}
	j, err := normAxis(ax2, rank, "swapaxes")
	if err != nil {
		return fail(err)
	}
	perm := make([]int, rank)
	for k := range perm {
		perm[k] = k
	}
	perm[i], perm[j] = j, i
	return a.Transpose(perm...)
}

// Omit stands for a missing slice bound, as an empty place in Python's
// start:stop:step.
const Omit = math.MinInt

type indexKind uint8

const (
	indexSpan indexKind = iota
	indexAt
	indexNewAxis
	indexEllipsis
)

// Index is one entry of a NumPy-style subscript: a slice (Span, All), an
// integer (At), NewAxis or Ellipsis.
type Index struct {
	kind              indexKind
	start, stop, step int
}

// Span is Python's start:stop:step; pass Omit for a missing bound (and for
// a missing step, which means 1).
func Span(start, stop, step int) Index {
	return Index{kind: indexSpan, start: start, stop: stop, step: step}
}

// All is the full slice ":".
func All() Index { return Span(Omit, Omit, Omit) }

// At is an integer index (negative counts from the end); it removes the axis.
func At(i int) Index { return Index{kind: indexAt, start: i} }

// NewAxis inserts an axis of length 1 (NumPy's None / np.newaxis).
func NewAxis() Index { return Index{kind: indexNewAxis} }

// Ellipsis stands for as many full slices as needed ("...").
func Ellipsis() Index { return Index{kind: indexEllipsis} }

// String formats the index as in Python.
func (x Index) String() string {
	switch x.kind {
	case indexAt:
		return fmt.Sprint(x.start)
	case indexNewAxis:
		return "None"
	case indexEllipsis:
		return "..."
	}
	f := func(v int) string {
		if v == Omit {
			return ""
		}
		return fmt.Sprint(v)
	}
	s := f(x.start) + ":" + f(x.stop)
	if x.step != Omit && x.step != 1 {
		s += ":" + f(x.step)
	}
	return s
}

// sliceIndices normalises a slice like Python's slice.indices(n) and
// returns the start, step and count of the selected positions.
func sliceIndices(x Index, n int) (start, step, count int, err error) {
	step = x.step
	if step == Omit {
		step = 1
	}
	if step == 0 {
		return 0, 0, 0, fmt.Errorf("ndarray: slice step cannot be zero: %w", chunk.ErrIndex)
	}
	lo, hi := 0, n
	if step < 0 {
		lo, hi = -1, n-1
	}
	norm := func(v, def int) int {
		if v == Omit {
			return def
		}
		if v < 0 {
			v += n
		}
		return min(max(v, lo), hi)
	}
	if step > 0 {
		start, stop := norm(x.start, 0), norm(x.stop, n)
		count = max(0, (stop-start+step-1)/step)
		return start, step, count, nil
	}
	start, stop := norm(x.start, n-1), norm(x.stop, -1)
	count = max(0, (start-stop-step-1)/(-step))
	return start, step, count, nil
}

// Slice indexes the array NumPy-style: a[idx...]. Missing trailing indices
// select whole axes. Slices with steps (negative too) keep the axis; At
// removes it; NewAxis inserts one.
func (a Array) Slice(idx ...Index) Array {
	if err := a.Err(); err != nil {
		return fail(err)
	}
	in := a.n
	rank := in.grid.Rank()
	// Expand the ellipsis and count the axes the subscript consumes.
	used, ell := 0, -1
	for i, x := range idx {
		switch x.kind {
		case indexEllipsis:
			if ell >= 0 {
				return fail(fmt.Errorf("ndarray: an index can only have a single ellipsis: %w", chunk.ErrIndex))
			}
			ell = i
		case indexNewAxis:
		default:
			used++
		}
	}
	if used > rank {
		return fail(fmt.Errorf("ndarray: too many indices (%d) for an array of rank %d: %w", used, rank, chunk.ErrIndex))
	}
	var full []Index
	for i, x := range idx {
		if i == ell {
			for k := 0; k < rank-used; k++ {
				full = append(full, All())
			}
			continue
		}
		full = append(full, x)
	}
	if ell < 0 {
		for k := used; k < rank; k++ {
			full = append(full, All())
		}
	}
	op := &OpSlice{Start: make([]int, rank), Step: make([]int, rank), Count: make([]int, rank), Drop: make([]bool, rank)}
	var newAxes []int // positions in the result where NewAxis inserts a 1
	ax, outPos := 0, 0
	trivial := true
	for _, x := range full {
		switch x.kind {
		case indexNewAxis:
			newAxes = append(newAxes, outPos)
			outPos++
			continue
		case indexAt:
			n := in.Shape()[ax]
			i := x.start
			if i < -n || i >= n {
				return fail(fmt.Errorf("ndarray: index %d is out of bounds for axis %d with size %d: %w", x.start, ax, n, chunk.ErrIndex))
			}
			if i < 0 {
				i += n
			}
			op.Start[ax], op.Step[ax], op.Count[ax], op.Drop[ax] = i, 1, 1, true
			trivial = false
		default:
			s, st, c, err := sliceIndices(x, in.Shape()[ax])
			if err != nil {
				return fail(err)
			}
			if c == 0 {
				s, st = 0, 1
			}
			op.Start[ax], op.Step[ax], op.Count[ax] = s, st, c
			if !(s == 0 && st == 1 && c == in.Shape()[ax]) {
				trivial = false
			}
			outPos++
		}
		ax++
	}
	res := in
	if !trivial {
		var shape []int
		var chunks [][]int
		for i := range op.Start {
			if op.Drop[i] {
				continue
			}
			shape = append(shape, op.Count[i])
			chunks = append(chunks, sliceChunks(in.grid.AxisOffsets(i), op.Start[i], op.Step[i], op.Count[i]))
		}
		g, err := chunk.NewGrid(shape, chunks)
		if err != nil {
			return fail(fmt.Errorf("ndarray: getitem: %w", err))
		}
		res = newNode(op, in.dtype, g, in)
	}
	out := wrap(res)
	for _, p := range newAxes {
		out = out.ExpandDims(p)
	}
	return out
}

// sliceChunks returns the output chunks of a sliced axis: a new chunk
// starts wherever the selected positions cross an input block boundary
// (Dask's rule), so a slice of a materialised array reads whole blocks.
func sliceChunks(offsets []int, start, step, count int) []int {
	if count == 0 {
		return []int{0}
	}
	var out []int
	nb := len(offsets) - 1
	for k := 0; k < nb; k++ {
		b := k
		if step < 0 {
			b = nb - 1 - k
		}
		lo, hi := offsets[b], offsets[b+1]
		var jlo, jhi int
		if step > 0 {
			jlo = ceilDiv(lo-start, step)
			jhi = ceilDiv(hi-start, step)
		} else {
			s := -step
			jlo = floorDiv(start-hi, s) + 1
			jhi = floorDiv(start-lo, s) + 1
		}
		jlo, jhi = max(jlo, 0), min(jhi, count)
		if jhi > jlo {
			out = append(out, jhi-jlo)
		}
	}
	return out
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func ceilDiv(a, b int) int { return -floorDiv(-a, b) }

// ExpandDims inserts an axis of length 1 at position axis of the result.
func (a Array) ExpandDims(axis int) Array {
	if err := a.Err(); err != nil {
		return fail(err)
	}
	rank := a.n.grid.Rank()
	ax, err := normAxis(axis, rank+1, "expand_dims")
	if err != nil {
		return fail(err)
	}
	shape := append(append(append([]int{}, a.n.Shape()[:ax]...), 1), a.n.Shape()[ax:]...)
	return a.Reshape(shape...)
}

// Squeeze removes the given length-1 axes, or all of them.
func (a Array) Squeeze(axes ...int) Array {
	if err := a.Err(); err != nil {
		return fail(err)
	}
	shape := a.n.Shape()
	drop := make([]bool, len(shape))
	if len(axes) == 0 {
		for i, n := range shape {
			drop[i] = n == 1
		}
	} else {
		for _, ax := range axes {
			i, err := normAxis(ax, len(shape), "squeeze")
			if err != nil {
				return fail(err)
			}
			if shape[i] != 1 {
				return fail(fmt.Errorf("ndarray: squeeze: axis %d has length %d, not 1: %w", ax, shape[i], chunk.ErrShape))
			}
			drop[i] = true
		}
	}
	var out []int
	for i, n := range shape {
		if !drop[i] {
			out = append(out, n)
		}
	}
	if out == nil {
		out = []int{}
	}
	return a.Reshape(out...)
}

// Reshape gives the elements (in row-major order) a new shape; one length
// may be -1 and is inferred. Chunks are kept where only length-1 axes come
// or go; otherwise the result is chunked automatically near the input's
// block size.
func (a Array) Reshape(shape ...int) Array {
	if err := a.Err(); err != nil {
		return fail(err)
	}
	in := a.n
	size := chunk.Size(in.Shape())
	shape = append([]int{}, shape...)
	infer, known := -1, 1
	for i, n := range shape {
		switch {
		case n == -1 && infer < 0:
			infer = i
		case n < 0:
			return fail(fmt.Errorf("ndarray: reshape to %v: bad length %d: %w", shape, n, chunk.ErrShape))
		default:
			known *= n
		}
	}
	if infer >= 0 {
		if known == 0 || size%known != 0 {
			return fail(fmt.Errorf("ndarray: cannot reshape array of size %d into shape %v: %w", size, shape, chunk.ErrShape))
		}
		shape[infer] = size / known
	}
	if chunk.Size(shape) != size {
		return fail(fmt.Errorf("ndarray: cannot reshape array of size %d into shape %v: %w", size, shape, chunk.ErrShape))
	}
	if err := chunk.CheckShape(shape); err != nil {
		return fail(fmt.Errorf("ndarray: reshape: %w", err))
	}
	if chunk.EqualInts(shape, in.Shape()) {
		return a
	}
	g, err := reshapeGrid(in, shape)
	if err != nil {
		return fail(fmt.Errorf("ndarray: reshape: %w", err))
	}
	if _, ok := in.op.(*OpReshape); ok {
		in = in.inputs[0] // reshape of a reshape is one reshape
		if chunk.EqualInts(shape, in.Shape()) {
			return wrap(in)
		}
	}
	return wrap(newNode(&OpReshape{}, in.dtype, g, in))
}

// reshapeGrid keeps chunks when the reshape only adds or removes length-1
// axes, and otherwise chunks automatically near the input's block size.
func reshapeGrid(in *Node, shape []int) (chunk.Grid, error) {
	var inAxes, outAxes []int
	for i, n := range in.Shape() {
		if n != 1 {
			inAxes = append(inAxes, i)
		}
	}
	for i, n := range shape {
		if n != 1 {
			outAxes = append(outAxes, i)
		}
	}
	same := len(inAxes) == len(outAxes)
	for k := 0; same && k < len(inAxes); k++ {
		same = in.Shape()[inAxes[k]] == shape[outAxes[k]]
	}
	chunks := make([][]int, len(shape))
	if same {
		for i, n := range shape {
			chunks[i] = []int{n}
		}
		for k, o := range outAxes {
			chunks[o] = in.grid.AxisChunks(inAxes[k])
		}
		return chunk.NewGrid(shape, chunks)
	}
	target := int64(in.grid.MaxBlockSize()) * int64(in.dtype.Size())
	sizes := chunk.AutoChunks(shape, in.dtype, max(target, 1<<16), nil, nil)
	return chunk.RegularGrid(shape, sizes)
}

// BroadcastTo expands the array to shape with NumPy's broadcasting rules.
// New and stretched axes are chunked automatically.
func (a Array) BroadcastTo(shape ...int) Array {
	if err := a.Err(); err != nil {
		return fail(err)
	}
	in := a.n
	out, err := BroadcastShapes(in.Shape(), shape)
	if err != nil || !chunk.EqualInts(out, shape) {
		return fail(fmt.Errorf("ndarray: cannot broadcast shape %v to %v: %w", in.Shape(), shape, chunk.ErrShape))
	}
	if chunk.EqualInts(in.Shape(), shape) {
		return a
	}
	off := len(shape) - in.grid.Rank()
	sizes := make([]int, len(shape))
	for i := range shape {
		if i >= off && in.Shape()[i-off] == shape[i] {
			sizes[i] = in.grid.MaxBlockShape()[i-off]
		} else {
			sizes[i] = chunk.AutoAxis
		}
	}
	sizes = chunk.AutoChunks(shape, in.dtype, 0, nil, sizes)
	chunks := make([][]int, len(shape))
	for i := range shape {
		if i >= off && in.Shape()[i-off] == shape[i] {
			chunks[i] = in.grid.AxisChunks(i - off)
		} else {
			c, err := chunk.RegularChunks(shape[i], sizes[i])
			if err != nil {
				return fail(fmt.Errorf("ndarray: broadcast_to: %w", err))
			}
			chunks[i] = c
		}
	}
	g, err := chunk.NewGrid(shape, chunks)
	if err != nil {
		return fail(fmt.Errorf("ndarray: broadcast_to: %w", err))
	}
	return wrap(broadcastNode(in, g))
}

// Concatenate joins arrays along an existing axis. Their dtypes are
// promoted; their other axes must match.
func Concatenate(arrays []Array, axis int) Array {
	if len(arrays) == 0 {
		return fail(fmt.Errorf("ndarray: concatenate: need at least one array: %w", chunk.ErrShape))
	}
	if err := firstErr(arrays...); err != nil {
		return fail(err)
	}
	rank := arrays[0].n.grid.Rank()
	if rank == 0 {
		return fail(fmt.Errorf("ndarray: concatenate: zero-dimensional arrays cannot be concatenated: %w", chunk.ErrShape))
	}
	ax, err := normAxis(axis, rank, "concatenate")
	if err != nil {
		return fail(err)
	}
	dt := arrays[0].n.dtype
	for _, a := range arrays[1:] {
		dt = chunk.Promote(dt, a.n.dtype)
	}
	shape := append([]int{}, arrays[0].n.Shape()...)
	shape[ax] = 0
	var axisChunks []int
	nodes := make([]*Node, len(arrays))
	for i, a := range arrays {
		s := a.n.Shape()
		if len(s) != rank {
			return fail(fmt.Errorf("ndarray: concatenate: array %d has rank %d, not %d: %w", i, len(s), rank, chunk.ErrShape))
		}
		for k := range s {
			if k != ax && s[k] != shape[k] {
				return fail(fmt.Errorf("ndarray: concatenate: array %d has shape %v, incompatible with %v on axis %d: %w", i, s, arrays[0].n.Shape(), k, chunk.ErrShape))
			}
		}
		shape[ax] += s[ax]
		if s[ax] > 0 {
			axisChunks = append(axisChunks, a.n.grid.AxisChunks(ax)...)
		}
		nodes[i] = castNode(a.n, dt)
	}
	if len(axisChunks) == 0 {
		axisChunks = []int{0}
	}
	chunks := make([][]int, rank)
	for k := range chunks {
		if k == ax {
			chunks[k] = axisChunks
			continue
		}
		var cands [][]int
		for _, n := range nodes {
			cands = append(cands, n.grid.AxisChunks(k))
		}
		chunks[k] = chunk.UnifyChunks(cands...)
	}
	g, err := chunk.NewGrid(shape, chunks)
	if err != nil {
		return fail(fmt.Errorf("ndarray: concatenate: %w", err))
	}
	if len(nodes) == 1 {
		return wrap(nodes[0]).RechunkGrid(g)
	}
	return wrap(newNode(&OpConcat{Axis: ax}, dt, g, nodes...))
}

// Stack joins arrays of the same shape along a new axis.
func Stack(arrays []Array, axis int) Array {
	if len(arrays) == 0 {
		return fail(fmt.Errorf("ndarray: stack: need at least one array: %w", chunk.ErrShape))
	}
	if err := firstErr(arrays...); err != nil {
		return fail(err)
	}
	rank := arrays[0].n.grid.Rank()
	ax, err := normAxis(axis, rank+1, "stack")
	if err != nil {
		return fail(err)
	}
	exp := make([]Array, len(arrays))
	for i, a := range arrays {
		if !chunk.EqualInts(a.n.Shape(), arrays[0].n.Shape()) {
			return fail(fmt.Errorf("ndarray: stack: all input arrays must have the same shape, got %v and %v: %w", arrays[0].n.Shape(), a.n.Shape(), chunk.ErrShape))
		}
		exp[i] = a.ExpandDims(ax)
	}
	return Concatenate(exp, ax)
}

// Rechunk changes the chunking without changing values.
func (a Array) Rechunk(spec chunk.Spec) Array {
	if err := a.Err(); err != nil {
		return fail(err)
	}
	g, err := spec.Resolve(a.n.Shape(), a.n.dtype, nil)
	if err != nil {
		return fail(fmt.Errorf("ndarray: rechunk: %w", err))
	}
	return a.RechunkGrid(g)
}

// RechunkGrid changes the chunking to an explicit grid of the same shape.
func (a Array) RechunkGrid(g chunk.Grid) Array {
	if err := a.Err(); err != nil {
		return fail(err)
	}
	if !chunk.EqualInts(g.Shape(), a.n.Shape()) {
		return fail(fmt.Errorf("ndarray: rechunk: grid shape %v for array shape %v: %w", g.Shape(), a.n.Shape(), chunk.ErrShape))
	}
	if g.Equal(a.n.grid) {
		return a
	}
	in := a.n
	if _, ok := in.op.(*OpRechunk); ok {
		in = in.inputs[0]
	}
	return wrap(newNode(&OpRechunk{}, in.dtype, g, in))
}

// Persist marks the array to be materialised once, in its own chunks, and
// read from there by every consumer: the engine keeps its blocks (spilling
// them, compressed, when they cannot stay resident) instead of fusing the
// expression into each consumer. Use it before a rechunk that reads each
// block in many pieces, such as turning time-major storage chunks into
// time series: x.Persist().Rechunk(target) reads each source block once.
func (a Array) Persist() Array {
	if err := a.Err(); err != nil {
		return fail(err)
	}
	if _, ok := a.n.op.(*OpPersist); ok {
		return a
	}
	return wrap(newNode(&OpPersist{}, a.n.dtype, a.n.grid, a.n))
}
