package dataset

import (
	"context"
	"fmt"
	"math"

	"github.com/ndchunk/ndchunk/chunk"
)

// cfVar decodes a variable following the CF conventions: packed values
// unpacked with scale_factor and add_offset and _FillValue and
// missing_value masked to NaN (as xarray's decode_cf), values outside
// valid_min, valid_max or valid_range masked to NaN (as netCDF4-python's
// auto mask and scale; xarray ignores them).
type cfVar struct {
	Var
	raw     chunk.DType
	out     chunk.DType
	scale   float64
	offset  float64
	missing []float64
	lo, hi  float64
	hasLo   bool
	hasHi   bool
	packed  bool
	info    VarInfo
}

// DecodeCF returns v decoded with the CF conventions. Variables without
// packing, fill or valid-range attributes are returned unchanged. Packed
// variables (scale_factor or add_offset) decode to float64; masked integer
// variables to float64; masked float variables keep their dtype.
func DecodeCF(v Var) (Var, error) {
	info := v.Info()
	cf := &cfVar{Var: v, raw: info.DType, scale: 1, lo: math.Inf(-1), hi: math.Inf(1)}
	if !info.DType.Valid() {
		return nil, fmt.Errorf("decode %s: %w", v.Name(), chunk.ErrUnsupported)
	}
	num := func(name string) ([]float64, bool) {
		a, ok := info.Attr(name)
		if !ok {
			return nil, false
		}
		f, ok := attrFloats(a.Value)
		return f, ok && len(f) > 0
	}
	touched := false
	if f, ok := num("scale_factor"); ok {
		cf.scale, cf.packed, touched = f[0], true, true
	}
	if f, ok := num("add_offset"); ok {
		cf.offset, cf.packed, touched = f[0], true, true
	}
	for _, name := range []string{"_FillValue", "missing_value"} {
		if f, ok := num(name); ok {
			for _, x := range f {
				// A NaN fill value needs no test: NaN stays NaN.
				if !math.IsNaN(x) {
					cf.missing = append(cf.missing, x)
				}
			}
			touched = true
		}
	}
	if f, ok := num("valid_range"); ok && len(f) >= 2 {
		cf.lo, cf.hi, cf.hasLo, cf.hasHi, touched = f[0], f[1], true, true, true
	}
	if f, ok := num("valid_min"); ok {
		cf.lo, cf.hasLo, touched = f[0], true, true
	}
	if f, ok := num("valid_max"); ok {
		cf.hi, cf.hasHi, touched = f[0], true, true
	}
	if !touched {
		return v, nil
	}
	switch {
	case cf.packed || !info.DType.IsFloat():
		cf.out = chunk.Float64
	default:
		cf.out = info.DType
	}
	cf.info = info
	cf.info.DType = cf.out
	cf.info.Type = cf.out.String()
	var attrs []Attr
	for _, a := range info.Attrs {
		switch a.Name {
		case "scale_factor", "add_offset", "_FillValue", "missing_value", "valid_range", "valid_min", "valid_max":
		default:
			attrs = append(attrs, a)
		}
	}
	cf.info.Attrs = attrs
	cf.info.FillValue = nil
	return cf, nil
}

// attrFloats converts a numeric attribute to float64s.
func attrFloats(v any) ([]float64, bool) {
	switch x := v.(type) {
	case []float64:
		return x, true
	case []float32:
		return conv(x), true
	case []int8:
		return conv(x), true
	case []int16:
		return conv(x), true
	case []int32:
		return conv(x), true
	case []int64:
		return conv(x), true
	case []uint8:
		return conv(x), true
	case []uint16:
		return conv(x), true
	case []uint32:
		return conv(x), true
	case []uint64:
		return conv(x), true
	}
	return nil, false
}

func conv[T chunk.Number](x []T) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// DType implements ndarray.Source.
func (c *cfVar) DType() chunk.DType { return c.out }

// Info implements Var.
func (c *cfVar) Info() VarInfo { return c.info }

// ReadRegion reads the raw values into the tail of dst and decodes them
// forward in place: the decoded dtype is never narrower than the raw one,
// so element i is read before anything overwrites it, and no extra buffer
// is needed.
func (c *cfVar) ReadRegion(ctx context.Context, r chunk.Region, dst []byte) error {
	n := r.Size()
	rs, os := c.raw.Size(), c.out.Size()
	if len(dst) != n*os {
		return fmt.Errorf("decode %s: %d bytes for region %v of %s: %w", c.Name(), len(dst), r, c.out, chunk.ErrShape)
	}
	tail := n*os - n*rs
	raw := dst[tail:]
	if err := c.Var.ReadRegion(ctx, r, raw); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		x := chunk.LoadFloat64(c.raw, raw, i)
		masked := false
		for _, m := range c.missing {
			if x == m {
				masked = true
			}
		}
		if (c.hasLo && x < c.lo) || (c.hasHi && x > c.hi) {
			masked = true
		}
		if masked {
			x = math.NaN()
		} else if c.packed {
			// The conversion forbids a fused multiply-add, so results
			// match NumPy's on every architecture.
			x = float64(x*c.scale) + c.offset
		}
		chunk.StoreFloat64(c.out, dst, i, x)
	}
	return nil
}
