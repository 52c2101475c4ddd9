package parquet_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/parquet"
	"github.com/ndchunk/ndchunk/ndarray"
)

// A temperature field over (time, lat) written as a long table: columns
// time (the index), lat (its coordinate values) and temp.
func Example() {
	dir, err := os.MkdirTemp("", "parquet-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	lat, _ := chunk.DenseOf([]int{3}, []float32{-30, 0, 30})
	temp := ndarray.RandomUniform(1, []int{100, 3}, chunk.Float32, chunk.Regular(25, 3))
	eng := exec.New(exec.Options{MemoryBudget: 64 << 20})
	st, err := parquet.Write(context.Background(), eng, filepath.Join(dir, "temp.parquet"), parquet.Table{
		Dims: []parquet.Dim{{Name: "time"}, {Name: "lat", Coord: lat}},
		Vars: []parquet.Var{{Name: "temp", Array: temp}},
	}, parquet.Options{RowGroupBytes: 1 << 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Rows, "rows in", st.RowGroups, "row groups")
	// Output: 300 rows in 10 row groups
}
