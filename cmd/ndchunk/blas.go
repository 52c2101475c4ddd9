package main

// Float matrix products (matmul, tensordot, dot) go to OpenBLAS instead of
// gonum's pure-Go BLAS, about six times faster per core; the bench-point
// children are this binary too, so the benchmarks measure OpenBLAS as well.
import _ "github.com/ndchunk/ndchunk/ops/openblas"
