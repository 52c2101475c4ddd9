package chunk

import (
	"math"
	"testing"
)

// TestBalancedMatchesRew pins rank-3 results to Russ Rew's chunk_shape_3D
// (the Python script linked from Unidata's "Chunking Data: Choosing
// Shapes"), run with Python 3 on the same arguments.
func TestBalancedMatchesRew(t *testing.T) {
	for _, tc := range []struct {
		shape  []int
		elem   int
		target int64
		want   []int
	}{
		{[]int{98128, 277, 349}, 4, 4194304, []int{1032, 29, 35}},
		{[]int{1000, 500, 500}, 4, 1 << 20, []int{33, 89, 89}},
		{[]int{3652, 181, 360}, 4, 1 << 20, []int{122, 33, 65}},
		{[]int{365, 180, 360}, 4, 4096, []int{2, 15, 30}},
		{[]int{100, 100, 100}, 8, 1 << 20, []int{36, 60, 60}},
		// The first axis is shorter than its share of chunks.
		{[]int{10, 1000, 1000}, 4, 1 << 20, []int{1, 403, 403}},
	} {
		got := Balanced(tc.shape, tc.elem, tc.target)
		if !EqualInts(got, tc.want) {
			t.Errorf("Balanced(%v, %d, %d) = %v, want %v (chunk_shape_3D)", tc.shape, tc.elem, tc.target, got, tc.want)
		}
	}
}

// chunksAlong is the number of chunks an axis of length n is cut into.
func chunksAlong(n, c int) int { return (n + c - 1) / c }

func TestBalancedProperties(t *testing.T) {
	for _, tc := range []struct {
		shape  []int
		elem   int
		target int64
		// unbalanced: the first axis is too short to balance the others.
		unbalanced bool
	}{
		{[]int{1 << 20}, 4, 1 << 16, false},
		{[]int{8760, 5000}, 4, 1 << 20, false},
		{[]int{3652, 181, 360}, 4, 4 << 20, false},
		{[]int{1000, 500, 500}, 4, 1 << 20, false},
		{[]int{720, 37, 181, 360}, 4, 1 << 20, false},
		{[]int{50000, 20, 30}, 4, 1 << 16, false},
		{[]int{7, 3, 5, 2, 9}, 8, 1 << 10, false},
		{[]int{20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20}, 1, 1 << 20, true},
	} {
		got := Balanced(tc.shape, tc.elem, tc.target)
		if len(got) != len(tc.shape) {
			t.Fatalf("Balanced(%v) = %v: wrong rank", tc.shape, got)
		}
		bytes := int64(Size(got) * tc.elem)
		if bytes > tc.target {
			t.Errorf("Balanced(%v, %d, %d) = %v holds %d bytes, over the target", tc.shape, tc.elem, tc.target, got, bytes)
		}
		if bytes < tc.target/8 {
			t.Errorf("Balanced(%v, %d, %d) = %v holds %d bytes, far under the target", tc.shape, tc.elem, tc.target, got, bytes)
		}
		for i, c := range got {
			if c < 1 || c > tc.shape[i] {
				t.Errorf("Balanced(%v) = %v: length %d on axis %d", tc.shape, got, c, i)
			}
		}
		// A series along the first axis and a slice across the others read
		// similar numbers of chunks (within a factor of 3 here; exact
		// balance is impossible with integer lengths).
		series := chunksAlong(tc.shape[0], got[0])
		slice := 1
		for i := 1; i < len(got); i++ {
			slice *= chunksAlong(tc.shape[i], got[i])
		}
		if r := float64(series) / float64(slice); len(got) > 1 && !tc.unbalanced && (r > 3 || r < 1.0/3) {
			t.Errorf("Balanced(%v) = %v: a series reads %d chunks, a slice %d", tc.shape, got, series, slice)
		}
	}
}

func TestBalancedEdges(t *testing.T) {
	if got := Balanced(nil, 4, 1<<20); got != nil {
		t.Errorf("rank 0: got %v, want nil", got)
	}
	if got := Balanced([]int{100, 200}, 8, 1<<20); !EqualInts(got, []int{100, 200}) {
		t.Errorf("small array: got %v, want the whole shape", got)
	}
	if got := Balanced([]int{0, 10}, 4, 1<<20); !EqualInts(got, []int{1, 10}) {
		t.Errorf("empty axis: got %v, want [1 10]", got)
	}
	// One element is over the target: chunks of one element.
	if got := Balanced([]int{5, 5, 5}, 8, 4); !EqualInts(got, []int{1, 1, 1}) {
		t.Errorf("tiny target: got %v, want [1 1 1]", got)
	}
	// Trailing axes shorter than their share: length 1 there, and the
	// chunk still fits the target.
	got := Balanced([]int{100000, 2, 4000}, 4, 1<<16)
	if Size(got)*4 > 1<<16 || got[1] != 1 && got[1] != 2 {
		t.Errorf("short trailing axis: got %v", got)
	}
	if math.Abs(float64(Size(got)*4)-(1<<16)) > (1<<16)/2 {
		t.Errorf("short trailing axis: got %v, %d bytes, far from the target", got, Size(got)*4)
	}
}
