package hdf5

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
)

// The benchmark file: a 8192 x 8192 float32 field (256 MiB) in 512 x 512
// chunks (1 MiB), stored plain ("/raw") and shuffled and deflated at level
// 1 ("/zip").
const (
	benchN     = 8192
	benchChunk = 512
)

var benchFile struct {
	once sync.Once
	path string
	err  error
}

// benchField is a smooth field with a little noise: compresses about 2:1
// like real model output, not to nothing.
func benchField(y0, x0, ny, nx int) []byte {
	out := make([]float32, ny*nx)
	for y := range ny {
		for x := range nx {
			gy, gx := y0+y, x0+x
			noise := float32(uint32(gy*2654435761+gx*40503)>>20) * 1e-6
			out[y*nx+x] = float32(math.Sin(float64(gy)*0.01)*math.Cos(float64(gx)*0.013)) + noise
		}
	}
	return chunk.AsBytes(out)
}

// benchInput writes the benchmark file once per test binary.
func benchInput(b *testing.B) string {
	b.Helper()
	benchFile.once.Do(func() {
		dir, err := os.MkdirTemp("", "ndchunk-hdf5-bench-")
		if err != nil {
			benchFile.err = err
			return
		}
		benchFile.path = filepath.Join(dir, "bench.h5")
		spec := dataset.Spec{Format: "h5", Dims: []dataset.Dim{{Name: "y", Len: benchN}, {Name: "x", Len: benchN}},
			Vars: []dataset.VarSpec{
				{Name: "raw", Dims: []string{"y", "x"}, DType: chunk.Float32, Chunks: []int{benchChunk, benchChunk}},
				{Name: "zip", Dims: []string{"y", "x"}, DType: chunk.Float32, Chunks: []int{benchChunk, benchChunk}, Deflate: 1, Shuffle: true},
			}}
		w, err := Driver{}.Create(benchFile.path, spec, dataset.CreateOptions{})
		if err != nil {
			benchFile.err = err
			return
		}
		for _, name := range []string{"raw", "zip"} {
			s, _ := w.Sink(name)
			for y := 0; y < benchN; y += benchChunk {
				r := chunk.Region{Start: []int{y, 0}, Shape: []int{benchChunk, benchN}}
				if err := s.WriteRegion(context.Background(), r, benchField(y, 0, benchChunk, benchN)); err != nil {
					benchFile.err = err
					w.Abort()
					return
				}
			}
		}
		benchFile.err = w.Commit(context.Background())
	})
	if benchFile.err != nil {
		b.Fatal(benchFile.err)
	}
	return benchFile.path
}

// chunkRegions lists the benchmark dataset's chunks.
func chunkRegions() []chunk.Region {
	var out []chunk.Region
	for y := 0; y < benchN; y += benchChunk {
		for x := 0; x < benchN; x += benchChunk {
			out = append(out, chunk.Region{Start: []int{y, x}, Shape: []int{benchChunk, benchChunk}})
		}
	}
	return out
}

// readAllChunks reads every chunk of v with workers goroutines, each
// reading straight into its own chunk-sized buffer.
func readAllChunks(b *testing.B, v dataset.Var, workers int) {
	regions := chunkRegions()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			dst := make([]byte, benchChunk*benchChunk*4)
			for i := w; i < len(regions); i += workers {
				if err := v.ReadRegion(context.Background(), regions[i], dst); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkReadChunks reads the 256 MiB dataset chunk by chunk (from the
// page cache): with ReadRegion from one goroutine and from two, and with a
// plain C loop of H5Dread, the floor any binding can reach.
func BenchmarkReadChunks(b *testing.B) {
	path := benchInput(b)
	const total = benchN * benchN * 4
	for _, name := range []string{"raw", "zip"} {
		for _, workers := range []int{1, 2} {
			b.Run(name+"/ReadRegion/workers="+strconv.Itoa(workers), func(b *testing.B) {
				f, err := Driver{}.Open(path, dataset.OpenOptions{})
				if err != nil {
					b.Fatal(err)
				}
				defer f.Close()
				v, err := f.Var(name)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(total)
				b.ResetTimer()
				for range b.N {
					readAllChunks(b, v, workers)
				}
				b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
		b.Run(name+"/C-H5Dread", func(b *testing.B) {
			exe := buildFloor(b)
			out, err := exec.Command(exe, path, "/"+name, strconv.Itoa(b.N)).CombinedOutput()
			if err != nil {
				b.Fatalf("readfloor: %v %s", err, out)
			}
			secs, err := strconv.ParseFloat(strings.Fields(string(out))[0], 64)
			if err != nil {
				b.Fatal(err)
			}
			// The program's own timing replaces the wall clock, which
			// includes starting it.
			b.ReportMetric(secs*1e9/float64(b.N), "ns/op")
			b.ReportMetric(float64(total)*float64(b.N)/secs/1e9, "GB/s")
		})
	}
}

// buildFloor compiles testdata/readfloor.c.
func buildFloor(b *testing.B) string {
	b.Helper()
	gcc := needTool(b, "gcc")
	cflags, err := exec.Command("pkg-config", "--cflags", "--libs", "hdf5").Output()
	if err != nil {
		b.Skipf("pkg-config hdf5: %v", err)
	}
	exe := filepath.Join(b.TempDir(), "readfloor")
	args := append([]string{"-O2", "-o", exe, "testdata/readfloor.c"}, strings.Fields(string(cflags))...)
	if out, err := exec.Command(gcc, args...).CombinedOutput(); err != nil {
		b.Fatalf("gcc: %v %s", err, out)
	}
	return exe
}

// BenchmarkWriteChunks writes a 64 MiB float32 field, shuffled and
// deflated at level 1, in whole 1 MiB chunks: through the Sink (chunks
// compressed on the writing goroutines, stored with H5Dwrite_chunk) from
// one and two goroutines, and with plain H5Dwrite of the same regions (the
// library compresses, serially).
func BenchmarkWriteChunks(b *testing.B) {
	const n = 4096
	var regions []chunk.Region
	var data [][]byte
	for y := 0; y < n; y += benchChunk {
		for x := 0; x < n; x += benchChunk {
			regions = append(regions, chunk.Region{Start: []int{y, x}, Shape: []int{benchChunk, benchChunk}})
			data = append(data, benchField(y, x, benchChunk, benchChunk))
		}
	}
	const total = n * n * 4
	spec := dataset.Spec{Format: "h5", Dims: []dataset.Dim{{Name: "y", Len: n}, {Name: "x", Len: n}},
		Vars: []dataset.VarSpec{{Name: "v", Dims: []string{"y", "x"}, DType: chunk.Float32, Chunks: []int{benchChunk, benchChunk}, Deflate: 1, Shuffle: true}}}
	run := func(b *testing.B, workers int, library bool) {
		dir := b.TempDir()
		b.SetBytes(total)
		for i := range b.N {
			dest := filepath.Join(dir, strconv.Itoa(i)+".h5")
			w, err := Driver{}.Create(dest, spec, dataset.CreateOptions{})
			if err != nil {
				b.Fatal(err)
			}
			s, _ := w.Sink("v")
			d := s.(*sink).d
			var wg sync.WaitGroup
			for g := range workers {
				wg.Go(func() {
					for k := g; k < len(regions); k += workers {
						var err error
						if library {
							err = d.Write(regions[k].Start, regions[k].Shape, data[k])
						} else {
							err = s.WriteRegion(context.Background(), regions[k], data[k])
						}
						if err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			if err := w.Commit(context.Background()); err != nil {
				b.Fatal(err)
			}
			os.Remove(dest)
		}
		b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
	}
	b.Run("direct/workers=1", func(b *testing.B) { run(b, 1, false) })
	b.Run("direct/workers=2", func(b *testing.B) { run(b, 2, false) })
	b.Run("H5Dwrite", func(b *testing.B) { run(b, 1, true) })
}
