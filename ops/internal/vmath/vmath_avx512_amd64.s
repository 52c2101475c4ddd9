//go:build amd64 && !purego

#include "textflag.h"

// AVX-512 (foundation subset plus FMA) versions of sin1, cos1, exp1 and
// log1 in generic.go, tan1 in tan.go and pow1 in pow.go: the same
// reductions and polynomials, eight lanes per ZMM register, constants
// loaded from the Go variables (trigConsts, sinPoly, tanConsts, expConsts,
// ...) or broadcast from them as memory operands. Sin, Cos, Tan and Exp
// match the scalar code bit for bit (VSCALEFPD rounds once, as exp1's
// two-step scaling does; Tan's VRCP14PD correction has not been seen to
// change a bit). Log and Pow split x with VGETMANTPD and VGETEXPPD, which
// handle subnormals directly, and take k = round(16/m) from VRCP14PD
// instead of a division: near a tie it may pick the other neighbour, which
// changes the result by at most 1 ulp.
//
// Every kernel has the same frame: load the constants into Z13-Z31, then
// for each vector of eight elements (the last one partial, under mask K3)
// load x into Z0, compute in K1 the lanes the kernel must not handle, stop
// before storing if there is any, otherwise compute the result into Z1 and
// store it. Z0-Z7 are scratch (Z0-Z12 for Tan and Pow, which keep fewer
// constants in registers). Pow also loads y into Z12 and completes K1 in
// its body, since one of its bounds is on y*log x. The return value is the
// number of elements stored.

// func cpuid(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL leaf+0(FP), AX
	MOVL subleaf+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// ---- sine and cosine ----

// TRIG_SETUP: Z31 1/pi, Z30 magic, Z29-Z27 pi1-pi3, Z26 abs mask,
// Z25 bits of trigMax, Z24 bits of trigTiny, Z16-Z23 sinPoly c0-c7,
// Z15 -1/2, Z14 1/2, Z13 1.
#define TRIG_SETUP \
	VBROADCASTSD ·trigConsts+0(SB), Z31 \
	VBROADCASTSD ·trigConsts+8(SB), Z30 \
	VBROADCASTSD ·trigConsts+16(SB), Z29 \
	VBROADCASTSD ·trigConsts+24(SB), Z28 \
	VBROADCASTSD ·trigConsts+32(SB), Z27 \
	VBROADCASTSD ·trigConsts+40(SB), Z15 \
	VBROADCASTSD ·trigConsts+48(SB), Z14 \
	VBROADCASTSD ·trigConsts+56(SB), Z13 \
	MOVQ $0x7fffffffffffffff, DX \
	VPBROADCASTQ DX, Z26 \
	MOVQ $0x41d0000000000000, DX \
	VPBROADCASTQ DX, Z25 \
	MOVQ $0x3e40000000000000, DX \
	VPBROADCASTQ DX, Z24 \
	VBROADCASTSD ·sinPoly+0(SB), Z16 \
	VBROADCASTSD ·sinPoly+8(SB), Z17 \
	VBROADCASTSD ·sinPoly+16(SB), Z18 \
	VBROADCASTSD ·sinPoly+24(SB), Z19 \
	VBROADCASTSD ·sinPoly+32(SB), Z20 \
	VBROADCASTSD ·sinPoly+40(SB), Z21 \
	VBROADCASTSD ·sinPoly+48(SB), Z22 \
	VBROADCASTSD ·sinPoly+56(SB), Z23

// TRIG_CHECK sets K1 to the lanes with |x| > trigMax, ±Inf or NaN (as
// integers the bit patterns of |x| order like the values, and NaNs sort
// above Inf), and K2 to the lanes with |x| < trigTiny.
#define TRIG_CHECK \
	VPANDQ Z26, Z0, Z2 \
	VPCMPUQ $6, Z25, Z2, K1 \
	VPCMPUQ $1, Z24, Z2, K2

// SIN_POLY sets Z1 = sin(r) for r in Z5, as sinKernel; clobbers Z6, Z7.
#define SIN_POLY \
	VMULPD Z5, Z5, Z6 \
	VMOVAPD Z23, Z1 \
	VFMADD213PD Z22, Z6, Z1 \
	VFMADD213PD Z21, Z6, Z1 \
	VFMADD213PD Z20, Z6, Z1 \
	VFMADD213PD Z19, Z6, Z1 \
	VFMADD213PD Z18, Z6, Z1 \
	VFMADD213PD Z17, Z6, Z1 \
	VFMADD213PD Z16, Z6, Z1 \
	VMULPD Z6, Z5, Z7 \
	VFMADD213PD Z5, Z7, Z1

// SIN_BODY: Z1 = sin(Z0) as sin1. Z3 = t = x/pi + magic, whose lowest bit
// is k's; shifted to bit 63 it is the sign to apply to r.
#define SIN_BODY \
	VMOVAPD Z30, Z3 \
	VFMADD231PD Z31, Z0, Z3 \
	VSUBPD Z30, Z3, Z4 \
	VMOVAPD Z0, Z5 \
	VFNMADD231PD Z29, Z4, Z5 \
	VFNMADD231PD Z28, Z4, Z5 \
	VFNMADD231PD Z27, Z4, Z5 \
	VPSLLQ $63, Z3, Z3 \
	VPXORQ Z3, Z5, Z5 \
	SIN_POLY \
	VMOVAPD Z0, K2, Z1

// COS_BODY: Z1 = cos(Z0) as cos1, with h = k + 1/2 in Z4 and
// r = h*pi - x in Z5.
#define COS_BODY \
	VMOVAPD Z15, Z3 \
	VFMADD231PD Z31, Z0, Z3 \
	VADDPD Z30, Z3, Z3 \
	VSUBPD Z30, Z3, Z4 \
	VADDPD Z14, Z4, Z4 \
	VMOVAPD Z0, Z5 \
	VFMSUB231PD Z29, Z4, Z5 \
	VFMADD231PD Z28, Z4, Z5 \
	VFMADD231PD Z27, Z4, Z5 \
	VPSLLQ $63, Z3, Z3 \
	VPXORQ Z3, Z5, Z5 \
	SIN_POLY \
	VMOVAPD Z13, K2, Z1

// TAIL_MASK sets K3 to the low BX lanes (BX in 1..7); clobbers CX, DX.
#define TAIL_MASK \
	MOVQ BX, CX \
	MOVL $1, DX \
	SHLL CX, DX \
	DECL DX \
	KMOVW DX, K3

// func sinAVX512(dst, x []float64) int
TEXT ·sinAVX512(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	TRIG_SETUP
	XORQ AX, AX

sinLoop:
	LEAQ 8(AX), DX
	CMPQ DX, CX
	JA   sinTail
	VMOVUPD (SI)(AX*8), Z0
	TRIG_CHECK
	KORTESTW K1, K1
	JNZ  sinDone
	SIN_BODY
	VMOVUPD Z1, (DI)(AX*8)
	MOVQ DX, AX
	JMP  sinLoop

sinTail:
	MOVQ CX, BX
	SUBQ AX, BX
	JZ   sinDone
	TAIL_MASK
	VMOVUPD.Z (SI)(AX*8), K3, Z0
	TRIG_CHECK
	KANDW K3, K1, K1
	KORTESTW K1, K1
	JNZ  sinDone
	SIN_BODY
	VMOVUPD Z1, K3, (DI)(AX*8)
	ADDQ BX, AX

sinDone:
	MOVQ AX, ret+48(FP)
	VZEROUPPER
	RET

// func cosAVX512(dst, x []float64) int
TEXT ·cosAVX512(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	TRIG_SETUP
	XORQ AX, AX

cosLoop:
	LEAQ 8(AX), DX
	CMPQ DX, CX
	JA   cosTail
	VMOVUPD (SI)(AX*8), Z0
	TRIG_CHECK
	KORTESTW K1, K1
	JNZ  cosDone
	COS_BODY
	VMOVUPD Z1, (DI)(AX*8)
	MOVQ DX, AX
	JMP  cosLoop

cosTail:
	MOVQ CX, BX
	SUBQ AX, BX
	JZ   cosDone
	TAIL_MASK
	VMOVUPD.Z (SI)(AX*8), K3, Z0
	TRIG_CHECK
	KANDW K3, K1, K1
	KORTESTW K1, K1
	JNZ  cosDone
	COS_BODY
	VMOVUPD Z1, K3, (DI)(AX*8)
	ADDQ BX, AX

cosDone:
	MOVQ AX, ret+48(FP)
	VZEROUPPER
	RET

// ---- tangent ----

// TAN_SETUP: Z31 2/pi, Z30 magic, Z29-Z27 pi1/2-pi3/2, Z26 abs mask,
// Z25 bits of trigMax, Z24 bits of trigTiny (for TRIG_CHECK), Z23 1/2,
// Z22 1. The polynomial coefficients are broadcast from memory.
#define TAN_SETUP \
	VBROADCASTSD ·tanConsts+0(SB), Z31 \
	VBROADCASTSD ·tanConsts+8(SB), Z30 \
	VBROADCASTSD ·tanConsts+16(SB), Z29 \
	VBROADCASTSD ·tanConsts+24(SB), Z28 \
	VBROADCASTSD ·tanConsts+32(SB), Z27 \
	VBROADCASTSD ·tanConsts+40(SB), Z23 \
	VBROADCASTSD ·tanConsts+48(SB), Z22 \
	MOVQ $0x7fffffffffffffff, DX \
	VPBROADCASTQ DX, Z26 \
	MOVQ $0x41d0000000000000, DX \
	VPBROADCASTQ DX, Z25 \
	MOVQ $0x3e40000000000000, DX \
	VPBROADCASTQ DX, Z24

// TAN_REDUCE: rh in Z8, rl in Z10 as tan1 computes them, t = x*2/pi + magic
// in Z3; clobbers Z4-Z7, Z9.
#define TAN_REDUCE \
	VMOVAPD Z30, Z3 \
	VFMADD231PD Z31, Z0, Z3 \
	VSUBPD Z30, Z3, Z4 \
	VMOVAPD Z0, Z5 \
	VFNMADD231PD Z29, Z4, Z5 \
	VMULPD Z28, Z4, Z6 \
	VMOVAPD Z6, Z7 \
	VFMSUB231PD Z28, Z4, Z7 \
	VSUBPD Z6, Z5, Z8 \
	VSUBPD Z5, Z8, Z9 \
	VSUBPD Z9, Z8, Z10 \
	VSUBPD Z10, Z5, Z10 \
	VADDPD Z9, Z6, Z6 \
	VSUBPD Z6, Z10, Z10 \
	VSUBPD Z7, Z10, Z10 \
	VFNMADD231PD Z27, Z4, Z10

// SINCOS_DD: sinCosDD(Z8, Z10): sh = Z8 (rh itself), sl in Z1, ch in Z6,
// cl in Z2; clobbers Z5, Z7, Z9, Z11, Z12.
#define SINCOS_DD \
	VMULPD Z8, Z8, Z11 \
	VMOVAPD Z11, Z12 \
	VFMSUB231PD Z8, Z8, Z12 \
	VBROADCASTSD ·tanSinPoly+48(SB), Z1 \
	VFMADD213PD.BCST ·tanSinPoly+40(SB), Z11, Z1 \
	VFMADD213PD.BCST ·tanSinPoly+32(SB), Z11, Z1 \
	VFMADD213PD.BCST ·tanSinPoly+24(SB), Z11, Z1 \
	VFMADD213PD.BCST ·tanSinPoly+16(SB), Z11, Z1 \
	VFMADD213PD.BCST ·tanSinPoly+8(SB), Z11, Z1 \
	VFMADD213PD.BCST ·tanSinPoly+0(SB), Z11, Z1 \
	VBROADCASTSD ·tanCosPoly+40(SB), Z2 \
	VFMADD213PD.BCST ·tanCosPoly+32(SB), Z11, Z2 \
	VFMADD213PD.BCST ·tanCosPoly+24(SB), Z11, Z2 \
	VFMADD213PD.BCST ·tanCosPoly+16(SB), Z11, Z2 \
	VFMADD213PD.BCST ·tanCosPoly+8(SB), Z11, Z2 \
	VFMADD213PD.BCST ·tanCosPoly+0(SB), Z11, Z2 \
	VMULPD Z23, Z11, Z5 \
	VMOVAPD Z10, Z6 \
	VFNMADD231PD Z5, Z10, Z6 \
	VMULPD Z11, Z8, Z7 \
	VFMADD213PD Z6, Z7, Z1 \
	VSUBPD Z5, Z22, Z6 \
	VSUBPD Z6, Z22, Z7 \
	VSUBPD Z5, Z7, Z7 \
	VMULPD Z11, Z11, Z9 \
	VMULPD Z23, Z12, Z12 \
	VFMSUB213PD Z12, Z9, Z2 \
	VFNMADD231PD Z10, Z8, Z2 \
	VADDPD Z7, Z2, Z2

// TAN_BODY: Z1 = tan(Z0) as tan1 (tanKernel after TAN_REDUCE), x itself
// in the tiny lanes K2. The parity of k, moved to the sign bit of Z3,
// selects in K4 the lanes computing -cos/sin. The correction multiplies
// by VRCP14PD's 1/d instead of a second division: it is about 2^-52 of q,
// so the reciprocal's relative error of 2^-14 does not show (the tests
// find no difference from tan1).
#define TAN_BODY \
	TAN_REDUCE \
	SINCOS_DD \
	VPSLLQ $63, Z3, Z3 \
	VPTESTMQ Z3, Z3, K4 \
	VBLENDMPD Z6, Z8, K4, Z9 \
	VBLENDMPD Z8, Z6, K4, Z11 \
	VBLENDMPD Z2, Z1, K4, Z12 \
	VBLENDMPD Z1, Z2, K4, Z4 \
	VADDPD Z12, Z9, Z5 \
	VSUBPD Z5, Z9, Z7 \
	VADDPD Z12, Z7, Z7 \
	VADDPD Z4, Z11, Z10 \
	VSUBPD Z10, Z11, Z1 \
	VADDPD Z4, Z1, Z1 \
	VDIVPD Z10, Z5, Z2 \
	VMOVAPD Z5, Z6 \
	VFNMADD231PD Z10, Z2, Z6 \
	VADDPD Z7, Z6, Z6 \
	VFNMADD231PD Z1, Z2, Z6 \
	VRCP14PD Z10, Z7 \
	VFMADD231PD Z7, Z6, Z2 \
	VPXORQ Z3, Z2, Z1 \
	VMOVAPD Z0, K2, Z1

// func tanAVX512(dst, x []float64) int
TEXT ·tanAVX512(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	TAN_SETUP
	XORQ AX, AX

tanLoop:
	LEAQ 8(AX), DX
	CMPQ DX, CX
	JA   tanTail
	VMOVUPD (SI)(AX*8), Z0
	TRIG_CHECK
	KORTESTW K1, K1
	JNZ  tanDone
	TAN_BODY
	VMOVUPD Z1, (DI)(AX*8)
	MOVQ DX, AX
	JMP  tanLoop

tanTail:
	MOVQ CX, BX
	SUBQ AX, BX
	JZ   tanDone
	TAIL_MASK
	VMOVUPD.Z (SI)(AX*8), K3, Z0
	TRIG_CHECK
	KANDW K3, K1, K1
	KORTESTW K1, K1
	JNZ  tanDone
	TAN_BODY
	VMOVUPD Z1, K3, (DI)(AX*8)
	ADDQ BX, AX

tanDone:
	MOVQ AX, ret+48(FP)
	VZEROUPPER
	RET

// ---- exponential ----

// EXP_SETUP: Z31 16/ln2, Z30 magic, Z29-Z28 ln2/16 in two parts, Z27 1/16,
// Z26 abs mask, Z25 bits of expMax, Z20-Z24 expPoly c0-c4,
// Z18-Z19 expTable.
#define EXP_SETUP \
	VBROADCASTSD ·expConsts+0(SB), Z31 \
	VBROADCASTSD ·expConsts+8(SB), Z30 \
	VBROADCASTSD ·expConsts+16(SB), Z29 \
	VBROADCASTSD ·expConsts+24(SB), Z28 \
	VBROADCASTSD ·expConsts+32(SB), Z27 \
	MOVQ $0x7fffffffffffffff, DX \
	VPBROADCASTQ DX, Z26 \
	MOVQ $0x40862e42fefa39ef, DX \
	VPBROADCASTQ DX, Z25 \
	VBROADCASTSD ·expPoly+0(SB), Z20 \
	VBROADCASTSD ·expPoly+8(SB), Z21 \
	VBROADCASTSD ·expPoly+16(SB), Z22 \
	VBROADCASTSD ·expPoly+24(SB), Z23 \
	VBROADCASTSD ·expPoly+32(SB), Z24 \
	VMOVUPD ·expTable+0(SB), Z18 \
	VMOVUPD ·expTable+64(SB), Z19

// EXP_CHECK sets K1 to the lanes with |x| > expMax, ±Inf or NaN.
#define EXP_CHECK \
	VPANDQ Z26, Z0, Z2 \
	VPCMPUQ $6, Z25, Z2, K1

// EXP_BODY: Z1 = exp(Z0) as exp1. The low four bits of t = x*16/ln2 + magic
// index the table (VPERMI2PD ignores the higher index bits), and VSCALEFPD
// multiplies by 2^floor(k/16), rounding once into the subnormals or to +Inf.
#define EXP_BODY \
	VMOVAPD Z30, Z3 \
	VFMADD231PD Z31, Z0, Z3 \
	VSUBPD Z30, Z3, Z4 \
	VMOVAPD Z0, Z5 \
	VFNMADD231PD Z29, Z4, Z5 \
	VFNMADD231PD Z28, Z4, Z5 \
	VPERMI2PD Z19, Z18, Z3 \
	VMULPD Z27, Z4, Z4 \
	VMULPD Z5, Z5, Z6 \
	VMOVAPD Z24, Z1 \
	VFMADD213PD Z23, Z5, Z1 \
	VFMADD213PD Z22, Z5, Z1 \
	VFMADD213PD Z21, Z5, Z1 \
	VFMADD213PD Z20, Z5, Z1 \
	VFMADD213PD Z5, Z6, Z1 \
	VFMADD213PD Z3, Z3, Z1 \
	VSCALEFPD Z4, Z1, Z1

// func expAVX512(dst, x []float64) int
TEXT ·expAVX512(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	EXP_SETUP
	XORQ AX, AX

expLoop:
	LEAQ 8(AX), DX
	CMPQ DX, CX
	JA   expTail
	VMOVUPD (SI)(AX*8), Z0
	EXP_CHECK
	KORTESTW K1, K1
	JNZ  expDone
	EXP_BODY
	VMOVUPD Z1, (DI)(AX*8)
	MOVQ DX, AX
	JMP  expLoop

expTail:
	MOVQ CX, BX
	SUBQ AX, BX
	JZ   expDone
	TAIL_MASK
	VMOVUPD.Z (SI)(AX*8), K3, Z0
	EXP_CHECK
	KANDW K3, K1, K1
	KORTESTW K1, K1
	JNZ  expDone
	EXP_BODY
	VMOVUPD Z1, K3, (DI)(AX*8)
	ADDQ BX, AX

expDone:
	MOVQ AX, ret+48(FP)
	VZEROUPPER
	RET

// ---- logarithm ----

// LOG_SETUP: Z31 16, Z30 magic, Z29 1/16, Z28 1, Z27 ln2 hi, Z26 ln2 lo,
// Z24-Z25 logTable, Z15-Z23 logPoly c0-c8, Z14 integer 1, Z13 bits of
// MaxFloat64 minus 1.
#define LOG_SETUP \
	VBROADCASTSD ·logConsts+0(SB), Z31 \
	VBROADCASTSD ·logConsts+8(SB), Z30 \
	VBROADCASTSD ·logConsts+16(SB), Z29 \
	VBROADCASTSD ·logConsts+24(SB), Z28 \
	VBROADCASTSD ·logConsts+32(SB), Z27 \
	VBROADCASTSD ·logConsts+40(SB), Z26 \
	VMOVUPD ·logTable+0(SB), Z24 \
	VMOVUPD ·logTable+64(SB), Z25 \
	VBROADCASTSD ·logPoly+0(SB), Z15 \
	VBROADCASTSD ·logPoly+8(SB), Z16 \
	VBROADCASTSD ·logPoly+16(SB), Z17 \
	VBROADCASTSD ·logPoly+24(SB), Z18 \
	VBROADCASTSD ·logPoly+32(SB), Z19 \
	VBROADCASTSD ·logPoly+40(SB), Z20 \
	VBROADCASTSD ·logPoly+48(SB), Z21 \
	VBROADCASTSD ·logPoly+56(SB), Z22 \
	VBROADCASTSD ·logPoly+64(SB), Z23 \
	MOVQ $1, DX \
	VPBROADCASTQ DX, Z14 \
	MOVQ $0x7feffffffffffffe, DX \
	VPBROADCASTQ DX, Z13

// LOG_CHECK sets K1 to the lanes that are not positive and finite:
// bits(x) - 1, unsigned, wraps around for +0 and is too large for negatives
// (-0 included), Inf and NaN. Subnormals stay: VGETEXPPD and VGETMANTPD
// normalize them (the Go runtime never sets MXCSR.DAZ).
#define LOG_CHECK \
	VPSUBQ Z14, Z0, Z2 \
	VPCMPUQ $6, Z13, Z2, K1

// LOG_BODY: Z1 = log(Z0) as log1. VGETMANTPD with interval [3/4, 3/2) gives
// m, and e = getexp(x) - getexp(m) the matching exponent. k = round(16/m)
// comes from VRCP14PD (relative error below 2^-14 cannot move 16/m across
// the ends of 11..21, and either neighbour of a near tie is fine); the low
// four bits of t = 16*rcp + magic index the table.
#define LOG_BODY \
	VGETMANTPD $3, Z0, Z2 \
	VGETEXPPD Z0, Z3 \
	VGETEXPPD Z2, Z4 \
	VSUBPD Z4, Z3, Z3 \
	VRCP14PD Z2, Z4 \
	VMOVAPD Z30, Z5 \
	VFMADD231PD Z31, Z4, Z5 \
	VSUBPD Z30, Z5, Z6 \
	VMULPD Z29, Z6, Z6 \
	VFMSUB213PD Z28, Z6, Z2 \
	VPERMI2PD Z25, Z24, Z5 \
	VFMADD231PD Z27, Z3, Z5 \
	VMULPD Z2, Z2, Z6 \
	VMOVAPD Z23, Z1 \
	VFMADD213PD Z22, Z2, Z1 \
	VFMADD213PD Z21, Z2, Z1 \
	VFMADD213PD Z20, Z2, Z1 \
	VFMADD213PD Z19, Z2, Z1 \
	VFMADD213PD Z18, Z2, Z1 \
	VFMADD213PD Z17, Z2, Z1 \
	VFMADD213PD Z16, Z2, Z1 \
	VFMADD213PD Z15, Z2, Z1 \
	VFMADD213PD Z2, Z6, Z1 \
	VFMADD231PD Z26, Z3, Z1 \
	VADDPD Z5, Z1, Z1

// func logAVX512(dst, x []float64) int
TEXT ·logAVX512(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	LOG_SETUP
	XORQ AX, AX

logLoop:
	LEAQ 8(AX), DX
	CMPQ DX, CX
	JA   logTail
	VMOVUPD (SI)(AX*8), Z0
	LOG_CHECK
	KORTESTW K1, K1
	JNZ  logDone
	LOG_BODY
	VMOVUPD Z1, (DI)(AX*8)
	MOVQ DX, AX
	JMP  logLoop

logTail:
	MOVQ CX, BX
	SUBQ AX, BX
	JZ   logDone
	TAIL_MASK
	VMOVUPD.Z (SI)(AX*8), K3, Z0
	LOG_CHECK
	KANDW K3, K1, K1
	KORTESTW K1, K1
	JNZ  logDone
	LOG_BODY
	VMOVUPD Z1, K3, (DI)(AX*8)
	ADDQ BX, AX

logDone:
	MOVQ AX, ret+48(FP)
	VZEROUPPER
	RET

// ---- power ----

// POW_SETUP: Z31 magic, Z30 16, Z29 1/16, Z28 1, Z27 ln2 hi, Z26 ln2 lo,
// Z24-Z25 powLogHi, Z22-Z23 powLogLo, Z20-Z21 expTable, Z18-Z19 powExpLo,
// Z17 16/ln2, Z16-Z15 ln2/16 in two parts, Z14 abs mask, Z13 bits of
// MaxFloat64 minus 1. The polynomial coefficients, 1/3 and -1/2 are
// broadcast from memory.
#define POW_SETUP \
	VBROADCASTSD ·powConsts+0(SB), Z31 \
	VBROADCASTSD ·powConsts+8(SB), Z30 \
	VBROADCASTSD ·powConsts+16(SB), Z29 \
	VBROADCASTSD ·powConsts+24(SB), Z28 \
	VBROADCASTSD ·powConsts+32(SB), Z27 \
	VBROADCASTSD ·powConsts+40(SB), Z26 \
	VBROADCASTSD ·powConsts+64(SB), Z17 \
	VBROADCASTSD ·powConsts+72(SB), Z16 \
	VBROADCASTSD ·powConsts+80(SB), Z15 \
	VMOVUPD ·powLogHi+0(SB), Z24 \
	VMOVUPD ·powLogHi+64(SB), Z25 \
	VMOVUPD ·powLogLo+0(SB), Z22 \
	VMOVUPD ·powLogLo+64(SB), Z23 \
	VMOVUPD ·expTable+0(SB), Z20 \
	VMOVUPD ·expTable+64(SB), Z21 \
	VMOVUPD ·powExpLo+0(SB), Z18 \
	VMOVUPD ·powExpLo+64(SB), Z19 \
	MOVQ $0x7fffffffffffffff, DX \
	VPBROADCASTQ DX, Z14 \
	MOVQ $0x7feffffffffffffe, DX \
	VPBROADCASTQ DX, Z13

// POW_CHECK sets K1 to the lanes with x zero or not finite (LOG_CHECK
// applied to |x|) or y not finite, and K6 to the lanes with a negative x,
// then replaces x by |x|.
#define POW_CHECK \
	VPTESTMQ.BCST ·powInts+24(SB), Z0, K6 \
	VPANDQ Z14, Z0, Z0 \
	VPSUBQ.BCST ·powInts+0(SB), Z0, Z2 \
	VPCMPUQ $6, Z13, Z2, K1 \
	VPANDQ Z14, Z12, Z2 \
	VPCMPUQ.BCST $5, ·powInts+8(SB), Z2, K2 \
	KORW K2, K1, K1

// POW_SIGN fixes the lanes of a negative x (K6): NaN for a non-integer y,
// negated for an odd one (y/2 not an integer). VRNDSCALEPD $3 truncates.
#define POW_SIGN \
	VRNDSCALEPD $3, Z12, Z2 \
	VCMPPD $4, Z2, Z12, K5 \
	VMULPD.BCST ·powConsts+88(SB), Z12, Z3 \
	VRNDSCALEPD $3, Z3, Z4 \
	VCMPPD $4, Z4, Z3, K7 \
	KANDW K6, K7, K7 \
	KANDW K6, K5, K5 \
	VPXORQ.BCST ·powInts+24(SB), Z1, K7, Z1 \
	VBROADCASTSD ·powInts+32(SB), K5, Z1

// POW_LOG: log x as lh (Z11) + ll (Z5) for x in Z0, as powLog (with
// VGETMANTPD, VGETEXPPD and VRCP14PD as in LOG_BODY). Clobbers Z1-Z10.
#define POW_LOG \
	VGETMANTPD $3, Z0, Z2 \
	VGETEXPPD Z0, Z3 \
	VGETEXPPD Z2, Z4 \
	VSUBPD Z4, Z3, Z3 \
	VRCP14PD Z2, Z4 \
	VMOVAPD Z31, Z5 \
	VFMADD231PD Z30, Z4, Z5 \
	VSUBPD Z31, Z5, Z6 \
	VMULPD Z29, Z6, Z6 \
	VFMSUB213PD Z28, Z6, Z2 \
	VMOVAPD Z5, Z7 \
	VPERMI2PD Z25, Z24, Z5 \
	VPERMI2PD Z23, Z22, Z7 \
	VFMADD231PD Z27, Z3, Z5 \
	VFMADD231PD Z26, Z3, Z7 \
	VMULPD Z2, Z2, Z3 \
	VMOVAPD Z3, Z4 \
	VFMSUB231PD Z2, Z2, Z4 \
	VMULPD.BCST ·powConsts+88(SB), Z3, Z6 \
	VADDPD Z6, Z2, Z8 \
	VSUBPD Z8, Z2, Z9 \
	VADDPD Z6, Z9, Z9 \
	VMULPD Z3, Z2, Z6 \
	VMOVAPD Z6, Z10 \
	VFMSUB231PD Z3, Z2, Z10 \
	VFMADD231PD Z4, Z2, Z10 \
	VMULPD.BCST ·powConsts+48(SB), Z6, Z11 \
	VMOVAPD Z11, Z1 \
	VFMSUB231PD.BCST ·powConsts+48(SB), Z6, Z1 \
	VMULPD.BCST ·powConsts+48(SB), Z10, Z10 \
	VFMADD231PD.BCST ·powConsts+56(SB), Z6, Z10 \
	VADDPD Z10, Z1, Z1 \
	VADDPD Z11, Z8, Z6 \
	VSUBPD Z6, Z8, Z8 \
	VADDPD Z11, Z8, Z8 \
	VBROADCASTSD ·powLogPoly+72(SB), Z10 \
	VFMADD213PD.BCST ·powLogPoly+64(SB), Z2, Z10 \
	VFMADD213PD.BCST ·powLogPoly+56(SB), Z2, Z10 \
	VFMADD213PD.BCST ·powLogPoly+48(SB), Z2, Z10 \
	VFMADD213PD.BCST ·powLogPoly+40(SB), Z2, Z10 \
	VFMADD213PD.BCST ·powLogPoly+32(SB), Z2, Z10 \
	VFMADD213PD.BCST ·powLogPoly+24(SB), Z2, Z10 \
	VFMADD213PD.BCST ·powLogPoly+16(SB), Z2, Z10 \
	VFMADD213PD.BCST ·powLogPoly+8(SB), Z2, Z10 \
	VFMADD213PD.BCST ·powLogPoly+0(SB), Z2, Z10 \
	VFMADD231PD.BCST ·powConsts+88(SB), Z4, Z1 \
	VMULPD Z3, Z3, Z3 \
	VFMADD213PD Z1, Z3, Z10 \
	VADDPD Z8, Z9, Z9 \
	VADDPD Z7, Z9, Z9 \
	VADDPD Z9, Z10, Z10 \
	VADDPD Z6, Z5, Z11 \
	VSUBPD Z11, Z5, Z5 \
	VADDPD Z6, Z5, Z5 \
	VADDPD Z10, Z5, Z5

// POW_BODY: Z1 = pow(x, Z12) as pow1 for |x| = Z0 positive and finite and
// y finite,
// and K1 |= the lanes with |y*log x| > powMaxT (or NaN), where the result
// may leave the range VSCALEFPD rounds correctly into and pow1 decides.
#define POW_BODY \
	POW_LOG \
	VMULPD Z11, Z12, Z6 \
	VMOVAPD Z6, Z7 \
	VFMSUB231PD Z11, Z12, Z7 \
	VFMADD231PD Z5, Z12, Z7 \
	VPANDQ Z14, Z6, Z2 \
	VPCMPUQ.BCST $6, ·powInts+16(SB), Z2, K2 \
	KORW K2, K1, K1 \
	VMOVAPD Z31, Z3 \
	VFMADD231PD Z17, Z6, Z3 \
	VSUBPD Z31, Z3, Z4 \
	VFNMADD231PD Z16, Z4, Z6 \
	VFNMADD231PD Z15, Z4, Z7 \
	VADDPD Z7, Z6, Z6 \
	VBROADCASTSD ·powExpPoly+40(SB), Z1 \
	VFMADD213PD.BCST ·powExpPoly+32(SB), Z6, Z1 \
	VFMADD213PD.BCST ·powExpPoly+24(SB), Z6, Z1 \
	VFMADD213PD.BCST ·powExpPoly+16(SB), Z6, Z1 \
	VFMADD213PD.BCST ·powExpPoly+8(SB), Z6, Z1 \
	VFMADD213PD.BCST ·powExpPoly+0(SB), Z6, Z1 \
	VMULPD Z6, Z6, Z7 \
	VFMADD213PD Z6, Z7, Z1 \
	VMOVAPD Z3, Z5 \
	VPERMI2PD Z21, Z20, Z3 \
	VPERMI2PD Z19, Z18, Z5 \
	VFMADD213PD Z5, Z3, Z1 \
	VADDPD Z3, Z1, Z1 \
	VMULPD Z29, Z4, Z4 \
	VSCALEFPD Z4, Z1, Z1 \
	POW_SIGN

// func powAVX512(dst, x, y []float64, xstep, ystep int) int
//
// Computes len(dst) results; x and y advance by xstep and ystep bytes per
// vector (64, or 0 for an eight-element broadcast buffer).
TEXT ·powAVX512(SB), NOSPLIT, $0-96
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ y_base+48(FP), R10
	MOVQ xstep+72(FP), R11
	MOVQ ystep+80(FP), R12
	POW_SETUP
	XORQ AX, AX

powLoop:
	LEAQ 8(AX), DX
	CMPQ DX, CX
	JA   powTail
	VMOVUPD (SI), Z0
	VMOVUPD (R10), Z12
	POW_CHECK
	POW_BODY
	KORTESTW K1, K1
	JNZ  powDone
	VMOVUPD Z1, (DI)(AX*8)
	ADDQ R11, SI
	ADDQ R12, R10
	MOVQ DX, AX
	JMP  powLoop

powTail:
	MOVQ CX, BX
	SUBQ AX, BX
	JZ   powDone
	TAIL_MASK
	VMOVUPD.Z (SI), K3, Z0
	VMOVUPD.Z (R10), K3, Z12
	POW_CHECK
	POW_BODY
	KANDW K3, K1, K1
	KORTESTW K1, K1
	JNZ  powDone
	VMOVUPD Z1, K3, (DI)(AX*8)
	ADDQ BX, AX

powDone:
	MOVQ AX, ret+88(FP)
	VZEROUPPER
	RET
