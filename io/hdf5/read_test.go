package hdf5

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/internal/h5"
)

// The formulas testdata/h5py_fixture.py fills its datasets with, of the
// row-major element index i.
func signedAt(i int) float64   { return float64(i*3 - 7) }
func unsignedAt(i int) float64 { return float64(i * 5) }
func floatAt(i int) float64    { return float64(i)*0.25 - 1.5 }
func boolAt(i int) float64 {
	if i%3 == 0 {
		return 1
	}
	return 0
}

// bigAt is the (100, 60) array of the chunked fixtures.
func bigAt(i int) float64 { return floatAt(i) }

func checkFormula(t *testing.T, name string, got []float64, want func(int) float64) {
	t.Helper()
	for i, g := range got {
		if w := want(i); g != w {
			t.Errorf("%s[%d] = %v, want %v", name, i, g, w)
			return
		}
	}
}

// TestReadH5pyNumeric reads every integer and float type h5py writes, in
// both byte orders, converted to the native dtype.
func TestReadH5pyNumeric(t *testing.T) {
	f := open(t, h5pyFixture(t))
	cases := []struct {
		code string
		dt   chunk.DType
		want func(int) float64
	}{
		{"i1", chunk.Int8, signedAt}, {"i2", chunk.Int16, signedAt}, {"i4", chunk.Int32, signedAt}, {"i8", chunk.Int64, signedAt},
		{"u1", chunk.Uint8, unsignedAt}, {"u2", chunk.Uint16, unsignedAt}, {"u4", chunk.Uint32, unsignedAt}, {"u8", chunk.Uint64, unsignedAt},
		{"f4", chunk.Float32, floatAt}, {"f8", chunk.Float64, floatAt},
		// h5py's float16 reads as float32: the library converts it.
		{"f2", chunk.Float32, floatAt},
	}
	for _, c := range cases {
		for _, order := range []string{"le", "be"} {
			name := fmt.Sprintf("/num/%s_%s", c.code, order)
			vi, ok := f.Info().Var(name)
			if !ok {
				t.Errorf("%s not listed", name)
				continue
			}
			if vi.DType != c.dt || !slices.Equal(vi.Shape, []int{3, 4}) || vi.Unsupported != "" {
				t.Errorf("%s: %s%v unsupported %q, want %s[3 4]", name, vi.DType, vi.Shape, vi.Unsupported, c.dt)
			}
			if c.code != "i1" && c.code != "u1" && strings.HasSuffix(vi.Type, "LE") != (order == "le") && c.code != "f2" {
				t.Errorf("%s: Type %q does not show the byte order", name, vi.Type)
			}
			checkFormula(t, name, readAll(t, f, name), c.want)
		}
	}
	checkFormula(t, "/bool", readAll(t, f, "bool"), boolAt)
	if vi, _ := f.Info().Var("bool"); vi.DType != chunk.Bool || vi.Type != "H5T_ENUM (bool)" {
		t.Errorf("bool: %s %q, want bool H5T_ENUM (bool)", vi.DType, vi.Type)
	}
}

// TestReadH5pyLayouts reads contiguous, compact and chunked datasets,
// scalars, empty datasets and nested groups.
func TestReadH5pyLayouts(t *testing.T) {
	f := open(t, h5pyFixture(t))
	info := f.Info()
	for name, layout := range map[string]string{"contiguous": "contiguous", "compact": "compact", "chunked": "chunked", "gzip_shuffle": "chunked"} {
		vi, _ := info.Var(name)
		if vi.Layout != layout {
			t.Errorf("%s: layout %q, want %q", name, vi.Layout, layout)
		}
	}
	checkFormula(t, "contiguous", readAll(t, f, "contiguous"), signedAt)
	checkFormula(t, "compact", readAll(t, f, "compact"), signedAt)
	for _, name := range []string{"chunked", "gzip_shuffle", "gzip_be", "fletcher"} {
		checkFormula(t, name, readAll(t, f, name), bigAt)
	}
	gz, _ := info.Var("gzip_shuffle")
	if !slices.Equal(gz.StorageChunks, []int{16, 25}) {
		t.Errorf("gzip_shuffle: storage chunks %v, want [16 25]", gz.StorageChunks)
	}
	wantFilters := []dataset.Filter{{Name: "shuffle", ID: 2, Params: []uint32{4}, Available: true}, {Name: "deflate", ID: 1, Params: []uint32{4}, Available: true}}
	if fmt.Sprint(gz.Filters) != fmt.Sprint(wantFilters) {
		t.Errorf("gzip_shuffle: filters %v, want %v", gz.Filters, wantFilters)
	}

	for name, want := range map[string]float64{"scalar_f8": 2.5, "scalar_i2": -3} {
		vi, _ := info.Var(name)
		if len(vi.Shape) != 0 || len(vi.Dims) != 0 {
			t.Errorf("%s: shape %v dims %q, want a scalar", name, vi.Shape, vi.Dims)
		}
		if got := readAll(t, f, name); len(got) != 1 || got[0] != want {
			t.Errorf("%s = %v, want [%v]", name, got, want)
		}
	}
	for _, name := range []string{"empty", "empty_chunked"} {
		vi, _ := info.Var(name)
		if !slices.Equal(vi.Shape, []int{0, 3}) {
			t.Errorf("%s: shape %v, want [0 3]", name, vi.Shape)
		}
		if got := readAll(t, f, name); len(got) != 0 {
			t.Errorf("%s: read %d elements", name, len(got))
		}
	}
	if !slices.Equal(info.Groups, []string{"/", "/g1", "/g1/g2", "/num"}) {
		t.Errorf("groups %q", info.Groups)
	}
	checkFormula(t, "/g1/g2/deep", readAll(t, f, "/g1/g2/deep"), unsignedAt)
	checkFormula(t, "g1/mid", readAll(t, f, "g1/mid"), floatAt)

	// Some chunks were never written: they read as the fill value, on the
	// direct path (whole chunks) and through the library.
	part, _ := info.Var("partial")
	if !slices.Equal(chunkInts(part.FillValue), []int{-9}) {
		t.Errorf("partial: fill value %v, want [-9]", part.FillValue)
	}
	got := readAll(t, f, "partial")
	for i, g := range got {
		r, c := i/40, i%40
		want := -9.0
		switch {
		case r < 10 && c < 10:
			want = 1
		case r >= 30 && c >= 10 && c < 20:
			want = 2
		}
		if g != want {
			t.Fatalf("partial[%d,%d] = %v, want %v", r, c, g, want)
		}
	}
}

func chunkInts(v any) []int {
	s, ok := v.([]int16)
	if !ok {
		return nil
	}
	out := make([]int, len(s))
	for i, x := range s {
		out[i] = int(x)
	}
	return out
}

// TestReadH5pyRegions reads random regions, chunk-aligned and not, of the
// chunked fixtures and checks them against the formula: aligned regions of
// gzip_shuffle take the direct path (raw chunks decoded in Go), the others
// the library's.
func TestReadH5pyRegions(t *testing.T) {
	f := open(t, h5pyFixture(t))
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range []string{"chunked", "gzip_shuffle", "gzip_be", "fletcher"} {
		v, err := f.Var(name)
		if err != nil {
			t.Fatal(err)
		}
		if want := name == "gzip_shuffle"; v.(*variable).direct != want {
			t.Errorf("%s: direct reads %v, want %v", name, v.(*variable).direct, want)
		}
		var regions []chunk.Region
		for range 40 {
			r := chunk.Region{Start: make([]int, 2), Shape: make([]int, 2)}
			for a, n := range []int{100, 60} {
				r.Start[a] = rng.IntN(n)
				r.Shape[a] = 1 + rng.IntN(n-r.Start[a])
			}
			regions = append(regions, r)
		}
		// Aligned: whole chunks, including the ragged last ones.
		for _, r := range [][4]int{{0, 0, 16, 25}, {16, 25, 32, 25}, {96, 50, 4, 10}, {80, 0, 20, 60}, {0, 0, 100, 60}} {
			regions = append(regions, chunk.Region{Start: []int{r[0], r[1]}, Shape: []int{r[2], r[3]}})
		}
		for _, r := range regions {
			got := readRegion(t, v, r)
			k := 0
			for i := r.Start[0]; i < r.Stop(0); i++ {
				for j := r.Start[1]; j < r.Stop(1); j++ {
					if want := bigAt(i*60 + j); got[k] != want {
						t.Fatalf("%s%v: element [%d,%d] = %v, want %v", name, r, i, j, got[k], want)
					}
					k++
				}
			}
		}
	}
}

// TestReadH5pyDimsAndAttrs checks dimension names from scales and labels,
// and attributes of every kind.
func TestReadH5pyDimsAndAttrs(t *testing.T) {
	f := open(t, h5pyFixture(t))
	info := f.Info()
	temp, _ := info.Var("temp")
	if !slices.Equal(temp.Dims, []string{"y", "x"}) {
		t.Errorf("temp: dims %q, want [y x] (from its dimension scales)", temp.Dims)
	}
	lab, _ := info.Var("labelled")
	if !slices.Equal(lab.Dims, []string{"row", "col"}) {
		t.Errorf("labelled: dims %q, want [row col] (from its labels)", lab.Dims)
	}
	plain, _ := info.Var("contiguous")
	if !slices.Equal(plain.Dims, []string{"", ""}) {
		t.Errorf("contiguous: dims %q, want two empty names", plain.Dims)
	}
	for _, name := range []string{"x", "y"} {
		vi, _ := info.Var(name)
		if !vi.Coordinate || !slices.Equal(vi.Dims, []string{name}) {
			t.Errorf("%s: coordinate %v dims %q, want a coordinate variable", name, vi.Coordinate, vi.Dims)
		}
		for _, a := range vi.Attrs {
			if a.Name == "CLASS" || a.Name == "NAME" || a.Name == "REFERENCE_LIST" {
				t.Errorf("%s: dimension-scale bookkeeping attribute %s is listed", name, a.Name)
			}
		}
	}
	for _, d := range []dataset.Dim{{Name: "x", Len: 4}, {Name: "y", Len: 3}, {Name: "row", Len: 3}, {Name: "col", Len: 4}} {
		if got, ok := info.Dim(d.Name); !ok || got != d {
			t.Errorf("dimension %s: %v %v, want %v", d.Name, got, ok, d)
		}
	}
	want := []dataset.Attr{
		{Name: "s_vlen", Value: "Zürich °C"},
		{Name: "s_fixed", Value: "fixed"},
		{Name: "s_array", Value: "first"},
		{Name: "i32", Value: []int32{-5}},
		{Name: "u8_be", Value: []uint64{1, 2, 3}},
		{Name: "f64s", Value: []float64{0.5, -1.25}},
		{Name: "f32", Value: []float32{1.5}},
		{Name: "flag", Value: []bool{true}},
	}
	check := func(where string, got []dataset.Attr, want []dataset.Attr) {
		t.Helper()
		if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
			t.Errorf("%s attributes:\n got %#v\nwant %#v", where, got, want)
		}
	}
	// The compound attribute has no place in the model and is left out.
	check("global", info.Attrs, want)
	check("temp", temp.Attrs, append(slices.Clone(want), dataset.Attr{Name: "units", Value: "K"}))
}

// TestUnsupportedTypes lists compound, string, enum, vlen, opaque, array
// and reference datasets with a reason, and refuses to open them.
func TestUnsupportedTypes(t *testing.T) {
	path := h5pyFixture(t)
	f := open(t, path)
	for name, kind := range map[string]string{
		"compound": "compound", "str_fixed": "string", "str_vlen": "string", "enum": "enum",
		"vlen": "vlen", "opaque": "opaque", "array": "array", "ref": "reference",
	} {
		vi, ok := f.Info().Var(name)
		if !ok {
			t.Errorf("%s is not listed", name)
			continue
		}
		if vi.DType != chunk.Invalid || !strings.Contains(vi.Unsupported, kind) {
			t.Errorf("%s: dtype %s unsupported %q, want invalid and a reason naming %s", name, vi.DType, vi.Unsupported, kind)
		}
		_, err := f.Var(name)
		if !errors.Is(err, chunk.ErrUnsupported) {
			t.Errorf("Var(%s): %v, want chunk.ErrUnsupported", name, err)
			continue
		}
		for _, s := range []string{path, "/" + name, kind} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("Var(%s): error %q does not name %q", name, err, s)
			}
		}
	}
}

// TestMissingFilter reads h5py's lzf-compressed dataset: libhdf5 lacks the
// filter, so Info says so, Var refuses, and a read through the library
// fails the same way.
func TestMissingFilter(t *testing.T) {
	path := h5pyFixture(t)
	f := open(t, path)
	vi, _ := f.Info().Var("lzf")
	if len(vi.Filters) != 1 || vi.Filters[0].Name != "lzf" || vi.Filters[0].ID != 32000 || vi.Filters[0].Available {
		t.Errorf("lzf: filters %+v, want lzf (32000) unavailable", vi.Filters)
	}
	if vi.DType != chunk.Float32 || !strings.Contains(vi.Unsupported, "lzf") {
		t.Errorf("lzf: dtype %s unsupported %q", vi.DType, vi.Unsupported)
	}
	_, err := f.Var("lzf")
	if !errors.Is(err, dataset.ErrFilter) || !strings.Contains(err.Error(), "lzf") || !strings.Contains(err.Error(), path) {
		t.Errorf("Var(lzf): %v, want dataset.ErrFilter naming the filter and the file", err)
	}
	// At read time: bypass Var's check with a variable built by hand.
	ff := f.(*file)
	d, err := ff.h.OpenDataset("/lzf", h5.CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v := &variable{f: ff, d: d, info: vi}
	err = v.ReadRegion(context.Background(), chunk.WholeRegion(vi.Shape), make([]byte, 6000*4))
	if !errors.Is(err, dataset.ErrFilter) || !strings.Contains(err.Error(), "lzf") || !strings.Contains(err.Error(), "/lzf") {
		t.Errorf("read lzf: %v, want dataset.ErrFilter naming the filter and the variable", err)
	}
}

// TestReadH5import reads files made by HDF5's own h5import: big-endian
// float32 and 16-bit integers, chunked and compressed.
func TestReadH5import(t *testing.T) {
	h5import := needTool(t, "h5import")
	dir := t.TempDir()
	var text strings.Builder
	for i := range 12 {
		fmt.Fprintf(&text, "%g ", floatAt(i))
	}
	var ints strings.Builder
	for i := range 12 {
		fmt.Fprintf(&ints, "%d ", int(signedAt(i)))
	}
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fin := write("f.txt", text.String())
	iin := write("i.txt", ints.String())
	fcfg := write("f.cfg", "PATH /grp/floats\nINPUT-CLASS TEXTFP\nRANK 2\nDIMENSION-SIZES 3 4\nOUTPUT-CLASS FP\nOUTPUT-SIZE 32\nOUTPUT-ARCHITECTURE IEEE\nOUTPUT-BYTE-ORDER BE\n")
	icfg := write("i.cfg", "PATH /ints\nINPUT-CLASS TEXTIN\nRANK 2\nDIMENSION-SIZES 3 4\nOUTPUT-CLASS IN\nOUTPUT-SIZE 16\nOUTPUT-ARCHITECTURE STD\nOUTPUT-BYTE-ORDER LE\nCHUNKED-DIMENSION-SIZES 2 2\nCOMPRESSION-TYPE GZIP\nCOMPRESSION-PARAM 6\n")
	out := filepath.Join(dir, "imported.h5")
	cmd := exec.Command(h5import, fin, "-c", fcfg, iin, "-c", icfg, "-o", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("h5import: %v\n%s", err, b)
	}
	f := open(t, out)
	fv, _ := f.Info().Var("/grp/floats")
	if fv.DType != chunk.Float32 || fv.Type != "H5T_IEEE_F32BE" {
		t.Errorf("/grp/floats: %s %q, want float32 H5T_IEEE_F32BE", fv.DType, fv.Type)
	}
	checkFormula(t, "/grp/floats", readAll(t, f, "/grp/floats"), floatAt)
	iv, _ := f.Info().Var("ints")
	if iv.DType != chunk.Int16 || !slices.Equal(iv.StorageChunks, []int{2, 2}) {
		t.Errorf("/ints: %s chunks %v, want int16 chunks [2 2]", iv.DType, iv.StorageChunks)
	}
	checkFormula(t, "/ints", readAll(t, f, "ints"), signedAt)
	v, _ := f.Var("ints")
	// Whole chunks, the ragged last column included, on the direct path.
	got := readRegion(t, v, chunk.Region{Start: []int{2, 2}, Shape: []int{1, 2}})
	if want := []float64{signedAt(10), signedAt(11)}; !slices.Equal(got, want) {
		t.Errorf("/ints[2:3, 2:4] = %v, want %v", got, want)
	}
}
