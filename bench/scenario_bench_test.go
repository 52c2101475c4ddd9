package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shape3 returns the shape of the file scenarios' benchmarks: 100x200x200
// float32 (16 MB), or NDCHUNK_BENCH_SHAPE (e.g. 400x500x500).
func shape3(b *testing.B) []int {
	s := os.Getenv("NDCHUNK_BENCH_SHAPE")
	if s == "" {
		return []int{100, 200, 200}
	}
	shape, err := ParseShape(s, 3)
	if err != nil {
		b.Fatal(err)
	}
	return shape
}

// cube generates the file scenarios' input once per benchmark.
func cube(b *testing.B, shape []int) Input {
	b.Helper()
	path := filepath.Join(b.TempDir(), "cube.nc")
	if err := GenerateCube(context.Background(), path, shape, 256<<20); err != nil {
		b.Fatal(err)
	}
	return Input{Name: "x", Path: path, Var: "temp"}
}

// runPoints runs a scenario's point for each chunking as a sub-benchmark,
// in this process, reporting the plan's tasks and the engine's peak.
func runPoints(b *testing.B, p Point, chunkList string) {
	choices, err := ParseChunkList(chunkList)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range choices {
		q := p
		if q.Chunks, err = c.Resolve(p.Shape); err != nil {
			b.Fatal(err)
		}
		b.Run("chunks="+strings.ReplaceAll(c.String(), "-1", "all"), func(b *testing.B) {
			q.OutDir = b.TempDir()
			var m Measurement
			for i := 0; i < b.N; i++ {
				if m, err = RunPoint(context.Background(), q, Hooks{}); err != nil {
					b.Fatal(err)
				}
				if m.Refused != "" {
					b.Skip("refused: " + m.Refused)
				}
			}
			b.ReportMetric(float64(m.PeakLive)/(1<<20), "peak-live-MiB")
			b.ReportMetric(float64(m.Tasks), "tasks")
		})
	}
}

// BenchmarkMatmul is the matmul scenario: sum(a @ b) of two 2000x2000
// random float64 matrices under a 1 GiB budget.
func BenchmarkMatmul(b *testing.B) {
	n := 2000
	if os.Getenv("NDCHUNK_BENCH_N") != "" {
		n = side(b)
	}
	runPoints(b, Point{Scenario: Matmul, Shape: []int{n, n}, Budget: 1 << 30}, "500,1000,2000")
}

// BenchmarkAnomaly is the anomaly scenario: x - mean(x, axis=0) of a
// generated float32 file, stored to NetCDF-4, under a 256 MiB budget.
func BenchmarkAnomaly(b *testing.B) {
	shape := shape3(b)
	in := cube(b, shape)
	runPoints(b, Point{Scenario: Anomaly, Shape: shape, Budget: 256 << 20, Inputs: []Input{in}}, "1x-1x-1;8x-1x-1;32x-1x-1")
}

// BenchmarkRechunk is the rechunk scenario with the library's copy
// (LibraryConvert; `ndchunk bench` runs `ndchunk convert`'s instead):
// time-major chunks into time series, under a 256 MiB budget.
func BenchmarkRechunk(b *testing.B) {
	shape := shape3(b)
	in := cube(b, shape)
	runPoints(b, Point{Scenario: Rechunk, Shape: shape, Budget: 256 << 20, Inputs: []Input{in}}, "-1x10x10;-1x50x50")
}

// BenchmarkFileExpr is the file-expr scenario with DefaultFileExpr over a
// generated file, under a 256 MiB budget.
func BenchmarkFileExpr(b *testing.B) {
	shape := shape3(b)
	in := cube(b, shape)
	runPoints(b, Point{Scenario: FileExpr, Shape: shape, Budget: 256 << 20, Inputs: []Input{in}, Expr: DefaultFileExpr},
		fmt.Sprintf("8x-1x-1;%dx-1x-1", shape[0]))
}
