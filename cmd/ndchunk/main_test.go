package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The command is tested through the built binary, as scripts use it: the
// binary is built once into a temporary directory, and the input files
// (NetCDF classic and NetCDF-4 from netCDF4-python, HDF5 from h5py, a
// truncated file, a text file) are generated once with Debian's python3.
var (
	binPath    string
	fixtureDir string
	// setupErr, when set, fails every test that needs the binary or the
	// fixtures (TestMain itself must not fail the readme test).
	setupErr error
)

// pythonExe is Debian's interpreter, which has numpy, netCDF4 and h5py.
const pythonExe = "/usr/bin/python3"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ndchunk-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "ndchunk")
	fixtureDir = filepath.Join(dir, "fixtures")
	setupErr = setup()
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func setup() error {
	build := osexec.Command("go", "build", "-o", binPath, ".")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	if err := os.MkdirAll(fixtureDir, 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(pythonExe); err != nil {
		return fmt.Errorf("%s is needed to make the test files (apt-get install python3-netcdf4 python3-h5py): %v", pythonExe, err)
	}
	py := osexec.Command(pythonExe, "-c", fixtureScript, fixtureDir)
	if out, err := py.CombinedOutput(); err != nil {
		return fmt.Errorf("making fixtures: %v\n%s", err, out)
	}
	return nil
}

// fixtureScript writes the test inputs into argv[1].
const fixtureScript = `
import sys, os
import numpy as np
import netCDF4, h5py
d = sys.argv[1]
rng = np.random.default_rng(7)

def fill_nc(ds, classic):
    ds.title = "ndchunk test file"
    ds.history = "made by the cmd/ndchunk tests"
    ds.version = np.int32(3)
    ds.weights = np.array([0.5, 1.5, 2.5])
    ds.createDimension("time", None)
    ds.createDimension("lat", 5)
    ds.createDimension("lon", 8)
    t = ds.createVariable("time", "f8", ("time",))
    t.units = "days since 2000-01-01"
    t.standard_name = "time"
    t[:] = np.arange(12) * 1.5
    la = ds.createVariable("lat", "f4", ("lat",))
    la.units = "degrees_north"
    la[:] = np.linspace(-60, 60, 5)
    lo = ds.createVariable("lon", "f4", ("lon",))
    lo.units = "degrees_east"
    lo[:] = np.arange(8) * 45.0
    kw = {} if classic else dict(zlib=True, complevel=4, chunksizes=(1, 5, 8))
    temp = ds.createVariable("temp", "f4", ("time", "lat", "lon"), fill_value=np.float32(-999), **kw)
    temp.units = "K"
    temp.long_name = "temperature"
    temp.valid_range = np.array([100, 400], dtype="f4")
    v = (250 + 40 * rng.random((12, 5, 8))).astype("f4")
    v[3, 2, 1] = -999
    temp[:] = v
    pres = ds.createVariable("pres", "f8", ("time", "lat", "lon"))
    pres.units = "hPa"
    pres[:] = 1000 + rng.standard_normal((12, 5, 8))
    cnt = ds.createVariable("counts", "i4", ("lat", "lon"), fill_value=np.int32(-1))
    cnt[:] = np.arange(40, dtype="i4").reshape(5, 8)
    sh = ds.createVariable("small", "i2", ("lon",))
    sh[:] = np.arange(8, dtype="i2") - 4
    if not classic:
        u = ds.createVariable("u8", "u1", ("lat", "lon"))
        u[:] = np.arange(40, dtype="u1").reshape(5, 8)
        big = ds.createVariable("big", "i8", ("time",))
        big[:] = np.arange(12, dtype="i8") * 10**12
        s = ds.createVariable("names", str, ("lat",))
        for i in range(5):
            s[i] = "n%d" % i

with netCDF4.Dataset(os.path.join(d, "small.nc"), "w", format="NETCDF4") as ds:
    fill_nc(ds, False)
with netCDF4.Dataset(os.path.join(d, "classic.nc"), "w", format="NETCDF3_CLASSIC") as ds:
    fill_nc(ds, True)

with h5py.File(os.path.join(d, "plain.h5"), "w") as f:
    f.attrs["origin"] = "h5py"
    a = f.create_dataset("a", data=rng.random((6, 7)).astype("f4"), chunks=(3, 7))
    a.attrs["units"] = "m"
    a.attrs["scale"] = np.float64(2.5)
    f.create_dataset("c", data=rng.random((6, 7)))
    g = f.create_group("grp")
    g.create_dataset("b", data=np.arange(4, dtype="i2"))
    f.create_dataset("lzf", data=np.arange(100, dtype="f4"), chunks=(10,), compression="lzf")
    f.create_dataset("cmpd", data=np.zeros(3, dtype=[("x", "f4"), ("y", "i4")]))

# Inputs of the eval tests.
with netCDF4.Dataset(os.path.join(d, "xy.nc"), "w", format="NETCDF4") as ds:
    ds.createDimension("row", 40)
    ds.createDimension("col", 30)
    ds.createDimension("t", 20)
    ds.createDimension("y", 8)
    ds.createDimension("x", 6)
    for name in ("x", "y"):
        v = ds.createVariable(name + "v", "f8", ("row", "col"), chunksizes=(10, 30))
        v[:] = rng.random((40, 30))
    t = ds.createVariable("t", "f4", ("t", "y", "x"), chunksizes=(1, 8, 6))
    t[:] = rng.standard_normal((20, 8, 6)).astype("f4")
    i = ds.createVariable("i", "i4", ("row", "col"))
    i[:] = rng.integers(-50, 50, (40, 30), dtype="i4")
    p = ds.createVariable("packed", "i2", ("row",), fill_value=np.int16(-32768))
    p.scale_factor = 0.5
    p.add_offset = 10.0
    raw = np.arange(40, dtype="i2")
    raw[5] = -32768
    p.set_auto_maskandscale(False)
    p[:] = raw

data = open(os.path.join(d, "small.nc"), "rb").read()
open(os.path.join(d, "truncated.nc"), "wb").write(data[: len(data) // 2])
open(os.path.join(d, "notdata.nc"), "w").write("this is not a data file\n")
`

// need fails the test when the binary or the fixtures could not be made.
func need(t *testing.T) {
	t.Helper()
	if setupErr != nil {
		t.Fatal(setupErr)
	}
}

// fixture returns the path of a generated input.
func fixture(name string) string { return filepath.Join(fixtureDir, name) }

// result is one run of the binary.
type result struct {
	stdout, stderr string
	code           int
}

// ndchunk runs the binary with args (in dir when not "").
func ndchunk(t *testing.T, dir string, args ...string) result {
	t.Helper()
	need(t)
	return runCommand(t, dir, nil, binPath, args...)
}

// runCommand runs name with args (in dir when not "", with env added to
// the environment) for at most two minutes and returns its outputs and
// exit status; it fails the test when the command cannot run at all.
func runCommand(t *testing.T, dir string, env []string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := osexec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*osexec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// ok runs the binary and fails the test unless it exits 0.
func ok(t *testing.T, args ...string) result {
	t.Helper()
	r := ndchunk(t, "", args...)
	if r.code != 0 {
		t.Fatalf("ndchunk %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// python runs a script with Debian's python3 and returns its stdout.
func python(t *testing.T, script string, args ...string) string {
	t.Helper()
	cmd := osexec.Command(pythonExe, append([]string{"-c", script}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("python: %v\n%s\n%s", err, out.String(), errb.String())
	}
	return out.String()
}

// tool runs a reference tool (ncdump, h5dump) and returns its stdout.
func tool(t *testing.T, name string, args ...string) string {
	t.Helper()
	if _, err := osexec.LookPath(name); err != nil {
		t.Skipf("%s not installed", name)
	}
	out, err := osexec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// noTempFiles fails if dir holds a temporary file of an output.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.Contains(e.Name(), ".ndchunk-") || strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left in %s: %s", dir, e.Name())
		}
	}
}
