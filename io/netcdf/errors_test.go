package netcdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/internal/h5"
	"github.com/ndchunk/ndchunk/ndarray"
)

func TestOpenBadInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	missing := filepath.Join(dir, "missing.nc")
	_, err := Open(missing, dataset.OpenOptions{})
	wantErr(t, "missing", err, dataset.ErrNotExist, missing)
	if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, dataset.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}

	for name, content := range map[string][]byte{
		"text.nc":     []byte(strings.Repeat("this is not a NetCDF file\n", 40)),
		"magic.nc":    []byte("CDF\x01"),
		"cdf9.nc":     append([]byte("CDF\x09"), make([]byte, 100)...),
		"hdf5head.nc": []byte("\x89HDF\r\n\x1a\n" + strings.Repeat("\x00", 40)),
	} {
		p := write(name, content)
		_, err := Open(p, dataset.OpenOptions{})
		wantErr(t, name, err, dataset.ErrFormat, p)
	}
	empty := write("empty.nc", nil)
	_, err = Open(empty, dataset.OpenOptions{})
	wantErr(t, "empty", err, dataset.ErrFormat, empty, "empty")
	_, err = Open(dir, dataset.OpenOptions{})
	wantErr(t, "directory", err, dataset.ErrFormat, dir)
}

// TestOpenTruncated cuts files of every format short: each must fail to
// open with ErrFormat (libnetcdf alone reads a cut classic file as
// zeros).
func TestOpenTruncated(t *testing.T) {
	for _, c := range sampleConfigs {
		t.Run(c.name, func(t *testing.T) {
			s := writeSample(t, c.format, c.cfg)
			full, err := os.ReadFile(s.path)
			if err != nil {
				t.Fatal(err)
			}
			f := mustOpen(t, s.path)
			if strings.HasPrefix(f.Info().Format, "nc3") || f.Info().Format == "cdf5" {
				// The header describes exactly as much data as the file
				// holds, up to the padding of the last variable.
				end, err := classicEnd(bytes.NewReader(full))
				if err != nil || end > int64(len(full)) || int64(len(full))-end > 3 {
					t.Errorf("classicEnd = %d, %v for a file of %d bytes", end, err, len(full))
				}
			}
			for _, n := range []int{len(full) - 4, len(full) / 2, 300, 40, 7} {
				p := filepath.Join(t.TempDir(), "cut.nc")
				if err := os.WriteFile(p, full[:n], 0o644); err != nil {
					t.Fatal(err)
				}
				f, err := Open(p, dataset.OpenOptions{})
				if err == nil {
					// A cut NetCDF-4 file can still open when only raw
					// chunk data was cut; reading it must then fail.
					err = readEverything(f)
					f.Close()
				}
				if err == nil {
					t.Errorf("%d of %d bytes: no error", n, len(full))
					continue
				}
				if !errors.Is(err, dataset.ErrFormat) && !errors.Is(err, dataset.ErrCorrupt) {
					t.Errorf("%d of %d bytes: %v, want ErrFormat or ErrCorrupt", n, len(full), err)
				}
				if !strings.Contains(err.Error(), p) {
					t.Errorf("%d of %d bytes: error %q does not name the file", n, len(full), err)
				}
			}
		})
	}
}

// readEverything reads every readable variable of f whole.
func readEverything(f dataset.File) error {
	for _, vi := range f.Info().Vars {
		if vi.Unsupported != "" {
			continue
		}
		v, err := f.Var(vi.Name)
		if err != nil {
			return err
		}
		buf := make([]byte, chunk.Size(vi.Shape)*vi.DType.Size())
		if err := v.ReadRegion(context.Background(), chunk.WholeRegion(vi.Shape), buf); err != nil {
			return err
		}
	}
	return nil
}

// TestCorruptChunk damages one compressed chunk of a NetCDF-4 variable:
// reading it fails with ErrCorrupt naming the file and the variable;
// other chunks still read.
func TestCorruptChunk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "corrupt.nc")
	spec := dataset.Spec{Dims: []dataset.Dim{{Name: "y", Len: 64}, {Name: "x", Len: 64}},
		Vars: []dataset.VarSpec{{Name: "temp", Dims: []string{"y", "x"}, DType: chunk.Float32, Chunks: []int{32, 32}, Deflate: 4, Shuffle: true}}}
	data := make([]float32, 64*64)
	for i := range data {
		data[i] = float32(i%97) * 0.25
	}
	storeDense(t, path, spec, map[string][]byte{"temp": chunk.AsBytes(data)}, createConfig{})

	// Find the stored bytes of chunk (32, 32) and damage them.
	hf, err := h5.Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := hf.OpenDataset("/temp", h5.CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _, written, err := ds.ReadChunk([]int{32, 32}, nil)
	if err != nil || !written {
		t.Fatalf("read the raw chunk: written %v, %v", written, err)
	}
	hf.Close()
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(file, raw)
	if at < 0 {
		t.Fatal("chunk bytes not found in the file")
	}
	for i := at + 10; i < at+len(raw)-4; i++ {
		file[i] ^= 0x5a
	}
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}

	f := mustOpen(t, path)
	v, err := f.Var("temp")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64*64*4)
	err = v.ReadRegion(context.Background(), chunk.WholeRegion([]int{64, 64}), buf)
	wantErr(t, "read a corrupt chunk", err, dataset.ErrCorrupt, path, "temp")
	good := make([]float32, 32*32)
	if err := v.ReadRegion(context.Background(), chunk.Region{Start: []int{0, 0}, Shape: []int{32, 32}}, chunk.AsBytes(good)); err != nil {
		t.Errorf("read an intact chunk: %v", err)
	} else if good[33] != data[64+1] {
		t.Errorf("intact chunk: got %v, want %v", good[33], data[65])
	}
}

// storeDense creates a file from spec and stores whole arrays into it with
// the engine.
func storeDense(t *testing.T, path string, spec dataset.Spec, data map[string][]byte, cfg createConfig) {
	t.Helper()
	w, err := create(path, spec, dataset.CreateOptions{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, vs := range spec.Vars {
		shape, _ := spec.Shape(vs)
		d, err := chunk.WrapBytes(vs.DType, shape, data[vs.Name])
		if err != nil {
			t.Fatal(err)
		}
		s, err := w.Sink(vs.Name)
		if err != nil {
			t.Fatal(err)
		}
		spec := chunk.Auto(1 << 20)
		if vs.Chunks != nil {
			spec = chunk.Regular(vs.Chunks...)
		}
		if err := testEngine().Store(context.Background(), ndarray.FromDense(d, spec), s); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestMissingFilter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lzf.nc")
	runPython(t, `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'w') as f:
    f.create_dataset('packed', data=np.arange(100.0), compression='lzf', chunks=(10,))
    f.create_dataset('plain', data=np.arange(4.0))
`, path)
	f := mustOpen(t, path)
	vi, _ := f.Info().Var("packed")
	if len(vi.Filters) != 1 || vi.Filters[0].Name != "lzf" || vi.Filters[0].Available {
		t.Errorf("filters %+v, want an unavailable lzf", vi.Filters)
	}
	_, err := f.Var("packed")
	wantErr(t, "Var(packed)", err, dataset.ErrFilter, path, "packed", "lzf")
	checkValues(t, f, "plain", []float64{0, 1, 2, 3})
}

func TestNoVariable(t *testing.T) {
	f := mustOpen(t, ncgen(t, classicCDL, "nc3"))
	_, err := f.Var("nope")
	wantErr(t, "Var(nope)", err, dataset.ErrNoVariable, "nope", "time", "b", "s", "i", "f", "d", "c")
	w, err := Create(filepath.Join(t.TempDir(), "x.nc"), dataset.Spec{Dims: []dataset.Dim{{Name: "x", Len: 2}},
		Vars: []dataset.VarSpec{{Name: "a", Dims: []string{"x"}, DType: chunk.Int8}}}, dataset.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	_, err = w.Sink("b")
	wantErr(t, "Sink(b)", err, dataset.ErrNoVariable, "b", "a")
}

func TestCreateErrors(t *testing.T) {
	dims := []dataset.Dim{{Name: "t", Len: 2, Unlimited: true}, {Name: "u", Len: 2, Unlimited: true}, {Name: "x", Len: 3}, {Name: "/g/y", Len: 2}}
	cases := []struct {
		what, format string
		vars         []dataset.VarSpec
		target       error
		words        []string
	}{
		{"uint16 in nc3", "nc3", []dataset.VarSpec{{Name: "counts", Dims: []string{"x"}, DType: chunk.Uint16}}, chunk.ErrDType, []string{"counts", "nc3", "uint16"}},
		{"int64 in nc4-classic", "nc4-classic", []dataset.VarSpec{{Name: "big", Dims: []string{"x"}, DType: chunk.Int64}}, chunk.ErrDType, []string{"big", "nc4-classic"}},
		{"uint64 in nc3-64bit", "nc3-64bit", []dataset.VarSpec{{Name: "ids", DType: chunk.Uint64}}, chunk.ErrDType, []string{"ids", "nc3-64bit"}},
		{"a uint8 attribute in nc3", "nc3", []dataset.VarSpec{{Name: "v", Dims: []string{"x"}, DType: chunk.Int8, Attrs: []dataset.Attr{{Name: "flags", Value: []uint8{1}}}}}, chunk.ErrDType, []string{"v", "flags", "nc3"}},
		{"deflate in nc3", "nc3", []dataset.VarSpec{{Name: "squeezed", Dims: []string{"x"}, DType: chunk.Int8, Deflate: 4}}, chunk.ErrUnsupported, []string{"squeezed", "nc3"}},
		{"a group in cdf5", "cdf5", []dataset.VarSpec{{Name: "/g/v", Dims: []string{"x"}, DType: chunk.Int8}}, chunk.ErrUnsupported, []string{"/g/v", "group"}},
		{"two unlimited dimensions in nc3", "nc3", []dataset.VarSpec{{Name: "v", Dims: []string{"x"}, DType: chunk.Int8}}, chunk.ErrUnsupported, []string{"unlimited"}},
		{"a record dimension not first in nc3", "nc3-nodims", []dataset.VarSpec{{Name: "late", Dims: []string{"x", "t"}, DType: chunk.Int8}}, chunk.ErrShape, []string{"late", "t"}},
		{"bad chunks", "nc4", []dataset.VarSpec{{Name: "v", Dims: []string{"x"}, DType: chunk.Int8, Chunks: []int{0}}}, chunk.ErrChunks, []string{"v"}},
		{"chunks of the wrong rank", "nc4", []dataset.VarSpec{{Name: "v", Dims: []string{"x"}, DType: chunk.Int8, Chunks: []int{1, 1}}}, chunk.ErrChunks, []string{"v"}},
		{"deflate level 12", "nc4", []dataset.VarSpec{{Name: "v", Dims: []string{"x"}, DType: chunk.Int8, Deflate: 12}}, chunk.ErrUnsupported, []string{"v", "12"}},
		{"a fill value that does not fit", "nc4", []dataset.VarSpec{{Name: "v", Dims: []string{"x"}, DType: chunk.Int8, FillValue: []int32{1000}}}, chunk.ErrDType, []string{"v", "1000"}},
		{"a dimension from another group", "nc4", []dataset.VarSpec{{Name: "top", Dims: []string{"/g/y"}, DType: chunk.Int8}}, chunk.ErrShape, []string{"top", "/g/y"}},
		{"an unknown format", "nc9", []dataset.VarSpec{{Name: "v", Dims: []string{"x"}, DType: chunk.Int8}}, chunk.ErrUnsupported, []string{"nc9"}},
		{"a struct attribute", "nc4", []dataset.VarSpec{{Name: "v", Dims: []string{"x"}, DType: chunk.Int8, Attrs: []dataset.Attr{{Name: "odd", Value: struct{}{}}}}}, chunk.ErrUnsupported, []string{"v", "odd"}},
	}
	for _, c := range cases {
		dir := t.TempDir()
		path := filepath.Join(dir, "bad.nc")
		spec := dataset.Spec{Format: c.format, Dims: dims, Vars: c.vars}
		switch c.format {
		case "nc3", "nc3-64bit", "nc4-classic", "cdf5":
			spec.Dims = []dataset.Dim{dims[0], dims[2]}
			if c.what == "two unlimited dimensions in nc3" {
				spec.Dims = dims[:3]
			}
		case "nc3-nodims":
			spec.Format, spec.Dims = "nc3", []dataset.Dim{dims[0], dims[2]}
		}
		w, err := Create(path, spec, dataset.CreateOptions{})
		if err == nil {
			w.Abort()
		}
		wantErr(t, c.what, err, c.target, append(c.words, path)...)
		noTemps(t, dir)
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: %s exists", c.what, path)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	for _, format := range []string{"nc4", "nc3"} {
		dir := t.TempDir()
		path := filepath.Join(dir, "w.nc")
		spec := dataset.Spec{Format: format, Dims: []dataset.Dim{{Name: "y", Len: 4}, {Name: "x", Len: 6}},
			Vars: []dataset.VarSpec{{Name: "field", Dims: []string{"y", "x"}, DType: chunk.Float64}}}
		if format == "nc4" {
			spec.Vars[0].Chunks, spec.Vars[0].Deflate = []int{2, 3}, 1
		}
		w, err := Create(path, spec, dataset.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s, _ := w.Sink("field")
		ctx := context.Background()
		whole := chunk.WholeRegion([]int{4, 6})
		err = s.WriteRegion(ctx, whole, make([]byte, 24*4))
		wantErr(t, format+": float32 bytes for a float64 variable", err, chunk.ErrShape, "field", path)
		err = s.WriteRegion(ctx, chunk.Region{Start: []int{3, 0}, Shape: []int{2, 6}}, make([]byte, 12*8))
		wantErr(t, format+": a region past the end", err, chunk.ErrIndex, "field")
		err = s.WriteRegion(ctx, chunk.WholeRegion([]int{24}), make([]byte, 24*8))
		wantErr(t, format+": a region of rank 1", err, chunk.ErrShape, "field")
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		err = s.WriteRegion(cancelled, whole, make([]byte, 24*8))
		wantErr(t, format+": a cancelled write", err, context.Canceled, "field")
		err = testEngine().Store(ctx, ndarray.Zeros(chunk.Int32, []int{4, 6}, chunk.Regular(2, 3)), s)
		wantErr(t, format+": storing int32 into float64", err, chunk.ErrShape)
		// The engine aborted the sink, and with it the file.
		err = w.Commit(ctx)
		wantErr(t, format+": commit after the abort", err, nil, path, "aborted")
		noTemps(t, dir)
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: %s exists after a failed write", format, path)
		}
	}
}

// TestCommitIncomplete: a sink handed out but never committed blocks the
// commit, which names it; the writer can still be aborted.
func TestCommitIncomplete(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "part.nc")
	w, err := Create(path, dataset.Spec{Dims: []dataset.Dim{{Name: "x", Len: 3}},
		Vars: []dataset.VarSpec{{Name: "a", Dims: []string{"x"}, DType: chunk.Int16}, {Name: "b", Dims: []string{"x"}, DType: chunk.Int16}}}, dataset.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Sink("b"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "commit", w.Commit(context.Background()), chunk.ErrShape, "b", path)
	if err := w.Abort(); err != nil {
		t.Errorf("abort: %v", err)
	}
	noTemps(t, dir)
}

// TestDiskFull writes into a tiny tmpfs: the failure names the file, the
// temporary file goes, nothing crashes.
func TestDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (%v: %s); the disk-full test needs one", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			// Busy: a file on it is still open. Detach it anyway.
			exec.Command("umount", "-l", dir).Run()
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	// libnetcdf's nc_close and nc_abort fail to close a NetCDF-4 file on a
	// full disk and keep its descriptor (see direct.go); the writer never
	// takes that path for NetCDF-4 files, so it is not tested here.
	cases := []struct {
		name, format string
		chunks       []int // storage chunks (nil: contiguous)
		blocks       int   // rows per written block
	}{
		{"nc4", "nc4", []int{64, 512}, 64}, {"nc4-partial-chunks", "nc4", []int{64, 512}, 50},
		{"nc4-contiguous", "nc4", nil, 64}, {"nc4-classic", "nc4-classic", []int{64, 512}, 64},
		{"nc3", "nc3", nil, 64}, {"nc3-64bit", "nc3-64bit", nil, 64}, {"cdf5", "cdf5", nil, 64},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name+".nc")
			spec := dataset.Spec{Format: c.format, Dims: []dataset.Dim{{Name: "y", Len: 512}, {Name: "x", Len: 512}},
				Vars: []dataset.VarSpec{{Name: "noise", Dims: []string{"y", "x"}, DType: chunk.Float32, Chunks: c.chunks}}}
			if c.chunks != nil {
				spec.Vars[0].Deflate = 1
			}
			w, err := Create(path, spec, dataset.CreateOptions{})
			if err != nil {
				t.Fatalf("create on an empty file system: %v", err)
			}
			s, _ := w.Sink("noise")
			// Random bits do not compress: 1 MiB needs 1 MiB of disk.
			data := randomValues(newRand(7), chunk.Uint32, 512*512)
			err = testEngine().Store(context.Background(), ndarray.FromDense(mustWrap(t, chunk.Float32, []int{512, 512}, data), chunk.Regular(c.blocks, 512)), s)
			if err == nil {
				err = w.Commit(context.Background())
			} else {
				w.Abort()
			}
			wantErr(t, "write 1 MiB into 256 KiB", err, syscall.ENOSPC, path)
			t.Logf("error: %v", err)
			noTemps(t, dir)
			var st syscall.Statfs_t
			if err := syscall.Statfs(dir, &st); err != nil || st.Bfree != st.Blocks {
				t.Errorf("the file system still holds %d of %d blocks (%v): a descriptor of a removed file is open", st.Blocks-st.Bfree, st.Blocks, err)
			}
		})
	}
}

func TestCreateZeroLengthFixedDim(t *testing.T) {
	dir := t.TempDir()
	_, err := Create(filepath.Join(dir, "z.nc"), dataset.Spec{Dims: []dataset.Dim{{Name: "empty", Len: 0}},
		Vars: []dataset.VarSpec{{Name: "v", Dims: []string{"empty"}, DType: chunk.Int8}}}, dataset.CreateOptions{})
	wantErr(t, "a fixed dimension of length 0", err, chunk.ErrUnsupported, "empty", "unlimited")
	noTemps(t, dir)
}

// TestClassicEnd checks the size computed from classic headers against
// files ncgen writes: a lone record variable (packed records), several
// (padded records), no records yet, no record variables, no variables.
func TestClassicEnd(t *testing.T) {
	cdls := map[string]string{
		"lone record variable": `netcdf a { dimensions: t = UNLIMITED ; x = 3 ;
variables: short r(t) ; byte b(x) ;
data: r = 1, 2, 3 ; b = 1, 2, 3 ; }`,
		"several record variables": `netcdf a { dimensions: t = UNLIMITED ; x = 3 ;
variables: short r(t) ; byte q(t, x) ; double d(x) ;
data: r = 1, 2, 3 ; q = 1, 2, 3, 4, 5, 6, 7, 8, 9 ; d = 1, 2, 3 ; }`,
		"no records": `netcdf a { dimensions: t = UNLIMITED ; x = 3 ;
variables: short r(t) ; byte b(x) ;
data: b = 1, 2, 3 ; }`,
		"fixed variables only": `netcdf a { dimensions: x = 5 ;
variables: byte b(x) ; short s(x) ;
data: b = 1, 2, 3, 4, 5 ; s = 1, 2, 3, 4, 5 ; }`,
		"no variables": `netcdf a { dimensions: x = 5 ; :title = "empty" ; }`,
	}
	// libnetcdf pads the last variable to 4 bytes; classicEnd leaves the
	// padding out, so files end at most 3 bytes after it.
	cuts := 0
	for name, cdl := range cdls {
		for _, kind := range []string{"nc3", "nc6", "nc5"} {
			path := ncgen(t, cdl, kind)
			full, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			end, err := classicEnd(bytes.NewReader(full))
			if err != nil || end > int64(len(full)) || int64(len(full))-end > 3 {
				t.Errorf("%s (%s): classicEnd = %d, %v for a file of %d bytes", name, kind, end, err, len(full))
				continue
			}
			f, err := Open(path, dataset.OpenOptions{})
			if err != nil {
				t.Errorf("%s (%s): %v", name, kind, err)
				continue
			}
			f.Close()
			for _, n := range []int{len(full) - 1, int(end) - 1} {
				if n >= int(end) {
					continue // only padding lost
				}
				cut := filepath.Join(t.TempDir(), "cut.nc")
				os.WriteFile(cut, full[:n], 0o644)
				_, err := Open(cut, dataset.OpenOptions{})
				wantErr(t, fmt.Sprintf("%s (%s) cut to %d of %d bytes", name, kind, n, len(full)), err, dataset.ErrFormat, "truncated")
				cuts++
			}
		}
	}
	if cuts < 15 {
		t.Errorf("only %d cuts tested", cuts)
	}
}
