package netcdf

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
)

// The write benchmarks store a 256 MiB float32 NetCDF-4 variable with
// deflate level 1 and shuffle (or uncompressed: Raw), chunks of 2 MiB,
// region by region (one chunk each) from several goroutines as the engine
// does: once through libnetcdf's nc_put_vara (compression inside libhdf5,
// under the C library lock) and once through the direct chunk path
// (compression on the calling goroutines, H5Dwrite_chunk under the lock).

var benchShape = []int{64, 1024, 1024}
var benchChunks = []int{1, 512, 1024}

var benchData = sync.OnceValue(func() []float32 {
	// A smooth field with noise in the low bits: compresses about as
	// well as model output does.
	data := make([]float32, chunk.Size(benchShape))
	rng := newRand(11)
	i := 0
	for z := range benchShape[0] {
		for y := range benchShape[1] {
			for x := range benchShape[2] {
				data[i] = float32(280+10*math.Sin(float64(x)*0.01+float64(z))*math.Cos(float64(y)*0.013)) + float32(rng.Float64()*0.01)
				i++
			}
		}
	}
	return data
})

// benchDir is where the benchmarks write: $NDCHUNK_BENCH_DIR if set, else
// /dev/shm when it exists (so the disk's write-back does not swamp the
// differences between write paths), else a temporary directory.
func benchDir(b *testing.B) string {
	if d := os.Getenv("NDCHUNK_BENCH_DIR"); d != "" {
		return d
	}
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		d, err := os.MkdirTemp("/dev/shm", "ndchunk-bench-")
		if err == nil {
			b.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return b.TempDir()
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchWrite(b *testing.B, cfg createConfig, workers int, compress bool) {
	data := chunk.AsBytes(benchData())
	spec := dataset.Spec{Dims: []dataset.Dim{{Name: "t", Len: benchShape[0]}, {Name: "y", Len: benchShape[1]}, {Name: "x", Len: benchShape[2]}},
		Vars: []dataset.VarSpec{{Name: "temp", Dims: []string{"t", "y", "x"}, DType: chunk.Float32, Chunks: benchChunks}}}
	if compress {
		spec.Vars[0].Deflate, spec.Vars[0].Shuffle = 1, true
	}
	chunkBytes := chunk.Size(benchChunks) * 4
	nchunks := len(data) / chunkBytes
	dir := benchDir(b)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	var size int64
	var commit time.Duration
	cpu0 := cpuTime()
	for i := range b.N {
		path := filepath.Join(dir, "bench.nc")
		w, err := create(path, spec, dataset.CreateOptions{Overwrite: true}, cfg)
		if err != nil {
			b.Fatal(err)
		}
		s, _ := w.Sink("temp")
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for g := range workers {
			wg.Go(func() {
				for k := g; k < nchunks; k += workers {
					z, y := k/2, (k%2)*512
					r := chunk.Region{Start: []int{z, y, 0}, Shape: benchChunks}
					if err := s.WriteRegion(context.Background(), r, data[k*chunkBytes:(k+1)*chunkBytes]); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
		if err := s.Commit(context.Background()); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if err := w.Commit(context.Background()); err != nil {
			b.Fatal(err)
		}
		commit += time.Since(t0)
		if i == 0 {
			st, _ := os.Stat(path)
			size = st.Size()
		}
	}
	// CPU time of the process (all threads): on a shared machine the
	// wall time depends on the neighbours, this does not.
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(size)/float64(len(data)), "ratio")
	// Commit is mostly the fsync of the finished file.
	b.ReportMetric(float64(commit.Milliseconds())/float64(b.N), "commit-ms/op")
}

// BenchmarkWritePutVara writes through nc_put_vara from as many goroutines
// as there are CPUs (they take turns on the lock).
func BenchmarkWritePutVara(b *testing.B) {
	benchWrite(b, createConfig{noDirect: true}, runtime.GOMAXPROCS(0), true)
}

// BenchmarkWriteDirect writes through the direct chunk path, compressing
// on as many goroutines as there are CPUs.
func BenchmarkWriteDirect(b *testing.B) { benchWrite(b, createConfig{}, runtime.GOMAXPROCS(0), true) }

// BenchmarkWriteDirect1 is the direct path on one goroutine.
func BenchmarkWriteDirect1(b *testing.B) { benchWrite(b, createConfig{}, 1, true) }

// BenchmarkWritePutVaraRaw and BenchmarkWriteDirectRaw store the same
// variable chunked but uncompressed.
func BenchmarkWritePutVaraRaw(b *testing.B) {
	benchWrite(b, createConfig{noDirect: true}, runtime.GOMAXPROCS(0), false)
}

// BenchmarkWriteDirectRaw: see BenchmarkWritePutVaraRaw.
func BenchmarkWriteDirectRaw(b *testing.B) {
	benchWrite(b, createConfig{}, runtime.GOMAXPROCS(0), false)
}

// BenchmarkRead reads the variable back whole, chunk row by chunk row.
func BenchmarkRead(b *testing.B) {
	data := chunk.AsBytes(benchData())
	path := filepath.Join(b.TempDir(), "read.nc")
	spec := dataset.Spec{Dims: []dataset.Dim{{Name: "t", Len: benchShape[0]}, {Name: "y", Len: benchShape[1]}, {Name: "x", Len: benchShape[2]}},
		Vars: []dataset.VarSpec{{Name: "temp", Dims: []string{"t", "y", "x"}, DType: chunk.Float32, Chunks: benchChunks, Deflate: 1, Shuffle: true}}}
	w, err := Create(path, spec, dataset.CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	s, _ := w.Sink("temp")
	if err := s.WriteRegion(context.Background(), chunk.WholeRegion(benchShape), data); err != nil {
		b.Fatal(err)
	}
	s.Commit(context.Background())
	if err := w.Commit(context.Background()); err != nil {
		b.Fatal(err)
	}
	f, err := Open(path, dataset.OpenOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	v, _ := f.Var("temp")
	buf := make([]byte, chunk.Size(benchShape[1:])*4)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		for z := range benchShape[0] {
			r := chunk.Region{Start: []int{z, 0, 0}, Shape: []int{1, benchShape[1], benchShape[2]}}
			if err := v.ReadRegion(context.Background(), r, buf); err != nil {
				b.Fatal(err)
			}
		}
	}
}
