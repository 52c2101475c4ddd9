package h5

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
)

// sysPython is Debian's python3, the one with numpy and h5py.
const sysPython = "/usr/bin/python3"

// needH5py skips the test unless Debian's python3 with h5py is there.
func needH5py(t *testing.T) {
	t.Helper()
	if out, err := exec.Command(sysPython, "-c", "import h5py, numpy").CombinedOutput(); err != nil {
		t.Skipf("%s with h5py and numpy is not available: %v %s", sysPython, err, out)
	}
}

// runPython runs a Python script with args.
func runPython(t *testing.T, script string, args ...string) string {
	t.Helper()
	out, err := exec.Command(sysPython, append([]string{"-c", script}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	return string(out)
}

// randomRegion picks a region of shape: on each axis a random stretch,
// sometimes the whole axis, sometimes aligned to chunks (when given),
// sometimes one element.
func randomRegion(rng *rand.Rand, shape, chunks []int) (start, count []int) {
	start = make([]int, len(shape))
	count = make([]int, len(shape))
	for i, n := range shape {
		switch k := rng.IntN(6); {
		case k == 0:
			start[i], count[i] = 0, n
		case k == 1 && chunks != nil:
			c := chunks[i]
			nc := (n + c - 1) / c
			a := rng.IntN(nc)
			b := a + 1 + rng.IntN(nc-a)
			start[i], count[i] = a*c, min(b*c, n)-a*c
		case k == 2:
			start[i], count[i] = rng.IntN(n), 1
		default:
			start[i] = rng.IntN(n)
			count[i] = 1 + rng.IntN(n-start[i])
		}
	}
	return start, count
}

// library opens a second handle of the dataset at p that reads through
// the library only: the reference the direct path must match.
func library(t *testing.T, f *File, p string) *Dataset {
	t.Helper()
	d, err := f.OpenDataset(p, CacheOptions{None: true})
	if err != nil {
		t.Fatal(err)
	}
	d.raw, d.rawChunks = rawNone, false
	return d
}

// compareRegions reads n random regions (and the whole dataset) of p
// through the direct path and through the library and compares the
// bytes. The direct path's buffer starts as junk, so a byte it leaves
// unwritten shows; the library's starts as zeros, which is what it leaves
// where it skips storage never written.
func compareRegions(t *testing.T, f *File, p string, wantDirect bool, rng *rand.Rand, n int) {
	t.Helper()
	d, err := f.OpenDataset(p, CacheOptions{None: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Direct() != wantDirect {
		t.Fatalf("%s: Direct() = %v, want %v (info %+v)", p, d.Direct(), wantDirect, d.Info())
	}
	ref := library(t, f, p)
	defer ref.Close()
	in := d.Info()
	es := in.Type.DType.Size()
	ctx := context.Background()
	for k := 0; k <= n; k++ {
		start, count := make([]int, len(in.Shape)), append([]int(nil), in.Shape...)
		if k > 0 {
			start, count = randomRegion(rng, in.Shape, in.Chunks)
		}
		size := chunk.Size(count) * es
		want := make([]byte, size)
		if err := ref.Read(ctx, start, count, want); err != nil {
			t.Fatalf("%s: library read %v+%v: %v", p, start, count, err)
		}
		got := bytes.Repeat([]byte{0xA5}, size)
		if err := d.Read(ctx, start, count, got); err != nil {
			t.Fatalf("%s: direct read %v+%v: %v", p, start, count, err)
		}
		if !bytes.Equal(got, want) {
			i := 0
			for got[i] == want[i] {
				i++
			}
			t.Fatalf("%s (%s, shape %v chunks %v): region %v+%v differs first at byte %d: direct %x, library %x",
				p, in.Type.DType, in.Shape, in.Chunks, start, count, i, got[i:min(i+16, size)], want[i:min(i+16, size)])
		}
	}
}

// randomData returns n elements of dt as bytes, bools 0 or 1.
func randomData(rng *rand.Rand, dt chunk.DType, n int) []byte {
	b := make([]byte, n*dt.Size())
	for i := range b {
		b[i] = byte(rng.Uint32())
		if dt == chunk.Bool {
			b[i] &= 1
		}
	}
	return b
}

// fillOf returns a one-element fill value of dt.
func fillOf(dt chunk.DType) any {
	switch dt {
	case chunk.Bool:
		return []bool{true}
	case chunk.Int8:
		return []int8{-7}
	case chunk.Int16:
		return []int16{-300}
	case chunk.Int32:
		return []int32{-70000}
	case chunk.Int64:
		return []int64{-1 << 40}
	case chunk.Uint8:
		return []uint8{200}
	case chunk.Uint16:
		return []uint16{60000}
	case chunk.Uint32:
		return []uint32{4e9}
	case chunk.Uint64:
		return []uint64{1 << 63}
	case chunk.Float32:
		return []float32{-9.5}
	}
	return []float64{1e300}
}

// TestDirectMatchesLibrary writes datasets of every dtype and rank 1-4,
// chunked (with ragged edge chunks) and contiguous, whole, in part (the
// rest never written: fill values) or not at all, with and without a fill
// value, and reads random regions through both paths.
func TestDirectMatchesLibrary(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "direct.h5")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	type made struct {
		name   string
		direct bool
	}
	var list []made
	for rank := 1; rank <= 4; rank++ {
		for _, dt := range chunk.DTypes {
			for variant := range 6 {
				shape := make([]int, rank)
				for i := range shape {
					shape[i] = 1 + rng.IntN([]int{0, 300, 40, 14, 8}[rank])
				}
				spec := DatasetSpec{DType: dt, Shape: shape}
				chunked := variant < 4
				if chunked {
					spec.Chunks = make([]int, rank)
					for i, n := range shape {
						spec.Chunks[i] = 1 + rng.IntN(n)
					}
				}
				if variant%2 == 1 {
					spec.FillValue = fillOf(dt)
				}
				name := fmt.Sprintf("/r%d/%s/v%d", rank, dt, variant)
				d, err := w.CreateDataset(name, spec, CacheOptions{})
				if err != nil {
					t.Fatal(err)
				}
				switch variant {
				case 0, 4: // whole
					if err := d.Write(make([]int, rank), shape, randomData(rng, dt, chunk.Size(shape))); err != nil {
						t.Fatal(err)
					}
				case 1, 2: // a part: the other chunks are never written
					start, count := randomRegion(rng, shape, spec.Chunks)
					if err := d.Write(start, count, randomData(rng, dt, chunk.Size(count))); err != nil {
						t.Fatal(err)
					}
				}
				// 3 and 5: nothing written.
				list = append(list, made{name, true})
			}
		}
	}
	// Runs long enough to be read straight into the caller's buffer, and
	// chunks larger than most regions.
	for _, c := range []struct {
		shape, chunks []int
	}{
		{[]int{100000}, []int{10000}},
		{[]int{300, 5000}, []int{100, 5000}},
		{[]int{7, 300, 900}, []int{2, 300, 900}},
		{[]int{40, 40, 40}, []int{40, 40, 40}},
	} {
		name := fmt.Sprintf("/long/%v", c.chunks)
		d, err := w.CreateDataset(name, DatasetSpec{DType: chunk.Float64, Shape: c.shape, Chunks: c.chunks}, CacheOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Write(make([]int, len(c.shape)), c.shape, randomData(rng, chunk.Float64, chunk.Size(c.shape))); err != nil {
			t.Fatal(err)
		}
		list = append(list, made{name, true})
	}
	// Filtered: the library reads them.
	d, err := w.CreateDataset("/zip", DatasetSpec{DType: chunk.Int32, Shape: []int{50, 60}, Chunks: []int{16, 16}, Deflate: 1, Shuffle: true}, CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Write([]int{0, 0}, []int{50, 60}, randomData(rng, chunk.Int32, 3000)); err != nil {
		t.Fatal(err)
	}
	list = append(list, made{"/zip", false})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	f, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if f.raw == nil {
		t.Fatal("a file opened read-only has no raw descriptor")
	}
	for _, m := range list {
		compareRegions(t, f, m.name, m.direct, rng, 25)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	// A file opened for writing reads through the library.
	fw, err := Open(path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer fw.Close()
	dw, err := fw.OpenDataset(list[0].name, CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if dw.Direct() || fw.raw != nil {
		t.Errorf("a file opened for writing reads directly")
	}
}

// TestDirectConcurrent reads random regions from several goroutines at
// once (the path takes no lock once the chunks are known) and checks each
// against the whole array read once.
func TestDirectConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conc.h5")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	shape, chunks := []int{64, 48, 40}, []int{8, 16, 40}
	rng := rand.New(rand.NewPCG(3, 5))
	data := randomData(rng, chunk.Int32, chunk.Size(shape))
	d, err := w.CreateDataset("/v", DatasetSpec{DType: chunk.Int32, Shape: shape, Chunks: chunks}, CacheOptions{})
	if err == nil {
		err = d.Write([]int{0, 0, 0}, shape, data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err = f.OpenDataset("/v", CacheOptions{None: true})
	if err != nil || !d.Direct() {
		t.Fatalf("open: %v, direct %v", err, d != nil && d.Direct())
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 9))
			for range 200 {
				start, count := randomRegion(rng, shape, chunks)
				got := make([]byte, chunk.Size(count)*4)
				if err := d.Read(context.Background(), start, count, got); err != nil {
					t.Error(err)
					return
				}
				want := make([]byte, len(got))
				copyBox(want, count, data, shape, start, 4)
				if !bytes.Equal(got, want) {
					t.Errorf("region %v+%v differs", start, count)
					return
				}
			}
		})
	}
	wg.Wait()
}

// copyBox copies the box at start of shape count out of the row-major
// array src of shape, element by element (a reference independent of
// forRuns).
func copyBox(dst []byte, count []int, src []byte, shape, start []int, es int) {
	idx := make([]int, len(count))
	for k := 0; k < chunk.Size(count); k++ {
		off := 0
		for i := range shape {
			off = off*shape[i] + start[i] + idx[i]
		}
		copy(dst[k*es:(k+1)*es], src[off*es:(off+1)*es])
		for i := len(idx) - 1; i >= 0; i-- {
			if idx[i]++; idx[i] < count[i] {
				break
			}
			idx[i] = 0
		}
	}
}

// TestForRuns checks the run decomposition against copyBox for random
// boxes of random blocks and regions.
func TestForRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		rank := 1 + rng.IntN(5)
		// A block (a chunk) and a region overlapping it.
		origin, bshape := make([]int, rank), make([]int, rank)
		rstart, rshape := make([]int, rank), make([]int, rank)
		lo, hi := make([]int, rank), make([]int, rank)
		for i := range rank {
			origin[i], bshape[i] = rng.IntN(5), 1+rng.IntN(6)
			rstart[i] = origin[i] - 2 + rng.IntN(bshape[i]+2)
			rstart[i] = max(rstart[i], 0)
			rshape[i] = 1 + rng.IntN(8)
			lo[i] = max(origin[i], rstart[i])
			hi[i] = min(origin[i]+bshape[i], rstart[i]+rshape[i])
			if hi[i] <= lo[i] {
				rstart[i], rshape[i] = origin[i], 1+rng.IntN(bshape[i])
				lo[i], hi[i] = origin[i], origin[i]+rshape[i]
			}
		}
		block := make([]byte, chunk.Size(bshape))
		for i := range block {
			block[i] = byte(i + 1)
		}
		got := make([]byte, chunk.Size(rshape))
		forRuns(origin, bshape, lo, hi, rstart, rshape, func(src, at, n int) bool {
			copy(got[at:at+n], block[src:src+n])
			return true
		})
		// The reference: the box taken from the block, put into the region.
		ext := make([]int, rank)
		bs, rs := make([]int, rank), make([]int, rank)
		for i := range rank {
			ext[i] = hi[i] - lo[i]
			bs[i], rs[i] = lo[i]-origin[i], lo[i]-rstart[i]
		}
		box := make([]byte, chunk.Size(ext))
		copyBox(box, ext, block, bshape, bs, 1)
		want := make([]byte, len(got))
		region := make([]byte, len(got))
		for i := range region {
			region[i] = 0
		}
		idx := make([]int, rank)
		for k := range box {
			off := 0
			for i := range rank {
				off = off*rshape[i] + rs[i] + idx[i]
			}
			want[off] = box[k]
			for i := rank - 1; i >= 0; i-- {
				if idx[i]++; idx[i] < ext[i] {
					break
				}
				idx[i] = 0
			}
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("block %v at %v, region %v at %v, box %v-%v: got %v want %v", bshape, origin, rshape, rstart, lo, hi, got, want)
		}
	}
}

// TestDirectUserBlock reads files with a user block (the HDF5 data then
// starts 512 or 4096 bytes in, and libhdf5 1.10 reports chunk addresses
// relative to that) written by h5py, including a big-endian dataset and a
// compressed one (through the library), and the raw chunks of the latter.
func TestDirectUserBlock(t *testing.T) {
	needH5py(t)
	for _, ub := range []string{"0", "512", "4096"} {
		t.Run("userblock="+ub, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ub.h5")
			runPython(t, `
import sys, h5py, numpy as np
rng = np.random.default_rng(5)
with h5py.File(sys.argv[1], "w", userblock_size=int(sys.argv[2])) as f:
    f.create_dataset("chunked", data=rng.standard_normal((37, 23, 5)).astype("<f4"), chunks=(8, 6, 5))
    f.create_dataset("contig", data=rng.integers(-30000, 30000, (41, 17)).astype("<i2"))
    p = f.create_dataset("partial", shape=(30, 40), dtype="<u8", chunks=(7, 9), fillvalue=12345)
    p[3:11, 20:31] = 7
    f.create_dataset("empty_contig", shape=(9, 9), dtype="<f8", fillvalue=-1.5)
    f.create_dataset("big_endian", data=np.arange(60, dtype=">i4").reshape(6, 10), chunks=(4, 4))
    f.create_dataset("zip", data=np.arange(4000, dtype="<f8").reshape(40, 100), chunks=(16, 32), compression="gzip", shuffle=True)
    f.create_dataset("bool", data=rng.integers(0, 2, (13, 11)).astype(bool), chunks=(5, 5))
    # No fill at all: the library leaves storage never written alone.
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((5, 5))
    dcpl.set_fill_time(h5py.h5d.FILL_TIME_NEVER)
    dcpl.set_fill_value(np.array([3.5], dtype="<f4"))
    h5py.h5d.create(f.id, b"never", h5py.h5t.IEEE_F32LE, h5py.h5s.create_simple((12, 12)), dcpl)
    f["never"][2:4, 6:12] = 1.25
`, path, ub)
			if ub != "0" && SignatureOffset(path) != int64(atoi(ub)) {
				t.Fatalf("signature at %d, want %s", SignatureOffset(path), ub)
			}
			f, err := Open(path, false)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rng := rand.New(rand.NewPCG(2, 2))
			for _, c := range []struct {
				name   string
				direct bool
			}{{"/chunked", true}, {"/contig", true}, {"/partial", true}, {"/empty_contig", true}, {"/big_endian", false}, {"/zip", false}, {"/bool", true}, {"/never", true}} {
				compareRegions(t, f, c.name, c.direct, rng, 40)
			}
			// Raw chunks of the compressed dataset: pread against
			// H5Dread_chunk.
			d, err := f.OpenDataset("/zip", CacheOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ref := library(t, f, "/zip")
			for y := 0; y < 40; y += 16 {
				for x := 0; x < 100; x += 32 {
					got, gm, gw, err1 := d.ReadChunk([]int{y, x}, nil)
					want, wm, ww, err2 := ref.ReadChunk([]int{y, x}, nil)
					if err1 != nil || err2 != nil || !bytes.Equal(got, want) || gm != wm || gw != ww {
						t.Errorf("chunk [%d %d]: pread %d bytes mask %d (%v), library %d bytes mask %d (%v)", y, x, len(got), gm, err1, len(want), wm, err2)
					}
				}
			}
		})
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestDirectTruncated cuts the file short while it is open: the direct
// path (and the raw chunk reads) must fail with dataset.ErrCorrupt naming
// the dataset, never return zeros.
func TestDirectTruncated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cut.h5")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	for _, spec := range []struct {
		name string
		DatasetSpec
	}{
		{"/chunked", DatasetSpec{DType: chunk.Float64, Shape: []int{200, 300}, Chunks: []int{50, 50}}},
		{"/contig", DatasetSpec{DType: chunk.Float64, Shape: []int{200, 300}}},
		{"/zip", DatasetSpec{DType: chunk.Float64, Shape: []int{200, 300}, Chunks: []int{50, 50}, Deflate: 1}},
	} {
		d, err := w.CreateDataset(spec.name, spec.DatasetSpec, CacheOptions{})
		if err == nil {
			err = d.Write([]int{0, 0}, []int{200, 300}, randomData(rng, chunk.Float64, 60000))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Everything is opened and read once before the cut: the library
	// reads object headers and chunk indexes lazily, and would fail on
	// those first.
	ctx := context.Background()
	var direct []*Dataset
	for _, name := range []string{"/chunked", "/contig"} {
		d, err := f.OpenDataset(name, CacheOptions{None: true})
		if err != nil {
			t.Fatal(err)
		}
		if !d.Direct() {
			t.Fatalf("%s is not read directly", name)
		}
		if err := d.Read(ctx, []int{0, 0}, []int{200, 300}, make([]byte, 60000*8)); err != nil {
			t.Fatal(err)
		}
		direct = append(direct, d)
	}
	zip, err := f.OpenDataset("/zip", CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	forChunks := func(fn func(off []int) error) error {
		for y := 0; y < 200; y += 50 {
			for x := 0; x < 300; x += 50 {
				if err := fn([]int{y, x}); err != nil {
					return err
				}
			}
		}
		return nil
	}
	readChunk := func(off []int) error {
		_, _, _, err := zip.ReadChunk(off, nil)
		return err
	}
	if err := forChunks(readChunk); err != nil {
		t.Fatal(err)
	}

	st, _ := os.Stat(path)
	if err := os.Truncate(path, st.Size()/4); err != nil {
		t.Fatal(err)
	}
	for _, d := range direct {
		err = d.Read(ctx, []int{0, 0}, []int{200, 300}, make([]byte, 60000*8))
		if !errors.Is(err, dataset.ErrCorrupt) || !strings.Contains(err.Error(), d.Path()) || !strings.Contains(err.Error(), "truncated") {
			t.Errorf("%s: reading past the end: %v", d.Path(), err)
		}
	}
	err = forChunks(readChunk)
	if !errors.Is(err, dataset.ErrCorrupt) || !strings.Contains(err.Error(), "/zip") {
		t.Errorf("raw chunks past the end: %v", err)
	}
}

// TestDirectClosed reads through the direct path after closing the
// dataset and the file: ErrClosed, both for chunks already looked up and
// for new ones.
func TestDirectClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "closed.h5")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := w.CreateDataset("/v", DatasetSpec{DType: chunk.Int16, Shape: []int{10, 10}, Chunks: []int{5, 5}}, CacheOptions{})
	if err == nil {
		err = d.Write([]int{0, 0}, []int{10, 10}, make([]byte, 200))
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	d, err = f.OpenDataset("/v", CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := d.Read(ctx, []int{0, 0}, []int{5, 5}, make([]byte, 50)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for _, r := range [][2][]int{{{0, 0}, {5, 5}}, {{5, 5}, {5, 5}}} {
		if err := d.Read(ctx, r[0], r[1], make([]byte, 50)); !errors.Is(err, ErrClosed) {
			t.Errorf("read %v after Close: %v, want ErrClosed", r, err)
		}
	}
}
