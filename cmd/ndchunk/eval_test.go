package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// evalCases are expressions over xy.nc (xv, yv: float64 40x30; t: float32
// 20x8x6; i: int32 40x30) and the NumPy expression computing the same,
// over arrays of the same names read with netCDF4-python (p: int16 with
// scale_factor, add_offset and _FillValue, decoded). Tolerances: the
// engine sums in a fixed tree where NumPy sums pairwise, so float64
// reductions agree to about 1e-12 relative; float32 math to a few ulps
// (the tolerance is also the absolute one, for values near zero).
var evalCases = []struct {
	expr, numpy string
	rtol        float64
}{
	{"x + y", "x + y", 0},
	{"x * 2 - y / 3", "x * 2 - y / 3", 0},
	{"sqrt(abs(x - 0.5))", "np.sqrt(np.abs(x - 0.5))", 0},
	{"sin(x) + cos(y)", "np.sin(x) + np.cos(y)", 1e-15},
	{"x ** 2 + x ** 0.5", "x ** 2 + x ** 0.5", 1e-15},
	{"x // 0.3", "x // 0.3", 0},
	{"x % 0.7", "x % 0.7", 1e-15},
	{"-x", "-x", 0},
	{"x > y", "x > y", 0},
	{"(x > 0.5) & (y < 0.5) | ~(x > 0.9)", "(x > 0.5) & (y < 0.5) | ~(x > 0.9)", 0},
	{"x.T", "x.T", 0},
	{"x[10:20, ::2]", "x[10:20, ::2]", 0},
	{"x[::-3, 5:1:-1]", "x[::-3, 5:1:-1]", 0},
	{"x[3]", "x[3]", 0},
	{"x[-1, 5]", "x[-1, 5]", 0},
	{"sum(x)", "np.sum(x)", 1e-12},
	{"sum(x, axis=0)", "np.sum(x, axis=0)", 1e-12},
	{"mean(x, axis=1, keepdims=true)", "np.mean(x, axis=1, keepdims=True)", 1e-12},
	{"std(x, ddof=1)", "np.std(x, ddof=1)", 1e-12},
	{"var(t, axis=(1, 2))", "np.var(t, axis=(1, 2))", 1e-5},
	{"nanmean(where(x > 0.9, nan, x))", "np.nanmean(np.where(x > 0.9, np.nan, x))", 1e-12},
	{"argmax(x, axis=1)", "np.argmax(x, axis=1)", 0},
	{"argmin(t)", "np.argmin(t)", 0},
	{"cumsum(x, axis=0)", "np.cumsum(x, axis=0)", 1e-12},
	{"transpose(t, (2, 0, 1))", "np.transpose(t, (2, 0, 1))", 0},
	{"x @ y.T", "x @ y.T", 1e-12},
	{"matmul(x.T, y)", "np.matmul(x.T, y)", 1e-12},
	{"concatenate((x, y), axis=0)", "np.concatenate((x, y), axis=0)", 0},
	{"stack((x, y), axis=1)", "np.stack((x, y), axis=1)", 0},
	{"clip(x, 0.2, 0.8)", "np.clip(x, 0.2, 0.8)", 0},
	{"astype(x * 10, int32)", "(x * 10).astype(np.int32)", 0},
	{"where(x > y, x, y)", "np.where(x > y, x, y)", 0},
	{"mean(t, axis=0)", "np.mean(t, axis=0)", 1e-6},
	{"max(t) - min(t)", "np.max(t) - np.min(t)", 0},
	{"i + 1", "i + 1", 0},
	{"i // 3 + i % 7", "i // 3 + i % 7", 0},
	{"sum(i, axis=1)", "np.sum(i, axis=1)", 0},
	{"rechunk(x, (7, 7)) + 1", "x + 1", 0},
	{"exp(t) - log1p(abs(t))", "np.exp(t) - np.log1p(np.abs(t))", 4e-7},
	{"t * 2", "t * 2", 0},
	{"1 / (x - x)", "1 / (x - x)", 0},
	{"-1 / (x - x)", "-1 / (x - x)", 0},
	{"(x - x) / (x - x)", "(x - x) / (x - x)", 0},
	{"pi * 2", "np.pi * 2", 0},
	{"p", "p", 0},
}

// numpyScript reads xy.nc (argv[1]) and the eval results (argv[2], a JSON
// list of [expr, numpy, rtol, output]) and prints one line per mismatch, or
// "all equal". Eval's strings "NaN", "Inf", "-Inf" are numbers again here.
const numpyScript = `
import sys, json, math
import numpy as np
import netCDF4
ds = netCDF4.Dataset(sys.argv[1])
ds.set_auto_maskandscale(False)
x, y, t, i = ds["xv"][:], ds["yv"][:], ds["t"][:], ds["i"][:]
ds.set_auto_maskandscale(True)
p = np.ma.filled(ds["packed"][:].astype("f8"), np.nan)
def num(v):
    if isinstance(v, list):
        return [num(e) for e in v]
    if isinstance(v, str):
        return {"NaN": math.nan, "Inf": math.inf, "-Inf": -math.inf}[v]
    return v
bad = []
with np.errstate(all="ignore"):
    for expr, npexpr, rtol, out in json.load(open(sys.argv[2])):
        want = np.asarray(eval(npexpr))
        got = json.loads(out)
        val = np.array(num(got["value"]), dtype=got["dtype"])
        if list(val.shape) != got["shape"] or tuple(got["shape"]) != want.shape:
            bad.append("%s: shape %s, numpy %s" % (expr, got["shape"], want.shape))
            continue
        if val.dtype != want.dtype and not (val.dtype.kind == want.dtype.kind == "i"):
            bad.append("%s: dtype %s, numpy %s" % (expr, val.dtype, want.dtype))
            continue
        if val.dtype.kind == "f":
            ok = np.allclose(val, want, rtol=rtol, atol=rtol, equal_nan=True) if rtol else np.array_equal(val, want, equal_nan=True)
        else:
            ok = np.array_equal(val, want)
        if not ok:
            bad.append("%s: values differ, max |diff| %s" % (expr, np.nanmax(np.abs(val.astype(float) - want.astype(float)))))
print("\n".join(bad) if bad else "all equal")
`

// TestEvalMatchesNumPy runs every expression of evalCases through the
// binary and compares each result with NumPy's.
func TestEvalMatchesNumPy(t *testing.T) {
	in := fixture("xy.nc")
	var rows [][]any
	for _, tc := range evalCases {
		// The expression comes after "--", as one starting with "-" must.
		args := []string{"eval", "-q", "--chunks", "7,11",
			"--in", "x=" + in + ":xv", "--in", "y=" + in + ":yv", "--in", "t=" + in + ":t", "--in", "i=" + in + ":i", "--in", "p=" + in + ":packed", "--decode-cf", "--", tc.expr}
		r := ok(t, args...)
		rows = append(rows, []any{tc.expr, tc.numpy, tc.rtol, r.stdout})
	}
	b, _ := json.Marshal(rows)
	path := filepath.Join(t.TempDir(), "results.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(python(t, numpyScript, in, path)); got != "all equal" {
		t.Errorf("eval and NumPy differ:\n%s", got)
	}
}

// TestEvalChunkChoices: the same result for every --chunks choice.
func TestEvalChunkChoices(t *testing.T) {
	in := "x=" + fixture("xy.nc") + ":t"
	var first string
	for _, c := range []string{"auto", "keep", "3,2,2", "t=5", "y=3,x=4", "auto:1KiB"} {
		r := ok(t, "eval", "sum(x * x, axis=0)", "--in", in, "--chunks", c, "-q")
		if first == "" {
			first = r.stdout
		} else if r.stdout != first {
			t.Errorf("--chunks %s: %s, want %s", c, r.stdout, first)
		}
	}
	// A chunks=(...) argument overrides --chunks for one generated array.
	r := ok(t, "plan", "random(100, 100, seed=1, chunks=(10, 50)) * 2", "--chunks", "25,25")
	if !strings.Contains(r.stdout, "chunks 10x50") {
		t.Errorf("chunks= did not override --chunks:\n%s", r.stdout)
	}
}

func TestEvalValues(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{"1 + 2", `{"shape": [], "dtype": "int64", "value": 3}`},
		{"sqrt(-1.0)", `{"shape": [], "dtype": "float64", "value": "NaN"}`},
		{"astype(ones((2, 2)), float32) / 3", `{"shape": [2, 2], "dtype": "float32", "value": [[0.33333334, 0.33333334], [0.33333334, 0.33333334]]}`},
		{"zeros((0, 3))", `{"shape": [0, 3], "dtype": "float64", "value": []}`},
		{"arange(3) > 0", `{"shape": [3], "dtype": "bool", "value": [false, true, true]}`},
	} {
		r := ok(t, "eval", tc.expr, "-q")
		if strings.TrimSpace(r.stdout) != tc.want {
			t.Errorf("eval %s = %s, want %s", tc.expr, strings.TrimSpace(r.stdout), tc.want)
		}
	}
	// Monte-Carlo pi, as in make demo.
	r := ok(t, "eval", "4*mean(sum(random(200000, 2, seed=1)**2, axis=1) < 1)", "-q")
	var v struct {
		Value float64 `json:"value"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || math.Abs(v.Value-math.Pi) > 0.03 {
		t.Errorf("pi estimate %s (%v)", r.stdout, err)
	}
	// Random arrays: uniform in [0, 1), the same for any chunking.
	a := ok(t, "eval", "random(5, 3, seed=7)", "-q").stdout
	b := ok(t, "eval", "random(5, 3, seed=7)", "--chunks", "2,2", "-q").stdout
	if a != b || !strings.Contains(a, `"shape": [5, 3]`) {
		t.Errorf("random depends on chunks:\n%s\n%s", a, b)
	}
}

// TestEvalOut stores results: dims inherited from an input of the same
// shape (with its coordinate variables) or reduced from it, else dim0...
func TestEvalOut(t *testing.T) {
	dir := t.TempDir()
	small := fixture("small.nc")
	in := "x=" + small + ":temp"
	ok(t, "eval", "x - mean(x, axis=0)", "--in", in, "--out", filepath.Join(dir, "anom.nc")+":anom", "--decode-cf")
	ok(t, "eval", "mean(x, axis=0)", "--in", in, "--out", filepath.Join(dir, "clim.h5")+":clim")
	ok(t, "eval", "x.T", "--in", in, "--out", filepath.Join(dir, "tr.nc")+":tr")
	ok(t, "eval", "random(4, 9, seed=2)", "--out", filepath.Join(dir, "r.nc")+":r")
	got := python(t, `
import sys, netCDF4, h5py, numpy as np
d = sys.argv[1]
src = netCDF4.Dataset(sys.argv[2])
x = np.ma.filled(src["temp"][:].astype("f4"), np.nan)
valid = (x >= 100) & (x <= 400)
x = np.where(valid, x, np.nan)
with netCDF4.Dataset(d + "/anom.nc") as ds:
    a = ds["anom"]
    print(a.dimensions, sorted(ds.variables), np.allclose(a[:], x - np.mean(x, axis=0), equal_nan=True, rtol=1e-6, atol=1e-4), ds["lat"].units)
with h5py.File(d + "/clim.h5") as f:
    print(f["clim"].shape, [f["clim"].dims[k][0].name for k in range(2)])
with netCDF4.Dataset(d + "/tr.nc") as ds:
    print(ds["tr"].dimensions)
with netCDF4.Dataset(d + "/r.nc") as ds:
    print(ds["r"].dimensions, float(ds["r"][:].min()) >= 0, ds["r"].expression)
`, dir, small)
	want := "('time', 'lat', 'lon') ['anom', 'lat', 'lon', 'time'] True degrees_north\n" +
		"(5, 8) ['/lat', '/lon']\n" +
		"('lon', 'lat', 'time')\n" +
		"('dim0', 'dim1') True random(4, 9, seed=2)"
	if strings.TrimSpace(got) != want {
		t.Errorf("stored results:\n%s\nwant:\n%s", got, want)
	}
	// An existing output is refused.
	r := ndchunk(t, "", "eval", "1", "--out", filepath.Join(dir, "r.nc")+":r")
	if r.code != 1 || !strings.Contains(r.stderr, "file exists") {
		t.Errorf("existing --out: exit %d %s", r.code, r.stderr)
	}
	noTempFiles(t, dir)
}

func TestPlan(t *testing.T) {
	in := "x=" + fixture("xy.nc") + ":xv"
	r := ok(t, "plan", "sum(sin(x) + cos(x.T.T))", "--in", in, "--chunks", "10,10")
	for _, w := range []string{"plan:", "stage", "shape [40 30]", "chunks 10x10", "tasks", "per task", "budget check", "fits"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("plan output lacks %q:\n%s", w, r.stdout)
		}
	}
	// Two materialised stages (the block products, then the sum), so the
	// graph has an edge; the file's reads happen inside the first.
	r = ok(t, "plan", "sum(x @ x.T)", "--in", in, "--chunks", "10,10", "--dot")
	if !strings.HasPrefix(r.stdout, "digraph plan {") || !strings.Contains(r.stdout, "->") {
		t.Errorf("--dot:\n%s", r.stdout)
	}
	// Refused: the plan is printed as refused, exit 1.
	r = ndchunk(t, "", "plan", "x @ x.T", "--in", in, "--chunks", "40,30", "--memory", "8KiB")
	if r.code != 1 || !strings.HasPrefix(r.stdout, "plan refused:") || !strings.Contains(r.stderr, "budget") {
		t.Errorf("refused plan: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
}
