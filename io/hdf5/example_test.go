package hdf5_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
	_ "github.com/ndchunk/ndchunk/io/hdf5"
)

// Write a chunked, compressed variable with a coordinate, then open the
// file and read a region back.
func Example() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "t.h5")
	ctx := context.Background()

	spec := dataset.Spec{
		Format: "h5",
		Dims:   []dataset.Dim{{Name: "x", Len: 6}},
		Vars: []dataset.VarSpec{
			{Name: "x", Dims: []string{"x"}, DType: chunk.Float64},
			{Name: "t", Dims: []string{"x"}, DType: chunk.Float32, Chunks: []int{3}, Deflate: 4, Shuffle: true,
				Attrs: []dataset.Attr{{Name: "units", Value: "K"}}},
		},
	}
	w, err := dataset.Create(path, spec, dataset.CreateOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	xs, _ := w.Sink("x")
	xs.WriteRegion(ctx, chunk.WholeRegion([]int{6}), chunk.AsBytes([]float64{0, 10, 20, 30, 40, 50}))
	ts, _ := w.Sink("t")
	ts.WriteRegion(ctx, chunk.WholeRegion([]int{6}), chunk.AsBytes([]float32{270, 271, 272, 273, 274, 275}))
	if err := w.Commit(ctx); err != nil {
		fmt.Println(err)
		return
	}

	f, err := dataset.Open(path, dataset.OpenOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	v, _ := f.Var("t")
	info := v.Info()
	fmt.Println(info.Name, info.Dims, info.DType, info.StorageChunks, info.Attrs)
	dst := make([]float32, 3)
	if err := v.ReadRegion(ctx, chunk.Region{Start: []int{2}, Shape: []int{3}}, chunk.AsBytes(dst)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(dst)
	// Output:
	// /t [x] float32 [3] [units = "K"]
	// [272 273 274]
}
