package netcdf

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"slices"
	"testing"

	"github.com/klauspost/compress/zlib"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/internal/h5"
	"github.com/ndchunk/ndchunk/ops"
)

func TestShuffle(t *testing.T) {
	for _, size := range []int{1, 2, 4, 8, 3} {
		src := make([]byte, 10*size+size-1) // trailing bytes of a partial element
		for i := range src {
			src[i] = byte(i*7 + 3)
		}
		got := make([]byte, len(src))
		shuffle(got, src, size)
		n := len(src) / size
		for j := range size {
			for i := range n {
				if got[j*n+i] != src[i*size+j] {
					t.Fatalf("size %d: byte %d of element %d went to %d", size, j, i, j*n+i)
				}
			}
		}
		if !bytes.Equal(got[n*size:], src[n*size:]) {
			t.Errorf("size %d: trailing bytes changed", size)
		}
		back := make([]byte, len(src))
		unshuffle(back, got, size)
		if !bytes.Equal(back, src) {
			t.Errorf("size %d: unshuffle(shuffle(x)) != x", size)
		}
	}
}

// TestDirectChunks writes NetCDF-4 variables of every filter combination
// through the direct path with regions of whole chunks (one, several,
// ragged edge ones) and others (partial chunks), then checks the values
// through libnetcdf and, chunk by chunk, that the stored bytes are this
// package's own shuffle + deflate of the data: the direct path was taken,
// and libhdf5 reads what it wrote.
func TestDirectChunks(t *testing.T) {
	shape := []int{10, 7, 6}
	chunks := []int{4, 3, 6}
	n := chunk.Size(shape)
	type variant struct {
		name    string
		dtype   chunk.DType
		deflate int
		shuffle bool
		fill    any
	}
	variants := []variant{
		{"raw_f8", chunk.Float64, 0, false, nil},
		{"shuffle_i2", chunk.Int16, 0, true, nil},
		{"deflate_u1", chunk.Uint8, 6, false, []uint8{9}},
		{"both_f4", chunk.Float32, 1, true, []float32{-1}},
		{"both_u8", chunk.Uint64, 9, true, nil},
	}
	spec := dataset.Spec{Dims: []dataset.Dim{{Name: "t", Len: 10, Unlimited: true}, {Name: "y", Len: 7}, {Name: "x", Len: 6}}}
	for _, v := range variants {
		spec.Vars = append(spec.Vars, dataset.VarSpec{Name: v.name, Dims: []string{"t", "y", "x"}, DType: v.dtype,
			Chunks: chunks, Deflate: v.deflate, Shuffle: v.shuffle, FillValue: v.fill})
	}
	path := filepath.Join(t.TempDir(), "direct.nc")
	w, err := Create(path, spec, dataset.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rng := newRand(3)
	data := map[string][]byte{}
	// Regions: a block of 2x1 whole chunks, single chunks, the ragged
	// corner, and rows 8-9 (a ragged edge along t, y split off-chunk).
	regions := []chunk.Region{
		{Start: []int{0, 0, 0}, Shape: []int{8, 3, 6}},
		{Start: []int{0, 3, 0}, Shape: []int{4, 3, 6}},
		{Start: []int{4, 3, 0}, Shape: []int{4, 3, 6}},
		{Start: []int{0, 6, 0}, Shape: []int{8, 1, 6}},
		{Start: []int{8, 0, 0}, Shape: []int{2, 5, 6}}, // partial chunks: H5Dwrite
		{Start: []int{8, 5, 0}, Shape: []int{2, 2, 6}},
	}
	for _, v := range variants {
		b := randomValues(rng, v.dtype, n)
		for i := range n {
			// Smooth values compress, so deflate really changes the bytes.
			chunk.StoreFloat64(v.dtype, b, i, float64(i%50))
		}
		data[v.name] = b
		s, err := w.Sink(v.name)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range regions {
			buf := make([]byte, r.Size()*v.dtype.Size())
			ops.CopyRegion(buf, r.Shape, make([]int, 3), b, shape, r.Start, r.Shape, v.dtype.Size())
			if err := s.WriteRegion(context.Background(), r, buf); err != nil {
				t.Fatalf("%s: write %v: %v", v.name, r, err)
			}
		}
		if err := s.Commit(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}

	f := mustOpen(t, path)
	if d, _ := f.Info().Dim("t"); d.Len != 10 || !d.Unlimited {
		t.Errorf("dimension t = %+v, want 10 unlimited", d)
	}
	for _, v := range variants {
		if got := readAll(t, f, v.name); !bytes.Equal(got, data[v.name]) {
			t.Errorf("%s: values differ", v.name)
		}
	}

	hf, err := h5.Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer hf.Close()
	for _, v := range variants {
		ds, err := hf.OpenDataset("/"+v.name, h5.CacheOptions{})
		if err != nil {
			t.Fatal(err)
		}
		es := v.dtype.Size()
		direct := 0
		for _, off := range [][]int{{0, 0, 0}, {4, 0, 0}, {0, 3, 0}, {4, 3, 0}, {0, 6, 0}, {4, 6, 0}} {
			raw, mask, written, err := ds.ReadChunk(off, nil)
			if err != nil || !written || mask != 0 {
				t.Fatalf("%s: chunk %v: written %v mask %d: %v", v.name, off, written, mask, err)
			}
			// The chunk as stored: full size, zero padded at the edges.
			want := make([]byte, chunk.Size(chunks)*es)
			ext := []int{min(4, 10-off[0]), min(3, 7-off[1]), 6}
			ops.CopyRegion(want, chunks, make([]int, 3), data[v.name], shape, off, ext, es)
			plain := raw
			if v.deflate > 0 {
				zr, err := zlib.NewReader(bytes.NewReader(raw))
				if err != nil {
					t.Fatalf("%s: chunk %v: %v", v.name, off, err)
				}
				if plain, err = io.ReadAll(zr); err != nil {
					t.Fatalf("%s: chunk %v: inflate: %v", v.name, off, err)
				}
			}
			if v.shuffle {
				un := make([]byte, len(plain))
				unshuffle(un, plain, es)
				plain = un
			}
			if !bytes.Equal(plain, want) {
				t.Errorf("%s: chunk %v: stored bytes do not decode to the data", v.name, off)
			}
			ours := want
			if v.shuffle {
				ours = make([]byte, len(want))
				shuffle(ours, want, es)
			}
			if v.deflate > 0 {
				var b bytes.Buffer
				if err := deflate(&b, ours, v.deflate); err != nil {
					t.Fatal(err)
				}
				ours = b.Bytes()
			}
			if bytes.Equal(raw, ours) {
				direct++
			}
		}
		if v.deflate > 0 && direct != 6 {
			t.Errorf("%s: %d of the 6 whole chunks hold this package's deflate stream; the direct path was not taken", v.name, direct)
		}
	}
}

// TestNonCoordNames: a variable named like a dimension but not its
// coordinate variable is stored by libnetcdf under another HDF5 name; a
// two-dimensional variable named like its first dimension is a dimension
// scale. The direct path must find both.
func TestNonCoordNames(t *testing.T) {
	spec := dataset.Spec{Dims: []dataset.Dim{{Name: "x", Len: 4}, {Name: "y", Len: 3}, {Name: "/g/x", Len: 2}},
		Vars: []dataset.VarSpec{
			{Name: "x", Dims: []string{"y"}, DType: chunk.Int32, Chunks: []int{3}},
			{Name: "y", Dims: []string{"y", "x"}, DType: chunk.Float32, Chunks: []int{1, 4}, Deflate: 2},
			{Name: "/g/x", Dims: []string{"x"}, DType: chunk.Int16},
			// A root variable spelled as a path.
			{Name: "/z", Dims: []string{"x"}, DType: chunk.Uint8, Chunks: []int{2}},
		}}
	path := filepath.Join(t.TempDir(), "names.nc")
	data := map[string][]byte{
		"x":    chunk.AsBytes([]int32{7, 8, 9}),
		"y":    chunk.AsBytes([]float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}),
		"/g/x": chunk.AsBytes([]int16{-1, -2, -3, -4}),
		"/z":   {5, 6, 7, 8},
	}
	storeDense(t, path, spec, data, createConfig{})
	// Opened with a chunk cache of its own, which libnetcdf 4.9.0 cannot
	// apply to the renamed x.
	f, err := Open(path, dataset.OpenOptions{CacheBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checkValues(t, f, "x", []int32{7, 8, 9})
	checkValues(t, f, "y", []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	checkValues(t, f, "/g/x", []int16{-1, -2, -3, -4})
	checkValues(t, f, "z", []uint8{5, 6, 7, 8})
	if vi, _ := f.Info().Var("z"); vi.Name != "z" || !slices.Equal(vi.Dims, []string{"x"}) {
		t.Errorf("z: name %q dims %q", vi.Name, vi.Dims)
	}
	for name, coord := range map[string]bool{"x": false, "y": false, "/g/x": false} {
		if vi, _ := f.Info().Var(name); vi.Coordinate != coord {
			t.Errorf("%s: Coordinate = %v", name, vi.Coordinate)
		}
	}
}

// TestDirectMatchesPutVara writes the same data through both paths and
// reads back the same values, dimensions and attributes.
func TestDirectMatchesPutVara(t *testing.T) {
	a := writeSample(t, "nc4", createConfig{})
	b := writeSample(t, "nc4", createConfig{noDirect: true})
	fa, fb := mustOpen(t, a.path), mustOpen(t, b.path)
	if !slices.Equal(fa.Info().Dims, fb.Info().Dims) || !slices.Equal(fa.Info().VarNames(), fb.Info().VarNames()) {
		t.Errorf("dims %v vars %v, put_vara %v %v", fa.Info().Dims, fa.Info().VarNames(), fb.Info().Dims, fb.Info().VarNames())
	}
	for _, name := range fa.Info().VarNames() {
		if !bytes.Equal(readAll(t, fa, name), readAll(t, fb, name)) {
			t.Errorf("%s: values differ between the paths", name)
		}
	}
}

func TestFillConversion(t *testing.T) {
	for _, c := range []struct {
		to   chunk.DType
		fill any
		want any // nil: refused
	}{
		{chunk.Int8, []int32{-7}, []int8{-7}},
		{chunk.Int8, []int32{200}, nil},
		{chunk.Uint8, []int64{255}, []uint8{255}},
		{chunk.Uint8, []int16{-1}, nil},
		{chunk.Uint64, []int64{9007199254740993}, []uint64{9007199254740993}},
		{chunk.Int64, []uint64{1 << 63}, nil},
		{chunk.Int64, []uint64{1<<63 - 1}, []int64{1<<63 - 1}},
		{chunk.Int64, []int8{-128}, []int64{-128}},
		{chunk.Int16, []int32{-32768}, []int16{-32768}},
		{chunk.Int16, []int32{-32769}, nil},
		{chunk.Float32, []float64{-9999.5}, []float32{-9999.5}},
		{chunk.Float32, []float64{0.1}, nil},
		{chunk.Float64, []int32{-1}, []float64{-1}},
		{chunk.Int32, []float64{1.5}, nil},
		{chunk.Bool, []bool{true}, []int8{1}},
	} {
		got, err := fillBytes(dataset.VarSpec{Name: "v", DType: c.to, FillValue: c.fill})
		switch {
		case c.want == nil && err == nil:
			t.Errorf("fill %v for %s: accepted as %v", c.fill, c.to, got)
		case c.want != nil && (err != nil || !bytes.Equal(got, anyBytes(c.want))):
			t.Errorf("fill %v for %s: %v, %v; want %v", c.fill, c.to, got, err, c.want)
		}
	}
}
