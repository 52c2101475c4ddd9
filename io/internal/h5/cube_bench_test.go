package h5

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
)

// BenchmarkReadCube reads the project's large benchmark input (a NetCDF-4
// file holding a float32 dataset /temp of shape (n, n, n) in chunks
// (1, n, n), made by bench/peers/make_cube.py; $NDCHUNK_CUBE overrides
// /tmp/iob/cube.nc) plane by plane, from the page cache, from one and two
// goroutines: through the direct path and through the library's H5Dread
// (no chunk cache, as the drivers open unfiltered datasets).
func BenchmarkReadCube(b *testing.B) {
	path := os.Getenv("NDCHUNK_CUBE")
	if path == "" {
		path = "/tmp/iob/cube.nc"
	}
	if _, err := os.Stat(path); err != nil {
		b.Skipf("no cube file (%v): make it with bench/peers/make_cube.py", err)
	}
	f, err := Open(path, false)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	for _, how := range []string{"direct", "H5Dread"} {
		for _, workers := range []int{1, 2} {
			b.Run(how+"/workers="+strconv.Itoa(workers), func(b *testing.B) {
				d, err := f.OpenDataset("/temp", CacheOptions{None: true})
				if err != nil {
					b.Fatal(err)
				}
				defer d.Close()
				if how == "H5Dread" {
					d.raw = rawNone
				} else if !d.Direct() {
					b.Fatal("/temp is not read directly")
				}
				shape := d.Info().Shape
				plane := chunk.Size(shape[1:]) * d.Info().Type.DType.Size()
				total := int64(shape[0]) * int64(plane)
				b.SetBytes(total)
				b.ResetTimer()
				for range b.N {
					var wg sync.WaitGroup
					for w := range workers {
						wg.Go(func() {
							dst := make([]byte, plane)
							start := make([]int, len(shape))
							count := append([]int{1}, shape[1:]...)
							for z := w; z < shape[0]; z += workers {
								start[0] = z
								if err := d.Read(context.Background(), start, count, dst); err != nil {
									b.Error(err)
									return
								}
							}
						})
					}
					wg.Wait()
				}
				b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}
