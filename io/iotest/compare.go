package iotest

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/ops"
)

// sameValue reports whether two attribute or fill values are identical:
// the same Go type and length, strings equal, numbers equal bit for bit (so
// NaN payloads and -0.0 count).
func sameValue(a, b any) bool {
	if sa, ok := a.(string); ok {
		sb, ok := b.(string)
		return ok && sa == sb
	}
	ba, da, oka := valueBytes(a)
	bb, db, okb := valueBytes(b)
	return oka && okb && da == db && bytes.Equal(ba, bb)
}

// showValue formats a value for a failure message, floats with their bit
// patterns so NaN payloads and -0.0 are visible.
func showValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case []float64:
		parts := make([]string, len(x))
		for i, f := range x {
			parts[i] = fmt.Sprintf("%g(%#016x)", f, math.Float64bits(f))
		}
		return "[]float64{" + strings.Join(parts, ", ") + "}"
	case []float32:
		parts := make([]string, len(x))
		for i, f := range x {
			parts[i] = fmt.Sprintf("%g(%#08x)", f, math.Float32bits(f))
		}
		return "[]float32{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprintf("%T %#v", v, v)
}

// attrDiffs compares attributes by name (the order is the format's
// business). An extra "_FillValue" attribute is allowed when it equals the
// variable's fill value: NetCDF stores the fill value as that attribute.
func attrDiffs(got, want []dataset.Attr, fill any) []string {
	var diffs []string
	index := map[string]any{}
	for _, a := range got {
		if _, dup := index[a.Name]; dup {
			diffs = append(diffs, fmt.Sprintf("attribute %q listed twice", a.Name))
		}
		index[a.Name] = a.Value
	}
	for _, a := range want {
		v, ok := index[a.Name]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("attribute %q missing", a.Name))
			continue
		}
		if !sameValue(v, a.Value) {
			diffs = append(diffs, fmt.Sprintf("attribute %q = %s, want %s", a.Name, showValue(v), showValue(a.Value)))
		}
		delete(index, a.Name)
	}
	for name, v := range index {
		if name == "_FillValue" && fill != nil && sameValue(v, fill) {
			continue
		}
		diffs = append(diffs, fmt.Sprintf("unexpected attribute %q = %s", name, showValue(v)))
	}
	slices.Sort(diffs)
	return diffs
}

// extract copies region r out of an array of shape and dtype dt.
func extract(data []byte, shape []int, dt chunk.DType, r chunk.Region) []byte {
	out := alignedBytes(r.Size() * dt.Size())
	if r.Size() > 0 {
		ops.CopyRegion(out, r.Shape, make([]int, len(r.Shape)), data, shape, r.Start, r.Shape, dt.Size())
	}
	return out
}

// firstDiff describes the first element where got and want differ bit for
// bit, or returns "" when they are identical.
func firstDiff(got, want []byte, dt chunk.DType, shape []int) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d bytes, want %d", len(got), len(want))
	}
	if bytes.Equal(got, want) {
		return ""
	}
	es := dt.Size()
	n, first := 0, -1
	for i := 0; i < len(got); i += es {
		if !bytes.Equal(got[i:i+es], want[i:i+es]) {
			if first < 0 {
				first = i / es
			}
			n++
		}
	}
	idx := make([]int, len(shape))
	rem := first
	for a := len(shape) - 1; a >= 0; a-- {
		if shape[a] > 0 {
			idx[a] = rem % shape[a]
			rem /= shape[a]
		}
	}
	return fmt.Sprintf("%d of %d elements differ; first at %v: got %s, want %s", n, len(got)/es, idx, showElem(got, dt, first), showElem(want, dt, first))
}

// showElem formats element i of a buffer with its bits.
func showElem(b []byte, dt chunk.DType, i int) string {
	switch dt {
	case chunk.Float64:
		bits := chunk.Cast[uint64](b)[i]
		return fmt.Sprintf("%g (%#016x)", math.Float64frombits(bits), bits)
	case chunk.Float32:
		bits := chunk.Cast[uint32](b)[i]
		return fmt.Sprintf("%g (%#08x)", math.Float32frombits(bits), bits)
	case chunk.Uint64:
		return fmt.Sprint(chunk.Cast[uint64](b)[i])
	case chunk.Bool:
		return fmt.Sprintf("%#02x", b[i])
	}
	return fmt.Sprint(chunk.LoadInt64(dt, b, i))
}

// trimName drops a leading "/", so "v" and "/v" name the same root
// variable.
func trimName(s string) string { return strings.TrimPrefix(s, "/") }
