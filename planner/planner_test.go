package planner_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/planner"
)

func build(t *testing.T, opts planner.Options, arrays ...ndarray.Array) *planner.Plan {
	t.Helper()
	p, err := planner.Build(arrays, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFusion: sum(sin(x) + cos(x.T)) is one partial stage over x's blocks
// and a combine tree; sin(x), cos(x.T) and their sum are never stages.
func TestFusion(t *testing.T) {
	x := ndarray.RandomUniform(42, []int{2000, 2000}, chunk.Float64, chunk.Regular(200, 200))
	p := build(t, planner.Options{Budget: 1 << 30, Workers: 2}, x.Sin().Add(x.T().Cos()).Sum())
	if len(p.Stages) != 2 || p.Stages[0].Kind != planner.KindReducePartial || p.Stages[1].Kind != planner.KindReduceCombine {
		var kinds []string
		for _, s := range p.Stages {
			kinds = append(kinds, s.Kind.String())
		}
		t.Fatalf("stages %v, want reduce-partial and reduce-combine", kinds)
	}
	if n := len(p.Stages[0].Tasks); n != 100 {
		t.Errorf("%d partial tasks, want 100", n)
	}
	// Each partial task holds its working set of tiles, never a whole
	// block: the projection does not grow with the chunks.
	y := ndarray.RandomUniform(42, []int{2000, 2000}, chunk.Float64, chunk.Regular(1000, 1000))
	big := build(t, planner.Options{Budget: 1 << 30, Workers: 2}, y.Sin().Add(y.T().Cos()).Sum())
	if a, b := p.Stages[0].MaxTaskBytes, big.Stages[0].MaxTaskBytes; a != b || b >= 1000*1000*8/4 {
		t.Errorf("partial task projects %d bytes with 200x200 chunks, %d with 1000x1000: a block was materialised", a, b)
	}
}

// TestCSE: the same expression built twice is planned once.
func TestCSE(t *testing.T) {
	mk := func() ndarray.Array {
		x := ndarray.RandomUniform(1, []int{400, 400}, chunk.Float64, chunk.Regular(100, 100))
		return x.Exp().CumSum(0)
	}
	a, b := mk(), mk()
	one := build(t, planner.Options{Budget: 1 << 30}, a.Sum())
	two := build(t, planner.Options{Budget: 1 << 30}, a.Add(b).Sum())
	count := func(p *planner.Plan, k planner.StageKind) int {
		n := 0
		for _, s := range p.Stages {
			if s.Kind == k {
				n += len(s.Tasks)
			}
		}
		return n
	}
	if count(one, planner.KindScan) != count(two, planner.KindScan) {
		t.Errorf("cumsum planned %d times for a+b, %d for a", count(two, planner.KindScan), count(one, planner.KindScan))
	}
}

func TestRefusalNamesOpAndSuggests(t *testing.T) {
	x := ndarray.RandomUniform(1, []int{4000, 4000}, chunk.Float64, chunk.Regular(2000, 2000))
	_, err := planner.Build([]ndarray.Array{ndarray.Matmul(x, x)}, planner.Options{Budget: 100 << 20, Workers: 2})
	if !errors.Is(err, chunk.ErrOverBudget) {
		t.Fatalf("error %v, want ErrOverBudget", err)
	}
	for _, want := range []string{"tensordot", "block products", "152.8 MiB per task", "100.0 MiB", "try chunks ("} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestExplainAndDot(t *testing.T) {
	x := ndarray.RandomUniform(1, []int{300, 200}, chunk.Float64, chunk.Regular(100, 100))
	w := ndarray.RandomNormal(2, []int{200, 50}, chunk.Float64, chunk.Regular(100, 50))
	p := build(t, planner.Options{Budget: 64 << 20, Workers: 2}, ndarray.Matmul(x.Exp(), w).Mean(ndarray.Axes(0)))
	var sb strings.Builder
	if err := p.Explain(&sb); err != nil {
		t.Fatal(err)
	}
	text := sb.String()
	for _, want := range []string{"contract", "block products", "sum of products", "reduce-partial", "budget check", "per task"} {
		if !strings.Contains(text, want) {
			t.Errorf("explain lacks %q:\n%s", want, text)
		}
	}
	sb.Reset()
	if err := p.Dot(&sb); err != nil {
		t.Fatal(err)
	}
	dot := sb.String()
	if !strings.HasPrefix(dot, "digraph plan {") || strings.Count(dot, "->") < 2 {
		t.Errorf("dot output:\n%s", dot)
	}
	// Labels must be valid DOT strings: no raw quotes inside.
	for _, line := range strings.Split(dot, "\n") {
		if strings.Contains(line, "label=") && strings.Count(line, `"`)-strings.Count(line, `\"`)*1 != 2 {
			t.Errorf("unbalanced quotes: %s", line)
		}
	}
}

// TestDeterministicOrder: building the same plan twice gives the same
// task order.
func TestDeterministicOrder(t *testing.T) {
	mk := func() *planner.Plan {
		x := ndarray.RandomUniform(3, []int{500, 500}, chunk.Float64, chunk.Regular(70, 90))
		return build(t, planner.Options{Budget: 1 << 30}, x.Add(x.T()).Std(ndarray.Axes(1)), x.CumProd(0).Max())
	}
	a, b := mk(), mk()
	if len(a.Tasks) != len(b.Tasks) {
		t.Fatalf("%d vs %d tasks", len(a.Tasks), len(b.Tasks))
	}
	for i := range a.Tasks {
		if a.Tasks[i].String() != b.Tasks[i].String() {
			t.Fatalf("task %d: %s vs %s", i, a.Tasks[i], b.Tasks[i])
		}
	}
}
