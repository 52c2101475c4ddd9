package exprgen

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/internal/eager"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/ops"
)

const testSeeds = 400

// walk calls fn for every node under n once.
func walk(n *ndarray.Node, fn func(*ndarray.Node)) {
	seen := map[*ndarray.Node]bool{}
	var rec func(n *ndarray.Node)
	rec = func(n *ndarray.Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		fn(n)
		for _, in := range n.Inputs() {
			rec(in)
		}
	}
	rec(n)
}

func TestGenDeterministic(t *testing.T) {
	for seed := int64(0); seed < 50; seed++ {
		g1, g2 := New(seed), New(seed)
		e1, e2 := g1.Expr(4), g2.Expr(4)
		if g1.Report(e1) != g2.Report(e2) {
			t.Fatalf("seed %d: two generators differ:\n%s\n%s", seed, g1.Report(e1), g2.Report(e2))
		}
		r1, err1 := eager.Eval(e1.Array.Node())
		r2, err2 := eager.Eval(e2.Array.Node())
		if err1 != nil || err2 != nil {
			t.Fatalf("seed %d: %v %v", seed, err1, err2)
		}
		if string(r1.Bytes()) != string(r2.Bytes()) {
			t.Fatalf("seed %d: the same expression gives different data", seed)
		}
	}
}

func TestGenValidAndBounded(t *testing.T) {
	cfg := Config{MaxElems: 5000, MaxBlocks: 50}
	for seed := int64(0); seed < testSeeds; seed++ {
		g := NewConfig(seed, cfg)
		e := g.Expr(4)
		if err := e.Array.Err(); err != nil {
			t.Fatalf("seed %d: invalid expression: %v\n%s", seed, err, g.Report(e))
		}
		subs := g.Subexpressions()
		if len(subs) == 0 || subs[len(subs)-1].Desc != e.Desc && !containsDesc(subs, e.Desc) {
			t.Errorf("seed %d: the result is not among the subexpressions", seed)
		}
		walk(e.Array.Node(), func(n *ndarray.Node) {
			if s := chunk.Size(n.Shape()); s > cfg.MaxElems {
				t.Errorf("seed %d: %s has %d elements, above %d", seed, n.Op().Name(), s, cfg.MaxElems)
			}
			// Constants take the grid of the arrays they are combined
			// with, which may be a finer common refinement.
			if _, isConst := n.Op().(*ndarray.OpConst); !isConst && len(n.Inputs()) == 0 && n.Grid().Len() > cfg.MaxBlocks {
				t.Errorf("seed %d: leaf %s has %d blocks, above %d", seed, n.Op().Name(), n.Grid().Len(), cfg.MaxBlocks)
			}
		})
	}
}

func containsDesc(es []Expr, d string) bool {
	for _, e := range es {
		if e.Desc == d {
			return true
		}
	}
	return false
}

func TestGenShapes(t *testing.T) {
	g := New(1)
	ranks := map[int]int{}
	zero, one := 0, 0
	for i := 0; i < 2000; i++ {
		s := g.Shape()
		ranks[len(s)]++
		for _, n := range s {
			switch n {
			case 0:
				zero++
			case 1:
				one++
			}
		}
		if chunk.Size(s) > g.cfg.MaxElems {
			t.Fatalf("shape %v above the size bound", s)
		}
		spec := g.Spec(s, chunk.Float64)
		gr, err := spec.Resolve(s, chunk.Float64, nil)
		if err != nil || gr.Len() > g.cfg.MaxBlocks {
			t.Fatalf("spec %s for %v: %v, %d blocks", spec, s, err, gr.Len())
		}
	}
	for r := 0; r <= 5; r++ {
		if ranks[r] == 0 {
			t.Errorf("no shape of rank %d", r)
		}
	}
	if zero == 0 || one == 0 {
		t.Errorf("%d zero-length and %d length-1 axes, want both", zero, one)
	}
}

// TestGenCoverage checks that the generator exercises every operation of
// the ndarray API, every dtype and the special values.
func TestGenCoverage(t *testing.T) {
	seen := map[string]bool{}
	for seed := int64(0); seed < testSeeds; seed++ {
		g := New(seed)
		e := g.Expr(4)
		walk(e.Array.Node(), func(n *ndarray.Node) {
			seen[fmt.Sprintf("%T", n.Op())] = true
			seen["dtype "+n.DType().String()] = true
			switch op := n.Op().(type) {
			case *ndarray.OpUnary:
				seen["unary "+op.Fn.String()] = true
			case *ndarray.OpBinary:
				seen["binary "+op.Fn.String()] = true
			case *ndarray.OpReduce:
				seen["reduce "+op.Fn.String()] = true
				if op.KeepDims {
					seen["keepdims"] = true
				}
			case *ndarray.OpScan:
				seen["scan "+op.Fn.String()] = true
			case *ndarray.OpSlice:
				for a, st := range op.Step {
					if st < 0 {
						seen["negative step"] = true
					}
					if op.Drop[a] {
						seen["integer index"] = true
					}
				}
			case *ndarray.OpMapBlocks:
				seen["map_blocks "+op.Label] = true
			case *ndarray.OpRandom:
				seen["random "+op.Dist.String()] = true
			case *ndarray.OpDense:
				for i := 0; i < op.Data.Len(); i++ {
					if op.Data.DType().IsFloat() {
						x := op.Data.Float64(i)
						switch {
						case math.IsNaN(x):
							seen["NaN"] = true
						case math.IsInf(x, 0):
							seen["Inf"] = true
						case x == 0 && math.Signbit(x):
							seen["-0.0"] = true
						}
					}
				}
			}
			for _, n := range n.Shape() {
				if n == 0 {
					seen["zero-length axis"] = true
				}
			}
		})
	}
	want := []string{
		"*ndarray.OpDense", "*ndarray.OpRandom", "*ndarray.OpLinear", "*ndarray.OpConst", "*ndarray.OpUnary",
		"*ndarray.OpBinary", "*ndarray.OpWhere", "*ndarray.OpCast", "*ndarray.OpBroadcast", "*ndarray.OpTranspose",
		"*ndarray.OpSlice", "*ndarray.OpReshape", "*ndarray.OpConcat", "*ndarray.OpRechunk", "*ndarray.OpReduce",
		"*ndarray.OpScan", "*ndarray.OpContract", "*ndarray.OpMapBlocks",
		"keepdims", "negative step", "integer index", "NaN", "Inf", "-0.0", "zero-length axis",
		"map_blocks " + LabelTwice, "map_blocks " + LabelBlockSum, "random uniform", "random normal",
		"scan cumsum", "scan cumprod",
	}
	for op := ops.UnaryOp(1); op <= ops.Reciprocal; op++ {
		want = append(want, "unary "+op.String())
	}
	for op := ops.BinaryOp(1); op <= ops.BitwiseXor; op++ {
		want = append(want, "binary "+op.String())
	}
	for op := ops.ReduceOp(1); op <= ops.NanMax; op++ {
		want = append(want, "reduce "+op.String())
	}
	for _, dt := range chunk.DTypes {
		want = append(want, "dtype "+dt.String())
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("%d expressions never used %s", testSeeds, w)
		}
	}
}

// TestGenMapBlocksFunctions checks the block functions on a known input.
func TestGenMapBlocksFunctions(t *testing.T) {
	x := ndarray.FromSlice([]int64{1, 2, 3, 4, 5}, []int{5}, chunk.Irregular([]int{2, 3}))
	a := ndarray.MapBlocks(twicePlusBlock, LabelTwice, chunk.Int64, nil, x)
	got, err := eager.Eval(a.Node())
	if err != nil {
		t.Fatal(err)
	}
	// Block 0 (start 0): c = 0; block 1 (start 2): c = 1*2 + 2 = 4.
	want := []int64{2, 4, 10, 12, 14}
	for i, w := range want {
		if g := got.Int64(i); g != w {
			t.Errorf("twice[%d] = %d, want %d", i, g, w)
		}
	}
	s := ndarray.MapBlocks(blockSum, LabelBlockSum, chunk.Float64, [][]int{{1, 1}}, x)
	got, err = eager.Eval(s.Node())
	if err != nil {
		t.Fatal(err)
	}
	// c is computed from the output block: block 1 starts at 1 there, so
	// c = 1*2 + 1.
	if got.Float64(0) != 3 || got.Float64(1) != 12+3 {
		t.Errorf("block sums %v, want [3 15]", got)
	}
	if err := blockSum(context.Background(), chunk.NewDense(chunk.Float64, []int{2}), nil, ndarray.BlockInfo{}); err == nil {
		t.Error("block_sum accepted a two-element output block")
	}
}
