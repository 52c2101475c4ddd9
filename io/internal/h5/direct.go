package h5

// #include "helpers.h"
import "C"

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
)

// The direct read path. libhdf5 may only be called under the one C-library
// lock, so every H5Dread of every driver runs one at a time, and a read
// from the page cache is mostly the kernel copying bytes: work two cores
// could do at once. For a dataset whose stored bytes are exactly what a
// read delivers (no filters, no external files, a stored type equal to
// the native memory type, so the library's conversion would be a copy),
// Dataset.Read therefore asks the library only where the data lies: a
// chunk's file address (H5Dget_chunk_info_by_coord, under the lock,
// remembered for the life of the Dataset: a file opened read-only never
// moves its chunks) or the one address of contiguous storage
// (H5Dget_offset). It then reads the bytes itself with pread on a
// duplicate of the library's descriptor, outside the lock, so reads from
// several goroutines proceed in parallel and repeated reads of a chunk
// take no lock at all.
//
// A selection becomes runs: stretches contiguous both in the file and in
// the caller's buffer. A run of rawDirectMin bytes or more is read
// straight into the caller's buffer (a region of whole chunks laid out
// like the chunks is one pread per chunk, no copy); shorter runs close to
// each other in the file are read together into a scratch buffer and
// copied out, so a column of a chunk costs one read, not one per element.
// Storage never written reads as the fill value, as the library does. A
// read that finds fewer bytes than the chunk index promises (a truncated
// or damaged file) fails with dataset.ErrCorrupt; it never returns zeros.

// Tuning of the run reader.
const (
	// rawDirectMin is the shortest run read into the caller's buffer on
	// its own: below it, a system call costs more than copying the run
	// once more from a scratch buffer.
	rawDirectMin = 16 << 10
	// rawMaxGap is the widest gap between two short runs read together:
	// reading the unwanted bytes between them costs about a system call.
	rawMaxGap = 8 << 10
	// rawGroupMax bounds the bytes read together into scratch.
	rawGroupMax = 1 << 20
)

// rawKind is how a dataset's elements are read straight from the file.
type rawKind int

const (
	rawNone       rawKind = iota // through the library
	rawChunked                   // unfiltered chunks at cached addresses
	rawContiguous                // one contiguous block at contigAddr
)

// chunkLoc is where a stored chunk lies.
type chunkLoc struct {
	addr int64 // from the start of the file; -1 if never written
	size int64 // stored bytes
	mask uint32
}

// rawFile is a file's own descriptor for direct reads.
type rawFile struct {
	f *os.File
	// base is added to the chunk addresses the library reports (the user
	// block's size where those are relative; see ndc_raw_file).
	base int64
}

// openRaw sets up direct reads of the open file f: a duplicate of the
// library's descriptor, when the file is read-only on the sec2 driver.
// Call inside Do.
func (f *File) openRaw() {
	var fd C.int
	var base C.int64_t
	switch C.ndc_raw_file(f.id, &fd, &base) {
	case 1:
		f.raw = &rawFile{f: os.NewFile(uintptr(fd), f.path), base: int64(base)}
	case -1:
		// Direct reads are an optimisation: without them the library
		// reads everything.
		clearStack()
	}
}

// describeRaw decides whether d is read straight from the file; call
// inside Do after describe.
func (d *Dataset) describeRaw() {
	dt := d.info.Type.DType
	if d.f.raw == nil || len(d.info.Shape) == 0 {
		return
	}
	chunked := d.info.Layout == "chunked" && len(d.info.Chunks) == len(d.info.Shape)
	d.rawChunks = chunked
	if !dt.Valid() {
		return
	}
	var addr C.int64_t
	var fillMode C.int
	kind := C.ndc_raw_layout(d.id, d.mem, &addr, &fillMode)
	if kind < 0 {
		clearStack()
		return
	}
	if fillMode == 1 {
		b, _, _, ok := ElemBytes(d.info.FillValue)
		if !ok {
			// A fill value describe could not read: only the library
			// knows what unwritten storage reads as.
			return
		}
		if !allZero(b) {
			d.fill = b
		}
	}
	switch kind {
	case 1:
		if chunked {
			d.raw = rawChunked
		}
	case 2:
		d.raw = rawContiguous
		d.contigAddr = int64(addr)
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// Direct reports whether Read bypasses the library, reading the dataset's
// bytes straight from the file outside the C-library lock: true for
// unfiltered chunked and contiguous datasets stored in the native type,
// in files opened read-only.
func (d *Dataset) Direct() bool { return d.raw != rawNone }

// readRaw reads the checked hyperslab start/count into dst straight from
// the file.
func (d *Dataset) readRaw(ctx context.Context, start, count []int, dst []byte) error {
	if d.gone.Load() {
		return ErrClosed
	}
	es := d.info.Type.DType.Size()
	rd := runReader{d: d, dst: dst}
	defer rd.release()
	if d.raw == rawContiguous {
		shape := d.info.Shape
		zero := make([]int, len(shape))
		end := boxEnd(start, count)
		if d.contigAddr < 0 {
			d.fillBox(dst, start, count, start, end, es)
			return nil
		}
		var err error
		forRuns(zero, shape, start, end, start, count, func(src, at, n int) bool {
			err = rd.add(d.contigAddr+int64(src*es), at*es, n*es)
			return err == nil
		})
		if err != nil {
			return err
		}
		return rd.flush()
	}
	chunks := d.info.Chunks
	rank := len(chunks)
	lo := make([]int, rank) // the first and last chunk along each axis
	hi := make([]int, rank)
	for i := range rank {
		lo[i] = start[i] / chunks[i]
		hi[i] = (start[i] + count[i] - 1) / chunks[i]
	}
	if err := d.lookupChunks(lo, hi); err != nil {
		return err
	}
	chunkBytes := int64(chunk.Size(chunks) * es)
	idx := append([]int(nil), lo...)
	origin := make([]int, rank)
	boxLo := make([]int, rank)
	boxHi := make([]int, rank)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		for i := range rank {
			origin[i] = idx[i] * chunks[i]
			boxLo[i] = max(origin[i], start[i])
			boxHi[i] = min(origin[i]+chunks[i], start[i]+count[i])
		}
		loc, ok := d.chunkLoc(idx)
		switch {
		case !ok:
			// lookupChunks has just cached every chunk of the region.
			return fmt.Errorf("%s: chunk at %v was not looked up", d.info.Path, origin)
		case loc.addr < 0:
			d.fillBox(dst, start, count, boxLo, boxHi, es)
		case loc.size != chunkBytes:
			return fmt.Errorf("%s: chunk at %v: %d bytes stored for an unfiltered chunk of %d: %w", d.info.Path, origin, loc.size, chunkBytes, dataset.ErrCorrupt)
		default:
			var err error
			forRuns(origin, chunks, boxLo, boxHi, start, count, func(src, at, n int) bool {
				err = rd.add(loc.addr+int64(src*es), at*es, n*es)
				return err == nil
			})
			if err != nil {
				return err
			}
		}
		i := rank - 1
		for ; i >= 0; i-- {
			if idx[i]++; idx[i] <= hi[i] {
				break
			}
			idx[i] = lo[i]
		}
		if i < 0 {
			break
		}
	}
	return rd.flush()
}

// boxEnd returns the end (exclusive) of the box start/count.
func boxEnd(start, count []int) []int {
	end := make([]int, len(start))
	for i := range start {
		end[i] = start[i] + count[i]
	}
	return end
}

// forRuns calls fn for each run of the box [lo, hi) (global indices): a
// stretch contiguous both in a row-major block of shape bshape whose first
// element is at origin, and in a row-major region of shape rshape whose
// first element is at rstart. fn gets the run's element offsets in the
// block and in the region and its length in elements, in the block's
// order; it returns false to stop. The box must be non-empty and inside
// both.
func forRuns(origin, bshape, lo, hi, rstart, rshape []int, fn func(src, at, n int) bool) {
	rank := len(bshape)
	// The run spans axes j.. : axis j partly, the later ones whole in both
	// layouts.
	j := rank - 1
	n := hi[j] - lo[j]
	for j > 0 && hi[j]-lo[j] == bshape[j] && hi[j]-lo[j] == rshape[j] {
		j--
		n *= hi[j] - lo[j]
	}
	var bstride, rstride [chunk.MaxRank]int
	bs, rs := 1, 1
	for i := rank - 1; i >= 0; i-- {
		bstride[i], rstride[i] = bs, rs
		bs *= bshape[i]
		rs *= rshape[i]
	}
	src, at := 0, 0
	for i := range rank {
		src += (lo[i] - origin[i]) * bstride[i]
		at += (lo[i] - rstart[i]) * rstride[i]
	}
	if j == 0 {
		fn(src, at, n)
		return
	}
	// Walk the outer axes 0..j-1 odometer-fashion, keeping the offsets
	// current.
	var idx [chunk.MaxRank]int
	copy(idx[:j], lo[:j])
	for {
		if !fn(src, at, n) {
			return
		}
		i := j - 1
		for ; i >= 0; i-- {
			idx[i]++
			src += bstride[i]
			at += rstride[i]
			if idx[i] < hi[i] {
				break
			}
			span := hi[i] - lo[i]
			src -= span * bstride[i]
			at -= span * rstride[i]
			idx[i] = lo[i]
		}
		if i < 0 {
			return
		}
	}
}

// fillBox sets the box [lo, hi) of the region start/count in dst to the
// fill value.
func (d *Dataset) fillBox(dst []byte, start, count, lo, hi []int, es int) {
	forRuns(start, count, lo, hi, start, count, func(_, at, n int) bool {
		b := dst[at*es : (at+n)*es]
		if d.fill == nil {
			clear(b)
			return true
		}
		// Doubling copies: a few memmoves however long the run.
		k := copy(b, d.fill)
		for k < len(b) {
			k += copy(b[k:], b[:k])
		}
		return true
	})
}

// chunkLoc returns the cached location of the chunk at grid index idx.
func (d *Dataset) chunkLoc(idx []int) (chunkLoc, bool) {
	key := d.chunkKey(idx)
	d.locMu.RLock()
	loc, ok := d.locs[key]
	d.locMu.RUnlock()
	return loc, ok
}

// chunkKey numbers the chunk at grid index idx row-major.
func (d *Dataset) chunkKey(idx []int) int64 {
	var key int64
	for i, c := range d.info.Chunks {
		n := int64((d.info.Shape[i] + c - 1) / c)
		key = key*n + int64(idx[i])
	}
	return key
}

// lookupChunks makes sure the locations of the chunks with grid indices
// from lo to hi (inclusive) are cached: those missing are looked up in one
// hold of the C-library lock.
func (d *Dataset) lookupChunks(lo, hi []int) error {
	rank := len(lo)
	var missing []C.hsize_t
	var keys []int64
	idx := append([]int(nil), lo...)
	d.locMu.RLock()
	for {
		key := d.chunkKey(idx)
		if _, ok := d.locs[key]; !ok {
			keys = append(keys, key)
			for i := range rank {
				missing = append(missing, C.hsize_t(idx[i]*d.info.Chunks[i]))
			}
		}
		i := rank - 1
		for ; i >= 0; i-- {
			if idx[i]++; idx[i] <= hi[i] {
				break
			}
			idx[i] = lo[i]
		}
		if i < 0 {
			break
		}
	}
	d.locMu.RUnlock()
	if len(keys) == 0 {
		return nil
	}
	n := len(keys)
	addrs := make([]C.int64_t, n)
	sizes := make([]C.uint64_t, n)
	masks := make([]C.uint, n)
	var err error
	Do(func() {
		if d.closed {
			err = ErrClosed
			return
		}
		if C.ndc_chunk_locs(d.id, C.int(rank), C.int(n), &missing[0], &addrs[0], &sizes[0], &masks[0]) < 0 {
			err = stackError("H5Dget_chunk_info_by_coord " + d.info.Path)
		}
	})
	if err != nil {
		return err
	}
	d.locMu.Lock()
	if d.locs == nil {
		d.locs = make(map[int64]chunkLoc, n)
	}
	for k, key := range keys {
		loc := chunkLoc{addr: -1, size: int64(sizes[k]), mask: uint32(masks[k])}
		if addrs[k] >= 0 {
			loc.addr = int64(addrs[k]) + d.f.raw.base
		}
		d.locs[key] = loc
	}
	d.locMu.Unlock()
	return nil
}

// scratchPool holds the run reader's scratch buffers.
var scratchPool = sync.Pool{New: func() any { b := make([]byte, rawGroupMax); return &b }}

// pending is one run waiting in a group: where it goes in dst and where
// it starts in the group.
type pending struct {
	at, off, n int
}

// runReader reads runs into dst, grouping short runs close in the file.
type runReader struct {
	d       *Dataset
	dst     []byte
	start   int64 // the group's first byte in the file
	end     int64 // one past its last
	runs    []pending
	scratch *[]byte
}

// add queues the n bytes at file offset off for dst[at:].
func (r *runReader) add(off int64, at, n int) error {
	if n >= rawDirectMin {
		if err := r.flush(); err != nil {
			return err
		}
		return r.d.pread(r.dst[at:at+n], off)
	}
	if len(r.runs) > 0 && (off < r.end || off-r.end > rawMaxGap || off+int64(n)-r.start > rawGroupMax) {
		if err := r.flush(); err != nil {
			return err
		}
	}
	if len(r.runs) == 0 {
		r.start = off
	}
	r.runs = append(r.runs, pending{at: at, off: int(off - r.start), n: n})
	r.end = off + int64(n)
	return nil
}

// flush reads the queued group.
func (r *runReader) flush() error {
	switch len(r.runs) {
	case 0:
		return nil
	case 1:
		p := r.runs[0]
		r.runs = r.runs[:0]
		return r.d.pread(r.dst[p.at:p.at+p.n], r.start)
	}
	if r.scratch == nil {
		r.scratch = scratchPool.Get().(*[]byte)
	}
	buf := (*r.scratch)[:r.end-r.start]
	if err := r.d.pread(buf, r.start); err != nil {
		return err
	}
	for _, p := range r.runs {
		copy(r.dst[p.at:p.at+p.n], buf[p.off:p.off+p.n])
	}
	r.runs = r.runs[:0]
	return nil
}

// release returns the scratch buffer.
func (r *runReader) release() {
	if r.scratch != nil {
		scratchPool.Put(r.scratch)
		r.scratch = nil
	}
}

// pread fills b from the file at off. A file that ends first is damaged
// (truncated, or its chunk index points past its end): the error says so
// rather than leaving zeros.
func (d *Dataset) pread(b []byte, off int64) error {
	n, err := d.f.raw.f.ReadAt(b, off)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, os.ErrClosed):
		return ErrClosed
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%s: %d bytes at offset %d: the file ends after %d of them (truncated?): %w", d.info.Path, len(b), off, n, dataset.ErrCorrupt)
	}
	return fmt.Errorf("%s: read %d bytes at offset %d: %w", d.info.Path, len(b), off, err)
}
