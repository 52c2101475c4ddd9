// Package hdf5 is ndchunk's HDF5 driver: it reads every dataset of an HDF5
// file as a lazy array and writes arrays into new HDF5 files, through
// Debian's libhdf5 1.10 (via ndchunk's own binding io/internal/h5).
// Import it for its side effect of registering the driver "hdf5":
//
//	import _ "github.com/ndchunk/ndchunk/io/hdf5"
//
// Reading: datasets in every group are variables named by path
// ("/group/sub/name"). Integers and floats of either byte order read as
// the native dtype (the library converts), 16-bit floats as float32, and
// h5py's bool enum as bool; compound, string, other enum, vlen, opaque,
// reference and array datasets are listed with dtype invalid and a reason
// in VarInfo.Unsupported, and opening them fails with chunk.ErrUnsupported.
// Dimension names come from attached dimension scales (netCDF-4's and
// h5py's), else from dimension labels, else "". String attribute arrays
// keep their first element. Regions are read with one hyperslab H5Dread
// straight into the caller's buffer; regions made of whole chunks of a
// deflate/shuffle dataset are instead read raw (H5Dread_chunk) and
// decompressed on the caller's goroutine, so the engine's workers
// decompress in parallel while the library, which is not thread-safe,
// only moves bytes.
//
// Writing: dimensions become dimension scales laid out as netCDF-4 lays
// them out (a dimension's coordinate variable is its scale; a dimension
// without one gets a float32 placeholder scale marked as netCDF marks it,
// so readers hide it). Regions made of whole storage chunks are shuffled
// and deflated on the caller's goroutine and stored with H5Dwrite_chunk;
// other regions go through H5Dwrite. The file is written under a
// temporary name and renamed into place by Commit.
//
// The driver never lets libhdf5 print to stderr: failures come back as
// errors naming the file, the variable and the library's reason.
// NetCDF-4 files are HDF5 files too; Sniff leaves those carrying
// netCDF-4's markers to the netcdf driver, though Open reads them as
// plain HDF5 when asked to.
package hdf5
