package chunk

import (
	"fmt"
	"math"
	"strings"
	"unsafe"
)

// Elem is the set of Go types that hold array elements.
type Elem interface {
	bool | int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64
}

// Number is the set of element types with arithmetic.
type Number interface {
	int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64
}

// DTypeOf returns the dtype of Go element type T.
func DTypeOf[T Elem]() DType {
	var z T
	switch any(z).(type) {
	case bool:
		return Bool
	case int8:
		return Int8
	case int16:
		return Int16
	case int32:
		return Int32
	case int64:
		return Int64
	case uint8:
		return Uint8
	case uint16:
		return Uint16
	case uint32:
		return Uint32
	case uint64:
		return Uint64
	case float32:
		return Float32
	default:
		return Float64
	}
}

// Cast reinterprets a byte buffer as a slice of T without copying. The
// buffer must be aligned for T, which every buffer from NewDense or an
// Allocator is.
func Cast[T Elem](b []byte) []T {
	if len(b) == 0 {
		return nil
	}
	var z T
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/int(unsafe.Sizeof(z)))
}

// AsBytes reinterprets a slice of T as bytes without copying.
func AsBytes[T Elem](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(z)))
}

// alignedBytes returns n zeroed bytes aligned to 8 bytes.
func alignedBytes(n int) []byte {
	if n == 0 {
		return nil
	}
	words := make([]uint64, (n+7)/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), n)
}

// Dense is an in-memory array: a dtype, a shape and its elements in
// row-major order. Compute results are Dense values, and Block embeds one.
type Dense struct {
	dtype DType
	shape []int
	data  []byte
}

// NewDense returns a zeroed Dense of the given dtype and shape, allocated on
// the Go heap (not counted against any budget).
func NewDense(dt DType, shape []int) *Dense {
	return &Dense{dtype: dt, shape: append([]int(nil), shape...), data: alignedBytes(Size(shape) * dt.Size())}
}

// DenseOf wraps data (not copied) as a Dense of the given shape.
func DenseOf[T Elem](shape []int, data []T) (*Dense, error) {
	if err := CheckShape(shape); err != nil {
		return nil, err
	}
	if Size(shape) != len(data) {
		return nil, fmt.Errorf("chunk: %d elements for shape %v of size %d: %w", len(data), shape, Size(shape), ErrShape)
	}
	b := AsBytes(data)
	if b == nil {
		b = []byte{}
	}
	return &Dense{dtype: DTypeOf[T](), shape: append([]int(nil), shape...), data: b}, nil
}

// WrapBytes wraps a raw row-major buffer (not copied) as a Dense.
func WrapBytes(dt DType, shape []int, data []byte) (*Dense, error) {
	if len(data) != Size(shape)*dt.Size() {
		return nil, fmt.Errorf("chunk: %d bytes for %s%v: %w", len(data), dt, shape, ErrShape)
	}
	return &Dense{dtype: dt, shape: append([]int(nil), shape...), data: data}, nil
}

// Values returns the elements of d as a []T without copying. It panics if T
// does not match d's dtype.
func Values[T Elem](d *Dense) []T {
	if DTypeOf[T]() != d.dtype {
		panic(fmt.Sprintf("chunk: Values[%s] of a %s array", DTypeOf[T](), d.dtype))
	}
	return Cast[T](d.data)
}

// DType returns the element type.
func (d *Dense) DType() DType { return d.dtype }

// Shape returns the shape (do not modify).
func (d *Dense) Shape() []int { return d.shape }

// Rank returns the number of axes.
func (d *Dense) Rank() int { return len(d.shape) }

// Len returns the number of elements.
func (d *Dense) Len() int { return Size(d.shape) }

// Bytes returns the raw row-major element bytes (shared, not copied).
func (d *Dense) Bytes() []byte { return d.data }

// Float64s returns the elements of a float64 array (shared, not copied).
func (d *Dense) Float64s() []float64 { return Values[float64](d) }

// Float64 returns element i (flat, row-major) converted to float64.
func (d *Dense) Float64(i int) float64 { return LoadFloat64(d.dtype, d.data, i) }

// Int64 returns element i converted to int64 (floats are truncated).
func (d *Dense) Int64(i int) int64 { return LoadInt64(d.dtype, d.data, i) }

// SetFloat64 stores v, converted to d's dtype, at flat index i.
func (d *Dense) SetFloat64(i int, v float64) { StoreFloat64(d.dtype, d.data, i, v) }

// At returns the element at a multi-index, converted to float64.
func (d *Dense) At(idx ...int) float64 {
	if len(idx) != len(d.shape) {
		panic(fmt.Sprintf("chunk: At with %d indices on rank %d", len(idx), len(d.shape)))
	}
	f := 0
	for i, k := range idx {
		if k < 0 || k >= d.shape[i] {
			panic(fmt.Sprintf("chunk: index %v out of range for shape %v", idx, d.shape))
		}
		f = f*d.shape[i] + k
	}
	return d.Float64(f)
}

// Scalar returns the single element of a size-1 array as float64.
func (d *Dense) Scalar() float64 {
	if d.Len() != 1 {
		panic(fmt.Sprintf("chunk: Scalar of an array of shape %v", d.shape))
	}
	return d.Float64(0)
}

// String formats d for humans, NumPy-like, eliding the middle of long axes.
func (d *Dense) String() string {
	var b strings.Builder
	if len(d.shape) == 0 {
		formatElem(&b, d, 0)
		return b.String()
	}
	st := Strides(d.shape)
	var rec func(axis, off int)
	rec = func(axis, off int) {
		b.WriteByte('[')
		n := d.shape[axis]
		for k := 0; k < n; k++ {
			if n > 8 && k == 3 {
				b.WriteString("..., ")
				k = n - 3
			}
			if k > 0 && !(n > 8 && k == n-3) {
				b.WriteString(", ")
			}
			if axis == len(d.shape)-1 {
				formatElem(&b, d, off+k*st[axis])
			} else {
				rec(axis+1, off+k*st[axis])
			}
		}
		b.WriteByte(']')
	}
	rec(0, 0)
	return b.String()
}

func formatElem(b *strings.Builder, d *Dense, i int) {
	switch {
	case d.dtype == Bool:
		if d.data[i] != 0 {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case d.dtype.IsFloat():
		fmt.Fprintf(b, "%g", d.Float64(i))
	case d.dtype.IsUnsigned():
		fmt.Fprintf(b, "%d", uint64(LoadInt64(d.dtype, d.data, i)))
	default:
		fmt.Fprintf(b, "%d", d.Int64(i))
	}
}

// LoadFloat64 reads element i of a buffer of dtype dt as float64.
func LoadFloat64(dt DType, data []byte, i int) float64 {
	p := unsafe.Pointer(unsafe.SliceData(data))
	switch dt {
	case Bool:
		if data[i] != 0 {
			return 1
		}
		return 0
	case Int8:
		return float64(*(*int8)(unsafe.Add(p, i)))
	case Int16:
		return float64(*(*int16)(unsafe.Add(p, 2*i)))
	case Int32:
		return float64(*(*int32)(unsafe.Add(p, 4*i)))
	case Int64:
		return float64(*(*int64)(unsafe.Add(p, 8*i)))
	case Uint8:
		return float64(data[i])
	case Uint16:
		return float64(*(*uint16)(unsafe.Add(p, 2*i)))
	case Uint32:
		return float64(*(*uint32)(unsafe.Add(p, 4*i)))
	case Uint64:
		return float64(*(*uint64)(unsafe.Add(p, 8*i)))
	case Float32:
		return float64(*(*float32)(unsafe.Add(p, 4*i)))
	case Float64:
		return *(*float64)(unsafe.Add(p, 8*i))
	}
	panic("chunk: LoadFloat64 of " + dt.String())
}

// LoadInt64 reads element i of a buffer of dtype dt as int64 (floats
// truncated toward zero, uint64 reinterpreted).
func LoadInt64(dt DType, data []byte, i int) int64 {
	p := unsafe.Pointer(unsafe.SliceData(data))
	switch dt {
	case Int64:
		return *(*int64)(unsafe.Add(p, 8*i))
	case Uint64:
		return int64(*(*uint64)(unsafe.Add(p, 8*i)))
	case Float32, Float64:
		f := LoadFloat64(dt, data, i)
		if math.IsNaN(f) {
			return math.MinInt64
		}
		return int64(f)
	default:
		return int64(LoadFloat64(dt, data, i))
	}
}

// StoreFloat64 stores v converted to dtype dt at element i of data.
func StoreFloat64(dt DType, data []byte, i int, v float64) {
	p := unsafe.Pointer(unsafe.SliceData(data))
	switch dt {
	case Bool:
		if v != 0 {
			data[i] = 1
		} else {
			data[i] = 0
		}
	case Int8:
		*(*int8)(unsafe.Add(p, i)) = int8(int64(v))
	case Int16:
		*(*int16)(unsafe.Add(p, 2*i)) = int16(int64(v))
	case Int32:
		*(*int32)(unsafe.Add(p, 4*i)) = int32(int64(v))
	case Int64:
		*(*int64)(unsafe.Add(p, 8*i)) = int64(v)
	case Uint8:
		data[i] = uint8(int64(v))
	case Uint16:
		*(*uint16)(unsafe.Add(p, 2*i)) = uint16(int64(v))
	case Uint32:
		*(*uint32)(unsafe.Add(p, 4*i)) = uint32(int64(v))
	case Uint64:
		*(*uint64)(unsafe.Add(p, 8*i)) = uint64(v)
	case Float32:
		*(*float32)(unsafe.Add(p, 4*i)) = float32(v)
	case Float64:
		*(*float64)(unsafe.Add(p, 8*i)) = v
	default:
		panic("chunk: StoreFloat64 to " + dt.String())
	}
}
