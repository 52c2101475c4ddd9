// Package exprgen generates random ndarray expressions for property tests:
// random shapes (with zero-length and length-1 axes), random chunkings,
// random leaves of every dtype (with NaN, infinities, -0.0 and extreme
// integers), and random expression trees that mix every operation of the
// ndarray API. Generation is deterministic for a seed, and every
// expression can describe itself for failure messages.
//
// Trees are built top-down from the shape wanted: each operation picks its
// operands' shapes so that it yields that shape (a reduction's operand has
// extra axes, a slice's a longer one, a matmul's the matching inner
// length), so almost every expression is valid by construction; the few
// invalid combinations (dtype rules such as bitwise operations on floats)
// are detected through Array.Err and replaced.
//
// Known bugs worked around (each at its function, to be removed with the
// fix): ops' float64 tan (tanOperand), sin and cos beyond 2^30
// (sinOperand) and float64 power (powExponent) are less accurate than
// NumPy, so their operands are kept to ranges where they are accurate.
package exprgen

import (
	"fmt"
	"math"
	"math/rand"
	"strings"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
)

// Config bounds what a Gen builds.
type Config struct {
	// MaxElems bounds the elements of every array in an expression
	// (default 20000).
	MaxElems int
	// MaxRank bounds the rank of the shapes drawn (default 5).
	MaxRank int
	// MaxBlocks bounds the blocks of every chunking drawn (default 300),
	// which bounds the engine's tasks.
	MaxBlocks int
}

// Gen generates random expressions; it is not safe for concurrent use.
type Gen struct {
	rng    *rand.Rand
	cfg    Config
	seed   int64
	leaves []string
	subs   []Expr
}

// New returns a generator with the default Config.
func New(seed int64) *Gen { return NewConfig(seed, Config{}) }

// NewConfig returns a generator with the given bounds (zero fields take
// their defaults).
func NewConfig(seed int64, cfg Config) *Gen {
	if cfg.MaxElems <= 0 {
		cfg.MaxElems = 20000
	}
	if cfg.MaxRank <= 0 {
		cfg.MaxRank = 5
	}
	if cfg.MaxBlocks <= 0 {
		cfg.MaxBlocks = 300
	}
	return &Gen{rng: rand.New(rand.NewSource(seed)), cfg: cfg, seed: seed}
}

// Expr is a generated array and its description in NumPy-like notation
// over named leaves (see Gen.Leaves).
type Expr struct {
	Array ndarray.Array
	Desc  string
}

// String returns the description.
func (e Expr) String() string { return e.Desc }

// Leaves describes, one per line, the leaves the generator has made so far:
// name, dtype, shape, chunks and data.
func (g *Gen) Leaves() string { return strings.Join(g.leaves, "\n") }

// Report describes e fully: the seed, the leaves and the expression.
func (g *Gen) Report(e Expr) string {
	return fmt.Sprintf("seed %d\nleaves:\n%s\nexpr: %s\nresult: %v", g.seed, g.Leaves(), e.Desc, e.Array)
}

// axisLen draws an axis length: often 1, mostly small, rarely 0.
func (g *Gen) axisLen(rank int) int {
	switch r := g.rng.Intn(40); {
	case r == 0:
		return 0
	case r < 10:
		return 1
	case r < 30:
		return 2 + g.rng.Intn(6)
	case rank <= 2 && r < 38:
		return 8 + g.rng.Intn(60)
	default:
		return 8 + g.rng.Intn(12)
	}
}

// Shape returns a random shape of rank 0..MaxRank and at most MaxElems/4
// elements (leaving room for operands larger than the result).
func (g *Gen) Shape() []int {
	for {
		rank := g.rng.Intn(g.cfg.MaxRank + 1)
		s := make([]int, rank)
		for i := range s {
			s[i] = g.axisLen(rank)
		}
		if chunk.Size(s) <= g.cfg.MaxElems/4 {
			return s
		}
	}
}

// Spec returns a random chunk specification for shape (and dtype dt, for
// the automatic ones): automatic with the default or a tiny byte target,
// regular sizes per axis (with 1, -1 for the whole axis and auto), or
// explicit irregular tuples. It keeps the number of blocks within
// MaxBlocks.
func (g *Gen) Spec(shape []int, dt chunk.DType) chunk.Spec {
	for try := 0; ; try++ {
		var s chunk.Spec
		switch r := g.rng.Intn(10); {
		case try > 20 || r == 0:
			s = chunk.Auto(0)
		case r == 1:
			s = chunk.Auto(int64(8 << g.rng.Intn(10)))
		case r < 6:
			sizes := make([]int, len(shape))
			for i, n := range shape {
				switch c := g.rng.Intn(8); {
				case c == 0:
					sizes[i] = chunk.Whole
				case c == 1:
					sizes[i] = chunk.AutoAxis
				case c == 2:
					sizes[i] = 1
				default:
					sizes[i] = 1 + g.rng.Intn(max(n, 1))
				}
			}
			if len(sizes) > 0 && g.rng.Intn(8) == 0 {
				sizes = sizes[:1] // one size for every axis
				if sizes[0] == chunk.AutoAxis {
					sizes[0] = 2
				}
			}
			s = chunk.Regular(sizes...)
		default:
			s = chunk.Irregular(g.partitions(shape)...)
		}
		gr, err := s.Resolve(shape, dt, nil)
		if err == nil && gr.Len() <= g.cfg.MaxBlocks {
			return s
		}
	}
}

// partitions returns a random partition of each axis into chunks.
func (g *Gen) partitions(shape []int) [][]int {
	out := make([][]int, len(shape))
	for i, n := range shape {
		if n == 0 {
			out[i] = []int{0}
			continue
		}
		var cs []int
		left := n
		for left > 0 {
			c := 1 + g.rng.Intn(left)
			if g.rng.Intn(3) == 0 {
				c = 1 + g.rng.Intn(min(left, 3))
			}
			cs = append(cs, c)
			left -= c
		}
		out[i] = cs
	}
	return out
}

// partitionInto splits n into exactly k positive parts (k <= n).
func (g *Gen) partitionInto(n, k int) []int {
	cs := make([]int, k)
	for i := range cs {
		cs[i] = 1
	}
	for left := n - k; left > 0; left-- {
		cs[g.rng.Intn(k)]++
	}
	return cs
}

// Leaf returns a random leaf of the given shape: data from a slice,
// counter-based random numbers, a range, a linspace or a constant.
func (g *Gen) Leaf(shape []int) Expr {
	dt := g.DType()
	return g.leafOf(dt, shape)
}

// leafOf returns a random leaf of the given dtype and shape and records
// its description.
func (g *Gen) leafOf(dt chunk.DType, shape []int) Expr {
	spec := g.Spec(shape, dt)
	name := fmt.Sprintf("x%d", len(g.leaves))
	var a ndarray.Array
	var what string
	n := chunk.Size(shape)
	switch r := g.rng.Intn(20); {
	case r < 11:
		var data string
		a, data = g.randomData(dt, shape, spec)
		what = "from_slice " + data
	case r < 14 && dt.IsFloat():
		seed := g.rng.Uint64() % 1000
		if g.rng.Intn(2) == 0 {
			a = ndarray.RandomUniform(seed, shape, dt, spec)
			what = fmt.Sprintf("random_uniform(seed=%d)", seed)
		} else {
			a = ndarray.RandomNormal(seed, shape, dt, spec)
			what = fmt.Sprintf("random_normal(seed=%d)", seed)
		}
	case r < 17:
		// A range over the flat index, reshaped (ranges are 1-D).
		start, step := float64(g.rng.Intn(21)-10), float64(g.rng.Intn(7)-3)
		if step == 0 {
			step = 1
		}
		if dt.IsFloat() && g.rng.Intn(2) == 0 {
			start += 0.25
			step *= 0.1
		}
		if dt.IsUnsigned() && step < 0 {
			start = float64(n) * -step
		}
		stop := start + step*float64(n)
		if int(math.Max(math.Ceil((stop-start)/step), 0)) != n {
			// Rounding of (stop-start)/step adds or drops an element;
			// use an exact integer count instead.
			start, stop, step = 0, float64(n), 1
		}
		flatSpec := g.Spec([]int{n}, dt)
		a = ndarray.Arange(start, stop, step, dt, flatSpec)
		a = a.Reshape(shape...).Rechunk(spec)
		what = fmt.Sprintf("arange(%v, %v, %v, chunks %s).reshape(%v)", start, stop, step, flatSpec, shape)
	case r < 18:
		start, stop := float64(g.rng.Intn(11)-5), float64(g.rng.Intn(11)-5)
		if dt.IsUnsigned() {
			start, stop = max(start, -start), max(stop, -stop)
		}
		endpoint := g.rng.Intn(2) == 0
		flatSpec := g.Spec([]int{n}, dt)
		a = ndarray.Linspace(start, stop, n, endpoint, dt, flatSpec).Reshape(shape...).Rechunk(spec)
		what = fmt.Sprintf("linspace(%v, %v, %d, endpoint=%v, chunks %s).reshape(%v)", start, stop, n, endpoint, flatSpec, shape)
	default:
		var v float64
		if dt.IsFloat() {
			v = g.floatValue(profSpecial, 1)
		} else {
			v = float64(int64(g.intValue(dt, profSmall)))
		}
		a = ndarray.Full(dt, shape, v, spec)
		what = fmt.Sprintf("full(%v)", v)
	}
	g.leaves = append(g.leaves, fmt.Sprintf("%s = %s %v chunks %s: %s", name, dt, shape, spec, what))
	return Expr{Array: a, Desc: name}
}
