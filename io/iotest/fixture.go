package iotest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/ops"
)

// fixture is a file the suite writes and everything it must read back.
type fixture struct {
	spec dataset.Spec
	// src holds the elements written to each variable, want the elements
	// it must read back (src, or the fill value where nothing was written).
	src, want map[string][]byte
	// blocks lists, for a variable written with gaps, the regions written;
	// such variables go through their sinks directly, the others through
	// exec.Engine.StoreMany.
	blocks map[string][]chunk.Region
	coords map[string]bool
}

// fixtureOpts says what a fixture may contain.
type fixtureOpts struct {
	dtypes    []chunk.DType
	unlimited bool // make "time" unlimited
	chunked   bool // storage chunks, deflate, shuffle
	maxRank   int
	gaps      bool // fill values and variables written with gaps
}

// The dimensions of the fixtures: ragged lengths, a length-1 axis and a
// record axis, shared between variables.
func fixtureDims(unlimited bool) []dataset.Dim {
	return []dataset.Dim{
		{Name: "time", Len: 6, Unlimited: unlimited},
		{Name: "z", Len: 3},
		{Name: "y", Len: 7},
		{Name: "x", Len: 13},
		{Name: "w", Len: 5},
		{Name: "one", Len: 1},
	}
}

// rankDims lists, per rank, the dimension tuples variables use. The tuples
// with "time" come last and have it first, as NetCDF-3 requires of its
// record dimension; noTime[r] counts the others.
var (
	rankDims = [][][]string{
		{{}},
		{{"x"}, {"w"}, {"one"}, {"time"}},
		{{"y", "x"}, {"one", "w"}, {"z", "one"}, {"time", "x"}},
		{{"y", "x", "w"}, {"z", "y", "w"}, {"time", "one", "x"}},
		{{"z", "y", "x", "w"}, {"time", "z", "one", "w"}},
	}
	noTime = []int{1, 3, 3, 2, 1}
)

// numeric returns the dtypes of ds other than bool: the attribute types
// (no file format has boolean attributes).
func numeric(ds []chunk.DType) []chunk.DType {
	var out []chunk.DType
	for _, d := range ds {
		if d != chunk.Bool {
			out = append(out, d)
		}
	}
	return out
}

// coordDType picks the dtype of coordinate variables: float64 if the
// format has it, else another float, else the first dtype.
func coordDType(ds []chunk.DType) chunk.DType {
	for _, want := range []chunk.DType{chunk.Float64, chunk.Float32, chunk.Int32} {
		if slices.Contains(ds, want) {
			return want
		}
	}
	return ds[0]
}

// newFixture builds a file description with several variables of every
// dtype and rank, the attributes of every type, and random contents.
func newFixture(rng *rand.Rand, o fixtureOpts) *fixture {
	fx := &fixture{
		src: map[string][]byte{}, want: map[string][]byte{},
		blocks: map[string][]chunk.Region{}, coords: map[string]bool{},
	}
	fx.spec.Dims = fixtureDims(o.unlimited)
	nums := numeric(o.dtypes)
	fx.spec.Attrs = []dataset.Attr{
		{Name: "title", Value: "ndchunk driver conformance"},
		{Name: "history", Value: "line one\nline two\ttabbed"},
		{Name: "comment", Value: ""},
		{Name: "place", Value: "Zürich, température °C, 東京"},
	}
	for k, dt := range nums {
		fx.spec.Attrs = append(fx.spec.Attrs,
			dataset.Attr{Name: "g_" + dt.String(), Value: scalarValue(dt, k)},
			dataset.Attr{Name: "g_" + dt.String() + "_edges", Value: edgeValues(dt)})
	}
	cdt := coordDType(o.dtypes)
	for _, c := range []string{"time", "y", "x"} {
		fx.addVar(rng, dataset.VarSpec{Name: c, Dims: []string{c}, DType: cdt,
			Attrs: []dataset.Attr{{Name: "units", Value: "1"}, {Name: "axis", Value: c}}})
		fx.coords[c] = true
	}
	for k, dt := range o.dtypes {
		for r := 0; r <= o.maxRank; r++ {
			vs := dataset.VarSpec{Name: fmt.Sprintf("%s_r%d", dt, r), DType: dt}
			gaps := o.gaps && r >= 2 && (k+r)%3 == 1
			opts := rankDims[r]
			if gaps {
				// Unwritten records of a record variable have no defined
				// length in NetCDF; gaps are only in fixed-size variables.
				vs.Dims = opts[(k+r)%noTime[r]]
			} else {
				vs.Dims = opts[(k+r)%len(opts)]
			}
			vs.Attrs = []dataset.Attr{{Name: "long_name", Value: "variable " + vs.Name}, {Name: "units", Value: "m s-1"}}
			switch {
			case r == 0 && dt != chunk.Bool:
				vs.Attrs = append(vs.Attrs, dataset.Attr{Name: "scalar", Value: scalarValue(dt, k)})
			case r == 1:
				for _, adt := range nums {
					vs.Attrs = append(vs.Attrs, dataset.Attr{Name: "e_" + adt.String(), Value: edgeValues(adt)})
				}
			case dt != chunk.Bool:
				vs.Attrs = append(vs.Attrs, dataset.Attr{Name: "valid_range", Value: rangeValue(dt)})
			}
			if gaps || (o.gaps && r == 1 && k%3 == 0) {
				vs.FillValue = fillValue(dt)
			}
			if o.chunked && r >= 1 {
				switch (k + r) % 4 {
				case 0:
					vs.Chunks, vs.Deflate, vs.Shuffle = halfChunks(fx.spec, vs), 1+k%9, true
				case 1:
					vs.Chunks = halfChunks(fx.spec, vs)
				case 2:
					vs.Deflate = 1 + k%9
				}
			}
			fx.addVar(rng, vs)
			if gaps {
				fx.punch(rng, vs)
			}
		}
	}
	return fx
}

// halfChunks returns a storage chunk shape of about half of each axis, so
// the last chunk is ragged.
func halfChunks(spec dataset.Spec, vs dataset.VarSpec) []int {
	shape, _ := spec.Shape(vs)
	c := make([]int, len(shape))
	for i, n := range shape {
		c[i] = max(1, (n+1)/2)
	}
	return c
}

// addVar declares a variable with random contents.
func (fx *fixture) addVar(rng *rand.Rand, vs dataset.VarSpec) {
	fx.spec.Vars = append(fx.spec.Vars, vs)
	shape, err := fx.spec.Shape(vs)
	if err != nil {
		panic("iotest: fixture: " + err.Error())
	}
	b := randomData(rng, vs.DType, chunk.Size(shape))
	fx.src[vs.Name] = b
	fx.want[vs.Name] = b
}

// punch makes vs a variable written with gaps: it picks a random block
// grid with at least two blocks, and blocks to write (never all of them);
// the rest must read back as the fill value.
func (fx *fixture) punch(rng *rand.Rand, vs dataset.VarSpec) {
	shape, _ := fx.spec.Shape(vs)
	var g chunk.Grid
	for {
		g, _ = chunk.NewGrid(shape, randomChunks(rng, shape))
		if g.Len() >= 2 {
			break
		}
	}
	dt := vs.DType
	fill, _, _ := valueBytes(vs.FillValue)
	want := alignedBytes(len(fx.src[vs.Name]))
	for i := 0; i < len(want); i += len(fill) {
		copy(want[i:], fill)
	}
	skip := rng.IntN(g.Len())
	for b := range g.Len() {
		if b == skip || (b != (skip+1)%g.Len() && rng.IntN(3) == 0) {
			continue
		}
		r := g.BlockRegion(g.BlockIndex(b))
		fx.blocks[vs.Name] = append(fx.blocks[vs.Name], r)
		ops.CopyRegion(want, shape, r.Start, fx.src[vs.Name], shape, r.Start, r.Shape, dt.Size())
	}
	fx.want[vs.Name] = want
}

// randomChunks cuts each axis into one to four random pieces.
func randomChunks(rng *rand.Rand, shape []int) [][]int {
	out := make([][]int, len(shape))
	for i, n := range shape {
		if n == 0 {
			out[i] = []int{0}
			continue
		}
		pieces := 1 + rng.IntN(min(n, 4))
		cuts := rng.Perm(n - 1)[:pieces-1]
		for k := range cuts {
			cuts[k]++
		}
		slices.Sort(cuts)
		prev := 0
		for _, c := range append(cuts, n) {
			out[i] = append(out[i], c-prev)
			prev = c
		}
	}
	return out
}

// shapeOf returns a variable's shape from the fixture's spec.
func (fx *fixture) shapeOf(name string) []int {
	for _, vs := range fx.spec.Vars {
		if vs.Name == name {
			s, _ := fx.spec.Shape(vs)
			return s
		}
	}
	return nil
}

// write creates the fixture's file at path with h's driver: variables with
// gaps block by block from three goroutines in random order, while the
// engine stores all the others at once on random block grids; then it
// commits. On failure the writer is aborted and the error returned.
func (fx *fixture) write(ctx context.Context, e *exec.Engine, rng *rand.Rand, h Harness, path string, opts dataset.CreateOptions) (err error) {
	spec := fx.spec
	spec.Format = h.Format
	w, err := h.Driver.Create(path, spec, opts)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			w.Abort()
		}
	}()
	var arrays []ndarray.Array
	var sinks []exec.Sink
	type job struct {
		sink  exec.Sink
		name  string
		shape []int
		r     chunk.Region
	}
	var jobs []job
	var gapSinks []exec.Sink
	for _, vs := range fx.spec.Vars {
		s, err := w.Sink(vs.Name)
		if err != nil {
			return err
		}
		shape := fx.shapeOf(vs.Name)
		if !chunk.EqualInts(s.Shape(), shape) || s.DType() != vs.DType {
			return fmt.Errorf("iotest: sink of %s is %s%v, want %s%v", vs.Name, s.DType(), s.Shape(), vs.DType, shape)
		}
		if regions, ok := fx.blocks[vs.Name]; ok {
			for _, r := range regions {
				jobs = append(jobs, job{s, vs.Name, shape, r})
			}
			gapSinks = append(gapSinks, s)
			continue
		}
		d, err := chunk.WrapBytes(vs.DType, shape, fx.src[vs.Name])
		if err != nil {
			return err
		}
		arrays = append(arrays, ndarray.FromDense(d, chunk.Irregular(randomChunks(rng, shape)...)))
		sinks = append(sinks, s)
	}
	rng.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })
	const writers = 3
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := g; i < len(jobs); i += writers {
				j := jobs[i]
				dt := j.sink.DType()
				buf := alignedBytes(j.r.Size() * dt.Size())
				ops.CopyRegion(buf, j.r.Shape, make([]int, len(j.r.Shape)), fx.src[j.name], j.shape, j.r.Start, j.r.Shape, dt.Size())
				if err := j.sink.WriteRegion(ctx, j.r, buf); err != nil {
					errs[g] = fmt.Errorf("iotest: write %s%v: %w", j.name, j.r, err)
					return
				}
			}
		})
	}
	storeErr := e.StoreMany(ctx, arrays, sinks)
	wg.Wait()
	if storeErr != nil {
		return storeErr
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for _, s := range gapSinks {
		if err := s.Commit(ctx); err != nil {
			return err
		}
	}
	return w.Commit(ctx)
}
