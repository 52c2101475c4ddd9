package chunk

import (
	"fmt"
	"strings"
)

// DType is the element type of an array. The names and promotion rules
// follow NumPy's.
type DType uint8

// The supported element types. Invalid is the zero value and never the dtype
// of a valid array.
const (
	Invalid DType = iota
	Bool
	Int8
	Int16
	Int32
	Int64
	Uint8
	Uint16
	Uint32
	Uint64
	Float32
	Float64
)

// DTypes lists every valid dtype in a stable order, for tests and help text.
var DTypes = []DType{Bool, Int8, Int16, Int32, Int64, Uint8, Uint16, Uint32, Uint64, Float32, Float64}

var dtypeNames = [...]string{"invalid", "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64"}
var dtypeSizes = [...]int{0, 1, 1, 2, 4, 8, 1, 2, 4, 8, 4, 8}

// String returns NumPy's name for the dtype ("float64", "bool", ...).
func (d DType) String() string {
	if int(d) < len(dtypeNames) {
		return dtypeNames[d]
	}
	return fmt.Sprintf("dtype(%d)", uint8(d))
}

// Size is the number of bytes of one element.
func (d DType) Size() int {
	if int(d) < len(dtypeSizes) {
		return dtypeSizes[d]
	}
	return 0
}

// Valid reports whether d is one of the supported dtypes.
func (d DType) Valid() bool { return d >= Bool && d <= Float64 }

// IsFloat reports whether d is float32 or float64.
func (d DType) IsFloat() bool { return d == Float32 || d == Float64 }

// IsSigned reports whether d is a signed integer type.
func (d DType) IsSigned() bool { return d >= Int8 && d <= Int64 }

// IsUnsigned reports whether d is an unsigned integer type.
func (d DType) IsUnsigned() bool { return d >= Uint8 && d <= Uint64 }

// IsInteger reports whether d is a signed or unsigned integer type (not bool).
func (d DType) IsInteger() bool { return d.IsSigned() || d.IsUnsigned() }

// ParseDType parses a NumPy dtype name. It accepts the canonical names and
// the common aliases "float" (float64), "int" (int64), "double", "single",
// "f4", "f8", "i1".."i8" and "u1".."u8".
func ParseDType(s string) (DType, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for d := Bool; d <= Float64; d++ {
		if dtypeNames[d] == name {
			return d, nil
		}
	}
	aliases := map[string]DType{
		"float": Float64, "double": Float64, "f8": Float64, "single": Float32, "f4": Float32,
		"int": Int64, "i8": Int64, "i4": Int32, "i2": Int16, "i1": Int8,
		"u8": Uint64, "u4": Uint32, "u2": Uint16, "u1": Uint8, "?": Bool, "bool_": Bool,
	}
	if d, ok := aliases[name]; ok {
		return d, nil
	}
	return Invalid, fmt.Errorf("chunk: unknown dtype %q: %w", s, ErrDType)
}

// kindRank orders the dtype kinds for promotion: bool < integer < float.
func kindRank(d DType) int {
	switch {
	case d == Bool:
		return 0
	case d.IsInteger():
		return 1
	default:
		return 2
	}
}

// Promote returns the dtype NumPy's promote_types gives for a binary
// operation between arrays of dtypes a and b:
// bool < integers < floats; a signed and an unsigned integer promote to the
// smallest signed type holding both (int64 with uint64 gives float64); an
// integer of 32 bits or more with float32 gives float64.
func Promote(a, b DType) DType {
	if a == b {
		return a
	}
	ka, kb := kindRank(a), kindRank(b)
	if ka != kb {
		if ka > kb {
			a, b = b, a
			ka, kb = kb, ka
		}
		// a has the lower kind.
		if ka == 0 {
			return b
		}
		// integer with float
		if b == Float64 {
			return Float64
		}
		if a.Size() <= 2 {
			return Float32
		}
		return Float64
	}
	switch ka {
	case 2:
		return Float64
	case 1:
		if a.IsSigned() == b.IsSigned() {
			if a.Size() >= b.Size() {
				return a
			}
			return b
		}
		s, u := a, b
		if a.IsUnsigned() {
			s, u = b, a
		}
		if s.Size() > u.Size() {
			return s
		}
		switch u.Size() {
		case 1:
			return Int16
		case 2:
			return Int32
		case 4:
			return Int64
		default:
			return Float64
		}
	}
	return Bool
}

// ScalarKind classifies an untyped ("Python") scalar operand.
type ScalarKind uint8

// The kinds of untyped scalars.
const (
	BoolScalar ScalarKind = iota
	IntScalar
	FloatScalar
)

// PromoteScalar returns the result dtype of an operation between an array of
// dtype d and an untyped scalar of the given kind, following NumPy 2's weak
// scalar rule (NEP 50): the scalar adopts the array's dtype when the kinds
// allow it, so float32 + 1.5 stays float32 and int8 + 3 stays int8, while
// an integer array with a float scalar gives float64 and a bool array with an
// integer scalar gives int64.
func PromoteScalar(d DType, k ScalarKind) DType {
	switch k {
	case BoolScalar:
		return d
	case IntScalar:
		if d == Bool {
			return Int64
		}
		return d
	default:
		if d.IsFloat() {
			return d
		}
		return Float64
	}
}

// FloatFor returns the floating dtype NumPy's transcendental functions
// (sin, sqrt, true division, ...) produce for inputs of dtype d. NumPy gives
// float16 for 8-bit inputs and bool; ndchunk has no float16 and gives
// float32 there instead.
func FloatFor(d DType) DType {
	switch d {
	case Float32, Bool, Int8, Uint8, Int16, Uint16:
		return Float32
	default:
		return Float64
	}
}
