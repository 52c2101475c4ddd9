package ops

import (
	"fmt"
	"strings"

	"github.com/ndchunk/ndchunk/chunk"
)

// This file holds the reduction API: names, result dtypes, Partial and the
// Reducer that cuts each tile into panels for the per-op kernels
// (reduce_sum.go, reduce_var.go, reduce_minmax.go, reduce_truth.go).

var redNames = [numReduce]string{
	Sum: "sum", Prod: "prod", Mean: "mean", Var: "var", Std: "std", Min: "min", Max: "max",
	ArgMin: "argmin", ArgMax: "argmax", Any: "any", All: "all", CountNonzero: "count_nonzero",
	NanSum: "nansum", NanProd: "nanprod", NanMean: "nanmean", NanVar: "nanvar", NanStd: "nanstd",
	NanMin: "nanmin", NanMax: "nanmax",
}

// String returns NumPy's name for the reduction ("sum", "nanmean", ...).
func (op ReduceOp) String() string {
	if op > 0 && op < numReduce {
		return redNames[op]
	}
	return fmt.Sprintf("ReduceOp(%d)", uint8(op))
}

// ParseReduce returns the reduction with the given NumPy name, or one of
// NumPy's aliases "amin" and "amax". Case and surrounding space are ignored.
func ParseReduce(name string) (ReduceOp, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	for op := ReduceOp(1); op < numReduce; op++ {
		if redNames[op] == name {
			return op, true
		}
	}
	switch name {
	case "amin":
		return Min, true
	case "amax":
		return Max, true
	}
	return 0, false
}

// redWiden is the accumulator dtype NumPy gives sum, prod, cumsum and
// cumprod: bool and signed integers widen to int64, unsigned integers to
// uint64, floats keep their dtype.
func redWiden(in chunk.DType) chunk.DType {
	switch {
	case in == chunk.Bool || in.IsSigned():
		return chunk.Int64
	case in.IsUnsigned():
		return chunk.Uint64
	}
	return in
}

// redIsNan reports whether op is one of the NaN-skipping variants.
func redIsNan(op ReduceOp) bool { return op >= NanSum && op <= NanMax }

// ReduceTypes returns the dtype of op's result over input of dtype in,
// following NumPy 1.24: sum, prod, nansum and nanprod widen bool and signed
// integers to int64 and unsigned integers to uint64; mean, var, std and
// their nan variants give float64 except for float32 input; min, max,
// nanmin and nanmax keep the dtype; argmin, argmax and count_nonzero give
// int64; any and all give bool.
func ReduceTypes(op ReduceOp, in chunk.DType) (chunk.DType, error) {
	if !in.Valid() {
		return chunk.Invalid, fmt.Errorf("ops: %v of %v: %w", op, in, chunk.ErrDType)
	}
	switch op {
	case Sum, Prod, NanSum, NanProd:
		return redWiden(in), nil
	case Mean, Var, Std, NanMean, NanVar, NanStd:
		if in == chunk.Float32 {
			return chunk.Float32, nil
		}
		return chunk.Float64, nil
	case Min, Max, NanMin, NanMax:
		return in, nil
	case ArgMin, ArgMax, CountNonzero:
		return chunk.Int64, nil
	case Any, All:
		return chunk.Bool, nil
	}
	return chunk.Invalid, fmt.Errorf("ops: reduction %v: %w", op, chunk.ErrUnsupported)
}

// HasIdentity reports whether op over zero elements is defined. It is false
// for min, max, argmin, argmax, nanmin and nanmax, which NumPy refuses on an
// empty axis ("zero-size array to reduction operation minimum which has no
// identity"); mean, var and std of nothing are defined (NaN, as in NumPy).
func HasIdentity(op ReduceOp) bool {
	switch op {
	case Min, Max, ArgMin, ArgMax, NanMin, NanMax:
		return false
	}
	return op > 0 && op < numReduce
}

// Partial is the state of a reduction over part of the input: op-specific
// field arrays, each of shape Shape. The fields are, by op:
//
//	sum, nansum (float input):     sum float64, compensation float64
//	sum, nansum (other input):     sum int64 or uint64
//	prod, nanprod:                 product float64, int64 or uint64
//	mean, nanmean:                 sum float64, compensation float64, count int64
//	var, std, nanvar, nanstd:      count int64, mean float64, M2 float64
//	min, max, nanmin, nanmax:      value of the input dtype
//	argmin, argmax:                value of the input dtype, flat index int64 (-1: none yet)
//	any, all:                      bool
//	count_nonzero:                 count int64
//
// The state lives entirely in the fields, so a Partial can be spilled and
// restored by copying their bytes.
type Partial struct {
	Op     ReduceOp       // the reduction
	In     chunk.DType    // input dtype
	Shape  []int          // the input block shape with reduced axes of length 1
	Fields []*chunk.Block // op-specific state, see above
}

// Release releases every field block; p must not be used afterwards.
func (p *Partial) Release() {
	for _, f := range p.Fields {
		f.Release()
	}
	p.Fields = nil
}

// Bytes returns the bytes the fields hold, each rounded up to a multiple of
// 8 as the Allocator rounds them.
func (p *Partial) Bytes() int64 {
	var n int64
	for _, f := range p.Fields {
		n += int64(len(f.Bytes())+7) &^ 7
	}
	return n
}

// redFields returns the dtypes of the fields of a Partial of op over input
// of dtype in (see Partial).
func redFields(op ReduceOp, in chunk.DType) []chunk.DType {
	f64, i64 := chunk.Float64, chunk.Int64
	switch op {
	case Sum, NanSum:
		if in.IsFloat() {
			return []chunk.DType{f64, f64}
		}
		return []chunk.DType{redWiden(in)}
	case Prod, NanProd:
		if in.IsFloat() {
			return []chunk.DType{f64}
		}
		return []chunk.DType{redWiden(in)}
	case Mean, NanMean:
		return []chunk.DType{f64, f64, i64}
	case Var, Std, NanVar, NanStd:
		return []chunk.DType{i64, f64, f64}
	case Min, Max, NanMin, NanMax:
		return []chunk.DType{in}
	case ArgMin, ArgMax:
		return []chunk.DType{in, i64}
	case Any, All:
		return []chunk.DType{chunk.Bool}
	case CountNonzero:
		return []chunk.DType{i64}
	}
	return nil
}

// PartialBytes returns the bytes of a Partial of op over input of dtype in
// with n elements per field, for the planner's memory projection. It equals
// Bytes of such a Partial.
func PartialBytes(op ReduceOp, in chunk.DType, n int) int64 {
	var b int64
	for _, dt := range redFields(op, in) {
		b += int64(n*dt.Size()+7) &^ 7
	}
	return b
}

// Tile locates a tile of the input being folded into a Partial.
type Tile struct {
	// Shape is the tile's shape (its elements are row-major contiguous).
	Shape []int
	// Offset is the tile's start within the Partial's block on kept axes;
	// entries on reduced axes are ignored. Nil means all zeros.
	Offset []int
	// Global is the tile's start in the whole input array, used by argmin
	// and argmax only. Nil means all zeros.
	Global []int
}

// Reducer folds tiles of one input into partials, merges partials and
// finalizes them. It holds no mutable state, so one Reducer may serve
// every task of a reduction concurrently (each task with its own Partial).
type Reducer struct {
	op       ReduceOp
	in, out  chunk.DType
	reduced  []bool
	ixStride []int64 // per axis, the step of the arg index; zero unless argmin/argmax
	fields   []chunk.DType
	k        redKernel
}

// redPanel describes the part of a tile one kernel call handles: m rows of
// l contiguous elements. rows kernels reduce each row into the output
// element o + i*os; cols kernels reduce over the rows into the l
// consecutive output elements from o. ix is the flat arg index of the first
// element, ixRow and ixCol its steps along rows and within a row.
type redPanel struct {
	m, l             int
	o, os            int
	ix, ixRow, ixCol int64
}

// redKernel is the per-op, per-dtype implementation behind a Reducer. It is
// chosen once in NewReducer; its methods loop over whole panels.
type redKernel interface {
	init(p *Partial)
	rows(p *Partial, x []byte, g redPanel)
	cols(p *Partial, x []byte, g redPanel)
	merge(dst, src *Partial)
	finalize(dst []byte, p *Partial)
}

// NewReducer returns a Reducer of op over input of dtype in and shape
// arrayShape, reducing axis i when reduced[i] is true. Argmin and argmax
// report indices in the whole array: for one reduced axis the position
// along it, for several the row-major flat index over the reduced axes
// only. ddof is the delta degrees of freedom of var, std, nanvar and nanstd
// (the divisor is count - ddof, as numpy.var). Bool elements must be the
// bytes 0 or 1, as every bool ndchunk and NumPy write: sum, prod, mean, var
// and std add their bytes.
func NewReducer(op ReduceOp, in chunk.DType, reduced []bool, arrayShape []int, ddof int) (*Reducer, error) {
	out, err := ReduceTypes(op, in)
	if err != nil {
		return nil, err
	}
	if len(reduced) != len(arrayShape) {
		return nil, fmt.Errorf("ops: %v: %d reduced flags for shape %v: %w", op, len(reduced), arrayShape, chunk.ErrShape)
	}
	if err := chunk.CheckShape(arrayShape); err != nil {
		return nil, fmt.Errorf("ops: %v: %w", op, err)
	}
	r := &Reducer{
		op: op, in: in, out: out,
		reduced:  append([]bool(nil), reduced...),
		ixStride: make([]int64, len(reduced)),
		fields:   redFields(op, in),
	}
	if op == ArgMin || op == ArgMax {
		step := int64(1)
		for a := len(reduced) - 1; a >= 0; a-- {
			if reduced[a] {
				r.ixStride[a] = step
				step *= int64(arrayShape[a])
			}
		}
	}
	r.k = redNewKernel(op, in, out, ddof)
	return r, nil
}

// OutDType returns the dtype Finalize writes.
func (r *Reducer) OutDType() chunk.DType { return r.out }

// NewPartial allocates a Partial of the given shape (the block's shape with
// reduced axes of length 1) from alloc, which must not be nil, initialised
// to the state of a reduction over no elements. It panics if shape does not
// fit the Reducer.
func (r *Reducer) NewPartial(alloc *chunk.Allocator, shape []int) *Partial {
	if len(shape) != len(r.reduced) {
		panic(fmt.Sprintf("ops: %v partial of shape %v for rank %d", r.op, shape, len(r.reduced)))
	}
	for a, red := range r.reduced {
		if red && shape[a] != 1 {
			panic(fmt.Sprintf("ops: %v partial of shape %v has reduced axis %d of length %d", r.op, shape, a, shape[a]))
		}
	}
	p := &Partial{Op: r.op, In: r.in, Shape: append([]int(nil), shape...), Fields: make([]*chunk.Block, len(r.fields))}
	for i, dt := range r.fields {
		p.Fields[i] = alloc.Alloc(dt, shape)
	}
	r.k.init(p)
	return p
}

// checkPartial panics unless p belongs to a Reducer of the same op, input
// dtype and rank: a mix-up in the engine must not become silent garbage.
func (r *Reducer) checkPartial(p *Partial, what string) {
	if p.Op != r.op || p.In != r.in || len(p.Shape) != len(r.reduced) || len(p.Fields) != len(r.fields) {
		panic(fmt.Sprintf("ops: %v reducer of %v given a %v partial of %v, shape %v in %s", r.op, r.in, p.Op, p.In, p.Shape, what))
	}
}

// Accumulate folds the tile x (row-major elements of the input dtype, of
// shape tile.Shape) into p.
//
// The tile's axes are first merged where both the tile and p's layout
// allow (adjacent reduced axes, adjacent kept axes that are contiguous in
// p) and axes of length 1 dropped. The innermost one or two merged axes form
// a panel handled by one kernel call: a reduced innermost axis gives row
// reductions (the whole tile when every axis is reduced), a kept innermost
// axis under a reduced one gives column accumulation. An odometer walks the
// remaining axes, so the per-element work always runs in the kernels' tight
// loops.
func (r *Reducer) Accumulate(p *Partial, x []byte, tile Tile) {
	r.checkPartial(p, "Accumulate")
	rank := len(r.reduced)
	if len(tile.Shape) != rank || tile.Offset != nil && len(tile.Offset) != rank || tile.Global != nil && len(tile.Global) != rank {
		panic(fmt.Sprintf("ops: %v tile %+v for rank %d", r.op, tile, rank))
	}
	n := chunk.Size(tile.Shape)
	if len(x) != n*r.in.Size() {
		panic(fmt.Sprintf("ops: %v tile of shape %v given %d bytes of %v", r.op, tile.Shape, len(x), r.in))
	}
	if n == 0 {
		return
	}

	// Merged axes, innermost first. Eight fit on the stack, which the
	// compiler must clear on every call; deeper ranks are rare enough to
	// allocate.
	type dim struct {
		n, so   int   // extent; output stride (0 on reduced axes)
		ix      int64 // arg index stride
		reduced bool
		xs, at  int // input stride; odometer position
	}
	var dimBuf [8]dim
	dims := dimBuf[:]
	if rank > len(dimBuf) {
		dims = make([]dim, rank)
	}
	nd := 0
	o, pstride := 0, 1
	ix := int64(0)
	for a := rank - 1; a >= 0; a-- {
		ext, red := tile.Shape[a], r.reduced[a]
		so, xs := 0, int64(0)
		if red {
			xs = r.ixStride[a]
			if tile.Global != nil {
				ix += int64(tile.Global[a]) * xs
			}
		} else {
			so = pstride
			if tile.Offset != nil {
				if tile.Offset[a] < 0 || tile.Offset[a]+ext > p.Shape[a] {
					panic(fmt.Sprintf("ops: %v tile %+v outside partial of shape %v", r.op, tile, p.Shape))
				}
				o += tile.Offset[a] * so
			} else if ext > p.Shape[a] {
				panic(fmt.Sprintf("ops: %v tile %+v outside partial of shape %v", r.op, tile, p.Shape))
			}
		}
		pstride *= p.Shape[a]
		if ext == 1 {
			continue
		}
		if nd > 0 {
			d := &dims[nd-1]
			if d.reduced == red && so == d.n*d.so && xs == int64(d.n)*d.ix {
				d.n *= ext
				continue
			}
		}
		dims[nd] = dim{n: ext, so: so, ix: xs, reduced: red}
		nd++
	}

	// Choose the panel.
	g := redPanel{m: 1, l: 1, o: o, ix: ix}
	rows, k0 := true, 0
	switch {
	case nd == 0:
	case dims[0].reduced:
		g.l, g.ixCol, k0 = dims[0].n, dims[0].ix, 1
		if nd > 1 {
			g.m, g.os, g.ixRow, k0 = dims[1].n, dims[1].so, dims[1].ix, 2
		}
	case dims[0].so == 1:
		rows = false
		g.l, k0 = dims[0].n, 1
		if nd > 1 && dims[1].reduced {
			g.m, g.ixRow, k0 = dims[1].n, dims[1].ix, 2
		}
	default:
		// A kept innermost axis that is strided in p (the tile is narrower
		// than the block on a kept axis further in): rows of one element.
		g.m, g.os, k0 = dims[0].n, dims[0].so, 1
	}
	panel := g.m * g.l
	es := r.in.Size()

	// Walk the remaining axes.
	s := panel
	for k := k0; k < nd; k++ {
		dims[k].xs = s
		s *= dims[k].n
	}
	off := 0
	for {
		px := x[off*es : (off+panel)*es]
		if rows {
			r.k.rows(p, px, g)
		} else {
			r.k.cols(p, px, g)
		}
		k := k0
		for ; k < nd; k++ {
			d := &dims[k]
			d.at++
			off += d.xs
			g.o += d.so
			g.ix += d.ix
			if d.at < d.n {
				break
			}
			d.at = 0
			off -= d.n * d.xs
			g.o -= d.n * d.so
			g.ix -= int64(d.n) * d.ix
		}
		if k == nd {
			return
		}
	}
}

// Merge folds src into dst. src covers input that comes after dst's in the
// fixed combination order; both have the same shape.
func (r *Reducer) Merge(dst, src *Partial) {
	r.checkPartial(dst, "Merge")
	r.checkPartial(src, "Merge")
	if chunk.Size(dst.Shape) != chunk.Size(src.Shape) {
		panic(fmt.Sprintf("ops: %v merge of partials of shapes %v and %v", r.op, dst.Shape, src.Shape))
	}
	r.k.merge(dst, src)
}

// Finalize writes the result (OutDType elements, one per element of
// p.Shape, row-major) into dst.
func (r *Reducer) Finalize(dst []byte, p *Partial) {
	r.checkPartial(p, "Finalize")
	if len(dst) != chunk.Size(p.Shape)*r.out.Size() {
		panic(fmt.Sprintf("ops: %v finalize of a partial of shape %v into %d bytes of %v", r.op, p.Shape, len(dst), r.out))
	}
	r.k.finalize(dst, p)
}

// redNewKernel picks the kernel of op over input of dtype in. NaN variants
// of integer and bool input are the plain ops, as in NumPy.
func redNewKernel(op ReduceOp, in, out chunk.DType, ddof int) redKernel {
	nan := redIsNan(op) && in.IsFloat()
	switch op {
	case Sum, NanSum:
		if in.IsFloat() {
			return redNewSum(in, out, nan, false)
		}
		return redNewISum(in)
	case Mean, NanMean:
		return redNewSum(in, out, nan, true)
	case Prod, NanProd:
		if in.IsFloat() {
			return redNewFProd(in, out, nan)
		}
		return redNewIProd(in)
	case Var, Std, NanVar, NanStd:
		return redNewVar(in, out, nan, op == Std || op == NanStd, ddof)
	case Min, Max, NanMin, NanMax:
		return redNewMinMax(in, op == Max || op == NanMax, nan)
	case ArgMin, ArgMax:
		return redNewArg(in, op == ArgMax)
	case Any, All, CountNonzero:
		return redNewTruth(in, op)
	}
	panic(fmt.Sprintf("ops: reduction %v", op))
}

// Field accessors: the kernels reach their state through these.

func redF64(p *Partial, i int) []float64 { return chunk.Cast[float64](p.Fields[i].Bytes()) }
func redI64(p *Partial, i int) []int64   { return chunk.Cast[int64](p.Fields[i].Bytes()) }
