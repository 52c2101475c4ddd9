// Package eager is a deliberately simple reference evaluator for ndarray
// expression graphs, used to check the engine: it computes a graph whole,
// in memory, node by node, with naive loops over multi-indices and NumPy's
// semantics written out in plain Go. It shares no arithmetic, casting,
// reduction or data movement code with package ops (only the random
// generator, which is the data source rather than something under test).
//
// Besides the values, EvalBounds returns for every element a bound on how
// far an engine that follows the documented semantics may be from the
// reference value: 0 where the result is exactly determined (integer
// arithmetic, movement, comparisons, correctly rounded float operations
// of exact inputs), a few ulps after a transcendental function, a
// summation-order bound after float reductions and contractions, and
// +Inf ("undetermined") where such rounding differences may flip a
// discrete outcome, such as a comparison of nearly equal values or an
// argmax between nearly equal candidates.
package eager

import (
	"context"
	"fmt"
	"math"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/ops"
)

// Options adjust EvalBounds.
type Options struct {
	// Lipschitz gives, by MapBlocks label, a bound on how far an output
	// element of the user function moves per unit move of the input
	// elements at the same position, for functions that map every input
	// block to an output block of the same shape elementwise. An
	// uncertain input to any other function makes its output block
	// undetermined.
	Lipschitz map[string]float64
}

// Result is a reference value with per-element bounds.
type Result struct {
	// Value is the reference array.
	Value *chunk.Dense
	// Err bounds |engine - Value| per element (row-major): 0 means the
	// engine must give exactly Value (bitwise, any NaN matching any NaN),
	// +Inf means the element is undetermined and must not be compared. A
	// NaN or infinite Value element has a bound of 0 or +Inf. Err is nil
	// when every bound is 0.
	Err []float64
}

// Eval computes the array of node n.
func Eval(n *ndarray.Node) (*chunk.Dense, error) {
	r, err := EvalBounds(n, Options{})
	if err != nil {
		return nil, err
	}
	return r.Value, nil
}

// EvalBounds computes the array of node n and the bounds of its elements.
func EvalBounds(n *ndarray.Node, opts Options) (*Result, error) {
	if n == nil {
		return nil, fmt.Errorf("eager: nil node")
	}
	ev := &evaluator{opts: opts, memo: map[*ndarray.Node]*val{}}
	v, err := ev.eval(n)
	if err != nil {
		return nil, err
	}
	return &Result{Value: v.dense(), Err: v.e}, nil
}

type evaluator struct {
	opts Options
	memo map[*ndarray.Node]*val
}

// eval returns the value of node n, computing its inputs first, once per
// node.
func (ev *evaluator) eval(n *ndarray.Node) (*val, error) {
	if v, ok := ev.memo[n]; ok {
		return v, nil
	}
	ins := make([]*val, len(n.Inputs()))
	for i, in := range n.Inputs() {
		v, err := ev.eval(in)
		if err != nil {
			return nil, err
		}
		ins[i] = v
	}
	v, err := ev.apply(n, ins)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n.Op().Name(), err)
	}
	if v.dt != n.DType() || !chunk.EqualInts(v.shape, n.Shape()) {
		return nil, fmt.Errorf("eager: %s gave %v%v, node is %v%v", n.Op().Name(), v.dt, v.shape, n.DType(), n.Shape())
	}
	ev.memo[n] = v
	return v, nil
}

// want checks the number of inputs of a node.
func want(ins []*val, k int) error {
	if len(ins) != k {
		return fmt.Errorf("eager: %d inputs, want %d", len(ins), k)
	}
	return nil
}

// apply computes node n from the values of its inputs.
func (ev *evaluator) apply(n *ndarray.Node, ins []*val) (*val, error) {
	dt, shape := n.DType(), n.Shape()
	switch op := n.Op().(type) {
	case *ndarray.OpDense:
		d := op.Data
		if d.DType() != dt || !chunk.EqualInts(d.Shape(), shape) {
			return nil, fmt.Errorf("eager: dense %v%v for node %v%v", d.DType(), d.Shape(), dt, shape)
		}
		return loadDense(d), nil
	case *ndarray.OpSource:
		d := chunk.NewDense(dt, shape)
		if err := op.Src.ReadRegion(context.Background(), chunk.WholeRegion(shape), d.Bytes()); err != nil {
			return nil, err
		}
		return loadDense(d), nil
	case *ndarray.OpRandom:
		d := chunk.NewDense(dt, shape)
		ops.FillRandom(d.Bytes(), dt, op.Dist, op.Seed, shape, chunk.WholeRegion(shape))
		return loadDense(d), nil
	case *ndarray.OpConst:
		v := newVal(dt, shape)
		raw, err := chunk.WrapBytes(dt, nil, op.Raw)
		if err != nil {
			return nil, err
		}
		one := loadDense(raw)
		for k := 0; k < v.size(); k++ {
			v.copyElem(k, one, 0)
		}
		return v, nil
	case *ndarray.OpLinear:
		return evalLinear(op, dt, shape), nil
	case *ndarray.OpUnary:
		if err := want(ins, 1); err != nil {
			return nil, err
		}
		return evalUnary(op.Fn, ins[0], dt)
	case *ndarray.OpBinary:
		if err := want(ins, 2); err != nil {
			return nil, err
		}
		return evalBinary(op.Fn, ins[0], ins[1], dt)
	case *ndarray.OpWhere:
		if err := want(ins, 3); err != nil {
			return nil, err
		}
		return evalWhere(ins[0], ins[1], ins[2])
	case *ndarray.OpCast:
		if err := want(ins, 1); err != nil {
			return nil, err
		}
		return castVal(ins[0], dt), nil
	case *ndarray.OpBroadcast:
		if err := want(ins, 1); err != nil {
			return nil, err
		}
		return evalBroadcast(ins[0], shape)
	case *ndarray.OpTranspose:
		if err := want(ins, 1); err != nil {
			return nil, err
		}
		return evalTranspose(op, ins[0])
	case *ndarray.OpSlice:
		if err := want(ins, 1); err != nil {
			return nil, err
		}
		return evalSlice(op, ins[0])
	case *ndarray.OpReshape:
		if err := want(ins, 1); err != nil {
			return nil, err
		}
		return evalReshape(ins[0], shape)
	case *ndarray.OpConcat:
		return evalConcat(op.Axis, ins, shape, dt)
	case *ndarray.OpRechunk:
		if err := want(ins, 1); err != nil {
			return nil, err
		}
		return ins[0], nil
	case *ndarray.OpReduce:
		if err := want(ins, 1); err != nil {
			return nil, err
		}
		return evalReduce(op, ins[0], dt, shape)
	case *ndarray.OpScan:
		if err := want(ins, 1); err != nil {
			return nil, err
		}
		return evalScan(op, ins[0])
	case *ndarray.OpContract:
		if err := want(ins, 2); err != nil {
			return nil, err
		}
		return evalContract(op, ins[0], ins[1], shape)
	case *ndarray.OpMapBlocks:
		return ev.evalMapBlocks(op, n, ins)
	}
	return nil, fmt.Errorf("eager: unknown op %T", n.Op())
}

// evalLinear computes arange and linspace: IntStart + IntStep*i in int64
// (wrapping) for exact integer ranges, otherwise Start + Step*i in float64
// (one rounding for the product and one for the sum, as NumPy's
// i*step + start), converted to dtype (truncated for integers; values out
// of an integer dtype's range are undetermined, see constRepresentable);
// the last element replaced by Last when HasLast.
func evalLinear(op *ndarray.OpLinear, dt chunk.DType, shape []int) *val {
	v := newVal(dt, shape)
	n := v.size()
	src := newVal(chunk.Float64, []int{n})
	isrc := newVal(chunk.Int64, []int{n})
	for i := 0; i < n; i++ {
		switch {
		case op.HasLast && i == n-1:
			src.f[i] = op.Last
			castElem(v, src, i)
		case op.Int:
			isrc.i[i] = op.IntStart + op.IntStep*int64(i)
			castElem(v, isrc, i)
		default:
			p := float64(op.Step * float64(i)) // explicit conversion: no fused multiply-add
			src.f[i] = p + op.Start
			castElem(v, src, i)
		}
		if !op.Int || op.HasLast && i == n-1 {
			if !constRepresentable(dt, src.f[i]) {
				v.setErr(i, math.Inf(1))
			}
		}
	}
	return v
}

// constRepresentable reports whether the float x converts to the integer
// dtype dt in a defined way (truncated, within range). Constants and
// ranges are converted with Go's conversions (chunk.StoreFloat64), whose
// result for NaN, infinities and out-of-range values the Go specification
// leaves to the implementation, so eager does not predict them. (Such
// values reach constants when ndarray folds an untyped integer scalar
// that does not fit the array's dtype, such as Int(-1) with uint64, or
// one beyond 2^53, which float64 cannot hold.)
func constRepresentable(dt chunk.DType, x float64) bool {
	if !dt.IsInteger() {
		return true
	}
	t := math.Trunc(x)
	if math.IsNaN(t) {
		return false
	}
	switch dt {
	case chunk.Int8:
		return t >= math.MinInt8 && t <= math.MaxInt8
	case chunk.Int16:
		return t >= math.MinInt16 && t <= math.MaxInt16
	case chunk.Int32:
		return t >= math.MinInt32 && t <= math.MaxInt32
	case chunk.Int64:
		return t >= -0x1p63 && t < 0x1p63
	case chunk.Uint8:
		return t >= 0 && t <= math.MaxUint8
	case chunk.Uint16:
		return t >= 0 && t <= math.MaxUint16
	case chunk.Uint32:
		return t >= 0 && t <= math.MaxUint32
	}
	return t >= 0 && t < 0x1p64
}

// evalMapBlocks calls the user function on every block: the inputs are cut
// along op.InGrid and output block k (of the node's grid) is computed from
// input block k of each input.
func (ev *evaluator) evalMapBlocks(op *ndarray.OpMapBlocks, n *ndarray.Node, ins []*val) (*val, error) {
	if len(ins) == 0 {
		return nil, fmt.Errorf("eager: map_blocks without inputs")
	}
	g, ig := n.Grid(), op.InGrid
	for _, in := range ins {
		if !chunk.EqualInts(in.shape, ig.Shape()) {
			return nil, fmt.Errorf("eager: map_blocks input of shape %v for input grid %v", in.shape, ig.Shape())
		}
	}
	if g.Len() != ig.Len() {
		return nil, fmt.Errorf("eager: map_blocks of %d output blocks from %d input blocks", g.Len(), ig.Len())
	}
	dt := n.DType()
	res := newVal(dt, g.Shape())
	dense := make([]*chunk.Dense, len(ins))
	L, lipschitz := ev.opts.Lipschitz[op.Label]
	for f := 0; f < g.Len(); f++ {
		idx := g.BlockIndex(f)
		ireg := ig.BlockRegion(idx)
		oreg := g.BlockRegion(idx)
		var uncertain float64
		for i, in := range ins {
			sub := extract(in, ireg)
			dense[i] = sub.dense()
			for k := 0; k < sub.size(); k++ {
				uncertain = max(uncertain, sub.err(k))
			}
		}
		out := chunk.NewDense(dt, oreg.Shape)
		// Unspecified contents: fill with a pattern so a function that
		// leaves elements unwritten is noticed.
		for k := range out.Bytes() {
			out.Bytes()[k] = 0xA5
		}
		info := ndarray.BlockInfo{Index: append([]int{}, idx...), Region: oreg.Clone()}
		if err := op.Fn(context.Background(), out, dense, info); err != nil {
			return nil, fmt.Errorf("block %v: %w", idx, err)
		}
		ov := loadDense(out)
		if uncertain > 0 {
			elementwise := lipschitz && chunk.EqualInts(ireg.Shape, oreg.Shape) && dt.IsFloat()
			for k := 0; k < ov.size(); k++ {
				switch {
				case !elementwise || math.IsInf(uncertain, 1):
					ov.setErr(k, math.Inf(1))
				default:
					e := 0.0
					for _, in := range ins {
						e = max(e, extractErr(in, ireg, k))
					}
					if e > 0 {
						ov.setErr(k, finishBound(dt, ov.f[k], []float64{ov.f[k] - L*e, ov.f[k] + L*e}, 0))
					}
				}
			}
		}
		place(res, ov, oreg)
	}
	return res, nil
}

// extract copies region r of v into a new val.
func extract(v *val, r chunk.Region) *val {
	idx := make([]int, len(r.Shape))
	return gather(v, r.Shape, func(local []int) int {
		for a := range local {
			idx[a] = r.Start[a] + local[a]
		}
		return flat(idx, v.shape)
	})
}

// extractErr returns the bound of element k (flat, within region r) of v.
func extractErr(v *val, r chunk.Region, k int) float64 {
	if v.e == nil {
		return 0
	}
	local := make([]int, len(r.Shape))
	unflatten(k, r.Shape, local)
	for a := range local {
		local[a] += r.Start[a]
	}
	return v.e[flat(local, v.shape)]
}

// place copies blk into region r of dst.
func place(dst, blk *val, r chunk.Region) {
	local := make([]int, len(r.Shape))
	idx := make([]int, len(r.Shape))
	for k := 0; k < blk.size(); k++ {
		unflatten(k, r.Shape, local)
		for a := range local {
			idx[a] = r.Start[a] + local[a]
		}
		dst.copyElem(flat(idx, dst.shape), blk, k)
	}
}
