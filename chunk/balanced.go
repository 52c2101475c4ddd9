package chunk

import (
	"math"
)

// Balanced returns a storage chunk shape for an array of the given shape
// and element size that holds at most targetBytes (when one element fits)
// and balances the two commonest ways gridded data are read: a series
// along the first axis at one point (a time series, var[:, y, x]) and a
// slice across the other axes at one index (a map, var[t, :, :]). Both
// touch about the same number of chunks.
//
// For rank 3 it is Russ Rew's chunk_shape_3D (Unidata, "Chunking Data:
// Choosing Shapes", 2013): with N = size/targetElems chunks in all and
// a = N^(1/4), the first axis is cut into a² chunks and each other axis
// into a, so a series and a slice both read a² chunks; axes shorter than
// their share take chunk length 1 and the others shrink to compensate; then
// of the 2^rank shapes made by adding 1 to some lengths of that floor, the
// largest one that still fits targetBytes wins.
//
// Other ranks generalise the same balance. With m = rank-1 trailing axes
// cut into a chunks each and the first into a^m, a series reads a^m chunks
// and a slice a^m too, so a = N^(1/(2m)). Rank 2 (time, station) cuts both
// axes into √N; rank 1 takes targetBytes-long chunks; rank 0 has no chunks
// (nil). The result never exceeds the shape and has no zero lengths (an
// empty axis gets length 1).
func Balanced(shape []int, elemSize int, targetBytes int64) []int {
	rank := len(shape)
	if rank == 0 {
		return nil
	}
	elemSize = max(elemSize, 1)
	targetElems := math.Max(1, math.Floor(float64(max(targetBytes, 1))/float64(elemSize)))
	lens := make([]float64, rank)
	total := 1.0
	for i, n := range shape {
		lens[i] = float64(max(n, 1))
		total *= lens[i]
	}
	floor := make([]float64, rank)
	switch {
	case total <= targetElems:
		// The whole array fits one chunk.
		copy(floor, lens)
	case rank == 1:
		floor[0] = targetElems
	default:
		m := float64(rank - 1)
		numChunks := total / targetElems
		a := math.Pow(numChunks, 1/(2*m)) // chunks along each trailing axis
		first := math.Pow(a, m)           // chunks along the first axis
		if lens[0]/first < 1 {
			// The first axis is too short for its share: one element per
			// chunk along it, and the trailing axes share what is left so
			// the chunk count stays numChunks.
			floor[0] = 1
			a = math.Pow(numChunks/lens[0], 1/m)
		} else {
			floor[0] = math.Floor(lens[0] / first)
		}
		// Trailing axes shorter than a take length 1, which makes their
		// chunks longer than their share; the other trailing axes are cut
		// into more chunks to compensate, so the chunk stays near the
		// target. (Rew's script lengthens them instead, which overshoots
		// the target whenever an axis is short.)
		want := math.Pow(a, m) // chunks across the trailing axes
		short := 1.0
		long := 0
		for i := 1; i < rank; i++ {
			if lens[i]/a < 1 {
				short *= lens[i]
			} else {
				long++
			}
		}
		perLong := a
		if long > 0 && short > 1 {
			perLong = math.Pow(math.Max(want/short, 1), 1/float64(long))
		}
		for i := 1; i < rank; i++ {
			if lens[i]/a < 1 {
				floor[i] = 1
			} else {
				floor[i] = math.Max(1, math.Floor(lens[i]/perLong))
			}
		}
	}
	for i := range floor {
		floor[i] = math.Min(math.Max(floor[i], 1), lens[i])
	}
	best := append([]float64(nil), floor...)
	bestElems := 0.0
	try := func(cand []float64) {
		e := 1.0
		for i, c := range cand {
			e *= math.Min(c, lens[i])
		}
		if e > bestElems && e <= targetElems {
			bestElems = e
			copy(best, cand)
		}
	}
	// Rew's brute force over the 2^rank ways of adding one to some lengths;
	// beyond a dozen axes, greedily one axis at a time.
	cand := make([]float64, rank)
	if rank <= 12 {
		for bits := 0; bits < 1<<rank; bits++ {
			for i := range cand {
				cand[i] = math.Min(floor[i]+float64(bits>>(rank-1-i)&1), lens[i])
			}
			try(cand)
		}
	} else {
		copy(cand, floor)
		try(cand)
		for i := range cand {
			cand[i] = math.Min(cand[i]+1, lens[i])
			try(cand)
			copy(cand, best)
		}
	}
	out := make([]int, rank)
	for i, c := range best {
		out[i] = int(c)
	}
	return out
}
