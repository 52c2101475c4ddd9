// Package vmath evaluates elementary functions over whole slices: Sin,
// Cos, Tan, Exp, Log and Pow. The slice form lets fast paths process
// several elements per instruction.
//
// Each function has up to four implementations, the fastest the CPU
// supports chosen once at start-up:
//
//   - an AVX-512 kernel in assembly (amd64 CPUs with AVX512F and FMA),
//     eight elements per instruction;
//   - an AVX2 kernel in assembly (amd64 CPUs with AVX2 and FMA), four
//     elements per instruction (none for Pow, which runs the generic code
//     there);
//   - a pure-Go polynomial kernel ("generic") with the same algorithm one
//     element at a time, used on other CPUs and architectures (and the
//     specification the assembly follows: the AVX2 kernels match it bit for
//     bit, the AVX-512 ones to 1 ulp);
//   - scalar code for the elements outside the range the vector kernels
//     cover (NaN, ±Inf, |x| > 2^30 for the trigonometric functions,
//     |x| > 709.78 for Exp, zero and negative inputs for Log, special and
//     extreme operands for Pow), which the kernels hand over to.
//
// Special values are package math's, bit for bit: NaN for NaN and ±Inf
// arguments of Sin, Cos and Tan, sin(-0) = tan(-0) = -0, exp(±Inf) = +Inf
// and 0, log(0) = -Inf, log(x < 0) = NaN, and C99's (so NumPy's) special
// cases of pow (pow(x, ±0) = 1 and pow(1, y) = 1 even for NaN, NaN for a
// negative base and a finite non-integer exponent, the signs of zeros and
// infinities).
//
// Elsewhere the results are within 2 ulp of the true value (the package
// tests measure them against 256- to 1700-bit arithmetic with math/big,
// mpmath and NumPy; Tan and Pow within 1 ulp). That is where they part
// from package math, which is the less accurate one:
//
//   - Sin, Cos and Tan of large arguments: the fast kernels reduce
//     |x| <= 2^30 with a three-part pi, and larger arguments exactly
//     (Payne and Hanek, with 1280 bits of 2/pi), where math's reduction
//     loses bits: math.Sin(MaxFloat64) is 0.004961954789184084, sin is
//     0.004961954789184062; math.Tan is off by up to 2e4 ulp from 2^29 on
//     and 1e14 ulp near the float64 closest to a multiple of pi/2;
//   - Sin, Cos and Tan of arguments very close to a zero or pole, where
//     the result takes all its bits from the reduction (math is up to 1e5
//     ulp off below 2^25, more above), and Tan of 1e-8 < |x| < 1e-7,
//     which math returns as x (8 ulp off);
//   - Exp of x in [709.437, 709.78]: on amd64 math.Exp returns +Inf there
//     although exp(x) is finite (up to 1.8e308);
//   - Log of a subnormal: on amd64 math.Log ignores the subnormal encoding
//     (log(5e-324) = -709.09 instead of -744.44, Go issue 56600);
//   - Pow: math.Pow takes log x in float64, which the exponent's size
//     amplifies: up to 6e4 ulp for ordinary operands
//     (pow(3.152080853201245, 168) = 5.812388314818878e+83, true value
//     5.812388314818923e+83), more for subnormal bases; Pow keeps log x
//     as a double-double.
//
// Setting the environment variable NDCHUNK_NOSIMD=1 before the program
// starts selects the generic kernels even where the assembly could run, to
// compare the paths or rule the assembly out when bisecting a problem.
package vmath

import "os"

// kernels is one implementation of the functions.
type kernels struct {
	name                    string
	sin, cos, tan, exp, log func(dst, x []float64)
	pow                     func(dst, x, y []float64)
}

// genericKernels is the pure-Go implementation, usable everywhere.
var genericKernels = kernels{
	name: "generic",
	sin:  sinGeneric,
	cos:  cosGeneric,
	tan:  tanGeneric,
	exp:  expGeneric,
	log:  logGeneric,
	pow:  powGeneric,
}

// active is the implementation the exported functions use, chosen once.
var active = chooseKernels(os.Getenv("NDCHUNK_NOSIMD"))

// chooseKernels returns the fastest implementation this CPU supports, or the
// generic one when nosimd (the NDCHUNK_NOSIMD setting) is set to anything but
// "" or "0".
func chooseKernels(nosimd string) kernels {
	if nosimd != "" && nosimd != "0" {
		return genericKernels
	}
	return availableKernels()[0]
}

// Accelerated names the implementation in use: "avx512", "avx2" or
// "generic".
func Accelerated() string { return active.name }

// checkLen panics unless dst can hold len(x) results; the assembly kernels
// would otherwise write past the end of dst.
func checkLen(dst, x []float64) {
	if len(dst) < len(x) {
		panic("vmath: len(dst) < len(x)")
	}
}

// Sin sets dst[i] = sin(x[i]) for every i < len(x). dst and x should have
// the same length (Sin panics if dst is shorter); they may be the same
// slice, but must not overlap otherwise.
func Sin(dst, x []float64) {
	checkLen(dst, x)
	active.sin(dst[:len(x)], x)
}

// Cos sets dst[i] = cos(x[i]), with the same rules for dst and x as Sin.
func Cos(dst, x []float64) {
	checkLen(dst, x)
	active.cos(dst[:len(x)], x)
}

// Exp sets dst[i] = exp(x[i]), with the same rules for dst and x as Sin.
func Exp(dst, x []float64) {
	checkLen(dst, x)
	active.exp(dst[:len(x)], x)
}

// Log sets dst[i] = log(x[i]) (natural logarithm), with the same rules for
// dst and x as Sin.
func Log(dst, x []float64) {
	checkLen(dst, x)
	active.log(dst[:len(x)], x)
}

// Tan sets dst[i] = tan(x[i]), with the same rules for dst and x as Sin.
func Tan(dst, x []float64) {
	checkLen(dst, x)
	active.tan(dst[:len(x)], x)
}

// Pow sets dst[i] = x[i]**y[i]. x and y have the same length n, or one of
// them has a single element, used with every element of the other (n is
// then the other's length); dst must hold n results (Pow panics
// otherwise). dst may be the same slice as x or y, but must not overlap
// them otherwise.
func Pow(dst, x, y []float64) {
	n := len(x)
	if n == 1 {
		n = len(y)
	}
	if len(x) != n && len(x) != 1 || len(y) != n && len(y) != 1 {
		panic("vmath: Pow of slices of different lengths")
	}
	if len(dst) < n {
		panic("vmath: len(dst) < len(x), len(y)")
	}
	if n == 0 {
		return
	}
	active.pow(dst[:n], x, y)
}
