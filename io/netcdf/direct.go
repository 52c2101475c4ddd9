package netcdf

/*
#include <stdlib.h>
#include <netcdf.h>
*/
import "C"

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/internal/h5"
	"github.com/ndchunk/ndchunk/ops"
)

// The direct chunk path. Writing a compressed NetCDF-4 variable through
// nc_put_vara runs the whole shuffle + zlib pipeline inside libhdf5, one
// chunk at a time, under the one C-library lock: compression then costs
// as much as everything else and never runs on more than one core. So
// once libnetcdf has defined the file (dimensions, variables, dimension
// scales, attributes: everything that makes it NetCDF-4), the writer
// closes it and reopens the same file with libhdf5. A region made of
// whole storage chunks is then shuffled and deflated on the calling
// goroutine (the engine calls from several at once) and stored with
// H5Dwrite_chunk, which holds the lock only to copy finished bytes into
// the file. Other regions go through H5Dwrite, which is what nc_put_vara
// does underneath. Data writes change nothing libnetcdf keeps about the
// file but the datasets' extents, which the writer fixes before handing
// the file over (see startDirect).
//
// Every NetCDF-4 file takes this path, chunked or not, for a second
// reason: when the disk fills, libnetcdf's nc_close (and nc_abort) fail
// while closing the datasets and return without closing the HDF5 file, so
// the temporary file's descriptor and space stay held until the process
// exits; libhdf5's own close carries on past those failures.

// directFile is the HDF5 handle of a NetCDF-4 file in its data phase.
type directFile struct {
	f *h5.File
}

// close closes the datasets and the file.
func (d *directFile) close() error { return d.f.Close() }

// directVar writes one variable's HDF5 dataset.
type directVar struct {
	ds     *h5.Dataset
	shape  []int
	chunks []int // nil: no direct chunk writes (contiguous or an unknown pipeline)
	elem   int
	// shuffle and level (0: none) are the dataset's filters, the only
	// pipelines the direct path reproduces.
	shuffle bool
	level   int
}

// startDirect moves a NetCDF-4 file into its data phase (see above). It
// leaves classic formats, and writers configured with noDirect, with
// libnetcdf.
func (w *writer) startDirect(opts dataset.CreateOptions) error {
	if !w.fi.nc4 {
		return nil
	}
	fail := func(v string, err error) error {
		return &dataset.Error{Path: w.path, Var: v, Op: "create", Err: err}
	}
	var err error
	h5.Do(func() {
		// A dataset along an unlimited dimension starts empty, and HDF5
		// writes nothing past a dataset's extent. Writing each such
		// variable's last element through libnetcdf extends the dataset
		// and records the dimension's length the way libnetcdf expects
		// (including the dimension's own scale dataset); the element (the
		// fill value, if there is one) is rewritten with the rest of the
		// data.
		for _, s := range w.sinks {
			if !s.unlimited || chunk.Size(s.shape) == 0 {
				continue
			}
			last := make([]int, len(s.shape))
			for i, n := range s.shape {
				last[i] = n - 1
			}
			idx := sizes(last)
			elem := s.fill
			if elem == nil {
				elem = make([]byte, 8)
			}
			if st := C.nc_put_var1(s.gid, s.varid, sizePtr(idx), bytePtr(elem)); st != 0 {
				err = fail(s.name, fmt.Errorf("extend along the unlimited dimension: %w", reason(st, kindWrite)))
				return
			}
		}
	})
	if err != nil {
		return err
	}
	if err := w.closeFile(false); err != nil {
		return fail("", err)
	}
	f, err := h5.Open(w.tmp, true)
	if err != nil {
		return fail("", fmt.Errorf("reopen for direct chunk writes: %w", err))
	}
	w.direct = &directFile{f: f}
	cache := opts.CacheBytes
	if cache <= 0 {
		cache = defaultCacheBytes
	}
	for _, s := range w.sinks {
		ds, err := f.OpenDataset(s.h5path, h5.CacheOptions{Bytes: cache})
		if err != nil {
			return fail(s.name, fmt.Errorf("reopen for direct chunk writes: %w", err))
		}
		info := ds.Info()
		if !chunk.EqualInts(info.Shape, s.shape) || info.Type.DType.Size() != s.dtype.Size() {
			return fail(s.name, fmt.Errorf("HDF5 dataset %s is %s%v, the variable %s%v", s.h5path, info.Type.DType, info.Shape, s.dtype, s.shape))
		}
		dv := &directVar{ds: ds, shape: s.shape, elem: s.dtype.Size()}
		if info.Layout == "chunked" && chunk.EqualInts(info.Chunks, s.chunks) {
			dv.chunks = s.chunks
			for _, flt := range info.Filters {
				switch {
				case flt.ID == h5.FilterShuffle && !dv.shuffle && dv.level == 0:
					dv.shuffle = true
				case flt.ID == h5.FilterDeflate && dv.level == 0 && len(flt.Params) > 0 && flt.Params[0] >= 1 && flt.Params[0] <= 9:
					dv.level = int(flt.Params[0])
				default:
					dv.chunks = nil // a pipeline only the library can apply
				}
			}
		}
		s.direct = dv
	}
	return nil
}

// wholeChunks reports whether r is made of whole storage chunks: on every
// axis it starts at a chunk boundary and ends at one or at the end of the
// variable (edge chunks are stored whole, padded).
func (d *directVar) wholeChunks(r chunk.Region) bool {
	if d.chunks == nil {
		return false
	}
	for i, c := range d.chunks {
		end := r.Start[i] + r.Shape[i]
		if r.Start[i]%c != 0 || (end%c != 0 && end != d.shape[i]) {
			return false
		}
	}
	return true
}

// write stores a region: chunk by chunk, compressed here, when it is made
// of whole chunks; through H5Dwrite otherwise.
func (d *directVar) write(ctx context.Context, r chunk.Region, data []byte) error {
	if !d.wholeChunks(r) {
		return d.ds.Write(r.Start, r.Shape, data)
	}
	rank := len(r.Shape)
	chunkElems := chunk.Size(d.chunks)
	chunkBytes := chunkElems * d.elem
	// Chunks follow each other in data when every axis but the first
	// spans exactly one full chunk: then each chunk is a plain slice.
	contiguous := true
	for i := 1; i < rank; i++ {
		contiguous = contiguous && r.Shape[i] == d.chunks[i]
	}
	var scratch []byte
	defer func() {
		if scratch != nil {
			putBuf(scratch)
		}
	}()
	counts := make([]int, rank)
	for i := range rank {
		counts[i] = (r.Shape[i] + d.chunks[i] - 1) / d.chunks[i]
	}
	idx := make([]int, rank)
	offset := make([]int, rank)
	rel := make([]int, rank)
	extent := make([]int, rank)
	zero := make([]int, rank)
	for n := chunk.Size(counts); n > 0; n-- {
		if err := ctx.Err(); err != nil {
			return err
		}
		full := true
		for i := range rank {
			rel[i] = idx[i] * d.chunks[i]
			offset[i] = r.Start[i] + rel[i]
			extent[i] = min(d.chunks[i], r.Shape[i]-rel[i])
			full = full && extent[i] == d.chunks[i]
		}
		var src []byte
		if full && contiguous {
			at := rel[0] * (chunkBytes / d.chunks[0])
			src = data[at : at+chunkBytes]
		} else {
			if scratch == nil {
				scratch = getBuf(chunkBytes)
			}
			if !full {
				clear(scratch)
			}
			ops.CopyRegion(scratch, d.chunks, zero, data, r.Shape, rel, extent, d.elem)
			src = scratch
		}
		if err := d.writeChunk(offset, src); err != nil {
			return err
		}
		// Next chunk index, last axis fastest.
		for i := rank - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < counts[i] {
				break
			}
			idx[i] = 0
		}
	}
	return nil
}

// outBufs pools the compressed-chunk buffers.
var outBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeChunk filters one full chunk as the dataset's pipeline would and
// stores it.
func (d *directVar) writeChunk(offset []int, src []byte) error {
	if d.shuffle && d.elem > 1 {
		sh := getBuf(len(src))
		defer putBuf(sh)
		shuffle(sh, src, d.elem)
		src = sh
	}
	if d.level > 0 {
		out := outBufs.Get().(*bytes.Buffer)
		defer outBufs.Put(out)
		out.Reset()
		out.Grow(len(src)/2 + 64)
		if err := deflate(out, src, d.level); err != nil {
			return fmt.Errorf("deflate chunk at %v: %w", offset, err)
		}
		src = out.Bytes()
	}
	return d.ds.WriteChunk(offset, 0, src)
}
