package exec_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/internal/eager"
	"github.com/ndchunk/ndchunk/internal/exprgen"
	"github.com/ndchunk/ndchunk/ndarray"
)

// The property test builds random expressions (package exprgen) and checks
// the engine's results against the reference evaluator (package eager),
// with 1 to 4 workers and a tiny tile size, and checks that 1 and 4
// workers give identical bits. A failure names the seed, the expression
// with its leaves, and the smallest of its subexpressions that is wrong.
//
// Tolerance. eager returns, with every reference element, a bound on how
// far an engine that follows the documented semantics may be from it, and
// the comparison uses exactly that bound, nothing looser:
//
//   - 0 (bitwise equality, any NaN matching any NaN) for integer and bool
//     results, comparisons, min/max/argmin/argmax, data movement, casts,
//     integer cumulative sums and products, and the correctly rounded
//     float operations (+ - * / sqrt floor, ...) of exact inputs;
//   - 4 float64 ulps of the result (at least one ulp of the result's
//     dtype) for the transcendental functions, arctan2 and power: ops
//     promises 2 ulp and the references are within about 2 (mostly 1);
//   - for float sums and means: gamma(n-1)*sum|x| with gamma(n) =
//     n*2^-53/(1-n*2^-53), the classic bound for any order of n float64
//     additions (the engine accumulates float32 in float64 too, as
//     documented), plus one ulp of the result's dtype for the final
//     rounding; products likewise with gamma(n)*|product|;
//   - for float cumulative sums and products, twice that with the dtype's
//     own unit roundoff: the engine's blocked scan adds each block to a
//     carry built from block totals, a different order from NumPy's;
//   - for var and std: the error of the blocked two-pass algorithm with
//     pairwise (Chan) merges, 4(n+4)u*M2 + n*(log2 n + 1)*(2*R*d + d^2)
//     with d = 2(n+1)u*max|x| the error of a group mean, R = max|x-mean|;
//   - for contractions (matmul, tensordot, dot): gamma(K)*sum|a*b| with the
//     dtype's own unit roundoff (float32 BLAS accumulates in float32);
//   - these bounds propagate through later operations by interval
//     evaluation, and a result whose discrete outcome they could flip (a
//     comparison of nearly equal values, a cast of a value near an
//     integer, an argmax between near-ties, NaN versus a number) is not
//     compared at all. So are products of zero and an infinity inside
//     contractions (BLAS may skip zero factors) and integer constants
//     outside their dtype's range (Go leaves their conversion to the
//     implementation).
//
// Run one seed with NDCHUNK_SEED=n (its expression is logged), more seeds
// with NDCHUNK_SEEDS=n (from NDCHUNK_FIRST=n on), deeper expressions with
// NDCHUNK_DEPTH=n, and print every seed before it runs (to find one that
// hangs or crashes) with NDCHUNK_TRACE=1 and go test -v, which also
// prints failures as they happen.

const (
	propSeeds      = 3000 // seeds in a normal run (about 20 s on 2 cores)
	propShortSeeds = 300  // seeds with -short (about 2 s)
	propDepth      = 4    // nesting depth of the expressions
)

// propStats counts the result elements the test compared.
type propStats struct {
	exact, tolerant, skipped int
}

// propRun is one engine configuration the expressions are computed with.
type propRun struct {
	name string
	eng  *exec.Engine
}

// propEngines returns the engine configurations every expression is
// computed with.
func propEngines() []propRun {
	var runs []propRun
	for w := 1; w <= 4; w++ {
		runs = append(runs, propRun{fmt.Sprintf("workers=%d", w), exec.New(exec.Options{MemoryBudget: 256 << 20, Workers: w})})
	}
	// Small tiles exercise the fused evaluation's tiling.
	runs = append(runs, propRun{"workers=2,tile=7", exec.New(exec.Options{MemoryBudget: 256 << 20, Workers: 2, TileElems: 7})})
	return runs
}

func TestPropertyRandomExpressions(t *testing.T) {
	first, n := int64(0), int64(propSeeds)
	if testing.Short() {
		n = propShortSeeds
	}
	if s := os.Getenv("NDCHUNK_SEEDS"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("NDCHUNK_SEEDS=%q: %v", s, err)
		}
		n = v
	}
	if s := os.Getenv("NDCHUNK_FIRST"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("NDCHUNK_FIRST=%q: %v", s, err)
		}
		first = v
	}
	single := false
	if s := os.Getenv("NDCHUNK_SEED"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("NDCHUNK_SEED=%q: %v", s, err)
		}
		first, n, single = v, 1, true
	}
	depth := propDepth
	if s := os.Getenv("NDCHUNK_DEPTH"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("NDCHUNK_DEPTH=%q: %v", s, err)
		}
		depth = v
	}
	trace := os.Getenv("NDCHUNK_TRACE") != ""
	runs := propEngines()
	failed := 0
	var st propStats
	for seed := first; seed < first+n; seed++ {
		if trace {
			fmt.Fprintf(os.Stderr, "property seed %d\n", seed)
		}
		if msg := propCheckSeed(seed, depth, runs, single, &st, t); msg != "" {
			if trace {
				fmt.Fprintf(os.Stderr, "property seed %d FAILED:\n%s\n", seed, msg)
			}
			failed++
			t.Errorf("seed %d (rerun with NDCHUNK_SEED=%d):\n%s", seed, seed, msg)
			if failed >= 10 {
				t.Fatalf("stopping after %d failing seeds", failed)
			}
		}
	}
	t.Logf("%d expressions; result elements compared exactly %d, within a bound %d, undetermined (not compared) %d",
		n, st.exact, st.tolerant, st.skipped)
}

// propCheckSeed builds the expression of seed, computes it with every
// engine configuration and returns a description of the first problem, or
// "".
func propCheckSeed(seed int64, depth int, runs []propRun, verbose bool, st *propStats, t *testing.T) string {
	g := exprgen.New(seed)
	e := g.Expr(depth)
	report := g.Report(e)
	if verbose {
		t.Log(report)
	}
	if err := e.Array.Err(); err != nil {
		return fmt.Sprintf("the generator built an invalid expression: %v\n%s", err, report)
	}
	arrays := []ndarray.Array{e.Array}
	// Every fourth seed also asks for a reduction of the expression in the
	// same run, so the planner shares the common work between outputs.
	if seed%4 == 3 {
		arrays = append(arrays, e.Array.Sum())
	}
	wants := make([]*eager.Result, len(arrays))
	for i, a := range arrays {
		w, err := eager.EvalBounds(a.Node(), eager.Options{Lipschitz: exprgen.Lipschitz})
		if err != nil {
			return fmt.Sprintf("eager: %v\n%s", err, report)
		}
		wants[i] = w
		for k := 0; k < w.Value.Len(); k++ {
			switch {
			case w.Err == nil || w.Err[k] == 0:
				st.exact++
			case math.IsInf(w.Err[k], 1):
				st.skipped++
			default:
				st.tolerant++
			}
		}
	}
	var ref []*chunk.Dense
	for _, r := range runs {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		got, err := r.eng.ComputeMany(ctx, arrays...)
		cancel()
		if err != nil {
			return fmt.Sprintf("%s: compute: %v\n%s%s", r.name, err, report, propSmallest(g, r))
		}
		if st := r.eng.Allocator().Stats(); st.Live != 0 || st.Reserved != 0 {
			return fmt.Sprintf("%s: allocator not empty after the run: %+v\n%s", r.name, st, report)
		}
		for i := range arrays {
			if msg := propCompare(wants[i], got[i]); msg != "" {
				what := "result"
				if i > 0 {
					what = "sum of the result, computed in the same run"
				}
				return fmt.Sprintf("%s: %s differs from the reference:\n%s\n%s%s", r.name, what, msg, report, propSmallest(g, r))
			}
		}
		switch r.name {
		case "workers=1":
			ref = got
		case "workers=4":
			for i := range got {
				if !bytes.Equal(ref[i].Bytes(), got[i].Bytes()) {
					return fmt.Sprintf("not deterministic: 1 and 4 workers give different bits:\n%s\n%s", propDiff(ref[i], got[i]), report)
				}
			}
		}
	}
	return ""
}

// propSmallest looks for the first (so smallest) subexpression of the
// generator's latest expression that run r computes wrongly, and
// describes it.
func propSmallest(g *exprgen.Gen, r propRun) string {
	for _, sub := range g.Subexpressions() {
		want, err := eager.EvalBounds(sub.Array.Node(), eager.Options{Lipschitz: exprgen.Lipschitz})
		if err != nil {
			return fmt.Sprintf("\nsmallest failing subexpression: %s\n  eager: %v", sub.Desc, err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		got, err := r.eng.Compute(ctx, sub.Array)
		cancel()
		if err != nil {
			return fmt.Sprintf("\nsmallest failing subexpression: %s\n  compute: %v", sub.Desc, err)
		}
		if msg := propCompare(want, got); msg != "" {
			return fmt.Sprintf("\nsmallest failing subexpression: %s = %v\n%s", sub.Desc, sub.Array, msg)
		}
	}
	return ""
}

// propCompare checks got against the reference and its bounds and
// describes the first mismatches.
func propCompare(want *eager.Result, got *chunk.Dense) string {
	w := want.Value
	if got.DType() != w.DType() || !chunk.EqualInts(got.Shape(), w.Shape()) {
		return fmt.Sprintf("got %v%v, want %v%v", got.DType(), got.Shape(), w.DType(), w.Shape())
	}
	var b strings.Builder
	bad := 0
	es := w.DType().Size()
	for i := 0; i < w.Len(); i++ {
		bound := 0.0
		if want.Err != nil {
			bound = want.Err[i]
		}
		if math.IsInf(bound, 1) {
			continue
		}
		var ok bool
		switch {
		case !w.DType().IsFloat():
			ok = bytes.Equal(w.Bytes()[i*es:(i+1)*es], got.Bytes()[i*es:(i+1)*es])
		default:
			x, y := w.Float64(i), got.Float64(i)
			switch {
			case math.IsNaN(x) || math.IsNaN(y):
				ok = math.IsNaN(x) && math.IsNaN(y)
			case bound == 0:
				ok = bytes.Equal(w.Bytes()[i*es:(i+1)*es], got.Bytes()[i*es:(i+1)*es])
			case math.IsInf(x, 0):
				ok = x == y
			default:
				ok = math.Abs(x-y) <= bound
			}
		}
		if ok {
			continue
		}
		bad++
		if bad <= 6 {
			idx := make([]int, w.Rank())
			f := i
			for a := w.Rank() - 1; a >= 0; a-- {
				idx[a] = f % w.Shape()[a]
				f /= w.Shape()[a]
			}
			fmt.Fprintf(&b, "  at %v: got %s, want %s (bound %g)\n", idx, propElem(got, i), propElem(w, i), bound)
		}
	}
	if bad == 0 {
		return ""
	}
	fmt.Fprintf(&b, "  %d of %d elements differ", bad, w.Len())
	return b.String()
}

// propElem formats element i exactly (floats with all their digits and
// the sign of zero).
func propElem(d *chunk.Dense, i int) string {
	switch {
	case d.DType() == chunk.Bool:
		return fmt.Sprint(d.Bytes()[i] != 0)
	case d.DType().IsFloat():
		return strconv.FormatFloat(d.Float64(i), 'g', -1, 64)
	case d.DType().IsUnsigned():
		return fmt.Sprint(uint64(d.Int64(i)))
	}
	return fmt.Sprint(d.Int64(i))
}

// propDiff describes the first elements where two results differ.
func propDiff(a, b *chunk.Dense) string {
	var s strings.Builder
	es := a.DType().Size()
	n := 0
	for i := 0; i < a.Len() && n < 6; i++ {
		if !bytes.Equal(a.Bytes()[i*es:(i+1)*es], b.Bytes()[i*es:(i+1)*es]) {
			fmt.Fprintf(&s, "  flat %d: %s vs %s\n", i, propElem(a, i), propElem(b, i))
			n++
		}
	}
	return s.String()
}
