package netcdf

import (
	"os"
	"strconv"
	"testing"

	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/iotest"
)

// cubePath is the project's large read benchmark input: a NetCDF-4 file
// holding a float32 variable temp of shape (n, n, n) in chunks (1, n, n),
// made by bench/peers/make_cube.py. $NDCHUNK_CUBE overrides the default.
func cubePath(b *testing.B) string {
	p := os.Getenv("NDCHUNK_CUBE")
	if p == "" {
		p = "/tmp/iob/cube.nc"
	}
	if _, err := os.Stat(p); err != nil {
		b.Skipf("no cube file (%v): make it with bench/peers/make_cube.py", err)
	}
	return p
}

// BenchmarkReadCube reads the cube's variable chunk by chunk (from the page
// cache, after a first pass) from one and two goroutines, each into its own
// chunk-sized buffer: the raw ReadRegion throughput the engine's file
// reads see, through the direct path and through nc_get_vara.
func BenchmarkReadCube(b *testing.B) {
	path := cubePath(b)
	for _, how := range []string{"direct", "get_vara"} {
		for _, workers := range []int{1, 2} {
			b.Run(how+"/workers="+strconv.Itoa(workers), func(b *testing.B) {
				f, err := Open(path, dataset.OpenOptions{})
				if err != nil {
					b.Fatal(err)
				}
				defer f.Close()
				if how == "get_vara" {
					for _, r := range f.(*file).vars {
						r.directOnce.Do(func() {}) // never direct
					}
				}
				v, err := f.Var("temp")
				if err != nil {
					b.Fatal(err)
				}
				if (v.(*ncVar).ref.direct != nil) != (how == "direct") {
					b.Fatalf("%s: direct path %v", how, v.(*ncVar).ref.direct != nil)
				}
				iotest.BenchReadPlanes(b, v, workers)
			})
		}
	}
}
