package h5_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/internal/h5"
)

// Write a chunk compressed outside the library, then read it back through
// the library's own filter pipeline.
func Example() {
	dir, _ := os.MkdirTemp("", "h5example")
	defer os.RemoveAll(dir)
	f, err := h5.Create(filepath.Join(dir, "x.h5"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	d, err := f.CreateDataset("/grp/v", h5.DatasetSpec{DType: chunk.Int32, Shape: []int{8}, Chunks: []int{4}, Shuffle: true, Deflate: 6}, h5.CacheOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	codec, _ := h5.NewCodec(d.Info().Filters, 4)
	for i, part := range [][]int32{{1, 2, 3, 4}, {5, 6, 7, 8}} {
		stored, _ := codec.Encode(chunk.AsBytes(part), nil)
		if err := d.WriteChunk([]int{4 * i}, 0, stored); err != nil {
			fmt.Println(err)
			return
		}
	}
	got := make([]int32, 6)
	if err := d.Read(context.Background(), []int{1}, []int{6}, chunk.AsBytes(got)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(got, d.Info().Filters[1].Name)
	_, err = f.OpenDataset("/nope", h5.CacheOptions{})
	fmt.Println(err)
	// Output:
	// [2 3 4 5 6 7] deflate
	// H5Dopen /nope: unable to open dataset: traversal operator failed: object 'nope' doesn't exist
}
