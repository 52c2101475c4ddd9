package expr_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/ndarray/expr"
)

// Compile builds a lazy array from an expression over named inputs; an
// engine computes it. Errors point at a column of the expression.
func ExampleCompile() {
	x := ndarray.Arange(0, 6, 1, chunk.Float64, chunk.Regular(2)).Reshape(2, 3)
	env := expr.Env{Vars: map[string]ndarray.Array{"x": x}}

	a, err := expr.Compile("(x**2).sum(axis=0) - x.mean()", env)
	if err != nil {
		log.Fatal(err)
	}
	v, err := exec.New(exec.Options{MemoryBudget: 16 << 20}).Compute(context.Background(), a)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v)

	_, err = expr.Compile("x + ones((3, 2))", env)
	var e *expr.Error
	if errors.As(err, &e) {
		fmt.Println(e.Caret())
		fmt.Println("col", e.Col, "shape error:", errors.Is(err, chunk.ErrShape))
	}
	// Output:
	// [6.5, 14.5, 26.5]
	// x + ones((3, 2))
	//   ^
	// col 3 shape error: true
}

// Names lists the inputs an expression reads, for a command line to know
// which variables to open.
func ExampleNames() {
	n, err := expr.Parse("where(mask, t.astype(float64), nan).mean(axis=0) - t0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(expr.Names(n))
	// Output: [mask t t0]
}
