package ops

import (
	"fmt"
	"math"

	"github.com/ndchunk/ndchunk/chunk"
)

// Dist names a random distribution.
type Dist uint8

// The random distributions.
const (
	Uniform Dist = iota + 1 // uniform on [0, 1)
	Normal                  // standard normal
)

// String returns the distribution's name as in numpy.random.
func (d Dist) String() string {
	switch d {
	case Uniform:
		return "uniform"
	case Normal:
		return "normal"
	}
	return fmt.Sprintf("dist(%d)", uint8(d))
}

// The generator is counter based: element i of the random array with a given
// seed is a pure function of (seed, distribution, i), so any block can be
// generated on its own and every chunking of an array gives the same values.
//
// The function is SplitMix64 (Steele, Lea and Flood, "Fast splittable
// pseudorandom number generators", OOPSLA 2014) evaluated at a position
// rather than stepped: the 64 random bits of element i are
//
//	rngMix(key + i*rngGamma)
//
// where rngGamma is the golden-ratio Weyl increment and rngMix is Stafford's
// "Mix13" variant of the MurmurHash3 finaliser (two xorshift-multiply rounds
// and a final xorshift). Stepping the same function gives the sequence of
// java.util.SplittableRandom, which passes TestU01's BigCrush and PractRand.
// Two multiplies per element, and nothing carried between elements but the
// counter, so the loop pipelines and vectorises (VPMULLQ on AVX-512).
//
// The key is a hash of (seed, stream), one stream per distribution and use,
// so uniform(seed) and normal(seed) are unrelated arrays. Because the keys of
// different seeds differ by a pseudo-random multiple of rngGamma, two seeds
// give the same sequence shifted by a pseudo-random distance d of 64 bits;
// arrays of n elements overlap only if |d| < n, a chance of about 2n/2^64.
const (
	rngGamma = 0x9e3779b97f4a7c15 // 2^64 / golden ratio, odd
	rngMulA  = 0xbf58476d1ce4e5b9 // Stafford Mix13 multipliers
	rngMulB  = 0x94d049bb133111eb

	// Stream tags mixed into the key; arbitrary distinct 64-bit constants.
	rngStreamUniform     = 0x6a09e667f3bcc908 // sqrt(2) fraction bits, as in SHA-512
	rngStreamNormal      = 0xbb67ae8584caa73b // sqrt(3)
	rngStreamNormalRetry = 0x3c6ef372fe94f82b // sqrt(5)

	rngScale64 = 1.0 / (1 << 53) // 2^-53: 53 random bits fill a float64 mantissa
	rngScale32 = 1.0 / (1 << 24) // 2^-24: 24 random bits fill a float32 mantissa
)

// rngMix is the SplitMix64 output function, a bijection on uint64.
func rngMix(z uint64) uint64 {
	z = (z ^ z>>30) * rngMulA
	z = (z ^ z>>27) * rngMulB
	return z ^ z>>31
}

// rngKey derives the key of one stream of a seed. rngMix is a bijection, so
// distinct seeds give distinct keys within a stream.
func rngKey(seed, stream uint64) uint64 {
	return rngMix(rngMix(seed) ^ stream)
}

// UniformFloat64 sets dst[i] to the uniform [0, 1) value of flat index
// first+i of the random array with the given seed: 53 random bits scaled
// by 2^-53, so every value is a multiple of 2^-53. It is the contiguous-run
// primitive FillRandom uses.
func UniformFloat64(dst []float64, seed, first uint64) {
	rngUniform64(dst, rngKey(seed, rngStreamUniform), first)
}

// NormalFloat64 sets dst[i] to the standard normal value of flat index
// first+i of the random array with the given seed.
func NormalFloat64(dst []float64, seed, first uint64) {
	rngNormal64(dst, rngKey(seed, rngStreamNormal), rngKey(seed, rngStreamNormalRetry), first)
}

// rngAsmMax bounds the elements per assembly call (about 20 us of work):
// the runtime cannot preempt a goroutine inside an assembly loop, and a
// long one would hold up a garbage collection's stop-the-world.
const rngAsmMax = 1 << 16

// rngUniform64 writes the uniform values of indices first.. of stream key,
// using the vector kernel when the CPU has one.
func rngUniform64(dst []float64, key, first uint64) {
	for rngHaveAVX512 && len(dst) >= 8 {
		n := min(len(dst)&^7, rngAsmMax)
		rngUniform64AVX512(dst[:n], key, first)
		dst, first = dst[n:], first+uint64(n)
	}
	rngUniform64Go(dst, key, first)
}

// rngUniform64Go is the portable uniform kernel. One element per iteration
// is as fast as a manually unrolled loop here: the only value carried
// between iterations is the counter, so the out-of-order core overlaps the
// multiply chains of consecutive elements by itself, while four interleaved
// chains make the Go compiler spill registers. The constants come from
// variables so that they stay in registers instead of being rematerialised
// with 10-byte MOVQ instructions in every iteration (about 10% faster).
func rngUniform64Go(dst []float64, key, first uint64) {
	g, a, b, scale := rngVarGamma, rngVarMulA, rngVarMulB, rngVarScale64
	z := key + first*g
	for i := range dst {
		x := z
		z += g
		x = (x ^ x>>30) * a
		x = (x ^ x>>27) * b
		x ^= x >> 31
		// x>>11 < 2^53 converts exactly through int64 (a single CVTSI2SD;
		// a uint64 conversion would add a sign test).
		dst[i] = float64(int64(x>>11)) * scale
	}
}

// Copies of the generator's constants for rngUniform64Go; never modified.
var (
	rngVarGamma   uint64 = rngGamma
	rngVarMulA    uint64 = rngMulA
	rngVarMulB    uint64 = rngMulB
	rngVarScale64        = rngScale64
)

// rngUniform32 writes float32 uniform values: the top 24 bits of the same
// 64 random bits the float64 array uses, so a float32 array is its float64
// counterpart truncated to 24 bits.
func rngUniform32(dst []float32, key, first uint64) {
	for rngHaveAVX512 && len(dst) >= 8 {
		n := min(len(dst)&^7, rngAsmMax)
		rngUniform32AVX512(dst[:n], key, first)
		dst, first = dst[n:], first+uint64(n)
	}
	rngUniform32Go(dst, key, first)
}

// rngUniform32Go is the portable float32 uniform kernel.
func rngUniform32Go(dst []float32, key, first uint64) {
	z := key + first*rngGamma
	for i := range dst {
		x := z
		z += rngGamma
		x = (x ^ x>>30) * rngMulA
		x = (x ^ x>>27) * rngMulB
		x ^= x >> 31
		// x>>40 < 2^24 converts exactly.
		dst[i] = float32(int32(x>>40)) * rngScale32
	}
}

// rngBits writes the raw 64 random bits of indices first.. of stream key.
func rngBits(dst []uint64, key, first uint64) {
	for rngHaveAVX512 && len(dst) >= 8 {
		n := min(len(dst)&^7, rngAsmMax)
		rngBitsAVX512(dst[:n], key, first)
		dst, first = dst[n:], first+uint64(n)
	}
	rngBitsGo(dst, key, first)
}

// rngBitsGo is the portable raw-bits kernel.
func rngBitsGo(dst []uint64, key, first uint64) {
	z := key + first*rngGamma
	for i := range dst {
		dst[i] = rngMix(z)
		z += rngGamma
	}
}

// Standard normal values come from the 256-layer ziggurat of Marsaglia and
// Tsang ("The ziggurat method for generating random variables", J. Stat.
// Softw. 5(8), 2000) with Doornik's fix of drawing the layer and the
// abscissa from disjoint bits (ZIGNOR, 2005), the method NumPy's Generator
// uses too. It is exact: accepted points are uniform under the density.
// One 64-bit draw per element suffices 99% of the time (bits 0-7 pick the
// layer, bit 8 the sign, bits 11-63 the abscissa); the rare wedge and tail
// cases take further draws from a second stream whose values for index i
// are rngMix(base_i + t*rngGamma), t = 1, 2, ..., with base_i the retry
// stream's value at i: still a pure function of (seed, i). That is some 15
// times faster than Box-Muller, whose log and cos cost about 25 ns.
const (
	zigLayers = 256
	zigR      = 3.6541528853610088   // start of the tail: x[1]
	zigV      = 4.928673233974655e-3 // area of each layer (and of base plus tail)
)

var (
	// zigX[i] is the right edge of layer i (zigX[0] the width of the base
	// strip that stands for base plus tail, zigX[256] = 0); zigF[i] is the
	// unnormalised density exp(-x^2/2) there.
	zigX, zigF [zigLayers + 1]float64
	// zigW[i] = zigX[i] * 2^-53 maps 53 random bits m onto layer i's width;
	// zigK[i] = zigX[i+1]/zigX[i] * 2^53, so m < zigK[i] puts the point left
	// of the next layer's edge, where the density surely covers layer i.
	zigW [zigLayers]float64
	zigK [zigLayers]uint64
)

func init() {
	f := func(x float64) float64 { return math.Exp(-0.5 * x * x) }
	zigX[0] = zigV / f(zigR)
	zigX[1] = zigR
	for i := 1; i < zigLayers-1; i++ {
		zigX[i+1] = math.Sqrt(-2 * math.Log(zigV/zigX[i]+f(zigX[i])))
	}
	zigX[zigLayers] = 0
	for i := range zigX {
		zigF[i] = f(zigX[i])
	}
	for i := range zigW {
		zigW[i] = zigX[i] * rngScale64
		zigK[i] = uint64(zigX[i+1] / zigX[i] * (1 << 53))
	}
}

// rngNormal64 writes standard normal values of indices first.. given the
// keys of the normal stream and its retry stream: the raw bits are
// generated in bulk (vectorised when possible) into dst itself, then
// transformed in place.
func rngNormal64(dst []float64, key, retry, first uint64) {
	if len(dst) == 0 {
		return
	}
	bits := chunk.Cast[uint64](chunk.AsBytes(dst))
	rngBits(bits, key, first)
	for i, v := range bits {
		m := v >> 11
		l := uint8(v)
		x := float64(int64(m)) * zigW[l]
		if m >= zigK[l] {
			x = zigSlow(v, retry, first+uint64(i))
		}
		// Bit 8 is the sign, copied into the sign bit without a branch:
		// a branch on it would be mispredicted half the time.
		dst[i] = math.Float64frombits(math.Float64bits(x) | (v&256)<<55)
	}
}

// rngNormal32 writes float32 standard normal values: the float64 values
// rounded, so float32 and float64 arrays of a seed agree. The float64
// values go through a small stack buffer.
func rngNormal32(dst []float32, key, retry, first uint64) {
	var tmp [256]float64
	for len(dst) > 0 {
		n := min(len(dst), len(tmp))
		rngNormal64(tmp[:n], key, retry, first)
		for i, v := range tmp[:n] {
			dst[i] = float32(v)
		}
		dst, first = dst[n:], first+uint64(n)
	}
}

// zigSlow finishes the ziggurat for a draw v that fell outside its layer's
// inner rectangle, returning the magnitude (the sign stays bit 8 of the
// original draw, which is independent of everything used here).
func zigSlow(v, retryKey, index uint64) float64 {
	base := rngMix(retryKey + index*rngGamma)
	next := func() uint64 {
		base += rngGamma
		return rngMix(base)
	}
	// open01 maps 53 bits to (0, 1], safe for log.
	open01 := func(u uint64) float64 { return float64(int64(u>>11)+1) * rngScale64 }
	for {
		l := uint8(v)
		m := v >> 11
		x := float64(int64(m)) * zigW[l]
		if m < zigK[l] {
			return x
		}
		if l == 0 {
			// Tail beyond zigR by Marsaglia's exact method (1964).
			for {
				a := -math.Log(open01(next())) / zigR
				b := -math.Log(open01(next()))
				if b+b > a*a {
					return zigR + a
				}
			}
		}
		// Wedge: a uniform height within the layer, below the density?
		y := zigF[l] + float64(int64(next()>>11))*rngScale64*(zigF[l+1]-zigF[l])
		if y < math.Exp(-0.5*x*x) {
			return x
		}
		v = next()
	}
}

// FillRandom fills dst, elements of dt (Float32 or Float64) in row-major
// order, with region r of the random array of shape arrayShape drawn from
// dist with the given seed. Element values depend only on (seed, dist, the
// element's global row-major flat index, dt), never on the region, so any
// chunking of an array gives the same values.
func FillRandom(dst []byte, dt chunk.DType, dist Dist, seed uint64, arrayShape []int, r chunk.Region) {
	if dt != chunk.Float32 && dt != chunk.Float64 {
		panic(fmt.Sprintf("ops: FillRandom of dtype %s: want float32 or float64", dt))
	}
	if dist != Uniform && dist != Normal {
		panic(fmt.Sprintf("ops: FillRandom of unknown %s", dist))
	}
	n := r.Size()
	if len(dst) != n*dt.Size() {
		panic(fmt.Sprintf("ops: FillRandom: %d bytes for region %s of %s", len(dst), r.String(), dt))
	}
	if n == 0 {
		return
	}
	key := rngKey(seed, rngStreamUniform)
	if dist == Normal {
		key = rngKey(seed, rngStreamNormal)
	}
	retry := rngKey(seed, rngStreamNormalRetry)
	f64 := chunk.Cast[float64](dst)
	f32 := chunk.Cast[float32](dst)
	fill := func(off, first, count int) {
		switch {
		case dt == chunk.Float64 && dist == Uniform:
			rngUniform64(f64[off:off+count], key, uint64(first))
		case dt == chunk.Float64:
			rngNormal64(f64[off:off+count], key, retry, uint64(first))
		case dist == Uniform:
			rngUniform32(f32[off:off+count], key, uint64(first))
		default:
			rngNormal32(f32[off:off+count], key, retry, uint64(first))
		}
	}
	regionRuns(arrayShape, r, fill)
}

// regionRuns calls fn(off, first, count) for each maximal run of region r
// of an array of shape arrayShape that is contiguous in the array: count
// elements at region-local flat offset off and global flat index first.
// Trailing axes that r covers entirely merge into longer runs.
func regionRuns(arrayShape []int, r chunk.Region, fn func(off, first, count int)) {
	rank := len(arrayShape)
	if len(r.Start) != rank || len(r.Shape) != rank {
		panic(fmt.Sprintf("ops: region %s of rank %d in an array of shape %s", mvInts(r.Start)+"+"+mvInts(r.Shape), len(r.Shape), mvInts(arrayShape)))
	}
	for i := range rank {
		if r.Start[i] < 0 || r.Shape[i] < 0 || r.Start[i]+r.Shape[i] > arrayShape[i] {
			panic(fmt.Sprintf("ops: region %s outside an array of shape %s", r.String(), mvInts(arrayShape)))
		}
	}
	if r.Size() == 0 {
		return
	}
	// Axes k.. form one contiguous run: those after k are covered entirely.
	k := max(rank-1, 0)
	run := 1
	if rank > 0 {
		run = r.Shape[rank-1]
	}
	for k > 0 && r.Shape[k] == arrayShape[k] {
		k--
		run *= r.Shape[k]
	}
	var strides [chunk.MaxRank]int
	s := 1
	for i := rank - 1; i >= 0; i-- {
		strides[i] = s
		s *= arrayShape[i]
	}
	first := 0
	for i := range rank {
		first += r.Start[i] * strides[i]
	}
	var idx [chunk.MaxRank]int
	for off := 0; ; off += run {
		fn(off, first, run)
		// Advance the odometer over axes 0..k-1.
		i := k - 1
		for ; i >= 0; i-- {
			idx[i]++
			first += strides[i]
			if idx[i] < r.Shape[i] {
				break
			}
			first -= idx[i] * strides[i]
			idx[i] = 0
		}
		if i < 0 {
			return
		}
	}
}
