// Package h5 is ndchunk's own small, typed cgo binding to libhdf5 1.10
// (Debian's libhdf5-dev), shared by the hdf5 and netcdf drivers.
//
// It wraps what the drivers need and nothing more: files, groups listed
// with H5Ovisit, datasets read and written by hyperslab straight from and
// into the caller's bytes, raw chunks moved with H5Dread_chunk and
// H5Dwrite_chunk (so compression can run in parallel outside the library),
// storage chunking and filter inquiry, attributes, dimension scales and
// chunk caches. Failed calls return an *Error carrying the library's error
// stack; the library never prints to stderr.
//
// Every call into libhdf5 runs through Do: it holds the one C-library lock
// of package clib (libhdf5 and libnetcdf are not safe to call concurrently),
// pins the goroutine to its OS thread for the duration (the error stack
// belongs to the thread), and turns off the library's automatic error
// printing on that thread. This package never holds the lock while doing Go
// work such as compression, and its functions must not be called from
// inside Do or clib.Do.
//
// In a file opened read-only, datasets whose stored bytes are what a read
// delivers (unfiltered, in the native type) are read without the library:
// it is asked once where each chunk lies, and the bytes are read with
// pread outside the lock (direct.go); raw chunks of filtered datasets are
// read the same way.
package h5
