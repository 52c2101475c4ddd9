// Package clib serialises calls into the C libraries. Debian's libhdf5 is
// built without thread safety, and libnetcdf calls into it for NetCDF-4
// files, so one lock guards every call into either library from any
// driver: a NetCDF read and an HDF5 write must not overlap.
package clib

import "sync"

// mu is the one lock for libhdf5 and libnetcdf.
var mu sync.Mutex

// Do runs fn holding the C library lock. fn must not call Do.
func Do(fn func()) {
	mu.Lock()
	defer mu.Unlock()
	fn()
}

// Lock takes the C library lock; pair it with Unlock. Prefer Do.
func Lock() { mu.Lock() }

// Unlock releases the C library lock.
func Unlock() { mu.Unlock() }
