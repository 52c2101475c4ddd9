package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/ndarray"
)

// runDemo computes the README example: sum(sin(x) + cos(x.T)) for a random
// 20000x20000 float64 array in 2000x2000 chunks under a 1 GiB budget.
func runDemo(args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	n := fs.Int("n", 20000, "side of the square array")
	chunkSize := fs.Int("chunks", 2000, "side of the square chunks")
	memory := fs.String("memory", "1GiB", "memory budget")
	workers := fs.Int("workers", 0, "workers (0: the CPUs this process may use)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	budget, err := chunk.ParseBytes(*memory)
	if err != nil {
		return usageError{err}
	}
	ctx := context.Background()
	x := ndarray.RandomUniform(42, []int{*n, *n}, chunk.Float64, chunk.Regular(*chunkSize, *chunkSize))
	y := x.Sin().Add(x.T().Cos())
	total := y.Sum()
	eng := exec.New(exec.Options{MemoryBudget: budget, Workers: *workers})

	fmt.Printf("x     = random uniform %dx%d float64, chunks %dx%d, seed 42 (%s)\n", *n, *n, *chunkSize, *chunkSize, chunk.FormatBytes(x.NBytes()))
	fmt.Printf("total = sum(sin(x) + cos(x.T))\n\n")
	plan, err := eng.Plan(8, total)
	if err != nil {
		return err
	}
	if err := plan.Explain(os.Stdout); err != nil {
		return err
	}
	start := time.Now()
	v, err := eng.Compute(ctx, total)
	if err != nil {
		return err
	}
	fmt.Printf("\nresult: %.10g  (%v)\n", v.Scalar(), time.Since(start).Round(time.Millisecond))
	fmt.Printf("report: %v\n", eng.LastReport())
	fmt.Printf("process peak RSS: %s (budget %s)\n", chunk.FormatBytes(peakRSS()), chunk.FormatBytes(budget))
	return nil
}
