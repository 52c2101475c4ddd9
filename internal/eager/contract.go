package eager

import (
	"fmt"
	"math"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
)

// evalContract computes a tensor contraction with naive loops: for every
// output element (batch, A's free, B's free axes) the sum over the
// contracted axes of A times B.
//
// Integers wrap, bools give the logical or of ands (as NumPy's bool
// matmul). Float products are summed in double-double; the bound allows
// the engine any order of the K products' sum in the dtype: gamma(K, u) *
// sum|a*b| with u the dtype's unit roundoff, plus the inputs' bounds. A
// product of zero and an infinity or NaN makes its element undetermined
// (unless another product makes it NaN anyway): BLAS implementations skip
// zero factors or not (gonum skips zeros of the left operand; NumPy gives
// NaN for matmul([[0, 1]], [[inf], [1]]) but 0 for tensordot(0.0, [inf],
// axes=0)), so IEEE's NaN is not a contract there.
func evalContract(op *ndarray.OpContract, a, b *val, outShape []int) (*val, error) {
	if a.dt != b.dt {
		return nil, fmt.Errorf("eager: tensordot of %v and %v", a.dt, b.dt)
	}
	dt := a.dt
	nb, nc := len(op.ABatch), len(op.AContract)
	if len(op.BBatch) != nb || len(op.BContract) != nc || len(op.AFree)+len(op.ABatch)+nc != len(a.shape) || len(op.BFree)+nb+nc != len(b.shape) {
		return nil, fmt.Errorf("eager: tensordot %+v of ranks %d and %d", op, len(a.shape), len(b.shape))
	}
	conShape := make([]int, nc)
	for i := range conShape {
		conShape[i] = a.shape[op.AContract[i]]
		if b.shape[op.BContract[i]] != conShape[i] {
			return nil, fmt.Errorf("eager: tensordot contracts lengths %d and %d", conShape[i], b.shape[op.BContract[i]])
		}
	}
	K := chunk.Size(conShape)
	res := newVal(dt, outShape)
	oIdx := make([]int, len(outShape))
	cIdx := make([]int, nc)
	aIdx := make([]int, len(a.shape))
	bIdx := make([]int, len(b.shape))
	u := u64
	if dt == chunk.Float32 {
		u = 0x1p-24
	}
	for f := 0; f < res.size(); f++ {
		unflatten(f, outShape, oIdx)
		p := 0
		for i := 0; i < nb; i++ {
			aIdx[op.ABatch[i]] = oIdx[p]
			bIdx[op.BBatch[i]] = oIdx[p]
			p++
		}
		for _, ax := range op.AFree {
			aIdx[ax] = oIdx[p]
			p++
		}
		for _, ax := range op.BFree {
			bIdx[ax] = oIdx[p]
			p++
		}
		var si int64
		var su uint64
		var sf dd
		var abs, eIn float64 // abs in plain float64: a double-double overflows to NaN
		nan, pinf, ninf, undet, zeroInf, overflow := false, false, false, false, false, false
		for c := 0; c < K; c++ {
			unflatten(c, conShape, cIdx)
			for i := 0; i < nc; i++ {
				aIdx[op.AContract[i]] = cIdx[i]
				bIdx[op.BContract[i]] = cIdx[i]
			}
			ka, kb := flat(aIdx, a.shape), flat(bIdx, b.shape)
			ea, eb := a.err(ka), b.err(kb)
			if ea != 0 || eb != 0 {
				if math.IsInf(ea, 1) || math.IsInf(eb, 1) || !dt.IsFloat() {
					undet = true
				}
			}
			switch kindOf(dt) {
			case kInt:
				if dt == chunk.Bool {
					si |= a.i[ka] & b.i[kb]
				} else {
					si += a.i[ka] * b.i[kb]
				}
			case kUint:
				su += a.u[ka] * b.u[kb]
			default:
				x, y := a.f[ka], b.f[kb]
				pr := x * y
				finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
				// A factor is possibly zero when it is zero or its
				// interval contains zero.
				zx, zy := x == 0 || ea >= math.Abs(x), y == 0 || eb >= math.Abs(y)
				switch {
				case math.IsInf(ea, 1) || math.IsInf(eb, 1):
					// Undetermined: NaN or not, it must not decide.
				case zx && !finite(y) || zy && !finite(x):
					zeroInf = true
				case math.IsNaN(pr):
					nan = true
				case math.IsInf(pr, 0) && finite(x) && finite(y):
					// A product of finite factors that overflows: a BLAS
					// with fused multiply-adds (OpenBLAS) adds it unrounded,
					// so an infinity of the other sign gives that infinity,
					// or a finite sum, rather than NaN (NumPy agrees:
					// [[-2**63, -2**63]] @ [[-inf], [1.797e308]] is inf, NaN
					// with the rows swapped).
					overflow = true
				case math.IsInf(pr, 1):
					pinf = true
				case math.IsInf(pr, -1):
					ninf = true
				default:
					hi, lo := twoProd(x, y)
					sf = sf.add(dd{hi, lo})
					abs += math.Abs(hi)
					eIn += math.Abs(x)*eb + math.Abs(y)*ea + ea*eb
				}
			}
		}
		switch kindOf(dt) {
		case kInt:
			res.i[f] = wrapInt(dt, si)
			if undet {
				res.setErr(f, math.Inf(1))
			}
			continue
		case kUint:
			res.u[f] = wrapUint(dt, su)
			if undet {
				res.setErr(f, math.Inf(1))
			}
			continue
		}
		v := rnd(dt, sf.hi)
		var e float64
		switch {
		case nan:
			v, e = math.NaN(), 0
		case undet || zeroInf:
			e = math.Inf(1)
		case pinf && ninf:
			v, e = math.NaN(), 0
		case overflow:
			e = math.Inf(1)
		case pinf || ninf:
			v = math.Inf(1)
			if ninf {
				v = math.Inf(-1)
			}
			if abs >= maxFinite(dt)/4 {
				e = math.Inf(1)
			}
		case abs >= maxFinite(dt)/4:
			e = math.Inf(1)
		default:
			e = gamma(K, u)*abs*(1+gamma(K+1, u64)) + eIn*(1+gamma(K, u))
			if e > 0 {
				// Products that underflow lose up to a subnormal ulp each.
				e += float64(K) * ulp(dt, 0)
				e += ulp(dt, v) + ulp(chunk.Float64, v)
				if math.Abs(v)+e >= maxFinite(dt) {
					e = math.Inf(1)
				}
			} else if v == 0 {
				v = 0 // a sum of exact zeros is +0 (BLAS starts from 0)
			}
		}
		res.f[f] = v
		res.setErr(f, e)
	}
	return res, nil
}
