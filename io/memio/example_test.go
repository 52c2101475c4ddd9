package memio_test

import (
	"context"
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/memio"
	"github.com/ndchunk/ndchunk/ndarray"
)

// Store an array into an in-memory file with the engine, then read part of
// it back.
func Example() {
	ctx := context.Background()
	spec := dataset.Spec{
		Format: memio.Format,
		Dims:   []dataset.Dim{{Name: "y", Len: 2}, {Name: "x", Len: 3}},
		Vars: []dataset.VarSpec{{
			Name: "t", Dims: []string{"y", "x"}, DType: chunk.Float64,
			Attrs: []dataset.Attr{{Name: "units", Value: "K"}},
		}},
	}
	w, err := dataset.Create("example.mem", spec, dataset.CreateOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	sink, _ := w.Sink("t")
	a := ndarray.FromSlice([]float64{1, 2, 3, 4, 5, 6}, []int{2, 3}, chunk.Regular(1, 2))
	e := exec.New(exec.Options{KeepGoMemoryLimit: true})
	if err := e.Store(ctx, a, sink); err != nil {
		fmt.Println(err)
		return
	}
	if err := w.Commit(ctx); err != nil {
		fmt.Println(err)
		return
	}
	defer memio.Remove("example.mem")

	f, _ := memio.Open("example.mem")
	v, _ := f.Var("t")
	col := make([]float64, 2)
	err = v.ReadRegion(ctx, chunk.Region{Start: []int{0, 1}, Shape: []int{2, 1}}, chunk.AsBytes(col))
	fmt.Println(v.Info().Attrs[0], col, err)
	// Output: units = "K" [2 5] <nil>
}
