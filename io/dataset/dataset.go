// Package dataset is ndchunk's format-neutral view of array files (HDF5,
// NetCDF, in memory): a File holds dimensions, variables and attributes; a
// Var is a lazy source of array regions (it implements ndarray.Source); a
// Writer creates a file whose variables are exec.Sinks, written to a
// temporary name and renamed into place only when every variable is
// complete.
//
// Drivers register themselves by name (as database/sql drivers do); Open
// picks the driver from the file's first bytes. Import the drivers you need
// for their side effect:
//
//	import _ "github.com/ndchunk/ndchunk/io/hdf5"
//
// Errors name the file, the variable and the reason, and wrap the sentinels
// below so callers can test them with errors.Is.
package dataset

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/ndarray"
)

// Sentinel errors; the drivers wrap them in an *Error.
var (
	// ErrNotExist reports a missing file.
	ErrNotExist = errors.New("no such file")
	// ErrFormat reports a file no registered driver recognises, or a file
	// whose structure is damaged (empty, truncated).
	ErrFormat = errors.New("not a readable HDF5 or NetCDF file")
	// ErrNoVariable reports a variable or dataset that does not exist.
	ErrNoVariable = errors.New("no such variable")
	// ErrCorrupt reports data the library could not read back (a damaged
	// chunk, a failed checksum).
	ErrCorrupt = errors.New("corrupt data")
	// ErrFilter reports a compression filter the installed library lacks.
	ErrFilter = errors.New("filter not available")
	// ErrExist reports an output that exists and may not be replaced.
	ErrExist = errors.New("file exists")
)

// Error describes a failed operation on a file or one of its variables.
type Error struct {
	Path string // the file
	Var  string // the variable, if any
	Op   string // what was being done: "open", "read", "write", "create", ...
	Err  error  // the reason, wrapping a sentinel where one applies
}

// Error formats the error as "PATH: variable VAR: OP: REASON".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Var != "" {
		fmt.Fprintf(&b, ": variable %s", e.Var)
	}
	if e.Op != "" {
		fmt.Fprintf(&b, ": %s", e.Op)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

// Unwrap returns the reason.
func (e *Error) Unwrap() error { return e.Err }

// Attr is a named attribute. Value is a string, or a slice of one of the
// Go element types of chunk.Elem ([]float64, []int32, ...); a scalar
// attribute is a slice of length 1.
type Attr struct {
	Name  string
	Value any
}

// String formats the attribute as ncdump does, e.g. `units = "K"` or
// `valid_range = 0, 100`.
func (a Attr) String() string { return a.Name + " = " + FormatValue(a.Value) }

// FormatValue formats an attribute value: strings quoted, slices joined by
// commas.
func FormatValue(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	s := fmt.Sprint(v)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	return strings.ReplaceAll(s, " ", ", ")
}

// Dim is a named dimension.
type Dim struct {
	Name      string
	Len       int
	Unlimited bool
}

// Filter is a compression or transformation filter on a variable.
type Filter struct {
	Name string // "deflate", "shuffle", "fletcher32", "szip", "lzf", ...
	ID   int    // the HDF5 filter id
	// Params are the filter's parameters (the deflate level, ...).
	Params []uint32
	// Available reports whether the installed library can apply it.
	Available bool
}

// VarInfo describes a variable (a NetCDF variable or an HDF5 dataset).
type VarInfo struct {
	// Name is the variable's path: "t2m", or "/group/sub/name" for HDF5
	// datasets and NetCDF-4 variables in groups.
	Name  string
	Dims  []string // dimension names, one per axis ("" where unknown)
	Shape []int
	// DType is the element type ndchunk reads it as; chunk.Invalid when the
	// type is not supported (see Unsupported).
	DType chunk.DType
	// Type names the stored type as the file does ("float", "int64",
	// "compound", "string", ...).
	Type string
	// Unsupported says why the variable cannot be read, or "".
	Unsupported string
	// Layout is "chunked", "contiguous" or "compact".
	Layout string
	// StorageChunks is the storage chunk shape of a chunked variable.
	StorageChunks []int
	Filters       []Filter
	// FillValue is the declared fill value (a one-element slice), or nil.
	FillValue any
	Attrs     []Attr
	// Coordinate marks a coordinate variable (named like its only dimension).
	Coordinate bool
}

// Attr returns the attribute named name.
func (v VarInfo) Attr(name string) (Attr, bool) { return findAttr(v.Attrs, name) }

func findAttr(attrs []Attr, name string) (Attr, bool) {
	for _, a := range attrs {
		if a.Name == name {
			return a, true
		}
	}
	return Attr{}, false
}

// Info describes a file.
type Info struct {
	Path string
	// Format is "hdf5", "nc4", "nc4-classic", "nc3", "nc3-64bit", "cdf5" or
	// "memory".
	Format string
	Groups []string // group paths, "/" first
	Dims   []Dim
	Vars   []VarInfo
	Attrs  []Attr // global attributes
}

// Var returns the description of the named variable.
func (in *Info) Var(name string) (VarInfo, bool) {
	for _, v := range in.Vars {
		if v.Name == name || strings.TrimPrefix(v.Name, "/") == strings.TrimPrefix(name, "/") {
			return v, true
		}
	}
	return VarInfo{}, false
}

// VarNames lists the variable names.
func (in *Info) VarNames() []string {
	names := make([]string, len(in.Vars))
	for i, v := range in.Vars {
		names[i] = v.Name
	}
	return names
}

// Dim returns the named dimension.
func (in *Info) Dim(name string) (Dim, bool) {
	for _, d := range in.Dims {
		if d.Name == name {
			return d, true
		}
	}
	return Dim{}, false
}

// NoVariable returns the error for a missing variable, listing those that
// exist.
func NoVariable(path, name string, info *Info) error {
	names := info.VarNames()
	return &Error{Path: path, Var: name, Op: "open", Err: fmt.Errorf("%w (variables: %s)", ErrNoVariable, strings.Join(names, ", "))}
}

// File is an open array file.
type File interface {
	// Info describes the file; the caller must not modify it.
	Info() *Info
	// Var opens a variable for reading. It fails with ErrNoVariable (listing
	// the variables that exist) or chunk.ErrUnsupported (naming the type).
	Var(name string) (Var, error)
	// Close releases the file; Vars opened from it become unusable.
	Close() error
}

// Var is a readable variable: an ndarray.Source whose ReadRegion reads a
// hyperslab straight into the caller's buffer, converted to DType in
// native byte order.
type Var interface {
	ndarray.Source
	ndarray.StorageChunker
	ndarray.Namer
	Info() VarInfo
}

// VarSpec describes a variable to create.
type VarSpec struct {
	Name  string
	Dims  []string // names of dimensions declared in Spec.Dims
	DType chunk.DType
	// Chunks is the storage chunk shape (nil: contiguous where the format
	// allows it, else the driver's default).
	Chunks []int
	// Deflate is the zlib level 1-9 (0: none); Shuffle adds the byte
	// shuffle filter before it.
	Deflate int
	Shuffle bool
	// FillValue is a one-element slice of the variable's Go type, or nil.
	FillValue any
	Attrs     []Attr
}

// Spec describes a file to create.
type Spec struct {
	// Format: "nc4" (default for NetCDF), "nc4-classic", "nc3",
	// "nc3-64bit", "cdf5", "h5" or "memory".
	Format string
	Dims   []Dim
	Vars   []VarSpec
	Attrs  []Attr // global attributes
}

// Shape returns the shape of a variable of the spec from its dimensions.
func (s Spec) Shape(v VarSpec) ([]int, error) {
	shape := make([]int, len(v.Dims))
	for i, name := range v.Dims {
		found := false
		for _, d := range s.Dims {
			if d.Name == name {
				shape[i], found = d.Len, true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("variable %s: dimension %q is not declared: %w", v.Name, name, chunk.ErrShape)
		}
	}
	return shape, nil
}

// Writer is a file being created. Every variable is written through its
// Sink (in any order, blocks from several goroutines); Commit, once every
// variable is complete, flushes, fsyncs and renames the file into place;
// Abort removes the temporary file and leaves any existing destination
// untouched.
type Writer interface {
	// Sink returns the sink of the named variable. Its Commit marks the
	// variable complete; its Abort aborts the whole file.
	Sink(name string) (exec.Sink, error)
	Commit(ctx context.Context) error
	Abort() error
}

// OpenOptions tune opening.
type OpenOptions struct {
	// CacheBytes is the memory the library's chunk cache may use per open
	// variable (0: the driver's small default). Callers keeping a memory
	// budget take it out of the budget.
	CacheBytes int64
}

// CreateOptions tune creation.
type CreateOptions struct {
	// Overwrite allows replacing an existing file (only at Commit).
	Overwrite bool
	// CacheBytes bounds the library's chunk cache while writing.
	CacheBytes int64
}

// Driver is a file format implementation.
type Driver interface {
	// Name is the driver's registered name ("hdf5", "netcdf", "memory").
	Name() string
	// Sniff reports whether a file starting with header (up to 512 bytes)
	// is for this driver.
	Sniff(header []byte) bool
	// Formats lists the Spec.Format values the driver writes.
	Formats() []string
	Open(path string, opts OpenOptions) (File, error)
	Create(path string, spec Spec, opts CreateOptions) (Writer, error)
}

var (
	driversMu sync.RWMutex
	drivers   = map[string]Driver{}
)

// Register makes a driver available to Open and Create. It panics if a
// driver of that name is already registered.
func Register(d Driver) {
	driversMu.Lock()
	defer driversMu.Unlock()
	if _, dup := drivers[d.Name()]; dup {
		panic("dataset: Register called twice for driver " + d.Name())
	}
	drivers[d.Name()] = d
}

// Drivers lists the registered driver names, sorted.
func Drivers() []string {
	driversMu.RLock()
	defer driversMu.RUnlock()
	var names []string
	for n := range drivers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the registered driver of that name.
func Lookup(name string) (Driver, bool) {
	driversMu.RLock()
	defer driversMu.RUnlock()
	d, ok := drivers[name]
	return d, ok
}

// ForFormat returns the driver that writes format.
func ForFormat(format string) (Driver, error) {
	driversMu.RLock()
	defer driversMu.RUnlock()
	for _, n := range sortedKeys(drivers) {
		for _, f := range drivers[n].Formats() {
			if f == format {
				return drivers[n], nil
			}
		}
	}
	return nil, fmt.Errorf("dataset: no driver writes format %q (drivers: %s): %w", format, strings.Join(sortedKeys(drivers), ", "), chunk.ErrUnsupported)
}

func sortedKeys(m map[string]Driver) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Create creates a file of spec.Format with the driver that writes it.
func Create(path string, spec Spec, opts CreateOptions) (Writer, error) {
	d, err := ForFormat(spec.Format)
	if err != nil {
		return nil, &Error{Path: path, Op: "create", Err: err}
	}
	return d.Create(path, spec, opts)
}
