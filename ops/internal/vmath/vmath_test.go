package vmath

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
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
	{"sin", math.Sin, math.Sin, func(k kernels) func(dst, x []float64) { return k.sin }},
	{"cos", math.Cos, math.Cos, func(k kernels) func(dst, x []float64) { return k.cos }},
	{"exp", math.Exp, expRef, func(k kernels) func(dst, x []float64) { return k.exp }},
	{"log", math.Log, logRef, func(k kernels) func(dst, x []float64) { return k.log }},
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
// bits near multiples of pi/2 (see TestTrigHighPrecision, which covers the
// rest of the fast range against an exact reference instead).
var trigRanges = []sampleRange{
	{"[0,1)", func(r *rand.Rand, n int) []float64 { return uniform(r, n, 0, 1) }},
	{"[-pi,pi]", func(r *rand.Rand, n int) []float64 { return uniform(r, n, -math.Pi, math.Pi) }},
	{"[-1e3,1e3]", func(r *rand.Rand, n int) []float64 { return uniform(r, n, -1e3, 1e3) }},
	{"[-1e6,1e6]", func(r *rand.Rand, n int) []float64 { return uniform(r, n, -1e6, 1e6) }},
	{"±2^[-40,20]", func(r *rand.Rand, n int) []float64 { return logUniform(r, n, -40, 20, true) }},
}

// TestAccuracy measures every implementation against package math over
// large random samples; run with -v to see the maximum error per range.
func TestAccuracy(t *testing.T) {
	n := 1 << 20
	if testing.Short() {
		n = 1 << 14
	}
	for _, k := range availableKernels() {
		for _, f := range fns {
			for ri, sr := range accuracyRanges[f.name] {
				rng := rand.New(rand.NewPCG(uint64(ri), 7))
				x := sr.x(rng, n)
				got := make([]float64, n)
				want := make([]float64, n)
				f.kernel(k)(got, x)
				reference(f.ref, want, x)
				worst, at := 0.0, 0
				for i := range x {
					if u := ulps(got[i], want[i]); u > worst {
						worst, at = u, i
					}
				}
				t.Logf("%-7s %s %-15s max %v ulp", k.name, f.name, sr.name, worst)
				if worst > maxULP {
					t.Errorf("%s %s %s: %s(%v) = %v, math gives %v (%v ulp)",
						k.name, f.name, sr.name, f.name, x[at], got[at], want[at], worst)
				}
			}
		}
	}
}

// specials are inputs every implementation must map exactly as package
// math does: the values outside the fast range and the IEEE edge cases.
var specials = map[string][]struct{ x, want float64 }{
	"sin": {
		{0, 0}, {math.Copysign(0, -1), math.Copysign(0, -1)},
		{math.Inf(1), math.NaN()}, {math.Inf(-1), math.NaN()}, {math.NaN(), math.NaN()},
		{5e-324, 5e-324}, {-5e-324, -5e-324}, {0x1p-1022, 0x1p-1022}, {-1e-300, -1e-300},
		{0x1p-28, 0x1p-28}, {1e300, math.Sin(1e300)}, {-0x1p31, math.Sin(-0x1p31)},
		{math.MaxFloat64, math.Sin(math.MaxFloat64)},
	},
	"cos": {
		{0, 1}, {math.Copysign(0, -1), 1},
		{math.Inf(1), math.NaN()}, {math.Inf(-1), math.NaN()}, {math.NaN(), math.NaN()},
		{5e-324, 1}, {-1e-300, 1}, {0x1p-28, 1},
		{1e300, math.Cos(1e300)}, {-0x1p31, math.Cos(-0x1p31)},
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
// exercised), and checks them against package math bit for bit.
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
// (np.sin, np.cos, np.exp, np.log on float64 scalars).
var numpyValues = map[string][][2]float64{
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

// bigPi is pi to 80 digits (mpmath 1.2.1, mp.pi at dps=80).
const bigPi = "3.141592653589793238462643383279502884197169399375105820974944592307816406286209"

// bigTrig returns sin(x), or cos(x) if cos is set, computed in 320-bit
// arithmetic: y = x (+ pi/2 for cos), n = round(y/pi), d = y - n*pi with
// about 260 correct bits, then the Taylor series of sin(d), negated for odd
// n. Rounded to float64 it is correctly rounded except in ties far beyond
// any test here.
func bigTrig(x float64, cos bool, pi *big.Float) float64 {
	const prec = 320
	newF := func() *big.Float { return new(big.Float).SetPrec(prec) }
	y := newF().SetFloat64(x)
	if cos {
		y.Add(y, newF().Quo(pi, newF().SetInt64(2)))
	}
	q, _ := newF().Quo(y, pi).Float64()
	n := math.Round(q)
	d := newF().Sub(y, newF().Mul(pi, newF().SetFloat64(n)))
	d2 := newF().Mul(d, d)
	sum, term := newF().Set(d), newF().Set(d)
	for k := int64(1); term.Sign() != 0 && term.MantExp(nil) > sum.MantExp(nil)-prec; k++ {
		term.Mul(term, d2)
		term.Quo(term, newF().SetInt64(-(2*k)*(2*k+1)))
		sum.Add(sum, term)
	}
	if math.Mod(n, 2) != 0 {
		sum.Neg(sum)
	}
	f, _ := sum.Float64()
	return f
}

// TestTrigHighPrecision checks Sin and Cos over the whole fast range
// against bigTrig: log-uniform magnitudes up to trigMax, and the float64
// values nearest to multiples of pi (sin) and odd multiples of pi/2 (cos),
// where the result is tiny and all its bits come from the argument
// reduction. It also logs how far package math is from the same reference.
func TestTrigHighPrecision(t *testing.T) {
	pi, _, err := big.ParseFloat(bigPi, 10, 320, big.ToNearestEven)
	if err != nil {
		t.Fatal(err)
	}
	n := 4000
	if testing.Short() {
		n = 400
	}
	for _, isCos := range []bool{false, true} {
		name, scalar := "sin", math.Sin
		if isCos {
			name, scalar = "cos", math.Cos
		}
		rng := rand.New(rand.NewPCG(5, 6))
		xs := logUniform(rng, n, -30, 30, true)
		for i := 0; i < n; i++ {
			// The float64 nearest to c*pi with c an integer (sin) or half an
			// odd integer (cos), c spread over all scales up to trigMax.
			c := math.Floor(math.Exp2(30*rng.Float64()) / math.Pi)
			if isCos {
				c += 0.5
			}
			x, _ := new(big.Float).SetPrec(320).Mul(pi, big.NewFloat(c)).Float64()
			if x != 0 && x <= trigMax {
				xs = append(xs, x)
			}
		}
		want := make([]float64, len(xs))
		for i, x := range xs {
			want[i] = bigTrig(x, isCos, pi)
		}
		// Package math, for information: its error by magnitude of x.
		mathWorst := map[int]float64{}
		for i, x := range xs {
			e := math.Ilogb(x) / 5 * 5
			mathWorst[e] = max(mathWorst[e], ulps(scalar(x), want[i]))
		}
		for e := -30; e <= 30; e += 5 {
			if w, ok := mathWorst[e]; ok && w > 1 {
				t.Logf("math.%s vs exact, |x| in [2^%d, 2^%d): max %v ulp", name, e, e+5, w)
			}
		}
		for _, k := range availableKernels() {
			got := make([]float64, len(xs))
			f := k.sin
			if isCos {
				f = k.cos
			}
			f(got, xs)
			worst := 0.0
			for i := range xs {
				u := ulps(got[i], want[i])
				if u > maxULP {
					t.Errorf("%s %s(%v) = %v, want %v (%v ulp)", k.name, name, xs[i], got[i], want[i], u)
				}
				worst = max(worst, u)
			}
			t.Logf("%-7s %s vs exact, |x| <= 2^30: max %v ulp over %d", k.name, name, worst, len(xs))
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
	exported := map[string]func(dst, x []float64){"sin": Sin, "cos": Cos, "exp": Exp, "log": Log}
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
