// Package memio is an in-memory dataset driver, registered as "memory"
// (Spec.Format "memory"). Files live in a process-wide table keyed by
// path: a Writer builds one out of sight and Commit publishes it, so Open
// only ever sees complete files, as with the on-disk drivers' atomic
// rename. It supports every chunk.DType, attributes of every kind,
// unlimited dimensions, groups (variable names like "/grp/sub/v") and fill
// values; storage chunks and filters are recorded as given and reported
// back, but nothing is compressed.
//
// memio is the reference driver the io/iotest conformance suite is
// validated against, and a convenient stand-in for a file in tests. It
// must never touch the disk. Its files are not on disk, so dataset.Open
// (which sniffs a file's first bytes) cannot find them: open them with
// memio.Open, and drop them with memio.Remove.
package memio

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/ops"
)

// Format is the Spec.Format memio writes and the Info.Format it reports.
const Format = "memory"

func init() { dataset.Register(Driver{}) }

// Driver is the memory driver. The zero value is ready to use; all Drivers
// share one table of files.
type Driver struct{}

var _ dataset.Driver = Driver{}

// Name implements dataset.Driver.
func (Driver) Name() string { return "memory" }

// Sniff implements dataset.Driver. It always reports false: memio files are
// not on disk, so there are never bytes to recognise.
func (Driver) Sniff([]byte) bool { return false }

// Formats implements dataset.Driver.
func (Driver) Formats() []string { return []string{Format} }

// Open implements dataset.Driver; see the package function Open.
func (Driver) Open(path string, _ dataset.OpenOptions) (dataset.File, error) { return Open(path) }

// Create implements dataset.Driver; see the package function Create.
func (Driver) Create(path string, spec dataset.Spec, opts dataset.CreateOptions) (dataset.Writer, error) {
	return Create(path, spec, opts)
}

// store is the process-wide table of committed files. A committed file is
// never modified: Commit over an existing path replaces the entry, and
// Files opened earlier keep reading the old contents, like an unlinked file
// on Unix.
var store = struct {
	sync.Mutex
	files map[string]*fileData
}{files: map[string]*fileData{}}

// fileData is a committed file.
type fileData struct {
	info dataset.Info
	vars map[string]*varData
}

// varData is a committed variable: its description and its elements in
// row-major native byte order.
type varData struct {
	info dataset.VarInfo
	data []byte
}

// Open opens the file committed at path. A path nothing was committed to
// fails with dataset.ErrNotExist.
func Open(path string) (dataset.File, error) {
	store.Lock()
	fd, ok := store.files[path]
	store.Unlock()
	if !ok {
		return nil, &dataset.Error{Path: path, Op: "open", Err: dataset.ErrNotExist}
	}
	return &file{path: path, fd: fd}, nil
}

// Remove drops the file committed at path. Files already open keep their
// contents. A path nothing was committed to fails with dataset.ErrNotExist.
func Remove(path string) error {
	store.Lock()
	defer store.Unlock()
	if _, ok := store.files[path]; !ok {
		return &dataset.Error{Path: path, Op: "remove", Err: dataset.ErrNotExist}
	}
	delete(store.files, path)
	return nil
}

// Exists reports whether a file is committed at path.
func Exists(path string) bool {
	store.Lock()
	defer store.Unlock()
	_, ok := store.files[path]
	return ok
}

// file is an open memio file.
type file struct {
	path   string
	fd     *fileData
	closed atomic.Bool
}

var _ dataset.File = (*file)(nil)

// Info implements dataset.File.
func (f *file) Info() *dataset.Info { return &f.fd.info }

// Var implements dataset.File.
func (f *file) Var(name string) (dataset.Var, error) {
	if f.closed.Load() {
		return nil, &dataset.Error{Path: f.path, Var: name, Op: "open", Err: os.ErrClosed}
	}
	vd, ok := f.fd.vars[name]
	if !ok {
		// Accept "v" for "/v" and the reverse, as Info.Var does.
		for n, d := range f.fd.vars {
			if strings.TrimPrefix(n, "/") == strings.TrimPrefix(name, "/") {
				vd, ok = d, true
				break
			}
		}
	}
	if !ok {
		return nil, dataset.NoVariable(f.path, name, &f.fd.info)
	}
	return &memVar{f: f, vd: vd}, nil
}

// Close implements dataset.File. Vars opened from f fail afterwards.
func (f *file) Close() error {
	f.closed.Store(true)
	return nil
}

// memVar is a variable of an open file.
type memVar struct {
	f  *file
	vd *varData
}

var _ dataset.Var = (*memVar)(nil)

// DType implements ndarray.Source.
func (v *memVar) DType() chunk.DType { return v.vd.info.DType }

// Shape implements ndarray.Source.
func (v *memVar) Shape() []int { return v.vd.info.Shape }

// StorageChunks implements ndarray.StorageChunker: the chunk shape given at
// creation, or nil.
func (v *memVar) StorageChunks() []int { return v.vd.info.StorageChunks }

// Name implements ndarray.Namer as "path:variable".
func (v *memVar) Name() string { return v.f.path + ":" + v.vd.info.Name }

// Info implements dataset.Var.
func (v *memVar) Info() dataset.VarInfo { return v.vd.info }

// ReadRegion implements ndarray.Source: it copies region r into dst.
func (v *memVar) ReadRegion(ctx context.Context, r chunk.Region, dst []byte) error {
	if err := ctx.Err(); err != nil {
		return &dataset.Error{Path: v.f.path, Var: v.vd.info.Name, Op: "read", Err: err}
	}
	if v.f.closed.Load() {
		return &dataset.Error{Path: v.f.path, Var: v.vd.info.Name, Op: "read", Err: os.ErrClosed}
	}
	info := &v.vd.info
	if err := checkRegion(info.Shape, info.DType, r, len(dst)); err != nil {
		return &dataset.Error{Path: v.f.path, Var: info.Name, Op: "read", Err: err}
	}
	if r.Size() == 0 {
		return nil
	}
	ops.CopyRegion(dst, r.Shape, make([]int, len(r.Shape)), v.vd.data, info.Shape, r.Start, r.Shape, info.DType.Size())
	return nil
}

// checkRegion validates a region of an array of the given shape and dtype
// and the length of the buffer holding it.
func checkRegion(shape []int, dt chunk.DType, r chunk.Region, n int) error {
	if len(r.Start) != len(shape) || len(r.Shape) != len(shape) {
		return fmt.Errorf("region %v has rank %d/%d, the variable %d: %w", r, len(r.Start), len(r.Shape), len(shape), chunk.ErrShape)
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

// Writer states.
const (
	open = iota
	committed
	aborted
)

// writer builds a file; Commit publishes it.
type writer struct {
	path string
	opts dataset.CreateOptions
	info dataset.Info
	vars []*sink // in spec order
	// mu guards state and the sinks' handed/done flags. WriteRegion holds
	// it for reading while it copies, so Commit and Abort (which hold it
	// for writing) never see a copy half done.
	mu    sync.RWMutex
	state int
}

var _ dataset.Writer = (*writer)(nil)

// Create starts a file at path (Spec.Format "memory" or ""). Every variable
// starts filled with its fill value, or zeros. It fails with
// dataset.ErrExist if a file is committed at path and opts.Overwrite is
// false, and with chunk.ErrShape, chunk.ErrDType or chunk.ErrUnsupported
// for an invalid spec.
func Create(path string, spec dataset.Spec, opts dataset.CreateOptions) (dataset.Writer, error) {
	fail := func(v string, err error) error { return &dataset.Error{Path: path, Var: v, Op: "create", Err: err} }
	if spec.Format != Format && spec.Format != "" {
		return nil, fail("", fmt.Errorf("format %q (memio writes %q): %w", spec.Format, Format, chunk.ErrUnsupported))
	}
	if !opts.Overwrite && Exists(path) {
		return nil, fail("", fmt.Errorf("%w (CreateOptions.Overwrite replaces it)", dataset.ErrExist))
	}
	w := &writer{path: path, opts: opts}
	w.info = dataset.Info{Path: path, Format: Format, Groups: []string{"/"}}
	dims := map[string]bool{}
	for _, d := range spec.Dims {
		if d.Name == "" || strings.Contains(d.Name, "/") {
			return nil, fail("", fmt.Errorf("dimension name %q: %w", d.Name, chunk.ErrShape))
		}
		if dims[d.Name] {
			return nil, fail("", fmt.Errorf("dimension %q declared twice: %w", d.Name, chunk.ErrShape))
		}
		if d.Len < 0 {
			return nil, fail("", fmt.Errorf("dimension %q has length %d: %w", d.Name, d.Len, chunk.ErrShape))
		}
		dims[d.Name] = true
		w.info.Dims = append(w.info.Dims, d)
	}
	attrs, err := cloneAttrs(spec.Attrs)
	if err != nil {
		return nil, fail("", err)
	}
	w.info.Attrs = attrs
	groups := map[string]bool{}
	names := map[string]bool{}
	for _, vs := range spec.Vars {
		if err := checkVarName(vs.Name); err != nil {
			return nil, fail(vs.Name, err)
		}
		key := strings.TrimPrefix(vs.Name, "/")
		if names[key] {
			return nil, fail(vs.Name, fmt.Errorf("variable declared twice: %w", chunk.ErrShape))
		}
		names[key] = true
		info, err := varInfo(spec, vs)
		if err != nil {
			return nil, fail(vs.Name, err)
		}
		// Aligned for its dtype, so chunk.Cast works on it like on a Dense.
		data := alignedBytes(chunk.Size(info.Shape) * info.DType.Size())
		if info.FillValue != nil {
			fillBytes(data, valueBytes(info.FillValue))
		}
		w.vars = append(w.vars, &sink{w: w, info: info, data: data})
		for g := parentGroup(vs.Name); g != "/"; g = parentGroup(g) {
			groups[g] = true
		}
		w.info.Vars = append(w.info.Vars, info)
	}
	for g := range groups {
		w.info.Groups = append(w.info.Groups, g)
	}
	sort.Strings(w.info.Groups[1:])
	return w, nil
}

// checkVarName accepts "v" and group paths like "/grp/sub/v".
func checkVarName(name string) error {
	if name == "" || name == "/" {
		return fmt.Errorf("empty variable name: %w", chunk.ErrShape)
	}
	rest := strings.TrimPrefix(name, "/")
	if strings.Contains(rest, "/") && !strings.HasPrefix(name, "/") {
		return fmt.Errorf("variable name %q: a name in a group starts with \"/\": %w", name, chunk.ErrShape)
	}
	for _, part := range strings.Split(rest, "/") {
		if part == "" {
			return fmt.Errorf("variable name %q has an empty path element: %w", name, chunk.ErrShape)
		}
	}
	return nil
}

// parentGroup returns the group holding a variable or group path ("/" for
// the root).
func parentGroup(name string) string {
	i := strings.LastIndex(name, "/")
	if i <= 0 {
		return "/"
	}
	return name[:i]
}

// varInfo checks a variable spec and describes the variable.
func varInfo(spec dataset.Spec, vs dataset.VarSpec) (dataset.VarInfo, error) {
	if !vs.DType.Valid() {
		return dataset.VarInfo{}, fmt.Errorf("dtype %s: %w", vs.DType, chunk.ErrDType)
	}
	shape, err := spec.Shape(vs)
	if err != nil {
		return dataset.VarInfo{}, err
	}
	if err := chunk.CheckShape(shape); err != nil {
		return dataset.VarInfo{}, err
	}
	info := dataset.VarInfo{
		Name:   vs.Name,
		Dims:   slices.Clone(vs.Dims),
		Shape:  shape,
		DType:  vs.DType,
		Type:   vs.DType.String(),
		Layout: "contiguous",
	}
	if len(vs.Dims) == 1 && vs.Dims[0] == strings.TrimPrefix(vs.Name, "/") {
		info.Coordinate = true
	}
	if vs.Chunks != nil {
		if len(vs.Chunks) != len(shape) {
			return dataset.VarInfo{}, fmt.Errorf("storage chunks %v for shape %v: %w", vs.Chunks, shape, chunk.ErrChunks)
		}
		for _, c := range vs.Chunks {
			if c <= 0 {
				return dataset.VarInfo{}, fmt.Errorf("storage chunks %v: %w", vs.Chunks, chunk.ErrChunks)
			}
		}
		info.Layout = "chunked"
		info.StorageChunks = slices.Clone(vs.Chunks)
	}
	if vs.Deflate < 0 || vs.Deflate > 9 {
		return dataset.VarInfo{}, fmt.Errorf("deflate level %d (want 0-9): %w", vs.Deflate, chunk.ErrUnsupported)
	}
	if (vs.Deflate > 0 || vs.Shuffle) && vs.Chunks == nil {
		// The on-disk formats filter only chunked data; mirror them so the
		// reported layout is one a real file could have.
		info.Layout = "chunked"
		info.StorageChunks = slices.Clone(shape)
		for i, s := range info.StorageChunks {
			info.StorageChunks[i] = max(s, 1)
		}
	}
	// HDF5 runs shuffle before deflate, and lists the pipeline in that
	// order.
	if vs.Shuffle {
		info.Filters = append(info.Filters, dataset.Filter{Name: "shuffle", ID: 2, Params: []uint32{uint32(vs.DType.Size())}, Available: true})
	}
	if vs.Deflate > 0 {
		info.Filters = append(info.Filters, dataset.Filter{Name: "deflate", ID: 1, Params: []uint32{uint32(vs.Deflate)}, Available: true})
	}
	if vs.FillValue != nil {
		dt, n, ok := valueDType(vs.FillValue)
		if !ok || dt != vs.DType || n != 1 {
			return dataset.VarInfo{}, fmt.Errorf("fill value %#v is not a one-element []%s: %w", vs.FillValue, vs.DType, chunk.ErrDType)
		}
		info.FillValue = cloneValue(vs.FillValue)
	}
	attrs, err := cloneAttrs(vs.Attrs)
	if err != nil {
		return dataset.VarInfo{}, err
	}
	info.Attrs = attrs
	return info, nil
}

// Sink implements dataset.Writer.
func (w *writer) Sink(name string) (exec.Sink, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state != open {
		return nil, &dataset.Error{Path: w.path, Var: name, Op: "write", Err: w.stateErr()}
	}
	for _, s := range w.vars {
		if s.info.Name == name || strings.TrimPrefix(s.info.Name, "/") == strings.TrimPrefix(name, "/") {
			s.handed = true
			return s, nil
		}
	}
	return nil, dataset.NoVariable(w.path, name, &w.info)
}

func (w *writer) stateErr() error {
	if w.state == committed {
		return fmt.Errorf("file already committed")
	}
	return fmt.Errorf("file aborted")
}

// Commit implements dataset.Writer: it publishes the file, replacing any
// file at the path when CreateOptions.Overwrite is set. Every sink handed
// out must have been committed; variables never written hold their fill
// value. A failed Commit leaves the writer open, to be aborted.
func (w *writer) Commit(ctx context.Context) error {
	fail := func(err error) error { return &dataset.Error{Path: w.path, Op: "commit", Err: err} }
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state != open {
		return fail(w.stateErr())
	}
	var pending []string
	for _, s := range w.vars {
		if s.handed && !s.done {
			pending = append(pending, s.info.Name)
		}
	}
	if len(pending) > 0 {
		return fail(fmt.Errorf("variables %s not complete (their sinks were not committed): %w", strings.Join(pending, ", "), chunk.ErrShape))
	}
	fd := &fileData{info: w.info, vars: make(map[string]*varData, len(w.vars))}
	for _, s := range w.vars {
		fd.vars[s.info.Name] = &varData{info: s.info, data: s.data}
	}
	store.Lock()
	defer store.Unlock()
	if _, exists := store.files[w.path]; exists && !w.opts.Overwrite {
		return fail(fmt.Errorf("%w (CreateOptions.Overwrite replaces it)", dataset.ErrExist))
	}
	store.files[w.path] = fd
	w.state = committed
	return nil
}

// Abort implements dataset.Writer: it discards the file. Aborting twice, or
// after Commit, does nothing.
func (w *writer) Abort() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state == open {
		w.state = aborted
		for _, s := range w.vars {
			s.data = nil
		}
	}
	return nil
}

// sink is the exec.Sink of one variable.
type sink struct {
	w      *writer
	info   dataset.VarInfo
	data   []byte
	handed bool // guarded by w.mu
	done   bool // guarded by w.mu
}

var _ exec.Sink = (*sink)(nil)

// Shape implements exec.Sink.
func (s *sink) Shape() []int { return s.info.Shape }

// DType implements exec.Sink.
func (s *sink) DType() chunk.DType { return s.info.DType }

// WriteRegion implements exec.Sink. Concurrent calls for disjoint regions
// are safe.
func (s *sink) WriteRegion(ctx context.Context, r chunk.Region, data []byte) error {
	fail := func(err error) error { return &dataset.Error{Path: s.w.path, Var: s.info.Name, Op: "write", Err: err} }
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if err := checkRegion(s.info.Shape, s.info.DType, r, len(data)); err != nil {
		return fail(err)
	}
	s.w.mu.RLock()
	defer s.w.mu.RUnlock()
	if s.w.state != open {
		return fail(s.w.stateErr())
	}
	if s.done {
		return fail(fmt.Errorf("variable already committed"))
	}
	if r.Size() == 0 {
		return nil
	}
	ops.CopyRegion(s.data, s.info.Shape, r.Start, data, r.Shape, make([]int, len(r.Shape)), r.Shape, s.info.DType.Size())
	return nil
}

// Commit implements exec.Sink: it marks the variable complete.
func (s *sink) Commit(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return &dataset.Error{Path: s.w.path, Var: s.info.Name, Op: "commit", Err: err}
	}
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	if s.w.state != open {
		return &dataset.Error{Path: s.w.path, Var: s.info.Name, Op: "commit", Err: s.w.stateErr()}
	}
	s.done = true
	return nil
}

// Abort implements exec.Sink: it aborts the whole file, as the
// dataset.Writer contract says.
func (s *sink) Abort() error { return s.w.Abort() }
