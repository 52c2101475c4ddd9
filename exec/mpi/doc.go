// Package mpi runs ndchunk plans across the ranks of an MPI job, started
// by mpirun or srun: the same program on every rank, the same Compute and
// Store calls as the local engine (package exec), results bit-identical to
// it for the same chunking and any number of ranks.
//
// Every rank builds the same plan (planning is deterministic, and the
// ranks check it with a fingerprint before any work). The plan's tasks are
// placed on ranks statically, so that each rank reads its own input regions
// from the shared file system and combines reduction partials where they
// were made (see placement); idle ranks steal not-yet-started tasks without
// inputs from busy ones. Each rank runs its tasks on a local goroutine pool
// under its own memory budget, admitting them in plan order like the local
// engine. Values a task needs from another rank (reduction partials,
// transposed blocks, rechunk pieces, output blocks) are sent point to
// point, as their raw buffers behind a small header (see wire.go). Output
// blocks go to rank 0, which fills Compute's results (then broadcast to
// every rank) or calls Store's sinks, since serial HDF5 and NetCDF allow one
// writer per file; rank 0 commits them only when every rank succeeded. A
// failure anywhere stops every rank; every rank returns the same *Error,
// naming the failing rank and task, and Exit prints it once. Progress is
// reported by rank 0 for the whole job.
//
// The binding to MPI is our own: a few dozen lines of cgo over the
// handful of calls needed (point-to-point with tags, probes, a few
// collectives), against the system's Open MPI (pkg-config ompi-c). This
// package is a leaf that needs cgo and libmpi; nothing in the core imports
// it, and a process not started by an MPI launcher runs the local engine.
//
// A program looks like this on every rank:
//
//	eng, err := mpi.New(mpi.Options{Options: exec.Options{MemoryBudget: 4 << 30}})
//	if err != nil {
//		mpi.Exit("prog", err)
//	}
//	x := ndarray.RandomUniform(1, []int{20000, 20000}, chunk.Float64, chunk.Regular(2000, 2000))
//	m, err := eng.Compute(ctx, x.Mean())
//	mpi.Exit("prog", err) // prints once, finalizes MPI, exits non-zero on failure
//
// The package must never call MPI outside a collective the caller made
// (New, Compute, Store, Agree, Exit), print anything except from Exit and
// on a fatal MPI failure, or keep goroutines after a call returns.
package mpi
