package exprgen

import (
	"context"
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
)

// The labels of the functions MapBlocks expressions use.
const (
	// LabelTwice is out = 2*in0 + in1 + c elementwise, in the inputs'
	// dtype (wrapping for integers; for bool, in0 xor in1 xor c odd),
	// where c is a small number computed from the block's index and
	// region, so misplaced or mislabelled blocks show.
	LabelTwice = "twice_plus_block"
	// LabelBlockSum is a one-element output block per input block: the
	// float64 sum of the block's elements plus c.
	LabelBlockSum = "block_sum"
)

// Lipschitz gives the elementwise Lipschitz constants of the MapBlocks
// functions that have one, for eager.Options.
var Lipschitz = map[string]float64{LabelTwice: 3}

// blockConst is the block-dependent constant the functions add.
func blockConst(info ndarray.BlockInfo) int64 {
	var c int64
	for a, i := range info.Index {
		c += int64(i * (a + 2))
	}
	for _, s := range info.Region.Start {
		c += int64(s)
	}
	return c
}

// twicePlusBlock is the LabelTwice function.
func twicePlusBlock(_ context.Context, out *chunk.Dense, in []*chunk.Dense, info ndarray.BlockInfo) error {
	if len(in) == 0 || len(in) > 2 {
		return fmt.Errorf("%d inputs", len(in))
	}
	for _, d := range in {
		if !chunk.EqualInts(d.Shape(), out.Shape()) || d.DType() != out.DType() {
			return fmt.Errorf("input %v%v for output %v%v", d.DType(), d.Shape(), out.DType(), out.Shape())
		}
	}
	c := blockConst(info)
	var b *chunk.Dense
	if len(in) == 2 {
		b = in[1]
	}
	switch out.DType() {
	case chunk.Bool:
		o, a := chunk.Values[bool](out), chunk.Values[bool](in[0])
		for i := range o {
			v := a[i] != (c%2 != 0)
			if b != nil {
				v = v != chunk.Values[bool](b)[i]
			}
			o[i] = v
		}
	case chunk.Int8:
		twice[int8](out, in[0], b, int8(c))
	case chunk.Int16:
		twice[int16](out, in[0], b, int16(c))
	case chunk.Int32:
		twice[int32](out, in[0], b, int32(c))
	case chunk.Int64:
		twice[int64](out, in[0], b, c)
	case chunk.Uint8:
		twice[uint8](out, in[0], b, uint8(c))
	case chunk.Uint16:
		twice[uint16](out, in[0], b, uint16(c))
	case chunk.Uint32:
		twice[uint32](out, in[0], b, uint32(c))
	case chunk.Uint64:
		twice[uint64](out, in[0], b, uint64(c))
	case chunk.Float32:
		twice[float32](out, in[0], b, float32(c)+0.25)
	default:
		twice[float64](out, in[0], b, float64(c)+0.25)
	}
	return nil
}

// twice computes the LabelTwice function over elements of type T, in T's
// own (wrapping) arithmetic.
func twice[T chunk.Number](out, a, b *chunk.Dense, c T) {
	o, x := chunk.Values[T](out), chunk.Values[T](a)
	var y []T
	if b != nil {
		y = chunk.Values[T](b)
	}
	for i := range o {
		v := T(2*x[i]) + c
		if y != nil {
			v = T(v + y[i])
		}
		o[i] = v
	}
}

// blockSum is the LabelBlockSum function.
func blockSum(_ context.Context, out *chunk.Dense, in []*chunk.Dense, info ndarray.BlockInfo) error {
	if out.Len() != 1 || out.DType() != chunk.Float64 {
		return fmt.Errorf("output %v%v", out.DType(), out.Shape())
	}
	s := float64(blockConst(info))
	for k := 0; k < in[0].Len(); k++ {
		s += in[0].Float64(k)
	}
	out.SetFloat64(0, s)
	return nil
}

// mapBlocks builds a MapBlocks expression of the wanted shape with one of
// the two block functions.
func (b *builder) mapBlocks(shape []int, depth int) (Expr, bool) {
	g := b.g
	if g.rng.Intn(3) > 0 {
		x := b.build(shape, depth)
		arrs := []ndarray.Array{x.Array}
		desc := x.Desc
		if g.rng.Intn(2) == 0 {
			y := b.build(b.broadcastable(shape), depth)
			ya := y.Array.AsType(x.Array.DType())
			arrs = append(arrs, ya)
			desc += ", " + y.Desc + ".astype(" + x.Array.DType().String() + ")"
		}
		a := ndarray.MapBlocks(twicePlusBlock, LabelTwice, x.Array.DType(), nil, arrs...)
		return Expr{a, fmt.Sprintf("map_blocks(%s, %s)", LabelTwice, desc)}, true
	}
	// block_sum: the operand has exactly shape[a] blocks along axis a.
	cs := make([]int, len(shape))
	parts := make([][]int, len(shape))
	out := make([][]int, len(shape))
	for a, n := range shape {
		if n == 0 || n > 6 {
			return Expr{}, false
		}
		cs[a] = n * (1 + g.rng.Intn(3))
		parts[a] = g.partitionInto(cs[a], n)
		out[a] = make([]int, n)
		for i := range out[a] {
			out[a][i] = 1
		}
	}
	if !b.fits(cs) {
		return Expr{}, false
	}
	x := b.build(cs, depth)
	spec := chunk.Irregular(parts...)
	xa := x.Array.Rechunk(spec)
	a := ndarray.MapBlocks(blockSum, LabelBlockSum, chunk.Float64, out, xa)
	return Expr{a, fmt.Sprintf("map_blocks(%s, rechunk(%s, %s))", LabelBlockSum, x.Desc, spec)}, true
}
