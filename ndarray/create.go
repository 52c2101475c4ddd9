package ndarray

import (
	"fmt"
	"math"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ops"
)

func gridFor(what string, shape []int, dt chunk.DType, spec chunk.Spec, storage []int) (chunk.Grid, error) {
	g, err := spec.Resolve(shape, dt, storage)
	if err != nil {
		return chunk.Grid{}, fmt.Errorf("ndarray: %s: %w", what, err)
	}
	return g, nil
}

func leaf(what string, op Op, dt chunk.DType, shape []int, spec chunk.Spec, storage []int) Array {
	if !dt.Valid() {
		return fail(fmt.Errorf("ndarray: %s: dtype %s: %w", what, dt, chunk.ErrDType))
	}
	g, err := gridFor(what, shape, dt, spec, storage)
	if err != nil {
		return fail(err)
	}
	return wrap(newNode(op, dt, g))
}

// FromSlice wraps data, in row-major order, as an array of the given shape.
// The slice is not copied: it must not change while arrays built on it are
// being computed.
func FromSlice[T chunk.Elem](data []T, shape []int, chunks chunk.Spec) Array {
	d, err := chunk.DenseOf(shape, data)
	if err != nil {
		return fail(fmt.Errorf("ndarray: from slice: %w", err))
	}
	return FromDense(d, chunks)
}

// FromDense wraps an in-memory array (not copied).
func FromDense(d *chunk.Dense, chunks chunk.Spec) Array {
	if d == nil {
		return fail(fmt.Errorf("ndarray: from dense: nil: %w", ErrInvalid))
	}
	return leaf("from dense", &OpDense{Data: d}, d.DType(), d.Shape(), chunks, nil)
}

// FromSource makes a lazy array over an external Source (a file variable).
// Automatic chunks are multiples of the source's storage chunks.
func FromSource(src Source, chunks chunk.Spec) Array {
	var storage []int
	if sc, ok := src.(StorageChunker); ok {
		storage = sc.StorageChunks()
	}
	name := "source"
	if n, ok := src.(Namer); ok {
		name = n.Name()
	}
	return leaf(name, &OpSource{Src: src}, src.DType(), src.Shape(), chunks, storage)
}

// Full returns an array of the given dtype and shape with every element
// equal to value (converted to dtype).
func Full(dt chunk.DType, shape []int, value float64, chunks chunk.Spec) Array {
	if !dt.Valid() {
		return fail(fmt.Errorf("ndarray: full: dtype %s: %w", dt, chunk.ErrDType))
	}
	f := make([]byte, 8)
	chunk.StoreFloat64(chunk.Float64, f, 0, value)
	raw := make([]byte, 8)
	ops.Cast(chunk.Float64, dt)(raw[:dt.Size()], f)
	return leaf("full", newConst(dt, raw), dt, shape, chunks, nil)
}

// Zeros returns an array of zeros.
func Zeros(dt chunk.DType, shape []int, chunks chunk.Spec) Array {
	return Full(dt, shape, 0, chunks)
}

// Ones returns an array of ones.
func Ones(dt chunk.DType, shape []int, chunks chunk.Spec) Array {
	return Full(dt, shape, 1, chunks)
}

// Arange returns evenly spaced values in [start, stop) with the given step,
// like numpy.arange. With an integer dtype and integral start and step the
// values are computed exactly in int64.
func Arange(start, stop, step float64, dt chunk.DType, chunks chunk.Spec) Array {
	if step == 0 || math.IsNaN(step) || math.IsNaN(start) || math.IsNaN(stop) || math.IsInf(start, 0) || math.IsInf(stop, 0) {
		return fail(fmt.Errorf("ndarray: arange(%g, %g, %g): bad bounds or zero step: %w", start, stop, step, chunk.ErrShape))
	}
	n := int(math.Max(math.Ceil((stop-start)/step), 0))
	op := &OpLinear{Start: start, Step: step}
	if (dt.IsInteger() || dt == chunk.Bool) && start == math.Trunc(start) && step == math.Trunc(step) {
		op.Int, op.IntStart, op.IntStep = true, int64(start), int64(step)
	}
	return leaf("arange", op, dt, []int{n}, chunks, nil)
}

// Linspace returns num evenly spaced values from start to stop, including
// stop when endpoint is true, computed as NumPy does (i*step + start, the
// last element set to stop).
func Linspace(start, stop float64, num int, endpoint bool, dt chunk.DType, chunks chunk.Spec) Array {
	if num < 0 {
		return fail(fmt.Errorf("ndarray: linspace: num %d < 0: %w", num, chunk.ErrShape))
	}
	div := num
	if endpoint {
		div = num - 1
	}
	step := math.NaN()
	if div > 0 {
		step = (stop - start) / float64(div)
	}
	op := &OpLinear{Start: start, Step: step}
	if endpoint && num > 1 {
		op.Last, op.HasLast = stop, true
	}
	if div <= 0 {
		op.Step = 0
	}
	return leaf("linspace", op, dt, []int{num}, chunks, nil)
}

// RandomUniform returns an array of uniform random numbers in [0, 1) from a
// counter-based generator: element values depend only on seed and the
// element's index, so the same seed gives the same array for every chunking.
// dt must be float32 or float64.
func RandomUniform(seed uint64, shape []int, dt chunk.DType, chunks chunk.Spec) Array {
	return random("random uniform", seed, ops.Uniform, shape, dt, chunks)
}

// RandomNormal returns an array of standard normal random numbers from the
// same counter-based generator as RandomUniform.
func RandomNormal(seed uint64, shape []int, dt chunk.DType, chunks chunk.Spec) Array {
	return random("random normal", seed, ops.Normal, shape, dt, chunks)
}

func random(what string, seed uint64, dist ops.Dist, shape []int, dt chunk.DType, chunks chunk.Spec) Array {
	if !dt.IsFloat() {
		return fail(fmt.Errorf("ndarray: %s: dtype %s (want float32 or float64): %w", what, dt, chunk.ErrDType))
	}
	return leaf(what, &OpRandom{Seed: seed, Dist: dist}, dt, shape, chunks, nil)
}

// Float returns an untyped floating-point scalar. In an operation with an
// array it takes the array's dtype when that is floating (NumPy 2's weak
// scalars), so x32.Mul(Float(2)) stays float32.
func Float(v float64) Array { return scalar(chunk.Float64, chunk.FloatScalar, v) }

// Int returns an untyped integer scalar: int8 + Int(3) stays int8. The
// value is kept exactly (all 64 bits) and converted like an array element
// when it meets a narrower type.
func Int(v int64) Array {
	raw := chunk.AsBytes([]int64{v})
	a := leaf("int", newConst(chunk.Int64, raw), chunk.Int64, nil, chunk.Spec{}, nil)
	a.weak, a.isWeak = chunk.IntScalar, true
	return a
}

// BoolScalar returns an untyped boolean scalar.
func BoolScalar(v bool) Array {
	f := 0.0
	if v {
		f = 1
	}
	return scalar(chunk.Bool, chunk.BoolScalar, f)
}

// Scalar returns a typed rank-0 array.
func Scalar(dt chunk.DType, v float64) Array { return Full(dt, nil, v, chunk.Spec{}) }

func scalar(dt chunk.DType, kind chunk.ScalarKind, v float64) Array {
	a := Full(dt, nil, v, chunk.Spec{})
	a.weak, a.isWeak = kind, true
	return a
}
