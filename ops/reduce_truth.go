package ops

import (
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
)

// any, all and count_nonzero test truthiness: x != 0, so NaN is true and
// -0.0 false, as in NumPy. Floats are tested on their bits, as unsigned
// integers with the sign bit masked off: that leaves zero exactly for ±0.0,
// and the integer test is several times faster than a float compare, which
// must also look at the parity flag for NaN.

// redTruthK computes any, all (field: bool) and count_nonzero (field:
// int64). T is the input type, or an unsigned integer of the same size for
// floats; an element is true when its bits under mask are not all zero.
type redTruthK[T redInt] struct {
	op   ReduceOp
	mask T
}

func (k *redTruthK[T]) init(p *Partial) {
	b := p.Fields[0].Bytes()
	if k.op == All {
		for i := range b {
			b[i] = 1
		}
		return
	}
	clear(b)
}

// redAnyNonzero reports whether a has an element that is nonzero after
// masking with m.
func redAnyNonzero[T redInt](a []T, m T) bool {
	for _, v := range a {
		if v&m != 0 {
			return true
		}
	}
	return false
}

// redAllNonzero reports whether every element of a is nonzero after
// masking with m.
func redAllNonzero[T redInt](a []T, m T) bool {
	for _, v := range a {
		if v&m == 0 {
			return false
		}
	}
	return true
}

// redCountNonzero returns the number of elements of a that are nonzero
// after masking with m.
func redCountNonzero[T redInt](a []T, m T) int64 {
	var n int64
	for _, v := range a {
		if v&m != 0 {
			n++
		}
	}
	return n
}

func (k *redTruthK[T]) rows(p *Partial, xb []byte, g redPanel) {
	x := chunk.Cast[T](xb)
	o := g.o
	switch k.op {
	case CountNonzero:
		d := redI64(p, 0)
		for i := 0; i < g.m; i++ {
			d[o] += redCountNonzero(x[i*g.l:(i+1)*g.l], k.mask)
			o += g.os
		}
	case Any:
		d := p.Fields[0].Bytes()
		for i := 0; i < g.m; i++ {
			if d[o] == 0 && redAnyNonzero(x[i*g.l:(i+1)*g.l], k.mask) {
				d[o] = 1
			}
			o += g.os
		}
	default:
		d := p.Fields[0].Bytes()
		for i := 0; i < g.m; i++ {
			if d[o] != 0 && !redAllNonzero(x[i*g.l:(i+1)*g.l], k.mask) {
				d[o] = 0
			}
			o += g.os
		}
	}
}

func (k *redTruthK[T]) cols(p *Partial, xb []byte, g redPanel) {
	x := chunk.Cast[T](xb)
	m := k.mask
	switch k.op {
	case CountNonzero:
		d := redI64(p, 0)[g.o:][:g.l]
		for i := 0; i < g.m; i++ {
			r := x[i*g.l:][:len(d)]
			for j, v := range r {
				if v&m != 0 {
					d[j]++
				}
			}
		}
	case Any:
		d := p.Fields[0].Bytes()[g.o:][:g.l]
		for i := 0; i < g.m; i++ {
			r := x[i*g.l:][:len(d)]
			for j, v := range r {
				var b byte
				if v&m != 0 {
					b = 1
				}
				d[j] |= b
			}
		}
	default:
		d := p.Fields[0].Bytes()[g.o:][:g.l]
		for i := 0; i < g.m; i++ {
			r := x[i*g.l:][:len(d)]
			for j, v := range r {
				var b byte
				if v&m != 0 {
					b = 1
				}
				d[j] &= b
			}
		}
	}
}

func (k *redTruthK[T]) merge(dst, src *Partial) {
	switch k.op {
	case CountNonzero:
		d, s := redI64(dst, 0), redI64(src, 0)
		s = s[:len(d)]
		for i := range d {
			d[i] += s[i]
		}
	case Any:
		d, s := dst.Fields[0].Bytes(), src.Fields[0].Bytes()
		s = s[:len(d)]
		for i := range d {
			d[i] |= s[i]
		}
	default:
		d, s := dst.Fields[0].Bytes(), src.Fields[0].Bytes()
		s = s[:len(d)]
		for i := range d {
			d[i] &= s[i]
		}
	}
}

func (k *redTruthK[T]) finalize(dst []byte, p *Partial) { copy(dst, p.Fields[0].Bytes()) }

// redNewTruth returns the any/all/count_nonzero kernel of input dtype in.
func redNewTruth(in chunk.DType, op ReduceOp) redKernel {
	switch in {
	case chunk.Bool, chunk.Uint8:
		return &redTruthK[uint8]{op: op, mask: ^uint8(0)}
	case chunk.Int8:
		return &redTruthK[int8]{op: op, mask: ^int8(0)}
	case chunk.Int16:
		return &redTruthK[int16]{op: op, mask: ^int16(0)}
	case chunk.Int32:
		return &redTruthK[int32]{op: op, mask: ^int32(0)}
	case chunk.Int64:
		return &redTruthK[int64]{op: op, mask: ^int64(0)}
	case chunk.Uint16:
		return &redTruthK[uint16]{op: op, mask: ^uint16(0)}
	case chunk.Uint32:
		return &redTruthK[uint32]{op: op, mask: ^uint32(0)}
	case chunk.Uint64:
		return &redTruthK[uint64]{op: op, mask: ^uint64(0)}
	case chunk.Float32:
		return &redTruthK[uint32]{op: op, mask: 1<<31 - 1}
	case chunk.Float64:
		return &redTruthK[uint64]{op: op, mask: 1<<63 - 1}
	}
	panic(fmt.Sprintf("ops: %v of %v", op, in))
}
