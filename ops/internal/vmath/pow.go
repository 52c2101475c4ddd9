package vmath

import "math"

// Pow computes x**y = exp(y * log x) with log x as a double-double
// lh + ll accurate to about 2^-70 relative: the product y*log x reaches
// 745 in magnitude before exp over- or underflows, so each ulp of the
// result needs 62 bits of it, and a float64 logarithm (math.Pow's
// approach) is up to 2^10 ulp off there.
//
// log x: x = 2^e * m with m in [0.75, 1.5) and c = k/16, k = round(16/m)
// in 11..21, as for Log, so r = m*c - 1 is exact and |r| < 0.047; then
//
//	log x = e*ln2 - log(c) + log1p(r)
//	log1p(r) = r - r^2/2 + r^3/3 + r^4*P(r)
//
// e*ln2hi + (-log c)hi is exact (ln2hi has 32 significant bits and the
// table's hi parts are multiples of 2^-42), r^2/2 and r^3/3 are kept as
// double-doubles, and the sum of the leading terms is formed with
// Fast2Sum, its error joining the low part with e*ln2lo, the table's low
// part and r^4*P(r) (whose float64 rounding is below 2^-71).
//
// exp: t = y*lh + (its FMA error + y*ll) = th + tl, then k = round(th*16/ln2)
// and r = th - k*ln2/16 + tl (the first difference exact, |r| < 0.0217),
// exp(t) = 2^(k>>4) * 2^((k&15)/16) * (1 + expm1(r)), with 2^(j/16) as a
// double-double from expTable and powExpLo. The result is one rounding
// of a value a small fraction of an ulp from x**y (subnormal results are
// rounded twice, to 53 bits and then to their spacing); TestPowAccuracy
// measures it within 1 ulp of the correctly rounded result.

// powConsts holds constants in the order the assembly loads them:
// magic, 16, 1/16, 1, ln2 hi, ln2 lo, 1/3 hi, 1/3 lo, 16/ln2,
// ln2/16 hi, ln2/16 lo, -1/2.
var powConsts = [12]float64{
	magic, 16, 1.0 / 16, 1, logLn2Hi, logLn2Lo,
	powThirdHi, powThirdLo, expInvL, expL1, expL2, -0.5,
}

const (
	powThirdHi = 0.3333333333333333    // 1/3 rounded
	powThirdLo = 1.850371707708594e-17 // 1/3 - powThirdHi (mpmath)
	powMaxT    = 0x1.62e42fefa39efp+9  // expMax: the vector kernel's bound on |y*log x|
	powBigT    = 1000                  // beyond it exp(t) is 0 or +Inf for certain
	powHuge    = 0x1p53                // from here on every float64 is an even integer
	powBits075 = 0x3fe8000000000000    // bits of 0.75, as in log1
)

// powInts holds integer constants of the assembly: 1, the bits of +Inf,
// of powMaxT, the sign bit and a NaN.
var powInts = [5]uint64{1, 0x7ff0000000000000, 0x40862e42fefa39ef, 1 << 63, 0x7ff8000000000000}

// powLogHi[k&15] + powLogLo[k&15] = -log(k/16) for k = 11..21 (mpmath),
// the hi part rounded to a multiple of 2^-42; entries 6..10 are unused.
var powLogHi = [16]float64{
	0.0,
	-0.06062462181648698,
	-0.11778303565643,
	-0.17185025692674571,
	-0.22314355131425145,
	-0.2719337154835557,
	0, 0, 0, 0, 0,
	0.3746934494413381,
	0.28768207245184385,
	0.20763936477828793,
	0.13353139262449076,
	0.0645385211375924,
}

var powLogLo = [16]float64{
	0.0,
	5.213620639136504e-14,
	4.654729747598445e-14,
	8.649239607212071e-14,
	4.169796584527195e-14,
	-8.604306772808733e-14,
	0, 0, 0, 0, 0,
	7.260466149925637e-14,
	-6.292357389008195e-14,
	-4.3425422595242564e-14,
	3.1859736349078334e-14,
	-2.1225608044809997e-14,
}

// powLogPoly holds c0..c9 of P(r) = (log1p(r) - r + r^2/2 - r^3/3)/r^4 ~
// c0 + c1*r + ... + c9*r^9 on |r| <= 0.05: absolute error of r^4*P(r)
// below 2^-72 (Chebyshev fit in 400-bit arithmetic, mpmath, measured with
// the rounded coefficients).
var powLogPoly = [10]float64{
	-0.25,
	0.2,
	-0.1666666666663927,
	0.14285714285688714,
	-0.1250000008764767,
	0.11111111192919179,
	-0.09999901884456028,
	0.0909081751278958,
	-0.08378135357900689,
	0.07734124166563194,
}

// powExpPoly holds c0..c5 of Q(r) = (expm1(r) - r)/r^2 ~ c0 + c1*r + ... +
// c5*r^5 on |r| <= 0.0218: absolute error of r^2*Q(r) below 2^-64.
var powExpPoly = [6]float64{
	0.5000000000000001,
	0.16666666666666669,
	0.04166666666351579,
	0.008333333332983237,
	0.0013889065690534414,
	0.00019841466287330467,
}

// powExpLo[j] = 2^(j/16) - expTable[j] (mpmath).
var powExpLo = [16]float64{
	0.0,
	8.551889705537965e-17,
	-3.046782079812471e-17,
	8.912812676025408e-17,
	3.982015231465646e-17,
	4.658027591836937e-17,
	2.5382502794888315e-17,
	7.70094837980299e-17,
	-9.667293313452913e-17,
	-3.483994556892796e-17,
	7.949834809697621e-17,
	2.4707192569797888e-17,
	8.199010020581497e-17,
	2.960140695448873e-17,
	3.283107224245627e-17,
	-1.0619946056195963e-16,
}

// powGeneric is the pure-Go Pow: x and y have len(dst) elements, or one
// of them has one, used for every element.
func powGeneric(dst, x, y []float64) {
	switch {
	case len(x) == len(dst) && len(y) == len(dst):
		x, y = x[:len(dst)], y[:len(dst)]
		for i := range dst {
			dst[i] = pow1(x[i], y[i])
		}
	case len(y) == len(dst):
		s, y := x[0], y[:len(dst)]
		for i := range dst {
			dst[i] = pow1(s, y[i])
		}
	default:
		s, x := y[0], x[:len(dst)]
		for i := range dst {
			dst[i] = pow1(x[i], s)
		}
	}
}

// pow1 is x**y with C99's special values (which NumPy inherits): pow(x, ±0)
// = 1 and pow(1, y) = 1 even for NaN, NaN for a negative x and a finite
// non-integer y, the signed zeros and infinities of zero and infinite
// operands (from math.Pow, whose special cases are exactly C99's); else
// ±exp(y * log|x|) as described at powConsts, negative for a negative x and
// an odd integer y.
func pow1(x, y float64) float64 {
	switch {
	case y == 0 || x == 1:
		return 1
	case x != x || y != y:
		return math.NaN()
	case x == 0 || math.IsInf(x, 0) || math.IsInf(y, 0):
		return math.Pow(x, y)
	}
	neg := false
	if x < 0 {
		if y != math.Trunc(y) {
			return math.NaN()
		}
		neg = math.Abs(y) < powHuge && int64(y)&1 != 0
		x = -x
	}
	lh, ll := powLog(x)
	th := y * lh
	var v float64
	if math.Abs(th) <= powBigT {
		tl := math.FMA(y, ll, math.FMA(y, lh, -th))
		v = powExp(th, tl)
	} else if th > 0 {
		v = math.Inf(1)
	}
	if neg {
		v = -v
	}
	return v
}

// powLog returns log(x) as lh + ll for finite x > 0.
func powLog(x float64) (lh, ll float64) {
	e0 := 0.0
	if x < logMinNormal {
		x *= 0x1p52
		e0 = -52
	}
	b := math.Float64bits(x)
	ei := int64(b-powBits075) >> 52
	m := math.Float64frombits(b - uint64(ei)<<52)
	e := float64(ei) + e0
	t := 16/m + magic
	k := t - magic
	j := math.Float64bits(t) & 15
	r := math.FMA(m, k*(1.0/16), -1)
	a := math.FMA(e, logLn2Hi, powLogHi[j])
	r2h := r * r
	r2l := math.FMA(r, r, -r2h)
	h := -0.5 * r2h
	s1h := r + h
	s1l := (r - s1h) + h
	p3h := r * r2h
	p3l := math.FMA(r, r2l, math.FMA(r, r2h, -p3h))
	q3h := p3h * powThirdHi
	q3l := math.FMA(p3h, powThirdHi, -q3h) + math.FMA(p3h, powThirdLo, p3l*powThirdHi)
	s2h := s1h + q3h
	s2l := (s1h - s2h) + q3h
	c := &powLogPoly
	p := math.FMA(c[9], r, c[8])
	p = math.FMA(p, r, c[7])
	p = math.FMA(p, r, c[6])
	p = math.FMA(p, r, c[5])
	p = math.FMA(p, r, c[4])
	p = math.FMA(p, r, c[3])
	p = math.FMA(p, r, c[2])
	p = math.FMA(p, r, c[1])
	p = math.FMA(p, r, c[0])
	lo := math.FMA(r2h*r2h, p, math.FMA(-0.5, r2l, q3l)) + ((s1l + s2l) + math.FMA(e, logLn2Lo, powLogLo[j]))
	// a is 0 or larger than s2h in magnitude (|a| >= 0.06 > |log1p(r)|):
	// Fast2Sum applies.
	lh = a + s2h
	ll = ((a - lh) + s2h) + lo
	return lh, ll
}

// powExp returns exp(th + tl) for |th| <= powBigT and |tl| below an ulp
// of th.
func powExp(th, tl float64) float64 {
	t := math.FMA(th, expInvL, magic)
	k := t - magic
	r := math.FMA(-k, expL1, th) + math.FMA(-k, expL2, tl)
	c := &powExpPoly
	q := math.FMA(c[5], r, c[4])
	q = math.FMA(q, r, c[3])
	q = math.FMA(q, r, c[2])
	q = math.FMA(q, r, c[1])
	q = math.FMA(q, r, c[0])
	j := math.Float64bits(t) & 15
	tj := expTable[j]
	v := tj + math.FMA(tj, math.FMA(r*r, q, r), powExpLo[j])
	// Multiply by 2^e, e = floor(k/16) in [-1443, 1443], as in exp1.
	e := int64(k) >> 4
	e1 := e >> 1
	v *= math.Float64frombits(uint64(e1+1023) << 52)
	return v * math.Float64frombits(uint64(e-e1+1023)<<52)
}
