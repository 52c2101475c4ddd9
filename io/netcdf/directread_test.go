package netcdf

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
)

// makeDirectPy writes a NetCDF-4 file with netCDF4-python: unfiltered
// chunked (random chunk shapes, ragged edges) and contiguous variables of
// every type and rank 1-4, written whole or in part (the rest reads as the
// fill value, default or given, or with nofill as whatever the library
// leaves), variables in groups, two named like a dimension of their
// group they do not span (x and /g/sub/n, stored as _nc4_non_coord_x and
// /g/sub/_nc4_non_coord_n), one shorter than its unlimited dimension,
// xarray's booleans, and the kinds libnetcdf must still read: big-endian,
// compressed, scalar. It prints nothing.
const makeDirectPy = `
import sys, numpy as np, netCDF4
rng = np.random.default_rng(17)
d = netCDF4.Dataset(sys.argv[1], "w", format="NETCDF4")
sizes = {"a": 37, "b": 23, "c": 9, "e": 5}
for k, n in sizes.items():
    d.createDimension(k, n)
d.createDimension("t", None)
d.createDimension("x", 4)
d.createDimension("y", 3)
def rand(ty, shape):
    if ty.startswith("f"):
        return rng.standard_normal(shape).astype(ty)
    info = np.iinfo(np.dtype(ty))
    return rng.integers(info.min, info.max, shape, dtype=np.dtype(ty), endpoint=True)
def box(shape):
    lo = [int(rng.integers(0, n)) for n in shape]
    return tuple(slice(a, int(rng.integers(a + 1, n + 1))) for a, n in zip(lo, shape))
dims = ["a", "b", "c", "e"]
for ty in ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f4", "f8"]:
    for rank in range(1, 5):
        for variant in range(4):
            vd = tuple(dims[(rank + i) % 4] for i in range(rank))
            shape = tuple(sizes[k] for k in vd)
            kw = {}
            if variant < 3:
                kw["chunksizes"] = tuple(int(rng.integers(1, n + 1)) for n in shape)
            else:
                kw["contiguous"] = True
            if variant == 1:
                kw["fill_value"] = np.array(3, ty)
            if variant == 2:
                kw["fill_value"] = False
            v = d.createVariable("%s_r%d_%d" % (ty, rank, variant), ty, vd, **kw)
            v.set_auto_maskandscale(False)
            if variant in (0, 3):
                v[...] = rand(ty, shape)
            else:
                b = box(shape)
                v[b] = rand(ty, v[b].shape)
g = d.createGroup("g").createGroup("sub")
g.createDimension("n", 11)
v = g.createVariable("w", "f4", ("n", "a"), chunksizes=(4, 10))
v[:] = rand("f4", (11, 37))
nv = g.createVariable("n", "i2", ("a",), chunksizes=(5,))
nv[:] = rand("i2", (37,))
x = d.createVariable("x", "i4", ("y",), chunksizes=(2,))
x[:] = [7, 8, 9]
yv = d.createVariable("y", "f8", ("y",))
yv[:] = [0.5, 1.5, 2.5]
lng = d.createVariable("long_rec", "i2", ("t", "x"), chunksizes=(2, 4))
lng[0:5, :] = np.arange(20).reshape(5, 4)
sht = d.createVariable("short_rec", "f4", ("t", "x"), chunksizes=(1, 4))
sht[0:2, :] = np.arange(8).reshape(2, 4)
bo = d.createVariable("flags", "i1", ("a",), chunksizes=(8,))
bo.setncattr("dtype", "bool")
bo[:] = rng.integers(0, 3, 37).astype("i1")
be = d.createVariable("big", "i4", ("a", "b"), chunksizes=(8, 8), endian="big")
be[:] = rand("i4", (37, 23))
z = d.createVariable("zip", "f8", ("a", "b"), chunksizes=(8, 8), zlib=True, shuffle=True)
z[:] = rand("f8", (37, 23))
s = d.createVariable("scalar", "f8", ())
s.assignValue(2.5)
d.close()
`

// TestDirectMatchesGetVara reads random regions of every variable through
// the direct path and through nc_get_vara and compares the bytes: the
// direct path's buffer starts as junk (a byte it leaves unwritten shows),
// nc_get_vara's as zeros, which it leaves where the file has no fill. Two
// goroutines read at once.
func TestDirectMatchesGetVara(t *testing.T) {
	path := filepath.Join(t.TempDir(), "direct.nc")
	runPython(t, makeDirectPy, path)
	f := mustOpen(t, path)
	ref := mustOpen(t, path)
	for _, r := range ref.(*file).vars {
		r.directOnce.Do(func() {}) // never direct: nc_get_vara only
	}
	notDirect := map[string]bool{"big": true, "zip": true, "scalar": true}
	n := 0
	for _, vi := range f.Info().Vars {
		if vi.Unsupported != "" {
			continue
		}
		v, err := f.Var(vi.Name)
		if err != nil {
			t.Fatal(err)
		}
		lib, err := ref.Var(vi.Name)
		if err != nil {
			t.Fatal(err)
		}
		if direct := v.(*ncVar).ref.direct != nil; direct == notDirect[vi.Name] {
			t.Errorf("%s (%s, %s, filters %v): direct %v", vi.Name, vi.DType, vi.Layout, vi.Filters, direct)
		}
		if lib.(*ncVar).ref.direct != nil {
			t.Fatalf("%s: the reference reads directly", vi.Name)
		}
		var wg sync.WaitGroup
		for g := range 2 {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(n), uint64(g)))
				for k := range 20 {
					r := chunk.WholeRegion(vi.Shape)
					if k > 0 && len(vi.Shape) > 0 {
						r = randomRegion(rng, vi.Shape)
					}
					size := r.Size() * vi.DType.Size()
					want := make([]byte, size)
					if err := lib.ReadRegion(context.Background(), r, want); err != nil {
						t.Errorf("%s: nc_get_vara %v: %v", vi.Name, r, err)
						return
					}
					got := bytes.Repeat([]byte{0xA5}, size)
					if err := v.ReadRegion(context.Background(), r, got); err != nil {
						t.Errorf("%s: direct %v: %v", vi.Name, r, err)
						return
					}
					if !bytes.Equal(got, want) {
						t.Errorf("%s (%s, shape %v, chunks %v): region %v differs from nc_get_vara's", vi.Name, vi.DType, vi.Shape, vi.StorageChunks, r)
						return
					}
				}
			})
		}
		wg.Wait()
		n++
	}
	if n != 10*4*4+10 {
		t.Errorf("%d variables, want %d", n, 10*4*4+10)
	}
	// The variable shorter than its unlimited dimension: the records it
	// lacks come from libnetcdf as the default float fill value.
	v, _ := f.Var("short_rec")
	got := make([]float32, 5*4)
	if err := v.ReadRegion(context.Background(), chunk.WholeRegion([]int{5, 4}), chunk.AsBytes(got)); err != nil {
		t.Fatal(err)
	}
	if got[7] != 7 || got[8] != 9.969209968386869e36 {
		t.Errorf("short_rec = %v", got)
	}
	if b := values[bool](t, f, "flags"); len(b) != 37 {
		t.Errorf("flags = %v", b)
	}
}

// randomRegion picks a region of shape: on each axis the whole axis, one
// element or any stretch.
func randomRegion(rng *rand.Rand, shape []int) chunk.Region {
	r := chunk.Region{Start: make([]int, len(shape)), Shape: make([]int, len(shape))}
	for i, n := range shape {
		switch rng.IntN(4) {
		case 0:
			r.Start[i], r.Shape[i] = 0, n
		case 1:
			r.Start[i], r.Shape[i] = rng.IntN(n), 1
		default:
			r.Start[i] = rng.IntN(n)
			r.Shape[i] = 1 + rng.IntN(n-r.Start[i])
		}
	}
	return r
}

// TestDirectTruncated cuts a NetCDF-4 file short while it is open: reads
// of the lost data must fail with dataset.ErrCorrupt naming the file and
// the variable, never return zeros.
func TestDirectTruncated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cut.nc")
	shape := []int{64, 256}
	spec := dataset.Spec{Dims: []dataset.Dim{{Name: "y", Len: 64}, {Name: "x", Len: 256}},
		Vars: []dataset.VarSpec{{Name: "temp", Dims: []string{"y", "x"}, DType: chunk.Float32, Chunks: []int{8, 256}}}}
	data := make([]float32, 64*256)
	for i := range data {
		data[i] = float32(i) + 0.5
	}
	storeDense(t, path, spec, map[string][]byte{"temp": chunk.AsBytes(data)}, createConfig{})
	f := mustOpen(t, path)
	v, err := f.Var("temp")
	if err != nil {
		t.Fatal(err)
	}
	if v.(*ncVar).ref.direct == nil {
		t.Fatal("temp is not read directly")
	}
	buf := make([]byte, len(data)*4)
	if err := v.ReadRegion(context.Background(), chunk.WholeRegion(shape), buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf, chunk.AsBytes(data)) {
		t.Fatal("read back differs")
	}
	st, _ := os.Stat(path)
	if err := os.Truncate(path, st.Size()/3); err != nil {
		t.Fatal(err)
	}
	err = v.ReadRegion(context.Background(), chunk.WholeRegion(shape), buf)
	if !errors.Is(err, dataset.ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "temp") {
		t.Errorf("reading a truncated file: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	err = v.ReadRegion(context.Background(), chunk.WholeRegion(shape), buf)
	if err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("reading after Close: %v", err)
	}
}
