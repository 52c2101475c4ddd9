package exprgen

import (
	"fmt"
	"math"
	"strings"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/ops"
)

// opKind is one way of building an array of a wanted shape.
type opKind uint8

const (
	kLeaf opKind = iota
	kUnary
	kBinary
	kWhere
	kClip
	kAsType
	kScan
	kTranspose
	kSlice
	kExpandDims
	kSqueeze
	kReshape
	kReduce
	kBroadcastTo
	kConcat
	kStack
	kRechunk
	kMatmul
	kTensordot
	kDot
	kMapBlocks
	kReuse
	numKinds
)

// kindWeights sets how often each operation is tried; elementwise
// functions and reductions, the bulk of real expressions, come first.
var kindWeights = [numKinds]int{
	kLeaf: 2, kUnary: 10, kBinary: 14, kWhere: 3, kClip: 2, kAsType: 4, kScan: 3, kTranspose: 4,
	kSlice: 6, kExpandDims: 2, kSqueeze: 2, kReshape: 4, kReduce: 12, kBroadcastTo: 3, kConcat: 3,
	kStack: 2, kRechunk: 4, kMatmul: 3, kTensordot: 2, kDot: 2, kMapBlocks: 3, kReuse: 2,
}

// Expr returns a random expression of a random shape, with operations
// nested up to depth levels.
func (g *Gen) Expr(depth int) Expr {
	return g.ExprOfShape(g.Shape(), depth)
}

// ExprOfShape returns a random expression of the given shape.
func (g *Gen) ExprOfShape(shape []int, depth int) Expr {
	b := &builder{g: g}
	e := b.build(shape, depth)
	g.subs = b.made
	return e
}

// Subexpressions returns every expression the latest Expr or ExprOfShape
// call built, operands before the operations that use them (the result
// itself last, unless it was reused from earlier). A test that finds the
// result wrong can check these in order to find the smallest wrong one.
func (g *Gen) Subexpressions() []Expr { return g.subs }

// builder holds the state of one expression under construction: the
// subexpressions built so far, which later operands may reuse (a shared
// subexpression is one node with several consumers).
type builder struct {
	g     *Gen
	made  []Expr
	nodes int // build calls so far, bounded by maxNodes
}

// maxNodes bounds the operations of one expression: operations with many
// operands (stack, concatenate, where) nested deeply would otherwise grow
// trees exponentially.
const maxNodes = 48

// pick returns an index drawn with the given weights.
func (b *builder) pick(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	r := b.g.rng.Intn(total)
	for i, w := range weights {
		if r < w {
			return i
		}
		r -= w
	}
	return 0
}

// build returns an expression of the given shape.
func (b *builder) build(shape []int, depth int) Expr {
	b.nodes++
	if depth <= 0 || chunk.Size(shape) > b.g.cfg.MaxElems || b.nodes > maxNodes {
		return b.leaf(shape)
	}
	for try := 0; try < 12; try++ {
		k := opKind(b.pick(kindWeights[:]))
		e, ok := b.buildKind(k, shape, depth)
		if !ok || e.Array.Err() != nil || !chunk.EqualInts(e.Array.Shape(), shape) {
			continue
		}
		b.made = append(b.made, e)
		return e
	}
	return b.leaf(shape)
}

// leaf returns a new random leaf; an invalid leaf is a bug of the
// generator, not of the code under test.
func (b *builder) leaf(shape []int) Expr {
	e := b.g.Leaf(shape)
	if e.Array.Err() != nil {
		panic(fmt.Sprintf("exprgen: leaf %s: %v", b.g.leaves[len(b.g.leaves)-1], e.Array.Err()))
	}
	b.made = append(b.made, e)
	return e
}

// fits reports whether an operand of shape s stays within the size bound
// and at most one axis above the rank bound.
func (b *builder) fits(s []int) bool {
	return chunk.Size(s) <= b.g.cfg.MaxElems && len(s) <= b.g.cfg.MaxRank+1
}

// roomFor reports whether an operand of rank r may get another axis.
func (b *builder) roomFor(r int) bool { return r <= b.g.cfg.MaxRank }

// buildKind tries to build an expression of the given shape with the
// operation k; false means k cannot make that shape.
func (b *builder) buildKind(k opKind, shape []int, depth int) (Expr, bool) {
	g := b.g
	rank := len(shape)
	sub := depth - 1
	switch k {
	case kLeaf:
		return b.leaf(shape), true
	case kReuse:
		for _, e := range b.made {
			if chunk.EqualInts(e.Array.Shape(), shape) && g.rng.Intn(2) == 0 {
				return e, true
			}
		}
		return Expr{}, false
	case kUnary:
		fn := ops.UnaryOp(1 + g.rng.Intn(int(ops.Reciprocal)))
		x := b.build(shape, sub)
		switch fn {
		case ops.Tan:
			x = tanOperand(x)
		case ops.Sin, ops.Cos:
			x = sinOperand(x)
		}
		return Expr{ndarray.Unary(fn, x.Array), fmt.Sprintf("%v(%s)", fn, x.Desc)}, true
	case kBinary:
		fn := ops.BinaryOp(1 + g.rng.Intn(int(ops.BitwiseXor)))
		var x, y Expr
		if g.rng.Intn(5) == 0 {
			x, y = b.build(shape, sub), b.scalar()
		} else {
			sx, sy := b.pairShapes(shape)
			x, y = b.build(sx, sub), b.build(sy, sub)
		}
		if g.rng.Intn(2) == 0 {
			x, y = y, x
		}
		if fn == ops.Pow {
			y = b.powExponent(x, y)
		}
		return Expr{ndarray.Binary(fn, x.Array, y.Array), fmt.Sprintf("%v(%s, %s)", fn, x.Desc, y.Desc)}, true
	case kWhere:
		c := b.operand(shape, sub, false)
		x := b.build(shape, sub)
		y := b.operand(shape, sub, true)
		if g.rng.Intn(2) == 0 {
			x, y = y, x
		}
		return Expr{ndarray.Where(c.Array, x.Array, y.Array), fmt.Sprintf("where(%s, %s, %s)", c.Desc, x.Desc, y.Desc)}, true
	case kClip:
		x := b.build(shape, sub)
		lo, hi := b.operand(shape, sub, true), b.operand(shape, sub, true)
		return Expr{ndarray.Clip(x.Array, lo.Array, hi.Array), fmt.Sprintf("clip(%s, %s, %s)", x.Desc, lo.Desc, hi.Desc)}, true
	case kAsType:
		dt := g.DType()
		x := b.build(shape, sub)
		return Expr{x.Array.AsType(dt), fmt.Sprintf("%s.astype(%s)", x.Desc, dt)}, true
	case kScan:
		if rank == 0 {
			return Expr{}, false
		}
		ax := g.rng.Intn(rank)
		if g.rng.Intn(2) == 0 {
			ax -= rank
		}
		x := b.build(shape, sub)
		if g.rng.Intn(2) == 0 {
			return Expr{x.Array.CumSum(ax), fmt.Sprintf("cumsum(%s, axis=%d)", x.Desc, ax)}, true
		}
		return Expr{x.Array.CumProd(ax), fmt.Sprintf("cumprod(%s, axis=%d)", x.Desc, ax)}, true
	case kTranspose:
		return b.transpose(shape, sub)
	case kSlice:
		return b.slice(shape, sub)
	case kExpandDims:
		var ones []int
		for i, n := range shape {
			if n == 1 {
				ones = append(ones, i)
			}
		}
		if len(ones) == 0 {
			return Expr{}, false
		}
		p := ones[g.rng.Intn(len(ones))]
		cs := append(append([]int{}, shape[:p]...), shape[p+1:]...)
		x := b.build(cs, sub)
		ax := p
		if g.rng.Intn(2) == 0 {
			ax = p - rank
		}
		return Expr{x.Array.ExpandDims(ax), fmt.Sprintf("expand_dims(%s, %d)", x.Desc, ax)}, true
	case kSqueeze:
		return b.squeeze(shape, sub)
	case kReshape:
		cs := b.factorShape(chunk.Size(shape))
		if cs == nil {
			return Expr{}, false
		}
		x := b.build(cs, sub)
		target := append([]int{}, shape...)
		if rank > 0 && chunk.Size(shape) > 0 && g.rng.Intn(3) == 0 {
			target[g.rng.Intn(rank)] = -1
		}
		return Expr{x.Array.Reshape(target...), fmt.Sprintf("%s.reshape(%v)", x.Desc, target)}, true
	case kReduce:
		return b.reduce(shape, sub)
	case kBroadcastTo:
		if rank == 0 {
			return Expr{}, false
		}
		cs := b.broadcastable(shape)
		x := b.build(cs, sub)
		return Expr{x.Array.BroadcastTo(shape...), fmt.Sprintf("broadcast_to(%s, %v)", x.Desc, shape)}, true
	case kConcat:
		return b.concat(shape, sub)
	case kStack:
		return b.stack(shape, sub)
	case kRechunk:
		x := b.build(shape, sub)
		spec := g.Spec(shape, x.Array.DType())
		return Expr{x.Array.Rechunk(spec), fmt.Sprintf("rechunk(%s, %s)", x.Desc, spec)}, true
	case kMatmul:
		return b.matmul(shape, sub)
	case kTensordot:
		return b.tensordot(shape, sub)
	case kDot:
		return b.dot(shape, sub)
	case kMapBlocks:
		return b.mapBlocks(shape, sub)
	}
	return Expr{}, false
}

// tanOperand works around a known ops bug: ops' tan of float64 is
// math.Tan, which is off by up to 2e4 ulp for |x| >= 2^29 (its large
// argument reduction keeps only float64 precision) and by up to 8 ulp for
// 1e-8 < |x| < 1e-7 (it returns x itself below 1e-7), where NumPy is
// within 1 ulp. Until that is fixed, tan's operands are kept within 1e6
// and tiny float values are replaced by 0, so that the rest of tan stays
// under test.
func tanOperand(x Expr) Expr {
	a := x.Array
	dt := a.DType()
	switch {
	case dt.IsFloat():
		a = ndarray.Clip(a, ndarray.Float(-1e6), ndarray.Float(1e6))
		a = ndarray.Where(a.Abs().Lt(ndarray.Float(1e-6)), ndarray.Float(0), a)
		return Expr{a, fmt.Sprintf("where(abs(clip(%s, -1e6, 1e6)) < 1e-6, 0, clip(...))", x.Desc)}
	case dt == chunk.Int32 || dt == chunk.Int64:
		a = ndarray.Clip(a, ndarray.Int(-1e6), ndarray.Int(1e6))
		return Expr{a, fmt.Sprintf("clip(%s, -1000000, 1000000)", x.Desc)}
	case dt == chunk.Uint32 || dt == chunk.Uint64:
		a = a.Minimum(ndarray.Int(1e6))
		return Expr{a, fmt.Sprintf("minimum(%s, 1000000)", x.Desc)}
	}
	return x
}

// sinOperand works around a known ops bug: for |x| > 2^30 ops' sin and
// cos fall back to math.Sin and math.Cos, whose Payne-Hanek reduction keeps
// only float64 precision of the reduced argument (up to 1537 ulp off for
// sin, 162 for cos, measured against mpmath; NumPy is within 1 ulp).
// Until that is fixed, their operands are kept within 2^29.
func sinOperand(x Expr) Expr {
	a := x.Array
	dt := a.DType()
	switch {
	case dt.IsFloat():
		a = ndarray.Clip(a, ndarray.Float(-0x1p29), ndarray.Float(0x1p29))
	case dt == chunk.Int32 || dt == chunk.Int64:
		a = ndarray.Clip(a, ndarray.Int(-1<<29), ndarray.Int(1<<29))
	case dt == chunk.Uint32 || dt == chunk.Uint64:
		a = a.Minimum(ndarray.Int(1 << 29))
	default:
		return x
	}
	return Expr{a, fmt.Sprintf("clip(%s, -2**29, 2**29)", x.Desc)}
}

// powExponent works around a known ops bug: ops' float64 power is
// math.Pow, which is off by up to 6e4 ulp for large exponents (79 ulp for
// 3.152080853201245**168; NumPy is within 1 ulp) and within 1.3 ulp only
// for exponents -2..3 and +-0.5. Until that is fixed, a float64 power gets
// its exponent rounded and clipped to -2..3 (float32 results round the
// error away and integer powers are exact, so they keep any exponent).
func (b *builder) powExponent(x, y Expr) Expr {
	if ndarray.Binary(ops.Pow, x.Array, y.Array).DType() != chunk.Float64 {
		return y
	}
	if _, isConst := y.Array.Node().Op().(*ndarray.OpConst); isConst && y.Array.Rank() == 0 {
		v := []float64{-2, -1, -0.5, 0, 0.5, 1, 2, 3}[b.g.rng.Intn(8)]
		return Expr{ndarray.Float(v), fmt.Sprint(v)}
	}
	if y.Array.DType().IsUnsigned() {
		return Expr{y.Array.Minimum(ndarray.Int(3)), fmt.Sprintf("minimum(%s, 3)", y.Desc)}
	}
	a := ndarray.Clip(y.Array.Round(), ndarray.Int(-2), ndarray.Int(3))
	return Expr{a, fmt.Sprintf("clip(round(%s), -2, 3)", y.Desc)}
}

// operand returns the second operand of a broadcasting operation whose
// result has shape: an untyped or typed scalar, or an expression of a
// shape that broadcasts to shape (leading axes dropped, some axes 1).
func (b *builder) operand(shape []int, depth int, scalars bool) Expr {
	g := b.g
	if scalars && g.rng.Intn(4) == 0 {
		return b.scalar()
	}
	return b.build(b.broadcastable(shape), depth)
}

// pairShapes returns two shapes that broadcast together to shape, both
// possibly stretched on some axes ((3, 1) with (1, 4) gives (3, 4)) and
// with fewer leading axes.
func (b *builder) pairShapes(shape []int) ([]int, []int) {
	g := b.g
	r := len(shape)
	sx, sy := append([]int{}, shape...), append([]int{}, shape...)
	for a := range shape {
		switch g.rng.Intn(6) {
		case 0:
			sx[a] = 1
		case 1:
			sy[a] = 1
		}
	}
	// Drop leading length-1 axes of one operand.
	trim := func(s []int) []int {
		k := 0
		for k < r && s[k] == 1 && g.rng.Intn(2) == 0 {
			k++
		}
		return s[k:]
	}
	if g.rng.Intn(2) == 0 {
		return trim(sx), sy
	}
	return sx, trim(sy)
}

// broadcastable returns a shape that broadcasts to shape.
func (b *builder) broadcastable(shape []int) []int {
	g := b.g
	drop := 0
	if len(shape) > 0 && g.rng.Intn(3) == 0 {
		drop = g.rng.Intn(len(shape) + 1)
	}
	s := append([]int{}, shape[drop:]...)
	for i := range s {
		if g.rng.Intn(4) == 0 {
			s[i] = 1
		}
	}
	return s
}

// scalar returns an untyped (weak) or typed scalar.
func (b *builder) scalar() Expr {
	g := b.g
	switch g.rng.Intn(6) {
	case 0, 1:
		v := g.floatValue(profSpecial, 2)
		if g.rng.Intn(2) == 0 {
			v = float64(g.rng.Intn(7)-3) * 0.5
		}
		return Expr{ndarray.Float(v), fmt.Sprintf("%v", v)}
	case 2, 3:
		v := int64(g.rng.Intn(11) - 5)
		if g.rng.Intn(8) == 0 {
			v = []int64{127, -128, 255, 1 << 40, math.MinInt64, math.MaxInt64}[g.rng.Intn(6)]
		}
		return Expr{ndarray.Int(v), fmt.Sprintf("%d", v)}
	case 4:
		v := g.rng.Intn(2) == 0
		return Expr{ndarray.BoolScalar(v), fmt.Sprintf("%v", v)}
	}
	dt := g.DType()
	v := float64(g.rng.Intn(9) - 4)
	if dt.IsFloat() {
		v = g.floatValue(profSpecial, 1)
	} else if dt.IsUnsigned() {
		v = math.Abs(v)
	}
	return Expr{ndarray.Scalar(dt, v), fmt.Sprintf("%s(%v)", dt, v)}
}

// transpose builds a Transpose, T or SwapAxes whose result has the wanted
// shape.
func (b *builder) transpose(shape []int, depth int) (Expr, bool) {
	g := b.g
	rank := len(shape)
	perm := g.rng.Perm(rank)
	style := g.rng.Intn(3)
	if style == 1 {
		for i := range perm {
			perm[i] = rank - 1 - i
		}
	}
	if style == 2 {
		if rank < 2 {
			return Expr{}, false
		}
		i, j := g.rng.Intn(rank), g.rng.Intn(rank)
		for k := range perm {
			perm[k] = k
		}
		perm[i], perm[j] = j, i
		cs := make([]int, rank)
		for a, p := range perm {
			cs[p] = shape[a]
		}
		x := b.build(cs, depth)
		ii, jj := i, j
		if g.rng.Intn(2) == 0 {
			ii -= rank
		}
		return Expr{x.Array.SwapAxes(ii, jj), fmt.Sprintf("swapaxes(%s, %d, %d)", x.Desc, ii, jj)}, true
	}
	cs := make([]int, rank)
	for a, p := range perm {
		cs[p] = shape[a]
	}
	x := b.build(cs, depth)
	if style == 1 {
		return Expr{x.Array.T(), fmt.Sprintf("%s.T", x.Desc)}, true
	}
	arg := append([]int{}, perm...)
	for i := range arg {
		if g.rng.Intn(3) == 0 {
			arg[i] -= rank
		}
	}
	return Expr{x.Array.Transpose(arg...), fmt.Sprintf("transpose(%s, %v)", x.Desc, arg)}, true
}

// slice builds x[idx...] of the wanted shape: every result axis is a span
// (with a step, possibly negative) of a longer operand axis or a NewAxis;
// integer indices drop extra operand axes; a run of whole axes may become
// an Ellipsis and trailing whole axes may be left out.
func (b *builder) slice(shape []int, depth int) (Expr, bool) {
	g := b.g
	var idx []ndarray.Index
	var cs []int
	whole := []bool{} // per idx entry: a whole-axis span
	addAt := func() {
		if !b.roomFor(len(cs) + len(shape)) {
			return
		}
		n := 1 + g.rng.Intn(4)
		i := g.rng.Intn(2*n) - n
		idx = append(idx, ndarray.At(i))
		cs = append(cs, n)
		whole = append(whole, false)
	}
	for _, n := range shape {
		if g.rng.Intn(6) == 0 {
			addAt()
		}
		if n == 1 && g.rng.Intn(4) == 0 {
			idx = append(idx, ndarray.NewAxis())
			whole = append(whole, false)
			continue
		}
		steps := []int{1, 1, 1, 2, 3, -1, -1, -2}
		st := steps[g.rng.Intn(len(steps))]
		if n == 0 {
			c := g.rng.Intn(4)
			// An empty selection: start at or past stop.
			start := g.rng.Intn(c + 1)
			stop := start
			if st < 0 {
				stop = start + g.rng.Intn(2)
			}
			idx = append(idx, ndarray.Span(start, stop, st))
			cs = append(cs, c)
			whole = append(whole, false)
			continue
		}
		span := abs(st)*(n-1) + 1
		pre, post := g.rng.Intn(3), g.rng.Intn(3)
		c := span + pre + post
		var start, stop int
		if st > 0 {
			start, stop = pre, pre+span
		} else {
			start, stop = c-1-post, c-1-post-span
		}
		startArg, stopArg := start, stop
		if st > 0 && pre == 0 && g.rng.Intn(2) == 0 {
			startArg = ndarray.Omit
		}
		if st > 0 && stop == c && g.rng.Intn(2) == 0 {
			stopArg = ndarray.Omit
		}
		if st < 0 && start == c-1 && g.rng.Intn(2) == 0 {
			startArg = ndarray.Omit
		}
		if st < 0 && stop < 0 {
			stopArg = ndarray.Omit // -1 would count from the end
		}
		if startArg != ndarray.Omit && g.rng.Intn(3) == 0 {
			startArg -= c
		}
		if stopArg != ndarray.Omit && stopArg >= 0 && g.rng.Intn(3) == 0 {
			stopArg -= c
		}
		if st > 0 && stopArg != ndarray.Omit && g.rng.Intn(5) == 0 && stop == c {
			stopArg = c + 5 // past the end is clipped
		}
		stepArg := st
		if st == 1 && g.rng.Intn(2) == 0 {
			stepArg = ndarray.Omit
		}
		idx = append(idx, ndarray.Span(startArg, stopArg, stepArg))
		cs = append(cs, c)
		whole = append(whole, st == 1 && pre == 0 && post == 0 && startArg == ndarray.Omit && stopArg == ndarray.Omit)
	}
	if g.rng.Intn(6) == 0 {
		addAt()
	}
	if !b.fits(cs) {
		return Expr{}, false
	}
	// Replace a run of whole spans by an Ellipsis, or drop trailing ones.
	if g.rng.Intn(3) == 0 {
		lo := g.rng.Intn(len(idx) + 1)
		hi := lo
		for hi < len(idx) && whole[hi] {
			hi++
		}
		idx = append(append(append([]ndarray.Index{}, idx[:lo]...), ndarray.Ellipsis()), idx[hi:]...)
	} else if g.rng.Intn(2) == 0 {
		for len(idx) > 0 && whole[len(idx)-1] {
			idx, whole = idx[:len(idx)-1], whole[:len(whole)-1]
		}
	}
	x := b.build(cs, depth)
	parts := make([]string, len(idx))
	for i, ix := range idx {
		parts[i] = ix.String()
	}
	return Expr{x.Array.Slice(idx...), fmt.Sprintf("%s[%s]", x.Desc, strings.Join(parts, ", "))}, true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// squeeze builds a Squeeze of an operand with extra length-1 axes.
func (b *builder) squeeze(shape []int, depth int) (Expr, bool) {
	g := b.g
	if !b.roomFor(len(shape)) {
		return Expr{}, false
	}
	hasOne := false
	for _, n := range shape {
		hasOne = hasOne || n == 1
	}
	// Insert 1 to 2 length-1 axes at random places.
	cs := append([]int{}, shape...)
	var at []int
	for k := 0; k < 1+g.rng.Intn(2); k++ {
		p := g.rng.Intn(len(cs) + 1)
		cs = append(append(append([]int{}, cs[:p]...), 1), cs[p:]...)
		for i := range at {
			if at[i] >= p {
				at[i]++
			}
		}
		at = append(at, p)
	}
	x := b.build(cs, depth)
	if !hasOne && g.rng.Intn(2) == 0 {
		return Expr{x.Array.Squeeze(), fmt.Sprintf("squeeze(%s)", x.Desc)}, true
	}
	args := append([]int{}, at...)
	for i := range args {
		if g.rng.Intn(2) == 0 {
			args[i] -= len(cs)
		}
	}
	return Expr{x.Array.Squeeze(args...), fmt.Sprintf("squeeze(%s, %v)", x.Desc, args)}, true
}

// factorShape returns a random shape of n elements (rank 0..MaxRank).
func (b *builder) factorShape(n int) []int {
	g := b.g
	rank := g.rng.Intn(g.cfg.MaxRank + 1)
	if n == 0 {
		if rank == 0 {
			rank = 1
		}
		s := make([]int, rank)
		for i := range s {
			s[i] = g.rng.Intn(4)
		}
		s[g.rng.Intn(rank)] = 0
		return s
	}
	if rank == 0 {
		if n == 1 {
			return []int{}
		}
		rank = 1
	}
	s := make([]int, rank)
	for i := range s {
		s[i] = 1
	}
	left := n
	for p := 2; left > 1; {
		if left%p == 0 {
			s[g.rng.Intn(rank)] *= p
			left /= p
			continue
		}
		p++
		if p*p > left {
			p = left
		}
	}
	return s
}

// reduce builds a reduction whose result has the wanted shape: its operand
// has extra (reduced) axes, or with keepdims the result's length-1 axes are
// longer in the operand.
func (b *builder) reduce(shape []int, depth int) (Expr, bool) {
	g := b.g
	fn := ops.ReduceOp(1 + g.rng.Intn(int(ops.NanMax)))
	keep := g.rng.Intn(3) == 0
	var cs []int
	var red []int // reduced operand axes
	if keep {
		for i, n := range shape {
			cs = append(cs, n)
			if n == 1 && g.rng.Intn(2) == 0 {
				cs[i] = g.axisLen(len(shape))
				red = append(red, i)
			}
		}
		if len(red) == 0 && len(shape) > 0 {
			return Expr{}, false
		}
	} else {
		cs = append([]int{}, shape...)
		for k := 0; k < 1+g.rng.Intn(2) && b.roomFor(len(cs)); k++ {
			p := g.rng.Intn(len(cs) + 1)
			cs = append(append(append([]int{}, cs[:p]...), g.axisLen(len(cs))), cs[p:]...)
			for i := range red {
				if red[i] >= p {
					red[i]++
				}
			}
			red = append(red, p)
		}
	}
	if fn == ops.ArgMin || fn == ops.ArgMax {
		if len(red) > 1 && len(red) != len(cs) {
			return Expr{}, false
		}
	}
	if !b.fits(cs) {
		return Expr{}, false
	}
	var opts []ndarray.ReduceOption
	var desc []string
	all := len(red) == len(cs)
	if !all || g.rng.Intn(2) == 0 {
		args := append([]int{}, red...)
		g.rng.Shuffle(len(args), func(i, j int) { args[i], args[j] = args[j], args[i] })
		for i := range args {
			if g.rng.Intn(3) == 0 {
				args[i] -= len(cs)
			}
		}
		if (fn == ops.ArgMin || fn == ops.ArgMax) && len(args) > 1 {
			args = nil
		} else {
			opts = append(opts, ndarray.Axes(args...))
			desc = append(desc, fmt.Sprintf("axis=%v", args))
		}
	}
	if keep {
		opts = append(opts, ndarray.KeepDims())
		desc = append(desc, "keepdims=True")
	}
	if fn == ops.Var || fn == ops.Std || fn == ops.NanVar || fn == ops.NanStd {
		d := g.rng.Intn(3)
		opts = append(opts, ndarray.Ddof(d))
		desc = append(desc, fmt.Sprintf("ddof=%d", d))
	}
	if g.rng.Intn(3) == 0 {
		s := 2 + g.rng.Intn(7)
		opts = append(opts, ndarray.SplitEvery(s))
		desc = append(desc, fmt.Sprintf("split_every=%d", s))
	}
	x := b.build(cs, depth)
	d := x.Desc
	if len(desc) > 0 {
		d += ", " + strings.Join(desc, ", ")
	}
	return Expr{ndarray.Reduce(fn, x.Array, opts...), fmt.Sprintf("%v(%s)", fn, d)}, true
}

// concat builds a Concatenate of 1 to 3 parts along a random axis.
func (b *builder) concat(shape []int, depth int) (Expr, bool) {
	g := b.g
	rank := len(shape)
	if rank == 0 {
		return Expr{}, false
	}
	ax := g.rng.Intn(rank)
	parts := 1 + g.rng.Intn(3)
	lens := make([]int, parts)
	left := shape[ax]
	for i := 0; i < parts-1; i++ {
		lens[i] = g.rng.Intn(left + 1)
		left -= lens[i]
	}
	lens[parts-1] = left
	var arrs []ndarray.Array
	var descs []string
	for _, n := range lens {
		cs := append([]int{}, shape...)
		cs[ax] = n
		x := b.build(cs, depth)
		arrs = append(arrs, x.Array)
		descs = append(descs, x.Desc)
	}
	arg := ax
	if g.rng.Intn(2) == 0 {
		arg -= rank
	}
	return Expr{ndarray.Concatenate(arrs, arg), fmt.Sprintf("concatenate([%s], axis=%d)", strings.Join(descs, ", "), arg)}, true
}

// stack builds a Stack of as many operands as the new axis is long.
func (b *builder) stack(shape []int, depth int) (Expr, bool) {
	g := b.g
	rank := len(shape)
	if rank == 0 {
		return Expr{}, false
	}
	ax := g.rng.Intn(rank)
	if shape[ax] < 1 || shape[ax] > 4 {
		return Expr{}, false
	}
	cs := append(append([]int{}, shape[:ax]...), shape[ax+1:]...)
	var arrs []ndarray.Array
	var descs []string
	for i := 0; i < shape[ax]; i++ {
		x := b.build(cs, depth)
		arrs = append(arrs, x.Array)
		descs = append(descs, x.Desc)
	}
	arg := ax
	if g.rng.Intn(2) == 0 {
		arg -= rank
	}
	return Expr{ndarray.Stack(arrs, arg), fmt.Sprintf("stack([%s], axis=%d)", strings.Join(descs, ", "), arg)}, true
}

// innerLen draws the length of a contracted axis.
func (b *builder) innerLen() int {
	if b.g.rng.Intn(10) == 0 {
		return 0
	}
	return 1 + b.g.rng.Intn(12)
}

// matmul builds a Matmul (vector and batched cases included) of the wanted
// shape.
func (b *builder) matmul(shape []int, depth int) (Expr, bool) {
	g := b.g
	rank := len(shape)
	k := b.innerLen()
	var as, bs []int
	switch {
	case rank == 0:
		as, bs = []int{k}, []int{k}
	case rank == 1 && g.rng.Intn(2) == 0:
		as, bs = []int{k}, []int{k, shape[0]}
	case rank == 1:
		as, bs = []int{shape[0], k}, []int{k}
	default:
		batch := shape[:rank-2]
		m, n := shape[rank-2], shape[rank-1]
		as = append(b.broadcastable(batch), m, k)
		bs = append(b.broadcastable(batch), k, n)
		if g.rng.Intn(2) == 0 {
			as = append(append([]int{}, batch...), m, k)
		} else {
			bs = append(append([]int{}, batch...), k, n)
		}
	}
	// Matmul broadcasts both operands to the full batch shape.
	batchSize := 1
	if rank > 2 {
		batchSize = chunk.Size(shape[:rank-2])
	}
	if !b.fits(as) || !b.fits(bs) || batchSize*max(chunk.Size(as[max(len(as)-2, 0):]), chunk.Size(bs[max(len(bs)-2, 0):])) > g.cfg.MaxElems ||
		chunk.Size(shape)*max(k, 1) > 4*g.cfg.MaxElems {
		return Expr{}, false
	}
	x, y := b.build(as, depth), b.build(bs, depth)
	return Expr{ndarray.Matmul(x.Array, y.Array), fmt.Sprintf("matmul(%s, %s)", x.Desc, y.Desc)}, true
}

// tensordot builds a Tensordot over 0 to 2 paired axes placed at random
// positions of its operands.
func (b *builder) tensordot(shape []int, depth int) (Expr, bool) {
	g := b.g
	rank := len(shape)
	split := g.rng.Intn(rank + 1)
	fa, fb := shape[:split], shape[split:]
	nc := g.rng.Intn(3)
	if !b.roomFor(len(fa)+nc-1) || !b.roomFor(len(fb)+nc-1) {
		return Expr{}, false
	}
	con := make([]int, nc)
	for i := range con {
		con[i] = b.innerLen()
	}
	// Place the contracted axes at random positions of each operand.
	place := func(free []int) ([]int, []int) {
		s := append([]int{}, free...)
		pos := make([]int, nc)
		for i := range con {
			p := g.rng.Intn(len(s) + 1)
			s = append(append(append([]int{}, s[:p]...), con[i]), s[p:]...)
			for j := 0; j < i; j++ {
				if pos[j] >= p {
					pos[j]++
				}
			}
			pos[i] = p
		}
		return s, pos
	}
	as, ap := place(fa)
	bs, bp := place(fb)
	work := chunk.Size(shape)
	for _, c := range con {
		work *= max(c, 1)
	}
	if !b.fits(as) || !b.fits(bs) || work > 4*g.cfg.MaxElems {
		return Expr{}, false
	}
	for i := range ap {
		if g.rng.Intn(3) == 0 {
			ap[i] -= len(as)
		}
		if g.rng.Intn(3) == 0 {
			bp[i] -= len(bs)
		}
	}
	x, y := b.build(as, depth), b.build(bs, depth)
	return Expr{ndarray.Tensordot(x.Array, y.Array, ap, bp), fmt.Sprintf("tensordot(%s, %s, axes=(%v, %v))", x.Desc, y.Desc, ap, bp)}, true
}

// dot builds a Dot: a scalar product, a vector operand, or the general
// case.
func (b *builder) dot(shape []int, depth int) (Expr, bool) {
	g := b.g
	rank := len(shape)
	k := b.innerLen()
	var as, bs []int
	switch r := g.rng.Intn(3); {
	case r == 0:
		// A scalar operand: a product.
		as, bs = []int{}, shape
	case r == 1 || rank == 0:
		// b a vector: sum over a's last axis.
		as, bs = append(append([]int{}, shape...), k), []int{k}
	default:
		// b of rank >= 2: a's last axis with b's second-to-last; the
		// result is a's other axes, then b's other axes.
		split := g.rng.Intn(rank)
		as = append(append([]int{}, shape[:split]...), k)
		bs = append(append(append([]int{}, shape[split:rank-1]...), k), shape[rank-1])
	}
	if !b.fits(as) || !b.fits(bs) || chunk.Size(shape)*max(k, 1) > 4*g.cfg.MaxElems {
		return Expr{}, false
	}
	x, y := b.build(as, depth), b.build(bs, depth)
	if g.rng.Intn(2) == 0 && len(as) == 0 {
		x, y = y, x
	}
	return Expr{ndarray.Dot(x.Array, y.Array), fmt.Sprintf("dot(%s, %s)", x.Desc, y.Desc)}, true
}
