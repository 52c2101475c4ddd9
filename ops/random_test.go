package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
)

// rngTestRegion returns a random region of an array of the given shape.
func rngTestRegion(rng *rand.Rand, shape []int) chunk.Region {
	r := chunk.Region{Start: make([]int, len(shape)), Shape: make([]int, len(shape))}
	for i, n := range shape {
		lo := rng.IntN(n + 1)
		r.Start[i] = lo
		r.Shape[i] = rng.IntN(n - lo + 1)
		if rng.IntN(3) == 0 {
			// Often a whole axis, so that runs merge across axes.
			r.Start[i], r.Shape[i] = 0, n
		}
	}
	return r
}

// TestUniformReference pins values against an independent Python
// implementation of the documented generator (SplitMix64's Mix13 on
// key + i*0x9e3779b97f4a7c15, key = mix(mix(seed) ^ 0x6a09e667f3bcc908);
// float64 = (x>>11) * 2^-53, float32 = (x>>40) * 2^-24).
func TestUniformReference(t *testing.T) {
	idx := []uint64{0, 1, 2, 1e12, 1<<63 + 5}
	for _, c := range []struct {
		seed     uint64
		f64, f32 []float64
	}{
		{0,
			[]float64{0.5148526861858891, 0.5631175988272692, 0.732927118690441, 0.629534306425698, 0.5870385109203307},
			[]float64{0.5148526430130005, 0.5631175637245178, 0.7329270839691162, 0.6295343041419983, 0.5870384573936462}},
		{42,
			[]float64{0.13888743659937142, 0.19459472046621396, 0.5816441854928468, 0.9281419005352497, 0.6487831588515097},
			[]float64{0.1388874053955078, 0.19459468126296997, 0.5816441774368286, 0.9281418919563293, 0.6487831473350525}},
		{math.MaxUint64,
			[]float64{0.2807497267984691, 0.4585748952168578, 0.4729169509059502, 0.8243415050817932, 0.8397933334182063},
			[]float64{0.28074967861175537, 0.45857489109039307, 0.4729169011116028, 0.8243414759635925, 0.83979332447052}},
	} {
		for j, i := range idx {
			var one [1]float64
			UniformFloat64(one[:], c.seed, i)
			if one[0] != c.f64[j] {
				t.Errorf("seed %d index %d: float64 %v, want %v", c.seed, i, one[0], c.f64[j])
			}
			var one32 [1]float32
			rngUniform32(one32[:], rngKey(c.seed, rngStreamUniform), i)
			if float64(one32[0]) != c.f32[j] {
				t.Errorf("seed %d index %d: float32 %v, want %v", c.seed, i, one32[0], c.f32[j])
			}
		}
	}
}

// TestRandomAVX512MatchesGo checks the vector kernels bit for bit against
// the portable ones, across lengths, odd starting indices and the wrap of
// the 64-bit counter.
func TestRandomAVX512MatchesGo(t *testing.T) {
	if !rngHaveAVX512 {
		t.Skip("no AVX-512 on this CPU (or purego build): only the portable kernels run")
	}
	for _, first := range []uint64{0, 3, 1e9 + 7, math.MaxUint64 - 20} {
		for _, n := range []int{8, 16, 24, 64, 1000 &^ 7} {
			key := rngKey(first, rngStreamUniform)
			a, b := make([]float64, n), make([]float64, n)
			rngUniform64Go(a, key, first)
			rngUniform64AVX512(b, key, first)
			a32, b32 := make([]float32, n), make([]float32, n)
			rngUniform32Go(a32, key, first)
			rngUniform32AVX512(b32, key, first)
			ab, bb := make([]uint64, n), make([]uint64, n)
			rngBitsGo(ab, key, first)
			rngBitsAVX512(bb, key, first)
			for i := range n {
				if math.Float64bits(a[i]) != math.Float64bits(b[i]) || math.Float32bits(a32[i]) != math.Float32bits(b32[i]) || ab[i] != bb[i] {
					t.Fatalf("first %d n %d element %d: Go %v %v %x, AVX-512 %v %v %x", first, n, i, a[i], a32[i], ab[i], b[i], b32[i], bb[i])
				}
			}
		}
	}
	// The dispatching wrappers split a length between the kernels: ragged
	// tails, and calls longer than rngAsmMax.
	for _, n := range []int{0, 1, 7, 9, 15, 17, 39, 2*rngAsmMax + 13} {
		a, b := make([]float64, n), make([]float64, n)
		rngUniform64Go(a, 99, 5)
		rngUniform64(b, 99, 5)
		a32, b32 := make([]float32, n), make([]float32, n)
		rngUniform32Go(a32, 99, 5)
		rngUniform32(b32, 99, 5)
		ab, bb := make([]uint64, n), make([]uint64, n)
		rngBitsGo(ab, 99, 5)
		rngBits(bb, 99, 5)
		for i := range n {
			if a[i] != b[i] || a32[i] != b32[i] || ab[i] != bb[i] {
				t.Fatalf("n %d element %d: portable %v %v %x, dispatched %v %v %x", n, i, a[i], a32[i], ab[i], b[i], b32[i], bb[i])
			}
		}
	}
}

// rngTestMoments returns the mean and variance of x.
func rngTestMoments(x []float64) (mean, variance float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		variance += (v - mean) * (v - mean)
	}
	return mean, variance / float64(len(x))
}

// rngTestCorr returns Pearson's correlation of x and y.
func rngTestCorr(x, y []float64) float64 {
	mx, vx := rngTestMoments(x)
	my, vy := rngTestMoments(y)
	var c float64
	for i := range x {
		c += (x[i] - mx) * (y[i] - my)
	}
	return c / float64(len(x)) / math.Sqrt(vx*vy)
}

// rngTestChi2 returns the chi-square statistic of observed counts against
// expected probabilities, for n draws.
func rngTestChi2(counts []int, probs []float64, n int) float64 {
	var chi2 float64
	for i, c := range counts {
		e := probs[i] * float64(n)
		chi2 += (float64(c) - e) * (float64(c) - e) / e
	}
	return chi2
}

// rngTestChi2Limit is a deliberately loose critical value for df degrees of
// freedom (mean + 6 standard deviations): the seeds are fixed, so the
// tests are deterministic, and a broken generator misses by far more.
func rngTestChi2Limit(df int) float64 { return float64(df) + 6*math.Sqrt(2*float64(df)) }

func TestUniformStatistics(t *testing.T) {
	const n = 1 << 20
	for _, seed := range []uint64{0, 1, 12345} {
		x := make([]float64, n)
		UniformFloat64(x, seed, 1000)
		mean, variance := rngTestMoments(x)
		// Standard errors: sqrt(1/12/n) for the mean, about sqrt(1/180/n)
		// for the variance.
		if math.Abs(mean-0.5) > 6*math.Sqrt(1.0/12/n) || math.Abs(variance-1.0/12) > 6*math.Sqrt(1.0/180/n) {
			t.Errorf("seed %d: mean %v variance %v, want 0.5 and 1/12", seed, mean, variance)
		}
		const buckets = 256
		counts := make([]int, buckets)
		for _, v := range x {
			if v < 0 || v >= 1 {
				t.Fatalf("seed %d: value %v outside [0, 1)", seed, v)
			}
			counts[int(v*buckets)]++
		}
		probs := make([]float64, buckets)
		for i := range probs {
			probs[i] = 1.0 / buckets
		}
		if chi2 := rngTestChi2(counts, probs, n); chi2 > rngTestChi2Limit(buckets-1) {
			t.Errorf("seed %d: chi-square %v over %d buckets", seed, chi2, buckets)
		}
		// Pairs of neighbouring elements, as points of the unit square,
		// must fill its 16x16 cells evenly too.
		pairs := make([]int, buckets)
		for i := 0; i+1 < n; i += 2 {
			pairs[int(x[i]*16)*16+int(x[i+1]*16)]++
		}
		if chi2 := rngTestChi2(pairs, probs, n/2); chi2 > rngTestChi2Limit(buckets-1) {
			t.Errorf("seed %d: pair chi-square %v", seed, chi2)
		}
	}
}

// TestRandomIndependence checks that neighbouring seeds, neighbouring
// indices and the uniform and normal streams of one seed are uncorrelated.
func TestRandomIndependence(t *testing.T) {
	const n = 1 << 18
	limit := 6 / math.Sqrt(n) // six standard errors of a null correlation
	a, b, z := make([]float64, n), make([]float64, n), make([]float64, n)
	for seed := range uint64(4) {
		UniformFloat64(a, seed, 0)
		UniformFloat64(b, seed+1, 0)
		if r := rngTestCorr(a, b); math.Abs(r) > limit {
			t.Errorf("seeds %d and %d: correlation %v", seed, seed+1, r)
		}
		if r := rngTestCorr(a[1:], a[:n-1]); math.Abs(r) > limit {
			t.Errorf("seed %d: lag-1 correlation %v", seed, r)
		}
		NormalFloat64(z, seed, 0)
		if r := rngTestCorr(a, z); math.Abs(r) > limit {
			t.Errorf("seed %d: uniform/normal correlation %v", seed, r)
		}
		NormalFloat64(b, seed+1, 0)
		if r := rngTestCorr(z, b); math.Abs(r) > limit {
			t.Errorf("seeds %d and %d: normal correlation %v", seed, seed+1, r)
		}
		if r := rngTestCorr(z[1:], z[:n-1]); math.Abs(r) > limit {
			t.Errorf("seed %d: normal lag-1 correlation %v", seed, r)
		}
	}
	// Consecutive seeds must not be shifted copies of each other.
	UniformFloat64(a[:64], 7, 0)
	for s := uint64(0); s < 64; s++ {
		if s == 7 {
			continue
		}
		UniformFloat64(b[:64], s, 0)
		for i := range 64 {
			for j := range 64 {
				if a[i] == b[j] {
					t.Fatalf("seed 7 index %d equals seed %d index %d", i, s, j)
				}
			}
		}
	}
}

func TestNormalStatistics(t *testing.T) {
	const n = 1 << 21
	x := make([]float64, n)
	NormalFloat64(x, 2024, 1<<40)
	mean, variance := rngTestMoments(x)
	var m3, m4 float64
	for _, v := range x {
		d := v - mean
		m3 += d * d * d
		m4 += d * d * d * d
	}
	skew := m3 / n / math.Pow(variance, 1.5)
	kurt := m4 / n / (variance * variance)
	// Standard errors: 1/sqrt(n), sqrt(2/n), sqrt(6/n), sqrt(24/n).
	if math.Abs(mean) > 6/math.Sqrt(n) || math.Abs(variance-1) > 6*math.Sqrt(2.0/n) ||
		math.Abs(skew) > 6*math.Sqrt(6.0/n) || math.Abs(kurt-3) > 6*math.Sqrt(24.0/n) {
		t.Errorf("mean %v variance %v skewness %v kurtosis %v", mean, variance, skew, kurt)
	}
	// Chi-square over buckets of width 0.05 on [-4.5, 4.5] plus the two
	// tails: fine enough to see a wrong wedge of any of the 256 layers.
	const lo, width, inner = -4.5, 0.05, 180
	cdf := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	probs := make([]float64, inner+2)
	probs[0] = cdf(lo)
	for i := range inner {
		probs[i+1] = cdf(lo+float64(i+1)*width) - cdf(lo+float64(i)*width)
	}
	probs[inner+1] = 1 - cdf(lo+inner*width)
	counts := make([]int, inner+2)
	tail := 0
	for _, v := range x {
		b := int(math.Floor((v-lo)/width)) + 1
		counts[min(max(b, 0), inner+1)]++
		if math.Abs(v) > zigR {
			tail++
		}
	}
	if chi2 := rngTestChi2(counts, probs, n); chi2 > rngTestChi2Limit(inner+1) {
		t.Errorf("chi-square %v over %d buckets", chi2, inner+2)
	}
	// The ziggurat's separate tail sampler: P(|x| > r) = erfc(r/sqrt 2).
	want := math.Erfc(zigR/math.Sqrt2) * n
	if math.Abs(float64(tail)-want) > 6*math.Sqrt(want) {
		t.Errorf("%d values beyond the ziggurat tail %v, want about %.0f", tail, zigR, want)
	}
}

// TestFillRandomChunking checks that a region's values are the same region
// cut out of the whole array, for every dtype and distribution, and that
// the float32 arrays agree with the float64 ones.
func TestFillRandomChunking(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for iter := range 300 {
		shape := cpTestShape(rng, rng.IntN(5), 9)
		seed := rng.Uint64()
		whole := chunk.WholeRegion(shape)
		for _, dist := range []Dist{Uniform, Normal} {
			all64 := make([]byte, 8*chunk.Size(shape))
			all32 := make([]byte, 4*chunk.Size(shape))
			FillRandom(all64, chunk.Float64, dist, seed, shape, whole)
			FillRandom(all32, chunk.Float32, dist, seed, shape, whole)
			f64, f32 := chunk.Cast[float64](all64), chunk.Cast[float32](all32)
			for i := range f64 {
				want := float32(f64[i])
				if dist == Uniform {
					// 24 of the same 53 bits: truncation, not rounding.
					want = float32(math.Floor(f64[i]*(1<<24)) / (1 << 24))
				}
				if f32[i] != want {
					t.Fatalf("%s seed %d element %d: float32 %v, float64 %v", dist, seed, i, f32[i], f64[i])
				}
			}
			r := rngTestRegion(rng, shape)
			part64 := cpTestBuf(rng, 8*r.Size())
			part32 := cpTestBuf(rng, 4*r.Size())
			FillRandom(part64, chunk.Float64, dist, seed, shape, r)
			FillRandom(part32, chunk.Float32, dist, seed, shape, r)
			want64 := make([]byte, len(part64))
			want32 := make([]byte, len(part32))
			CopyRegion(want64, r.Shape, make([]int, len(shape)), all64, shape, r.Start, r.Shape, 8)
			CopyRegion(want32, r.Shape, make([]int, len(shape)), all32, shape, r.Start, r.Shape, 4)
			if string(part64) != string(want64) || string(part32) != string(want32) {
				t.Fatalf("iteration %d: %s region %v of %v differs from the whole array's", iter, dist, r, shape)
			}
		}
	}
	// The flat index alone decides: a 1-d array and a 2-d array of the same
	// size hold the same values.
	a, b := make([]float64, 60), make([]float64, 60)
	FillRandom(chunk.AsBytes(a), chunk.Float64, Normal, 5, []int{60}, chunk.WholeRegion([]int{60}))
	NormalFloat64(b, 5, 0)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("element %d: FillRandom %v, NormalFloat64 %v", i, a[i], b[i])
		}
	}
}

func TestFillRandomPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"int dtype":  func() { FillRandom(make([]byte, 8), chunk.Int64, Uniform, 1, []int{1}, chunk.WholeRegion([]int{1})) },
		"bad dist":   func() { FillRandom(make([]byte, 8), chunk.Float64, Dist(9), 1, []int{1}, chunk.WholeRegion([]int{1})) },
		"bad length": func() { FillRandom(make([]byte, 4), chunk.Float64, Normal, 1, []int{1}, chunk.WholeRegion([]int{1})) },
		"outside": func() {
			FillRandom(make([]byte, 16), chunk.Float64, Normal, 1, []int{3}, chunk.Region{Start: []int{2}, Shape: []int{2}})
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
