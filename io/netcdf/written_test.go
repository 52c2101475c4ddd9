package netcdf

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	ndexec "github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/ndarray"
)

// formatDTypes lists the dtypes a format stores.
func formatDTypes(format string) []chunk.DType {
	if formats[format].classic {
		return classicDTypes
	}
	return chunk.DTypes
}

// sample is a file the driver wrote and what it holds.
type sample struct {
	path string
	spec dataset.Spec
	data map[string][]byte // what each variable reads back (fill where unwritten)
	fill map[string]bool   // variables with fill values
}

// randomValues returns n finite values of d, edges of the type included.
func randomValues(rng *rand.Rand, d chunk.DType, n int) []byte {
	b := make([]byte, n*d.Size()+8)[:n*d.Size()]
	for i := range n {
		var x float64
		switch {
		case d == chunk.Bool:
			x = float64(rng.IntN(2))
		case d.IsFloat():
			x = (rng.Float64() - 0.5) * math.Pow(10, float64(rng.IntN(20)-10))
		default:
			x = float64(rng.IntN(200) - 100)
			if d.IsUnsigned() {
				x += 100
			}
		}
		chunk.StoreFloat64(d, b, i, x)
	}
	// The type's extremes, exactly.
	if n < 2 {
		return b
	}
	switch d {
	case chunk.Int64:
		chunk.Cast[int64](b)[0], chunk.Cast[int64](b)[1] = math.MinInt64, math.MaxInt64
	case chunk.Uint64:
		chunk.Cast[uint64](b)[0] = math.MaxUint64
	case chunk.Int32:
		chunk.Cast[int32](b)[0], chunk.Cast[int32](b)[1] = math.MinInt32, math.MaxInt32
	case chunk.Uint32:
		chunk.Cast[uint32](b)[0] = math.MaxUint32
	case chunk.Float64:
		chunk.Cast[float64](b)[0], chunk.Cast[float64](b)[1] = math.MaxFloat64, math.SmallestNonzeroFloat64
	case chunk.Float32:
		chunk.Cast[float32](b)[0], chunk.Cast[float32](b)[1] = math.MaxFloat32, -math.SmallestNonzeroFloat32
	}
	return b
}

// attrFor returns a two-element attribute value of d with its extremes.
func attrFor(d chunk.DType) any {
	switch d {
	case chunk.Int8:
		return []int8{math.MinInt8, math.MaxInt8}
	case chunk.Int16:
		return []int16{math.MinInt16, math.MaxInt16}
	case chunk.Int32:
		return []int32{math.MinInt32, math.MaxInt32}
	case chunk.Int64:
		return []int64{math.MinInt64, math.MaxInt64}
	case chunk.Uint8:
		return []uint8{0, math.MaxUint8}
	case chunk.Uint16:
		return []uint16{0, math.MaxUint16}
	case chunk.Uint32:
		return []uint32{0, math.MaxUint32}
	case chunk.Uint64:
		return []uint64{0, math.MaxUint64}
	case chunk.Float32:
		return []float32{-1.5, math.MaxFloat32}
	case chunk.Float64:
		return []float64{-0.1, math.MaxFloat64}
	}
	return nil
}

// writeSample writes a file of the given format with every dtype the
// format has (as record variables, chunked and compressed where it can),
// coordinates, a scalar, a variable written with a gap, attributes of
// every type and, in nc4, a group. Blocks are stored by the engine from
// several workers on the storage chunk grid, so NetCDF-4 files take the
// direct chunk path unless cfg says otherwise.
func writeSample(t *testing.T, format string, cfg createConfig) *sample {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, uint64(len(format))))
	s := &sample{path: filepath.Join(t.TempDir(), "sample."+format), data: map[string][]byte{}, fill: map[string]bool{}}
	spec := &s.spec
	spec.Format = format
	spec.Dims = []dataset.Dim{{Name: "time", Len: 3, Unlimited: true}, {Name: "y", Len: 4}, {Name: "x", Len: 5}}
	spec.Attrs = []dataset.Attr{{Name: "title", Value: "written by ndchunk"}, {Name: "place", Value: "Zürich 東京"}}
	for _, d := range formatDTypes(format) {
		if d != chunk.Bool {
			spec.Attrs = append(spec.Attrs, dataset.Attr{Name: "g_" + d.String(), Value: attrFor(d)})
		}
	}
	nc4 := formats[format].nc4
	spec.Vars = append(spec.Vars,
		dataset.VarSpec{Name: "time", Dims: []string{"time"}, DType: chunk.Float64, Attrs: []dataset.Attr{{Name: "units", Value: "days since 2000-01-01"}}},
		dataset.VarSpec{Name: "x", Dims: []string{"x"}, DType: chunk.Float32, Attrs: []dataset.Attr{{Name: "axis", Value: "X"}}},
		dataset.VarSpec{Name: "scalar", DType: chunk.Float64, Attrs: []dataset.Attr{{Name: "note", Value: "rank 0"}}},
		dataset.VarSpec{Name: "gappy", Dims: []string{"y", "x"}, DType: chunk.Float32, FillValue: []float32{-1.5}})
	s.fill["gappy"] = true
	for k, d := range formatDTypes(format) {
		vs := dataset.VarSpec{Name: "v_" + d.String(), Dims: []string{"time", "y", "x"}, DType: d,
			Attrs: []dataset.Attr{{Name: "units", Value: "m"}}}
		if a := attrFor(d); a != nil {
			vs.Attrs = append(vs.Attrs, dataset.Attr{Name: "att", Value: a})
		}
		if nc4 {
			vs.Chunks = []int{1, 2, 5}
			vs.Deflate = k%9 + 1
			vs.Shuffle = k%2 == 0
		}
		spec.Vars = append(spec.Vars, vs)
	}
	if format == "nc4" {
		spec.Dims = append(spec.Dims, dataset.Dim{Name: "/grp/z", Len: 2})
		spec.Vars = append(spec.Vars, dataset.VarSpec{Name: "/grp/sub/w", Dims: []string{"/grp/z", "x"}, DType: chunk.Int16,
			Chunks: []int{1, 5}, Deflate: 1, Attrs: []dataset.Attr{{Name: "units", Value: "K"}}})
	}
	w, err := create(s.path, *spec, dataset.CreateOptions{}, cfg)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	e := testEngine()
	var arrays []ndarray.Array
	var sinks []ndexec.Sink
	for _, vs := range spec.Vars {
		shape, _ := spec.Shape(vs)
		data := randomValues(rng, vs.DType, chunk.Size(shape))
		sk, err := w.Sink(vs.Name)
		if err != nil {
			t.Fatal(err)
		}
		if vs.Name == "gappy" {
			// Only rows 1-2 are written; the rest reads as the fill value.
			r := chunk.Region{Start: []int{1, 0}, Shape: []int{2, 5}}
			if err := sk.WriteRegion(context.Background(), r, data[5*4:15*4]); err != nil {
				t.Fatal(err)
			}
			for i := range 20 {
				if i < 5 || i >= 15 {
					chunk.Cast[float32](data)[i] = -1.5
				}
			}
			if err := sk.Commit(context.Background()); err != nil {
				t.Fatal(err)
			}
			s.data[vs.Name] = data
			continue
		}
		s.data[vs.Name] = data
		d, err := chunk.WrapBytes(vs.DType, shape, data)
		if err != nil {
			t.Fatal(err)
		}
		blocks := chunk.Auto(1 << 10)
		if vs.Chunks != nil {
			blocks = chunk.Regular(vs.Chunks...)
		}
		arrays = append(arrays, ndarray.FromDense(d, blocks))
		sinks = append(sinks, sk)
	}
	if err := e.StoreMany(context.Background(), arrays, sinks); err != nil {
		t.Fatalf("store: %v", err)
	}
	if err := w.Commit(context.Background()); err != nil {
		t.Fatalf("commit: %v", err)
	}
	return s
}

// sampleConfigs are the formats and write paths the read-back tests cover.
var sampleConfigs = []struct {
	name, format string
	cfg          createConfig
}{
	{"nc4", "nc4", createConfig{}}, {"nc4-put_vara", "nc4", createConfig{noDirect: true}},
	{"nc4-classic", "nc4-classic", createConfig{}}, {"nc3", "nc3", createConfig{}},
	{"nc3-64bit", "nc3-64bit", createConfig{}}, {"cdf5", "cdf5", createConfig{}},
}

// TestWrittenReadByPython checks every file the driver writes with
// netCDF4-python: formats, groups, dimensions, types, storage, filters,
// attributes and values.
func TestWrittenReadByPython(t *testing.T) {
	for _, c := range sampleConfigs {
		t.Run(c.name, func(t *testing.T) {
			s := writeSample(t, c.format, c.cfg)
			pf := pyDump(t, s.path)
			wantModel := map[string]string{"nc4": "NETCDF4", "nc4-classic": "NETCDF4_CLASSIC", "nc3": "NETCDF3_CLASSIC", "nc3-64bit": "NETCDF3_64BIT_OFFSET", "cdf5": "NETCDF3_64BIT_DATA"}[c.format]
			if pf.Model != wantModel {
				t.Errorf("data model %s, want %s", pf.Model, wantModel)
			}
			for _, d := range s.spec.Dims {
				got, ok := pf.Dims[d.Name]
				if !ok {
					t.Errorf("dimension %s missing (python sees %v)", d.Name, pf.Dims)
					continue
				}
				if got[0].(json.Number).String() != strconv.Itoa(d.Len) || got[1] != d.Unlimited {
					t.Errorf("dimension %s: python sees %v, want %d unlimited %v", d.Name, got, d.Len, d.Unlimited)
				}
			}
			checkPyAttrs(t, "global", pf.Attrs, s.spec.Attrs)
			if len(pf.Vars) != len(s.spec.Vars) {
				t.Errorf("python sees %d variables, want %d", len(pf.Vars), len(s.spec.Vars))
			}
			for _, vs := range s.spec.Vars {
				pv, ok := pf.Vars[vs.Name]
				if !ok {
					t.Errorf("variable %s missing", vs.Name)
					continue
				}
				shape, _ := s.spec.Shape(vs)
				var dims []string
				for _, d := range vs.Dims {
					_, base := groupOf(d)
					dims = append(dims, base)
				}
				if pv.DType != numpyName(vs.DType) || !slices.Equal(pv.Shape, shape) || !slices.Equal(pv.Dims, dims) {
					t.Errorf("%s: python sees %s%v %q, want %s%v %q", vs.Name, pv.DType, pv.Shape, pv.Dims, numpyName(vs.DType), shape, dims)
				}
				if err := sameNumbers(pv.Values, storedDType(vs.DType), s.data[vs.Name]); err != nil {
					t.Errorf("%s: %v", vs.Name, err)
				}
				want := slices.Clone(vs.Attrs)
				if vs.FillValue != nil {
					want = append(want, dataset.Attr{Name: "_FillValue", Value: vs.FillValue})
				}
				checkPyAttrs(t, vs.Name, pv.Attrs, want)
				if vs.Chunks != nil {
					if fmt.Sprint(pv.Chunking) != fmt.Sprint(toAny(vs.Chunks)) {
						t.Errorf("%s: chunking %v, want %v", vs.Name, pv.Chunking, vs.Chunks)
					}
					if pv.Filters["zlib"] != (vs.Deflate > 0) || pv.Filters["shuffle"] != vs.Shuffle ||
						fmt.Sprint(pv.Filters["complevel"]) != strconv.Itoa(vs.Deflate) {
						t.Errorf("%s: filters %v, want deflate %d shuffle %v", vs.Name, pv.Filters, vs.Deflate, vs.Shuffle)
					}
				}
			}
		})
	}
}

// storedDType is the dtype a variable's values are stored as.
func storedDType(d chunk.DType) chunk.DType {
	if d == chunk.Bool {
		return chunk.Int8
	}
	return d
}

func toAny(v []int) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = json.Number(strconv.Itoa(x))
	}
	return out
}

// checkPyAttrs compares attributes as netCDF4-python sees them with what
// was written: strings, or NumPy arrays of the same type and values.
func checkPyAttrs(t *testing.T, what string, got map[string][2]any, want []dataset.Attr) {
	t.Helper()
	for _, a := range want {
		g, ok := got[a.Name]
		if !ok {
			t.Errorf("%s: attribute %s missing (python sees %v)", what, a.Name, got)
			continue
		}
		if s, isStr := a.Value.(string); isStr {
			if g[0] != "str" || g[1] != s {
				t.Errorf("%s: attribute %s = %v, want %q", what, a.Name, g, s)
			}
			continue
		}
		d, _, _, _ := attrData(a.Value)
		if g[0] != numpyName(d) {
			t.Errorf("%s: attribute %s has type %v, want %s", what, a.Name, g[0], numpyName(d))
		}
		if err := sameNumbers(attrNumbers(g[1]), d, anyBytes(a.Value)); err != nil {
			t.Errorf("%s: attribute %s: %v", what, a.Name, err)
		}
	}
}

// TestWrittenReadByNcdump parses ncdump's text of every file the driver
// writes (the root group: dimensions, variables, attributes and data).
func TestWrittenReadByNcdump(t *testing.T) {
	tool := needTool(t, "ncdump")
	for _, c := range sampleConfigs {
		t.Run(c.name, func(t *testing.T) {
			s := writeSample(t, c.format, c.cfg)
			out, err := exec.Command(tool, "-p", "9,17", s.path).CombinedOutput()
			if err != nil {
				t.Fatalf("ncdump: %v\n%s", err, out)
			}
			nd := parseNcdump(t, string(out))
			for _, d := range s.spec.Dims {
				if strings.HasPrefix(d.Name, "/") {
					continue // in a group section
				}
				want := strconv.Itoa(d.Len)
				if d.Unlimited {
					want = "UNLIMITED"
				}
				if nd.dims[d.Name] != want {
					t.Errorf("dimension %s = %q, want %q", d.Name, nd.dims[d.Name], want)
				}
			}
			for _, a := range s.spec.Attrs {
				checkNcdumpAttr(t, "global", nd.attrs[":"+a.Name], a.Value)
			}
			for _, vs := range s.spec.Vars {
				if strings.HasPrefix(vs.Name, "/") {
					continue
				}
				decl := ncdumpType(vs.DType) + " " + vs.Name
				if len(vs.Dims) > 0 {
					decl += "(" + strings.Join(vs.Dims, ", ") + ")"
				}
				if !nd.decls[decl] {
					t.Errorf("declaration %q missing from ncdump's output", decl)
				}
				for _, a := range vs.Attrs {
					checkNcdumpAttr(t, vs.Name, nd.attrs[vs.Name+":"+a.Name], a.Value)
				}
				// ncdump prints "_" for the fill value, the declared one
				// or the type's default.
				fill := defaultFill[storedDType(vs.DType)]
				if vs.FillValue != nil {
					checkNcdumpAttr(t, vs.Name, nd.attrs[vs.Name+":_FillValue"], vs.FillValue)
					fill = ncdumpNumbers(nd.attrs[vs.Name+":_FillValue"])[0]
				}
				vals, ok := nd.data[vs.Name]
				if !ok {
					t.Errorf("no data for %s", vs.Name)
					continue
				}
				nums := make([]json.Number, len(vals))
				for i, v := range vals {
					if v == "_" {
						v = fill
					}
					nums[i] = json.Number(v)
				}
				if err := sameNumbers(nums, storedDType(vs.DType), s.data[vs.Name]); err != nil {
					t.Errorf("%s: ncdump data: %v", vs.Name, err)
				}
			}
		})
	}
}

// defaultFill holds netCDF's default fill values (netcdf.h NC_FILL_*).
var defaultFill = map[chunk.DType]string{
	chunk.Int8: "-127", chunk.Int16: "-32767", chunk.Int32: "-2147483647", chunk.Int64: "-9223372036854775806",
	chunk.Uint8: "255", chunk.Uint16: "65535", chunk.Uint32: "4294967295", chunk.Uint64: "18446744073709551614",
	chunk.Float32: "9.96921e+36", chunk.Float64: "9.969209968386869e+36",
}

// ncdumpType is ncdump's name of a dtype's stored type.
func ncdumpType(d chunk.DType) string {
	t, _ := ncTypeOf(d)
	return t.name
}

// ncdumpOut is the root group of ncdump's text.
type ncdumpOut struct {
	dims  map[string]string   // name -> length or "UNLIMITED"
	decls map[string]bool     // "float v(y, x)"
	attrs map[string]string   // "var:name" or ":name" -> value text
	data  map[string][]string // name -> values
}

var (
	reDim   = regexp.MustCompile(`^\t(\S+) = (UNLIMITED|\d+) ;`)
	reDecl  = regexp.MustCompile(`^\t(\w+ [^:=]+?) ;$`)
	reAttr  = regexp.MustCompile(`^\t\t(?:string )?(\S*):(\S+) = (.*) ;$`)
	reData  = regexp.MustCompile(`^ (\S+) =\s*(.*?)\s*;?$`)
	reValue = regexp.MustCompile(`[^,\s]+`)
)

// parseNcdump reads ncdump's CDL text: a statement may run over several
// lines and ends with " ;".
func parseNcdump(t *testing.T, text string) *ncdumpOut {
	nd := &ncdumpOut{dims: map[string]string{}, decls: map[string]bool{}, attrs: map[string]string{}, data: map[string][]string{}}
	section := ""
	var stmt strings.Builder
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "group:"):
			return nd // the root group is done
		case trimmed == "dimensions:" || trimmed == "variables:" || trimmed == "data:":
			section = trimmed
			continue
		case trimmed == "" || strings.HasPrefix(trimmed, "//") || strings.HasPrefix(line, "netcdf ") || trimmed == "}":
			continue
		}
		if stmt.Len() > 0 {
			stmt.WriteString("\n")
		}
		stmt.WriteString(line)
		if !strings.HasSuffix(trimmed, ";") && !strings.Contains(trimmed, "; //") {
			continue
		}
		s := stmt.String()
		stmt.Reset()
		switch section {
		case "dimensions:":
			if m := reDim.FindStringSubmatch(s); m != nil {
				nd.dims[m[1]] = m[2]
			}
		case "variables:":
			if m := reAttr.FindStringSubmatch(strings.ReplaceAll(s, "\n", "")); m != nil {
				nd.attrs[m[1]+":"+m[2]] = m[3]
			} else if m := reDecl.FindStringSubmatch(s); m != nil {
				nd.decls[m[1]] = true
			}
		case "data:":
			m := reData.FindStringSubmatch(strings.ReplaceAll(s, "\n", " "))
			if m == nil {
				t.Fatalf("ncdump data statement %q not understood", s)
			}
			nd.data[m[1]] = reValue.FindAllString(m[2], -1)
		}
	}
	return nd
}

// ncdumpNumbers splits ncdump's text of a numeric attribute and drops the
// type suffixes (1b, 2s, 3UB, 4.f, 5LL, ...).
func ncdumpNumbers(text string) []string {
	var out []string
	for _, v := range strings.Split(text, ",") {
		v = strings.TrimRight(strings.TrimSpace(v), "bBsSuUlLf")
		v = strings.TrimSuffix(v, ".")
		out = append(out, v)
	}
	return out
}

// checkNcdumpAttr compares ncdump's text of an attribute with its value.
func checkNcdumpAttr(t *testing.T, what, text string, v any) {
	t.Helper()
	if s, ok := v.(string); ok {
		got, err := strconv.Unquote(text)
		if err != nil || got != s {
			t.Errorf("%s: ncdump shows %s, want %q", what, text, s)
		}
		return
	}
	d, _, _, _ := attrData(v)
	nums := ncdumpNumbers(text)
	jn := make([]json.Number, len(nums))
	for i, n := range nums {
		jn[i] = json.Number(n)
	}
	if err := sameNumbers(jn, d, anyBytes(v)); err != nil {
		t.Errorf("%s: ncdump shows %q: %v", what, text, err)
	}
}
