package ops

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
)

func TestScanTypes(t *testing.T) {
	// from numpy 1.24.2: np.cumsum(np.ones(3, dtype=d)).dtype (cumprod the
	// same) for bool, int8..int64, uint8..uint64, float32, float64.
	want := []chunk.DType{chunk.Int64, chunk.Int64, chunk.Int64, chunk.Int64, chunk.Int64,
		chunk.Uint64, chunk.Uint64, chunk.Uint64, chunk.Uint64, chunk.Float32, chunk.Float64}
	for _, op := range []ScanOp{CumSum, CumProd} {
		for i, dt := range chunk.DTypes {
			if got, err := ScanTypes(op, dt); err != nil || got != want[i] {
				t.Errorf("ScanTypes(%v, %v) = %v, %v, want %v", op, dt, got, err, want[i])
			}
		}
	}
	if _, err := ScanTypes(CumSum, chunk.Invalid); !errors.Is(err, chunk.ErrDType) {
		t.Errorf("ScanTypes(cumsum, invalid): %v", err)
	}
	if _, err := ScanTypes(ScanOp(0), chunk.Float64); !errors.Is(err, chunk.ErrUnsupported) {
		t.Errorf("ScanTypes(0, float64): %v", err)
	}
}

// scantRef is the plain scan: every line along axis accumulated element by
// element in T, with no carry.
func scantRef[T chunk.Number](op ScanOp, src []T, shape []int, axis int) []T {
	dst := make([]T, len(src))
	st := chunk.Strides(shape)
	redtEach(shape, func(idx []int) {
		f := redtFlat(shape, idx)
		if idx[axis] == 0 {
			dst[f] = src[f]
			return
		}
		prev := dst[f-st[axis]]
		if op == CumProd {
			dst[f] = prev * src[f]
		} else {
			dst[f] = prev + src[f]
		}
	})
	return dst
}

// scantSame compares scan outputs bit for bit, any NaN equal to any NaN.
func scantSame[T chunk.Number](a, b []T) int {
	for i := range a {
		if a[i] != b[i] && !(a[i] != a[i] && b[i] != b[i]) {
			return i
		}
	}
	return -1
}

// scantChained scans the array in random blocks along axis, each block
// starting from the previous block's last slice, and returns the whole.
func scantChained[T chunk.Number](t *testing.T, op ScanOp, dt chunk.DType, src []T, shape []int, axis int, rng *rand.Rand) []T {
	out := make([]T, len(src))
	sizes := redtCuts(rng, shape[axis])
	starts := redtStarts(sizes)
	var carry []byte
	for b, n := range sizes {
		start := make([]int, len(shape))
		bshape := append([]int(nil), shape...)
		start[axis], bshape[axis] = starts[b], n
		blk := redtExtract(chunk.AsBytes(src), dt, shape, start, bshape)
		dst := blk // in place half of the time
		if rng.IntN(2) == 0 {
			dst = redtAligned(make([]byte, len(blk)))
		}
		Scan(op, dt, dst, blk, bshape, axis, carry)
		if n > 0 {
			last := make([]int, len(shape))
			lshape := append([]int(nil), bshape...)
			last[axis], lshape[axis] = n-1, 1
			carry = redtExtract(dst, dt, bshape, last, lshape)
		}
		res := chunk.Cast[T](dst)
		i := 0
		g := make([]int, len(shape))
		redtEach(bshape, func(idx []int) {
			copy(g, idx)
			g[axis] += starts[b]
			out[redtFlat(shape, g)] = res[i]
			i++
		})
	}
	return out
}

func scantRandom[T chunk.Number](t *testing.T, dt chunk.DType, rng *rand.Rand) {
	for i := 0; i < 60; i++ {
		rank := 1 + rng.IntN(4)
		shape := make([]int, rank)
		for a := range shape {
			shape[a] = rng.IntN(6)
			if rng.IntN(5) == 0 && a == rank-1 {
				shape[a] = rng.IntN(300)
			}
		}
		axis := rng.IntN(rank)
		op := []ScanOp{CumSum, CumProd}[rng.IntN(2)]
		src := make([]T, chunk.Size(shape))
		full := rng.IntN(2) == 0
		for k := range src {
			switch {
			case dt.IsFloat():
				v := rng.NormFloat64()
				if op == CumProd {
					v = 0.5 + rng.Float64()
				}
				switch rng.IntN(20) {
				case 0:
					v = math.NaN()
				case 1:
					v = math.Inf(1 - 2*rng.IntN(2))
				case 2:
					v = math.Copysign(0, -1)
				}
				src[k] = T(v)
			case full: // full range: wrapping
				src[k] = T(rng.Uint64())
			default:
				src[k] = T(rng.IntN(7))
			}
		}
		want := scantRef(op, src, shape, axis)
		got := make([]T, len(src))
		Scan(op, dt, chunk.AsBytes(got), chunk.AsBytes(src), shape, axis, nil)
		if k := scantSame(got, want); k >= 0 {
			t.Fatalf("%v of %v%v along %d: element %d = %v, want %v", op, dt, shape, axis, k, got[k], want[k])
		}
		chained := scantChained(t, op, dt, src, shape, axis, rng)
		if k := scantSame(chained, want); k >= 0 {
			t.Fatalf("%v of %v%v along %d in blocks: element %d = %v, want %v", op, dt, shape, axis, k, chained[k], want[k])
		}
	}
}

func TestScanRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	scantRandom[int8](t, chunk.Int8, rng)
	scantRandom[int16](t, chunk.Int16, rng)
	scantRandom[int32](t, chunk.Int32, rng)
	scantRandom[int64](t, chunk.Int64, rng)
	scantRandom[uint8](t, chunk.Uint8, rng)
	scantRandom[uint16](t, chunk.Uint16, rng)
	scantRandom[uint32](t, chunk.Uint32, rng)
	scantRandom[uint64](t, chunk.Uint64, rng)
	scantRandom[float32](t, chunk.Float32, rng)
	scantRandom[float64](t, chunk.Float64, rng)
}

func TestScanNumPyEdges(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	negz := math.Copysign(0, -1)
	// from numpy 1.24.2
	f64 := []struct {
		op      ScanOp
		in, out []float64
	}{
		{CumSum, []float64{1, nan, 2}, []float64{1, nan, nan}},
		{CumProd, []float64{2, inf, 0, 1}, []float64{2, inf, nan, nan}},
		{CumSum, []float64{inf, -inf, 1}, []float64{inf, nan, nan}},
		{CumSum, []float64{negz, negz}, []float64{negz, negz}},
	}
	for _, c := range f64 {
		got := make([]float64, len(c.in))
		Scan(c.op, chunk.Float64, chunk.AsBytes(got), chunk.AsBytes(c.in), []int{len(c.in)}, 0, nil)
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(c.out[i]) && !(math.IsNaN(got[i]) && math.IsNaN(c.out[i])) {
				t.Errorf("%v(%v) = %v, want %v", c.op, c.in, got, c.out)
				break
			}
		}
	}
	// np.cumsum(np.array([2**63-1, 1], dtype=np.int64)) wraps.
	i64 := []int64{math.MaxInt64, 1}
	Scan(CumSum, chunk.Int64, chunk.AsBytes(i64), chunk.AsBytes(i64), []int{2}, 0, nil)
	if i64[1] != math.MinInt64 {
		t.Errorf("cumsum wrap: %v", i64)
	}
	// np.cumprod(np.array([2**63, 2], dtype=np.uint64)) is [2**63, 0].
	u64 := []uint64{1 << 63, 2}
	Scan(CumProd, chunk.Uint64, chunk.AsBytes(u64), chunk.AsBytes(u64), []int{2}, 0, nil)
	if u64[0] != 1<<63 || u64[1] != 0 {
		t.Errorf("cumprod wrap: %v", u64)
	}
	// np.cumsum(np.array([1e8, 1.0, -1e8], dtype=np.float32)) accumulates
	// in float32: [1e8, 1e8, 0].
	f32 := []float32{1e8, 1, -1e8}
	Scan(CumSum, chunk.Float32, chunk.AsBytes(f32), chunk.AsBytes(f32), []int{3}, 0, nil)
	if f32[1] != 1e8 || f32[2] != 0 {
		t.Errorf("float32 cumsum: %v", f32)
	}
	// np.cumprod(np.array([-3, 5, 7], dtype=np.int16)) with a carry of 2:
	// 2 * [-3, -15, -105].
	i16 := []int16{-3, 5, 7}
	Scan(CumProd, chunk.Int16, chunk.AsBytes(i16), chunk.AsBytes(i16), []int{3}, 0, chunk.AsBytes([]int16{2}))
	if i16[0] != -6 || i16[1] != -30 || i16[2] != -210 {
		t.Errorf("int16 cumprod with carry 2: %v", i16)
	}
	// np.cumsum(np.array([[1, 2], [3, 4]]), axis=0) with a carry row [10, 20].
	m := []int64{1, 2, 3, 4}
	Scan(CumSum, chunk.Int64, chunk.AsBytes(m), chunk.AsBytes(m), []int{2, 2}, 0, chunk.AsBytes([]int64{10, 20}))
	if m[0] != 11 || m[1] != 22 || m[2] != 14 || m[3] != 26 {
		t.Errorf("cumsum along axis 0 with a carry: %v", m)
	}
}

func TestScanMisuse(t *testing.T) {
	x := make([]byte, 6*8)
	for name, f := range map[string]func(){
		"axis out of range": func() { Scan(CumSum, chunk.Float64, x, x, []int{2, 3}, 2, nil) },
		"short buffer":      func() { Scan(CumSum, chunk.Float64, x[:8], x, []int{2, 3}, 1, nil) },
		"short carry":       func() { Scan(CumSum, chunk.Float64, x, x, []int{2, 3}, 1, x[:8]) },
		"bool":              func() { Scan(CumSum, chunk.Bool, x[:6], x[:6], []int{2, 3}, 1, nil) },
		"bad op":            func() { Scan(ScanOp(7), chunk.Float64, x, x, []int{2, 3}, 1, nil) },
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
