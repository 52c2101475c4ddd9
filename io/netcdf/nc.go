package netcdf

/*
#cgo pkg-config: netcdf
#include <stdlib.h>
#include <netcdf.h>
#include <netcdf_filter.h>
*/
import "C"

import (
	"fmt"
	"syscall"
	"unsafe"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
)

// This file holds the binding's shared parts: the type table, error
// translation and the helpers that move data across cgo. Every call into
// libnetcdf runs inside h5.Do, which holds the one C-library lock (package
// clib), pins the goroutine to its thread and turns off libhdf5's error
// printing for that thread: Debian's libhdf5 is built thread-safe, with an
// error stack per thread, and libnetcdf quiets only the thread it was
// initialised on, so a call from any other thread would print HDF5's
// error stack to stderr. Functions here that call C expect to run inside
// h5.Do ("the clib lock" below).

// ncType describes one netCDF atomic type.
type ncType struct {
	xtype C.nc_type
	dtype chunk.DType // chunk.Invalid for char and string
	name  string      // the CDL name, as ncdump prints it
	// classic says whether the classic data model (nc3, nc3-64bit,
	// nc4-classic) has the type.
	classic bool
}

// ncTypes lists the atomic types, indexed by nc_type.
var ncTypes = [...]ncType{
	C.NC_BYTE:   {C.NC_BYTE, chunk.Int8, "byte", true},
	C.NC_CHAR:   {C.NC_CHAR, chunk.Invalid, "char", true},
	C.NC_SHORT:  {C.NC_SHORT, chunk.Int16, "short", true},
	C.NC_INT:    {C.NC_INT, chunk.Int32, "int", true},
	C.NC_FLOAT:  {C.NC_FLOAT, chunk.Float32, "float", true},
	C.NC_DOUBLE: {C.NC_DOUBLE, chunk.Float64, "double", true},
	C.NC_UBYTE:  {C.NC_UBYTE, chunk.Uint8, "ubyte", false},
	C.NC_USHORT: {C.NC_USHORT, chunk.Uint16, "ushort", false},
	C.NC_UINT:   {C.NC_UINT, chunk.Uint32, "uint", false},
	C.NC_INT64:  {C.NC_INT64, chunk.Int64, "int64", false},
	C.NC_UINT64: {C.NC_UINT64, chunk.Uint64, "uint64", false},
	C.NC_STRING: {C.NC_STRING, chunk.Invalid, "string", false},
}

// atomicType returns the description of an atomic type, or false for a
// user-defined one.
func atomicType(xt C.nc_type) (ncType, bool) {
	if xt <= 0 || int(xt) >= len(ncTypes) {
		return ncType{}, false
	}
	return ncTypes[xt], true
}

// ncTypeOf returns the netCDF type that stores dtype d. Bool is stored as
// byte, as xarray does (with a dtype = "bool" attribute, see boolAttr).
func ncTypeOf(d chunk.DType) (ncType, bool) {
	if d == chunk.Bool {
		return ncTypes[C.NC_BYTE], true
	}
	for _, t := range ncTypes {
		if t.dtype == d && d.Valid() {
			return t, true
		}
	}
	return ncType{}, false
}

// boolAttr marks a byte variable holding booleans, following xarray's
// encoding of NumPy bool arrays.
const boolAttr = "dtype"

// userClassNames names the classes of user-defined types.
var userClassNames = map[C.int]string{
	C.NC_VLEN:     "vlen",
	C.NC_OPAQUE:   "opaque",
	C.NC_ENUM:     "enum",
	C.NC_COMPOUND: "compound",
}

// ncCode is a netCDF status code as a Go error: negative codes are the
// library's, positive ones operating-system errno values.
type ncCode C.int

// Error returns the library's message for the code (nc_strerror only
// looks up a constant string, so it needs no lock).
func (c ncCode) Error() string {
	if c > 0 {
		return syscall.Errno(c).Error()
	}
	return C.GoString(C.nc_strerror(C.int(c)))
}

// Unwrap lets errors.Is see the operating system error behind a positive
// code (ENOENT, ENOSPC, ...).
func (c ncCode) Unwrap() error {
	if c > 0 {
		return syscall.Errno(c)
	}
	return nil
}

// Context of a failing call, used to choose the sentinel an ambiguous
// code stands for: NC_EHDFERR while opening means the file's structure is
// damaged, while reading data it means a damaged chunk.
type callKind int

const (
	kindOpen callKind = iota
	kindMeta
	kindRead
	kindWrite
)

// reason turns a non-zero status into the Go error that explains it,
// wrapping the sentinel the status stands for.
func reason(status C.int, kind callKind) error {
	code := ncCode(status)
	var sentinel error
	switch status {
	case C.ENOENT:
		sentinel = dataset.ErrNotExist
	case C.NC_ENOTNC, C.NC_ETRUNC, C.NC_ENOTNC3, C.NC_ENOTNC4, C.NC_EVARSIZE, C.NC_ENULLPAD,
		C.NC_EFILEMETA, C.NC_EDIMMETA, C.NC_EATTMETA, C.NC_EVARMETA, C.NC_EDIMSCALE:
		sentinel = dataset.ErrFormat
	case C.NC_ENOFILTER, C.NC_EFILTER, C.NC_EPLUGIN:
		sentinel = dataset.ErrFilter
	case C.NC_EINVAL:
		// nc_open's answer to some damaged classic headers.
		if kind == kindOpen {
			sentinel = dataset.ErrFormat
		}
	case C.NC_EHDFERR, C.NC_ECANTREAD:
		switch kind {
		case kindOpen:
			sentinel = dataset.ErrFormat
		case kindRead:
			sentinel = dataset.ErrCorrupt
		}
	case C.NC_ENOTVAR:
		sentinel = dataset.ErrNoVariable
	case C.NC_EBADTYPE, C.NC_ESTRICTNC3:
		sentinel = chunk.ErrDType
	case C.NC_EEDGE, C.NC_EINVALCOORDS:
		sentinel = chunk.ErrIndex
	}
	if sentinel == nil {
		return code
	}
	if status == C.NC_EHDFERR {
		// "HDF error" alone does not tell a user what went wrong.
		switch kind {
		case kindOpen:
			return fmt.Errorf("%w (the HDF5 structure is damaged or truncated): %w", code, sentinel)
		case kindRead:
			return fmt.Errorf("%w (a chunk could not be read or decompressed): %w", code, sentinel)
		}
	}
	return fmt.Errorf("%w: %w", code, sentinel)
}

// cstr is a C copy of s; free it with C.free.
func cstr(s string) *C.char { return C.CString(s) }

// sizes converts Go ints to a C size_t array held in Go memory (cgo may
// pass it: it holds no Go pointers).
func sizes(v []int) []C.size_t {
	out := make([]C.size_t, len(v))
	for i, x := range v {
		out[i] = C.size_t(x)
	}
	return out
}

// sizePtr returns a pointer to the first element, or nil for rank 0 (the
// library ignores start and count then).
func sizePtr(v []C.size_t) *C.size_t {
	if len(v) == 0 {
		return nil
	}
	return &v[0]
}

// bytePtr returns a pointer to the first byte of b, or nil.
func bytePtr(b []byte) unsafe.Pointer {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Pointer(&b[0])
}

// groupName returns the name of group gid ("/" for the root group).
func groupName(gid C.int) (string, error) {
	var buf [C.NC_MAX_NAME + 1]C.char
	if st := C.nc_inq_grpname(gid, &buf[0]); st != 0 {
		return "", reason(st, kindMeta)
	}
	return C.GoString(&buf[0]), nil
}
