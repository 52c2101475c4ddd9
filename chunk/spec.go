package chunk

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Special per-axis chunk sizes for Regular.
const (
	// Whole makes one block of the whole axis (Dask's -1).
	Whole = -1
	// AutoAxis lets Auto choose the block length of that axis (Dask's "auto").
	AutoAxis = -2
)

// DefaultTargetBytes is the block size automatic chunking aims for when no
// target is given. It is half of Dask's 128 MiB default, because ndchunk's
// budgets are meant to be honoured on small machines.
const DefaultTargetBytes = 64 << 20

// Spec says how to chunk an array before its shape is known to the caller:
// regular sizes per axis (with Whole and AutoAxis), explicit irregular
// chunks, or automatic. The zero Spec means automatic with the default
// target. A Spec is resolved into a Grid by Resolve.
type Spec struct {
	sizes     []int
	irregular [][]int
	target    int64
}

// Regular returns a Spec with one block length per axis. A single size is
// used for every axis. Whole and AutoAxis may appear.
func Regular(sizes ...int) Spec { return Spec{sizes: append([]int(nil), sizes...)} }

// Irregular returns a Spec with explicit block lengths per axis, like Dask's
// chunks=((1, 4, 4), (3, 3, 6)).
func Irregular(chunks ...[]int) Spec {
	cp := make([][]int, len(chunks))
	for i, c := range chunks {
		cp[i] = append([]int(nil), c...)
	}
	if cp == nil {
		cp = [][]int{}
	}
	return Spec{irregular: cp}
}

// Auto returns a Spec that picks square-ish blocks of about targetBytes
// (DefaultTargetBytes if targetBytes <= 0), multiples of the storage chunks
// when the array has them.
func Auto(targetBytes int64) Spec {
	return Spec{target: targetBytes}
}

// IsAuto reports whether s is fully automatic.
func (s Spec) IsAuto() bool { return s.sizes == nil && s.irregular == nil }

// String formats s in the syntax ParseSpec accepts.
func (s Spec) String() string {
	switch {
	case s.irregular != nil:
		parts := make([]string, len(s.irregular))
		for i, cs := range s.irregular {
			p := make([]string, len(cs))
			for k, c := range cs {
				p[k] = strconv.Itoa(c)
			}
			parts[i] = "(" + strings.Join(p, ",") + ")"
		}
		return "(" + strings.Join(parts, ",") + ")"
	case s.sizes != nil:
		p := make([]string, len(s.sizes))
		for i, c := range s.sizes {
			switch c {
			case AutoAxis:
				p[i] = "auto"
			default:
				p[i] = strconv.Itoa(c)
			}
		}
		return strings.Join(p, ",")
	case s.target > 0:
		return "auto:" + FormatBytes(s.target)
	default:
		return "auto"
	}
}

// Resolve turns s into a Grid for an array of the given shape and dtype.
// storage, when not nil, holds the array's storage chunk shape; automatic
// sizes are then multiples of it.
func (s Spec) Resolve(shape []int, dt DType, storage []int) (Grid, error) {
	if err := CheckShape(shape); err != nil {
		return Grid{}, err
	}
	if s.irregular != nil {
		return NewGrid(shape, s.irregular)
	}
	sizes := s.sizes
	if sizes == nil {
		sizes = make([]int, len(shape))
		for i := range sizes {
			sizes[i] = AutoAxis
		}
	} else if len(sizes) == 1 && len(shape) != 1 {
		one := sizes[0]
		sizes = make([]int, len(shape))
		for i := range sizes {
			sizes[i] = one
		}
	}
	if len(sizes) != len(shape) {
		return Grid{}, fmt.Errorf("chunk: chunks %s for shape %v of rank %d: %w", s, shape, len(shape), ErrChunks)
	}
	for i, c := range sizes {
		if c == 0 || c < AutoAxis {
			return Grid{}, fmt.Errorf("chunk: chunk size %d on axis %d (want > 0, -1 for the whole axis, or auto): %w", c, i, ErrChunks)
		}
	}
	sizes = AutoChunks(shape, dt, s.target, storage, sizes)
	return RegularGrid(shape, sizes)
}

// AutoChunks chooses block lengths for the axes of sizes marked AutoAxis
// (every axis when sizes is nil) so that a block holds about targetBytes
// (DefaultTargetBytes if <= 0), square-ish in element counts, each a
// multiple of storage[i] when storage is given, and balanced so the last
// block of an axis is not a sliver. Other entries of sizes are kept (Whole
// becomes the axis length).
func AutoChunks(shape []int, dt DType, targetBytes int64, storage []int, sizes []int) []int {
	if targetBytes <= 0 {
		targetBytes = DefaultTargetBytes
	}
	n := len(shape)
	out := make([]int, n)
	if sizes == nil {
		for i := range out {
			out[i] = AutoAxis
		}
	} else {
		copy(out, sizes)
	}
	base := func(i int) int {
		if storage != nil && i < len(storage) && storage[i] > 0 {
			return min(storage[i], max(shape[i], 1))
		}
		return 1
	}
	elems := float64(targetBytes) / float64(max(dt.Size(), 1))
	var auto []int
	for i, c := range out {
		switch c {
		case Whole:
			out[i] = max(shape[i], 1)
			elems /= float64(max(shape[i], 1))
		case AutoAxis:
			auto = append(auto, i)
		default:
			elems /= float64(min(c, max(shape[i], 1)))
		}
	}
	// Smallest axes first: an axis shorter than its share takes its whole
	// length and leaves the rest to the others.
	sort.SliceStable(auto, func(a, b int) bool { return shape[auto[a]] < shape[auto[b]] })
	for k, i := range auto {
		left := len(auto) - k
		ideal := math.Pow(math.Max(elems, 1), 1/float64(left))
		// Leave room for the storage multiples of the axes still to come.
		others := 1.0
		for _, j := range auto[k+1:] {
			others *= float64(base(j))
		}
		ideal = math.Min(ideal, math.Max(elems, 1)/others)
		length := max(shape[i], 1)
		b := base(i)
		var c int
		if float64(length) <= ideal {
			c = length
		} else {
			c = max(b, int(ideal)/b*b)
			// Balance: as many blocks as c implies, spread evenly, kept a
			// multiple of the storage chunk.
			nb := (length + c - 1) / c
			even := (length + nb - 1) / nb
			c = min(length, (even+b-1)/b*b)
		}
		out[i] = c
		elems /= float64(c)
	}
	return out
}

// ParseSpec parses a chunk specification: "auto" or "auto:64MiB"; sizes per
// axis separated by commas or "x" ("2000,2000", "1x1000x1000", "-1,auto");
// or Dask's explicit tuples "((1,4,4),(3,3,6))".
func ParseSpec(text string) (Spec, error) {
	t := strings.TrimSpace(text)
	low := strings.ToLower(t)
	switch {
	case low == "auto" || low == "":
		return Auto(0), nil
	case strings.HasPrefix(low, "auto:"):
		n, err := ParseBytes(t[5:])
		if err != nil {
			return Spec{}, fmt.Errorf("chunk: chunks %q: %w", text, err)
		}
		return Auto(n), nil
	case strings.HasPrefix(t, "(("):
		inner := strings.TrimSuffix(strings.TrimPrefix(t, "("), ")")
		var axes [][]int
		for _, part := range strings.Split(inner, ")") {
			part = strings.Trim(strings.TrimSpace(part), ",")
			part = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(part), "("))
			if part == "" {
				continue
			}
			var cs []int
			for _, f := range strings.Split(part, ",") {
				f = strings.TrimSpace(f)
				if f == "" {
					continue
				}
				v, err := strconv.Atoi(f)
				if err != nil || v < 0 {
					return Spec{}, fmt.Errorf("chunk: chunks %q: bad length %q: %w", text, f, ErrChunks)
				}
				cs = append(cs, v)
			}
			axes = append(axes, cs)
		}
		return Irregular(axes...), nil
	}
	sep := ","
	if !strings.Contains(t, ",") && strings.Contains(low, "x") {
		sep = "x"
	}
	fields := strings.Split(strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(t), "("), ")"), sep)
	sizes := make([]int, 0, len(fields))
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if f == "auto" {
			sizes = append(sizes, AutoAxis)
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil || v == 0 || v < Whole {
			return Spec{}, fmt.Errorf("chunk: chunks %q: bad size %q (want a positive length, -1 or auto): %w", text, f, ErrChunks)
		}
		sizes = append(sizes, v)
	}
	if len(sizes) == 0 {
		return Spec{}, fmt.Errorf("chunk: chunks %q: no sizes: %w", text, ErrChunks)
	}
	return Regular(sizes...), nil
}

var byteUnits = []struct {
	suffix string
	mult   float64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40},
	{"b", 1},
}

// ParseBytes parses a byte size such as "512MiB", "2GB", "1.5G" or "4096".
// Binary suffixes (KiB, MiB, GiB, TiB and the bare K, M, G, T) are powers of
// 1024; decimal ones (KB, MB, GB, TB) powers of 1000.
func ParseBytes(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range byteUnits {
		if strings.HasSuffix(t, u.suffix) {
			mult = u.mult
			t = strings.TrimSpace(strings.TrimSuffix(t, u.suffix))
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("bad byte size %q (want e.g. 512MiB, 2GB, 1048576)", s)
	}
	b := v * mult
	if b > math.MaxInt64/2 {
		return 0, fmt.Errorf("byte size %q is too large", s)
	}
	return int64(b), nil
}

// FormatBytes formats n with a binary unit, e.g. "1.5 GiB". A value a
// hair under a unit (a budget less a few reserved bytes) shows as that
// unit: 1073741816 is "1.0 GiB", not "1024.0 MiB".
func FormatBytes(n int64) string {
	if n < 0 {
		return "-" + FormatBytes(-n)
	}
	f := float64(n)
	for _, u := range []struct {
		name string
		size float64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if f >= u.size*0.9995 {
			return fmt.Sprintf("%.1f %s", f/u.size, u.name)
		}
	}
	return fmt.Sprintf("%d B", n)
}
