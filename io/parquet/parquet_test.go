package parquet

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/ndarray"
)

// readBack reads a whole Parquet file with arrow-go's own reader.
func readBack(t *testing.T, path string) (arrow.Table, *file.Reader) {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdr.Close() })
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tbl.Release)
	return tbl, rdr
}

// colValues returns a table column as float64s.
func colValues(t *testing.T, tbl arrow.Table, name string) []float64 {
	t.Helper()
	for i := 0; i < int(tbl.NumCols()); i++ {
		if tbl.Schema().Field(i).Name != name {
			continue
		}
		var out []float64
		for _, c := range tbl.Column(i).Data().Chunks() {
			switch a := c.(type) {
			case *array.Float32:
				for _, v := range a.Float32Values() {
					out = append(out, float64(v))
				}
			case *array.Float64:
				out = append(out, a.Float64Values()...)
			case *array.Int64:
				for _, v := range a.Int64Values() {
					out = append(out, float64(v))
				}
			case *array.Int16:
				for _, v := range a.Int16Values() {
					out = append(out, float64(v))
				}
			case *array.Boolean:
				for j := 0; j < a.Len(); j++ {
					if a.Value(j) {
						out = append(out, 1)
					} else {
						out = append(out, 0)
					}
				}
			default:
				t.Fatalf("column %s: unexpected array type %T", name, c)
			}
		}
		return out
	}
	t.Fatalf("no column %s", name)
	return nil
}

func TestWriteReadBack(t *testing.T) {
	const nt, ny, nx = 7, 5, 6
	temp := make([]float32, nt*ny*nx)
	flag := make([]bool, nt*ny*nx)
	for i := range temp {
		temp[i] = float32(i)*0.5 - 3
		flag[i] = i%3 == 0
	}
	lat := make([]float64, ny)
	for i := range lat {
		lat[i] = -45 + 22.5*float64(i)
	}
	latD, _ := chunk.DenseOf([]int{ny}, lat)
	tempA := ndarray.FromSlice(temp, []int{nt, ny, nx}, chunk.Regular(2, 5, 6))
	flagA := ndarray.FromSlice(flag, []int{nt, ny, nx}, chunk.Regular(3, 2, 6))
	path := filepath.Join(t.TempDir(), "t.parquet")
	// A tiny row-group target (3 rows per group) gives many out-of-order
	// chances with several workers.
	eng := exec.New(exec.Options{MemoryBudget: 64 << 20, Workers: 4})
	st, err := Write(context.Background(), eng, path, Table{
		Dims:     []Dim{{Name: "time"}, {Name: "lat", Coord: latD}, {Name: "lon"}},
		Vars:     []Var{{Name: "temp", Array: tempA, Dims: []string{"time", "lat", "lon"}}, {Name: "flag", Array: flagA}},
		Metadata: map[string]string{"title": "test"},
	}, Options{RowGroupBytes: 3 * 2 * (8 + 8 + 8 + 4 + 1)})
	if err != nil {
		t.Fatal(err)
	}
	tbl, rdr := readBack(t, path)
	groups := rdr.NumRowGroups()
	if tbl.NumRows() != nt*ny*nx || st.Rows != nt*ny*nx {
		t.Fatalf("rows: file %d, stats %d, want %d", tbl.NumRows(), st.Rows, nt*ny*nx)
	}
	if groups != st.RowGroups || groups != nt*ny*2 {
		t.Errorf("row groups: file %d, stats %d, want %d", groups, st.RowGroups, nt*ny*2)
	}
	var names []string
	for _, f := range tbl.Schema().Fields() {
		names = append(names, f.Name)
	}
	if want := []string{"time", "lat", "lon", "temp", "flag"}; !slices.Equal(names, want) {
		t.Errorf("columns %v, want %v", names, want)
	}
	if v := rdr.MetaData().KeyValueMetadata().FindValue("title"); v == nil || *v != "test" {
		t.Errorf("metadata title = %v, want test", v)
	}
	tc, latc, lonc := colValues(t, tbl, "time"), colValues(t, tbl, "lat"), colValues(t, tbl, "lon")
	tv, fv := colValues(t, tbl, "temp"), colValues(t, tbl, "flag")
	for r := 0; r < nt*ny*nx; r++ {
		i, j, k := r/(ny*nx), r/nx%ny, r%nx
		if tc[r] != float64(i) || latc[r] != lat[j] || lonc[r] != float64(k) {
			t.Fatalf("row %d: coords (%v, %v, %v), want (%d, %v, %d)", r, tc[r], latc[r], lonc[r], i, lat[j], k)
		}
		if tv[r] != float64(temp[r]) {
			t.Fatalf("row %d: temp %v, want %v", r, tv[r], temp[r])
		}
		if (fv[r] == 1) != flag[r] {
			t.Fatalf("row %d: flag %v, want %v", r, fv[r], flag[r])
		}
	}
	if live := eng.Allocator().Stats().Live; live != 0 {
		t.Errorf("%d bytes still live after the write", live)
	}
}

func TestWriteMismatch(t *testing.T) {
	a := ndarray.Zeros(chunk.Float32, []int{4, 3}, chunk.Auto(0))
	b := ndarray.Zeros(chunk.Float32, []int{3, 4}, chunk.Auto(0))
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.parquet")
	eng := exec.New(exec.Options{MemoryBudget: 64 << 20})
	_, err := Write(context.Background(), eng, path, Table{
		Dims: []Dim{{Name: "y"}, {Name: "x"}},
		Vars: []Var{{Name: "a", Array: a}, {Name: "b", Array: b}},
	}, Options{})
	if !errors.Is(err, ErrMismatch) {
		t.Fatalf("err = %v, want ErrMismatch", err)
	}
	_, err = Write(context.Background(), eng, path, Table{
		Dims: []Dim{{Name: "y"}, {Name: "x"}},
		Vars: []Var{{Name: "a", Array: a, Dims: []string{"y", "x"}}, {Name: "c", Array: a, Dims: []string{"x", "y"}}},
	}, Options{})
	if !errors.Is(err, ErrMismatch) {
		t.Fatalf("err = %v, want ErrMismatch", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left behind: %v", ents)
	}
}

func TestWriteCancelled(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.parquet")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	eng := exec.New(exec.Options{MemoryBudget: 64 << 20})
	a := ndarray.RandomUniform(1, []int{1000, 100}, chunk.Float64, chunk.Regular(100, 100))
	_, err := Write(ctx, eng, path, Table{Dims: []Dim{{Name: "y"}, {Name: "x"}}, Vars: []Var{{Name: "a", Array: a}}}, Options{RowGroupBytes: 1 << 12})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left behind: %v", ents)
	}
}

func TestRowBlocks(t *testing.T) {
	for _, tc := range []struct {
		shape []int
		rows  int64
		want  []int
	}{
		{[]int{10, 4, 5}, 40, []int{2, 4, 5}},
		{[]int{10, 4, 5}, 1000, []int{10, 4, 5}},
		{[]int{10, 4, 5}, 7, []int{1, 1, 5}},
		{[]int{10, 4, 5}, 3, []int{1, 1, 3}},
		{[]int{100}, 30, []int{30}},
	} {
		g, err := RowBlocks(tc.shape, tc.rows)
		if err != nil {
			t.Fatal(err)
		}
		got := g.MaxBlockShape()
		if !chunk.EqualInts(got, tc.want) {
			t.Errorf("RowBlocks(%v, %d) = %v, want %v", tc.shape, tc.rows, got, tc.want)
		}
	}
}

// TestOrderedWriterReorders hands the row blocks over last first: the
// writer must buffer them and still write rows in order.
func TestOrderedWriterReorders(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	cols := []column{{name: "i", dtype: chunk.Int64, axis: 0}, {name: "v", dtype: chunk.Float64, isVar: true}}
	schema := arrow.NewSchema([]arrow.Field{{Name: "i", Type: arrow.PrimitiveTypes.Int64}, {Name: "v", Type: arrow.PrimitiveTypes.Float64}}, nil)
	fw, err := pqarrow.NewFileWriter(schema, f, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	grid, _ := chunk.RegularGrid([]int{10}, []int{3})
	alloc := chunk.NewAllocator(1 << 20)
	ow := &orderedWriter{fw: fw, schema: schema, cols: cols, grid: grid, alloc: alloc, pending: map[int]*pendingBlock{}}
	for b := grid.Len() - 1; b >= 0; b-- {
		idx := grid.BlockIndex(b)
		r := grid.BlockRegion(idx)
		vals := make([]float64, r.Size())
		for k := range vals {
			vals[k] = float64(r.Start[0]+k) * 1.5
		}
		in, _ := chunk.DenseOf(r.Shape, vals)
		out := chunk.NewDense(chunk.Uint8, []int{1})
		if err := ow.block(context.Background(), out, []*chunk.Dense{in}, ndarray.BlockInfo{Index: idx, Region: r}); err != nil {
			t.Fatal(err)
		}
		if want := b; b > 0 && len(ow.pending) != grid.Len()-want {
			t.Errorf("after block %d: %d pending, want %d", b, len(ow.pending), grid.Len()-want)
		}
	}
	if err := ow.finish(); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	if live := alloc.Stats().Live; live != 0 {
		t.Errorf("%d bytes of buffered blocks still live", live)
	}
	tbl, _ := readBack(t, path)
	iv, vv := colValues(t, tbl, "i"), colValues(t, tbl, "v")
	for k := 0; k < 10; k++ {
		if iv[k] != float64(k) || vv[k] != float64(k)*1.5 {
			t.Fatalf("row %d: (%v, %v), want (%d, %v)", k, iv[k], vv[k], k, float64(k)*1.5)
		}
	}
}
