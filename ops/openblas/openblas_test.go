package openblas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ops"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

func TestInitRegistersSingleThreaded(t *testing.T) {
	if _, ok := blas64.Implementation().(Implementation); !ok {
		t.Errorf("blas64 implementation is %T, want openblas.Implementation", blas64.Implementation())
	}
	if _, ok := blas32.Implementation().(Implementation); !ok {
		t.Errorf("blas32 implementation is %T, want openblas.Implementation", blas32.Implementation())
	}
	if n := numThreads(); n != 1 {
		t.Errorf("OpenBLAS runs %d threads, want 1", n)
	}
}

// gemmCase is one random product: op(A) is m x k, op(B) k x n, and the
// leading dimensions exceed their minimum by the pads.
type gemmCase struct {
	tA, tB              blas.Transpose
	m, n, k             int
	padA, padB, padC    int
	alpha, beta         float64
	nanInC              bool // C starts with a NaN (only meaningful with beta 0)
	rowsA, colsA, lda   int
	rowsB, colsB, ldb   int
	ldc                 int
	aData, bData, cData []float64
}

// newGemmCase fills a case's operands with standard normal values; C's
// padding columns hold a sentinel that must survive.
func newGemmCase(rng *rand.Rand, tA, tB blas.Transpose, m, n, k int) *gemmCase {
	g := &gemmCase{tA: tA, tB: tB, m: m, n: n, k: k}
	pads := []int{0, 0, 1, 3, 17}
	g.padA, g.padB, g.padC = pads[rng.IntN(len(pads))], pads[rng.IntN(len(pads))], pads[rng.IntN(len(pads))]
	g.alpha = []float64{1, 1, -0.75, 0}[rng.IntN(4)]
	g.beta = []float64{0, 0, 1, 0.5}[rng.IntN(4)]
	g.nanInC = g.beta == 0 && rng.IntN(2) == 0
	g.rowsA, g.colsA = m, k
	if tA != blas.NoTrans {
		g.rowsA, g.colsA = k, m
	}
	g.rowsB, g.colsB = k, n
	if tB != blas.NoTrans {
		g.rowsB, g.colsB = n, k
	}
	g.lda, g.ldb, g.ldc = max(1, g.colsA+g.padA), max(1, g.colsB+g.padB), max(1, n+g.padC)
	g.aData = make([]float64, g.rowsA*g.lda)
	g.bData = make([]float64, g.rowsB*g.ldb)
	g.cData = make([]float64, m*g.ldc)
	for i := range g.aData {
		g.aData[i] = rng.NormFloat64()
	}
	for i := range g.bData {
		g.bData[i] = rng.NormFloat64()
	}
	for i := range g.cData {
		g.cData[i] = rng.NormFloat64()
		if i%g.ldc >= n {
			g.cData[i] = -12345.5 // padding: must stay
		}
	}
	if g.nanInC && m*n > 0 {
		g.cData[0] = math.NaN()
	}
	return g
}

func (g *gemmCase) String() string {
	return fmt.Sprintf("tA=%c tB=%c m=%d n=%d k=%d lda=%d ldb=%d ldc=%d alpha=%v beta=%v nanInC=%v",
		g.tA, g.tB, g.m, g.n, g.k, g.lda, g.ldb, g.ldc, g.alpha, g.beta, g.nanInC)
}

// opA and opB are the elements of op(A) and op(B).
func (g *gemmCase) opA(i, l int) float64 {
	if g.tA != blas.NoTrans {
		return g.aData[l*g.lda+i]
	}
	return g.aData[i*g.lda+l]
}

func (g *gemmCase) opB(l, j int) float64 {
	if g.tB != blas.NoTrans {
		return g.bData[j*g.ldb+l]
	}
	return g.bData[l*g.ldb+j]
}

// bound is how far two correct implementations may be apart at C[i,j]:
// each is within gamma(k+2)*M of the exact value, M = |alpha|*sum|a*b| +
// |beta*c| (k products, the scaling by alpha and the addition of beta*c),
// so twice that, with u the unit roundoff of the dtype.
func (g *gemmCase) bound(i, j int, c0 float64, u float64) float64 {
	var mag float64
	for l := range g.k {
		mag += math.Abs(g.opA(i, l) * g.opB(l, j))
	}
	mag *= math.Abs(g.alpha)
	if g.beta != 0 { // beta 0 ignores C, NaN included
		mag += math.Abs(g.beta * c0)
	}
	n := float64(g.k + 2)
	return 2 * n * u / (1 - n*u) * mag
}

// randomShapes are the shapes of the comparisons: vectors both ways,
// single elements, a single inner element, ragged sizes across OpenBLAS's
// blocking, and ops's 64x192x256 panel.
var randomShapes = [][3]int{
	{1, 1, 1}, {1, 300, 70}, {300, 1, 70}, {1, 1, 513}, {70, 90, 1},
	{2, 3, 4}, {7, 5, 3}, {17, 33, 65}, {64, 192, 256}, {130, 270, 300}, {0, 5, 3}, {5, 0, 3}, {5, 4, 0},
}

var transposes = []blas.Transpose{blas.NoTrans, blas.Trans, blas.ConjTrans}

// TestDgemmMatchesGonum compares Dgemm with gonum's over every transpose
// pair, the shapes above, padded leading dimensions, and alpha and beta
// of 0, 1 and others.
func TestDgemmMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range randomShapes {
		for _, tA := range transposes {
			for _, tB := range transposes {
				for range 2 {
					g := newGemmCase(rng, tA, tB, s[0], s[1], s[2])
					got := append([]float64(nil), g.cData...)
					want := append([]float64(nil), g.cData...)
					Implementation{}.Dgemm(tA, tB, g.m, g.n, g.k, g.alpha, g.aData, g.lda, g.bData, g.ldb, g.beta, got, g.ldc)
					gonum.Implementation{}.Dgemm(tA, tB, g.m, g.n, g.k, g.alpha, g.aData, g.lda, g.bData, g.ldb, g.beta, want, g.ldc)
					checkClose(t, g, got, want, 0x1p-53)
				}
			}
		}
	}
}

// TestSgemmMatchesGonum is TestDgemmMatchesGonum for float32.
func TestSgemmMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range randomShapes {
		for _, tA := range transposes {
			for _, tB := range transposes {
				g := newGemmCase(rng, tA, tB, s[0], s[1], s[2])
				// Round the operands to float32, so that the bound (computed
				// in float64 from g) is about the same numbers.
				a32, b32, c32 := to32(g.aData), to32(g.bData), to32(g.cData)
				g.aData, g.bData, g.cData = to64(a32), to64(b32), to64(c32)
				got, want := append([]float32(nil), c32...), append([]float32(nil), c32...)
				Implementation{}.Sgemm(tA, tB, g.m, g.n, g.k, float32(g.alpha), a32, g.lda, b32, g.ldb, float32(g.beta), got, g.ldc)
				gonum.Implementation{}.Sgemm(tA, tB, g.m, g.n, g.k, float32(g.alpha), a32, g.lda, b32, g.ldb, float32(g.beta), want, g.ldc)
				checkClose(t, g, to64(got), to64(want), 0x1p-24)
			}
		}
	}
}

func to32(v []float64) []float32 {
	r := make([]float32, len(v))
	for i, x := range v {
		r[i] = float32(x)
	}
	return r
}

func to64(v []float32) []float64 {
	r := make([]float64, len(v))
	for i, x := range v {
		r[i] = float64(x)
	}
	return r
}

// checkClose compares C computed by OpenBLAS (got) and gonum (want): the
// padding bit for bit, the elements within g.bound, and neither may be
// NaN (beta 0 must discard a NaN in C, the operands are finite).
func checkClose(t *testing.T, g *gemmCase, got, want []float64, u float64) {
	t.Helper()
	bad := 0
	for i := range g.m {
		for j := range g.ldc {
			p := i*g.ldc + j
			if j >= g.n {
				if math.Float64bits(got[p]) != math.Float64bits(g.cData[p]) {
					t.Errorf("%v: padding C[%d,%d] changed to %v", g, i, j, got[p])
					return
				}
				continue
			}
			if math.IsNaN(got[p]) || math.IsNaN(want[p]) || math.Abs(got[p]-want[p]) > g.bound(i, j, g.cData[p], u) {
				if bad++; bad <= 3 {
					t.Errorf("%v: C[%d,%d] = %v, gonum %v (bound %g)", g, i, j, got[p], want[p], g.bound(i, j, g.cData[p], u))
				}
			}
		}
	}
}

// TestPanicsLikeGonum checks that bad arguments panic with gonum's
// messages, in gonum's order of checks.
func TestPanicsLikeGonum(t *testing.T) {
	a, b, c := make([]float64, 12), make([]float64, 12), make([]float64, 12)
	type args struct {
		tA, tB        blas.Transpose
		m, n, k       int
		lda, ldb, ldc int
		la, lb, lc    int // slice lengths
	}
	cases := []args{
		{'x', blas.NoTrans, 2, 2, 2, 2, 2, 2, 12, 12, 12},
		{blas.NoTrans, 'x', 2, 2, 2, 2, 2, 2, 12, 12, 12},
		{blas.NoTrans, blas.NoTrans, -1, 2, 2, 2, 2, 2, 12, 12, 12},
		{blas.NoTrans, blas.NoTrans, 2, -1, 2, 2, 2, 2, 12, 12, 12},
		{blas.NoTrans, blas.NoTrans, 2, 2, -1, 2, 2, 2, 12, 12, 12},
		{blas.NoTrans, blas.NoTrans, 2, 2, 3, 2, 2, 2, 12, 12, 12}, // lda < k
		{blas.Trans, blas.NoTrans, 3, 2, 2, 2, 2, 2, 12, 12, 12},   // lda < m
		{blas.NoTrans, blas.NoTrans, 2, 3, 2, 2, 2, 3, 12, 12, 12}, // ldb < n
		{blas.NoTrans, blas.Trans, 2, 2, 3, 3, 2, 2, 12, 12, 12},   // ldb < k
		{blas.NoTrans, blas.NoTrans, 2, 3, 2, 2, 3, 2, 12, 12, 12}, // ldc < n
		{blas.NoTrans, blas.NoTrans, 2, 2, 2, 2, 2, 2, 3, 12, 12},  // short a
		{blas.NoTrans, blas.NoTrans, 2, 2, 2, 2, 2, 2, 12, 3, 12},  // short b
		{blas.NoTrans, blas.NoTrans, 2, 2, 2, 2, 2, 2, 12, 12, 3},  // short c
		{blas.Trans, blas.Trans, 2, 2, 2, 4, 4, 2, 5, 5, 4},        // short transposed a
		{blas.NoTrans, blas.NoTrans, 0, 2, 2, 0, 2, 2, 12, 12, 12}, // lda < 1 although m = 0
	}
	catch := func(f func()) (msg string) {
		defer func() {
			if r := recover(); r != nil {
				msg = fmt.Sprint(r)
			}
		}()
		f()
		return ""
	}
	for _, x := range cases {
		want := catch(func() {
			gonum.Implementation{}.Dgemm(x.tA, x.tB, x.m, x.n, x.k, 1, a[:x.la], x.lda, b[:x.lb], x.ldb, 0, c[:x.lc], x.ldc)
		})
		if want == "" {
			t.Fatalf("%+v: gonum does not panic: a bad test case", x)
		}
		got := catch(func() {
			Implementation{}.Dgemm(x.tA, x.tB, x.m, x.n, x.k, 1, a[:x.la], x.lda, b[:x.lb], x.ldb, 0, c[:x.lc], x.ldc)
		})
		got32 := catch(func() {
			Implementation{}.Sgemm(x.tA, x.tB, x.m, x.n, x.k, 1, make([]float32, x.la), x.lda, make([]float32, x.lb), x.ldb, 0, make([]float32, x.lc), x.ldc)
		})
		if got != want || got32 != want {
			t.Errorf("%+v: Dgemm panics %q, Sgemm %q, gonum %q", x, got, got32, want)
		}
	}
}

// numpyCase is a product and NumPy's result for it.
type numpyCase struct {
	m, n, k int
	a, b    []float64
	want    []float64
}

var (
	inf = math.Inf(1)
	nan = math.NaN()
)

// numpyCases hold zeros of A against infinities and NaNs of B. The wanted
// values are from NumPy 1.24.2 (Debian's /usr/bin/python3), the same for
// float64 and float32 (a.astype(np.float32) @ b.astype(np.float32)):
//
//	np.array([[0.,1.]]) @ np.array([[np.inf],[1.]])
//	np.array([[0.,1.],[2.,0.],[0.,0.]]) @ np.array([[np.inf,1.,-np.inf],[np.nan,2.,3.]])
//	A @ B for the 5x7 and 7x6 matrices of the third case (small integers
//	from np.random.default_rng(1) with zeros, -0.0, infinities and a NaN set)
var numpyCases = []numpyCase{
	{1, 1, 2, []float64{0, 1}, []float64{inf, 1}, []float64{nan}},
	{3, 3, 2, []float64{0, 1, 2, 0, 0, 0}, []float64{inf, 1, -inf, nan, 2, 3},
		[]float64{nan, 2, nan, nan, 2, -inf, nan, 0, nan}},
	{5, 6, 7,
		[]float64{
			0, 0, 4, 8, -8, -6, 5,
			math.Copysign(0, -1), -4, -3, 6, -1, -4, 6,
			-4, -2, 2, 0, -7, -8, 6,
			4, 6, 1, 5, -3, -1, 5,
			0, 0, 0, 0, 0, 0, 0,
		},
		[]float64{
			-2, 7, -inf, 0, -4, -8,
			4, -7, -4, 0, 0, -7,
			8, 4, 8, -7, 4, -4,
			1, inf, -4, 4, -6, -3,
			8, -1, 0, -4, -7, -1,
			2, -1, 5, -2, nan, 5,
			7, -1, -8, 4, 0, 6,
		},
		[]float64{
			-1, inf, nan, 68, nan, -32,
			-8, inf, nan, 81, nan, 39,
			-14, nan, inf, 54, nan, 41,
			38, inf, -inf, 47, nan, -65,
			0, nan, nan, 0, nan, 0,
		}},
}

// sameValues reports whether got and want agree: NaN with NaN, anything
// else exactly (the finite sums of these cases are exact in any order).
func sameValues(got, want []float64) bool {
	for i := range want {
		if math.IsNaN(want[i]) != math.IsNaN(got[i]) || !math.IsNaN(want[i]) && got[i] != want[i] {
			return false
		}
	}
	return true
}

// TestZeroTimesNonFiniteNumPy answers whether OpenBLAS skips zeros of A
// the way gonum's kernel does: OpenBLAS alone (no repair) must give
// NumPy's NaNs, and so must ops.Gemm, which runs its repair of skipped
// zeros on top of OpenBLAS (it must not change a correct result). A
// non-zero beta with a NaN-free C checks the accumulating path too.
func TestZeroTimesNonFiniteNumPy(t *testing.T) {
	for _, c := range numpyCases {
		raw64 := make([]float64, c.m*c.n)
		Implementation{}.Dgemm(blas.NoTrans, blas.NoTrans, c.m, c.n, c.k, 1, c.a, c.k, c.b, c.n, 0, raw64, c.n)
		raw32 := make([]float32, c.m*c.n)
		Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, c.m, c.n, c.k, 1, to32(c.a), c.k, to32(c.b), c.n, 0, raw32, c.n)
		acc64 := make([]float64, c.m*c.n) // zeros, accumulated onto
		Implementation{}.Dgemm(blas.NoTrans, blas.NoTrans, c.m, c.n, c.k, 1, c.a, c.k, c.b, c.n, 1, acc64, c.n)
		ops64 := make([]float64, c.m*c.n)
		ops.Gemm(chunk.Float64, c.m, c.n, c.k, chunk.AsBytes(c.a), chunk.AsBytes(c.b), chunk.AsBytes(ops64), false)
		ops32 := make([]float32, c.m*c.n)
		ops.Gemm(chunk.Float32, c.m, c.n, c.k, chunk.AsBytes(to32(c.a)), chunk.AsBytes(to32(c.b)), chunk.AsBytes(ops32), false)
		for name, got := range map[string][]float64{
			"OpenBLAS Dgemm": raw64, "OpenBLAS Sgemm": to64(raw32), "OpenBLAS Dgemm beta=1": acc64,
			"ops.Gemm float64": ops64, "ops.Gemm float32": to64(ops32),
		} {
			if !sameValues(got, c.want) {
				t.Errorf("%dx%d @ %dx%d: %s gives %v, NumPy %v", c.m, c.k, c.k, c.n, name, got, c.want)
			}
		}
	}
}

// TestZeroTimesNonFiniteLarge spreads zeros over A and infinities and NaNs
// over B in products that span OpenBLAS's blocking (and its small-matrix
// and vector shapes), and compares OpenBLAS alone with a triple loop in
// IEEE arithmetic, which skips nothing, as NumPy does not: the NaNs must
// be where the loop puts them, the other elements exact (small integers).
func TestZeroTimesNonFiniteLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range [][3]int{{1, 257, 300}, {257, 1, 300}, {6, 5, 7}, {64, 192, 256}, {130, 270, 300}} {
		m, n, k := s[0], s[1], s[2]
		a, b := make([]float64, m*k), make([]float64, k*n)
		for i := range a {
			a[i] = float64(rng.IntN(9) - 4) // a ninth zeros
		}
		for i := range b {
			b[i] = float64(rng.IntN(9) - 4)
		}
		for range max(1, k*n/500) {
			b[rng.IntN(k*n)] = []float64{inf, -inf, nan}[rng.IntN(3)]
		}
		want := make([]float64, m*n)
		for i := range m {
			for j := range n {
				var s float64
				for l := range k {
					s += a[i*k+l] * b[l*n+j]
				}
				want[i*n+j] = s
			}
		}
		got := make([]float64, m*n)
		Implementation{}.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, got, n)
		got32 := make([]float32, m*n)
		Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, to32(a), k, to32(b), n, 0, got32, n)
		if !sameValues(got, want) {
			t.Errorf("%dx%dx%d: OpenBLAS Dgemm differs from the IEEE triple loop", m, n, k)
		}
		if !sameValues(to64(got32), want) {
			t.Errorf("%dx%dx%d: OpenBLAS Sgemm differs from the IEEE triple loop", m, n, k)
		}
	}
}

// TestDeterministic computes the same products again, in eight goroutines
// at once (as the executor's workers do) and from copies of the operands
// at other alignments (the engine's blocks may start anywhere), and wants
// the same bits every time.
func TestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range [][3]int{{1, 1000, 1000}, {64, 192, 256}, {250, 130, 333}, {1000, 1000, 1000}} {
		m, n, k := s[0], s[1], s[2]
		a, b := make([]float64, m*k), make([]float64, k*n)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		ref := make([]float64, m*n)
		ops.Gemm(chunk.Float64, m, n, k, chunk.AsBytes(a), chunk.AsBytes(b), chunk.AsBytes(ref), false)
		ref32 := make([]float32, m*n)
		a32, b32 := to32(a), to32(b)
		ops.Gemm(chunk.Float32, m, n, k, chunk.AsBytes(a32), chunk.AsBytes(b32), chunk.AsBytes(ref32), false)
		var wg sync.WaitGroup
		diff := make([]string, 8)
		for w := range 8 {
			wg.Go(func() {
				// Offsets of w elements move every operand off the
				// original's alignment (64-byte lines hold 8 float64s).
				aw := append(make([]float64, w), a...)[w:]
				bw := append(make([]float64, w), b...)[w:]
				cw := make([]float64, m*n+w)[w:]
				ops.Gemm(chunk.Float64, m, n, k, chunk.AsBytes(aw), chunk.AsBytes(bw), chunk.AsBytes(cw), false)
				a32w := append(make([]float32, w), a32...)[w:]
				b32w := append(make([]float32, w), b32...)[w:]
				c32w := make([]float32, m*n+w)[w:]
				ops.Gemm(chunk.Float32, m, n, k, chunk.AsBytes(a32w), chunk.AsBytes(b32w), chunk.AsBytes(c32w), false)
				if string(chunk.AsBytes(cw)) != string(chunk.AsBytes(ref)) {
					diff[w] = "float64"
				}
				if string(chunk.AsBytes(c32w)) != string(chunk.AsBytes(ref32)) {
					diff[w] += " float32"
				}
			})
		}
		wg.Wait()
		for w, d := range diff {
			if d != "" {
				t.Errorf("%dx%dx%d: rerun %d (offset %d elements) gives other bits for %s", m, n, k, w, w, d)
			}
		}
	}
}

// gemmFlops is the floating-point operations of an n x n x n product.
func gemmFlops(n int) float64 { return 2 * float64(n) * float64(n) * float64(n) }

// benchDgemm times 1000x1000 @ 1000x1000 products with impl, one per
// goroutine of b.RunParallel (GOMAXPROCS of them, set by -cpu) as the
// executor runs one product per worker, and reports the aggregate rate.
func benchDgemm(b *testing.B, impl blas.Float64) {
	const n = 1000
	rng := rand.New(rand.NewPCG(9, 10))
	x, y := make([]float64, n*n), make([]float64, n*n)
	for i := range x {
		x[i], y[i] = rng.NormFloat64(), rng.NormFloat64()
	}
	b.RunParallel(func(pb *testing.PB) {
		z := make([]float64, n*n)
		for pb.Next() {
			impl.Dgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, x, n, y, n, 0, z, n)
		}
	})
	// RunParallel shares b.N iterations among its goroutines.
	b.ReportMetric(gemmFlops(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
}

// BenchmarkDgemmGonum is gonum's native Dgemm on 1000x1000 blocks (which
// starts goroutines of its own for a product that size).
func BenchmarkDgemmGonum(b *testing.B) { benchDgemm(b, gonum.Implementation{}) }

// BenchmarkDgemmOpenBLAS is OpenBLAS's single-threaded Dgemm on 1000x1000
// blocks.
func BenchmarkDgemmOpenBLAS(b *testing.B) { benchDgemm(b, Implementation{}) }

// BenchmarkOpsGemm is a 1000x1000 block product through ops.Gemm, which
// cuts it into 64x192x256 panels (sized for gonum's kernel) and repairs
// skipped zeros, with either implementation registered: the difference
// from BenchmarkDgemmOpenBLAS is what the panels cost OpenBLAS.
func BenchmarkOpsGemm(b *testing.B) {
	for _, c := range []struct {
		name string
		impl blas.Float64
	}{{"gonum", gonum.Implementation{}}, {"openblas", Implementation{}}} {
		b.Run(c.name, func(b *testing.B) {
			blas64.Use(c.impl)
			defer Use()
			const n = 1000
			rng := rand.New(rand.NewPCG(11, 12))
			x, y := make([]float64, n*n), make([]float64, n*n)
			for i := range x {
				x[i], y[i] = rng.NormFloat64(), rng.NormFloat64()
			}
			b.RunParallel(func(pb *testing.PB) {
				z := make([]float64, n*n)
				for pb.Next() {
					ops.Gemm(chunk.Float64, n, n, n, chunk.AsBytes(x), chunk.AsBytes(y), chunk.AsBytes(z), false)
				}
			})
			b.ReportMetric(gemmFlops(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
	}
}
