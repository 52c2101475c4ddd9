package netcdf

import (
	"math"
	"slices"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
)

// nc4CDL exercises everything NetCDF-4 has that the driver reads: every
// atomic type, an unlimited dimension, coordinate variables, fill values,
// chunking with deflate and shuffle, attributes of every type, a scalar,
// char and string variables, and nested groups.
const nc4CDL = `netcdf all {
dimensions:
	time = UNLIMITED ;
	x = 4 ;
variables:
	double time(time) ;
		time:units = "days since 2000-01-01" ;
	float x(x) ;
		x:axis = "X" ;
	byte v_byte(time, x) ;
		v_byte:_FillValue = -7b ;
	ubyte v_ubyte(x) ;
	short v_short(time, x) ;
	ushort v_ushort(x) ;
	int v_int(x) ;
	uint v_uint(x) ;
	int64 v_int64(x) ;
	uint64 v_uint64(x) ;
	float v_float(time, x) ;
		v_float:_FillValue = -999.f ;
		v_float:_ChunkSizes = 1, 2 ;
		v_float:_DeflateLevel = 5 ;
		v_float:_Shuffle = "true" ;
	double v_double(x) ;
		v_double:a_byte = 1b, -2b ;
		v_double:a_ubyte = 255ub ;
		v_double:a_short = -300s ;
		v_double:a_ushort = 65535us ;
		v_double:a_int = -70000 ;
		v_double:a_uint = 4000000000u ;
		v_double:a_int64 = -9000000000000000000ll ;
		v_double:a_uint64 = 18000000000000000000ull ;
		v_double:a_float = 1.5f, -2.25f ;
		v_double:a_double = 3.141592653589793 ;
		v_double:a_char = "text" ;
		string v_double:a_string = "s1", "s2" ;
	char v_char(x) ;
	string v_string(x) ;
	int scalar ;
	:title = "ncgen interop" ;
	:version = 2 ;
data:
 time = 0, 1, 2 ;
 x = 0.5, 1.5, 2.5, 3.5 ;
 v_byte = 1, 2, 3, 4, -128, 127, _, 0, 9, 10, 11, 12 ;
 v_ubyte = 0, 1, 254, 255 ;
 v_short = -32768, 32767, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 ;
 v_ushort = 0, 1, 65534, 65535 ;
 v_int = -2147483648, 2147483647, 0, 1 ;
 v_uint = 0, 1, 4294967294, 4294967295 ;
 v_int64 = -9223372036854775808, 9223372036854775807, 0, 1 ;
 v_uint64 = 0, 1, 18446744073709551614, 18446744073709551615 ;
 v_float = 1.5, 2.5, _, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5, 12.5 ;
 v_double = 0.1, -0.2, 1e300, -1e-300 ;
 v_char = "abcd" ;
 v_string = "a", "bb", "ccc", "" ;
 scalar = 42 ;

group: g {
  dimensions:
	y = 2 ;
  variables:
	int v(y, x) ;
		v:units = "K" ;
  data:
   v = 1, 2, 3, 4, 5, 6, 7, 8 ;

  group: sub {
    variables:
	short s(y) ;
    data:
     s = 9, 10 ;
  }
}
}
`

func TestNcgenNetCDF4(t *testing.T) {
	f := mustOpen(t, ncgen(t, nc4CDL, "nc4"))
	info := f.Info()
	if info.Format != "nc4" {
		t.Errorf("format %q, want nc4", info.Format)
	}
	if want := []string{"/", "/g", "/g/sub"}; !slices.Equal(info.Groups, want) {
		t.Errorf("groups %q, want %q", info.Groups, want)
	}
	wantDims := []dataset.Dim{{Name: "time", Len: 3, Unlimited: true}, {Name: "x", Len: 4}, {Name: "/g/y", Len: 2}}
	if !slices.Equal(info.Dims, wantDims) {
		t.Errorf("dims %v, want %v", info.Dims, wantDims)
	}
	wantVars := []string{"time", "x", "v_byte", "v_ubyte", "v_short", "v_ushort", "v_int", "v_uint", "v_int64", "v_uint64",
		"v_float", "v_double", "v_char", "v_string", "scalar", "/g/v", "/g/sub/s"}
	if got := info.VarNames(); !slices.Equal(got, wantVars) {
		t.Errorf("variables %q, want %q", got, wantVars)
	}
	types := map[string]struct {
		dt  chunk.DType
		typ string
	}{
		"time": {chunk.Float64, "double"}, "x": {chunk.Float32, "float"}, "v_byte": {chunk.Int8, "byte"},
		"v_ubyte": {chunk.Uint8, "ubyte"}, "v_short": {chunk.Int16, "short"}, "v_ushort": {chunk.Uint16, "ushort"},
		"v_int": {chunk.Int32, "int"}, "v_uint": {chunk.Uint32, "uint"}, "v_int64": {chunk.Int64, "int64"},
		"v_uint64": {chunk.Uint64, "uint64"}, "v_float": {chunk.Float32, "float"}, "v_double": {chunk.Float64, "double"},
		"v_char": {chunk.Invalid, "char"}, "v_string": {chunk.Invalid, "string"}, "scalar": {chunk.Int32, "int"},
		"/g/v": {chunk.Int32, "int"}, "/g/sub/s": {chunk.Int16, "short"},
	}
	for name, want := range types {
		vi, ok := info.Var(name)
		if !ok {
			continue
		}
		if vi.DType != want.dt || vi.Type != want.typ {
			t.Errorf("%s: dtype %s type %q, want %s %q", name, vi.DType, vi.Type, want.dt, want.typ)
		}
		if coord := name == "time" || name == "x"; vi.Coordinate != coord {
			t.Errorf("%s: Coordinate = %v, want %v", name, vi.Coordinate, coord)
		}
	}
	vf, _ := info.Var("v_float")
	if vf.Layout != "chunked" || !slices.Equal(vf.StorageChunks, []int{1, 2}) {
		t.Errorf("v_float: layout %q chunks %v, want chunked [1 2]", vf.Layout, vf.StorageChunks)
	}
	if len(vf.Filters) != 2 || vf.Filters[0].Name != "shuffle" || vf.Filters[1].Name != "deflate" ||
		!slices.Equal(vf.Filters[1].Params, []uint32{5}) || vf.Filters[1].ID != 1 || !vf.Filters[1].Available {
		t.Errorf("v_float: filters %+v, want shuffle then deflate level 5", vf.Filters)
	}
	if !slices.Equal(vf.FillValue.([]float32), []float32{-999}) {
		t.Errorf("v_float: fill value %v", vf.FillValue)
	}
	vx, _ := info.Var("x")
	if vx.Layout != "contiguous" || vx.StorageChunks != nil || len(vx.Filters) != 0 {
		t.Errorf("x: layout %q chunks %v filters %v, want contiguous and none", vx.Layout, vx.StorageChunks, vx.Filters)
	}
	gv, _ := info.Var("/g/v")
	if !slices.Equal(gv.Dims, []string{"/g/y", "x"}) || !slices.Equal(gv.Shape, []int{2, 4}) {
		t.Errorf("/g/v: dims %q shape %v", gv.Dims, gv.Shape)
	}
	if a, _ := gv.Attr("units"); a.Value != "K" {
		t.Errorf("/g/v: units = %v", a.Value)
	}

	// Attributes keep their types.
	vd, _ := info.Var("v_double")
	wantAttrs := []dataset.Attr{
		{Name: "a_byte", Value: []int8{1, -2}}, {Name: "a_ubyte", Value: []uint8{255}},
		{Name: "a_short", Value: []int16{-300}}, {Name: "a_ushort", Value: []uint16{65535}},
		{Name: "a_int", Value: []int32{-70000}}, {Name: "a_uint", Value: []uint32{4000000000}},
		{Name: "a_int64", Value: []int64{-9000000000000000000}}, {Name: "a_uint64", Value: []uint64{18000000000000000000}},
		{Name: "a_float", Value: []float32{1.5, -2.25}}, {Name: "a_double", Value: []float64{math.Pi}},
		{Name: "a_char", Value: "text"}, {Name: "a_string", Value: "s1\ns2"},
	}
	checkAttrs(t, "v_double", vd.Attrs, wantAttrs)
	checkAttrs(t, "global", info.Attrs, []dataset.Attr{{Name: "title", Value: "ncgen interop"}, {Name: "version", Value: []int32{2}}})

	// Values, with fill values where the CDL says "_".
	checkValues(t, f, "time", []float64{0, 1, 2})
	checkValues(t, f, "x", []float32{0.5, 1.5, 2.5, 3.5})
	checkValues(t, f, "v_byte", []int8{1, 2, 3, 4, -128, 127, -7, 0, 9, 10, 11, 12})
	checkValues(t, f, "v_ubyte", []uint8{0, 1, 254, 255})
	checkValues(t, f, "v_short", []int16{-32768, 32767, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	checkValues(t, f, "v_ushort", []uint16{0, 1, 65534, 65535})
	checkValues(t, f, "v_int", []int32{math.MinInt32, math.MaxInt32, 0, 1})
	checkValues(t, f, "v_uint", []uint32{0, 1, 4294967294, 4294967295})
	checkValues(t, f, "v_int64", []int64{math.MinInt64, math.MaxInt64, 0, 1})
	checkValues(t, f, "v_uint64", []uint64{0, 1, 18446744073709551614, 18446744073709551615})
	checkValues(t, f, "v_float", []float32{1.5, 2.5, -999, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5, 12.5})
	checkValues(t, f, "v_double", []float64{0.1, -0.2, 1e300, -1e-300})
	checkValues(t, f, "scalar", []int32{42})
	checkValues(t, f, "/g/v", []int32{1, 2, 3, 4, 5, 6, 7, 8})
	checkValues(t, f, "g/sub/s", []int16{9, 10})

	// char and string variables are listed but not readable.
	for name, word := range map[string]string{"v_char": "char", "v_string": "string"} {
		vi, _ := info.Var(name)
		if vi.Unsupported == "" {
			t.Errorf("%s: not marked unsupported", name)
		}
		_, err := f.Var(name)
		wantErr(t, "Var("+name+")", err, chunk.ErrUnsupported, name, word)
	}
}

// checkAttrs compares attributes by name, types included.
func checkAttrs(t *testing.T, what string, got, want []dataset.Attr) {
	t.Helper()
	for _, w := range want {
		var found *dataset.Attr
		for i := range got {
			if got[i].Name == w.Name {
				found = &got[i]
			}
		}
		switch {
		case found == nil:
			t.Errorf("%s: attribute %s missing", what, w.Name)
		case !sameAttrValue(found.Value, w.Value):
			t.Errorf("%s: attribute %s = %#v, want %#v", what, w.Name, found.Value, w.Value)
		}
	}
}

// sameAttrValue compares two attribute values, types included.
func sameAttrValue(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []int8:
		return eq(x, b)
	case []uint8:
		return eq(x, b)
	case []int16:
		return eq(x, b)
	case []uint16:
		return eq(x, b)
	case []int32:
		return eq(x, b)
	case []uint32:
		return eq(x, b)
	case []int64:
		return eq(x, b)
	case []uint64:
		return eq(x, b)
	case []float32:
		return eq(x, b)
	case []float64:
		return eq(x, b)
	case []bool:
		return eq(x, b)
	}
	return false
}

func eq[T chunk.Elem](x []T, b any) bool {
	y, ok := b.([]T)
	return ok && slices.Equal(x, y)
}

// classicCDL is the same kind of file in the classic data model.
const classicCDL = `netcdf classic {
dimensions:
	time = UNLIMITED ;
	x = 3 ;
variables:
	double time(time) ;
		time:units = "hours" ;
	byte b(time, x) ;
		b:_FillValue = 99b ;
	short s(time, x) ;
	int i(x) ;
		i:valid_range = -5, 5 ;
	float f(time, x) ;
		f:_FillValue = -1.f ;
		f:scale = 0.5f, 2.f ;
	double d(x) ;
		d:note = "double" ;
	char c(x) ;
	:title = "classic" ;
	:codes = 1b, 2b ;
	:shorts = -3s ;
data:
 time = 10, 20 ;
 b = 1, _, 3, 4, 5, 6 ;
 s = -1, -2, -3, -4, -5, -6 ;
 i = -5, 0, 5 ;
 f = 0.25, 0.5, _, 1, 2, 4 ;
 d = 1e-10, 0, 1e10 ;
 c = "xyz" ;
}
`

func TestNcgenClassic(t *testing.T) {
	for _, k := range []struct{ kind, format string }{{"nc3", "nc3"}, {"nc6", "nc3-64bit"}, {"nc5", "cdf5"}, {"nc7", "nc4-classic"}} {
		t.Run(k.format, func(t *testing.T) {
			f := mustOpen(t, ncgen(t, classicCDL, k.kind))
			info := f.Info()
			if info.Format != k.format {
				t.Errorf("format %q, want %q", info.Format, k.format)
			}
			if want := []dataset.Dim{{Name: "time", Len: 2, Unlimited: true}, {Name: "x", Len: 3}}; !slices.Equal(info.Dims, want) {
				t.Errorf("dims %v, want %v", info.Dims, want)
			}
			checkAttrs(t, "global", info.Attrs, []dataset.Attr{{Name: "title", Value: "classic"}, {Name: "codes", Value: []int8{1, 2}}, {Name: "shorts", Value: []int16{-3}}})
			vi, _ := info.Var("f")
			checkAttrs(t, "f", vi.Attrs, []dataset.Attr{{Name: "scale", Value: []float32{0.5, 2}}, {Name: "_FillValue", Value: []float32{-1}}})
			if !sameAttrValue(vi.FillValue, []float32{-1}) {
				t.Errorf("f: fill value %v", vi.FillValue)
			}
			if vt, _ := info.Var("time"); !vt.Coordinate || !slices.Equal(vt.Shape, []int{2}) {
				t.Errorf("time: %+v", vt)
			}
			checkValues(t, f, "time", []float64{10, 20})
			checkValues(t, f, "b", []int8{1, 99, 3, 4, 5, 6})
			checkValues(t, f, "s", []int16{-1, -2, -3, -4, -5, -6})
			checkValues(t, f, "i", []int32{-5, 0, 5})
			checkValues(t, f, "f", []float32{0.25, 0.5, -1, 1, 2, 4})
			checkValues(t, f, "d", []float64{1e-10, 0, 1e10})
			_, err := f.Var("c")
			wantErr(t, "Var(c)", err, chunk.ErrUnsupported, "char")
			// Region reads: a record slab and a single element.
			v, _ := f.Var("f")
			got := make([]float32, 2)
			if err := v.ReadRegion(t.Context(), chunk.Region{Start: []int{1, 1}, Shape: []int{1, 2}}, chunk.AsBytes(got)); err != nil || !slices.Equal(got, []float32{2, 4}) {
				t.Errorf("f[1:2, 1:3] = %v, %v", got, err)
			}
			if err := f.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
			_, err = f.Var("f")
			wantErr(t, "Var after Close", err, nil, "closed")
			err = v.ReadRegion(t.Context(), chunk.Region{Start: []int{0, 0}, Shape: []int{1, 1}}, make([]byte, 4))
			wantErr(t, "read after Close", err, nil, "closed")
		})
	}
}
