package exec

import (
	"context"
	"fmt"
	"sync"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ops"
)

// Sink receives the blocks of an array being stored. The file drivers
// implement it; NewMemorySink is an in-memory one.
//
// WriteRegion may be called from several goroutines at once, for disjoint
// regions, and must not keep data. Commit makes the result visible (for a
// file: flush, fsync and rename from a temporary name); Abort discards
// everything written and leaves any existing destination untouched. Exactly
// one of them is called, once.
type Sink interface {
	Shape() []int
	DType() chunk.DType
	WriteRegion(ctx context.Context, r chunk.Region, data []byte) error
	Commit(ctx context.Context) error
	Abort() error
}

// BufferedSink is a Sink whose WriteRegion holds memory of its own while it
// runs, beyond the data it is given: a file writer's chunk, shuffle and
// compression buffers and its compressor's state. Store keeps that much of
// the budget free for every worker that may be writing at once, so the
// budget covers the writers too. Sinks that wrap another should implement
// it and return what the wrapped one needs (0 when it is not buffered).
type BufferedSink interface {
	Sink
	// WriteBufferBytes returns the most memory one WriteRegion call holds
	// of its own.
	WriteBufferBytes() int64
}

// BufferBytes returns what one WriteRegion of s holds of its own: its
// WriteBufferBytes when it is a BufferedSink, else 0. Sinks that wrap
// another forward it with this.
func BufferBytes(s Sink) int64 {
	if b, ok := s.(BufferedSink); ok {
		return b.WriteBufferBytes()
	}
	return 0
}

// SinkBuffers returns what the sinks' writes hold at once with workers
// writing: the largest buffer any sink needs (see BufferedSink), for each
// worker. Nil sinks hold nothing.
func SinkBuffers(sinks []Sink, workers int) int64 {
	var most int64
	for _, s := range sinks {
		most = max(most, BufferBytes(s))
	}
	return most * int64(max(workers, 1))
}

// MemorySink collects an array in memory.
type MemorySink struct {
	mu        sync.Mutex
	data      *chunk.Dense
	written   int
	committed bool
	aborted   bool
}

var _ Sink = (*MemorySink)(nil)

// NewMemorySink returns a sink for an array of the given dtype and shape.
func NewMemorySink(dt chunk.DType, shape []int) *MemorySink {
	return &MemorySink{data: chunk.NewDense(dt, shape)}
}

// Shape implements Sink.
func (s *MemorySink) Shape() []int { return s.data.Shape() }

// DType implements Sink.
func (s *MemorySink) DType() chunk.DType { return s.data.DType() }

// WriteRegion implements Sink.
func (s *MemorySink) WriteRegion(_ context.Context, r chunk.Region, data []byte) error {
	if len(data) != r.Size()*s.data.DType().Size() {
		return fmt.Errorf("exec: memory sink: %d bytes for region %v: %w", len(data), r, chunk.ErrShape)
	}
	if !chunk.WholeRegion(s.data.Shape()).Contains(r) {
		return fmt.Errorf("exec: memory sink: region %v outside %v: %w", r, s.data.Shape(), chunk.ErrIndex)
	}
	ops.CopyRegion(s.data.Bytes(), s.data.Shape(), r.Start, data, r.Shape, make([]int, len(r.Shape)), r.Shape, s.data.DType().Size())
	s.mu.Lock()
	s.written += r.Size()
	s.mu.Unlock()
	return nil
}

// Commit implements Sink.
func (s *MemorySink) Commit(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.aborted {
		return fmt.Errorf("exec: memory sink: commit after abort")
	}
	s.committed = true
	return nil
}

// Abort implements Sink.
func (s *MemorySink) Abort() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aborted = true
	return nil
}

// Result returns the stored array once committed, or nil.
func (s *MemorySink) Result() *chunk.Dense {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.committed {
		return nil
	}
	return s.data
}

// Written returns how many elements were written.
func (s *MemorySink) Written() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.written
}

// Aborted reports whether Abort was called.
func (s *MemorySink) Aborted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.aborted
}
