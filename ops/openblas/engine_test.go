package openblas

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/internal/eager"
	"github.com/ndchunk/ndchunk/ndarray"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// counting is Implementation counting its products, to show that the
// engine's matmul really reaches OpenBLAS.
type counting struct {
	Implementation
	d, s *atomic.Int64
}

func (c counting) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, cc []float64, ldc int) {
	c.d.Add(1)
	c.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
}

func (c counting) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cc []float32, ldc int) {
	c.s.Add(1)
	c.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
}

// TestEngineMatmul runs the executor's chunked products with OpenBLAS
// registered and checks them against the reference evaluator within its
// error bounds (gamma(K)*sum|a*b| in the dtype's precision, as exec's
// property test does), and that 1 and 4 workers give the same bits.
func TestEngineMatmul(t *testing.T) {
	var d, s atomic.Int64
	blas64.Use(counting{d: &d, s: &s})
	blas32.Use(counting{d: &d, s: &s})
	defer Use()

	x := ndarray.RandomNormal(1, []int{130, 270}, chunk.Float64, chunk.Regular(50, 60))
	y := ndarray.RandomUniform(2, []int{270, 90}, chunk.Float64, chunk.Regular(60, 40))
	xt := ndarray.RandomNormal(3, []int{270, 130}, chunk.Float64, chunk.Regular(100, 70)).T()
	v := ndarray.RandomNormal(4, []int{270}, chunk.Float64, chunk.Regular(100))
	batch := ndarray.RandomNormal(5, []int{3, 20, 270}, chunk.Float64, chunk.Regular(2, 20, 90))
	// Blocks larger than ops's 64x192x256 panels in every direction.
	p := ndarray.RandomNormal(6, []int{200, 600}, chunk.Float64, chunk.Regular(150, 300))
	q := ndarray.RandomUniform(7, []int{600, 400}, chunk.Float64, chunk.Regular(300, 250))
	cases := map[string]ndarray.Array{
		"x@y":             ndarray.Matmul(x, y),
		"float32 x@y":     ndarray.Matmul(x.AsType(chunk.Float32), y.AsType(chunk.Float32)),
		"transposed x@y":  ndarray.Matmul(xt, y),
		"x@transposed x":  ndarray.Matmul(x, x.T()),
		"vector@y":        ndarray.Matmul(v, y),
		"x@vector":        ndarray.Matmul(x, v),
		"batch@y":         ndarray.Matmul(batch, y),
		"dot(x,y)":        ndarray.Dot(x, y),
		"sum(p@q)":        ndarray.Matmul(p, q).Sum(),
		"p@q":             ndarray.Matmul(p, q),
		"float32 p@q sum": ndarray.Matmul(p.AsType(chunk.Float32), q.AsType(chunk.Float32)).Sum(),
	}
	one := exec.New(exec.Options{MemoryBudget: 256 << 20, Workers: 1})
	four := exec.New(exec.Options{MemoryBudget: 256 << 20, Workers: 4})
	for name, a := range cases {
		want, err := eager.EvalBounds(a.Node(), eager.Options{})
		if err != nil {
			t.Fatalf("%s: eager: %v", name, err)
		}
		got1, err := one.Compute(context.Background(), a)
		if err != nil {
			t.Fatalf("%s: 1 worker: %v", name, err)
		}
		got4, err := four.Compute(context.Background(), a)
		if err != nil {
			t.Fatalf("%s: 4 workers: %v", name, err)
		}
		if !bytes.Equal(got1.Bytes(), got4.Bytes()) {
			t.Errorf("%s: 1 and 4 workers give different bits", name)
		}
		if msg := withinBounds(want, got1); msg != "" {
			t.Errorf("%s: %s", name, msg)
		}
	}
	if d.Load() == 0 || s.Load() == 0 {
		t.Errorf("the engine called OpenBLAS's Dgemm %d and Sgemm %d times, want both", d.Load(), s.Load())
	}
}

// withinBounds describes the first element of got outside want's bound,
// or returns "".
func withinBounds(want *eager.Result, got *chunk.Dense) string {
	w := want.Value
	if got.DType() != w.DType() || !chunk.EqualInts(got.Shape(), w.Shape()) {
		return fmt.Sprintf("got %v%v, want %v%v", got.DType(), got.Shape(), w.DType(), w.Shape())
	}
	for i := range w.Len() {
		bound := 0.0
		if want.Err != nil {
			bound = want.Err[i]
		}
		x, y := w.Float64(i), got.Float64(i)
		switch {
		case math.IsInf(bound, 1):
		case math.IsNaN(x) || math.IsNaN(y):
			if !math.IsNaN(x) || !math.IsNaN(y) {
				return fmt.Sprintf("element %d: got %v, want %v", i, y, x)
			}
		case math.Abs(x-y) > bound:
			return fmt.Sprintf("element %d: got %v, want %v within %g", i, y, x, bound)
		}
	}
	return ""
}
