// Package ndarray is ndchunk's user-facing lazy array. An Array is a handle
// on a node of an expression graph: creating arrays (from slices, files,
// ranges or a counter-based random generator) and combining them with
// NumPy's operations and rules (broadcasting, type promotion, NaN semantics)
// builds the graph and computes nothing. The planner turns a graph into
// fused per-block tasks and an engine (package exec) runs them under a
// memory budget.
//
// ndarray checks shapes, dtypes and axes as the graph is built and records
// the first error in the Array (see Array.Err). It must never evaluate data,
// do I/O or hold buffers other than those the caller passes in.
package ndarray
