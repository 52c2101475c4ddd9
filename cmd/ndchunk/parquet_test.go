package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// readParquet reads a whole Parquet file with arrow-go's reader and returns
// its columns as float64s, in schema order.
func readParquet(t *testing.T, path string) ([]string, map[string][]float64, int64) {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	var names []string
	cols := map[string][]float64{}
	for i, f := range tbl.Schema().Fields() {
		names = append(names, f.Name)
		var vals []float64
		for _, c := range tbl.Column(i).Data().Chunks() {
			for j := 0; j < c.Len(); j++ {
				switch a := c.(type) {
				case *array.Float32:
					vals = append(vals, float64(a.Value(j)))
				case *array.Float64:
					vals = append(vals, a.Value(j))
				case *array.Int64:
					vals = append(vals, float64(a.Value(j)))
				case *array.Int32:
					vals = append(vals, float64(a.Value(j)))
				default:
					t.Fatalf("column %s: unexpected %T (%s)", f.Name, c, f.Type)
				}
			}
		}
		cols[f.Name] = vals
	}
	return names, cols, tbl.NumRows()
}

// TestConvertParquet: a long table read back by Arrow's own reader, with
// the coordinate values in row-major order of the dimensions.
func TestConvertParquet(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "t.parquet")
	// A tiny budget makes many row groups.
	ok(t, "convert", fixture("small.nc"), out, "--vars", "temp,pres", "--memory", "1MiB")
	names, cols, rows := readParquet(t, out)
	if rows != 12*5*8 || strings.Join(names, ",") != "time,lat,lon,temp,pres" {
		t.Fatalf("rows %d, columns %v", rows, names)
	}
	want := python(t, `
import sys, json, netCDF4, numpy as np
with netCDF4.Dataset(sys.argv[1]) as ds:
    ds.set_auto_maskandscale(False)
    print(json.dumps({k: np.asarray(ds[k][:], dtype="f8").ravel().tolist() for k in ("time", "lat", "lon", "temp", "pres")}))`, fixture("small.nc"))
	var ref map[string][]float64
	if err := json.Unmarshal([]byte(want), &ref); err != nil {
		t.Fatal(err)
	}
	for r := 0; r < int(rows); r++ {
		i, j, k := r/40, r/8%5, r%8
		if cols["time"][r] != ref["time"][i] || cols["lat"][r] != ref["lat"][j] || cols["lon"][r] != ref["lon"][k] {
			t.Fatalf("row %d: coordinates (%v, %v, %v)", r, cols["time"][r], cols["lat"][r], cols["lon"][r])
		}
		if cols["temp"][r] != ref["temp"][r] || cols["pres"][r] != ref["pres"][r] {
			t.Fatalf("row %d: temp %v pres %v, want %v %v", r, cols["temp"][r], cols["pres"][r], ref["temp"][r], ref["pres"][r])
		}
	}
	// Variables over different dims cannot make one long table.
	r := ndchunk(t, "", "convert", fixture("small.nc"), filepath.Join(dir, "bad.parquet"))
	if r.code != 1 || !strings.Contains(r.stderr, "a long table needs one set of dimensions") {
		t.Errorf("mismatched dims: exit %d %s", r.code, r.stderr)
	}
	// Dimensions without coordinate variables become index columns; eval
	// writes Parquet too.
	out2 := filepath.Join(dir, "e.parquet")
	ok(t, "eval", "x * 2", "--in", "x="+fixture("xy.nc")+":i", "--out", out2+":twice")
	names, cols, rows = readParquet(t, out2)
	if rows != 40*30 || strings.Join(names, ",") != "row,col,twice" {
		t.Fatalf("eval -> parquet: rows %d, columns %v", rows, names)
	}
	if cols["row"][31] != 1 || cols["col"][31] != 1 {
		t.Errorf("index columns: row 31 is (%v, %v)", cols["row"][31], cols["col"][31])
	}
	noTempFiles(t, dir)
}
