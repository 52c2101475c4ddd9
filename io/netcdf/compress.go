package netcdf

import (
	"bytes"
	"sync"

	"github.com/klauspost/compress/zlib"
)

// This file does in Go what HDF5's shuffle and deflate filters do in C,
// byte for byte compatible with them, so chunks can be compressed on the
// caller's goroutines and handed to H5Dwrite_chunk already filtered.

// shuffle writes src into dst with HDF5's byte shuffle: the first byte of
// every element, then every second byte, and so on. Byte planes compress
// better than interleaved elements. len(dst) == len(src); bytes past the
// last whole element are copied as they are, as the HDF5 filter does.
func shuffle(dst, src []byte, size int) {
	n := len(src) / size
	switch size {
	case 1:
		copy(dst, src)
		return
	case 2:
		d0, d1 := dst[:n], dst[n:2*n]
		for i := range n {
			s := src[2*i : 2*i+2]
			d0[i], d1[i] = s[0], s[1]
		}
	case 4:
		d0, d1, d2, d3 := dst[:n], dst[n:2*n], dst[2*n:3*n], dst[3*n:4*n]
		for i := range n {
			s := src[4*i : 4*i+4]
			d0[i], d1[i], d2[i], d3[i] = s[0], s[1], s[2], s[3]
		}
	case 8:
		d0, d1, d2, d3 := dst[:n], dst[n:2*n], dst[2*n:3*n], dst[3*n:4*n]
		d4, d5, d6, d7 := dst[4*n:5*n], dst[5*n:6*n], dst[6*n:7*n], dst[7*n:8*n]
		for i := range n {
			s := src[8*i : 8*i+8]
			d0[i], d1[i], d2[i], d3[i] = s[0], s[1], s[2], s[3]
			d4[i], d5[i], d6[i], d7[i] = s[4], s[5], s[6], s[7]
		}
	default:
		for j := range size {
			plane := dst[j*n : (j+1)*n]
			for i := range n {
				plane[i] = src[i*size+j]
			}
		}
	}
	copy(dst[n*size:], src[n*size:])
}

// unshuffle inverts shuffle (for tests and for reading raw chunks back).
func unshuffle(dst, src []byte, size int) {
	n := len(src) / size
	for j := range size {
		plane := src[j*n : (j+1)*n]
		for i := range n {
			dst[i*size+j] = plane[i]
		}
	}
	copy(dst[n*size:], src[n*size:])
}

// zlibWriters pools compressors per level: each holds about 1 MB of
// tables, too much to allocate per chunk.
var zlibWriters [10]sync.Pool

// deflate appends the zlib stream of src at the given level (1-9) to dst,
// the format HDF5's deflate filter stores.
func deflate(dst *bytes.Buffer, src []byte, level int) error {
	zw, _ := zlibWriters[level].Get().(*zlib.Writer)
	if zw == nil {
		var err error
		if zw, err = zlib.NewWriterLevel(dst, level); err != nil {
			return err
		}
	} else {
		zw.Reset(dst)
	}
	_, err := zw.Write(src)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	zlibWriters[level].Put(zw)
	return err
}

// bufPool holds the chunk-sized scratch buffers of the direct path.
var bufPool sync.Pool

// getBuf returns a buffer of n bytes (contents undefined).
func getBuf(n int) []byte {
	if b, ok := bufPool.Get().(*[]byte); ok && cap(*b) >= n {
		return (*b)[:n]
	}
	return make([]byte, n)
}

// putBuf returns a buffer from getBuf to the pool.
func putBuf(b []byte) { bufPool.Put(&b) }
