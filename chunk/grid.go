package chunk

import (
	"fmt"
	"sort"
	"strings"
)

// Grid divides an array of a given shape into blocks. Chunks[i] lists the
// block lengths along axis i, which sum to Shape[i]; a zero-length axis has
// the single chunk length 0, as in Dask. A Grid is immutable once built.
type Grid struct {
	shape   []int
	chunks  [][]int
	offsets [][]int // offsets[i][k] is the start of block k on axis i; len = nblocks+1
}

// NewGrid builds a grid from explicit per-axis chunk lengths (Dask's
// normalized chunks, e.g. [][]int{{1, 4, 4}, {3, 3, 6}}).
func NewGrid(shape []int, chunks [][]int) (Grid, error) {
	if err := CheckShape(shape); err != nil {
		return Grid{}, err
	}
	if len(chunks) != len(shape) {
		return Grid{}, fmt.Errorf("chunk: %d chunk tuples for shape %v of rank %d: %w", len(chunks), shape, len(shape), ErrChunks)
	}
	g := Grid{shape: append([]int(nil), shape...), chunks: make([][]int, len(shape)), offsets: make([][]int, len(shape))}
	for i, cs := range chunks {
		if len(cs) == 0 {
			return Grid{}, fmt.Errorf("chunk: axis %d has no chunks: %w", i, ErrChunks)
		}
		off := make([]int, len(cs)+1)
		for k, c := range cs {
			if c < 0 || (c == 0 && !(shape[i] == 0 && len(cs) == 1)) {
				return Grid{}, fmt.Errorf("chunk: axis %d chunk %d has length %d: %w", i, k, c, ErrChunks)
			}
			off[k+1] = off[k] + c
		}
		if off[len(cs)] != shape[i] {
			return Grid{}, fmt.Errorf("chunk: chunks %v on axis %d sum to %d, not the axis length %d: %w", cs, i, off[len(cs)], shape[i], ErrChunks)
		}
		g.chunks[i] = append([]int(nil), cs...)
		g.offsets[i] = off
	}
	return g, nil
}

// MaxBlocks bounds the number of blocks of a grid: past it every plan
// would be tasks of no work and the grid itself would not fit in memory.
const MaxBlocks = 1 << 24

// RegularGrid builds a grid with one block length per axis, the last block
// on each axis ragged. A size of Whole (-1) makes one block of the whole
// axis; a size larger than the axis is clipped to it.
func RegularGrid(shape []int, sizes []int) (Grid, error) {
	if len(sizes) != len(shape) {
		return Grid{}, fmt.Errorf("chunk: %d chunk sizes for shape %v of rank %d: %w", len(sizes), shape, len(shape), ErrChunks)
	}
	// Refuse absurd grids before allocating their chunk lists: a 1e15-long
	// axis in chunks of 1 would exhaust memory just describing it.
	total := 1.0
	for i, n := range shape {
		s := sizes[i]
		if s == Whole || s > n || s <= 0 {
			continue
		}
		total *= float64((n + s - 1) / s)
	}
	if total > MaxBlocks {
		return Grid{}, fmt.Errorf("chunk: %v in chunks %v makes %.3g blocks, more than %d: use larger chunks: %w", shape, sizes, total, MaxBlocks, ErrChunks)
	}
	chunks := make([][]int, len(shape))
	for i, n := range shape {
		c, err := RegularChunks(n, sizes[i])
		if err != nil {
			return Grid{}, fmt.Errorf("chunk: axis %d: %w", i, err)
		}
		chunks[i] = c
	}
	return NewGrid(shape, chunks)
}

// RegularChunks splits an axis of length n into blocks of length size (the
// last one ragged). size Whole (-1) gives one block.
func RegularChunks(n, size int) ([]int, error) {
	if n < 0 {
		return nil, fmt.Errorf("chunk: negative axis length %d: %w", n, ErrShape)
	}
	if size == Whole || size > n {
		size = n
	}
	if n == 0 {
		return []int{0}, nil
	}
	if size <= 0 {
		return nil, fmt.Errorf("chunk: chunk length %d: %w", size, ErrChunks)
	}
	out := make([]int, 0, (n+size-1)/size)
	for s := 0; s < n; s += size {
		out = append(out, min(size, n-s))
	}
	return out, nil
}

// Shape returns the array shape (do not modify).
func (g Grid) Shape() []int { return g.shape }

// Rank returns the number of axes.
func (g Grid) Rank() int { return len(g.shape) }

// Chunks returns the per-axis block lengths (do not modify).
func (g Grid) Chunks() [][]int { return g.chunks }

// AxisChunks returns the block lengths along axis i (do not modify).
func (g Grid) AxisChunks(i int) []int { return g.chunks[i] }

// AxisOffsets returns the block starts along axis i followed by the axis
// length (do not modify).
func (g Grid) AxisOffsets(i int) []int { return g.offsets[i] }

// NumBlocks returns the number of blocks along each axis.
func (g Grid) NumBlocks() []int {
	nb := make([]int, len(g.chunks))
	for i, c := range g.chunks {
		nb[i] = len(c)
	}
	return nb
}

// Len returns the total number of blocks.
func (g Grid) Len() int {
	n := 1
	for _, c := range g.chunks {
		n *= len(c)
	}
	return n
}

// BlockIndex converts a flat block number (row-major over the block grid)
// into a per-axis block index.
func (g Grid) BlockIndex(flat int) []int {
	idx := make([]int, len(g.chunks))
	for i := len(g.chunks) - 1; i >= 0; i-- {
		n := len(g.chunks[i])
		idx[i] = flat % n
		flat /= n
	}
	return idx
}

// FlatIndex converts a per-axis block index into its flat block number.
func (g Grid) FlatIndex(idx []int) int {
	f := 0
	for i, c := range g.chunks {
		f = f*len(c) + idx[i]
	}
	return f
}

// BlockRegion returns the region of the block with the given per-axis index.
func (g Grid) BlockRegion(idx []int) Region {
	r := Region{Start: make([]int, len(idx)), Shape: make([]int, len(idx))}
	for i, k := range idx {
		r.Start[i] = g.offsets[i][k]
		r.Shape[i] = g.chunks[i][k]
	}
	return r
}

// BlockShape returns the shape of the block with the given per-axis index.
func (g Grid) BlockShape(idx []int) []int {
	s := make([]int, len(idx))
	for i, k := range idx {
		s[i] = g.chunks[i][k]
	}
	return s
}

// MaxBlockShape returns, per axis, the largest block length.
func (g Grid) MaxBlockShape() []int {
	s := make([]int, len(g.chunks))
	for i, cs := range g.chunks {
		for _, c := range cs {
			s[i] = max(s[i], c)
		}
	}
	return s
}

// MaxBlockSize returns the element count of the largest block.
func (g Grid) MaxBlockSize() int { return Size(g.MaxBlockShape()) }

// AxisBlock returns the block number along axis i holding element pos.
func (g Grid) AxisBlock(i, pos int) int {
	off := g.offsets[i]
	// first offset > pos, minus one
	k := sort.SearchInts(off, pos+1) - 1
	if k >= len(g.chunks[i]) {
		k = len(g.chunks[i]) - 1
	}
	if k < 0 {
		k = 0
	}
	return k
}

// Overlapping returns, per axis, the half-open range [lo, hi) of block
// numbers whose blocks intersect r. An empty region overlaps no block.
func (g Grid) Overlapping(r Region) (lo, hi []int) {
	lo = make([]int, len(g.chunks))
	hi = make([]int, len(g.chunks))
	for i := range g.chunks {
		if r.Shape[i] == 0 {
			lo[i], hi[i] = 0, 0
			continue
		}
		lo[i] = g.AxisBlock(i, r.Start[i])
		hi[i] = g.AxisBlock(i, r.Start[i]+r.Shape[i]-1) + 1
	}
	return lo, hi
}

// Equal reports whether g and h have the same shape and chunks.
func (g Grid) Equal(h Grid) bool {
	if !EqualInts(g.shape, h.shape) {
		return false
	}
	for i := range g.chunks {
		if !EqualInts(g.chunks[i], h.chunks[i]) {
			return false
		}
	}
	return true
}

// String formats the grid like Dask's chunks, e.g. "((2, 2, 1), (3,))".
func (g Grid) String() string {
	var b strings.Builder
	b.WriteByte('(')
	for i, cs := range g.chunks {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for k, c := range cs {
			if k > 0 {
				b.WriteString(", ")
			}
			fmt.Fprint(&b, c)
		}
		if len(cs) == 1 {
			b.WriteByte(',')
		}
		b.WriteByte(')')
	}
	if len(g.chunks) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
	return b.String()
}

// Summary formats the grid compactly: the regular block shape when every
// axis is regular ("2000x2000"), else the number of blocks per axis.
func (g Grid) Summary() string {
	parts := make([]string, len(g.chunks))
	for i, cs := range g.chunks {
		regular := true
		for k := 1; k < len(cs); k++ {
			if (k < len(cs)-1 && cs[k] != cs[0]) || cs[k] > cs[0] {
				regular = false
			}
		}
		if regular {
			parts[i] = fmt.Sprint(cs[0])
		} else {
			parts[i] = fmt.Sprintf("%d blocks", len(cs))
		}
	}
	if len(parts) == 0 {
		return "()"
	}
	return strings.Join(parts, "x")
}

// Transpose returns the grid with its axes permuted: axis i of the result
// is axis perm[i] of g.
func (g Grid) Transpose(perm []int) Grid {
	out := Grid{shape: make([]int, len(perm)), chunks: make([][]int, len(perm)), offsets: make([][]int, len(perm))}
	for i, p := range perm {
		out.shape[i] = g.shape[p]
		out.chunks[i] = g.chunks[p]
		out.offsets[i] = g.offsets[p]
	}
	return out
}

// UnifyChunks returns the common refinement of chunk tuples that describe
// the same axis length: every boundary of every input is a boundary of the
// result (Dask's unify_chunks). Inputs of length 1 that are being broadcast
// must be left out by the caller.
func UnifyChunks(axes ...[]int) []int {
	if len(axes) == 0 {
		return nil
	}
	if len(axes) == 1 {
		return append([]int(nil), axes[0]...)
	}
	bounds := map[int]bool{}
	total := 0
	for _, cs := range axes {
		pos := 0
		for _, c := range cs {
			pos += c
			bounds[pos] = true
		}
		total = pos
	}
	if total == 0 {
		return []int{0}
	}
	pts := make([]int, 0, len(bounds))
	for p := range bounds {
		if p > 0 {
			pts = append(pts, p)
		}
	}
	sort.Ints(pts)
	out := make([]int, len(pts))
	prev := 0
	for i, p := range pts {
		out[i] = p - prev
		prev = p
	}
	return out
}
