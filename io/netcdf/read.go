package netcdf

/*
#include <stdlib.h>
#include <netcdf.h>
#include <netcdf_filter.h>
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/internal/h5"
)

// defaultCacheBytes is the chunk cache per variable when OpenOptions does
// not size it: enough for a few typical chunks, far below libnetcdf's
// 16 MiB, which multiplied by many open variables escapes any budget.
const defaultCacheBytes = 4 << 20

// file is an open NetCDF file.
type file struct {
	path  string
	ncid  C.int
	info  *dataset.Info
	vars  map[string]*varRef
	cache int64
	// closed is guarded by the clib lock: reads test it inside the same
	// critical section as their C call, so Close cannot race them.
	closed bool
	// h5 is the same NetCDF-4 file opened with libhdf5 for direct reads
	// (see openDirect); nil for other formats or when it cannot be opened.
	h5 *h5.File
}

// varRef locates a variable in the open file.
type varRef struct {
	gid, varid C.int
	xtype      C.nc_type
	info       dataset.VarInfo
	chunkBytes int64 // bytes of one storage chunk, 0 if not chunked
	renamed    bool  // stored under an HDF5 name other than its own
	cacheSet   bool  // the chunk cache was sized; guarded by the clib lock
	// direct is the variable's HDF5 dataset when its bytes can be read
	// straight from the file (see openDirect), else nil; set once.
	directOnce sync.Once
	direct     *h5.Dataset
}

var _ dataset.File = (*file)(nil)

// Open opens a NetCDF file (classic, 64-bit offset, CDF-5 or NetCDF-4)
// for reading and describes it. A missing file fails with
// dataset.ErrNotExist, a file that is not NetCDF, empty or truncated with
// dataset.ErrFormat.
func Open(path string, opts dataset.OpenOptions) (dataset.File, error) {
	fail := func(err error) error { return &dataset.Error{Path: path, Op: "open", Err: err} }
	// libnetcdf reports a missing file and one it cannot parse in ways
	// that vary by format; asking the OS first gives the plain answers.
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fail(dataset.ErrNotExist)
	case err != nil:
		return nil, fail(err)
	case st.IsDir():
		return nil, fail(fmt.Errorf("is a directory: %w", dataset.ErrFormat))
	case st.Size() == 0:
		return nil, fail(fmt.Errorf("empty file: %w", dataset.ErrFormat))
	}
	if err := checkClassicSize(path); err != nil {
		return nil, fail(err)
	}
	cache := opts.CacheBytes
	if cache <= 0 {
		cache = defaultCacheBytes
	}
	f := &file{path: path, cache: cache, vars: map[string]*varRef{}}
	cpath := cstr(path)
	defer C.free(unsafe.Pointer(cpath))
	h5.Do(func() {
		if s := C.nc_open(cpath, C.NC_NOWRITE, &f.ncid); s != 0 {
			err = reason(s, kindOpen)
			return
		}
		err = f.describe()
		if err != nil {
			C.nc_close(f.ncid)
		}
	})
	if err != nil {
		return nil, fail(err)
	}
	if f.info.Format == "nc4" || f.info.Format == "nc4-classic" {
		f.openDirect()
	}
	return f, nil
}

// formatNames maps nc_inq_format's answer to Info.Format.
var formatNames = map[C.int]string{
	C.NC_FORMAT_CLASSIC:         "nc3",
	C.NC_FORMAT_64BIT_OFFSET:    "nc3-64bit",
	C.NC_FORMAT_NETCDF4:         "nc4",
	C.NC_FORMAT_NETCDF4_CLASSIC: "nc4-classic",
	C.NC_FORMAT_64BIT_DATA:      "cdf5",
}

// describe reads the file's metadata into f.info. The caller holds the
// clib lock.
func (f *file) describe() error {
	var format C.int
	if s := C.nc_inq_format(f.ncid, &format); s != 0 {
		return reason(s, kindOpen)
	}
	f.info = &dataset.Info{Path: f.path, Format: formatNames[format]}
	attrs, err := readAttrs(f.ncid, C.NC_GLOBAL)
	if err != nil {
		return fmt.Errorf("global %w", err)
	}
	f.info.Attrs = attrs
	dimNames := map[C.int]string{}
	return f.walk(f.ncid, "/", dimNames, format == C.NC_FORMAT_NETCDF4)
}

// walk describes group gid (at path, "/" or "/a/b/") and its subgroups,
// parents first so a variable's dimensions from enclosing groups are
// already named.
func (f *file) walk(gid C.int, path string, dimNames map[C.int]string, groups bool) error {
	prefix := path
	if path == "/" {
		f.info.Groups = append(f.info.Groups, "/")
		// Root names stay plain ("t2m"), as every NetCDF tool spells them.
		prefix = ""
	} else {
		f.info.Groups = append(f.info.Groups, strings.TrimSuffix(path, "/"))
	}
	// Dimensions of this group.
	var ndims C.int
	if s := C.nc_inq_dimids(gid, &ndims, nil, 0); s != 0 {
		return reason(s, kindOpen)
	}
	dimids := make([]C.int, ndims)
	if ndims > 0 {
		if s := C.nc_inq_dimids(gid, &ndims, &dimids[0], 0); s != 0 {
			return reason(s, kindOpen)
		}
	}
	var nunlim C.int
	if s := C.nc_inq_unlimdims(gid, &nunlim, nil); s != 0 {
		return reason(s, kindOpen)
	}
	unlim := make([]C.int, nunlim)
	if nunlim > 0 {
		if s := C.nc_inq_unlimdims(gid, &nunlim, &unlim[0]); s != 0 {
			return reason(s, kindOpen)
		}
	}
	var buf [C.NC_MAX_NAME + 1]C.char
	for _, id := range dimids {
		var n C.size_t
		if s := C.nc_inq_dim(gid, id, &buf[0], &n); s != 0 {
			return reason(s, kindOpen)
		}
		d := dataset.Dim{Name: prefix + C.GoString(&buf[0]), Len: int(n)}
		for _, u := range unlim {
			d.Unlimited = d.Unlimited || u == id
		}
		dimNames[id] = d.Name
		f.info.Dims = append(f.info.Dims, d)
	}
	// Variables of this group.
	var nvars C.int
	if s := C.nc_inq_varids(gid, &nvars, nil); s != 0 {
		return reason(s, kindOpen)
	}
	varids := make([]C.int, nvars)
	if nvars > 0 {
		if s := C.nc_inq_varids(gid, &nvars, &varids[0]); s != 0 {
			return reason(s, kindOpen)
		}
	}
	for _, id := range varids {
		ref, err := f.describeVar(gid, id, prefix, dimNames)
		if err != nil {
			return err
		}
		f.vars[ref.info.Name] = ref
		f.info.Vars = append(f.info.Vars, ref.info)
	}
	if !groups {
		return nil
	}
	var ngrps C.int
	if s := C.nc_inq_grps(gid, &ngrps, nil); s != 0 {
		return reason(s, kindOpen)
	}
	if ngrps == 0 {
		return nil
	}
	grps := make([]C.int, ngrps)
	if s := C.nc_inq_grps(gid, &ngrps, &grps[0]); s != 0 {
		return reason(s, kindOpen)
	}
	for _, g := range grps {
		name, err := groupName(g)
		if err != nil {
			return err
		}
		if err := f.walk(g, path+name+"/", dimNames, groups); err != nil {
			return err
		}
	}
	return nil
}

// describeVar describes variable id of group gid.
func (f *file) describeVar(gid, id C.int, prefix string, dimNames map[C.int]string) (*varRef, error) {
	var buf [C.NC_MAX_NAME + 1]C.char
	var xt C.nc_type
	var ndims, natts C.int
	if s := C.nc_inq_var(gid, id, &buf[0], &xt, &ndims, nil, &natts); s != 0 {
		return nil, reason(s, kindOpen)
	}
	ref := &varRef{gid: gid, varid: id, xtype: xt}
	v := &ref.info
	v.Name = prefix + C.GoString(&buf[0])
	fail := func(what string, err error) error {
		return fmt.Errorf("variable %s: %s: %w", v.Name, what, err)
	}
	dimids := make([]C.int, ndims)
	if ndims > 0 {
		if s := C.nc_inq_vardimid(gid, id, &dimids[0]); s != 0 {
			return nil, fail("dimensions", reason(s, kindOpen))
		}
	}
	v.Dims = make([]string, ndims)
	v.Shape = make([]int, ndims)
	for i, d := range dimids {
		var n C.size_t
		if s := C.nc_inq_dimlen(gid, d, &n); s != 0 {
			return nil, fail("dimensions", reason(s, kindOpen))
		}
		v.Dims[i], v.Shape[i] = dimNames[d], int(n)
	}
	v.Coordinate = len(v.Dims) == 1 && v.Dims[0] == v.Name
	for _, name := range dimNames {
		// A dimension of the variable's own group has its name: unless it
		// is the variable's first dimension, libnetcdf stores the variable
		// under another HDF5 name ("_nc4_non_coord_" + name).
		ref.renamed = ref.renamed || (name == v.Name && (len(v.Dims) == 0 || v.Dims[0] != v.Name))
	}
	attrs, err := readAttrs(gid, id)
	if err != nil {
		return nil, fail("attributes", err)
	}
	v.Attrs = attrs

	if t, ok := atomicType(xt); ok {
		v.Type, v.DType = t.name, t.dtype
		switch xt {
		case C.NC_CHAR:
			v.Unsupported = "char arrays are not supported (only char attributes, read as strings)"
		case C.NC_STRING:
			v.Unsupported = "string variables are not supported"
		case C.NC_BYTE:
			if a, ok := v.Attr(boolAttr); ok && a.Value == "bool" {
				// xarray's encoding of booleans: decoded, the marker goes,
				// and a byte fill value becomes a bool one.
				v.DType = chunk.Bool
				v.Attrs = slices.DeleteFunc(v.Attrs, func(a dataset.Attr) bool { return a.Name == boolAttr })
				for i, a := range v.Attrs {
					if b, ok := a.Value.([]int8); ok && a.Name == "_FillValue" && len(b) == 1 {
						v.Attrs[i].Value = []bool{b[0] != 0}
					}
				}
			}
		}
	} else {
		var size C.size_t
		var base C.nc_type
		var nfields C.size_t
		var class C.int
		if s := C.nc_inq_user_type(gid, xt, &buf[0], &size, &base, &nfields, &class); s != 0 {
			return nil, fail("type", reason(s, kindOpen))
		}
		cls := userClassNames[class]
		if cls == "" {
			cls = fmt.Sprintf("user-defined type class %d", class)
		}
		v.Type = cls
		v.Unsupported = fmt.Sprintf("%s type %q is not supported", cls, C.GoString(&buf[0]))
	}
	if a, ok := v.Attr("_FillValue"); ok && v.DType.Valid() {
		v.FillValue = a.Value
	}

	// Storage: classic formats answer "contiguous" and have no filters.
	var storage C.int
	chunks := make([]C.size_t, ndims)
	if s := C.nc_inq_var_chunking(gid, id, &storage, sizePtr(chunks)); s != 0 {
		return nil, fail("chunking", reason(s, kindOpen))
	}
	switch storage {
	case C.NC_CHUNKED:
		v.Layout = "chunked"
		v.StorageChunks = make([]int, ndims)
		n := int64(1)
		for i, c := range chunks {
			v.StorageChunks[i] = int(c)
			n *= int64(c)
		}
		if size := v.DType.Size(); size > 0 {
			ref.chunkBytes = n * int64(size)
		}
	case C.NC_COMPACT:
		v.Layout = "compact"
	default:
		v.Layout = "contiguous"
	}
	var format C.int
	C.nc_inq_format(f.ncid, &format)
	if format == C.NC_FORMAT_NETCDF4 || format == C.NC_FORMAT_NETCDF4_CLASSIC {
		filters, err := varFilters(gid, id)
		if err != nil {
			return nil, fail("filters", err)
		}
		v.Filters = filters
	}
	return ref, nil
}

// filterNames names the registered HDF5 filter ids netCDF users meet.
var filterNames = map[uint32]string{
	1: "deflate", 2: "shuffle", 3: "fletcher32", 4: "szip", 5: "nbit", 6: "scaleoffset",
	307: "bzip2", 32000: "lzf", 32001: "blosc", 32004: "lz4", 32008: "bitshuffle",
	32013: "zfp", 32015: "zstd", 32017: "sz",
}

// varFilters lists the filter pipeline of a NetCDF-4 variable in order.
func varFilters(gid, id C.int) ([]dataset.Filter, error) {
	var n C.size_t
	if s := C.nc_inq_var_filter_ids(gid, id, &n, nil); s != 0 {
		return nil, reason(s, kindOpen)
	}
	if n == 0 {
		return nil, nil
	}
	ids := make([]C.uint, n)
	if s := C.nc_inq_var_filter_ids(gid, id, &n, &ids[0]); s != 0 {
		return nil, reason(s, kindOpen)
	}
	out := make([]dataset.Filter, 0, n)
	for _, fid := range ids {
		var np C.size_t
		if s := C.nc_inq_var_filter_info(gid, id, fid, &np, nil); s != 0 {
			return nil, reason(s, kindOpen)
		}
		params := make([]C.uint, np)
		if np > 0 {
			if s := C.nc_inq_var_filter_info(gid, id, fid, &np, &params[0]); s != 0 {
				return nil, reason(s, kindOpen)
			}
		}
		flt := dataset.Filter{ID: int(fid), Name: filterNames[uint32(fid)], Params: make([]uint32, np)}
		if flt.Name == "" {
			flt.Name = fmt.Sprintf("filter %d", fid)
		}
		for i, p := range params {
			flt.Params[i] = uint32(p)
		}
		flt.Available = C.nc_inq_filter_avail(gid, fid) == 0
		out = append(out, flt)
	}
	return out, nil
}

// Info implements dataset.File.
func (f *file) Info() *dataset.Info { return f.info }

// Var implements dataset.File.
func (f *file) Var(name string) (dataset.Var, error) {
	ref, ok := f.vars[name]
	if !ok && !strings.HasPrefix(name, "/") {
		ref, ok = f.vars["/"+name]
	}
	if !ok && strings.HasPrefix(name, "/") && strings.Count(name, "/") == 1 {
		ref, ok = f.vars[name[1:]]
	}
	if !ok {
		return nil, dataset.NoVariable(f.path, name, f.info)
	}
	v := ref.info
	if v.Unsupported != "" {
		return nil, &dataset.Error{Path: f.path, Var: v.Name, Op: "open", Err: fmt.Errorf("%s: %w", v.Unsupported, chunk.ErrUnsupported)}
	}
	for _, flt := range v.Filters {
		if !flt.Available {
			return nil, &dataset.Error{Path: f.path, Var: v.Name, Op: "open", Err: fmt.Errorf("%s (HDF5 filter id %d) is not available in this libnetcdf/libhdf5 build: %w", flt.Name, flt.ID, dataset.ErrFilter)}
		}
	}
	var err error
	h5.Do(func() {
		if f.closed {
			err = errClosed
			return
		}
		// The chunk cache is sized from the caller's budget, once per
		// variable: libnetcdf applies it by reopening the HDF5 dataset,
		// dropping what the cache held. libnetcdf 4.9.0 reopens it by the
		// variable's name, which for a renamed variable opens another
		// dataset (the dimension's): those keep the default cache.
		// Unfiltered chunks get no cache at all: HDF5 then reads a region
		// straight from the file, where a cache smaller than the chunks
		// would copy each whole chunk for the few rows a region takes.
		if ref.chunkBytes > 0 && !ref.renamed && !ref.cacheSet {
			ref.cacheSet = true
			cache := f.cache
			if len(ref.info.Filters) == 0 {
				cache = 0
			}
			slots := cacheSlots(cache, ref.chunkBytes)
			if s := C.nc_set_var_chunk_cache(ref.gid, ref.varid, C.size_t(cache), C.size_t(slots), 0.75); s != 0 {
				err = reason(s, kindMeta)
			}
		}
	})
	if err != nil {
		return nil, &dataset.Error{Path: f.path, Var: v.Name, Op: "open", Err: err}
	}
	ref.directOnce.Do(func() { ref.direct = f.directDataset(ref) })
	return &ncVar{f: f, ref: ref, name: filepath.Base(f.path) + ":" + v.Name}, nil
}

// errClosed reports use of a closed file.
var errClosed = errors.New("file is closed")

// cacheSlots returns the hash slots for a chunk cache of cacheBytes
// holding chunks of chunkBytes: HDF5 advises about 100 per chunk that
// fits, a prime to spread the hash. The count is capped: each slot costs
// 8 bytes up front, and a cache of many tiny chunks would otherwise
// allocate hundreds of megabytes of slots per variable.
func cacheSlots(cacheBytes, chunkBytes int64) int64 {
	return nextPrime(min(max(cacheBytes/max(chunkBytes, 1)*100, 521), 1<<16))
}

// nextPrime returns the smallest prime >= n.
func nextPrime(n int64) int64 {
	for ; ; n++ {
		prime := n >= 2
		for d := int64(2); d*d <= n && prime; d++ {
			prime = n%d != 0
		}
		if prime {
			return n
		}
	}
}

// Close implements dataset.File.
func (f *file) Close() error {
	var err error
	h5.Do(func() {
		if f.closed {
			return
		}
		f.closed = true
		if s := C.nc_close(f.ncid); s != 0 {
			err = reason(s, kindMeta)
		}
	})
	if f.h5 != nil {
		// Closes the direct datasets too; reads still running on them fail.
		if e := f.h5.Close(); e != nil && err == nil {
			err = e
		}
	}
	if err != nil {
		return &dataset.Error{Path: f.path, Op: "close", Err: err}
	}
	return nil
}

// ncVar is a readable variable.
type ncVar struct {
	f    *file
	ref  *varRef
	name string
}

var _ dataset.Var = (*ncVar)(nil)

// ConcurrentReads implements ndarray.ConcurrentSource: NetCDF-4 variables
// on the direct path are read with preads, outside the library lock.
func (v *ncVar) ConcurrentReads() bool {
	v.ref.directOnce.Do(func() { v.ref.direct = v.f.directDataset(v.ref) })
	return v.ref.direct != nil
}

// Name implements ndarray.Namer: "file.nc:var".
func (v *ncVar) Name() string { return v.name }

// Info implements dataset.Var.
func (v *ncVar) Info() dataset.VarInfo { return v.ref.info }

// DType implements ndarray.Source.
func (v *ncVar) DType() chunk.DType { return v.ref.info.DType }

// Shape implements ndarray.Source.
func (v *ncVar) Shape() []int { return v.ref.info.Shape }

// StorageChunks implements ndarray.StorageChunker; nil for contiguous
// variables.
func (v *ncVar) StorageChunks() []int { return v.ref.info.StorageChunks }

// ReadRegion implements ndarray.Source: one nc_get_vara in the variable's
// own type, straight into dst.
func (v *ncVar) ReadRegion(ctx context.Context, r chunk.Region, dst []byte) error {
	info := &v.ref.info
	fail := func(err error) error {
		return &dataset.Error{Path: v.f.path, Var: info.Name, Op: "read " + r.String(), Err: err}
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if err := checkRegion(r, info.Shape, info.DType, len(dst)); err != nil {
		return fail(err)
	}
	if r.Size() == 0 {
		return nil
	}
	if d := v.ref.direct; d != nil && inside(r, d.Info().Shape) {
		if err := d.Read(ctx, r.Start, r.Shape, dst); err != nil {
			var he *h5.Error
			switch {
			case errors.Is(err, h5.ErrClosed):
				err = errClosed
			case errors.As(err, &he):
				// The region was valid: the file's chunk index is at fault.
				err = fmt.Errorf("%w: %v", dataset.ErrCorrupt, err)
			}
			return fail(err)
		}
		fixBools(info.DType, dst)
		return nil
	}
	start, count := sizes(r.Start), sizes(r.Shape)
	var err error
	h5.Do(func() {
		if v.f.closed {
			err = errClosed
			return
		}
		if s := C.nc_get_vara(v.ref.gid, v.ref.varid, sizePtr(start), sizePtr(count), bytePtr(dst)); s != 0 {
			err = reason(s, kindRead)
		}
	})
	if err != nil {
		return fail(err)
	}
	fixBools(info.DType, dst)
	return nil
}

// fixBools makes the bytes of a bool variable 0 or 1, as a Go bool must
// be: a byte variable may hold any value.
func fixBools(dt chunk.DType, dst []byte) {
	if dt != chunk.Bool {
		return
	}
	for i, b := range dst {
		if b > 1 {
			dst[i] = 1
		}
	}
}

// inside reports whether r lies within shape.
func inside(r chunk.Region, shape []int) bool {
	if len(shape) != len(r.Start) {
		return false
	}
	for i, n := range shape {
		if r.Start[i]+r.Shape[i] > n {
			return false
		}
	}
	return true
}

// checkRegion verifies a region against a variable's shape and the byte
// length of the caller's buffer.
func checkRegion(r chunk.Region, shape []int, d chunk.DType, n int) error {
	if len(r.Start) != len(shape) || len(r.Shape) != len(shape) {
		return fmt.Errorf("region %v has rank %d, the variable %d: %w", r, len(r.Shape), len(shape), chunk.ErrShape)
	}
	for i := range shape {
		if r.Start[i] < 0 || r.Shape[i] < 0 || r.Start[i]+r.Shape[i] > shape[i] {
			return fmt.Errorf("region %v is outside the shape %v: %w", r, shape, chunk.ErrIndex)
		}
	}
	if want := r.Size() * d.Size(); n != want {
		return fmt.Errorf("buffer of %d bytes for region %v of %s needs %d: %w", n, r, d, want, chunk.ErrShape)
	}
	return nil
}
