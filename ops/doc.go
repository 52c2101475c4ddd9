// Package ops holds ndchunk's per-block kernels: tight loops over contiguous
// buffers for elementwise functions (with NumPy's semantics), reductions as
// Init / Accumulate / Merge / Finalize, cumulative scans, data movement
// (region copies, transposes, broadcasts, strided slices), counter-based
// random numbers, and block matrix products (gonum BLAS inside).
//
// Kernels work on raw row-major byte buffers of a known dtype so that the
// planner can string them together without reflection; they are chosen once
// per task (never per element) by functions such as Unary, Binary and Cast.
//
// ops must never allocate per element, do I/O, start goroutines or keep
// references to the buffers it is given. It builds with CGO_ENABLED=0; fast
// paths written in assembly are picked at run time by CPU features, behind
// pure-Go fallbacks that give results within a few ulp.
package ops
