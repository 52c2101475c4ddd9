package ops

import (
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
)

// The data-movement kernels (CopyRegion, Transpose, BroadcastTo,
// CopyStrided) all reduce to one engine: a list of axes, each with a length
// and a source and destination stride in elements (a source stride of 0
// broadcasts, a negative one walks backwards). The engine first drops axes
// of length 1 and merges neighbouring axes that are contiguous with each
// other in both buffers, so a copy between two arrays that differ only in
// their leading axes becomes a few long copy() calls. It then walks the
// outer axes with an odometer and runs a tight loop, specialised per element
// size, along the innermost one. When that loop would read the source with
// a large stride while another axis is contiguous in it (a transpose), it
// works in square tiles instead so that both sides stay in cache.

// cpWord is the set of element types the engine moves: one unsigned type per
// element size, since moving bytes never needs the element's meaning.
type cpWord interface {
	uint8 | uint16 | uint32 | uint64
}

// cpLayout describes one strided copy; axes are listed outermost first.
type cpLayout struct {
	rank       int
	n, ss, ds  [chunk.MaxRank]int // length, source stride, destination stride
	sOff, dOff int                // element offsets of the first element
}

// empty reports whether some axis has length 0, so nothing moves.
func (l *cpLayout) empty() bool {
	for i := range l.rank {
		if l.n[i] == 0 {
			return true
		}
	}
	return false
}

// simplify drops axes of length 1 and merges each axis into the next inner
// one when the pair is contiguous in both buffers, which leaves the
// elements visited and their order unchanged.
func (l *cpLayout) simplify() {
	out := 0
	for i := range l.rank {
		n, ss, ds := l.n[i], l.ss[i], l.ds[i]
		if n == 1 {
			continue
		}
		if out > 0 && l.ss[out-1] == ss*n && l.ds[out-1] == ds*n {
			l.n[out-1] *= n
			l.ss[out-1], l.ds[out-1] = ss, ds
			continue
		}
		l.n[out], l.ss[out], l.ds[out] = n, ss, ds
		out++
	}
	l.rank = out
}

// run executes l on byte buffers holding elements of elemSize bytes.
func (l *cpLayout) run(dst, src []byte, elemSize int) {
	if l.empty() {
		return
	}
	l.simplify()
	switch elemSize {
	case 1:
		cpExec(dst, src, l)
	case 2:
		cpExec(chunk.Cast[uint16](dst), chunk.Cast[uint16](src), l)
	case 4:
		cpExec(chunk.Cast[uint32](dst), chunk.Cast[uint32](src), l)
	case 8:
		cpExec(chunk.Cast[uint64](dst), chunk.Cast[uint64](src), l)
	default:
		panic(fmt.Sprintf("ops: element size %d: want 1, 2, 4 or 8", elemSize))
	}
}

// cpTile is the side of the square tiles of the blocked path, in elements.
// Memory latency, not bandwidth, bounds a large transpose: one side is
// always read or written a cache line per row, and the core keeps only so
// many line misses in flight. Tiles of a few hundred KiB, which stay in L2
// while they are copied, measured fastest on a 2000x2000 float64 transpose
// (128: 7 GB/s; 32: 5.5 GB/s; a plain strided loop: 3 GB/s; copy(): 28).
const cpTile = 128

// cpExec runs a simplified, non-empty layout.
func cpExec[T cpWord](dst, src []T, l *cpLayout) {
	if l.rank == 0 {
		dst[l.dOff] = src[l.sOff]
		return
	}
	inner := l.rank - 1
	outer := inner // axes 0..outer-1 are walked by the odometer
	// Tile when the destination is contiguous along the inner axis, the
	// source is not, and some outer axis q is more nearly contiguous in the
	// source: move q next to the inner axis and copy (q, inner) planes in
	// tiles.
	tiled := false
	if l.ds[inner] == 1 && l.n[inner] >= 4 {
		q, best := -1, cpAbs(l.ss[inner])
		for i := range inner {
			if a := cpAbs(l.ss[i]); a < best && a != 0 && l.n[i] >= 4 {
				q, best = i, a
			}
		}
		if q >= 0 && best < 8 {
			// Iteration order of the outer axes is free: every element has
			// its own destination.
			n, ss, ds := l.n[q], l.ss[q], l.ds[q]
			copy(l.n[q:inner-1], l.n[q+1:inner])
			copy(l.ss[q:inner-1], l.ss[q+1:inner])
			copy(l.ds[q:inner-1], l.ds[q+1:inner])
			l.n[inner-1], l.ss[inner-1], l.ds[inner-1] = n, ss, ds
			tiled = true
			outer = inner - 1
		}
	}
	var idx [chunk.MaxRank]int
	sOff, dOff := l.sOff, l.dOff
	for {
		if tiled {
			q := inner - 1
			cpTile2D(dst, src, dOff, sOff, l.n[inner], l.ss[inner], l.n[q], l.ss[q], l.ds[q])
		} else {
			cpLine(dst, src, dOff, sOff, l.n[inner], l.ss[inner], l.ds[inner])
		}
		i := outer - 1
		for ; i >= 0; i-- {
			idx[i]++
			sOff += l.ss[i]
			dOff += l.ds[i]
			if idx[i] < l.n[i] {
				break
			}
			sOff -= l.n[i] * l.ss[i]
			dOff -= l.n[i] * l.ds[i]
			idx[i] = 0
		}
		if i < 0 {
			return
		}
	}
}

func cpAbs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// cpLine copies n elements from src (stride s) to dst (stride d).
func cpLine[T cpWord](dst, src []T, dOff, sOff, n, s, d int) {
	switch {
	case s == 1 && d == 1:
		copy(dst[dOff:dOff+n], src[sOff:sOff+n])
	case d == 1 && s == 0:
		v := src[sOff]
		row := dst[dOff : dOff+n]
		for j := range row {
			row[j] = v
		}
	case d == 1:
		row := dst[dOff : dOff+n]
		p := sOff
		for j := range row {
			row[j] = src[p]
			p += s
		}
	default:
		p, q := sOff, dOff
		for range n {
			dst[q] = src[p]
			p += s
			q += d
		}
	}
}

// cpTile2D copies the plane dst[dOff + b*dB + a] = src[sOff + a*sA + b*sB]
// for a < nA, b < nB in cpTile x cpTile tiles, each copied as 8x8 blocks
// by cpBlock8; ragged edges go element by element.
func cpTile2D[T cpWord](dst, src []T, dOff, sOff, nA, sA, nB, sB, dB int) {
	for b0 := 0; b0 < nB; b0 += cpTile {
		b1 := min(b0+cpTile, nB)
		for a0 := 0; a0 < nA; a0 += cpTile {
			a1 := min(a0+cpTile, nA)
			b := b0
			for ; b+8 <= b1; b += 8 {
				a := a0
				for ; a+8 <= a1; a += 8 {
					cpBlock8(dst, src, dOff+b*dB+a, sOff+a*sA+b*sB, sA, sB, dB)
				}
				for i := b; i < b+8 && a < a1; i++ {
					cpLine(dst, src, dOff+i*dB+a, sOff+a*sA+i*sB, a1-a, sA, 1)
				}
			}
			for ; b < b1; b++ {
				cpLine(dst, src, dOff+b*dB+a0, sOff+a0*sA+b*sB, a1-a0, sA, 1)
			}
		}
	}
}

// cpBlock8 copies an 8x8 block: dst[d + i*dB + j] = src[s + j*sA + i*sB].
// Each destination row is one store run (a whole cache line for 8-byte
// elements) and the eight loads per row are independent, so the core can
// overlap their misses.
func cpBlock8[T cpWord](dst, src []T, d, s, sA, sB, dB int) {
	for range 8 {
		row := dst[d : d+8 : d+8]
		row[0] = src[s]
		row[1] = src[s+sA]
		row[2] = src[s+2*sA]
		row[3] = src[s+3*sA]
		row[4] = src[s+4*sA]
		row[5] = src[s+5*sA]
		row[6] = src[s+6*sA]
		row[7] = src[s+7*sA]
		d += dB
		s += sB
	}
}

// mvInts formats a shape or index list for a panic message. It formats a
// copy so that the list does not escape: the kernels' callers can keep
// their shapes on the stack.
func mvInts(s []int) string {
	return fmt.Sprint(append([]int(nil), s...))
}

// cpCheckBuf panics unless buf holds exactly an array of shape with
// elements of elemSize bytes.
func cpCheckBuf(op, name string, buf []byte, shape []int, elemSize int) {
	// chunk.CheckShape's error would carry shape itself, making it escape.
	if len(shape) > chunk.MaxRank {
		panic(fmt.Sprintf("ops: %s: %s has %d axes, more than %d", op, name, len(shape), chunk.MaxRank))
	}
	size := 1
	for _, n := range shape {
		if n < 0 {
			panic(fmt.Sprintf("ops: %s: %s shape %s has a negative axis", op, name, mvInts(shape)))
		}
		size *= n
	}
	if want := size * elemSize; len(buf) != want {
		panic(fmt.Sprintf("ops: %s: %s has %d bytes, shape %s of %d-byte elements needs %d", op, name, len(buf), mvInts(shape), elemSize, want))
	}
}

// cpCheckRank panics unless every list has length rank.
func cpCheckRank(op string, rank int, lists ...[]int) {
	for _, l := range lists {
		if len(l) != rank {
			panic(fmt.Sprintf("ops: %s: %s has %d axes, want %d", op, mvInts(l), len(l), rank))
		}
	}
}

// CopyRegion copies a rectangle of the given shape starting at srcStart in
// src (an array of srcShape) to dstStart in dst (an array of dstShape). All
// of dst outside the rectangle is left unchanged. dst and src must not
// overlap.
func CopyRegion(dst []byte, dstShape, dstStart []int, src []byte, srcShape, srcStart []int, shape []int, elemSize int) {
	const op = "CopyRegion"
	rank := len(shape)
	cpCheckRank(op, rank, dstShape, dstStart, srcShape, srcStart)
	cpCheckBuf(op, "dst", dst, dstShape, elemSize)
	cpCheckBuf(op, "src", src, srcShape, elemSize)
	for i := range rank {
		if shape[i] < 0 || srcStart[i] < 0 || dstStart[i] < 0 ||
			srcStart[i]+shape[i] > srcShape[i] || dstStart[i]+shape[i] > dstShape[i] {
			panic(fmt.Sprintf("ops: %s: shape %s at %s of %s to %s of %s is out of bounds", op, mvInts(shape), mvInts(srcStart), mvInts(srcShape), mvInts(dstStart), mvInts(dstShape)))
		}
	}
	var l cpLayout
	l.rank = rank
	ss, ds := 1, 1
	for i := rank - 1; i >= 0; i-- {
		l.n[i], l.ss[i], l.ds[i] = shape[i], ss, ds
		l.sOff += srcStart[i] * ss
		l.dOff += dstStart[i] * ds
		ss *= srcShape[i]
		ds *= dstShape[i]
	}
	l.run(dst, src, elemSize)
}

// Transpose writes into dst the array src (shape srcShape) with its axes
// permuted: axis i of dst is axis perm[i] of src, as numpy.transpose. When
// the last axis moves the copy runs in cache-sized tiles, so a large 2-d
// transpose runs near memory speed. dst and src must not overlap.
func Transpose(dst, src []byte, srcShape, perm []int, elemSize int) {
	const op = "Transpose"
	rank := len(srcShape)
	cpCheckRank(op, rank, perm)
	cpCheckBuf(op, "src", src, srcShape, elemSize)
	var seen [chunk.MaxRank]bool
	for _, p := range perm {
		if p < 0 || p >= rank || seen[p] {
			panic(fmt.Sprintf("ops: %s: %s is not a permutation of %d axes", op, mvInts(perm), rank))
		}
		seen[p] = true
	}
	if len(dst) != len(src) {
		panic(fmt.Sprintf("ops: %s: dst has %d bytes, src %d", op, len(dst), len(src)))
	}
	var sst [chunk.MaxRank]int
	s := 1
	for i := rank - 1; i >= 0; i-- {
		sst[i] = s
		s *= srcShape[i]
	}
	var l cpLayout
	l.rank = rank
	d := 1
	for i := rank - 1; i >= 0; i-- {
		p := perm[i]
		l.n[i], l.ss[i], l.ds[i] = srcShape[p], sst[p], d
		d *= srcShape[p]
	}
	l.run(dst, src, elemSize)
}

// BroadcastTo expands src (shape srcShape, the same rank as dstShape, each
// axis equal to dstShape's or 1) into dst, as numpy.broadcast_to followed
// by a copy.
func BroadcastTo(dst []byte, dstShape []int, src []byte, srcShape []int, elemSize int) {
	const op = "BroadcastTo"
	rank := len(dstShape)
	cpCheckRank(op, rank, srcShape)
	cpCheckBuf(op, "dst", dst, dstShape, elemSize)
	cpCheckBuf(op, "src", src, srcShape, elemSize)
	var l cpLayout
	l.rank = rank
	ss, ds := 1, 1
	for i := rank - 1; i >= 0; i-- {
		switch srcShape[i] {
		case dstShape[i]:
			l.ss[i] = ss
		case 1:
			l.ss[i] = 0
		default:
			panic(fmt.Sprintf("ops: %s: cannot broadcast %s to %s", op, mvInts(srcShape), mvInts(dstShape)))
		}
		l.n[i], l.ds[i] = dstShape[i], ds
		ss *= srcShape[i]
		ds *= dstShape[i]
	}
	l.run(dst, src, elemSize)
}

// CopyStrided gathers dst[j0, j1, ...] = src[start0 + step0*j0, start1 +
// step1*j1, ...] for j < count, the elements of the NumPy basic slice
// src[start0:...:step0, ...]; dst has shape count. Steps may be negative,
// never 0. dst and src must not overlap.
func CopyStrided(dst, src []byte, srcShape, start, step, count []int, elemSize int) {
	const op = "CopyStrided"
	rank := len(srcShape)
	cpCheckRank(op, rank, start, step, count)
	cpCheckBuf(op, "src", src, srcShape, elemSize)
	cpCheckBuf(op, "dst", dst, count, elemSize)
	var l cpLayout
	l.rank = rank
	empty := chunk.Size(count) == 0
	ss, ds := 1, 1
	for i := rank - 1; i >= 0; i-- {
		if step[i] == 0 {
			panic(fmt.Sprintf("ops: %s: step 0 on axis %d", op, i))
		}
		if !empty {
			last := start[i] + step[i]*(count[i]-1)
			if start[i] < 0 || start[i] >= srcShape[i] || last < 0 || last >= srcShape[i] {
				panic(fmt.Sprintf("ops: %s: start %s step %s count %s out of bounds of %s", op, mvInts(start), mvInts(step), mvInts(count), mvInts(srcShape)))
			}
		}
		l.n[i], l.ss[i], l.ds[i] = count[i], step[i]*ss, ds
		l.sOff += start[i] * ss
		ss *= srcShape[i]
		ds *= count[i]
	}
	if empty {
		return
	}
	l.run(dst, src, elemSize)
}
