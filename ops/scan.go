package ops

import (
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
)

// String returns NumPy's name for the operation ("cumsum", "cumprod").
func (op ScanOp) String() string {
	switch op {
	case CumSum:
		return "cumsum"
	case CumProd:
		return "cumprod"
	}
	return fmt.Sprintf("ScanOp(%d)", uint8(op))
}

// ScanTypes returns the dtype of op's result over input of dtype in, as
// NumPy's: bool and signed integers accumulate in int64, unsigned integers
// in uint64, floats in their own dtype. The input is cast to that dtype
// before Scan.
func ScanTypes(op ScanOp, in chunk.DType) (chunk.DType, error) {
	if op != CumSum && op != CumProd {
		return chunk.Invalid, fmt.Errorf("ops: scan %v: %w", op, chunk.ErrUnsupported)
	}
	if !in.Valid() {
		return chunk.Invalid, fmt.Errorf("ops: %v of %v: %w", op, in, chunk.ErrDType)
	}
	return redWiden(in), nil
}

// Scan computes the cumulative op along axis of src (row-major elements of
// dtype dt, of the given shape) into dst (the same shape; it may alias
// src), starting from carry: dst[..., i, ...] = carry op src[..., 0, ...]
// op ... op src[..., i, ...]. carry holds elements of dt of shape with axis
// set to 1, typically the last slice of the previous block's result; nil
// means the identity. The operations run in dt in order along the axis, as
// NumPy's, so integers wrap and a chain of blocks with carries gives the
// same bits as one scan.
func Scan(op ScanOp, dt chunk.DType, dst, src []byte, shape []int, axis int, carry []byte) {
	if op != CumSum && op != CumProd {
		panic(fmt.Sprintf("ops: scan %v", op))
	}
	if axis < 0 || axis >= len(shape) {
		panic(fmt.Sprintf("ops: %v along axis %d of shape %v", op, axis, shape))
	}
	es := dt.Size()
	n := chunk.Size(shape)
	if len(src) != n*es || len(dst) != n*es {
		panic(fmt.Sprintf("ops: %v of %v%v given %d and %d bytes", op, dt, shape, len(dst), len(src)))
	}
	outer, inner := chunk.Size(shape[:axis]), chunk.Size(shape[axis+1:])
	if carry != nil && len(carry) != outer*inner*es {
		panic(fmt.Sprintf("ops: %v of %v%v along axis %d given a carry of %d bytes", op, dt, shape, axis, len(carry)))
	}
	mul := op == CumProd
	ax := shape[axis]
	switch dt {
	case chunk.Int8:
		scanRun(mul, chunk.Cast[int8](dst), chunk.Cast[int8](src), chunk.Cast[int8](carry), outer, ax, inner)
	case chunk.Int16:
		scanRun(mul, chunk.Cast[int16](dst), chunk.Cast[int16](src), chunk.Cast[int16](carry), outer, ax, inner)
	case chunk.Int32:
		scanRun(mul, chunk.Cast[int32](dst), chunk.Cast[int32](src), chunk.Cast[int32](carry), outer, ax, inner)
	case chunk.Int64:
		scanRun(mul, chunk.Cast[int64](dst), chunk.Cast[int64](src), chunk.Cast[int64](carry), outer, ax, inner)
	case chunk.Uint8:
		scanRun(mul, chunk.Cast[uint8](dst), chunk.Cast[uint8](src), chunk.Cast[uint8](carry), outer, ax, inner)
	case chunk.Uint16:
		scanRun(mul, chunk.Cast[uint16](dst), chunk.Cast[uint16](src), chunk.Cast[uint16](carry), outer, ax, inner)
	case chunk.Uint32:
		scanRun(mul, chunk.Cast[uint32](dst), chunk.Cast[uint32](src), chunk.Cast[uint32](carry), outer, ax, inner)
	case chunk.Uint64:
		scanRun(mul, chunk.Cast[uint64](dst), chunk.Cast[uint64](src), chunk.Cast[uint64](carry), outer, ax, inner)
	case chunk.Float32:
		scanRun(mul, chunk.Cast[float32](dst), chunk.Cast[float32](src), chunk.Cast[float32](carry), outer, ax, inner)
	case chunk.Float64:
		scanRun(mul, chunk.Cast[float64](dst), chunk.Cast[float64](src), chunk.Cast[float64](carry), outer, ax, inner)
	default:
		panic(fmt.Sprintf("ops: %v of %v", op, dt))
	}
}

// scanRun scans outer independent [n, inner] slabs along their first axis.
// With inner > 1 each step is a vector loop over a whole row: row i of dst
// is row i-1 of dst op row i of src.
func scanRun[T chunk.Number](mul bool, dst, src, carry []T, outer, n, inner int) {
	if n == 0 || inner == 0 {
		return
	}
	slab := n * inner
	for o := 0; o < outer; o++ {
		d, s := dst[o*slab:][:slab], src[o*slab:][:slab]
		var c []T
		if carry != nil {
			c = carry[o*inner:][:inner]
		}
		if inner == 1 {
			scanLine(mul, d, s, c)
			continue
		}
		// First row: carry op src, or src itself without a carry.
		d0, s0 := d[:inner], s[:inner]
		switch {
		case c == nil:
			copy(d0, s0)
		case mul:
			c = c[:len(s0)]
			for j, v := range s0 {
				d0[j] = c[j] * v
			}
		default:
			c = c[:len(s0)]
			for j, v := range s0 {
				d0[j] = c[j] + v
			}
		}
		for i := 1; i < n; i++ {
			prev := d[(i-1)*inner:][:inner]
			r := s[i*inner:][:inner]
			cur := d[i*inner:][:inner]
			if mul {
				for j, v := range r {
					cur[j] = prev[j] * v
				}
			} else {
				for j, v := range r {
					cur[j] = prev[j] + v
				}
			}
		}
	}
}

// scanLine scans one contiguous line: the axis is the innermost one.
func scanLine[T chunk.Number](mul bool, d, s, c []T) {
	d = d[:len(s)]
	var acc T
	i := 0
	if c != nil {
		acc = c[0]
	} else {
		acc = s[0]
		d[0] = acc
		i = 1
	}
	if mul {
		for ; i < len(s); i++ {
			acc *= s[i]
			d[i] = acc
		}
		return
	}
	for ; i < len(s); i++ {
		acc += s[i]
		d[i] = acc
	}
}
