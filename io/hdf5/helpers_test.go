package hdf5

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
)

// sysPython is Debian's python3, the one with numpy and h5py (the python3
// first on PATH may be another).
const sysPython = "/usr/bin/python3"

// shared holds inputs built once for the whole test binary.
var shared struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	if benchFile.path != "" {
		os.RemoveAll(filepath.Dir(benchFile.path))
	}
	os.Exit(code)
}

// needPython skips the test unless Debian's python3 with h5py is there.
func needPython(t testing.TB, modules ...string) {
	t.Helper()
	if _, err := os.Stat(sysPython); err != nil {
		t.Skipf("%s is not installed", sysPython)
	}
	for _, m := range modules {
		if out, err := exec.Command(sysPython, "-c", "import "+m).CombinedOutput(); err != nil {
			t.Skipf("%s cannot import %s: %v %s", sysPython, m, err, out)
		}
	}
}

// needTool skips the test unless the command is on PATH.
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (Debian: hdf5-tools / netcdf-bin)", name)
	}
	return p
}

// runPython runs a Python script with Debian's python3 and returns its
// standard output.
func runPython(t testing.TB, script string, args ...string) string {
	t.Helper()
	cmd := exec.Command(sysPython, append([]string{"-c", script}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	return string(out)
}

// h5pyFixture returns the path of the file testdata/h5py_fixture.py
// writes, built once.
func h5pyFixture(t testing.TB) string {
	t.Helper()
	needPython(t, "h5py")
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "ndchunk-hdf5-test-")
		if shared.err != nil {
			return
		}
		out, err := exec.Command(sysPython, "testdata/h5py_fixture.py", filepath.Join(shared.dir, "h5py.h5")).CombinedOutput()
		if err != nil {
			shared.err = &dataset.Error{Path: "testdata/h5py_fixture.py", Op: "run", Err: errorString(string(out))}
		}
	})
	if shared.err != nil {
		t.Fatalf("building the h5py fixture: %v", shared.err)
	}
	return filepath.Join(shared.dir, "h5py.h5")
}

type errorString string

func (e errorString) Error() string { return string(e) }

// copyFile copies src to a new file in a fresh directory and returns it.
func copyFile(t testing.TB, src string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// open opens path with the driver or fails the test.
func open(t testing.TB, path string) dataset.File {
	t.Helper()
	f, err := Driver{}.Open(path, dataset.OpenOptions{})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// readAll reads a variable whole and returns its elements as float64s.
func readAll(t testing.TB, f dataset.File, name string) []float64 {
	t.Helper()
	v, err := f.Var(name)
	if err != nil {
		t.Fatalf("Var(%s): %v", name, err)
	}
	return readRegion(t, v, chunk.WholeRegion(v.Shape()))
}

// readRegion reads a region and returns its elements as float64s.
func readRegion(t testing.TB, v dataset.Var, r chunk.Region) []float64 {
	t.Helper()
	dst := make([]byte, r.Size()*v.DType().Size())
	if err := v.ReadRegion(context.Background(), r, dst); err != nil {
		t.Fatalf("read %s%v: %v", v.Name(), r, err)
	}
	out := make([]float64, r.Size())
	for i := range out {
		out[i] = chunk.LoadFloat64(v.DType(), dst, i)
	}
	return out
}

// dirEntries lists the names in dir.
func dirEntries(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}
