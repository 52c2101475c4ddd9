package ops

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
)

// ewCastEdgeIn are float inputs whose integer conversions NumPy leaves to
// the C compiler: NaN, infinities, values out of every range.
var ewCastEdgeIn = []float64{ewNaN, ewInf, -ewInf, 3000000000, -3000000000, 1e+19, -1e+19, 300.7, -300.7, 70000.5, -1.5, -0.5, 2500000000, 5000000000, 1.8e+19, -5000000000, 127.9, -128.9, 65535.5}

// ewCastEdgesNumPy holds NumPy's astype results for ewCastEdgeIn (rounded
// to float32 for the float32 rows), as uint64 bit patterns of the
// sign-extended values. From numpy 1.24.2 on x86-64:
// np.array([v], src).astype(dst)[0], one element at a time, because for
// uint32 NumPy's vectorised loop gives other values (2^31 for NaN and
// negative overflow, 0 for 5e9) than its scalar one.
var ewCastEdgesNumPy = []struct {
	from, to chunk.DType
	want     []uint64
}{
	{chunk.Float64, chunk.Int8, []uint64{0, 0, 0, 0, 0, 0, 0, 44, 18446744073709551572, 112, 18446744073709551615, 0, 0, 0, 0, 0, 127, 18446744073709551488, 18446744073709551615}},
	{chunk.Float64, chunk.Int16, []uint64{0, 0, 0, 0, 0, 0, 0, 300, 18446744073709551316, 4464, 18446744073709551615, 0, 0, 0, 0, 0, 127, 18446744073709551488, 18446744073709551615}},
	{chunk.Float64, chunk.Int32, []uint64{18446744071562067968, 18446744071562067968, 18446744071562067968, 18446744071562067968, 18446744071562067968, 18446744071562067968, 18446744071562067968, 300, 18446744073709551316, 70000, 18446744073709551615, 0, 18446744071562067968, 18446744071562067968, 18446744071562067968, 18446744071562067968, 127, 18446744073709551488, 65535}},
	{chunk.Float64, chunk.Int64, []uint64{9223372036854775808, 9223372036854775808, 9223372036854775808, 3000000000, 18446744070709551616, 9223372036854775808, 9223372036854775808, 300, 18446744073709551316, 70000, 18446744073709551615, 0, 2500000000, 5000000000, 9223372036854775808, 18446744068709551616, 127, 18446744073709551488, 65535}},
	{chunk.Float64, chunk.Uint8, []uint64{0, 0, 0, 0, 0, 0, 0, 44, 212, 112, 255, 0, 0, 0, 0, 0, 127, 128, 255}},
	{chunk.Float64, chunk.Uint16, []uint64{0, 0, 0, 0, 0, 0, 0, 300, 65236, 4464, 65535, 0, 0, 0, 0, 0, 127, 65408, 65535}},
	{chunk.Float64, chunk.Uint32, []uint64{0, 0, 0, 3000000000, 1294967296, 0, 0, 300, 4294966996, 70000, 4294967295, 0, 2500000000, 705032704, 0, 3589934592, 127, 4294967168, 65535}},
	{chunk.Float64, chunk.Uint64, []uint64{9223372036854775808, 0, 9223372036854775808, 3000000000, 18446744070709551616, 10000000000000000000, 9223372036854775808, 300, 18446744073709551316, 70000, 18446744073709551615, 0, 2500000000, 5000000000, 18000000000000000000, 18446744068709551616, 127, 18446744073709551488, 65535}},
	{chunk.Float32, chunk.Int8, []uint64{0, 0, 0, 0, 0, 0, 0, 44, 18446744073709551572, 112, 18446744073709551615, 0, 0, 0, 0, 0, 127, 18446744073709551488, 18446744073709551615}},
	{chunk.Float32, chunk.Int16, []uint64{0, 0, 0, 0, 0, 0, 0, 300, 18446744073709551316, 4464, 18446744073709551615, 0, 0, 0, 0, 0, 127, 18446744073709551488, 18446744073709551615}},
	{chunk.Float32, chunk.Int32, []uint64{18446744071562067968, 18446744071562067968, 18446744071562067968, 18446744071562067968, 18446744071562067968, 18446744071562067968, 18446744071562067968, 300, 18446744073709551316, 70000, 18446744073709551615, 0, 18446744071562067968, 18446744071562067968, 18446744071562067968, 18446744071562067968, 127, 18446744073709551488, 65535}},
	{chunk.Float32, chunk.Int64, []uint64{9223372036854775808, 9223372036854775808, 9223372036854775808, 3000000000, 18446744070709551616, 9223372036854775808, 9223372036854775808, 300, 18446744073709551316, 70000, 18446744073709551615, 0, 2500000000, 5000000000, 9223372036854775808, 18446744068709551616, 127, 18446744073709551488, 65535}},
	{chunk.Float32, chunk.Uint8, []uint64{0, 0, 0, 0, 0, 0, 0, 44, 212, 112, 255, 0, 0, 0, 0, 0, 127, 128, 255}},
	{chunk.Float32, chunk.Uint16, []uint64{0, 0, 0, 0, 0, 0, 0, 300, 65236, 4464, 65535, 0, 0, 0, 0, 0, 127, 65408, 65535}},
	{chunk.Float32, chunk.Uint32, []uint64{0, 0, 0, 3000000000, 1294967296, 0, 0, 300, 4294966996, 70000, 4294967295, 0, 2500000000, 705032704, 0, 3589934592, 127, 4294967168, 65535}},
	{chunk.Float32, chunk.Uint64, []uint64{9223372036854775808, 0, 9223372036854775808, 3000000000, 18446744070709551616, 9999999980506447872, 9223372036854775808, 300, 18446744073709551316, 70000, 18446744073709551615, 0, 2500000000, 5000000000, 18000000404716257280, 18446744068709551616, 127, 18446744073709551488, 65535}},
}

func TestCastEdgesNumPy(t *testing.T) {
	for _, c := range ewCastEdgesNumPy {
		src := ewFloatBytes(c.from, ewCastEdgeIn)
		dst := make([]byte, len(ewCastEdgeIn)*c.to.Size())
		Cast(c.from, c.to)(dst, src)
		for i, want := range c.want {
			if got := uint64(ewIntAt(c.to, dst, i)); got != want {
				t.Errorf("%v %v -> %v = %d, NumPy gives %d", c.from, ewFloatsOf(c.from, src)[i], c.to, got, want)
			}
		}
	}
}

// TestCastRoundingNumPy checks the conversions that round. From numpy
// 1.24.2: np.float64(16777217).astype('f4'), np.array([2**63-1, 2**53+1],
// 'i8').astype('f4'), np.array([2**64-1, 2**53+1], 'u8').astype('f8'),
// np.array([3.4028235677973366e38, 1e-46, -0.0]).astype('f4').
func TestCastRoundingNumPy(t *testing.T) {
	f64 := []float64{16777217, 3.4028235677973366e38, 1e-46, ewNegZ}
	want32 := []float32{16777216, float32(math.Inf(1)), 0, float32(ewNegZ)}
	got32 := make([]float32, len(f64))
	Cast(chunk.Float64, chunk.Float32)(chunk.AsBytes(got32), chunk.AsBytes(f64))
	for i := range want32 {
		if math.Float32bits(got32[i]) != math.Float32bits(want32[i]) {
			t.Errorf("float64 %v -> float32 = %v, NumPy gives %v", f64[i], got32[i], want32[i])
		}
	}
	i64 := []int64{1<<63 - 1, 1<<53 + 1}
	got := make([]float32, 2)
	Cast(chunk.Int64, chunk.Float32)(chunk.AsBytes(got), chunk.AsBytes(i64))
	if got[0] != 9.223372036854776e18 || got[1] != 9007199254740992 {
		t.Errorf("int64 -> float32 = %v", got)
	}
	u64 := []uint64{1<<64 - 1, 1<<53 + 1}
	got64 := make([]float64, 2)
	Cast(chunk.Uint64, chunk.Float64)(chunk.AsBytes(got64), chunk.AsBytes(u64))
	if got64[0] != 1.8446744073709552e19 || got64[1] != 9007199254740992 {
		t.Errorf("uint64 -> float64 = %v", got64)
	}
}

// TestCastRandom converts random values between every pair of dtypes and
// compares with a reference built from the rules: exact values through
// big.Int and big.Float, wrapped or rounded once.
func TestCastRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	const n = 500
	for _, from := range chunk.DTypes {
		src := ewRandBytes(r, from, n)
		for _, to := range chunk.DTypes {
			dst := make([]byte, n*to.Size())
			Cast(from, to)(dst, src)
			errs := 0
			for i := 0; i < n && errs < 10; i++ {
				want := ewCastRef(from, to, src, i)
				got := dst[i*to.Size() : (i+1)*to.Size()]
				if string(got) != string(want) {
					t.Errorf("%v -> %v of element %d (%s): got %x, want %x", from, to, i, ewDescribe(from, src, i), got, want)
					errs++
				}
			}
		}
	}
}

// ewRandBytes returns n random elements of dt: the integer and float test
// distributions, and bools as 0 and 1.
func ewRandBytes(r *rand.Rand, dt chunk.DType, n int) []byte {
	switch dt {
	case chunk.Bool:
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(2))
		}
		return b
	case chunk.Int8:
		return chunk.AsBytes(ewRandInts[int8](r, n))
	case chunk.Int16:
		return chunk.AsBytes(ewRandInts[int16](r, n))
	case chunk.Int32:
		return chunk.AsBytes(ewRandInts[int32](r, n))
	case chunk.Int64:
		return chunk.AsBytes(ewRandInts[int64](r, n))
	case chunk.Uint8:
		return chunk.AsBytes(ewRandInts[uint8](r, n))
	case chunk.Uint16:
		return chunk.AsBytes(ewRandInts[uint16](r, n))
	case chunk.Uint32:
		return chunk.AsBytes(ewRandInts[uint32](r, n))
	case chunk.Uint64:
		return chunk.AsBytes(ewRandInts[uint64](r, n))
	}
	v := ewRandFloats(r, n)
	for i := range v {
		if r.IntN(3) == 0 { // values around the integer ranges
			v[i] = math.Ldexp(r.Float64()*4-2, r.IntN(70))
		}
	}
	return ewFloatBytes(dt, v)
}

func ewDescribe(dt chunk.DType, b []byte, i int) string {
	if dt.IsFloat() {
		return big.NewFloat(ewFloatsOf(dt, b)[i]).Text('g', 20)
	}
	return ewBigAt(dt, b, i).String()
}

// ewBigAt reads integer or bool element i exactly.
func ewBigAt(dt chunk.DType, b []byte, i int) *big.Int {
	v := ewIntAt(dt, b, i)
	if dt == chunk.Uint64 {
		return new(big.Int).SetUint64(uint64(v))
	}
	return big.NewInt(v)
}

// ewCastRef returns the bytes element i of src (dtype from) should become
// in dtype to.
func ewCastRef(from, to chunk.DType, src []byte, i int) []byte {
	if from == to {
		return src[i*from.Size() : (i+1)*from.Size()]
	}
	if to == chunk.Bool {
		nonzero := false
		if from.IsFloat() {
			nonzero = ewFloatsOf(from, src)[i] != 0 // NaN is nonzero
		} else {
			nonzero = ewBigAt(from, src, i).Sign() != 0
		}
		if nonzero {
			return []byte{1}
		}
		return []byte{0}
	}
	var z *big.Int // the integer to wrap into to, or nil for a float result
	var f *big.Float
	if from.IsFloat() {
		x := ewFloatsOf(from, src)[i]
		if to.IsFloat() {
			return ewFloatBytes(to, []float64{x}) // float64 -> float32 is IEEE rounding
		}
		z = ewFloatToIntRef(x, to)
	} else {
		z = ewBigAt(from, src, i)
		if to.IsFloat() {
			f = new(big.Float).SetInt(z)
		}
	}
	if f != nil {
		if to == chunk.Float32 {
			v, _ := f.Float32()
			return chunk.AsBytes([]float32{v})
		}
		v, _ := f.Float64()
		return chunk.AsBytes([]float64{v})
	}
	return ewIntBytes(to, []int64{int64(ewWrap[uint64](z))})
}

// ewFloatToIntRef is the documented float to integer rule as an exact
// integer, before wrapping into the destination: truncation toward zero
// where the intermediate (int32, or int64 for int64, uint32 and uint64)
// holds it, the intermediate's minimum otherwise; uint64 treats values from
// 2^63 as x - 2^63 plus 2^63.
func ewFloatToIntRef(x float64, to chunk.DType) *big.Int {
	trunc := func(x float64, bits uint) *big.Int {
		lo := new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), bits-1))
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return lo
		}
		z, _ := big.NewFloat(math.Trunc(x)).Int(nil)
		hi := new(big.Int).Sub(new(big.Int).Neg(lo), big.NewInt(1))
		if z.Cmp(lo) < 0 || z.Cmp(hi) > 0 {
			return lo
		}
		return z
	}
	switch to {
	case chunk.Int8, chunk.Int16, chunk.Int32, chunk.Uint8, chunk.Uint16:
		return trunc(x, 32)
	case chunk.Uint64:
		if x >= 0x1p63 {
			return new(big.Int).Add(trunc(x-0x1p63, 64), new(big.Int).Lsh(big.NewInt(1), 63))
		}
	}
	return trunc(x, 64)
}

func TestCastBool(t *testing.T) {
	src := []float64{0, ewNegZ, ewNaN, 1e-320, -3, ewInf}
	got := make([]bool, len(src))
	Cast(chunk.Float64, chunk.Bool)(chunk.AsBytes(got), chunk.AsBytes(src))
	// From numpy 1.24.2: np.array([0, -0.0, np.nan, 1e-320, -3, np.inf]).astype(bool).
	want := []bool{false, false, true, true, true, true}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("float64 %v -> bool = %v, NumPy gives %v", src[i], got[i], want[i])
		}
	}
	f := make([]float32, 2)
	Cast(chunk.Bool, chunk.Float32)(chunk.AsBytes(f), chunk.AsBytes([]bool{true, false}))
	if f[0] != 1 || f[1] != 0 {
		t.Errorf("bool -> float32 = %v", f)
	}
}

func TestCastInvalidPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Cast from an invalid dtype did not panic")
		}
	}()
	Cast(chunk.Invalid, chunk.Float64)
}
