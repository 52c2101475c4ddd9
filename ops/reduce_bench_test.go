package ops

import (
	"math/rand/v2"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
)

// redtBenchTile is the tile size the engine uses: a few thousand elements.
const redtBenchTile = 4096

// redtBench folds one tile of the given shape and dtype into a partial b.N
// times and reports ns/element.
func redtBench(b *testing.B, op ReduceOp, dt chunk.DType, shape []int, reduced []bool) {
	r, err := NewReducer(op, dt, reduced, shape, 0)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n := chunk.Size(shape)
	x := chunk.NewDense(dt, shape)
	for i := 0; i < n; i++ {
		x.SetFloat64(i, rng.NormFloat64()*10)
	}
	pshape := append([]int(nil), shape...)
	for a, red := range reduced {
		if red {
			pshape[a] = 1
		}
	}
	alloc := chunk.NewAllocator(0)
	p := r.NewPartial(alloc, pshape)
	defer p.Release()
	tile := Tile{Shape: shape}
	b.SetBytes(int64(n * dt.Size()))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.Accumulate(p, x.Bytes(), tile)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
}

// Case (a): every axis reduced, one pairwise pass over the tile.
func BenchmarkReduceSumFull(b *testing.B) {
	redtBench(b, Sum, chunk.Float64, []int{redtBenchTile}, []bool{true})
}

func BenchmarkReduceSumFullFloat32(b *testing.B) {
	redtBench(b, Sum, chunk.Float32, []int{redtBenchTile}, []bool{true})
}

func BenchmarkReduceSumFullInt32(b *testing.B) {
	redtBench(b, Sum, chunk.Int32, []int{redtBenchTile}, []bool{true})
}

// Case (b): trailing axis reduced, one pairwise pass per row.
func BenchmarkReduceSumRows(b *testing.B) {
	redtBench(b, Sum, chunk.Float64, []int{64, 64}, []bool{false, true})
}

// Case (c): leading axis reduced, column accumulation.
func BenchmarkReduceSumColumns(b *testing.B) {
	redtBench(b, Sum, chunk.Float64, []int{64, 64}, []bool{true, false})
}

func BenchmarkReduceSumColumnsFloat32(b *testing.B) {
	redtBench(b, Sum, chunk.Float32, []int{64, 64}, []bool{true, false})
}

// The generic path: a middle axis reduced.
func BenchmarkReduceSumMiddle(b *testing.B) {
	redtBench(b, Sum, chunk.Float64, []int{16, 16, 16}, []bool{false, true, false})
}

func BenchmarkReduceMeanFull(b *testing.B) {
	redtBench(b, Mean, chunk.Float64, []int{redtBenchTile}, []bool{true})
}

func BenchmarkReduceNanSumFull(b *testing.B) {
	redtBench(b, NanSum, chunk.Float64, []int{redtBenchTile}, []bool{true})
}

func BenchmarkReduceVarFull(b *testing.B) {
	redtBench(b, Var, chunk.Float64, []int{redtBenchTile}, []bool{true})
}

func BenchmarkReduceVarColumns(b *testing.B) {
	redtBench(b, Var, chunk.Float64, []int{64, 64}, []bool{true, false})
}

func BenchmarkReduceMaxFull(b *testing.B) {
	redtBench(b, Max, chunk.Float64, []int{redtBenchTile}, []bool{true})
}

func BenchmarkReduceArgMaxFull(b *testing.B) {
	redtBench(b, ArgMax, chunk.Float64, []int{redtBenchTile}, []bool{true})
}

func BenchmarkReduceArgMaxColumns(b *testing.B) {
	redtBench(b, ArgMax, chunk.Float64, []int{64, 64}, []bool{true, false})
}

func BenchmarkReduceCountNonzeroFull(b *testing.B) {
	redtBench(b, CountNonzero, chunk.Float64, []int{redtBenchTile}, []bool{true})
}

// BenchmarkReduceMerge merges two partials of 4096 sums.
func BenchmarkReduceMerge(b *testing.B) {
	r, err := NewReducer(Sum, chunk.Float64, []bool{true, false}, []int{8, redtBenchTile}, 0)
	if err != nil {
		b.Fatal(err)
	}
	alloc := chunk.NewAllocator(0)
	dst, src := r.NewPartial(alloc, []int{1, redtBenchTile}), r.NewPartial(alloc, []int{1, redtBenchTile})
	defer dst.Release()
	defer src.Release()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.Merge(dst, src)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/redtBenchTile, "ns/elem")
}

// BenchmarkScanCumSumRows scans a 64x64 float64 tile along its leading
// axis (a vector loop per row).
func BenchmarkScanCumSumRows(b *testing.B) {
	x := make([]float64, redtBenchTile)
	for i := range x {
		x[i] = float64(i)
	}
	d := chunk.AsBytes(x)
	b.SetBytes(int64(len(d)))
	for i := 0; i < b.N; i++ {
		Scan(CumSum, chunk.Float64, d, d, []int{64, 64}, 0, nil)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/redtBenchTile, "ns/elem")
}

// BenchmarkScanCumSumLine scans a 4096-element float64 line.
func BenchmarkScanCumSumLine(b *testing.B) {
	x := make([]float64, redtBenchTile)
	d := chunk.AsBytes(x)
	b.SetBytes(int64(len(d)))
	for i := 0; i < b.N; i++ {
		Scan(CumSum, chunk.Float64, d, d, []int{redtBenchTile}, 0, nil)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/redtBenchTile, "ns/elem")
}
