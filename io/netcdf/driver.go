package netcdf

/*
#include <stdlib.h>
#include <netcdf.h>
*/
import "C"

import (
	"bytes"
	"unsafe"

	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/internal/h5"
)

func init() { dataset.Register(Driver{}) }

// Driver is the NetCDF driver, registered as "netcdf".
type Driver struct{}

var _ dataset.Driver = Driver{}

// The classic formats' signatures: classic, 64-bit offset, CDF-5.
var (
	magicClassic = []byte("CDF\x01")
	magic64      = []byte("CDF\x02")
	magicCDF5    = []byte("CDF\x05")
)

// Name implements dataset.Driver.
func (Driver) Name() string { return "netcdf" }

// Formats implements dataset.Driver.
func (Driver) Formats() []string {
	return []string{"nc4", "nc4-classic", "nc3", "nc3-64bit", "cdf5"}
}

// Sniff implements dataset.Driver. It claims the classic formats'
// signatures, and HDF5 files whose first bytes already show netCDF-4's
// markers (the _NCProperties attribute, ...), which the hdf5 driver's
// Sniff leaves alone. Other NetCDF-4 files start like any HDF5 file;
// telling them apart needs the whole file (see SniffFile).
func (Driver) Sniff(header []byte) bool {
	return isClassic(header) || (h5.HasSignature(header) && h5.IsNetCDF4(header, ""))
}

// isClassic reports whether header starts with a classic format's
// signature.
func isClassic(header []byte) bool {
	return bytes.HasPrefix(header, magicClassic) || bytes.HasPrefix(header, magic64) || bytes.HasPrefix(header, magicCDF5)
}

// SniffFile reports whether the file at path, starting with header, is
// for this driver: a classic-format file, or an HDF5 file that is
// NetCDF-4 (IsNetCDF4). dataset.Open should ask the drivers that have
// this method first, so that every NetCDF-4 file goes to this driver and
// other HDF5 files to the hdf5 driver, whose SniffFile answers the
// opposite.
func (d Driver) SniffFile(path string, header []byte) bool {
	if d.Sniff(header) {
		return true
	}
	return h5.SignatureOffset(path) >= 0 && IsNetCDF4(path)
}

// IsNetCDF4 reports whether path is a NetCDF-4 file: an HDF5 file written
// by a netCDF library, which libnetcdf opens as NetCDF-4. libnetcdf opens
// most HDF5 files, so opening is not enough: the file must also carry
// netCDF's markers (package h5 looks for them without libnetcdf, cheaply):
// the _NCProperties provenance attribute (netCDF-C 4.4.1 and later,
// h5netcdf), _nc3_strict (the classic model), or for older files the
// attributes netCDF-C puts on dimension scales (_Netcdf4Dimid,
// _Netcdf4Coordinates). libnetcdf's own _IsNetcdf4 attribute does not
// tell: it is 1 for any HDF5 file with dimension scales and 0 for
// classic-model NetCDF-4 files.
func IsNetCDF4(path string) bool {
	if !h5.IsNetCDF4(nil, path) {
		return false
	}
	cpath := cstr(path)
	defer C.free(unsafe.Pointer(cpath))
	is := false
	h5.Do(func() {
		var ncid C.int
		if C.nc_open(cpath, C.NC_NOWRITE, &ncid) != 0 {
			return
		}
		var format C.int
		is = C.nc_inq_format(ncid, &format) == 0 && (format == C.NC_FORMAT_NETCDF4 || format == C.NC_FORMAT_NETCDF4_CLASSIC)
		C.nc_close(ncid)
	})
	return is
}

// Open implements dataset.Driver; it is Open.
func (Driver) Open(path string, opts dataset.OpenOptions) (dataset.File, error) {
	return Open(path, opts)
}

// Create implements dataset.Driver; it is Create.
func (Driver) Create(path string, spec dataset.Spec, opts dataset.CreateOptions) (dataset.Writer, error) {
	return Create(path, spec, opts)
}
