package memio

import (
	"fmt"
	"slices"
	"unsafe"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
)

// alignedBytes returns n zeroed bytes aligned to 8 bytes, like the buffers
// of chunk.NewDense.
func alignedBytes(n int) []byte {
	if n == 0 {
		return []byte{}
	}
	words := make([]uint64, (n+7)/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), n)
}

// valueDType returns the element dtype and length of an attribute or fill
// value that is a slice of a chunk.Elem type.
func valueDType(v any) (chunk.DType, int, bool) {
	switch x := v.(type) {
	case []bool:
		return chunk.Bool, len(x), true
	case []int8:
		return chunk.Int8, len(x), true
	case []int16:
		return chunk.Int16, len(x), true
	case []int32:
		return chunk.Int32, len(x), true
	case []int64:
		return chunk.Int64, len(x), true
	case []uint8:
		return chunk.Uint8, len(x), true
	case []uint16:
		return chunk.Uint16, len(x), true
	case []uint32:
		return chunk.Uint32, len(x), true
	case []uint64:
		return chunk.Uint64, len(x), true
	case []float32:
		return chunk.Float32, len(x), true
	case []float64:
		return chunk.Float64, len(x), true
	}
	return chunk.Invalid, 0, false
}

// valueBytes returns the native bytes of a slice of a chunk.Elem type (not
// copied).
func valueBytes(v any) []byte {
	switch x := v.(type) {
	case []bool:
		return chunk.AsBytes(x)
	case []int8:
		return chunk.AsBytes(x)
	case []int16:
		return chunk.AsBytes(x)
	case []int32:
		return chunk.AsBytes(x)
	case []int64:
		return chunk.AsBytes(x)
	case []uint8:
		return chunk.AsBytes(x)
	case []uint16:
		return chunk.AsBytes(x)
	case []uint32:
		return chunk.AsBytes(x)
	case []uint64:
		return chunk.AsBytes(x)
	case []float32:
		return chunk.AsBytes(x)
	case []float64:
		return chunk.AsBytes(x)
	}
	return nil
}

// cloneValue copies an attribute value so the caller's later changes to
// its slice do not reach the file.
func cloneValue(v any) any {
	switch x := v.(type) {
	case string:
		return x
	case []bool:
		return slices.Clone(x)
	case []int8:
		return slices.Clone(x)
	case []int16:
		return slices.Clone(x)
	case []int32:
		return slices.Clone(x)
	case []int64:
		return slices.Clone(x)
	case []uint8:
		return slices.Clone(x)
	case []uint16:
		return slices.Clone(x)
	case []uint32:
		return slices.Clone(x)
	case []uint64:
		return slices.Clone(x)
	case []float32:
		return slices.Clone(x)
	case []float64:
		return slices.Clone(x)
	}
	return nil
}

// cloneAttrs checks and copies attributes: names unique and non-empty,
// values strings or slices of chunk.Elem types (a scalar is a slice of
// length 1, per dataset.Attr).
func cloneAttrs(attrs []dataset.Attr) ([]dataset.Attr, error) {
	if attrs == nil {
		return nil, nil
	}
	out := make([]dataset.Attr, len(attrs))
	seen := map[string]bool{}
	for i, a := range attrs {
		if a.Name == "" {
			return nil, fmt.Errorf("attribute with an empty name: %w", chunk.ErrUnsupported)
		}
		if seen[a.Name] {
			return nil, fmt.Errorf("attribute %q given twice: %w", a.Name, chunk.ErrUnsupported)
		}
		seen[a.Name] = true
		if _, ok := a.Value.(string); !ok {
			if _, _, ok := valueDType(a.Value); !ok {
				return nil, fmt.Errorf("attribute %q: value of Go type %T (want a string or a slice of numbers or bools): %w", a.Name, a.Value, chunk.ErrUnsupported)
			}
		}
		out[i] = dataset.Attr{Name: a.Name, Value: cloneValue(a.Value)}
	}
	return out, nil
}

// fillBytes fills buf with repeated copies of pattern, doubling the filled
// prefix each step so large buffers take few copies.
func fillBytes(buf, pattern []byte) {
	if len(buf) == 0 || len(pattern) == 0 {
		return
	}
	n := copy(buf, pattern)
	for n < len(buf) {
		n += copy(buf[n:], buf[:n])
	}
}
