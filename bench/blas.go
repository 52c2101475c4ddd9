package bench

// The harness's scenarios, run in this process by the Go benchmarks (go
// test -bench ./bench) as in the CLI's bench-point children, compute float
// matrix products with OpenBLAS, as the ndchunk binary does.
import _ "github.com/ndchunk/ndchunk/ops/openblas"
