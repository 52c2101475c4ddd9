// Package iotest is the conformance suite every dataset driver passes, in
// the manner of Go's testing/fstest and TensorStore's driver tests: a
// driver's own test calls TestDriver with a Harness describing what its
// format can hold, and the suite writes files through the driver's Sinks
// (with exec.Engine.StoreMany, concurrently, in random block orders),
// commits, reopens and checks every reported fact and every value bit for
// bit, then exercises the error paths: aborts, existing outputs, bad
// writes, missing variables, cancellation. RoundTrip checks that two
// drivers convert into each other without changing a bit.
//
// A driver's test:
//
//	func TestConformance(t *testing.T) {
//		iotest.TestDriver(t, iotest.Harness{
//			Driver: netcdf.Driver{}, Format: "nc3",
//			DTypes: []chunk.DType{chunk.Int8, chunk.Int16, chunk.Int32, chunk.Float32, chunk.Float64},
//			Unlimited: true,
//		})
//	}
//
// Set IOTEST_SEED to change the random contents, block grids and regions.
//
// The suite is validated against the in-memory driver io/memio. It must
// never depend on a particular format: what a format lacks is declared in
// the Harness, not special-cased here.
package iotest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/ndarray"
)

// Harness describes a driver under test and its format's capabilities.
type Harness struct {
	// Driver creates (and, through Open, reads) the files.
	Driver dataset.Driver
	// Format is the Spec.Format to create: "h5", "nc4", "nc3", "memory".
	Format string
	// Path returns where to create a file; nil means a new t.TempDir() and
	// name + "." + Format in it.
	Path func(t *testing.T, name string) string
	// Open opens a committed file; nil means dataset.Open.
	Open func(path string) (dataset.File, error)
	// DTypes lists the dtypes the format stores (NetCDF-3 lacks the
	// unsigned and 64-bit ones); attributes are tested with the same
	// types, bool excepted.
	DTypes []chunk.DType
	// Unlimited: the format has unlimited (record) dimensions.
	Unlimited bool
	// Groups: the format has groups (variables named "/grp/sub/v").
	Groups bool
	// Chunked: the format has storage chunks, deflate and shuffle.
	Chunked bool
	// ZeroLength: the format has fixed dimensions of length 0 (NetCDF
	// does not: there a length of 0 declares an unlimited dimension).
	ZeroLength bool
}

// withDefaults checks h and fills in Path and Open.
func (h Harness) withDefaults(t *testing.T) Harness {
	t.Helper()
	if h.Driver == nil || h.Format == "" || len(h.DTypes) == 0 {
		t.Fatalf("iotest: the Harness needs a Driver, a Format and DTypes (got %T, %q, %v)", h.Driver, h.Format, h.DTypes)
	}
	for _, dt := range h.DTypes {
		if !dt.Valid() {
			t.Fatalf("iotest: Harness.DTypes holds invalid dtype %s", dt)
		}
	}
	if h.Path == nil {
		format := h.Format
		h.Path = func(t *testing.T, name string) string {
			return filepath.Join(t.TempDir(), name+"."+format)
		}
	}
	if h.Open == nil {
		h.Open = func(path string) (dataset.File, error) { return dataset.Open(path, dataset.OpenOptions{}) }
	}
	return h
}

// newEngine returns an engine for the suite's writes: several workers, so
// blocks reach the sinks concurrently even on a small machine, and no
// change to the process's Go memory limit.
func newEngine() *exec.Engine {
	return exec.New(exec.Options{MemoryBudget: 256 << 20, Workers: 4, KeepGoMemoryLimit: true})
}

// newRand returns the suite's random source. The seed is logged; set
// IOTEST_SEED to replay a failure with it.
func newRand(t *testing.T) *rand.Rand {
	seed := uint64(20240601)
	if s := os.Getenv("IOTEST_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("iotest: IOTEST_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("iotest: seed %d (set IOTEST_SEED to change it)", seed)
	return rand.New(rand.NewPCG(seed, 0x5eed))
}

// TestDriver runs the conformance suite on h's driver.
func TestDriver(t *testing.T, h Harness) {
	h = h.withDefaults(t)
	ctx := context.Background()
	rng := newRand(t)
	e := newEngine()

	t.Run("OpenMissing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing."+h.Format)
		f, err := h.Open(path)
		if !errors.Is(err, dataset.ErrNotExist) {
			if f != nil {
				f.Close()
			}
			t.Fatalf("open of a missing file: got %v, want an error wrapping dataset.ErrNotExist", err)
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("error %q does not name the file %s", err, path)
		}
	})

	fx := newFixture(rng, fixtureOpts{dtypes: h.DTypes, unlimited: h.Unlimited, chunked: h.Chunked, maxRank: 4, gaps: true})
	path := h.Path(t, "conformance")
	var f dataset.File
	t.Run("Write", func(t *testing.T) {
		start := time.Now()
		if err := fx.write(ctx, e, rng, h, path, dataset.CreateOptions{}); err != nil {
			t.Fatalf("write %d variables: %v", len(fx.spec.Vars), err)
		}
		t.Logf("wrote %d variables in %v", len(fx.spec.Vars), time.Since(start))
		var err error
		if f, err = h.Open(path); err != nil {
			t.Fatalf("reopen: %v", err)
		}
	})
	if f != nil {
		t.Run("Info", func(t *testing.T) { checkInfo(t, f, fx, path) })
		t.Run("ReadWhole", func(t *testing.T) { checkValues(t, f, fx) })
		t.Run("ReadRegions", func(t *testing.T) { testReadRegions(t, rng, f, fx) })
		t.Run("ReadConcurrent", func(t *testing.T) { testReadConcurrent(t, f, fx) })
		t.Run("ReadErrors", func(t *testing.T) { testReadErrors(t, f, fx) })
		t.Run("NoVariable", func(t *testing.T) { testNoVariable(t, f) })
		t.Run("Cancel", func(t *testing.T) { testCancel(t, f, fx) })
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	} else {
		t.Error("iotest: the conformance file could not be written: the read tests did not run")
	}
	t.Run("ZeroLength", func(t *testing.T) { testZeroLength(t, e, rng, h) })
	t.Run("Groups", func(t *testing.T) { testGroups(t, e, rng, h) })
	t.Run("Abort", func(t *testing.T) { testAbort(t, e, rng, h) })
	t.Run("Exist", func(t *testing.T) { testExist(t, e, rng, h) })
	t.Run("WriteErrors", func(t *testing.T) { testWriteErrors(t, e, h) })
	t.Run("CreateErrors", func(t *testing.T) { testCreateErrors(t, h) })
}

// checkInfo compares what the file reports with the spec it was written
// from.
func checkInfo(t *testing.T, f dataset.File, fx *fixture, path string) {
	t.Helper()
	info := f.Info()
	if info == nil {
		t.Fatal("Info() is nil")
	}
	if info.Path != path {
		t.Errorf("Info().Path = %q, want %q", info.Path, path)
	}
	if info.Format == "" {
		t.Errorf("Info().Format is empty")
	}
	if len(info.Groups) > 0 && info.Groups[0] != "/" {
		t.Errorf("Info().Groups = %q, want the root group \"/\" first", info.Groups)
	}
	if d := attrDiffs(info.Attrs, fx.spec.Attrs, nil); len(d) > 0 {
		t.Errorf("global attributes:\n\t%s", strings.Join(d, "\n\t"))
	}
	// Dimensions: exactly those declared, with their lengths.
	var gotDims []string
	for _, d := range info.Dims {
		gotDims = append(gotDims, d.Name)
	}
	var wantDims []string
	for _, want := range fx.spec.Dims {
		wantDims = append(wantDims, want.Name)
		got, ok := info.Dim(want.Name)
		if !ok {
			continue
		}
		if got.Len != want.Len || got.Unlimited != want.Unlimited {
			t.Errorf("dimension %s: got length %d unlimited %v, want %d %v", want.Name, got.Len, got.Unlimited, want.Len, want.Unlimited)
		}
	}
	slices.Sort(gotDims)
	slices.Sort(wantDims)
	if !slices.Equal(gotDims, wantDims) {
		t.Errorf("dimensions %q, want %q", gotDims, wantDims)
	}
	// Variables: exactly those written.
	var gotVars, wantVars []string
	for _, v := range info.Vars {
		gotVars = append(gotVars, trimName(v.Name))
	}
	for _, vs := range fx.spec.Vars {
		wantVars = append(wantVars, trimName(vs.Name))
	}
	slices.Sort(gotVars)
	slices.Sort(wantVars)
	if !slices.Equal(gotVars, wantVars) {
		t.Errorf("variables %q, want %q", gotVars, wantVars)
	}
	for _, vs := range fx.spec.Vars {
		vi, ok := info.Var(vs.Name)
		if !ok {
			continue
		}
		for _, d := range varInfoDiffs(vi, vs, fx.shapeOf(vs.Name), fx.coords[vs.Name]) {
			t.Errorf("variable %s: %s", vs.Name, d)
		}
		v, err := f.Var(vs.Name)
		if err != nil {
			t.Errorf("Var(%q): %v", vs.Name, err)
			continue
		}
		vi2 := v.Info()
		if trimName(vi2.Name) != trimName(vs.Name) || !chunk.EqualInts(vi2.Shape, vi.Shape) || vi2.DType != vi.DType {
			t.Errorf("variable %s: Var().Info() says %s %s%v, File.Info() %s %s%v", vs.Name, vi2.Name, vi2.DType, vi2.Shape, vi.Name, vi.DType, vi.Shape)
		}
		if !chunk.EqualInts(v.Shape(), vi.Shape) || v.DType() != vi.DType {
			t.Errorf("variable %s: Shape/DType %s%v, Info says %s%v", vs.Name, v.DType(), v.Shape(), vi.DType, vi.Shape)
		}
		if !chunk.EqualInts(v.StorageChunks(), vi.StorageChunks) {
			t.Errorf("variable %s: StorageChunks() = %v, Info says %v", vs.Name, v.StorageChunks(), vi.StorageChunks)
		}
		if !strings.Contains(v.Name(), trimName(vs.Name)) {
			t.Errorf("variable %s: Name() = %q does not name it", vs.Name, v.Name())
		}
	}
}

// varInfoDiffs lists how a reported variable differs from its spec.
func varInfoDiffs(vi dataset.VarInfo, vs dataset.VarSpec, shape []int, coord bool) []string {
	var d []string
	if trimName(vi.Name) != trimName(vs.Name) {
		d = append(d, fmt.Sprintf("name %q", vi.Name))
	}
	if !slices.Equal(vi.Dims, vs.Dims) {
		d = append(d, fmt.Sprintf("dimensions %q, want %q", vi.Dims, vs.Dims))
	}
	if !chunk.EqualInts(vi.Shape, shape) {
		d = append(d, fmt.Sprintf("shape %v, want %v", vi.Shape, shape))
	}
	if vi.DType != vs.DType {
		d = append(d, fmt.Sprintf("dtype %s, want %s", vi.DType, vs.DType))
	}
	if vi.Type == "" {
		d = append(d, "empty Type")
	}
	if vi.Unsupported != "" {
		d = append(d, "unsupported: "+vi.Unsupported)
	}
	if vi.Coordinate != coord {
		d = append(d, fmt.Sprintf("Coordinate = %v, want %v", vi.Coordinate, coord))
	}
	for _, a := range attrDiffs(vi.Attrs, vs.Attrs, vs.FillValue) {
		d = append(d, a)
	}
	if vs.FillValue != nil && !sameValue(vi.FillValue, vs.FillValue) {
		d = append(d, fmt.Sprintf("fill value %s, want %s", showValue(vi.FillValue), showValue(vs.FillValue)))
	}
	if vs.Chunks != nil {
		if !chunk.EqualInts(vi.StorageChunks, vs.Chunks) {
			d = append(d, fmt.Sprintf("storage chunks %v, want %v", vi.StorageChunks, vs.Chunks))
		}
	}
	if vs.Chunks != nil || vs.Deflate > 0 || vs.Shuffle {
		if vi.Layout != "chunked" {
			d = append(d, fmt.Sprintf("layout %q, want chunked", vi.Layout))
		}
		if len(vi.StorageChunks) != len(shape) {
			d = append(d, fmt.Sprintf("storage chunks %v for shape %v", vi.StorageChunks, shape))
		}
	}
	if vs.Deflate > 0 {
		fl, ok := findFilter(vi.Filters, "deflate")
		switch {
		case !ok:
			d = append(d, fmt.Sprintf("filters %v lack deflate", vi.Filters))
		case len(fl.Params) == 0 || fl.Params[0] != uint32(vs.Deflate):
			d = append(d, fmt.Sprintf("deflate params %v, want level %d", fl.Params, vs.Deflate))
		case !fl.Available:
			d = append(d, "deflate reported unavailable")
		}
	}
	if vs.Shuffle {
		if fl, ok := findFilter(vi.Filters, "shuffle"); !ok || !fl.Available {
			d = append(d, fmt.Sprintf("filters %v lack an available shuffle", vi.Filters))
		}
	}
	return d
}

func findFilter(fs []dataset.Filter, name string) (dataset.Filter, bool) {
	for _, f := range fs {
		if f.Name == name {
			return f, true
		}
	}
	return dataset.Filter{}, false
}

// read reads region r of v into a buffer first filled with a pattern, so a
// read that leaves part of dst alone is caught.
func read(ctx context.Context, v dataset.Var, r chunk.Region) ([]byte, error) {
	dst := alignedBytes(r.Size() * v.DType().Size())
	for i := range dst {
		dst[i] = 0xA5
	}
	err := v.ReadRegion(ctx, r, dst)
	return dst, err
}

// checkValues reads every variable whole and compares it bit for bit.
func checkValues(t *testing.T, f dataset.File, fx *fixture) {
	t.Helper()
	for _, vs := range fx.spec.Vars {
		v, err := f.Var(vs.Name)
		if err != nil {
			t.Errorf("Var(%q): %v", vs.Name, err)
			continue
		}
		shape := fx.shapeOf(vs.Name)
		got, err := read(context.Background(), v, chunk.WholeRegion(shape))
		if err != nil {
			t.Errorf("read %s whole: %v", vs.Name, err)
			continue
		}
		if d := firstDiff(got, fx.want[vs.Name], vs.DType, shape); d != "" {
			what := ""
			if _, gaps := fx.blocks[vs.Name]; gaps {
				what = fmt.Sprintf(" (written in blocks %v, the rest must read as the fill value %s)", fx.blocks[vs.Name], showValue(vs.FillValue))
			}
			t.Errorf("variable %s %s%v%s: %s", vs.Name, vs.DType, shape, what, d)
		}
	}
}

// regionsFor lists the regions read from an array of the given shape: the
// whole array, zero-size regions at both ends of every axis, every corner
// element, single elements, ragged edges and random boxes.
func regionsFor(rng *rand.Rand, shape []int) []chunk.Region {
	rank := len(shape)
	out := []chunk.Region{chunk.WholeRegion(shape)}
	for a := range rank {
		for _, at := range []int{0, shape[a]} {
			r := chunk.WholeRegion(shape)
			r.Start[a], r.Shape[a] = at, 0
			out = append(out, r)
		}
	}
	if chunk.Size(shape) == 0 {
		return out
	}
	for c := range 1 << rank {
		r := chunk.Region{Start: make([]int, rank), Shape: make([]int, rank)}
		for a := range rank {
			if c&(1<<a) != 0 {
				r.Start[a] = shape[a] - 1
			}
			r.Shape[a] = 1
		}
		out = append(out, r)
	}
	for range 4 {
		r := chunk.Region{Start: make([]int, rank), Shape: make([]int, rank)}
		for a := range rank {
			r.Start[a], r.Shape[a] = rng.IntN(shape[a]), 1
		}
		out = append(out, r)
	}
	// The ragged tail: the last few elements of every axis.
	tail := chunk.Region{Start: make([]int, rank), Shape: make([]int, rank)}
	for a := range rank {
		k := min(shape[a], 1+rng.IntN(3))
		tail.Start[a], tail.Shape[a] = shape[a]-k, k
	}
	out = append(out, tail)
	for range 12 {
		r := chunk.Region{Start: make([]int, rank), Shape: make([]int, rank)}
		for a := range rank {
			r.Start[a] = rng.IntN(shape[a])
			r.Shape[a] = 1 + rng.IntN(shape[a]-r.Start[a])
		}
		out = append(out, r)
	}
	return out
}

// testReadRegions reads many regions of every variable.
func testReadRegions(t *testing.T, rng *rand.Rand, f dataset.File, fx *fixture) {
	ctx := context.Background()
	n := 0
	for _, vs := range fx.spec.Vars {
		v, err := f.Var(vs.Name)
		if err != nil {
			t.Errorf("Var(%q): %v", vs.Name, err)
			continue
		}
		shape := fx.shapeOf(vs.Name)
		failures := 0
		for _, r := range regionsFor(rng, shape) {
			n++
			got, err := read(ctx, v, r)
			if err != nil {
				t.Errorf("read %s%v: %v", vs.Name, r, err)
				failures++
			} else if d := firstDiff(got, extract(fx.want[vs.Name], shape, vs.DType, r), vs.DType, r.Shape); d != "" {
				t.Errorf("read %s%v: %s", vs.Name, r, d)
				failures++
			}
			if failures >= 3 {
				t.Errorf("variable %s: giving up after %d failed reads", vs.Name, failures)
				break
			}
		}
	}
	t.Logf("%d regions read", n)
}

// testReadConcurrent reads random regions of random variables from four
// goroutines at once.
func testReadConcurrent(t *testing.T, f dataset.File, fx *fixture) {
	vars := make([]dataset.Var, len(fx.spec.Vars))
	for i, vs := range fx.spec.Vars {
		v, err := f.Var(vs.Name)
		if err != nil {
			t.Fatalf("Var(%q): %v", vs.Name, err)
		}
		vars[i] = v
	}
	var failed atomic.Bool
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			for range 100 {
				if failed.Load() {
					return
				}
				i := rng.IntN(len(vars))
				vs := fx.spec.Vars[i]
				shape := fx.shapeOf(vs.Name)
				rs := regionsFor(rng, shape)
				r := rs[rng.IntN(len(rs))]
				got, err := read(context.Background(), vars[i], r)
				if err != nil {
					t.Errorf("goroutine %d: read %s%v: %v", g, vs.Name, r, err)
					failed.Store(true)
				} else if d := firstDiff(got, extract(fx.want[vs.Name], shape, vs.DType, r), vs.DType, r.Shape); d != "" {
					t.Errorf("goroutine %d: read %s%v: %s", g, vs.Name, r, d)
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
}

// isRegionErr reports whether err is what a bad region should give.
func isRegionErr(err error) bool {
	return errors.Is(err, chunk.ErrShape) || errors.Is(err, chunk.ErrIndex)
}

// testReadErrors reads with bad buffers and regions: each must fail with a
// shape or index error naming the variable, never panic.
func testReadErrors(t *testing.T, f dataset.File, fx *fixture) {
	ctx := context.Background()
	for _, vs := range fx.spec.Vars {
		shape := fx.shapeOf(vs.Name)
		v, err := f.Var(vs.Name)
		if err != nil {
			t.Errorf("Var(%q): %v", vs.Name, err)
			continue
		}
		es := vs.DType.Size()
		whole := chunk.WholeRegion(shape)
		type badRead struct {
			what string
			r    chunk.Region
			n    int
		}
		cases := []badRead{
			{"a buffer one element short", whole, (chunk.Size(shape) - 1) * es},
			{"a buffer one element long", whole, (chunk.Size(shape) + 1) * es},
			{"a region of one more axis", chunk.WholeRegion(append(slices.Clone(shape), 1)), chunk.Size(shape) * es},
		}
		if len(shape) > 0 {
			past := chunk.WholeRegion(shape)
			past.Start[0], past.Shape[0] = shape[0], 1
			neg := chunk.WholeRegion(shape)
			neg.Start[0] = -1
			long := chunk.WholeRegion(shape)
			long.Shape[0]++
			cases = append(cases,
				badRead{"a region past the end", past, past.Size() * es},
				badRead{"a region with a negative start", neg, neg.Size() * es},
				badRead{"a region longer than the axis", long, long.Size() * es},
				badRead{"a region of one axis less", chunk.WholeRegion(shape[1:]), chunk.Size(shape[1:]) * es})
		}
		for _, c := range cases {
			if c.n < 0 {
				continue
			}
			err := v.ReadRegion(ctx, c.r, alignedBytes(c.n))
			switch {
			case err == nil:
				t.Errorf("read %s with %s (%v, %d bytes): no error", vs.Name, c.what, c.r, c.n)
			case !isRegionErr(err):
				t.Errorf("read %s with %s: %v, want an error wrapping chunk.ErrShape or chunk.ErrIndex", vs.Name, c.what, err)
			case !strings.Contains(err.Error(), trimName(vs.Name)):
				t.Errorf("read %s with %s: error %q does not name the variable", vs.Name, c.what, err)
			}
		}
	}
}

// testNoVariable opens a variable that does not exist.
func testNoVariable(t *testing.T, f dataset.File) {
	v, err := f.Var("no_such_variable")
	if !errors.Is(err, dataset.ErrNoVariable) {
		t.Fatalf("Var(no_such_variable) = %v, %v; want an error wrapping dataset.ErrNoVariable", v, err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "no_such_variable") {
		t.Errorf("error %q does not name the missing variable", msg)
	}
	for _, vi := range f.Info().Vars {
		if !strings.Contains(msg, trimName(vi.Name)) {
			t.Errorf("error %q does not list the existing variable %s", msg, vi.Name)
			break
		}
	}
}

// testCancel checks that reads observe their context: one with a context
// already cancelled fails with context.Canceled, and readers looping over
// the largest variable all stop soon after a cancellation.
func testCancel(t *testing.T, f dataset.File, fx *fixture) {
	var big dataset.VarSpec
	for _, vs := range fx.spec.Vars {
		if chunk.Size(fx.shapeOf(vs.Name))*vs.DType.Size() > chunk.Size(fx.shapeOf(big.Name))*big.DType.Size() || big.Name == "" {
			big = vs
		}
	}
	v, err := f.Var(big.Name)
	if err != nil {
		t.Fatalf("Var(%q): %v", big.Name, err)
	}
	whole := chunk.WholeRegion(fx.shapeOf(big.Name))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := read(ctx, v, whole); !errors.Is(err, context.Canceled) {
		t.Errorf("read %s with a cancelled context: %v, want an error wrapping context.Canceled", big.Name, err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for {
				if _, err := read(ctx, v, whole); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	cancel()
	deadline := time.After(5 * time.Second)
	for range 4 {
		select {
		case err := <-errs:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("read %s while cancelling: %v, want context.Canceled", big.Name, err)
			}
		case <-deadline:
			t.Fatalf("reads of %s still running 5s after cancel", big.Name)
		}
	}
}

// testZeroLength writes and reads variables with zero-length axes: fixed
// ones where the format has them, an unlimited one with no records where
// it has those.
func testZeroLength(t *testing.T, e *exec.Engine, rng *rand.Rand, h Harness) {
	if !h.ZeroLength && !h.Unlimited {
		t.Skip("the format has neither zero-length nor unlimited dimensions")
	}
	fx := &fixture{src: map[string][]byte{}, want: map[string][]byte{}, blocks: map[string][]chunk.Region{}, coords: map[string]bool{}}
	fx.spec.Dims = []dataset.Dim{{Name: "n", Len: 4}}
	if h.Unlimited {
		fx.spec.Dims = append(fx.spec.Dims, dataset.Dim{Name: "rec", Len: 0, Unlimited: true})
	}
	if h.ZeroLength {
		fx.spec.Dims = append(fx.spec.Dims, dataset.Dim{Name: "empty", Len: 0})
	}
	for _, dt := range []chunk.DType{h.DTypes[0], coordDType(h.DTypes)} {
		if h.Unlimited {
			fx.addVar(rng, dataset.VarSpec{Name: dt.String() + "_rec", Dims: []string{"rec", "n"}, DType: dt})
		}
		if h.ZeroLength {
			fx.addVar(rng, dataset.VarSpec{Name: dt.String() + "_empty", Dims: []string{"empty", "n"}, DType: dt})
		}
		fx.addVar(rng, dataset.VarSpec{Name: dt.String() + "_n", Dims: []string{"n"}, DType: dt})
		if dt == coordDType(h.DTypes) {
			break
		}
	}
	path := h.Path(t, "zero")
	if err := fx.write(context.Background(), e, rng, h, path, dataset.CreateOptions{}); err != nil {
		t.Fatalf("write: %v", err)
	}
	f, err := h.Open(path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer f.Close()
	checkInfo(t, f, fx, path)
	checkValues(t, f, fx)
	testReadRegions(t, rng, f, fx)
	testReadErrors(t, f, fx)
}

// testGroups writes variables in nested groups.
func testGroups(t *testing.T, e *exec.Engine, rng *rand.Rand, h Harness) {
	if !h.Groups {
		t.Skip("the format has no groups")
	}
	fx := &fixture{src: map[string][]byte{}, want: map[string][]byte{}, blocks: map[string][]chunk.Region{}, coords: map[string]bool{}}
	fx.spec.Dims = []dataset.Dim{{Name: "y", Len: 7}, {Name: "x", Len: 13}}
	dt := coordDType(h.DTypes)
	fx.addVar(rng, dataset.VarSpec{Name: "top", Dims: []string{"x"}, DType: dt})
	fx.addVar(rng, dataset.VarSpec{Name: "/grp/a", Dims: []string{"x"}, DType: dt, Attrs: []dataset.Attr{{Name: "units", Value: "K"}}})
	fx.addVar(rng, dataset.VarSpec{Name: "/grp/sub/b", Dims: []string{"y", "x"}, DType: h.DTypes[0]})
	path := h.Path(t, "groups")
	if err := fx.write(context.Background(), e, rng, h, path, dataset.CreateOptions{}); err != nil {
		t.Fatalf("write: %v", err)
	}
	f, err := h.Open(path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer f.Close()
	checkInfo(t, f, fx, path)
	checkValues(t, f, fx)
	groups := f.Info().Groups
	for _, g := range []string{"/", "/grp", "/grp/sub"} {
		if !slices.Contains(groups, g) {
			t.Errorf("Info().Groups = %q, missing %q", groups, g)
		}
	}
}

// dirState lists a directory, to check that a failed or aborted write
// leaves nothing behind (no temporary file).
func dirState(t *testing.T, path string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("list %s: %v", filepath.Dir(path), err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// checkGone checks that nothing was committed at path and the directory
// is as it was.
func checkGone(t *testing.T, h Harness, path string, before []string, when string) {
	t.Helper()
	if f, err := h.Open(path); !errors.Is(err, dataset.ErrNotExist) {
		if f != nil {
			f.Close()
		}
		t.Errorf("%s: open: %v, want dataset.ErrNotExist", when, err)
	}
	if after := dirState(t, path); !slices.Equal(after, before) {
		t.Errorf("%s: the directory holds %q, before %q", when, after, before)
	}
}

// smallFixture is a few variables of two dtypes, for the error tests.
func smallFixture(rng *rand.Rand, h Harness) *fixture {
	dts := h.DTypes
	if len(dts) > 2 {
		dts = []chunk.DType{dts[0], coordDType(dts)}
	}
	return newFixture(rng, fixtureOpts{dtypes: dts, unlimited: h.Unlimited, chunked: h.Chunked, maxRank: 2, gaps: true})
}

// failingSource serves an array and fails from its failAt-th read on, to
// make an engine run fail after some blocks were written.
type failingSource struct {
	dt     chunk.DType
	shape  []int
	data   []byte
	calls  atomic.Int32
	failAt int32
}

var errInjected = errors.New("iotest: injected read failure")

func (s *failingSource) DType() chunk.DType { return s.dt }
func (s *failingSource) Shape() []int       { return s.shape }
func (s *failingSource) ReadRegion(_ context.Context, r chunk.Region, dst []byte) error {
	if s.calls.Add(1) >= s.failAt {
		return errInjected
	}
	copy(dst, extract(s.data, s.shape, s.dt, r))
	return nil
}

// testAbort aborts writes in the three ways a run ends early: the writer's
// Abort, a failing engine run (which aborts every sink), a sink's Abort.
func testAbort(t *testing.T, e *exec.Engine, rng *rand.Rand, h Harness) {
	ctx := context.Background()
	fx := smallFixture(rng, h)
	// A variable of many blocks, for the run that fails part way.
	fx.addVar(rng, dataset.VarSpec{Name: "many_blocks", Dims: []string{"y", "x"}, DType: h.DTypes[0]})
	spec := fx.spec
	spec.Format = h.Format
	path := h.Path(t, "aborted")
	before := dirState(t, path)

	// 1. Some blocks written, then Writer.Abort.
	w, err := h.Driver.Create(path, spec, dataset.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	vs := spec.Vars[len(spec.Vars)-1]
	shape := fx.shapeOf(vs.Name)
	s, err := w.Sink(vs.Name)
	if err != nil {
		t.Fatalf("sink %s: %v", vs.Name, err)
	}
	r := chunk.WholeRegion(shape)
	r.Shape[0] = (shape[0] + 1) / 2
	if err := s.WriteRegion(ctx, r, extract(fx.src[vs.Name], shape, vs.DType, r)); err != nil {
		t.Fatalf("write %s%v: %v", vs.Name, r, err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Abort: %v", err)
	}
	checkGone(t, h, path, before, "after Writer.Abort")
	if err := w.Commit(ctx); err == nil {
		t.Errorf("Commit after Abort succeeded")
	}
	checkGone(t, h, path, before, "after Commit following Abort")

	// 2. A run that fails part way: StoreMany aborts every sink, each of
	// which aborts the file; a second abort of the writer must be harmless.
	w, err = h.Driver.Create(path, spec, dataset.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	var arrays []ndarray.Array
	var sinks []exec.Sink
	for _, vs := range spec.Vars {
		shape := fx.shapeOf(vs.Name)
		if chunk.Size(shape) < 20 {
			continue
		}
		s, err := w.Sink(vs.Name)
		if err != nil {
			t.Fatalf("sink %s: %v", vs.Name, err)
		}
		src := &failingSource{dt: vs.DType, shape: shape, data: fx.src[vs.Name], failAt: 4}
		if len(arrays) > 0 {
			src.failAt = 1 << 30
		}
		arrays = append(arrays, ndarray.FromSource(src, chunk.Regular(2)))
		sinks = append(sinks, s)
	}
	if err := e.StoreMany(ctx, arrays, sinks); !errors.Is(err, errInjected) {
		t.Errorf("StoreMany with a failing source: %v, want the injected error", err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Writer.Abort after the sinks' aborts: %v", err)
	}
	checkGone(t, h, path, before, "after a failed StoreMany")

	// 3. A sink's Abort aborts the whole file.
	w, err = h.Driver.Create(path, spec, dataset.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	s, err = w.Sink(spec.Vars[0].Name)
	if err != nil {
		t.Fatalf("sink: %v", err)
	}
	if err := s.Abort(); err != nil {
		t.Errorf("Sink.Abort: %v", err)
	}
	if err := w.Commit(ctx); err == nil {
		t.Errorf("Commit after a sink's Abort succeeded")
	}
	w.Abort()
	checkGone(t, h, path, before, "after Sink.Abort")
}

// testExist commits over an existing file, without and then with
// Overwrite.
func testExist(t *testing.T, e *exec.Engine, rng *rand.Rand, h Harness) {
	ctx := context.Background()
	a := smallFixture(rng, h)
	b := smallFixture(rng, h)
	path := h.Path(t, "exist")
	if err := a.write(ctx, e, rng, h, path, dataset.CreateOptions{}); err != nil {
		t.Fatalf("write the first file: %v", err)
	}
	before := dirState(t, path)
	disk, diskErr := os.ReadFile(path)
	err := b.write(ctx, e, rng, h, path, dataset.CreateOptions{})
	if !errors.Is(err, dataset.ErrExist) {
		t.Errorf("write over an existing file without Overwrite: %v, want an error wrapping dataset.ErrExist", err)
	} else if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
	if after := dirState(t, path); !slices.Equal(after, before) {
		t.Errorf("the refused write left the directory holding %q, before %q", after, before)
	}
	if diskErr == nil {
		if now, err := os.ReadFile(path); err != nil || string(now) != string(disk) {
			t.Errorf("the refused write changed the existing file (err %v)", err)
		}
	}
	f, err := h.Open(path)
	if err != nil {
		t.Fatalf("open the first file: %v", err)
	}
	checkValues(t, f, a)
	f.Close()

	if err := b.write(ctx, e, rng, h, path, dataset.CreateOptions{Overwrite: true}); err != nil {
		t.Fatalf("write over an existing file with Overwrite: %v", err)
	}
	if after := dirState(t, path); !slices.Equal(after, before) {
		t.Errorf("after the overwrite the directory holds %q, before %q", after, before)
	}
	f, err = h.Open(path)
	if err != nil {
		t.Fatalf("open the replaced file: %v", err)
	}
	defer f.Close()
	checkInfo(t, f, b, path)
	checkValues(t, f, b)
}

// testWriteErrors writes with bad shapes, buffers and dtypes: each fails
// with an error naming the variable, and nothing is left behind.
func testWriteErrors(t *testing.T, e *exec.Engine, h Harness) {
	ctx := context.Background()
	dt := coordDType(h.DTypes)
	other := h.DTypes[0]
	for _, d := range h.DTypes {
		if d.Size() != dt.Size() {
			other = d
			break
		}
	}
	spec := dataset.Spec{
		Format: h.Format,
		Dims:   []dataset.Dim{{Name: "y", Len: 7}, {Name: "x", Len: 13}},
		Vars: []dataset.VarSpec{
			{Name: "alpha_var", Dims: []string{"y", "x"}, DType: dt},
			{Name: "beta_var", Dims: []string{"x"}, DType: other},
		},
	}
	path := h.Path(t, "write-errors")
	before := dirState(t, path)
	w, err := h.Driver.Create(path, spec, dataset.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	s, err := w.Sink("alpha_var")
	if err != nil {
		t.Fatalf("sink: %v", err)
	}
	whole := chunk.WholeRegion([]int{7, 13})
	past := chunk.Region{Start: []int{6, 0}, Shape: []int{2, 13}}
	neg := chunk.Region{Start: []int{0, -1}, Shape: []int{7, 13}}
	wrongSize := 91 * other.Size()
	if other.Size() == dt.Size() {
		wrongSize = 91*dt.Size() - 1
	}
	cases := []struct {
		what string
		r    chunk.Region
		n    int
	}{
		{"data of another dtype's size", whole, wrongSize},
		{"data one element short", whole, 90 * dt.Size()},
		{"a region past the end", past, past.Size() * dt.Size()},
		{"a region with a negative start", neg, neg.Size() * dt.Size()},
		{"a region of the wrong rank", chunk.WholeRegion([]int{91}), 91 * dt.Size()},
	}
	for _, c := range cases {
		err := s.WriteRegion(ctx, c.r, alignedBytes(c.n))
		switch {
		case err == nil:
			t.Errorf("write with %s: no error", c.what)
		case !isRegionErr(err):
			t.Errorf("write with %s: %v, want an error wrapping chunk.ErrShape or chunk.ErrIndex", c.what, err)
		case !strings.Contains(err.Error(), "alpha_var"):
			t.Errorf("write with %s: error %q does not name the variable", c.what, err)
		}
	}
	if _, err := w.Sink("no_such_var"); !errors.Is(err, dataset.ErrNoVariable) {
		t.Errorf("Sink(no_such_var): %v, want dataset.ErrNoVariable", err)
	}
	// The engine refuses an array of the wrong dtype before writing, and
	// aborts the sink, which aborts the file.
	wrong := ndarray.Zeros(other, []int{7, 13}, chunk.Regular(4))
	if other == dt {
		wrong = ndarray.Zeros(dt, []int{13, 7}, chunk.Regular(4))
	}
	if err := e.Store(ctx, wrong, s); !errors.Is(err, chunk.ErrShape) {
		t.Errorf("Store of %s%v into %s[7 13]: %v, want chunk.ErrShape", wrong.DType(), wrong.Shape(), dt, err)
	}
	if err := w.Commit(ctx); err == nil {
		t.Errorf("Commit after the sink was aborted succeeded")
	}
	w.Abort()
	checkGone(t, h, path, before, "after the failed writes")
}

// testCreateErrors creates files from bad specs: Create refuses them,
// naming the variable, and leaves nothing behind.
func testCreateErrors(t *testing.T, h Harness) {
	dt := h.DTypes[0]
	dims := []dataset.Dim{{Name: "x", Len: 4}}
	cases := []struct {
		what string
		spec dataset.Spec
		is   []error
	}{
		{"an undeclared dimension", dataset.Spec{Dims: dims, Vars: []dataset.VarSpec{{Name: "bad_var", Dims: []string{"nope"}, DType: dt}}}, []error{chunk.ErrShape}},
		{"an invalid dtype", dataset.Spec{Dims: dims, Vars: []dataset.VarSpec{{Name: "bad_var", Dims: []string{"x"}, DType: chunk.Invalid}}}, []error{chunk.ErrDType, chunk.ErrUnsupported}},
		{"a variable declared twice", dataset.Spec{Dims: dims, Vars: []dataset.VarSpec{{Name: "bad_var", Dims: []string{"x"}, DType: dt}, {Name: "bad_var", Dims: []string{"x"}, DType: dt}}}, nil},
	}
	for _, c := range cases {
		path := h.Path(t, "create-errors")
		before := dirState(t, path)
		c.spec.Format = h.Format
		w, err := h.Driver.Create(path, c.spec, dataset.CreateOptions{})
		if err == nil {
			t.Errorf("create with %s: no error", c.what)
			w.Abort()
			continue
		}
		if !strings.Contains(err.Error(), "bad_var") {
			t.Errorf("create with %s: error %q does not name the variable", c.what, err)
		}
		if len(c.is) > 0 && !slices.ContainsFunc(c.is, func(target error) bool { return errors.Is(err, target) }) {
			t.Errorf("create with %s: %v, want an error wrapping one of %v", c.what, err, c.is)
		}
		checkGone(t, h, path, before, "after create with "+c.what)
	}
}
