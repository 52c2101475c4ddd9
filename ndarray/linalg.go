package ndarray

import (
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
)

// contract builds an OpContract node after checking the paired axes.
func contract(what string, a, b Array, aBatch, bBatch, aCon, bCon []int, splitEvery int) Array {
	if err := firstErr(a, b); err != nil {
		return fail(err)
	}
	as, bs := a.n.Shape(), b.n.Shape()
	role := func(rank int, batch, con []int) ([]int, error) {
		used := make([]bool, rank)
		for _, ax := range append(append([]int{}, batch...), con...) {
			if ax < 0 || ax >= rank || used[ax] {
				return nil, fmt.Errorf("ndarray: %s: bad or repeated axis %d for rank %d: %w", what, ax, rank, chunk.ErrIndex)
			}
			used[ax] = true
		}
		var free []int
		for i, u := range used {
			if !u {
				free = append(free, i)
			}
		}
		return free, nil
	}
	aFree, err := role(len(as), aBatch, aCon)
	if err != nil {
		return fail(err)
	}
	bFree, err := role(len(bs), bBatch, bCon)
	if err != nil {
		return fail(err)
	}
	if len(aBatch) != len(bBatch) || len(aCon) != len(bCon) {
		return fail(fmt.Errorf("ndarray: %s: unpaired axes: %w", what, chunk.ErrShape))
	}
	var shape []int
	var chunks [][]int
	for i := range aBatch {
		if as[aBatch[i]] != bs[bBatch[i]] {
			return fail(fmt.Errorf("ndarray: %s: batch axes of lengths %d and %d: %w", what, as[aBatch[i]], bs[bBatch[i]], chunk.ErrShape))
		}
		shape = append(shape, as[aBatch[i]])
		chunks = append(chunks, chunk.UnifyChunks(a.n.grid.AxisChunks(aBatch[i]), b.n.grid.AxisChunks(bBatch[i])))
	}
	for i := range aCon {
		if as[aCon[i]] != bs[bCon[i]] {
			return fail(fmt.Errorf("ndarray: %s: shapes %v and %v not aligned: %d (axis %d) != %d (axis %d): %w", what, as, bs, as[aCon[i]], aCon[i], bs[bCon[i]], bCon[i], chunk.ErrShape))
		}
	}
	for _, ax := range aFree {
		shape = append(shape, as[ax])
		chunks = append(chunks, a.n.grid.AxisChunks(ax))
	}
	for _, ax := range bFree {
		shape = append(shape, bs[ax])
		chunks = append(chunks, b.n.grid.AxisChunks(ax))
	}
	if shape == nil {
		shape, chunks = []int{}, [][]int{}
	}
	g, err := chunk.NewGrid(shape, chunks)
	if err != nil {
		return fail(fmt.Errorf("ndarray: %s: %w", what, err))
	}
	dt := chunk.Promote(a.n.dtype, b.n.dtype)
	op := &OpContract{ABatch: aBatch, BBatch: bBatch, AContract: aCon, BContract: bCon, AFree: aFree, BFree: bFree, SplitEvery: splitEvery}
	return wrap(newNode(op, dt, g, castNode(a.n, dt), castNode(b.n, dt)))
}

// Tensordot sums products over the paired axes aAxes of a and bAxes of b
// (numpy.tensordot). The result has a's remaining axes, then b's. Blocks
// are multiplied with BLAS and the partial products along the summed axes
// combined in a tree of fan-in DefaultSplitEvery.
func Tensordot(a, b Array, aAxes, bAxes []int) Array {
	if err := firstErr(a, b); err != nil {
		return fail(err)
	}
	norm := func(axes []int, rank int) ([]int, error) {
		out := make([]int, len(axes))
		for i, ax := range axes {
			v, err := normAxis(ax, rank, "tensordot")
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	ac, err := norm(aAxes, a.Rank())
	if err != nil {
		return fail(err)
	}
	bc, err := norm(bAxes, b.Rank())
	if err != nil {
		return fail(err)
	}
	return contract("tensordot", a, b, nil, nil, ac, bc, DefaultSplitEvery)
}

// Matmul is the matrix product with NumPy's matmul rules: 1-D operands are
// promoted to matrices and the added axis removed, leading axes are batch
// axes and broadcast.
func Matmul(a, b Array) Array {
	if err := firstErr(a, b); err != nil {
		return fail(err)
	}
	ra, rb := a.Rank(), b.Rank()
	if ra == 0 || rb == 0 {
		return fail(fmt.Errorf("ndarray: matmul: input operand does not have enough dimensions: %w", chunk.ErrShape))
	}
	if ra == 1 {
		a = a.ExpandDims(0)
	}
	if rb == 1 {
		b = b.ExpandDims(-1)
	}
	as, bs := a.Shape(), b.Shape()
	batch, err := BroadcastShapes(as[:len(as)-2], bs[:len(bs)-2])
	if err != nil {
		return fail(fmt.Errorf("ndarray: matmul: batch axes: %w", err))
	}
	nb := len(batch)
	a = a.BroadcastTo(append(append([]int{}, batch...), as[len(as)-2:]...)...)
	b = b.BroadcastTo(append(append([]int{}, batch...), bs[len(bs)-2:]...)...)
	bax := make([]int, nb)
	for i := range bax {
		bax[i] = i
	}
	out := contract("matmul", a, b, bax, bax, []int{nb + 1}, []int{nb}, DefaultSplitEvery)
	switch {
	case ra == 1 && rb == 1:
		out = out.Reshape(out.Shape()[:nb]...)
	case ra == 1:
		out = out.Squeeze(nb)
	case rb == 1:
		out = out.Squeeze(-1)
	}
	return out
}

// Dot is numpy.dot: a product for scalars, the inner product of vectors, the
// matrix product of matrices, and otherwise a sum over the last axis of a and
// the second-to-last of b (the last, when b is a vector).
func Dot(a, b Array) Array {
	if err := firstErr(a, b); err != nil {
		return fail(err)
	}
	ra, rb := a.Rank(), b.Rank()
	switch {
	case ra == 0 || rb == 0:
		return a.Mul(b)
	case rb == 1:
		return Tensordot(a, b, []int{-1}, []int{0})
	default:
		return Tensordot(a, b, []int{-1}, []int{-2})
	}
}
