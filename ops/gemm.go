package ops

import (
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// Gemm computes c (m x n) = a (m x k) @ b (k x n), or c += a @ b when
// accumulate, all row-major of dtype dt. float64 and float32 go through
// gonum's blas64 and blas32 Gemm; integer dtypes use a blocked i-k-j loop
// in the dtype itself, wrapping on overflow as NumPy's integer matmul does;
// bool computes the logical or of ands (NumPy's bool matmul), storing 0 or 1.
//
// Float products propagate IEEE special values as NumPy's do: a zero of a
// times an infinity or NaN of b makes the sum NaN. (gonum's kernels skip the
// row update for a zero element of a; gmFixSkipped puts the lost NaNs back.)
func Gemm(dt chunk.DType, m, n, k int, a, b, c []byte, accumulate bool) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("ops: Gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	es := dt.Size()
	if !dt.Valid() {
		panic(fmt.Sprintf("ops: Gemm of dtype %s", dt))
	}
	if len(a) != m*k*es || len(b) != k*n*es || len(c) != m*n*es {
		panic(fmt.Sprintf("ops: Gemm %dx%d @ %dx%d of %s: buffers of %d, %d and %d bytes", m, k, k, n, dt, len(a), len(b), len(c)))
	}
	if m == 0 || n == 0 {
		return
	}
	if k == 0 && dt != chunk.Bool {
		// An empty sum: c keeps its value or becomes 0. (gmBool handles
		// k == 0 itself, normalising c to 0/1.)
		if !accumulate {
			clear(c)
		}
		return
	}
	switch dt {
	case chunk.Float64:
		gmFloat64(m, n, k, chunk.Cast[float64](a), chunk.Cast[float64](b), chunk.Cast[float64](c), accumulate)
	case chunk.Float32:
		gmFloat32(m, n, k, chunk.Cast[float32](a), chunk.Cast[float32](b), chunk.Cast[float32](c), accumulate)
	case chunk.Int8:
		gmInt(m, n, k, chunk.Cast[int8](a), chunk.Cast[int8](b), chunk.Cast[int8](c), accumulate)
	case chunk.Int16:
		gmInt(m, n, k, chunk.Cast[int16](a), chunk.Cast[int16](b), chunk.Cast[int16](c), accumulate)
	case chunk.Int32:
		gmInt(m, n, k, chunk.Cast[int32](a), chunk.Cast[int32](b), chunk.Cast[int32](c), accumulate)
	case chunk.Int64:
		gmInt(m, n, k, chunk.Cast[int64](a), chunk.Cast[int64](b), chunk.Cast[int64](c), accumulate)
	case chunk.Uint8:
		gmInt(m, n, k, a, b, c, accumulate)
	case chunk.Uint16:
		gmInt(m, n, k, chunk.Cast[uint16](a), chunk.Cast[uint16](b), chunk.Cast[uint16](c), accumulate)
	case chunk.Uint32:
		gmInt(m, n, k, chunk.Cast[uint32](a), chunk.Cast[uint32](b), chunk.Cast[uint32](c), accumulate)
	case chunk.Uint64:
		gmInt(m, n, k, chunk.Cast[uint64](a), chunk.Cast[uint64](b), chunk.Cast[uint64](c), accumulate)
	case chunk.Bool:
		gmBool(m, n, k, a, b, c, accumulate)
	}
}

// The float products are cut into panels of C of at most gmPanelRows x
// gmPanelCols, each a separate BLAS call over a slice of k at most
// gmPanelK long. The panel size keeps gonum's Gemm on its serial path
// (it starts goroutines from four 64x64 blocks of C up, and ops never runs
// goroutines: the executor already keeps every core busy with tasks), and
// the k slicing keeps the panel of B gonum streams through per row of A in
// L2.
const (
	gmPanelRows = 64
	gmPanelCols = 192
	gmPanelK    = 256
)

// An optimised BLAS registered in gonum's place (ops/openblas) blocks for
// the caches itself, so it gets the whole block in one call: cutting it
// into gonum's panels halved OpenBLAS's speed. gmFixSkipped only adds NaN
// where the result must already be NaN, so it is harmless after a BLAS
// that skips nothing.
func gmFloat64(m, n, k int, a, b, c []float64, accumulate bool) {
	if _, native := blas64.Implementation().(gonum.Implementation); !native {
		beta := 1.0
		if !accumulate {
			beta = 0
		}
		blas64.Implementation().Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, beta, c, n)
		gmFixSkipped(m, n, k, a, b, c)
		return
	}
	for i0 := 0; i0 < m; i0 += gmPanelRows {
		rows := min(gmPanelRows, m-i0)
		for j0 := 0; j0 < n; j0 += gmPanelCols {
			cols := min(gmPanelCols, n-j0)
			cp := blas64.General{Rows: rows, Cols: cols, Stride: n, Data: c[i0*n+j0:]}
			for l0 := 0; l0 < k; l0 += gmPanelK {
				depth := min(gmPanelK, k-l0)
				ap := blas64.General{Rows: rows, Cols: depth, Stride: k, Data: a[i0*k+l0:]}
				bp := blas64.General{Rows: depth, Cols: cols, Stride: n, Data: b[l0*n+j0:]}
				beta := 1.0
				if l0 == 0 && !accumulate {
					beta = 0
				}
				blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, ap, bp, beta, cp)
			}
		}
	}
	gmFixSkipped(m, n, k, a, b, c)
}

func gmFloat32(m, n, k int, a, b, c []float32, accumulate bool) {
	if _, native := blas32.Implementation().(gonum.Implementation); !native {
		var beta float32 = 1
		if !accumulate {
			beta = 0
		}
		blas32.Implementation().Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, beta, c, n)
		gmFixSkipped(m, n, k, a, b, c)
		return
	}
	for i0 := 0; i0 < m; i0 += gmPanelRows {
		rows := min(gmPanelRows, m-i0)
		for j0 := 0; j0 < n; j0 += gmPanelCols {
			cols := min(gmPanelCols, n-j0)
			cp := blas32.General{Rows: rows, Cols: cols, Stride: n, Data: c[i0*n+j0:]}
			for l0 := 0; l0 < k; l0 += gmPanelK {
				depth := min(gmPanelK, k-l0)
				ap := blas32.General{Rows: rows, Cols: depth, Stride: k, Data: a[i0*k+l0:]}
				bp := blas32.General{Rows: depth, Cols: cols, Stride: n, Data: b[l0*n+j0:]}
				var beta float32 = 1
				if l0 == 0 && !accumulate {
					beta = 0
				}
				blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, ap, bp, beta, cp)
			}
		}
	}
	gmFixSkipped(m, n, k, a, b, c)
}

// gmFixSkipped adds back the terms gonum's Gemm skipped that matter. Its
// kernel updates row i of C with a[i,l] * (row l of B) only when a[i,l] is
// nonzero; a skipped term is a[i,l]*b[l,j] = ±0 (which cannot change a sum
// that gonum started from +0, or any nonzero sum) unless b[l,j] is infinite
// or NaN, where it is NaN and must make c[i,j] NaN. So only pairs of a zero
// a[i,l] and a non-finite b[l,j] need work: a scan of A for zeros (O(m*k))
// finds the rows of B worth scanning (O(n) each), and the common case, no
// zero in A or no infinity or NaN in those rows, ends there, against the
// product's O(m*n*k).
func gmFixSkipped[F float32 | float64](m, n, k int, a, b, c []F) {
	// zeroCol[l]: column l of A holds a zero. Allocated only when one does.
	var zeroCol []bool
	for i := range m {
		for l, v := range a[i*k : (i+1)*k] {
			if v == 0 {
				if zeroCol == nil {
					zeroCol = make([]bool, k)
				}
				zeroCol[l] = true
			}
		}
	}
	if zeroCol == nil {
		return
	}
	for l, z := range zeroCol {
		if !z || !gmHasNonFinite(b[l*n:(l+1)*n]) {
			continue
		}
		brow := b[l*n : (l+1)*n]
		for i := range m {
			if av := a[i*k+l]; av == 0 {
				crow := c[i*n : (i+1)*n]
				crow = crow[:len(brow)]
				for j, bv := range brow {
					if bv-bv != 0 {
						crow[j] += av * bv
					}
				}
			}
		}
	}
}

// gmInteger is the set of integer element types of gmInt.
type gmInteger interface {
	int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64
}

// gmIntCols and gmIntK block the integer product: a gmIntK x gmIntCols
// block of B (at most 512 KiB of int64) stays in L2 while every row of A
// sweeps it, and each row segment of C stays in L1.
const (
	gmIntCols = 512
	gmIntK    = 128
)

// gmInt is C (+)= A @ B in T's own wrapping arithmetic, in i-k-j order:
// the inner loop is an axpy along contiguous rows of B and C.
func gmInt[T gmInteger](m, n, k int, a, b, c []T, accumulate bool) {
	if !accumulate {
		clear(c)
	}
	for j0 := 0; j0 < n; j0 += gmIntCols {
		j1 := min(j0+gmIntCols, n)
		for l0 := 0; l0 < k; l0 += gmIntK {
			l1 := min(l0+gmIntK, k)
			for i := range m {
				crow := c[i*n+j0 : i*n+j1]
				for l, av := range a[i*k+l0 : i*k+l1] {
					if av == 0 {
						continue
					}
					brow := b[(l0+l)*n+j0 : (l0+l)*n+j1]
					brow = brow[:len(crow)]
					for j, bv := range brow {
						crow[j] += av * bv
					}
				}
			}
		}
	}
}

// gmBool is C (|)= A @ B over bool bytes: c[i,j] is 1 when some l has
// a[i,l] and b[l,j] nonzero. Rows of B are or-ed bytewise, then C is
// normalised to 0/1, so any nonzero byte counts as true.
func gmBool(m, n, k int, a, b, c []byte, accumulate bool) {
	if !accumulate {
		clear(c)
	}
	for i := range m {
		crow := c[i*n : (i+1)*n]
		for l, av := range a[i*k : (i+1)*k] {
			if av == 0 {
				continue
			}
			brow := b[l*n : (l+1)*n]
			brow = brow[:len(crow)]
			for j, bv := range brow {
				crow[j] |= bv
			}
		}
		for j, cv := range crow {
			if cv != 0 {
				crow[j] = 1
			}
		}
	}
}

// gmHasNonFinite reports whether v holds ±Inf or NaN: v-v is NaN exactly
// for those, and a sum of the differences is NaN if and only if one is.
// Four sums keep the additions independent (one chain would wait for each
// addition's latency), and there is no branch per element.
func gmHasNonFinite[F float32 | float64](v []F) bool {
	var s0, s1, s2, s3 F
	for len(v) >= 4 {
		s0 += v[0] - v[0]
		s1 += v[1] - v[1]
		s2 += v[2] - v[2]
		s3 += v[3] - v[3]
		v = v[4:]
	}
	for _, x := range v {
		s0 += x - x
	}
	return s0+s1+s2+s3 != 0
}
