package ndarray

import (
	"errors"
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
)

// Array is a lazy, chunked N-dimensional array: a handle on a node of an
// expression graph. Arrays are immutable values, cheap to copy; every method
// returns a new Array and computes nothing. An engine (package exec)
// evaluates them.
//
// Errors are sticky: an operation with invalid arguments returns an Array
// that carries the error, every operation on it passes the error on, and
// Err or the engine reports it. So expressions chain without checks at every
// step, and the first mistake is the one reported.
type Array struct {
	n    *Node
	err  error
	weak chunk.ScalarKind // for untyped scalars (Float, Int, BoolScalar)
	// isWeak marks an untyped scalar, which adopts the other operand's dtype
	// under NumPy 2's promotion rules.
	isWeak bool
}

// ErrInvalid reports use of the zero Array.
var ErrInvalid = errors.New("ndarray: zero Array")

// Err returns the first error met while building the array, or nil.
func (a Array) Err() error {
	if a.err != nil {
		return a.err
	}
	if a.n == nil {
		return ErrInvalid
	}
	return nil
}

// Node returns the graph node of a valid array (nil when Err is not nil).
func (a Array) Node() *Node {
	if a.err != nil {
		return nil
	}
	return a.n
}

// Shape returns the shape (nil for an array with an error).
func (a Array) Shape() []int {
	if a.Err() != nil {
		return nil
	}
	return append([]int(nil), a.n.Shape()...)
}

// Rank returns the number of axes.
func (a Array) Rank() int { return len(a.Shape()) }

// Size returns the number of elements.
func (a Array) Size() int { return chunk.Size(a.Shape()) }

// DType returns the element type (chunk.Invalid for an array with an error).
func (a Array) DType() chunk.DType {
	if a.Err() != nil {
		return chunk.Invalid
	}
	return a.n.dtype
}

// Grid returns the chunk grid.
func (a Array) Grid() chunk.Grid {
	if a.Err() != nil {
		return chunk.Grid{}
	}
	return a.n.grid
}

// Chunks returns the block lengths per axis, as Dask's Array.chunks.
func (a Array) Chunks() [][]int { return a.Grid().Chunks() }

// NBytes returns the size of the array in bytes.
func (a Array) NBytes() int64 { return int64(a.Size()) * int64(a.DType().Size()) }

// String describes the array without computing it, e.g.
// "ndarray.Array<float64 [20000 20000] chunks 2000x2000: sum(...)>".
func (a Array) String() string {
	if err := a.Err(); err != nil {
		return fmt.Sprintf("ndarray.Array<error: %v>", err)
	}
	return fmt.Sprintf("ndarray.Array<%s %v chunks %s: %s>", a.n.dtype, a.n.Shape(), a.n.grid.Summary(), Describe(a.n, 120))
}

// Errorf returns an Array carrying an error; used by callers (such as the
// expression language) that build arrays from user input.
func Errorf(format string, args ...any) Array {
	return Array{err: fmt.Errorf(format, args...)}
}

func fail(err error) Array { return Array{err: err} }

// firstErr returns the first error among arrays.
func firstErr(arrays ...Array) error {
	for _, a := range arrays {
		if err := a.Err(); err != nil {
			return err
		}
	}
	return nil
}

// newNode builds a node, validating shape and grid.
func newNode(op Op, dt chunk.DType, grid chunk.Grid, inputs ...*Node) *Node {
	return &Node{id: nodeIDs.Add(1), op: op, inputs: inputs, dtype: dt, grid: grid}
}

func wrap(n *Node) Array { return Array{n: n} }

// normAxis converts a possibly negative axis into [0, rank).
func normAxis(axis, rank int, what string) (int, error) {
	if axis < -rank || axis >= rank {
		return 0, fmt.Errorf("ndarray: %s: axis %d out of range for rank %d: %w", what, axis, rank, chunk.ErrIndex)
	}
	if axis < 0 {
		axis += rank
	}
	return axis, nil
}

// normAxes converts axes into a per-axis flag set; no axes means all axes.
func normAxes(axes []int, rank int, what string) ([]bool, error) {
	flags := make([]bool, rank)
	if axes == nil {
		for i := range flags {
			flags[i] = true
		}
		return flags, nil
	}
	for _, ax := range axes {
		a, err := normAxis(ax, rank, what)
		if err != nil {
			return nil, err
		}
		if flags[a] {
			return nil, fmt.Errorf("ndarray: %s: repeated axis %d: %w", what, ax, chunk.ErrIndex)
		}
		flags[a] = true
	}
	return flags, nil
}
