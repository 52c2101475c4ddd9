package chunk

import (
	"errors"
	"math/rand"
	"testing"
)

func TestRegularGrid(t *testing.T) {
	g, err := RegularGrid([]int{10, 7, 0}, []int{4, Whole, 3})
	if err != nil {
		t.Fatal(err)
	}
	want := "((4, 4, 2), (7,), (0,))"
	if g.String() != want {
		t.Errorf("grid %s, want %s", g, want)
	}
	if g.Len() != 3 {
		t.Errorf("Len %d, want 3", g.Len())
	}
	r := g.BlockRegion([]int{2, 0, 0})
	if !EqualInts(r.Start, []int{8, 0, 0}) || !EqualInts(r.Shape, []int{2, 7, 0}) {
		t.Errorf("block 2 region %v", r)
	}
}

func TestNewGridRejects(t *testing.T) {
	bad := []struct {
		shape  []int
		chunks [][]int
	}{
		{[]int{5}, [][]int{{2, 2}}},
		{[]int{5}, [][]int{{5, 0}}},
		{[]int{5, 2}, [][]int{{5}}},
		{[]int{-1}, [][]int{{1}}},
	}
	for _, c := range bad {
		if _, err := NewGrid(c.shape, c.chunks); err == nil {
			t.Errorf("NewGrid(%v, %v) accepted", c.shape, c.chunks)
		}
	}
}

// TestGridRoundTrip checks block index <-> region <-> element arithmetic on
// random irregular grids: every element lies in exactly the block
// AxisBlock names, and Overlapping finds exactly the blocks a random
// region intersects.
func TestGridRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for iter := 0; iter < 300; iter++ {
		rank := rng.Intn(4)
		shape := make([]int, rank)
		chunks := make([][]int, rank)
		for i := range shape {
			shape[i] = rng.Intn(12)
			left := shape[i]
			if left == 0 {
				chunks[i] = []int{0}
			}
			for left > 0 {
				c := 1 + rng.Intn(left)
				chunks[i] = append(chunks[i], c)
				left -= c
			}
		}
		g, err := NewGrid(shape, chunks)
		if err != nil {
			t.Fatal(err)
		}
		for f := 0; f < g.Len(); f++ {
			idx := g.BlockIndex(f)
			if g.FlatIndex(idx) != f {
				t.Fatalf("FlatIndex(BlockIndex(%d)) = %d", f, g.FlatIndex(idx))
			}
			r := g.BlockRegion(idx)
			for ax := range shape {
				for p := r.Start[ax]; p < r.Stop(ax); p++ {
					if g.AxisBlock(ax, p) != idx[ax] {
						t.Fatalf("grid %s: AxisBlock(%d, %d) = %d, want %d", g, ax, p, g.AxisBlock(ax, p), idx[ax])
					}
				}
			}
		}
		// A random region and the blocks it overlaps.
		reg := Region{Start: make([]int, rank), Shape: make([]int, rank)}
		for i := range shape {
			if shape[i] > 0 {
				reg.Start[i] = rng.Intn(shape[i])
				reg.Shape[i] = rng.Intn(shape[i]-reg.Start[i]) + 1
			}
		}
		lo, hi := g.Overlapping(reg)
		for f := 0; f < g.Len(); f++ {
			idx := g.BlockIndex(f)
			_, hit := g.BlockRegion(idx).Intersect(reg)
			in := true
			for i := range idx {
				in = in && idx[i] >= lo[i] && idx[i] < hi[i]
			}
			if hit != in && reg.Size() > 0 {
				t.Fatalf("grid %s region %v: block %v intersects=%v but Overlapping says %v", g, reg, idx, hit, in)
			}
		}
	}
}

func TestUnifyChunks(t *testing.T) {
	got := UnifyChunks([]int{1, 4, 4}, []int{3, 3, 3})
	want := []int{1, 2, 2, 1, 3} // boundaries 1,5,9 and 3,6,9
	if !EqualInts(got, want) {
		t.Errorf("UnifyChunks = %v, want %v", got, want)
	}
	if got := UnifyChunks([]int{0}, []int{0}); !EqualInts(got, []int{0}) {
		t.Errorf("UnifyChunks of empty axes = %v", got)
	}
}

func TestParseSpec(t *testing.T) {
	cases := []struct {
		in    string
		shape []int
		want  string
	}{
		{"2,3", []int{5, 7}, "((2, 2, 1), (3, 3, 1))"},
		{"1x2x-1", []int{2, 3, 4}, "((1, 1), (2, 1), (4,))"},
		{"((1,4,4),(3,3,6))", []int{9, 12}, "((1, 4, 4), (3, 3, 6))"},
		{"4", []int{8, 8}, "((4, 4), (4, 4))"},
	}
	for _, c := range cases {
		s, err := ParseSpec(c.in)
		if err != nil {
			t.Fatalf("ParseSpec(%q): %v", c.in, err)
		}
		g, err := s.Resolve(c.shape, Float64, nil)
		if err != nil {
			t.Fatalf("Resolve(%q, %v): %v", c.in, c.shape, err)
		}
		if g.String() != c.want {
			t.Errorf("ParseSpec(%q) on %v = %s, want %s", c.in, c.shape, g, c.want)
		}
	}
	for _, bad := range []string{"0,2", "a,b", "-3", ""} {
		if s, err := ParseSpec(bad); err == nil && bad != "" {
			t.Errorf("ParseSpec(%q) accepted: %v", bad, s)
		}
	}
	if _, err := Regular(2, 2).Resolve([]int{4}, Float64, nil); !errors.Is(err, ErrChunks) {
		t.Errorf("rank mismatch error %v, want ErrChunks", err)
	}
}

func TestAutoChunks(t *testing.T) {
	// 20000x20000 float64 at 128 MiB: square blocks of 4000 (balanced: 5 per axis).
	got := AutoChunks([]int{20000, 20000}, Float64, 128<<20, nil, nil)
	if !EqualInts(got, []int{4000, 4000}) {
		t.Errorf("AutoChunks = %v, want [4000 4000]", got)
	}
	// Multiples of the storage chunks, whole short axes.
	got = AutoChunks([]int{1000, 721, 1440}, Float32, 64<<20, []int{1, 721, 1440}, nil)
	if got[1] != 721 || got[2] != 1440 || got[0] < 1 {
		t.Errorf("AutoChunks with storage = %v", got)
	}
	if bytes := int64(got[0]*got[1]*got[2]) * 4; bytes > 64<<20 {
		t.Errorf("AutoChunks block %d bytes over target", bytes)
	}
	got = AutoChunks([]int{100, 100}, Float64, 8000*8, []int{7, 7}, nil)
	for i, c := range got {
		if c%7 != 0 && c != 100 {
			t.Errorf("axis %d chunk %d not a multiple of 7", i, c)
		}
	}
	// Fixed axes are kept.
	got = AutoChunks([]int{10, 1000}, Float64, 800, nil, []int{Whole, AutoAxis})
	if got[0] != 10 || got[1] != 10 {
		t.Errorf("AutoChunks fixed = %v, want [10 10]", got)
	}
}

func TestParseBytes(t *testing.T) {
	cases := map[string]int64{"512MiB": 512 << 20, "2GB": 2e9, "1.5G": 3 << 29, "4096": 4096, "1 KiB": 1024}
	for in, want := range cases {
		got, err := ParseBytes(in)
		if err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"lots", "-1MB", "1XB"} {
		if _, err := ParseBytes(bad); err == nil {
			t.Errorf("ParseBytes(%q) accepted", bad)
		}
	}
}

func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"auto", "2,3", "((1,4,4),(3,3,6))", "1x2x-1", "auto:64MiB", "(())"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseSpec(s)
		if err != nil {
			return
		}
		g, err := spec.Resolve([]int{9, 12}, Float64, nil)
		if err != nil {
			return
		}
		for i, cs := range g.Chunks() {
			sum := 0
			for _, c := range cs {
				sum += c
			}
			if sum != g.Shape()[i] {
				t.Fatalf("%q: chunks %v do not sum to %d", s, cs, g.Shape()[i])
			}
		}
	})
}

func TestFormatBytes(t *testing.T) {
	cases := map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1<<30 - 8: "1.0 GiB", 3 << 29: "1.5 GiB", -2048: "-2.0 KiB"}
	for n, want := range cases {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestRegularGridRefusesAbsurdBlockCounts(t *testing.T) {
	if _, err := RegularGrid([]int{1e15}, []int{1}); !errors.Is(err, ErrChunks) {
		t.Errorf("1e15 blocks accepted: %v", err)
	}
	if _, err := RegularGrid([]int{1e15}, []int{1e9}); err != nil {
		t.Errorf("1e6 blocks refused: %v", err)
	}
}
