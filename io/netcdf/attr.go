package netcdf

/*
#include <stdlib.h>
#include <netcdf.h>
*/
import "C"

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
)

// reservedAttrs are names the netCDF-4 library keeps for itself (hidden
// HDF5 attributes and ncdump -s's virtual ones). Writing one fails or means
// nothing, so the writer skips them: they arrive when a file is converted.
var reservedAttrs = map[string]bool{
	"_NCProperties": true, "_IsNetcdf4": true, "_SuperblockVersion": true,
	"_Netcdf4Dimid": true, "_Netcdf4Coordinates": true, "_nc3_strict": true,
	"_Format": true, "_Storage": true, "_ChunkSizes": true, "_DeflateLevel": true,
	"_Shuffle": true, "_Endianness": true, "_NoFill": true, "_Filter": true,
	"_Codecs": true, "_Fletcher32": true, "_QuantizeBitGroomNumberOfSignificantDigits": true,
}

// readAttrs reads the attributes of variable varid of group gid (varid
// NC_GLOBAL: the group's). Character attributes become strings (trailing
// NULs dropped, as C writers often include the terminator); string
// attributes become a string, several joined by newlines; numeric ones
// slices of their Go type. Attributes of user-defined types (enum,
// compound, ...) have no place in dataset.Attr and are left out.
func readAttrs(gid, varid C.int) ([]dataset.Attr, error) {
	var natts C.int
	var st C.int
	if varid == C.NC_GLOBAL {
		st = C.nc_inq_natts(gid, &natts)
	} else {
		st = C.nc_inq_varnatts(gid, varid, &natts)
	}
	if st != 0 {
		return nil, reason(st, kindMeta)
	}
	attrs := make([]dataset.Attr, 0, natts)
	var buf [C.NC_MAX_NAME + 1]C.char
	for i := C.int(0); i < natts; i++ {
		if st := C.nc_inq_attname(gid, varid, i, &buf[0]); st != 0 {
			return nil, reason(st, kindMeta)
		}
		name := C.GoString(&buf[0])
		v, ok, err := readAttr(gid, varid, &buf[0])
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", name, err)
		}
		if ok {
			attrs = append(attrs, dataset.Attr{Name: name, Value: v})
		}
	}
	return attrs, nil
}

// readAttr reads one attribute; ok is false for user-defined types.
func readAttr(gid, varid C.int, name *C.char) (v any, ok bool, err error) {
	var xt C.nc_type
	var n C.size_t
	if st := C.nc_inq_att(gid, varid, name, &xt, &n); st != 0 {
		return nil, false, reason(st, kindMeta)
	}
	get := func(p unsafe.Pointer) error {
		if n == 0 {
			return nil
		}
		if st := C.nc_get_att(gid, varid, name, p); st != 0 {
			return reason(st, kindMeta)
		}
		return nil
	}
	switch xt {
	case C.NC_CHAR:
		b := make([]byte, n)
		if err := get(bytePtr(b)); err != nil {
			return nil, false, err
		}
		return strings.TrimRight(string(b), "\x00"), true, nil
	case C.NC_STRING:
		if n == 0 {
			return "", true, nil
		}
		ptrs := make([]*C.char, n)
		if st := C.nc_get_att_string(gid, varid, name, &ptrs[0]); st != 0 {
			return nil, false, reason(st, kindMeta)
		}
		parts := make([]string, n)
		for i, p := range ptrs {
			if p != nil {
				parts[i] = C.GoString(p)
			}
		}
		C.nc_free_string(n, &ptrs[0])
		return strings.Join(parts, "\n"), true, nil
	}
	t, isAtomic := atomicType(xt)
	if !isAtomic {
		return nil, false, nil
	}
	val, p := newSlice(t.dtype, int(n))
	if err := get(p); err != nil {
		return nil, false, err
	}
	return val, true, nil
}

// newSlice returns a slice of n elements of dtype d's Go type and a
// pointer to its first element (nil when n is 0).
func newSlice(d chunk.DType, n int) (any, unsafe.Pointer) {
	switch d {
	case chunk.Int8:
		return sliceOf[int8](n)
	case chunk.Int16:
		return sliceOf[int16](n)
	case chunk.Int32:
		return sliceOf[int32](n)
	case chunk.Int64:
		return sliceOf[int64](n)
	case chunk.Uint8:
		return sliceOf[uint8](n)
	case chunk.Uint16:
		return sliceOf[uint16](n)
	case chunk.Uint32:
		return sliceOf[uint32](n)
	case chunk.Uint64:
		return sliceOf[uint64](n)
	case chunk.Float32:
		return sliceOf[float32](n)
	case chunk.Float64:
		return sliceOf[float64](n)
	case chunk.Bool:
		return sliceOf[bool](n)
	}
	return nil, nil
}

func sliceOf[T chunk.Elem](n int) (any, unsafe.Pointer) {
	s := make([]T, n)
	if n == 0 {
		return s, nil
	}
	return s, unsafe.Pointer(&s[0])
}

// attrData describes a Go attribute value for nc_put_att: its element
// dtype (Invalid for a string), its length and its first byte.
func attrData(v any) (d chunk.DType, n int, p unsafe.Pointer, err error) {
	switch x := v.(type) {
	case string:
		return chunk.Invalid, len(x), unsafe.Pointer(unsafe.StringData(x)), nil
	case []bool:
		// Stored as bytes 0 and 1, the netCDF spelling of booleans.
		b := make([]int8, len(x))
		for i, t := range x {
			if t {
				b[i] = 1
			}
		}
		return chunk.Int8, len(b), slicePtr(b), nil
	case []int8:
		return chunk.Int8, len(x), slicePtr(x), nil
	case []int16:
		return chunk.Int16, len(x), slicePtr(x), nil
	case []int32:
		return chunk.Int32, len(x), slicePtr(x), nil
	case []int64:
		return chunk.Int64, len(x), slicePtr(x), nil
	case []uint8:
		return chunk.Uint8, len(x), slicePtr(x), nil
	case []uint16:
		return chunk.Uint16, len(x), slicePtr(x), nil
	case []uint32:
		return chunk.Uint32, len(x), slicePtr(x), nil
	case []uint64:
		return chunk.Uint64, len(x), slicePtr(x), nil
	case []float32:
		return chunk.Float32, len(x), slicePtr(x), nil
	case []float64:
		return chunk.Float64, len(x), slicePtr(x), nil
	}
	return chunk.Invalid, 0, nil, fmt.Errorf("value of Go type %T is not a string or a slice of numbers: %w", v, chunk.ErrUnsupported)
}

func slicePtr[T chunk.Elem](s []T) unsafe.Pointer {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Pointer(&s[0])
}

// checkAttr verifies, before anything is created, that an attribute can
// be stored in a file of the given data model.
func checkAttr(a dataset.Attr, classic bool, format string) error {
	if a.Name == "" {
		return fmt.Errorf("attribute with an empty name: %w", chunk.ErrUnsupported)
	}
	d, _, _, err := attrData(a.Value)
	if err != nil {
		return fmt.Errorf("attribute %s: %w", a.Name, err)
	}
	if d == chunk.Invalid {
		return nil
	}
	t, _ := ncTypeOf(d)
	if classic && !t.classic {
		return fmt.Errorf("attribute %s: %s values cannot be stored in format %s (the classic data model has no unsigned or 64-bit integers): %w", a.Name, d, format, chunk.ErrDType)
	}
	return nil
}

// putAttr writes an attribute (already checked by checkAttr) to variable
// varid of group gid. The caller holds the clib lock.
func putAttr(gid, varid C.int, a dataset.Attr) error {
	d, n, p, err := attrData(a.Value)
	if err != nil {
		return err
	}
	name := cstr(a.Name)
	defer C.free(unsafe.Pointer(name))
	var st C.int
	if d == chunk.Invalid {
		// Text goes in a char attribute, as ncgen and xarray store it:
		// every netCDF format and reader has those.
		st = C.nc_put_att_text(gid, varid, name, C.size_t(n), (*C.char)(p))
	} else {
		t, _ := ncTypeOf(d)
		st = C.nc_put_att(gid, varid, name, t.xtype, C.size_t(n), p)
	}
	if st != 0 {
		return fmt.Errorf("attribute %s: %w", a.Name, reason(st, kindMeta))
	}
	return nil
}
