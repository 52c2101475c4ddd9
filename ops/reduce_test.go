package ops

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
)

var redtOps = []ReduceOp{Sum, Prod, Mean, Var, Std, Min, Max, ArgMin, ArgMax, Any, All, CountNonzero,
	NanSum, NanProd, NanMean, NanVar, NanStd, NanMin, NanMax}

// Tolerances of the randomized comparison against the exact reference.
const (
	// redtTolSum bounds the error of a float64 sum (and mean) relative to
	// the sum of the magnitudes of the terms: pairwise runs, short
	// column sums and a compensated fold stay far inside it.
	redtTolSum = 1e-13
	// redtTolVar bounds the relative error of a variance; the test data's
	// mean is at most a few standard deviations, so two-pass plus Chan's
	// update lose only a few digits beyond this.
	redtTolVar = 1e-10
	// redtTolProd bounds the relative error of a float64 product per
	// factor (each multiply rounds once, in whatever order).
	redtTolProd = 1e-15
	// redtTolF32 is the relative rounding of a result converted to float32.
	redtTolF32 = 1.2e-7
)

func TestReduceNames(t *testing.T) {
	want := []string{"sum", "prod", "mean", "var", "std", "min", "max", "argmin", "argmax", "any", "all",
		"count_nonzero", "nansum", "nanprod", "nanmean", "nanvar", "nanstd", "nanmin", "nanmax"}
	for i, op := range redtOps {
		if op.String() != want[i] {
			t.Errorf("%d.String() = %q, want %q", op, op.String(), want[i])
		}
		if got, ok := ParseReduce(" " + want[i] + " "); !ok || got != op {
			t.Errorf("ParseReduce(%q) = %v, %v", want[i], got, ok)
		}
	}
	for name, op := range map[string]ReduceOp{"amin": Min, "AMAX": Max, "NanMean": NanMean} {
		if got, ok := ParseReduce(name); !ok || got != op {
			t.Errorf("ParseReduce(%q) = %v, %v, want %v", name, got, ok, op)
		}
	}
	for _, name := range []string{"", "average", "cumsum", "argmin2"} {
		if _, ok := ParseReduce(name); ok {
			t.Errorf("ParseReduce(%q) succeeded", name)
		}
	}
	if s := ReduceOp(0).String(); s != "ReduceOp(0)" {
		t.Errorf("ReduceOp(0).String() = %q", s)
	}
	if CumSum.String() != "cumsum" || CumProd.String() != "cumprod" || ScanOp(9).String() != "ScanOp(9)" {
		t.Errorf("ScanOp names: %v %v %v", CumSum, CumProd, ScanOp(9))
	}
}

func TestReduceTypes(t *testing.T) {
	// from numpy 1.24.2:
	// [np.asarray(getattr(np, f)(np.ones(3, dtype=d))).dtype.name for d in
	//  ['bool','int8','int16','int32','int64','uint8','uint16','uint32','uint64','float32','float64']]
	i64, u64, f32, f64 := "int64", "uint64", "float32", "float64"
	sum := []string{i64, i64, i64, i64, i64, u64, u64, u64, u64, f32, f64}
	mean := []string{f64, f64, f64, f64, f64, f64, f64, f64, f64, f32, f64}
	same := []string{"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", f32, f64}
	all64 := []string{i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64}
	bools := []string{"bool", "bool", "bool", "bool", "bool", "bool", "bool", "bool", "bool", "bool", "bool"}
	want := map[ReduceOp][]string{
		Sum: sum, Prod: sum, NanSum: sum, NanProd: sum,
		Mean: mean, Var: mean, Std: mean, NanMean: mean, NanVar: mean, NanStd: mean,
		Min: same, Max: same, NanMin: same, NanMax: same,
		ArgMin: all64, ArgMax: all64, CountNonzero: all64, Any: bools, All: bools,
	}
	for _, op := range redtOps {
		for i, dt := range chunk.DTypes {
			got, err := ReduceTypes(op, dt)
			if err != nil || got.String() != want[op][i] {
				t.Errorf("ReduceTypes(%v, %v) = %v, %v, want %s", op, dt, got, err, want[op][i])
			}
		}
	}
	if _, err := ReduceTypes(Sum, chunk.Invalid); !errors.Is(err, chunk.ErrDType) {
		t.Errorf("ReduceTypes(sum, invalid) error %v", err)
	}
	if _, err := ReduceTypes(ReduceOp(0), chunk.Float64); !errors.Is(err, chunk.ErrUnsupported) {
		t.Errorf("ReduceTypes(0, float64) error %v", err)
	}
	if _, err := NewReducer(Sum, chunk.Float64, []bool{true}, []int{2, 3}, 0); !errors.Is(err, chunk.ErrShape) {
		t.Errorf("NewReducer with a short mask: error %v", err)
	}
	if _, err := NewReducer(Sum, chunk.Float64, []bool{true}, []int{-1}, 0); err == nil {
		t.Error("NewReducer with a negative extent: no error")
	}
	if _, err := NewReducer(Mean, chunk.Invalid, []bool{true}, []int{2}, 0); !errors.Is(err, chunk.ErrDType) {
		t.Errorf("NewReducer of an invalid dtype: error %v", err)
	}
}

func TestReduceHasIdentity(t *testing.T) {
	// from numpy 1.24.2: np.<op>(np.zeros(0)) raises ValueError for
	// min, max, nanmin, nanmax ("zero-size array to reduction operation
	// fmin which has no identity"), argmin and argmax; the others return
	// 0, 1, nan, False, True or 0.
	none := map[ReduceOp]bool{Min: true, Max: true, ArgMin: true, ArgMax: true, NanMin: true, NanMax: true}
	for _, op := range redtOps {
		if HasIdentity(op) == none[op] {
			t.Errorf("HasIdentity(%v) = %v", op, HasIdentity(op))
		}
	}
	if HasIdentity(ReduceOp(0)) {
		t.Error("HasIdentity(0) = true")
	}
}

func TestReducePartialBytes(t *testing.T) {
	alloc := chunk.NewAllocator(0)
	for _, op := range redtOps {
		for _, dt := range chunk.DTypes {
			for _, n := range []int{0, 1, 3, 5, 17} {
				r, err := NewReducer(op, dt, []bool{false, true}, []int{n, 4}, 1)
				if err != nil {
					t.Fatal(err)
				}
				p := r.NewPartial(alloc, []int{n, 1})
				if got, want := p.Bytes(), PartialBytes(op, dt, n); got != want {
					t.Errorf("%v of %v, n=%d: Bytes() = %d, PartialBytes = %d", op, dt, n, got, want)
				}
				if n == 3 && p.Bytes()%8 != 0 {
					t.Errorf("%v of %v: %d bytes, not a multiple of 8", op, dt, p.Bytes())
				}
				p.Release()
			}
		}
	}
	if live := alloc.Stats().Live; live != 0 {
		t.Errorf("%d bytes live after releasing every partial", live)
	}
}

// redtCase is one randomized reduction.
type redtCase struct {
	op      ReduceOp
	dt      chunk.DType
	shape   []int
	reduced []bool
	ddof    int
	data    []byte
}

func (c *redtCase) String() string {
	return fmt.Sprintf("%v of %v%v reduced %v ddof %d", c.op, c.dt, c.shape, c.reduced, c.ddof)
}

// redtCuts splits n into random consecutive pieces of length >= 1, or one
// empty piece when n is 0.
func redtCuts(rng *rand.Rand, n int) []int {
	if n == 0 {
		return []int{0}
	}
	var cuts []int
	for n > 0 {
		k := 1 + rng.IntN(n)
		if rng.IntN(3) == 0 {
			k = n // often take the rest, so whole-axis pieces are common
		}
		cuts = append(cuts, k)
		n -= k
	}
	return cuts
}

// redtStarts returns the start of each piece.
func redtStarts(sizes []int) []int {
	s := make([]int, len(sizes))
	for i := 1; i < len(sizes); i++ {
		s[i] = s[i-1] + sizes[i-1]
	}
	return s
}

// redtEach calls f with every multi-index of shape, in row-major order.
func redtEach(shape []int, f func(idx []int)) {
	if chunk.Size(shape) == 0 {
		return
	}
	idx := make([]int, len(shape))
	for {
		f(idx)
		a := len(shape) - 1
		for ; a >= 0; a-- {
			idx[a]++
			if idx[a] < shape[a] {
				break
			}
			idx[a] = 0
		}
		if a < 0 {
			return
		}
	}
}

// redtFlat returns the row-major flat index of idx in shape.
func redtFlat(shape, idx []int) int {
	f := 0
	for a, n := range shape {
		f = f*n + idx[a]
	}
	return f
}

// redtExtract copies the region (start, size) of a row-major array into a
// new contiguous buffer.
func redtExtract(data []byte, dt chunk.DType, shape, start, size []int) []byte {
	es := dt.Size()
	out := make([]byte, 0, chunk.Size(size)*es)
	g := make([]int, len(shape))
	redtEach(size, func(idx []int) {
		for a := range idx {
			g[a] = start[a] + idx[a]
		}
		f := redtFlat(shape, g)
		out = append(out, data[f*es:(f+1)*es]...)
	})
	return redtAligned(out)
}

// redtAligned copies b into an 8-byte aligned buffer, as kernels expect.
func redtAligned(b []byte) []byte {
	w := make([]uint64, (len(b)+7)/8)
	out := chunk.AsBytes(w)
	if out == nil {
		return []byte{}
	}
	out = out[:len(b)]
	copy(out, b)
	return out
}

// redtMerge combines partials (in combination order) along a random tree.
func redtMerge(r *Reducer, ps []*Partial, rng *rand.Rand) *Partial {
	if len(ps) == 1 {
		return ps[0]
	}
	k := 1 + rng.IntN(len(ps)-1)
	a, b := redtMerge(r, ps[:k], rng), redtMerge(r, ps[k:], rng)
	r.Merge(a, b)
	b.Release()
	return a
}

// redtCompute runs c as the engine does: a random block partition, each
// block folded tile by tile (random tiles, row-major order) into a
// Partial, the partials of each output block merged in row-major block
// order along a random tree, and finalized. The result has c.shape with the
// reduced axes of length 1.
func redtCompute(t *testing.T, c *redtCase, rng *rand.Rand) []byte {
	t.Helper()
	r, err := NewReducer(c.op, c.dt, c.reduced, c.shape, c.ddof)
	if err != nil {
		t.Fatal(err)
	}
	rank := len(c.shape)
	alloc := chunk.NewAllocator(0)
	bsizes := make([][]int, rank)
	bstarts := make([][]int, rank)
	nblocks := make([]int, rank)
	for a, n := range c.shape {
		bsizes[a] = redtCuts(rng, n)
		bstarts[a] = redtStarts(bsizes[a])
		nblocks[a] = len(bsizes[a])
	}
	outShape := append([]int(nil), c.shape...)
	keptBlocks := append([]int(nil), nblocks...)
	for a, red := range c.reduced {
		if red {
			outShape[a], keptBlocks[a] = 1, 1
		}
	}
	groups := make([][]*Partial, chunk.Size(keptBlocks))
	redtEach(nblocks, func(bi []int) {
		bstart, bshape, pshape, kb := make([]int, rank), make([]int, rank), make([]int, rank), make([]int, rank)
		for a := range bi {
			bstart[a], bshape[a], pshape[a], kb[a] = bstarts[a][bi[a]], bsizes[a][bi[a]], bsizes[a][bi[a]], bi[a]
			if c.reduced[a] {
				pshape[a], kb[a] = 1, 0
			}
		}
		p := r.NewPartial(alloc, pshape)
		tsizes, tstarts, ntiles := make([][]int, rank), make([][]int, rank), make([]int, rank)
		for a := range bshape {
			tsizes[a] = redtCuts(rng, bshape[a])
			tstarts[a] = redtStarts(tsizes[a])
			ntiles[a] = len(tsizes[a])
		}
		redtEach(ntiles, func(ti []int) {
			tshape, toff, tglob := make([]int, rank), make([]int, rank), make([]int, rank)
			for a := range ti {
				tshape[a], toff[a] = tsizes[a][ti[a]], tstarts[a][ti[a]]
				tglob[a] = bstart[a] + toff[a]
				if c.reduced[a] {
					toff[a] = -1 // ignored on reduced axes
				}
			}
			x := redtExtract(c.data, c.dt, c.shape, tglob, tshape)
			r.Accumulate(p, x, Tile{Shape: tshape, Offset: toff, Global: tglob})
		})
		g := redtFlat(keptBlocks, kb)
		groups[g] = append(groups[g], p)
	})
	es := r.OutDType().Size()
	out := make([]byte, chunk.Size(outShape)*es)
	redtEach(keptBlocks, func(kb []int) {
		p := redtMerge(r, groups[redtFlat(keptBlocks, kb)], rng)
		buf := redtAligned(make([]byte, chunk.Size(p.Shape)*es))
		r.Finalize(buf, p)
		start := make([]int, rank)
		for a := range kb {
			start[a] = bstarts[a][kb[a]]
			if c.reduced[a] {
				start[a] = 0
			}
		}
		i := 0
		g := make([]int, rank)
		redtEach(p.Shape, func(idx []int) {
			for a := range idx {
				g[a] = start[a] + idx[a]
			}
			f := redtFlat(outShape, g)
			copy(out[f*es:(f+1)*es], buf[i*es:(i+1)*es])
			i++
		})
		p.Release()
	})
	if live := alloc.Stats().Live; live != 0 {
		t.Fatalf("%v: %d bytes live after releasing every partial", c, live)
	}
	return out
}

// redtGroup is the input of one output element, in row-major order over
// the reduced axes.
type redtGroup struct {
	f   []float64 // values as float64
	u   []uint64  // integer values, sign-extended
	idx []int64   // flat index over the reduced axes
}

// redtGroups gathers the groups of every output element, row-major.
func redtGroups(c *redtCase) []redtGroup {
	rank := len(c.shape)
	outShape := append([]int(nil), c.shape...)
	var redShape []int
	var redAxes []int
	for a, red := range c.reduced {
		if red {
			outShape[a] = 1
			redShape = append(redShape, c.shape[a])
			redAxes = append(redAxes, a)
		}
	}
	var groups []redtGroup
	g := make([]int, rank)
	redtEach(outShape, func(o []int) {
		var gr redtGroup
		emit := func(ri []int) {
			copy(g, o)
			for k, a := range redAxes {
				g[a] = ri[k]
			}
			f := redtFlat(c.shape, g)
			gr.f = append(gr.f, chunk.LoadFloat64(c.dt, c.data, f))
			gr.u = append(gr.u, redtLoadBits(c.dt, c.data, f))
			gr.idx = append(gr.idx, int64(redtFlat(redShape, ri)))
		}
		if len(redShape) == 0 {
			emit(nil)
		} else {
			redtEach(redShape, emit)
		}
		groups = append(groups, gr)
	})
	return groups
}

// redtLoadBits reads element i of an integer or bool buffer, sign-extended
// to 64 bits.
func redtLoadBits(dt chunk.DType, data []byte, i int) uint64 {
	switch dt {
	case chunk.Int8:
		return uint64(chunk.Cast[int8](data)[i])
	case chunk.Int16:
		return uint64(chunk.Cast[int16](data)[i])
	case chunk.Int32:
		return uint64(chunk.Cast[int32](data)[i])
	case chunk.Int64:
		return uint64(chunk.Cast[int64](data)[i])
	case chunk.Uint16:
		return uint64(chunk.Cast[uint16](data)[i])
	case chunk.Uint32:
		return uint64(chunk.Cast[uint32](data)[i])
	case chunk.Uint64:
		return chunk.Cast[uint64](data)[i]
	case chunk.Bool, chunk.Uint8:
		return uint64(data[i])
	}
	return 0
}

// redtWant is the reference result of one output element: exact bits
// (u, or f compared bit for bit with NaN equal to NaN) when tol is 0, else
// f within tol.
type redtWant struct {
	f   float64
	u   uint64
	tol float64
}

// redtExactSum returns the sum of v rounded once from the exact value (or
// its NaN or infinite value), and the sum of the magnitudes.
func redtExactSum(v []float64) (float64, float64) {
	var pinf, ninf, nan bool
	acc := new(big.Float).SetPrec(2200)
	abs := 0.0
	for _, x := range v {
		switch {
		case math.IsNaN(x):
			nan = true
		case math.IsInf(x, 1):
			pinf = true
		case math.IsInf(x, -1):
			ninf = true
		default:
			acc.Add(acc, new(big.Float).SetFloat64(x))
			abs += math.Abs(x)
		}
	}
	switch {
	case nan || pinf && ninf:
		return math.NaN(), abs
	case pinf:
		return math.Inf(1), abs
	case ninf:
		return math.Inf(-1), abs
	}
	s, _ := acc.Float64()
	return s, abs
}

// redtNonNaN returns v without its NaN.
func redtNonNaN(v []float64) []float64 {
	var out []float64
	for _, x := range v {
		if !math.IsNaN(x) {
			out = append(out, x)
		}
	}
	return out
}

// redtRef computes the reference result of every output element of c.
func redtRef(c *redtCase) []redtWant {
	isFloat := c.dt.IsFloat()
	nanOp := redIsNan(c.op) && isFloat
	out, _ := ReduceTypes(c.op, c.dt)
	var wants []redtWant
	for _, g := range redtGroups(c) {
		vals := g.f
		if nanOp {
			vals = redtNonNaN(vals)
		}
		var w redtWant
		switch c.op {
		case Sum, NanSum:
			if !isFloat {
				for _, u := range g.u {
					w.u += u
				}
				break
			}
			s, abs := redtExactSum(vals)
			w.f, w.tol = s, redtTolSum*abs+math.SmallestNonzeroFloat64
		case Prod, NanProd:
			if !isFloat {
				w.u = 1
				for _, u := range g.u {
					w.u *= u
				}
				break
			}
			p := 1.0
			for _, x := range vals {
				p *= x
			}
			w.f, w.tol = p, redtTolProd*float64(len(vals)+1)*math.Abs(p)+math.SmallestNonzeroFloat64
		case Mean, NanMean:
			s, abs := redtExactSum(vals)
			n := float64(len(vals))
			w.f, w.tol = s/n, (redtTolSum*abs+math.SmallestNonzeroFloat64)/n
		case Var, Std, NanVar, NanStd:
			w.f, w.tol = redtVar(vals, c.ddof, nanOp)
			if c.op == Std || c.op == NanStd {
				w.f = math.Sqrt(w.f)
				w.tol = w.tol / 2 // relative error halves under sqrt
			}
			w.tol *= math.Abs(w.f)
			w.tol += math.SmallestNonzeroFloat64
		case Min, Max, NanMin, NanMax:
			if !isFloat {
				w.u = g.u[0]
				for _, u := range g.u[1:] {
					if redtLess(c.dt, u, w.u) == (c.op == Min || c.op == NanMin) && u != w.u {
						w.u = u
					}
				}
				break
			}
			w.f = math.NaN()
			if len(vals) > 0 {
				w.f = vals[0]
				for _, x := range vals[1:] {
					if c.op == Min || c.op == NanMin {
						w.f = min(w.f, x)
					} else {
						w.f = max(w.f, x)
					}
				}
			}
		case ArgMin, ArgMax:
			best := 0
			for i := range g.f {
				if isFloat {
					if math.IsNaN(g.f[best]) {
						break
					}
					if math.IsNaN(g.f[i]) || (c.op == ArgMax && g.f[i] > g.f[best]) || (c.op == ArgMin && g.f[i] < g.f[best]) {
						best = i
					}
					continue
				}
				if g.u[i] != g.u[best] && redtLess(c.dt, g.u[best], g.u[i]) == (c.op == ArgMax) {
					best = i
				}
			}
			w.u = uint64(g.idx[best])
		case Any, All, CountNonzero:
			n := 0
			for _, x := range g.f {
				if x != 0 {
					n++
				}
			}
			switch c.op {
			case Any:
				w.u = redtB2u(n > 0)
			case All:
				w.u = redtB2u(n == len(g.f))
			default:
				w.u = uint64(n)
			}
		}
		if out == chunk.Float32 && w.tol != 0 {
			w.f = float64(float32(w.f))
			w.tol += redtTolF32 * math.Abs(w.f)
		}
		wants = append(wants, w)
	}
	return wants
}

func redtB2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// redtLess orders sign-extended integers of dtype dt.
func redtLess(dt chunk.DType, a, b uint64) bool {
	if dt.IsSigned() {
		return int64(a) < int64(b)
	}
	return a < b
}

// redtVar returns the exact-ish variance of v (two passes over exact sums)
// with NumPy's ddof rules, and its relative tolerance.
func redtVar(v []float64, ddof int, nanOp bool) (float64, float64) {
	n := len(v)
	if n == 0 {
		return math.NaN(), 0
	}
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return math.NaN(), 0
		}
	}
	s, _ := redtExactSum(v)
	mean := s / float64(n)
	acc := new(big.Float).SetPrec(2200)
	for _, x := range v {
		d := new(big.Float).SetPrec(2200).SetFloat64(x)
		d.Sub(d, new(big.Float).SetPrec(2200).SetFloat64(mean))
		d.Mul(d, d)
		acc.Add(acc, d)
	}
	m2, _ := acc.Float64()
	dof := n - ddof
	if dof <= 0 {
		if nanOp || m2 == 0 {
			return math.NaN(), 0
		}
		return math.Inf(1), 0
	}
	return m2 / float64(dof), redtTolVar
}

// redtCheck compares a computed output with the reference.
func redtCheck(t *testing.T, c *redtCase, got []byte, wants []redtWant) bool {
	t.Helper()
	out, _ := ReduceTypes(c.op, c.dt)
	if len(got) != len(wants)*out.Size() {
		t.Errorf("%v: %d output bytes for %d elements", c, len(got), len(wants))
		return false
	}
	for i, w := range wants {
		var ok bool
		var g any
		switch {
		case out.IsFloat():
			f := chunk.LoadFloat64(out, got, i)
			g = f
			switch {
			case math.IsNaN(w.f):
				ok = math.IsNaN(f)
			case w.tol == 0 || math.IsInf(w.f, 0):
				ok = math.Float64bits(f) == math.Float64bits(w.f)
			default:
				ok = math.Abs(f-w.f) <= w.tol
			}
		default:
			u := redtLoadBits(out, got, i)
			if out == chunk.Bool {
				u = redtB2u(got[i] != 0)
			}
			g = u
			ok = u == w.u
		}
		if !ok {
			t.Errorf("%v: element %d = %v, want %v (f %v, tol %g)", c, i, g, w.u, w.f, w.tol)
			return false
		}
	}
	return true
}

// redtFill fills c.data with values of a random style for c.op.
func redtFill(c *redtCase, rng *rand.Rand) {
	n := chunk.Size(c.shape)
	es := c.dt.Size()
	c.data = redtAligned(make([]byte, n*es))
	isProd := c.op == Prod || c.op == NanProd
	style := rng.IntN(4)
	mu := rng.Float64()*10 - 5
	for i := 0; i < n; i++ {
		switch {
		case c.dt == chunk.Bool:
			c.data[i] = byte(rng.IntN(2))
		case c.dt.IsFloat():
			var v float64
			switch style {
			case 0: // ordinary values
				v = mu + rng.NormFloat64()
				if isProd {
					v = 0.95 + 0.1*rng.Float64()
				}
			case 1: // small integers: ties, zeros and exact sums
				v = float64(rng.IntN(7) - 3)
				if isProd { // powers of two: exact products that do not overflow
					v = []float64{-2, -1, -0.5, 0, 0.5, 1, 2}[rng.IntN(7)]
				}
			case 2: // specials among ordinary values
				v = mu + rng.NormFloat64()
				if isProd {
					v = 0.95 + 0.1*rng.Float64()
				}
				switch rng.IntN(12) {
				case 0:
					v = math.NaN()
				case 1:
					v = math.Inf(1)
				case 2:
					v = math.Inf(-1)
				case 3:
					v = 0
				case 4:
					v = math.Copysign(0, -1)
				}
			default: // mostly NaN: all-NaN groups
				v = math.NaN()
				if rng.IntN(5) == 0 {
					v = mu + rng.NormFloat64()
				}
			}
			if rng.IntN(2) == 0 && isProd && style != 1 {
				v = -v
			}
			chunk.StoreFloat64(c.dt, c.data, i, v)
		default:
			u := rng.Uint64() // full range: wrapping sums and products
			if style != 0 {
				u = uint64(rng.IntN(7) - 3)
				if c.dt.IsUnsigned() {
					u = uint64(rng.IntN(4))
				}
			}
			switch es {
			case 1:
				c.data[i] = byte(u)
			case 2:
				chunk.Cast[uint16](c.data)[i] = uint16(u)
			case 4:
				chunk.Cast[uint32](c.data)[i] = uint32(u)
			default:
				chunk.Cast[uint64](c.data)[i] = u
			}
		}
	}
}

// redtRandomCase draws a shape, reduced axes and data for op over dt.
func redtRandomCase(op ReduceOp, dt chunk.DType, rng *rand.Rand) *redtCase {
	c := &redtCase{op: op, dt: dt}
	if op == Var || op == Std || op == NanVar || op == NanStd {
		c.ddof = rng.IntN(3)
	}
	rank := rng.IntN(5)
	big := rng.IntN(5) == 0
	if big {
		rank = 1 + rng.IntN(2)
	}
	c.shape = make([]int, rank)
	c.reduced = make([]bool, rank)
	for a := range c.shape {
		c.reduced[a] = rng.IntN(2) == 0
		c.shape[a] = 1 + rng.IntN(6)
		if big && a == rank-1 {
			c.shape[a] = 1 + rng.IntN(700)
		}
		if rng.IntN(12) == 0 && (HasIdentity(op) || !c.reduced[a]) {
			c.shape[a] = 0
		}
	}
	if rank > 0 && rng.IntN(4) == 0 {
		for a := range c.reduced {
			c.reduced[a] = true // NumPy's axis=None
		}
		for a := range c.shape {
			if c.shape[a] == 0 && !HasIdentity(op) {
				c.shape[a] = 1
			}
		}
	}
	redtFill(c, rng)
	return c
}

func TestReduceRandom(t *testing.T) {
	cases := 60
	if testing.Short() {
		cases = 8
	}
	for _, op := range redtOps {
		for _, dt := range chunk.DTypes {
			t.Run(op.String()+"/"+dt.String(), func(t *testing.T) {
				seed := uint64(op)<<8 | uint64(dt)
				rng := rand.New(rand.NewPCG(seed, 1))
				for i := 0; i < cases; i++ {
					c := redtRandomCase(op, dt, rng)
					got := redtCompute(t, c, rng)
					if !redtCheck(t, c, got, redtRef(c)) {
						return
					}
				}
			})
		}
	}
}

// TestReduceDeterministic checks that the same partition and merge order
// give the same bits (TestReduceRandom checks that different partitions
// agree within rounding).
func TestReduceDeterministic(t *testing.T) {
	for _, op := range []ReduceOp{Sum, Mean, Var, NanStd, Prod, ArgMax, NanMin} {
		for _, dt := range []chunk.DType{chunk.Float32, chunk.Float64, chunk.Int64} {
			rng := rand.New(rand.NewPCG(uint64(op), uint64(dt)))
			for i := 0; i < 10; i++ {
				c := redtRandomCase(op, dt, rng)
				seed := rng.Uint64()
				a := redtCompute(t, c, rand.New(rand.NewPCG(seed, 7)))
				b := redtCompute(t, c, rand.New(rand.NewPCG(seed, 7)))
				if string(a) != string(b) {
					t.Fatalf("%v: two runs of the same partition differ", c)
				}
			}
		}
	}
}

// TestReduceLayouts drives each panel kind directly: every axis reduced,
// trailing, leading and middle axes, tiles narrower than their block on a
// kept axis (a strided output), and arg indices over several axes of a
// larger array.
func TestReduceLayouts(t *testing.T) {
	shape := []int{5, 6, 7}
	n := chunk.Size(shape)
	data := make([]float64, n)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range data {
		data[i] = float64(rng.IntN(1000))
	}
	c := &redtCase{dt: chunk.Float64, shape: shape, data: chunk.AsBytes(data)}
	for mask := 0; mask < 8; mask++ {
		c.reduced = []bool{mask&4 != 0, mask&2 != 0, mask&1 != 0}
		for _, op := range []ReduceOp{Sum, Var, ArgMax, ArgMin, Max, CountNonzero} {
			c.op = op
			wants := redtRef(c)
			r, err := NewReducer(op, c.dt, c.reduced, shape, 0)
			if err != nil {
				t.Fatal(err)
			}
			// One block; tiles of shape (2, 1, 3) in row-major order, so
			// that a kept innermost axis is strided when axis 1 is kept.
			pshape := append([]int(nil), shape...)
			for a, red := range c.reduced {
				if red {
					pshape[a] = 1
				}
			}
			alloc := chunk.NewAllocator(0)
			p := r.NewPartial(alloc, pshape)
			tile := []int{2, 1, 3}
			for i0 := 0; i0 < shape[0]; i0 += tile[0] {
				for i1 := 0; i1 < shape[1]; i1 += tile[1] {
					for i2 := 0; i2 < shape[2]; i2 += tile[2] {
						start := []int{i0, i1, i2}
						size := []int{min(tile[0], shape[0]-i0), min(tile[1], shape[1]-i1), min(tile[2], shape[2]-i2)}
						x := redtExtract(c.data, c.dt, shape, start, size)
						r.Accumulate(p, x, Tile{Shape: size, Offset: start, Global: start})
					}
				}
			}
			got := redtAligned(make([]byte, chunk.Size(pshape)*r.OutDType().Size()))
			r.Finalize(got, p)
			p.Release()
			redtCheck(t, c, got, wants)
		}
	}
}

// TestReduceNumPySum checks that the sum of one contiguous tile is bit for
// bit NumPy's pairwise sum.
func TestReduceNumPySum(t *testing.T) {
	// from numpy 1.24.2:
	// x = (1.0/(np.arange(n)+1.0))*np.where(np.arange(n)%3==0,-1.0,1.0) + 1e8
	// np.sum(x).hex()
	want := map[int]string{
		5:    "0x1.dcd64ffc88888p+28",
		100:  "0x1.2a05f2006037cp+33",
		1000: "0x1.74876e8018611p+36",
		4096: "0x1.7d78400007f9fp+38",
	}
	for n, hex := range want {
		x := make([]float64, n)
		for i := range x {
			s := 1.0
			if i%3 == 0 {
				s = -1
			}
			x[i] = 1/float64(i+1)*s + 1e8
		}
		r, err := NewReducer(Sum, chunk.Float64, []bool{true}, []int{n}, 0)
		if err != nil {
			t.Fatal(err)
		}
		p := r.NewPartial(chunk.NewAllocator(0), []int{1})
		r.Accumulate(p, chunk.AsBytes(x), Tile{Shape: []int{n}})
		got := make([]float64, 1)
		r.Finalize(chunk.AsBytes(got), p)
		p.Release()
		if s := fmt.Sprintf("%x", got[0]); s != hex {
			t.Errorf("sum of %d: %s, NumPy %s", n, s, hex)
		}
	}
}

// redtEdge is one entry of the NumPy edge-case table.
type redtEdge struct {
	op   ReduceOp
	dt   chunk.DType
	in   []float64 // stored with chunk.StoreFloat64, unless raw is set
	raw  []uint64  // integer bit patterns for values float64 cannot hold
	ddof int
	want float64 // float results: compared bit for bit (NaN: any NaN)
	u    uint64  // integer and bool results (sign-extended bits)
}

func TestReduceNumPyEdges(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	negz := math.Copysign(0, -1)
	f64, f32 := chunk.Float64, chunk.Float32
	i64, u64 := chunk.Int64, chunk.Uint64
	neg := func(v int64) uint64 { return uint64(v) }
	// from numpy 1.24.2 (np.<op>(np.array(in, dtype=dt), ddof=...)), with
	// the deviations noted.
	table := []redtEdge{
		{op: Sum, dt: f64, in: []float64{inf, 1}, want: inf},
		{op: Sum, dt: f64, in: []float64{inf, -inf}, want: nan},
		{op: Sum, dt: f64, in: []float64{nan, inf}, want: nan},
		{op: Sum, dt: f64, in: []float64{1e308, 1e308}, want: inf},
		{op: Sum, dt: f64, in: []float64{negz, negz}, want: 0}, // NumPy: 0.0, not -0.0
		{op: Sum, dt: f64, in: nil, want: 0},
		{op: NanSum, dt: f64, in: []float64{nan, nan}, want: 0},
		{op: NanSum, dt: f64, in: []float64{nan, 1}, want: 1},
		{op: NanSum, dt: f64, in: nil, want: 0},
		{op: Prod, dt: f64, in: nil, want: 1},
		{op: Prod, dt: f64, in: []float64{2, inf, 0}, want: nan},
		{op: NanProd, dt: f64, in: []float64{nan, nan}, want: 1},
		{op: NanProd, dt: f64, in: nil, want: 1},
		{op: Mean, dt: f64, in: nil, want: nan},
		{op: Mean, dt: f64, in: []float64{inf, -inf}, want: nan},
		{op: NanMean, dt: f64, in: []float64{nan, nan}, want: nan},
		{op: NanMean, dt: f64, in: nil, want: nan},
		{op: Var, dt: f64, in: nil, want: nan},
		{op: Var, dt: f64, in: []float64{1, 2}, ddof: 2, want: inf},
		{op: Var, dt: f64, in: []float64{1, 2}, ddof: 3, want: inf},
		{op: Var, dt: f64, in: []float64{1}, ddof: 1, want: nan},
		{op: Var, dt: f64, in: []float64{1, 1}, ddof: 2, want: nan},
		{op: Std, dt: f64, in: []float64{1, 2}, ddof: 2, want: inf},
		{op: Var, dt: f64, in: []float64{inf, 1}, want: nan},
		{op: Var, dt: f64, in: []float64{inf}, want: nan},
		{op: Var, dt: f64, in: []float64{1, nan}, want: nan},
		{op: Var, dt: f32, in: []float64{1, 2}, ddof: 2, want: inf},
		{op: NanVar, dt: f64, in: []float64{nan, nan}, want: nan},
		{op: NanVar, dt: f64, in: []float64{1, 2}, ddof: 2, want: nan},
		{op: NanVar, dt: f64, in: []float64{1, nan, 2}, ddof: 1, want: 0.5},
		{op: NanVar, dt: f64, in: []float64{1, nan}, ddof: 1, want: nan},
		{op: NanVar, dt: f64, in: []float64{inf, 1}, want: nan},
		{op: NanVar, dt: f64, in: nil, want: nan},
		{op: NanVar, dt: f32, in: []float64{1, 2}, ddof: 2, want: nan},
		{op: NanStd, dt: f64, in: []float64{nan}, want: nan},
		{op: NanStd, dt: f64, in: []float64{1, 2, nan}, ddof: 3, want: nan},
		{op: NanVar, dt: chunk.Int32, in: []float64{1, 2}, ddof: 2, want: inf},
		{op: NanVar, dt: chunk.Int32, in: []float64{1}, ddof: 1, want: nan},
		{op: NanStd, dt: chunk.Bool, in: []float64{1, 0}, ddof: 2, want: inf},
		{op: NanVar, dt: chunk.Int32, in: nil, want: nan},
		{op: NanVar, dt: chunk.Int8, in: []float64{1, 2, 4}, ddof: 1, want: 2.333333333333333},
		{op: NanMean, dt: chunk.Int32, in: []float64{1, 2}, want: 1.5},
		{op: Mean, dt: chunk.Bool, in: []float64{1, 0, 1}, want: 0.6666666666666666},
		{op: Var, dt: chunk.Bool, in: []float64{1, 0, 1}, want: 0.22222222222222224},
		{op: Mean, dt: u64, in: []float64{1, 2}, want: 1.5},
		{op: Mean, dt: i64, in: []float64{1 << 62, 1 << 62, 1 << 62}, want: 4.611686018427388e+18},
		{op: Min, dt: f64, in: []float64{1, nan, -inf}, want: nan},
		{op: Max, dt: f64, in: []float64{1, nan, inf}, want: nan},
		{op: Min, dt: f32, in: []float64{1, nan}, want: nan},
		{op: Min, dt: f64, in: []float64{0, negz}, want: negz},
		{op: Max, dt: f64, in: []float64{negz, 0}, want: 0},
		// NumPy gives 0.0 here and -0.0 for [0.0, -0.0] (its SIMD lane
		// order decides); ndchunk orders -0.0 below 0.0 in every order.
		{op: Min, dt: f64, in: []float64{negz, 0}, want: negz},
		{op: Max, dt: f64, in: []float64{0, negz}, want: 0},
		{op: NanMin, dt: f64, in: []float64{nan, nan}, want: nan},
		{op: NanMax, dt: f64, in: []float64{nan, nan}, want: nan},
		{op: NanMin, dt: f64, in: []float64{nan, 1, -inf}, want: -inf},
		{op: NanMax, dt: f32, in: []float64{nan, 1, 3, nan}, want: 3},
		{op: NanMin, dt: f64, in: []float64{nan, 0, negz, nan}, want: negz},
		{op: ArgMax, dt: f64, in: []float64{1, nan, inf, nan}, u: 1},
		{op: ArgMin, dt: f64, in: []float64{1, nan, -inf, nan}, u: 1},
		{op: ArgMax, dt: i64, in: []float64{3, 1, 3}, u: 0},
		{op: ArgMin, dt: f64, in: []float64{0, negz}, u: 0},
		{op: ArgMin, dt: f64, in: []float64{negz, 0}, u: 0},
		{op: ArgMax, dt: chunk.Bool, in: []float64{0, 1, 1}, u: 1},
		{op: Any, dt: f64, in: []float64{nan}, u: 1},
		{op: Any, dt: f64, in: nil, u: 0},
		{op: All, dt: f64, in: nil, u: 1},
		{op: All, dt: f64, in: []float64{nan, 1}, u: 1},
		{op: All, dt: f64, in: []float64{negz}, u: 0},
		{op: CountNonzero, dt: f64, in: []float64{nan, 0, negz, inf}, u: 2},
		{op: CountNonzero, dt: f32, in: []float64{nan, 0, negz, inf}, u: 2},
		{op: CountNonzero, dt: f64, in: nil, u: 0},
		{op: Sum, dt: i64, raw: []uint64{1 << 62, 1 << 62}, u: 1 << 63},
		{op: Sum, dt: i64, raw: []uint64{1<<63 - 1, 1}, u: 1 << 63},
		{op: Sum, dt: u64, raw: []uint64{1<<64 - 1, 2}, u: 1},
		{op: Prod, dt: i64, raw: []uint64{1 << 32, 1 << 32}, u: 0},
		{op: Prod, dt: u64, raw: []uint64{1<<32 + 1, 1<<32 + 3}, u: 17179869187},
		{op: Sum, dt: chunk.Int8, in: []float64{127, 127}, u: 254},
		{op: Sum, dt: chunk.Int8, in: []float64{-128, -128}, u: neg(-256)},
		{op: Prod, dt: chunk.Int8, in: []float64{-128, -128, -128, -128, -128, -128, -128, -128, -128, -128}, u: 0},
		{op: Prod, dt: chunk.Bool, in: []float64{1, 0}, u: 0},
		{op: Sum, dt: chunk.Bool, in: []float64{1, 1}, u: 2},
		{op: NanSum, dt: chunk.Int16, in: []float64{-5, 3}, u: neg(-2)},
		{op: Min, dt: chunk.Uint8, in: []float64{7, 255, 3}, u: 3},
		{op: NanMax, dt: chunk.Int8, in: []float64{-7, -128, -3}, u: neg(-3)},
		{op: Max, dt: chunk.Bool, in: []float64{0, 0}, u: 0},
		{op: Min, dt: chunk.Bool, in: []float64{1, 0}, u: 0},
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, e := range table {
		n := len(e.in) + len(e.raw)
		c := &redtCase{op: e.op, dt: e.dt, shape: []int{n}, reduced: []bool{true}, ddof: e.ddof}
		c.data = redtAligned(make([]byte, n*e.dt.Size()))
		for i, v := range e.in {
			chunk.StoreFloat64(e.dt, c.data, i, v)
		}
		for i, u := range e.raw {
			chunk.Cast[uint64](c.data)[i] = u
		}
		out, _ := ReduceTypes(e.op, e.dt)
		w := redtWant{f: e.want, u: e.u}
		if out == chunk.Float32 {
			w.f = float64(float32(w.f))
		}
		if w.f != 0 && !math.IsInf(w.f, 0) && !math.IsNaN(w.f) {
			// Finite results within a few ulp: partitions round differently.
			w.tol = 4 * 0x1p-52 * math.Abs(w.f)
		}
		// Several partitions of the same input must all give NumPy's value.
		for k := 0; k < 6; k++ {
			got := redtCompute(t, c, rng)
			if !redtCheck(t, c, got, []redtWant{w}) {
				break
			}
		}
	}
}

// TestReduceFloat32Accumulates documents the deliberate difference from
// NumPy: float32 input accumulates in float64, rounded once at the end.
func TestReduceFloat32Accumulates(t *testing.T) {
	// NumPy 1.24.2 sums float32 in float32: np.sum(np.array([3e38, 3e38,
	// -3e38], dtype=np.float32)) is inf. ndchunk gives the float32 nearest
	// the true sum.
	c := &redtCase{op: Sum, dt: chunk.Float32, shape: []int{3}, reduced: []bool{true}}
	c.data = chunk.AsBytes([]float32{3e38, 3e38, -3e38})
	got := redtCompute(t, c, rand.New(rand.NewPCG(1, 1)))
	if f := chunk.Cast[float32](got)[0]; f != 3e38 {
		t.Errorf("sum = %v, want 3e38", f)
	}
}

// TestReduceConcurrent shares one Reducer between goroutines, each folding
// into its own Partial, as the engine's tasks do (run with -race).
func TestReduceConcurrent(t *testing.T) {
	shape := []int{64, 48}
	x := make([]float64, chunk.Size(shape))
	for i := range x {
		x[i] = math.Sin(float64(i))
	}
	for _, op := range []ReduceOp{Var, ArgMax, NanSum} {
		r, err := NewReducer(op, chunk.Float64, []bool{true, false}, shape, 1)
		if err != nil {
			t.Fatal(err)
		}
		alloc := chunk.NewAllocator(0)
		out := make([][]byte, 4)
		done := make(chan int)
		for g := range out {
			go func() {
				p := r.NewPartial(alloc, []int{1, shape[1]})
				for i := 0; i < shape[0]; i += 8 {
					tile := Tile{Shape: []int{8, shape[1]}, Global: []int{i, 0}}
					r.Accumulate(p, chunk.AsBytes(x[i*shape[1]:(i+8)*shape[1]]), tile)
				}
				out[g] = make([]byte, shape[1]*r.OutDType().Size())
				r.Finalize(out[g], p)
				p.Release()
				done <- g
			}()
		}
		for range out {
			<-done
		}
		for g := 1; g < len(out); g++ {
			if string(out[g]) != string(out[0]) {
				t.Errorf("%v: goroutine %d differs from goroutine 0", op, g)
			}
		}
		if live := alloc.Stats().Live; live != 0 {
			t.Errorf("%v: %d bytes live", op, live)
		}
	}
}

func TestReduceMisuse(t *testing.T) {
	r, err := NewReducer(Sum, chunk.Float64, []bool{true, false}, []int{4, 3}, 0)
	if err != nil {
		t.Fatal(err)
	}
	alloc := chunk.NewAllocator(0)
	p := r.NewPartial(alloc, []int{1, 3})
	defer p.Release()
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s did not panic", name)
			}
		}()
		f()
	}
	mustPanic("partial with a reduced axis of length 2", func() { r.NewPartial(alloc, []int{2, 3}) })
	mustPanic("tile with the wrong byte count", func() {
		r.Accumulate(p, make([]byte, 8), Tile{Shape: []int{2, 3}})
	})
	mustPanic("tile outside the partial", func() {
		r.Accumulate(p, make([]byte, 6*8), Tile{Shape: []int{2, 3}, Offset: []int{0, 1}})
	})
	mustPanic("finalize into a short buffer", func() { r.Finalize(make([]byte, 8), p) })
	other, err := NewReducer(Mean, chunk.Float64, []bool{true, false}, []int{4, 3}, 0)
	if err != nil {
		t.Fatal(err)
	}
	mustPanic("merge of a partial of another op", func() { other.Merge(p, p) })
}

// TestReduceCompensated checks that partials combine with Neumaier's
// compensated addition: a naive running sum of [1, 1e100, 1, -1e100] is 0
// (NumPy 1.24.2's np.sum gives 0.0 too), the compensated sum is the exact 2,
// whether the elements arrive as tiles of one partial or as partials
// merged in order.
func TestReduceCompensated(t *testing.T) {
	x := []float64{1, 1e100, 1, -1e100}
	for _, op := range []ReduceOp{Sum, NanSum, Mean} {
		r, err := NewReducer(op, chunk.Float64, []bool{true}, []int{len(x)}, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := 2.0
		if op == Mean {
			want = 0.5
		}
		alloc := chunk.NewAllocator(0)
		tiles := r.NewPartial(alloc, []int{1})
		merged := r.NewPartial(alloc, []int{1})
		for i := range x {
			tile := Tile{Shape: []int{1}, Global: []int{i}}
			r.Accumulate(tiles, chunk.AsBytes(x[i:i+1]), tile)
			p := r.NewPartial(alloc, []int{1})
			r.Accumulate(p, chunk.AsBytes(x[i:i+1]), tile)
			r.Merge(merged, p)
			p.Release()
		}
		got := make([]float64, 2)
		r.Finalize(chunk.AsBytes(got[:1]), tiles)
		r.Finalize(chunk.AsBytes(got[1:]), merged)
		if got[0] != want || got[1] != want {
			t.Errorf("%v: tiles %v, merged partials %v, want %v", op, got[0], got[1], want)
		}
		tiles.Release()
		merged.Release()
	}
}
