package hdf5

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"sync"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/internal/h5"
	"github.com/ndchunk/ndchunk/ops"
)

// defaultChunkBytes is the target size of the storage chunks the driver
// picks when a variable needs chunks (compression, an unlimited axis) and
// the spec gives none.
const defaultChunkBytes = 1 << 20

// maxChunkBytes is HDF5's limit on one chunk.
const maxChunkBytes = 1<<32 - 1

// varPlan is a validated variable of a spec.
type varPlan struct {
	spec     dataset.VarSpec
	path     string // "/name" or "/grp/name"
	shape    []int
	maxShape []int // nil: fixed
	chunks   []int // nil: contiguous
	coord    bool  // the coordinate variable of the dimension named like it
}

// plan validates spec before anything touches the disk, so a bad spec
// leaves nothing behind.
func plan(dest string, spec dataset.Spec) ([]varPlan, error) {
	bad := func(v string, err error) error {
		return &dataset.Error{Path: dest, Var: v, Op: "create", Err: err}
	}
	dims := map[string]dataset.Dim{}
	for _, d := range spec.Dims {
		if err := checkName(d.Name); err != nil {
			return nil, bad("", fmt.Errorf("dimension %q: %w", d.Name, err))
		}
		if _, dup := dims[d.Name]; dup {
			return nil, bad("", fmt.Errorf("dimension %s is declared twice: %w", d.Name, chunk.ErrShape))
		}
		if d.Len < 0 {
			return nil, bad("", fmt.Errorf("dimension %s has negative length %d: %w", d.Name, d.Len, chunk.ErrShape))
		}
		dims[d.Name] = d
	}
	seen := map[string]bool{}
	var out []varPlan
	for _, vs := range spec.Vars {
		p := "/" + strings.TrimPrefix(vs.Name, "/")
		if err := checkName(vs.Name); err != nil {
			return nil, bad(vs.Name, err)
		}
		if seen[p] {
			return nil, bad(vs.Name, errors.New("the variable is declared twice"))
		}
		seen[p] = true
		if !vs.DType.Valid() {
			return nil, bad(vs.Name, fmt.Errorf("dtype %s: %w", vs.DType, chunk.ErrDType))
		}
		shape, err := spec.Shape(vs)
		if err != nil {
			return nil, bad(vs.Name, err)
		}
		vp := varPlan{spec: vs, path: p, shape: shape}
		if d, ok := dims[strings.TrimPrefix(p, "/")]; ok {
			if len(vs.Dims) != 1 || vs.Dims[0] != d.Name {
				return nil, bad(vs.Name, fmt.Errorf("named like dimension %s but not its coordinate variable (dimensions %q): HDF5 keeps one dataset per name: %w", d.Name, vs.Dims, chunk.ErrUnsupported))
			}
			vp.coord = true
		}
		if vs.FillValue != nil {
			if _, dt, n, ok := h5.ElemBytes(vs.FillValue); !ok || dt != vs.DType || n != 1 {
				return nil, bad(vs.Name, fmt.Errorf("fill value %v (%T) is not one %s: %w", vs.FillValue, vs.FillValue, vs.DType, chunk.ErrDType))
			}
		}
		if vs.Deflate < 0 || vs.Deflate > 9 {
			return nil, bad(vs.Name, fmt.Errorf("deflate level %d is not in 0-9: %w", vs.Deflate, chunk.ErrUnsupported))
		}
		if err := checkAttrs(vs.Attrs); err != nil {
			return nil, bad(vs.Name, err)
		}
		unlimited := false
		for _, dn := range vs.Dims {
			unlimited = unlimited || dims[dn].Unlimited
		}
		switch {
		case len(shape) == 0:
			// A scalar has one element: no chunks, nothing to compress.
			if vs.Chunks != nil {
				return nil, bad(vs.Name, fmt.Errorf("chunks %v for a scalar: %w", vs.Chunks, chunk.ErrChunks))
			}
		case vs.Chunks != nil:
			if len(vs.Chunks) != len(shape) {
				return nil, bad(vs.Name, fmt.Errorf("chunks %v for shape %v: %w", vs.Chunks, shape, chunk.ErrChunks))
			}
			for _, c := range vs.Chunks {
				if c <= 0 {
					return nil, bad(vs.Name, fmt.Errorf("chunks %v must be positive: %w", vs.Chunks, chunk.ErrChunks))
				}
			}
			vp.chunks = append([]int(nil), vs.Chunks...)
		case vs.Deflate > 0 || vs.Shuffle || unlimited:
			vp.chunks = defaultChunks(shape, vs.DType.Size())
		}
		if vp.chunks != nil {
			if b := chunk.Size(vp.chunks) * vs.DType.Size(); b > maxChunkBytes {
				return nil, bad(vs.Name, fmt.Errorf("chunks %v hold %d bytes, more than HDF5's 4 GiB limit: %w", vp.chunks, b, chunk.ErrChunks))
			}
			// The library wants each fixed axis at least one chunk long; a
			// longer chunk (or any chunk of an empty axis) lets the axis grow
			// to the chunk's length, which changes nothing readers see.
			for i, dn := range vs.Dims {
				switch {
				case dims[dn].Unlimited:
					vp.maxShape = ensure(vp.maxShape, shape)
					vp.maxShape[i] = h5.Unlimited
				case vp.chunks[i] > shape[i]:
					vp.maxShape = ensure(vp.maxShape, shape)
					vp.maxShape[i] = vp.chunks[i]
				}
			}
		}
		out = append(out, vp)
	}
	if err := checkAttrs(spec.Attrs); err != nil {
		return nil, bad("", fmt.Errorf("global %w", err))
	}
	return out, nil
}

func ensure(maxShape, shape []int) []int {
	if maxShape != nil {
		return maxShape
	}
	return append([]int(nil), shape...)
}

// checkName refuses names HDF5 cannot hold as a path.
func checkName(name string) error {
	p := strings.Trim(name, "/")
	if p == "" {
		return fmt.Errorf("empty name: %w", chunk.ErrUnsupported)
	}
	for _, part := range strings.Split(p, "/") {
		if part == "" || part == "." || part == ".." {
			return fmt.Errorf("name %q is not a valid HDF5 path: %w", name, chunk.ErrUnsupported)
		}
	}
	return nil
}

// checkAttrs refuses attribute values the driver cannot store.
func checkAttrs(attrs []dataset.Attr) error {
	names := map[string]bool{}
	for _, a := range attrs {
		if a.Name == "" {
			return fmt.Errorf("attribute with an empty name: %w", chunk.ErrUnsupported)
		}
		if names[a.Name] {
			return fmt.Errorf("attribute %s given twice: %w", a.Name, chunk.ErrUnsupported)
		}
		names[a.Name] = true
		if s, ok := a.Value.(string); ok {
			if strings.IndexByte(s, 0) >= 0 {
				return fmt.Errorf("attribute %s: string holds a NUL byte: %w", a.Name, chunk.ErrUnsupported)
			}
			continue
		}
		if _, _, _, ok := h5.ElemBytes(a.Value); !ok {
			return fmt.Errorf("attribute %s: value of Go type %T (want a string or a numeric slice): %w", a.Name, a.Value, chunk.ErrDType)
		}
	}
	return nil
}

// defaultChunks picks a chunk shape of at most about defaultChunkBytes:
// the whole array, halving the longest axis until it fits.
func defaultChunks(shape []int, elemSize int) []int {
	c := make([]int, len(shape))
	for i, n := range shape {
		c[i] = max(n, 1)
	}
	for chunk.Size(c)*elemSize > defaultChunkBytes {
		longest := 0
		for i := range c {
			if c[i] > c[longest] {
				longest = i
			}
		}
		if c[longest] == 1 {
			break
		}
		c[longest] = (c[longest] + 1) / 2
	}
	return c
}

// Create implements dataset.Driver: the file is written at a temporary name
// beside path and renamed into place by Commit.
func (Driver) Create(dest string, spec dataset.Spec, opts dataset.CreateOptions) (dataset.Writer, error) {
	if spec.Format != "h5" && spec.Format != "" {
		return nil, &dataset.Error{Path: dest, Op: "create", Err: fmt.Errorf("the hdf5 driver writes format \"h5\", not %q: %w", spec.Format, chunk.ErrUnsupported)}
	}
	plans, err := plan(dest, spec)
	if err != nil {
		return nil, err
	}
	if err := dataset.CheckDest(dest, opts.Overwrite); err != nil {
		return nil, err
	}
	tmp, err := dataset.TempPath(dest)
	if err != nil {
		return nil, &dataset.Error{Path: dest, Op: "create", Err: err}
	}
	hf, err := h5.Create(tmp)
	if err != nil {
		os.Remove(tmp)
		return nil, &dataset.Error{Path: dest, Op: "create", Err: fmt.Errorf("temporary file %s: %w", tmp, err)}
	}
	w := &writer{path: dest, tmp: tmp, opts: opts, h: hf, sinks: map[string]*sink{}, groups: map[string]bool{"/": true}}
	if err := w.build(spec, plans); err != nil {
		w.Abort()
		return nil, err
	}
	return w, nil
}

// writer is a file being written.
type writer struct {
	path, tmp string
	opts      dataset.CreateOptions
	h         *h5.File
	order     []string        // variable paths in spec order
	groups    map[string]bool // groups created so far

	// mu is held shared by writes in progress and exclusively by Commit
	// and Abort, which close the file.
	mu    sync.RWMutex
	state writerState
	sinks map[string]*sink // by path
}

type writerState int

const (
	writing writerState = iota
	committed
	aborted
)

var _ dataset.Writer = (*writer)(nil)

func (w *writer) fail(v, op string, err error) error {
	return &dataset.Error{Path: w.path, Var: v, Op: op, Err: err}
}

// build creates the groups, the dimension scales, the variables and the
// attributes.
func (w *writer) build(spec dataset.Spec, plans []varPlan) error {
	byPath := map[string]*varPlan{}
	for i := range plans {
		byPath[plans[i].path] = &plans[i]
	}
	// The dimensions, in their declared order: each a coordinate variable
	// or a placeholder scale, as netCDF-4 does it.
	scales := map[string]*h5.Dataset{}
	for _, d := range spec.Dims {
		p := "/" + d.Name
		if vp, ok := byPath[p]; ok && vp.coord {
			s, err := w.createVar(vp)
			if err != nil {
				return err
			}
			if err := s.d.SetScale(d.Name); err != nil {
				return w.fail(vp.spec.Name, "create", err)
			}
			scales[d.Name] = s.d
			continue
		}
		ds := h5.DatasetSpec{DType: chunk.Float32, Shape: []int{d.Len}}
		if d.Unlimited {
			ds.MaxShape = []int{h5.Unlimited}
			ds.Chunks = []int{max(1, min(d.Len, 1024))}
		}
		if err := w.ensureGroups(p); err != nil {
			return w.fail("", "create", fmt.Errorf("dimension %s: %w", d.Name, err))
		}
		sd, err := w.h.CreateDataset(p, ds, h5.CacheOptions{})
		if err != nil {
			return w.fail("", "create", fmt.Errorf("dimension %s: %w", d.Name, err))
		}
		if err := sd.SetScale(fmt.Sprintf("%s.%10d", netcdfDimOnly, d.Len)); err != nil {
			return w.fail("", "create", fmt.Errorf("dimension %s: %w", d.Name, err))
		}
		scales[d.Name] = sd
	}
	for i := range plans {
		vp := &plans[i]
		w.order = append(w.order, vp.path)
		if vp.coord {
			continue
		}
		if _, err := w.createVar(vp); err != nil {
			return err
		}
	}
	for _, vp := range plans {
		s := w.sinks[vp.path]
		for axis, dn := range vp.spec.Dims {
			if vp.coord {
				break
			}
			if err := s.d.AttachScale(scales[dn], axis); err != nil {
				return w.fail(vp.spec.Name, "create", err)
			}
		}
	}
	for _, a := range spec.Attrs {
		if err := w.h.SetAttr("/", a.Name, a.Value); err != nil {
			return w.fail("", "create", fmt.Errorf("global attribute: %w", err))
		}
	}
	return nil
}

// ensureGroups creates the groups above the dataset path p that do not
// exist yet. Groups are made just before their first dataset, so a reader
// that follows creation order meets the variables in the spec's order.
func (w *writer) ensureGroups(p string) error {
	var missing []string
	for g := path.Dir(p); !w.groups[g]; g = path.Dir(g) {
		missing = append(missing, g)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := w.h.CreateGroup(missing[i]); err != nil {
			return fmt.Errorf("group %s: %w", missing[i], err)
		}
		w.groups[missing[i]] = true
	}
	return nil
}

// createVar creates the dataset of vp with its attributes and its sink.
func (w *writer) createVar(vp *varPlan) (*sink, error) {
	vs := vp.spec
	if err := w.ensureGroups(vp.path); err != nil {
		return nil, w.fail(vs.Name, "create", err)
	}
	ds := h5.DatasetSpec{DType: vs.DType, Shape: vp.shape, MaxShape: vp.maxShape, Chunks: vp.chunks, FillValue: vs.FillValue}
	if vp.chunks != nil {
		ds.Shuffle, ds.Deflate = vs.Shuffle, vs.Deflate
	}
	cache := w.opts.CacheBytes
	if cache <= 0 && vp.chunks != nil {
		// Writes that are not whole chunks go through the library's cache,
		// which must hold a chunk or it recompresses it on every write.
		cache = max(defaultCache, int64(chunk.Size(vp.chunks)*vs.DType.Size()))
	}
	d, err := w.h.CreateDataset(vp.path, ds, h5.CacheOptions{Bytes: cache})
	if err != nil {
		return nil, w.fail(vs.Name, "create", err)
	}
	for _, a := range vs.Attrs {
		if err := d.SetAttr(a.Name, a.Value); err != nil {
			return nil, w.fail(vs.Name, "create", err)
		}
	}
	s := &sink{w: w, name: vs.Name, d: d, dtype: vs.DType, shape: vp.shape, chunks: vp.chunks}
	if vp.chunks != nil {
		s.codec = h5.CodecOf(ds.Shuffle, ds.Deflate, vs.DType.Size())
		s.pad = make([]byte, vs.DType.Size())
		if vs.FillValue != nil {
			b, _, _, _ := h5.ElemBytes(vs.FillValue)
			copy(s.pad, b)
		}
	}
	w.sinks[vp.path] = s
	return s, nil
}

// Sink implements dataset.Writer.
func (w *writer) Sink(name string) (exec.Sink, error) {
	s, ok := w.sinks["/"+strings.TrimPrefix(name, "/")]
	if !ok {
		names := make([]string, len(w.order))
		for i, p := range w.order {
			names[i] = strings.TrimPrefix(p, "/")
		}
		return nil, w.fail(name, "write", fmt.Errorf("%w (variables: %s)", dataset.ErrNoVariable, strings.Join(names, ", ")))
	}
	return s, nil
}

// Commit implements dataset.Writer: it closes the file, fsyncs it and
// renames it into place.
func (w *writer) Commit(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch w.state {
	case aborted:
		return w.fail("", "commit", errors.New("the write was aborted"))
	case committed:
		return w.fail("", "commit", errors.New("already committed"))
	}
	if err := ctx.Err(); err != nil {
		w.abortLocked()
		return w.fail("", "commit", err)
	}
	if err := w.h.Close(); err != nil {
		w.abortLocked()
		return w.fail("", "commit", err)
	}
	if err := dataset.CommitFile(w.tmp, w.path, w.opts.Overwrite); err != nil {
		w.abortLocked()
		return err
	}
	w.state = committed
	return nil
}

// Abort implements dataset.Writer: it closes and removes the temporary
// file. Aborting twice, or after Commit, does nothing.
func (w *writer) Abort() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state != writing {
		return nil
	}
	return w.abortLocked()
}

func (w *writer) abortLocked() error {
	w.state = aborted
	// The file is being thrown away: a failure to close it (a full disk)
	// does not matter, a failure to remove it does.
	w.h.Close()
	if err := os.Remove(w.tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return w.fail("", "abort", err)
	}
	return nil
}

// sink writes one variable.
type sink struct {
	w      *writer
	name   string
	d      *h5.Dataset
	dtype  chunk.DType
	shape  []int
	chunks []int     // nil: contiguous
	codec  *h5.Codec // for chunked variables
	pad    []byte    // one element of the fill value, for ragged edge chunks
}

var _ exec.Sink = (*sink)(nil)

// Shape implements exec.Sink.
func (s *sink) Shape() []int { return s.shape }

// DType implements exec.Sink.
func (s *sink) DType() chunk.DType { return s.dtype }

// WriteBufferBytes implements exec.BufferedSink (see
// dataset.WriteBufferBytes).
func (s *sink) WriteBufferBytes() int64 {
	return dataset.WriteBufferBytes(s.chunks, s.dtype, s.chunks != nil && !s.codec.Identity())
}

// WriteRegion implements exec.Sink. A region made of whole storage chunks
// is shuffled and deflated here, on the caller's goroutine, and each chunk
// handed to the library ready to store; any other region is written by the
// library, which compresses it.
func (s *sink) WriteRegion(ctx context.Context, r chunk.Region, data []byte) error {
	if err := ctx.Err(); err != nil {
		return s.w.fail(s.name, "write", err)
	}
	if err := checkRegion(s.shape, s.dtype, r, len(data)); err != nil {
		return s.w.fail(s.name, "write", err)
	}
	s.w.mu.RLock()
	defer s.w.mu.RUnlock()
	if s.w.state != writing {
		return s.w.fail(s.name, "write", errors.New("the file was already committed or aborted"))
	}
	if r.Size() == 0 {
		return nil
	}
	if s.chunks != nil && alignedToChunks(r, s.shape, s.chunks) {
		return s.writeChunks(ctx, r, data)
	}
	if err := s.d.Write(r.Start, r.Shape, data); err != nil {
		return s.w.fail(s.name, "write", err)
	}
	return nil
}

// writeChunks encodes the whole chunks making up r and stores each with
// H5Dwrite_chunk, holding the library lock only for the store.
func (s *sink) writeChunks(ctx context.Context, r chunk.Region, data []byte) error {
	es := s.dtype.Size()
	chunkBytes := chunk.Size(s.chunks) * es
	full := getBuf(chunkBytes)
	defer bufPool.Put(full)
	enc := getBuf(chunkBytes + chunkBytes/100 + 64)
	defer bufPool.Put(enc)
	zero := make([]int, len(s.chunks))
	return forChunks(r, s.chunks, func(off []int) error {
		if err := ctx.Err(); err != nil {
			return s.w.fail(s.name, "write", err)
		}
		part := chunk.Region{Start: off, Shape: make([]int, len(off))}
		for i := range off {
			part.Shape[i] = min(s.chunks[i], s.shape[i]-off[i])
		}
		raw := *full
		if chunk.EqualInts(r.Shape, s.chunks) {
			// The region is this one chunk: encode it where it lies.
			raw = data
		} else {
			if !chunk.EqualInts(part.Shape, s.chunks) {
				// A ragged edge chunk is stored at full size, padded
				// with the fill value as the library pads it.
				for i := 0; i < len(raw); i += es {
					copy(raw[i:i+es], s.pad)
				}
			}
			ops.CopyRegion(raw, s.chunks, zero, data, r.Shape, relStart(off, r.Start), part.Shape, es)
		}
		stored := raw
		if !s.codec.Identity() {
			var err error
			if stored, err = s.codec.Encode(raw, *enc); err != nil {
				return s.w.fail(s.name, "write", fmt.Errorf("chunk at %v: %w", off, err))
			}
			if cap(stored) > cap(*enc) {
				*enc = stored[:cap(stored)]
			}
		}
		if err := s.d.WriteChunk(off, 0, stored); err != nil {
			return s.w.fail(s.name, "write", err)
		}
		return nil
	})
}

// Commit implements exec.Sink. The variable's data is already with the
// library, so there is nothing to do but refuse when the file was aborted;
// the Writer's Commit makes the file visible.
func (s *sink) Commit(ctx context.Context) error {
	s.w.mu.RLock()
	defer s.w.mu.RUnlock()
	if s.w.state == aborted {
		return s.w.fail(s.name, "commit", errors.New("the write was aborted"))
	}
	return ctx.Err()
}

// Abort implements exec.Sink: it aborts the whole file.
func (s *sink) Abort() error { return s.w.Abort() }
