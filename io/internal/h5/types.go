package h5

// #include "helpers.h"
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/ndchunk/ndchunk/chunk"
)

// Class is an HDF5 datatype class.
type Class string

// The datatype classes.
const (
	Integer   Class = "integer"
	Float     Class = "float"
	String    Class = "string"
	Compound  Class = "compound"
	Enum      Class = "enum"
	VLen      Class = "vlen"
	Opaque    Class = "opaque"
	Reference Class = "reference"
	Array     Class = "array"
	Bitfield  Class = "bitfield"
	Time      Class = "time"
	Unknown   Class = "unknown"
)

// Type describes a stored datatype.
type Type struct {
	Class     Class
	Size      int  // bytes per element (for a variable-length string, of the pointer)
	Signed    bool // integers
	BigEndian bool // integers and floats
	// VarString marks a variable-length string.
	VarString bool
	// DType is what the type reads as, chunk.Invalid if ndchunk cannot
	// read it: integers widen to the next native size, floats of up to 4
	// bytes read as float32 and of 8 as float64, and h5py's bool enum as
	// bool.
	DType chunk.DType
}

// Name names the type as h5dump does ("H5T_STD_I16BE", "H5T_IEEE_F32LE",
// "H5T_STRING", "H5T_COMPOUND"), with a note where h5dump's name alone
// would hide something ("H5T_ENUM (bool)", "H5T_STRING (variable
// length)").
func (t Type) Name() string {
	order := "LE"
	if t.BigEndian {
		order = "BE"
	}
	switch t.Class {
	case Integer:
		sign := "U"
		if t.Signed {
			sign = "I"
		}
		switch t.Size {
		case 1, 2, 4, 8:
			return fmt.Sprintf("H5T_STD_%s%d%s", sign, 8*t.Size, order)
		}
		return fmt.Sprintf("H5T_INTEGER (%d bytes, %s)", t.Size, order)
	case Float:
		switch t.Size {
		case 4, 8:
			return fmt.Sprintf("H5T_IEEE_F%d%s", 8*t.Size, order)
		}
		return fmt.Sprintf("H5T_FLOAT (%d bytes, %s)", t.Size, order)
	case String:
		if t.VarString {
			return "H5T_STRING (variable length)"
		}
		return fmt.Sprintf("H5T_STRING (fixed length %d)", t.Size)
	case Enum:
		if t.DType == chunk.Bool {
			return "H5T_ENUM (bool)"
		}
		return "H5T_ENUM"
	case VLen:
		return "H5T_VLEN"
	}
	return "H5T_" + upper(string(t.Class))
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// Unsupported says why ndchunk cannot read the type as an array, or "".
func (t Type) Unsupported() string {
	if t.DType.Valid() {
		return ""
	}
	switch t.Class {
	case Integer:
		return fmt.Sprintf("%d-byte integer type is not supported", t.Size)
	case Float:
		return fmt.Sprintf("%d-byte float type is not supported", t.Size)
	case String:
		if t.VarString {
			return "string type (variable length) is not supported"
		}
		return fmt.Sprintf("string type (fixed length %d) is not supported", t.Size)
	case Enum:
		return "enum type (other than h5py's bool) is not supported"
	case VLen:
		return "variable-length (vlen) type is not supported"
	}
	return fmt.Sprintf("%s type is not supported", t.Class)
}

// describeType describes the type t; call inside Do.
func describeType(t C.hid_t) Type {
	var out Type
	out.Size = int(C.H5Tget_size(t))
	switch C.H5Tget_class(t) {
	case C.H5T_INTEGER:
		out.Class = Integer
		out.Signed = C.H5Tget_sign(t) == C.H5T_SGN_2
		out.BigEndian = C.H5Tget_order(t) == C.H5T_ORDER_BE
		out.DType = intDType(out.Size, out.Signed)
	case C.H5T_FLOAT:
		out.Class = Float
		out.BigEndian = C.H5Tget_order(t) == C.H5T_ORDER_BE
		switch {
		case out.Size <= 4:
			out.DType = chunk.Float32
		case out.Size == 8:
			out.DType = chunk.Float64
		}
	case C.H5T_STRING:
		out.Class = String
		out.VarString = C.H5Tis_variable_str(t) > 0
	case C.H5T_COMPOUND:
		out.Class = Compound
	case C.H5T_ENUM:
		out.Class = Enum
		if isBoolEnum(t) {
			out.DType = chunk.Bool
		}
	case C.H5T_VLEN:
		out.Class = VLen
	case C.H5T_OPAQUE:
		out.Class = Opaque
	case C.H5T_REFERENCE:
		out.Class = Reference
	case C.H5T_ARRAY:
		out.Class = Array
	case C.H5T_BITFIELD:
		out.Class = Bitfield
	case C.H5T_TIME:
		out.Class = Time
	default:
		out.Class = Unknown
	}
	return out
}

func intDType(size int, signed bool) chunk.DType {
	var s, u chunk.DType
	switch {
	case size <= 1:
		s, u = chunk.Int8, chunk.Uint8
	case size <= 2:
		s, u = chunk.Int16, chunk.Uint16
	case size <= 4:
		s, u = chunk.Int32, chunk.Uint32
	case size <= 8:
		s, u = chunk.Int64, chunk.Uint64
	default:
		return chunk.Invalid
	}
	if signed {
		return s
	}
	return u
}

// isBoolEnum reports whether t is h5py's bool: an enum over a one-byte
// integer with exactly the members FALSE = 0 and TRUE = 1.
func isBoolEnum(t C.hid_t) bool {
	if C.H5Tget_size(t) != 1 || C.H5Tget_nmembers(t) != 2 {
		return false
	}
	want := map[string]int8{"FALSE": 0, "TRUE": 1}
	for i := C.uint(0); i < 2; i++ {
		cn := C.H5Tget_member_name(t, i)
		if cn == nil {
			clearStack()
			return false
		}
		name := C.GoString(cn)
		C.H5free_memory(unsafe.Pointer(cn))
		var v int8
		if C.H5Tget_member_value(t, i, unsafe.Pointer(&v)) < 0 {
			clearStack()
			return false
		}
		w, ok := want[name]
		if !ok || w != v {
			return false
		}
		delete(want, name)
	}
	return true
}

// memType returns the native memory type for dt and whether the caller
// must close it; call inside Do.
func memType(dt chunk.DType) (C.hid_t, bool) {
	if dt == chunk.Bool {
		return C.ndc_bool_type(0), true
	}
	return C.ndc_native_type(C.int(dt)), false
}

// fileType returns the little-endian file type ndchunk writes for dt and
// whether the caller must close it; call inside Do.
func fileType(dt chunk.DType) (C.hid_t, bool) {
	if dt == chunk.Bool {
		return C.ndc_bool_type(1), true
	}
	return C.ndc_file_type(C.int(dt)), false
}

// elemSlice returns a new slice of n elements of dt's Go type and a
// pointer to its first element (nil when n is 0).
func elemSlice(dt chunk.DType, n int) (any, unsafe.Pointer) {
	switch dt {
	case chunk.Bool:
		return sliceOf[bool](n)
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

// ElemBytes returns the bytes, dtype and length of v, a slice of a
// chunk.Elem type; ok is false for any other value.
func ElemBytes(v any) (b []byte, dt chunk.DType, n int, ok bool) {
	switch s := v.(type) {
	case []bool:
		return chunk.AsBytes(s), chunk.Bool, len(s), true
	case []int8:
		return chunk.AsBytes(s), chunk.Int8, len(s), true
	case []int16:
		return chunk.AsBytes(s), chunk.Int16, len(s), true
	case []int32:
		return chunk.AsBytes(s), chunk.Int32, len(s), true
	case []int64:
		return chunk.AsBytes(s), chunk.Int64, len(s), true
	case []uint8:
		return chunk.AsBytes(s), chunk.Uint8, len(s), true
	case []uint16:
		return chunk.AsBytes(s), chunk.Uint16, len(s), true
	case []uint32:
		return chunk.AsBytes(s), chunk.Uint32, len(s), true
	case []uint64:
		return chunk.AsBytes(s), chunk.Uint64, len(s), true
	case []float32:
		return chunk.AsBytes(s), chunk.Float32, len(s), true
	case []float64:
		return chunk.AsBytes(s), chunk.Float64, len(s), true
	}
	return nil, chunk.Invalid, 0, false
}
