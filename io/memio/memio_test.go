package memio_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/iotest"
	"github.com/ndchunk/ndchunk/io/memio"
)

// harness describes memio to the conformance suite: it has everything.
var harness = iotest.Harness{
	Driver:     memio.Driver{},
	Format:     memio.Format,
	Open:       memio.Open,
	DTypes:     chunk.DTypes,
	Unlimited:  true,
	Groups:     true,
	Chunked:    true,
	ZeroLength: true,
}

func TestConformance(t *testing.T) { iotest.TestDriver(t, harness) }

func TestRoundTrip(t *testing.T) { iotest.RoundTrip(t, harness, harness) }

func TestRegistered(t *testing.T) {
	d, ok := dataset.Lookup("memory")
	if !ok {
		t.Fatalf("memio is not registered (drivers: %v)", dataset.Drivers())
	}
	if _, ok := d.(memio.Driver); !ok {
		t.Errorf("driver \"memory\" is %T", d)
	}
	d2, err := dataset.ForFormat(memio.Format)
	if err != nil || d2.Name() != "memory" {
		t.Errorf("ForFormat(%q) = %v, %v", memio.Format, d2, err)
	}
}

// create makes a writer for a spec or fails the test.
func create(t *testing.T, path string, spec dataset.Spec, opts dataset.CreateOptions) dataset.Writer {
	t.Helper()
	w, err := memio.Create(path, spec, opts)
	if err != nil {
		t.Fatalf("create %s: %v", path, err)
	}
	return w
}

func TestUnwrittenReadsZeroWithoutFill(t *testing.T) {
	ctx := context.Background()
	path := t.Name()
	defer memio.Remove(path)
	spec := dataset.Spec{Dims: []dataset.Dim{{Name: "x", Len: 6}}, Vars: []dataset.VarSpec{
		{Name: "plain", Dims: []string{"x"}, DType: chunk.Int32},
		{Name: "filled", Dims: []string{"x"}, DType: chunk.Int32, FillValue: []int32{-5}},
	}}
	w := create(t, path, spec, dataset.CreateOptions{})
	for _, name := range []string{"plain", "filled"} {
		s, err := w.Sink(name)
		if err != nil {
			t.Fatal(err)
		}
		r := chunk.Region{Start: []int{2}, Shape: []int{2}}
		if err := s.WriteRegion(ctx, r, chunk.AsBytes([]int32{7, 8})); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	f, err := memio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]int32{"plain": {0, 0, 7, 8, 0, 0}, "filled": {-5, -5, 7, 8, -5, -5}} {
		got := readAll[int32](t, f, name)
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}

// readAll reads a whole variable as a []T.
func readAll[T chunk.Elem](t *testing.T, f dataset.File, name string) []T {
	t.Helper()
	v, err := f.Var(name)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]T, chunk.Size(v.Shape()))
	if err := v.ReadRegion(context.Background(), chunk.WholeRegion(v.Shape()), chunk.AsBytes(out)); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBoolAttributesAndCopies(t *testing.T) {
	path := t.Name()
	defer memio.Remove(path)
	flags := []bool{true, false}
	levels := []float64{1, 2}
	spec := dataset.Spec{
		Attrs: []dataset.Attr{{Name: "flags", Value: flags}},
		Dims:  []dataset.Dim{{Name: "x", Len: 2}},
		Vars:  []dataset.VarSpec{{Name: "v", Dims: []string{"x"}, DType: chunk.Float64, Attrs: []dataset.Attr{{Name: "levels", Value: levels}}}},
	}
	w := create(t, path, spec, dataset.CreateOptions{})
	// The file keeps copies: changing the caller's slices afterwards must
	// not reach it.
	flags[0], levels[0] = false, 99
	if err := w.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	f, err := memio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := findAttr(f.Info().Attrs, "flags"); !slices.Equal(a.([]bool), []bool{true, false}) {
		t.Errorf("flags = %v", a)
	}
	vi, _ := f.Info().Var("v")
	if a, _ := vi.Attr("levels"); !slices.Equal(a.Value.([]float64), []float64{1, 2}) {
		t.Errorf("levels = %v", a.Value)
	}
}

func findAttr(attrs []dataset.Attr, name string) (any, bool) {
	for _, a := range attrs {
		if a.Name == name {
			return a.Value, true
		}
	}
	return nil, false
}

func TestCommitNeedsCommittedSinks(t *testing.T) {
	ctx := context.Background()
	path := t.Name()
	spec := dataset.Spec{Dims: []dataset.Dim{{Name: "x", Len: 3}}, Vars: []dataset.VarSpec{
		{Name: "done", Dims: []string{"x"}, DType: chunk.Uint8},
		{Name: "pending", Dims: []string{"x"}, DType: chunk.Uint8},
		{Name: "untouched", Dims: []string{"x"}, DType: chunk.Uint8},
	}}
	w := create(t, path, spec, dataset.CreateOptions{})
	done, _ := w.Sink("done")
	if _, err := w.Sink("pending"); err != nil {
		t.Fatal(err)
	}
	if err := done.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	err := w.Commit(ctx)
	if err == nil || !strings.Contains(err.Error(), "pending") || strings.Contains(err.Error(), "untouched") {
		t.Fatalf("Commit with the sink of pending not committed: %v, want an error naming pending only", err)
	}
	if memio.Exists(path) {
		t.Fatal("a failed Commit published the file")
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if err := done.WriteRegion(ctx, chunk.WholeRegion([]int{3}), []byte{1, 2, 3}); err == nil {
		t.Error("WriteRegion after Abort succeeded")
	}
	if _, err := w.Sink("done"); err == nil {
		t.Error("Sink after Abort succeeded")
	}
}

func TestOpenFilesKeepContentsAfterOverwriteAndRemove(t *testing.T) {
	ctx := context.Background()
	path := t.Name()
	spec := dataset.Spec{Dims: []dataset.Dim{{Name: "x", Len: 2}}, Vars: []dataset.VarSpec{
		{Name: "v", Dims: []string{"x"}, DType: chunk.Int64, FillValue: []int64{1}},
	}}
	if err := create(t, path, spec, dataset.CreateOptions{}).Commit(ctx); err != nil {
		t.Fatal(err)
	}
	old, err := memio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	spec.Vars[0].FillValue = []int64{2}
	if err := create(t, path, spec, dataset.CreateOptions{Overwrite: true}).Commit(ctx); err != nil {
		t.Fatal(err)
	}
	cur, err := memio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := memio.Remove(path); err != nil {
		t.Fatal(err)
	}
	if got := readAll[int64](t, old, "v"); !slices.Equal(got, []int64{1, 1}) {
		t.Errorf("the file opened before the overwrite reads %v", got)
	}
	if got := readAll[int64](t, cur, "v"); !slices.Equal(got, []int64{2, 2}) {
		t.Errorf("the file opened after the overwrite reads %v", got)
	}
	if err := memio.Remove(path); !errors.Is(err, dataset.ErrNotExist) {
		t.Errorf("second Remove: %v, want ErrNotExist", err)
	}
	if _, err := memio.Open(path); !errors.Is(err, dataset.ErrNotExist) {
		t.Errorf("Open after Remove: %v, want ErrNotExist", err)
	}
	// Sniff is false and nothing is on disk, so dataset.Open cannot see it.
	if _, err := dataset.Open(path, dataset.OpenOptions{}); !errors.Is(err, dataset.ErrNotExist) {
		t.Errorf("dataset.Open of a memio path: %v, want ErrNotExist", err)
	}
}

func TestClosedFile(t *testing.T) {
	ctx := context.Background()
	path := t.Name()
	defer memio.Remove(path)
	spec := dataset.Spec{Dims: []dataset.Dim{{Name: "x", Len: 2}}, Vars: []dataset.VarSpec{{Name: "v", Dims: []string{"x"}, DType: chunk.Int8}}}
	if err := create(t, path, spec, dataset.CreateOptions{}).Commit(ctx); err != nil {
		t.Fatal(err)
	}
	f, _ := memio.Open(path)
	v, err := f.Var("v")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := v.ReadRegion(ctx, chunk.WholeRegion([]int{2}), make([]byte, 2)); !errors.Is(err, os.ErrClosed) {
		t.Errorf("ReadRegion after Close: %v, want os.ErrClosed", err)
	}
	if _, err := f.Var("v"); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Var after Close: %v, want os.ErrClosed", err)
	}
}

func TestCreateRejects(t *testing.T) {
	dims := []dataset.Dim{{Name: "x", Len: 2}}
	v := func(vs dataset.VarSpec) dataset.Spec {
		if vs.Name == "" {
			vs.Name = "v"
		}
		if vs.Dims == nil {
			vs.Dims = []string{"x"}
		}
		if vs.DType == chunk.Invalid {
			vs.DType = chunk.Float32
		}
		return dataset.Spec{Dims: dims, Vars: []dataset.VarSpec{vs}}
	}
	cases := []struct {
		what string
		spec dataset.Spec
		want error
	}{
		{"another format", dataset.Spec{Format: "nc4"}, chunk.ErrUnsupported},
		{"a fill value of another type", v(dataset.VarSpec{FillValue: []float64{1}}), chunk.ErrDType},
		{"a fill value of two elements", v(dataset.VarSpec{FillValue: []float32{1, 2}}), chunk.ErrDType},
		{"a scalar attribute value", v(dataset.VarSpec{Attrs: []dataset.Attr{{Name: "a", Value: 1.5}}}), chunk.ErrUnsupported},
		{"an attribute given twice", v(dataset.VarSpec{Attrs: []dataset.Attr{{Name: "a", Value: "x"}, {Name: "a", Value: "y"}}}), chunk.ErrUnsupported},
		{"chunks of the wrong rank", v(dataset.VarSpec{Chunks: []int{1, 1}}), chunk.ErrChunks},
		{"a zero chunk", v(dataset.VarSpec{Chunks: []int{0}}), chunk.ErrChunks},
		{"deflate level 10", v(dataset.VarSpec{Deflate: 10}), chunk.ErrUnsupported},
		{"a group path without a leading slash", v(dataset.VarSpec{Name: "g/v"}), chunk.ErrShape},
		{"an empty path element", v(dataset.VarSpec{Name: "/g//v"}), chunk.ErrShape},
		{"a negative dimension", dataset.Spec{Dims: []dataset.Dim{{Name: "x", Len: -1}}}, chunk.ErrShape},
		{"a dimension declared twice", dataset.Spec{Dims: []dataset.Dim{{Name: "x", Len: 1}, {Name: "x", Len: 2}}}, chunk.ErrShape},
	}
	for _, c := range cases {
		_, err := memio.Create(t.Name(), c.spec, dataset.CreateOptions{})
		var de *dataset.Error
		if !errors.Is(err, c.want) || !errors.As(err, &de) {
			t.Errorf("create with %s: %v, want a *dataset.Error wrapping %v", c.what, err, c.want)
		}
	}
}

func TestReportsChunksAndFilters(t *testing.T) {
	path := t.Name()
	defer memio.Remove(path)
	spec := dataset.Spec{Dims: []dataset.Dim{{Name: "t", Len: 0, Unlimited: true}, {Name: "x", Len: 5}}, Vars: []dataset.VarSpec{
		{Name: "a", Dims: []string{"t", "x"}, DType: chunk.Int16, Chunks: []int{4, 2}, Deflate: 5, Shuffle: true},
		{Name: "b", Dims: []string{"t", "x"}, DType: chunk.Int16, Deflate: 1},
		{Name: "c", Dims: []string{"x"}, DType: chunk.Int16},
	}}
	if err := create(t, path, spec, dataset.CreateOptions{}).Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	f, _ := memio.Open(path)
	info := f.Info()
	a, _ := info.Var("a")
	if a.Layout != "chunked" || !slices.Equal(a.StorageChunks, []int{4, 2}) || len(a.Filters) != 2 ||
		a.Filters[0].Name != "shuffle" || a.Filters[1].Name != "deflate" || a.Filters[1].Params[0] != 5 {
		t.Errorf("a: layout %q chunks %v filters %+v", a.Layout, a.StorageChunks, a.Filters)
	}
	// Deflate without chunks gets one chunk of the whole variable, at
	// least 1 long on each axis (the records axis is empty).
	b, _ := info.Var("b")
	if b.Layout != "chunked" || !slices.Equal(b.StorageChunks, []int{1, 5}) {
		t.Errorf("b: layout %q chunks %v", b.Layout, b.StorageChunks)
	}
	c, _ := info.Var("c")
	if c.Layout != "contiguous" || c.StorageChunks != nil || c.Filters != nil {
		t.Errorf("c: layout %q chunks %v filters %v", c.Layout, c.StorageChunks, c.Filters)
	}
	if d, _ := info.Dim("t"); !d.Unlimited || d.Len != 0 {
		t.Errorf("dimension t = %+v", d)
	}
}

// BenchmarkReadRegion reads 512x512 float64 blocks of a 4096x4096
// variable: a strided copy, so it measures CopyRegion at memory speed.
func BenchmarkReadRegion(b *testing.B) {
	ctx := context.Background()
	path := b.Name()
	defer memio.Remove(path)
	spec := dataset.Spec{Dims: []dataset.Dim{{Name: "y", Len: 4096}, {Name: "x", Len: 4096}},
		Vars: []dataset.VarSpec{{Name: "v", Dims: []string{"y", "x"}, DType: chunk.Float64, FillValue: []float64{1}}}}
	w, err := memio.Create(path, spec, dataset.CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if err := w.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	f, _ := memio.Open(path)
	v, _ := f.Var("v")
	dst := make([]byte, 512*512*8)
	b.SetBytes(int64(len(dst)))
	i := 0
	for b.Loop() {
		r := chunk.Region{Start: []int{(i / 8 % 8) * 512, (i % 8) * 512}, Shape: []int{512, 512}}
		if err := v.ReadRegion(ctx, r, dst); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
