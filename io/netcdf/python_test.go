package netcdf

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
)

// makePy writes files with netCDF4-python (as xarray users do): every
// numeric type, an unlimited dimension, groups, zlib + shuffle chunks,
// fill values, numpy-typed attributes. Values are i*k+c patterns the test
// recomputes.
const makePy = `
import sys, numpy as np, netCDF4
path, fmt = sys.argv[1], sys.argv[2]
d = netCDF4.Dataset(path, 'w', format=fmt)
d.title = 'netCDF4-python interop'
d.setncattr('answer', np.int16(42))
d.createDimension('t', None)
d.createDimension('x', 5)
t = d.createVariable('t', 'f8', ('t',))
t.units = 'days'
t[:] = np.arange(3) * 0.5
types = ['i1', 'i2', 'i4', 'f4', 'f8']
if fmt in ('NETCDF4', 'NETCDF3_64BIT_DATA'):
    types += ['u1', 'u2', 'u4', 'i8', 'u8']
for ty in types:
    zlib = fmt.startswith('NETCDF4')
    v = d.createVariable('v_' + ty, ty, ('t', 'x'), zlib=zlib, shuffle=zlib, complevel=3,
                         chunksizes=(2, 3) if zlib else None, fill_value=np.array(7, ty))
    v.setncattr('att', np.array([1, 2], ty))
    v.set_auto_maskandscale(False)
    v[0:2, :] = (np.arange(10).reshape(2, 5) * 3 + 1).astype(ty)
    # record 2 is left unwritten: it reads as the fill value 7
    v[2, 0] = np.array(5, ty)
if fmt == 'NETCDF4':
    g = d.createGroup('grp')
    g.createDimension('y', 2)
    s = g.createGroup('sub')
    w = s.createVariable('w', 'i8', ('y', 'x'))
    w.setncattr_string('names', ['alpha', 'beta'])
    w[:] = np.arange(10).reshape(2, 5) - 5
d.close()
`

func TestPythonWritten(t *testing.T) {
	for _, c := range []struct{ pyFormat, format string }{
		{"NETCDF4", "nc4"}, {"NETCDF4_CLASSIC", "nc4-classic"}, {"NETCDF3_CLASSIC", "nc3"},
		{"NETCDF3_64BIT_OFFSET", "nc3-64bit"}, {"NETCDF3_64BIT_DATA", "cdf5"},
	} {
		t.Run(c.format, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "py.nc")
			runPython(t, makePy, path, c.pyFormat)
			f := mustOpen(t, path)
			info := f.Info()
			if info.Format != c.format {
				t.Errorf("format %q, want %q", info.Format, c.format)
			}
			checkAttrs(t, "global", info.Attrs, []dataset.Attr{{Name: "title", Value: "netCDF4-python interop"}, {Name: "answer", Value: []int16{42}}})
			if d, _ := info.Dim("t"); d.Len != 3 || !d.Unlimited {
				t.Errorf("dimension t: %+v", d)
			}
			checkValues(t, f, "t", []float64{0, 0.5, 1})
			dts := []chunk.DType{chunk.Int8, chunk.Int16, chunk.Int32, chunk.Float32, chunk.Float64}
			codes := []string{"i1", "i2", "i4", "f4", "f8"}
			if c.format == "nc4" || c.format == "cdf5" {
				dts = append(dts, chunk.Uint8, chunk.Uint16, chunk.Uint32, chunk.Int64, chunk.Uint64)
				codes = append(codes, "u1", "u2", "u4", "i8", "u8")
			}
			for i, dt := range dts {
				name := "v_" + codes[i]
				vi, ok := info.Var(name)
				if !ok {
					t.Errorf("variable %s missing (have %q)", name, info.VarNames())
					continue
				}
				if vi.DType != dt || !slices.Equal(vi.Shape, []int{3, 5}) || !slices.Equal(vi.Dims, []string{"t", "x"}) {
					t.Errorf("%s: %s%v dims %q", name, vi.DType, vi.Shape, vi.Dims)
				}
				if strings.HasPrefix(c.format, "nc4") {
					if vi.Layout != "chunked" || !slices.Equal(vi.StorageChunks, []int{2, 3}) || len(vi.Filters) != 2 ||
						vi.Filters[0].Name != "shuffle" || vi.Filters[1].Name != "deflate" || vi.Filters[1].Params[0] != 3 {
						t.Errorf("%s: layout %s chunks %v filters %+v", name, vi.Layout, vi.StorageChunks, vi.Filters)
					}
				}
				want := make([]byte, 15*dt.Size())
				for k := range 15 {
					x := float64(k*3 + 1)
					switch {
					case k == 10:
						x = 5
					case k > 10:
						x = 7 // fill
					}
					chunk.StoreFloat64(dt, want, k, x)
				}
				if got := readAll(t, f, name); string(got) != string(want) {
					t.Errorf("%s: values differ", name)
				}
				if vi.FillValue == nil || chunk.LoadFloat64(dt, anyBytes(vi.FillValue), 0) != 7 {
					t.Errorf("%s: fill value %v, want 7", name, vi.FillValue)
				}
				if a, ok := vi.Attr("att"); !ok || chunk.LoadFloat64(dt, anyBytes(a.Value), 1) != 2 {
					t.Errorf("%s: attribute att = %#v", name, a.Value)
				}
			}
			if c.format == "nc4" {
				checkValues(t, f, "/grp/sub/w", []int64{-5, -4, -3, -2, -1, 0, 1, 2, 3, 4})
				vi, _ := info.Var("/grp/sub/w")
				if !slices.Equal(vi.Dims, []string{"/grp/y", "x"}) {
					t.Errorf("/grp/sub/w dims %q", vi.Dims)
				}
				checkAttrs(t, "/grp/sub/w", vi.Attrs, []dataset.Attr{{Name: "names", Value: "alpha\nbeta"}})
				if !slices.Equal(info.Groups, []string{"/", "/grp", "/grp/sub"}) {
					t.Errorf("groups %q", info.Groups)
				}
			}
		})
	}
}

// anyBytes returns the bytes of a numeric slice.
func anyBytes(v any) []byte {
	d, n, p, err := attrData(v)
	if err != nil || d == chunk.Invalid || n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(p), n*d.Size())
}

// makeTypesPy writes variables of the types the driver cannot read.
const makeTypesPy = `
import sys, numpy as np, netCDF4
d = netCDF4.Dataset(sys.argv[1], 'w')
d.createDimension('x', 3)
ct = d.createCompoundType(np.dtype([('a', 'f4'), ('b', 'i4')]), 'pair_t')
d.createVariable('comp', ct, ('x',))
vt = d.createVLType(np.int32, 'ragged_t')
d.createVariable('ragged', vt, ('x',))
s = d.createVariable('names', str, ('x',))
s[:] = np.array(['a', 'bb', 'ccc'], dtype=object)
et = d.createEnumType(np.uint8, 'cloud_t', {'clear': 0, 'cloudy': 1})
d.createVariable('cloud', et, ('x',))
ok = d.createVariable('ok', 'f8', ('x',))
ok[:] = [1, 2, 3]
d.close()
`

func TestPythonUnsupportedTypes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "types.nc")
	runPython(t, makeTypesPy, path)
	f := mustOpen(t, path)
	for name, want := range map[string]struct{ typ, word string }{
		"comp": {"compound", "pair_t"}, "ragged": {"vlen", "ragged_t"}, "names": {"string", "string"}, "cloud": {"enum", "cloud_t"},
	} {
		vi, ok := f.Info().Var(name)
		if !ok {
			t.Errorf("variable %s not listed", name)
			continue
		}
		if vi.DType != chunk.Invalid || vi.Type != want.typ || !strings.Contains(vi.Unsupported, want.word) {
			t.Errorf("%s: dtype %s type %q unsupported %q, want invalid %q naming %q", name, vi.DType, vi.Type, vi.Unsupported, want.typ, want.word)
		}
		_, err := f.Var(name)
		wantErr(t, "Var("+name+")", err, chunk.ErrUnsupported, name, want.typ, want.word, path)
	}
	checkValues(t, f, "ok", []float64{1, 2, 3})
}

// dumpPy describes a file as netCDF4-python sees it, as JSON: groups,
// dimensions, and per variable its type, dimensions, storage, filters,
// attributes (name, numpy type, values) and raw values.
const dumpPy = `
import sys, json, numpy as np, netCDF4
d = netCDF4.Dataset(sys.argv[1])
out = {'model': d.data_model, 'groups': [], 'dims': {}, 'vars': {}, 'attrs': {}}
def attrs(o):
    r = {}
    for k in o.ncattrs():
        v = o.getncattr(k)
        if isinstance(v, str):
            r[k] = ['str', v]
        else:
            a = np.atleast_1d(np.asarray(v))
            r[k] = [a.dtype.name, a.tolist()]
    return r
def walk(g, prefix):
    out['groups'].append(prefix or '/')
    for name, dim in g.dimensions.items():
        out['dims'][prefix + '/' + name if prefix else name] = [len(dim), dim.isunlimited()]
    for name, v in g.variables.items():
        v.set_auto_maskandscale(False)
        data = v[...]
        e = {'dtype': v.dtype.name, 'dims': list(v.dimensions), 'shape': list(v.shape),
             'chunking': v.chunking() if d.data_model.startswith('NETCDF4') else 'contiguous',
             'filters': v.filters() if d.data_model.startswith('NETCDF4') else None,
             'attrs': attrs(v), 'values': np.asarray(data).ravel().tolist()}
        out['vars'][prefix + '/' + name if prefix else name] = e
    for name, sub in g.groups.items():
        walk(sub, prefix + '/' + name)
out['attrs'] = attrs(d)
walk(d, '')
print(json.dumps(out))
`

// pyFile is dumpPy's output.
type pyFile struct {
	Model  string
	Groups []string
	Dims   map[string][2]any
	Vars   map[string]struct {
		DType    string
		Dims     []string
		Shape    []int
		Chunking any
		Filters  map[string]any
		Attrs    map[string][2]any
		Values   []json.Number
	}
	Attrs map[string][2]any
}

// pyDump runs dumpPy on path.
func pyDump(t *testing.T, path string) *pyFile {
	t.Helper()
	out := runPython(t, dumpPy, path)
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber()
	var pf pyFile
	if err := dec.Decode(&pf); err != nil {
		t.Fatalf("decode python output: %v\n%s", err, out)
	}
	return &pf
}

// numpyName is NumPy's name of the type a dtype is stored as.
func numpyName(d chunk.DType) string {
	if d == chunk.Bool {
		return "int8"
	}
	return d.String()
}

// sameNumbers compares numbers printed by Python's json with a buffer of
// dtype d, exactly (64-bit integers as integers, floats as float64).
func sameNumbers(got []json.Number, d chunk.DType, want []byte) error {
	if len(got) != len(want)/d.Size() {
		return fmt.Errorf("%d values, want %d", len(got), len(want)/d.Size())
	}
	for i, n := range got {
		var ok bool
		switch {
		case d.IsInteger() || d == chunk.Bool:
			var w string
			if d == chunk.Uint64 {
				w = fmt.Sprint(chunk.Cast[uint64](want)[i])
			} else {
				w = fmt.Sprint(chunk.LoadInt64(d, want, i))
			}
			ok = n.String() == w
		case d == chunk.Float32:
			// Printed with 9 digits (ncdump -p 9) or as the float64 of
			// the float32 (Python): both parse back to the same float32.
			x, err := strconv.ParseFloat(n.String(), 32)
			w := chunk.Cast[float32](want)[i]
			ok = err == nil && (float32(x) == w || math.IsNaN(x) && w != w)
		default:
			x, err := n.Float64()
			w := chunk.LoadFloat64(d, want, i)
			ok = err == nil && (x == w || math.IsNaN(x) && math.IsNaN(w))
		}
		if !ok {
			return fmt.Errorf("value %d is %s, want %v", i, n, showElem(d, want, i))
		}
	}
	return nil
}

func showElem(d chunk.DType, b []byte, i int) string {
	if d == chunk.Uint64 {
		return fmt.Sprint(chunk.Cast[uint64](b)[i])
	}
	if d.IsFloat() {
		return fmt.Sprint(chunk.LoadFloat64(d, b, i))
	}
	return fmt.Sprint(chunk.LoadInt64(d, b, i))
}

// attrNumbers converts an attribute value from dumpPy to numbers.
func attrNumbers(v any) []json.Number {
	list, _ := v.([]any)
	out := make([]json.Number, len(list))
	for i, x := range list {
		out[i], _ = x.(json.Number)
	}
	return out
}

// TestScipyWritten reads classic files written by scipy.io.netcdf_file,
// an independent writer (xarray's engine for NetCDF-3 without libnetcdf),
// with an odd-sized last variable and a lone record variable.
func TestScipyWritten(t *testing.T) {
	for _, version := range []string{"1", "2"} {
		path := filepath.Join(t.TempDir(), "scipy.nc")
		runPython(t, `
import sys, numpy as np
from scipy.io import netcdf_file
f = netcdf_file(sys.argv[1], 'w', version=int(sys.argv[2]))
f.history = 'scipy'
f.createDimension('t', None)
f.createDimension('x', 5)
r = f.createVariable('r', 'i2', ('t',))
r[:] = np.array([1, 2, 3], 'i2')
b = f.createVariable('b', 'b', ('x',))
b[:] = np.arange(5, dtype='b') - 2
b.note = 'last'
f.close()
`, path, version)
		f := mustOpen(t, path)
		checkValues(t, f, "r", []int16{1, 2, 3})
		checkValues(t, f, "b", []int8{-2, -1, 0, 1, 2})
		checkAttrs(t, "global", f.Info().Attrs, []dataset.Attr{{Name: "history", Value: "scipy"}})
	}
}
