package ops

import (
	"fmt"
	"math"
	"sync"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ops/internal/vmath"
)

// ewInt is the set of integer element types.
type ewInt interface {
	int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64
}

// ewFloat is the set of floating element types.
type ewFloat interface {
	float32 | float64
}

// UnaryTypes returns the dtype op loops in for an input of dtype in (the
// caller casts the input to loop first) and the dtype of the result, as
// NumPy 1.24's type resolution would, except that ndchunk has no float16 and
// uses float32 where NumPy gives float16 (see chunk.FloatFor):
//
//   - negative, sign: the input dtype; bool is an error.
//   - absolute: the input dtype (wrapping at the integer minimum).
//   - sqrt, exp, expm1, log, log1p, log10, the trigonometric and hyperbolic
//     functions: chunk.FloatFor(in).
//   - floor, ceil: floats keep their dtype, integers and bool give
//     chunk.FloatFor(in).
//   - round (half to even): floats and integers keep their dtype (integers
//     are returned unchanged), bool gives float32.
//   - isnan, isinf, isfinite, logical_not: any dtype, result bool.
//   - invert: integers and bool; floats are an error.
//   - square, reciprocal: the input dtype; bool loops in int8.
//
// The error wraps chunk.ErrDType (chunk.ErrUnsupported for an unknown op).
func UnaryTypes(op UnaryOp, in chunk.DType) (loop, out chunk.DType, err error) {
	if op == 0 || op >= numUnary {
		return chunk.Invalid, chunk.Invalid, fmt.Errorf("ops: unknown unary function %v: %w", op, chunk.ErrUnsupported)
	}
	if !in.Valid() {
		return chunk.Invalid, chunk.Invalid, ewUnaryErr(op, in, "")
	}
	switch op {
	case Neg, Sign:
		if in == chunk.Bool {
			return chunk.Invalid, chunk.Invalid, ewUnaryErr(op, in, " (use logical_not or invert)")
		}
		return in, in, nil
	case Abs:
		return in, in, nil
	case Floor, Ceil, Round:
		if in.IsFloat() || (op == Round && in.IsInteger()) {
			return in, in, nil
		}
		f := chunk.FloatFor(in)
		return f, f, nil
	case IsNaN, IsInf, IsFinite, LogicalNot:
		return in, chunk.Bool, nil
	case Invert:
		if in.IsFloat() {
			return chunk.Invalid, chunk.Invalid, ewUnaryErr(op, in, "")
		}
		return in, in, nil
	case Square, Reciprocal:
		if in == chunk.Bool {
			return chunk.Int8, chunk.Int8, nil
		}
		return in, in, nil
	}
	// The transcendental functions.
	f := chunk.FloatFor(in)
	return f, f, nil
}

func ewUnaryErr(op UnaryOp, in chunk.DType, hint string) error {
	return fmt.Errorf("ops: %v does not support %v%s: %w", op, in, hint, chunk.ErrDType)
}

// Unary returns the kernel computing op over elements of dtype loop, which
// must be a loop dtype that UnaryTypes gives for op (UnaryTypes(op, loop)
// must succeed and return loop itself); otherwise Unary panics, since the
// planner resolves types before it asks for kernels. The result dtype is the
// out of UnaryTypes(op, loop). dst may be the same buffer as x (but must not
// partially overlap it) when both dtypes have the same size.
//
// The float64 sin, cos, tan, exp and log run vmath's slice functions,
// within 2 ulp for every input (Go's math.Sin, math.Cos and math.Tan lose
// bits in their argument reduction: thousands of ulp for large arguments,
// far more near zeros and poles); float32
// inputs of the transcendental functions are widened to float64 in a small
// buffer, evaluated there and rounded back, which is never less accurate
// than NumPy's float32 loops.
//
// Deviation: integer reciprocal is C's integer 1/x with 0 for x == 0.
// NumPy computes (int)(1.0/x), so its reciprocal of an int32 or int64 zero
// is the type's minimum (and 0 for narrower types).
func Unary(op UnaryOp, loop chunk.DType) UnaryKernel {
	l, _, err := UnaryTypes(op, loop)
	if err == nil && l != loop {
		err = fmt.Errorf("ops: %v loops in %v, not %v: %w", op, l, loop, chunk.ErrDType)
	}
	if err != nil {
		panic(err)
	}
	switch loop {
	case chunk.Bool:
		return ewUnaryBool(op)
	case chunk.Int8:
		return ewUnaryInt[int8](op)
	case chunk.Int16:
		return ewUnaryInt[int16](op)
	case chunk.Int32:
		return ewUnaryInt[int32](op)
	case chunk.Int64:
		return ewUnaryInt[int64](op)
	case chunk.Uint8:
		return ewUnaryInt[uint8](op)
	case chunk.Uint16:
		return ewUnaryInt[uint16](op)
	case chunk.Uint32:
		return ewUnaryInt[uint32](op)
	case chunk.Uint64:
		return ewUnaryInt[uint64](op)
	case chunk.Float32:
		return ewUnaryFloat[float32](op)
	default:
		return ewUnaryFloat[float64](op)
	}
}

// ewUK adapts a typed slice loop to a UnaryKernel. The slice function is
// called once per kernel call, never per element.
func ewUK[T, O chunk.Elem](f func(d []O, x []T)) UnaryKernel {
	return func(dst, x []byte) { f(chunk.Cast[O](dst), chunk.Cast[T](x)) }
}

// ewUnaryBool returns the kernels of the functions that loop in bool. Bool
// elements are the bytes 0 and 1, so they are processed as uint8.
func ewUnaryBool(op UnaryOp) UnaryKernel {
	switch op {
	case Abs:
		return ewUK(ewCopyLoop[uint8])
	case IsNaN, IsInf:
		return ewUK(ewFillFalse[uint8])
	case IsFinite:
		return ewUK(ewFillTrue[uint8])
	case LogicalNot:
		return ewUK(ewLogicalNot[uint8])
	default: // Invert
		return ewUK(ewNotBool)
	}
}

func ewUnaryInt[T ewInt](op UnaryOp) UnaryKernel {
	switch op {
	case Neg:
		return ewUK(ewNeg[T])
	case Abs:
		return ewUK(ewAbsInt[T])
	case Sign:
		return ewUK(ewSignInt[T])
	case Round:
		return ewUK(ewCopyLoop[T])
	case IsNaN, IsInf:
		return ewUK(ewFillFalse[T])
	case IsFinite:
		return ewUK(ewFillTrue[T])
	case LogicalNot:
		return ewUK(ewLogicalNot[T])
	case Invert:
		return ewUK(ewInvert[T])
	case Square:
		return ewUK(ewSquare[T])
	default: // Reciprocal
		return ewUK(ewReciprocalInt[T])
	}
}

func ewUnaryFloat[F ewFloat](op UnaryOp) UnaryKernel {
	switch op {
	case Neg:
		return ewUK(ewNeg[F])
	case Abs:
		return ewUK(ewAbsFloat[F])
	case Sqrt:
		return ewUK(ewSqrt[F])
	case Floor:
		return ewUK(ewFloor[F])
	case Ceil:
		return ewUK(ewCeil[F])
	case Round:
		return ewUK(ewRound[F])
	case Sign:
		return ewUK(ewSignFloat[F])
	case IsNaN:
		return ewUK(ewIsNaN[F])
	case IsInf:
		return ewUK(ewIsInf[F])
	case IsFinite:
		return ewUK(ewIsFinite[F])
	case LogicalNot:
		return ewUK(ewLogicalNot[F])
	case Square:
		return ewUK(ewSquare[F])
	case Reciprocal:
		return ewUK(ewReciprocalFloat[F])
	}
	var z F
	if _, ok := any(z).(float32); ok {
		return func(dst, x []byte) { ewMath32(op, chunk.Cast[float32](dst), chunk.Cast[float32](x)) }
	}
	return func(dst, x []byte) { ewMath64(op, chunk.Cast[float64](dst), chunk.Cast[float64](x)) }
}

func ewCopyLoop[T chunk.Elem](d, x []T) { copy(d[:len(x)], x) }

func ewFillFalse[T chunk.Elem](d []bool, x []T) {
	d = d[:len(x)]
	for i := range d {
		d[i] = false
	}
}

func ewFillTrue[T chunk.Elem](d []bool, x []T) {
	d = d[:len(x)]
	for i := range d {
		d[i] = true
	}
}

// ewLogicalNot is NumPy's truthiness negated: x == 0 (NaN is true, so its
// negation is false).
func ewLogicalNot[T chunk.Number](d []bool, x []T) {
	d = d[:len(x)]
	for i, v := range x {
		d[i] = v == 0
	}
}

// ewNotBool is invert on bool bytes (0 or 1).
func ewNotBool(d, x []uint8) {
	d = d[:len(x)]
	for i, v := range x {
		d[i] = v ^ 1
	}
}

func ewNeg[T chunk.Number](d, x []T) {
	d = d[:len(x)]
	for i, v := range x {
		d[i] = -v
	}
}

// ewAbsInt leaves the minimum of a signed type unchanged (-(-128) wraps to
// -128), as NumPy does.
func ewAbsInt[T ewInt](d, x []T) {
	d = d[:len(x)]
	for i, v := range x {
		if v < 0 {
			v = -v
		}
		d[i] = v
	}
}

func ewAbsFloat[F ewFloat](d, x []F) {
	d = d[:len(x)]
	for i, v := range x {
		d[i] = F(math.Abs(float64(v)))
	}
}

func ewSignInt[T ewInt](d, x []T) {
	d = d[:len(x)]
	for i, v := range x {
		var s T
		if v > 0 {
			s = 1
		}
		if v < 0 {
			s = ^T(0) // -1; unreachable for unsigned types
		}
		d[i] = s
	}
}

// ewSignFloat gives -1, 0 or 1; -0.0 gives +0.0 and NaN stays NaN, as in
// NumPy. It works on the float64 bits with masks rather than comparisons:
// Go compiles float comparisons to branches, which mispredict on data of
// mixed signs.
func ewSignFloat[F ewFloat](d, x []F) {
	d = d[:len(x)]
	for i, v := range x {
		u := math.Float64bits(float64(v))
		abs := u &^ (1 << 63)
		nonzero := -((abs | -abs) >> 63)                 // all ones unless ±0
		isNaN := -((0x7ff0000000000000 - abs) >> 63)     // all ones for NaN
		r := (u&(1<<63) | math.Float64bits(1)) & nonzero // ±1, or +0
		r ^= (r ^ u) & isNaN
		d[i] = F(math.Float64frombits(r))
	}
}

func ewInvert[T ewInt](d, x []T) {
	d = d[:len(x)]
	for i, v := range x {
		d[i] = ^v
	}
}

func ewSquare[T chunk.Number](d, x []T) {
	d = d[:len(x)]
	for i, v := range x {
		d[i] = v * v
	}
}

// ewReciprocalInt is C's integer 1/x with 0 for a zero divisor: 1 for 1,
// -1 for -1, 0 otherwise.
func ewReciprocalInt[T ewInt](d, x []T) {
	d = d[:len(x)]
	for i, v := range x {
		var r T
		if v != 0 {
			r = 1 / v
		}
		d[i] = r
	}
}

func ewReciprocalFloat[F ewFloat](d, x []F) {
	d = d[:len(x)]
	for i, v := range x {
		d[i] = 1 / v
	}
}

// ewSqrt goes through float64 for float32: the float64 square root rounded
// to float32 is the correctly rounded float32 square root.
func ewSqrt[F ewFloat](d, x []F) {
	d = d[:len(x)]
	for i, v := range x {
		d[i] = F(math.Sqrt(float64(v)))
	}
}

func ewFloor[F ewFloat](d, x []F) {
	d = d[:len(x)]
	for i, v := range x {
		d[i] = F(math.Floor(float64(v)))
	}
}

func ewCeil[F ewFloat](d, x []F) {
	d = d[:len(x)]
	for i, v := range x {
		d[i] = F(math.Ceil(float64(v)))
	}
}

func ewRound[F ewFloat](d, x []F) {
	d = d[:len(x)]
	for i, v := range x {
		d[i] = F(math.RoundToEven(float64(v)))
	}
}

func ewIsNaN[F ewFloat](d []bool, x []F) {
	d = d[:len(x)]
	for i, v := range x {
		d[i] = v != v
	}
}

// ewIsInf and ewIsFinite compare the exponent bits (the float32 -> float64
// conversion keeps infinities), one comparison and no branch per element.
func ewIsInf[F ewFloat](d []bool, x []F) {
	d = d[:len(x)]
	for i, v := range x {
		d[i] = math.Float64bits(float64(v))&^(1<<63) == 0x7ff0000000000000
	}
}

func ewIsFinite[F ewFloat](d []bool, x []F) {
	d = d[:len(x)]
	for i, v := range x {
		d[i] = math.Float64bits(float64(v))&^(1<<63) < 0x7ff0000000000000
	}
}

// ewMath64 evaluates a transcendental function over float64 slices; d and x
// may be the same slice. One switch per call, then a plain loop.
func ewMath64(op UnaryOp, d, x []float64) {
	d = d[:len(x)]
	switch op {
	case Exp:
		vmath.Exp(d, x)
	case Log:
		vmath.Log(d, x)
	case Sin:
		vmath.Sin(d, x)
	case Cos:
		vmath.Cos(d, x)
	case Expm1:
		for i, v := range x {
			d[i] = math.Expm1(v)
		}
	case Log1p:
		for i, v := range x {
			d[i] = math.Log1p(v)
		}
	case Log10:
		ewLog10s(d, x)
	case Tan:
		vmath.Tan(d, x)
	case Arcsin:
		for i, v := range x {
			d[i] = ewAsin(v)
		}
	case Arccos:
		for i, v := range x {
			d[i] = ewAcos(v)
		}
	case Arctan:
		for i, v := range x {
			d[i] = math.Atan(v)
		}
	case Sinh:
		for i, v := range x {
			d[i] = ewSinh(v)
		}
	case Cosh:
		for i, v := range x {
			d[i] = ewCosh(v)
		}
	case Tanh:
		for i, v := range x {
			d[i] = math.Tanh(v)
		}
	default:
		panic(fmt.Sprintf("ops: %v is not a transcendental function", op))
	}
}

// ewMath32Block is the number of elements ewMath32 and ewLog10s stage in a
// scratch buffer at a time: 2 KiB, small enough to stay in L1 next to the
// operands.
const ewMath32Block = 256

// ewScratch holds the scratch buffers. They would live on the stack, but
// vmath dispatches through function values, so escape analysis must assume
// a buffer passed to it escapes, and a stack array would be heap-allocated
// on every call; the pool makes the steady state allocation-free.
var ewScratch = sync.Pool{New: func() any { return new([ewMath32Block]float64) }}

// ewMath32 evaluates a transcendental function over float32 slices by
// widening blocks into a buffer, evaluating them in float64 (vmath for sin,
// cos, tan, exp and log) and rounding back.
func ewMath32(op UnaryOp, d, x []float32) {
	d = d[:len(x)]
	buf := ewScratch.Get().(*[ewMath32Block]float64)
	defer ewScratch.Put(buf)
	for len(x) > 0 {
		n := min(len(x), len(buf))
		b := buf[:n]
		for i, v := range x[:n] {
			b[i] = float64(v)
		}
		ewMath64(op, b, b)
		dn := d[:n]
		for i, v := range b {
			dn[i] = float32(v)
		}
		x, d = x[n:], d[n:]
	}
}

// ewSinh is math.Sinh without its early overflow: math.Sinh computes
// exp(|x|)/2, which overflows from |x| = 709.78 although sinh itself
// reaches +Inf only at 710.48 (NumPy: sinh(710) = 1.117e308).
// exp(|x|/2)/2 * exp(|x|/2) stays finite there and is within 2 ulp.
func ewSinh(x float64) float64 {
	if a := math.Abs(x); a > 709 {
		w := math.Exp(0.5 * a)
		return math.Copysign(0.5*w*w, x)
	}
	return math.Sinh(x)
}

// ewCosh is math.Cosh without its early overflow, as ewSinh.
func ewCosh(x float64) float64 {
	if a := math.Abs(x); a > 709 {
		w := math.Exp(0.5 * a)
		return 0.5 * w * w
	}
	return math.Cosh(x)
}

// The functions below replace math.Asin, math.Acos and math.Log10, which
// are far less accurate than the C library NumPy calls (measured against
// NumPy 1.24: math.Acos is off by up to 1.7e7 ulp near 1 because it
// computes pi/2 - asin(x); math.Asin by up to 75 ulp; math.Log10 misses
// exact powers of ten, log10(1e15) = 14.999999999999998, and is wrong for
// subnormals on amd64). They are ports of FreeBSD msun's e_asin.c, e_acos.c
// and fdlibm's e_log10.c, which carry this notice:
//
//	Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
//
//	Developed at SunSoft, a Sun Microsystems, Inc. business.
//	Permission to use, copy, modify, and distribute this
//	software is freely granted, provided that this notice
//	is preserved.

const (
	ewPio2Hi = 1.57079632679489655800e+00 // 0x3FF921FB54442D18
	ewPio2Lo = 6.12323399573676603587e-17 // 0x3C91A62633145C07
	ewPio4Hi = 7.85398163397448278999e-01 // 0x3FE921FB54442D18

	// Coefficients of R(t), a rational approximation of (asin(x)-x)/x^3
	// in t = x^2 on [0, 0.25] with remez error below 2^-58.75.
	ewPS0 = 1.66666666666666657415e-01
	ewPS1 = -3.25565818622400915405e-01
	ewPS2 = 2.01212532134862925881e-01
	ewPS3 = -4.00555345006794114027e-02
	ewPS4 = 7.91534994289814532176e-04
	ewPS5 = 3.47933107596021167570e-05
	ewQS1 = -2.40339491173441421878e+00
	ewQS2 = 2.02094576023350569471e+00
	ewQS3 = -6.88283971605453293030e-01
	ewQS4 = 7.70381505559019352791e-02
)

// ewAsinR returns t*R(t), so that asin(x) = x + x*ewAsinR(x*x) for |x| <= 0.5.
func ewAsinR(t float64) float64 {
	p := t * (ewPS0 + t*(ewPS1+t*(ewPS2+t*(ewPS3+t*(ewPS4+t*ewPS5)))))
	q := 1 + t*(ewQS1+t*(ewQS2+t*(ewQS3+t*ewQS4)))
	return p / q
}

// ewHigh clears the low 32 bits of s, so that s*s is exact.
func ewHigh(s float64) float64 {
	return math.Float64frombits(math.Float64bits(s) &^ 0xffffffff)
}

// ewAsin is asin(x) within 1 ulp: the series x + x*R(x^2) for |x| < 0.5,
// and pi/2 - 2*asin(sqrt((1-|x|)/2)) above, with a split square root to keep
// the cancellation exact.
func ewAsin(x float64) float64 {
	ax := math.Abs(x)
	switch {
	case !(ax < 1): // |x| >= 1 or NaN
		if ax == 1 {
			return x*ewPio2Hi + x*ewPio2Lo
		}
		return math.NaN()
	case ax < 0.5:
		if ax < 0x1p-26 {
			return x
		}
		return x + x*ewAsinR(x*x)
	}
	t := (1 - ax) * 0.5
	s := math.Sqrt(t)
	var r float64
	if math.Float64bits(ax) >= 0x3FEF333300000000 { // |x| > 0.975
		r = ewPio2Hi - (2*(s+s*ewAsinR(t)) - ewPio2Lo)
	} else {
		f := ewHigh(s)
		c := (t - f*f) / (s + f) // f + c ~ sqrt(t)
		p := 2*s*ewAsinR(t) - (ewPio2Lo - 2*c)
		q := ewPio4Hi - 2*f
		r = ewPio4Hi - (p - q)
	}
	return math.Copysign(r, x)
}

// ewAcos is acos(x) within 1 ulp: pi/2 - (x + x*R(x^2)) for |x| < 0.5,
// and 2*asin(sqrt((1-|x|)/2)) (or pi minus it) above, which never subtracts
// nearly equal numbers.
func ewAcos(x float64) float64 {
	ax := math.Abs(x)
	switch {
	case !(ax < 1): // |x| >= 1 or NaN
		if x == 1 {
			return 0
		}
		if x == -1 {
			return math.Pi
		}
		return math.NaN()
	case ax < 0.5:
		if ax < 0x1p-57 {
			return ewPio2Hi + ewPio2Lo
		}
		return ewPio2Hi - (x - (ewPio2Lo - x*ewAsinR(x*x)))
	case x < 0:
		z := (1 + x) * 0.5
		s := math.Sqrt(z)
		w := ewAsinR(z)*s - ewPio2Lo
		return math.Pi - 2*(s+w)
	}
	z := (1 - x) * 0.5
	s := math.Sqrt(z)
	f := ewHigh(s)
	c := (z - f*f) / (s + f) // f + c ~ sqrt(z)
	w := ewAsinR(z)*s + c
	return 2 * (f + w)
}

const (
	ewIvLn10   = 4.34294481903251816668e-01 // 1/ln(10)
	ewLog102Hi = 3.01029995663611771306e-01 // log10(2), low bits zero so k*ewLog102Hi is exact
	ewLog102Lo = 3.69423907715893078616e-13 // log10(2) - ewLog102Hi
)

// ewLog10 is log10(x) = k*log10(2) + log(m)/ln(10) for x = m * 2^k, with
// k*log10(2) in two parts so that exact powers of ten give exact integers.
// ewLog10s is the same over slices with vmath.Log for log(m).
func ewLog10(x float64) float64 {
	m, y := ewLog10Split(x)
	if y-y != 0 { // not finite: y is log10(x) itself
		return y
	}
	return ewLog10Join(y, math.Log(m))
}

// ewLog10s sets d[i] = log10(x[i]). A first pass splits a block of x into
// mantissas, staged in a scratch buffer, and exponents, staged in d;
// vmath.Log takes the mantissas' logarithms at once; a second pass joins
// them. That is twice as fast as one math.Log per element. d may be x.
func ewLog10s(d, x []float64) {
	d = d[:len(x)]
	buf := ewScratch.Get().(*[ewMath32Block]float64)
	defer ewScratch.Put(buf)
	for len(x) > 0 {
		n := min(len(x), len(buf))
		b, dn := buf[:n], d[:n]
		for i, v := range x[:n] {
			if bits := math.Float64bits(v); bits-0x0010000000000000 < 0x7fe0000000000000 {
				b[i], dn[i] = ewLog10Normal(bits) // the inlined common case
			} else {
				b[i], dn[i] = ewLog10Split(v)
			}
		}
		vmath.Log(b, b)
		for i, y := range dn {
			if y-y == 0 { // finite: an exponent, not a special result
				dn[i] = ewLog10Join(y, b[i])
			}
		}
		x, d = x[n:], d[n:]
	}
}

// ewLog10Split writes a positive finite x as m * 2^y, with m in [1, 2) for
// y >= 0 and in [0.5, 1) for y < 0, so that log(m) and y have the same sign
// and never cancel. For other x it returns m = 1 and log10(x) itself, which
// is not finite, as y.
func ewLog10Split(x float64) (m, y float64) {
	switch {
	case x == 0:
		return 1, math.Inf(-1)
	case !(x > 0): // negative or NaN
		return 1, math.NaN()
	case x > math.MaxFloat64:
		return 1, x
	case x < 0x1p-1022: // subnormal: scale into the normal range
		m, y = ewLog10Normal(math.Float64bits(x * 0x1p54))
		return m, y - 54
	}
	return ewLog10Normal(math.Float64bits(x))
}

// ewLog10Normal splits the bits of a positive normal number without
// branches.
func ewLog10Normal(bits uint64) (m, y float64) {
	k := int64(bits>>52) - 1023
	neg := uint64(k) >> 63 // 1 when k < 0: m in [0.5, 1)
	return math.Float64frombits(bits&(1<<52-1) | (0x3ff-neg)<<52), float64(k + int64(neg))
}

// ewLog10Join returns y*log10(2) + logm/ln(10), adding the exact
// y*ewLog102Hi last.
func ewLog10Join(y, logm float64) float64 {
	z := y*ewLog102Lo + ewIvLn10*logm
	return z + y*ewLog102Hi
}
