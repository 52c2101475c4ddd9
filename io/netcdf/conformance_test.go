package netcdf

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/iotest"
	"github.com/ndchunk/ndchunk/io/memio"
)

// classicDTypes are the dtypes of the classic data model (bool is stored
// as byte).
var classicDTypes = []chunk.DType{chunk.Bool, chunk.Int8, chunk.Int16, chunk.Int32, chunk.Float32, chunk.Float64}

// harness describes one of the driver's formats to the conformance suite:
// NetCDF-4 has groups, chunks and compression; the classic data model
// lacks the unsigned and 64-bit types (CDF-5 has them); every format has
// unlimited dimensions, and none a fixed dimension of length 0.
func harness(format string) iotest.Harness {
	h := iotest.Harness{
		Driver:    Driver{},
		Format:    format,
		Open:      func(path string) (dataset.File, error) { return Open(path, dataset.OpenOptions{}) },
		DTypes:    chunk.DTypes,
		Unlimited: true,
	}
	switch format {
	case "nc4":
		h.Groups, h.Chunked = true, true
	case "nc4-classic":
		h.DTypes, h.Chunked = classicDTypes, true
	case "nc3", "nc3-64bit":
		h.DTypes = classicDTypes
	}
	return h
}

// TestConformance runs the driver conformance suite on every format, then
// dumps every file it committed with ncdump, which must read it whole.
func TestConformance(t *testing.T) {
	for _, format := range (Driver{}).Formats() {
		t.Run(format, func(t *testing.T) {
			h := harness(format)
			dir := t.TempDir()
			var paths []string
			h.Path = func(_ *testing.T, name string) string {
				p := filepath.Join(dir, fmt.Sprintf("%02d-%s.nc", len(paths), name))
				paths = append(paths, p)
				return p
			}
			iotest.TestDriver(t, h)
			ncdump, err := exec.LookPath("ncdump")
			if err != nil {
				t.Skip("ncdump is not installed (Debian: netcdf-bin)")
			}
			dumped := 0
			for _, p := range paths {
				if _, err := os.Stat(p); err != nil {
					continue
				}
				out, err := exec.Command(ncdump, p).CombinedOutput()
				if err != nil || bytes.Contains(out, []byte("NetCDF: ")) {
					t.Errorf("ncdump %s: %v\n%s", p, err, out[max(0, len(out)-2000):])
				}
				dumped++
			}
			if dumped == 0 {
				t.Errorf("no committed file to dump among %q", paths)
			}
			t.Logf("ncdump read %d files the suite wrote", dumped)
		})
	}
}

// TestConformanceDatasetOpen runs the suite on the classic formats opening
// files through dataset.Open, which picks the driver by the header.
// (NetCDF-4 files need SniffFile, which dataset.Open does not call yet.)
func TestConformanceDatasetOpen(t *testing.T) {
	for _, format := range []string{"nc3", "nc3-64bit", "cdf5"} {
		t.Run(format, func(t *testing.T) {
			h := harness(format)
			h.Open = nil
			iotest.TestDriver(t, h)
		})
	}
}

// TestRoundTrip converts between the formats and memory and back, every
// value, attribute and fill value compared bit for bit.
func TestRoundTrip(t *testing.T) {
	mem := iotest.Harness{Driver: memio.Driver{}, Format: memio.Format, Open: memio.Open, DTypes: chunk.DTypes,
		Unlimited: true, Groups: true, Chunked: true, ZeroLength: true}
	for _, c := range []struct {
		name     string
		from, to iotest.Harness
	}{
		{"nc4-memory", harness("nc4"), mem},
		{"nc4-nc4", harness("nc4"), harness("nc4")},
		{"nc4-nc3", harness("nc4"), harness("nc3")},
		{"cdf5-nc4", harness("cdf5"), harness("nc4")},
		{"nc4-classic-nc3-64bit", harness("nc4-classic"), harness("nc3-64bit")},
	} {
		t.Run(c.name, func(t *testing.T) { iotest.RoundTrip(t, c.from, c.to) })
	}
}
