package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/ndarray"
)

// side returns the array side for the headline benchmarks: 20000 as in the
// project's figures, or NDCHUNK_BENCH_N.
func side(b *testing.B) int {
	if s := os.Getenv("NDCHUNK_BENCH_N"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 20000
}

func compute(b *testing.B, eng *exec.Engine, a ndarray.Array) {
	b.Helper()
	for i := 0; i < b.N; i++ {
		if _, err := eng.Compute(context.Background(), a); err != nil {
			b.Fatal(err)
		}
	}
	rep := eng.LastReport()
	b.ReportMetric(float64(rep.PeakLiveBytes)/(1<<20), "peak-live-MiB")
	b.ReportMetric(float64(rep.Tasks), "tasks")
}

// BenchmarkMeanRandom is the chunk-size challenge: the mean of a uniform
// random n x n float64 array under a 1 GiB budget.
func BenchmarkMeanRandom(b *testing.B) {
	n := side(b)
	for _, c := range []int{250, 500, 1000, 2000, 5000, 10000} {
		b.Run(fmt.Sprintf("chunks=%d", c), func(b *testing.B) {
			x := ndarray.RandomUniform(42, []int{n, n}, chunk.Float64, chunk.Regular(c, c))
			b.SetBytes(int64(n) * int64(n) * 8)
			compute(b, exec.New(exec.Options{MemoryBudget: 1 << 30}), x.Mean())
		})
	}
}

// BenchmarkSinCosTranspose is sum(sin(x) + cos(x.T)) under a 1 GiB budget.
func BenchmarkSinCosTranspose(b *testing.B) {
	n := side(b)
	for _, c := range []int{1000, 2000, 5000} {
		b.Run(fmt.Sprintf("chunks=%d", c), func(b *testing.B) {
			x := ndarray.RandomUniform(42, []int{n, n}, chunk.Float64, chunk.Regular(c, c))
			b.SetBytes(int64(n) * int64(n) * 8)
			compute(b, exec.New(exec.Options{MemoryBudget: 1 << 30}), x.Sin().Add(x.T().Cos()).Sum())
		})
	}
}

// BenchmarkFusedInMemory is sum(a*b + c) over three in-memory float64
// arrays of 128 MiB each (the closing-note figure uses 1 GiB each through
// `ndchunk challenge -expr fused`); SetBytes counts the bytes read.
func BenchmarkFusedInMemory(b *testing.B) {
	const n = 4096
	arrays := make([]ndarray.Array, 3)
	for k := range arrays {
		v := make([]float64, n*n)
		for i := range v {
			v[i] = float64((i+k)%7) * 0.5
		}
		arrays[k] = ndarray.FromSlice(v, []int{n, n}, chunk.Regular(512, n))
	}
	b.SetBytes(3 * n * n * 8)
	compute(b, exec.New(exec.Options{MemoryBudget: 1 << 30}), arrays[0].Mul(arrays[1]).Add(arrays[2]).Sum())
}

// BenchmarkTaskOverhead measures the engine's cost per task on a graph of
// 100,000 trivial tasks (one-element blocks).
func BenchmarkTaskOverhead(b *testing.B) {
	const n = 100000
	x := ndarray.Ones(chunk.Float64, []int{n}, chunk.Regular(1))
	y := x.Add(ndarray.Float(1))
	eng := exec.New(exec.Options{MemoryBudget: 1 << 30})
	for i := 0; i < b.N; i++ {
		if _, err := eng.Compute(context.Background(), y); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e3/float64(b.N*n), "µs/task")
	b.ReportMetric(float64(eng.LastReport().Tasks), "tasks")
}
