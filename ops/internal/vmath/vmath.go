// Package vmath evaluates elementary functions over whole slices. The
// slice form lets fast paths process several elements per instruction.
//
// Each function has up to four implementations, the fastest the CPU
// supports chosen once at start-up:
//
//   - an AVX-512 kernel in assembly (amd64 CPUs with AVX512F and FMA),
//     eight elements per instruction;
//   - an AVX2 kernel in assembly (amd64 CPUs with AVX2 and FMA), four
//     elements per instruction;
//   - a pure-Go polynomial kernel ("generic") with the same algorithm one
//     element at a time, used on other CPUs and architectures (and the
//     specification the assembly follows: the AVX2 kernels match it bit for
//     bit, the AVX-512 ones to 1 ulp);
//   - the math package (math.Sin, ...), which the other kernels defer to for
//     every element outside the range their argument reduction covers (NaN,
//     ±Inf, |x| > 2^30 for Sin and Cos, |x| > 709.78 for Exp, zero and
//     negative inputs for Log), so those results are exactly math's.
//
// Inside that range the kernels are within 2 ulp of the true result (the
// package tests measure them against package math, NumPy and 320-bit
// arithmetic), and so within a few ulp of math's, except where math is the
// less accurate one:
//
//   - Exp of x in [709.437, 709.78]: on amd64 math.Exp returns +Inf there
//     although exp(x) is finite (up to 1.8e308);
//   - Log of a subnormal: on amd64 math.Log ignores the subnormal encoding
//     (log(5e-324) = -709.09 instead of -744.44, Go issue 56600);
//   - Sin and Cos of arguments very close to a zero of the function (x near
//     k*pi, k != 0, for Sin; near (k+1/2)*pi for Cos): the result is tiny, and
//     math's argument reduction leaves it with few correct bits (up to 1e5
//     ulp off below 2^25, more above) where the three-part reduction here
//     stays within 1 ulp.
//
// Setting the environment variable NDCHUNK_NOSIMD=1 before the program
// starts selects the generic kernels even where the assembly could run, to
// compare the paths or rule the assembly out when bisecting a problem.
package vmath

import "os"

// kernels is one implementation of the four functions.
type kernels struct {
	name               string
	sin, cos, exp, log func(dst, x []float64)
}

// genericKernels is the pure-Go implementation, usable everywhere.
var genericKernels = kernels{
	name: "generic",
	sin:  sinGeneric,
	cos:  cosGeneric,
	exp:  expGeneric,
	log:  logGeneric,
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
