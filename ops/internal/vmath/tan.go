package vmath

import "math"

// Tangent reduces x to r = x - k*pi/2, |r| <= pi/4, as a double-double
// rh + rl (a rounding error of r alone would be amplified by up to pi/2 in
// tan(r) near |r| = pi/4), evaluates sin(r) and cos(r) as double-doubles
// (sinCosDD) and divides them with one correction step:
//
//	tan(x) = s/c for even k, -c/s for odd k;
//	n/d ~ q + (n - q*d)/d with q = nh/dh rounded and n - q*d from FMAs.
//
// The reduction uses the halves of trigPi1..3: x - k*pi1/2 is exact (for
// |x| >= 1 both are multiples of 2^-52 and the difference is below 1; for
// smaller x, k is 0 or the subtraction is exact by Sterbenz's lemma), the
// product k*pi2/2 is split exactly with an FMA and added with Knuth's
// two-sum, and k*pi3/2 only feeds the low part.
const (
	tan2OverPi = 0.6366197723675814 // 2/pi rounded
	tanPi1     = trigPi1 / 2
	tanPi2     = trigPi2 / 2
	tanPi3     = trigPi3 / 2
)

// tanConsts holds the reduction constants in the order the assembly loads
// them: 2/pi, magic, pi1/2, pi2/2, pi3/2, 1/2, 1.
var tanConsts = [7]float64{tan2OverPi, magic, tanPi1, tanPi2, tanPi3, 0.5, 1}

// tanSinPoly holds c0..c6 of sin(r) ~ r + r^3*(c0 + c1*z + ... + c6*z^6),
// z = r^2, on |r| <= pi/4*(1+2^-18): relative error 2^-54 (Chebyshev fit
// in 300-bit arithmetic, mpmath, measured with the rounded coefficients).
var tanSinPoly = [7]float64{
	-0.16666666666666666,
	0.008333333333333331,
	-0.00019841269841265065,
	2.7557319219339023e-06,
	-2.505210623239839e-08,
	1.6058531611190135e-10,
	-7.586696658148615e-13,
}

// tanCosPoly holds c0..c5 of cos(r) ~ 1 - z/2 + z^2*(c0 + c1*z + ... +
// c5*z^5) on the same interval: relative error 2^-54.
var tanCosPoly = [6]float64{
	0.041666666666666664,
	-0.0013888888888887398,
	2.48015872987656e-05,
	-2.755731727168519e-07,
	2.0876146259107604e-09,
	-1.138263175580836e-11,
}

func tanGeneric(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = tan1(v)
	}
}

// tan1 is tan(v) by the reduction described at tan2OverPi, and reduceHuge
// beyond trigMax.
func tan1(v float64) float64 {
	a := math.Abs(v)
	if !(a <= trigMax) {
		if a > math.MaxFloat64 || v != v {
			return math.Tan(v) // NaN for ±Inf and NaN
		}
		return tanHuge(v)
	}
	if a < trigTiny {
		// tan(v) = v(1 + v^2/3 + ...) rounds to v; this also keeps -0.
		return v
	}
	t := math.FMA(v, tan2OverPi, magic)
	k := t - magic
	r0 := math.FMA(-k, tanPi1, v)
	ah := k * tanPi2
	al := math.FMA(k, tanPi2, -ah)
	rh := r0 - ah
	bb := rh - r0
	err := (r0 - (rh - bb)) + (-ah - bb)
	rl := math.FMA(-k, tanPi3, err-al)
	return tanKernel(rh, rl, math.Float64bits(t)&1)
}

// tanKernel is tan(r) for even k and -1/tan(r) = -cot(r) for odd k
// (odd = k&1), r = rh + rl with |r| <= pi/4.
func tanKernel(rh, rl float64, odd uint64) float64 {
	nh, nl, dh, dl := sinCosDD(rh, rl)
	if odd != 0 {
		nh, nl, dh, dl = dh, dl, nh, nl
	}
	// Renormalise both (|nl| < |nh|, |dl| < |dh|: Fast2Sum), so that the
	// correction below is a second-order term.
	n := nh + nl
	nl = (nh - n) + nl
	d := dh + dl
	dl = (dh - d) + dl
	q := n / d
	e := math.FMA(-q, dl, math.FMA(-q, d, n)+nl)
	t := q + e/d
	return math.Float64frombits(math.Float64bits(t) ^ odd<<63)
}
