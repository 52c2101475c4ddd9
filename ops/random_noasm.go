//go:build !amd64 || purego

package ops

// rngHaveAVX512 is false where there is no assembly: the portable kernels
// run, and the functions below are never reached.
const rngHaveAVX512 = false

func rngUniform64AVX512(dst []float64, key, first uint64) { rngUniform64Go(dst, key, first) }
func rngUniform32AVX512(dst []float32, key, first uint64) { rngUniform32Go(dst, key, first) }
func rngBitsAVX512(dst []uint64, key, first uint64)       { rngBitsGo(dst, key, first) }
