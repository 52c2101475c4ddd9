package hdf5

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/ops"
)

// interopSpec is the file the interop tests write: coordinate variables,
// a dimension without one, an unlimited dimension, a group, every layout,
// fill values, and attributes of each kind.
func interopSpec() dataset.Spec {
	return dataset.Spec{
		Format: "h5",
		Dims: []dataset.Dim{
			{Name: "time", Len: 5, Unlimited: true}, {Name: "y", Len: 6}, {Name: "x", Len: 8}, {Name: "nv", Len: 3},
		},
		Attrs: []dataset.Attr{
			{Name: "title", Value: "ndchunk interop"},
			{Name: "version", Value: []int16{1, 2}},
			{Name: "pi", Value: []float64{3.25}},
		},
		Vars: []dataset.VarSpec{
			{Name: "time", Dims: []string{"time"}, DType: chunk.Float64, Attrs: []dataset.Attr{{Name: "units", Value: "days since 2000-01-01"}}},
			{Name: "y", Dims: []string{"y"}, DType: chunk.Float32},
			{Name: "x", Dims: []string{"x"}, DType: chunk.Int32},
			{Name: "temp", Dims: []string{"time", "y", "x"}, DType: chunk.Float32, Chunks: []int{1, 3, 4}, Deflate: 4, Shuffle: true,
				FillValue: []float32{-999}, Attrs: []dataset.Attr{{Name: "units", Value: "K"}, {Name: "valid_range", Value: []float32{-100, 100}}}},
			{Name: "/grp/counts", Dims: []string{"y", "x"}, DType: chunk.Uint16, Chunks: []int{4, 3}, Deflate: 1},
			{Name: "flags", Dims: []string{"y", "x"}, DType: chunk.Bool},
			{Name: "bounds", Dims: []string{"nv"}, DType: chunk.Int8},
			{Name: "scalar", DType: chunk.Int64, Attrs: []dataset.Attr{{Name: "note", Value: ""}}},
			{Name: "wide", Dims: []string{"y", "x"}, DType: chunk.Float64, Chunks: []int{6, 8}, Shuffle: true},
		},
	}
}

// interopValue is the value written at element i of the variable.
func interopValue(name string, i int) float64 {
	switch strings.TrimPrefix(name, "/") {
	case "time":
		return float64(i) * 0.5
	case "y":
		return float64(i)*10 - 25
	case "x":
		return float64(i*1000 - 3000)
	case "temp":
		return float64(i%97)*0.5 - 20
	case "grp/counts":
		return float64(i * 1000 % 65536)
	case "flags":
		return float64(i % 2)
	case "bounds":
		return float64(-i)
	case "scalar":
		return -1 << 40
	case "wide":
		return float64(i) * 1.0e100
	}
	panic(name)
}

// writeInterop writes interopSpec to path: whole variables, several
// goroutines writing whole chunks of temp (the direct path) and rows of
// /grp/counts (the library path).
func writeInterop(t *testing.T, path string) dataset.Spec {
	t.Helper()
	spec := interopSpec()
	w, err := Driver{}.Create(path, spec, dataset.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for _, vs := range spec.Vars {
		shape, _ := spec.Shape(vs)
		data := make([]byte, chunk.Size(shape)*vs.DType.Size())
		for i := range chunk.Size(shape) {
			chunk.StoreFloat64(vs.DType, data, i, interopValue(vs.Name, i))
		}
		s, err := w.Sink(vs.Name)
		if err != nil {
			t.Fatal(err)
		}
		var regions []chunk.Region
		switch vs.Name {
		case "temp":
			// Whole chunks, and pairs of chunks, from several goroutines.
			for tt := range 5 {
				regions = append(regions, chunk.Region{Start: []int{tt, 0, 0}, Shape: []int{1, 3, 8}}, chunk.Region{Start: []int{tt, 3, 0}, Shape: []int{1, 3, 4}}, chunk.Region{Start: []int{tt, 3, 4}, Shape: []int{1, 3, 4}})
			}
		case "/grp/counts":
			for y := range 6 {
				regions = append(regions, chunk.Region{Start: []int{y, 0}, Shape: []int{1, 8}})
			}
		default:
			regions = []chunk.Region{chunk.WholeRegion(shape)}
		}
		for _, r := range regions {
			wg.Go(func() {
				buf := make([]byte, r.Size()*vs.DType.Size())
				ops.CopyRegion(buf, r.Shape, make([]int, len(r.Shape)), data, shape, r.Start, r.Shape, vs.DType.Size())
				if err := s.WriteRegion(ctx, r, buf); err != nil {
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return spec
}

// TestWriteReadBack writes the interop file and reads it back with the
// driver: values, dimensions, attributes, chunking, filters, fill values.
func TestWriteReadBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "interop.h5")
	spec := writeInterop(t, path)
	f := open(t, path)
	info := f.Info()
	if got := fmt.Sprint(info.Dims); got != "[{time 5 true} {y 6 false} {x 8 false} {nv 3 false}]" {
		t.Errorf("dims %s", got)
	}
	if !slices.Equal(info.Groups, []string{"/", "/grp"}) {
		t.Errorf("groups %q", info.Groups)
	}
	var names []string
	for _, v := range info.Vars {
		names = append(names, v.Name)
	}
	// Coordinate variables first (with their dimensions), then the others
	// in the spec's order: the order the datasets were created in.
	if want := []string{"/time", "/y", "/x", "/temp", "/grp/counts", "/flags", "/bounds", "/scalar", "/wide"}; !slices.Equal(names, want) {
		t.Errorf("variables %q, want %q", names, want)
	}
	if fmt.Sprint(info.Attrs) != fmt.Sprint(spec.Attrs) {
		t.Errorf("global attributes %v, want %v", info.Attrs, spec.Attrs)
	}
	for _, vs := range spec.Vars {
		vi, _ := info.Var(vs.Name)
		if !slices.Equal(vi.Dims, vs.Dims) && len(vs.Dims) > 0 {
			t.Errorf("%s: dims %q, want %q", vs.Name, vi.Dims, vs.Dims)
		}
		got := readAll(t, f, vs.Name)
		for i, g := range got {
			if want := interopValue(vs.Name, i); g != want && float64(float32(want)) != g {
				t.Errorf("%s[%d] = %v, want %v", vs.Name, i, g, want)
				break
			}
		}
	}
	temp, _ := info.Var("temp")
	if !slices.Equal(temp.StorageChunks, []int{1, 3, 4}) || fmt.Sprint(temp.Filters) != "[{shuffle 2 [4] true} {deflate 1 [4] true}]" {
		t.Errorf("temp: chunks %v filters %v", temp.StorageChunks, temp.Filters)
	}
	if fmt.Sprint(temp.FillValue) != "[-999]" || fmt.Sprint(temp.Attrs) != "[units = \"K\" valid_range = -100, 100]" {
		t.Errorf("temp: fill %v attrs %v", temp.FillValue, temp.Attrs)
	}
	if sc, _ := info.Var("scalar"); len(sc.Shape) != 0 || sc.Layout != "contiguous" {
		t.Errorf("scalar: shape %v layout %s", sc.Shape, sc.Layout)
	}
}

// h5pyDump prints, as JSON, what h5py sees in a file: per dataset its
// dtype, shape, chunks, filters, fill value, values, attributes and the
// dimension scales attached to each axis.
const h5pyDump = `
import json, sys, h5py, numpy as np
def conv(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray):
        return [conv(x) for x in v.tolist()]
    if isinstance(v, np.generic):
        return v.item()
    return v
out = {"attrs": {}, "datasets": {}}
with h5py.File(sys.argv[1], "r") as f:
    out["attrs"] = {k: conv(v) for k, v in f.attrs.items()}
    def visit(name, obj):
        if not isinstance(obj, h5py.Dataset):
            return
        d = {
            "dtype": obj.dtype.str, "shape": list(obj.shape), "maxshape": [m if m is not None else -1 for m in obj.maxshape] if obj.maxshape else [],
            "chunks": list(obj.chunks) if obj.chunks else None,
            "compression": obj.compression, "level": obj.compression_opts, "shuffle": obj.shuffle,
            "fill": conv(obj.fillvalue), "values": conv(np.asarray(obj[()]).ravel()) if obj.ndim else conv(obj[()]),
            "attrs": {k: conv(v) for k, v in obj.attrs.items() if k not in ("DIMENSION_LIST", "REFERENCE_LIST")},
            "scales": [[s.name for s in obj.dims[i].values()] for i in range(obj.ndim)],
            "is_scale": bool(h5py.h5ds.is_scale(obj.id)),
        }
        out["datasets"]["/" + name] = d
    f.visititems(visit)
print(json.dumps(out))
`

type h5pyDataset struct {
	DType       string         `json:"dtype"`
	Shape       []int          `json:"shape"`
	MaxShape    []int          `json:"maxshape"`
	Chunks      []int          `json:"chunks"`
	Compression *string        `json:"compression"`
	Level       any            `json:"level"`
	Shuffle     bool           `json:"shuffle"`
	Fill        any            `json:"fill"`
	Values      any            `json:"values"`
	Attrs       map[string]any `json:"attrs"`
	Scales      [][]string     `json:"scales"`
	IsScale     bool           `json:"is_scale"`
}

// TestWrittenFileReadByH5py checks the interop file with h5py: the same
// values, dimension scales, chunking, compression, fill values and
// attributes.
func TestWrittenFileReadByH5py(t *testing.T) {
	needPython(t, "h5py")
	path := filepath.Join(t.TempDir(), "interop.h5")
	writeInterop(t, path)
	var got struct {
		Attrs    map[string]any         `json:"attrs"`
		Datasets map[string]h5pyDataset `json:"datasets"`
	}
	if err := json.Unmarshal([]byte(runPython(t, h5pyDump, path)), &got); err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprint(got.Attrs); s != "map[pi:3.25 title:ndchunk interop version:[1 2]]" {
		t.Errorf("global attributes as h5py reads them: %s", s)
	}
	want := map[string]struct {
		dtype, chunks, comp, attrs string
		scales                     string
		shuffle                    bool
		fill                       string
	}{
		"/time":       {"<f8", "[5]", "<nil>", "map[units:days since 2000-01-01]", "[[]]", false, "0"},
		"/y":          {"<f4", "[]", "<nil>", "map[]", "[[]]", false, "0"},
		"/x":          {"<i4", "[]", "<nil>", "map[]", "[[]]", false, "0"},
		"/nv":         {"<f4", "[]", "<nil>", "map[]", "[[]]", false, "0"},
		"/temp":       {"<f4", "[1 3 4]", "gzip", "map[units:K valid_range:[-100 100]]", "[[/time] [/y] [/x]]", true, "-999"},
		"/grp/counts": {"<u2", "[4 3]", "gzip", "map[]", "[[/y] [/x]]", false, "0"},
		"/flags":      {"|b1", "[]", "<nil>", "map[]", "[[/y] [/x]]", false, "false"},
		"/bounds":     {"|i1", "[]", "<nil>", "map[]", "[[/nv]]", false, "0"},
		"/scalar":     {"<i8", "[]", "<nil>", "map[note:]", "[]", false, "0"},
		"/wide":       {"<f8", "[6 8]", "<nil>", "map[]", "[[/y] [/x]]", true, "0"},
	}
	if len(got.Datasets) != len(want) {
		t.Errorf("h5py sees %d datasets, want %d", len(got.Datasets), len(want))
	}
	for name, w := range want {
		d, ok := got.Datasets[name]
		if !ok {
			t.Errorf("h5py does not see %s", name)
			continue
		}
		comp := "<nil>"
		if d.Compression != nil {
			comp = *d.Compression
		}
		chunks := fmt.Sprint(d.Chunks)
		if d.Chunks == nil {
			chunks = "[]"
		}
		attrs := fmt.Sprint(d.Attrs)
		if d.IsScale {
			// The scale's own bookkeeping.
			delete(d.Attrs, "CLASS")
			delete(d.Attrs, "NAME")
			attrs = fmt.Sprint(d.Attrs)
		}
		gotRow := fmt.Sprint(d.DType, chunks, comp, attrs, fmt.Sprint(d.Scales), d.Shuffle, fmt.Sprint(d.Fill))
		wantRow := fmt.Sprint(w.dtype, w.chunks, w.comp, w.attrs, w.scales, w.shuffle, w.fill)
		if gotRow != wantRow {
			t.Errorf("%s as h5py reads it:\n got %s\nwant %s", name, gotRow, wantRow)
		}
		if name == "/nv" {
			continue
		}
		vals, ok := d.Values.([]any)
		if !ok {
			vals = []any{d.Values}
		}
		for i, v := range vals {
			var g float64
			switch x := v.(type) {
			case bool:
				if x {
					g = 1
				}
			case float64:
				g = x
			}
			if want := interopValue(name, i); g != want && float64(float32(want)) != g {
				t.Errorf("%s[%d] = %v as h5py reads it, want %v", name, i, g, want)
				break
			}
		}
	}
	if d := got.Datasets["/temp"]; !slices.Equal(d.MaxShape, []int{-1, 6, 8}) {
		t.Errorf("/temp: maxshape %v, want [-1 6 8] (time is unlimited)", d.MaxShape)
	}
	for _, name := range []string{"/time", "/y", "/x", "/nv"} {
		if !got.Datasets[name].IsScale {
			t.Errorf("%s is not a dimension scale to h5py", name)
		}
	}
}

// h5dumpData returns the values in the first DATA block of h5dump's output
// (run with -y -w 0: no indices, no wrapping).
func h5dumpData(t *testing.T, out string) []string {
	t.Helper()
	m := regexp.MustCompile(`(?s)DATA \{\s*(.*?)\s*\}`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no DATA block in h5dump output:\n%s", out)
	}
	var vals []string
	for _, v := range strings.Split(m[1], ",") {
		if v = strings.TrimSpace(v); v != "" {
			vals = append(vals, v)
		}
	}
	return vals
}

// TestWrittenFileReadByH5dump dumps the interop file with h5dump: the
// whole file without errors, then the values of datasets written by both
// paths, the attributes and the dimension-scale references.
func TestWrittenFileReadByH5dump(t *testing.T) {
	h5dump := needTool(t, "h5dump")
	path := filepath.Join(t.TempDir(), "interop.h5")
	writeInterop(t, path)
	if out, err := exec.Command(h5dump, path).CombinedOutput(); err != nil || strings.Contains(string(out), "h5dump error") {
		t.Fatalf("h5dump of the whole file: %v\n%s", err, out)
	}
	for _, name := range []string{"/temp", "/grp/counts", "/wide", "/x", "/bounds"} {
		out, err := exec.Command(h5dump, "-y", "-w", "0", "-d", name, path).CombinedOutput()
		if err != nil {
			t.Fatalf("h5dump -d %s: %v\n%s", name, err, out)
		}
		vals := h5dumpData(t, string(out))
		if len(vals) == 0 {
			t.Errorf("%s: h5dump shows no values", name)
		}
		for i, s := range vals {
			g, err := strconv.ParseFloat(s, 64)
			if want := interopValue(name, i); err != nil || (g != want && math.Abs(g-want) > 1e-6*math.Abs(want)) {
				t.Errorf("%s[%d] = %s in h5dump, want %v", name, i, s, want)
				break
			}
		}
		if name == "/temp" {
			for _, s := range []string{`ATTRIBUTE "units"`, `"K"`, `ATTRIBUTE "DIMENSION_LIST"`, `/time`, `/y`, `/x`, "H5T_IEEE_F32LE", "H5S_UNLIMITED"} {
				if !strings.Contains(string(out), s) {
					t.Errorf("h5dump -d /temp does not show %s:\n%s", s, out)
				}
			}
		}
	}
	out, _ := exec.Command(h5dump, "-A", "-g", "/", path).CombinedOutput()
	for _, s := range []string{`ATTRIBUTE "title"`, `"ndchunk interop"`, `ATTRIBUTE "version"`} {
		if !strings.Contains(string(out), s) {
			t.Errorf("h5dump -A does not show %s:\n%s", s, out)
		}
	}
}

// TestDirectMatchesLibrary writes the same random data twice, once in
// whole chunks (compressed here, stored with H5Dwrite_chunk) and once in
// unaligned slabs (compressed by the library), and checks both read back
// identically through both read paths, for every dtype and edge chunks.
func TestDirectMatchesLibrary(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	dir := t.TempDir()
	ctx := context.Background()
	shape := []int{37, 23}
	for _, dt := range chunk.DTypes {
		for _, comp := range []struct {
			deflate int
			shuffle bool
		}{{0, false}, {0, true}, {6, false}, {1, true}} {
			data := make([]byte, chunk.Size(shape)*dt.Size())
			for i := range data {
				data[i] = byte(rng.Uint32())
				if dt == chunk.Bool {
					data[i] &= 1
				}
			}
			spec := dataset.Spec{Format: "h5", Dims: []dataset.Dim{{Name: "y", Len: 37}, {Name: "x", Len: 23}},
				Vars: []dataset.VarSpec{
					{Name: "direct", Dims: []string{"y", "x"}, DType: dt, Chunks: []int{8, 5}, Deflate: comp.deflate, Shuffle: comp.shuffle},
					{Name: "library", Dims: []string{"y", "x"}, DType: dt, Chunks: []int{8, 5}, Deflate: comp.deflate, Shuffle: comp.shuffle},
				}}
			path := filepath.Join(dir, fmt.Sprintf("%s-%d-%v.h5", dt, comp.deflate, comp.shuffle))
			w, err := Driver{}.Create(path, spec, dataset.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ds, _ := w.Sink("direct")
			ls, _ := w.Sink("library")
			write := func(s interface {
				WriteRegion(context.Context, chunk.Region, []byte) error
			}, r chunk.Region) {
				buf := make([]byte, r.Size()*dt.Size())
				ops.CopyRegion(buf, r.Shape, []int{0, 0}, data, shape, r.Start, r.Shape, dt.Size())
				if err := s.WriteRegion(ctx, r, buf); err != nil {
					t.Fatal(err)
				}
			}
			// Whole chunks: 16x10 blocks and the ragged edges.
			for y := 0; y < 37; y += 16 {
				for x := 0; x < 23; x += 10 {
					write(ds, chunk.Region{Start: []int{y, x}, Shape: []int{min(16, 37-y), min(10, 23-x)}})
				}
			}
			// Unaligned: 7-row slabs.
			for y := 0; y < 37; y += 7 {
				write(ls, chunk.Region{Start: []int{y, 0}, Shape: []int{min(7, 37-y), 23}})
			}
			if err := w.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			f := open(t, path)
			for _, name := range []string{"direct", "library"} {
				v, err := f.Var(name)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range []chunk.Region{chunk.WholeRegion(shape), {Start: []int{3, 4}, Shape: []int{20, 11}}, {Start: []int{32, 20}, Shape: []int{5, 3}}} {
					got := make([]byte, r.Size()*dt.Size())
					if err := v.ReadRegion(ctx, r, got); err != nil {
						t.Fatal(err)
					}
					want := make([]byte, len(got))
					ops.CopyRegion(want, r.Shape, []int{0, 0}, data, shape, r.Start, r.Shape, dt.Size())
					if string(got) != string(want) {
						t.Errorf("%s %s deflate %d shuffle %v: read %v differs from what was written", dt, name, comp.deflate, comp.shuffle, r)
					}
				}
			}
			f.Close()
		}
	}
}

// TestScalesInGroups writes a dimension whose scale lives in a group (as
// reading an HDF5 file with scales in groups names it: "grp/x") and reads
// the same names back.
func TestScalesInGroups(t *testing.T) {
	path := filepath.Join(t.TempDir(), "groups.h5")
	spec := dataset.Spec{Format: "h5", Dims: []dataset.Dim{{Name: "grp/x", Len: 3}, {Name: "grp/sub/n", Len: 2}},
		Vars: []dataset.VarSpec{
			{Name: "/grp/x", Dims: []string{"grp/x"}, DType: chunk.Int16},
			{Name: "/grp/v", Dims: []string{"grp/sub/n", "grp/x"}, DType: chunk.Float64},
		}}
	w, err := Driver{}.Create(path, spec, dataset.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	info := open(t, path).Info()
	if got := fmt.Sprint(info.Dims); got != "[{grp/x 3 false} {grp/sub/n 2 false}]" {
		t.Errorf("dims %s", got)
	}
	if got := fmt.Sprint(info.VarNames()); got != "[/grp/x /grp/v]" {
		t.Errorf("variables %s", got)
	}
	v, _ := info.Var("/grp/v")
	x, _ := info.Var("/grp/x")
	if !slices.Equal(v.Dims, []string{"grp/sub/n", "grp/x"}) || !x.Coordinate {
		t.Errorf("/grp/v dims %q, /grp/x coordinate %v", v.Dims, x.Coordinate)
	}
	if !slices.Equal(info.Groups, []string{"/", "/grp", "/grp/sub"}) {
		t.Errorf("groups %q", info.Groups)
	}
}
