package eager

import (
	"math"
	"math/big"

	"github.com/ndchunk/ndchunk/chunk"
)

// Casts follow the semantics documented on ops.Cast (NumPy's astype on
// x86-64), written out here case by case.

// floatToInt converts a float to the integer dtype dt as NumPy 1.24 does
// on x86-64: truncation toward zero in range; int32 and int64 give their
// minimum for NaN and out-of-range values; int8, int16, uint8 and uint16
// convert through int32 and wrap; uint32 converts through int64 and wraps;
// uint64 is exact below 2^64, wraps negative values through int64, and
// gives 2^63 for NaN and values below -2^63 and 0 from 2^64 up. The result
// is returned in val's representation (i for signed, u for unsigned).
func floatToInt(dt chunk.DType, x float64) (int64, uint64) {
	t := math.Trunc(x)
	via32 := func() int64 {
		if t >= -2147483648 && t <= 2147483647 {
			return int64(t)
		}
		return math.MinInt32
	}
	via64 := func() int64 {
		if t >= -0x1p63 && t < 0x1p63 {
			return int64(t)
		}
		return math.MinInt64
	}
	switch dt {
	case chunk.Int8, chunk.Int16, chunk.Int32:
		return wrapInt(dt, via32()), 0
	case chunk.Int64:
		return via64(), 0
	case chunk.Uint8, chunk.Uint16:
		return 0, wrapUint(dt, uint64(via32()))
	case chunk.Uint32:
		return 0, wrapUint(dt, uint64(via64()))
	case chunk.Uint64:
		switch {
		case t >= 0x1p63 && t < 0x1p64:
			return 0, uint64(t)
		case t >= 0x1p64:
			return 0, 0
		}
		return 0, uint64(via64())
	}
	panic("eager: floatToInt to " + dt.String())
}

// intToFloat rounds an integer to the float dtype dt, ties to even,
// through math/big so as not to depend on the compiler's conversions.
func intToFloat(dt chunk.DType, x int64) float64 {
	if x > -1<<24 && x < 1<<24 {
		return float64(x) // exact in both
	}
	b := new(big.Float).SetInt64(x)
	if dt == chunk.Float32 {
		f, _ := b.Float32()
		return float64(f)
	}
	f, _ := b.Float64()
	return f
}

// uintToFloat is intToFloat for unsigned integers.
func uintToFloat(dt chunk.DType, x uint64) float64 {
	if x < 1<<24 {
		return float64(x)
	}
	b := new(big.Float).SetUint64(x)
	if dt == chunk.Float32 {
		f, _ := b.Float32()
		return float64(f)
	}
	f, _ := b.Float64()
	return f
}

// castElem converts element k of src into element k of dst (another
// dtype), exactly, ignoring bounds.
func castElem(dst *val, src *val, k int) {
	to := dst.dt
	switch kindOf(src.dt) {
	case kInt:
		x := src.i[k]
		switch kindOf(to) {
		case kInt:
			dst.i[k] = wrapInt(to, x)
		case kUint:
			if src.dt == chunk.Bool {
				dst.u[k] = uint64(x)
			} else {
				dst.u[k] = wrapUint(to, uint64(x))
			}
		default:
			dst.f[k] = intToFloat(to, x)
		}
	case kUint:
		x := src.u[k]
		switch kindOf(to) {
		case kInt:
			if to == chunk.Bool {
				dst.i[k] = b2i(x != 0)
			} else {
				dst.i[k] = wrapInt(to, int64(x))
			}
		case kUint:
			dst.u[k] = wrapUint(to, x)
		default:
			dst.f[k] = uintToFloat(to, x)
		}
	default:
		x := src.f[k]
		switch {
		case to == chunk.Bool:
			dst.i[k] = b2i(x != 0)
		case to.IsFloat():
			dst.f[k] = rnd(to, x)
		case to.IsSigned():
			dst.i[k], _ = floatToInt(to, x)
		default:
			_, dst.u[k] = floatToInt(to, x)
		}
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// castVal converts v to dtype to with bounds: exact inputs give exact
// outputs; an uncertain float input gives a float output bounded through
// both ends of its interval, and an integer or bool output that is exact
// when both ends convert to the same value.
func castVal(v *val, to chunk.DType) *val {
	out := newVal(to, v.shape)
	n := v.size()
	for k := 0; k < n; k++ {
		castElem(out, v, k)
		e := v.err(k)
		if e == 0 {
			continue
		}
		if math.IsInf(e, 1) || !v.dt.IsFloat() {
			out.setErr(k, math.Inf(1))
			continue
		}
		x := v.f[k]
		lo, hi := x-e, x+e
		switch {
		case to == chunk.Bool:
			if !truthKnown(x, e) {
				out.setErr(k, math.Inf(1))
			}
		case to.IsFloat():
			y := out.f[k]
			out.setErr(k, finishBound(to, y, []float64{rnd(to, lo), rnd(to, hi)}, 0))
		default:
			if math.Trunc(lo) != math.Trunc(hi) {
				out.setErr(k, math.Inf(1))
			}
		}
	}
	return out
}

// truthKnown reports whether the truthiness (x != 0) of a value within e
// of x is certain.
func truthKnown(x, e float64) bool {
	return e == 0 || math.Abs(x) > e
}

// finishBound returns the bound of a float result y (of dtype dt) whose
// possible values, by the function's monotonicity, lie between the
// computed values ys at the ends of its inputs' intervals, plus extra for
// approximation: the largest distance from y to ys, plus two ulps for the
// rounding of each side, at least one ulp of y; +Inf when the interval
// reaches NaN or an infinity y is not, or the finite range's edge.
func finishBound(dt chunk.DType, y float64, ys []float64, extra float64) float64 {
	yNaN, yInf := math.IsNaN(y), math.IsInf(y, 0)
	e := 0.0
	big := math.Abs(y)
	for _, c := range ys {
		if math.IsNaN(c) != yNaN {
			return math.Inf(1)
		}
		if yNaN {
			continue
		}
		if yInf {
			if c != y {
				return math.Inf(1)
			}
			continue
		}
		if math.IsInf(c, 0) {
			return math.Inf(1)
		}
		e = max(e, math.Abs(c-y))
		big = max(big, math.Abs(c))
	}
	if yNaN || yInf {
		return 0
	}
	e += 2*ulp(dt, big) + extra
	e = max(e, ulp(dt, y))
	if big+e >= maxFinite(dt) {
		return math.Inf(1)
	}
	return e
}
