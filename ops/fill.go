package ops

import (
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
)

// FillLinear fills dst, elements of dt (any dtype) in row-major order, with
// region r of the array of shape arrayShape whose element at global
// row-major flat index i is start + step*i, rounded to float64 after the
// product and after the sum (never fused), then converted to dt as
// chunk.StoreFloat64 does: rounded for float32, truncated toward zero for
// integers, nonzero for bool.
//
// That is numpy.linspace's formula exactly (it computes arange(num)*step +
// start in float64 and casts), with step = (stop-start)/div; linspace's
// final element, set to stop, is the caller's to patch. numpy.arange
// instead steps by delta = (start+step) - start computed in the target
// dtype: passing that delta as step reproduces float64 arange bit for bit.
// Two NumPy quirks are not reproduced: a float32 arange accumulates in
// float32 (np.arange(2**24, 2**24+10, dtype=np.float32) is ten copies of
// 2**24; here each value is the rounded exact value), and an integer arange
// with fractional start or step truncates start and start+step before
// taking their difference (np.arange(0, 5, 0.5, dtype=int) is all zeros;
// here each value start + step*i is truncated). Use FillLinearInt for
// integer ranges with integer bounds.
func FillLinear(dst []byte, dt chunk.DType, start, step float64, arrayShape []int, r chunk.Region) {
	flCheck("FillLinear", dst, dt, r)
	regionRuns(arrayShape, r, func(off, first, count int) {
		out := dst[off*dt.Size() : (off+count)*dt.Size()]
		switch dt {
		case chunk.Float64:
			flLinearFloat(chunk.Cast[float64](out), start, step, first)
		case chunk.Float32:
			flLinearFloat(chunk.Cast[float32](out), start, step, first)
		case chunk.Int8:
			flLinearTrunc(chunk.Cast[int8](out), start, step, first)
		case chunk.Int16:
			flLinearTrunc(chunk.Cast[int16](out), start, step, first)
		case chunk.Int32:
			flLinearTrunc(chunk.Cast[int32](out), start, step, first)
		case chunk.Int64:
			flLinearTrunc(chunk.Cast[int64](out), start, step, first)
		case chunk.Uint8:
			flLinearTrunc(out, start, step, first)
		case chunk.Uint16:
			flLinearTrunc(chunk.Cast[uint16](out), start, step, first)
		case chunk.Uint32:
			flLinearTrunc(chunk.Cast[uint32](out), start, step, first)
		case chunk.Uint64:
			// Converted directly, as chunk.StoreFloat64 does, so that values
			// above 2^63 survive.
			u := chunk.Cast[uint64](out)
			for j := range u {
				u[j] = uint64(flLinearAt(start, step, first+j))
			}
		case chunk.Bool:
			for j := range out {
				out[j] = flBool(flLinearAt(start, step, first+j) != 0)
			}
		}
	})
}

// flLinearAt is start + step*i with both roundings: the explicit conversion
// forbids the compiler from fusing them into one FMA (Go may fuse x*y + z
// otherwise), which would differ from NumPy in the last bit.
func flLinearAt(start, step float64, i int) float64 {
	return start + float64(step*float64(i))
}

func flLinearFloat[T float32 | float64](dst []T, start, step float64, first int) {
	for j := range dst {
		dst[j] = T(flLinearAt(start, step, first+j))
	}
}

// flLinearTrunc converts through int64 like chunk.StoreFloat64: truncation
// toward zero, then wrapping to T's width.
func flLinearTrunc[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32](dst []T, start, step float64, first int) {
	for j := range dst {
		dst[j] = T(int64(flLinearAt(start, step, first+j)))
	}
}

// FillLinearInt is FillLinear for integer start and step: the values
// start + step*i are computed exactly in int64 (wrapping on overflow) and
// then converted to dt: wrapped to narrower integers as NumPy's integer
// arange does (np.arange(100, 140, 7, dtype=np.int8) ends -128, -121),
// rounded for floats, nonzero for bool.
func FillLinearInt(dst []byte, dt chunk.DType, start, step int64, arrayShape []int, r chunk.Region) {
	flCheck("FillLinearInt", dst, dt, r)
	regionRuns(arrayShape, r, func(off, first, count int) {
		out := dst[off*dt.Size() : (off+count)*dt.Size()]
		switch dt {
		case chunk.Float64:
			flLinearIntTo(chunk.Cast[float64](out), start, step, first)
		case chunk.Float32:
			flLinearIntTo(chunk.Cast[float32](out), start, step, first)
		case chunk.Int8:
			flLinearIntTo(chunk.Cast[int8](out), start, step, first)
		case chunk.Int16:
			flLinearIntTo(chunk.Cast[int16](out), start, step, first)
		case chunk.Int32:
			flLinearIntTo(chunk.Cast[int32](out), start, step, first)
		case chunk.Int64:
			flLinearIntTo(chunk.Cast[int64](out), start, step, first)
		case chunk.Uint8:
			flLinearIntTo(out, start, step, first)
		case chunk.Uint16:
			flLinearIntTo(chunk.Cast[uint16](out), start, step, first)
		case chunk.Uint32:
			flLinearIntTo(chunk.Cast[uint32](out), start, step, first)
		case chunk.Uint64:
			flLinearIntTo(chunk.Cast[uint64](out), start, step, first)
		case chunk.Bool:
			v := start + step*int64(first)
			for j := range out {
				out[j] = flBool(v != 0)
				v += step
			}
		}
	})
}

// flLinearIntTo steps an int64 accumulator, which wraps exactly like
// start + step*i computed afresh.
func flLinearIntTo[T chunk.Number](dst []T, start, step int64, first int) {
	v := start + step*int64(first)
	for j := range dst {
		dst[j] = T(v)
		v += step
	}
}

func flBool(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// flCheck panics unless dst holds region r of dtype dt.
func flCheck(op string, dst []byte, dt chunk.DType, r chunk.Region) {
	if !dt.Valid() {
		panic(fmt.Sprintf("ops: %s of dtype %s", op, dt))
	}
	if len(dst) != r.Size()*dt.Size() {
		panic(fmt.Sprintf("ops: %s: %d bytes for region %s of %s", op, len(dst), r.String(), dt))
	}
}

// Fill sets every element of dst (dtype dt) to v, converted as
// chunk.StoreFloat64 converts.
func Fill(dst []byte, dt chunk.DType, v float64) {
	if !dt.Valid() {
		panic(fmt.Sprintf("ops: Fill of dtype %s", dt))
	}
	es := dt.Size()
	if len(dst)%es != 0 {
		panic(fmt.Sprintf("ops: Fill: %d bytes is not a whole number of %s elements", len(dst), dt))
	}
	if len(dst) == 0 {
		return
	}
	// Convert once, through the very function that defines the conversion,
	// then replicate the element's bytes.
	var word [1]uint64 // aligned scratch for one element
	one := chunk.AsBytes(word[:])[:es]
	chunk.StoreFloat64(dt, one, 0, v)
	switch es {
	case 1:
		flRepeat(dst, one[0])
	case 2:
		flRepeat(chunk.Cast[uint16](dst), chunk.Cast[uint16](one)[0])
	case 4:
		flRepeat(chunk.Cast[uint32](dst), chunk.Cast[uint32](one)[0])
	case 8:
		flRepeat(chunk.Cast[uint64](dst), word[0])
	}
}

// flRepeat sets every element of dst to v. A zero value becomes clear(),
// which the runtime does with wide stores.
func flRepeat[T cpWord](dst []T, v T) {
	if v == 0 {
		clear(dst)
		return
	}
	for j := range dst {
		dst[j] = v
	}
}
