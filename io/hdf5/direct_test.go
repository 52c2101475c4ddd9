package hdf5

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/ops"
)

// directFixture is written by h5py: datasets of every dtype and rank 1-4,
// chunked with ragged edge chunks or contiguous, written whole, in part
// (the rest never written: the fill value, or zeros without one) or not
// at all, some in a group, in a file with the given user block. Next to
// each dataset, NAME.bin holds the values it must read as, computed by
// NumPy from what was written (not read back through the library), in
// little-endian order.
const directFixture = `
import os, sys, h5py, numpy as np
path, ub = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(int(sys.argv[3]))
dtypes = ["bool", "<i1", "<i2", "<i4", "<i8", "<u1", "<u2", "<u4", "<u8", "<f4", "<f8"]
fills = {"bool": True, "<i1": -7, "<i2": -300, "<i4": -70000, "<i8": -(1 << 40), "<u1": 200, "<u2": 60000,
         "<u4": 4000000000, "<u8": 1 << 63, "<f4": -9.5, "<f8": 1e300}
maxside = {1: 300, 2: 40, 3: 14, 4: 8}
def rand(dt, shape):
    if dt == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    if dt.startswith("<f"):
        return rng.standard_normal(shape).astype(dt)
    info = np.iinfo(np.dtype(dt))
    return rng.integers(info.min, info.max, shape, dtype=np.dtype(dt), endpoint=True)
def box(shape):
    lo = [int(rng.integers(0, n)) for n in shape]
    return tuple(slice(a, int(rng.integers(a + 1, n + 1))) for a, n in zip(lo, shape))
with h5py.File(path, "w", userblock_size=ub) as f:
    k = 0
    for rank in range(1, 5):
        for dt in dtypes:
            for variant in range(5):
                shape = tuple(int(rng.integers(1, maxside[rank] + 1)) for _ in range(rank))
                chunks = tuple(int(rng.integers(1, n + 1)) for n in shape) if variant < 3 else None
                fill = fills[dt] if variant in (1, 4) else None
                name = "g%d/%s_%d" % (rank, dt.strip("<"), variant) if k % 3 == 0 else "%s_r%d_%d" % (dt.strip("<"), rank, variant)
                k += 1
                ds = f.create_dataset(name, shape=shape, dtype=dt, chunks=chunks, fillvalue=fill)
                want = np.full(shape, fill if fill is not None else 0, dtype=dt)
                if variant in (0, 3):
                    want[...] = rand(dt, shape)
                    ds[...] = want
                elif variant in (1, 2):
                    for _ in range(2):
                        b = box(shape)
                        v = rand(dt, want[b].shape)
                        want[b] = v
                        ds[b] = v
                want.astype(want.dtype.newbyteorder("<")).tofile(os.path.join(os.path.dirname(path), name.replace("/", "_") + ".bin"))
`

// TestDirectRead reads random regions of the fixture's datasets through
// the driver (the direct path for every one of them) from two goroutines
// at once and compares them with NumPy's values, with no user block and
// with user blocks of 512 and 4096 bytes.
func TestDirectRead(t *testing.T) {
	needPython(t, "h5py")
	for k, ub := range []int{0, 512, 4096} {
		t.Run("userblock="+strconv.Itoa(ub), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "direct.h5")
			runPython(t, directFixture, path, strconv.Itoa(ub), strconv.Itoa(k))
			f := open(t, path)
			n := 0
			for _, vi := range f.Info().Vars {
				want, err := os.ReadFile(filepath.Join(dir, strings.ReplaceAll(strings.TrimPrefix(vi.Name, "/"), "/", "_")+".bin"))
				if err != nil {
					t.Fatal(err)
				}
				v, err := f.Var(vi.Name)
				if err != nil {
					t.Fatal(err)
				}
				if !v.(*variable).d.Direct() {
					t.Errorf("%s (%s, %s) is not read directly", vi.Name, vi.DType, vi.Layout)
				}
				checkRandomRegions(t, v, want, uint64(k))
				n++
			}
			if n != 4*11*5 {
				t.Errorf("%d datasets, want %d", n, 4*11*5)
			}
		})
	}
}

// checkRandomRegions reads the whole variable and random regions of it
// from two goroutines and compares them with want, its values row-major.
func checkRandomRegions(t *testing.T, v dataset.Var, want []byte, seed uint64) {
	t.Helper()
	shape, es := v.Shape(), v.DType().Size()
	if len(want) != chunk.Size(shape)*es {
		t.Fatalf("%s: %d bytes of reference for shape %v", v.Name(), len(want), shape)
	}
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(g)))
			for k := range 20 {
				r := chunk.WholeRegion(shape)
				if k > 0 {
					r = randomRegion(rng, shape, v.StorageChunks())
				}
				got := bytes.Repeat([]byte{0xA5}, r.Size()*es)
				if err := v.ReadRegion(context.Background(), r, got); err != nil {
					t.Errorf("%s: read %v: %v", v.Name(), r, err)
					return
				}
				exp := make([]byte, len(got))
				ops.CopyRegion(exp, r.Shape, make([]int, len(shape)), want, shape, r.Start, r.Shape, es)
				if !bytes.Equal(got, exp) {
					t.Errorf("%s (%s, shape %v, chunks %v): region %v differs from NumPy's", v.Name(), v.DType(), shape, v.StorageChunks(), r)
					return
				}
			}
		})
	}
	wg.Wait()
}

// randomRegion picks a region of shape: on each axis the whole axis, a
// run of whole chunks, one element or any stretch.
func randomRegion(rng *rand.Rand, shape, chunks []int) chunk.Region {
	r := chunk.Region{Start: make([]int, len(shape)), Shape: make([]int, len(shape))}
	for i, n := range shape {
		switch k := rng.IntN(6); {
		case k == 0:
			r.Start[i], r.Shape[i] = 0, n
		case k == 1 && chunks != nil:
			c := chunks[i]
			nc := (n + c - 1) / c
			a := rng.IntN(nc)
			b := a + 1 + rng.IntN(nc-a)
			r.Start[i], r.Shape[i] = a*c, min(b*c, n)-a*c
		case k == 2:
			r.Start[i], r.Shape[i] = rng.IntN(n), 1
		default:
			r.Start[i] = rng.IntN(n)
			r.Shape[i] = 1 + rng.IntN(n-r.Start[i])
		}
	}
	return r
}

// TestDirectReadTruncated cuts a file short while it is open: reading the
// lost chunks must fail with dataset.ErrCorrupt naming the file and the
// variable, never return zeros.
func TestDirectReadTruncated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cut.h5")
	spec := dataset.Spec{Format: "h5", Dims: []dataset.Dim{{Name: "y", Len: 256}, {Name: "x", Len: 256}},
		Vars: []dataset.VarSpec{
			{Name: "chunked", Dims: []string{"y", "x"}, DType: chunk.Float64, Chunks: []int{64, 64}},
			{Name: "contig", Dims: []string{"y", "x"}, DType: chunk.Float64},
		}}
	w, err := Driver{}.Create(path, spec, dataset.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 256*256*8)
	for i := range data {
		data[i] = byte(i*7 + 1)
	}
	for _, name := range []string{"chunked", "contig"} {
		s, _ := w.Sink(name)
		if err := s.WriteRegion(context.Background(), chunk.WholeRegion([]int{256, 256}), data); err != nil {
			t.Fatal(err)
		}
		s.Commit(context.Background())
	}
	if err := w.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	f := open(t, path)
	var vars []dataset.Var
	for _, name := range []string{"chunked", "contig"} {
		v, err := f.Var(name)
		if err != nil {
			t.Fatal(err)
		}
		if !v.(*variable).d.Direct() {
			t.Fatalf("%s is not read directly", name)
		}
		// Read once whole first: the chunk addresses are then known.
		if err := v.ReadRegion(context.Background(), chunk.WholeRegion([]int{256, 256}), make([]byte, len(data))); err != nil {
			t.Fatal(err)
		}
		vars = append(vars, v)
	}
	st, _ := os.Stat(path)
	if err := os.Truncate(path, st.Size()/3); err != nil {
		t.Fatal(err)
	}
	for _, v := range vars {
		err := v.ReadRegion(context.Background(), chunk.WholeRegion([]int{256, 256}), make([]byte, len(data)))
		if !errors.Is(err, dataset.ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), v.Info().Name) {
			t.Errorf("%s: reading a truncated file: %v", v.Info().Name, err)
		}
	}
}
