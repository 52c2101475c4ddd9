package eager

import (
	"math"
	"math/big"
	"sync"
)

// This file holds the reference versions of the floating-point functions.
// They are written for accuracy, not speed, and independently of package
// ops: the transcendental functions are within about 1 ulp of the true
// result over the whole float64 range (checked against mpmath in the
// tests), which Go's math package alone is not (math.Pow is off by up to
// 6e4 ulp, math.Acos by 1e7 ulp near 1, math.Sin loses relative precision
// near multiples of pi, math.Log is wrong for subnormals on amd64).

// twoSum returns s = fl(a+b) and the exact error e, a+b = s+e (Knuth).
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return s, e
}

// twoProd returns p = fl(a*b) and the exact error e, a*b = p+e.
func twoProd(a, b float64) (p, e float64) {
	p = a * b
	e = math.FMA(a, b, -p)
	return p, e
}

// dd is a double-double number hi+lo with |lo| <= ulp(hi)/2.
type dd struct{ hi, lo float64 }

func ddFrom(x float64) dd { return dd{x, 0} }

// add, mul, mulF, divF and div are double-double arithmetic, accurate to
// about 2^-104 relative (Dekker, Knuth).
func (a dd) add(b dd) dd {
	s, e := twoSum(a.hi, b.hi)
	t, f := twoSum(a.lo, b.lo)
	e += t
	s, e = twoSum(s, e)
	e += f
	s, e = twoSum(s, e)
	return dd{s, e}
}

func (a dd) neg() dd { return dd{-a.hi, -a.lo} }

func (a dd) mul(b dd) dd {
	p, e := twoProd(a.hi, b.hi)
	e += a.hi*b.lo + a.lo*b.hi
	p, e = twoSum(p, e)
	return dd{p, e}
}

func (a dd) mulF(b float64) dd {
	p, e := twoProd(a.hi, b)
	e += a.lo * b
	p, e = twoSum(p, e)
	return dd{p, e}
}

func (a dd) divF(b float64) dd {
	q1 := a.hi / b
	p, e := twoProd(q1, b)
	r := ((a.hi - p) - e) + a.lo
	q2 := r / b
	s, t := twoSum(q1, q2)
	return dd{s, t}
}

func (a dd) div(b dd) dd {
	q1 := a.hi / b.hi
	r := a.add(b.mulF(q1).neg())
	q2 := r.hi / b.hi
	r = r.add(b.mulF(q2).neg())
	q3 := r.hi / b.hi
	s, e := twoSum(q1, q2)
	return dd{s, e}.add(ddFrom(q3))
}

var (
	ddLn2  = dd{0.6931471805599453, 2.3190468138462996e-17}
	ddLn10 = dd{2.302585092994046, -2.1707562233822494e-16}
)

// ddLog returns ln(x) for finite x > 0 with a relative error near 2^-100.
// x = 2^k * m with m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh(s) with
// s = (m-1)/(m+1), |s| < 0.172, by its series: the first terms in
// double-double, the tail in float64.
func ddLog(x float64) dd {
	m, k := math.Frexp(x)
	if m < math.Sqrt2/2 {
		m *= 2
		k--
	}
	a := dd{m - 1, 0} // exact: m is within a factor 2 of 1
	bh, bl := twoSum(m, 1)
	s := a.div(dd{bh, bl})
	s2 := s.mul(s)
	// Terms s^(2j+1)/(2j+1) for j = 0..3 in double-double.
	sum := s
	p := s
	for j := 1; j <= 3; j++ {
		p = p.mul(s2)
		sum = sum.add(p.divF(float64(2*j + 1)))
	}
	// Tail j >= 4 in float64: at most 0.03^4 of s, so its rounding errors
	// are far below 2^-100 of the result.
	t2 := s2.hi
	pt := p.hi * t2
	tail := 0.0
	for j := 4; j < 30; j++ {
		tail += pt / float64(2*j+1)
		pt *= t2
		if math.Abs(pt) < 1e-40*math.Abs(s.hi) {
			break
		}
	}
	sum = sum.add(ddFrom(tail))
	lnm := sum.mulF(2)
	return ddLn2.mulF(float64(k)).add(lnm)
}

// ddExp returns exp(t) rounded to float64 for a double-double t: t = k ln2
// + r with |r| <= ln2/2 computed in double-double, exp(r) = exp(r.hi) *
// (1 + r.lo), then scaled by 2^k.
func ddExp(t dd) float64 {
	if t.hi > 709.8 {
		return math.Inf(1)
	}
	if t.hi < -746 {
		return 0
	}
	k := math.Round(t.hi / ddLn2.hi)
	r := t.add(ddLn2.mulF(-k))
	v := math.Exp(r.hi)
	v += v * r.lo
	return math.Ldexp(v, int(k))
}

// refExp is e**x. math.Exp on amd64 returns +Inf from x = 709.436 on,
// although e**x only overflows from 709.7827; large arguments go through
// ddExp, which scales a small exponential by 2^k.
func refExp(x float64) float64 {
	if x > 700 && x < 710 {
		return ddExp(ddFrom(x))
	}
	return math.Exp(x)
}

// refLog is ln(x), correct for subnormal x too.
func refLog(x float64) float64 {
	if x > 0 && x < 0x1p-1022 {
		// math.Log is wrong for subnormals on amd64 (Go issue 56600).
		return ddLog(x).hi
	}
	return math.Log(x)
}

// refLog10 is log10(x) via a double-double natural logarithm, so exact
// powers of ten give exact integers.
func refLog10(x float64) float64 {
	switch {
	case math.IsNaN(x) || x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	case math.IsInf(x, 1):
		return x
	}
	return ddLog(x).div(ddLn10).hi
}

// refPow is x**y with C99's special cases (as NumPy's, from the C
// library) and otherwise exp(y ln x) with ln x in double-double, within
// about 1 ulp.
func refPow(x, y float64) float64 {
	switch {
	case y == 0 || x == 1:
		return 1
	case math.IsNaN(x) || math.IsNaN(y) || x == 0 || math.IsInf(x, 0) || math.IsInf(y, 0):
		// math.Pow's special cases are those of C99 and exact.
		return math.Pow(x, y)
	}
	neg := false
	if x < 0 {
		if y != math.Trunc(y) {
			return math.NaN()
		}
		neg = math.Abs(y) < 0x1p53 && int64(y)&1 == 1
		x = -x
	}
	if l := y * math.Log(x); l > 720 || l < -760 {
		// Certain overflow or underflow; the double-double product would
		// itself overflow for huge y.
		v := math.Inf(1)
		if l < 0 {
			v = 0
		}
		if neg {
			v = -v
		}
		return v
	}
	t := ddLog(x).mulF(y)
	v := ddExp(t)
	if neg {
		v = -v
	}
	return v
}

// The trigonometric functions reduce their argument by pi/2 exactly (with
// math/big for large arguments), then evaluate math.Sin, math.Cos or
// math.Tan on |r| <= pi/4, where those are accurate.

var (
	piOnce  sync.Once
	bigPio2 *big.Float // pi/2 to 1600 bits
)

const bigPrec = 1600

// bigAtanInv returns atan(1/n) to prec bits by its series.
func bigAtanInv(n int64, prec uint) *big.Float {
	sum := new(big.Float).SetPrec(prec)
	nn := new(big.Float).SetPrec(prec).SetInt64(n * n)
	pow := new(big.Float).SetPrec(prec).Quo(big.NewFloat(1).SetPrec(prec), new(big.Float).SetPrec(prec).SetInt64(n))
	eps := new(big.Float).SetPrec(prec).SetMantExp(big.NewFloat(1), -int(prec)-8)
	for k := int64(0); ; k++ {
		term := new(big.Float).SetPrec(prec).Quo(pow, new(big.Float).SetPrec(prec).SetInt64(2*k+1))
		if k%2 == 0 {
			sum.Add(sum, term)
		} else {
			sum.Sub(sum, term)
		}
		if term.Cmp(eps) < 0 {
			return sum
		}
		pow.Quo(pow, nn)
	}
}

// initPi computes pi/2 to bigPrec bits.
func initPi() {
	// Machin: pi/4 = 4 atan(1/5) - atan(1/239).
	prec := uint(bigPrec + 64)
	a := bigAtanInv(5, prec)
	b := bigAtanInv(239, prec)
	a.Mul(a, big.NewFloat(4).SetPrec(prec))
	a.Sub(a, b) // pi/4
	a.Mul(a, big.NewFloat(2).SetPrec(prec))
	bigPio2 = a.SetPrec(bigPrec)
}

// Three-part pi/2 for the fast reduction (from mpmath): pio2a and pio2b
// have 33 significant bits, so k*pio2a and k*pio2b are exact for
// |k| < 2^20, and pio2c is the rounded rest.
const (
	pio2a = 1.5707963267341256     // first 33 bits of pi/2
	pio2b = 6.077100506303966e-11  // next 33 bits
	pio2c = 2.0222662487959506e-21 // the rest
)

// reduce returns r = x - k*pi/2 as a double-double and k mod 4, for
// finite x.
func reduce(x float64) (dd, int) {
	if math.Abs(x) < 1e5 {
		k := math.Round(x / (math.Pi / 2))
		// x - k*pio2a is exact (Sterbenz, k*pio2a exact), and so is
		// each product below.
		r := dd{x - k*pio2a, 0}
		r = r.add(ddFrom(-k * pio2b))
		p, e := twoProd(-k, pio2c)
		r = r.add(dd{p, e})
		// pi/2 - (pio2a+pio2b+pio2c) is 1e-37, so r is accurate to 1e-32
		// absolutely: to 2^-70 relatively above 1e-10.
		if math.Abs(r.hi) > 1e-10 {
			return r, int(math.Mod(k, 4)+4) % 4
		}
	}
	piOnce.Do(initPi)
	bx := new(big.Float).SetPrec(bigPrec).SetFloat64(x)
	q := new(big.Float).SetPrec(bigPrec).Quo(bx, bigPio2)
	// Round q to the nearest integer.
	half := big.NewFloat(0.5)
	if q.Sign() < 0 {
		q.Sub(q, half)
	} else {
		q.Add(q, half)
	}
	ki, _ := q.Int(nil)
	kf := new(big.Float).SetPrec(bigPrec).SetInt(ki)
	r := new(big.Float).SetPrec(bigPrec).Mul(kf, bigPio2)
	r.Sub(bx, r)
	hi, _ := r.Float64()
	r.Sub(r, new(big.Float).SetPrec(bigPrec).SetFloat64(hi))
	lo, _ := r.Float64()
	m := new(big.Int).Mod(ki, big.NewInt(4))
	return dd{hi, lo}, int(m.Int64())
}

// sinDD and cosDD evaluate sin and cos of a double-double argument of at
// most pi/4: f(hi) + f'(hi)*lo.
func sinDD(r dd) float64 { return math.Sin(r.hi) + math.Cos(r.hi)*r.lo }
func cosDD(r dd) float64 { return math.Cos(r.hi) - math.Sin(r.hi)*r.lo }

// refSin is sin(x) within about 1 ulp for every finite x.
func refSin(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return math.NaN()
	}
	if math.Abs(x) <= math.Pi/4 {
		return math.Sin(x)
	}
	r, q := reduce(x)
	switch q {
	case 0:
		return sinDD(r)
	case 1:
		return cosDD(r)
	case 2:
		return -sinDD(r)
	}
	return -cosDD(r)
}

// refCos is cos(x) within about 1 ulp for every finite x.
func refCos(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return math.NaN()
	}
	if math.Abs(x) <= math.Pi/4 {
		return math.Cos(x)
	}
	r, q := reduce(x)
	switch q {
	case 0:
		return cosDD(r)
	case 1:
		return -sinDD(r)
	case 2:
		return -cosDD(r)
	}
	return sinDD(r)
}

// refTan is tan(x) within about 1 ulp for every finite x.
func refTan(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return math.NaN()
	}
	if math.Abs(x) < 1e-3 {
		// math.Tan returns x itself below 1e-7, up to 8 ulp off; the
		// series is accurate here (the x^9 term is below 2^-60 of x).
		x2 := x * x
		return x + x*(x2*(1.0/3+x2*(2.0/15+x2*(17.0/315))))
	}
	if math.Abs(x) <= math.Pi/4 {
		return math.Tan(x)
	}
	r, q := reduce(x)
	t := math.Tan(r.hi)
	t += (1 + t*t) * r.lo
	if q%2 == 1 {
		// tan(r + pi/2) = -1/tan(r), with tan(r.hi+r.lo) in double-double
		// accuracy: 1/tan(r) = cot(r.hi) - (1 + cot^2) r.lo.
		c := 1 / math.Tan(r.hi)
		c -= (1 + c*c) * r.lo
		return -c
	}
	return t
}

// refSinh is sinh(x); math.Sinh overflows where exp(|x|) does, below the
// point where sinh(x) = exp(|x|)/2 itself overflows, so large arguments
// use exp(|x| - ln 2) with the subtraction in double-double.
func refSinh(x float64) float64 {
	if math.Abs(x) < 700 || math.IsNaN(x) || math.IsInf(x, 0) {
		return math.Sinh(x)
	}
	return math.Copysign(ddExp(ddFrom(math.Abs(x)).add(ddLn2.neg())), x)
}

// refCosh is cosh(x), with refSinh's treatment of large arguments.
func refCosh(x float64) float64 {
	if math.Abs(x) < 700 || math.IsNaN(x) || math.IsInf(x, 0) {
		return math.Cosh(x)
	}
	return ddExp(ddFrom(math.Abs(x)).add(ddLn2.neg()))
}

// refAsin is arcsin(x) = atan2(x, sqrt((1-x)(1+x))): the factored form
// keeps 1-x^2 accurate near |x| = 1, where math.Asin is off by up to 75
// ulp.
func refAsin(x float64) float64 {
	if math.IsNaN(x) || x > 1 || x < -1 {
		return math.NaN()
	}
	return math.Atan2(x, math.Sqrt((1-x)*(1+x)))
}

// refAcos is arccos(x) = atan2(sqrt((1-x)(1+x)), x); math.Acos is off by
// up to 1.7e7 ulp near 1.
func refAcos(x float64) float64 {
	if math.IsNaN(x) || x > 1 || x < -1 {
		return math.NaN()
	}
	return math.Atan2(math.Sqrt((1-x)*(1+x)), x)
}

// divmod is NumPy 1.24's npy_divmod for a float dtype whose arithmetic is
// rnd(float64 op): the floor quotient and the remainder with the sign of
// the divisor.
func divmod(a, b float64, rnd func(float64) float64) (floordiv, mod float64) {
	mod = math.Mod(a, b) // fmod: exact, so no rounding needed
	if b == 0 {
		return rnd(a / b), mod
	}
	div := rnd(rnd(a-mod) / b)
	if mod != 0 {
		if (b < 0) != (mod < 0) {
			mod = rnd(mod + b)
			div = rnd(div - 1)
		}
	} else {
		mod = math.Copysign(0, b)
	}
	if div != 0 {
		floordiv = math.Floor(div)
		if rnd(div-floordiv) > 0.5 {
			floordiv = rnd(floordiv + 1)
		}
	} else {
		floordiv = math.Copysign(0, rnd(a/b))
	}
	return floordiv, mod
}
