package expr

import (
	"math"
	"sort"
	"strings"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/ops"
)

// Signatures shared by several builtins, with NumPy's parameter order so
// positional arguments mean what they mean in NumPy.
const (
	sumSig   = "a, axis=, dtype:d=, out=, keepdims=, split_every="
	varSig   = "a, axis=, dtype:d=, out=, ddof=, keepdims=, split_every="
	minSig   = "a, axis=, out=, keepdims=, split_every="
	countSig = "a, axis=, keepdims=, split_every="
	scanSig  = "a, axis=, dtype:d=, out="
)

func init() {
	// Elementwise functions: every ufunc of the engine by NumPy's name,
	// plus NumPy's aliases.
	for op := ops.UnaryOp(1); !strings.HasPrefix(op.String(), "UnaryOp("); op++ {
		def(op.String(), "x", unaryFn(op))
	}
	def("abs", "x", unaryFn(ops.Abs))
	def("asin", "x", unaryFn(ops.Arcsin))
	def("acos", "x", unaryFn(ops.Arccos))
	def("atan", "x", unaryFn(ops.Arctan))
	def("bitwise_not|bitwise_invert", "x", unaryFn(ops.Invert))
	def("rint", "x", unaryFn(ops.Round))
	def("round|around", "a, decimals=", roundFn)
	def("positive", "x", func(c *callCtx) (value, error) {
		x, err := c.array("x")
		if err != nil {
			return value{}, err
		}
		return c.result(x)
	})
	def("degrees|rad2deg", "x", scaleFn(180/math.Pi))
	def("radians|deg2rad", "x", scaleFn(math.Pi/180))
	for op := ops.BinaryOp(1); !strings.HasPrefix(op.String(), "BinaryOp("); op++ {
		def(op.String(), "x1, x2", binaryFn(op))
	}
	def("mod", "x1, x2", binaryFn(ops.Mod))
	def("true_divide", "x1, x2", binaryFn(ops.Div))
	def("pow", "x1, x2", binaryFn(ops.Pow))
	def("atan2", "x1, x2", binaryFn(ops.Arctan2))
	def("where", "condition, x, y", func(c *callCtx) (value, error) {
		as, err := c.arrays("condition", "x", "y")
		if err != nil {
			return value{}, err
		}
		return c.result(ndarray.Where(as[0], as[1], as[2]))
	})
	def("clip", "a, a_min|min=, a_max|max=", clipFn)
	def("isclose", "a, b, rtol=, atol=, equal_nan=", iscloseFn(false))
	def("allclose", "a, b, rtol=, atol=, equal_nan=", iscloseFn(true))
	def("astype", "x, dtype:d", func(c *callCtx) (value, error) {
		x, err := c.array("x")
		if err != nil {
			return value{}, err
		}
		dt, ok, err := c.dtypeArg("dtype")
		if err == nil && !ok {
			err = c.errf("dtype", ErrType, "dtype must be given")
		}
		if err != nil {
			return value{}, err
		}
		return c.result(x.AsType(dt))
	})

	// Reductions and scans.
	for op := ops.ReduceOp(1); !strings.HasPrefix(op.String(), "ReduceOp("); op++ {
		spec := minSig
		switch op {
		case ops.Sum, ops.Prod, ops.Mean, ops.NanSum, ops.NanProd, ops.NanMean:
			spec = sumSig
		case ops.Var, ops.Std, ops.NanVar, ops.NanStd:
			spec = varSig
		case ops.CountNonzero:
			spec = countSig
		}
		def(op.String(), spec, reduceFn(op))
	}
	def("amin", minSig, reduceFn(ops.Min))
	def("amax", minSig, reduceFn(ops.Max))
	def("cumsum", scanSig, scanFn(ops.CumSum))
	def("cumprod", scanSig, scanFn(ops.CumProd))

	// Shapes and layout.
	def("transpose", "a, *axes", func(c *callCtx) (value, error) {
		a, err := c.array("a")
		if err != nil {
			return value{}, err
		}
		perm, err := c.restInts("axes")
		if err != nil {
			return value{}, err
		}
		return c.result(a.Transpose(perm...))
	})
	def("swapaxes", "a, axis1, axis2", func(c *callCtx) (value, error) {
		a, err := c.array("a")
		if err != nil {
			return value{}, err
		}
		i, err := c.intArg("axis1", 0)
		if err != nil {
			return value{}, err
		}
		j, err := c.intArg("axis2", 0)
		if err != nil {
			return value{}, err
		}
		return c.result(a.SwapAxes(i, j))
	})
	def("moveaxis", "a, source, destination", moveaxisFn)
	def("expand_dims", "a, axis", expandDimsFn)
	def("squeeze", "a, axis=", func(c *callCtx) (value, error) {
		a, err := c.array("a")
		if err != nil {
			return value{}, err
		}
		axes, _, err := c.axesArg("axis")
		if err != nil {
			return value{}, err
		}
		return c.result(a.Squeeze(axes...))
	})
	def("reshape", "a, *shape|newshape, order=", func(c *callCtx) (value, error) {
		a, err := c.array("a")
		if err != nil {
			return value{}, err
		}
		if o, ok := c.arg("order"); ok && (o.kind != kStr || o.s != "C") {
			return value{}, c.errf("order", errUnsupportedArg, "only order='C' is supported")
		}
		shape, err := c.restInts("shape")
		if err != nil {
			return value{}, err
		}
		if len(c.rest) == 0 && len(shape) == 0 {
			return value{}, c.errf("", ErrType, "missing the new shape")
		}
		if err := c.checkShape("", shape); err != nil {
			return value{}, err
		}
		return c.result(a.Reshape(shape...))
	})
	def("ravel|flatten", "a", func(c *callCtx) (value, error) {
		a, err := c.array("a")
		if err != nil {
			return value{}, err
		}
		return c.result(a.Reshape(-1))
	})
	def("broadcast_to", "array, shape", func(c *callCtx) (value, error) {
		a, err := c.array("array")
		if err != nil {
			return value{}, err
		}
		shape, err := c.shapeArg("shape")
		if err != nil {
			return value{}, err
		}
		return c.result(a.BroadcastTo(shape...))
	})
	def("concatenate", "arrays, axis=", joinFn(false))
	def("stack", "arrays, axis=", joinFn(true))
	def("rechunk", "x, chunks=", func(c *callCtx) (value, error) {
		a, err := c.array("x")
		if err != nil {
			return value{}, err
		}
		spec := chunk.Auto(0) // Dask's default, chunks="auto"
		if v, ok := c.arg("chunks"); ok {
			if spec, err = c.specOf(v); err != nil {
				return value{}, err
			}
		}
		return c.result(a.Rechunk(spec))
	})
	def("persist", "x", func(c *callCtx) (value, error) {
		a, err := c.array("x")
		if err != nil {
			return value{}, err
		}
		return c.result(a.Persist())
	})

	// Products.
	def("matmul", "x1, x2", func(c *callCtx) (value, error) {
		as, err := c.arrays("x1", "x2")
		if err != nil {
			return value{}, err
		}
		return c.result(ndarray.Matmul(as[0], as[1]))
	})
	def("dot", "a, b", func(c *callCtx) (value, error) {
		as, err := c.arrays("a", "b")
		if err != nil {
			return value{}, err
		}
		return c.result(ndarray.Dot(as[0], as[1]))
	})
	def("tensordot", "a, b, axes=", tensordotFn)

	// Creation.
	def("arange", "start=, stop=, step=, dtype:d=, chunks=", arangeFn)
	def("linspace", "start, stop, num=, endpoint=, retstep=, dtype:d=, axis=, chunks=", linspaceFn)
	def("zeros", "shape, dtype:d=, chunks=", fullFn(0, false))
	def("ones", "shape, dtype:d=, chunks=", fullFn(1, false))
	def("full", "shape, fill_value, dtype:d=, chunks=", fullFn(0, true))
	def("zeros_like", "a, dtype:d=, chunks=", likeFn(0, false))
	def("ones_like", "a, dtype:d=, chunks=", likeFn(1, false))
	def("full_like", "a, fill_value, dtype:d=, chunks=", likeFn(0, true))
	def("random|rand|random_sample", "*shape|size, seed=, dtype:d=, chunks=", randomFn(ndarray.RandomUniform))
	def("randn|standard_normal", "*shape|size, seed=, dtype:d=, chunks=", randomFn(ndarray.RandomNormal))
	def("array|asarray", "object, dtype:d=, chunks=", arrayFn)

	// Shape queries, giving constants.
	def("len", "obj", func(c *callCtx) (value, error) {
		v := c.vals[0]
		if v.kind == kTuple {
			return intVal(int64(len(v.elems)), c.col), nil
		}
		a, err := c.array("obj")
		if err != nil {
			return value{}, err
		}
		if a.Rank() == 0 {
			return value{}, c.errf("obj", ErrType, "len() of a 0-d array")
		}
		return intVal(int64(a.Shape()[0]), c.col), nil
	})
	def("shape", "a", func(c *callCtx) (value, error) {
		a, err := c.array("a")
		if err != nil {
			return value{}, err
		}
		v := value{kind: kTuple, col: c.col, elems: []value{}}
		for _, n := range a.Shape() {
			v.elems = append(v.elems, intVal(int64(n), c.col))
		}
		return v, nil
	})
	def("ndim", "a", func(c *callCtx) (value, error) {
		a, err := c.array("a")
		if err != nil {
			return value{}, err
		}
		return intVal(int64(a.Rank()), c.col), nil
	})
	def("size", "a", func(c *callCtx) (value, error) {
		a, err := c.array("a")
		if err != nil {
			return value{}, err
		}
		return intVal(int64(a.Size()), c.col), nil
	})

	// The ndarray methods that mirror functions, and Dask's rechunk and
	// persist.
	for _, m := range []string{"all", "any", "argmax", "argmin", "astype", "clip", "cumprod", "cumsum",
		"dot", "flatten", "max", "mean", "min", "prod", "ravel", "reshape", "round", "squeeze", "std",
		"sum", "swapaxes", "transpose", "var", "rechunk", "persist"} {
		methods[m] = true
	}
}

// arrays returns several arguments as arrays.
func (c *callCtx) arrays(names ...string) ([]ndarray.Array, error) {
	out := make([]ndarray.Array, len(names))
	for i, n := range names {
		a, err := c.array(n)
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

// given reports whether the argument was passed, even as None.
func (c *callCtx) given(name string) bool { return c.has[c.idx(name)] }

func unaryFn(op ops.UnaryOp) func(*callCtx) (value, error) {
	return func(c *callCtx) (value, error) {
		x, err := c.array("x")
		if err != nil {
			return value{}, err
		}
		return c.result(ndarray.Unary(op, x))
	}
}

func binaryFn(op ops.BinaryOp) func(*callCtx) (value, error) {
	return func(c *callCtx) (value, error) {
		as, err := c.arrays("x1", "x2")
		if err != nil {
			return value{}, err
		}
		return c.result(ndarray.Binary(op, as[0], as[1]))
	}
}

// scaleFn multiplies by a constant after converting to the float type
// NumPy's degrees and radians compute in (x * (180/pi), as NumPy's loops).
func scaleFn(k float64) func(*callCtx) (value, error) {
	return func(c *callCtx) (value, error) {
		x, err := c.array("x")
		if err != nil {
			return value{}, err
		}
		if !x.DType().IsFloat() {
			x = x.AsType(chunk.FloatFor(x.DType()))
		}
		return c.result(x.Mul(ndarray.Float(k)))
	}
}

// roundFn is numpy.round with decimals, computed as NumPy does: scale by a
// power of ten, round half to even, scale back. Integers are unchanged for
// decimals >= 0 and rounded through float64 otherwise.
func roundFn(c *callCtx) (value, error) {
	a, err := c.array("a")
	if err != nil {
		return value{}, err
	}
	d, err := c.intArg("decimals", 0)
	if err != nil {
		return value{}, err
	}
	if d > 308 || d < -308 {
		return value{}, c.errf("decimals", ErrType, "decimals %d out of range", d)
	}
	dt := a.DType()
	switch {
	case d == 0:
		return c.result(a.Round())
	case !dt.IsFloat() && d > 0:
		return c.result(a)
	case !dt.IsFloat():
		f := ndarray.Float(math.Pow10(-d))
		return c.result(a.Div(f).Round().Mul(f).AsType(dt))
	case d > 0:
		f := ndarray.Float(math.Pow10(d))
		return c.result(a.Mul(f).Round().Div(f))
	default:
		f := ndarray.Float(math.Pow10(-d))
		return c.result(a.Div(f).Round().Mul(f))
	}
}

// clipFn is numpy.clip; either bound may be None.
func clipFn(c *callCtx) (value, error) {
	a, err := c.array("a")
	if err != nil {
		return value{}, err
	}
	_, hasLo := c.arg("a_min")
	_, hasHi := c.arg("a_max")
	if !hasLo && !hasHi {
		return value{}, c.errf("", ErrType, "needs a_min or a_max (or both)")
	}
	res := a
	if hasLo {
		lo, err := c.array("a_min")
		if err != nil {
			return value{}, err
		}
		res = ndarray.Binary(ops.Maximum, res, lo)
	}
	if hasHi {
		hi, err := c.array("a_max")
		if err != nil {
			return value{}, err
		}
		res = ndarray.Binary(ops.Minimum, res, hi)
	}
	return c.result(res)
}

// iscloseFn is numpy.isclose (or allclose, its all()): |a - b| <= atol +
// rtol*|b| where both are finite, equality elsewhere (so inf == inf), NaNs
// equal only with equal_nan. b is converted to a float type first, as
// NumPy does.
func iscloseFn(all bool) func(*callCtx) (value, error) {
	return func(c *callCtx) (value, error) {
		as, err := c.arrays("a", "b")
		if err != nil {
			return value{}, err
		}
		rtol, err := c.floatArg("rtol", 1e-5)
		if err != nil {
			return value{}, err
		}
		atol, err := c.floatArg("atol", 1e-8)
		if err != nil {
			return value{}, err
		}
		eqNaN, err := c.boolArg("equal_nan", false)
		if err != nil {
			return value{}, err
		}
		x, y := as[0], as[1]
		if !y.DType().IsFloat() {
			y = y.AsType(chunk.Float64)
		}
		within := x.Sub(y).Abs().Le(ndarray.Float(atol).Add(ndarray.Float(rtol).Mul(y.Abs())))
		res := ndarray.Where(x.IsFinite().LogicalAnd(y.IsFinite()), within, x.Eq(y))
		if eqNaN {
			res = res.LogicalOr(x.IsNaN().LogicalAnd(y.IsNaN()))
		}
		if all {
			res = res.All()
		}
		return c.result(res)
	}
}

func reduceFn(op ops.ReduceOp) func(*callCtx) (value, error) {
	return func(c *callCtx) (value, error) {
		a, err := c.array("a")
		if err != nil {
			return value{}, err
		}
		if err := c.noOut(); err != nil {
			return value{}, err
		}
		var opts []ndarray.ReduceOption
		axes, given, err := c.axesArg("axis")
		if err != nil {
			return value{}, err
		}
		if given {
			opts = append(opts, ndarray.Axes(axes...))
		}
		keep, err := c.boolArg("keepdims", false)
		if err != nil {
			return value{}, err
		}
		if keep {
			opts = append(opts, ndarray.KeepDims())
		}
		if c.declared("ddof") {
			d, err := c.intArg("ddof", 0)
			if err != nil {
				return value{}, err
			}
			opts = append(opts, ndarray.Ddof(d))
		}
		if _, ok := c.arg("split_every"); ok {
			n, err := c.intArg("split_every", 0)
			if err != nil {
				return value{}, err
			}
			opts = append(opts, ndarray.SplitEvery(n))
		}
		// dtype= sets the type the reduction computes in and returns, as
		// NumPy's: convert, reduce, and convert the result back.
		dt, hasDT := chunk.Invalid, false
		if c.declared("dtype") {
			if dt, hasDT, err = c.dtypeArg("dtype"); err != nil {
				return value{}, err
			}
			if hasDT {
				a = a.AsType(dt)
			}
		}
		res := ndarray.Reduce(op, a, opts...)
		if hasDT && res.Err() == nil && res.DType() != dt {
			res = res.AsType(dt)
		}
		return c.result(res)
	}
}

// scanFn is cumsum or cumprod; without an axis the array is flattened
// first, as in NumPy.
func scanFn(op ops.ScanOp) func(*callCtx) (value, error) {
	return func(c *callCtx) (value, error) {
		a, err := c.array("a")
		if err != nil {
			return value{}, err
		}
		if err := c.noOut(); err != nil {
			return value{}, err
		}
		dt, hasDT, err := c.dtypeArg("dtype")
		if err != nil {
			return value{}, err
		}
		if hasDT {
			a = a.AsType(dt)
		}
		axis := 0
		if _, ok := c.arg("axis"); ok {
			if axis, err = c.intArg("axis", 0); err != nil {
				return value{}, err
			}
		} else {
			a = a.Reshape(-1)
		}
		res := ndarray.Scan(op, a, axis)
		if hasDT && res.Err() == nil && res.DType() != dt {
			res = res.AsType(dt)
		}
		return c.result(res)
	}
}

// normAxes normalises axes for an array of the given rank, rejecting
// out-of-range and repeated axes as NumPy's normalize_axis_tuple.
func (c *callCtx) normAxes(name string, axes []int, rank int) ([]int, error) {
	out := make([]int, len(axes))
	seen := map[int]bool{}
	for i, ax := range axes {
		if ax < -rank || ax >= rank {
			return nil, c.errf(name, chunk.ErrIndex, "axis %d is out of bounds for an array of dimension %d", ax, rank)
		}
		if ax < 0 {
			ax += rank
		}
		if seen[ax] {
			return nil, c.errf(name, chunk.ErrIndex, "repeated axis in %v", axes)
		}
		seen[ax], out[i] = true, ax
	}
	return out, nil
}

// moveaxisFn is numpy.moveaxis: the axes in source go to the positions in
// destination, the others keep their order.
func moveaxisFn(c *callCtx) (value, error) {
	a, err := c.array("a")
	if err != nil {
		return value{}, err
	}
	src, err := c.ints("source", c.vals[c.idx("source")])
	if err != nil {
		return value{}, err
	}
	dst, err := c.ints("destination", c.vals[c.idx("destination")])
	if err != nil {
		return value{}, err
	}
	r := a.Rank()
	if src, err = c.normAxes("source", src, r); err != nil {
		return value{}, err
	}
	if dst, err = c.normAxes("destination", dst, r); err != nil {
		return value{}, err
	}
	if len(src) != len(dst) {
		return value{}, c.errf("", ErrType, "source and destination must have the same number of elements")
	}
	moved := map[int]bool{}
	for _, s := range src {
		moved[s] = true
	}
	var order []int
	for ax := 0; ax < r; ax++ {
		if !moved[ax] {
			order = append(order, ax)
		}
	}
	pairs := make([][2]int, len(src))
	for i := range src {
		pairs[i] = [2]int{dst[i], src[i]}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i][0] < pairs[j][0] })
	for _, p := range pairs {
		order = append(order[:p[0]], append([]int{p[1]}, order[p[0]:]...)...)
	}
	return c.result(a.Transpose(order...))
}

// expandDimsFn is numpy.expand_dims with an int or a tuple of axes, which
// are positions in the result.
func expandDimsFn(c *callCtx) (value, error) {
	a, err := c.array("a")
	if err != nil {
		return value{}, err
	}
	axes, err := c.ints("axis", c.vals[c.idx("axis")])
	if err != nil {
		return value{}, err
	}
	if len(axes) == 1 {
		return c.result(a.ExpandDims(axes[0]))
	}
	pos, err := c.normAxes("axis", axes, a.Rank()+len(axes))
	if err != nil {
		return value{}, err
	}
	sort.Ints(pos)
	for _, p := range pos {
		a = a.ExpandDims(p)
	}
	return c.result(a)
}

// joinFn is concatenate or stack of a tuple or list of arrays.
// concatenate(..., axis=None) joins the flattened arrays.
func joinFn(stack bool) func(*callCtx) (value, error) {
	return func(c *callCtx) (value, error) {
		v := c.vals[c.idx("arrays")]
		if v.kind != kTuple {
			return value{}, c.errf("arrays", ErrType, "arrays must be a tuple or list of arrays, not %s", v.describe())
		}
		parts := make([]ndarray.Array, len(v.elems))
		for i, e := range v.elems {
			a, err := c.ev.toArray(e, "an element of arrays")
			if err != nil {
				return value{}, err
			}
			parts[i] = a
		}
		axis, err := c.intArg("axis", 0)
		if err != nil {
			return value{}, err
		}
		if !stack && c.given("axis") && c.vals[c.idx("axis")].kind == kNone {
			for i := range parts {
				parts[i] = parts[i].Reshape(-1)
			}
			axis = 0
		}
		if stack {
			return c.result(ndarray.Stack(parts, axis))
		}
		return c.result(ndarray.Concatenate(parts, axis))
	}
}

// tensordotFn is numpy.tensordot: axes=N sums over the last N axes of a
// and the first N of b; axes=(a_axes, b_axes) pairs them explicitly.
func tensordotFn(c *callCtx) (value, error) {
	as, err := c.arrays("a", "b")
	if err != nil {
		return value{}, err
	}
	a, b := as[0], as[1]
	v, ok := c.arg("axes")
	if !ok {
		v = intVal(2, c.col)
	}
	var aAxes, bAxes []int
	switch {
	case v.kind == kInt:
		n := int(v.i)
		if n < 0 || n > a.Rank() || n > b.Rank() {
			return value{}, c.errf("axes", chunk.ErrShape, "axes=%d for arrays of rank %d and %d", n, a.Rank(), b.Rank())
		}
		for k := 0; k < n; k++ {
			aAxes = append(aAxes, a.Rank()-n+k)
			bAxes = append(bAxes, k)
		}
	case v.kind == kTuple && len(v.elems) == 2:
		if aAxes, err = c.ints("axes", v.elems[0]); err != nil {
			return value{}, err
		}
		if bAxes, err = c.ints("axes", v.elems[1]); err != nil {
			return value{}, err
		}
	default:
		return value{}, c.errf("axes", ErrType, "axes must be an int or a pair of axis sequences, not %s", v.describe())
	}
	return c.result(ndarray.Tensordot(a, b, aAxes, bAxes))
}

// number returns a constant number argument (or rest value) for creation
// functions, which need their bounds while the graph is built.
func (c *callCtx) number(v value, what string) (value, error) {
	if !v.isNumber() {
		return value{}, c.ev.errf(v.col, ErrType, "%s(): %s must be a constant number, not %s", c.name, what, v.describe())
	}
	return v, nil
}

// arangeFn is numpy.arange(start, stop, step): with one bound it is the
// stop; int64 when every bound is an int, float64 otherwise, unless dtype=
// says.
func arangeFn(c *callCtx) (value, error) {
	start, hasStart := c.arg("start")
	stop, hasStop := c.arg("stop")
	step, hasStep := c.arg("step")
	switch {
	case !hasStart && !hasStop:
		return value{}, c.errf("", ErrType, "missing required argument 'stop'")
	case !hasStop:
		start, stop = intVal(0, c.col), start
	case !hasStart:
		start = intVal(0, c.col)
	}
	if !hasStep {
		step = intVal(1, c.col)
	}
	var err error
	for _, p := range []struct {
		v    *value
		name string
	}{{&start, "start"}, {&stop, "stop"}, {&step, "step"}} {
		if *p.v, err = c.number(*p.v, p.name); err != nil {
			return value{}, err
		}
	}
	dt, ok, err := c.dtypeArg("dtype")
	if err != nil {
		return value{}, err
	}
	if !ok {
		dt = chunk.Int64
		if start.kind == kFloat || stop.kind == kFloat || step.kind == kFloat {
			dt = chunk.Float64
		}
	}
	s0, s1, st := start.asFloat(), stop.asFloat(), step.asFloat()
	n := math.Ceil((s1 - s0) / st)
	if !(n >= 0) || math.IsInf(n, 0) {
		n = 0 // ndarray reports bad bounds
	}
	shape := []int{int(min(n, math.MaxInt64/32))}
	if err := c.checkShape("", shape); err != nil {
		return value{}, err
	}
	spec, err := c.spec(shape, dt)
	if err != nil {
		return value{}, err
	}
	return c.result(ndarray.Arange(s0, s1, st, dt, spec))
}

// linspaceFn is numpy.linspace (float64 unless dtype= says).
func linspaceFn(c *callCtx) (value, error) {
	var bounds [2]float64
	for i, name := range []string{"start", "stop"} {
		v, err := c.number(c.vals[c.idx(name)], name)
		if err != nil {
			return value{}, err
		}
		bounds[i] = v.asFloat()
	}
	num, err := c.intArg("num", 50)
	if err != nil {
		return value{}, err
	}
	endpoint, err := c.boolArg("endpoint", true)
	if err != nil {
		return value{}, err
	}
	if r, err := c.boolArg("retstep", false); err != nil || r {
		if err == nil {
			err = c.errf("retstep", errUnsupportedArg, "retstep=True is not supported")
		}
		return value{}, err
	}
	if ax, err := c.intArg("axis", 0); err != nil || (ax != 0 && ax != -1) {
		if err == nil {
			err = c.errf("axis", chunk.ErrIndex, "axis %d is out of bounds for a 1-d result", ax)
		}
		return value{}, err
	}
	dt, ok, err := c.dtypeArg("dtype")
	if err != nil {
		return value{}, err
	}
	if !ok {
		dt = chunk.Float64
	}
	if err := c.checkShape("num", []int{num}); err != nil {
		return value{}, err
	}
	spec, err := c.spec([]int{max(num, 0)}, dt)
	if err != nil {
		return value{}, err
	}
	return c.result(ndarray.Linspace(bounds[0], bounds[1], num, endpoint, dt, spec))
}

// fillValue returns the fill value of full and full_like, and the dtype
// NumPy gives it (bool, int64 or float64).
func (c *callCtx) fillValue() (float64, chunk.DType, error) {
	v, err := c.number(c.vals[c.idx("fill_value")], "fill_value")
	if err != nil {
		return 0, chunk.Invalid, err
	}
	switch v.kind {
	case kBool:
		return v.asFloat(), chunk.Bool, nil
	case kInt:
		return v.asFloat(), chunk.Int64, nil
	}
	return v.f, chunk.Float64, nil
}

// fullFn is zeros, ones (value k, float64 by default) or full.
func fullFn(k float64, full bool) func(*callCtx) (value, error) {
	return func(c *callCtx) (value, error) {
		shape, err := c.shapeArg("shape")
		if err != nil {
			return value{}, err
		}
		fill, dt := k, chunk.Float64
		if full {
			if fill, dt, err = c.fillValue(); err != nil {
				return value{}, err
			}
		}
		if d, ok, err := c.dtypeArg("dtype"); err != nil {
			return value{}, err
		} else if ok {
			dt = d
		}
		spec, err := c.spec(shape, dt)
		if err != nil {
			return value{}, err
		}
		return c.result(ndarray.Full(dt, shape, fill, spec))
	}
}

// likeFn is zeros_like, ones_like or full_like: the shape, dtype and (by
// default) chunks of another array.
func likeFn(k float64, full bool) func(*callCtx) (value, error) {
	return func(c *callCtx) (value, error) {
		a, err := c.array("a")
		if err != nil {
			return value{}, err
		}
		fill, dt := k, a.DType()
		if full {
			if fill, _, err = c.fillValue(); err != nil {
				return value{}, err
			}
		}
		if d, ok, err := c.dtypeArg("dtype"); err != nil {
			return value{}, err
		} else if ok {
			dt = d
		}
		spec := chunk.Irregular(a.Chunks()...)
		if v, ok := c.arg("chunks"); ok {
			if spec, err = c.specOf(v); err != nil {
				return value{}, err
			}
		}
		return c.result(ndarray.Full(dt, a.Shape(), fill, spec))
	}
}

// randomFn is random/rand (uniform in [0, 1)) or randn (standard normal)
// from ndchunk's counter-based generator: the same seed gives the same
// values for any chunking. The seed defaults to 0.
func randomFn(gen func(uint64, []int, chunk.DType, chunk.Spec) ndarray.Array) func(*callCtx) (value, error) {
	return func(c *callCtx) (value, error) {
		shape, err := c.restInts("shape")
		if err != nil {
			return value{}, err
		}
		if err := c.checkShape("", shape); err != nil {
			return value{}, err
		}
		seed, err := c.intArg("seed", 0)
		if err != nil {
			return value{}, err
		}
		if seed < 0 {
			return value{}, c.errf("seed", ErrType, "seed must be >= 0, not %d", seed)
		}
		dt, ok, err := c.dtypeArg("dtype")
		if err != nil {
			return value{}, err
		}
		if !ok {
			dt = chunk.Float64
		}
		spec, err := c.spec(shape, dt)
		if err != nil {
			return value{}, err
		}
		return c.result(gen(uint64(seed), shape, dt, spec))
	}
}

// arrayFn is numpy.array/asarray: nested lists of numbers become an array
// (bool, int64 or float64 unless dtype= says), arrays are converted.
func arrayFn(c *callCtx) (value, error) {
	v := c.vals[c.idx("object")]
	dt, hasDT, err := c.dtypeArg("dtype")
	if err != nil {
		return value{}, err
	}
	var spec *chunk.Spec
	if cv, ok := c.arg("chunks"); ok {
		s, err := c.specOf(cv)
		if err != nil {
			return value{}, err
		}
		spec = &s
	}
	var a ndarray.Array
	switch {
	case v.kind == kArray:
		a = v.arr
		if hasDT {
			a = a.AsType(dt)
		}
	case v.isNumber() || v.kind == kTuple:
		if a, err = c.ev.tupleArray(v, dt, spec); err != nil {
			return value{}, err
		}
	default:
		return value{}, c.errf("object", ErrType, "cannot make an array of %s", v.describe())
	}
	if spec != nil {
		a = a.Rechunk(*spec)
	}
	return c.result(a)
}
