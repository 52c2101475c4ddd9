package h5

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
)

func create(t *testing.T) (*File, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "t.h5")
	f, err := Create(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, p
}

// TestErrorText checks the error text, the errno and its unwrapping, from
// the stack the library gives for a missing file.
func TestErrorText(t *testing.T) {
	p := filepath.Join(t.TempDir(), "missing.h5")
	_, err := Open(p, false)
	var he *Error
	if !errors.As(err, &he) {
		t.Fatalf("Open of a missing file: %v (%T), want *Error", err, err)
	}
	if len(he.Frames) < 2 || he.Frames[0].Func != "H5Fopen" {
		t.Errorf("frames %+v, want the stack from H5Fopen down", he.Frames)
	}
	if got, want := err.Error(), "H5Fopen: unable to open file: open failed: No such file or directory"; got != want {
		t.Errorf("error text %q, want %q", got, want)
	}
	if he.Errno() != syscall.ENOENT || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errno %v; errors.Is(err, fs.ErrNotExist) = %v", he.Errno(), errors.Is(err, fs.ErrNotExist))
	}
	os.WriteFile(p, []byte("plain text, not HDF5"), 0o644)
	_, err = Open(p, false)
	if err == nil || !errors.As(err, &he) || !he.Contains("file signature not found") || he.Errno() != 0 {
		t.Errorf("Open of a text file: %v", err)
	}
	// Descriptions lose their timestamps and names; a missing stack says so.
	e := &Error{Op: "op", Frames: []Frame{{Desc: "outer, time = Mon Jan 1\n, name = 'x'"}, {Desc: "middle"}, {Desc: "inner"}}}
	if got := e.Error(); got != "op: outer: middle: inner" {
		t.Errorf("tidied text %q", got)
	}
	if got := (&Error{Op: "op"}).Error(); got != "op: failed (no error stack)" {
		t.Errorf("empty stack text %q", got)
	}
}

// TestDatasetRoundTrip writes and reads every dtype through hyperslabs,
// and checks the bounds checks that keep C from running past Go buffers.
func TestDatasetRoundTrip(t *testing.T) {
	f, _ := create(t)
	rng := rand.New(rand.NewPCG(1, 1))
	for _, dt := range chunk.DTypes {
		for _, chunks := range [][]int{nil, {3, 2}} {
			name := fmt.Sprintf("/g/%s_%v", dt, chunks != nil)
			d, err := f.CreateDataset(name, DatasetSpec{DType: dt, Shape: []int{5, 7}, Chunks: chunks}, CacheOptions{Bytes: 4096})
			if err != nil {
				t.Fatal(err)
			}
			data := make([]byte, 35*dt.Size())
			for i := range data {
				data[i] = byte(rng.Uint32())
				if dt == chunk.Bool {
					data[i] &= 1
				}
			}
			if err := d.Write([]int{0, 0}, []int{5, 7}, data); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, 2*3*dt.Size())
			if err := d.Read(context.Background(), []int{2, 3}, []int{2, 3}, got); err != nil {
				t.Fatal(err)
			}
			want := append(slices.Clone(data[(2*7+3)*dt.Size():(2*7+6)*dt.Size()]), data[(3*7+3)*dt.Size():(3*7+6)*dt.Size()]...)
			if !bytes.Equal(got, want) {
				t.Errorf("%s: read back %x, want %x", name, got, want)
			}
			for _, bad := range []struct {
				start, count []int
				n            int
			}{
				{[]int{0, 0}, []int{5, 7}, 34 * dt.Size()},
				{[]int{4, 0}, []int{2, 7}, 14 * dt.Size()},
				{[]int{-1, 0}, []int{1, 7}, 7 * dt.Size()},
				{[]int{0}, []int{5}, 5 * dt.Size()},
			} {
				err := d.Read(context.Background(), bad.start, bad.count, make([]byte, bad.n))
				if !errors.Is(err, chunk.ErrShape) && !errors.Is(err, chunk.ErrIndex) {
					t.Errorf("%s: bad read %v %v (%d bytes): %v", name, bad.start, bad.count, bad.n, err)
				}
			}
		}
	}
	if _, err := f.CreateDataset("/bad", DatasetSpec{DType: chunk.Float32, Shape: []int{4}, Deflate: 1}, CacheOptions{}); !errors.Is(err, chunk.ErrChunks) {
		t.Errorf("deflate without chunks: %v", err)
	}
	if _, err := f.CreateDataset("/bad", DatasetSpec{DType: chunk.Float32, Shape: []int{4}, FillValue: []float64{1}}, CacheOptions{}); !errors.Is(err, chunk.ErrDType) {
		t.Errorf("float64 fill for float32: %v", err)
	}
}

// TestObjectsAndAttrs lists objects in creation order and round-trips
// attributes of every kind, including empty and one-element ones.
func TestObjectsAndAttrs(t *testing.T) {
	f, p := create(t)
	for _, name := range []string{"/zeta", "/alpha"} {
		if _, err := f.CreateDataset(name, DatasetSpec{DType: chunk.Int8, Shape: []int{1}}, CacheOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.CreateGroup("/grp/sub"); err != nil {
		t.Fatal(err)
	}
	d, err := f.CreateDataset("/grp/sub/mid", DatasetSpec{DType: chunk.Float64}, CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	attrs := []Attr{
		{Name: "s", Value: "héllo"},
		{Name: "empty_s", Value: ""},
		{Name: "f64", Value: []float64{math.Inf(-1), 0.5}},
		{Name: "one", Value: []int32{7}},
		{Name: "none", Value: []uint16{}},
		{Name: "flags", Value: []bool{true, false}},
		{Name: "nan", Value: []float32{float32(math.NaN())}},
	}
	for _, a := range attrs {
		if err := d.SetAttr(a.Name, a.Value); err != nil {
			t.Fatal(err)
		}
		if err := f.SetAttr("/", a.Name, a.Value); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.SetAttr("bad", []string{"x"}); !errors.Is(err, chunk.ErrDType) {
		t.Errorf("[]string attribute: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	f, err = Open(p, false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	objs, err := f.Objects()
	if err != nil {
		t.Fatal(err)
	}
	want := "[{/ 103} {/zeta 100} {/alpha 100} {/grp 103} {/grp/sub 103} {/grp/sub/mid 100}]"
	if got := fmt.Sprint(objs); got != want {
		t.Errorf("objects %s, want %s (creation order)", got, want)
	}
	for _, where := range []string{"/", "/grp/sub/mid"} {
		got, err := f.Attrs(where)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(attrs) {
			t.Fatalf("%s: %d attributes, want %d", where, len(got), len(attrs))
		}
		for i, a := range attrs {
			g := got[i]
			gs, ws := fmt.Sprintf("%#v", g.Value), fmt.Sprintf("%#v", a.Value)
			if a.Name == "nan" {
				v, ok := g.Value.([]float32)
				if !ok || len(v) != 1 || math.Float32bits(v[0]) != math.Float32bits(a.Value.([]float32)[0]) {
					t.Errorf("%s: nan attribute %v", where, g.Value)
				}
				continue
			}
			if g.Name != a.Name || gs != ws {
				t.Errorf("%s: attribute %d = %s %s, want %s %s", where, i, g.Name, gs, a.Name, ws)
			}
		}
		if ok, err := f.HasAttr(where, "one"); !ok || err != nil {
			t.Errorf("HasAttr(%s, one) = %v, %v", where, ok, err)
		}
	}
}

// TestChunksAndCodec stores chunks encoded by the Codec (shuffle, deflate
// at several levels, a skipped filter) and reads them with the library,
// then reads the library's chunks raw and decodes them with the Codec.
func TestChunksAndCodec(t *testing.T) {
	f, _ := create(t)
	rng := rand.New(rand.NewPCG(2, 2))
	for _, dt := range []chunk.DType{chunk.Uint8, chunk.Int16, chunk.Float32, chunk.Float64} {
		for _, c := range []struct {
			shuffle bool
			level   int
		}{{false, 0}, {true, 0}, {false, 1}, {true, 6}, {true, 9}} {
			es := dt.Size()
			name := fmt.Sprintf("/%s_%v_%d", dt, c.shuffle, c.level)
			d, err := f.CreateDataset(name, DatasetSpec{DType: dt, Shape: []int{10, 6}, Chunks: []int{4, 6}, Shuffle: c.shuffle, Deflate: c.level}, CacheOptions{})
			if err != nil {
				t.Fatal(err)
			}
			codec, ok := NewCodec(d.Info().Filters, es)
			if !ok {
				t.Fatalf("%s: no codec for %+v", name, d.Info().Filters)
			}
			data := make([]byte, 60*es)
			for i := range data {
				data[i] = byte(rng.IntN(4)) // compressible
			}
			// Chunks at rows 0, 4 and the ragged 8 (padded to 4 rows).
			for _, row := range []int{0, 4, 8} {
				full := make([]byte, 24*es)
				copy(full, data[row*6*es:min(row+4, 10)*6*es])
				stored, err := codec.Encode(full, nil)
				if err != nil {
					t.Fatal(err)
				}
				if err := d.WriteChunk([]int{row, 0}, 0, stored); err != nil {
					t.Fatal(err)
				}
			}
			got := make([]byte, 60*es)
			if err := d.Read(context.Background(), []int{0, 0}, []int{10, 6}, got); err != nil {
				t.Fatalf("%s: library read of Codec chunks: %v", name, err)
			}
			if !bytes.Equal(got, data) {
				t.Errorf("%s: library read of Codec chunks differs", name)
			}
			// The other way: the library writes, the Codec decodes.
			rev := slices.Clone(data)
			slices.Reverse(rev)
			if err := d.Write([]int{0, 0}, []int{10, 6}, rev); err != nil {
				t.Fatal(err)
			}
			if err := f.Flush(); err != nil {
				t.Fatal(err)
			}
			for _, row := range []int{0, 4, 8} {
				raw, mask, written, err := d.ReadChunk([]int{row, 0}, nil)
				if err != nil || !written {
					t.Fatalf("%s: ReadChunk(%d): written %v err %v", name, row, written, err)
				}
				full := make([]byte, 24*es)
				if err := codec.Decode(full, raw, mask); err != nil {
					t.Fatalf("%s: Decode: %v", name, err)
				}
				n := (min(row+4, 10) - row) * 6 * es
				if !bytes.Equal(full[:n], rev[row*6*es:row*6*es+n]) {
					t.Errorf("%s: decoded library chunk at row %d differs", name, row)
				}
			}
		}
	}
	// A chunk stored with deflate skipped (mask bit 1), as the library
	// does when deflating does not pay.
	d, err := f.CreateDataset("/masked", DatasetSpec{DType: chunk.Int32, Shape: []int{16}, Chunks: []int{8}, Shuffle: true, Deflate: 5}, CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	vals := []int32{1, -2, 3, -4, 5, -6, 7, -8}
	shuffled, _ := CodecOf(true, 0, 4).Encode(chunk.AsBytes(vals), nil)
	if err := d.WriteChunk([]int{0}, 1<<1, shuffled); err != nil {
		t.Fatal(err)
	}
	// libhdf5 1.10.8 reads such a chunk right only once the file is
	// reopened: until then it decodes it with a cached mask of 0.
	p := f.Path()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if f, err = Open(p, true); err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if d, err = f.OpenDataset("/masked", CacheOptions{}); err != nil {
		t.Fatal(err)
	}
	got := make([]int32, 8)
	if err := d.Read(context.Background(), []int{0}, []int{8}, chunk.AsBytes(got)); err != nil || !slices.Equal(got, vals) {
		t.Errorf("library read of a chunk with deflate skipped: %v %v", got, err)
	}
	raw, mask, _, err := d.ReadChunk([]int{0}, nil)
	if err != nil || mask != 2 {
		t.Fatalf("ReadChunk: mask %d err %v", mask, err)
	}
	codec, _ := NewCodec(d.Info().Filters, 4)
	dec := make([]int32, 8)
	if err := codec.Decode(chunk.AsBytes(dec), raw, mask); err != nil || !slices.Equal(dec, vals) {
		t.Errorf("Decode with deflate skipped: %v %v", dec, err)
	}
	// An unwritten chunk, and offsets off the chunk grid.
	e, err := f.CreateDataset("/unwritten", DatasetSpec{DType: chunk.Int8, Shape: []int{4}, Chunks: []int{2}}, CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, written, err := e.ReadChunk([]int{2}, nil); written || err != nil {
		t.Errorf("unwritten chunk: written %v err %v", written, err)
	}
	if _, _, _, err := e.ReadChunk([]int{1}, nil); !errors.Is(err, chunk.ErrIndex) {
		t.Errorf("ReadChunk off the grid: %v", err)
	}
	if err := e.WriteChunk([]int{6}, 0, []byte{1, 2}); !errors.Is(err, chunk.ErrIndex) {
		t.Errorf("WriteChunk past the end: %v", err)
	}
}

// TestCodecCorrupt decodes damaged streams: each fails with
// dataset.ErrCorrupt.
func TestCodecCorrupt(t *testing.T) {
	c := CodecOf(true, 6, 4)
	src := make([]byte, 4096)
	for i := range src {
		src[i] = byte(i / 7)
	}
	stored, err := c.Encode(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]byte, len(src))
	if err := c.Decode(dst, stored, 0); err != nil || !bytes.Equal(dst, src) {
		t.Fatalf("clean round trip: %v", err)
	}
	flipped := slices.Clone(stored)
	flipped[len(flipped)/2] ^= 0xFF
	checksum := slices.Clone(stored)
	checksum[len(checksum)-1] ^= 1
	for what, s := range map[string][]byte{
		"a flipped byte":   flipped,
		"a bad checksum":   checksum,
		"a cut stream":     stored[:len(stored)/2],
		"no zlib header":   stored[2:],
		"an empty chunk":   nil,
		"a shorter output": mustEncode(t, c, src[:2048]),
		"a longer output":  mustEncode(t, c, append(slices.Clone(src), src...)),
	} {
		if err := c.Decode(dst, s, 0); !errors.Is(err, dataset.ErrCorrupt) {
			t.Errorf("decode with %s: %v, want dataset.ErrCorrupt", what, err)
		}
	}
	if err := CodecOf(true, 0, 4).Decode(dst, src[:100], 0); !errors.Is(err, dataset.ErrCorrupt) {
		t.Errorf("shuffled chunk of the wrong size: %v", err)
	}
	if _, ok := NewCodec([]Filter{{ID: FilterDeflate}, {ID: FilterShuffle}}, 4); ok {
		t.Errorf("NewCodec accepted deflate before shuffle")
	}
	if _, ok := NewCodec([]Filter{{ID: 32000}}, 4); ok {
		t.Errorf("NewCodec accepted lzf")
	}
}

func mustEncode(t *testing.T, c *Codec, src []byte) []byte {
	t.Helper()
	b, err := c.Encode(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestShuffle checks the shuffle against the definition for every element
// size, with a tail shorter than an element.
func TestShuffle(t *testing.T) {
	for _, es := range []int{1, 2, 3, 4, 8, 16} {
		src := make([]byte, es*13+es/2)
		for i := range src {
			src[i] = byte(i*7 + 1)
		}
		n := len(src) / es
		want := make([]byte, len(src))
		for i := 0; i < n; i++ {
			for j := 0; j < es; j++ {
				want[j*n+i] = src[i*es+j]
			}
		}
		copy(want[n*es:], src[n*es:])
		if es == 1 {
			want = src
		}
		got := make([]byte, len(src))
		shuffle(got, src, es)
		if !bytes.Equal(got, want) {
			t.Errorf("shuffle %d: %x, want %x", es, got, want)
		}
		back := make([]byte, len(src))
		unshuffle(back, got, es)
		if !bytes.Equal(back, src) {
			t.Errorf("unshuffle %d does not invert shuffle", es)
		}
	}
}

// TestSignature finds the signature at 0 and after a user block.
func TestSignature(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ub.h5")
	b := append(make([]byte, 1024), []byte(Signature+"rest of the superblock")...)
	os.WriteFile(p, b, 0o644)
	if off := SignatureOffset(p); off != 1024 {
		t.Errorf("SignatureOffset = %d, want 1024", off)
	}
	os.WriteFile(p, append(make([]byte, 1000), []byte(Signature)...), 0o644)
	if off := SignatureOffset(p); off != -1 {
		t.Errorf("signature at 1000 (not a user-block size): offset %d, want -1", off)
	}
	if HasSignature([]byte("\x89HDF\r\n")) || !HasSignature([]byte(Signature)) {
		t.Errorf("HasSignature")
	}
	f, p2 := create(t)
	f.SetAttr("/", "title", "plain HDF5")
	f.Close()
	if IsNetCDF4(nil, p2) {
		t.Errorf("IsNetCDF4 of a plain HDF5 file")
	}
	g, p3 := create(t)
	g.SetAttr("/", "_NCProperties", "version=2,netcdf=4.9.0,hdf5=1.10.8")
	g.Close()
	if !IsNetCDF4(nil, p3) {
		t.Errorf("IsNetCDF4 misses _NCProperties")
	}
	h, p4 := create(t)
	d, _ := h.CreateDataset("/x", DatasetSpec{DType: chunk.Float32, Shape: []int{3}}, CacheOptions{})
	d.SetAttr("_Netcdf4Dimid", []int32{0})
	h.Close()
	if !IsNetCDF4(nil, p4) || !IsNetCDF4([]byte("..._NCProperties..."), "") {
		t.Errorf("IsNetCDF4 misses _Netcdf4Dimid or a marker in the header")
	}
}

// TestClosed checks that a closed file's handles fail cleanly.
func TestClosed(t *testing.T) {
	f, _ := create(t)
	d, err := f.CreateDataset("/v", DatasetSpec{DType: chunk.Int8, Shape: []int{2}}, CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := d.Read(context.Background(), []int{0}, []int{2}, make([]byte, 2)); err == nil {
		t.Errorf("read from a closed file succeeded")
	}
	if _, err := f.Objects(); err == nil {
		t.Errorf("Objects of a closed file succeeded")
	}
	if err := d.Close(); err != nil {
		t.Errorf("Close of a dataset of a closed file: %v", err)
	}
}
