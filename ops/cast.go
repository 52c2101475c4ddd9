package ops

import (
	"fmt"
	"math"
	"runtime"

	"github.com/ndchunk/ndchunk/chunk"
)

// Cast returns the kernel converting elements of dtype from into dtype to
// with NumPy's astype semantics (from == to gives a copy):
//
//   - to bool: x != 0, so NaN and -0.0 give true and false.
//   - from bool: 0 or 1.
//   - integer to integer: two's complement truncation (wrapping).
//   - integer or float to float: rounded to nearest, ties to even.
//   - float to integer: truncation toward zero for values in range.
//
// Out-of-range and NaN float-to-integer conversions are undefined in NumPy
// (C casts); Cast gives what NumPy 1.24 gives on x86-64, where the
// hardware's out-of-range value is the minimum: float to int32 and int64
// give the minimum; float to int8, int16, uint8 and uint16 go through int32
// and then wrap (so 300.7 gives 44 as uint8, and NaN gives 0); float to
// uint32 goes through int64 and wraps (-1.5 gives 4294967295, NaN 0; NumPy's
// own vectorised loop disagrees with its scalar one here, this is the scalar
// one); float to uint64 is exact below 2^64, wraps negative values through
// int64, and gives 2^63 for NaN and values below -2^63, 0 for +Inf and
// values from 2^64. These results are the same on every architecture.
//
// dst and src must not overlap unless from == to.
func Cast(from, to chunk.DType) CastKernel {
	if !from.Valid() || !to.Valid() {
		panic(fmt.Errorf("ops: cast from %v to %v: %w", from, to, chunk.ErrDType))
	}
	if from == to {
		return func(dst, src []byte) { copy(dst[:len(src)], src) }
	}
	switch from {
	case chunk.Bool:
		// Bool elements are the bytes 0 and 1.
		return ewCastFrom[uint8](to)
	case chunk.Int8:
		return ewCastFrom[int8](to)
	case chunk.Int16:
		return ewCastFrom[int16](to)
	case chunk.Int32:
		return ewCastFrom[int32](to)
	case chunk.Int64:
		return ewCastFrom[int64](to)
	case chunk.Uint8:
		return ewCastFrom[uint8](to)
	case chunk.Uint16:
		return ewCastFrom[uint16](to)
	case chunk.Uint32:
		return ewCastFrom[uint32](to)
	case chunk.Uint64:
		return ewCastFrom[uint64](to)
	case chunk.Float32:
		if to.IsInteger() {
			return ewCastFloatInt[float32](to)
		}
		return ewCastFrom[float32](to)
	default:
		if to.IsInteger() {
			return ewCastFloatInt[float64](to)
		}
		return ewCastFrom[float64](to)
	}
}

// ewCastFrom returns the kernels whose conversions are Go's own: anything to
// bool, and every conversion except float to integer.
func ewCastFrom[S chunk.Number](to chunk.DType) CastKernel {
	switch to {
	case chunk.Bool:
		return CastKernel(ewUK(ewTruth[S]))
	case chunk.Int8:
		return CastKernel(ewUK(ewConvert[S, int8]))
	case chunk.Int16:
		return CastKernel(ewUK(ewConvert[S, int16]))
	case chunk.Int32:
		return CastKernel(ewUK(ewConvert[S, int32]))
	case chunk.Int64:
		return CastKernel(ewUK(ewConvert[S, int64]))
	case chunk.Uint8:
		return CastKernel(ewUK(ewConvert[S, uint8]))
	case chunk.Uint16:
		return CastKernel(ewUK(ewConvert[S, uint16]))
	case chunk.Uint32:
		return CastKernel(ewUK(ewConvert[S, uint32]))
	case chunk.Uint64:
		return CastKernel(ewUK(ewConvert[S, uint64]))
	case chunk.Float32:
		return CastKernel(ewUK(ewConvert[S, float32]))
	default:
		return CastKernel(ewUK(ewConvert[S, float64]))
	}
}

func ewConvert[S, D chunk.Number](d []D, s []S) {
	d = d[:len(s)]
	for i, v := range s {
		d[i] = D(v)
	}
}

// ewCastFloatInt returns the float to integer kernels, which pin down the
// out-of-range results Go leaves to the implementation.
func ewCastFloatInt[F ewFloat](to chunk.DType) CastKernel {
	switch to {
	case chunk.Int8:
		return CastKernel(ewUK(ewFloatToI32[F, int8]))
	case chunk.Int16:
		return CastKernel(ewUK(ewFloatToI32[F, int16]))
	case chunk.Int32:
		return CastKernel(ewUK(ewFloatToI32[F, int32]))
	case chunk.Uint8:
		return CastKernel(ewUK(ewFloatToI32[F, uint8]))
	case chunk.Uint16:
		return CastKernel(ewUK(ewFloatToI32[F, uint16]))
	case chunk.Int64:
		return CastKernel(ewUK(ewFloatToI64[F, int64]))
	case chunk.Uint32:
		return CastKernel(ewUK(ewFloatToI64[F, uint32]))
	default:
		return CastKernel(ewUK(ewFloatToU64[F]))
	}
}

// ewF2I32 is x86's cvttsd2si with a 32-bit result: truncation toward zero,
// and the minimum for NaN and values out of range. On amd64 Go's own
// conversion is that instruction (the tests pin its out-of-range results),
// and skipping the range check makes float to int casts three times faster;
// runtime.GOARCH is a constant, so the check vanishes there.
func ewF2I32(x float64) int32 {
	if runtime.GOARCH == "amd64" || x > -2147483649 && x < 2147483648 {
		return int32(x)
	}
	return math.MinInt32
}

// ewF2I64 is cvttsd2si with a 64-bit result.
func ewF2I64(x float64) int64 {
	if runtime.GOARCH == "amd64" || x >= -0x1p63 && x < 0x1p63 {
		return int64(x)
	}
	return math.MinInt64
}

// ewF2U64 is the sequence C compilers emit for double to uint64 on x86-64:
// values from 2^63 are shifted down by 2^63 first.
func ewF2U64(x float64) uint64 {
	if x >= 0x1p63 {
		return uint64(ewF2I64(x-0x1p63)) ^ (1 << 63)
	}
	return uint64(ewF2I64(x))
}

func ewFloatToI32[F ewFloat, D int8 | int16 | int32 | uint8 | uint16](d []D, s []F) {
	d = d[:len(s)]
	for i, v := range s {
		d[i] = D(ewF2I32(float64(v)))
	}
}

func ewFloatToI64[F ewFloat, D int64 | uint32](d []D, s []F) {
	d = d[:len(s)]
	for i, v := range s {
		d[i] = D(ewF2I64(float64(v)))
	}
}

func ewFloatToU64[F ewFloat](d []uint64, s []F) {
	d = d[:len(s)]
	for i, v := range s {
		d[i] = ewF2U64(float64(v))
	}
}
