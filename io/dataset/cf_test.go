package dataset_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/memio"
)

// cfCase is a variable to decode and what it must decode to.
type cfCase struct {
	name  string
	data  any // the raw values, a []T
	attrs []dataset.Attr
	// ref names the reference that decodes such a variable as DecodeCF
	// does: "xarray" (xarray.decode_cf) for packing and fill values;
	// "netcdf4" (netCDF4-python's auto mask and scale) for valid_min,
	// valid_max and valid_range, which xarray does not apply.
	ref       string
	wantDType chunk.DType
	// want is the decoded array worked out by hand (NaN where masked),
	// checked within handTol.
	want []float64
}

// handTol is the relative tolerance of the hand-computed expectations:
// they are written as decimal literals, the decoder computes
// raw*scale+offset in float64.
const handTol = 1e-12

var nan = math.NaN()

var cfCases = []cfCase{
	{
		name: "packed_int16",
		data: []int16{-32767, 0, 1, 12345, -1, 32767, -32768, 100},
		attrs: []dataset.Attr{
			{Name: "scale_factor", Value: []float64{0.01}},
			{Name: "add_offset", Value: []float64{273.15}},
			{Name: "_FillValue", Value: []int16{-32767}},
			{Name: "units", Value: "K"},
		},
		ref: "xarray", wantDType: chunk.Float64,
		want: []float64{nan, 273.15, 273.16, 396.6, 273.14, 600.82, -54.53, 274.15},
	},
	{
		name: "packed_int16_nofill",
		data: []int16{-32768, -2, -1, 0, 1, 2, 32767},
		attrs: []dataset.Attr{
			{Name: "scale_factor", Value: []float64{0.5}},
			{Name: "add_offset", Value: []float64{-10}},
		},
		ref: "xarray", wantDType: chunk.Float64,
		want: []float64{-16394, -11, -10.5, -10, -9.5, -9, 16373.5},
	},
	{
		name:  "scale_float32_only",
		data:  []int16{-3, 0, 7, 1000},
		attrs: []dataset.Attr{{Name: "scale_factor", Value: []float32{0.25}}},
		ref:   "xarray", wantDType: chunk.Float64,
		want: []float64{-0.75, 0, 1.75, 250},
	},
	{
		name:      "missing_value_array",
		data:      []int32{1, 2, -999, -998, 5, 0},
		attrs:     []dataset.Attr{{Name: "missing_value", Value: []int32{-999, -998}}},
		ref:       "xarray",
		wantDType: chunk.Float64,
		want:      []float64{1, 2, nan, nan, 5, 0},
	},
	{
		name: "fill_and_missing_scalar",
		data: []int32{-1, -2, 3, 2147483647, -2147483648},
		attrs: []dataset.Attr{
			{Name: "_FillValue", Value: []int32{-1}},
			{Name: "missing_value", Value: []int32{-2}},
		},
		ref: "xarray", wantDType: chunk.Float64,
		want: []float64{nan, nan, 3, 2147483647, -2147483648},
	},
	{
		name:      "uint8_fill",
		data:      []uint8{0, 1, 254, 255},
		attrs:     []dataset.Attr{{Name: "_FillValue", Value: []uint8{255}}},
		ref:       "xarray",
		wantDType: chunk.Float64,
		want:      []float64{0, 1, 254, nan},
	},
	{
		name:      "float32_fill_stays_float32",
		data:      []float32{1.5, 2, -999, float32(math.NaN()), float32(math.Copysign(0, -1)), 3.25},
		attrs:     []dataset.Attr{{Name: "_FillValue", Value: []float32{-999}}, {Name: "units", Value: "m"}},
		ref:       "xarray",
		wantDType: chunk.Float32,
		want:      []float64{1.5, 2, nan, nan, math.Copysign(0, -1), 3.25},
	},
	{
		name:      "float64_nan_fill",
		data:      []float64{1, math.Float64frombits(0x7FF8000000000ABC), -0.5, math.Inf(1)},
		attrs:     []dataset.Attr{{Name: "_FillValue", Value: []float64{math.NaN()}}},
		ref:       "xarray",
		wantDType: chunk.Float64,
		want:      []float64{1, nan, -0.5, math.Inf(1)},
	},
	{
		name:      "valid_range_int16",
		data:      []int16{-5, 0, 50, 100, 101, 7},
		attrs:     []dataset.Attr{{Name: "valid_range", Value: []int16{0, 100}}},
		ref:       "netcdf4",
		wantDType: chunk.Float64,
		want:      []float64{nan, 0, 50, 100, nan, 7},
	},
	{
		name: "valid_min_max_float32",
		data: []float32{-2, -1.5, 0, 2.5, 2.75, 1},
		attrs: []dataset.Attr{
			{Name: "valid_min", Value: []float32{-1.5}},
			{Name: "valid_max", Value: []float32{2.5}},
		},
		ref: "netcdf4", wantDType: chunk.Float32,
		want: []float64{nan, -1.5, 0, 2.5, nan, 1},
	},
	{
		name: "packed_with_valid_range",
		data: []int16{-101, -100, 0, 100, 101, 3},
		attrs: []dataset.Attr{
			{Name: "valid_range", Value: []int16{-100, 100}},
			{Name: "scale_factor", Value: []float64{0.5}},
			{Name: "add_offset", Value: []float64{10}},
		},
		ref: "netcdf4", wantDType: chunk.Float64,
		want: []float64{nan, -40, 10, 60, nan, 11.5},
	},
}

// memVar stores a one-dimensional variable in a memio file and opens it.
func memVar(t *testing.T, name string, data any, attrs []dataset.Attr) dataset.Var {
	t.Helper()
	raw, dt := rawBytes(data)
	n := len(raw) / dt.Size()
	path := "cf-" + t.Name() + "-" + name
	spec := dataset.Spec{
		Format: memio.Format,
		Dims:   []dataset.Dim{{Name: "x", Len: n}},
		Vars:   []dataset.VarSpec{{Name: name, Dims: []string{"x"}, DType: dt, Attrs: attrs}},
	}
	w, err := dataset.Create(path, spec, dataset.CreateOptions{Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := w.Sink(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteRegion(ctx, chunk.WholeRegion([]int{n}), raw); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { memio.Remove(path) })
	f, err := memio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.Var(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// rawBytes returns the native bytes and dtype of a []T.
func rawBytes(data any) ([]byte, chunk.DType) {
	switch x := data.(type) {
	case []int8:
		return chunk.AsBytes(x), chunk.Int8
	case []int16:
		return chunk.AsBytes(x), chunk.Int16
	case []int32:
		return chunk.AsBytes(x), chunk.Int32
	case []int64:
		return chunk.AsBytes(x), chunk.Int64
	case []uint8:
		return chunk.AsBytes(x), chunk.Uint8
	case []uint16:
		return chunk.AsBytes(x), chunk.Uint16
	case []uint32:
		return chunk.AsBytes(x), chunk.Uint32
	case []uint64:
		return chunk.AsBytes(x), chunk.Uint64
	case []float32:
		return chunk.AsBytes(x), chunk.Float32
	case []float64:
		return chunk.AsBytes(x), chunk.Float64
	}
	panic(fmt.Sprintf("rawBytes(%T)", data))
}

// decodeAll decodes a variable and reads it whole as float64s (exact for
// a float32 result).
func decodeAll(t *testing.T, v dataset.Var) (dataset.Var, []float64) {
	t.Helper()
	d, err := dataset.DecodeCF(v)
	if err != nil {
		t.Fatalf("DecodeCF(%s): %v", v.Name(), err)
	}
	n := chunk.Size(d.Shape())
	buf := make([]float64, n) // 8-byte aligned for either dtype
	dst := chunk.AsBytes(buf)[:n*d.DType().Size()]
	if err := d.ReadRegion(context.Background(), chunk.WholeRegion(d.Shape()), dst); err != nil {
		t.Fatalf("read decoded %s: %v", v.Name(), err)
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = chunk.LoadFloat64(d.DType(), dst, i)
	}
	return d, out
}

func TestDecodeCFByHand(t *testing.T) {
	for _, c := range cfCases {
		t.Run(c.name, func(t *testing.T) {
			v := memVar(t, c.name, c.data, c.attrs)
			d, got := decodeAll(t, v)
			if d.DType() != c.wantDType {
				t.Errorf("dtype %s, want %s", d.DType(), c.wantDType)
			}
			for i, w := range c.want {
				g := got[i]
				switch {
				case math.IsNaN(w) != math.IsNaN(g):
					t.Errorf("element %d = %v, want %v", i, g, w)
				case math.IsNaN(w):
				case math.Abs(g-w) > handTol*math.Abs(w) || math.Signbit(g) != math.Signbit(w):
					t.Errorf("element %d = %v, want %v", i, g, w)
				}
			}
		})
	}
}

func TestDecodeCFInfo(t *testing.T) {
	c := cfCases[0]
	v := memVar(t, c.name, c.data, c.attrs)
	d, err := dataset.DecodeCF(v)
	if err != nil {
		t.Fatal(err)
	}
	info := d.Info()
	if info.DType != chunk.Float64 || info.Type != "float64" || info.FillValue != nil {
		t.Errorf("decoded info: dtype %s type %q fill %v", info.DType, info.Type, info.FillValue)
	}
	if len(info.Attrs) != 1 || info.Attrs[0].Name != "units" {
		t.Errorf("decoded attributes %v, want only units (the CF ones are consumed)", info.Attrs)
	}
	if d.Name() != v.Name() || !chunk.EqualInts(d.Shape(), v.Shape()) {
		t.Errorf("decoded %s%v, raw %s%v", d.Name(), d.Shape(), v.Name(), v.Shape())
	}
	if raw := v.Info(); raw.DType != chunk.Int16 || len(raw.Attrs) != 4 {
		t.Errorf("decoding changed the raw variable's info: %+v", raw)
	}

	// A region in the middle decodes like the same slice of the whole.
	_, whole := decodeAll(t, v)
	part := make([]float64, 3)
	if err := d.ReadRegion(context.Background(), chunk.Region{Start: []int{2}, Shape: []int{3}}, chunk.AsBytes(part)); err != nil {
		t.Fatal(err)
	}
	for i := range part {
		if math.Float64bits(part[i]) != math.Float64bits(whole[2+i]) {
			t.Errorf("region element %d = %v, whole array has %v", i, part[i], whole[2+i])
		}
	}
	// A buffer sized for the raw dtype is refused.
	err = d.ReadRegion(context.Background(), chunk.WholeRegion(d.Shape()), make([]byte, 2*chunk.Size(d.Shape())))
	if !errors.Is(err, chunk.ErrShape) || !strings.Contains(err.Error(), c.name) {
		t.Errorf("read with a buffer of the raw size: %v, want ErrShape naming the variable", err)
	}
	// Errors of the raw read come through.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.ReadRegion(ctx, chunk.WholeRegion(d.Shape()), make([]byte, 8*chunk.Size(d.Shape()))); !errors.Is(err, context.Canceled) {
		t.Errorf("read with a cancelled context: %v", err)
	}
}

func TestDecodeCFUnchanged(t *testing.T) {
	for _, attrs := range [][]dataset.Attr{
		nil,
		{{Name: "units", Value: "K"}, {Name: "long_name", Value: "temperature"}},
		// A non-numeric value is not a CF number: nothing to decode.
		{{Name: "scale_factor", Value: "0.5"}},
	} {
		v := memVar(t, "plain", []int32{1, 2, 3}, attrs)
		d, err := dataset.DecodeCF(v)
		if err != nil {
			t.Fatal(err)
		}
		if d != v {
			t.Errorf("DecodeCF of a variable with attributes %v returned a new %T, want the variable itself", attrs, d)
		}
	}
}

// invalidVar is a variable of a type ndchunk cannot read.
type invalidVar struct{ dataset.Var }

func (invalidVar) Info() dataset.VarInfo {
	return dataset.VarInfo{Name: "cplx", Type: "compound", Unsupported: "compound type"}
}
func (invalidVar) Name() string { return "f.h5:cplx" }

func TestDecodeCFUnsupported(t *testing.T) {
	_, err := dataset.DecodeCF(invalidVar{})
	if !errors.Is(err, chunk.ErrUnsupported) || !strings.Contains(err.Error(), "cplx") {
		t.Errorf("DecodeCF of a compound variable: %v, want ErrUnsupported naming it", err)
	}
}

// cfReference decodes the cases with xarray.decode_cf and netCDF4-python,
// reading raw values and attributes as hex of native bytes so every bit
// survives the trip. It prints one JSON object per case: the dtype the
// reference decoded to and the values as float64 hex. It prints "SKIP:"
// and a reason when the modules are missing.
const cfReference = `
import json, sys, os, warnings
try:
    import numpy as np, xarray as xr, netCDF4
except ImportError as e:
    print("SKIP: " + str(e)); sys.exit(0)
warnings.simplefilter("ignore")
cases = json.load(sys.stdin)
tmp = sys.argv[1]
out = {}
for c in cases:
    raw = np.frombuffer(bytes.fromhex(c["data"]), dtype=c["dtype"])
    attrs = {}
    for a in c["attrs"]:
        if a["dtype"] == "str":
            attrs[a["name"]] = a["value"]
        else:
            v = np.frombuffer(bytes.fromhex(a["value"]), dtype=a["dtype"])
            attrs[a["name"]] = v[0] if len(v) == 1 else v
    if c["ref"] == "xarray":
        ds = xr.Dataset({"v": xr.Variable(("x",), raw, attrs=attrs)})
        dec = xr.decode_cf(ds)["v"].values
    else:
        path = os.path.join(tmp, c["name"] + ".nc")
        with netCDF4.Dataset(path, "w") as nc:
            nc.createDimension("x", len(raw))
            v = nc.createVariable("v", raw.dtype, ("x",), fill_value=attrs.pop("_FillValue", None))
            for k, a in attrs.items():
                v.setncattr(k, a)
            v.set_auto_maskandscale(False)
            v[:] = raw
        with netCDF4.Dataset(path) as nc:
            m = np.ma.asarray(nc["v"][:])
            dec = np.ma.filled(m.astype(m.dtype if m.dtype.kind == "f" else "f8"), np.nan)
    out[c["name"]] = {"dtype": str(dec.dtype), "values": np.asarray(dec, dtype="f8").tobytes().hex()}
print(json.dumps(out))
`

// TestDecodeCFMatchesReferences compares DecodeCF with what xarray and
// netCDF4-python (Debian's, run with /usr/bin/python3) give on the same
// inputs: masked elements exactly, values bit for bit where the reference
// decodes to float64 too. xarray 2023.01 (Debian 12) decodes int16 with a
// _FillValue, or with only a scale_factor, to float32 (its
// _choose_float_dtype looks at the already-masked float32 data); DecodeCF
// always unpacks to float64, so there the values must agree within the
// reference's float32 rounding.
func TestDecodeCFMatchesReferences(t *testing.T) {
	const python = "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		t.Skipf("no %s to run xarray and netCDF4-python: %v", python, err)
	}
	type attrJSON struct {
		Name  string `json:"name"`
		DType string `json:"dtype"`
		Value string `json:"value"`
	}
	type caseJSON struct {
		Name  string     `json:"name"`
		DType string     `json:"dtype"`
		Data  string     `json:"data"`
		Ref   string     `json:"ref"`
		Attrs []attrJSON `json:"attrs"`
	}
	var in []caseJSON
	for _, c := range cfCases {
		raw, dt := rawBytes(c.data)
		cj := caseJSON{Name: c.name, DType: npDType(dt), Data: hex.EncodeToString(raw), Ref: c.ref}
		for _, a := range c.attrs {
			if s, ok := a.Value.(string); ok {
				cj.Attrs = append(cj.Attrs, attrJSON{a.Name, "str", s})
				continue
			}
			b, adt := rawBytes(a.Value)
			cj.Attrs = append(cj.Attrs, attrJSON{a.Name, npDType(adt), hex.EncodeToString(b)})
		}
		in = append(in, cj)
	}
	stdin, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-c", cfReference, t.TempDir())
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("python reference: %v\n%s", err, stderr.String())
	}
	if s := string(stdout); strings.HasPrefix(s, "SKIP:") {
		t.Skipf("python reference unavailable: %s", strings.TrimSpace(s))
	}
	var refs map[string]struct {
		DType  string `json:"dtype"`
		Values string `json:"values"`
	}
	if err := json.Unmarshal(stdout, &refs); err != nil {
		t.Fatalf("python reference output %q: %v", stdout, err)
	}
	for _, c := range cfCases {
		t.Run(c.name, func(t *testing.T) {
			ref, ok := refs[c.name]
			if !ok {
				t.Fatalf("no reference values")
			}
			b, err := hex.DecodeString(ref.Values)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]float64, len(b)/8)
			copy(chunk.AsBytes(want), b)
			_, got := decodeAll(t, memVar(t, c.name, c.data, c.attrs))
			if len(got) != len(want) {
				t.Fatalf("%d values, %s gives %d", len(got), c.ref, len(want))
			}
			for i := range want {
				g, w := got[i], want[i]
				switch {
				case math.IsNaN(g) || math.IsNaN(w):
					if math.IsNaN(g) != math.IsNaN(w) {
						t.Errorf("element %d = %v, %s gives %v", i, g, c.ref, w)
					}
				case ref.DType == "float32" && c.wantDType == chunk.Float64:
					// 4 ulp of float32 at w's magnitude.
					if math.Abs(g-w) > 4*math.Abs(w)/(1<<23) {
						t.Errorf("element %d = %v, %s (in float32) gives %v", i, g, c.ref, w)
					}
				case math.Float64bits(g) != math.Float64bits(w):
					t.Errorf("element %d = %v (%#x), %s gives %v (%#x)", i, g, math.Float64bits(g), c.ref, w, math.Float64bits(w))
				}
			}
			if ref.DType != c.wantDType.String() {
				t.Logf("%s decodes to %s, DecodeCF to %s", c.ref, ref.DType, c.wantDType)
			}
		})
	}
}

// npDType names a dtype as NumPy does, in native byte order ("=").
func npDType(dt chunk.DType) string {
	codes := map[chunk.DType]string{
		chunk.Int8: "i1", chunk.Int16: "i2", chunk.Int32: "i4", chunk.Int64: "i8",
		chunk.Uint8: "u1", chunk.Uint16: "u2", chunk.Uint32: "u4", chunk.Uint64: "u8",
		chunk.Float32: "f4", chunk.Float64: "f8",
	}
	return "=" + codes[dt]
}
