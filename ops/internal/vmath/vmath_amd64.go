//go:build amd64 && !purego

package vmath

import "math"

// availableKernels lists the implementations this CPU can run, fastest
// first.
func availableKernels() []kernels {
	var ks []kernels
	f := detectFeatures()
	if f.avx512 {
		ks = append(ks, avx512Kernels)
	}
	if f.avx2 {
		ks = append(ks, avx2Kernels)
	}
	return append(ks, genericKernels)
}

var avx512Kernels = kernels{
	name: "avx512",
	sin:  func(dst, x []float64) { runVector(sinAVX512, sin1, 8, dst, x) },
	cos:  func(dst, x []float64) { runVector(cosAVX512, cos1, 8, dst, x) },
	tan:  func(dst, x []float64) { runVector(tanAVX512, tan1, 8, dst, x) },
	exp:  func(dst, x []float64) { runVector(expAVX512, exp1, 8, dst, x) },
	log:  func(dst, x []float64) { runVector(logAVX512, log1, 8, dst, x) },
	pow:  powVector,
}

var avx2Kernels = kernels{
	name: "avx2",
	sin:  func(dst, x []float64) { runVector(sinAVX2, sin1, 4, dst, x) },
	cos:  func(dst, x []float64) { runVector(cosAVX2, cos1, 4, dst, x) },
	tan:  func(dst, x []float64) { runVector(tanAVX2, tan1, 4, dst, x) },
	exp:  func(dst, x []float64) { runVector(expAVX2, exp1, 4, dst, x) },
	log:  func(dst, x []float64) { runVector(logAVX2, log1, 4, dst, x) },
	// No AVX2 Pow: its 16-entry tables would need gathers, and CPUs with
	// AVX2 but not AVX-512 are the older ones this package cares less for.
	pow: powGeneric,
}

// runVector drives an assembly kernel over x. The kernel stops in front of
// the first vector (width elements) holding an element outside its range
// and returns how many elements it has stored; that vector is then finished
// by the generic scalar function, which passes the out-of-range elements to
// package math and computes the others as the kernel would, and the kernel
// resumes after it. Stopping before the store, rather than patching
// afterwards, keeps dst == x working.
func runVector(kernel func(dst, x []float64) int, scalar func(float64) float64, width int, dst, x []float64) {
	dst = dst[:len(x)]
	for i := 0; i < len(x); {
		i += kernel(dst[i:], x[i:])
		for end := min(i+width, len(x)); i < end; i++ {
			dst[i] = scalar(x[i])
		}
	}
}

// powVector drives powAVX512 as runVector drives the one-operand kernels.
// A one-element operand is copied into an eight-element buffer that the
// kernel reads again for every vector (step 0).
func powVector(dst, x, y []float64) {
	var xb, yb [8]float64
	xs, ys := x, y
	xstep, ystep := 1, 1
	if len(x) != len(dst) {
		for i := range xb {
			xb[i] = x[0]
		}
		xs, xstep = xb[:], 0
	}
	if len(y) != len(dst) {
		for i := range yb {
			yb[i] = y[0]
		}
		ys, ystep = yb[:], 0
	}
	for i := 0; i < len(dst); {
		i += powAVX512(dst[i:], xs[i*xstep:], ys[i*ystep:], 64*xstep, 64*ystep)
		for end := min(i+8, len(dst)); i < end; i++ {
			dst[i] = pow1(xs[i*xstep], ys[i*ystep])
		}
	}
}

type features struct {
	// avx512: AVX512F (the kernels stay within the foundation subset) and
	// FMA, with the OS saving the opmask and ZMM registers.
	avx512 bool
	// avx2: AVX2 and FMA, with the OS saving the YMM registers.
	avx2 bool
}

func detectFeatures() features {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return features{}
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if ecx1&fma == 0 || ecx1&osxsave == 0 || ecx1&avx == 0 {
		return features{}
	}
	xcr0, _ := xgetbv()
	_, ebx7, _, _ := cpuid(7, 0)
	const avx2, avx512f = 1 << 5, 1 << 16
	// XCR0 bits 1-2: SSE and AVX state; bits 5-7: opmask, upper halves of
	// ZMM0-15, ZMM16-31.
	ymm := xcr0&0x06 == 0x06
	zmm := xcr0&0xe6 == 0xe6
	return features{
		avx512: zmm && ebx7&avx512f != 0,
		avx2:   ymm && ebx7&avx2 != 0,
	}
}

// cpuid executes CPUID with the given leaf and subleaf.
func cpuid(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)

// xgetbv returns extended control register XCR0.
func xgetbv() (eax, edx uint32)

// The assembly kernels. Each processes x one vector at a time (eight
// elements for AVX-512, four for AVX2; a masked vector for the tail),
// writes f(x[i]) to dst[i], and returns the number of leading elements
// done: len(x), or the index of the first vector it left untouched because
// one of its elements is outside the kernel's range. len(dst) must be at
// least len(x).

//go:noescape
func sinAVX512(dst, x []float64) int

//go:noescape
func cosAVX512(dst, x []float64) int

//go:noescape
func tanAVX512(dst, x []float64) int

//go:noescape
func expAVX512(dst, x []float64) int

//go:noescape
func logAVX512(dst, x []float64) int

//go:noescape
func powAVX512(dst, x, y []float64, xstep, ystep int) int

//go:noescape
func sinAVX2(dst, x []float64) int

//go:noescape
func cosAVX2(dst, x []float64) int

//go:noescape
func tanAVX2(dst, x []float64) int

//go:noescape
func expAVX2(dst, x []float64) int

//go:noescape
func logAVX2(dst, x []float64) int

// avx2ExpMax is the largest |x| the AVX2 Exp kernel takes: it builds
// 2^floor(k/16) from integer operations, which needs the power to be a
// normal float64, floor(k/16) in [-1022, 1023]. exp1 handles the rest of
// its range.
const avx2ExpMax = 708

// avx2Floats holds float64 constants of the AVX2 kernels that the shared
// tables lack: trigMax, trigTiny, avx2ExpMax, the smallest normal float64,
// MaxFloat64.
var avx2Floats = [5]float64{trigMax, trigTiny, avx2ExpMax, logMinNormal, math.MaxFloat64}

// avx2Ints holds integer constants of the AVX2 kernels:
//   - the mask clearing the sign bit;
//   - 15, to take a table index from the low bits of k + magic;
//   - 1023 - bits(magic)>>4 (mod 2^64): added to bits(k + magic)>>4,
//     which is bits(magic)>>4 + floor(k/16), it gives the biased exponent
//     of 2^floor(k/16);
//   - bits(0.75) and the exponent-field mask, to split x into 2^e * m;
//   - 2^63 and bits(magic) - 2048, to turn e*2^52 + (lower bits) into the
//     float64 e without a 64-bit arithmetic shift (AVX2 has none).
var avx2Ints = [7]uint64{
	1<<63 - 1,
	15,
	1<<64 + 1023 - 0x4338000000000000>>4, // wraps like the VPADDQ that uses it
	0x3fe8000000000000,
	0xfff0000000000000,
	1 << 63,
	0x4338000000000000 - 2048,
}

// avx2TailMask[n] selects the first n of four lanes, for VMASKMOVPD.
var avx2TailMask = [4][4]uint64{
	{0, 0, 0, 0},
	{1<<64 - 1, 0, 0, 0},
	{1<<64 - 1, 1<<64 - 1, 0, 0},
	{1<<64 - 1, 1<<64 - 1, 1<<64 - 1, 0},
}
