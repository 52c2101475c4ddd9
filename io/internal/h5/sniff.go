package h5

// #include "helpers.h"
import "C"

import (
	"bytes"
	"os"
	"unsafe"
)

// Signature is the format signature that starts an HDF5 superblock.
const Signature = "\x89HDF\r\n\x1a\n"

// HasSignature reports whether header starts with the HDF5 signature.
func HasSignature(header []byte) bool { return bytes.HasPrefix(header, []byte(Signature)) }

// SignatureOffset returns where the HDF5 superblock starts in the file at
// path: 0, or after a user block at 512, 1024, 2048, ... bytes (the
// library looks at exactly these offsets), or -1 if the file is not HDF5.
func SignatureOffset(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return -1
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return -1
	}
	buf := make([]byte, len(Signature))
	for off := int64(0); off+int64(len(buf)) <= st.Size(); {
		if n, _ := f.ReadAt(buf, off); n == len(buf) && string(buf) == Signature {
			return off
		}
		if off == 0 {
			off = 512
		} else {
			off *= 2
		}
	}
	return -1
}

// IsNetCDF4 reports whether the HDF5 file at path, whose first bytes are
// header, was written by netCDF-4 (and so belongs to the netcdf driver):
// the markers netCDF-C writes are in the header, or the root group has the
// _NCProperties or _nc3_strict attribute, or one of its first 64 objects
// has the _Netcdf4Dimid or _Netcdf4Coordinates attribute. Only the header
// is looked at when path is "". Files ndchunk's hdf5 driver writes carry
// none of these markers, even though their dimension scales follow
// netCDF-4's layout.
func IsNetCDF4(header []byte, path string) bool {
	for _, m := range []string{"_NCProperties", "_Netcdf4Dimid", "_Netcdf4Coordinates", "_nc3_strict"} {
		if bytes.Contains(header, []byte(m)) {
			return true
		}
	}
	if path == "" || SignatureOffset(path) < 0 {
		return false
	}
	cp := cstr(path)
	defer C.free(unsafe.Pointer(cp))
	found := false
	Do(func() {
		id := C.ndc_fopen(cp, 0)
		if id < 0 {
			clearStack()
			return
		}
		found = C.ndc_is_netcdf4(id) > 0
		C.H5Fclose(id)
	})
	return found
}
