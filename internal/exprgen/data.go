package exprgen

import (
	"fmt"
	"math"
	"strings"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
)

// dtypeWeights biases leaves toward float64, the most common dtype, while
// keeping every dtype frequent enough to be exercised in every run.
var dtypeWeights = []struct {
	dt chunk.DType
	w  int
}{
	{chunk.Float64, 8}, {chunk.Float32, 4}, {chunk.Int64, 3}, {chunk.Int32, 2},
	{chunk.Int16, 1}, {chunk.Int8, 2}, {chunk.Uint8, 2}, {chunk.Uint16, 1},
	{chunk.Uint32, 1}, {chunk.Uint64, 2}, {chunk.Bool, 3},
}

// DType returns a random dtype.
func (g *Gen) DType() chunk.DType {
	total := 0
	for _, d := range dtypeWeights {
		total += d.w
	}
	r := g.rng.Intn(total)
	for _, d := range dtypeWeights {
		if r < d.w {
			return d.dt
		}
		r -= d.w
	}
	return chunk.Float64
}

// floatSpecials are the float values boundary bugs hide behind.
var floatSpecials = []float64{
	math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, 1, -1, 0.5, -0.5, 1.5, 2.5,
	math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, 0x1p-1022, 1e300, -1e300, 1e-300,
	math.MaxFloat32, 1e38, 1e-40, 0x1p53, 0x1p63, -0x1p63, 0x1p64, 300.7, -1.5, 1e10,
}

// profile chooses how a leaf's data is drawn.
type profile uint8

const (
	profNormal  profile = iota // smooth values (normal, scaled)
	profSmall                  // small integers, so ties and exact sums are common
	profSpecial                // mostly normal with frequent special values
	profExtreme                // the dtype's whole range
)

// profile draws a data profile for a leaf.
func (g *Gen) profile() profile {
	switch r := g.rng.Intn(20); {
	case r < 7:
		return profNormal
	case r < 13:
		return profSmall
	case r < 17:
		return profSpecial
	default:
		return profExtreme
	}
}

// floatValue draws a float for profile p.
func (g *Gen) floatValue(p profile, scale float64) float64 {
	switch p {
	case profSmall:
		return float64(g.rng.Intn(9) - 4)
	case profSpecial:
		if g.rng.Intn(4) == 0 {
			return floatSpecials[g.rng.Intn(len(floatSpecials))]
		}
	case profExtreme:
		switch g.rng.Intn(4) {
		case 0:
			return floatSpecials[g.rng.Intn(len(floatSpecials))]
		case 1:
			return math.Ldexp(g.rng.Float64(), g.rng.Intn(2100)-1070) * float64(1-2*g.rng.Intn(2))
		}
	}
	return g.rng.NormFloat64() * scale
}

// intRange returns the smallest and largest values of an integer dtype as
// int64 bit patterns (uint64 max is -1).
func intLimits(dt chunk.DType) (lo int64, hi uint64) {
	switch dt {
	case chunk.Int8:
		return math.MinInt8, math.MaxInt8
	case chunk.Int16:
		return math.MinInt16, math.MaxInt16
	case chunk.Int32:
		return math.MinInt32, math.MaxInt32
	case chunk.Int64:
		return math.MinInt64, math.MaxInt64
	case chunk.Uint8:
		return 0, math.MaxUint8
	case chunk.Uint16:
		return 0, math.MaxUint16
	case chunk.Uint32:
		return 0, math.MaxUint32
	case chunk.Uint64:
		return 0, math.MaxUint64
	}
	return 0, 1
}

// intValue draws an integer of dtype dt for profile p, as a uint64 bit
// pattern (sign-extended for signed types).
func (g *Gen) intValue(dt chunk.DType, p profile) uint64 {
	lo, hi := intLimits(dt)
	switch p {
	case profExtreme:
		switch g.rng.Intn(4) {
		case 0:
			return uint64(lo)
		case 1:
			return hi
		}
		v := g.rng.Uint64()
		if dt.IsSigned() {
			bits := uint(dt.Size() * 8)
			return uint64(int64(v<<(64-bits)) >> (64 - bits))
		}
		if hi == math.MaxUint64 {
			return v
		}
		return v % (hi + 1)
	case profNormal:
		v := int64(g.rng.NormFloat64() * 20)
		if dt.IsUnsigned() {
			v = max(v, -v)
		}
		if v < lo || (v > 0 && uint64(v) > hi) {
			v = 0
		}
		return uint64(v)
	}
	v := int64(g.rng.Intn(9) - 4)
	if dt.IsUnsigned() {
		v = max(v, -v)
	}
	return uint64(v)
}

// randomData returns a leaf of random values of dt and shape, and a short
// description of the data.
func (g *Gen) randomData(dt chunk.DType, shape []int, spec chunk.Spec) (ndarray.Array, string) {
	n := chunk.Size(shape)
	p := g.profile()
	scale := []float64{1, 1, 10, 1e3, 1e-3}[g.rng.Intn(5)]
	var vals []string
	note := func(s string) {
		if len(vals) < 24 {
			vals = append(vals, s)
		} else if len(vals) == 24 {
			vals = append(vals, "...")
		}
	}
	var a ndarray.Array
	switch dt {
	case chunk.Float64:
		d := make([]float64, n)
		for i := range d {
			d[i] = g.floatValue(p, scale)
			note(fmt.Sprint(d[i]))
		}
		a = ndarray.FromSlice(d, shape, spec)
	case chunk.Float32:
		d := make([]float32, n)
		for i := range d {
			d[i] = float32(g.floatValue(p, scale))
			note(fmt.Sprint(d[i]))
		}
		a = ndarray.FromSlice(d, shape, spec)
	case chunk.Bool:
		d := make([]bool, n)
		for i := range d {
			d[i] = g.rng.Intn(2) == 1
			note(fmt.Sprint(d[i]))
		}
		a = ndarray.FromSlice(d, shape, spec)
	case chunk.Int8:
		a = intSlice[int8](g, dt, p, shape, spec, note)
	case chunk.Int16:
		a = intSlice[int16](g, dt, p, shape, spec, note)
	case chunk.Int32:
		a = intSlice[int32](g, dt, p, shape, spec, note)
	case chunk.Int64:
		a = intSlice[int64](g, dt, p, shape, spec, note)
	case chunk.Uint8:
		a = intSlice[uint8](g, dt, p, shape, spec, note)
	case chunk.Uint16:
		a = intSlice[uint16](g, dt, p, shape, spec, note)
	case chunk.Uint32:
		a = intSlice[uint32](g, dt, p, shape, spec, note)
	default:
		a = intSlice[uint64](g, dt, p, shape, spec, note)
	}
	return a, "[" + strings.Join(vals, " ") + "]"
}

// intSlice returns a FromSlice leaf of random integers of dtype dt.
func intSlice[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64](g *Gen, dt chunk.DType, p profile, shape []int, spec chunk.Spec, note func(string)) ndarray.Array {
	d := make([]T, chunk.Size(shape))
	for i := range d {
		d[i] = T(g.intValue(dt, p))
		note(fmt.Sprint(d[i]))
	}
	return ndarray.FromSlice(d, shape, spec)
}
