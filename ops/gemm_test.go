package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
)

// gmTestNaive is the textbook triple loop in T's own arithmetic.
func gmTestNaive[T chunk.Number](m, n, k int, a, b, c []T, accumulate bool) {
	for i := range m {
		for j := range n {
			var s T
			for l := range k {
				s += a[i*k+l] * b[l*n+j]
			}
			if accumulate {
				c[i*n+j] += s
			} else {
				c[i*n+j] = s
			}
		}
	}
}

// gmTestReference computes the expected product over raw buffers.
func gmTestReference(dt chunk.DType, m, n, k int, a, b, c []byte, accumulate bool) {
	switch dt {
	case chunk.Float64:
		gmTestNaive(m, n, k, chunk.Cast[float64](a), chunk.Cast[float64](b), chunk.Cast[float64](c), accumulate)
	case chunk.Float32:
		gmTestNaive(m, n, k, chunk.Cast[float32](a), chunk.Cast[float32](b), chunk.Cast[float32](c), accumulate)
	case chunk.Int8:
		gmTestNaive(m, n, k, chunk.Cast[int8](a), chunk.Cast[int8](b), chunk.Cast[int8](c), accumulate)
	case chunk.Int16:
		gmTestNaive(m, n, k, chunk.Cast[int16](a), chunk.Cast[int16](b), chunk.Cast[int16](c), accumulate)
	case chunk.Int32:
		gmTestNaive(m, n, k, chunk.Cast[int32](a), chunk.Cast[int32](b), chunk.Cast[int32](c), accumulate)
	case chunk.Int64:
		gmTestNaive(m, n, k, chunk.Cast[int64](a), chunk.Cast[int64](b), chunk.Cast[int64](c), accumulate)
	case chunk.Uint8:
		gmTestNaive(m, n, k, a, b, c, accumulate)
	case chunk.Uint16:
		gmTestNaive(m, n, k, chunk.Cast[uint16](a), chunk.Cast[uint16](b), chunk.Cast[uint16](c), accumulate)
	case chunk.Uint32:
		gmTestNaive(m, n, k, chunk.Cast[uint32](a), chunk.Cast[uint32](b), chunk.Cast[uint32](c), accumulate)
	case chunk.Uint64:
		gmTestNaive(m, n, k, chunk.Cast[uint64](a), chunk.Cast[uint64](b), chunk.Cast[uint64](c), accumulate)
	case chunk.Bool:
		for i := range m {
			for j := range n {
				var hit bool
				for l := range k {
					hit = hit || a[i*k+l] != 0 && b[l*n+j] != 0
				}
				if accumulate {
					hit = hit || c[i*n+j] != 0
				}
				c[i*n+j] = flBool(hit)
			}
		}
	}
}

// gmTestFill fills buf with random elements of dt: small integers for the
// floats, so that every product and partial sum is exact and the blocked
// BLAS order must give the naive loop's result to the bit; the full range
// of the integer types, so that products wrap; and arbitrary bytes for bool,
// where any nonzero byte is true.
func gmTestFill(rng *rand.Rand, dt chunk.DType, buf []byte) {
	switch {
	case dt.IsFloat():
		for i := range len(buf) / dt.Size() {
			chunk.StoreFloat64(dt, buf, i, float64(rng.IntN(17)-8))
		}
	case dt == chunk.Bool:
		for i := range buf {
			buf[i] = []byte{0, 0, 1, 2, 255}[rng.IntN(5)]
		}
	default:
		for i := range buf {
			buf[i] = byte(rng.Uint32())
		}
	}
}

func TestGemmRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	dims := []int{0, 1, 2, 3, 7, 17, 64, 65}
	for iter := range 600 {
		dt := chunk.DTypes[iter%len(chunk.DTypes)]
		m, n, k := dims[rng.IntN(len(dims))], dims[rng.IntN(len(dims))], dims[rng.IntN(len(dims))]
		if iter%50 == 0 {
			// Larger than one panel in every direction, ragged.
			m, n, k = 70+rng.IntN(70), 200+rng.IntN(250), 260+rng.IntN(300)
		}
		accumulate := rng.IntN(2) == 0
		es := dt.Size()
		a, b := make([]byte, m*k*es), make([]byte, k*n*es)
		gmTestFill(rng, dt, a)
		gmTestFill(rng, dt, b)
		got := make([]byte, m*n*es)
		gmTestFill(rng, dt, got)
		want := append([]byte(nil), got...)
		Gemm(dt, m, n, k, a, b, got, accumulate)
		gmTestReference(dt, m, n, k, a, b, want, accumulate)
		if string(got) != string(want) {
			t.Fatalf("Gemm %s %dx%dx%d accumulate=%v differs from the naive loop", dt, m, n, k, accumulate)
		}
	}
}

// TestGemmFloatRounding uses arbitrary floats, where only the summation
// order may differ: the result must be within a few ulp of a sum in a
// wider type.
func TestGemmFloatRounding(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	const m, n, k = 33, 70, 300
	a, b := make([]float64, m*k), make([]float64, k*n)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	c := make([]float64, m*n)
	Gemm(chunk.Float64, m, n, k, chunk.AsBytes(a), chunk.AsBytes(b), chunk.AsBytes(c), false)
	a32, b32 := make([]float32, len(a)), make([]float32, len(b))
	for i := range a {
		a32[i] = float32(a[i])
	}
	for i := range b {
		b32[i] = float32(b[i])
	}
	c32 := make([]float32, m*n)
	Gemm(chunk.Float32, m, n, k, chunk.AsBytes(a32), chunk.AsBytes(b32), chunk.AsBytes(c32), false)
	for i := range m {
		for j := range n {
			var want, want32, mag float64
			for l := range k {
				want += a[i*k+l] * b[l*n+j]
				want32 += float64(a32[i*k+l]) * float64(b32[l*n+j])
				mag += math.Abs(a[i*k+l] * b[l*n+j])
			}
			// Error bounds of a length-k dot product: k*eps*sum|a*b|.
			if d := math.Abs(c[i*n+j] - want); d > k*0x1p-52*mag {
				t.Fatalf("float64 c[%d,%d] = %v, want %v", i, j, c[i*n+j], want)
			}
			if d := math.Abs(float64(c32[i*n+j]) - want32); d > k*0x1p-23*mag {
				t.Fatalf("float32 c[%d,%d] = %v, want %v", i, j, c32[i*n+j], want32)
			}
		}
	}
}

func TestGemmNumPy(t *testing.T) {
	cases := []struct {
		dt      chunk.DType
		m, n, k int
		a, b    []float64
		want    string
	}{
		// from numpy 1.24.2: np.array([[1,2],[3,4]], np.int8) @ np.array([[100,1],[100,1]], np.int8)
		{chunk.Int8, 2, 2, 2, []float64{1, 2, 3, 4}, []float64{100, 1, 100, 1}, "[44 3 -68 7]"},
		// from numpy 1.24.2: np.array([[1,2,3]], np.uint8) @ np.array([[200],[100],[1]], np.uint8)
		{chunk.Uint8, 1, 1, 3, []float64{1, 2, 3}, []float64{200, 100, 1}, "[147]"},
		// from numpy 1.24.2: np.array([[1,0,1],[0,0,0]], bool) @ np.array([[0,1],[1,1],[0,0]], bool)
		{chunk.Bool, 2, 2, 3, []float64{1, 0, 1, 0, 0, 0}, []float64{0, 1, 1, 1, 0, 0}, "[0 1 0 0]"},
		// from numpy 1.24.2: (np.arange(6, dtype=np.float32).reshape(2,3)/3) @ (np.arange(6, dtype=np.float32).reshape(3,2)/7)
		{chunk.Float32, 2, 2, 3,
			[]float64{0, float64(float32(1) / 3), float64(float32(2) / 3), 1, float64(float32(4) / 3), float64(float32(5) / 3)},
			[]float64{0, float64(float32(1) / 7), float64(float32(2) / 7), float64(float32(3) / 7), float64(float32(4) / 7), float64(float32(5) / 7)},
			"[0.4761905074119568 0.6190476417541504 1.3333333730697632 1.9047619104385376]"},
		// A zero of a times an infinity or NaN of b is NaN, not a skipped
		// term. From numpy 1.24.2: np.array([[0.,1.]]) @ np.array([[np.inf],[1.]])
		{chunk.Float64, 1, 1, 2, []float64{0, 1}, []float64{math.Inf(1), 1}, "[NaN]"},
		// from numpy 1.24.2: a = np.array([[0.,1.],[2.,0.],[0.,0.]]);
		// b = np.array([[np.inf,1.,-np.inf],[np.nan,2.,3.]]); a @ b, and the
		// same in float32
		{chunk.Float64, 3, 3, 2, []float64{0, 1, 2, 0, 0, 0}, []float64{math.Inf(1), 1, math.Inf(-1), math.NaN(), 2, 3},
			"[NaN 2 NaN NaN 2 -Inf NaN 0 NaN]"},
		{chunk.Float32, 3, 3, 2, []float64{0, 1, 2, 0, 0, 0}, []float64{math.Inf(1), 1, math.Inf(-1), math.NaN(), 2, 3},
			"[NaN 2 NaN NaN 2 -Inf NaN 0 NaN]"},
		// from numpy 1.24.2: np.array([[np.inf,1.],[0.,-np.inf]]) @ np.array([[0.,1.],[1.,0.]])
		{chunk.Float64, 2, 2, 2, []float64{math.Inf(1), 1, 0, math.Inf(-1)}, []float64{0, 1, 1, 0}, "[NaN +Inf -Inf NaN]"},
	}
	for _, c := range cases {
		es := c.dt.Size()
		a, b, out := make([]byte, c.m*c.k*es), make([]byte, c.k*c.n*es), make([]byte, c.m*c.n*es)
		for i, v := range c.a {
			chunk.StoreFloat64(c.dt, a, i, v)
		}
		for i, v := range c.b {
			chunk.StoreFloat64(c.dt, b, i, v)
		}
		Gemm(c.dt, c.m, c.n, c.k, a, b, out, false)
		if got := fmt.Sprint(flTestValues(c.dt, out)); got != c.want {
			t.Errorf("%s: got %s, want %s", c.dt, got, c.want)
		}
	}
}

// gmTestSameFloats reports whether got and want hold the same values of
// the float dtype dt bit for bit, any NaN matching any NaN.
func gmTestSameFloats(dt chunk.DType, got, want []byte) bool {
	g, w := flTestValues(dt, got), flTestValues(dt, want)
	for i := range g {
		if !(math.IsNaN(g[i]) && math.IsNaN(w[i])) && math.Float64bits(g[i]) != math.Float64bits(w[i]) {
			return false
		}
	}
	return true
}

// TestGemmNonFinite puts ±Inf and NaN in every position of B (and of A)
// with zeros in every position of A (and of B), and compares with the
// naive loop, which skips nothing: 0 * Inf and 0 * NaN must give NaN,
// whether or not gonum's kernel skips the zero. The other elements are
// small integers, so that every finite sum is exact in any order.
func TestGemmNonFinite(t *testing.T) {
	specials := []float64{math.Inf(1), math.Inf(-1), math.NaN()}
	const m, n, k = 2, 3, 3
	for _, dt := range []chunk.DType{chunk.Float64, chunk.Float32} {
		es := dt.Size()
		for _, specialInA := range []bool{false, true} {
			for zeroAt := range m * k {
				for specialAt := range k * n {
					for si, sv := range specials {
						a, b := make([]byte, m*k*es), make([]byte, k*n*es)
						for i := range m * k {
							chunk.StoreFloat64(dt, a, i, float64(i%3+1))
						}
						for i := range k * n {
							chunk.StoreFloat64(dt, b, i, float64(i%4-2)+0.5)
						}
						if specialInA {
							// The mirror image: zeros in B, specials in A
							// (gonum computes Inf * 0 itself there).
							chunk.StoreFloat64(dt, b, zeroAt%(k*n), 0)
							chunk.StoreFloat64(dt, a, specialAt%(m*k), sv)
						} else {
							chunk.StoreFloat64(dt, a, zeroAt, 0)
							chunk.StoreFloat64(dt, b, specialAt, sv)
						}
						for _, accumulate := range []bool{false, true} {
							got := make([]byte, m*n*es)
							for i := range m * n {
								chunk.StoreFloat64(dt, got, i, float64(i))
							}
							want := append([]byte(nil), got...)
							Gemm(dt, m, n, k, a, b, got, accumulate)
							gmTestReference(dt, m, n, k, a, b, want, accumulate)
							if !gmTestSameFloats(dt, got, want) {
								t.Fatalf("%s zero at %d, %v at %d (in A: %v), accumulate=%v: got %v, want %v", dt, zeroAt, specials[si], specialAt,
									specialInA, accumulate, flTestValues(dt, got), flTestValues(dt, want))
							}
						}
					}
				}
			}
		}
	}
}

// TestGemmNonFiniteLarge spans several panels in every direction, with
// zeros in a tenth of A and a few infinities and NaNs in B and A.
func TestGemmNonFiniteLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	for _, dt := range []chunk.DType{chunk.Float64, chunk.Float32} {
		m, n, k := 70+rng.IntN(70), 200+rng.IntN(250), 260+rng.IntN(300)
		es := dt.Size()
		a, b := make([]byte, m*k*es), make([]byte, k*n*es)
		gmTestFill(rng, dt, a)
		gmTestFill(rng, dt, b)
		for i := range m * k {
			if rng.IntN(10) == 0 {
				chunk.StoreFloat64(dt, a, i, 0)
			}
		}
		for range 12 {
			chunk.StoreFloat64(dt, b, rng.IntN(k*n), []float64{math.Inf(1), math.Inf(-1), math.NaN()}[rng.IntN(3)])
		}
		chunk.StoreFloat64(dt, a, rng.IntN(m*k), math.Inf(1))
		got := make([]byte, m*n*es)
		want := make([]byte, m*n*es)
		Gemm(dt, m, n, k, a, b, got, false)
		gmTestReference(dt, m, n, k, a, b, want, false)
		if !gmTestSameFloats(dt, got, want) {
			t.Fatalf("%s %dx%dx%d: differs from the naive loop", dt, m, n, k)
		}
	}
}

func TestGemmPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"short c":  func() { Gemm(chunk.Float64, 2, 2, 2, make([]byte, 32), make([]byte, 32), make([]byte, 24), false) },
		"negative": func() { Gemm(chunk.Int32, -1, 2, 2, nil, make([]byte, 16), nil, false) },
		"dtype":    func() { Gemm(chunk.Invalid, 1, 1, 1, nil, nil, nil, false) },
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

// BenchmarkGemmZeros times float products whose A holds zeros (every
// tenth element), so that gmFixSkipped must scan rows of B for infinities
// and NaNs, against the same product without zeros; m = 1 (a
// vector-matrix product) is where the O(m*k + k*n) scan weighs most.
func BenchmarkGemmZeros(b *testing.B) {
	for _, c := range []struct {
		dt      chunk.DType
		m, n, k int
	}{
		{chunk.Float64, 256, 256, 256},
		{chunk.Float64, 1, 1024, 1024},
		{chunk.Float32, 256, 256, 256},
		{chunk.Float32, 1, 1024, 1024},
	} {
		for _, zeros := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s_%dx%dx%d/zeros=%v", c.dt, c.m, c.n, c.k, zeros), func(b *testing.B) {
				es := c.dt.Size()
				x := make([]byte, c.m*c.k*es)
				y := make([]byte, c.k*c.n*es)
				z := make([]byte, c.m*c.n*es)
				for i := range c.m * c.k {
					v := float64(i%7 + 1)
					if zeros && i%10 == 0 {
						v = 0
					}
					chunk.StoreFloat64(c.dt, x, i, v)
				}
				for i := range c.k * c.n {
					chunk.StoreFloat64(c.dt, y, i, float64(i%5))
				}
				for b.Loop() {
					Gemm(c.dt, c.m, c.n, c.k, x, y, z, false)
				}
				flops := 2 * float64(c.m) * float64(c.n) * float64(c.k)
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
