package chunk

import (
	"fmt"
	"strings"
)

// Size returns the number of elements of an array of the given shape (1 for
// rank 0).
func Size(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}

// Strides returns the row-major element strides of shape.
func Strides(shape []int) []int {
	st := make([]int, len(shape))
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = s
		s *= shape[i]
	}
	return st
}

// CheckShape reports an error if shape has a negative axis or more than
// MaxRank axes.
func CheckShape(shape []int) error {
	if len(shape) > MaxRank {
		return fmt.Errorf("chunk: rank %d exceeds %d: %w", len(shape), MaxRank, ErrShape)
	}
	for i, s := range shape {
		if s < 0 {
			return fmt.Errorf("chunk: negative length %d on axis %d of %v: %w", s, i, shape, ErrShape)
		}
	}
	return nil
}

// EqualInts reports whether a and b hold the same values.
func EqualInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Region is a hyper-rectangle of an array: Start is its first index on each
// axis and Shape its length on each axis. A Region of rank 0 is the single
// element of a scalar array.
type Region struct {
	Start []int
	Shape []int
}

// WholeRegion returns the region covering all of an array of the given shape.
func WholeRegion(shape []int) Region {
	return Region{Start: make([]int, len(shape)), Shape: append([]int(nil), shape...)}
}

// Rank is the number of axes of r.
func (r Region) Rank() int { return len(r.Shape) }

// Size is the number of elements in r.
func (r Region) Size() int { return Size(r.Shape) }

// Stop returns the exclusive end of r on axis i.
func (r Region) Stop(i int) int { return r.Start[i] + r.Shape[i] }

// Equal reports whether r and o describe the same region.
func (r Region) Equal(o Region) bool {
	return EqualInts(r.Start, o.Start) && EqualInts(r.Shape, o.Shape)
}

// Clone returns a deep copy of r.
func (r Region) Clone() Region {
	return Region{Start: append([]int(nil), r.Start...), Shape: append([]int(nil), r.Shape...)}
}

// Contains reports whether o lies entirely within r.
func (r Region) Contains(o Region) bool {
	if len(r.Shape) != len(o.Shape) {
		return false
	}
	for i := range r.Shape {
		if o.Start[i] < r.Start[i] || o.Start[i]+o.Shape[i] > r.Start[i]+r.Shape[i] {
			return false
		}
	}
	return true
}

// Intersect returns the intersection of r and o and whether it is non-empty.
func (r Region) Intersect(o Region) (Region, bool) {
	out := Region{Start: make([]int, len(r.Shape)), Shape: make([]int, len(r.Shape))}
	ok := true
	for i := range r.Shape {
		lo := max(r.Start[i], o.Start[i])
		hi := min(r.Start[i]+r.Shape[i], o.Start[i]+o.Shape[i])
		if hi <= lo {
			ok = false
			hi = lo
		}
		out.Start[i], out.Shape[i] = lo, hi-lo
	}
	return out, ok
}

// Relative returns r expressed in coordinates relative to the start of outer.
func (r Region) Relative(outer Region) Region {
	out := r.Clone()
	for i := range out.Start {
		out.Start[i] -= outer.Start[i]
	}
	return out
}

// String formats r as NumPy-style slices, e.g. "[0:10, 5:8]".
func (r Region) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range r.Shape {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d:%d", r.Start[i], r.Start[i]+r.Shape[i])
	}
	b.WriteByte(']')
	return b.String()
}
