package h5

// #include "helpers.h"
import "C"

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/ndchunk/ndchunk/chunk"
)

// Unlimited marks an unlimited axis in DatasetSpec.MaxShape and
// DatasetInfo.MaxShape.
const Unlimited = -1

// Filter is one filter of a dataset's pipeline.
type Filter struct {
	ID     int
	Name   string // a well-known short name ("deflate", "lzf"), else the file's
	Flags  uint   // the pipeline flags; bit 0 (H5Z_FLAG_OPTIONAL) = optional
	Params []uint32
	// Available reports whether the library can apply the filter now
	// (H5Zfilter_avail, which also looks for plugins).
	Available bool
}

// Optional reports whether the library may skip the filter for a chunk it
// does not help (deflate is optional; the skip is recorded in the chunk's
// filter mask).
func (f Filter) Optional() bool { return f.Flags&C.H5Z_FLAG_OPTIONAL != 0 }

// The well-known filter ids, named as h5py and the HDF Group's registry
// do.
var filterNames = map[int]string{
	1: "deflate", 2: "shuffle", 3: "fletcher32", 4: "szip", 5: "nbit", 6: "scaleoffset",
	305: "lzo", 307: "bzip2", 32000: "lzf", 32001: "blosc", 32004: "lz4", 32008: "bitshuffle",
	32013: "zfp", 32015: "zstd", 32017: "sz", 32026: "blosc2",
}

// Filter ids used by the drivers.
const (
	FilterDeflate = 1
	FilterShuffle = 2
)

// DatasetInfo describes a dataset.
type DatasetInfo struct {
	Path     string
	Shape    []int // nil for a scalar
	MaxShape []int // Unlimited on unlimited axes
	Type     Type
	// Layout is "contiguous", "chunked", "compact" or "virtual".
	Layout  string
	Chunks  []int // the storage chunk shape of a chunked dataset
	Filters []Filter
	// FillValue is the fill value set at creation (a one-element slice of
	// the Go type of Type.DType), or nil when none was set or the type is
	// not readable.
	FillValue any
	// IsScale marks a dimension scale; ScaleName is its NAME attribute.
	IsScale   bool
	ScaleName string
}

// Dataset is an open dataset. Its methods are safe for concurrent use;
// they serialise on the C library lock.
type Dataset struct {
	f      *File
	id     C.hid_t
	mem    C.hid_t // memory type of Info().Type.DType
	memOwn bool
	closed bool // guarded by the C library lock
	info   DatasetInfo

	// The direct read path (direct.go).
	gone       atomic.Bool // closed: set with closed, read without the lock
	raw        rawKind
	rawChunks  bool   // ReadChunk preads (any chunked dataset of a raw file)
	contigAddr int64  // rawContiguous: the storage's file offset, -1 if none
	fill       []byte // one element of the fill value; nil: zeros
	locMu      sync.RWMutex
	locs       map[int64]chunkLoc // by chunkKey; chunked datasets of raw files
}

// CacheOptions size a dataset's chunk cache.
type CacheOptions struct {
	// Bytes is the cache size (0: the library default, 1 MiB).
	Bytes int64
	// None disables the cache. For unfiltered chunks HDF5 then reads a
	// selection straight from the file into the caller's buffer; with a
	// cache smaller than the chunks a selection crossing many chunks would
	// copy each whole chunk through the cache for a few rows of it.
	None bool
}

// OpenDataset opens the dataset at path with a chunk cache of
// cache.Bytes.
func (f *File) OpenDataset(p string, cache CacheOptions) (*Dataset, error) {
	cp := cstr(p)
	defer C.free(unsafe.Pointer(cp))
	var d *Dataset
	var err error
	Do(func() {
		if f.closed {
			err = ErrClosed
			return
		}
		var slots int64
		if cache.Bytes > 0 {
			slots = cacheSlots(f.id, cp, cache.Bytes)
		}
		bytes := cache.Bytes
		if cache.None {
			bytes = -1
		}
		id := C.ndc_open_dataset(f.id, cp, C.int64_t(bytes), C.int64_t(slots))
		if id < 0 {
			err = stackError("H5Dopen " + p)
			return
		}
		d = &Dataset{f: f, id: id, info: DatasetInfo{Path: p}}
		if err = d.describe(); err != nil {
			C.H5Dclose(id)
			d = nil
			return
		}
		d.describeRaw()
		f.open[d] = struct{}{}
	})
	return d, err
}

// cacheSlots picks the number of chunk-cache hash slots for a cache of
// bytes: the HDF Group recommends a prime about a hundred times the number
// of chunks the cache holds. It is capped by the dataset's chunk count and
// at 65521 slots, because the library allocates the slot table up front
// (8 bytes a slot) for every open dataset. Call inside Do.
func cacheSlots(file C.hid_t, p *C.char, bytes int64) int64 {
	id := C.H5Dopen2(file, p, C.H5P_DEFAULT)
	if id < 0 {
		clearStack()
		return 0
	}
	defer C.H5Dclose(id)
	t := C.H5Dget_type(id)
	if t < 0 {
		clearStack()
		return 0
	}
	chunkBytes := int64(C.H5Tget_size(t))
	C.H5Tclose(t)
	dcpl := C.ndc_dcpl(id)
	if dcpl < 0 {
		clearStack()
		return 0
	}
	defer C.H5Pclose(dcpl)
	if C.H5Pget_layout(dcpl) != C.H5D_CHUNKED {
		return 0
	}
	dims := make([]C.hsize_t, chunk.MaxRank)
	n := int(C.H5Pget_chunk(dcpl, chunk.MaxRank, &dims[0]))
	shape := make([]C.hsize_t, chunk.MaxRank)
	sp := C.H5Dget_space(id)
	if sp < 0 {
		clearStack()
		return 0
	}
	C.H5Sget_simple_extent_dims(sp, &shape[0], nil)
	C.H5Sclose(sp)
	nchunks := int64(1)
	for i := 0; i < n; i++ {
		chunkBytes *= int64(dims[i])
		nchunks *= (int64(shape[i]) + int64(dims[i]) - 1) / max(int64(dims[i]), 1)
	}
	fit := bytes / max(chunkBytes, 1)
	return nextPrime(min(100*min(fit, nchunks), 65521))
}

// nextPrime returns the smallest prime at least n (and at least 11).
func nextPrime(n int64) int64 {
	for n = max(n, 11); ; n++ {
		prime := true
		for k := int64(2); k*k <= n; k++ {
			if n%k == 0 {
				prime = false
				break
			}
		}
		if prime {
			return n
		}
	}
}

// describe fills d.info and d.mem; call inside Do.
func (d *Dataset) describe() error {
	p := d.info.Path
	t := C.H5Dget_type(d.id)
	if t < 0 {
		return stackError("H5Dget_type " + p)
	}
	d.info.Type = describeType(t)
	C.H5Tclose(t)
	s := C.H5Dget_space(d.id)
	if s < 0 {
		return stackError("H5Dget_space " + p)
	}
	rank := int(C.H5Sget_simple_extent_ndims(s))
	if rank < 0 {
		C.H5Sclose(s)
		return stackError("H5Sget_simple_extent_ndims " + p)
	}
	if rank > 0 {
		dims := make([]C.hsize_t, rank)
		maxd := make([]C.hsize_t, rank)
		C.H5Sget_simple_extent_dims(s, &dims[0], &maxd[0])
		d.info.Shape = make([]int, rank)
		d.info.MaxShape = make([]int, rank)
		for i := range dims {
			d.info.Shape[i] = int(dims[i])
			if maxd[i] == C.H5S_UNLIMITED {
				d.info.MaxShape[i] = Unlimited
			} else {
				d.info.MaxShape[i] = int(maxd[i])
			}
		}
	}
	C.H5Sclose(s)
	dcpl := C.ndc_dcpl(d.id)
	if dcpl < 0 {
		return stackError("H5Dget_create_plist " + p)
	}
	defer C.H5Pclose(dcpl)
	switch C.H5Pget_layout(dcpl) {
	case C.H5D_CONTIGUOUS:
		d.info.Layout = "contiguous"
	case C.H5D_CHUNKED:
		d.info.Layout = "chunked"
		dims := make([]C.hsize_t, chunk.MaxRank)
		n := int(C.H5Pget_chunk(dcpl, chunk.MaxRank, &dims[0]))
		for i := 0; i < n; i++ {
			d.info.Chunks = append(d.info.Chunks, int(dims[i]))
		}
	case C.H5D_COMPACT:
		d.info.Layout = "compact"
	case C.H5D_VIRTUAL:
		d.info.Layout = "virtual"
	}
	nf := int(C.H5Pget_nfilters(dcpl))
	for i := 0; i < nf; i++ {
		var id C.int
		var flags C.uint
		params := make([]C.uint, 32)
		np := C.size_t(len(params))
		name := make([]C.char, 256)
		if C.ndc_filter(dcpl, C.uint(i), &id, &flags, &params[0], &np, &name[0], C.size_t(len(name))) < 0 {
			return stackError("H5Pget_filter " + p)
		}
		f := Filter{ID: int(id), Flags: uint(flags)}
		for _, v := range params[:min(int(np), len(params))] {
			f.Params = append(f.Params, uint32(v))
		}
		f.Name = filterNames[f.ID]
		if f.Name == "" {
			f.Name = strings.TrimSpace(C.GoString(&name[0]))
		}
		if f.Name == "" {
			f.Name = fmt.Sprintf("filter %d", f.ID)
		}
		avail := C.H5Zfilter_avail(C.H5Z_filter_t(id))
		if avail < 0 {
			clearStack()
		}
		f.Available = avail > 0
		d.info.Filters = append(d.info.Filters, f)
	}
	if dt := d.info.Type.DType; dt.Valid() {
		d.mem, d.memOwn = memType(dt)
		if d.mem < 0 {
			return stackError("memory type " + p)
		}
		var st C.H5D_fill_value_t
		if C.H5Pfill_value_defined(dcpl, &st) >= 0 && st == C.H5D_FILL_VALUE_USER_DEFINED {
			v, ptr := elemSlice(dt, 1)
			if C.H5Pget_fill_value(dcpl, d.mem, ptr) >= 0 {
				d.info.FillValue = v
			} else {
				clearStack()
			}
		}
	}
	if r := C.H5DSis_scale(d.id); r > 0 {
		d.info.IsScale = true
		buf := make([]C.char, 1024)
		if n := C.H5DSget_scale_name(d.id, &buf[0], C.size_t(len(buf))); n > 0 {
			d.info.ScaleName = C.GoString(&buf[0])
		} else {
			clearStack()
		}
	} else if r < 0 {
		clearStack()
	}
	return nil
}

// Info describes the dataset.
func (d *Dataset) Info() DatasetInfo { return d.info }

// Path returns the dataset's path in its file.
func (d *Dataset) Path() string { return d.info.Path }

// Close closes the dataset. Closing twice is a no-op.
func (d *Dataset) Close() error {
	var err error
	Do(func() {
		if d.f.open != nil {
			delete(d.f.open, d)
		}
		err = d.closeLocked()
	})
	return err
}

func (d *Dataset) closeLocked() error {
	if d.closed {
		return nil
	}
	d.closed = true
	d.gone.Store(true)
	if d.memOwn {
		C.H5Tclose(d.mem)
	}
	if C.H5Dclose(d.id) < 0 {
		return stackError("H5Dclose " + d.info.Path)
	}
	return nil
}

// checkRegion validates a hyperslab against the dataset and the buffer
// length, so no read or C call can run past the Go buffer, and returns its
// element count.
func (d *Dataset) checkRegion(start, count []int, buf []byte) (int, error) {
	if !d.info.Type.DType.Valid() {
		return 0, fmt.Errorf("%s: %s: %w", d.info.Path, d.info.Type.Unsupported(), chunk.ErrUnsupported)
	}
	rank := len(d.info.Shape)
	if len(start) != rank || len(count) != rank {
		return 0, fmt.Errorf("%s: region of rank %d for a dataset of rank %d: %w", d.info.Path, len(start), rank, chunk.ErrShape)
	}
	n := 1
	for i := range rank {
		if start[i] < 0 || count[i] < 0 || start[i]+count[i] > d.info.Shape[i] {
			return 0, fmt.Errorf("%s: region start %v count %v outside shape %v: %w", d.info.Path, start, count, d.info.Shape, chunk.ErrIndex)
		}
		n *= count[i]
	}
	if want := n * d.info.Type.DType.Size(); len(buf) != want {
		return 0, fmt.Errorf("%s: %d bytes for %d elements of %s: %w", d.info.Path, len(buf), n, d.info.Type.DType, chunk.ErrShape)
	}
	return n, nil
}

// checkSlab is checkRegion returning the hyperslab in the library's
// integer type as well.
func (d *Dataset) checkSlab(start, count []int, buf []byte) ([]C.hsize_t, []C.hsize_t, int, error) {
	n, err := d.checkRegion(start, count, buf)
	if err != nil {
		return nil, nil, 0, err
	}
	rank := len(start)
	cs := make([]C.hsize_t, rank+1) // never empty, so &cs[0] is valid
	cc := make([]C.hsize_t, rank+1)
	for i := range rank {
		cs[i], cc[i] = C.hsize_t(start[i]), C.hsize_t(count[i])
	}
	return cs, cc, n, nil
}

// Read reads the hyperslab start/count into dst, row-major in native byte
// order as Info().Type.DType; the library converts from the stored type
// and byte order. A rank-0 dataset takes empty start and count. When
// Direct reports true the bytes come straight from the file, outside the
// C-library lock (see direct.go); ctx is checked between chunks.
func (d *Dataset) Read(ctx context.Context, start, count []int, dst []byte) error {
	if d.raw != rawNone {
		n, err := d.checkRegion(start, count, dst)
		if err != nil || n == 0 {
			return err
		}
		return d.readRaw(ctx, start, count, dst)
	}
	cs, cc, n, err := d.checkSlab(start, count, dst)
	if err != nil || n == 0 {
		return err
	}
	Do(func() {
		if d.closed {
			err = ErrClosed
			return
		}
		if C.ndc_read(d.id, d.mem, C.int(len(start)), &cs[0], &cc[0], unsafe.Pointer(&dst[0])) < 0 {
			err = stackError("H5Dread " + d.info.Path)
		}
	})
	return err
}

// Write writes src, row-major in native byte order as Info().Type.DType,
// to the hyperslab start/count; the library converts and compresses.
func (d *Dataset) Write(start, count []int, src []byte) error {
	cs, cc, n, err := d.checkSlab(start, count, src)
	if err != nil || n == 0 {
		return err
	}
	Do(func() {
		if d.closed {
			err = ErrClosed
			return
		}
		if C.ndc_write(d.id, d.mem, C.int(len(start)), &cs[0], &cc[0], unsafe.Pointer(&src[0])) < 0 {
			err = stackError("H5Dwrite " + d.info.Path)
		}
	})
	return err
}

// chunkOffset validates a chunk's offset (its first element's index) and
// converts it.
func (d *Dataset) chunkOffset(offset []int) ([]C.hsize_t, error) {
	if d.info.Layout != "chunked" {
		return nil, fmt.Errorf("%s: %s layout has no chunks: %w", d.info.Path, d.info.Layout, chunk.ErrUnsupported)
	}
	if len(offset) != len(d.info.Chunks) {
		return nil, fmt.Errorf("%s: chunk offset %v for chunks of rank %d: %w", d.info.Path, offset, len(d.info.Chunks), chunk.ErrShape)
	}
	co := make([]C.hsize_t, len(offset)+1)
	for i, o := range offset {
		if o < 0 || o%d.info.Chunks[i] != 0 || (o >= d.info.Shape[i] && d.info.MaxShape[i] != Unlimited) {
			return nil, fmt.Errorf("%s: %v is not the offset of a chunk of shape %v in %v: %w", d.info.Path, offset, d.info.Chunks, d.info.Shape, chunk.ErrIndex)
		}
		co[i] = C.hsize_t(o)
	}
	return co, nil
}

// ChunkInfo reports the stored chunk at offset: its filter mask (bit i set
// when filter i was skipped), its stored size in bytes, and whether it was
// ever written (an unwritten chunk reads as the fill value).
func (d *Dataset) ChunkInfo(offset []int) (mask uint32, size int, written bool, err error) {
	co, err := d.chunkOffset(offset)
	if err != nil {
		return 0, 0, false, err
	}
	Do(func() {
		if d.closed {
			err = ErrClosed
			return
		}
		var m C.uint
		var sz C.uint64_t
		var alloc C.int
		if C.ndc_chunk_info(d.id, &co[0], &m, &sz, &alloc) < 0 {
			err = stackError("H5Dget_chunk_info_by_coord " + d.info.Path)
			return
		}
		mask, size, written = uint32(m), int(sz), alloc != 0
	})
	return mask, size, written, err
}

// ReadChunk reads the stored (still filtered) bytes of the chunk at
// offset, into buf when it is large enough and else into a new buffer,
// and returns them with the chunk's filter mask (bit i set when filter i
// was skipped). written is false, and data nil, for a chunk never written
// (it reads as the fill value).
//
// In a file opened read-only the chunk's address is looked up once and the
// bytes are read with pread outside the C-library lock (see direct.go), so
// several goroutines read and decode chunks at once.
func (d *Dataset) ReadChunk(offset []int, buf []byte) (data []byte, mask uint32, written bool, err error) {
	co, err := d.chunkOffset(offset)
	if err != nil {
		return nil, 0, false, err
	}
	if d.rawChunks && d.insideShape(offset) {
		return d.readChunkRaw(offset, buf)
	}
	Do(func() {
		if d.closed {
			err = ErrClosed
			return
		}
		var m C.uint
		var sz C.uint64_t
		var alloc C.int
		if C.ndc_chunk_info(d.id, &co[0], &m, &sz, &alloc) < 0 {
			err = stackError("H5Dget_chunk_info_by_coord " + d.info.Path)
			return
		}
		if alloc == 0 {
			return
		}
		written = true
		if int(sz) > cap(buf) {
			buf = make([]byte, sz)
		}
		data = buf[:sz]
		if sz == 0 {
			return
		}
		// The mask comes from the chunk index: H5Dread_chunk in 1.10.8
		// reports the mask of the dataset's last-used chunk instead.
		var fm C.uint32_t
		if C.H5Dread_chunk(d.id, C.H5P_DEFAULT, &co[0], &fm, unsafe.Pointer(&data[0])) < 0 {
			err = stackError("H5Dread_chunk " + d.info.Path)
			return
		}
		mask = uint32(m)
	})
	return data, mask, written, err
}

// insideShape reports whether the chunk at offset starts inside the
// dataset's current shape (a growable dataset's chunk index may hold
// chunks beyond it).
func (d *Dataset) insideShape(offset []int) bool {
	for i, o := range offset {
		if o >= d.info.Shape[i] {
			return false
		}
	}
	return true
}

// readChunkRaw is ReadChunk reading the stored bytes with pread.
func (d *Dataset) readChunkRaw(offset []int, buf []byte) (data []byte, mask uint32, written bool, err error) {
	if d.gone.Load() {
		return nil, 0, false, ErrClosed
	}
	idx := make([]int, len(offset))
	for i, o := range offset {
		idx[i] = o / d.info.Chunks[i]
	}
	if err := d.lookupChunks(idx, idx); err != nil {
		return nil, 0, false, err
	}
	loc, _ := d.chunkLoc(idx)
	if loc.addr < 0 {
		return nil, 0, false, nil
	}
	if int(loc.size) > cap(buf) {
		buf = make([]byte, loc.size)
	}
	data = buf[:loc.size]
	if err := d.pread(data, loc.addr); err != nil {
		return nil, 0, false, err
	}
	return data, loc.mask, true, nil
}

// WriteChunk stores data as the chunk at offset, bypassing the library's
// filter pipeline: data must already be filtered (shuffled, deflated) as
// the dataset's pipeline would, except for the filters whose bits are set
// in mask. An edge chunk is stored at full chunk size.
func (d *Dataset) WriteChunk(offset []int, mask uint32, data []byte) error {
	co, err := d.chunkOffset(offset)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return fmt.Errorf("%s: empty chunk %v: %w", d.info.Path, offset, chunk.ErrShape)
	}
	Do(func() {
		if d.closed {
			err = ErrClosed
			return
		}
		if C.H5Dwrite_chunk(d.id, C.H5P_DEFAULT, C.uint32_t(mask), &co[0], C.size_t(len(data)), unsafe.Pointer(&data[0])) < 0 {
			err = stackError("H5Dwrite_chunk " + d.info.Path)
		}
	})
	return err
}

// SetAttr creates the attribute name on the dataset; see File.SetAttr.
func (d *Dataset) SetAttr(name string, value any) error {
	var err error
	Do(func() {
		if d.closed {
			err = ErrClosed
			return
		}
		err = writeAttr(d.id, name, value)
	})
	return err
}

// Attrs reads the dataset's attributes.
func (d *Dataset) Attrs() ([]Attr, error) {
	var out []Attr
	var err error
	Do(func() {
		if d.closed {
			err = ErrClosed
			return
		}
		out, err = readAttrs(d.id)
	})
	return out, err
}

// Scales returns, for each axis, the paths of the dimension scales
// attached to it (nil where none).
func (d *Dataset) Scales() ([][]string, error) {
	out := make([][]string, len(d.info.Shape))
	var err error
	Do(func() {
		if d.closed {
			err = ErrClosed
			return
		}
		for axis := range out {
			var b C.ndc_buf
			r := C.ndc_scale_names(d.id, C.uint(axis), &b)
			if r < 0 {
				err = stackError("H5DSiterate_scales " + d.info.Path)
			} else {
				out[axis] = splitNul(C.GoStringN(b.p, C.int(b.n)))
			}
			C.free(unsafe.Pointer(b.p))
			if err != nil {
				return
			}
		}
	})
	return out, err
}

// Labels returns the dimension labels (h5py's dims[i].label) of each axis,
// "" where none is set.
func (d *Dataset) Labels() []string {
	out := make([]string, len(d.info.Shape))
	Do(func() {
		if d.closed {
			return
		}
		buf := make([]C.char, 1024)
		for axis := range out {
			n := C.H5DSget_label(d.id, C.uint(axis), &buf[0], C.size_t(len(buf)))
			if n < 0 {
				clearStack()
				continue
			}
			if n > 0 {
				out[axis] = C.GoString(&buf[0])
			}
		}
	})
	return out
}

// SetScale makes the dataset a dimension scale whose NAME attribute is
// name.
func (d *Dataset) SetScale(name string) error {
	cn := cstr(name)
	defer C.free(unsafe.Pointer(cn))
	var err error
	Do(func() {
		if d.closed {
			err = ErrClosed
			return
		}
		if C.H5DSset_scale(d.id, cn) < 0 {
			err = stackError("H5DSset_scale " + d.info.Path)
			return
		}
		d.info.IsScale, d.info.ScaleName = true, name
	})
	return err
}

// AttachScale attaches the dimension scale scale to axis of d.
func (d *Dataset) AttachScale(scale *Dataset, axis int) error {
	var err error
	Do(func() {
		if d.closed || scale.closed {
			err = ErrClosed
			return
		}
		if C.H5DSattach_scale(d.id, scale.id, C.uint(axis)) < 0 {
			err = stackError(fmt.Sprintf("H5DSattach_scale %s to axis %d of %s", scale.info.Path, axis, d.info.Path))
		}
	})
	return err
}

// DatasetSpec describes a dataset to create.
type DatasetSpec struct {
	DType chunk.DType
	Shape []int // nil: a scalar
	// MaxShape allows growth (Unlimited on an axis); nil: fixed. A
	// growable dataset must be chunked.
	MaxShape []int
	// Chunks is the storage chunk shape; nil: contiguous.
	Chunks []int
	// Shuffle and Deflate (zlib level 1-9, 0 none) need Chunks.
	Shuffle bool
	Deflate int
	// FillValue is a one-element slice of DType's Go type, or nil.
	FillValue any
}

// CreateDataset creates a dataset at path (missing groups are created)
// and opens it with a chunk cache of cache.Bytes.
func (f *File) CreateDataset(p string, spec DatasetSpec, cache CacheOptions) (*Dataset, error) {
	if !spec.DType.Valid() {
		return nil, fmt.Errorf("%s: dtype %s: %w", p, spec.DType, chunk.ErrDType)
	}
	rank := len(spec.Shape)
	if err := chunk.CheckShape(spec.Shape); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	dims := make([]C.hsize_t, rank+1)
	for i, n := range spec.Shape {
		dims[i] = C.hsize_t(n)
	}
	var maxd []C.hsize_t
	if spec.MaxShape != nil {
		if len(spec.MaxShape) != rank {
			return nil, fmt.Errorf("%s: max shape %v for shape %v: %w", p, spec.MaxShape, spec.Shape, chunk.ErrShape)
		}
		maxd = make([]C.hsize_t, rank+1)
		for i, n := range spec.MaxShape {
			if n == Unlimited {
				maxd[i] = C.H5S_UNLIMITED
			} else {
				maxd[i] = C.hsize_t(n)
			}
		}
	}
	var chunks []C.hsize_t
	if spec.Chunks != nil {
		if len(spec.Chunks) != rank || rank == 0 {
			return nil, fmt.Errorf("%s: chunks %v for shape %v: %w", p, spec.Chunks, spec.Shape, chunk.ErrChunks)
		}
		chunks = make([]C.hsize_t, rank)
		for i, c := range spec.Chunks {
			if c <= 0 {
				return nil, fmt.Errorf("%s: chunks %v must be positive: %w", p, spec.Chunks, chunk.ErrChunks)
			}
			chunks[i] = C.hsize_t(c)
		}
	} else if spec.Deflate > 0 || spec.Shuffle || spec.MaxShape != nil {
		return nil, fmt.Errorf("%s: compression and unlimited axes need chunks: %w", p, chunk.ErrChunks)
	}
	if spec.Deflate < 0 || spec.Deflate > 9 {
		return nil, fmt.Errorf("%s: deflate level %d is not in 0-9: %w", p, spec.Deflate, chunk.ErrUnsupported)
	}
	var fill unsafe.Pointer
	if spec.FillValue != nil {
		b, dt, n, ok := ElemBytes(spec.FillValue)
		if !ok || dt != spec.DType || n != 1 {
			return nil, fmt.Errorf("%s: fill value %v (%T) is not one %s: %w", p, spec.FillValue, spec.FillValue, spec.DType, chunk.ErrDType)
		}
		fill = unsafe.Pointer(&b[0])
	}
	cp := cstr(p)
	defer C.free(unsafe.Pointer(cp))
	var err error
	Do(func() {
		if f.closed {
			err = ErrClosed
			return
		}
		ft, fown := fileType(spec.DType)
		mt, mown := memType(spec.DType)
		defer func() {
			if fown {
				C.H5Tclose(ft)
			}
			if mown {
				C.H5Tclose(mt)
			}
		}()
		var pm, pc *C.hsize_t
		if maxd != nil {
			pm = &maxd[0]
		}
		if chunks != nil {
			pc = &chunks[0]
		}
		id := C.ndc_create_dataset(f.id, cp, ft, C.int(rank), &dims[0], pm, pc, boolInt(spec.Shuffle), C.int(spec.Deflate), mt, fill)
		if id < 0 {
			err = stackError("H5Dcreate " + p)
			return
		}
		C.H5Dclose(id)
	})
	if err != nil {
		return nil, err
	}
	return f.OpenDataset(p, cache)
}

func boolInt(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
