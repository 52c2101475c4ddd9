// Package openblas makes ndchunk's float matrix products use OpenBLAS.
//
// ops.Gemm computes float64 and float32 products through gonum's blas64
// and blas32 packages, whose default implementation is gonum's pure-Go
// BLAS: on 1000x1000 blocks of an AVX-512 Xeon, about 9 GFLOP/s per core
// for Dgemm, against about 70 for OpenBLAS (BenchmarkDgemmGonum and
// BenchmarkDgemmOpenBLAS). Importing this package, even blank,
//
//	import _ "github.com/ndchunk/ndchunk/ops/openblas"
//
// registers Implementation with blas64.Use and blas32.Use: Dgemm and
// Sgemm go to OpenBLAS's cblas_dgemm and cblas_sgemm, every other
// routine stays gonum's. The package is the only cgo in ops; programs
// that do not import it stay pure Go.
//
// OpenBLAS runs single-threaded: its thread count is set to 1 when the
// package initialises. ndchunk's executor already runs one product per
// worker goroutine on every core, so OpenBLAS threads would only
// oversubscribe the cores, and a single-threaded call's summation order
// depends on the operands' shapes alone, so results are the same bits on
// every run and for any number of workers. The setting is process-wide:
// other OpenBLAS users in the same process are single-threaded too.
//
// IEEE special values: OpenBLAS's kernels multiply every element,
// zeros included, so a zero of A times an infinity or NaN of B gives
// NaN as in NumPy (whose matmul gives the same). gonum's kernel skips
// zero elements of A instead; ops.Gemm puts those NaNs back after any
// implementation, and since the terms it adds are NaN, which leave a NaN
// element NaN, that repair is idempotent and stays correct with OpenBLAS.
//
// Overflow is where the two differ: on CPUs with FMA, OpenBLAS's kernels
// add each product to the sum unrounded, so a product of finite factors
// beyond the float range does not become an infinity first. Where such a
// product meets an infinity of the other sign, the element may come out
// ±Inf (or a finite value) where gonum's unfused loop gives NaN, and it
// depends on the order of the terms. NumPy, on OpenBLAS, gives the same:
// np.array([[-2.**63, -2.**63]]) @ np.array([[-np.inf], [1.7976931348623157e308]])
// is [[inf]] with NumPy 1.24.2 on Debian, [[nan]] with the rows of the
// second operand swapped. The property tests' reference
// (internal/eager) counts such elements as undetermined.
//
// Building needs OpenBLAS's headers and library with a pkg-config file
// named openblas (Debian: libopenblas-dev).
package openblas

/*
#cgo pkg-config: openblas
#include <cblas.h>
*/
import "C"

import (
	"math"
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// Implementation is gonum's native BLAS with the general matrix products
// Dgemm and Sgemm computed by OpenBLAS. The zero value is ready to use.
type Implementation struct {
	// gonum.Implementation provides every routine not overridden here.
	gonum.Implementation
}

// Implementation must satisfy both interfaces it is registered under.
var (
	_ blas.Float64 = Implementation{}
	_ blas.Float32 = Implementation{}
)

func init() {
	C.openblas_set_num_threads(1)
	Use()
}

// Use registers Implementation as the blas64 and blas32 implementation.
// Importing the package already does; Use restores it after another
// implementation was registered. Like blas64.Use it is not synchronised
// with BLAS calls: call it before any computation starts.
func Use() {
	blas64.Use(Implementation{})
	blas32.Use(Implementation{})
}

// numThreads reports OpenBLAS's thread count (the tests check it is 1).
func numThreads() int {
	return int(C.openblas_get_num_threads())
}

// Panic messages of the argument checks: gonum's own strings (its
// constants are unexported), so that a bad call panics alike with either
// implementation.
const (
	badTranspose = "blas: illegal transpose"
	mLT0         = "blas: m < 0"
	nLT0         = "blas: n < 0"
	kLT0         = "blas: k < 0"
	badLdA       = "blas: bad leading dimension of A"
	badLdB       = "blas: bad leading dimension of B"
	badLdC       = "blas: bad leading dimension of C"
	shortA       = "blas: insufficient length of a"
	shortB       = "blas: insufficient length of b"
	shortC       = "blas: insufficient length of c"
)

// checkGemm validates the arguments of a row-major ?gemm exactly as
// gonum's Dgemm does, in the same order and with the same messages, given
// the slice lengths. It reports whether there is nothing to compute (m or
// n is 0), where gonum returns before checking lengths.
func checkGemm(tA, tB blas.Transpose, m, n, k, lenA, lda, lenB, ldb, lenC, ldc int) (empty bool) {
	switch tA {
	case blas.NoTrans, blas.Trans, blas.ConjTrans:
	default:
		panic(badTranspose)
	}
	switch tB {
	case blas.NoTrans, blas.Trans, blas.ConjTrans:
	default:
		panic(badTranspose)
	}
	if m < 0 {
		panic(mLT0)
	}
	if n < 0 {
		panic(nLT0)
	}
	if k < 0 {
		panic(kLT0)
	}
	aTrans := tA != blas.NoTrans
	bTrans := tB != blas.NoTrans
	if aTrans {
		if lda < max(1, m) {
			panic(badLdA)
		}
	} else if lda < max(1, k) {
		panic(badLdA)
	}
	if bTrans {
		if ldb < max(1, k) {
			panic(badLdB)
		}
	} else if ldb < max(1, n) {
		panic(badLdB)
	}
	if ldc < max(1, n) {
		panic(badLdC)
	}
	if m == 0 || n == 0 {
		return true
	}
	if aTrans {
		if lenA < (k-1)*lda+m {
			panic(shortA)
		}
	} else if lenA < (m-1)*lda+k {
		panic(shortA)
	}
	if bTrans {
		if lenB < (n-1)*ldb+k {
			panic(shortB)
		}
	} else if lenB < (k-1)*ldb+n {
		panic(shortB)
	}
	if lenC < (m-1)*ldc+n {
		panic(shortC)
	}
	return false
}

// fitsBlasint reports whether every dimension and leading dimension fits
// OpenBLAS's 32-bit integer interface (Debian's libopenblas is built
// without INTERFACE64); larger calls stay with gonum.
func fitsBlasint(v ...int) bool {
	for _, x := range v {
		if x > math.MaxInt32 {
			return false
		}
	}
	return true
}

// cblasTrans maps a gonum transpose flag to CBLAS's: for real matrices
// the conjugate transpose is the transpose.
func cblasTrans(t blas.Transpose) C.enum_CBLAS_TRANSPOSE {
	if t == blas.NoTrans {
		return C.CblasNoTrans
	}
	return C.CblasTrans
}

// scaleC is C = beta*C, the whole product when alpha or k is 0: BLAS then
// does not read A and B, and beta 0 sets C to zero even where it held NaN.
func scaleC[F float32 | float64](m, n int, beta F, c []F, ldc int) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// Dgemm computes C = alpha * op(A) * op(B) + beta * C for row-major
// float64 matrices, op(X) being X or its transpose, C m x n and the inner
// dimension k, with OpenBLAS's cblas_dgemm. The arguments and their
// checks (panics with gonum's messages) are gonum's.
func (impl Implementation) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if checkGemm(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc) {
		return
	}
	if alpha == 0 || k == 0 {
		// Nothing to hand OpenBLAS (and A or B may be empty, without an
		// element to point it at).
		scaleC(m, n, beta, c, ldc)
		return
	}
	if !fitsBlasint(m, n, k, lda, ldb, ldc) {
		impl.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	// The slices hold no Go pointers, so cgo lets C read them in place
	// (and the checks above keep every access inside them).
	C.cblas_dgemm(C.CblasRowMajor, cblasTrans(tA), cblasTrans(tB), C.blasint(m), C.blasint(n), C.blasint(k),
		C.double(alpha), (*C.double)(unsafe.Pointer(&a[0])), C.blasint(lda),
		(*C.double)(unsafe.Pointer(&b[0])), C.blasint(ldb),
		C.double(beta), (*C.double)(unsafe.Pointer(&c[0])), C.blasint(ldc))
}

// Sgemm is Dgemm for float32, with OpenBLAS's cblas_sgemm (which
// accumulates in float32, as gonum's Sgemm does).
func (impl Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if checkGemm(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc) {
		return
	}
	if alpha == 0 || k == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	if !fitsBlasint(m, n, k, lda, ldb, ldc) {
		impl.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	C.cblas_sgemm(C.CblasRowMajor, cblasTrans(tA), cblasTrans(tB), C.blasint(m), C.blasint(n), C.blasint(k),
		C.float(alpha), (*C.float)(unsafe.Pointer(&a[0])), C.blasint(lda),
		(*C.float)(unsafe.Pointer(&b[0])), C.blasint(ldb),
		C.float(beta), (*C.float)(unsafe.Pointer(&c[0])), C.blasint(ldc))
}
