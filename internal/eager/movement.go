package eager

import (
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
)

// gather builds a val of the given shape whose element at each multi-index
// is element src(idx) of in (same dtype); src returns a flat index of in.
func gather(in *val, shape []int, src func(idx []int) int) *val {
	res := newVal(in.dt, shape)
	idx := make([]int, len(shape))
	n := res.size()
	for f := 0; f < n; f++ {
		unflatten(f, shape, idx)
		res.copyElem(f, in, src(idx))
	}
	return res
}

// flat returns the row-major flat index of idx in shape.
func flat(idx, shape []int) int {
	f := 0
	for a, i := range idx {
		f = f*shape[a] + i
	}
	return f
}

// evalBroadcast stretches in to shape with NumPy's rules.
func evalBroadcast(in *val, shape []int) (*val, error) {
	off := len(shape) - len(in.shape)
	if off < 0 {
		return nil, fmt.Errorf("eager: broadcast %v to %v", in.shape, shape)
	}
	for a, n := range in.shape {
		if n != 1 && n != shape[off+a] {
			return nil, fmt.Errorf("eager: broadcast %v to %v", in.shape, shape)
		}
	}
	inIdx := make([]int, len(in.shape))
	return gather(in, shape, func(idx []int) int {
		for a, n := range in.shape {
			if n == 1 {
				inIdx[a] = 0
			} else {
				inIdx[a] = idx[off+a]
			}
		}
		return flat(inIdx, in.shape)
	}), nil
}

// evalTranspose permutes axes: axis i of the result is axis perm[i] of in.
func evalTranspose(op *ndarray.OpTranspose, in *val) (*val, error) {
	if len(op.Perm) != len(in.shape) {
		return nil, fmt.Errorf("eager: transpose %v of rank %d", op.Perm, len(in.shape))
	}
	shape := make([]int, len(op.Perm))
	for i, p := range op.Perm {
		shape[i] = in.shape[p]
	}
	inIdx := make([]int, len(in.shape))
	return gather(in, shape, func(idx []int) int {
		for i, p := range op.Perm {
			inIdx[p] = idx[i]
		}
		return flat(inIdx, in.shape)
	}), nil
}

// evalSlice selects Count[a] positions Start[a] + j*Step[a] on each input
// axis a and drops the axes marked Drop.
func evalSlice(op *ndarray.OpSlice, in *val) (*val, error) {
	r := len(in.shape)
	if len(op.Start) != r || len(op.Step) != r || len(op.Count) != r || len(op.Drop) != r {
		return nil, fmt.Errorf("eager: slice %+v of rank %d", op, r)
	}
	var shape []int
	for a := 0; a < r; a++ {
		c := op.Count[a]
		if c > 0 {
			first, last := op.Start[a], op.Start[a]+(c-1)*op.Step[a]
			if first < 0 || first >= in.shape[a] || last < 0 || last >= in.shape[a] {
				return nil, fmt.Errorf("eager: slice %+v out of range of shape %v", op, in.shape)
			}
		}
		if op.Drop[a] {
			if c != 1 {
				return nil, fmt.Errorf("eager: slice drops axis %d of count %d", a, c)
			}
			continue
		}
		shape = append(shape, c)
	}
	inIdx := make([]int, r)
	return gather(in, shape, func(idx []int) int {
		j := 0
		for a := 0; a < r; a++ {
			pos := 0
			if !op.Drop[a] {
				pos = idx[j]
				j++
			}
			inIdx[a] = op.Start[a] + pos*op.Step[a]
		}
		return flat(inIdx, in.shape)
	}), nil
}

// evalReshape gives in's elements, in row-major order, a new shape.
func evalReshape(in *val, shape []int) (*val, error) {
	if chunk.Size(shape) != in.size() {
		return nil, fmt.Errorf("eager: reshape %v to %v", in.shape, shape)
	}
	res := newVal(in.dt, shape)
	for f := 0; f < in.size(); f++ {
		res.copyElem(f, in, f)
	}
	return res, nil
}

// evalConcat joins ins (all of the result dtype) along axis.
func evalConcat(axis int, ins []*val, shape []int, dt chunk.DType) (*val, error) {
	res := newVal(dt, shape)
	starts := make([]int, len(ins)+1)
	for i, in := range ins {
		if in.dt != dt || len(in.shape) != len(shape) {
			return nil, fmt.Errorf("eager: concatenate %v%v into %v%v", in.dt, in.shape, dt, shape)
		}
		for a := range shape {
			if a != axis && in.shape[a] != shape[a] {
				return nil, fmt.Errorf("eager: concatenate %v into %v along %d", in.shape, shape, axis)
			}
		}
		starts[i+1] = starts[i] + in.shape[axis]
	}
	if starts[len(ins)] != shape[axis] {
		return nil, fmt.Errorf("eager: concatenate lengths sum to %d, not %d", starts[len(ins)], shape[axis])
	}
	idx := make([]int, len(shape))
	for f := 0; f < res.size(); f++ {
		unflatten(f, shape, idx)
		i := 0
		for idx[axis] >= starts[i+1] {
			i++
		}
		idx[axis] -= starts[i]
		res.copyElem(f, ins[i], flat(idx, ins[i].shape))
	}
	return res, nil
}
