package ops

import (
	"fmt"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
)

// Benchmarks of the data-movement, random and matrix-product kernels.
// Throughputs are reported as MB/s of bytes written (b.SetBytes) plus
// custom metrics: ns/elem for generators, GB/s for copies counting bytes
// read plus written, GFLOP/s for products.

// mvBenchSink keeps benchmark outputs alive so that the compiler cannot
// drop the stores of inlined kernels.
var mvBenchSink []byte

func mvBenchPerElem(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
}

func BenchmarkUniformFloat64(b *testing.B) {
	const n = 4096
	dst := make([]float64, n)
	mvBenchSink = chunk.AsBytes(dst)
	b.SetBytes(8 * n)
	for i := 0; b.Loop(); i++ {
		UniformFloat64(dst, 42, uint64(i)*n)
	}
	mvBenchPerElem(b, n)
}

// BenchmarkUniformFloat64Go is the portable kernel alone, the speed on
// machines without AVX-512.
func BenchmarkUniformFloat64Go(b *testing.B) {
	const n = 4096
	dst := make([]float64, n)
	mvBenchSink = chunk.AsBytes(dst)
	b.SetBytes(8 * n)
	key := rngKey(42, rngStreamUniform)
	for i := 0; b.Loop(); i++ {
		rngUniform64Go(dst, key, uint64(i)*n)
	}
	mvBenchPerElem(b, n)
}

// BenchmarkUniformSum generates and sums 4096-element tiles, the inner loop
// of the mean of a random array; the sum is a plain four-way unrolled loop
// standing in for the reduction kernels.
func BenchmarkUniformSum(b *testing.B) {
	const n = 4096
	dst := make([]float64, n)
	mvBenchSink = chunk.AsBytes(dst)
	var total float64
	for i := 0; b.Loop(); i++ {
		UniformFloat64(dst, 42, uint64(i)*n)
		var s0, s1, s2, s3 float64
		for j := 0; j < n; j += 4 {
			s0 += dst[j]
			s1 += dst[j+1]
			s2 += dst[j+2]
			s3 += dst[j+3]
		}
		total += s0 + s1 + s2 + s3
	}
	mvBenchPerElem(b, n)
	if total < 0 {
		b.Fatal(total)
	}
}

func BenchmarkUniformFloat32(b *testing.B) {
	const n = 4096
	dst := make([]byte, 4*n)
	mvBenchSink = dst
	b.SetBytes(4 * n)
	for i := 0; b.Loop(); i++ {
		FillRandom(dst, chunk.Float32, Uniform, 42, []int{1 << 40}, chunk.Region{Start: []int{i * n}, Shape: []int{n}})
	}
	mvBenchPerElem(b, n)
}

func BenchmarkNormalFloat64(b *testing.B) {
	const n = 4096
	dst := make([]float64, n)
	mvBenchSink = chunk.AsBytes(dst)
	b.SetBytes(8 * n)
	for i := 0; b.Loop(); i++ {
		NormalFloat64(dst, 42, uint64(i)*n)
	}
	mvBenchPerElem(b, n)
}

// BenchmarkFillRandomBlock fills a 512x512 block of a 20000x20000 array, as
// a task of the headline benchmark does (runs of 512 elements).
func BenchmarkFillRandomBlock(b *testing.B) {
	shape := []int{20000, 20000}
	r := chunk.Region{Start: []int{1024, 2048}, Shape: []int{512, 512}}
	dst := make([]byte, 8*r.Size())
	mvBenchSink = dst
	b.SetBytes(int64(len(dst)))
	for b.Loop() {
		FillRandom(dst, chunk.Float64, Uniform, 42, shape, r)
	}
	mvBenchPerElem(b, r.Size())
}

// mvBenchGBps reports bytes read plus written per second.
func mvBenchGBps(b *testing.B, bytesMoved int) {
	b.ReportMetric(float64(bytesMoved)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
}

func BenchmarkTranspose(b *testing.B) {
	for _, c := range []struct {
		shape, perm []int
		es          int
	}{
		{[]int{2000, 2000}, []int{1, 0}, 8},
		{[]int{2000, 2000}, []int{1, 0}, 4},
		{[]int{2000, 2000}, []int{1, 0}, 1},
		{[]int{100, 200, 300}, []int{2, 0, 1}, 8},
		{[]int{100, 200, 300}, []int{1, 0, 2}, 8},
	} {
		b.Run(fmt.Sprintf("%v_perm%v_es%d", c.shape, c.perm, c.es), func(b *testing.B) {
			n := chunk.Size(c.shape) * c.es
			src, dst := make([]byte, n), make([]byte, n)
			for i := range src {
				src[i] = byte(i)
			}
			mvBenchSink = dst
			b.SetBytes(int64(n))
			for b.Loop() {
				Transpose(dst, src, c.shape, c.perm, c.es)
			}
			mvBenchGBps(b, 2*n)
		})
	}
	// The memory speed to compare with: copy() of a 2000x2000 float64 array.
	b.Run("copy_reference_2000x2000_es8", func(b *testing.B) {
		n := 8 * 2000 * 2000
		src, dst := make([]byte, n), make([]byte, n)
		mvBenchSink = dst
		b.SetBytes(int64(n))
		for b.Loop() {
			copy(dst, src)
		}
		mvBenchGBps(b, 2*n)
	})
}

func BenchmarkCopyRegion(b *testing.B) {
	for _, c := range []struct {
		name                       string
		srcShape, dstShape, region []int
	}{
		// A 1000x1000 block out of a 4000x4000 array: rows of 8000 bytes.
		{"block", []int{4000, 4000}, []int{1000, 1000}, []int{1000, 1000}},
		// Whole trailing axes: one long copy.
		{"slab", []int{64, 1000, 100}, []int{16, 1000, 100}, []int{16, 1000, 100}},
		// Short rows (8 elements) out of a wide array.
		{"narrow", []int{100000, 100}, []int{100000, 8}, []int{100000, 8}},
	} {
		b.Run(c.name, func(b *testing.B) {
			src := make([]byte, 8*chunk.Size(c.srcShape))
			dst := make([]byte, 8*chunk.Size(c.dstShape))
			mvBenchSink = dst
			moved := 8 * chunk.Size(c.region)
			b.SetBytes(int64(moved))
			srcStart := make([]int, len(c.srcShape))
			dstStart := make([]int, len(c.dstShape))
			for b.Loop() {
				CopyRegion(dst, c.dstShape, dstStart, src, c.srcShape, srcStart, c.region, 8)
			}
			mvBenchGBps(b, 2*moved)
		})
	}
}

func BenchmarkBroadcastTo(b *testing.B) {
	// A (1000, 1) column to (1000, 1000), then a (1, 1000) row.
	for _, srcShape := range [][]int{{1000, 1}, {1, 1000}} {
		b.Run(fmt.Sprint(srcShape), func(b *testing.B) {
			dstShape := []int{1000, 1000}
			src := make([]byte, 8*chunk.Size(srcShape))
			dst := make([]byte, 8*chunk.Size(dstShape))
			mvBenchSink = dst
			b.SetBytes(int64(len(dst)))
			for b.Loop() {
				BroadcastTo(dst, dstShape, src, srcShape, 8)
			}
		})
	}
}

func BenchmarkCopyStrided(b *testing.B) {
	// x[::2, ::-3] of a 2000x3000 float64 array.
	srcShape := []int{2000, 3000}
	src := make([]byte, 8*chunk.Size(srcShape))
	count := []int{1000, 1000}
	dst := make([]byte, 8*chunk.Size(count))
	mvBenchSink = dst
	b.SetBytes(int64(len(dst)))
	for b.Loop() {
		CopyStrided(dst, src, srcShape, []int{0, 2999}, []int{2, -3}, count, 8)
	}
}

func BenchmarkGemm(b *testing.B) {
	for _, c := range []struct {
		dt      chunk.DType
		m, n, k int
	}{
		{chunk.Float64, 256, 256, 256},
		{chunk.Float64, 1024, 1024, 1024},
		{chunk.Float32, 256, 256, 256},
		{chunk.Int64, 256, 256, 256},
		{chunk.Int32, 256, 256, 256},
		{chunk.Bool, 256, 256, 256},
	} {
		b.Run(fmt.Sprintf("%s_%dx%dx%d", c.dt, c.m, c.n, c.k), func(b *testing.B) {
			es := c.dt.Size()
			x := make([]byte, c.m*c.k*es)
			y := make([]byte, c.k*c.n*es)
			z := make([]byte, c.m*c.n*es)
			for i := range c.m * c.k {
				chunk.StoreFloat64(c.dt, x, i, float64(i%7+1))
			}
			for i := range c.k * c.n {
				chunk.StoreFloat64(c.dt, y, i, float64(i%5))
			}
			mvBenchSink = z
			for b.Loop() {
				Gemm(c.dt, c.m, c.n, c.k, x, y, z, false)
			}
			flops := 2 * float64(c.m) * float64(c.n) * float64(c.k)
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
