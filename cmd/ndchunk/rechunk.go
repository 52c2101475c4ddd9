package main

import (
	"context"
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/ndarray"
)

// contiguousRun is the size of the runs ndchunk treats as the "chunks" of
// a contiguous (unchunked) source: whole trailing axes up to about this
// many bytes read as one sequential run.
const contiguousRun = 1 << 20

// readChunks returns the regions a source reads well: its storage chunks,
// or for a contiguous source runs of whole trailing axes.
func readChunks(shape []int, elemSize int, storage []int) []int {
	if len(storage) == len(shape) && len(shape) > 0 {
		out := make([]int, len(shape))
		for i, c := range storage {
			out[i] = min(max(c, 1), max(shape[i], 1))
		}
		return out
	}
	out := make([]int, len(shape))
	elems := int64(max(contiguousRun/max(elemSize, 1), 1))
	inner := int64(1)
	for i := len(shape) - 1; i >= 0; i-- {
		n := int64(max(shape[i], 1))
		switch {
		case inner*n <= elems:
			out[i] = int(n)
			inner *= n
		case inner < elems:
			out[i] = int(max(1, elems/inner))
			inner = elems
		default:
			out[i] = 1
		}
	}
	return out
}

// gcd is the greatest common divisor.
func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// lcmCapped returns the least common multiple of a and b, or n when that
// is n or more (a block as long as the axis is aligned to everything).
func lcmCapped(a, b, n int) int {
	l := int64(a) / int64(gcd(a, b)) * int64(b)
	if l >= int64(n) {
		return max(n, 1)
	}
	return int(l)
}

// blockGrid returns a grid of blocks of about targetBytes, each a multiple
// of unit along every axis (the last block of an axis may be shorter).
func blockGrid(shape []int, dt chunk.DType, unit []int, targetBytes int64) (chunk.Grid, error) {
	sizes := chunk.AutoChunks(shape, dt, targetBytes, unit, nil)
	return chunk.RegularGrid(shape, sizes)
}

// alignedTo reports whether every block boundary of g falls on a multiple
// of unit, so each block covers whole units.
func alignedTo(g chunk.Grid, unit []int) bool {
	for i := 0; i < g.Rank(); i++ {
		u := unit[i]
		offs := g.AxisOffsets(i)
		for _, o := range offs[:len(offs)-1] {
			if o%u != 0 {
				return false
			}
		}
	}
	return true
}

// rechunkPlan is how a variable is copied into its target blocks.
type rechunkPlan struct {
	// Passes deliver the target blocks: one array for the whole variable,
	// or one per slab when the copy runs in passes.
	Passes []pass
	// Staged is set when the copy goes through persisted source blocks
	// (the source and target chunks do not align); otherwise each target
	// block is read straight from the source.
	Staged bool
	// Read and Write are the source read blocks and the target blocks (of
	// the first pass).
	Read, Write chunk.Grid
}

// pass is the part of a copy covering one slab of the variable.
type pass struct {
	Array  ndarray.Array
	Offset []int // where the slab starts in the variable
}

// Array returns the array of a one-pass plan (or the first pass's).
func (p rechunkPlan) Array() ndarray.Array {
	if len(p.Passes) == 0 {
		return ndarray.Errorf("rechunk: empty plan")
	}
	return p.Passes[0].Array
}

// Err returns the first error of the plan's arrays.
func (p rechunkPlan) Err() error {
	for _, ps := range p.Passes {
		if err := ps.Array.Err(); err != nil {
			return err
		}
	}
	if len(p.Passes) == 0 {
		return fmt.Errorf("rechunk: empty plan")
	}
	return nil
}

func onePass(a ndarray.Array, rank int) []pass {
	return []pass{{Array: a, Offset: make([]int, rank)}}
}

// stageInto delivers src in the blocks of target, never relying on the
// library's chunk cache. When every target block covers whole source
// chunks, each is read straight from the source (each chunk read once).
// Otherwise it is the Rechunker plan: the source is read in blocks made of
// whole storage chunks (about readBytes each) and persisted; each read
// block is cut into the pieces the target blocks need (the common
// refinement of both grids), persisted again, which the planner places
// right after the read and spills, compressed, when they cannot stay
// resident; then target blocks are assembled from their pieces.
func stageInto(src ndarray.Source, srcChunks []int, target chunk.Grid, readBytes int64) rechunkPlan {
	shape := src.Shape()
	unit := readChunks(shape, src.DType().Size(), srcChunks)
	if len(shape) == 0 || alignedTo(target, unit) {
		return rechunkPlan{Passes: onePass(ndarray.FromSource(src, chunk.Irregular(target.Chunks()...)), len(shape)), Write: target}
	}
	read, err := blockGrid(shape, src.DType(), unit, readBytes)
	if err != nil {
		return rechunkPlan{Passes: onePass(ndarray.Errorf("rechunk: %w", err), len(shape))}
	}
	pieces := make([][]int, len(shape))
	for i := range shape {
		pieces[i] = chunk.UnifyChunks(read.AxisChunks(i), target.AxisChunks(i))
	}
	pg, err := chunk.NewGrid(shape, pieces)
	if err != nil {
		return rechunkPlan{Passes: onePass(ndarray.Errorf("rechunk: %w", err), len(shape))}
	}
	a := ndarray.FromSource(src, chunk.Irregular(read.Chunks()...)).Persist().RechunkGrid(pg).Persist().RechunkGrid(target)
	return rechunkPlan{Passes: onePass(a, len(shape)), Staged: true, Read: read, Write: target}
}

// targetGrid returns blocks of about targetBytes made of whole chunks,
// grown from the last axis first: the copies that cut and assemble blocks
// then move long runs of contiguous bytes.
func targetGrid(shape []int, dt chunk.DType, chunks []int, targetBytes int64) (chunk.Grid, error) {
	sizes := make([]int, len(shape))
	elems := int64(1)
	for i, c := range chunks {
		sizes[i] = min(max(c, 1), max(shape[i], 1))
		elems *= int64(sizes[i])
	}
	room := max(targetBytes/int64(max(dt.Size(), 1)), 1)
	for i := len(shape) - 1; i >= 0 && elems < room; i-- {
		// Grow by whole chunks, up to the whole axis.
		k := max(int64(1), room/elems)
		grown := min(int64(max(shape[i], 1)), int64(sizes[i])*k)
		elems = elems / int64(sizes[i]) * grown
		sizes[i] = int(grown)
	}
	return chunk.RegularGrid(shape, sizes)
}

// copyPlan plans copying src into a variable stored in chunks dstChunks
// (nil: no chunks, any region can be written). Target blocks are whole
// multiples of the storage chunks, about blockBytes each, so the writer
// stores finished chunks; when a block can also be a multiple of the source
// chunks within blockBytes, it is, and the copy needs no staging.
//
// When the source chunks are stored unfiltered (partial reads cost no more
// than the bytes read) and the target cuts them, the copy runs in passes
// instead of spilling: each pass reads one slab of the variable (at most
// passBytes, cut along the first axis the target chunks cut, so each read
// is a few long runs of every source chunk), keeps it, and assembles the
// slab's target blocks from it. Nothing is read twice and nothing spilled.
func copyPlan(src ndarray.Source, srcChunks, dstChunks []int, blockBytes, passBytes int64, cheapPartial bool) rechunkPlan {
	shape := src.Shape()
	dt := src.DType()
	unit := readChunks(shape, dt.Size(), srcChunks)
	if len(shape) == 0 {
		g, _ := chunk.RegularGrid(shape, nil)
		return stageInto(src, srcChunks, g, blockBytes)
	}
	dst := make([]int, len(shape))
	for i := range shape {
		if len(dstChunks) == len(shape) {
			dst[i] = min(max(dstChunks[i], 1), max(shape[i], 1))
		} else {
			// Any region can be written: blocks of whole source chunks.
			dst[i] = unit[i]
		}
	}
	both := make([]int, len(shape))
	for i := range shape {
		both[i] = lcmCapped(unit[i], dst[i], shape[i])
	}
	if int64(chunk.Size(both))*int64(dt.Size()) <= blockBytes {
		g, err := blockGrid(shape, dt, both, blockBytes)
		if err != nil {
			return rechunkPlan{Passes: onePass(ndarray.Errorf("rechunk: %w", err), len(shape))}
		}
		return stageInto(src, srcChunks, g, blockBytes)
	}
	total := int64(chunk.Size(shape)) * int64(dt.Size())
	if cheapPartial && total > passBytes {
		if p, ok := slabPasses(src, srcChunks, dst, blockBytes, passBytes); ok {
			return p
		}
	}
	g, err := targetGrid(shape, dt, dst, blockBytes)
	if err != nil {
		return rechunkPlan{Passes: onePass(ndarray.Errorf("rechunk: %w", err), len(shape))}
	}
	return stageInto(src, srcChunks, g, blockBytes)
}

// slabPasses plans the copy in passes over slabs of the variable (see
// copyPlan). It reports false when no axis suits.
func slabPasses(src ndarray.Source, srcChunks, dst []int, blockBytes, passBytes int64) (rechunkPlan, bool) {
	shape := src.Shape()
	dt := src.DType()
	storage := srcChunks
	if len(storage) != len(shape) {
		storage = shape // contiguous: one chunk
	}
	// The slab axis: the first the target chunks cut.
	axis := -1
	for i := range shape {
		if dst[i] < min(storage[i], shape[i]) {
			axis = i
			break
		}
	}
	if axis < 0 {
		return rechunkPlan{}, false
	}
	total := int64(chunk.Size(shape)) * int64(dt.Size())
	npass := (total + passBytes - 1) / passBytes
	length := (int64(shape[axis]) + npass - 1) / npass
	length = (length + int64(dst[axis]) - 1) / int64(dst[axis]) * int64(dst[axis])
	if length >= int64(shape[axis]) {
		return rechunkPlan{}, false
	}
	var p rechunkPlan
	p.Staged = true
	for start := 0; start < shape[axis]; start += int(length) {
		sub := make([]int, len(shape))
		copy(sub, shape)
		sub[axis] = min(int(length), shape[axis]-start)
		off := make([]int, len(shape))
		off[axis] = start
		slab := &slabSource{src: src, offset: off, shape: sub}
		// Read units: the slab's whole extent along the axis, whole source
		// chunks along the others, so every read is a few long runs.
		unit := make([]int, len(shape))
		for i := range shape {
			unit[i] = min(max(storage[i], 1), max(sub[i], 1))
		}
		unit[axis] = max(sub[axis], 1)
		read, err := blockGrid(sub, dt, unit, blockBytes)
		if err != nil {
			return rechunkPlan{}, false
		}
		write, err := targetGrid(sub, dt, dst, blockBytes)
		if err != nil {
			return rechunkPlan{}, false
		}
		a := ndarray.FromSource(slab, chunk.Irregular(read.Chunks()...)).Persist().RechunkGrid(write)
		if len(p.Passes) == 0 {
			p.Read, p.Write = read, write
		}
		p.Passes = append(p.Passes, pass{Array: a, Offset: off})
	}
	return p, true
}

// slabSource is the part of a source from offset, of the given shape.
// It deliberately does not forward ndarray.ConcurrentSource: a slab's
// blocks are persisted whole, and reading each as one region (a few long
// runs per storage chunk, in a read task) measured faster than reading it
// tile by tile inside the persisting task (2.0-2.8 s against 1.3-2.4 s for
// a 1 GB (1000, 500, 500) float32 copy to (1000, 50, 50) chunks).
type slabSource struct {
	src    ndarray.Source
	offset []int
	shape  []int
}

// DType implements ndarray.Source.
func (s *slabSource) DType() chunk.DType { return s.src.DType() }

// Shape implements ndarray.Source.
func (s *slabSource) Shape() []int { return s.shape }

// Name implements ndarray.Namer.
func (s *slabSource) Name() string {
	name := "source"
	if n, ok := s.src.(ndarray.Namer); ok {
		name = n.Name()
	}
	return fmt.Sprintf("%s slab at %v", name, s.offset)
}

// ReadRegion implements ndarray.Source.
func (s *slabSource) ReadRegion(ctx context.Context, r chunk.Region, dst []byte) error {
	abs := chunk.Region{Start: make([]int, len(r.Start)), Shape: r.Shape}
	for i := range r.Start {
		abs.Start[i] = r.Start[i] + s.offset[i]
	}
	return s.src.ReadRegion(ctx, abs, dst)
}

// offsetSink writes a slab's blocks into the variable's sink at the slab's
// offset. Committing it does nothing: the variable's sink is committed
// once every pass is done.
type offsetSink struct {
	exec.Sink
	offset []int
	shape  []int
}

// Shape implements exec.Sink.
func (s *offsetSink) Shape() []int { return s.shape }

// WriteRegion implements exec.Sink.
func (s *offsetSink) WriteRegion(ctx context.Context, r chunk.Region, data []byte) error {
	abs := chunk.Region{Start: make([]int, len(r.Start)), Shape: r.Shape}
	for i := range r.Start {
		abs.Start[i] = r.Start[i] + s.offset[i]
	}
	return s.Sink.WriteRegion(ctx, abs, data)
}

// Commit implements exec.Sink.
func (s *offsetSink) Commit(context.Context) error { return nil }

// WriteBufferBytes implements exec.BufferedSink: what the variable's
// sink's writes hold of their own.
func (s *offsetSink) WriteBufferBytes() int64 { return exec.BufferBytes(s.Sink) }
