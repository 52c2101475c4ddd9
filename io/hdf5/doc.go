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
// keep their first element. Unfiltered datasets stored in the native
// type (chunked or contiguous) are read straight from the file: the
// library says where each chunk lies, once, and the bytes are read with
// pread outside the C-library lock, into the caller's buffer where a
// chunk's part is contiguous there, so reads from several goroutines run
// at once. Regions made of whole chunks of a deflate/shuffle dataset are
// read raw the same way and decompressed on the caller's goroutine. Other
// regions are read with one hyperslab H5Dread into the caller's buffer.
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
