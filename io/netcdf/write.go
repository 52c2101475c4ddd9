package netcdf

/*
#include <stdlib.h>
#include <netcdf.h>
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/internal/h5"
)

// formatInfo describes a format the driver writes.
type formatInfo struct {
	mode    C.int
	classic bool // the classic data model: no groups, unsigned or 64-bit types, one unlimited dim
	nc4     bool // stored in HDF5: chunking and compression
}

var formats = map[string]formatInfo{
	"nc4":         {C.NC_NETCDF4, false, true},
	"nc4-classic": {C.NC_NETCDF4 | C.NC_CLASSIC_MODEL, true, true},
	"nc3":         {C.NC_CLOBBER, true, false},
	"nc3-64bit":   {C.NC_64BIT_OFFSET, true, false},
	// CDF-5 keeps the classic model's single unlimited dimension and lack
	// of groups but adds the unsigned and 64-bit types.
	"cdf5": {C.NC_64BIT_DATA, false, false},
}

// createConfig holds choices the tests and benchmarks make; Create uses
// the defaults.
type createConfig struct {
	// noDirect forces every write through nc_put_vara, the library's own
	// path, instead of direct chunk writes.
	noDirect bool
}

// writer is a NetCDF file being created.
type writer struct {
	path, tmp string
	format    string
	fi        formatInfo
	overwrite bool

	// mu is held for reading by every WriteRegion (they run concurrently)
	// and for writing by Commit and Abort, which close the file.
	mu    sync.RWMutex
	state int // open, committed or aborted

	ncid   C.int
	ncOpen bool // libnetcdf holds the file (until the direct phase)
	direct *directFile

	sinks  []*sink
	byName map[string]*sink
}

const (
	stateOpen = iota
	stateCommitted
	stateAborted
)

var _ dataset.Writer = (*writer)(nil)

// Create creates a NetCDF file of spec.Format ("nc4" when empty) at a
// temporary name beside path: dimensions, variables (chunking, deflate
// and shuffle, fill values) and attributes are defined at once; the data
// follows through each variable's Sink; Commit renames the file to path.
//
// The formats' limits are checked before anything is created: the
// classic data model (nc3, nc3-64bit, nc4-classic) has no unsigned or
// 64-bit integer types (chunk.ErrDType naming the variable and the
// format); only nc4 has groups (names "/group/name"); only the NetCDF-4
// formats compress. Chunks are ignored by the classic formats, which have
// none, and by scalars; chunks longer than a fixed dimension are cut to
// its length. A fixed dimension of length 0 is refused: NetCDF spells
// "unlimited" that way. Bool variables are stored as byte with the
// attribute dtype = "bool", as xarray does.
func Create(path string, spec dataset.Spec, opts dataset.CreateOptions) (dataset.Writer, error) {
	return create(path, spec, opts, createConfig{})
}

func create(path string, spec dataset.Spec, opts dataset.CreateOptions, cfg createConfig) (dataset.Writer, error) {
	if spec.Format == "" {
		spec.Format = "nc4"
	}
	fi, ok := formats[spec.Format]
	if !ok {
		return nil, &dataset.Error{Path: path, Op: "create", Err: fmt.Errorf("format %q is not one of %s: %w", spec.Format, strings.Join(Driver{}.Formats(), ", "), chunk.ErrUnsupported)}
	}
	spec = canonicalSpec(spec)
	w := &writer{path: path, format: spec.Format, fi: fi, overwrite: opts.Overwrite, byName: map[string]*sink{}}
	if err := w.check(spec); err != nil {
		return nil, err
	}
	if err := dataset.CheckDest(path, opts.Overwrite); err != nil {
		return nil, err
	}
	tmp, err := dataset.TempPath(path)
	if err != nil {
		return nil, &dataset.Error{Path: path, Op: "create", Err: err}
	}
	w.tmp = tmp
	h5.Do(func() { err = w.define(spec, opts) })
	if err == nil && !cfg.noDirect {
		err = w.startDirect(opts)
	}
	if err != nil {
		w.closeFile(true)
		os.Remove(w.tmp)
		return nil, err
	}
	return w, nil
}

// canonical spells a name as the reader reports it: "/v" in the root
// group is "v".
func canonical(name string) string {
	if strings.HasPrefix(name, "/") && strings.Count(name, "/") == 1 {
		return name[1:]
	}
	return name
}

// canonicalSpec returns a copy of spec with every dimension and variable
// name canonical.
func canonicalSpec(spec dataset.Spec) dataset.Spec {
	spec.Dims = slices.Clone(spec.Dims)
	for i := range spec.Dims {
		spec.Dims[i].Name = canonical(spec.Dims[i].Name)
	}
	spec.Vars = slices.Clone(spec.Vars)
	for i := range spec.Vars {
		v := &spec.Vars[i]
		v.Name = canonical(v.Name)
		v.Dims = slices.Clone(v.Dims)
		for j := range v.Dims {
			v.Dims[j] = canonical(v.Dims[j])
		}
	}
	return spec
}

// groupOf splits a variable or dimension name into its group path ("/"
// for the root) and its own name.
func groupOf(name string) (group, base string) {
	if !strings.HasPrefix(name, "/") {
		return "/", name
	}
	i := strings.LastIndex(name, "/")
	if i == 0 {
		return "/", name[1:]
	}
	return name[:i], name[i+1:]
}

// within reports whether group g is group anc or inside it.
func within(g, anc string) bool {
	return anc == "/" || g == anc || strings.HasPrefix(g, anc+"/")
}

// check validates the spec against the format before any file exists.
func (w *writer) check(spec dataset.Spec) error {
	fail := func(v string, err error) error {
		return &dataset.Error{Path: w.path, Var: v, Op: "create", Err: err}
	}
	nested := func(name string) bool { g, _ := groupOf(name); return g != "/" }
	dims := map[string]dataset.Dim{}
	unlimited := 0
	for _, d := range spec.Dims {
		_, base := groupOf(d.Name)
		if base == "" {
			return fail("", fmt.Errorf("dimension with an empty name: %w", chunk.ErrShape))
		}
		if _, dup := dims[d.Name]; dup {
			return fail("", fmt.Errorf("dimension %s declared twice: %w", d.Name, chunk.ErrShape))
		}
		if d.Len < 0 {
			return fail("", fmt.Errorf("dimension %s has negative length %d: %w", d.Name, d.Len, chunk.ErrShape))
		}
		if d.Len == 0 && !d.Unlimited {
			// Length 0 is how NetCDF spells "unlimited".
			return fail("", fmt.Errorf("dimension %s has length 0, which NetCDF stores only as an unlimited dimension: %w", d.Name, chunk.ErrUnsupported))
		}
		if nested(d.Name) && w.format != "nc4" {
			return fail("", fmt.Errorf("dimension %s is in a group, and only format nc4 has groups: %w", d.Name, chunk.ErrUnsupported))
		}
		if d.Unlimited {
			unlimited++
		}
		dims[d.Name] = d
	}
	if unlimited > 1 && w.format != "nc4" {
		return fail("", fmt.Errorf("%d unlimited dimensions, and format %s allows one (nc4 allows several): %w", unlimited, w.format, chunk.ErrUnsupported))
	}
	for _, a := range spec.Attrs {
		if err := checkAttr(a, w.fi.classic, w.format); err != nil {
			return fail("", fmt.Errorf("global %w", err))
		}
	}
	seen := map[string]bool{}
	for _, v := range spec.Vars {
		group, base := groupOf(v.Name)
		if base == "" {
			return fail(v.Name, fmt.Errorf("empty variable name: %w", chunk.ErrShape))
		}
		if seen[v.Name] {
			return fail(v.Name, fmt.Errorf("variable declared twice: %w", chunk.ErrShape))
		}
		seen[v.Name] = true
		if group != "/" && w.format != "nc4" {
			return fail(v.Name, fmt.Errorf("the variable is in a group, and only format nc4 has groups: %w", chunk.ErrUnsupported))
		}
		if !v.DType.Valid() {
			return fail(v.Name, fmt.Errorf("dtype %s: %w", v.DType, chunk.ErrDType))
		}
		t, _ := ncTypeOf(v.DType)
		if w.fi.classic && !t.classic {
			return fail(v.Name, fmt.Errorf("dtype %s cannot be stored in format %s (the classic data model has no unsigned or 64-bit integers; use nc4 or cdf5): %w", v.DType, w.format, chunk.ErrDType))
		}
		shape, err := spec.Shape(v)
		if err != nil {
			return fail(v.Name, err)
		}
		for i, dn := range v.Dims {
			dg, _ := groupOf(dn)
			if !within(group, dg) {
				return fail(v.Name, fmt.Errorf("dimension %s is in group %s, which does not enclose the variable's group %s: %w", dn, dg, group, chunk.ErrShape))
			}
			if dims[dn].Unlimited && i > 0 && !w.fi.nc4 {
				return fail(v.Name, fmt.Errorf("unlimited dimension %s must be the first dimension in format %s: %w", dn, w.format, chunk.ErrShape))
			}
		}
		if v.Chunks != nil && len(v.Chunks) != len(shape) {
			return fail(v.Name, fmt.Errorf("chunks %v for a variable of rank %d: %w", v.Chunks, len(shape), chunk.ErrChunks))
		}
		for _, c := range v.Chunks {
			if c <= 0 {
				return fail(v.Name, fmt.Errorf("chunks %v must be positive: %w", v.Chunks, chunk.ErrChunks))
			}
		}
		if v.Deflate < 0 || v.Deflate > 9 {
			return fail(v.Name, fmt.Errorf("deflate level %d is not 0 to 9: %w", v.Deflate, chunk.ErrUnsupported))
		}
		if (v.Deflate > 0 || v.Shuffle) && !w.fi.nc4 {
			return fail(v.Name, fmt.Errorf("format %s cannot compress (deflate and shuffle need nc4 or nc4-classic): %w", w.format, chunk.ErrUnsupported))
		}
		if _, err := fillBytes(v); err != nil {
			return fail(v.Name, err)
		}
		for _, a := range v.Attrs {
			if err := checkAttr(a, w.fi.classic, w.format); err != nil {
				return fail(v.Name, err)
			}
		}
	}
	return nil
}

// fillValueOf returns the variable's fill value: VarSpec.FillValue, else
// a _FillValue attribute (carried over by a conversion), or nil.
func fillValueOf(v dataset.VarSpec) any {
	if v.FillValue != nil {
		return v.FillValue
	}
	for _, a := range v.Attrs {
		if a.Name == "_FillValue" {
			return a.Value
		}
	}
	return nil
}

// fillBytes returns the variable's fill value as one element of its
// stored type, or nil. A value of another numeric type is converted when
// the conversion is exact (a converted file keeps its _FillValue when its
// dtype changes).
func fillBytes(v dataset.VarSpec) ([]byte, error) {
	fv := fillValueOf(v)
	if fv == nil {
		return nil, nil
	}
	d, n, p, err := attrData(fv)
	if err != nil {
		return nil, fmt.Errorf("fill value: %w", err)
	}
	if n != 1 || d == chunk.Invalid {
		return nil, fmt.Errorf("fill value %v is not a one-element numeric slice: %w", fv, chunk.ErrDType)
	}
	stored := v.DType
	if stored == chunk.Bool {
		stored = chunk.Int8
	}
	src := unsafe.Slice((*byte)(p), d.Size())
	out := make([]byte, stored.Size())
	if d == stored {
		copy(out, src)
		return out, nil
	}
	if d.IsInteger() && stored.IsInteger() {
		if !convertInt(stored, out, d, src) {
			return nil, fmt.Errorf("fill value %v does not fit %s: %w", fv, v.DType, chunk.ErrDType)
		}
		return out, nil
	}
	x := chunk.LoadFloat64(d, src, 0)
	chunk.StoreFloat64(stored, out, 0, x)
	if y := chunk.LoadFloat64(stored, out, 0); y != x && !(math.IsNaN(x) && math.IsNaN(y)) {
		return nil, fmt.Errorf("fill value %v does not fit %s: %w", fv, v.DType, chunk.ErrDType)
	}
	return out, nil
}

// convertInt converts one integer of dtype from in src to dtype to in
// dst, exactly (64-bit values included), reporting whether it fits.
func convertInt(to chunk.DType, dst []byte, from chunk.DType, src []byte) bool {
	// The value as a sign and a magnitude covers every 64-bit integer.
	var neg bool
	var mag uint64
	if from == chunk.Uint64 {
		mag = chunk.Cast[uint64](src)[0]
	} else {
		i := chunk.LoadInt64(from, src, 0)
		neg = i < 0
		mag = uint64(i)
		if neg {
			mag = -mag
		}
	}
	bits := uint(to.Size() * 8)
	if to.IsUnsigned() {
		if neg || (bits < 64 && mag >= 1<<bits) {
			return false
		}
	} else if (!neg && mag >= 1<<(bits-1)) || (neg && mag > 1<<(bits-1)) {
		return false
	}
	u := mag
	if neg {
		u = -mag
	}
	switch to.Size() {
	case 1:
		dst[0] = byte(u)
	case 2:
		chunk.Cast[uint16](dst)[0] = uint16(u)
	case 4:
		chunk.Cast[uint32](dst)[0] = uint32(u)
	default:
		chunk.Cast[uint64](dst)[0] = u
	}
	return true
}

// define creates the temporary file and defines everything in it. The
// caller holds the clib lock.
func (w *writer) define(spec dataset.Spec, opts dataset.CreateOptions) error {
	fail := func(v string, err error) error {
		return &dataset.Error{Path: w.path, Var: v, Op: "create", Err: err}
	}
	ctmp := cstr(w.tmp)
	defer C.free(unsafe.Pointer(ctmp))
	if s := C.nc_create(ctmp, w.fi.mode|C.NC_CLOBBER, &w.ncid); s != 0 {
		return fail("", w.explain(reason(s, kindWrite)))
	}
	w.ncOpen = true
	// Filling a variable before its data arrives writes it twice (every
	// classic-format variable, NetCDF-4 contiguous ones), so the file
	// defaults to NC_NOFILL, and only variables with a declared fill value
	// are filled (see defineVar): their unwritten parts must read as it.
	var old C.int
	if s := C.nc_set_fill(w.ncid, C.NC_NOFILL, &old); s != 0 {
		return fail("", reason(s, kindWrite))
	}
	for _, a := range spec.Attrs {
		if reservedAttrs[a.Name] {
			continue
		}
		if err := putAttr(w.ncid, C.NC_GLOBAL, a); err != nil {
			return fail("", fmt.Errorf("global %w", err))
		}
	}
	groups := map[string]C.int{"/": w.ncid}
	var group func(path string) (C.int, error)
	group = func(path string) (C.int, error) {
		if id, ok := groups[path]; ok {
			return id, nil
		}
		parent, base := groupOf(path)
		pid, err := group(parent)
		if err != nil {
			return 0, err
		}
		cname := cstr(base)
		defer C.free(unsafe.Pointer(cname))
		var id C.int
		if s := C.nc_def_grp(pid, cname, &id); s != 0 {
			return 0, fmt.Errorf("group %s: %w", path, reason(s, kindWrite))
		}
		groups[path] = id
		return id, nil
	}
	dimIDs := map[string]C.int{}
	dims := map[string]dataset.Dim{}
	for _, d := range spec.Dims {
		g, base := groupOf(d.Name)
		gid, err := group(g)
		if err != nil {
			return fail("", err)
		}
		n := C.size_t(d.Len)
		if d.Unlimited {
			n = C.NC_UNLIMITED
		}
		cname := cstr(base)
		var id C.int
		s := C.nc_def_dim(gid, cname, n, &id)
		C.free(unsafe.Pointer(cname))
		if s != 0 {
			return fail("", fmt.Errorf("dimension %s: %w", d.Name, reason(s, kindWrite)))
		}
		dimIDs[d.Name] = id
		dims[d.Name] = d
	}
	for _, v := range spec.Vars {
		s, err := w.defineVar(spec, v, group, dimIDs, dims, opts.CacheBytes)
		if err != nil {
			return fail(v.Name, err)
		}
		w.sinks = append(w.sinks, s)
		w.byName[v.Name] = s
	}
	if s := C.nc_enddef(w.ncid); s != 0 {
		return fail("", w.explain(reason(s, kindWrite)))
	}
	return nil
}

// defineVar defines one variable and returns its sink.
func (w *writer) defineVar(spec dataset.Spec, v dataset.VarSpec, group func(string) (C.int, error), dimIDs map[string]C.int, dims map[string]dataset.Dim, cache int64) (*sink, error) {
	shape, _ := spec.Shape(v)
	g, base := groupOf(v.Name)
	gid, err := group(g)
	if err != nil {
		return nil, err
	}
	t, _ := ncTypeOf(v.DType)
	ids := make([]C.int, len(v.Dims))
	unlimited := false
	for i, dn := range v.Dims {
		ids[i] = dimIDs[dn]
		unlimited = unlimited || dims[dn].Unlimited
	}
	var idp *C.int
	if len(ids) > 0 {
		idp = &ids[0]
	}
	cname := cstr(base)
	defer C.free(unsafe.Pointer(cname))
	s := &sink{w: w, name: v.Name, gid: gid, dtype: v.DType, shape: shape, filtered: v.Deflate > 0 || v.Shuffle}
	if st := C.nc_def_var(gid, cname, t.xtype, C.int(len(ids)), idp, &s.varid); st != 0 {
		return nil, reason(st, kindWrite)
	}
	if w.fi.nc4 && len(shape) > 0 {
		if v.Chunks != nil {
			chunks := make([]int, len(shape))
			for i, c := range v.Chunks {
				// A chunk longer than a fixed dimension is refused by
				// libnetcdf; it stores the same as one of the dimension's
				// length.
				chunks[i] = c
				if d := dims[v.Dims[i]]; !d.Unlimited {
					chunks[i] = min(c, d.Len)
				}
			}
			cs := sizes(chunks)
			if st := C.nc_def_var_chunking(gid, s.varid, C.NC_CHUNKED, &cs[0]); st != 0 {
				return nil, fmt.Errorf("chunks %v: %w", chunks, reason(st, kindWrite))
			}
		}
		if v.Deflate > 0 || v.Shuffle {
			deflate := C.int(0)
			if v.Deflate > 0 {
				deflate = 1
			}
			shuffle := C.int(0)
			if v.Shuffle {
				shuffle = 1
			}
			if st := C.nc_def_var_deflate(gid, s.varid, shuffle, deflate, C.int(v.Deflate)); st != 0 {
				return nil, fmt.Errorf("deflate %d shuffle %v: %w", v.Deflate, v.Shuffle, reason(st, kindWrite))
			}
		}
		var storage C.int
		cs := make([]C.size_t, len(shape))
		if st := C.nc_inq_var_chunking(gid, s.varid, &storage, &cs[0]); st != 0 {
			return nil, reason(st, kindWrite)
		}
		if storage == C.NC_CHUNKED {
			s.chunks = make([]int, len(cs))
			n := int64(v.DType.Size())
			for i, c := range cs {
				s.chunks[i] = int(c)
				n *= int64(c)
			}
			_, renamed := dims[v.Name]
			if cache > 0 && !renamed {
				// Partial-chunk writes through the library need the chunk
				// held until it is complete; the caller's bound applies.
				// (Not for a variable named like a dimension: see
				// file.Var on libnetcdf reopening it under the wrong name.)
				slots := cacheSlots(cache, n)
				if st := C.nc_set_var_chunk_cache(gid, s.varid, C.size_t(cache), C.size_t(slots), 0.75); st != 0 {
					return nil, fmt.Errorf("chunk cache: %w", reason(st, kindWrite))
				}
			}
		}
	}
	fill, _ := fillBytes(v)
	if fill != nil {
		// Fill mode for this variable alone: what is not written reads
		// as the fill value (the file's default is NC_NOFILL, see define).
		// libnetcdf records the _FillValue attribute itself.
		if st := C.nc_def_var_fill(gid, s.varid, C.NC_FILL, unsafe.Pointer(&fill[0])); st != 0 {
			return nil, fmt.Errorf("fill value: %w", reason(st, kindWrite))
		}
		s.fill = fill
	}
	hasBoolAttr := false
	for _, a := range v.Attrs {
		if a.Name == "_FillValue" || reservedAttrs[a.Name] {
			continue
		}
		hasBoolAttr = hasBoolAttr || a.Name == boolAttr
		if err := putAttr(gid, s.varid, a); err != nil {
			return nil, err
		}
	}
	if v.DType == chunk.Bool && !hasBoolAttr {
		if err := putAttr(gid, s.varid, dataset.Attr{Name: boolAttr, Value: "bool"}); err != nil {
			return nil, err
		}
	}
	s.unlimited = unlimited
	// libnetcdf names the HDF5 dataset like the variable, except for a
	// variable named like a dimension of its group that is not that
	// dimension's coordinate variable.
	prefix := strings.TrimSuffix(g, "/") + "/"
	s.h5path = prefix + base
	if _, clash := dims[v.Name]; clash && (len(v.Dims) == 0 || v.Dims[0] != v.Name) {
		s.h5path = prefix + "_nc4_non_coord_" + base
	}
	return s, nil
}

// closeFile closes whatever library holds the file, returning the first
// error; abort skips the final flush. The caller must not hold the clib
// lock. A classic-format file whose final flush fails (a full disk) is
// closed with nc_abort, which does not try again.
func (w *writer) closeFile(abort bool) error {
	var err error
	if w.direct != nil {
		err = w.direct.close()
		w.direct = nil
	}
	if w.ncOpen {
		h5.Do(func() {
			if !abort {
				if s := C.nc_sync(w.ncid); s != 0 {
					err = reason(s, kindWrite)
					abort = true
				}
			}
			var s C.int
			if abort {
				s = C.nc_abort(w.ncid)
			} else {
				s = C.nc_close(w.ncid)
			}
			if s != 0 && err == nil {
				err = reason(s, kindWrite)
			}
		})
		w.ncOpen = false
	}
	if err != nil {
		err = w.explain(err)
	}
	return err
}

// explain adds the likely cause to a failure libnetcdf reports only as an
// HDF5 or I/O error (and nc_create sometimes as "permission denied"): a
// full file system.
func (w *writer) explain(err error) error {
	if errors.Is(err, syscall.ENOSPC) {
		return err
	}
	var st syscall.Statfs_t
	if syscall.Statfs(filepath.Dir(w.tmp), &st) == nil && st.Bavail*uint64(st.Bsize) < 1<<20 {
		return fmt.Errorf("%w (the file system is full: %w)", err, syscall.ENOSPC)
	}
	return err
}

// Sink implements dataset.Writer.
func (w *writer) Sink(name string) (exec.Sink, error) {
	s, ok := w.byName[canonical(name)]
	if !ok {
		names := make([]string, len(w.sinks))
		for i, s := range w.sinks {
			names[i] = s.name
		}
		return nil, &dataset.Error{Path: w.path, Var: name, Op: "write", Err: fmt.Errorf("%w (variables: %s)", dataset.ErrNoVariable, strings.Join(names, ", "))}
	}
	w.mu.Lock()
	s.handed = true
	w.mu.Unlock()
	return s, nil
}

// Commit implements dataset.Writer. Every sink handed out by Sink must
// have been committed (else Commit fails and leaves the writer open, to
// finish the writes or Abort); variables never written hold their fill
// value. A failure to close or rename removes the temporary file.
func (w *writer) Commit(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return &dataset.Error{Path: w.path, Op: "commit", Err: err}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.stateErr(); err != nil {
		return &dataset.Error{Path: w.path, Op: "commit", Err: err}
	}
	var pending []string
	for _, s := range w.sinks {
		if s.handed && !s.done {
			pending = append(pending, s.name)
		}
	}
	if len(pending) > 0 {
		slices.Sort(pending)
		return &dataset.Error{Path: w.path, Op: "commit", Err: fmt.Errorf("variables %s are not complete (their sinks were not committed): %w", strings.Join(pending, ", "), chunk.ErrShape)}
	}
	w.state = stateAborted // until the rename succeeds
	if err := w.closeFile(false); err != nil {
		os.Remove(w.tmp)
		return &dataset.Error{Path: w.path, Op: "commit", Err: err}
	}
	if err := dataset.CommitFile(w.tmp, w.path, w.overwrite); err != nil {
		os.Remove(w.tmp)
		return err
	}
	w.state = stateCommitted
	return nil
}

// stateErr says why the writer takes no more writes, or nil while it is
// open. The caller holds w.mu.
func (w *writer) stateErr() error {
	switch w.state {
	case stateCommitted:
		return errors.New("the file was already committed")
	case stateAborted:
		return errors.New("the file was aborted")
	}
	return nil
}

// Abort implements dataset.Writer. It may be called more than once.
func (w *writer) Abort() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch w.state {
	case stateCommitted:
		return &dataset.Error{Path: w.path, Op: "abort", Err: errors.New("the file was already committed")}
	case stateAborted:
		return nil
	}
	w.state = stateAborted
	w.closeFile(true)
	if err := os.Remove(w.tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return &dataset.Error{Path: w.path, Op: "abort", Err: err}
	}
	return nil
}

// sink writes one variable.
type sink struct {
	w         *writer
	name      string
	gid       C.int
	varid     C.int
	dtype     chunk.DType
	shape     []int
	chunks    []int // storage chunks (NetCDF-4 chunked variables)
	unlimited bool
	fill      []byte     // the declared fill value as one stored element, or nil
	h5path    string     // the variable's HDF5 dataset in a NetCDF-4 file
	direct    *directVar // set in the HDF5 data phase of a NetCDF-4 file
	filtered  bool       // deflate or shuffle asked for

	// handed and done are guarded by w.mu: a sink handed out by Sink must
	// be committed before the file is.
	handed, done bool
}

var _ exec.Sink = (*sink)(nil)

// Shape implements exec.Sink.
func (s *sink) Shape() []int { return s.shape }

// DType implements exec.Sink.
func (s *sink) DType() chunk.DType { return s.dtype }

// WriteBufferBytes implements exec.BufferedSink (see
// dataset.WriteBufferBytes).
func (s *sink) WriteBufferBytes() int64 {
	return dataset.WriteBufferBytes(s.chunks, s.dtype, s.filtered)
}

// WriteRegion implements exec.Sink. In a NetCDF-4 file, regions made of
// whole storage chunks go through the direct chunk path (compressed in
// the calling goroutine) and others through H5Dwrite; in the classic
// formats everything goes through nc_put_vara.
func (s *sink) WriteRegion(ctx context.Context, r chunk.Region, data []byte) error {
	fail := func(err error) error {
		return &dataset.Error{Path: s.w.path, Var: s.name, Op: "write " + r.String(), Err: err}
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	s.w.mu.RLock()
	defer s.w.mu.RUnlock()
	if err := s.w.stateErr(); err != nil {
		return fail(err)
	}
	if s.done {
		return fail(errors.New("the variable was already committed"))
	}
	if err := checkRegion(r, s.shape, s.dtype, len(data)); err != nil {
		return fail(err)
	}
	if r.Size() == 0 {
		return nil
	}
	var err error
	if s.direct != nil {
		err = s.direct.write(ctx, r, data)
	} else {
		err = s.put(r, data)
	}
	if err != nil {
		return fail(err)
	}
	return nil
}

// put writes a region with nc_put_vara.
func (s *sink) put(r chunk.Region, data []byte) error {
	start, count := sizes(r.Start), sizes(r.Shape)
	var err error
	h5.Do(func() {
		if st := C.nc_put_vara(s.gid, s.varid, sizePtr(start), sizePtr(count), bytePtr(data)); st != 0 {
			err = reason(st, kindWrite)
		}
	})
	if err != nil {
		err = s.w.explain(err)
	}
	return err
}

// Commit implements exec.Sink: it marks the variable complete (parts
// never written hold the fill value).
func (s *sink) Commit(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return &dataset.Error{Path: s.w.path, Var: s.name, Op: "commit", Err: err}
	}
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	if err := s.w.stateErr(); err != nil {
		return &dataset.Error{Path: s.w.path, Var: s.name, Op: "commit", Err: err}
	}
	s.done = true
	return nil
}

// Abort implements exec.Sink: it aborts the whole file.
func (s *sink) Abort() error { return s.w.Abort() }
