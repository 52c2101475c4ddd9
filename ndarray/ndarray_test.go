package ndarray_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	. "github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/ops"
)

func zeros(shape ...int) Array { return Zeros(chunk.Float64, shape, chunk.Regular(2)) }

// TestSliceShapes checks result shapes against NumPy (values are checked by
// the property tests in package exec).
func TestSliceShapes(t *testing.T) {
	a := zeros(5, 6, 7)
	cases := []struct {
		name string
		idx  []Index
		want []int // from numpy 1.24.2: np.zeros((5,6,7))[name].shape
	}{
		{"[1:4, ::-2, 3]", []Index{Span(1, 4, Omit), Span(Omit, Omit, -2), At(3)}, []int{3, 3}},
		{"[..., None, -1]", []Index{Ellipsis(), NewAxis(), At(-1)}, []int{5, 6, 1}},
		{"[::3]", []Index{Span(Omit, Omit, 3)}, []int{2, 6, 7}},
		{"[-1, -2, -3]", []Index{At(-1), At(-2), At(-3)}, []int{}},
		{"[2:2]", []Index{Span(2, 2, Omit)}, []int{0, 6, 7}},
		{"[:, None, 1:100:7]", []Index{All(), NewAxis(), Span(1, 100, 7)}, []int{5, 1, 1, 7}},
		{"[::-1, ::-1, ::-1]", []Index{Span(Omit, Omit, -1), Span(Omit, Omit, -1), Span(Omit, Omit, -1)}, []int{5, 6, 7}},
		{"[None]", []Index{NewAxis()}, []int{1, 5, 6, 7}},
	}
	for _, c := range cases {
		got := a.Slice(c.idx...)
		if err := got.Err(); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !chunk.EqualInts(got.Shape(), c.want) {
			t.Errorf("a%s shape %v, numpy gives %v", c.name, got.Shape(), c.want)
		}
	}
}

func TestSliceChunksFollowBlocks(t *testing.T) {
	a := Arange(0, 20, 1, chunk.Int64, chunk.Regular(5))
	// Positions 1,4,7,...,19 cross the blocks [0,5) [5,10) [10,15) [15,20).
	got := a.Slice(Span(1, Omit, 3)).Chunks()
	if fmt.Sprint(got) != "[[2 1 2 2]]" {
		t.Errorf("chunks %v, want [[2 1 2 2]]", got)
	}
	got = a.Slice(Span(Omit, Omit, -4)).Chunks()
	if fmt.Sprint(got) != "[[2 1 1 1]]" {
		t.Errorf("reversed chunks %v, want [[2 1 1 1]]", got)
	}
}

func TestErrorsAreSticky(t *testing.T) {
	a := zeros(3, 4)
	bad := a.Add(zeros(5))
	if !errors.Is(bad.Err(), chunk.ErrShape) {
		t.Fatalf("broadcast error %v, want ErrShape", bad.Err())
	}
	chained := bad.Sin().Sum(Axes(0)).T().Reshape(-1)
	if !errors.Is(chained.Err(), chunk.ErrShape) || !strings.Contains(chained.Err().Error(), "broadcast") {
		t.Errorf("first error not kept: %v", chained.Err())
	}
	checks := []struct {
		a    Array
		want error
	}{
		{a.Sum(Axes(2)), chunk.ErrIndex},
		{a.Sum(Axes(0, -2)), chunk.ErrIndex},
		{a.Transpose(0, 0), chunk.ErrIndex},
		{a.Reshape(5, -1), chunk.ErrShape},
		{a.Reshape(-1, -1), chunk.ErrShape},
		{a.Slice(At(3)), chunk.ErrIndex},
		{a.Slice(At(0), At(0), At(0)), chunk.ErrIndex},
		{a.Slice(Span(0, 3, 0)), chunk.ErrIndex},
		{a.Squeeze(0), chunk.ErrShape},
		{a.BroadcastTo(3, 5), chunk.ErrShape},
		{Matmul(a, zeros(3, 4)), chunk.ErrShape},
		{Concatenate([]Array{a, zeros(3)}, 0), chunk.ErrShape},
		{a.Rechunk(chunk.Irregular([]int{1, 1}, []int{4})), chunk.ErrChunks},
		{zeros(0).Min(), chunk.ErrShape},
		{a.Invert(), chunk.ErrDType},
		{a.ArgMax(Axes(0, 1)), chunk.ErrIndex},
		{RandomUniform(1, []int{3}, chunk.Int32, chunk.Spec{}), chunk.ErrDType},
	}
	for i, c := range checks {
		if !errors.Is(c.a.Err(), c.want) {
			t.Errorf("check %d: error %v, want %v", i, c.a.Err(), c.want)
		}
	}
	var zero Array
	if !errors.Is(zero.Err(), ErrInvalid) {
		t.Errorf("zero Array error %v", zero.Err())
	}
}

// TestPromotion checks result dtypes, NumPy 2's weak scalars included
// (numpy 1.24 with NEP 50 semantics for python scalars).
func TestPromotion(t *testing.T) {
	i8 := Zeros(chunk.Int8, []int{3}, chunk.Spec{})
	u8 := Zeros(chunk.Uint8, []int{3}, chunk.Spec{})
	f32 := Zeros(chunk.Float32, []int{3}, chunk.Spec{})
	cases := []struct {
		a    Array
		want chunk.DType
	}{
		{i8.Add(u8), chunk.Int16},
		{i8.Add(Int(3)), chunk.Int8},
		{i8.Add(Float(1.5)), chunk.Float64},
		{f32.Mul(Float(2)), chunk.Float32},
		{f32.Add(i8), chunk.Float32},
		{i8.Div(i8), chunk.Float64},
		{i8.Sin(), chunk.Float32},
		{i8.Lt(f32), chunk.Bool},
		{i8.Sum(), chunk.Int64},
		{u8.Sum(), chunk.Uint64},
		{f32.Mean(), chunk.Float32},
		{i8.ArgMax(), chunk.Int64},
		{Where(i8, f32, Int(0)), chunk.Float32},
		{i8.CumSum(0), chunk.Int64},
		{Matmul(Zeros(chunk.Int32, []int{2, 2}, chunk.Spec{}), Zeros(chunk.Float32, []int{2, 2}, chunk.Spec{})), chunk.Float64},
	}
	for i, c := range cases {
		if err := c.a.Err(); err != nil {
			t.Errorf("case %d: %v", i, err)
		} else if c.a.DType() != c.want {
			t.Errorf("case %d: dtype %s, want %s", i, c.a.DType(), c.want)
		}
	}
}

func TestShapesOfOperations(t *testing.T) {
	a := zeros(2, 3, 4)
	cases := []struct {
		a    Array
		want []int
	}{
		{a.T(), []int{4, 3, 2}},
		{a.SwapAxes(0, -1), []int{4, 3, 2}},
		{a.Sum(Axes(1), KeepDims()), []int{2, 1, 4}},
		{a.Mean(Axes(0, 2)), []int{3}},
		{a.ExpandDims(-1), []int{2, 3, 4, 1}},
		{a.ExpandDims(1).Squeeze(), []int{2, 3, 4}},
		{a.Reshape(6, -1), []int{6, 4}},
		{zeros(3).BroadcastTo(2, 4, 3), []int{2, 4, 3}},
		{Stack([]Array{a, a, a}, 1), []int{2, 3, 3, 4}},
		{Concatenate([]Array{a, zeros(2, 5, 4)}, 1), []int{2, 8, 4}},
		{Matmul(zeros(5, 2, 3), zeros(3, 7)), []int{5, 2, 7}},
		{Matmul(zeros(3), zeros(3, 7)), []int{7}},
		{Matmul(zeros(4, 3), zeros(3)), []int{4}},
		{Matmul(zeros(3), zeros(3)), []int{}},
		{Tensordot(a, zeros(4, 3, 5), []int{1, 2}, []int{1, 0}), []int{2, 5}},
		{Dot(a, zeros(6, 4, 7)), []int{2, 3, 6, 7}},
		{Dot(a, zeros(4)), []int{2, 3}},
		{a.ArgMin(Axes(1)), []int{2, 4}},
	}
	for i, c := range cases {
		if err := c.a.Err(); err != nil {
			t.Errorf("case %d: %v", i, err)
		} else if !chunk.EqualInts(c.a.Shape(), c.want) {
			t.Errorf("case %d: shape %v, want %v", i, c.a.Shape(), c.want)
		}
	}
}

func TestUnifiedChunks(t *testing.T) {
	a := Zeros(chunk.Float64, []int{9, 12}, chunk.Irregular([]int{1, 4, 4}, []int{3, 3, 6}))
	b := Zeros(chunk.Float64, []int{9, 12}, chunk.Regular(3, 4))
	c := a.Add(b)
	want := "((1, 2, 2, 1, 3), (3, 1, 2, 2, 4))"
	if got := c.Grid().String(); got != want {
		t.Errorf("unified grid %s, want %s", got, want)
	}
	// A broadcast operand does not cut the other's chunks.
	row := Zeros(chunk.Float64, []int{12}, chunk.Regular(12))
	if got := b.Add(row).Grid().String(); got != b.Grid().String() {
		t.Errorf("broadcast grid %s, want %s", got, b.Grid())
	}
}

func TestTransposeComposes(t *testing.T) {
	a := zeros(2, 3, 4)
	if a.T().T().Node() != a.Node() {
		t.Error("x.T.T is not x")
	}
	if a.Transpose(1, 0, 2).Transpose(1, 0, 2).Node() != a.Node() {
		t.Error("a permutation and its inverse do not cancel")
	}
}

func TestUnaryAndReduceNames(t *testing.T) {
	x := zeros(2)
	s := x.Sin().Add(x.T().Cos()).Sum().String()
	if !strings.Contains(s, "sum(add(sin(full(0)), cos(full(0))))") {
		t.Errorf("String() = %s", s)
	}
	if Reduce(ops.NanMax, x).DType() != chunk.Float64 {
		t.Error("nanmax dtype")
	}
}

func ExampleArray_Sum() {
	x := Arange(0, 12, 1, chunk.Int64, chunk.Regular(5)).Reshape(3, 4)
	s := x.Sum(Axes(1), KeepDims())
	fmt.Println(s.Shape(), s.DType(), s.Chunks())
	// Output: [3 1] int64 [[3] [1]]
}

// TestUnifiedChunksKeepLargeOperand: a small operand does not fragment a
// large one's blocks (x - mean(x) keeps x's chunks).
func TestUnifiedChunksKeepLargeOperand(t *testing.T) {
	x := Zeros(chunk.Float32, []int{100, 100, 100}, chunk.Regular(8, -1, -1))
	m := x.Rechunk(chunk.Regular(-1, 8, -1)).Mean(Axes(0), KeepDims())
	got := x.Sub(m).Grid().Summary()
	if got != "8x100x100" {
		t.Errorf("x - mean(x) chunks %s, want x's 8x100x100", got)
	}
}
