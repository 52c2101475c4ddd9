// Package netcdf is ndchunk's NetCDF driver: it reads the variables of
// NetCDF files (classic, 64-bit offset, CDF-5 and NetCDF-4) as lazy
// arrays and writes arrays into new NetCDF files, through Debian's
// libnetcdf 4.9 with a small cgo binding of its own. Import it for its
// side effect of registering the driver "netcdf":
//
//	import _ "github.com/ndchunk/ndchunk/io/netcdf"
//
// Reading: variables of the root group keep their names ("t2m"), those
// of NetCDF-4 groups are named by path ("/group/sub/name"), and so are
// dimensions. Every numeric type reads as its dtype (byte as int8, ubyte
// as uint8, ...; a byte variable with xarray's dtype = "bool" attribute as
// bool); char, string and user-defined types (compound, vlen, opaque,
// enum) are listed with dtype invalid and the reason in
// VarInfo.Unsupported, and opening them fails with chunk.ErrUnsupported.
// Char attributes read as strings, string attributes too (several joined
// by newlines). Regions are read with one nc_get_vara straight into the
// caller's buffer, with the variable's chunk cache sized from
// OpenOptions.CacheBytes, except that a NetCDF-4 variable stored
// unfiltered in the native type is read straight from the file through
// its HDF5 dataset (pread outside the C-library lock, so several
// goroutines read at once; see directread.go). A classic-format file
// shorter than its header says is refused (libnetcdf would read the
// missing part as zeros); a NetCDF-4 file cut short while open fails the
// read of the lost data with dataset.ErrCorrupt.
//
// Writing: Create defines everything at once (dimensions, unlimited ones
// included; variables with chunking, deflate and shuffle and fill values;
// attributes) in a file under a temporary name; Commit renames it into
// place. Classic formats are written with nc_put_vara. A NetCDF-4 file,
// once defined, is reopened with libhdf5: regions made of whole storage
// chunks are shuffled and deflated on the caller's goroutine and stored
// with H5Dwrite_chunk, so the engine's workers compress in parallel and
// the C library, which is not thread-safe, only copies finished bytes;
// other regions go through H5Dwrite.
//
// Every call into libnetcdf or libhdf5 holds the one C-library lock, and
// neither library prints to stderr: failures come back as *dataset.Error
// naming the file, the variable and the library's reason, wrapping
// dataset's sentinels (ErrNotExist, ErrFormat, ErrCorrupt, ErrFilter,
// ErrNoVariable) or chunk's (ErrDType, ErrShape, ErrIndex,
// ErrUnsupported).
//
// A NetCDF-4 file is an HDF5 file: Sniff claims the classic formats'
// signatures and the HDF5 files whose first bytes show netCDF-4's markers;
// SniffFile and IsNetCDF4 tell the other NetCDF-4 files from plain HDF5
// files by looking inside. (Open itself reads any HDF5 file libnetcdf can,
// with its dimension-less datasets on phony dimensions.)
package netcdf
