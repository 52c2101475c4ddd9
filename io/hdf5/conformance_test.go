package hdf5

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

// harness describes the driver to the conformance suite: HDF5 holds every
// dtype, unlimited and zero-length dimensions, groups and chunking.
var harness = iotest.Harness{
	Driver:     Driver{},
	Format:     "h5",
	Open:       func(path string) (dataset.File, error) { return Driver{}.Open(path, dataset.OpenOptions{}) },
	DTypes:     chunk.DTypes,
	Unlimited:  true,
	Groups:     true,
	Chunked:    true,
	ZeroLength: true,
}

// TestConformance runs the driver conformance suite: every dtype, ranks 0
// to 4, chunked, deflated and shuffled variables, fill values, unlimited
// and zero-length dimensions, groups, concurrent writes and reads, aborts
// and every error path.
// Every file the suite commits is then dumped whole by h5dump, which must
// read it without an error.
func TestConformance(t *testing.T) {
	h := harness
	dir := t.TempDir()
	var paths []string
	h.Path = func(_ *testing.T, name string) string {
		p := filepath.Join(dir, fmt.Sprintf("%02d-%s.h5", len(paths), name))
		paths = append(paths, p)
		return p
	}
	iotest.TestDriver(t, h)
	h5dump, err := exec.LookPath("h5dump")
	if err != nil {
		t.Skip("h5dump is not installed (Debian: hdf5-tools)")
	}
	dumped := 0
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		out, err := exec.Command(h5dump, p).CombinedOutput()
		if err != nil || bytes.Contains(out, []byte("h5dump error")) {
			t.Errorf("h5dump %s: %v\n%s", p, err, out[max(0, len(out)-2000):])
		}
		dumped++
	}
	if dumped == 0 {
		t.Errorf("no committed file to dump among %q", paths)
	}
	t.Logf("h5dump read %d files the suite wrote", dumped)
}

// TestConformanceDatasetOpen runs the suite opening files through
// dataset.Open, which picks the driver by sniffing the header.
func TestConformanceDatasetOpen(t *testing.T) {
	h := harness
	h.Open = nil
	iotest.TestDriver(t, h)
}

// TestRoundTrip converts HDF5 to memory and back, and HDF5 to HDF5,
// checking every value, attribute and fill value bit for bit.
func TestRoundTrip(t *testing.T) {
	mem := iotest.Harness{Driver: memio.Driver{}, Format: memio.Format, Open: memio.Open, DTypes: chunk.DTypes,
		Unlimited: true, Groups: true, Chunked: true, ZeroLength: true}
	t.Run("memory", func(t *testing.T) { iotest.RoundTrip(t, harness, mem) })
	t.Run("h5", func(t *testing.T) { iotest.RoundTrip(t, harness, harness) })
}

// TestRegistered checks the driver is registered under its name.
func TestRegistered(t *testing.T) {
	d, ok := dataset.Lookup("hdf5")
	if !ok {
		t.Fatalf("hdf5 is not registered (drivers: %v)", dataset.Drivers())
	}
	if _, ok := d.(Driver); !ok {
		t.Errorf("driver \"hdf5\" is %T", d)
	}
	if f, err := dataset.ForFormat("h5"); err != nil || f.Name() != "hdf5" {
		t.Errorf("ForFormat(h5) = %v, %v", f, err)
	}
}
