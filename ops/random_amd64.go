//go:build amd64 && !purego

package ops

// rngHaveAVX512 reports whether the AVX-512 random kernels may run: they
// need AVX512F, AVX512DQ (VPMULLQ, VCVTQQ2PD) and an OS that saves the
// ZMM and opmask registers.
var rngHaveAVX512 = rngDetectAVX512()

func rngDetectAVX512() bool {
	maxLeaf, _, _, _ := rngCPUID(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := rngCPUID(1, 0)
	const osxsave = 1 << 27
	if ecx1&osxsave == 0 {
		return false
	}
	// XCR0 bits 1-2 (SSE, AVX state) and 5-7 (opmask, ZMM0-15 upper halves,
	// ZMM16-31) must all be enabled by the OS.
	xcr0, _ := rngXGETBV()
	if xcr0&0xe6 != 0xe6 {
		return false
	}
	_, ebx7, _, _ := rngCPUID(7, 0)
	const avx512f, avx512dq = 1 << 16, 1 << 17
	return ebx7&avx512f != 0 && ebx7&avx512dq != 0
}

// rngCPUID executes CPUID with the given leaf and subleaf.
//
//go:noescape
func rngCPUID(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)

// rngXGETBV returns extended control register XCR0.
func rngXGETBV() (eax, edx uint32)

// rngUniform64AVX512 is rngUniform64Go eight lanes at a time; len(dst) must
// be a multiple of 8. Bit-for-bit equal to the portable kernel.
//
//go:noescape
func rngUniform64AVX512(dst []float64, key, first uint64)

// rngUniform32AVX512 is rngUniform32Go eight lanes at a time; len(dst) must
// be a multiple of 8.
//
//go:noescape
func rngUniform32AVX512(dst []float32, key, first uint64)

// rngBitsAVX512 is rngBitsGo eight lanes at a time; len(dst) must be a
// multiple of 8.
//
//go:noescape
func rngBitsAVX512(dst []uint64, key, first uint64)
