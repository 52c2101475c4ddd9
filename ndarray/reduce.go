package ndarray

import (
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ops"
)

// DefaultSplitEvery is the fan-in of reduction trees when none is given:
// how many partial results one combine task merges (Dask's split_every).
const DefaultSplitEvery = 8

// ReduceOption adjusts a reduction.
type ReduceOption func(*reduceConfig)

type reduceConfig struct {
	axes       []int
	keepDims   bool
	ddof       int
	splitEvery int
}

// Axes reduces over the given axes (negative counts from the end). Without
// it, every axis is reduced (NumPy's axis=None).
func Axes(axes ...int) ReduceOption {
	return func(c *reduceConfig) { c.axes = append([]int{}, axes...) }
}

// KeepDims keeps reduced axes as length 1.
func KeepDims() ReduceOption { return func(c *reduceConfig) { c.keepDims = true } }

// Ddof sets the delta degrees of freedom of var and std.
func Ddof(n int) ReduceOption { return func(c *reduceConfig) { c.ddof = n } }

// SplitEvery sets the fan-in of the combination tree (at least 2).
func SplitEvery(n int) ReduceOption { return func(c *reduceConfig) { c.splitEvery = n } }

// Reduce applies a reduction (sum, mean, argmax, ...) over some or all axes.
// Reductions of float32 and integer inputs accumulate in float64 or int64;
// NaN handling matches NumPy's (sum propagates NaN, nansum skips it).
func Reduce(fn ops.ReduceOp, a Array, opts ...ReduceOption) Array {
	if err := a.Err(); err != nil {
		return fail(err)
	}
	cfg := reduceConfig{splitEvery: DefaultSplitEvery}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.splitEvery < 2 {
		return fail(fmt.Errorf("ndarray: %s: split_every %d (want >= 2): %w", fn, cfg.splitEvery, chunk.ErrChunks))
	}
	rank := a.n.grid.Rank()
	axes, err := normAxes(cfg.axes, rank, fn.String())
	if err != nil {
		return fail(err)
	}
	if (fn == ops.ArgMin || fn == ops.ArgMax) && cfg.axes != nil && len(cfg.axes) > 1 {
		return fail(fmt.Errorf("ndarray: %s takes one axis or all, not %v: %w", fn, cfg.axes, chunk.ErrIndex))
	}
	out, err := ops.ReduceTypes(fn, a.n.dtype)
	if err != nil {
		return fail(fmt.Errorf("ndarray: %s: %w", fn, err))
	}
	in := a.n
	shape, chunks := []int{}, [][]int{}
	reducedSize := 1
	for i, r := range axes {
		switch {
		case !r:
			shape = append(shape, in.Shape()[i])
			chunks = append(chunks, in.grid.AxisChunks(i))
		case cfg.keepDims:
			reducedSize *= in.Shape()[i]
			shape = append(shape, 1)
			chunks = append(chunks, []int{1})
		default:
			reducedSize *= in.Shape()[i]
		}
	}
	if reducedSize == 0 && !ops.HasIdentity(fn) {
		return fail(fmt.Errorf("ndarray: %s: zero-size array to reduction operation %s which has no identity: %w", fn, fn, chunk.ErrShape))
	}
	g, err := chunk.NewGrid(shape, chunks)
	if err != nil {
		return fail(fmt.Errorf("ndarray: %s: %w", fn, err))
	}
	return wrap(newNode(&OpReduce{Fn: fn, Axes: axes, KeepDims: cfg.keepDims, Ddof: cfg.ddof, SplitEvery: cfg.splitEvery}, out, g, in))
}

// Sum adds elements.
func (a Array) Sum(opts ...ReduceOption) Array { return Reduce(ops.Sum, a, opts...) }

// Prod multiplies elements.
func (a Array) Prod(opts ...ReduceOption) Array { return Reduce(ops.Prod, a, opts...) }

// Mean averages elements.
func (a Array) Mean(opts ...ReduceOption) Array { return Reduce(ops.Mean, a, opts...) }

// Var is the variance (with Ddof).
func (a Array) Var(opts ...ReduceOption) Array { return Reduce(ops.Var, a, opts...) }

// Std is the standard deviation (with Ddof).
func (a Array) Std(opts ...ReduceOption) Array { return Reduce(ops.Std, a, opts...) }

// Min is the smallest element (NaN if any is NaN).
func (a Array) Min(opts ...ReduceOption) Array { return Reduce(ops.Min, a, opts...) }

// Max is the largest element (NaN if any is NaN).
func (a Array) Max(opts ...ReduceOption) Array { return Reduce(ops.Max, a, opts...) }

// ArgMin is the index of the first smallest element: along the one axis
// given, or into the flattened array.
func (a Array) ArgMin(opts ...ReduceOption) Array { return Reduce(ops.ArgMin, a, opts...) }

// ArgMax is the index of the first largest element.
func (a Array) ArgMax(opts ...ReduceOption) Array { return Reduce(ops.ArgMax, a, opts...) }

// Any tests whether any element is true.
func (a Array) Any(opts ...ReduceOption) Array { return Reduce(ops.Any, a, opts...) }

// All tests whether every element is true.
func (a Array) All(opts ...ReduceOption) Array { return Reduce(ops.All, a, opts...) }

// CountNonzero counts the true elements.
func (a Array) CountNonzero(opts ...ReduceOption) Array {
	return Reduce(ops.CountNonzero, a, opts...)
}

// NanSum adds elements, skipping NaN.
func (a Array) NanSum(opts ...ReduceOption) Array { return Reduce(ops.NanSum, a, opts...) }

// NanMean averages elements, skipping NaN.
func (a Array) NanMean(opts ...ReduceOption) Array { return Reduce(ops.NanMean, a, opts...) }

// NanMin is the smallest element, skipping NaN.
func (a Array) NanMin(opts ...ReduceOption) Array { return Reduce(ops.NanMin, a, opts...) }

// NanMax is the largest element, skipping NaN.
func (a Array) NanMax(opts ...ReduceOption) Array { return Reduce(ops.NanMax, a, opts...) }

// NanVar is the variance, skipping NaN.
func (a Array) NanVar(opts ...ReduceOption) Array { return Reduce(ops.NanVar, a, opts...) }

// NanStd is the standard deviation, skipping NaN.
func (a Array) NanStd(opts ...ReduceOption) Array { return Reduce(ops.NanStd, a, opts...) }

// Scan applies a cumulative operation along axis.
func Scan(fn ops.ScanOp, a Array, axis int) Array {
	if err := a.Err(); err != nil {
		return fail(err)
	}
	ax, err := normAxis(axis, a.n.grid.Rank(), fn.String())
	if err != nil {
		return fail(err)
	}
	out, err := ops.ScanTypes(fn, a.n.dtype)
	if err != nil {
		return fail(fmt.Errorf("ndarray: %s: %w", fn, err))
	}
	in := castNode(a.n, out)
	return wrap(newNode(&OpScan{Fn: fn, Axis: ax}, out, in.grid, in))
}

// CumSum is the cumulative sum along axis.
func (a Array) CumSum(axis int) Array { return Scan(ops.CumSum, a, axis) }

// CumProd is the cumulative product along axis.
func (a Array) CumProd(axis int) Array { return Scan(ops.CumProd, a, axis) }
