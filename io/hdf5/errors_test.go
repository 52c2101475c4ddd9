package hdf5

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
)

// checkErr checks that err wraps want and names every string of names.
func checkErr(t *testing.T, what string, err, want error, names ...string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: %v, want an error wrapping %q", what, err, want)
		return
	}
	for _, n := range names {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("%s: error %q does not name %q", what, err, n)
		}
	}
}

// TestOpenBadFiles opens files that are missing, empty, not HDF5, cut in
// half, and a directory.
func TestOpenBadFiles(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.h5")
	_, err := Driver{}.Open(missing, dataset.OpenOptions{})
	checkErr(t, "missing file", err, dataset.ErrNotExist, missing)

	empty := filepath.Join(dir, "empty.h5")
	os.WriteFile(empty, nil, 0o644)
	_, err = Driver{}.Open(empty, dataset.OpenOptions{})
	checkErr(t, "empty file", err, dataset.ErrFormat, empty, "empty")

	text := filepath.Join(dir, "text.h5")
	os.WriteFile(text, []byte(strings.Repeat("not an HDF5 file\n", 100)), 0o644)
	_, err = Driver{}.Open(text, dataset.OpenOptions{})
	checkErr(t, "not-HDF5 file", err, dataset.ErrFormat, text, "signature")

	_, err = Driver{}.Open(dir, dataset.OpenOptions{})
	checkErr(t, "directory", err, dataset.ErrFormat, dir)

	// A file cut in half: the superblock is there, the rest is not.
	src, err := os.ReadFile(h5pyFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.h5")
	os.WriteFile(cut, src[:len(src)/2], 0o644)
	_, err = Driver{}.Open(cut, dataset.OpenOptions{})
	checkErr(t, "truncated file", err, dataset.ErrFormat, cut, "truncated")

	// Through dataset.Open too, which picks the driver from the header.
	_, err = dataset.Open(text, dataset.OpenOptions{})
	checkErr(t, "dataset.Open of a not-HDF5 file", err, dataset.ErrFormat, text)
}

// TestNoVariable opens a dataset that does not exist.
func TestNoVariable(t *testing.T) {
	path := h5pyFixture(t)
	f := open(t, path)
	_, err := f.Var("/nope/missing")
	checkErr(t, "missing variable", err, dataset.ErrNoVariable, path, "/nope/missing", "/temp", "/num/f4_le")
}

// corruptChunk writes a deflated dataset with h5py and overwrites bytes in
// the middle of its second chunk, as a bad disk or a bad copy would.
func corruptChunk(t *testing.T) string {
	t.Helper()
	needPython(t, "h5py")
	path := filepath.Join(t.TempDir(), "corrupt.h5")
	out := runPython(t, `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    d = f.create_dataset("v", data=np.arange(64 * 64, dtype="<f8").reshape(64, 64), chunks=(32, 32), compression="gzip", shuffle=True)
    info = d.id.get_chunk_info(1)
    print(info.chunk_offset, info.byte_offset, info.size)
`, path)
	var off, size int64
	f := strings.Fields(strings.NewReplacer("(", " ", ")", " ", ",", " ").Replace(out))
	if len(f) != 4 || f[0] != "0" || f[1] != "32" {
		t.Fatalf("unexpected chunk info %q", out)
	}
	off, _ = strconv.ParseInt(f[2], 10, 64)
	size, _ = strconv.ParseInt(f[3], 10, 64)
	fh, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	junk := make([]byte, 16)
	for i := range junk {
		junk[i] = byte(0x5A ^ i)
	}
	if _, err := fh.WriteAt(junk, off+size/2); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCorruptChunk reads a damaged chunk: whole (the direct path decodes
// it in Go) and in part (the library decodes it). Both must fail with
// dataset.ErrCorrupt, never return zeros; the undamaged chunks still read.
func TestCorruptChunk(t *testing.T) {
	path := corruptChunk(t)
	f := open(t, path)
	v, err := f.Var("v")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []struct {
		what string
		r    chunk.Region
		says string
	}{
		{"the whole chunk (direct path)", chunk.Region{Start: []int{0, 32}, Shape: []int{32, 32}}, "chunk at [0 32]"},
		{"the whole array (direct path)", chunk.WholeRegion([]int{64, 64}), "chunk at [0 32]"},
		{"part of the chunk (library)", chunk.Region{Start: []int{3, 40}, Shape: []int{5, 5}}, "H5Dread"},
	} {
		dst := make([]byte, c.r.Size()*8)
		err := v.ReadRegion(ctx, c.r, dst)
		checkErr(t, "read "+c.what, err, dataset.ErrCorrupt, path, "/v", c.says)
		t.Logf("%s: %v", c.what, err)
	}
	good := readRegion(t, v, chunk.Region{Start: []int{32, 0}, Shape: []int{32, 64}})
	for i, g := range good {
		if want := float64(32*64 + i); g != want {
			t.Fatalf("undamaged chunks: element %d = %v, want %v", i, g, want)
		}
	}
}

// captureStderr runs fn with file descriptor 2 redirected and returns what
// was written to it.
func captureStderr(t *testing.T, fn func()) string {
	t.Helper()
	tmp, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	saved, err := syscall.Dup(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Dup2(int(tmp.Fd()), 2); err != nil {
		t.Fatal(err)
	}
	fn()
	syscall.Dup2(saved, 2)
	syscall.Close(saved)
	tmp.Seek(0, io.SeekStart)
	b, _ := io.ReadAll(tmp)
	tmp.Close()
	return string(b)
}

// TestNoErrorStackOnStderr fails library calls from many fresh OS threads
// (Debian's libhdf5 is thread-safe, and there the automatic printing of
// error stacks is a per-thread setting) and checks nothing reaches fd 2.
func TestNoErrorStackOnStderr(t *testing.T) {
	fixture := h5pyFixture(t)
	src, _ := os.ReadFile(fixture)
	cut := filepath.Join(t.TempDir(), "cut.h5")
	os.WriteFile(cut, src[:len(src)/2], 0o644)
	corrupt := corruptChunk(t)
	var failures []string
	var mu sync.Mutex
	out := captureStderr(t, func() {
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				// Never unlocked: the thread dies with the goroutine, so
				// the next goroutines run on new threads.
				runtime.LockOSThread()
				var errs []error
				_, err := Driver{}.Open(cut, dataset.OpenOptions{})
				errs = append(errs, err)
				f, err := Driver{}.Open(corrupt, dataset.OpenOptions{})
				if err != nil {
					errs = append(errs, err)
				} else {
					v, _ := f.Var("v")
					errs = append(errs, v.ReadRegion(context.Background(), chunk.Region{Start: []int{g, 40}, Shape: []int{2, 2}}, make([]byte, 32)))
					f.Close()
				}
				for _, err := range errs {
					if err == nil {
						mu.Lock()
						failures = append(failures, "a failing call succeeded")
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
	})
	for _, f := range failures {
		t.Error(f)
	}
	if out != "" {
		t.Errorf("the library wrote to stderr:\n%s", out)
	}
}

// TestWriteErrorsLeaveNothing writes regions of the wrong size and shape,
// then aborts: errors name the file and the variable, and no temporary
// file stays behind.
func TestWriteErrorsLeaveNothing(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "out.h5")
	spec := dataset.Spec{Format: "h5", Dims: []dataset.Dim{{Name: "y", Len: 4}, {Name: "x", Len: 6}},
		Vars: []dataset.VarSpec{{Name: "temperature", Dims: []string{"y", "x"}, DType: chunk.Float32, Chunks: []int{2, 3}, Deflate: 1}}}
	w, err := Driver{}.Create(dest, spec, dataset.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := w.Sink("temperature")
	ctx := context.Background()
	whole := chunk.WholeRegion([]int{4, 6})
	err = s.WriteRegion(ctx, whole, make([]byte, 24*8))
	checkErr(t, "float64 data for a float32 variable", err, chunk.ErrShape, dest, "temperature")
	err = s.WriteRegion(ctx, chunk.Region{Start: []int{2, 0}, Shape: []int{4, 6}}, make([]byte, 24*4))
	checkErr(t, "a region past the end", err, chunk.ErrIndex, dest, "temperature")
	err = s.WriteRegion(ctx, chunk.WholeRegion([]int{24}), make([]byte, 24*4))
	checkErr(t, "a region of the wrong rank", err, chunk.ErrShape, dest, "temperature")
	_, err = w.Sink("pressure")
	checkErr(t, "Sink of a missing variable", err, dataset.ErrNoVariable, dest, "pressure", "temperature")
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("after Abort the directory holds %q", names)
	}
	// Create refuses a bad spec before making any file.
	spec.Vars[0].FillValue = []float64{1}
	_, err = Driver{}.Create(dest, spec, dataset.CreateOptions{})
	checkErr(t, "a float64 fill value for float32", err, chunk.ErrDType, dest, "temperature")
	spec.Vars[0].FillValue = nil
	spec.Vars[0].Chunks = []int{2}
	_, err = Driver{}.Create(dest, spec, dataset.CreateOptions{})
	checkErr(t, "chunks of the wrong rank", err, chunk.ErrChunks, dest, "temperature")
	spec.Vars[0].Chunks = nil
	spec.Vars[0].Attrs = []dataset.Attr{{Name: "bad", Value: []string{"a"}}}
	_, err = Driver{}.Create(dest, spec, dataset.CreateOptions{})
	checkErr(t, "a []string attribute", err, chunk.ErrDType, dest, "temperature", "bad")
	spec.Vars[0].Attrs = nil
	spec.Vars = append(spec.Vars, dataset.VarSpec{Name: "x", Dims: []string{"y"}, DType: chunk.Float64})
	_, err = Driver{}.Create(dest, spec, dataset.CreateOptions{})
	checkErr(t, "a variable named like a dimension it does not span", err, chunk.ErrUnsupported, dest, "x")
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("after refused creates the directory holds %q", names)
	}
}

// TestDiskFull writes to a 64 KiB tmpfs: the write or the commit must fail
// with an error naming the file (and the operating system's reason), and
// Abort must remove the temporary file. It needs to mount a tmpfs (root);
// it is skipped where that is not allowed.
func TestDiskFull(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs Linux tmpfs")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs to fill (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	rng := rand.New(rand.NewPCG(3, 4))
	data := make([]byte, 256*256*8)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, c := range []struct {
		name   string
		chunks []int
		region chunk.Region
	}{
		{"contiguous", nil, chunk.WholeRegion([]int{256, 256})},
		{"direct chunks", []int{64, 64}, chunk.WholeRegion([]int{256, 256})},
		{"library chunks", []int{64, 64}, chunk.Region{Start: []int{0, 0}, Shape: []int{256, 256}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dest := filepath.Join(mnt, "full.h5")
			vs := dataset.VarSpec{Name: "noise", Dims: []string{"y", "x"}, DType: chunk.Float64, Chunks: c.chunks}
			if c.chunks != nil {
				vs.Deflate = 1
			}
			spec := dataset.Spec{Format: "h5", Dims: []dataset.Dim{{Name: "y", Len: 256}, {Name: "x", Len: 256}}, Vars: []dataset.VarSpec{vs}}
			w, err := Driver{}.Create(dest, spec, dataset.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			s, _ := w.Sink("noise")
			ctx := context.Background()
			if c.name == "library chunks" {
				// Rows of 256: never whole chunks, so the library writes.
				for y := 0; y < 256 && err == nil; y += 16 {
					r := chunk.Region{Start: []int{y, 0}, Shape: []int{16, 256}}
					err = s.WriteRegion(ctx, r, data[y*256*8:(y+16)*256*8])
				}
			} else {
				err = s.WriteRegion(ctx, c.region, data)
			}
			if err == nil {
				err = w.Commit(ctx)
			}
			if err == nil {
				t.Fatal("writing 512 KiB to a 64 KiB file system succeeded")
			}
			if !strings.Contains(err.Error(), dest) || !errors.Is(err, syscall.ENOSPC) {
				t.Errorf("error %q does not name the file and wrap ENOSPC", err)
			}
			t.Logf("error: %v", err)
			if err := w.Abort(); err != nil {
				t.Errorf("Abort: %v", err)
			}
			if names := dirEntries(t, mnt); len(names) != 0 {
				t.Errorf("after Abort the file system holds %q", names)
			}
			if fds := openUnder(t, mnt); len(fds) > 0 {
				t.Errorf("after Abort the process still has open: %q", fds)
			}
		})
	}
	if names := dirEntries(t, mnt); !slices.Equal(names, []string(nil)) {
		t.Errorf("left behind: %q", names)
	}
}

// openUnder lists the files under dir the process holds open.
func openUnder(t *testing.T, dir string) []string {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot list open files: %v", err)
	}
	var out []string
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(target, dir+"/") {
			out = append(out, target)
		}
	}
	return out
}

// TestDamagedDatasetHeader damages the datatype message in one dataset's
// object header: the file still opens, lists that dataset with the reason,
// refuses to open it with dataset.ErrCorrupt, and reads the others.
func TestDamagedDatasetHeader(t *testing.T) {
	needPython(t, "h5py")
	path := filepath.Join(t.TempDir(), "damaged.h5")
	runPython(t, `
import struct, sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f["good"] = np.arange(10.0)
    addr = h5py.h5o.get_info(f.create_dataset("bad", data=np.arange(10, dtype="<i4")).id).addr
with open(sys.argv[1], "r+b") as fh:
    fh.seek(addr)
    head = fh.read(16)
    assert head[0] == 1, "want a version 1 object header"
    nmsgs = struct.unpack("<H", head[2:4])[0]
    pos = addr + 16
    for _ in range(nmsgs):
        fh.seek(pos)
        mtype, size = struct.unpack("<HH", fh.read(4))
        if mtype == 3:  # the datatype message: make its class invalid
            fh.seek(pos + 8)
            fh.write(bytes([0x1F]))
            break
        pos += 8 + size
    else:
        raise SystemExit("no datatype message")
`, path)
	f := open(t, path)
	vi, ok := f.Info().Var("bad")
	if !ok || vi.DType.Valid() || !strings.Contains(vi.Unsupported, "cannot be opened") {
		t.Errorf("bad: listed %v, dtype %s, unsupported %q", ok, vi.DType, vi.Unsupported)
	}
	_, err := f.Var("bad")
	checkErr(t, "Var of a damaged dataset", err, dataset.ErrCorrupt, path, "/bad", "datatype")
	t.Logf("error: %v", err)
	if got := readAll(t, f, "good"); len(got) != 10 || got[9] != 9 {
		t.Errorf("good = %v", got)
	}
}
