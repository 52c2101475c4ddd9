package netcdf

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ndchunk/ndchunk/io/dataset"
)

func TestSniff(t *testing.T) {
	d := Driver{}
	for _, c := range []struct {
		header string
		want   bool
	}{
		{"CDF\x01\x00\x00", true}, {"CDF\x02", true}, {"CDF\x05", true}, {"CDF\x03", false},
		{"\x89HDF\r\n\x1a\n", false}, {"\x89HDF\r\n\x1a\n\x02\x08\x08\x00_NCProperties", true}, {"_NCProperties", false},
		{"CD", false}, {"", false},
	} {
		if got := d.Sniff([]byte(c.header)); got != c.want {
			t.Errorf("Sniff(%q) = %v, want %v", c.header, got, c.want)
		}
	}
	if d.Name() != "netcdf" {
		t.Errorf("Name() = %q", d.Name())
	}
	if drv, ok := dataset.Lookup("netcdf"); !ok || drv.Name() != "netcdf" {
		t.Errorf("the driver is not registered")
	}
	for _, f := range []string{"nc4", "nc4-classic", "nc3", "nc3-64bit", "cdf5"} {
		if drv, err := dataset.ForFormat(f); err != nil || drv.Name() != "netcdf" {
			t.Errorf("ForFormat(%q) = %v, %v", f, drv, err)
		}
	}
}

// TestIsNetCDF4 tells NetCDF-4 files from other HDF5 files.
func TestIsNetCDF4(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	nc4 := writeSample(t, "nc4", createConfig{}).path
	nc4c := writeSample(t, "nc4-classic", createConfig{}).path
	nc3 := writeSample(t, "nc3", createConfig{}).path
	runPython(t, `
import sys, shutil, h5py, numpy as np
d, nc4, nc4c = sys.argv[1], sys.argv[2], sys.argv[3]
with h5py.File(d + '/plain.h5', 'w') as f:
    f['x'] = np.arange(10.0)
with h5py.File(d + '/scales.h5', 'w') as f:
    f['x'] = np.arange(3.0)
    f['x'].make_scale('x')
    f['v'] = np.zeros(3)
    f['v'].dims[0].attach_scale(f['x'])
# NetCDF-4 files as netCDF-C before 4.4.1 wrote them: no _NCProperties.
for src, dst in ((nc4, 'old.nc'), (nc4c, 'oldc.nc')):
    shutil.copy(src, d + '/' + dst)
    with h5py.File(d + '/' + dst, 'a') as f:
        del f.attrs['_NCProperties']
`, dir, nc4, nc4c)
	if err := os.WriteFile(p("text.nc"), []byte("not a file format"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want bool
	}{
		{nc4, true}, {nc4c, true}, {p("old.nc"), true}, {p("oldc.nc"), true},
		{nc3, false}, {p("plain.h5"), false}, {p("scales.h5"), false}, {p("text.nc"), false}, {p("missing.nc"), false},
	} {
		if got := IsNetCDF4(c.path); got != c.want {
			t.Errorf("IsNetCDF4(%s) = %v, want %v", filepath.Base(c.path), got, c.want)
		}
		header := make([]byte, 512)
		if f, err := os.Open(c.path); err == nil {
			n, _ := f.Read(header)
			header = header[:n]
			f.Close()
		}
		wantPath := c.want || c.path == nc3
		if got := (Driver{}).SniffFile(c.path, header); got != wantPath {
			t.Errorf("SniffFile(%s) = %v, want %v", filepath.Base(c.path), got, wantPath)
		}
	}
}
