// Package chunk holds the vocabulary every other ndchunk package shares:
// element types (DType) with NumPy's promotion rules, shapes and regions,
// chunk grids (regular, irregular, whole-axis and automatic) with the
// block-index <-> region arithmetic, dense row-major buffers (Dense, Block)
// and the budget-aware Allocator that every block buffer is drawn from.
//
// chunk is the bottom layer: it imports nothing else from ndchunk and must
// never do I/O or start goroutines. It builds with CGO_ENABLED=0.
package chunk
