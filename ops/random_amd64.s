//go:build amd64 && !purego

#include "textflag.h"

// AVX-512 versions of the SplitMix64 kernels in random.go: eight counters
// per ZMM register, the same arithmetic lane by lane, so results are equal
// bit for bit. VPMULLQ (AVX512DQ) is the 64-bit low multiply; VCVTQQ2PD and
// VCVTQQ2PS convert the (non-negative, exactly representable) integers.

// rngLanes<> holds i*rngGamma for lanes i = 0..7.
DATA rngLanes<>+0x00(SB)/8, $0x0000000000000000
DATA rngLanes<>+0x08(SB)/8, $0x9e3779b97f4a7c15
DATA rngLanes<>+0x10(SB)/8, $0x3c6ef372fe94f82a
DATA rngLanes<>+0x18(SB)/8, $0xdaa66d2c7ddf743f
DATA rngLanes<>+0x20(SB)/8, $0x78dde6e5fd29f054
DATA rngLanes<>+0x28(SB)/8, $0x1715609f7c746c69
DATA rngLanes<>+0x30(SB)/8, $0xb54cda58fbbee87e
DATA rngLanes<>+0x38(SB)/8, $0x538454127b096493
GLOBL rngLanes<>(SB), RODATA|NOPTR, $64

// SETUP loads the counters of the first eight elements into Z1
// (key + (first+lane)*gamma), the step 8*gamma into Z13 and the two
// multipliers into Z10 and Z11. It clobbers AX, BX, DX.
#define SETUP \
	MOVQ key+24(FP), AX \
	MOVQ first+32(FP), BX \
	MOVQ $0x9e3779b97f4a7c15, DX \
	IMULQ DX, BX \
	ADDQ AX, BX \
	VPBROADCASTQ BX, Z1 \
	VPADDQ rngLanes<>(SB), Z1, Z1 \
	MOVQ $0xf1bbcdcbfa53e0a8, DX \
	VPBROADCASTQ DX, Z13 \
	MOVQ $0xbf58476d1ce4e5b9, DX \
	VPBROADCASTQ DX, Z10 \
	MOVQ $0x94d049bb133111eb, DX \
	VPBROADCASTQ DX, Z11

// MIX sets out = rngMix(in), using tmp; in is left unchanged.
#define MIX(in, out, tmp) \
	VPSRLQ $30, in, tmp \
	VPXORQ in, tmp, out \
	VPMULLQ Z10, out, out \
	VPSRLQ $27, out, tmp \
	VPXORQ tmp, out, out \
	VPMULLQ Z11, out, out \
	VPSRLQ $31, out, tmp \
	VPXORQ tmp, out, out

// func rngUniform64AVX512(dst []float64, key, first uint64)
//
// One vector per iteration: the loop is bound by the ZMM ports (0 and 5)
// at about seven cycles per eight elements; unrolling did not help.
TEXT ·rngUniform64AVX512(SB), NOSPLIT, $0-40
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	SETUP
	MOVQ $0x3ca0000000000000, DX // 2^-53
	VPBROADCASTQ DX, Z12
	SHRQ $3, CX
	JZ   u64done

u64loop:
	MIX(Z1, Z2, Z3)
	VPADDQ    Z13, Z1, Z1
	VPSRLQ    $11, Z2, Z2
	VCVTQQ2PD Z2, Z2
	VMULPD    Z12, Z2, Z2
	VMOVUPD   Z2, (DI)
	ADDQ      $64, DI
	DECQ      CX
	JNZ       u64loop

u64done:
	VZEROUPPER
	RET

// func rngUniform32AVX512(dst []float32, key, first uint64)
TEXT ·rngUniform32AVX512(SB), NOSPLIT, $0-40
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	SETUP
	MOVL $0x33800000, DX // 2^-24
	VPBROADCASTD DX, Y12
	SHRQ $3, CX
	JZ   u32done

u32loop:
	MIX(Z1, Z2, Z3)
	VPADDQ    Z13, Z1, Z1
	VPSRLQ    $40, Z2, Z2
	VCVTQQ2PS Z2, Y2
	VMULPS    Y12, Y2, Y2
	VMOVUPS   Y2, (DI)
	ADDQ      $32, DI
	DECQ      CX
	JNZ       u32loop

u32done:
	VZEROUPPER
	RET

// func rngBitsAVX512(dst []uint64, key, first uint64)
TEXT ·rngBitsAVX512(SB), NOSPLIT, $0-40
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	SETUP
	SHRQ $3, CX
	JZ   bitsdone

bitsloop:
	MIX(Z1, Z2, Z3)
	VPADDQ   Z13, Z1, Z1
	VMOVDQU64 Z2, (DI)
	ADDQ     $64, DI
	DECQ     CX
	JNZ      bitsloop

bitsdone:
	VZEROUPPER
	RET

// func rngCPUID(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)
TEXT ·rngCPUID(SB), NOSPLIT, $0-24
	MOVL leaf+0(FP), AX
	MOVL subleaf+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func rngXGETBV() (eax, edx uint32)
TEXT ·rngXGETBV(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET
