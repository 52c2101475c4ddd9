package hdf5

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
)

// header returns the first 512 bytes of a file, as dataset.Open reads
// them.
func header(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b[:min(len(b), 512)]
}

// TestSniff claims HDF5 files (h5py's, with a user block, ndchunk's own)
// and leaves netCDF-4 files, whose markers may lie past the header, to the
// netcdf driver.
func TestSniff(t *testing.T) {
	dir := t.TempDir()
	ours := filepath.Join(dir, "ours.h5")
	writeInterop(t, ours)
	files := map[string]bool{ours: true, h5pyFixture(t): true}

	needPython(t, "h5py")
	ub := filepath.Join(dir, "userblock.h5")
	runPython(t, `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w", userblock_size=1024) as f:
    f["v"] = np.arange(6, dtype="<i4")
`, ub)
	files[ub] = true

	ncgen := needTool(t, "ncgen")
	cdl := filepath.Join(dir, "a.cdl")
	os.WriteFile(cdl, []byte(`netcdf a {
dimensions: x = 4 ;
variables: float t(x) ; t:units = "K" ;
data: t = 1, 2, 3, 4 ;
}`), 0o644)
	empty := filepath.Join(dir, "empty.cdl")
	os.WriteFile(empty, []byte("netcdf e {\n:title = \"no dimensions, no variables\" ;\n}"), 0o644)
	for _, c := range []struct{ kind, cdl, out string }{
		{"nc4", cdl, "a4.nc"}, {"nc7", cdl, "a7.nc"}, {"nc4", empty, "e4.nc"}, {"classic", cdl, "a3.nc"},
	} {
		out := filepath.Join(dir, c.out)
		if b, err := exec.Command(ncgen, "-k", c.kind, "-o", out, c.cdl).CombinedOutput(); err != nil {
			t.Fatalf("ncgen: %v %s", err, b)
		}
		files[out] = false
	}
	for path, want := range files {
		h := header(t, path)
		if got := (Driver{}).SniffFile(path, h); got != want {
			t.Errorf("SniffFile(%s) = %v, want %v", filepath.Base(path), got, want)
		}
		// From the header alone: a user block hides the signature, and
		// netCDF-4's markers may lie past the header (SniffFile decides
		// those); a file that is not HDF5 is never claimed.
		got := (Driver{}).Sniff(h)
		switch base := filepath.Base(path); {
		case strings.HasSuffix(base, "4.nc") || strings.HasSuffix(base, "7.nc"):
			t.Logf("Sniff(%s) from the header alone: %v", base, got)
		case path == ub:
			if got {
				t.Errorf("Sniff(%s) = true without a signature at 0", base)
			}
		case got != want:
			t.Errorf("Sniff(%s) = %v, want %v", base, got, want)
		}
	}
	// The user block file opens and reads.
	f := open(t, ub)
	if got := readAll(t, f, "v"); len(got) != 6 || got[5] != 5 {
		t.Errorf("user-block file: v = %v", got)
	}
	if vi, _ := f.Info().Var("v"); vi.DType != chunk.Int32 {
		t.Errorf("user-block file: v is %s", vi.DType)
	}
	// A netCDF-4 file still opens as plain HDF5 when asked.
	nc := open(t, filepath.Join(dir, "a4.nc"))
	if got := readAll(t, nc, "t"); len(got) != 4 || got[3] != 4 {
		t.Errorf("netCDF-4 file read as HDF5: t = %v", got)
	}
	if vi, _ := nc.Info().Var("t"); len(vi.Dims) != 1 || vi.Dims[0] != "x" {
		t.Errorf("netCDF-4 file read as HDF5: t has dims %q, want [x]", vi.Dims)
	}
	if len(nc.Info().Vars) != 1 {
		t.Errorf("netCDF-4 file read as HDF5 lists %v; the dimension-only scale x must be hidden", nc.Info().VarNames())
	}
}

// TestWrittenFileReadByNcdump checks that netCDF-C reads the files the
// driver writes as netCDF-4: same dimensions (unlimited included), groups
// and variables.
func TestWrittenFileReadByNcdump(t *testing.T) {
	ncdump := needTool(t, "ncdump")
	path := filepath.Join(t.TempDir(), "interop.h5")
	writeInterop(t, path)
	out, err := exec.Command(ncdump, "-h", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ncdump: %v\n%s", err, out)
	}
	for _, s := range []string{"time = UNLIMITED ; // (5 currently)", "nv = 3 ;", "float temp(time, y, x) ;", "group: grp", "ushort counts(y, x) ;", "double time(time) ;"} {
		if !strings.Contains(string(out), s) {
			t.Errorf("ncdump -h does not show %q:\n%s", s, out)
		}
	}
}
