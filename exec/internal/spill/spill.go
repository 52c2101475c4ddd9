// Package spill keeps blocks that cannot stay resident, zstd-compressed,
// in one unlinked temporary file per run. The local engine and the MPI
// backend both use it.
package spill

import (
	"fmt"
	"os"
	"sync"

	"github.com/klauspost/compress/zstd"

	"github.com/ndchunk/ndchunk/chunk"
)

// File holds spilled blocks of one run, zstd-compressed, in one
// temporary file removed when the run ends.
type File struct {
	f   *os.File
	enc *zstd.Encoder
	dec *zstd.Decoder

	mu  sync.Mutex
	end int64
}

// Ref locates one spilled block.
type Ref struct {
	off, n int64
	dtype  chunk.DType
	shape  []int
}

// New creates an unlinked spill file in dir.
func New(dir string) (*File, error) {
	f, err := os.CreateTemp(dir, "ndchunk-spill-*")
	if err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	// Unlinked at once: the data lives only as long as the open file, even
	// if the process dies.
	_ = os.Remove(f.Name())
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		f.Close()
		return nil, err
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0))
	if err != nil {
		f.Close()
		return nil, err
	}
	return &File{f: f, enc: enc, dec: dec}, nil
}

// Store compresses and appends a block, returning where it went and how
// many bytes it took.
func (s *File) Store(b *chunk.Block) (*Ref, int64, error) {
	data := s.enc.EncodeAll(b.Bytes(), nil)
	s.mu.Lock()
	off := s.end
	s.end += int64(len(data))
	s.mu.Unlock()
	if _, err := s.f.WriteAt(data, off); err != nil {
		return nil, 0, err
	}
	return &Ref{off: off, n: int64(len(data)), dtype: b.DType(), shape: append([]int{}, b.Shape()...)}, int64(len(data)), nil
}

// Load reads a spilled block back into a new block from alloc.
func (s *File) Load(ref *Ref, alloc *chunk.Allocator) (*chunk.Block, error) {
	comp := make([]byte, ref.n)
	if _, err := s.f.ReadAt(comp, ref.off); err != nil {
		return nil, err
	}
	blk := alloc.Alloc(ref.dtype, ref.shape)
	out, err := s.dec.DecodeAll(comp, blk.Bytes()[:0])
	if err != nil || len(out) != len(blk.Bytes()) {
		blk.Release()
		if err == nil {
			err = fmt.Errorf("spilled block decoded to %d bytes, want %d", len(out), len(blk.Bytes()))
		}
		return nil, err
	}
	return blk, nil
}

// Close releases the file; its blocks are gone.
func (s *File) Close() {
	s.enc.Close()
	s.dec.Close()
	s.f.Close()
}
