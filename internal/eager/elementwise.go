package eager

import (
	"fmt"
	"math"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ops"
)

// Accuracy allowances of the functions that are not correctly rounded:
// how far apart, in ulps of the float64 result, an engine's kernel and the
// reference here may be. ops promises its fast kernels within 2 ulp of the
// true result and the references here are within about 1 ulp, so 4 ulp
// covers both. A float32 result is computed in float64 and rounded by both
// sides, so the two can differ by one float32 ulp, which finishBound's
// minimum of one ulp of the result already allows.
const approxULPs = 4

// floatFn1 describes a unary function of a float loop.
type floatFn1 struct {
	f     func(float64) float64
	exact bool // correctly rounded, so exact inputs give identical results
	// crit lists the points where the function turns or its domain ends,
	// which must be evaluated when an input interval contains them (an
	// interval reaching across arccos's domain [-1, 1] has NaN at both
	// ends but not inside).
	crit []float64
	// lipschitz, when > 0, bounds the function's slope; the interval is
	// then bounded by it instead of by its ends (sin, cos).
	lipschitz float64
	// pole marks tan, whose interval must not contain an odd multiple of
	// pi/2.
	pole bool
}

// unaryFloat returns the description of a unary function over a float
// loop, and false for the functions with a bool result.
func unaryFloat(fn ops.UnaryOp) (floatFn1, bool) {
	switch fn {
	case ops.Neg:
		return floatFn1{f: func(x float64) float64 { return -x }, exact: true}, true
	case ops.Abs:
		return floatFn1{f: math.Abs, exact: true, crit: []float64{0}}, true
	case ops.Sqrt:
		return floatFn1{f: math.Sqrt, exact: true, crit: []float64{0}}, true
	case ops.Exp:
		return floatFn1{f: refExp}, true
	case ops.Expm1:
		return floatFn1{f: math.Expm1}, true
	case ops.Log:
		return floatFn1{f: refLog, crit: []float64{0}}, true
	case ops.Log1p:
		return floatFn1{f: math.Log1p, crit: []float64{-1}}, true
	case ops.Log10:
		return floatFn1{f: refLog10, crit: []float64{0}}, true
	case ops.Sin:
		return floatFn1{f: refSin, lipschitz: 1}, true
	case ops.Cos:
		return floatFn1{f: refCos, lipschitz: 1}, true
	case ops.Tan:
		return floatFn1{f: refTan, pole: true}, true
	case ops.Arcsin:
		return floatFn1{f: refAsin, crit: []float64{-1, 1}}, true
	case ops.Arccos:
		return floatFn1{f: refAcos, crit: []float64{-1, 1}}, true
	case ops.Arctan:
		return floatFn1{f: math.Atan}, true
	case ops.Sinh:
		return floatFn1{f: refSinh}, true
	case ops.Cosh:
		return floatFn1{f: refCosh, crit: []float64{0}}, true
	case ops.Tanh:
		return floatFn1{f: math.Tanh}, true
	case ops.Floor:
		return floatFn1{f: math.Floor, exact: true}, true
	case ops.Ceil:
		return floatFn1{f: math.Ceil, exact: true}, true
	case ops.Round:
		return floatFn1{f: math.RoundToEven, exact: true}, true
	case ops.Sign:
		return floatFn1{f: signFloat, exact: true}, true
	case ops.Square:
		return floatFn1{f: func(x float64) float64 { return x * x }, exact: true, crit: []float64{0}}, true
	case ops.Reciprocal:
		return floatFn1{f: func(x float64) float64 { return 1 / x }, exact: true}, true
	}
	return floatFn1{}, false
}

// signFloat is NumPy's sign: -1, 0 (+0 for -0) or 1, NaN for NaN.
func signFloat(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	case x == 0:
		return 0
	}
	return x
}

// evalUnary applies fn to in, whose dtype is the loop dtype, giving
// dtype out.
func evalUnary(fn ops.UnaryOp, in *val, out chunk.DType) (*val, error) {
	res := newVal(out, in.shape)
	n := in.size()
	if in.dt.IsFloat() {
		switch fn {
		case ops.IsNaN, ops.IsInf, ops.IsFinite, ops.LogicalNot:
			for k := 0; k < n; k++ {
				x, e := in.f[k], in.err(k)
				var r bool
				switch fn {
				case ops.IsNaN:
					r = math.IsNaN(x)
				case ops.IsInf:
					r = math.IsInf(x, 0)
				case ops.IsFinite:
					r = !math.IsNaN(x) && !math.IsInf(x, 0)
				default:
					r = x == 0
				}
				res.i[k] = b2i(r)
				// A finite bound keeps the value finite (finishBound
				// makes sure), so only truthiness can be uncertain.
				if math.IsInf(e, 1) || (fn == ops.LogicalNot && !truthKnown(x, e)) {
					res.setErr(k, math.Inf(1))
				}
			}
			return res, nil
		}
		ff, ok := unaryFloat(fn)
		if !ok || out != in.dt {
			return nil, fmt.Errorf("eager: %v of %v giving %v", fn, in.dt, out)
		}
		for k := 0; k < n; k++ {
			res.f[k], res.e = unaryFloatElem(ff, out, in.f[k], in.err(k), res.e, k, n)
		}
		return res, nil
	}
	// Integer and bool loops: exact, and undetermined for undetermined
	// input.
	for k := 0; k < n; k++ {
		if in.err(k) != 0 {
			res.setErr(k, math.Inf(1))
		}
	}
	switch kindOf(in.dt) {
	case kInt:
		for k := 0; k < n; k++ {
			x := in.i[k]
			var r int64
			switch fn {
			case ops.Neg:
				r = -x
			case ops.Abs:
				r = x
				if x < 0 {
					r = -x
				}
			case ops.Sign:
				r = int64(cmpInt(x, 0))
			case ops.Round:
				r = x
			case ops.IsNaN, ops.IsInf:
				r = 0
			case ops.IsFinite:
				r = 1
			case ops.LogicalNot:
				r = b2i(x == 0)
			case ops.Invert:
				if in.dt == chunk.Bool {
					r = 1 - x
				} else {
					r = ^x
				}
			case ops.Square:
				r = x * x
			case ops.Reciprocal:
				switch x {
				case 1:
					r = 1
				case -1:
					r = -1
				}
			default:
				return nil, fmt.Errorf("eager: %v of %v", fn, in.dt)
			}
			res.i[k] = wrapInt(out, r)
		}
	case kUint:
		for k := 0; k < n; k++ {
			x := in.u[k]
			switch fn {
			case ops.IsNaN, ops.IsInf:
				res.i[k] = 0
				continue
			case ops.IsFinite:
				res.i[k] = 1
				continue
			case ops.LogicalNot:
				res.i[k] = b2i(x == 0)
				continue
			}
			var r uint64
			switch fn {
			case ops.Neg:
				r = -x
			case ops.Abs, ops.Round:
				r = x
			case ops.Sign:
				if x > 0 {
					r = 1
				}
			case ops.Invert:
				r = ^x
			case ops.Square:
				r = x * x
			case ops.Reciprocal:
				if x == 1 {
					r = 1
				}
			default:
				return nil, fmt.Errorf("eager: %v of %v", fn, in.dt)
			}
			res.u[k] = wrapUint(out, r)
		}
	}
	return res, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// unaryFloatElem computes one element of a float unary function and its
// bound (stored into errs, allocated on demand).
func unaryFloatElem(ff floatFn1, dt chunk.DType, x, e float64, errs []float64, k, n int) (float64, []float64) {
	set := func(b float64) {
		if b == 0 {
			return
		}
		if errs == nil {
			errs = make([]float64, n)
		}
		errs[k] = b
	}
	y := rnd(dt, ff.f(x))
	switch {
	case math.IsInf(e, 1):
		set(e)
		return y, errs
	case e == 0 && ff.exact:
		return y, errs
	case e == 0:
		// An approximate function of an exact input.
		switch {
		case math.IsNaN(y):
			// NaN comes only from the domain (log(-1), asin(2)), which
			// both sides agree on.
		case math.IsInf(y, 0):
			// An overflow is certain unless x is the last float before
			// it, where the approximations may disagree.
			if rnd(dt, ff.f(math.Nextafter(x, math.Inf(-1)))) != y || rnd(dt, ff.f(math.Nextafter(x, math.Inf(1)))) != y {
				set(math.Inf(1))
			}
		default:
			b := max(approxULPs*ulp(chunk.Float64, y), ulp(dt, y))
			if math.Abs(y)+b >= maxFinite(dt) {
				b = math.Inf(1)
			}
			set(b)
		}
		return y, errs
	}
	extra := 0.0
	if !ff.exact {
		extra = approxULPs * ulp(chunk.Float64, y)
	}
	if ff.lipschitz > 0 && !math.IsNaN(y) {
		set(min(ff.lipschitz*e, 2) + 2*ulp(dt, y) + extra)
		return y, errs
	}
	lo, hi := x-e, x+e
	ys := []float64{rnd(dt, ff.f(lo)), rnd(dt, ff.f(hi))}
	for _, c := range ff.crit {
		if lo < c && c < hi {
			ys = append(ys, rnd(dt, ff.f(c)))
		}
	}
	if ff.pole {
		// tan increases between its poles: an interval across one shows
		// as ends out of order, and a wide one is never trusted.
		if e >= 1 || !(ys[0] <= ys[1]) {
			set(math.Inf(1))
			return y, errs
		}
	}
	for _, c := range ys[2:] {
		extra = max(extra, approxULPs*ulp(chunk.Float64, c))
	}
	set(finishBound(dt, y, ys, extra))
	return y, errs
}

// evalBinary applies fn to a and b, both of the loop dtype and the same
// shape, giving dtype out.
func evalBinary(fn ops.BinaryOp, a, b *val, out chunk.DType) (*val, error) {
	if a.dt != b.dt || !chunk.EqualInts(a.shape, b.shape) {
		return nil, fmt.Errorf("eager: %v of %v%v and %v%v", fn, a.dt, a.shape, b.dt, b.shape)
	}
	res := newVal(out, a.shape)
	n := a.size()
	switch kindOf(a.dt) {
	case kFloat:
		return res, binaryFloat(fn, a, b, res)
	case kInt:
		for k := 0; k < n; k++ {
			x, y := a.i[k], b.i[k]
			r, isBool, err := binaryInt(fn, a.dt, x, y)
			if err != nil {
				return nil, err
			}
			if isBool {
				res.i[k] = r
			} else {
				res.i[k] = wrapInt(out, r)
			}
		}
	case kUint:
		for k := 0; k < n; k++ {
			x, y := a.u[k], b.u[k]
			r, cmp, err := binaryUint(fn, x, y)
			if err != nil {
				return nil, err
			}
			if out == chunk.Bool {
				res.i[k] = cmp
			} else {
				res.u[k] = wrapUint(out, r)
			}
		}
	}
	for k := 0; k < n; k++ {
		if a.err(k) != 0 || b.err(k) != 0 {
			res.setErr(k, math.Inf(1))
		}
	}
	return res, nil
}

// binaryInt computes fn over signed integers or bools held in int64; the
// caller wraps the result to the output dtype unless isBool.
func binaryInt(fn ops.BinaryOp, dt chunk.DType, x, y int64) (r int64, isBool bool, err error) {
	switch fn {
	case ops.Add:
		return x + y, false, nil
	case ops.Sub:
		return x - y, false, nil
	case ops.Mul:
		return x * y, false, nil
	case ops.FloorDiv:
		if y == 0 {
			return 0, false, nil
		}
		q, m := x/y, x%y
		if m != 0 && (m < 0) != (y < 0) {
			q--
		}
		return q, false, nil
	case ops.Mod:
		if y == 0 {
			return 0, false, nil
		}
		m := x % y
		if m != 0 && (m < 0) != (y < 0) {
			m += y
		}
		return m, false, nil
	case ops.Pow:
		if y < 0 {
			// ops' documented deviation: the real result truncated.
			switch {
			case x == 1:
				return 1, false, nil
			case x == -1:
				if y&1 != 0 {
					return -1, false, nil
				}
				return 1, false, nil
			}
			return 0, false, nil
		}
		// x^y mod 2^64 by squaring; the caller wraps to the dtype, which
		// commutes with the products.
		p := int64(1)
		base, e := x, y
		for e > 0 {
			if e&1 == 1 {
				p *= base
			}
			base *= base
			e >>= 1
		}
		return p, false, nil
	case ops.Minimum:
		return min(x, y), false, nil
	case ops.Maximum:
		return max(x, y), false, nil
	case ops.Equal:
		return b2i(x == y), true, nil
	case ops.NotEqual:
		return b2i(x != y), true, nil
	case ops.Less:
		return b2i(x < y), true, nil
	case ops.LessEqual:
		return b2i(x <= y), true, nil
	case ops.Greater:
		return b2i(x > y), true, nil
	case ops.GreaterEqual:
		return b2i(x >= y), true, nil
	case ops.LogicalAnd:
		return b2i(x != 0 && y != 0), true, nil
	case ops.LogicalOr:
		return b2i(x != 0 || y != 0), true, nil
	case ops.LogicalXor:
		return b2i((x != 0) != (y != 0)), true, nil
	case ops.BitwiseAnd:
		return x & y, false, nil
	case ops.BitwiseOr:
		return x | y, false, nil
	case ops.BitwiseXor:
		return x ^ y, false, nil
	}
	return 0, false, fmt.Errorf("eager: %v of %v", fn, dt)
}

// binaryUint computes fn over unsigned integers: r for arithmetic results,
// cmp (0 or 1) for comparisons and logical functions.
func binaryUint(fn ops.BinaryOp, x, y uint64) (r uint64, cmp int64, err error) {
	switch fn {
	case ops.Add:
		return x + y, 0, nil
	case ops.Sub:
		return x - y, 0, nil
	case ops.Mul:
		return x * y, 0, nil
	case ops.FloorDiv:
		if y == 0 {
			return 0, 0, nil
		}
		return x / y, 0, nil
	case ops.Mod:
		if y == 0 {
			return 0, 0, nil
		}
		return x % y, 0, nil
	case ops.Pow:
		p := uint64(1)
		base, e := x, y
		for e > 0 {
			if e&1 == 1 {
				p *= base
			}
			base *= base
			e >>= 1
		}
		return p, 0, nil
	case ops.Minimum:
		return min(x, y), 0, nil
	case ops.Maximum:
		return max(x, y), 0, nil
	case ops.Equal:
		return 0, b2i(x == y), nil
	case ops.NotEqual:
		return 0, b2i(x != y), nil
	case ops.Less:
		return 0, b2i(x < y), nil
	case ops.LessEqual:
		return 0, b2i(x <= y), nil
	case ops.Greater:
		return 0, b2i(x > y), nil
	case ops.GreaterEqual:
		return 0, b2i(x >= y), nil
	case ops.LogicalAnd:
		return 0, b2i(x != 0 && y != 0), nil
	case ops.LogicalOr:
		return 0, b2i(x != 0 || y != 0), nil
	case ops.LogicalXor:
		return 0, b2i((x != 0) != (y != 0)), nil
	case ops.BitwiseAnd:
		return x & y, 0, nil
	case ops.BitwiseOr:
		return x | y, 0, nil
	case ops.BitwiseXor:
		return x ^ y, 0, nil
	}
	return 0, 0, fmt.Errorf("eager: %v of unsigned integers", fn)
}

// npMinimum and npMaximum are NumPy's elementwise minimum and maximum as
// ops documents them: NaN propagates, and a tie between -0.0 and +0.0 is
// decided as IEEE 754's minimum and maximum do (-0.0 is the smaller), where
// NumPy 1.24 on x86-64 returns its second operand.
func npMinimum(a, b float64) float64 {
	switch {
	case a != a:
		return a
	case b != b:
		return b
	case a == b:
		if math.Signbit(a) {
			return a
		}
		return b
	case a < b:
		return a
	}
	return b
}

func npMaximum(a, b float64) float64 {
	switch {
	case a != a:
		return a
	case b != b:
		return b
	case a == b:
		if math.Signbit(a) {
			return b
		}
		return a
	case a > b:
		return a
	}
	return b
}

// floatFn2 returns the float function of fn in loop dtype dt (rounded to
// dt), whether it is correctly rounded, and whether it gives bool.
func floatFn2(fn ops.BinaryOp, dt chunk.DType) (f func(a, b float64) float64, exact, isBool bool) {
	r := rounder(dt)
	bf := func(p func(a, b float64) bool) func(a, b float64) float64 {
		return func(a, b float64) float64 {
			if p(a, b) {
				return 1
			}
			return 0
		}
	}
	switch fn {
	case ops.Add:
		return func(a, b float64) float64 { return r(a + b) }, true, false
	case ops.Sub:
		return func(a, b float64) float64 { return r(a - b) }, true, false
	case ops.Mul:
		return func(a, b float64) float64 { return r(a * b) }, true, false
	case ops.Div:
		return func(a, b float64) float64 { return r(a / b) }, true, false
	case ops.FloorDiv:
		return func(a, b float64) float64 { q, _ := divmod(a, b, r); return q }, true, false
	case ops.Mod:
		return func(a, b float64) float64 { _, m := divmod(a, b, r); return m }, true, false
	case ops.Pow:
		return func(a, b float64) float64 { return r(refPow(a, b)) }, false, false
	case ops.Minimum:
		return npMinimum, true, false
	case ops.Maximum:
		return npMaximum, true, false
	case ops.Arctan2:
		return func(a, b float64) float64 { return r(math.Atan2(a, b)) }, false, false
	case ops.Equal:
		return bf(func(a, b float64) bool { return a == b }), true, true
	case ops.NotEqual:
		return bf(func(a, b float64) bool { return a != b }), true, true
	case ops.Less:
		return bf(func(a, b float64) bool { return a < b }), true, true
	case ops.LessEqual:
		return bf(func(a, b float64) bool { return a <= b }), true, true
	case ops.Greater:
		return bf(func(a, b float64) bool { return a > b }), true, true
	case ops.GreaterEqual:
		return bf(func(a, b float64) bool { return a >= b }), true, true
	case ops.LogicalAnd:
		return bf(func(a, b float64) bool { return a != 0 && b != 0 }), true, true
	case ops.LogicalOr:
		return bf(func(a, b float64) bool { return a != 0 || b != 0 }), true, true
	case ops.LogicalXor:
		return bf(func(a, b float64) bool { return (a != 0) != (b != 0) }), true, true
	}
	return nil, false, false
}

// binaryFloat computes a float binary function with bounds.
func binaryFloat(fn ops.BinaryOp, a, b, res *val) error {
	dt := a.dt
	f, exact, isBool := floatFn2(fn, dt)
	if f == nil {
		return fmt.Errorf("eager: %v of %v", fn, dt)
	}
	if isBool != (res.dt == chunk.Bool) || (!isBool && res.dt != dt) {
		return fmt.Errorf("eager: %v of %v giving %v", fn, dt, res.dt)
	}
	n := a.size()
	for k := 0; k < n; k++ {
		x, y := a.f[k], b.f[k]
		ex, ey := a.err(k), b.err(k)
		z := f(x, y)
		if isBool {
			res.i[k] = int64(z)
			if ex == 0 && ey == 0 {
				continue
			}
			if math.IsInf(ex, 1) || math.IsInf(ey, 1) || !boolKnown(fn, x, ex, y, ey) {
				res.setErr(k, math.Inf(1))
			}
			continue
		}
		res.f[k] = z
		switch {
		case math.IsInf(ex, 1) || math.IsInf(ey, 1):
			res.setErr(k, math.Inf(1))
		case ex == 0 && ey == 0 && exact:
		case ex == 0 && ey == 0:
			res.setErr(k, approxBound(dt, z))
		default:
			res.setErr(k, binaryBound(fn, dt, f, exact, x, ex, y, ey, z))
		}
	}
	return nil
}

// approxBound is the bound of an approximate function's result z of exact
// inputs: approxULPs float64 ulps (at least one ulp of dt). NaN and
// infinite results (domain errors, overflow far from the threshold, which
// is all random data meets) are taken as certain.
func approxBound(dt chunk.DType, z float64) float64 {
	if math.IsNaN(z) || math.IsInf(z, 0) {
		return 0
	}
	b := max(approxULPs*ulp(chunk.Float64, z), ulp(dt, z))
	if math.Abs(z)+b >= maxFinite(dt) {
		return math.Inf(1)
	}
	return b
}

// boolKnown reports whether a comparison or logical function of operands
// within ex of x and ey of y is certain.
func boolKnown(fn ops.BinaryOp, x, ex, y, ey float64) bool {
	switch fn {
	case ops.Equal, ops.NotEqual:
		// Certain only when the intervals are apart (a NaN operand has
		// a zero bound and compares unequal to everything).
		return math.IsNaN(x) || math.IsNaN(y) || math.Abs(x-y) > ex+ey
	case ops.Less, ops.LessEqual, ops.Greater, ops.GreaterEqual:
		if math.IsNaN(x) || math.IsNaN(y) {
			return true
		}
		return math.Abs(x-y) > ex+ey
	case ops.LogicalAnd:
		tx, ty := truthKnown(x, ex), truthKnown(y, ey)
		return tx && ty || tx && x == 0 || ty && y == 0
	case ops.LogicalOr:
		tx, ty := truthKnown(x, ex), truthKnown(y, ey)
		return tx && ty || tx && x != 0 || ty && y != 0
	}
	return truthKnown(x, ex) && truthKnown(y, ey)
}

// binaryBound bounds a float binary result z = f(x, y) whose operands
// are uncertain (within ex and ey) by evaluating f at the corners of the
// operand box, where every function here takes its extremes over a box
// that avoids its discontinuities; boxes across a discontinuity are
// detected and made undetermined.
func binaryBound(fn ops.BinaryOp, dt chunk.DType, f func(a, b float64) float64, exact bool, x, ex, y, ey, z float64) float64 {
	xs := []float64{x - ex, x + ex}
	if ex == 0 {
		xs = xs[:1]
		xs[0] = x
	}
	ys := []float64{y - ey, y + ey}
	if ey == 0 {
		ys = ys[:1]
		ys[0] = y
	}
	contains0 := func(v, e float64) bool { return e > 0 && v-e <= 0 && 0 <= v+e }
	switch fn {
	case ops.Div, ops.FloorDiv, ops.Mod:
		if contains0(y, ey) {
			return math.Inf(1)
		}
	case ops.Pow:
		if ey > 0 && x-ex < 0 {
			// A negative base gives NaN for every non-integer exponent
			// and a number for the integers between them.
			return math.Inf(1)
		}
		if contains0(x, ex) {
			xs = append(xs, 0)
		}
	case ops.Arctan2:
		if contains0(x, ex) && contains0(y, ey) {
			return math.Inf(1)
		}
	}
	var cs []float64
	for _, a := range xs {
		for _, b := range ys {
			cs = append(cs, f(a, b))
		}
	}
	extra := 0.0
	if !exact {
		for _, c := range append(cs, z) {
			extra = max(extra, approxULPs*ulp(chunk.Float64, c))
		}
	}
	if fn == ops.Mod || fn == ops.FloorDiv {
		// Across a multiple of the divisor the remainder jumps between
		// 0 and the divisor and the quotient by one.
		q0, _ := divmod(xs[0], ys[0], rounder(dt))
		for _, a := range xs {
			for _, b := range ys {
				if q, _ := divmod(a, b, rounder(dt)); q != q0 {
					if fn == ops.Mod {
						extra = max(extra, math.Abs(y)+ey)
					}
				}
			}
		}
	}
	return finishBound(dt, z, cs, extra)
}

// evalWhere selects a where cond else b; a and b have the result dtype.
func evalWhere(cond, a, b *val) (*val, error) {
	if cond.dt != chunk.Bool || a.dt != b.dt || !chunk.EqualInts(cond.shape, a.shape) || !chunk.EqualInts(a.shape, b.shape) {
		return nil, fmt.Errorf("eager: where(%v%v, %v%v, %v%v)", cond.dt, cond.shape, a.dt, a.shape, b.dt, b.shape)
	}
	res := newVal(a.dt, a.shape)
	n := a.size()
	for k := 0; k < n; k++ {
		if cond.i[k] != 0 {
			res.copyElem(k, a, k)
		} else {
			res.copyElem(k, b, k)
		}
		if cond.err(k) != 0 {
			res.setErr(k, math.Inf(1))
		}
	}
	return res, nil
}
