package hdf5

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/internal/h5"
	"github.com/ndchunk/ndchunk/ops"
)

// netcdfDimOnly starts the NAME attribute netCDF-4 gives the placeholder
// scale of a dimension that has no coordinate variable; such scales are
// dimensions, not variables.
const netcdfDimOnly = "This is a netCDF dimension but not a netCDF variable"

// hiddenAttrs are the dimension-scale bookkeeping attributes: the model
// carries their meaning as dimension names, and writing the file back
// recreates them.
var hiddenAttrs = map[string]bool{
	"DIMENSION_LIST": true, "REFERENCE_LIST": true, "DIMENSION_LABELS": true,
	"_Netcdf4Dimid": true, "_Netcdf4Coordinates": true,
}

// file is an open HDF5 file.
type file struct {
	path string
	h    *h5.File
	opts dataset.OpenOptions
	info dataset.Info
	ds   map[string]h5.DatasetInfo // by dataset path
	// broken holds why the datasets that could not be opened or
	// described failed.
	broken map[string]error
}

var _ dataset.File = (*file)(nil)

// dimName names the dimension a scale dataset stands for: its path without
// the leading slash, so the scale "/x" is the dimension "x" (as netCDF
// names it) and scales in groups stay distinct ("grp/x").
func dimName(scalePath string) string { return strings.TrimPrefix(scalePath, "/") }

// scanned is what load learns about one dataset.
type scanned struct {
	info   h5.DatasetInfo
	attrs  []h5.Attr
	scales [][]string
	labels []string
	err    error // the dataset could not be opened or described
}

// load fills f.info from the file's objects.
func (f *file) load() error {
	objs, err := f.h.Objects()
	if err != nil {
		return &dataset.Error{Path: f.path, Op: "open", Err: fmt.Errorf("%w (cannot list its objects: %v)", dataset.ErrFormat, err)}
	}
	f.info = dataset.Info{Path: f.path, Format: "hdf5"}
	var order []string
	seen := map[string]*scanned{}
	for _, o := range objs {
		switch o.Kind {
		case h5.GroupObject:
			f.info.Groups = append(f.info.Groups, o.Path)
		case h5.DatasetObject:
			order = append(order, o.Path)
			seen[o.Path] = scan(f.h, o.Path)
		}
	}
	root, err := f.h.Attrs("/")
	if err != nil {
		return &dataset.Error{Path: f.path, Op: "open", Err: fmt.Errorf("%w (cannot read the global attributes: %v)", dataset.ErrFormat, err)}
	}
	f.info.Attrs = convertAttrs(root, false)

	// Dimensions: the one-dimensional scales, then labels.
	for _, p := range order {
		s := seen[p]
		if s.err == nil && s.info.IsScale && len(s.info.Shape) == 1 {
			f.info.Dims = append(f.info.Dims, dataset.Dim{Name: dimName(p), Len: s.info.Shape[0], Unlimited: s.info.MaxShape[0] == h5.Unlimited})
		}
	}
	for _, p := range order {
		s := seen[p]
		if s.err == nil && s.info.IsScale && strings.HasPrefix(s.info.ScaleName, netcdfDimOnly) {
			continue
		}
		vi := f.varInfo(p, s)
		f.ds[p] = s.info
		if s.err != nil {
			f.broken[p] = s.err
		}
		f.info.Vars = append(f.info.Vars, vi)
		for axis, d := range vi.Dims {
			if d != "" {
				if _, ok := f.info.Dim(d); !ok {
					f.info.Dims = append(f.info.Dims, dataset.Dim{Name: d, Len: vi.Shape[axis]})
				}
			}
		}
	}
	return nil
}

// scan opens the dataset at p and reads what Info reports about it.
func scan(hf *h5.File, p string) *scanned {
	s := &scanned{}
	d, err := hf.OpenDataset(p, h5.CacheOptions{})
	if err != nil {
		s.err = err
		return s
	}
	defer d.Close()
	s.info = d.Info()
	if s.attrs, err = d.Attrs(); err != nil {
		s.err = err
		return s
	}
	// Broken dimension-scale references cost the dimension names only.
	s.scales, _ = d.Scales()
	s.labels = d.Labels()
	return s
}

// varInfo describes the dataset at p.
func (f *file) varInfo(p string, s *scanned) dataset.VarInfo {
	vi := dataset.VarInfo{Name: p}
	if s.err != nil {
		vi.Type = "unknown"
		vi.Unsupported = fmt.Sprintf("cannot be opened: %v", s.err)
		return vi
	}
	in := s.info
	vi.Shape = in.Shape
	if vi.Shape == nil {
		vi.Shape = []int{}
	}
	vi.DType = in.Type.DType
	vi.Type = in.Type.Name()
	vi.Unsupported = in.Type.Unsupported()
	vi.Layout = in.Layout
	vi.StorageChunks = in.Chunks
	vi.FillValue = in.FillValue
	for _, fl := range in.Filters {
		vi.Filters = append(vi.Filters, dataset.Filter{Name: fl.Name, ID: fl.ID, Params: fl.Params, Available: fl.Available})
		if !fl.Available && vi.Unsupported == "" {
			vi.Unsupported = missingFilter(fl)
		}
	}
	vi.Attrs = convertAttrs(s.attrs, in.IsScale)
	vi.Dims = make([]string, len(in.Shape))
	for axis := range vi.Dims {
		switch {
		case in.IsScale && len(in.Shape) == 1:
			vi.Dims[axis] = dimName(p)
			vi.Coordinate = true
		case axis < len(s.scales) && len(s.scales[axis]) > 0:
			vi.Dims[axis] = dimName(s.scales[axis][0])
		case axis < len(s.labels):
			vi.Dims[axis] = s.labels[axis]
		}
	}
	return vi
}

// missingFilter says that a filter the dataset needs is not available.
func missingFilter(fl h5.Filter) string {
	return fmt.Sprintf("filter %s (id %d) is not available in this HDF5 library", fl.Name, fl.ID)
}

// convertAttrs keeps the attributes the model can hold, without the
// dimension-scale bookkeeping.
func convertAttrs(in []h5.Attr, scale bool) []dataset.Attr {
	var out []dataset.Attr
	for _, a := range in {
		if a.Value == nil || hiddenAttrs[a.Name] || (scale && (a.Name == "CLASS" || a.Name == "NAME")) {
			continue
		}
		out = append(out, dataset.Attr{Name: a.Name, Value: a.Value})
	}
	return out
}

// Info implements dataset.File.
func (f *file) Info() *dataset.Info { return &f.info }

// Close implements dataset.File.
func (f *file) Close() error {
	if err := f.h.Close(); err != nil {
		return &dataset.Error{Path: f.path, Op: "close", Err: err}
	}
	return nil
}

// Var implements dataset.File.
func (f *file) Var(name string) (dataset.Var, error) {
	p := "/" + strings.TrimPrefix(name, "/")
	vi, ok := f.info.Var(p)
	if !ok {
		return nil, dataset.NoVariable(f.path, name, &f.info)
	}
	if err, broken := f.broken[p]; broken {
		return nil, &dataset.Error{Path: f.path, Var: p, Op: "open", Err: fmt.Errorf("%w: %v", dataset.ErrCorrupt, err)}
	}
	in := f.ds[p]
	if !vi.DType.Valid() {
		return nil, &dataset.Error{Path: f.path, Var: p, Op: "open", Err: fmt.Errorf("%s: %w", vi.Unsupported, chunk.ErrUnsupported)}
	}
	for _, fl := range in.Filters {
		if !fl.Available {
			return nil, &dataset.Error{Path: f.path, Var: p, Op: "open", Err: fmt.Errorf("%s: %w", missingFilter(fl), dataset.ErrFilter)}
		}
	}
	// Unfiltered chunks are read straight from the file (no cache): the
	// engine reads each region once, and a cache would copy whole chunks
	// for the few rows a region takes from each.
	d, err := f.h.OpenDataset(p, h5.CacheOptions{Bytes: f.opts.CacheBytes, None: len(in.Filters) == 0})
	if err != nil {
		return nil, &dataset.Error{Path: f.path, Var: p, Op: "open", Err: err}
	}
	v := &variable{f: f, d: d, info: vi}
	v.direct = directReadable(d.Info())
	if v.direct {
		v.codec, _ = h5.NewCodec(in.Filters, in.Type.Size)
	}
	return v, nil
}

// directReadable reports whether whole chunks of the dataset can be read
// raw and decoded in Go: its filters are shuffle and/or deflate, and its
// stored type is the native one (little-endian, of the dtype's size), so
// the decoded bytes need no conversion.
func directReadable(in h5.DatasetInfo) bool {
	if in.Layout != "chunked" || len(in.Filters) == 0 || in.Type.BigEndian || in.Type.Size != in.Type.DType.Size() {
		return false
	}
	if in.Type.Class != h5.Integer && in.Type.Class != h5.Float && in.Type.DType != chunk.Bool {
		return false
	}
	_, ok := h5.NewCodec(in.Filters, in.Type.Size)
	return ok
}

// variable is an open dataset of a supported type.
type variable struct {
	f      *file
	d      *h5.Dataset
	info   dataset.VarInfo
	direct bool
	codec  *h5.Codec
}

var _ dataset.Var = (*variable)(nil)

// DType implements ndarray.Source.
func (v *variable) DType() chunk.DType { return v.info.DType }

// Shape implements ndarray.Source.
func (v *variable) Shape() []int { return v.info.Shape }

// StorageChunks implements ndarray.StorageChunker: nil unless chunked.
func (v *variable) StorageChunks() []int { return v.info.StorageChunks }

// Name implements ndarray.Namer: "file.h5:/group/name".
func (v *variable) Name() string { return v.f.path + ":" + v.info.Name }

// Info implements dataset.Var.
func (v *variable) Info() dataset.VarInfo { return v.info }

// ConcurrentReads implements ndarray.ConcurrentSource: datasets on the
// direct path are read with preads, outside the library lock.
func (v *variable) ConcurrentReads() bool { return v.d.Direct() }

func (v *variable) fail(err error) error {
	return &dataset.Error{Path: v.f.path, Var: v.info.Name, Op: "read", Err: err}
}

// checkRegion validates a region and buffer against the variable.
func checkRegion(shape []int, dt chunk.DType, r chunk.Region, n int) error {
	if len(r.Start) != len(shape) || len(r.Shape) != len(shape) {
		return fmt.Errorf("region %v of rank %d for shape %v: %w", r, len(r.Shape), shape, chunk.ErrShape)
	}
	for i := range shape {
		if r.Start[i] < 0 || r.Shape[i] < 0 || r.Start[i]+r.Shape[i] > shape[i] {
			return fmt.Errorf("region %v outside shape %v: %w", r, shape, chunk.ErrIndex)
		}
	}
	if want := r.Size() * dt.Size(); n != want {
		return fmt.Errorf("%d bytes for region %v of %s, want %d: %w", n, r, dt, want, chunk.ErrShape)
	}
	return nil
}

// ReadRegion implements ndarray.Source. Regions of whole chunks of a
// shuffle/deflate dataset are read raw and decoded here, on the caller's
// goroutine; everything else is one hyperslab read by the library.
func (v *variable) ReadRegion(ctx context.Context, r chunk.Region, dst []byte) error {
	if err := ctx.Err(); err != nil {
		return v.fail(err)
	}
	if err := checkRegion(v.info.Shape, v.info.DType, r, len(dst)); err != nil {
		return v.fail(err)
	}
	if r.Size() == 0 {
		return nil
	}
	if v.direct && alignedToChunks(r, v.info.Shape, v.info.StorageChunks) {
		return v.readChunks(ctx, r, dst)
	}
	return v.readSlab(ctx, r, dst)
}

// readSlab reads r with the library, or straight from the file when the
// dataset allows it (h5.Dataset.Direct).
func (v *variable) readSlab(ctx context.Context, r chunk.Region, dst []byte) error {
	if err := v.d.Read(ctx, r.Start, r.Shape, dst); err != nil {
		return v.fail(v.classify(err))
	}
	return nil
}

// classify turns a failed read into ErrFilter when a filter is missing,
// else ErrCorrupt: the region was valid, so the stored data is at fault.
func (v *variable) classify(err error) error {
	var he *h5.Error
	if !errors.As(err, &he) {
		return err
	}
	for _, fl := range v.d.Info().Filters {
		if !fl.Available {
			return fmt.Errorf("%s: %w (%v)", missingFilter(fl), dataset.ErrFilter, err)
		}
	}
	return fmt.Errorf("%w: %v", dataset.ErrCorrupt, err)
}

// alignedToChunks reports whether r is a union of whole storage chunks:
// it starts on the chunk grid and ends on it or at the array's end.
func alignedToChunks(r chunk.Region, shape, chunks []int) bool {
	if len(chunks) != len(shape) {
		return false
	}
	for i := range shape {
		if r.Start[i]%chunks[i] != 0 {
			return false
		}
		if end := r.Start[i] + r.Shape[i]; end%chunks[i] != 0 && end != shape[i] {
			return false
		}
	}
	return true
}

// bufPool holds chunk-sized buffers for decoding and encoding.
var bufPool sync.Pool

func getBuf(n int) *[]byte {
	if p, ok := bufPool.Get().(*[]byte); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	b := make([]byte, n)
	return &b
}

// forChunks calls fn with the offset of each storage chunk in r, which is
// aligned to the chunk grid, in row-major order.
func forChunks(r chunk.Region, chunks []int, fn func(off []int) error) error {
	rank := len(chunks)
	off := append([]int(nil), r.Start...)
	for {
		if err := fn(off); err != nil {
			return err
		}
		i := rank - 1
		for ; i >= 0; i-- {
			off[i] += chunks[i]
			if off[i] < r.Start[i]+r.Shape[i] {
				break
			}
			off[i] = r.Start[i]
		}
		if i < 0 {
			return nil
		}
	}
}

// readChunks reads the whole chunks making up r raw, one lock hold each,
// and decodes them into dst outside the lock.
func (v *variable) readChunks(ctx context.Context, r chunk.Region, dst []byte) error {
	shape, chunks, es := v.info.Shape, v.info.StorageChunks, v.info.DType.Size()
	chunkBytes := chunk.Size(chunks) * es
	full := getBuf(chunkBytes)
	defer bufPool.Put(full)
	var stored []byte
	zero := make([]int, len(chunks))
	return forChunks(r, chunks, func(off []int) error {
		if err := ctx.Err(); err != nil {
			return v.fail(err)
		}
		// The part of the chunk inside the array (edge chunks are ragged).
		part := chunk.Region{Start: off, Shape: make([]int, len(off))}
		for i := range off {
			part.Shape[i] = min(chunks[i], shape[i]-off[i])
		}
		data, mask, written, err := v.d.ReadChunk(off, stored)
		if err != nil {
			return v.fail(v.classify(err))
		}
		if !written {
			// Never written: the library supplies the fill value.
			buf := getBuf(part.Size() * es)
			defer bufPool.Put(buf)
			if err := v.readSlab(ctx, part, *buf); err != nil {
				return err
			}
			ops.CopyRegion(dst, r.Shape, relStart(off, r.Start), *buf, part.Shape, zero, part.Shape, es)
			return nil
		}
		stored = data[:cap(data)]
		// A chunk that is all of r decodes straight into dst.
		if chunk.EqualInts(part.Shape, chunks) && chunk.EqualInts(r.Shape, chunks) {
			if err := v.codec.Decode(dst, data, mask); err != nil {
				return v.fail(fmt.Errorf("chunk at %v: %w", off, err))
			}
			return nil
		}
		if err := v.codec.Decode(*full, data, mask); err != nil {
			return v.fail(fmt.Errorf("chunk at %v: %w", off, err))
		}
		ops.CopyRegion(dst, r.Shape, relStart(off, r.Start), *full, chunks, zero, part.Shape, es)
		return nil
	})
}

func relStart(off, start []int) []int {
	out := make([]int, len(off))
	for i := range off {
		out[i] = off[i] - start[i]
	}
	return out
}
