package eager

import (
	"fmt"
	"math"

	"github.com/ndchunk/ndchunk/chunk"
)

// val is a whole array during evaluation. Elements are held exactly, in
// one of three representations chosen by the dtype: i for bool (0 or 1)
// and signed integers (sign-extended, within the dtype's range), u for
// unsigned integers, f for floats (float32 values are exactly
// representable in float32).
//
// e bounds, per element, how far an engine's correctly computed value may
// be from this one (see Result.Err); nil means 0 everywhere. Integer and
// bool elements only ever have a bound of 0 or +Inf (undetermined).
type val struct {
	dt    chunk.DType
	shape []int
	i     []int64
	u     []uint64
	f     []float64
	e     []float64
}

type kind uint8

const (
	kInt kind = iota // bool and signed integers
	kUint
	kFloat
)

// kindOf returns the representation of dtype dt in a val.
func kindOf(dt chunk.DType) kind {
	switch {
	case dt.IsFloat():
		return kFloat
	case dt.IsUnsigned():
		return kUint
	}
	return kInt
}

// newVal returns a zeroed val with exact bounds.
func newVal(dt chunk.DType, shape []int) *val {
	n := chunk.Size(shape)
	v := &val{dt: dt, shape: append([]int{}, shape...)}
	switch kindOf(dt) {
	case kInt:
		v.i = make([]int64, n)
	case kUint:
		v.u = make([]uint64, n)
	default:
		v.f = make([]float64, n)
	}
	return v
}

func (v *val) size() int { return chunk.Size(v.shape) }

// err returns the bound of element k.
func (v *val) err(k int) float64 {
	if v.e == nil {
		return 0
	}
	return v.e[k]
}

// setErr sets the bound of element k, allocating the slice on first need.
func (v *val) setErr(k int, e float64) {
	if e == 0 && v.e == nil {
		return
	}
	if v.e == nil {
		v.e = make([]float64, v.size())
	}
	v.e[k] = e
}

// copyElem copies element sk of src (same dtype) into element dk of v.
func (v *val) copyElem(dk int, src *val, sk int) {
	switch kindOf(v.dt) {
	case kInt:
		v.i[dk] = src.i[sk]
	case kUint:
		v.u[dk] = src.u[sk]
	default:
		v.f[dk] = src.f[sk]
	}
	v.setErr(dk, src.err(sk))
}

// float returns element k as float64 (ints converted, rounding above 2^53).
func (v *val) float(k int) float64 {
	switch kindOf(v.dt) {
	case kInt:
		return float64(v.i[k])
	case kUint:
		return float64(v.u[k])
	}
	return v.f[k]
}

// truth returns NumPy's truthiness of element k: x != 0 (NaN is true).
func (v *val) truth(k int) bool {
	switch kindOf(v.dt) {
	case kInt:
		return v.i[k] != 0
	case kUint:
		return v.u[k] != 0
	}
	return v.f[k] != 0
}

// wrapInt truncates x to the width of the signed dtype dt (two's
// complement) and sign-extends it back; bool becomes 0 or 1.
func wrapInt(dt chunk.DType, x int64) int64 {
	switch dt {
	case chunk.Bool:
		if x != 0 {
			return 1
		}
		return 0
	case chunk.Int8:
		return int64(int8(x))
	case chunk.Int16:
		return int64(int16(x))
	case chunk.Int32:
		return int64(int32(x))
	}
	return x
}

// wrapUint truncates x to the width of the unsigned dtype dt.
func wrapUint(dt chunk.DType, x uint64) uint64 {
	switch dt {
	case chunk.Uint8:
		return uint64(uint8(x))
	case chunk.Uint16:
		return uint64(uint16(x))
	case chunk.Uint32:
		return uint64(uint32(x))
	}
	return x
}

// rnd rounds x to the float dtype dt (ties to even).
func rnd(dt chunk.DType, x float64) float64 {
	if dt == chunk.Float32 {
		return float64(float32(x))
	}
	return x
}

// rounder returns rnd for dtype dt as a function.
func rounder(dt chunk.DType) func(float64) float64 {
	if dt == chunk.Float32 {
		return func(x float64) float64 { return float64(float32(x)) }
	}
	return func(x float64) float64 { return x }
}

// ulp returns the spacing of the float dtype dt at |x|: the distance from
// the power of two at or below |x| to the next float, at least the
// smallest subnormal; +Inf for infinite or NaN x.
func ulp(dt chunk.DType, x float64) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return math.Inf(1)
	}
	mant, minExp := 53, -1074
	if dt == chunk.Float32 {
		mant, minExp = 24, -149
	}
	if x == 0 {
		return math.Ldexp(1, minExp)
	}
	_, exp := math.Frexp(math.Abs(x)) // |x| = m * 2^exp, m in [0.5, 1)
	return math.Ldexp(1, max(exp-mant, minExp))
}

// maxFinite is the largest finite value of the float dtype dt.
func maxFinite(dt chunk.DType) float64 {
	if dt == chunk.Float32 {
		return math.MaxFloat32
	}
	return math.MaxFloat64
}

// loadDense converts a Dense into a val with exact bounds.
func loadDense(d *chunk.Dense) *val {
	v := newVal(d.DType(), d.Shape())
	switch d.DType() {
	case chunk.Bool:
		for k, b := range chunk.Values[bool](d) {
			if b {
				v.i[k] = 1
			}
		}
	case chunk.Int8:
		loadInts(v.i, chunk.Values[int8](d))
	case chunk.Int16:
		loadInts(v.i, chunk.Values[int16](d))
	case chunk.Int32:
		loadInts(v.i, chunk.Values[int32](d))
	case chunk.Int64:
		copy(v.i, chunk.Values[int64](d))
	case chunk.Uint8:
		loadUints(v.u, chunk.Values[uint8](d))
	case chunk.Uint16:
		loadUints(v.u, chunk.Values[uint16](d))
	case chunk.Uint32:
		loadUints(v.u, chunk.Values[uint32](d))
	case chunk.Uint64:
		copy(v.u, chunk.Values[uint64](d))
	case chunk.Float32:
		for k, x := range chunk.Values[float32](d) {
			v.f[k] = float64(x)
		}
	case chunk.Float64:
		copy(v.f, chunk.Values[float64](d))
	default:
		panic(fmt.Sprintf("eager: dtype %v", d.DType()))
	}
	return v
}

func loadInts[T int8 | int16 | int32](dst []int64, src []T) {
	for k, x := range src {
		dst[k] = int64(x)
	}
}

func loadUints[T uint8 | uint16 | uint32](dst []uint64, src []T) {
	for k, x := range src {
		dst[k] = uint64(x)
	}
}

// dense converts v into a Dense of its dtype.
func (v *val) dense() *chunk.Dense {
	d := chunk.NewDense(v.dt, v.shape)
	switch v.dt {
	case chunk.Bool:
		s := chunk.Values[bool](d)
		for k, x := range v.i {
			s[k] = x != 0
		}
	case chunk.Int8:
		storeInts(chunk.Values[int8](d), v.i)
	case chunk.Int16:
		storeInts(chunk.Values[int16](d), v.i)
	case chunk.Int32:
		storeInts(chunk.Values[int32](d), v.i)
	case chunk.Int64:
		copy(chunk.Values[int64](d), v.i)
	case chunk.Uint8:
		storeUints(chunk.Values[uint8](d), v.u)
	case chunk.Uint16:
		storeUints(chunk.Values[uint16](d), v.u)
	case chunk.Uint32:
		storeUints(chunk.Values[uint32](d), v.u)
	case chunk.Uint64:
		copy(chunk.Values[uint64](d), v.u)
	case chunk.Float32:
		s := chunk.Values[float32](d)
		for k, x := range v.f {
			s[k] = float32(x)
		}
	case chunk.Float64:
		copy(chunk.Values[float64](d), v.f)
	}
	return d
}

func storeInts[T int8 | int16 | int32](dst []T, src []int64) {
	for k, x := range src {
		dst[k] = T(x)
	}
}

func storeUints[T uint8 | uint16 | uint32](dst []T, src []uint64) {
	for k, x := range src {
		dst[k] = T(x)
	}
}

// strides returns row-major element strides.
func strides(shape []int) []int { return chunk.Strides(shape) }

// unflatten writes the multi-index of flat index f of shape into idx.
func unflatten(f int, shape []int, idx []int) {
	for a := len(shape) - 1; a >= 0; a-- {
		if shape[a] == 0 {
			idx[a] = 0
			continue
		}
		idx[a] = f % shape[a]
		f /= shape[a]
	}
}
