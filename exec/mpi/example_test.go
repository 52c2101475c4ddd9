package mpi_test

import (
	"context"
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/exec/mpi"
	"github.com/ndchunk/ndchunk/ndarray"
)

// Every rank of a job runs the same program. Started by mpirun or srun,
// the engine spreads the tasks over the ranks; run directly, as here, it is
// the local engine. Either way the result is the same bits.
func Example() {
	eng, err := mpi.New(mpi.Options{Options: exec.Options{MemoryBudget: 64 << 20, KeepGoMemoryLimit: true}})
	if err != nil {
		mpi.Exit("example", err)
	}
	x := ndarray.RandomUniform(42, []int{1000, 1000}, chunk.Float64, chunk.Regular(250, 250))
	m, err := eng.Compute(context.Background(), x.Add(x.T()).Mean())
	if err != nil {
		mpi.Exit("example", err)
	}
	if eng.IsWriter() {
		fmt.Printf("%d rank(s): mean %.6f\n", eng.Size(), m.Scalar())
	}
	// A program would end with mpi.Exit("example", nil): it finalizes MPI
	// on every rank and sets the exit status.

	// Output: 1 rank(s): mean 0.999396
}
