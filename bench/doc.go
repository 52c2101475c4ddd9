// Package bench is ndchunk's benchmark harness: the scenarios of
// `ndchunk bench` (mean-random, sincos-transpose, anomaly, rechunk,
// matmul, file-expr), the sweep that runs them over chunk shapes and
// worker counts side by side with peers (Dask, xarray and NumPy through
// peers/peer.py, nccopy and h5repack), the CSV/JSON results with the
// machine's facts, the plot of wall time and peak memory against chunk
// size, and the recommendation of a chunk shape.
//
// Sweep measures every point in a child process (`ndchunk bench-point`,
// which calls ServePoint), so peak RSS and CPU time come clean from the
// child's rusage, and alternates ndchunk and the peers (A B A B ...) so
// machine drift hits all of them. RunPoint runs a point in this process:
// the Go benchmarks (`go test -bench . ./bench`) use it.
//
// core.sh with peers/dask_core.py is the older side-by-side script over
// `ndchunk challenge`; it keeps working.
//
// Benchmarks measure; they never assert a speed. Tests check that sweeps
// run end to end, that every chunking computes the same checksum, and
// that refused points and missing peers are reported, not fatal.
package bench
