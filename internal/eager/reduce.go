package eager

import (
	"fmt"
	"math"
	"math/big"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/ops"
)

// u64 is the unit roundoff of float64.
const u64 = 0x1p-53

// gamma is the classic bound n*u/(1-n*u) on the relative error of any
// order of n float64 additions or multiplications.
func gamma(n int, u float64) float64 {
	if n <= 0 {
		return 0
	}
	nu := float64(n) * u
	return nu / (1 - nu)
}

// groups lists, for every output element of a reduction of shape over the
// axes marked in reduced, the flat input indices it reduces, in row-major
// order of the reduced axes (so a position in the list is the index
// argmin and argmax report).
func groups(shape []int, reduced []bool) [][]int {
	var keptShape, redShape []int
	for a, r := range reduced {
		if r {
			redShape = append(redShape, shape[a])
		} else {
			keptShape = append(keptShape, shape[a])
		}
	}
	st := strides(shape)
	nOut, nRed := chunk.Size(keptShape), chunk.Size(redShape)
	out := make([][]int, nOut)
	kIdx := make([]int, len(keptShape))
	rIdx := make([]int, len(redShape))
	for o := 0; o < nOut; o++ {
		unflatten(o, keptShape, kIdx)
		base, kk := 0, 0
		for a, r := range reduced {
			if !r {
				base += kIdx[kk] * st[a]
				kk++
			}
		}
		g := make([]int, nRed)
		for q := 0; q < nRed; q++ {
			unflatten(q, redShape, rIdx)
			f, rr := base, 0
			for a, r := range reduced {
				if r {
					f += rIdx[rr] * st[a]
					rr++
				}
			}
			g[q] = f
		}
		out[o] = g
	}
	return out
}

// evalReduce computes a reduction node.
func evalReduce(op *ndarray.OpReduce, in *val, outDT chunk.DType, outShape []int) (*val, error) {
	if len(op.Axes) != len(in.shape) {
		return nil, fmt.Errorf("eager: %v: %d axis flags for rank %d", op.Fn, len(op.Axes), len(in.shape))
	}
	res := newVal(outDT, outShape)
	gs := groups(in.shape, op.Axes)
	if len(gs) != res.size() {
		return nil, fmt.Errorf("eager: %v: %d groups for output shape %v", op.Fn, len(gs), outShape)
	}
	for o, g := range gs {
		if err := reduceGroup(op, in, g, res, o); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// setF stores a float result rounded to res's dtype with bound e.
func setF(res *val, o int, v, e float64) {
	res.f[o] = v
	res.setErr(o, e)
}

// reduceGroup reduces the input elements g into element o of res.
func reduceGroup(op *ndarray.OpReduce, in *val, g []int, res *val, o int) error {
	undet := false
	for _, k := range g {
		if math.IsInf(in.err(k), 1) {
			undet = true
		}
	}
	switch op.Fn {
	case ops.Sum, ops.NanSum, ops.Mean, ops.NanMean:
		mean := op.Fn == ops.Mean || op.Fn == ops.NanMean
		skipNaN := op.Fn == ops.NanSum || op.Fn == ops.NanMean
		if !in.dt.IsFloat() && !mean {
			return intSum(in, g, res, o, undet)
		}
		v, e := floatSum(in, g, skipNaN, mean, res.dt, undet)
		setF(res, o, v, e)
	case ops.Prod, ops.NanProd:
		if !in.dt.IsFloat() {
			return intProd(in, g, res, o, undet)
		}
		v, e := floatProd(in, g, op.Fn == ops.NanProd, res.dt, undet)
		setF(res, o, v, e)
	case ops.Var, ops.Std, ops.NanVar, ops.NanStd:
		// NumPy's nanvar and nanstd of integer and bool input are var and
		// std (nanvar([1, 2], ddof=2) is inf, not nan).
		skip := (op.Fn == ops.NanVar || op.Fn == ops.NanStd) && in.dt.IsFloat()
		v, e := variance(in, g, skip, op.Fn == ops.Std || op.Fn == ops.NanStd, op.Ddof, res.dt, undet)
		setF(res, o, v, e)
	case ops.Min, ops.Max, ops.NanMin, ops.NanMax:
		return minMax(op.Fn, in, g, res, o, undet)
	case ops.ArgMin, ops.ArgMax:
		res.i[o] = int64(argBest(in, g, op.Fn == ops.ArgMax))
		if argUncertain(in, g, op.Fn == ops.ArgMax, int(res.i[o])) {
			res.setErr(o, math.Inf(1))
		}
	case ops.Any, ops.All, ops.CountNonzero:
		truthReduce(op.Fn, in, g, res, o)
	default:
		return fmt.Errorf("eager: reduction %v", op.Fn)
	}
	return nil
}

// intSum sums integers and bools exactly, wrapping in int64 or uint64.
func intSum(in *val, g []int, res *val, o int, undet bool) error {
	switch kindOf(in.dt) {
	case kInt:
		var s int64
		for _, k := range g {
			s += in.i[k]
		}
		res.i[o] = s
	default:
		var s uint64
		for _, k := range g {
			s += in.u[k]
		}
		res.u[o] = s
	}
	if undet {
		res.setErr(o, math.Inf(1))
	}
	return nil
}

// intProd multiplies integers and bools, wrapping in int64 or uint64.
func intProd(in *val, g []int, res *val, o int, undet bool) error {
	switch kindOf(in.dt) {
	case kInt:
		s := int64(1)
		for _, k := range g {
			s *= in.i[k]
		}
		res.i[o] = s
	default:
		s := uint64(1)
		for _, k := range g {
			s *= in.u[k]
		}
		res.u[o] = s
	}
	if undet {
		res.setErr(o, math.Inf(1))
	}
	return nil
}

// floatSum sums (or averages) a group in float64 as the engine's
// reductions promise, whatever the input dtype. The reference sum is
// double-double accurate; the bound allows any summation order:
// gamma(n-1) * sum|x| for the engine's additions, the inputs' own bounds,
// and the final rounding to the output dtype. A NaN (when not skipped)
// makes the result a certain NaN; infinities of both signs make NaN, of
// one sign that infinity, unless the finite terms could overflow.
func floatSum(in *val, g []int, skipNaN, mean bool, out chunk.DType, undet bool) (float64, float64) {
	var s dd
	var abs, eIn float64 // abs in plain float64: a double-double overflows to NaN
	n := 0
	nan, pinf, ninf := false, false, false
	for _, k := range g {
		x := numToF64(in, k)
		switch {
		case math.IsInf(in.err(k), 1):
			// Undetermined: NaN or not, it must not decide the result.
			n++
			continue
		case math.IsNaN(x):
			if !skipNaN {
				nan = true
			}
			continue
		case math.IsInf(x, 1):
			pinf = true
		case math.IsInf(x, -1):
			ninf = true
		default:
			s = s.add(ddFrom(x))
			abs += math.Abs(x)
			eIn += in.err(k)
		}
		n++
	}
	div := func(v float64) float64 {
		if mean {
			return v / float64(n)
		}
		return v
	}
	switch {
	case nan:
		return math.NaN(), 0
	case undet:
		return rnd(out, div(s.hi)), math.Inf(1)
	case mean && n == 0:
		return math.NaN(), 0
	case pinf && ninf:
		return math.NaN(), 0
	case pinf || ninf:
		v := math.Inf(1)
		if ninf {
			v = math.Inf(-1)
		}
		if abs >= math.MaxFloat64/4 {
			return v, math.Inf(1)
		}
		return v, 0
	}
	if abs >= math.MaxFloat64/4 {
		return rnd(out, div(s.hi)), math.Inf(1)
	}
	var v float64
	if mean {
		v = rnd(out, s.divF(float64(n)).hi)
	} else {
		v = rnd(out, s.hi)
	}
	// abs was summed in float64: inflate it by its own rounding error.
	e := gamma(n-1, u64)*abs*(1+gamma(n, u64)) + eIn
	if mean {
		e /= float64(n)
	}
	if e == 0 {
		// A sum of one element, or of zeros: exact. NumPy's sum of
		// zeros is +0 whatever their signs (it starts from +0), and so
		// is the mean.
		if v == 0 {
			v = 0
		}
		return v, 0
	}
	e += ulp(out, v) + ulp(chunk.Float64, v)
	if math.Abs(v)+e >= maxFinite(out) {
		return v, math.Inf(1)
	}
	return v, e
}

// numToF64 converts an integer or bool element to float64 exactly as the
// engine's float accumulators do (rounding to nearest above 2^53).
func numToF64(in *val, k int) float64 {
	switch kindOf(in.dt) {
	case kInt:
		return intToFloat(chunk.Float64, in.i[k])
	case kUint:
		return uintToFloat(chunk.Float64, in.u[k])
	}
	return in.f[k]
}

// floatProd multiplies a group in float64 (the engine's accumulator for
// every float input). The reference product is computed with math/big at
// 256 bits and an unbounded exponent. Intermediate overflow or underflow
// depends on the order of the products, so the result is only certain
// when no partial product can leave the normal range: the product of the
// factors above 1 stays below the largest float64 and that of the
// factors below 1 above the smallest normal one.
func floatProd(in *val, g []int, skipNaN bool, out chunk.DType, undet bool) (float64, float64) {
	const prec = 256
	p := new(big.Float).SetPrec(prec).SetFloat64(1)
	pBig := new(big.Float).SetPrec(prec).SetFloat64(1)
	pSmall := new(big.Float).SetPrec(prec).SetFloat64(1)
	// upper is the product of |x| + e: the largest magnitude the engine's
	// product can have, which bounds it when a factor may be zero.
	upper := new(big.Float).SetPrec(prec).SetFloat64(1)
	neg, zero, inf, nan, spans := false, false, false, false, false
	relIn := 0.0
	n := 0
	for _, k := range g {
		x := in.f[k]
		if math.IsInf(in.err(k), 1) {
			continue // undet is set; the element must not decide the result
		}
		if math.IsNaN(x) {
			if !skipNaN {
				nan = true
			}
			continue
		}
		n++
		if math.Signbit(x) {
			neg = !neg
		}
		ax, e := math.Abs(x), in.err(k)
		if math.IsInf(ax, 1) {
			inf = true
			continue
		}
		upper.Mul(upper, new(big.Float).SetPrec(prec).SetFloat64(ax+e))
		if e > 0 && e >= ax {
			spans = true
		}
		if ax == 0 {
			zero = true
			continue
		}
		bx := new(big.Float).SetPrec(prec).SetFloat64(ax)
		p.Mul(p, bx)
		if ax >= 1 {
			pBig.Mul(pBig, bx)
		} else {
			pSmall.Mul(pSmall, bx)
		}
		if e > 0 && e < ax {
			relIn += math.Log1p(e / (ax - e))
		}
	}
	sign := 1.0
	if neg {
		sign = -1
	}
	fits := pBig.Cmp(big.NewFloat(math.MaxFloat64/4)) <= 0
	noUnder := pSmall.Cmp(big.NewFloat(0x1p-1020)) >= 0
	noZero := pSmall.Cmp(big.NewFloat(0x1p-1070)) >= 0
	switch {
	case nan:
		return math.NaN(), 0
	case undet || spans && inf:
		f, _ := p.Float64()
		return rnd(out, sign*f), math.Inf(1)
	case spans:
		// A factor whose interval contains zero: the engine's product is
		// anywhere within +-upper, up to its roundings.
		f, _ := p.Float64()
		if zero {
			f = 0
		}
		v := rnd(out, sign*f)
		u, _ := upper.Float64()
		e := 2*u*(1+gamma(n, u64)) + ulp(out, v)
		if upper.Cmp(big.NewFloat(math.MaxFloat64/4)) > 0 || math.Abs(v)+e >= maxFinite(out) {
			return v, math.Inf(1)
		}
		return v, e
	case zero && inf:
		return math.NaN(), 0
	case zero:
		if fits {
			return math.Copysign(0, sign), 0
		}
		return math.Copysign(0, sign), math.Inf(1)
	case inf:
		if noZero {
			return sign * math.Inf(1), 0
		}
		return sign * math.Inf(1), math.Inf(1)
	}
	f, _ := p.Float64()
	v := rnd(out, sign*f)
	if !fits || !noUnder {
		return v, math.Inf(1)
	}
	rel := gamma(n, u64) + math.Expm1(relIn)*(1+gamma(n, u64))
	if n <= 1 && relIn == 0 {
		return v, 0
	}
	e := rel*math.Abs(f)*(1+0x1p-40) + ulp(out, v) + ulp(chunk.Float64, v)
	if math.Abs(v)+e >= maxFinite(out) {
		return v, math.Inf(1)
	}
	return v, e
}

// variance is var (std when sqrt) of a group with ddof, as NumPy's: the
// sum of squared deviations M2 over max(n - ddof, 0); NaN for no elements;
// the nan variants skip NaN and give NaN whenever n - ddof <= 0. The
// reference M2 is computed in double-double around a double-double mean.
//
// The bound allows for the engine's blocked two-pass algorithm with Chan's
// pairwise merges: each group mean is off by at most delta = 2(n+1)u
// max|x|; the squares and sums add 4(n+4)u M2; every merge level (at most
// log2(n)+1) adds at most n(2 R delta + delta^2) with R = max|x - mean|.
// Input bounds add 2 sqrt(n M2) max e + n max e^2.
func variance(in *val, g []int, skipNaN, sqrt bool, ddof int, out chunk.DType, undet bool) (float64, float64) {
	xs := make([]float64, 0, len(g))
	emax := 0.0
	if undet {
		return math.NaN(), math.Inf(1)
	}
	for _, k := range g {
		x := numToF64(in, k)
		if math.IsNaN(x) {
			if skipNaN {
				continue
			}
			return math.NaN(), 0
		}
		if math.IsInf(x, 0) {
			return math.NaN(), 0
		}
		xs = append(xs, x)
		emax = max(emax, in.err(k))
	}
	n := len(xs)
	dof := n - ddof
	if n == 0 || skipNaN && dof <= 0 {
		return math.NaN(), 0
	}
	var s dd
	xmax := 0.0
	for _, x := range xs {
		s = s.add(ddFrom(x))
		xmax = max(xmax, math.Abs(x))
	}
	if xmax >= 1e150 {
		// Squares could overflow in the engine.
		return math.NaN(), math.Inf(1)
	}
	mu := s.divF(float64(n))
	var m2 dd
	rmax := 0.0
	for _, x := range xs {
		d := ddFrom(x).add(mu.neg())
		m2 = m2.add(d.mul(d))
		rmax = max(rmax, math.Abs(d.hi))
	}
	M2 := m2.hi
	delta := 2 * float64(n+1) * u64 * xmax
	levels := math.Ceil(math.Log2(float64(n))) + 1
	eM2 := 4*float64(n+4)*u64*M2 + float64(n)*levels*(2*rmax*delta+delta*delta)
	eM2 += 2*math.Sqrt(float64(n)*M2)*emax + float64(n)*emax*emax
	eM2 *= 1 + 0x1p-40
	finish := func(m float64) float64 {
		var v float64
		if dof <= 0 {
			v = m / 0
		} else {
			v = m / float64(dof)
		}
		if sqrt {
			v = math.Sqrt(v)
		}
		return v
	}
	v := rnd(out, finish(M2))
	if eM2 == 0 {
		return v, 0
	}
	if dof <= 0 {
		// M2/0 is +Inf for M2 > 0 and NaN for M2 = 0.
		if M2-eM2 > 0 {
			return v, 0
		}
		return v, math.Inf(1)
	}
	lo := rnd(out, finish(max(M2-eM2, 0)))
	hi := rnd(out, finish(M2+eM2))
	e := max(v-lo, hi-v) + 2*ulp(chunk.Float64, hi) + ulp(out, hi)
	if math.IsInf(hi, 0) || math.Abs(v)+e >= maxFinite(out) {
		return v, math.Inf(1)
	}
	return v, e
}

// ieeeMin and ieeeMax are the minimum and maximum the engine's min and max
// reductions use (ops' documented choice): NaN propagates and -0.0 is
// below +0.0, so the result never depends on the order. They are the
// elementwise npMinimum and npMaximum.
func ieeeMin(a, b float64) float64 { return npMinimum(a, b) }

func ieeeMax(a, b float64) float64 { return npMaximum(a, b) }

// minMax computes min, max, nanmin and nanmax of a group.
func minMax(fn ops.ReduceOp, in *val, g []int, res *val, o int, undet bool) error {
	isMax := fn == ops.Max || fn == ops.NanMax
	if undet {
		res.setErr(o, math.Inf(1))
	}
	switch kindOf(in.dt) {
	case kInt:
		b := in.i[g[0]]
		for _, k := range g {
			if isMax {
				b = max(b, in.i[k])
			} else {
				b = min(b, in.i[k])
			}
		}
		res.i[o] = b
		return nil
	case kUint:
		b := in.u[g[0]]
		for _, k := range g {
			if isMax {
				b = max(b, in.u[k])
			} else {
				b = min(b, in.u[k])
			}
		}
		res.u[o] = b
		return nil
	}
	skip := fn == ops.NanMin || fn == ops.NanMax
	b := math.NaN()
	seen := false
	emax := 0.0
	for _, k := range g {
		x := in.f[k]
		if skip && math.IsNaN(x) {
			continue
		}
		emax = max(emax, in.err(k))
		if !seen {
			b, seen = x, true
			continue
		}
		if isMax {
			b = ieeeMax(b, x)
		} else {
			b = ieeeMin(b, x)
		}
	}
	res.f[o] = b
	if !undet && emax > 0 && !math.IsNaN(b) {
		// Every element moves by at most emax, and so does the extreme.
		res.setErr(o, finishBound(res.dt, b, []float64{b - emax, b + emax}, 0))
	}
	return nil
}

// argBest returns the position in g of the first largest (or smallest)
// element, or of the first NaN: NumPy's argmax and argmin.
func argBest(in *val, g []int, isMax bool) int {
	best := 0
	for q := range g {
		if in.dt.IsFloat() {
			x, b := in.f[g[q]], in.f[g[best]]
			if math.IsNaN(b) {
				break
			}
			if math.IsNaN(x) || (isMax && x > b) || (!isMax && x < b) {
				best = q
			}
			continue
		}
		if c := cmpElem(in, g[q], g[best]); (isMax && c > 0) || (!isMax && c < 0) {
			best = q
		}
	}
	return best
}

// argUncertain reports whether an element other than the one at best
// could win with values within the bounds.
func argUncertain(in *val, g []int, isMax bool, best int) bool {
	any := false
	for _, k := range g {
		if e := in.err(k); e != 0 {
			any = true
			if math.IsInf(e, 1) {
				return true
			}
		}
	}
	if !any {
		return false
	}
	bx, be := in.f[g[best]], in.err(g[best])
	if math.IsNaN(bx) {
		return false // elements with finite bounds are never NaN
	}
	for q, k := range g {
		if q == best {
			continue
		}
		x, e := in.f[k], in.err(k)
		var could bool
		if isMax {
			could = x+e >= bx-be
		} else {
			could = x-e <= bx+be
		}
		if could && (e > 0 || be > 0) {
			return true
		}
	}
	return false
}

// cmpElem compares two integer or bool elements of v.
func cmpElem(v *val, a, b int) int {
	if kindOf(v.dt) == kUint {
		switch {
		case v.u[a] < v.u[b]:
			return -1
		case v.u[a] > v.u[b]:
			return 1
		}
		return 0
	}
	return cmpInt(v.i[a], v.i[b])
}

// truthReduce computes any, all and count_nonzero of a group; elements
// whose truthiness is uncertain make the result undetermined when they
// could change it.
func truthReduce(fn ops.ReduceOp, in *val, g []int, res *val, o int) {
	count, unknown := 0, 0
	for _, k := range g {
		e := in.err(k)
		if !in.dt.IsFloat() && e != 0 || in.dt.IsFloat() && !truthKnown(in.f[k], e) {
			unknown++
			continue
		}
		if in.truth(k) {
			count++
		}
	}
	known := len(g) - unknown
	switch fn {
	case ops.Any:
		res.i[o] = b2i(count > 0)
		if count == 0 && unknown > 0 {
			res.setErr(o, math.Inf(1))
		}
	case ops.All:
		res.i[o] = b2i(count == known)
		if count == known && unknown > 0 {
			res.setErr(o, math.Inf(1))
		}
	default:
		res.i[o] = int64(count)
		if unknown > 0 {
			res.setErr(o, math.Inf(1))
		}
	}
}

// evalScan computes a cumulative sum or product along axis, in the dtype
// of the input (already the result dtype) and in order, as NumPy does.
// Integers wrap, so any order gives the same result; floats get a bound
// that allows the engine any order of the same additions or
// multiplications in the dtype (its blocked scan adds each block's local
// scan to a carry built from block totals).
func evalScan(op *ndarray.OpScan, in *val) (*val, error) {
	if op.Axis < 0 || op.Axis >= len(in.shape) {
		return nil, fmt.Errorf("eager: %v along axis %d of rank %d", op.Fn, op.Axis, len(in.shape))
	}
	if in.dt == chunk.Bool {
		return nil, fmt.Errorf("eager: %v of bool (ndarray casts to int64 first)", op.Fn)
	}
	mul := op.Fn == ops.CumProd
	res := newVal(in.dt, in.shape)
	st := strides(in.shape)
	ax := op.Axis
	n := in.shape[ax]
	outer := chunk.Size(in.shape[:ax])
	inner := st[ax]
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			base := o*n*inner + j
			var sc scanState
			for p := 0; p < n; p++ {
				k := base + p*inner
				switch kindOf(in.dt) {
				case kInt:
					x := in.i[k]
					if p > 0 {
						if mul {
							x = res.i[k-inner] * x
						} else {
							x = res.i[k-inner] + x
						}
					}
					res.i[k] = wrapInt(in.dt, x)
				case kUint:
					x := in.u[k]
					if p > 0 {
						if mul {
							x = res.u[k-inner] * x
						} else {
							x = res.u[k-inner] + x
						}
					}
					res.u[k] = wrapUint(in.dt, x)
				default:
					res.f[k], sc = scanFloatStep(sc, mul, in.dt, in.f[k], in.err(k), p == 0)
					res.setErr(k, sc.bound(mul, in.dt, res.f[k]))
					continue
				}
				if in.err(k) != 0 || p > 0 && res.err(k-inner) != 0 {
					res.setErr(k, math.Inf(1))
				}
			}
		}
	}
	return res, nil
}

// scanState is what the bound of a float scan's prefix depends on.
type scanState struct {
	count            int
	nan, pinf, ninf  bool
	undet, zero      bool
	fuzzyZero        bool    // a zero factor with a nonzero bound
	abs, eIn         float64 // sum of |x| and of the bounds
	acc              float64 // the sequential value so far
	logBig, logSmall float64 // log2 of the product of factors >= 1, < 1
	rel              float64 // sum of log1p of the relative input bounds
}

// scanFloatStep folds x (with bound e) into the scan and returns the new
// sequential value: x itself first, then acc op x rounded to dt.
func scanFloatStep(sc scanState, mul bool, dt chunk.DType, x, e float64, first bool) (float64, scanState) {
	sc.count++
	if first {
		sc.acc = x
	} else if mul {
		sc.acc = rnd(dt, sc.acc*x)
	} else {
		sc.acc = rnd(dt, sc.acc+x)
	}
	ax := math.Abs(x)
	switch {
	case math.IsInf(e, 1):
		sc.undet = true
	case math.IsNaN(x):
		sc.nan = true
	case math.IsInf(x, 1):
		sc.pinf = true
	case math.IsInf(x, -1):
		sc.ninf = true
	default:
		sc.abs += ax
		sc.eIn += e
		switch {
		case ax == 0:
			sc.zero = true
			sc.fuzzyZero = sc.fuzzyZero || e > 0
		case ax >= 1:
			sc.logBig += math.Log2(ax)
		default:
			sc.logSmall += math.Log2(ax)
		}
		if e > 0 && ax > 0 {
			if e >= ax {
				sc.undet = true
			} else {
				sc.rel += math.Log1p(e / (ax - e))
			}
		}
	}
	return sc.acc, sc
}

// bound returns the bound of the prefix's value v (see floatSum and
// floatProd for the reasoning, here with the dtype's own roundoff, since
// a scan runs in its dtype, and doubled, since the reference is itself the
// sequential rounding rather than the exact value).
func (sc scanState) bound(mul bool, dt chunk.DType, v float64) float64 {
	u, maxExp, minNormal, minSub := u64, 1024.0, -1022.0, -1074.0
	if dt == chunk.Float32 {
		u, maxExp, minNormal, minSub = 0x1p-24, 128, -126, -149
	}
	switch {
	case sc.nan:
		return 0
	case sc.undet:
		return math.Inf(1)
	}
	if !mul {
		switch {
		case sc.pinf && sc.ninf:
			return 0
		case sc.abs >= maxFinite(dt)/4:
			return math.Inf(1)
		case sc.pinf || sc.ninf:
			return 0
		case sc.count <= 1 || sc.abs == 0 && sc.eIn == 0:
			return sc.eIn
		}
		e := 2*gamma(sc.count-1, u)*sc.abs*(1+gamma(sc.count, u64)) + sc.eIn + ulp(dt, v)
		if math.Abs(v)+e >= maxFinite(dt) {
			return math.Inf(1)
		}
		return e
	}
	fits := sc.logBig <= maxExp-3
	switch {
	case sc.fuzzyZero:
		return math.Inf(1)
	case sc.zero && (sc.pinf || sc.ninf):
		return 0 // NaN in every order
	case sc.zero:
		if fits {
			return 0
		}
		return math.Inf(1)
	case sc.pinf || sc.ninf:
		if sc.logSmall > minSub+2 {
			return 0
		}
		return math.Inf(1)
	case !fits || sc.logSmall < minNormal+3:
		return math.Inf(1)
	case sc.count <= 1 && sc.rel == 0:
		return 0
	}
	g := 2 * gamma(sc.count-1, u)
	e := (g+math.Expm1(sc.rel)*(1+g))*math.Abs(v)*(1+gamma(sc.count, u64)) + ulp(dt, v)
	if math.Abs(v)+e >= maxFinite(dt) {
		return math.Inf(1)
	}
	return e
}
