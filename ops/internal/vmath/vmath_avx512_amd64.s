//go:build amd64 && !purego

#include "textflag.h"

// AVX-512 (foundation subset plus FMA) versions of sin1, cos1, exp1 and
// log1 in generic.go: the same reductions and polynomials, eight lanes per
// ZMM register, constants loaded from the Go variables trigConsts, sinPoly,
// expConsts, expPoly, expTable, logConsts, logPoly and logTable. Sin, Cos
// and Exp match the scalar code bit for bit (VSCALEFPD rounds once, as
// exp1's two-step scaling does). Log splits x with VGETMANTPD and
// VGETEXPPD, which handle subnormals directly, and takes k = round(16/m)
// from VRCP14PD instead of a division: near a tie it may pick the other
// neighbour, which changes the result by at most 1 ulp.
//
// Every kernel has the same frame: load the constants into Z13-Z31, then
// for each vector of eight elements (the last one partial, under mask K3)
// load x into Z0, compute in K1 the lanes the kernel must not handle, stop
// before storing if there is any, otherwise compute the result into Z1 and
// store it. Z0-Z7 are scratch. The return value is the number of elements
// stored.

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
