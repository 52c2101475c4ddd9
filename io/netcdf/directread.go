package netcdf

import (
	"path"
	"strings"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/internal/h5"
)

// Direct reads. libnetcdf reads a NetCDF-4 variable with H5Dread under the
// one C-library lock, so no two reads of any variable overlap, even when
// all they do is copy bytes from the page cache. A NetCDF-4 file is an
// HDF5 file, so the reader opens it a second time with libhdf5 (read-only:
// the library shares one open file between the two handles) and, for
// every variable package h5 can read straight from the file (unfiltered,
// stored in the native type: h5.Dataset.Direct), reads regions through
// the HDF5 dataset: the chunk addresses come from the library once, the
// bytes with pread outside the lock. Everything else (filters, big-endian
// storage, regions beyond the dataset's extent along an unlimited
// dimension, which libnetcdf fills in) stays with nc_get_vara.

// openDirect opens f's file with libhdf5 for direct reads. Failing is not
// an error: reads then all go through libnetcdf.
func (f *file) openDirect() {
	if hf, err := h5.Open(f.path, false); err == nil {
		f.h5 = hf
	}
}

// directDataset opens the HDF5 dataset of the variable ref for direct
// reads, or returns nil when its reads must go through libnetcdf.
func (f *file) directDataset(ref *varRef) *h5.Dataset {
	v := &ref.info
	if f.h5 == nil || !v.DType.Valid() || len(v.Shape) == 0 {
		return nil
	}
	ds, err := f.h5.OpenDataset(h5Path(v.Name, ref.renamed), h5.CacheOptions{None: true})
	if err != nil {
		return nil
	}
	in := ds.Info()
	want := v.DType
	if want == chunk.Bool {
		want = chunk.Int8 // xarray's booleans are bytes in the file
	}
	ok := ds.Direct() && in.Type.DType == want && len(in.Shape) == len(v.Shape)
	for i := 0; ok && i < len(v.Shape); i++ {
		// Along an unlimited dimension a dataset may be shorter than its
		// dimension; nc_get_vara reads the rest as the fill value.
		ok = in.Shape[i] <= v.Shape[i]
	}
	if v.Layout == "chunked" {
		ok = ok && chunk.EqualInts(in.Chunks, v.StorageChunks)
	}
	if !ok {
		ds.Close()
		return nil
	}
	return ds
}

// h5Path returns the HDF5 dataset libnetcdf stores the variable name
// ("t2m" in the root group, "/g/t2m" in a group) under: its own name, or
// "_nc4_non_coord_" and its name for a variable named like a dimension of
// its group that is not that dimension's coordinate variable.
func h5Path(name string, renamed bool) string {
	p := "/" + strings.TrimPrefix(name, "/")
	if renamed {
		dir, base := path.Split(p)
		p = dir + "_nc4_non_coord_" + base
	}
	return p
}
