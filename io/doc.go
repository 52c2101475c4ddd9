// Package io is the parent of ndchunk's file drivers: io/dataset holds the
// format-neutral model (files, variables, dimensions, attributes), the
// driver registry and CF decoding; io/hdf5 and io/netcdf are the drivers
// over Debian's libhdf5 and libnetcdf; io/memio is an in-memory driver;
// io/iotest is the conformance suite every driver passes.
package io
