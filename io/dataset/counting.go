package dataset

import (
	"context"
	"sync/atomic"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/ndarray"
)

// CountingVar is a Var that adds the bytes it reads to N, for reports of
// the bytes a run read. It keeps the variable's lock-free reads
// (ndarray.ConcurrentSource), so counting never changes the plan.
type CountingVar struct {
	Var
	N *atomic.Int64
}

// ReadRegion implements ndarray.Source.
func (c CountingVar) ReadRegion(ctx context.Context, r chunk.Region, dst []byte) error {
	if err := c.Var.ReadRegion(ctx, r, dst); err != nil {
		return err
	}
	c.N.Add(int64(len(dst)))
	return nil
}

// ConcurrentReads implements ndarray.ConcurrentSource: whether the
// wrapped variable may be read from many goroutines at once.
func (c CountingVar) ConcurrentReads() bool {
	cs, ok := c.Var.(ndarray.ConcurrentSource)
	return ok && cs.ConcurrentReads()
}

// CountingSink is a sink that adds the bytes written to it to N.
type CountingSink struct {
	exec.Sink
	N *atomic.Int64
}

// WriteRegion implements exec.Sink.
func (c CountingSink) WriteRegion(ctx context.Context, r chunk.Region, data []byte) error {
	if err := c.Sink.WriteRegion(ctx, r, data); err != nil {
		return err
	}
	c.N.Add(int64(len(data)))
	return nil
}

// WriteBufferBytes implements exec.BufferedSink: what the wrapped sink's
// writes hold of their own.
func (c CountingSink) WriteBufferBytes() int64 { return exec.BufferBytes(c.Sink) }

// zlibStateBytes bounds a zlib compressor's own state (window, hash
// tables, output buffering: 0.8 MiB measured at level 1, 1.4 at level 9).
const zlibStateBytes = 1 << 20

// WriteBufferBytes is what the drivers' writes of whole chunks of a
// variable hold of their own (their exec.BufferedSink figure): a chunk
// assembled and a chunk encoded, and when filtered (shuffle or deflate) a
// shuffle buffer and a compressor. Callers planning a Store before the
// output exists use it to hold the same memory back.
func WriteBufferBytes(chunks []int, dt chunk.DType, filtered bool) int64 {
	if chunks == nil {
		return 0
	}
	chunkBytes := int64(chunk.Size(chunks)) * int64(dt.Size())
	if !filtered {
		return 2 * chunkBytes
	}
	return 3*chunkBytes + zlibStateBytes
}
