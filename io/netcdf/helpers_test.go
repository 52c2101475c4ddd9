package netcdf

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	ndexec "github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/dataset"
)

// needTool skips the test when a reference tool is not installed.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (Debian: netcdf-bin)", name)
	}
	return p
}

// python is Debian's interpreter, the one with numpy, h5py and netCDF4.
const python = "/usr/bin/python3"

// runPython runs a script with Debian's python3, skipping the test when
// it or one of the modules the script imports (netCDF4, h5py, scipy) is
// missing.
func runPython(t *testing.T, script string, args ...string) string {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		t.Skipf("%s is not installed", python)
	}
	for _, m := range []string{"numpy", "netCDF4", "h5py", "scipy"} {
		if strings.Contains(script, "import "+m) || strings.Contains(script, "from "+m) || strings.Contains(script, ", "+m) {
			if err := exec.Command(python, "-c", "import "+m).Run(); err != nil {
				t.Skipf("the python module %s is not installed (Debian: python3-%s)", m, strings.ToLower(m))
			}
		}
	}
	cmd := exec.Command(python, append([]string{"-c", script}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	return string(out)
}

// ncgen compiles CDL into a file of the given kind (ncgen -k).
func ncgen(t *testing.T, cdl, kind string) string {
	t.Helper()
	tool := needTool(t, "ncgen")
	dir := t.TempDir()
	src := filepath.Join(dir, "in.cdl")
	if err := os.WriteFile(src, []byte(cdl), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.nc")
	if b, err := exec.Command(tool, "-k", kind, "-o", out, src).CombinedOutput(); err != nil {
		t.Fatalf("ncgen -k %s: %v\n%s", kind, err, b)
	}
	return out
}

// mustOpen opens a file with the driver or fails the test.
func mustOpen(t *testing.T, path string) dataset.File {
	t.Helper()
	f, err := Open(path, dataset.OpenOptions{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// readAll reads a whole variable.
func readAll(t *testing.T, f dataset.File, name string) []byte {
	t.Helper()
	v, err := f.Var(name)
	if err != nil {
		t.Fatalf("Var(%q): %v", name, err)
	}
	buf := make([]byte, chunk.Size(v.Shape())*v.DType().Size()+8)[:chunk.Size(v.Shape())*v.DType().Size()]
	if err := v.ReadRegion(context.Background(), chunk.WholeRegion(v.Shape()), buf); err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return buf
}

// values reads a whole variable as a slice of T.
func values[T chunk.Elem](t *testing.T, f dataset.File, name string) []T {
	t.Helper()
	v, err := f.Var(name)
	if err != nil {
		t.Fatalf("Var(%q): %v", name, err)
	}
	if v.DType() != chunk.DTypeOf[T]() {
		t.Fatalf("variable %s is %s, want %s", name, v.DType(), chunk.DTypeOf[T]())
	}
	out := make([]T, chunk.Size(v.Shape()))
	if err := v.ReadRegion(context.Background(), chunk.WholeRegion(v.Shape()), chunk.AsBytes(out)); err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return out
}

// checkValues compares a variable's values with want.
func checkValues[T chunk.Elem](t *testing.T, f dataset.File, name string, want []T) {
	t.Helper()
	if got := values[T](t, f, name); !slices.Equal(got, want) {
		t.Errorf("variable %s = %v, want %v", name, got, want)
	}
}

// wantErr checks that err wraps target and its text names every one of
// the given words.
func wantErr(t *testing.T, what string, err, target error, words ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	if target != nil && !errors.Is(err, target) {
		t.Errorf("%s: %v, want an error wrapping %q", what, err, target)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q does not mention %q", what, err, w)
		}
	}
}

// noTemps fails the test if dir holds a writer's temporary file.
func noTemps(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".ndchunk-") {
			t.Errorf("temporary file %s left in %s", e.Name(), dir)
		}
	}
}

// testEngine returns a small engine with several workers.
func testEngine() *ndexec.Engine {
	return ndexec.New(ndexec.Options{MemoryBudget: 64 << 20, Workers: 3, KeepGoMemoryLimit: true})
}

// newRand returns a seeded random source.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x6e63)) }

// mustWrap wraps bytes as a dense array.
func mustWrap(t *testing.T, d chunk.DType, shape []int, b []byte) *chunk.Dense {
	t.Helper()
	out, err := chunk.WrapBytes(d, shape, b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
