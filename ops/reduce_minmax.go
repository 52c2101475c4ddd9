package ops

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/ndchunk/ndchunk/chunk"
)

// Minimum, maximum and their positions.
//
// min and max use Go's builtin min and max, which propagate NaN and order
// -0.0 below +0.0 (IEEE 754-2019 minimum and maximum). That makes them
// commutative and associative, so the result never depends on how the
// input was cut into tiles and blocks. NumPy's sign of a zero result
// depends on its SIMD lane order instead (np.min([0.0, -0.0]) is -0.0 but
// np.min([-0.0, 0.0]) is 0.0 in NumPy 1.24).
//
// argmin and argmax order (value, index) pairs totally: NaN beats every
// number, a better value beats a worse one, and equal values (0.0 and -0.0
// included) go to the smaller index, so they too are independent of the
// combination order, even where blocks interleave in flat index order.

// redMinMaxK computes min, max, nanmin and nanmax. Field: the value, of the
// input dtype. The initial value is the identity of the plain op over the
// dtype (+Inf or the largest integer for min); the NaN variants start from
// NaN, meaning "nothing seen", which is also their all-NaN result.
type redMinMaxK[T chunk.Number] struct {
	max, nan, float bool
	init0           T
}

func (k *redMinMaxK[T]) init(p *Partial) {
	d := chunk.Cast[T](p.Fields[0].Bytes())
	for i := range d {
		d[i] = k.init0
	}
}

// redMinOf returns min(cur, a...) with four interleaved accumulators.
func redMinOf[T chunk.Number](a []T, cur T) T {
	m0, m1, m2, m3 := cur, cur, cur, cur
	for len(a) >= 4 {
		m0 = min(m0, a[0])
		m1 = min(m1, a[1])
		m2 = min(m2, a[2])
		m3 = min(m3, a[3])
		a = a[4:]
	}
	for _, v := range a {
		m0 = min(m0, v)
	}
	return min(min(m0, m1), min(m2, m3))
}

// redMaxOf returns max(cur, a...).
func redMaxOf[T chunk.Number](a []T, cur T) T {
	m0, m1, m2, m3 := cur, cur, cur, cur
	for len(a) >= 4 {
		m0 = max(m0, a[0])
		m1 = max(m1, a[1])
		m2 = max(m2, a[2])
		m3 = max(m3, a[3])
		a = a[4:]
	}
	for _, v := range a {
		m0 = max(m0, v)
	}
	return max(max(m0, m1), max(m2, m3))
}

// redFmin is NumPy's fmin with -0.0 below +0.0: the smaller of a and b,
// ignoring a NaN operand.
func redFmin[T chunk.Number](a, b T) T {
	if a != a {
		return b
	}
	if b != b {
		return a
	}
	return min(a, b)
}

// redFmax is fmax with +0.0 above -0.0.
func redFmax[T chunk.Number](a, b T) T {
	if a != a {
		return b
	}
	if b != b {
		return a
	}
	return max(a, b)
}

// redMaxFloat returns max(cur, a...) for float T. The loop needs one
// compare per element: a NaN fails v <= m and ends the scan (the result is
// NaN whatever follows), and only a zero result, whose sign the compare
// cannot tell, is recomputed with the exact builtin.
func redMaxFloat[T chunk.Number](a []T, cur T) T {
	if cur != cur {
		return cur
	}
	m := cur
	for _, v := range a {
		if !(v <= m) {
			if v != v {
				return v
			}
			m = v
		}
	}
	if m == 0 {
		return redMaxOf(a, cur)
	}
	return m
}

// redMinFloat is redMaxFloat for the minimum.
func redMinFloat[T chunk.Number](a []T, cur T) T {
	if cur != cur {
		return cur
	}
	m := cur
	for _, v := range a {
		if !(v >= m) {
			if v != v {
				return v
			}
			m = v
		}
	}
	if m == 0 {
		return redMinOf(a, cur)
	}
	return m
}

// redNanMaxFloat returns fmax(cur, a...) for float T, NaN when cur and
// every element are NaN. A NaN never passes v > m, so the loop skips them
// for free; a zero result is recomputed exactly.
func redNanMaxFloat[T chunk.Number](a []T, cur T) T {
	for cur != cur {
		if len(a) == 0 {
			return cur
		}
		cur, a = a[0], a[1:]
	}
	m := cur
	for _, v := range a {
		if v > m {
			m = v
		}
	}
	if m == 0 {
		m = cur
		for _, v := range a {
			m = redFmax(m, v)
		}
	}
	return m
}

// redNanMinFloat is redNanMaxFloat for the minimum.
func redNanMinFloat[T chunk.Number](a []T, cur T) T {
	for cur != cur {
		if len(a) == 0 {
			return cur
		}
		cur, a = a[0], a[1:]
	}
	m := cur
	for _, v := range a {
		if v < m {
			m = v
		}
	}
	if m == 0 {
		m = cur
		for _, v := range a {
			m = redFmin(m, v)
		}
	}
	return m
}

// fold folds a into cur with the kernel's operation.
func (k *redMinMaxK[T]) fold(a []T, cur T) T {
	switch {
	case k.nan && k.max:
		return redNanMaxFloat(a, cur)
	case k.nan:
		return redNanMinFloat(a, cur)
	case k.float && k.max:
		return redMaxFloat(a, cur)
	case k.float:
		return redMinFloat(a, cur)
	case k.max:
		return redMaxOf(a, cur)
	}
	return redMinOf(a, cur)
}

func (k *redMinMaxK[T]) rows(p *Partial, xb []byte, g redPanel) {
	x := chunk.Cast[T](xb)
	d := chunk.Cast[T](p.Fields[0].Bytes())
	o := g.o
	for i := 0; i < g.m; i++ {
		d[o] = k.fold(x[i*g.l:(i+1)*g.l], d[o])
		o += g.os
	}
}

// elemwise folds src into dst element by element with k's operation.
func (k *redMinMaxK[T]) elemwise(dst, src []T) {
	src = src[:len(dst)]
	switch {
	case k.nan && k.max:
		for j, v := range src {
			dst[j] = redFmax(dst[j], v)
		}
	case k.nan:
		for j, v := range src {
			dst[j] = redFmin(dst[j], v)
		}
	case k.max:
		for j, v := range src {
			dst[j] = max(dst[j], v)
		}
	default:
		for j, v := range src {
			dst[j] = min(dst[j], v)
		}
	}
}

func (k *redMinMaxK[T]) cols(p *Partial, xb []byte, g redPanel) {
	x := chunk.Cast[T](xb)
	d := chunk.Cast[T](p.Fields[0].Bytes())[g.o:][:g.l]
	for i := 0; i < g.m; i++ {
		k.elemwise(d, x[i*g.l:])
	}
}

func (k *redMinMaxK[T]) merge(dst, src *Partial) {
	k.elemwise(chunk.Cast[T](dst.Fields[0].Bytes()), chunk.Cast[T](src.Fields[0].Bytes()))
}

func (k *redMinMaxK[T]) finalize(dst []byte, p *Partial) { copy(dst, p.Fields[0].Bytes()) }

// redLimits returns the smallest and largest values of T, infinities for
// floats and 0 and 1 for bool (read as uint8).
func redLimits[T chunk.Number](in chunk.DType) (lo, hi T) {
	switch {
	case in.IsFloat():
		return T(math.Inf(-1)), T(math.Inf(1))
	case in == chunk.Bool:
		return 0, 1
	case in.IsSigned():
		bits := 8 * unsafe.Sizeof(lo)
		l := int64(-1) << (bits - 1)
		return T(l), T(^l)
	}
	u := ^uint64(0)
	return 0, T(u)
}

func redNewMinMaxT[T chunk.Number](in chunk.DType, isMax, nan bool) redKernel {
	lo, hi := redLimits[T](in)
	k := &redMinMaxK[T]{max: isMax, nan: nan, float: in.IsFloat(), init0: hi}
	switch {
	case nan:
		k.init0 = T(math.NaN())
	case isMax:
		k.init0 = lo
	}
	return k
}

// redNewMinMax returns the min/max kernel of input dtype in.
func redNewMinMax(in chunk.DType, isMax, nan bool) redKernel {
	switch in {
	case chunk.Bool, chunk.Uint8:
		return redNewMinMaxT[uint8](in, isMax, nan)
	case chunk.Int8:
		return redNewMinMaxT[int8](in, isMax, nan)
	case chunk.Int16:
		return redNewMinMaxT[int16](in, isMax, nan)
	case chunk.Int32:
		return redNewMinMaxT[int32](in, isMax, nan)
	case chunk.Int64:
		return redNewMinMaxT[int64](in, isMax, nan)
	case chunk.Uint16:
		return redNewMinMaxT[uint16](in, isMax, nan)
	case chunk.Uint32:
		return redNewMinMaxT[uint32](in, isMax, nan)
	case chunk.Uint64:
		return redNewMinMaxT[uint64](in, isMax, nan)
	case chunk.Float32:
		return redNewMinMaxT[float32](in, isMax, nan)
	case chunk.Float64:
		return redNewMinMaxT[float64](in, isMax, nan)
	}
	panic(fmt.Sprintf("ops: min/max of %v", in))
}

// redArgK computes argmin and argmax. Fields: the best value (input dtype)
// and its flat index (int64, -1 before any element). An empty slot holds
// the worst value of the dtype (-Inf or the smallest integer for argmax),
// so that the one-compare skip in cols never passes over it.
type redArgK[T chunk.Number] struct {
	max   bool
	worst T
}

func (k *redArgK[T]) init(p *Partial) {
	v := chunk.Cast[T](p.Fields[0].Bytes())
	for i := range v {
		v[i] = k.worst
	}
	ix := redI64(p, 1)
	for i := range ix {
		ix[i] = -1
	}
}

// redBeats reports whether (v, iv) is a better argmax (or argmin, when
// isMax is false) candidate than (c, ic): NaN first, then the larger (or
// smaller) value, then the smaller index. ic < 0 marks an empty slot.
func redBeats[T chunk.Number](isMax bool, v T, iv int64, c T, ic int64) bool {
	switch {
	case ic < 0:
		return true
	case c != c:
		return v != v && iv < ic
	case v != v:
		return true
	case v == c:
		return iv < ic
	case isMax:
		return v > c
	}
	return v < c
}

// redArgFirstMax returns the position of the first NaN in a, or else of
// the first occurrence of its maximum. a must not be empty.
func redArgFirstMax[T chunk.Number](a []T) int {
	best, p := a[0], 0
	if best != best {
		return 0
	}
	for i, v := range a {
		if !(v <= best) {
			if v != v {
				return i
			}
			best, p = v, i
		}
	}
	return p
}

// redArgFirstMin is redArgFirstMax for the minimum.
func redArgFirstMin[T chunk.Number](a []T) int {
	best, p := a[0], 0
	if best != best {
		return 0
	}
	for i, v := range a {
		if !(v >= best) {
			if v != v {
				return i
			}
			best, p = v, i
		}
	}
	return p
}

func (k *redArgK[T]) rows(p *Partial, xb []byte, g redPanel) {
	x := chunk.Cast[T](xb)
	val, idx := chunk.Cast[T](p.Fields[0].Bytes()), redI64(p, 1)
	o := g.o
	for i := 0; i < g.m; i++ {
		row := x[i*g.l : (i+1)*g.l]
		var j int
		if k.max {
			j = redArgFirstMax(row)
		} else {
			j = redArgFirstMin(row)
		}
		v, iv := row[j], g.ix+int64(i)*g.ixRow+int64(j)*g.ixCol
		if redBeats(k.max, v, iv, val[o], idx[o]) {
			val[o], idx[o] = v, iv
		}
		o += g.os
	}
}

func (k *redArgK[T]) cols(p *Partial, xb []byte, g redPanel) {
	x := chunk.Cast[T](xb)
	val := chunk.Cast[T](p.Fields[0].Bytes())[g.o:][:g.l]
	idx := redI64(p, 1)[g.o:][:g.l]
	// Most elements lose to their column's best by value alone: test that
	// first with one compare, and only the rest with the full order.
	for i := 0; i < g.m; i++ {
		r := x[i*g.l:][:len(val)]
		iv := g.ix + int64(i)*g.ixRow
		if k.max {
			for j, v := range r {
				if v < val[j] {
					continue
				}
				if redBeats(true, v, iv, val[j], idx[j]) {
					val[j], idx[j] = v, iv
				}
			}
			continue
		}
		for j, v := range r {
			if v > val[j] {
				continue
			}
			if redBeats(false, v, iv, val[j], idx[j]) {
				val[j], idx[j] = v, iv
			}
		}
	}
}

func (k *redArgK[T]) merge(dst, src *Partial) {
	dv, di := chunk.Cast[T](dst.Fields[0].Bytes()), redI64(dst, 1)
	sv, si := chunk.Cast[T](src.Fields[0].Bytes()), redI64(src, 1)
	dv, sv, si = dv[:len(di)], sv[:len(di)], si[:len(di)]
	for i := range di {
		if si[i] >= 0 && redBeats(k.max, sv[i], si[i], dv[i], di[i]) {
			dv[i], di[i] = sv[i], si[i]
		}
	}
}

func (k *redArgK[T]) finalize(dst []byte, p *Partial) { copy(dst, p.Fields[1].Bytes()) }

func redNewArgT[T chunk.Number](in chunk.DType, isMax bool) redKernel {
	lo, hi := redLimits[T](in)
	if isMax {
		return &redArgK[T]{max: true, worst: lo}
	}
	return &redArgK[T]{worst: hi}
}

// redNewArg returns the argmin/argmax kernel of input dtype in.
func redNewArg(in chunk.DType, isMax bool) redKernel {
	switch in {
	case chunk.Bool, chunk.Uint8:
		return redNewArgT[uint8](in, isMax)
	case chunk.Int8:
		return redNewArgT[int8](in, isMax)
	case chunk.Int16:
		return redNewArgT[int16](in, isMax)
	case chunk.Int32:
		return redNewArgT[int32](in, isMax)
	case chunk.Int64:
		return redNewArgT[int64](in, isMax)
	case chunk.Uint16:
		return redNewArgT[uint16](in, isMax)
	case chunk.Uint32:
		return redNewArgT[uint32](in, isMax)
	case chunk.Uint64:
		return redNewArgT[uint64](in, isMax)
	case chunk.Float32:
		return redNewArgT[float32](in, isMax)
	case chunk.Float64:
		return redNewArgT[float64](in, isMax)
	}
	panic(fmt.Sprintf("ops: argmin/argmax of %v", in))
}
