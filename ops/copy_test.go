package ops

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
)

var cpTestElemSizes = []int{1, 2, 4, 8}

// cpTestBuf returns n random bytes, 8-byte aligned like every buffer the
// engine receives.
func cpTestBuf(rng *rand.Rand, n int) []byte {
	words := make([]uint64, (n+7)/8)
	for i := range words {
		words[i] = rng.Uint64()
	}
	return chunk.AsBytes(words)[:n:n]
}

// cpTestShape returns a random shape of the given rank with lengths 0..maxLen
// (0 only now and then, so that most cases move something).
func cpTestShape(rng *rand.Rand, rank, maxLen int) []int {
	s := make([]int, rank)
	for i := range s {
		s[i] = 1 + rng.IntN(maxLen)
		if rng.IntN(12) == 0 {
			s[i] = 0
		}
	}
	return s
}

// cpTestFlat is the row-major flat index of idx in shape.
func cpTestFlat(idx, shape []int) int {
	f := 0
	for i := range shape {
		f = f*shape[i] + idx[i]
	}
	return f
}

// cpTestEach calls fn with every index of shape in row-major order.
func cpTestEach(shape []int, fn func(idx []int)) {
	if chunk.Size(shape) == 0 {
		return
	}
	idx := make([]int, len(shape))
	for {
		fn(idx)
		i := len(shape) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < shape[i] {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return
		}
	}
}

// cpTestMove copies element s of src to element d of dst.
func cpTestMove(dst, src []byte, d, s, es int) {
	copy(dst[d*es:(d+1)*es], src[s*es:(s+1)*es])
}

func TestCopyRegionRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 3000 {
		rank := iter % 6
		es := cpTestElemSizes[rng.IntN(4)]
		shape := cpTestShape(rng, rank, 6)
		srcShape, dstShape := make([]int, rank), make([]int, rank)
		srcStart, dstStart := make([]int, rank), make([]int, rank)
		for i := range rank {
			// Sometimes the full axis, so that axes merge.
			srcShape[i] = shape[i] + rng.IntN(3)*rng.IntN(2)
			dstShape[i] = shape[i] + rng.IntN(3)*rng.IntN(2)
			srcStart[i] = rng.IntN(srcShape[i] - shape[i] + 1)
			dstStart[i] = rng.IntN(dstShape[i] - shape[i] + 1)
		}
		src := cpTestBuf(rng, chunk.Size(srcShape)*es)
		got := cpTestBuf(rng, chunk.Size(dstShape)*es)
		want := bytes.Clone(got)
		CopyRegion(got, dstShape, dstStart, src, srcShape, srcStart, shape, es)
		s, d := make([]int, rank), make([]int, rank)
		cpTestEach(shape, func(idx []int) {
			for i := range idx {
				s[i], d[i] = srcStart[i]+idx[i], dstStart[i]+idx[i]
			}
			cpTestMove(want, src, cpTestFlat(d, dstShape), cpTestFlat(s, srcShape), es)
		})
		if !bytes.Equal(got, want) {
			t.Fatalf("CopyRegion(shape %v, src %v at %v, dst %v at %v, es %d) differs from the reference", shape, srcShape, srcStart, dstShape, dstStart, es)
		}
	}
}

// cpTestTranspose is the index-by-index reference for Transpose.
func cpTestTranspose(src []byte, srcShape, perm []int, es int) []byte {
	dstShape := make([]int, len(perm))
	for i, p := range perm {
		dstShape[i] = srcShape[p]
	}
	out := make([]byte, len(src))
	s := make([]int, len(perm))
	cpTestEach(dstShape, func(idx []int) {
		for i, p := range perm {
			s[p] = idx[i]
		}
		cpTestMove(out, src, cpTestFlat(idx, dstShape), cpTestFlat(s, srcShape), es)
	})
	return out
}

func TestTransposeRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for iter := range 3000 {
		rank := iter % 6
		es := cpTestElemSizes[rng.IntN(4)]
		shape := cpTestShape(rng, rank, 7)
		perm := rng.Perm(rank)
		src := cpTestBuf(rng, chunk.Size(shape)*es)
		got := cpTestBuf(rng, len(src))
		Transpose(got, src, shape, perm, es)
		if want := cpTestTranspose(src, shape, perm, es); !bytes.Equal(got, want) {
			t.Fatalf("Transpose(%v, perm %v, es %d) differs from the reference", shape, perm, es)
		}
	}
}

// TestTransposeAllPerms3 covers every permutation of rank 3 with axes long
// enough for the tiled path (more than one tile, ragged edges) and short
// ones.
func TestTransposeAllPerms3(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	perms := [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
	shapes := [][]int{{5, 37, 70}, {70, 3, 41}, {2, 1, 33}, {33, 65, 1}, {4, 4, 4}, {0, 5, 6}, {2, 131, 270}}
	for _, shape := range shapes {
		for _, perm := range perms {
			for _, es := range cpTestElemSizes {
				src := cpTestBuf(rng, chunk.Size(shape)*es)
				got := cpTestBuf(rng, len(src))
				Transpose(got, src, shape, perm, es)
				if want := cpTestTranspose(src, shape, perm, es); !bytes.Equal(got, want) {
					t.Errorf("Transpose(%v, perm %v, es %d) differs from the reference", shape, perm, es)
				}
			}
		}
	}
}

// TestTransposeValues pins a small case: np.arange(6).reshape(2, 3).T.
func TestTransposeValues(t *testing.T) {
	src := []int64{0, 1, 2, 3, 4, 5}
	got := make([]int64, 6)
	Transpose(chunk.AsBytes(got), chunk.AsBytes(src), []int{2, 3}, []int{1, 0}, 8)
	// from numpy 1.24.2: np.arange(6).reshape(2, 3).T.ravel()
	want := []int64{0, 3, 1, 4, 2, 5}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestBroadcastToRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for iter := range 3000 {
		rank := iter % 6
		es := cpTestElemSizes[rng.IntN(4)]
		dstShape := cpTestShape(rng, rank, 6)
		srcShape := make([]int, rank)
		for i := range rank {
			srcShape[i] = dstShape[i]
			if rng.IntN(2) == 0 {
				srcShape[i] = 1
			}
		}
		src := cpTestBuf(rng, chunk.Size(srcShape)*es)
		got := cpTestBuf(rng, chunk.Size(dstShape)*es)
		BroadcastTo(got, dstShape, src, srcShape, es)
		want := make([]byte, len(got))
		s := make([]int, rank)
		cpTestEach(dstShape, func(idx []int) {
			for i := range idx {
				s[i] = idx[i]
				if srcShape[i] == 1 {
					s[i] = 0
				}
			}
			cpTestMove(want, src, cpTestFlat(idx, dstShape), cpTestFlat(s, srcShape), es)
		})
		if !bytes.Equal(got, want) {
			t.Fatalf("BroadcastTo(%v from %v, es %d) differs from the reference", dstShape, srcShape, es)
		}
	}
}

func TestCopyStridedRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for iter := range 3000 {
		rank := iter % 6
		es := cpTestElemSizes[rng.IntN(4)]
		srcShape := cpTestShape(rng, rank, 8)
		start, step, count := make([]int, rank), make([]int, rank), make([]int, rank)
		for i := range rank {
			step[i] = 1 + rng.IntN(3)
			if rng.IntN(2) == 0 {
				step[i] = -step[i]
			}
			if srcShape[i] == 0 {
				continue // count 0: nothing is read on this axis
			}
			start[i] = rng.IntN(srcShape[i])
			// Elements available from start in the step's direction.
			avail := (srcShape[i]-1-start[i])/step[i] + 1
			if step[i] < 0 {
				avail = start[i]/(-step[i]) + 1
			}
			count[i] = rng.IntN(avail + 1)
		}
		src := cpTestBuf(rng, chunk.Size(srcShape)*es)
		got := cpTestBuf(rng, chunk.Size(count)*es)
		CopyStrided(got, src, srcShape, start, step, count, es)
		want := make([]byte, len(got))
		s := make([]int, rank)
		cpTestEach(count, func(idx []int) {
			for i := range idx {
				s[i] = start[i] + step[i]*idx[i]
			}
			cpTestMove(want, src, cpTestFlat(idx, count), cpTestFlat(s, srcShape), es)
		})
		if !bytes.Equal(got, want) {
			t.Fatalf("CopyStrided(%v, start %v step %v count %v, es %d) differs from the reference", srcShape, start, step, count, es)
		}
	}
}

// TestCopyStridedValues pins NumPy basic slicing with negative steps.
func TestCopyStridedValues(t *testing.T) {
	src := make([]int32, 24)
	for i := range src {
		src[i] = int32(i)
	}
	got := make([]int32, 6)
	// a[3:0:-2, ::-1][:, 1:] of shape (2, 3) -> start (3, 2), step (-2, -1), count (2, 3)
	CopyStrided(chunk.AsBytes(got), chunk.AsBytes(src), []int{4, 6}, []int{3, 4}, []int{-2, -1}, []int{2, 3}, 4)
	// from numpy 1.24.2: np.arange(24).reshape(4, 6)[3:0:-2, 4::-1][:, :3].ravel()
	want := []int32{22, 21, 20, 10, 9, 8}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestCopyPanics(t *testing.T) {
	buf := make([]byte, 48)
	cases := map[string]func(){
		"region out of bounds": func() {
			CopyRegion(buf, []int{2, 3}, []int{1, 0}, buf, []int{2, 3}, []int{0, 0}, []int{2, 3}, 8)
		},
		"region rank": func() {
			CopyRegion(buf, []int{6}, []int{0}, buf, []int{2, 3}, []int{0, 0}, []int{2, 3}, 8)
		},
		"transpose perm":  func() { Transpose(buf, buf[:48], []int{2, 3}, []int{0, 0}, 8) },
		"broadcast shape": func() { BroadcastTo(buf, []int{2, 3}, buf[:16], []int{2, 1, 1}, 8) },
		"broadcast axis":  func() { BroadcastTo(buf, []int{2, 3}, buf[:32], []int{2, 2}, 8) },
		"strided step 0":  func() { CopyStrided(buf[:8], buf, []int{6}, []int{0}, []int{0}, []int{1}, 8) },
		"strided bounds":  func() { CopyStrided(buf[:24], buf, []int{6}, []int{4}, []int{1}, []int{3}, 8) },
		"element size":    func() { BroadcastTo(buf, []int{16}, buf[:3], []int{1}, 3) },
		"buffer length":   func() { BroadcastTo(buf[:40], []int{6}, buf[:8], []int{1}, 8) },
	}
	for name, f := range cases {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
