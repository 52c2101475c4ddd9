// Package vmath evaluates elementary functions over whole slices. The
// slice form lets fast paths process several elements per instruction; the
// portable versions here are the reference every fast path is tested
// against.
package vmath

import "math"

// Sin sets dst[i] = sin(x[i]). dst and x must have the same length; they may
// be the same slice.
func Sin(dst, x []float64) {
	for i, v := range x {
		dst[i] = math.Sin(v)
	}
}

// Cos sets dst[i] = cos(x[i]).
func Cos(dst, x []float64) {
	for i, v := range x {
		dst[i] = math.Cos(v)
	}
}

// Exp sets dst[i] = exp(x[i]).
func Exp(dst, x []float64) {
	for i, v := range x {
		dst[i] = math.Exp(v)
	}
}

// Log sets dst[i] = log(x[i]).
func Log(dst, x []float64) {
	for i, v := range x {
		dst[i] = math.Log(v)
	}
}
