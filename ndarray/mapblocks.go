package ndarray

import (
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
)

// MapBlocks applies fn to every block: output block k is computed from
// block k of each input, where the inputs are cut along their common grid
// (the common refinement of their chunks after broadcasting). The result
// has dtype dt and, when outChunks is nil, the inputs' grid; otherwise
// outChunks gives its block lengths per axis, which must have the same
// number of blocks per axis as the inputs' grid (as Dask's map_blocks with
// chunks=). label names the function in plans and errors.
func MapBlocks(fn BlockFunc, label string, dt chunk.DType, outChunks [][]int, inputs ...Array) Array {
	if fn == nil {
		return fail(fmt.Errorf("ndarray: map_blocks(%s): nil function: %w", label, ErrInvalid))
	}
	if len(inputs) == 0 {
		return fail(fmt.Errorf("ndarray: map_blocks(%s): no inputs: %w", label, chunk.ErrShape))
	}
	if err := firstErr(inputs...); err != nil {
		return fail(err)
	}
	if !dt.Valid() {
		return fail(fmt.Errorf("ndarray: map_blocks(%s): dtype %s: %w", label, dt, chunk.ErrDType))
	}
	shapes := make([][]int, len(inputs))
	nodes := make([]*Node, len(inputs))
	for i, a := range inputs {
		shapes[i] = a.n.Shape()
		nodes[i] = a.n
	}
	shape, err := BroadcastShapes(shapes...)
	if err != nil {
		return fail(fmt.Errorf("ndarray: map_blocks(%s): %w", label, err))
	}
	inGrid, err := unifiedGrid(shape, nodes)
	if err != nil {
		return fail(fmt.Errorf("ndarray: map_blocks(%s): %w", label, err))
	}
	for i := range nodes {
		nodes[i] = broadcastNode(nodes[i], inGrid)
	}
	outGrid := inGrid
	if outChunks != nil {
		if len(outChunks) != inGrid.Rank() {
			return fail(fmt.Errorf("ndarray: map_blocks(%s): %d chunk tuples for rank %d: %w", label, len(outChunks), inGrid.Rank(), chunk.ErrChunks))
		}
		out := make([]int, len(outChunks))
		for i, cs := range outChunks {
			if len(cs) != len(inGrid.AxisChunks(i)) {
				return fail(fmt.Errorf("ndarray: map_blocks(%s): axis %d has %d output blocks but %d input blocks: %w", label, i, len(cs), len(inGrid.AxisChunks(i)), chunk.ErrChunks))
			}
			for _, c := range cs {
				out[i] += c
			}
		}
		outGrid, err = chunk.NewGrid(out, outChunks)
		if err != nil {
			return fail(fmt.Errorf("ndarray: map_blocks(%s): %w", label, err))
		}
	}
	return wrap(newNode(&OpMapBlocks{Fn: fn, Label: label, InGrid: inGrid}, dt, outGrid, nodes...))
}
