//go:build amd64 && !purego

#include "textflag.h"

// AVX2+FMA versions of sin1, cos1, exp1 and log1 in generic.go and tan1 in
// tan.go, four lanes per YMM register, for amd64 CPUs without AVX-512. They follow the scalar
// code operation for operation (so they give the same results bit for bit)
// with three changes forced by the instruction set: the Exp table is read
// with VGATHERQPD and 2^floor(k/16) is built with integer operations (so
// the kernel takes |x| <= avx2ExpMax only), Log splits x with integer
// operations and leaves subnormals to log1, and range checks are vector
// compares moved to a general register with VMOVMSKPD.
//
// The frame is that of the AVX-512 kernels: constants in Y8-Y15, x in Y0,
// the lanes the kernel must not handle in Y3 (tested before any store), the
// result in Y1; Y0-Y7 are scratch. The last, partial vector is loaded and
// stored with VMASKMOVPD under a mask from avx2TailMask.

// TAIL_LOAD loads the last, partial vector: BX = remaining elements (1..3)
// on entry, and 32*BX, the offset of its mask in avx2TailMask, after; the
// lanes beyond the end read as 0. Clobbers R8.
#define TAIL_LOAD \
	SHLQ $5, BX \
	LEAQ ·avx2TailMask(SB), R8 \
	VMOVDQU (R8)(BX*1), Y2 \
	VMASKMOVPD (SI)(AX*8), Y2, Y0

// TAIL_STORE stores those lanes of Y1 and advances AX past them.
#define TAIL_STORE \
	LEAQ ·avx2TailMask(SB), R8 \
	VMOVDQU (R8)(BX*1), Y2 \
	VMASKMOVPD Y1, Y2, (DI)(AX*8) \
	SHRQ $5, BX \
	ADDQ BX, AX

// TAIL_BAD keeps in Y3 only the bad lanes inside the tail.
#define TAIL_BAD \
	LEAQ ·avx2TailMask(SB), R8 \
	VANDPD (R8)(BX*1), Y3, Y3

// ---- sine and cosine ----

// TRIG2_SETUP: Y15 1/pi, Y14 magic, Y13-Y11 pi1-pi3, Y10 abs mask,
// Y9 trigMax, Y8 trigTiny.
#define TRIG2_SETUP \
	VBROADCASTSD ·trigConsts+0(SB), Y15 \
	VBROADCASTSD ·trigConsts+8(SB), Y14 \
	VBROADCASTSD ·trigConsts+16(SB), Y13 \
	VBROADCASTSD ·trigConsts+24(SB), Y12 \
	VBROADCASTSD ·trigConsts+32(SB), Y11 \
	VBROADCASTSD ·avx2Ints+0(SB), Y10 \
	VBROADCASTSD ·avx2Floats+0(SB), Y9 \
	VBROADCASTSD ·avx2Floats+8(SB), Y8

// TRIG2_CHECK: Y3 = lanes with !(|x| <= trigMax) (large, ±Inf, NaN),
// Y2 = lanes with |x| < trigTiny.
#define TRIG2_CHECK \
	VANDPD Y10, Y0, Y2 \
	VCMPPD $0x16, Y9, Y2, Y3 \
	VCMPPD $0x11, Y8, Y2, Y2

// SIN2_POLY: Y1 = sinKernel(Y5); clobbers Y6, Y7.
#define SIN2_POLY \
	VMULPD Y5, Y5, Y6 \
	VBROADCASTSD ·sinPoly+56(SB), Y1 \
	VBROADCASTSD ·sinPoly+48(SB), Y7 \
	VFMADD213PD Y7, Y6, Y1 \
	VBROADCASTSD ·sinPoly+40(SB), Y7 \
	VFMADD213PD Y7, Y6, Y1 \
	VBROADCASTSD ·sinPoly+32(SB), Y7 \
	VFMADD213PD Y7, Y6, Y1 \
	VBROADCASTSD ·sinPoly+24(SB), Y7 \
	VFMADD213PD Y7, Y6, Y1 \
	VBROADCASTSD ·sinPoly+16(SB), Y7 \
	VFMADD213PD Y7, Y6, Y1 \
	VBROADCASTSD ·sinPoly+8(SB), Y7 \
	VFMADD213PD Y7, Y6, Y1 \
	VBROADCASTSD ·sinPoly+0(SB), Y7 \
	VFMADD213PD Y7, Y6, Y1 \
	VMULPD Y6, Y5, Y7 \
	VFMADD213PD Y5, Y7, Y1

// SIN2_BODY: Y1 = sin1(Y0), x itself in the tiny lanes Y2.
#define SIN2_BODY \
	VMOVAPD Y14, Y3 \
	VFMADD231PD Y15, Y0, Y3 \
	VSUBPD Y14, Y3, Y4 \
	VMOVAPD Y0, Y5 \
	VFNMADD231PD Y13, Y4, Y5 \
	VFNMADD231PD Y12, Y4, Y5 \
	VFNMADD231PD Y11, Y4, Y5 \
	VPSLLQ $63, Y3, Y3 \
	VXORPD Y3, Y5, Y5 \
	SIN2_POLY \
	VBLENDVPD Y2, Y0, Y1, Y1

// COS2_BODY: Y1 = cos1(Y0), 1 in the tiny lanes Y2.
#define COS2_BODY \
	VBROADCASTSD ·trigConsts+40(SB), Y3 \
	VFMADD231PD Y15, Y0, Y3 \
	VADDPD Y14, Y3, Y3 \
	VSUBPD Y14, Y3, Y4 \
	VBROADCASTSD ·trigConsts+48(SB), Y5 \
	VADDPD Y5, Y4, Y4 \
	VMOVAPD Y0, Y5 \
	VFMSUB231PD Y13, Y4, Y5 \
	VFMADD231PD Y12, Y4, Y5 \
	VFMADD231PD Y11, Y4, Y5 \
	VPSLLQ $63, Y3, Y3 \
	VXORPD Y3, Y5, Y5 \
	SIN2_POLY \
	VBROADCASTSD ·trigConsts+56(SB), Y3 \
	VBLENDVPD Y2, Y3, Y1, Y1

// func sinAVX2(dst, x []float64) int
TEXT ·sinAVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	TRIG2_SETUP
	XORQ AX, AX

sinLoop:
	LEAQ 4(AX), DX
	CMPQ DX, CX
	JA   sinTail
	VMOVUPD (SI)(AX*8), Y0
	TRIG2_CHECK
	VMOVMSKPD Y3, BX
	TESTL BX, BX
	JNZ  sinDone
	SIN2_BODY
	VMOVUPD Y1, (DI)(AX*8)
	MOVQ DX, AX
	JMP  sinLoop

sinTail:
	MOVQ CX, BX
	SUBQ AX, BX
	JZ   sinDone
	TAIL_LOAD
	TRIG2_CHECK
	TAIL_BAD
	VMOVMSKPD Y3, DX
	TESTL DX, DX
	JNZ  sinDone
	SIN2_BODY
	TAIL_STORE

sinDone:
	MOVQ AX, ret+48(FP)
	VZEROUPPER
	RET

// func cosAVX2(dst, x []float64) int
TEXT ·cosAVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	TRIG2_SETUP
	XORQ AX, AX

cosLoop:
	LEAQ 4(AX), DX
	CMPQ DX, CX
	JA   cosTail
	VMOVUPD (SI)(AX*8), Y0
	TRIG2_CHECK
	VMOVMSKPD Y3, BX
	TESTL BX, BX
	JNZ  cosDone
	COS2_BODY
	VMOVUPD Y1, (DI)(AX*8)
	MOVQ DX, AX
	JMP  cosLoop

cosTail:
	MOVQ CX, BX
	SUBQ AX, BX
	JZ   cosDone
	TAIL_LOAD
	TRIG2_CHECK
	TAIL_BAD
	VMOVMSKPD Y3, DX
	TESTL DX, DX
	JNZ  cosDone
	COS2_BODY
	TAIL_STORE

cosDone:
	MOVQ AX, ret+48(FP)
	VZEROUPPER
	RET

// ---- tangent ----

// The tangent needs more scratch registers than the four-register frame
// leaves, so TAN2 keeps no constants in registers: they are broadcast from
// tanConsts, tanSinPoly, tanCosPoly, avx2Ints and avx2Floats where used.
// x stays in Y0 and the tiny lanes in Y2; everything else is scratch.

// TAN2_CHECK: Y3 = lanes with !(|x| <= trigMax), Y2 = lanes with
// |x| < trigTiny, as TRIG2_CHECK.
#define TAN2_CHECK \
	VBROADCASTSD ·avx2Ints+0(SB), Y4 \
	VANDPD Y4, Y0, Y2 \
	VBROADCASTSD ·avx2Floats+0(SB), Y4 \
	VCMPPD $0x16, Y4, Y2, Y3 \
	VBROADCASTSD ·avx2Floats+8(SB), Y4 \
	VCMPPD $0x11, Y4, Y2, Y2

// TAN2_REDUCE: rh in Y8, rl in Y10, t = x*2/pi + magic in Y3, as tan1.
#define TAN2_REDUCE \
	VBROADCASTSD ·tanConsts+8(SB), Y14 \
	VBROADCASTSD ·tanConsts+0(SB), Y3 \
	VFMADD213PD Y14, Y0, Y3 \
	VSUBPD Y14, Y3, Y4 \
	VBROADCASTSD ·tanConsts+16(SB), Y15 \
	VMOVAPD Y0, Y5 \
	VFNMADD231PD Y15, Y4, Y5 \
	VBROADCASTSD ·tanConsts+24(SB), Y15 \
	VMULPD Y15, Y4, Y6 \
	VMOVAPD Y6, Y7 \
	VFMSUB231PD Y15, Y4, Y7 \
	VSUBPD Y6, Y5, Y8 \
	VSUBPD Y5, Y8, Y9 \
	VSUBPD Y9, Y8, Y10 \
	VSUBPD Y10, Y5, Y10 \
	VADDPD Y9, Y6, Y6 \
	VSUBPD Y6, Y10, Y10 \
	VSUBPD Y7, Y10, Y10 \
	VBROADCASTSD ·tanConsts+32(SB), Y15 \
	VFNMADD231PD Y15, Y4, Y10

// SINCOS2_DD: sinCosDD(Y8, Y10): sh = Y8, sl in Y1, ch in Y6, cl in Y13.
#define SINCOS2_DD \
	VMULPD Y8, Y8, Y11 \
	VMOVAPD Y11, Y12 \
	VFMSUB231PD Y8, Y8, Y12 \
	VBROADCASTSD ·tanSinPoly+48(SB), Y1 \
	VBROADCASTSD ·tanSinPoly+40(SB), Y15 \
	VFMADD213PD Y15, Y11, Y1 \
	VBROADCASTSD ·tanSinPoly+32(SB), Y15 \
	VFMADD213PD Y15, Y11, Y1 \
	VBROADCASTSD ·tanSinPoly+24(SB), Y15 \
	VFMADD213PD Y15, Y11, Y1 \
	VBROADCASTSD ·tanSinPoly+16(SB), Y15 \
	VFMADD213PD Y15, Y11, Y1 \
	VBROADCASTSD ·tanSinPoly+8(SB), Y15 \
	VFMADD213PD Y15, Y11, Y1 \
	VBROADCASTSD ·tanSinPoly+0(SB), Y15 \
	VFMADD213PD Y15, Y11, Y1 \
	VBROADCASTSD ·tanCosPoly+40(SB), Y13 \
	VBROADCASTSD ·tanCosPoly+32(SB), Y15 \
	VFMADD213PD Y15, Y11, Y13 \
	VBROADCASTSD ·tanCosPoly+24(SB), Y15 \
	VFMADD213PD Y15, Y11, Y13 \
	VBROADCASTSD ·tanCosPoly+16(SB), Y15 \
	VFMADD213PD Y15, Y11, Y13 \
	VBROADCASTSD ·tanCosPoly+8(SB), Y15 \
	VFMADD213PD Y15, Y11, Y13 \
	VBROADCASTSD ·tanCosPoly+0(SB), Y15 \
	VFMADD213PD Y15, Y11, Y13 \
	VBROADCASTSD ·tanConsts+40(SB), Y15 \
	VBROADCASTSD ·tanConsts+48(SB), Y14 \
	VMULPD Y15, Y11, Y5 \
	VMOVAPD Y10, Y6 \
	VFNMADD231PD Y5, Y10, Y6 \
	VMULPD Y11, Y8, Y7 \
	VFMADD213PD Y6, Y7, Y1 \
	VSUBPD Y5, Y14, Y6 \
	VSUBPD Y6, Y14, Y7 \
	VSUBPD Y5, Y7, Y7 \
	VMULPD Y11, Y11, Y9 \
	VMULPD Y15, Y12, Y12 \
	VFMSUB213PD Y12, Y9, Y13 \
	VFNMADD231PD Y10, Y8, Y13 \
	VADDPD Y7, Y13, Y13

// TAN2_BODY: Y1 = tan1(Y0), x itself in the tiny lanes Y2. The parity of
// k, shifted to the sign bit of Y3, is the VBLENDVPD mask that swaps
// numerator and denominator, and the sign to apply.
#define TAN2_BODY \
	TAN2_REDUCE \
	SINCOS2_DD \
	VPSLLQ $63, Y3, Y3 \
	VBLENDVPD Y3, Y6, Y8, Y9 \
	VBLENDVPD Y3, Y8, Y6, Y11 \
	VBLENDVPD Y3, Y13, Y1, Y12 \
	VBLENDVPD Y3, Y1, Y13, Y4 \
	VADDPD Y12, Y9, Y5 \
	VSUBPD Y5, Y9, Y7 \
	VADDPD Y12, Y7, Y7 \
	VADDPD Y4, Y11, Y10 \
	VSUBPD Y10, Y11, Y1 \
	VADDPD Y4, Y1, Y1 \
	VDIVPD Y10, Y5, Y13 \
	VMOVAPD Y5, Y6 \
	VFNMADD231PD Y10, Y13, Y6 \
	VADDPD Y7, Y6, Y6 \
	VFNMADD231PD Y1, Y13, Y6 \
	VDIVPD Y10, Y6, Y6 \
	VADDPD Y6, Y13, Y13 \
	VXORPD Y3, Y13, Y1 \
	VBLENDVPD Y2, Y0, Y1, Y1

// func tanAVX2(dst, x []float64) int
TEXT ·tanAVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	XORQ AX, AX

tanLoop:
	LEAQ 4(AX), DX
	CMPQ DX, CX
	JA   tanTail
	VMOVUPD (SI)(AX*8), Y0
	TAN2_CHECK
	VMOVMSKPD Y3, BX
	TESTL BX, BX
	JNZ  tanDone
	TAN2_BODY
	VMOVUPD Y1, (DI)(AX*8)
	MOVQ DX, AX
	JMP  tanLoop

tanTail:
	MOVQ CX, BX
	SUBQ AX, BX
	JZ   tanDone
	TAIL_LOAD
	TAN2_CHECK
	TAIL_BAD
	VMOVMSKPD Y3, DX
	TESTL DX, DX
	JNZ  tanDone
	TAN2_BODY
	TAIL_STORE

tanDone:
	MOVQ AX, ret+48(FP)
	VZEROUPPER
	RET

// ---- exponential ----

// EXP2_SETUP: Y15 16/ln2, Y14 magic, Y13-Y12 ln2/16 in two parts, Y11 abs
// mask, Y10 avx2ExpMax, Y9 the exponent bias for 2^floor(k/16), Y8 15;
// R9 = &expTable.
#define EXP2_SETUP \
	VBROADCASTSD ·expConsts+0(SB), Y15 \
	VBROADCASTSD ·expConsts+8(SB), Y14 \
	VBROADCASTSD ·expConsts+16(SB), Y13 \
	VBROADCASTSD ·expConsts+24(SB), Y12 \
	VBROADCASTSD ·avx2Ints+0(SB), Y11 \
	VBROADCASTSD ·avx2Floats+16(SB), Y10 \
	VPBROADCASTQ ·avx2Ints+16(SB), Y9 \
	VPBROADCASTQ ·avx2Ints+8(SB), Y8 \
	LEAQ ·expTable(SB), R9

// EXP2_CHECK: Y3 = lanes with !(|x| <= avx2ExpMax).
#define EXP2_CHECK \
	VANDPD Y11, Y0, Y2 \
	VCMPPD $0x16, Y10, Y2, Y3

// EXP2_BODY: Y1 = exp1(Y0). t = x*16/ln2 + magic in Y3: its low four bits
// index expTable, and bits(t)>>4 = bits(magic)>>4 + floor(k/16) (bits(t)
// is positive and bits(magic) a multiple of 16), from which Y3 becomes
// 2^floor(k/16).
#define EXP2_BODY \
	VMOVAPD Y14, Y3 \
	VFMADD231PD Y15, Y0, Y3 \
	VSUBPD Y14, Y3, Y4 \
	VMOVAPD Y0, Y5 \
	VFNMADD231PD Y13, Y4, Y5 \
	VFNMADD231PD Y12, Y4, Y5 \
	VPAND Y8, Y3, Y6 \
	VPCMPEQQ Y7, Y7, Y7 \
	VGATHERQPD Y7, (R9)(Y6*8), Y2 \
	VPSRLQ $4, Y3, Y3 \
	VPADDQ Y9, Y3, Y3 \
	VPSLLQ $52, Y3, Y3 \
	VMULPD Y5, Y5, Y6 \
	VBROADCASTSD ·expPoly+32(SB), Y1 \
	VBROADCASTSD ·expPoly+24(SB), Y7 \
	VFMADD213PD Y7, Y5, Y1 \
	VBROADCASTSD ·expPoly+16(SB), Y7 \
	VFMADD213PD Y7, Y5, Y1 \
	VBROADCASTSD ·expPoly+8(SB), Y7 \
	VFMADD213PD Y7, Y5, Y1 \
	VBROADCASTSD ·expPoly+0(SB), Y7 \
	VFMADD213PD Y7, Y5, Y1 \
	VFMADD213PD Y5, Y6, Y1 \
	VFMADD213PD Y2, Y2, Y1 \
	VMULPD Y3, Y1, Y1

// func expAVX2(dst, x []float64) int
TEXT ·expAVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	EXP2_SETUP
	XORQ AX, AX

expLoop:
	LEAQ 4(AX), DX
	CMPQ DX, CX
	JA   expTail
	VMOVUPD (SI)(AX*8), Y0
	EXP2_CHECK
	VMOVMSKPD Y3, BX
	TESTL BX, BX
	JNZ  expDone
	EXP2_BODY
	VMOVUPD Y1, (DI)(AX*8)
	MOVQ DX, AX
	JMP  expLoop

expTail:
	MOVQ CX, BX
	SUBQ AX, BX
	JZ   expDone
	TAIL_LOAD
	EXP2_CHECK
	TAIL_BAD
	VMOVMSKPD Y3, DX
	TESTL DX, DX
	JNZ  expDone
	EXP2_BODY
	TAIL_STORE

expDone:
	MOVQ AX, ret+48(FP)
	VZEROUPPER
	RET

// ---- logarithm ----

// LOG2_SETUP: Y15 bits(0.75), Y14 exponent-field mask, Y13 magic, Y12 16,
// Y11 1/16, Y10 1, Y9 ln2 hi, Y8 ln2 lo; R9 = &logTable.
#define LOG2_SETUP \
	VPBROADCASTQ ·avx2Ints+24(SB), Y15 \
	VPBROADCASTQ ·avx2Ints+32(SB), Y14 \
	VBROADCASTSD ·logConsts+8(SB), Y13 \
	VBROADCASTSD ·logConsts+0(SB), Y12 \
	VBROADCASTSD ·logConsts+16(SB), Y11 \
	VBROADCASTSD ·logConsts+24(SB), Y10 \
	VBROADCASTSD ·logConsts+32(SB), Y9 \
	VBROADCASTSD ·logConsts+40(SB), Y8 \
	LEAQ ·logTable(SB), R9

// LOG2_CHECK: Y3 = lanes with !(x >= smallest normal) or !(x <= MaxFloat64):
// zero, subnormal, negative, +Inf, NaN.
#define LOG2_CHECK \
	VBROADCASTSD ·avx2Floats+24(SB), Y2 \
	VCMPPD $0x19, Y2, Y0, Y3 \
	VBROADCASTSD ·avx2Floats+32(SB), Y2 \
	VCMPPD $0x16, Y2, Y0, Y2 \
	VORPD Y2, Y3, Y3

// LOG2_BODY: Y1 = log1(Y0) for positive normal x. With
// tmp = bits(x) - bits(0.75), m = bits(x) - (tmp & exponent field) and
// e = tmp >> 52 (arithmetic), computed as ((tmp ^ 2^63) >> 52) - 2048 and
// converted to float64 through magic.
#define LOG2_BODY \
	VPSUBQ Y15, Y0, Y1 \
	VPAND Y14, Y1, Y2 \
	VPSUBQ Y2, Y0, Y2 \
	VPBROADCASTQ ·avx2Ints+40(SB), Y3 \
	VPXOR Y3, Y1, Y1 \
	VPSRLQ $52, Y1, Y1 \
	VPBROADCASTQ ·avx2Ints+48(SB), Y3 \
	VPADDQ Y3, Y1, Y1 \
	VSUBPD Y13, Y1, Y1 \
	VDIVPD Y2, Y12, Y4 \
	VADDPD Y13, Y4, Y4 \
	VSUBPD Y13, Y4, Y5 \
	VMULPD Y11, Y5, Y5 \
	VFMSUB213PD Y10, Y5, Y2 \
	VPBROADCASTQ ·avx2Ints+8(SB), Y6 \
	VPAND Y6, Y4, Y6 \
	VPCMPEQQ Y7, Y7, Y7 \
	VGATHERQPD Y7, (R9)(Y6*8), Y5 \
	VFMADD231PD Y9, Y1, Y5 \
	VMULPD Y2, Y2, Y6 \
	VBROADCASTSD ·logPoly+64(SB), Y3 \
	VBROADCASTSD ·logPoly+56(SB), Y7 \
	VFMADD213PD Y7, Y2, Y3 \
	VBROADCASTSD ·logPoly+48(SB), Y7 \
	VFMADD213PD Y7, Y2, Y3 \
	VBROADCASTSD ·logPoly+40(SB), Y7 \
	VFMADD213PD Y7, Y2, Y3 \
	VBROADCASTSD ·logPoly+32(SB), Y7 \
	VFMADD213PD Y7, Y2, Y3 \
	VBROADCASTSD ·logPoly+24(SB), Y7 \
	VFMADD213PD Y7, Y2, Y3 \
	VBROADCASTSD ·logPoly+16(SB), Y7 \
	VFMADD213PD Y7, Y2, Y3 \
	VBROADCASTSD ·logPoly+8(SB), Y7 \
	VFMADD213PD Y7, Y2, Y3 \
	VBROADCASTSD ·logPoly+0(SB), Y7 \
	VFMADD213PD Y7, Y2, Y3 \
	VFMADD213PD Y2, Y6, Y3 \
	VFMADD231PD Y8, Y1, Y3 \
	VADDPD Y5, Y3, Y1

// func logAVX2(dst, x []float64) int
TEXT ·logAVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	LOG2_SETUP
	XORQ AX, AX

logLoop:
	LEAQ 4(AX), DX
	CMPQ DX, CX
	JA   logTail
	VMOVUPD (SI)(AX*8), Y0
	LOG2_CHECK
	VMOVMSKPD Y3, BX
	TESTL BX, BX
	JNZ  logDone
	LOG2_BODY
	VMOVUPD Y1, (DI)(AX*8)
	MOVQ DX, AX
	JMP  logLoop

logTail:
	MOVQ CX, BX
	SUBQ AX, BX
	JZ   logDone
	TAIL_LOAD
	LOG2_CHECK
	TAIL_BAD
	VMOVMSKPD Y3, DX
	TESTL DX, DX
	JNZ  logDone
	LOG2_BODY
	TAIL_STORE

logDone:
	MOVQ AX, ret+48(FP)
	VZEROUPPER
	RET
