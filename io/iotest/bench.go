package iotest

import (
	"context"
	"sync"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
)

// BenchReadPlanes reads v plane by plane along its first axis, the planes
// dealt round-robin to workers goroutines, and reports GB/s: the drivers'
// read-throughput benchmarks share it.
func BenchReadPlanes(b *testing.B, v dataset.Var, workers int) {
	shape := v.Shape()
	plane := chunk.Size(shape[1:]) * v.DType().Size()
	total := int64(shape[0]) * int64(plane)
	b.SetBytes(total)
	b.ResetTimer()
	for range b.N {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				dst := make([]byte, plane)
				r := chunk.Region{Start: make([]int, len(shape)), Shape: append([]int{1}, shape[1:]...)}
				for z := w; z < shape[0]; z += workers {
					r.Start[0] = z
					if err := v.ReadRegion(context.Background(), r, dst); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
	}
	b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
}
