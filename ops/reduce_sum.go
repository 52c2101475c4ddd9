package ops

import (
	"fmt"
	"math"

	"github.com/ndchunk/ndchunk/chunk"
)

// Sums, means and products.
//
// Float sums (and every mean, whose integer input NumPy also sums in
// float64) sum each contiguous run of a tile pairwise, as NumPy does, and
// fold the run's sum into the Partial with Neumaier's compensated addition,
// so the error stays near one rounding of the total however many tiles and
// blocks are combined. Integer sums and products wrap in int64 or uint64,
// exactly and in any order, as NumPy's do.

// redInt is the set of element types of integer (and bool, as uint8) input.
type redInt interface {
	int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64
}

// redAcc is the set of integer accumulator types.
type redAcc interface{ int64 | uint64 }

// redBlock is NumPy's PW_BLOCKSIZE: below it pairwise summation is a plain
// loop with eight accumulators.
const redBlock = 128

// redStrip is the number of columns column accumulation keeps in stack
// scratch at a time.
const redStrip = 128

// redPairwise returns the sum of a in float64 by NumPy's pairwise
// summation: eight interleaved accumulators over blocks of at most 128
// elements, halves (rounded to a multiple of 8) above. The error grows as
// O(log n) roundings instead of O(n).
func redPairwise[T chunk.Number](a []T) float64 {
	n := len(a)
	if n < 8 {
		s := 0.0
		for _, v := range a {
			s += float64(v)
		}
		return s
	}
	if n <= redBlock {
		r0, r1, r2, r3 := float64(a[0]), float64(a[1]), float64(a[2]), float64(a[3])
		r4, r5, r6, r7 := float64(a[4]), float64(a[5]), float64(a[6]), float64(a[7])
		m := n - n%8
		// This loop shape (a fresh three-index slice per step) lets the
		// compiler fold the loads into the adds for float64 instead of
		// spilling an accumulator.
		for i := 8; i+8 <= m; i += 8 {
			b := a[i : i+8 : i+8]
			r0 += float64(b[0])
			r1 += float64(b[1])
			r2 += float64(b[2])
			r3 += float64(b[3])
			r4 += float64(b[4])
			r5 += float64(b[5])
			r6 += float64(b[6])
			r7 += float64(b[7])
		}
		s := ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
		for _, v := range a[m:] {
			s += float64(v)
		}
		return s
	}
	n2 := n / 2
	n2 -= n2 % 8
	return redPairwise(a[:n2]) + redPairwise(a[n2:])
}

// redPairwiseSq returns the sum of (a[i] - mean)² with the same pairwise
// scheme: the second pass of the two-pass variance.
func redPairwiseSq[T chunk.Number](a []T, mean float64) float64 {
	n := len(a)
	if n < 8 {
		s := 0.0
		for _, v := range a {
			d := float64(v) - mean
			s += d * d
		}
		return s
	}
	if n <= redBlock {
		// Four accumulators of pairs, not NumPy's eight: with the mean and
		// eight deviations live, eight accumulators would not fit in the
		// registers and the compiler would spill two of them.
		var r0, r1, r2, r3 float64
		m := n - n%8
		for i := 0; i+8 <= m; i += 8 {
			b := a[i : i+8 : i+8]
			d0, d1, d2, d3 := float64(b[0])-mean, float64(b[1])-mean, float64(b[2])-mean, float64(b[3])-mean
			d4, d5, d6, d7 := float64(b[4])-mean, float64(b[5])-mean, float64(b[6])-mean, float64(b[7])-mean
			r0 += d0*d0 + d4*d4
			r1 += d1*d1 + d5*d5
			r2 += d2*d2 + d6*d6
			r3 += d3*d3 + d7*d7
		}
		s := (r0 + r1) + (r2 + r3)
		for _, v := range a[m:] {
			d := float64(v) - mean
			s += d * d
		}
		return s
	}
	n2 := n / 2
	n2 -= n2 % 8
	return redPairwiseSq(a[:n2], mean) + redPairwiseSq(a[n2:], mean)
}

// redPairwiseNan is redPairwise skipping NaN; it also returns the number of
// elements summed. Most blocks hold no NaN, so each block of at most 128 is
// first summed plainly and summed again skipping NaN only when that gives
// NaN; without NaN both loops add in the same order, so the fast path
// changes no bits.
func redPairwiseNan[T chunk.Number](a []T) (float64, int) {
	n := len(a)
	if n <= redBlock {
		if s := redPairwise(a); s == s {
			return s, n
		}
		if n < 8 {
			s, c := 0.0, 0
			for _, v := range a {
				if f := float64(v); f == f {
					s += f
					c++
				}
			}
			return s, c
		}
		var r [8]float64
		c := 0
		i := 0
		for ; i+8 <= n; i += 8 {
			b := a[i : i+8]
			for j := range r {
				if v := float64(b[j]); v == v {
					r[j] += v
					c++
				}
			}
		}
		s := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for _, v := range a[i:] {
			if f := float64(v); f == f {
				s += f
				c++
			}
		}
		return s, c
	}
	n2 := n / 2
	n2 -= n2 % 8
	s1, c1 := redPairwiseNan(a[:n2])
	s2, c2 := redPairwiseNan(a[n2:])
	return s1 + s2, c1 + c2
}

// redPairwiseSqNan is redPairwiseSq skipping NaN, with the same fast path
// as redPairwiseNan.
func redPairwiseSqNan[T chunk.Number](a []T, mean float64) float64 {
	n := len(a)
	if n <= redBlock {
		if s := redPairwiseSq(a, mean); s == s {
			return s
		}
		var r [8]float64
		i := 0
		for ; i+8 <= n; i += 8 {
			b := a[i : i+8]
			for j := range r {
				if v := float64(b[j]); v == v {
					d := v - mean
					r[j] += d * d
				}
			}
		}
		s := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for _, v := range a[i:] {
			if f := float64(v); f == f {
				d := f - mean
				s += d * d
			}
		}
		return s
	}
	n2 := n / 2
	n2 -= n2 % 8
	return redPairwiseSqNan(a[:n2], mean) + redPairwiseSqNan(a[n2:], mean)
}

// redNeumaier adds x to the compensated sum (s, c), whose value is s + c.
// The compensation is only updated while the running sum is finite: once it
// is ±Inf or NaN the error term would be NaN (Inf - Inf) and would turn an
// infinite sum into NaN; s alone then carries the result (Inf + 1 stays
// Inf, Inf + -Inf becomes NaN, NaN stays NaN).
func redNeumaier(s, c, x float64) (float64, float64) {
	t := s + x
	if t-t == 0 {
		if math.Abs(s) >= math.Abs(x) {
			c += (s - t) + x
		} else {
			c += (x - t) + s
		}
	}
	return t, c
}

// redColSum sets a[j] to the sum over m rows of x[i*stride+j], in float64:
// the column accumulation of a reduction over leading axes. Rows are added
// four at a time, ((x0 + x1) + (x2 + x3)), which halves the loads and
// stores of a and is a little more accurate than adding them one by one.
func redColSum[T chunk.Number](a []float64, x []T, stride, m int) {
	w := len(a)
	r := x[:w]
	for j := range a {
		a[j] = float64(r[j])
	}
	i := 1
	for ; i+4 <= m; i += 4 {
		r0 := x[i*stride:][:w]
		r1 := x[(i+1)*stride:][:w]
		r2 := x[(i+2)*stride:][:w]
		r3 := x[(i+3)*stride:][:w]
		for j := range a {
			a[j] += (float64(r0[j]) + float64(r1[j])) + (float64(r2[j]) + float64(r3[j]))
		}
	}
	for ; i < m; i++ {
		r := x[i*stride:][:w]
		for j := range a {
			a[j] += float64(r[j])
		}
	}
}

// redColSumNan is redColSum skipping NaN; the number of elements summed in
// column j is added to c[j] unless c is nil. Only the columns whose plain
// sum is NaN are summed again, one by one, skipping NaN.
func redColSumNan[T chunk.Number](a []float64, c []int64, x []T, stride, m int) {
	redColSum(a, x, stride, m)
	if c != nil {
		c = c[:len(a)]
	}
	for j, s := range a {
		if s == s {
			if c != nil {
				c[j] += int64(m)
			}
			continue
		}
		s, n := 0.0, int64(0)
		for i := 0; i < m; i++ {
			if v := float64(x[i*stride+j]); v == v {
				s += v
				n++
			}
		}
		a[j] = s
		if c != nil {
			c[j] += n
		}
	}
}

// redSumK sums float input (sum, nansum) or any input into float64 (mean,
// nanmean, which also count). Fields: sum, compensation[, count].
type redSumK[T chunk.Number] struct {
	nan  bool // skip NaN
	mean bool // divide by the count in finalize
	out  chunk.DType
}

func (k *redSumK[T]) init(p *Partial) {
	for _, f := range p.Fields {
		clear(f.Bytes())
	}
}

func (k *redSumK[T]) rows(p *Partial, xb []byte, g redPanel) {
	x := chunk.Cast[T](xb)
	sum, comp := redF64(p, 0), redF64(p, 1)
	var cnt []int64
	if k.mean {
		cnt = redI64(p, 2)
	}
	o := g.o
	for i := 0; i < g.m; i++ {
		row := x[i*g.l : (i+1)*g.l]
		var s float64
		c := g.l
		if k.nan {
			s, c = redPairwiseNan(row)
		} else {
			s = redPairwise(row)
		}
		sum[o], comp[o] = redNeumaier(sum[o], comp[o], s)
		if cnt != nil {
			cnt[o] += int64(c)
		}
		o += g.os
	}
}

func (k *redSumK[T]) cols(p *Partial, xb []byte, g redPanel) {
	x := chunk.Cast[T](xb)
	sum, comp := redF64(p, 0), redF64(p, 1)
	var cnt []int64
	if k.mean {
		cnt = redI64(p, 2)
	}
	var acc [redStrip]float64
	for j0 := 0; j0 < g.l; j0 += redStrip {
		w := min(redStrip, g.l-j0)
		a := acc[:w]
		var n []int64
		if cnt != nil {
			n = cnt[g.o+j0:][:w]
		}
		switch {
		case k.nan:
			redColSumNan(a, n, x[j0:], g.l, g.m)
		default:
			redColSum(a, x[j0:], g.l, g.m)
			for j := range n {
				n[j] += int64(g.m)
			}
		}
		s := sum[g.o+j0:][:w]
		c := comp[g.o+j0:][:w]
		var z T
		if _, narrow := any(z).(float32); narrow {
			// float32 values summed in float64 keep ~29 bits more than
			// the float32 result needs: compensation buys nothing, and
			// per-column it would cost more than the sum when a tile
			// holds few rows.
			for j, v := range a {
				s[j] += v
			}
			continue
		}
		for j, v := range a {
			s[j], c[j] = redNeumaier(s[j], c[j], v)
		}
	}
}

func (k *redSumK[T]) merge(dst, src *Partial) {
	ds, dc := redF64(dst, 0), redF64(dst, 1)
	ss, sc := redF64(src, 0), redF64(src, 1)
	sc = sc[:len(ds)]
	ss = ss[:len(ds)]
	dc = dc[:len(ds)]
	for i := range ds {
		ds[i], dc[i] = redNeumaier(ds[i], dc[i], ss[i])
		dc[i] += sc[i]
	}
	if k.mean {
		dn, sn := redI64(dst, 2), redI64(src, 2)
		sn = sn[:len(dn)]
		for i := range dn {
			dn[i] += sn[i]
		}
	}
}

func (k *redSumK[T]) finalize(dst []byte, p *Partial) {
	sum, comp := redF64(p, 0), redF64(p, 1)
	var cnt []int64
	if k.mean {
		cnt = redI64(p, 2)
	}
	if k.out == chunk.Float32 {
		redFinalSum(chunk.Cast[float32](dst), sum, comp, cnt)
	} else {
		redFinalSum(chunk.Cast[float64](dst), sum, comp, cnt)
	}
}

// redFinalSum sets d[i] = sum[i] + comp[i], divided by cnt[i] when cnt is
// not nil (a mean of nothing is then 0/0 = NaN, as NumPy's).
func redFinalSum[O float32 | float64](d []O, sum, comp []float64, cnt []int64) {
	comp = comp[:len(sum)]
	d = d[:len(sum)]
	if cnt == nil {
		for i, s := range sum {
			d[i] = O(s + comp[i])
		}
		return
	}
	cnt = cnt[:len(sum)]
	for i, s := range sum {
		d[i] = O((s + comp[i]) / float64(cnt[i]))
	}
}

// redFinalFloat converts float64 results to the output dtype.
func redFinalFloat(out chunk.DType, dst []byte, v []float64) {
	if out == chunk.Float32 {
		d := chunk.Cast[float32](dst)[:len(v)]
		for i, x := range v {
			d[i] = float32(x)
		}
		return
	}
	copy(chunk.Cast[float64](dst), v)
}

// redIntSum returns the wrapping sum of a in the accumulator type A.
func redIntSum[T redInt, A redAcc](a []T) A {
	var s0, s1, s2, s3 A
	for len(a) >= 4 {
		s0 += A(a[0])
		s1 += A(a[1])
		s2 += A(a[2])
		s3 += A(a[3])
		a = a[4:]
	}
	for _, v := range a {
		s0 += A(v)
	}
	return (s0 + s1) + (s2 + s3)
}

// redISumK sums integer or bool input into int64 or uint64, wrapping on
// overflow as NumPy does. Field: sum.
type redISumK[T redInt, A redAcc] struct{}

func (redISumK[T, A]) init(p *Partial) { clear(p.Fields[0].Bytes()) }

func (redISumK[T, A]) rows(p *Partial, xb []byte, g redPanel) {
	x := chunk.Cast[T](xb)
	sum := chunk.Cast[A](p.Fields[0].Bytes())
	o := g.o
	for i := 0; i < g.m; i++ {
		sum[o] += redIntSum[T, A](x[i*g.l : (i+1)*g.l])
		o += g.os
	}
}

func (redISumK[T, A]) cols(p *Partial, xb []byte, g redPanel) {
	x := chunk.Cast[T](xb)
	s := chunk.Cast[A](p.Fields[0].Bytes())[g.o:][:g.l]
	for i := 0; i < g.m; i++ {
		r := x[i*g.l:][:len(s)]
		for j, v := range r {
			s[j] += A(v)
		}
	}
}

func (redISumK[T, A]) merge(dst, src *Partial) {
	d, s := chunk.Cast[A](dst.Fields[0].Bytes()), chunk.Cast[A](src.Fields[0].Bytes())
	s = s[:len(d)]
	for i := range d {
		d[i] += s[i]
	}
}

func (redISumK[T, A]) finalize(dst []byte, p *Partial) { copy(dst, p.Fields[0].Bytes()) }

// redProd returns the product of a in float64 (skipping NaN when nan is
// set), with four interleaved partial products.
func redProd[T chunk.Number](a []T, nan bool) float64 {
	p0, p1, p2, p3 := 1.0, 1.0, 1.0, 1.0
	if nan {
		for _, v := range a {
			if f := float64(v); f == f {
				p0 *= f
			}
		}
		return p0
	}
	for len(a) >= 4 {
		p0 *= float64(a[0])
		p1 *= float64(a[1])
		p2 *= float64(a[2])
		p3 *= float64(a[3])
		a = a[4:]
	}
	for _, v := range a {
		p0 *= float64(v)
	}
	return (p0 * p1) * (p2 * p3)
}

// redFProdK multiplies float input in float64 (prod, nanprod). Field:
// product.
type redFProdK[T chunk.Number] struct {
	nan bool
	out chunk.DType
}

func (k *redFProdK[T]) init(p *Partial) {
	d := redF64(p, 0)
	for i := range d {
		d[i] = 1
	}
}

func (k *redFProdK[T]) rows(p *Partial, xb []byte, g redPanel) {
	x := chunk.Cast[T](xb)
	d := redF64(p, 0)
	o := g.o
	for i := 0; i < g.m; i++ {
		d[o] *= redProd(x[i*g.l:(i+1)*g.l], k.nan)
		o += g.os
	}
}

func (k *redFProdK[T]) cols(p *Partial, xb []byte, g redPanel) {
	x := chunk.Cast[T](xb)
	d := redF64(p, 0)[g.o:][:g.l]
	for i := 0; i < g.m; i++ {
		r := x[i*g.l:][:len(d)]
		if k.nan {
			for j, v := range r {
				if f := float64(v); f == f {
					d[j] *= f
				}
			}
			continue
		}
		for j, v := range r {
			d[j] *= float64(v)
		}
	}
}

func (k *redFProdK[T]) merge(dst, src *Partial) {
	d, s := redF64(dst, 0), redF64(src, 0)
	s = s[:len(d)]
	for i := range d {
		d[i] *= s[i]
	}
}

func (k *redFProdK[T]) finalize(dst []byte, p *Partial) {
	redFinalFloat(k.out, dst, redF64(p, 0))
}

// redIntProd returns the wrapping product of a in the accumulator type A.
func redIntProd[T redInt, A redAcc](a []T) A {
	p0, p1 := A(1), A(1)
	for len(a) >= 2 {
		p0 *= A(a[0])
		p1 *= A(a[1])
		a = a[2:]
	}
	for _, v := range a {
		p0 *= A(v)
	}
	return p0 * p1
}

// redIProdK multiplies integer or bool input in int64 or uint64, wrapping.
// Field: product.
type redIProdK[T redInt, A redAcc] struct{}

func (redIProdK[T, A]) init(p *Partial) {
	d := chunk.Cast[A](p.Fields[0].Bytes())
	for i := range d {
		d[i] = 1
	}
}

func (redIProdK[T, A]) rows(p *Partial, xb []byte, g redPanel) {
	x := chunk.Cast[T](xb)
	d := chunk.Cast[A](p.Fields[0].Bytes())
	o := g.o
	for i := 0; i < g.m; i++ {
		d[o] *= redIntProd[T, A](x[i*g.l : (i+1)*g.l])
		o += g.os
	}
}

func (redIProdK[T, A]) cols(p *Partial, xb []byte, g redPanel) {
	x := chunk.Cast[T](xb)
	d := chunk.Cast[A](p.Fields[0].Bytes())[g.o:][:g.l]
	for i := 0; i < g.m; i++ {
		r := x[i*g.l:][:len(d)]
		for j, v := range r {
			d[j] *= A(v)
		}
	}
}

func (redIProdK[T, A]) merge(dst, src *Partial) {
	d, s := chunk.Cast[A](dst.Fields[0].Bytes()), chunk.Cast[A](src.Fields[0].Bytes())
	s = s[:len(d)]
	for i := range d {
		d[i] *= s[i]
	}
}

func (redIProdK[T, A]) finalize(dst []byte, p *Partial) { copy(dst, p.Fields[0].Bytes()) }

// redNewSum returns the float-accumulating sum kernel (sum and nansum of
// floats; mean and nanmean of anything). Bool input is read as its 0/1
// bytes.
func redNewSum(in, out chunk.DType, nan, mean bool) redKernel {
	switch in {
	case chunk.Bool, chunk.Uint8:
		return &redSumK[uint8]{nan: nan, mean: mean, out: out}
	case chunk.Int8:
		return &redSumK[int8]{nan: nan, mean: mean, out: out}
	case chunk.Int16:
		return &redSumK[int16]{nan: nan, mean: mean, out: out}
	case chunk.Int32:
		return &redSumK[int32]{nan: nan, mean: mean, out: out}
	case chunk.Int64:
		return &redSumK[int64]{nan: nan, mean: mean, out: out}
	case chunk.Uint16:
		return &redSumK[uint16]{nan: nan, mean: mean, out: out}
	case chunk.Uint32:
		return &redSumK[uint32]{nan: nan, mean: mean, out: out}
	case chunk.Uint64:
		return &redSumK[uint64]{nan: nan, mean: mean, out: out}
	case chunk.Float32:
		return &redSumK[float32]{nan: nan, mean: mean, out: out}
	case chunk.Float64:
		return &redSumK[float64]{nan: nan, mean: mean, out: out}
	}
	panic(fmt.Sprintf("ops: sum of %v", in))
}

// redNewISum returns the wrapping integer sum kernel of integer or bool
// input.
func redNewISum(in chunk.DType) redKernel {
	switch in {
	case chunk.Bool:
		return redISumK[uint8, int64]{}
	case chunk.Int8:
		return redISumK[int8, int64]{}
	case chunk.Int16:
		return redISumK[int16, int64]{}
	case chunk.Int32:
		return redISumK[int32, int64]{}
	case chunk.Int64:
		return redISumK[int64, int64]{}
	case chunk.Uint8:
		return redISumK[uint8, uint64]{}
	case chunk.Uint16:
		return redISumK[uint16, uint64]{}
	case chunk.Uint32:
		return redISumK[uint32, uint64]{}
	case chunk.Uint64:
		return redISumK[uint64, uint64]{}
	}
	panic(fmt.Sprintf("ops: integer sum of %v", in))
}

// redNewFProd returns the float64 product kernel of float input.
func redNewFProd(in, out chunk.DType, nan bool) redKernel {
	if in == chunk.Float32 {
		return &redFProdK[float32]{nan: nan, out: out}
	}
	return &redFProdK[float64]{nan: nan, out: out}
}

// redNewIProd returns the wrapping integer product kernel of integer or
// bool input.
func redNewIProd(in chunk.DType) redKernel {
	switch in {
	case chunk.Bool:
		return redIProdK[uint8, int64]{}
	case chunk.Int8:
		return redIProdK[int8, int64]{}
	case chunk.Int16:
		return redIProdK[int16, int64]{}
	case chunk.Int32:
		return redIProdK[int32, int64]{}
	case chunk.Int64:
		return redIProdK[int64, int64]{}
	case chunk.Uint8:
		return redIProdK[uint8, uint64]{}
	case chunk.Uint16:
		return redIProdK[uint16, uint64]{}
	case chunk.Uint32:
		return redIProdK[uint32, uint64]{}
	case chunk.Uint64:
		return redIProdK[uint64, uint64]{}
	}
	panic(fmt.Sprintf("ops: integer product of %v", in))
}
