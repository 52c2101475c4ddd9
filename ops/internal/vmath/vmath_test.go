package vmath

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"sync"
	"testing"
)

// maxULP is the accuracy bound of the fast kernels against package math
// inside their argument range.
const maxULP = 4

// fn describes one function: its name, its package math function, the
// reference the kernels are measured against, and the kernel of an
// implementation.
type fn struct {
	name   string
	scalar func(float64) float64
	ref    func(float64) float64
	kernel func(k kernels) func(dst, x []float64)
}

var fns = []fn{
	{"sin", sinScalar, math.Sin, func(k kernels) func(dst, x []float64) { return k.sin }},
	{"cos", cosScalar, math.Cos, func(k kernels) func(dst, x []float64) { return k.cos }},
	{"exp", math.Exp, expRef, func(k kernels) func(dst, x []float64) { return k.exp }},
	{"log", math.Log, logRef, func(k kernels) func(dst, x []float64) { return k.log }},
	{"tan", tanScalar, tanRef, func(k kernels) func(dst, x []float64) { return k.tan }},
}

// sinScalar, cosScalar and tanScalar are the scalar functions of the
// special-value and length tests: package math up to trigMax and for NaN
// and ±Inf, and beyond trigMax the package's exact reduction, which
// TestTrigExact and TestTrigMPMath measure against exact values (math's
// reduction loses bits there: up to 1.5e3 ulp for sin, 2e4 for tan).
func sinScalar(x float64) float64 { return trigScalar(x, math.Sin, sinHuge) }
func cosScalar(x float64) float64 { return trigScalar(x, math.Cos, cosHuge) }
func tanScalar(x float64) float64 { return trigScalar(x, math.Tan, tanHuge) }

func trigScalar(x float64, f, huge func(float64) float64) float64 {
	if a := math.Abs(x); a > trigMax && a <= math.MaxFloat64 {
		return huge(x)
	}
	return f(x)
}

// tanRef is the reference of TestAccuracy for tan: exactTrig, since
// math.Tan is up to 8 ulp off for 1e-8 < |x| < 1e-7 (it returns x).
func tanRef(x float64) float64 {
	_, _, t := exactTrig(x)
	return t
}

// expRef is math.Exp, except from 709 on, where math.Exp on amd64 returns
// +Inf too early: there it is exp(x-1)*e, the product in double-float
// arithmetic, within about 1.5 ulp.
func expRef(x float64) float64 {
	if x > 709 && x <= expMax {
		const eHi, eLo = math.E, 1.4456468917292502e-16 // eLo = e - eHi (mpmath)
		a := math.Exp(x - 1)
		p := a * eHi
		return p + (math.FMA(a, eHi, -p) + a*eLo)
	}
	return math.Exp(x)
}

// logRef is math.Log, except for subnormal x, where math.Log is wrong on
// amd64 (Go issue 56600): there it is log(x*2^64) - 64*ln2, within about
// 1.5 ulp (math.Log's error plus the subtraction's rounding; 64*ln2 is
// exact to 0.02 ulp of the result).
func logRef(x float64) float64 {
	if x > 0 && x < 0x1p-1022 {
		return math.Log(x*0x1p64) - 64*math.Ln2
	}
	return math.Log(x)
}

// reference is the portable loop every kernel is measured against.
func reference(scalar func(float64) float64, dst, x []float64) {
	for i, v := range x {
		dst[i] = scalar(v)
	}
}

// ulps returns the distance between a and b in units in the last place:
// the number of float64 values from one to the other. NaN is at distance 0
// from NaN and infinitely far from anything else.
func ulps(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		if math.IsNaN(a) && math.IsNaN(b) {
			return 0
		}
		return math.Inf(1)
	}
	// Map the bit patterns to integers that order like the values, with
	// -0 and +0 both at 0.
	ord := func(f float64) int64 {
		b := int64(math.Float64bits(f))
		if b < 0 {
			return math.MinInt64 - b
		}
		return b
	}
	d := ord(a) - ord(b)
	if d < 0 {
		d = -d
	}
	return float64(d)
}

// sameBits reports whether a and b are the same float64, telling -0 from +0
// (any NaN equals any NaN).
func sameBits(a, b float64) bool {
	if math.IsNaN(a) {
		return math.IsNaN(b)
	}
	return math.Float64bits(a) == math.Float64bits(b)
}

// uniform returns n values uniform in [lo, hi).
func uniform(rng *rand.Rand, n int, lo, hi float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = lo + (hi-lo)*rng.Float64()
	}
	return x
}

// logUniform returns n values whose base-2 logarithm is uniform in
// [lo, hi), with random signs when signed is set.
func logUniform(rng *rand.Rand, n int, lo, hi float64, signed bool) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = math.Exp2(lo + (hi-lo)*rng.Float64())
		if signed && rng.IntN(2) == 0 {
			x[i] = -x[i]
		}
	}
	return x
}

// randomPositive returns n positive float64 values with uniformly random
// bit patterns below hiBits, subnormals included.
func randomPositive(rng *rand.Rand, n int, hiBits uint64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = math.Float64frombits(1 + rng.Uint64N(hiBits))
	}
	return x
}

type sampleRange struct {
	name string
	x    func(rng *rand.Rand, n int) []float64
}

// accuracyRanges are the inputs of TestAccuracy, per function.
var accuracyRanges = map[string][]sampleRange{
	"sin": trigRanges,
	"cos": trigRanges,
	"tan": trigRanges,
	"exp": {
		{"[-745,710]", func(r *rand.Rand, n int) []float64 { return uniform(r, n, -745, 710) }},
		{"[-1,1]", func(r *rand.Rand, n int) []float64 { return uniform(r, n, -1, 1) }},
		{"±2^[-60,9.5]", func(r *rand.Rand, n int) []float64 { return logUniform(r, n, -60, 9.5, true) }},
		{"±[700,expMax]", func(r *rand.Rand, n int) []float64 {
			x := uniform(r, n, 700, expMax)
			for i := range x {
				if i%2 == 0 {
					x[i] = -x[i]
				}
			}
			return x
		}},
	},
	"log": {
		{"(0,1e300]", func(r *rand.Rand, n int) []float64 { return randomPositive(r, n, math.Float64bits(1e300)) }},
		{"[0.5,2]", func(r *rand.Rand, n int) []float64 { return uniform(r, n, 0.5, 2) }},
		{"1±2^[-60,-1]", func(r *rand.Rand, n int) []float64 {
			x := logUniform(r, n, -60, -1, true)
			for i := range x {
				x[i]++
			}
			return x
		}},
		{"(0,MaxFloat64]", func(r *rand.Rand, n int) []float64 {
			return randomPositive(r, n, math.Float64bits(math.MaxFloat64))
		}},
	},
}

// trigRanges stop at 1e6: further out math.Sin and math.Cos themselves lose
// bits near multiples of pi/2 (see TestTrigExact, which covers all finite
// arguments against an exact reference instead).
var trigRanges = []sampleRange{
	{"[0,1)", func(r *rand.Rand, n int) []float64 { return uniform(r, n, 0, 1) }},
	{"[-pi,pi]", func(r *rand.Rand, n int) []float64 { return uniform(r, n, -math.Pi, math.Pi) }},
	{"[-1e3,1e3]", func(r *rand.Rand, n int) []float64 { return uniform(r, n, -1e3, 1e3) }},
	{"[-1e6,1e6]", func(r *rand.Rand, n int) []float64 { return uniform(r, n, -1e6, 1e6) }},
	{"±2^[-40,20]", func(r *rand.Rand, n int) []float64 { return logUniform(r, n, -40, 20, true) }},
}

// TestAccuracy measures every implementation against the reference of each
// function over large random samples; run with -v to see the maximum error
// per range. Tan's exact reference is slow, so it gets fewer samples.
func TestAccuracy(t *testing.T) {
	n := 1 << 20
	if testing.Short() {
		n = 1 << 14
	}
	for _, f := range fns {
		for ri, sr := range accuracyRanges[f.name] {
			m := n
			if f.name == "tan" {
				m = n / 32
			}
			rng := rand.New(rand.NewPCG(uint64(ri), 7))
			x := sr.x(rng, m)
			want := make([]float64, m)
			reference(f.ref, want, x)
			for _, k := range availableKernels() {
				got := make([]float64, m)
				f.kernel(k)(got, x)
				worst, at := 0.0, 0
				for i := range x {
					if u := ulps(got[i], want[i]); u > worst {
						worst, at = u, i
					}
				}
				t.Logf("%-7s %s %-15s max %v ulp", k.name, f.name, sr.name, worst)
				if worst > maxULP {
					t.Errorf("%s %s %s: %s(%v) = %v, reference %v (%v ulp)",
						k.name, f.name, sr.name, f.name, x[at], got[at], want[at], worst)
				}
			}
		}
	}
}

// specials are inputs every implementation must map exactly as its scalar
// function (fn.scalar) does: the values outside the fast range and the IEEE
// edge cases. The special values are package math's; the trigonometric
// functions of arguments beyond trigMax are correctly rounded (mpmath 1.2.1
// at 3000 bits: mp.sin(x), mp.cos(x), mp.tan(x)).
var specials = map[string][]struct{ x, want float64 }{
	"sin": {
		{0, 0}, {math.Copysign(0, -1), math.Copysign(0, -1)},
		{math.Inf(1), math.NaN()}, {math.Inf(-1), math.NaN()}, {math.NaN(), math.NaN()},
		{5e-324, 5e-324}, {-5e-324, -5e-324}, {0x1p-1022, 0x1p-1022}, {-1e-300, -1e-300},
		{0x1p-28, 0x1p-28}, {1e300, -0.8178819121159085}, {-0x1p31, 0.9713101757929392},
		{math.MaxFloat64, 0.004961954789184062},
	},
	"cos": {
		{0, 1}, {math.Copysign(0, -1), 1},
		{math.Inf(1), math.NaN()}, {math.Inf(-1), math.NaN()}, {math.NaN(), math.NaN()},
		{5e-324, 1}, {-1e-300, 1}, {0x1p-28, 1},
		{1e300, -0.5753861119575491}, {-0x1p31, 0.23781619457280337},
	},
	"tan": {
		{0, 0}, {math.Copysign(0, -1), math.Copysign(0, -1)},
		{math.Inf(1), math.NaN()}, {math.Inf(-1), math.NaN()}, {math.NaN(), math.NaN()},
		{5e-324, 5e-324}, {-5e-324, -5e-324}, {-1e-300, -1e-300}, {0x1p-28, 0x1p-28},
		{1e300, 1.4214488238747245}, {-0x1p31, 4.084289455298593},
		{math.MaxFloat64, -0.004962015874444895},
	},
	"exp": {
		{0, 1}, {math.Copysign(0, -1), 1}, {5e-324, 1}, {-5e-324, 1},
		{math.Inf(1), math.Inf(1)}, {math.Inf(-1), 0}, {math.NaN(), math.NaN()},
		{709.8, math.Inf(1)}, {1000, math.Inf(1)}, {math.Nextafter(expMax, 1000), math.Inf(1)},
		{-710, math.Exp(-710)}, {-740, math.Exp(-740)}, {-745.2, 0}, {-1000, 0},
	},
	"log": {
		{0, math.Inf(-1)}, {math.Copysign(0, -1), math.Inf(-1)}, {-1, math.NaN()},
		{-5e-324, math.NaN()}, {math.Inf(-1), math.NaN()}, {math.Inf(1), math.Inf(1)},
		{math.NaN(), math.NaN()}, {1, 0},
	},
}

// TestSpecials checks the special values, alone and inside full vectors of
// ordinary values (so both the scalar fix-up and the vector stop/resume are
// exercised), and checks the table against the scalar functions bit for
// bit.
func TestSpecials(t *testing.T) {
	for _, k := range availableKernels() {
		for _, f := range fns {
			for _, c := range specials[f.name] {
				if !sameBits(f.scalar(c.x), c.want) {
					t.Fatalf("table: math %s(%v) = %v, table says %v", f.name, c.x, f.scalar(c.x), c.want)
				}
				for _, pos := range []int{0, 5, 7, 8, 19} {
					x := make([]float64, 20)
					for i := range x {
						x[i] = 0.5 + float64(i)/8
					}
					x[pos] = c.x
					dst := make([]float64, len(x))
					f.kernel(k)(dst, x)
					if !sameBits(dst[pos], c.want) {
						t.Errorf("%s %s(%v) = %v at index %d, want %v", k.name, f.name, c.x, dst[pos], pos, c.want)
					}
					for i := range x {
						if u := ulps(dst[i], f.scalar(x[i])); i != pos && u > maxULP {
							t.Errorf("%s %s: neighbour %d of a special: %s(%v) = %v, want %v", k.name, f.name, i, f.name, x[i], dst[i], f.scalar(x[i]))
						}
					}
				}
			}
		}
	}
}

// numpyValues are ordinary arguments with results from numpy 1.24.2
// (np.sin, np.cos, np.exp, np.log, np.tan on float64 scalars).
var numpyValues = map[string][][2]float64{
	"tan": {{0.5, 0.5463024898437905}, {1.0, 1.557407724654902}, {1.5707963267948966, 1.633123935319537e+16}, {2.0, -2.185039863261519}, {3.0, -0.1425465430742778}, {10.0, 0.6483608274590866}, {-7.25, -1.4492795301268253}, {1e-07, 1.0000000000000033e-07}, {-5e-08, -5.000000000000004e-08}, {100000.0, -0.035771662952898776}, {123456.789, -19.32678794321585}},
	"sin": {{0.5, 0.47942553860420295}, {1.0, 0.8414709848078965}, {2.0, 0.9092974268256816}, {3.0, 0.1411200080598672}, {10.0, -0.5440211108893698}, {-7.25, -0.8230808790115055}, {100.0, -0.5063656411097587}, {100000.0, 0.03574879797201651}, {123456.789, -0.9986640823432247}},
	"cos": {{0.5, 0.8775825618903725}, {1.0, 0.5403023058681397}, {2.0, -0.4161468365471424}, {3.0, -0.9899924966004454}, {10.0, -0.8390715290764524}, {-7.25, 0.5679241732886948}, {100.0, 0.8623188722876839}, {100000.0, -0.9993608074382127}, {123456.789, 0.05167253271870138}},
	"exp": {{-700.0, 9.85967654375977e-305}, {-20.5, 1.2501528663867426e-09}, {-1.0, 0.3678794411714424}, {-1e-10, 0.9999999999000001}, {0.5, 1.6487212707001282}, {1.0, 2.718281828459045}, {2.0, 7.38905609893065}, {10.0, 22026.465794806718}, {88.7, 3.3259869802505794e+38}, {700.0, 1.0142320547350045e+304},
		// Near overflow, where math.Exp on amd64 returns +Inf, and subnormal
		// results.
		{709.5, 1.3549863193146328e+308}, {709.78, 1.7928227943945155e+308}, {709.782712893384, 1.7976931348622732e+308},
		{-709.0, 1.216780750623423e-308}, {-709.5, 7.38014831401258e-309}, {-709.78, 5.577796105262746e-309}, {-709.782712893384, 5.562684646268137e-309}},
	"log": {{5e-324, -744.4400719213812}, {1e-300, -690.7755278982137}, {1e-10, -23.025850929940457}, {0.5, -0.6931471805599453}, {0.75, -0.2876820724517809}, {0.9999999999, -1.000000082790371e-10}, {1.0000001, 9.999999505838704e-08}, {2.0, 0.6931471805599453}, {10.0, 2.3025850929940455}, {1e+300, 690.7755278982137}, {1.7976931348623157e+308, 709.782712893384},
		// Subnormals, where math.Log on amd64 is wrong (Go issue 56600).
		{1.1125369292536007e-308, -709.0895657128241}, {2.2250738585072014e-308, -708.3964185322641},
		{1e-310, -713.8013788281542}, {1.5e-323, -743.3414596327132}},
}

func TestNumPyValues(t *testing.T) {
	for _, k := range availableKernels() {
		for _, f := range fns {
			vals := numpyValues[f.name]
			x := make([]float64, len(vals))
			for i, v := range vals {
				x[i] = v[0]
			}
			got := make([]float64, len(x))
			f.kernel(k)(got, x)
			for i, v := range vals {
				if u := ulps(got[i], v[1]); u > maxULP {
					t.Errorf("%s %s(%v) = %v, numpy %v (%v ulp)", k.name, f.name, v[0], got[i], v[1], u)
				}
			}
		}
	}
}

// mixedInput returns n values for the length tests: mostly ordinary, with
// every seventh one a value the fast kernels leave to package math.
func mixedInput(rng *rand.Rand, name string, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		switch {
		case i%7 == 3:
			sp := specials[name]
			x[i] = sp[rng.IntN(len(sp))].x
		case name == "log":
			x[i] = 1e3 * rng.Float64()
		default:
			x[i] = 20*rng.Float64() - 10
		}
	}
	return x
}

// TestLengthsAndOffsets runs every length 0..67 at several start offsets
// of dst and x (so vectors are misaligned and the tail mask sees every
// width), in place and out of place, with and without special values, and
// checks that nothing outside dst is written.
func TestLengthsAndOffsets(t *testing.T) {
	const guard = 9
	canary := math.Float64frombits(0x7ff8dead0000beef)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range availableKernels() {
		for _, f := range fns {
			for n := 0; n <= 67; n++ {
				for _, mixed := range []bool{false, true} {
					src := mixedInput(rng, f.name, n+3)
					if !mixed {
						// Ordinary values only: the kernel runs start to end.
						for i := 3; i < len(src); i += 7 {
							src[i] = 0.25 + float64(i)
						}
					}
					for xOff := 0; xOff < 3; xOff++ {
						x := src[xOff : xOff+n]
						want := make([]float64, n)
						reference(f.scalar, want, x)
						for dOff := 0; dOff < 3; dOff++ {
							buf := make([]float64, dOff+n+guard)
							for i := range buf {
								buf[i] = canary
							}
							dst := buf[dOff : dOff+n]
							f.kernel(k)(dst, x)
							checkResult(t, k.name, f.name, x, dst, want)
							for i, v := range buf {
								if (i < dOff || i >= dOff+n) && math.Float64bits(v) != math.Float64bits(canary) {
									t.Fatalf("%s %s n=%d offsets %d,%d: wrote outside dst at %d", k.name, f.name, n, xOff, dOff, i)
								}
							}
						}
						// In place.
						inPlace := append([]float64(nil), x...)
						f.kernel(k)(inPlace, inPlace)
						checkResult(t, k.name, f.name+" in place", x, inPlace, want)
					}
				}
			}
		}
	}
}

func checkResult(t *testing.T, impl, name string, x, got, want []float64) {
	t.Helper()
	for i := range want {
		if u := ulps(got[i], want[i]); u > maxULP {
			t.Fatalf("%s %s n=%d: element %d: f(%v) = %v, want %v", impl, name, len(x), i, x[i], got[i], want[i])
		}
	}
}

// TestPathsAgree compares each assembly implementation with the generic
// one over random inputs spanning their whole domains.
func TestPathsAgree(t *testing.T) {
	ks := availableKernels()
	if len(ks) < 2 {
		t.Skipf("only %s kernels on this machine", ks[0].name)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	n := 1 << 18
	inputs := map[string][]float64{
		"sin": logUniform(rng, n, -40, 40, true),
		"cos": logUniform(rng, n, -40, 40, true),
		"exp": uniform(rng, n, -750, 750),
		"log": randomPositive(rng, n, math.Float64bits(math.MaxFloat64)),
		"tan": logUniform(rng, n, -40, 40, true),
	}
	for _, k := range ks[:len(ks)-1] {
		for _, f := range fns {
			x := inputs[f.name]
			a := make([]float64, n)
			b := make([]float64, n)
			f.kernel(k)(a, x)
			f.kernel(genericKernels)(b, x)
			worst := 0.0
			for i := range x {
				worst = max(worst, ulps(a[i], b[i]))
			}
			t.Logf("%s: %s vs generic max %v ulp", f.name, k.name, worst)
			if worst > maxULP {
				t.Errorf("%s: %s and generic differ by %v ulp", f.name, k.name, worst)
			}
		}
	}
}

// exactPrec is the precision of exactPio2: x*2/pi for |x| up to 2^1024
// keeps over 600 bits after the binary point.
const exactPrec = 1700

// exactAtanInv returns atan(1/n) to exactPrec+64 bits by its series.
func exactAtanInv(n int64) *big.Float {
	const prec = exactPrec + 64
	newF := func() *big.Float { return new(big.Float).SetPrec(prec) }
	sum, nn := newF(), newF().SetInt64(n*n)
	p := newF().Quo(newF().SetInt64(1), newF().SetInt64(n))
	for k := int64(0); p.MantExp(nil) > -prec-8; k++ {
		term := newF().Quo(p, newF().SetInt64(2*k+1))
		if k%2 == 0 {
			sum.Add(sum, term)
		} else {
			sum.Sub(sum, term)
		}
		p.Quo(p, nn)
	}
	return sum
}

// exactPio2 is pi/2 by Machin's formula, pi/4 = 4 atan(1/5) - atan(1/239),
// independent of the constants of the package (and of mpmath).
var exactPio2 = sync.OnceValue(func() *big.Float {
	a := exactAtanInv(5)
	a.Mul(a, big.NewFloat(4))
	a.Sub(a, exactAtanInv(239))
	a.Mul(a, big.NewFloat(2))
	return a.SetPrec(exactPrec)
})

// exactTrig returns sin(x), cos(x) and tan(x) for finite x, correctly
// rounded except in ties far beyond these tests: d = x - k*pi/2 with k the
// nearest integer to x*2/pi, computed with pi/2 to ilogb(x)+400 bits (so d
// keeps over 300 significant bits: no float64 comes within 2^-62 of a
// multiple of pi/2), then the Taylor series of sin(d) and cos(d) in 320-bit
// arithmetic and the quadrant's signs.
func exactTrig(x float64) (s, c, t float64) {
	prec := uint(max(math.Ilogb(x), 0) + 400)
	newF := func(p uint) *big.Float { return new(big.Float).SetPrec(p) }
	pio2 := newF(prec).Set(exactPio2())
	bx := newF(prec).SetFloat64(x)
	q := newF(prec).Quo(bx, pio2)
	q.Add(q, big.NewFloat(0.5))
	k, _ := q.Int(nil) // toward zero: floor(q) below
	if q.Sign() < 0 && !q.IsInt() {
		k.Sub(k, big.NewInt(1))
	}
	d := newF(prec).Sub(bx, newF(prec).Mul(newF(prec).SetInt(k), pio2))
	d.SetPrec(320)
	d2 := newF(320).Mul(d, d)
	d2.Neg(d2)
	series := func(t0 *big.Float, den func(j int64) int64) *big.Float {
		sum, term := newF(320).Set(t0), newF(320).Set(t0)
		for j := int64(1); term.Sign() != 0 && term.MantExp(nil) > -330; j++ {
			term.Mul(term, d2)
			term.Quo(term, newF(320).SetInt64(den(j)))
			sum.Add(sum, term)
		}
		return sum
	}
	sn := series(d, func(j int64) int64 { return 2 * j * (2*j + 1) })
	cs := series(newF(320).SetInt64(1), func(j int64) int64 { return (2*j - 1) * 2 * j })
	switch new(big.Int).And(k, big.NewInt(3)).Int64() { // k mod 4, k < 0 too
	case 1:
		sn, cs = cs, sn.Neg(sn)
	case 2:
		sn, cs = sn.Neg(sn), cs.Neg(cs)
	case 3:
		sn, cs = cs.Neg(cs), sn
	}
	s, _ = sn.Float64()
	c, _ = cs.Float64()
	t, _ = newF(320).Quo(sn, cs).Float64()
	if x == 0 {
		s, t = x, x // the series loses the sign of -0
	}
	return s, c, t
}

// TestTwoOverPi checks the bits of 2/pi that reduceHuge uses against
// 2/pi = 1/exactPio2.
func TestTwoOverPi(t *testing.T) {
	v := new(big.Float).SetPrec(exactPrec).Quo(big.NewFloat(1), exactPio2())
	for j, w := range twoOverPi {
		v.SetMantExp(v, 64) // v = frac * 2^64
		iv, _ := v.Int(nil)
		if got := iv.Uint64(); got != w {
			t.Fatalf("twoOverPi[%d] = %#x, 2/pi gives %#x", j, w, got)
		}
		v.Sub(v, new(big.Float).SetInt(iv))
	}
}

// TestTrigExact checks Sin, Cos and Tan against exactTrig over every
// finite magnitude: log-uniform arguments from 2^-30 to 2^1024, the
// float64 values nearest to multiples of pi/2 up to trigMax (where sin,
// cos or tan is tiny or huge and all its bits come from the argument
// reduction), and float64 values known to lie closest to multiples of
// pi/2. It also logs how far package math is from the same reference.
func TestTrigExact(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	rng := rand.New(rand.NewPCG(5, 6))
	xs := logUniform(rng, n, -30, 1024, true)
	pio2 := new(big.Float).SetPrec(320).Set(exactPio2())
	for range n {
		// The float64 nearest to c*pi/2, c an integer spread over all
		// scales up to trigMax.
		c := math.Floor(math.Exp2(30*rng.Float64()) / (math.Pi / 2))
		x, _ := new(big.Float).SetPrec(320).Mul(pio2, big.NewFloat(c)).Float64()
		if x != 0 && x <= trigMax {
			xs = append(xs, x, -x)
		}
	}
	// The float64 closest to a multiple of pi/2 (|x - k*pi/2| = 4.7e-19,
	// Kahan and McDonald), and the float64 values nearest pi/2 and pi.
	xs = append(xs, 6381956970095103*0x1p797, -6381956970095103*0x1p797, 0x1.921fb54442d18p+0, 0x1.921fb54442d18p+1)
	for i, x := range xs {
		if math.IsInf(x, 0) {
			xs[i] = math.MaxFloat64
		}
	}
	type want struct{ s, c, t float64 }
	wants := make([]want, len(xs))
	for i, x := range xs {
		wants[i].s, wants[i].c, wants[i].t = exactTrig(x)
	}
	for fi, name := range []string{"sin", "cos", "tan"} {
		wantOf := func(i int) float64 { return [3]float64{wants[i].s, wants[i].c, wants[i].t}[fi] }
		// Package math, for information: its error by magnitude of x.
		scalar := [3]func(float64) float64{math.Sin, math.Cos, math.Tan}[fi]
		mathWorst := map[int]float64{}
		for i, x := range xs {
			e := max(math.Ilogb(x), 0) / 64 * 64
			mathWorst[e] = max(mathWorst[e], ulps(scalar(x), wantOf(i)))
		}
		for e := 0; e < 1024; e += 64 {
			if w, ok := mathWorst[e]; ok && w > 1 {
				t.Logf("math.%s vs exact, |x| in [2^%d, 2^%d): max %v ulp", name, e, e+64, w)
			}
		}
		for _, k := range availableKernels() {
			f := [3]func(dst, x []float64){k.sin, k.cos, k.tan}[fi]
			got := make([]float64, len(xs))
			f(got, xs)
			worst, worstHuge := 0.0, 0.0
			for i, x := range xs {
				u := ulps(got[i], wantOf(i))
				if u > trigULP {
					t.Errorf("%s %s(%v) = %v, want %v (%v ulp)", k.name, name, x, got[i], wantOf(i), u)
				}
				if math.Abs(x) > trigMax {
					worstHuge = max(worstHuge, u)
				} else {
					worst = max(worst, u)
				}
			}
			t.Logf("%-7s %s vs exact: max %v ulp for |x| <= 2^30, %v beyond, over %d", k.name, name, worst, worstHuge, len(xs))
		}
	}
}

// trigULP bounds the error of Sin, Cos and Tan against the exact result,
// for every finite argument.
const trigULP = 2

// mpmathTrig holds arguments beyond the fast range with sin, cos and tan
// correctly rounded (mpmath 1.2.1 at 3000 bits; NumPy 1.24 agrees but for
// a last-bit difference of its tan at 1e300, MaxFloat64, 2^30+1, 3e9 and
// -7e15).
var mpmathTrig = [][4]float64{
	{1e+300, -0.8178819121159085, -0.5753861119575491, 1.4214488238747245},
	{-2147483648.0, 0.9713101757929392, 0.23781619457280337, 4.084289455298593},
	{1.7976931348623157e+308, 0.004961954789184062, -0.9999876894265599, -0.004962015874444895},
	{-1.7976931348623157e+308, -0.004961954789184062, -0.9999876894265599, 0.004962015874444895},
	{1e+22, -0.8522008497671888, 0.523214785395139, -1.6287782256068988},
	{5.319372648326541e+255, 1.0, -4.687165924254628e-19, -2.133485385753704e+18},
	{8.98846567431158e+307, 0.563127779850884, -0.826369834614148, -0.6814476476066215},
	{1e+100, -0.3806377310050287, 0.9247242387519338, -0.4116229628832498},
	{1073741825.0, 0.3284483319740196, 0.9445219389847354, 0.347740288941375},
	{3000000000.0, 0.9870048864743554, -0.16069024262768705, -6.14228263231394},
	{-7000000000000000.0, -0.807603186430403, -0.5897262867360245, 1.3694542783572838},
	{9.223372036854776e+18, 0.9999303766734422, 0.011800076512800236, 84.73931296875567},
	{1.5e-07, 1.4999999999999944e-07, 0.9999999999999888, 1.5000000000000113e-07},
}

// TestTrigMPMath checks the table, which also pins exactTrig, the test's
// own reference.
func TestTrigMPMath(t *testing.T) {
	x := make([]float64, len(mpmathTrig))
	for i, r := range mpmathTrig {
		x[i] = r[0]
		s, c, tn := exactTrig(r[0])
		if s != r[1] || c != r[2] || tn != r[3] {
			t.Errorf("exactTrig(%v) = %v, %v, %v; mpmath %v, %v, %v", r[0], s, c, tn, r[1], r[2], r[3])
		}
	}
	for _, k := range availableKernels() {
		for fi, f := range []func(dst, x []float64){k.sin, k.cos, k.tan} {
			got := make([]float64, len(x))
			f(got, x)
			for i, r := range mpmathTrig {
				if u := ulps(got[i], r[1+fi]); u > 1 {
					t.Errorf("%s %s(%v) = %v, mpmath %v (%v ulp)", k.name, []string{"sin", "cos", "tan"}[fi], x[i], got[i], r[1+fi], u)
				}
			}
		}
	}
}

func TestChooseKernels(t *testing.T) {
	best := availableKernels()[0].name
	for _, c := range []struct{ env, want string }{
		{"", best}, {"0", best}, {"1", "generic"}, {"yes", "generic"},
	} {
		if got := chooseKernels(c.env).name; got != c.want {
			t.Errorf("NDCHUNK_NOSIMD=%q: %s kernels, want %s", c.env, got, c.want)
		}
	}
	if a := Accelerated(); a != "avx512" && a != "avx2" && a != "generic" {
		t.Errorf("Accelerated() = %q", a)
	}
}

// TestExported goes through the exported functions, which must match the
// selected kernels and reject a short dst.
func TestExported(t *testing.T) {
	x := []float64{0.1, 0.2, 0.3, 1, 2, 3, 4, 5, 6, 7, 8}
	exported := map[string]func(dst, x []float64){"sin": Sin, "cos": Cos, "exp": Exp, "log": Log, "tan": Tan}
	for _, f := range fns {
		got := make([]float64, len(x))
		want := make([]float64, len(x))
		exported[f.name](got, x)
		f.kernel(active)(want, x)
		for i := range x {
			if !sameBits(got[i], want[i]) {
				t.Errorf("%s(%v) = %v, %s kernel gives %v", f.name, x[i], got[i], active.name, want[i])
			}
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with short dst did not panic", f.name)
				}
			}()
			exported[f.name](make([]float64, len(x)-1, len(x)), x)
		}()
	}
}

// BenchmarkSin etc. time 4096-element slices for each implementation and the
// math loop, reporting ns/element.
func BenchmarkSin(b *testing.B) {
	benchFn(b, fns[0], "[0,1)", func(r *rand.Rand, n int) []float64 { return uniform(r, n, 0, 1) })
	benchFn(b, fns[0], "[-1e3,1e3]", func(r *rand.Rand, n int) []float64 { return uniform(r, n, -1e3, 1e3) })
}

func BenchmarkCos(b *testing.B) {
	benchFn(b, fns[1], "[0,1)", func(r *rand.Rand, n int) []float64 { return uniform(r, n, 0, 1) })
	benchFn(b, fns[1], "[-1e3,1e3]", func(r *rand.Rand, n int) []float64 { return uniform(r, n, -1e3, 1e3) })
}

func BenchmarkExp(b *testing.B) {
	benchFn(b, fns[2], "[-10,10]", func(r *rand.Rand, n int) []float64 { return uniform(r, n, -10, 10) })
}

func BenchmarkTan(b *testing.B) {
	benchFn(b, fns[4], "[0,1)", func(r *rand.Rand, n int) []float64 { return uniform(r, n, 0, 1) })
	benchFn(b, fns[4], "[-1e3,1e3]", func(r *rand.Rand, n int) []float64 { return uniform(r, n, -1e3, 1e3) })
}

func BenchmarkLog(b *testing.B) {
	benchFn(b, fns[3], "(0,1e3)", func(r *rand.Rand, n int) []float64 { return uniform(r, n, 0, 1e3) })
}

func benchFn(b *testing.B, f fn, rangeName string, gen func(*rand.Rand, int) []float64) {
	const n = 4096
	x := gen(rand.New(rand.NewPCG(8, 9)), n)
	dst := make([]float64, n)
	run := func(name string, kernel func(dst, x []float64)) {
		b.Run(fmt.Sprintf("%s/%s", rangeName, name), func(b *testing.B) {
			b.SetBytes(8 * n)
			for b.Loop() {
				kernel(dst, x)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
		})
	}
	for _, k := range availableKernels() {
		run(k.name, f.kernel(k))
	}
	run("math", func(dst, x []float64) { reference(f.scalar, dst, x) })
}

// ---- power ----

// exactPowPrec is the working precision of exactPow: |y*log x| <= 746
// wherever the result is finite and nonzero, so its 256 bits leave over
// 240 after the binary point.
const exactPowPrec = 256

func powF() *big.Float { return new(big.Float).SetPrec(exactPowPrec) }

// powAtanh returns atanh(v) = v + v^3/3 + ... for |v| <= 1/3.
func powAtanh(v *big.Float) *big.Float {
	v2 := powF().Mul(v, v)
	sum, p := powF().Set(v), powF().Set(v)
	for k := int64(3); p.Sign() != 0 && p.MantExp(nil) > -exactPowPrec-4; k += 2 {
		p.Mul(p, v2)
		sum.Add(sum, powF().Quo(p, powF().SetInt64(k)))
	}
	return sum
}

// powLn2 is ln 2 = 2 atanh(1/3).
var powLn2 = sync.OnceValue(func() *big.Float {
	t := powAtanh(powF().Quo(powF().SetInt64(1), powF().SetInt64(3)))
	return t.Mul(t, powF().SetInt64(2))
})

// exactPow is x**y correctly rounded (but for ties far beyond these
// tests) for finite x > 0 and finite y: log x = e*ln2 + 2 atanh((m-1)/(m+1))
// with m in [sqrt(1/2), sqrt(2)), t = y*log x, then exp(t) = 2^k exp(t -
// k*ln2) by Taylor's series, rounded once by big.Float (subnormals
// included).
func exactPow(x, y float64) float64 {
	m, e := math.Frexp(x)
	if m < math.Sqrt2/2 {
		m, e = 2*m, e-1
	}
	bm := powF().SetFloat64(m)
	l := powAtanh(powF().Quo(powF().Sub(bm, powF().SetInt64(1)), powF().Add(bm, powF().SetInt64(1))))
	l.Mul(l, powF().SetInt64(2))
	l.Add(l, powF().Mul(powLn2(), powF().SetInt64(int64(e))))
	t := l.Mul(l, powF().SetFloat64(y))
	switch {
	case t.Cmp(big.NewFloat(710)) > 0:
		return math.Inf(1)
	case t.Cmp(big.NewFloat(-746)) < 0:
		return 0
	}
	tf, _ := t.Float64()
	k := math.Round(tf / math.Ln2)
	r := powF().Sub(t, powF().Mul(powLn2(), powF().SetFloat64(k)))
	sum, term := powF().SetInt64(1), powF().SetInt64(1)
	for i := int64(1); term.Sign() != 0 && term.MantExp(nil) > -exactPowPrec-8; i++ {
		term.Mul(term, r)
		term.Quo(term, powF().SetInt64(i))
		sum.Add(sum, term)
	}
	f, _ := sum.SetMantExp(sum, int(k)).Float64()
	return f
}

// powULP bounds the error of Pow against the exact result.
const powULP = 1

// powSamples are the argument distributions of TestPowAccuracy. Most aim
// at large |y*log x|, where math.Pow loses bits.
var powSamples = []struct {
	name string
	xy   func(r *rand.Rand) (x, y float64)
}{
	{"x (0,10), y (-50,50)", func(r *rand.Rand) (float64, float64) { return 10 * r.Float64(), 100*r.Float64() - 50 }},
	{"x (-10,10), integer y", func(r *rand.Rand) (float64, float64) { return 20*r.Float64() - 10, float64(r.IntN(601) - 300) }},
	{"any x > 0, |y log x| < 745", func(r *rand.Rand) (float64, float64) {
		x := math.Float64frombits(1 + r.Uint64N(math.Float64bits(math.MaxFloat64)))
		return x, (2*r.Float64() - 1) * 745 / math.Abs(math.Log(x))
	}},
	{"x 1±2^-[1,50], |y log x| < 745", func(r *rand.Rand) (float64, float64) {
		x := 1 + (2*r.Float64()-1)*math.Exp2(-1-49*r.Float64())
		return x, (2*r.Float64() - 1) * 745 / math.Abs(math.Log(x))
	}},
	{"subnormal results", func(r *rand.Rand) (float64, float64) {
		x := 0.5 + 10*r.Float64()
		return x, -(708 + 37*r.Float64()) / math.Log(x)
	}},
	{"subnormal x", func(r *rand.Rand) (float64, float64) {
		return math.Float64frombits(1 + r.Uint64N(1<<52)), 2*r.Float64() - 1.5
	}},
}

// TestPowAccuracy measures every implementation against exactPow; run
// with -v to see the maximum error per sample, and math.Pow's.
func TestPowAccuracy(t *testing.T) {
	n := 1 << 15
	if testing.Short() {
		n = 1 << 11
	}
	for si, sm := range powSamples {
		rng := rand.New(rand.NewPCG(uint64(si), 11))
		x, y := make([]float64, n), make([]float64, n)
		want := make([]float64, n)
		mathWorst := 0.0
		for i := range x {
			for {
				x[i], y[i] = sm.xy(rng)
				if x[i] != 1 && !math.IsInf(y[i], 0) {
					break
				}
			}
			want[i] = exactPow(math.Abs(x[i]), y[i])
			if x[i] < 0 && math.Mod(y[i], 2) != 0 {
				want[i] = -want[i]
			}
			mathWorst = max(mathWorst, ulps(math.Pow(x[i], y[i]), want[i]))
		}
		t.Logf("math.Pow %-30s max %v ulp", sm.name, mathWorst)
		for _, k := range availableKernels() {
			got := make([]float64, n)
			k.pow(got, x, y)
			worst, at := 0.0, 0
			for i := range x {
				if u := ulps(got[i], want[i]); u > worst {
					worst, at = u, i
				}
			}
			t.Logf("%-7s pow %-30s max %v ulp", k.name, sm.name, worst)
			if worst > powULP {
				t.Errorf("%s pow(%v, %v) = %v, want %v (%v ulp)", k.name, x[at], y[at], got[at], want[at], worst)
			}
		}
	}
}

// The special values of C99's pow, which NumPy inherits, for every pair
// of powSpecialX and powSpecialY. From numpy 1.24.2:
// np.power(np.float64(x), np.float64(y)). math.Pow agrees on every pair
// with a NaN, infinite or zero operand or a base of ±1; the others are
// ordinary results (powExact tells them apart).
var (
	powSpecialX = []float64{math.NaN(), math.Inf(-1), -2, -1, -0.5, math.Copysign(0, -1), 0, 5e-324, 0.5, 1, 2, math.Inf(1)}
	powSpecialY = []float64{math.NaN(), math.Inf(-1), -1e300, -3, -2, -1.5, -1, -0.5, math.Copysign(0, -1), 0, 0.5, 1, 2, 3, 9007199254740993, 1e300, math.Inf(1)}
)

var powSpecialWant = func() [][]float64 {
	nan, inf, nz := math.NaN(), math.Inf(1), math.Copysign(0, -1)
	return [][]float64{
		{nan, nan, nan, nan, nan, nan, nan, nan, 1.0, 1.0, nan, nan, nan, nan, nan, nan, nan},
		{nan, 0, 0, nz, 0, 0, nz, 0, 1.0, 1.0, inf, -inf, inf, -inf, inf, inf, inf},
		{nan, 0, 0, -0.125, 0.25, nan, -0.5, nan, 1.0, 1.0, nan, -2.0, 4.0, -8.0, inf, inf, inf},
		{nan, 1.0, 1.0, -1.0, 1.0, nan, -1.0, nan, 1.0, 1.0, nan, -1.0, 1.0, -1.0, 1.0, 1.0, 1.0},
		{nan, inf, inf, -8.0, 4.0, nan, -2.0, nan, 1.0, 1.0, nan, -0.5, 0.25, -0.125, 0, 0, 0},
		{nan, inf, inf, -inf, inf, inf, -inf, inf, 1.0, 1.0, 0, nz, 0, nz, 0, 0, 0},
		{nan, inf, inf, inf, inf, inf, inf, inf, 1.0, 1.0, 0, 0, 0, 0, 0, 0, 0},
		{nan, inf, inf, inf, inf, inf, inf, 4.4989137945431964e+161, 1.0, 1.0, 2.2227587494850775e-162, 5e-324, 0, 0, 0, 0, 0},
		{nan, inf, inf, 8.0, 4.0, 2.8284271247461903, 2.0, 1.4142135623730951, 1.0, 1.0, 0.7071067811865476, 0.5, 0.25, 0.125, 0, 0, 0},
		{1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0},
		{nan, 0, 0, 0.125, 0.25, 0.3535533905932738, 0.5, 0.7071067811865476, 1.0, 1.0, 1.4142135623730951, 2.0, 4.0, 8.0, inf, inf, inf},
		{nan, 0, 0, 0, 0, 0, 0, 0, 1.0, 1.0, inf, inf, inf, inf, inf, inf, inf},
	}
}()

// powExact reports whether C99 defines pow(x, y) exactly: a NaN, infinite
// or zero operand, or a base of ±1.
func powExact(x, y float64) bool {
	return x != x || y != y || x == 0 || y == 0 || math.IsInf(x, 0) || math.IsInf(y, 0) || math.Abs(x) == 1
}

// powMatch reports whether got is want bit for bit (exact pairs) or within
// powULP of it.
func powMatch(got, want float64, exact bool) bool {
	if exact {
		return sameBits(got, want)
	}
	return ulps(got, want) <= powULP
}

// TestPowSpecials checks every pair of the table, bit for bit (signed zeros
// included) where C99 defines the result exactly, in every lane position of
// a vector of ordinary pairs, with both operands as vectors and with each
// broadcast.
func TestPowSpecials(t *testing.T) {
	for xi, sx := range powSpecialX {
		for yi, sy := range powSpecialY {
			want := powSpecialWant[xi][yi]
			exact := powExact(sx, sy)
			if exact && !sameBits(math.Pow(sx, sy), want) {
				t.Fatalf("table: math.Pow(%v, %v) = %v, table says %v", sx, sy, math.Pow(sx, sy), want)
			}
			for _, k := range availableKernels() {
				for _, pos := range []int{0, 5, 7, 8, 19} {
					x, y := make([]float64, 20), make([]float64, 20)
					for i := range x {
						x[i], y[i] = 0.5+float64(i)/8, float64(i)/3-2
					}
					x[pos], y[pos] = sx, sy
					dst := make([]float64, 20)
					k.pow(dst, x, y)
					if !powMatch(dst[pos], want, exact) {
						t.Errorf("%s pow(%v, %v) = %v at index %d, want %v", k.name, sx, sy, dst[pos], pos, want)
					}
					for i := range x {
						if u := ulps(dst[i], pow1(x[i], y[i])); i != pos && u > powULP {
							t.Errorf("%s: neighbour %d of a special: pow(%v, %v) = %v", k.name, i, x[i], y[i], dst[i])
						}
					}
				}
				for _, xScalar := range []bool{false, true} {
					x, y := []float64{sx}, make([]float64, 11)
					for i := range y {
						y[i] = sy
					}
					if !xScalar {
						x, y = y, []float64{sx}
						for i := range x {
							x[i] = sx
						}
						y[0] = sy
					}
					dst := make([]float64, 11)
					k.pow(dst, x, y)
					for i, v := range dst {
						if !powMatch(v, want, exact) {
							t.Errorf("%s pow(%v, %v) = %v at index %d with a broadcast operand, want %v", k.name, sx, sy, v, i, want)
						}
					}
				}
			}
		}
	}
}

// powNumPy are pairs with results from numpy 1.24.2: np.power(x, y) on
// float64 scalars (glibc's pow, correctly rounded): overflow and underflow
// at the edges, subnormal operands and results, and large exponents where
// math.Pow is far off (its pow(3.152080853201245, 168) is
// 5.812388314818878e+83).
var powNumPy = [][3]float64{
	{-2.0, 1025.0, math.Inf(-1)},
	{-2.0, -1075.0, math.Copysign(0, -1)},
	{-0.5, 1075.0, math.Copysign(0, -1)},
	{-0.5, -1025.0, math.Inf(-1)},
	{-2.0, 1023.0, -8.98846567431158e+307},
	{-2.0, -1074.0, 5e-324},
	{-3.0, 7.0, -2187.0},
	{-1.0000000000000002, 9007199254740991.0, -7.389056098930647},
	{3.152080853201245, 168.0, 5.812388314818923e+83},
	{10.0, -308.0, 1e-308},
	{10.0, 308.0, 1e+308},
	{2.0, -1074.0, 5e-324},
	{2.0, -1075.0, 0.0},
	{2.0, 1024.0, math.Inf(1)},
	{0.1, -307.5, 3.162277660168325e+307},
	{1.0000001, 1000000000.0, 2.6881038582144643e+43},
	{0.999999999, -700000000000.0, 1.0142123307989716e+304},
	{2.5, -807.3, 5.53e-322},
	{7.0, -382.7, 5e-324},
	{1e-310, 0.5, 9.999999999999984e-156},
	{1e-310, -0.9, 1.0000000000000186e+279},
	{4e-320, 1.01, 2.5e-323},
}

func TestPowNumPy(t *testing.T) {
	x, y := make([]float64, len(powNumPy)), make([]float64, len(powNumPy))
	for i, c := range powNumPy {
		x[i], y[i] = c[0], c[1]
	}
	for _, k := range availableKernels() {
		got := make([]float64, len(x))
		k.pow(got, x, y)
		for i, c := range powNumPy {
			if u := ulps(got[i], c[2]); u > powULP || c[2] == 0 && !sameBits(got[i], c[2]) {
				t.Errorf("%s pow(%v, %v) = %v, numpy %v (%v ulp)", k.name, c[0], c[1], got[i], c[2], u)
			}
		}
	}
}

// TestPowLengthsAndOffsets is TestLengthsAndOffsets for Pow, with each
// operand a vector or broadcast, in place over either operand, and every
// seventh pair special.
func TestPowLengthsAndOffsets(t *testing.T) {
	const guard = 9
	canary := math.Float64frombits(0x7ff8dead0000beef)
	rng := rand.New(rand.NewPCG(12, 13))
	for _, k := range availableKernels() {
		for n := 0; n <= 67; n++ {
			xs, ys := make([]float64, n+3), make([]float64, n+3)
			for i := range xs {
				xs[i], ys[i] = 10*rng.Float64(), 60*rng.Float64()-30
				if i%7 == 3 {
					xs[i] = powSpecialX[rng.IntN(len(powSpecialX))]
					ys[i] = powSpecialY[rng.IntN(len(powSpecialY))]
				}
			}
			for mode := range 3 { // vectors, x broadcast, y broadcast
				for off := 0; off < 3; off++ {
					x, y := xs[off:off+n], ys[off:off+n]
					switch mode {
					case 1:
						x = xs[off : off+1]
					case 2:
						y = ys[off : off+1]
					}
					want := make([]float64, n)
					for i := range want {
						want[i] = pow1(x[min(i, len(x)-1)], y[min(i, len(y)-1)])
					}
					buf := make([]float64, off+n+guard)
					for i := range buf {
						buf[i] = canary
					}
					dst := buf[off : off+n]
					k.pow(dst, x, y)
					for i := range want {
						if ulps(dst[i], want[i]) > powULP {
							t.Fatalf("%s n=%d mode %d: pow(%v, %v) = %v, want %v", k.name, n, mode, x[min(i, len(x)-1)], y[min(i, len(y)-1)], dst[i], want[i])
						}
					}
					for i, v := range buf {
						if (i < off || i >= off+n) && math.Float64bits(v) != math.Float64bits(canary) {
							t.Fatalf("%s n=%d mode %d: wrote outside dst at %d", k.name, n, mode, i)
						}
					}
					// In place, over whichever operand is a vector.
					if mode != 1 {
						in := append([]float64(nil), x...)
						k.pow(in, in, y)
						for i := range want {
							if ulps(in[i], want[i]) > powULP {
								t.Fatalf("%s n=%d mode %d in place over x: element %d = %v, want %v", k.name, n, mode, i, in[i], want[i])
							}
						}
					}
					if mode != 2 {
						in := append([]float64(nil), y...)
						k.pow(in, x, in)
						for i := range want {
							if ulps(in[i], want[i]) > powULP {
								t.Fatalf("%s n=%d mode %d in place over y: element %d = %v, want %v", k.name, n, mode, i, in[i], want[i])
							}
						}
					}
				}
			}
		}
	}
}

// TestPowExported checks Pow's broadcasting and its panics.
func TestPowExported(t *testing.T) {
	x := []float64{0.5, 2, 3, -2, 10, 1e-3, 7, 8, 9, 10.5}
	y := []float64{3}
	got := make([]float64, len(x))
	Pow(got, x, y)
	for i := range x {
		if want := pow1(x[i], 3); !sameBits(got[i], want) && ulps(got[i], want) > powULP {
			t.Errorf("Pow(%v, 3) = %v, want %v", x[i], got[i], want)
		}
	}
	Pow(got[:1], x[:1], y) // one by one
	Pow(nil, nil, nil)     // empty
	Pow(nil, x[:1], nil)   // a broadcast against nothing: empty
	for name, f := range map[string]func(){
		"lengths":   func() { Pow(got, x, x[:3]) },
		"short dst": func() { Pow(got[:3], x, y) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Pow with %s did not panic", name)
				}
			}()
			f()
		}()
	}
}

// BenchmarkPow times 4096-element slices for each implementation and the
// math.Pow loop, with both operands vectors and with y broadcast,
// reporting ns/element.
func BenchmarkPow(b *testing.B) {
	const n = 4096
	rng := rand.New(rand.NewPCG(8, 9))
	x, y := uniform(rng, n, 0, 10), uniform(rng, n, -50, 50)
	xNeg := uniform(rng, n, -10, 10)
	yInt := make([]float64, n)
	for i := range yInt {
		yInt[i] = float64(rng.IntN(21) - 10)
	}
	dst := make([]float64, n)
	cases := []struct {
		name string
		x, y []float64
	}{
		{"x(0,10),y(-50,50)", x, y},
		{"x(0,10),y=2.5", x, []float64{2.5}},
		{"x(-10,10),y_integer", xNeg, yInt},
	}
	for _, c := range cases {
		for _, k := range availableKernels() {
			b.Run(c.name+"/"+k.name, func(b *testing.B) {
				b.SetBytes(8 * n)
				for b.Loop() {
					k.pow(dst, c.x, c.y)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
			})
		}
		b.Run(c.name+"/math", func(b *testing.B) {
			b.SetBytes(8 * n)
			for b.Loop() {
				for i := range dst {
					dst[i] = math.Pow(c.x[i%len(c.x)], c.y[i%len(c.y)])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
		})
	}
}
