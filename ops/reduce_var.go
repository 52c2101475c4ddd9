package ops

import (
	"fmt"
	"math"

	"github.com/ndchunk/ndchunk/chunk"
)

// Variance and standard deviation.
//
// Each group of elements a kernel call sees for one output (a contiguous
// run, or the column of a tile) is reduced with two passes, the mean and
// then the sum of squared deviations from it, which is as accurate as
// NumPy's own two-pass var; groups, tiles and partials are then combined
// with Chan, Golub and LeVeque's pairwise update of (count, mean, M2),
// which needs no second look at the data.

// redChan merges the statistics (nb, mb, m2b) of a group that comes after
// (na, ma, m2a) and returns the combined ones. An empty side returns the
// other unchanged, so a single group keeps its two-pass values bit for bit.
func redChan(na int64, ma, m2a float64, nb int64, mb, m2b float64) (int64, float64, float64) {
	if nb == 0 {
		return na, ma, m2a
	}
	if na == 0 {
		return nb, mb, m2b
	}
	n := na + nb
	d := mb - ma
	fb := float64(nb) / float64(n)
	return n, ma + d*fb, m2a + m2b + d*d*float64(na)*fb
}

// redColSq sets q[j] to the sum over m rows of (x[i*stride+j] - mu[j])²,
// skipping NaN when nan is set.
func redColSq[T chunk.Number](q, mu []float64, x []T, stride, m int, nan bool) {
	w := len(q)
	mu = mu[:w]
	clear(q)
	for i := 0; i < m; i++ {
		r := x[i*stride:][:w]
		if nan {
			for j, v := range r {
				if f := float64(v); f == f {
					d := f - mu[j]
					q[j] += d * d
				}
			}
			continue
		}
		for j, v := range r {
			d := float64(v) - mu[j]
			q[j] += d * d
		}
	}
}

// redVarK computes var, std, nanvar and nanstd. Fields: count, mean, M2.
type redVarK[T chunk.Number] struct {
	nan  bool // skip NaN; a divisor count - ddof <= 0 gives NaN
	std  bool // take the square root
	ddof int
	out  chunk.DType
}

func (k *redVarK[T]) init(p *Partial) {
	for _, f := range p.Fields {
		clear(f.Bytes())
	}
}

func (k *redVarK[T]) rows(p *Partial, xb []byte, g redPanel) {
	x := chunk.Cast[T](xb)
	cnt, mean, m2 := redI64(p, 0), redF64(p, 1), redF64(p, 2)
	o := g.o
	for i := 0; i < g.m; i++ {
		row := x[i*g.l : (i+1)*g.l]
		var s, q float64
		c := g.l
		if k.nan {
			s, c = redPairwiseNan(row)
		} else {
			s = redPairwise(row)
		}
		if c > 0 {
			mu := s / float64(c)
			if k.nan {
				q = redPairwiseSqNan(row, mu)
			} else {
				q = redPairwiseSq(row, mu)
			}
			cnt[o], mean[o], m2[o] = redChan(cnt[o], mean[o], m2[o], int64(c), mu, q)
		}
		o += g.os
	}
}

func (k *redVarK[T]) cols(p *Partial, xb []byte, g redPanel) {
	x := chunk.Cast[T](xb)
	cnt, mean, m2 := redI64(p, 0), redF64(p, 1), redF64(p, 2)
	var acc, sq [redStrip]float64
	var num [redStrip]int64
	for j0 := 0; j0 < g.l; j0 += redStrip {
		w := min(redStrip, g.l-j0)
		a, n := acc[:w], num[:w]
		if k.nan {
			clear(n)
			redColSumNan(a, n, x[j0:], g.l, g.m)
		} else {
			redColSum(a, x[j0:], g.l, g.m)
			for j := range n {
				n[j] = int64(g.m)
			}
		}
		for j := range a {
			a[j] /= float64(n[j]) // the column means; 0/0 for empty columns is never used
		}
		q := sq[:w]
		redColSq(q, a, x[j0:], g.l, g.m, k.nan)
		c, mu, s := cnt[g.o+j0:][:w], mean[g.o+j0:][:w], m2[g.o+j0:][:w]
		for j := range c {
			c[j], mu[j], s[j] = redChan(c[j], mu[j], s[j], n[j], a[j], q[j])
		}
	}
}

func (k *redVarK[T]) merge(dst, src *Partial) {
	dc, dm, dq := redI64(dst, 0), redF64(dst, 1), redF64(dst, 2)
	sc, sm, sq := redI64(src, 0), redF64(src, 1), redF64(src, 2)
	dm, dq, sc, sm, sq = dm[:len(dc)], dq[:len(dc)], sc[:len(dc)], sm[:len(dc)], sq[:len(dc)]
	for i := range dc {
		dc[i], dm[i], dq[i] = redChan(dc[i], dm[i], dq[i], sc[i], sm[i], sq[i])
	}
}

func (k *redVarK[T]) finalize(dst []byte, p *Partial) {
	cnt, m2 := redI64(p, 0), redF64(p, 2)
	if k.out == chunk.Float32 {
		redFinalVar(chunk.Cast[float32](dst), cnt, m2, k.ddof, k.nan, k.std)
	} else {
		redFinalVar(chunk.Cast[float64](dst), cnt, m2, k.ddof, k.nan, k.std)
	}
}

// redFinalVar sets d[i] = M2 / max(n - ddof, 0) (its square root for std),
// as numpy.var: ddof >= n gives M2/0, +Inf or NaN. numpy.nanvar instead
// gives NaN whenever n - ddof <= 0, and both give NaN for n = 0.
func redFinalVar[O float32 | float64](d []O, cnt []int64, m2 []float64, ddof int, nan, std bool) {
	d = d[:len(cnt)]
	m2 = m2[:len(cnt)]
	for i, n := range cnt {
		dof := n - int64(ddof)
		var v float64
		switch {
		case n == 0 || nan && dof <= 0:
			v = math.NaN()
		default:
			v = m2[i] / float64(max(dof, 0))
		}
		if std {
			v = math.Sqrt(v)
		}
		d[i] = O(v)
	}
}

// redNewVar returns the variance kernel of input dtype in. Bool input is
// read as its 0/1 bytes.
func redNewVar(in, out chunk.DType, nan, std bool, ddof int) redKernel {
	switch in {
	case chunk.Bool, chunk.Uint8:
		return &redVarK[uint8]{nan: nan, std: std, ddof: ddof, out: out}
	case chunk.Int8:
		return &redVarK[int8]{nan: nan, std: std, ddof: ddof, out: out}
	case chunk.Int16:
		return &redVarK[int16]{nan: nan, std: std, ddof: ddof, out: out}
	case chunk.Int32:
		return &redVarK[int32]{nan: nan, std: std, ddof: ddof, out: out}
	case chunk.Int64:
		return &redVarK[int64]{nan: nan, std: std, ddof: ddof, out: out}
	case chunk.Uint16:
		return &redVarK[uint16]{nan: nan, std: std, ddof: ddof, out: out}
	case chunk.Uint32:
		return &redVarK[uint32]{nan: nan, std: std, ddof: ddof, out: out}
	case chunk.Uint64:
		return &redVarK[uint64]{nan: nan, std: std, ddof: ddof, out: out}
	case chunk.Float32:
		return &redVarK[float32]{nan: nan, std: std, ddof: ddof, out: out}
	case chunk.Float64:
		return &redVarK[float64]{nan: nan, std: std, ddof: ddof, out: out}
	}
	panic(fmt.Sprintf("ops: var of %v", in))
}
