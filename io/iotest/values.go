package iotest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"unsafe"

	"github.com/ndchunk/ndchunk/chunk"
)

// Bit patterns of the awkward floats every driver must carry unchanged:
// NaNs with payloads (quiet, negative, signalling), negative zero,
// infinities, subnormals and the extremes.
var (
	specials64 = []uint64{
		0x7FF8000000000000, // the canonical quiet NaN
		0x7FF8000000000ABC, // a quiet NaN with a payload
		0xFFF8000000000001, // a negative NaN with a payload
		0x7FF0000000000001, // a signalling NaN
		0x8000000000000000, // -0.0
		0x7FF0000000000000, // +Inf
		0xFFF0000000000000, // -Inf
		0x0000000000000001, // the smallest subnormal
		0x800FFFFFFFFFFFFF, // the most negative subnormal
		math.Float64bits(math.MaxFloat64),
		math.Float64bits(-math.MaxFloat64),
	}
	specials32 = []uint32{
		0x7FC00000, // the canonical quiet NaN
		0x7FC00ABC, // a quiet NaN with a payload
		0xFFC00001, // a negative NaN with a payload
		0x7F800001, // a signalling NaN
		0x80000000, // -0.0
		0x7F800000, // +Inf
		0xFF800000, // -Inf
		0x00000001, // the smallest subnormal
		0x807FFFFF, // the most negative subnormal
		math.Float32bits(math.MaxFloat32),
		math.Float32bits(-math.MaxFloat32),
	}
)

// alignedBytes returns n zeroed bytes aligned to 8 bytes, so chunk.Cast and
// chunk.WrapBytes accept them for any dtype.
func alignedBytes(n int) []byte {
	if n == 0 {
		return []byte{}
	}
	words := make([]uint64, (n+7)/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), n)
}

// randomData returns n random elements of dtype dt: integers over their
// whole range, bools 0 or 1, floats of every magnitude with about one in
// eight a special value (NaN payloads, -0.0, infinities, subnormals).
func randomData(rng *rand.Rand, dt chunk.DType, n int) []byte {
	b := alignedBytes(n * dt.Size())
	switch dt {
	case chunk.Bool:
		for i := range b {
			b[i] = byte(rng.IntN(2))
		}
	case chunk.Float32:
		f := chunk.Cast[uint32](b)
		for i := range f {
			if rng.IntN(8) == 0 {
				f[i] = specials32[rng.IntN(len(specials32))]
			} else {
				f[i] = math.Float32bits(float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(20)-10))))
			}
		}
	case chunk.Float64:
		f := chunk.Cast[uint64](b)
		for i := range f {
			if rng.IntN(8) == 0 {
				f[i] = specials64[rng.IntN(len(specials64))]
			} else {
				f[i] = math.Float64bits(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(200)-100)))
			}
		}
	default:
		for i := 0; i < len(b); i += 8 {
			x := rng.Uint64()
			for k := 0; k < 8 && i+k < len(b); k++ {
				b[i+k] = byte(x >> (8 * k))
			}
		}
	}
	return b
}

// edgeValues returns an attribute value of dtype dt (a slice of its Go
// type) holding the type's extremes, zero and, for floats, the special
// values.
func edgeValues(dt chunk.DType) any {
	switch dt {
	case chunk.Bool:
		return []bool{true, false, true}
	case chunk.Int8:
		return []int8{math.MinInt8, math.MaxInt8, 0, 1, -1}
	case chunk.Int16:
		return []int16{math.MinInt16, math.MaxInt16, 0, 1, -1}
	case chunk.Int32:
		return []int32{math.MinInt32, math.MaxInt32, 0, 1, -1}
	case chunk.Int64:
		return []int64{math.MinInt64, math.MaxInt64, 0, 1, -1}
	case chunk.Uint8:
		return []uint8{0, math.MaxUint8, 1, 128}
	case chunk.Uint16:
		return []uint16{0, math.MaxUint16, 1, 1 << 15}
	case chunk.Uint32:
		return []uint32{0, math.MaxUint32, 1, 1 << 31}
	case chunk.Uint64:
		return []uint64{0, math.MaxUint64, 1, 1 << 63}
	case chunk.Float32:
		out := make([]float32, len(specials32)+1)
		for i, b := range specials32 {
			out[i] = math.Float32frombits(b)
		}
		out[len(specials32)] = 1.5
		return out
	case chunk.Float64:
		out := make([]float64, len(specials64)+1)
		for i, b := range specials64 {
			out[i] = math.Float64frombits(b)
		}
		out[len(specials64)] = 1.5
		return out
	}
	panic(fmt.Sprintf("iotest: edgeValues(%s)", dt))
}

// scalarValue returns a one-element attribute value of dtype dt.
func scalarValue(dt chunk.DType, k int) any {
	switch dt {
	case chunk.Bool:
		return []bool{k%2 == 0}
	case chunk.Int8:
		return []int8{int8(-k - 3)}
	case chunk.Int16:
		return []int16{int16(-300 - k)}
	case chunk.Int32:
		return []int32{int32(-70000 - k)}
	case chunk.Int64:
		return []int64{-(1 << 40) - int64(k)}
	case chunk.Uint8:
		return []uint8{uint8(200 + k%50)}
	case chunk.Uint16:
		return []uint16{uint16(60000 + k)}
	case chunk.Uint32:
		return []uint32{uint32(4000000000 + k)}
	case chunk.Uint64:
		return []uint64{1<<63 + uint64(k)}
	case chunk.Float32:
		return []float32{0.1 + float32(k)}
	case chunk.Float64:
		return []float64{0.1 + float64(k)}
	}
	panic(fmt.Sprintf("iotest: scalarValue(%s)", dt))
}

// rangeValue returns a two-element valid_range-like attribute of dtype dt.
func rangeValue(dt chunk.DType) any {
	switch dt {
	case chunk.Int8:
		return []int8{-100, 100}
	case chunk.Int16:
		return []int16{-1000, 1000}
	case chunk.Int32:
		return []int32{-100000, 100000}
	case chunk.Int64:
		return []int64{-1 << 50, 1 << 50}
	case chunk.Uint8:
		return []uint8{1, 254}
	case chunk.Uint16:
		return []uint16{1, 65000}
	case chunk.Uint32:
		return []uint32{1, 4000000000}
	case chunk.Uint64:
		return []uint64{1, 1 << 60}
	case chunk.Float32:
		return []float32{-1e30, 1e30}
	case chunk.Float64:
		return []float64{-1e300, 1e300}
	}
	return nil
}

// fillValue returns a distinctive one-element fill value of dtype dt; for
// float64 a NaN, the value CF data most often uses.
func fillValue(dt chunk.DType) any {
	switch dt {
	case chunk.Bool:
		return []bool{true}
	case chunk.Int8:
		return []int8{-7}
	case chunk.Int16:
		return []int16{-32767}
	case chunk.Int32:
		return []int32{-2147483647}
	case chunk.Int64:
		return []int64{-9223372036854775806}
	case chunk.Uint8:
		return []uint8{254}
	case chunk.Uint16:
		return []uint16{65534}
	case chunk.Uint32:
		return []uint32{4294967294}
	case chunk.Uint64:
		return []uint64{18446744073709551614}
	case chunk.Float32:
		return []float32{-9999.5}
	case chunk.Float64:
		return []float64{math.NaN()}
	}
	panic(fmt.Sprintf("iotest: fillValue(%s)", dt))
}

// valueBytes returns the native bytes of a slice of a chunk.Elem type, and
// its dtype, or ok false for any other value.
func valueBytes(v any) (b []byte, dt chunk.DType, ok bool) {
	switch x := v.(type) {
	case []bool:
		return chunk.AsBytes(x), chunk.Bool, true
	case []int8:
		return chunk.AsBytes(x), chunk.Int8, true
	case []int16:
		return chunk.AsBytes(x), chunk.Int16, true
	case []int32:
		return chunk.AsBytes(x), chunk.Int32, true
	case []int64:
		return chunk.AsBytes(x), chunk.Int64, true
	case []uint8:
		return chunk.AsBytes(x), chunk.Uint8, true
	case []uint16:
		return chunk.AsBytes(x), chunk.Uint16, true
	case []uint32:
		return chunk.AsBytes(x), chunk.Uint32, true
	case []uint64:
		return chunk.AsBytes(x), chunk.Uint64, true
	case []float32:
		return chunk.AsBytes(x), chunk.Float32, true
	case []float64:
		return chunk.AsBytes(x), chunk.Float64, true
	}
	return nil, chunk.Invalid, false
}
