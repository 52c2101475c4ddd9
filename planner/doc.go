// Package planner turns an expression graph of ndarray nodes into a Plan:
// per-block tasks with dependencies, a memory projection for each, and a
// deterministic depth-first order.
//
// Planning merges identical subexpressions, fuses every elementwise, broadcast,
// transpose, slice, reshape, concatenate and rechunk operation into the tasks
// that consume it (they are evaluated tile by tile from the leaves, so
// sum(sin(x)+cos(x.T)) never materialises sin(x)), and materialises only what
// must be: reductions (partials combined in a fixed tree), cumulative scans,
// contractions and map_blocks. Every task's working set is projected; a plan
// whose peak cannot fit the budget spills materialised arrays to disk or is
// refused before anything runs, with an error naming the operation and
// suggesting chunks.
//
// The planner never runs tasks itself or touches files; package exec does.
// It builds with CGO_ENABLED=0.
package planner
