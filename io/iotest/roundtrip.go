package iotest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/ndarray"
)

// RoundTrip writes a file with from's driver, converts it to to's format
// (every variable read through its Var by the engine and stored into a
// file created with the same dimensions, attributes and fill values), then
// back to from's format, and checks after each step that every variable,
// attribute and fill value is identical bit for bit (NaN payloads and -0.0
// included), for every dtype both formats have. Storage chunks and filters
// are carried when both formats have them, unlimited dimensions likewise.
func RoundTrip(t *testing.T, from, to Harness) {
	from = from.withDefaults(t)
	to = to.withDefaults(t)
	var common []chunk.DType
	for _, dt := range from.DTypes {
		if slices.Contains(to.DTypes, dt) {
			common = append(common, dt)
		}
	}
	if len(common) == 0 {
		t.Fatalf("iotest: %s and %s have no dtype in common", from.Format, to.Format)
	}
	ctx := context.Background()
	rng := newRand(t)
	e := newEngine()
	fx := newFixture(rng, fixtureOpts{
		dtypes:    common,
		unlimited: from.Unlimited && to.Unlimited,
		chunked:   from.Chunked && to.Chunked,
		maxRank:   4,
		gaps:      true,
	})

	p1 := from.Path(t, "roundtrip-1")
	if err := fx.write(ctx, e, rng, from, p1, dataset.CreateOptions{}); err != nil {
		t.Fatalf("write %s: %v", from.Format, err)
	}
	step := func(src dataset.File, h Harness, name string) (dataset.File, string) {
		t.Helper()
		path := h.Path(t, name)
		if err := convert(ctx, e, rng, src, h, path); err != nil {
			t.Fatalf("convert %s to %s: %v", src.Info().Path, h.Format, err)
		}
		f, err := h.Open(path)
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		t.Cleanup(func() { f.Close() })
		return f, path
	}
	f1, err := from.Open(p1)
	if err != nil {
		t.Fatalf("open %s: %v", p1, err)
	}
	defer f1.Close()
	for _, s := range []struct {
		name string
		h    Harness
	}{{"there", to}, {"back", from}} {
		var path string
		f1, path = step(f1, s.h, "roundtrip-"+s.name)
		ok := t.Run(s.name+"-"+s.h.Format, func(t *testing.T) {
			checkInfo(t, f1, fx, path)
			checkValues(t, f1, fx)
		})
		if !ok {
			return
		}
	}
}

// convert copies every variable of src into a new file of h's format at
// path, as a conversion tool would: same dimensions, attributes and fill
// values; storage chunks and filters when h's format has them.
func convert(ctx context.Context, e *exec.Engine, rng *rand.Rand, src dataset.File, h Harness, path string) error {
	info := src.Info()
	spec := dataset.Spec{Format: h.Format, Attrs: info.Attrs}
	for _, d := range info.Dims {
		d.Unlimited = d.Unlimited && h.Unlimited
		spec.Dims = append(spec.Dims, d)
	}
	var vars []dataset.Var
	for _, vi := range info.Vars {
		if vi.Unsupported != "" {
			return fmt.Errorf("variable %s: %s", vi.Name, vi.Unsupported)
		}
		vs := dataset.VarSpec{Name: vi.Name, Dims: vi.Dims, DType: vi.DType, FillValue: vi.FillValue}
		for _, a := range vi.Attrs {
			// NetCDF reports the fill value as an attribute too; it travels
			// as VarSpec.FillValue.
			if a.Name != "_FillValue" {
				vs.Attrs = append(vs.Attrs, a)
			}
		}
		if h.Chunked {
			if vi.Layout == "chunked" {
				vs.Chunks = vi.StorageChunks
			}
			for _, f := range vi.Filters {
				switch {
				case f.Name == "deflate" && len(f.Params) > 0:
					vs.Deflate = int(f.Params[0])
				case f.Name == "shuffle":
					vs.Shuffle = true
				}
			}
		}
		spec.Vars = append(spec.Vars, vs)
		v, err := src.Var(vi.Name)
		if err != nil {
			return err
		}
		vars = append(vars, v)
	}
	w, err := h.Driver.Create(path, spec, dataset.CreateOptions{})
	if err != nil {
		return err
	}
	arrays := make([]ndarray.Array, len(vars))
	sinks := make([]exec.Sink, len(vars))
	for i, v := range vars {
		arrays[i] = ndarray.FromSource(v, chunk.Irregular(randomChunks(rng, v.Shape())...))
		if sinks[i], err = w.Sink(spec.Vars[i].Name); err != nil {
			w.Abort()
			return err
		}
	}
	if err := e.StoreMany(ctx, arrays, sinks); err != nil {
		w.Abort()
		return err
	}
	if err := w.Commit(ctx); err != nil {
		w.Abort()
		return err
	}
	return nil
}
