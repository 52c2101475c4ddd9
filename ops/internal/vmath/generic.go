package vmath

import "math"

// The constants below are shared by the generic kernels and the assembly
// ones (which load them from these variables), so both evaluate the same
// approximation. Polynomial coefficients are minimax fits computed with a
// Remez exchange in 60-digit arithmetic (mpmath) and rounded to float64;
// the approximation error quoted beside each is before that rounding.

// magic is 1.5*2^52: adding it to a float64 v with |v| < 2^51 rounds v to an
// integer k (ties to even) and leaves k in the low mantissa bits, so the
// sum's bit pattern gives k mod 2^n for free and subtracting magic again
// gives k as a float64.
const magic = 0x1.8p52

// Sine and cosine reduce x to r = x - k*pi (sin) or r = (k+1/2)*pi - x
// (cos) with |r| <= pi/2, then evaluate sin(r) and apply the sign (-1)^k.
// pi is split into three float64 parts whose sum is pi to about 2^-160,
// and each step subtracts one part with an FMA. The first step is exact
// whenever r is small: then |x| > 1, so x and k*pi1 are both multiples of
// 2^-52, and so is their difference, which is below 2. The result is r to
// about 1 ulp of r for every |x| <= trigMax, including the float64 values
// nearest to multiples of pi, where r is tiny (tested against 320-bit
// arithmetic).
const (
	trigPi1   = 0x1.921fb54442d18p+1
	trigPi2   = 0x1.1a62633145c07p-53
	trigPi3   = -0x1.f1976b7ed8fbcp-109
	trigInvPi = 0.3183098861837907 // 1/pi rounded
	// trigMax bounds the arguments the fast kernels reduce; beyond it
	// reduceHuge reduces exactly, and NaN and ±Inf go to math.Sin /
	// math.Cos / math.Tan (NaN).
	trigMax = 0x1p30
	// trigTiny: below it sin(x) rounds to x and cos(x) to 1, so the kernels
	// return those exactly (which also gives sin(-0) = -0).
	trigTiny = 0x1p-27
)

// trigConsts holds the reduction constants in the order the assembly loads
// them: 1/pi, magic, pi1, pi2, pi3, -1/2, 1/2, 1.
var trigConsts = [8]float64{trigInvPi, magic, trigPi1, trigPi2, trigPi3, -0.5, 0.5, 1}

// sinPoly holds c0..c7 of sin(r) ~ r + r^3*(c0 + c1*r^2 + ... + c7*r^14) on
// |r| <= pi/2*(1+2^-18); relative error 2^-61.6.
var sinPoly = [8]float64{
	-0.16666666666666666,
	0.008333333333333194,
	-0.00019841269841209215,
	2.75573192111368e-06,
	-2.5052106872757426e-08,
	1.6058939703580469e-10,
	-7.642991427492923e-13,
	2.7211742963782564e-15,
}

// Exp writes x as k*ln2/16 + r with |r| <= ln2/32 and returns
// 2^(k>>4) * 2^((k&15)/16) * exp(r), the middle factor from expTable.
const (
	expInvL = 23.083120654223414     // 16/ln2
	expL1   = 0.04332169878499658    // ln2/16 rounded
	expL2   = 1.4494042586539372e-18 // ln2/16 - expL1
	// expMax is the largest x with exp(x) finite. The fast kernels take
	// |x| <= expMax, with results from exp(-expMax) = 5.6e-309 (subnormal,
	// rounded once) to MaxFloat64; beyond it math.Exp gives +Inf, or for
	// x < -expMax a smaller subnormal or 0. (Not math.Exp up to expMax: on amd64
	// its assembly returns +Inf from 1023.5*ln2 = 709.436 on; NumPy and
	// these kernels give the finite results.)
	expMax = 0x1.62e42fefa39efp+9
)

// expConsts holds the reduction constants in the order the assembly loads
// them: 16/ln2, magic, ln2/16 (two parts), 1/16.
var expConsts = [5]float64{expInvL, magic, expL1, expL2, 1.0 / 16}

// expPoly holds c0..c4 of exp(r) ~ 1 + r + r^2*(c0 + c1*r + ... + c4*r^4) on
// |r| <= ln2/32*(1+2^-10); relative error 2^-56.2.
var expPoly = [5]float64{
	0.499999999999996,
	0.16666666664409174,
	0.04166666669335423,
	0.008333472191567277,
	0.001388859348318266,
}

// expTable[j] = 2^(j/16), rounded.
var expTable = [16]float64{
	1.0,
	1.0442737824274138,
	1.0905077326652577,
	1.1387886347566916,
	1.189207115002721,
	1.241857812073484,
	1.2968395546510096,
	1.3542555469368927,
	1.4142135623730951,
	1.4768261459394993,
	1.5422108254079407,
	1.6104903319492543,
	1.681792830507429,
	1.7562521603732995,
	1.8340080864093424,
	1.9152065613971474,
}

// Log writes x as 2^e * m with m in [0.75, 1.5), picks c = k/16 with
// k = round(16/m) in 11..21 so that r = m*c - 1 is exact (m*c needs at
// most 58 bits and |r| < 0.044 < 2^-4), and returns
// e*ln2 - log(c) + log1p(r), with -log(c) from logTable.
const (
	logLn2Hi = 6.93147180369123816490e-01 // ln2, low 21 bits cleared: e*logLn2Hi is exact
	logLn2Lo = 1.90821492927058770002e-10 // ln2 - logLn2Hi
	// logMinNormal is the smallest positive normal float64. Subnormal
	// inputs are scaled by 2^52 first. (Deliberately not math.Log: on amd64
	// its assembly ignores subnormals and returns log(2^-1022) for 5e-324,
	// Go issue 56600; NumPy and the fast kernels give -744.44.)
	logMinNormal = 0x1p-1022
)

// logConsts holds the reduction constants in the order the assembly loads
// them: 16, magic, 1/16, 1, ln2 hi, ln2 lo.
var logConsts = [6]float64{16, magic, 1.0 / 16, 1, logLn2Hi, logLn2Lo}

// logPoly holds c0..c8 of log1p(r) ~ r + r^2*(c0 + c1*r + ... + c8*r^8) on
// |r| <= 0.0437; relative error 2^-57.4.
var logPoly = [9]float64{
	-0.5,
	0.3333333333332486,
	-0.24999999999981326,
	0.20000000043100083,
	-0.16666666727964224,
	0.1428564615625896,
	-0.12499921848274724,
	0.11153535599130161,
	-0.1004261629131283,
}

// logTable[k&15] = -log(k/16) for k = 11..21, rounded; entries 6..10 are
// never used.
var logTable = [16]float64{
	0.0,
	-0.06062462181643484,
	-0.11778303565638346,
	-0.17185025692665923,
	-0.22314355131420976,
	-0.27193371548364176,
	0, 0, 0, 0, 0,
	0.3746934494414107,
	0.2876820724517809,
	0.2076393647782445,
	0.13353139262452263,
	0.06453852113757118,
}

func sinGeneric(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = sin1(v)
	}
}

func cosGeneric(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = cos1(v)
	}
}

func expGeneric(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = exp1(v)
	}
}

func logGeneric(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = log1(v)
	}
}

// sin1 is sin(v) by the reduction described at trigPi1, and reduceHuge
// beyond trigMax.
func sin1(v float64) float64 {
	a := math.Abs(v)
	if !(a <= trigMax) {
		if a > math.MaxFloat64 || v != v {
			return math.Sin(v) // NaN for ±Inf and NaN
		}
		return sinHuge(v)
	}
	if a < trigTiny {
		return v
	}
	t := math.FMA(v, trigInvPi, magic)
	k := t - magic
	r := math.FMA(-k, trigPi1, v)
	r = math.FMA(-k, trigPi2, r)
	r = math.FMA(-k, trigPi3, r)
	return sinKernel(flipSign(r, t))
}

// cos1 is cos(v) = (-1)^k sin((k+1/2)*pi - v), k = round(v/pi - 1/2), and
// reduceHuge beyond trigMax.
func cos1(v float64) float64 {
	a := math.Abs(v)
	if !(a <= trigMax) {
		if a > math.MaxFloat64 || v != v {
			return math.Cos(v) // NaN for ±Inf and NaN
		}
		return cosHuge(v)
	}
	if a < trigTiny {
		return 1
	}
	t := math.FMA(v, trigInvPi, -0.5) + magic
	h := (t - magic) + 0.5
	r := math.FMA(h, trigPi1, -v)
	r = math.FMA(h, trigPi2, r)
	r = math.FMA(h, trigPi3, r)
	return sinKernel(flipSign(r, t))
}

// flipSign returns r, negated if k is odd, where t = k + magic. Branch-free
// because the parity is random for most inputs.
func flipSign(r, t float64) float64 {
	return math.Float64frombits(math.Float64bits(r) ^ math.Float64bits(t)<<63)
}

// sinKernel is sin(r) for |r| <= pi/2 (a little more is fine).
func sinKernel(r float64) float64 {
	s := r * r
	c := &sinPoly
	p := math.FMA(c[7], s, c[6])
	p = math.FMA(p, s, c[5])
	p = math.FMA(p, s, c[4])
	p = math.FMA(p, s, c[3])
	p = math.FMA(p, s, c[2])
	p = math.FMA(p, s, c[1])
	p = math.FMA(p, s, c[0])
	return math.FMA(r*s, p, r)
}

// exp1 is exp(v) by the reduction described at expInvL.
func exp1(v float64) float64 {
	if !(math.Abs(v) <= expMax) {
		return math.Exp(v)
	}
	t := math.FMA(v, expInvL, magic)
	k := t - magic
	r := math.FMA(-k, expL1, v)
	r = math.FMA(-k, expL2, r)
	c := &expPoly
	q := math.FMA(c[4], r, c[3])
	q = math.FMA(q, r, c[2])
	q = math.FMA(q, r, c[1])
	q = math.FMA(q, r, c[0])
	tj := expTable[math.Float64bits(t)&15]
	y := math.FMA(tj, math.FMA(r*r, q, r), tj)
	// Multiply by 2^e, e = floor(k/16) in [-1024, 1024], as 2^e1 * 2^e2
	// with both factors normal: y*2^e1 is exact and the second product
	// rounds once, to a subnormal or +Inf where it must, as VSCALEFPD does.
	e := int64(k) >> 4
	e1 := e >> 1
	y *= math.Float64frombits(uint64(e1+1023) << 52)
	return y * math.Float64frombits(uint64(e-e1+1023)<<52)
}

// log1 is log(v) by the reduction described at logLn2Hi.
func log1(v float64) float64 {
	if !(v > 0 && v <= math.MaxFloat64) {
		return math.Log(v)
	}
	e0 := 0.0
	if v < logMinNormal {
		v *= 0x1p52
		e0 = -52
	}
	// Subtracting the bits of 0.75 leaves in the exponent field the
	// exponent e with v = 2^e * m, m in [0.75, 1.5) (the mantissa field
	// borrows exactly when m would be below 0.75); removing e from v's
	// exponent gives m.
	const bits075 = 0x3fe8000000000000
	b := math.Float64bits(v)
	ei := int64(b-bits075) >> 52
	m := math.Float64frombits(b - uint64(ei)<<52)
	e := float64(ei) + e0
	t := 16/m + magic
	k := t - magic
	r := math.FMA(m, k*(1.0/16), -1)
	c := &logPoly
	p := math.FMA(c[8], r, c[7])
	p = math.FMA(p, r, c[6])
	p = math.FMA(p, r, c[5])
	p = math.FMA(p, r, c[4])
	p = math.FMA(p, r, c[3])
	p = math.FMA(p, r, c[2])
	p = math.FMA(p, r, c[1])
	p = math.FMA(p, r, c[0])
	u := math.FMA(r*r, p, r)
	u = math.FMA(e, logLn2Lo, u)
	w := math.FMA(e, logLn2Hi, logTable[math.Float64bits(t)&15])
	return w + u
}
