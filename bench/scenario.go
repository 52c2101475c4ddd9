package bench

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ndchunk/ndchunk/chunk"
)

// Scenario names.
const (
	MeanRandom      = "mean-random"
	SinCosTranspose = "sincos-transpose"
	Anomaly         = "anomaly"
	Rechunk         = "rechunk"
	Matmul          = "matmul"
	FileExpr        = "file-expr"
)

// Scenario describes one benchmark workload.
type Scenario struct {
	// Name is the scenario's name on the command line.
	Name string
	// Description says what is computed.
	Description string
	// Rank is the rank of the scenario's arrays (0: any, for file-expr).
	Rank int
	// DType is the element type of the arrays.
	DType chunk.DType
	// DefaultShape is the shape when --size is not given.
	DefaultShape []int
	// DefaultChunks is the chunk list swept when --chunks is not given.
	DefaultChunks string
	// FileInput reports whether the scenario reads a file (generated into
	// a temporary directory unless --file is given).
	FileInput bool
	// Square reports whether the arrays must be square (x.T is added to x;
	// a @ b of square matrices).
	Square bool
}

// Scenarios lists the workloads, in the order they run.
var Scenarios = []Scenario{
	{Name: MeanRandom, Description: "mean of a uniform random float64 array", Rank: 2, DType: chunk.Float64,
		DefaultShape: []int{20000, 20000}, DefaultChunks: "1000,2000,5000"},
	{Name: SinCosTranspose, Description: "sum(sin(x) + cos(x.T)) of a uniform random float64 array", Rank: 2, DType: chunk.Float64,
		DefaultShape: []int{20000, 20000}, DefaultChunks: "1000,2000,5000", Square: true},
	{Name: Anomaly, Description: "x - mean(x, axis=0) of a 3-D float32 file variable, stored to NetCDF-4", Rank: 3, DType: chunk.Float32,
		DefaultShape: []int{1000, 600, 600}, DefaultChunks: "1x-1x-1;8x-1x-1;32x-1x-1", FileInput: true},
	{Name: Rechunk, Description: "convert a time-major 3-D float32 file (chunks 1 x Y x X) into time-series chunks", Rank: 3, DType: chunk.Float32,
		DefaultShape: []int{1000, 600, 600}, DefaultChunks: "-1x10x10;-1x25x25;-1x50x50", FileInput: true},
	{Name: Matmul, Description: "sum(a @ b) of two square uniform random float64 matrices", Rank: 2, DType: chunk.Float64,
		DefaultShape: []int{4000, 4000}, DefaultChunks: "500,1000,2000", Square: true},
	{Name: FileExpr, Description: "an --expr over --file inputs (a 3-D float32 file x when no --file is given)", Rank: 0, DType: chunk.Float32,
		DefaultShape: []int{1000, 600, 600}, DefaultChunks: "8x-1x-1;32x-1x-1", FileInput: true},
}

// DefaultFileExpr is file-expr's expression when --expr is not given; it
// reads the generated variable x.
const DefaultFileExpr = "sqrt(x * x + 1).mean(axis=0).sum()"

// Lookup returns the scenario named name.
func Lookup(name string) (Scenario, error) {
	for _, s := range Scenarios {
		if s.Name == name {
			return s, nil
		}
	}
	return Scenario{}, fmt.Errorf("unknown scenario %q (want %s)", name, strings.Join(ScenarioNames(), ", "))
}

// ScenarioNames returns the names of the scenarios.
func ScenarioNames() []string {
	var names []string
	for _, s := range Scenarios {
		names = append(names, s.Name)
	}
	return names
}

// ParseShape parses --size: a side N (every axis of a rank-rank array) or
// an explicit shape such as 365x400x400.
func ParseShape(s string, rank int) ([]int, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, fmt.Errorf("empty size")
	}
	if !strings.ContainsAny(t, "x,") {
		n, err := strconv.Atoi(t)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad size %q (want N or a shape such as 365x400x400)", s)
		}
		if rank <= 0 {
			return nil, fmt.Errorf("size %q: this scenario needs an explicit shape", s)
		}
		shape := make([]int, rank)
		for i := range shape {
			shape[i] = n
		}
		return shape, nil
	}
	shape, err := parseDims(t, false)
	if err != nil {
		return nil, fmt.Errorf("bad size %q: %w", s, err)
	}
	if rank > 0 && len(shape) != rank {
		return nil, fmt.Errorf("size %q has rank %d, the scenario wants rank %d", s, len(shape), rank)
	}
	return shape, nil
}

// parseDims parses AxBxC (or A,B,C); -1 means a whole axis when whole is
// allowed.
func parseDims(s string, whole bool) ([]int, error) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == 'x' || r == 'X' || r == ',' || r == '*' })
	if len(parts) == 0 {
		return nil, fmt.Errorf("no dimensions")
	}
	out := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		switch {
		case err != nil:
			return nil, fmt.Errorf("%q is not an integer", p)
		case n == chunk.Whole && whole:
		case n <= 0:
			return nil, fmt.Errorf("%d is not a positive length", n)
		}
		out[i] = n
	}
	return out, nil
}

// ChunkChoice is one entry of --chunks: a side for square or cubic chunks,
// or an explicit shape.
type ChunkChoice struct {
	// Side is set for a bare number (chunks of Side on every axis).
	Side int
	// Shape is set for an explicit shape; -1 is a whole axis.
	Shape []int
}

// String formats the choice as it was given.
func (c ChunkChoice) String() string {
	if c.Side > 0 {
		return strconv.Itoa(c.Side)
	}
	return FormatShape(c.Shape)
}

// Resolve returns the chunk shape for an array of the given shape: sides
// and -1 are clipped to the axes, so the result holds real lengths.
func (c ChunkChoice) Resolve(shape []int) ([]int, error) {
	out := make([]int, len(shape))
	if c.Side <= 0 && len(c.Shape) != len(shape) {
		return nil, fmt.Errorf("chunks %s have rank %d, the array %s rank %d", c, len(c.Shape), FormatShape(shape), len(shape))
	}
	for i, n := range shape {
		v := c.Side
		if c.Side <= 0 {
			v = c.Shape[i]
		}
		if v == chunk.Whole || v > n {
			v = n
		}
		out[i] = max(v, 1)
	}
	return out, nil
}

// ParseChunkList parses --chunks: sides separated by commas
// (250,500,1000: square or cubic chunks) or shapes separated by
// semicolons (1x1000x1000;10x100x100), -1 meaning a whole axis.
func ParseChunkList(s string) ([]ChunkChoice, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, fmt.Errorf("empty chunk list")
	}
	var out []ChunkChoice
	if !strings.ContainsAny(t, "x;X") {
		for _, p := range strings.Split(t, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("chunks %q: bad side %q (want sides such as 250,500 or shapes such as 1x1000x1000;10x100x100)", s, p)
			}
			out = append(out, ChunkChoice{Side: n})
		}
		return out, nil
	}
	for _, p := range strings.Split(t, ";") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		dims, err := parseDims(p, true)
		if err != nil {
			return nil, fmt.Errorf("chunks %q: bad shape %q: %w", s, p, err)
		}
		out = append(out, ChunkChoice{Shape: dims})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("chunks %q: no shapes", s)
	}
	return out, nil
}

// ParseIntList parses a comma-separated list of positive integers
// (--workers).
func ParseIntList(s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad count %q in %q (want positive integers such as 1,2)", p, s)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty list %q", s)
	}
	return out, nil
}

// FormatShape formats a shape as AxBxC ("scalar" for rank 0).
func FormatShape(shape []int) string {
	if len(shape) == 0 {
		return "scalar"
	}
	parts := make([]string, len(shape))
	for i, n := range shape {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, "x")
}

// numBlocks returns the number of blocks of chunks over shape.
func numBlocks(shape, chunks []int) int {
	n := 1
	for i := range shape {
		if i < len(chunks) && chunks[i] > 0 {
			n *= (shape[i] + chunks[i] - 1) / chunks[i]
		}
	}
	return n
}

// nbytes returns the size of an array of shape and dtype.
func nbytes(shape []int, dt chunk.DType) int64 {
	return int64(chunk.Size(shape)) * int64(dt.Size())
}
