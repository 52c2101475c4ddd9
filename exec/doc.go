// Package exec runs plans. The local Engine evaluates lazy arrays on a
// goroutine pool under a memory budget: tasks are admitted in the plan's
// depth-first order after reserving their projected bytes from the budget,
// run as soon as their inputs are ready, and their outputs are reference
// counted and freed (or spilled, compressed, to disk) as soon as their last
// consumer is done. Compute returns results in memory; Store streams blocks
// into a Sink (the file drivers implement it).
//
// Results are deterministic: the plan fixes every combination order, so any
// number of workers gives the same bits. The first error cancels the run
// and every goroutine exits before Compute or Store returns.
//
// exec must never hold more than the budget of block memory, start
// goroutines that outlive a run, or print; it builds with CGO_ENABLED=0.
package exec
