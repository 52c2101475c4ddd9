// Package bench holds ndchunk's benchmarks: Go Benchmark functions for the
// engine's headline workloads (run with `go test -bench . ./bench`), and
// core.sh with the Python peers in peers/, which time ndchunk against Dask
// side by side, interleaved, and report medians and peak RSS.
//
// Benchmarks measure; they never assert a speed.
package bench
