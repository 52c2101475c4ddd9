package netcdf_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/netcdf"
	"github.com/ndchunk/ndchunk/ndarray"
)

// Store an array into a compressed NetCDF-4 file with the engine, then
// read part of it back.
func Example() {
	dir, _ := os.MkdirTemp("", "ndchunk-example-")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "field.nc")
	ctx := context.Background()

	spec := dataset.Spec{
		Format: "nc4",
		Dims:   []dataset.Dim{{Name: "time", Len: 4, Unlimited: true}, {Name: "x", Len: 6}},
		Vars: []dataset.VarSpec{{
			Name: "t", Dims: []string{"time", "x"}, DType: chunk.Float32,
			Chunks: []int{2, 6}, Deflate: 1, Shuffle: true,
			Attrs: []dataset.Attr{{Name: "units", Value: "K"}},
		}},
		Attrs: []dataset.Attr{{Name: "title", Value: "example"}},
	}
	w, err := netcdf.Create(path, spec, dataset.CreateOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	sink, _ := w.Sink("t")
	a := ndarray.Arange(0, 24, 1, chunk.Float32, chunk.Regular(24)).Reshape(4, 6).Rechunk(chunk.Regular(2, 6))
	e := exec.New(exec.Options{MemoryBudget: 16 << 20, KeepGoMemoryLimit: true})
	if err := e.Store(ctx, a, sink); err != nil {
		fmt.Println(err)
		return
	}
	if err := w.Commit(ctx); err != nil {
		fmt.Println(err)
		return
	}

	f, err := netcdf.Open(path, dataset.OpenOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	vi, _ := f.Info().Var("t")
	fmt.Println(f.Info().Format, vi.Dims, vi.Shape, vi.DType, vi.StorageChunks, vi.Filters[1].Name)
	v, _ := f.Var("t")
	row := make([]float32, 6)
	if err := v.ReadRegion(ctx, chunk.Region{Start: []int{3, 0}, Shape: []int{1, 6}}, chunk.AsBytes(row)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(row)
	// Output:
	// nc4 [time x] [4 6] float32 [2 6] deflate
	// [18 19 20 21 22 23]
}
