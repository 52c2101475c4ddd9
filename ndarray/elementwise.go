package ndarray

import (
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ops"
)

// BroadcastShapes returns the shape NumPy's broadcasting gives the shapes:
// aligned at the trailing axis, each axis equal or 1.
func BroadcastShapes(shapes ...[]int) ([]int, error) {
	rank := 0
	for _, s := range shapes {
		rank = max(rank, len(s))
	}
	out := make([]int, rank)
	for i := range out {
		out[i] = 1
	}
	for _, s := range shapes {
		off := rank - len(s)
		for i, n := range s {
			switch {
			case out[off+i] == n || n == 1:
			case out[off+i] == 1:
				out[off+i] = n
			default:
				return nil, fmt.Errorf("ndarray: shapes %v do not broadcast: %w", shapes, chunk.ErrShape)
			}
		}
	}
	return out, nil
}

// unifiedGrid chooses the grid of an elementwise result of shape out. On
// each axis it keeps the chunks of the largest operand not broadcast along
// it, and takes the common refinement (Dask's unify_chunks) when several
// operands of that largest size disagree. Keeping the large operand's
// blocks matters: refining x's (8, 1000, 1000) file blocks by a small
// mean's (1, 8, 1000) would cut the work into thousands of tiny tasks, and
// fused tasks read any operand at any region, so nothing needs aligning.
func unifiedGrid(out []int, inputs []*Node) (chunk.Grid, error) {
	chunks := make([][]int, len(out))
	for ax := range out {
		var cands [][]int
		var best int64 = -1
		for _, in := range inputs {
			off := len(out) - in.grid.Rank()
			if ax < off || in.Shape()[ax-off] != out[ax] {
				continue
			}
			size := int64(chunk.Size(in.Shape())) * int64(in.dtype.Size())
			switch {
			case size > best:
				best, cands = size, [][]int{in.grid.AxisChunks(ax - off)}
			case size == best:
				cands = append(cands, in.grid.AxisChunks(ax-off))
			}
		}
		if len(cands) == 0 {
			cands = [][]int{{out[ax]}}
		}
		chunks[ax] = chunk.UnifyChunks(cands...)
	}
	return chunk.NewGrid(out, chunks)
}

// castNode converts n to dt, folding constants.
func castNode(n *Node, dt chunk.DType) *Node {
	if n.dtype == dt {
		return n
	}
	if c, ok := n.op.(*OpConst); ok {
		// Fold the cast with the same kernel arrays use, so a constant
		// converts exactly as an array element would.
		buf := make([]byte, 8)
		ops.Cast(n.dtype, dt)(buf[:dt.Size()], c.Raw)
		return newNode(newConst(dt, buf), dt, n.grid)
	}
	return newNode(&OpCast{}, dt, n.grid, n)
}

// broadcastNode expands n to shape with grid g.
func broadcastNode(n *Node, g chunk.Grid) *Node {
	if chunk.EqualInts(n.Shape(), g.Shape()) {
		return n
	}
	if c, ok := n.op.(*OpConst); ok {
		return newNode(newConst(n.dtype, c.Raw), n.dtype, g)
	}
	return newNode(&OpBroadcast{}, n.dtype, g, n)
}

// operandTypes applies the weak-scalar rule and returns the dtypes the
// operands take part in the operation with.
func operandTypes(arrays ...Array) []chunk.DType {
	dts := make([]chunk.DType, len(arrays))
	strong := chunk.Invalid
	for _, a := range arrays {
		if a.isWeak {
			continue
		}
		if strong == chunk.Invalid {
			strong = a.n.dtype
		} else {
			strong = chunk.Promote(strong, a.n.dtype)
		}
	}
	for i, a := range arrays {
		switch {
		case !a.isWeak:
			dts[i] = a.n.dtype
		case strong != chunk.Invalid:
			dts[i] = chunk.PromoteScalar(strong, a.weak)
		default:
			dts[i] = a.n.dtype
		}
	}
	return dts
}

// allWeak reports whether every operand is an untyped scalar, and the
// strongest kind among them.
func allWeak(arrays ...Array) (chunk.ScalarKind, bool) {
	k := chunk.BoolScalar
	for _, a := range arrays {
		if !a.isWeak {
			return 0, false
		}
		k = max(k, a.weak)
	}
	return k, true
}

// Unary applies an elementwise function.
func Unary(fn ops.UnaryOp, a Array) Array {
	if err := a.Err(); err != nil {
		return fail(err)
	}
	loop, out, err := ops.UnaryTypes(fn, a.n.dtype)
	if err != nil {
		return fail(fmt.Errorf("ndarray: %s: %w", fn, err))
	}
	in := castNode(a.n, loop)
	return wrap(newNode(&OpUnary{Fn: fn}, out, in.grid, in))
}

// Binary applies an elementwise function of two arrays with NumPy
// broadcasting and type promotion (untyped scalars are weak).
func Binary(fn ops.BinaryOp, a, b Array) Array {
	if err := firstErr(a, b); err != nil {
		return fail(err)
	}
	dts := operandTypes(a, b)
	loop, out, err := ops.BinaryTypes(fn, dts[0], dts[1])
	if err != nil {
		return fail(fmt.Errorf("ndarray: %s(%s, %s): %w", fn, dts[0], dts[1], err))
	}
	shape, err := BroadcastShapes(a.n.Shape(), b.n.Shape())
	if err != nil {
		return fail(fmt.Errorf("ndarray: %s: %w", fn, err))
	}
	g, err := unifiedGrid(shape, []*Node{a.n, b.n})
	if err != nil {
		return fail(fmt.Errorf("ndarray: %s: %w", fn, err))
	}
	an := broadcastNode(castNode(a.n, loop), g)
	bn := broadcastNode(castNode(b.n, loop), g)
	res := wrap(newNode(&OpBinary{Fn: fn}, out, g, an, bn))
	if k, ok := allWeak(a, b); ok {
		res.isWeak, res.weak = true, k
		if out == chunk.Bool {
			res.weak = chunk.BoolScalar
		} else if out.IsFloat() {
			res.weak = chunk.FloatScalar
		}
	}
	return res
}

// Where selects elements of a where cond is true and of b elsewhere, with
// broadcasting (numpy.where). cond is taken by truthiness.
func Where(cond, a, b Array) Array {
	if err := firstErr(cond, a, b); err != nil {
		return fail(err)
	}
	dts := operandTypes(a, b)
	dt := chunk.Promote(dts[0], dts[1])
	shape, err := BroadcastShapes(cond.n.Shape(), a.n.Shape(), b.n.Shape())
	if err != nil {
		return fail(fmt.Errorf("ndarray: where: %w", err))
	}
	g, err := unifiedGrid(shape, []*Node{cond.n, a.n, b.n})
	if err != nil {
		return fail(fmt.Errorf("ndarray: where: %w", err))
	}
	c := cond.n
	if c.dtype != chunk.Bool {
		c = newNode(&OpUnary{Fn: ops.LogicalNot}, chunk.Bool, c.grid, c)
		c = newNode(&OpUnary{Fn: ops.LogicalNot}, chunk.Bool, c.grid, c)
	}
	return wrap(newNode(&OpWhere{}, dt, g, broadcastNode(c, g), broadcastNode(castNode(a.n, dt), g), broadcastNode(castNode(b.n, dt), g)))
}

// AsType converts the elements to dt with NumPy's astype semantics.
func (a Array) AsType(dt chunk.DType) Array {
	if err := a.Err(); err != nil {
		return fail(err)
	}
	if !dt.Valid() {
		return fail(fmt.Errorf("ndarray: astype %s: %w", dt, chunk.ErrDType))
	}
	return wrap(castNode(a.n, dt))
}

// Clip limits values to [lo, hi] (numpy.clip: minimum(maximum(a, lo), hi)).
func Clip(a, lo, hi Array) Array { return Binary(ops.Minimum, Binary(ops.Maximum, a, lo), hi) }

// Arctan2 is the elementwise arctangent of a/b choosing the quadrant.
func Arctan2(a, b Array) Array { return Binary(ops.Arctan2, a, b) }

// Neg returns -a.
func (a Array) Neg() Array { return Unary(ops.Neg, a) }

// Abs returns |a|.
func (a Array) Abs() Array { return Unary(ops.Abs, a) }

// Sqrt returns the square root.
func (a Array) Sqrt() Array { return Unary(ops.Sqrt, a) }

// Exp returns e**a.
func (a Array) Exp() Array { return Unary(ops.Exp, a) }

// Expm1 returns e**a - 1, accurate near 0.
func (a Array) Expm1() Array { return Unary(ops.Expm1, a) }

// Log returns the natural logarithm.
func (a Array) Log() Array { return Unary(ops.Log, a) }

// Log1p returns log(1 + a), accurate near 0.
func (a Array) Log1p() Array { return Unary(ops.Log1p, a) }

// Log10 returns the base-10 logarithm.
func (a Array) Log10() Array { return Unary(ops.Log10, a) }

// Sin returns the sine.
func (a Array) Sin() Array { return Unary(ops.Sin, a) }

// Cos returns the cosine.
func (a Array) Cos() Array { return Unary(ops.Cos, a) }

// Tan returns the tangent.
func (a Array) Tan() Array { return Unary(ops.Tan, a) }

// Arcsin returns the inverse sine.
func (a Array) Arcsin() Array { return Unary(ops.Arcsin, a) }

// Arccos returns the inverse cosine.
func (a Array) Arccos() Array { return Unary(ops.Arccos, a) }

// Arctan returns the inverse tangent.
func (a Array) Arctan() Array { return Unary(ops.Arctan, a) }

// Sinh returns the hyperbolic sine.
func (a Array) Sinh() Array { return Unary(ops.Sinh, a) }

// Cosh returns the hyperbolic cosine.
func (a Array) Cosh() Array { return Unary(ops.Cosh, a) }

// Tanh returns the hyperbolic tangent.
func (a Array) Tanh() Array { return Unary(ops.Tanh, a) }

// Floor rounds toward -Inf.
func (a Array) Floor() Array { return Unary(ops.Floor, a) }

// Ceil rounds toward +Inf.
func (a Array) Ceil() Array { return Unary(ops.Ceil, a) }

// Round rounds half to even, as numpy.round.
func (a Array) Round() Array { return Unary(ops.Round, a) }

// Sign returns -1, 0 or 1 (NaN for NaN).
func (a Array) Sign() Array { return Unary(ops.Sign, a) }

// IsNaN tests for NaN.
func (a Array) IsNaN() Array { return Unary(ops.IsNaN, a) }

// IsInf tests for ±Inf.
func (a Array) IsInf() Array { return Unary(ops.IsInf, a) }

// IsFinite tests for neither NaN nor ±Inf.
func (a Array) IsFinite() Array { return Unary(ops.IsFinite, a) }

// LogicalNot returns the boolean negation of a's truthiness.
func (a Array) LogicalNot() Array { return Unary(ops.LogicalNot, a) }

// Invert is NumPy's ~: bitwise not of integers, logical not of bools.
func (a Array) Invert() Array { return Unary(ops.Invert, a) }

// Square returns a*a.
func (a Array) Square() Array { return Unary(ops.Square, a) }

// Add returns a + b.
func (a Array) Add(b Array) Array { return Binary(ops.Add, a, b) }

// Sub returns a - b.
func (a Array) Sub(b Array) Array { return Binary(ops.Sub, a, b) }

// Mul returns a * b.
func (a Array) Mul(b Array) Array { return Binary(ops.Mul, a, b) }

// Div returns a / b (true division: integers give float64).
func (a Array) Div(b Array) Array { return Binary(ops.Div, a, b) }

// FloorDiv returns a // b.
func (a Array) FloorDiv(b Array) Array { return Binary(ops.FloorDiv, a, b) }

// Mod returns a % b with the sign of b (numpy.remainder).
func (a Array) Mod(b Array) Array { return Binary(ops.Mod, a, b) }

// Pow returns a ** b.
func (a Array) Pow(b Array) Array { return Binary(ops.Pow, a, b) }

// Minimum returns the elementwise minimum, propagating NaN.
func (a Array) Minimum(b Array) Array { return Binary(ops.Minimum, a, b) }

// Maximum returns the elementwise maximum, propagating NaN.
func (a Array) Maximum(b Array) Array { return Binary(ops.Maximum, a, b) }

// Eq returns a == b.
func (a Array) Eq(b Array) Array { return Binary(ops.Equal, a, b) }

// Ne returns a != b.
func (a Array) Ne(b Array) Array { return Binary(ops.NotEqual, a, b) }

// Lt returns a < b.
func (a Array) Lt(b Array) Array { return Binary(ops.Less, a, b) }

// Le returns a <= b.
func (a Array) Le(b Array) Array { return Binary(ops.LessEqual, a, b) }

// Gt returns a > b.
func (a Array) Gt(b Array) Array { return Binary(ops.Greater, a, b) }

// Ge returns a >= b.
func (a Array) Ge(b Array) Array { return Binary(ops.GreaterEqual, a, b) }

// LogicalAnd returns the truthiness of a and b.
func (a Array) LogicalAnd(b Array) Array { return Binary(ops.LogicalAnd, a, b) }

// LogicalOr returns the truthiness of a or b.
func (a Array) LogicalOr(b Array) Array { return Binary(ops.LogicalOr, a, b) }

// LogicalXor returns the truthiness of a xor b.
func (a Array) LogicalXor(b Array) Array { return Binary(ops.LogicalXor, a, b) }

// And is NumPy's &: bitwise and of integers, logical and of bools.
func (a Array) And(b Array) Array { return Binary(ops.BitwiseAnd, a, b) }

// Or is NumPy's |.
func (a Array) Or(b Array) Array { return Binary(ops.BitwiseOr, a, b) }

// Xor is NumPy's ^.
func (a Array) Xor(b Array) Array { return Binary(ops.BitwiseXor, a, b) }
