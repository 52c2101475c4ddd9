package h5

// #include "helpers.h"
import "C"

import (
	"bytes"
	"fmt"
	"sync"
	"unsafe"

	"github.com/klauspost/compress/zlib"

	"github.com/ndchunk/ndchunk/io/dataset"
)

// Codec runs a dataset's shuffle and deflate filters outside libhdf5, so
// chunks can be compressed and decompressed on the caller's goroutine, in
// parallel and without the C library lock, and moved with WriteChunk and
// ReadChunk. Its output is byte for byte what the library's filters accept:
// HDF5's shuffle filter, and zlib streams (RFC 1950) as HDF5's deflate
// filter writes with compress2. Compression uses klauspost/compress,
// decompression zlib itself. A Codec is safe for concurrent use.
type Codec struct {
	steps []int // filter ids in pipeline order
	level int   // the deflate level
	elem  int   // the stored element size, for shuffle
}

// NewCodec returns the codec for a pipeline, or false when the pipeline
// is not one the codec runs: shuffle, deflate, or shuffle then deflate.
// elemSize is the size of one stored element.
func NewCodec(filters []Filter, elemSize int) (*Codec, bool) {
	c := &Codec{elem: elemSize, level: 6}
	for i, f := range filters {
		switch {
		case f.ID == FilterShuffle && i == 0:
		case f.ID == FilterDeflate && i == len(filters)-1:
			if len(f.Params) > 0 {
				c.level = int(f.Params[0])
			}
		default:
			return nil, false
		}
		c.steps = append(c.steps, f.ID)
	}
	if c.level < 0 || c.level > 9 {
		c.level = 6
	}
	return c, true
}

// CodecOf returns the codec for shuffle (if set) then deflate at level
// (0: none), the order h5py and netCDF use.
func CodecOf(shuffle bool, level, elemSize int) *Codec {
	c := &Codec{elem: elemSize, level: level}
	if shuffle {
		c.steps = append(c.steps, FilterShuffle)
	}
	if level > 0 {
		c.steps = append(c.steps, FilterDeflate)
	}
	return c
}

// Identity reports whether the codec leaves chunks unchanged.
func (c *Codec) Identity() bool { return len(c.steps) == 0 }

var (
	zwriters [10]sync.Pool // *zlib.Writer by level
	scratch  sync.Pool     // *[]byte for shuffling
)

func getScratch(n int) *[]byte {
	if p, ok := scratch.Get().(*[]byte); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	b := make([]byte, n)
	return &b
}

// Encode filters chunk (a whole chunk, edge chunks padded to full size)
// and returns the stored bytes, written into buf's storage when it is
// large enough. chunk is not modified.
func (c *Codec) Encode(chunk, buf []byte) ([]byte, error) {
	cur := chunk
	var tmp *[]byte
	defer func() {
		if tmp != nil {
			scratch.Put(tmp)
		}
	}()
	for i, id := range c.steps {
		last := i == len(c.steps)-1
		switch id {
		case FilterShuffle:
			var out []byte
			if last {
				out = grow(buf, len(cur))
			} else {
				tmp = getScratch(len(cur))
				out = *tmp
			}
			shuffle(out, cur, c.elem)
			cur = out
		case FilterDeflate:
			out := bytes.NewBuffer(buf[:0])
			zw, _ := zwriters[c.level].Get().(*zlib.Writer)
			if zw == nil {
				var err error
				if zw, err = zlib.NewWriterLevel(out, c.level); err != nil {
					return nil, err
				}
			} else {
				zw.Reset(out)
			}
			if _, err := zw.Write(cur); err != nil {
				return nil, err
			}
			if err := zw.Close(); err != nil {
				return nil, err
			}
			zwriters[c.level].Put(zw)
			cur = out.Bytes()
		}
	}
	if len(c.steps) == 0 {
		cur = append(buf[:0], chunk...)
	}
	return cur, nil
}

func grow(b []byte, n int) []byte {
	if cap(b) >= n {
		return b[:n]
	}
	return make([]byte, n)
}

// Decode undoes the filters on stored, the bytes of one chunk as read by
// ReadChunk, into dst, which must be exactly the chunk's size. Filters
// whose bit is set in mask were skipped when the chunk was written. A
// damaged chunk fails with an error wrapping dataset.ErrCorrupt.
func (c *Codec) Decode(dst, stored []byte, mask uint32) error {
	// Find the filters applied, in reverse.
	var todo []int
	for i := len(c.steps) - 1; i >= 0; i-- {
		if mask&(1<<uint(i)) == 0 {
			todo = append(todo, c.steps[i])
		}
	}
	cur := stored
	var tmp *[]byte
	defer func() {
		if tmp != nil {
			scratch.Put(tmp)
		}
	}()
	for i, id := range todo {
		last := i == len(todo)-1
		out := dst
		if !last {
			tmp = getScratch(len(dst))
			out = *tmp
		}
		switch id {
		case FilterDeflate:
			if err := inflate(out, cur); err != nil {
				return err
			}
		case FilterShuffle:
			if len(cur) != len(out) {
				return fmt.Errorf("shuffled chunk of %d bytes, want %d: %w", len(cur), len(out), dataset.ErrCorrupt)
			}
			unshuffle(out, cur, c.elem)
		}
		cur = out
	}
	if len(todo) == 0 {
		if len(stored) != len(dst) {
			return fmt.Errorf("stored chunk of %d bytes, want %d: %w", len(stored), len(dst), dataset.ErrCorrupt)
		}
		copy(dst, stored)
	}
	return nil
}

// inflate decompresses the zlib stream src into exactly dst, checking the
// stream's checksum. zlib's own inflate does the work (it is about a fifth
// faster than Go's); compression stays with klauspost/compress, several
// times faster than zlib at the low levels used for chunks.
func inflate(dst, src []byte) error {
	if len(src) == 0 || len(dst) == 0 {
		return fmt.Errorf("deflate: empty stream for a chunk of %d bytes: %w", len(dst), dataset.ErrCorrupt)
	}
	var out C.size_t
	r := C.ndc_inflate(unsafe.Pointer(&src[0]), C.size_t(len(src)), unsafe.Pointer(&dst[0]), C.size_t(len(dst)), &out)
	switch {
	case r == C.Z_OK && int(out) == len(dst):
		return nil
	case r == C.Z_OK:
		return fmt.Errorf("deflate: damaged stream (it inflates to %d bytes, the chunk has %d): %w", out, len(dst), dataset.ErrCorrupt)
	case r == C.Z_BUF_ERROR:
		return fmt.Errorf("deflate: damaged stream (it inflates past the chunk's %d bytes): %w", len(dst), dataset.ErrCorrupt)
	case r == C.Z_MEM_ERROR:
		return fmt.Errorf("deflate: zlib is out of memory")
	}
	return fmt.Errorf("deflate: damaged or cut stream (zlib error %d): %w", int(r), dataset.ErrCorrupt)
}

// shuffle is HDF5's shuffle filter: byte j of element i goes to
// dst[j*n+i], so the bytes of equal significance sit together and
// compress better. A tail shorter than an element is copied as is.
func shuffle(dst, src []byte, elem int) {
	n := len(src) / elem
	if elem <= 1 || n <= 1 {
		copy(dst, src)
		return
	}
	switch elem {
	case 4:
		d0, d1, d2, d3 := dst[:n], dst[n:2*n], dst[2*n:3*n], dst[3*n:4*n]
		for i := range n {
			s := src[4*i : 4*i+4 : 4*i+4]
			d0[i], d1[i], d2[i], d3[i] = s[0], s[1], s[2], s[3]
		}
	case 8:
		for j := range 8 {
			d := dst[j*n : (j+1)*n]
			for i := range n {
				d[i] = src[8*i+j]
			}
		}
	default:
		for j := range elem {
			d := dst[j*n : (j+1)*n]
			for i := range n {
				d[i] = src[elem*i+j]
			}
		}
	}
	copy(dst[n*elem:], src[n*elem:])
}

// unshuffle undoes shuffle. (A 64-bit-word transpose of eight elements
// at a time measured no faster than these byte loops: both run at about
// 3 GB/s, well ahead of inflate.)
func unshuffle(dst, src []byte, elem int) {
	n := len(src) / elem
	if elem <= 1 || n <= 1 {
		copy(dst, src)
		return
	}
	switch elem {
	case 4:
		s0, s1, s2, s3 := src[:n], src[n:2*n], src[2*n:3*n], src[3*n:4*n]
		for i := range n {
			d := dst[4*i : 4*i+4 : 4*i+4]
			d[0], d[1], d[2], d[3] = s0[i], s1[i], s2[i], s3[i]
		}
	default:
		for j := range elem {
			s := src[j*n : (j+1)*n]
			for i := range n {
				dst[elem*i+j] = s[i]
			}
		}
	}
	copy(dst[n*elem:], src[n*elem:])
}
