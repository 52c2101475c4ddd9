package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// compareScript compares the variables and attributes of two files with
// netCDF4-python (NetCDF) or h5py (HDF5), reading raw values (no masking
// or scaling): argv[1] and argv[2] are the files, argv[3] a comma-separated
// list of variables expected in the first but not the second. It prints
// one line per difference, or "same".
const compareScript = `
import sys
import numpy as np
import netCDF4, h5py

HIDDEN = {"CLASS", "NAME", "DIMENSION_LIST", "REFERENCE_LIST", "DIMENSION_LABELS",
          "_Netcdf4Dimid", "_Netcdf4Coordinates", "_NCProperties", "_nc3_strict"}

def norm(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, str):
        return v
    a = np.atleast_1d(np.asarray(v))
    if a.dtype.kind in "SO":
        return "".join(x.decode() if isinstance(x, bytes) else str(x) for x in a)
    return a

def load(path):
    out, gattrs = {}, {}
    if h5py.is_hdf5(path) and not path.endswith(".nc"):
        with h5py.File(path, "r") as f:
            gattrs = {k: norm(v) for k, v in f.attrs.items() if k not in HIDDEN}
            def visit(name, obj):
                if not isinstance(obj, h5py.Dataset):
                    return
                nm = obj.attrs.get("NAME", b"")
                if isinstance(nm, bytes) and nm.startswith(b"This is a netCDF dimension but not a netCDF variable"):
                    return
                attrs = {k: norm(v) for k, v in obj.attrs.items() if k not in HIDDEN}
                out[name] = (obj[()], attrs)
            f.visititems(visit)
        return out, gattrs
    with netCDF4.Dataset(path) as ds:
        ds.set_auto_maskandscale(False)
        gattrs = {k: norm(ds.getncattr(k)) for k in ds.ncattrs()}
        for name, v in ds.variables.items():
            out[name] = (v[...], {k: norm(v.getncattr(k)) for k in v.ncattrs()})
    return out, gattrs

def same(a, b):
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype.kind == b.dtype.kind and np.array_equal(a.astype(float), b.astype(float), equal_nan=True)

va, ga = load(sys.argv[1])
vb, gb = load(sys.argv[2])
skipped = set(x for x in sys.argv[3].split(",") if x)
diffs = []
for k in sorted(set(ga) | set(gb)):
    if k not in ga or k not in gb or not same(ga[k], gb[k]):
        diffs.append("global attribute %s: %r vs %r" % (k, ga.get(k), gb.get(k)))
for name in sorted(va):
    if name in skipped:
        if name in vb:
            diffs.append("variable %s should have been skipped" % name)
        continue
    if name not in vb:
        diffs.append("variable %s missing" % name)
        continue
    (da, aa), (db, ab) = va[name], vb[name]
    da, db = np.asarray(da), np.asarray(db)
    if da.dtype != db.dtype or da.shape != db.shape or da.tobytes() != db.tobytes():
        diffs.append("variable %s: %s%s vs %s%s, values differ" % (name, da.dtype, da.shape, db.dtype, db.shape))
    for k in sorted(set(aa) | set(ab)):
        if k not in aa or k not in ab or not same(aa[k], ab[k]):
            diffs.append("variable %s attribute %s: %r vs %r" % (name, k, aa.get(k), ab.get(k)))
for name in sorted(set(vb) - set(va)):
    diffs.append("unexpected variable %s" % name)
print("\n".join(diffs) if diffs else "same")
`

// sameFiles checks two files hold the same variables (bit for bit) and
// attributes, but for the variables in skipped.
func sameFiles(t *testing.T, a, b string, skipped ...string) {
	t.Helper()
	out := strings.TrimSpace(python(t, compareScript, a, b, strings.Join(skipped, ",")))
	if out != "same" {
		t.Errorf("%s and %s differ:\n%s", filepath.Base(a), filepath.Base(b), out)
	}
}

func TestConvertRoundTrips(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	small := fixture("small.nc")

	// NetCDF-4 -> HDF5 -> NetCDF-4: every readable variable, the string
	// variable skipped with a warning naming it.
	r := ok(t, "convert", small, p("a.h5"))
	if !strings.Contains(r.stderr, "warning") || !strings.Contains(r.stderr, "variable names skipped") {
		t.Errorf("no warning for the skipped string variable:\n%s", r.stderr)
	}
	ok(t, "convert", p("a.h5"), p("b.nc"))
	sameFiles(t, small, p("a.h5"), "names")
	sameFiles(t, small, p("b.nc"), "names")
	if h := tool(t, "ncdump", "-h", p("b.nc")); !strings.Contains(h, "time = UNLIMITED") || !strings.Contains(h, `temp:units = "K"`) || !strings.Contains(h, `:title = "ndchunk test file"`) {
		t.Errorf("ncdump -h of the round trip:\n%s", h)
	}
	if h := tool(t, "h5dump", "-p", "-H", p("a.h5")); !strings.Contains(h, `DATASET "temp"`) || !strings.Contains(h, "DEFLATE") {
		t.Errorf("h5dump -H:\n%s", h)
	}
	// Storage chunks and compression are kept.
	got := python(t, `
import sys, netCDF4
with netCDF4.Dataset(sys.argv[1]) as ds:
    v = ds["temp"]
    f = v.filters()
    print(v.chunking(), f["zlib"], f["shuffle"], f["complevel"], ds["counts"].chunking())`, p("b.nc"))
	if strings.TrimSpace(got) != "[1, 5, 8] True True 4 [5, 8]" {
		t.Errorf("chunks and filters after the round trip: %s", got)
	}

	// NetCDF classic -> NetCDF-4 (extension .nc), and back to nc3.
	ok(t, "convert", fixture("classic.nc"), p("c4.nc"))
	sameFiles(t, fixture("classic.nc"), p("c4.nc"))
	ok(t, "convert", p("c4.nc"), p("c3.nc"), "--format", "nc3")
	sameFiles(t, fixture("classic.nc"), p("c3.nc"))
	if f := python(t, "import sys, netCDF4; print(netCDF4.Dataset(sys.argv[1]).data_model)", p("c3.nc")); strings.TrimSpace(f) != "NETCDF3_CLASSIC" {
		t.Errorf("--format nc3 wrote %s", f)
	}
	// NetCDF-4 -> nc3: unsigned and 64-bit variables skipped, named.
	r = ok(t, "convert", small, p("s3.nc"), "--format", "nc3-64bit")
	for _, v := range []string{"variable u8 skipped", "variable big skipped", "variable names skipped"} {
		if !strings.Contains(r.stderr, v) {
			t.Errorf("nc3-64bit: no warning %q:\n%s", v, r.stderr)
		}
	}
	sameFiles(t, small, p("s3.nc"), "u8", "big", "names")

	// Rechunked and recompressed, then --vars with its coordinates.
	ok(t, "convert", small, p("rc.nc"), "--chunks", "time=12,lat=2,lon=3", "--compress", "deflate:1", "--shuffle")
	sameFiles(t, small, p("rc.nc"), "names")
	got = python(t, `
import sys, netCDF4
with netCDF4.Dataset(sys.argv[1]) as ds:
    v = ds["temp"]
    f = v.filters()
    print(v.chunking(), f["zlib"], f["shuffle"], f["complevel"], ds["counts"].chunking(), ds["small"].filters()["complevel"])`, p("rc.nc"))
	if strings.TrimSpace(got) != "[12, 2, 3] True True 1 [2, 3] 1" {
		t.Errorf("--chunks time=12,lat=2,lon=3 --compress deflate:1 --shuffle gave %s", got)
	}
	ok(t, "convert", small, p("auto.nc"), "--chunks", "auto", "--compress", "none", "--vars", "temp")
	got = python(t, `
import sys, netCDF4
with netCDF4.Dataset(sys.argv[1]) as ds:
    print(sorted(ds.variables), ds["temp"].chunking(), ds["temp"].filters()["zlib"])`, p("auto.nc"))
	if strings.TrimSpace(got) != "['lat', 'lon', 'temp', 'time'] [12, 5, 8] False" {
		t.Errorf("--vars temp --chunks auto --compress none gave %s", got)
	}

	// HDF5 without dimension names -> NetCDF-4: dims dim0, dim1, ...;
	// unsupported datasets skipped with a warning.
	r = ok(t, "convert", fixture("plain.h5"), p("h.nc"), "--chunks", "dim0=2")
	for _, v := range []string{"/lzf skipped", "/cmpd skipped"} {
		if !strings.Contains(r.stderr, v) {
			t.Errorf("h5 -> nc: no warning %q:\n%s", v, r.stderr)
		}
	}
	h := tool(t, "ncdump", "-h", p("h.nc"))
	for _, w := range []string{"dim0 = 6", "dim1 = 7", "float a(dim0, dim1)", `a:units = "m"`, ":origin = \"h5py\"", "short b(dim3)", "group: grp"} {
		if !strings.Contains(h, w) {
			t.Errorf("ncdump -h of the converted HDF5 file lacks %q:\n%s", w, h)
		}
	}
	got = python(t, `
import sys, netCDF4, h5py, numpy as np
with netCDF4.Dataset(sys.argv[1]) as ds, h5py.File(sys.argv[2]) as f:
    print(ds["a"].chunking(), np.array_equal(ds["a"][:], f["a"][()]), np.array_equal(ds["c"][:], f["c"][()]), np.array_equal(ds["grp"]["b"][:], f["grp/b"][()]))`, p("h.nc"), fixture("plain.h5"))
	if strings.TrimSpace(got) != "[2, 7] True True True" {
		t.Errorf("h5 -> nc with --chunks dim0=2: %s", got)
	}
	noTempFiles(t, dir)
}

func TestConvertOverwrite(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.nc")
	if err := os.WriteFile(out, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := ndchunk(t, "", "convert", fixture("classic.nc"), out)
	if r.code != 1 || !strings.Contains(r.stderr, "out.nc") || !strings.Contains(r.stderr, "file exists") {
		t.Errorf("existing OUT: exit %d, %s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != "keep me" {
		t.Errorf("existing OUT changed without --overwrite")
	}
	ok(t, "convert", fixture("classic.nc"), out, "--overwrite")
	sameFiles(t, fixture("classic.nc"), out)
	noTempFiles(t, dir)
}

// TestConvertRechunkStaged rechunks time-major chunks into time series
// under a budget far smaller than the variable, which forces the staged
// plan with spilled pieces, and checks the values.
func TestConvertRechunkStaged(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "tm.nc")
	python(t, `
import sys, netCDF4, numpy as np
with netCDF4.Dataset(sys.argv[1], "w") as ds:
    ds.createDimension("time", 300)
    ds.createDimension("y", 40)
    ds.createDimension("x", 50)
    v = ds.createVariable("v", "f4", ("time", "y", "x"), chunksizes=(1, 40, 50), zlib=True, complevel=1)
    v.units = "m s-1"
    v[:] = np.random.default_rng(3).standard_normal((300, 40, 50)).astype("f4")`, in)
	out := filepath.Join(dir, "ts.nc")
	// A budget this small only leaves room for blocks with one worker
	// (each writing worker holds a compressor of about 1 MiB).
	args := []string{"convert", in, out, "--chunks", "time=300,y=4,x=5", "--memory", "6MiB", "--workers", "1"}
	plan := ok(t, append(args, "--explain")...).stdout
	for _, w := range []string{"read: read tm.nc:v", "persist(tm.nc:v)", "persist(rechunk(persist(tm.nc:v)))", "rechunk(persist(rechunk(persist(tm.nc:v))))", "spilled", "fits"} {
		if !strings.Contains(plan, w) {
			t.Errorf("the rechunk plan lacks %q:\n%s", w, plan)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("--explain wrote the output")
	}
	r := ok(t, append(args, "--report-json", filepath.Join(dir, "c.json"))...)
	var c costs
	b, err := os.ReadFile(filepath.Join(dir, "c.json"))
	if err != nil || json.Unmarshal(b, &c) != nil {
		t.Fatalf("report: %v %s", err, b)
	}
	if c.PeakEngine > c.Budget || c.BytesRead != 300*40*50*4 || c.BytesWritten != 300*40*50*4 {
		t.Errorf("costs %+v: engine over the budget, or not every byte read once and written once", c)
	}
	sameFiles(t, in, out)
	got := python(t, `
import sys, netCDF4
with netCDF4.Dataset(sys.argv[1]) as ds:
    print(ds["v"].chunking(), ds["v"].filters()["complevel"])`, out)
	if strings.TrimSpace(got) != "[300, 4, 5] 1" {
		t.Errorf("chunks %s", got)
	}
	if !strings.Contains(r.stderr, "ndchunk convert:") {
		t.Errorf("no final report:\n%s", r.stderr)
	}

	// The same source unfiltered: the copy runs in passes over slabs,
	// without spilling.
	plain := filepath.Join(dir, "plain.nc")
	ok(t, "convert", in, plain, "--compress", "none")
	out = filepath.Join(dir, "ts3.nc")
	args = []string{"convert", plain, out, "--chunks", "time=300,y=4,x=5", "--memory", "6MiB", "--workers", "1"}
	plan = ok(t, append(args, "--explain")...).stdout
	if !strings.Contains(plan, "slab at [0 0 0]") || !strings.Contains(plan, "slab at [0 36 0]") || strings.Contains(plan, "spill") {
		t.Errorf("the plan in passes:\n%s", plan)
	}
	ok(t, append(args, "--report-json", filepath.Join(dir, "c3.json"))...)
	b, _ = os.ReadFile(filepath.Join(dir, "c3.json"))
	if json.Unmarshal(b, &c) != nil || c.BytesRead != 300*40*50*4 || c.PeakEngine > c.Budget {
		t.Errorf("costs in passes: %s", b)
	}
	sameFiles(t, in, out)
}

// TestInterrupt sends SIGINT to a running convert: it must stop within a
// second, exit 130 and leave no temporary or output file.
func TestInterrupt(t *testing.T) {
	need(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "big.nc")
	// Compressible values make deflate level 9 slow (about 20 s here).
	ok(t, "eval", "floor(random(4000, 3000, seed=3) * 1000)", "--out", in+":r", "-q")
	out := filepath.Join(dir, "out.nc")
	cmd := exec.Command(binPath, "convert", in, out, "--compress", "deflate:9", "--chunks", "dim0=4000,dim1=20", "--memory", "64MiB", "--progress", "plain")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	took := time.Since(sent)
	code := cmd.ProcessState.ExitCode()
	if code == 0 {
		t.Skipf("the convert finished before the signal (%v)", err)
	}
	if code != 130 {
		t.Errorf("exit %d after SIGINT, want 130\n%s", code, stderr.String())
	}
	if took > time.Second {
		t.Errorf("took %v to stop after SIGINT", took)
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("interrupted convert left %s", out)
	}
	noTempFiles(t, dir)
}
